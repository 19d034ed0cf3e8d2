"""429 with Retry-After: per token once logged in, per client address before."""

from __future__ import annotations

import hashlib

from starlette.types import ASGIApp, Receive, Scope, Send

from fleetprivacy.auth.ratelimit import RateLimits
from fleetprivacy.core.handlers import error_response


class RateLimitMiddleware:
    """Counts every request; counters live where `RateLimits` keeps them (memory or Redis)."""

    def __init__(self, app: ASGIApp, limits: RateLimits) -> None:
        self.app = app
        self.limits = limits

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        token = None
        for name, value in scope.get("headers", ()):
            if name == b"x-auth-token":
                token = value
                break
        if token:
            item, key = self.limits.per_token, ("token", hashlib.sha256(token).hexdigest()[:32])
        else:
            client = scope.get("client")
            item, key = self.limits.per_address, ("address", client[0] if client else "unknown")
        retry = await self.limits.hit(item, *key)
        if retry is not None:
            response = error_response(
                429, "too many requests; slow down and retry after the Retry-After delay", {"Retry-After": str(retry)}
            )
            await response(scope, receive, send)
            return
        await self.app(scope, receive, send)
