"""Errors that carry their HTTP status; mapped once to the JSON error shape of the API."""

from __future__ import annotations


class AppError(Exception):
    """Base of every error the API answers with `{"status", "oceanStatus", "message"}`."""

    status = 500
    ocean_status = "INTERNAL_SERVER_ERROR"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class BadInput(AppError):
    """The request is malformed; the message names the parameter."""

    status = 400
    ocean_status = "BAD_REQUEST"


class Unauthorized(AppError):
    status = 401
    ocean_status = "UNAUTHORIZED"


class Forbidden(AppError):
    status = 403
    ocean_status = "FORBIDDEN"


class NotFound(AppError):
    """Missing, or owned by another customer: both answer the same."""

    status = 404
    ocean_status = "NOT_FOUND"


class Conflict(AppError):
    status = 409
    ocean_status = "CONFLICT"


class TooManyRequests(AppError):
    status = 429
    ocean_status = "TOO_MANY_REQUESTS"

    def __init__(self, message: str, retry_after_s: int) -> None:
        super().__init__(message)
        self.retry_after_s = retry_after_s
