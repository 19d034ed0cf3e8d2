"""Cheap checks before any parsing: body size caps and NUL characters (PostgreSQL text cannot hold them)."""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from fleetprivacy.core.handlers import error_response


class RequestGuardMiddleware:
    """413 past the body cap, 400 for a NUL character in the URL or the body; nothing reaches the app."""

    def __init__(self, app: ASGIApp, max_body_bytes: int, large_body_paths: tuple[str, ...], max_large_body_bytes: int):
        self.app = app
        self.max_body_bytes = max_body_bytes
        self.large_body_paths = large_body_paths
        self.max_large_body_bytes = max_large_body_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if b"%00" in scope.get("query_string", b"") or "\x00" in scope.get("path", ""):
            await error_response(400, "NUL characters (%00) are not allowed in the URL")(scope, receive, send)
            return
        path = scope.get("path", "")
        limit = self.max_large_body_bytes if path.startswith(self.large_body_paths) else self.max_body_bytes
        for name, value in scope.get("headers", ()):
            if name == b"content-length" and value.isdigit() and int(value) > limit:
                await self._too_large(limit, scope, receive, send)
                return
        chunks: list[bytes] = []
        size = 0
        more = True
        while more:
            message = await receive()
            if message["type"] != "http.request":
                await self.app(scope, _replay([], message, receive), send)
                return
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > limit:
                await self._too_large(limit, scope, receive, send)
                return
            chunks.append(chunk)
            more = message.get("more_body", False)
        body = b"".join(chunks)
        # JSON can only carry NUL escaped; a raw NUL byte is not valid JSON anyway.
        if b"\\u0000" in body:
            await error_response(400, "NUL characters (\\u0000) are not allowed in the body")(scope, receive, send)
            return
        await self.app(scope, _replay([body], None, receive), send)

    @staticmethod
    async def _too_large(limit: int, scope: Scope, receive: Receive, send: Send) -> None:
        response = error_response(413, f"the body is larger than the {limit} bytes allowed on this route")
        await response(scope, receive, send)


def _replay(bodies: list[bytes], first: Message | None, receive: Receive) -> Receive:
    """A `receive` that hands over the buffered body once, then the real channel (disconnects)."""
    pending: list[Message] = [first] if first is not None else [
        {"type": "http.request", "body": bodies[0] if bodies else b"", "more_body": False}
    ]

    async def _receive() -> Message:
        if pending:
            return pending.pop(0)
        return await receive()

    return _receive
