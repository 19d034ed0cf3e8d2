"""429 with Retry-After: per token once logged in, per client address before.

Answers 401 to a request carrying a token (a wrong or expired one) count against the client
address's failed-login budget; once it is spent, such requests get 429 instead of 401, so that
guessing tokens is throttled like guessing passwords. A valid token is never refused for it: other
users behind the same address (a NAT, a proxy) keep working."""

from __future__ import annotations

import hashlib

from starlette.types import ASGIApp, Message, Receive, Scope, Send

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
        client = scope.get("client")
        address = client[0] if client else "unknown"
        failures = ("login-failures", "address", address)
        if token:
            item, key = self.limits.per_token, ("token", hashlib.sha256(token).hexdigest()[:32])
        else:
            item, key = self.limits.per_address, ("address", address)
        retry = await self.limits.hit(item, *key)
        if retry is not None:
            await _too_many(retry)(scope, receive, send)
            return
        # Checked before the call, applied only if the token turns out to be refused.
        spent = await self.limits.exceeded(self.limits.failed_login, *failures) if token else None

        status = 0
        replaced = False

        async def _send(message: Message) -> None:
            nonlocal status, replaced
            if message["type"] == "http.response.start":
                status = message["status"]
                if status == 401 and spent is not None:
                    replaced = True
                    await _too_many(spent)(scope, receive, send)
            if not replaced:
                await send(message)

        await self.app(scope, receive, _send)
        # Failed logins count themselves (per login too); a refused token is counted here.
        if status == 401 and token:
            await self.limits.hit(self.limits.failed_login, *failures)


def _too_many(retry: int):  # type: ignore[no-untyped-def]
    return error_response(
        429, "too many requests; slow down and retry after the Retry-After delay", {"Retry-After": str(retry)}
    )
