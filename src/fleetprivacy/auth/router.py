"""Authentication routes, as the reference service has them."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Header, Query, Request

from fleetprivacy.auth import service
from fleetprivacy.auth.schemas import AuthResult, Credentials
from fleetprivacy.core.deps import SessionDep

router = APIRouter(prefix="/auth", tags=["authentication"])


async def _login(request: Request, login: str, password: str) -> AuthResult:
    state = request.app.state
    address = request.client.host if request.client else "unknown"
    result = await service.authenticate(state.db, state.limits, state.settings, login, password, address)
    return AuthResult(token=result.token, passwordExpirationRemainingDays=result.password_expiration_remaining_days)


@router.post("/authenticate2", response_model=AuthResult)
async def authenticate2(request: Request, body: Credentials) -> AuthResult:
    """Log in with a JSON body; the token is valid 12 hours. Wrong login or password: 401 (the same for both)."""
    return await _login(request, body.login, body.password)


@router.post("/authenticate", response_model=AuthResult, deprecated=True)
async def authenticate(
    request: Request,
    login: Annotated[str, Query(min_length=1)],
    password: Annotated[str, Query(min_length=1)],
) -> AuthResult:
    """Deprecated: log in with query parameters (they end up in logs); use authenticate2."""
    return await _login(request, login, password)


@router.post("/changePassword", status_code=200)
def change_password(
    session: SessionDep,
    actual_password: Annotated[str, Query(alias="actualPassword")],
    new_password: Annotated[str, Query(alias="newPassword")],
    new_password_confirmed: Annotated[str, Query(alias="newPasswordConfirmed")],
    x_auth_token: Annotated[str | None, Header(alias="X-AUTH-TOKEN")] = None,
) -> bool:
    """Change the caller's password (at least 10 characters); the caller's other tokens are revoked."""
    user, token = service.user_for_token(session, x_auth_token)
    service.change_password(session, user, token, actual_password, new_password, new_password_confirmed)
    return True
