"""Rate limits (the `limits` library): in memory by default, in Redis when configured."""

from __future__ import annotations

import math
import time

from limits import RateLimitItem, parse
from limits.storage import storage_from_string
from limits.aio.storage import MemoryStorage, Storage
from limits.aio.strategies import MovingWindowRateLimiter

from fleetprivacy.config import Settings


class RateLimits:
    """The server's limiters; `hit` answers how long to wait (seconds) or None when allowed."""

    def __init__(self, settings: Settings) -> None:
        self.storage: Storage
        if settings.redis_url:
            uri = settings.redis_url
            if uri.startswith("redis://") or uri.startswith("rediss://"):
                uri = "async+" + uri
            self.storage = storage_from_string(
                uri, implementation="redispy", key_prefix=settings.rate_limit_key_prefix
            )
        else:
            self.storage = MemoryStorage()
        self._limiter = MovingWindowRateLimiter(self.storage)
        self.per_token = parse(settings.rate_limit_per_token)
        self.per_address = parse(settings.rate_limit_per_address)
        self.failed_login = parse(settings.failed_login_limit)

    async def hit(self, item: RateLimitItem, *key: str) -> int | None:
        """Count one request for `key`; the Retry-After in seconds when over the limit."""
        if await self._limiter.hit(item, *key):
            return None
        return await self.retry_after(item, *key)

    async def exceeded(self, item: RateLimitItem, *key: str) -> int | None:
        """Without counting: the Retry-After in seconds when `key` is already over the limit."""
        if await self._limiter.test(item, *key):
            return None
        return await self.retry_after(item, *key)

    async def retry_after(self, item: RateLimitItem, *key: str) -> int:
        stats = await self._limiter.get_window_stats(item, *key)
        return max(1, math.ceil(stats.reset_time - time.time()))
