"""Authentication routes, as the reference service has them."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request

from fleetprivacy.auth import service
from fleetprivacy.auth.schemas import AuthResult, Credentials
from fleetprivacy.auth.passwords import MAX_LOGIN_LENGTH, MAX_PASSWORD_LENGTH
from fleetprivacy.core.deps import TokenDep

router = APIRouter(prefix="/auth", tags=["authentication"])


async def _login(request: Request, login: str, password: str) -> AuthResult:
    state = request.app.state
    address = request.client.host if request.client else "unknown"
    result = await service.authenticate(state.db, state.limits, state.settings, login, password, address)
    return AuthResult(token=result.token, passwordExpirationRemainingDays=result.password_expiration_remaining_days)


@router.post("/authenticate2", response_model=AuthResult, summary="Authenticate with a JSON body and get a token")
async def authenticate2(request: Request, body: Credentials) -> AuthResult:
    """Log in with a JSON body; the token is valid 12 hours. Wrong login or password: 401 (the same for both)."""
    return await _login(request, body.login, body.password)


@router.post(
    "/authenticate",
    response_model=AuthResult,
    deprecated=True,
    summary="Authenticate with query parameters (deprecated: use authenticate2)",
)
async def authenticate(
    request: Request,
    login: Annotated[str, Query(min_length=1, max_length=MAX_LOGIN_LENGTH)],
    password: Annotated[str, Query(min_length=1, max_length=MAX_PASSWORD_LENGTH)],
) -> AuthResult:
    """Deprecated: log in with query parameters (they end up in logs); use authenticate2."""
    return await _login(request, login, password)


@router.post("/changePassword", status_code=200, summary="Change the caller's password")
async def change_password(
    request: Request,
    token: TokenDep,
    actual_password: Annotated[str, Query(alias="actualPassword", max_length=MAX_PASSWORD_LENGTH)],
    new_password: Annotated[str, Query(alias="newPassword", max_length=MAX_PASSWORD_LENGTH)],
    new_password_confirmed: Annotated[str, Query(alias="newPasswordConfirmed", max_length=MAX_PASSWORD_LENGTH)],
) -> bool:
    """Change the caller's password (10 to 1000 characters); the caller's other tokens are revoked.

    A wrong actualPassword answers 400 and counts as a failed login of the user (throttled)."""
    state = request.app.state
    address = request.client.host if request.client else "unknown"
    await service.change_password_throttled(
        state.db, state.limits, token, actual_password, new_password, new_password_confirmed, address
    )
    return True
