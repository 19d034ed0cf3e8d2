"""Logins, tokens and password changes."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import delete, select
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from fleetprivacy.auth.models import ROLES, ApiToken, User, UserCustomer
from fleetprivacy.auth.passwords import (
    MAX_LOGIN_LENGTH,
    MAX_PASSWORD_LENGTH,
    MIN_PASSWORD_LENGTH,
    hash_password,
    verify_password,
)
from fleetprivacy.auth.ratelimit import RateLimits
from fleetprivacy.config import Settings
from fleetprivacy.core.errors import BadInput, Conflict, NotFound, TooManyRequests, Unauthorized
from fleetprivacy.core.models import utcnow
from fleetprivacy.db import Database
from fleetprivacy.reference.models import Customer, Individu

BAD_CREDENTIALS = "login or password incorrect"


def token_hash(token: str) -> str:
    """The SHA-256 under which a token is stored (the token itself never is)."""
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass(frozen=True)
class LoginResult:
    token: str
    password_expiration_remaining_days: int


def _failure_keys(login: str, address: str) -> tuple[tuple[str, ...], ...]:
    return (("login-failures", "login", login.lower()), ("login-failures", "address", address))


async def _check_not_throttled(limits: RateLimits, keys: tuple[tuple[str, ...], ...]) -> None:
    for key in keys:
        retry = await limits.exceeded(limits.failed_login, *key)
        if retry is not None:
            raise TooManyRequests("too many failed logins; try again later", retry)


async def authenticate(
    db: Database, limits: RateLimits, settings: Settings, login: str, password: str, address: str
) -> LoginResult:
    """Check credentials (throttled per login and per address) and issue a 12 h token."""
    keys = _failure_keys(login, address)
    await _check_not_throttled(limits, keys)
    result = await run_in_threadpool(_issue_token, db, settings, login, password)
    if result is None:
        for key in keys:
            await limits.hit(limits.failed_login, *key)
        raise Unauthorized(BAD_CREDENTIALS)
    return result


async def change_password_throttled(
    db: Database, limits: RateLimits, token: str | None, actual: str, new: str, confirmed: str, address: str
) -> None:
    """`change_password` for a token; a wrong actualPassword counts as a failed login of that user."""

    def _login() -> str:
        with db.session() as session:
            return user_for_token(session, token)[0].login

    keys = _failure_keys(await run_in_threadpool(_login), address)
    await _check_not_throttled(limits, keys)

    def _change() -> bool:
        with db.session() as session:
            user, row = user_for_token(session, token)
            if not verify_password(user.password_hash, actual):
                return False
            change_password(session, user, row, actual, new, confirmed)
            return True

    if not await run_in_threadpool(_change):
        for key in keys:
            await limits.hit(limits.failed_login, *key)
        raise BadInput("actualPassword is incorrect")


def _issue_token(db: Database, settings: Settings, login: str, password: str) -> LoginResult | None:
    with db.session() as session:
        user = session.scalar(select(User).where(User.login == login))
        valid = verify_password(user.password_hash if user else None, password)
        if user is None or not valid or user.suppression_logique:
            return None
        token = secrets.token_hex(64)  # 512 bits, the reference's token length
        now = utcnow()
        session.add(
            ApiToken(
                token_hash=token_hash(token),
                user_id=user.id,
                created_at=now,
                expires_at=now + timedelta(seconds=settings.token_lifetime_s),
            )
        )
        # Housekeeping: expired tokens of this user are useless.
        session.execute(delete(ApiToken).where(ApiToken.user_id == user.id, ApiToken.expires_at < now))
        age = now - user.password_changed_at
        remaining = max(0, settings.password_lifetime_days - age.days)
        return LoginResult(token, remaining)


def user_for_token(session: Session, token: str | None) -> tuple[User, ApiToken]:
    """The user behind a valid, unexpired token, or 401."""
    if not token:
        raise Unauthorized("the X-AUTH-TOKEN header is missing; get a token from POST /auth/authenticate2")
    row = session.scalar(select(ApiToken).where(ApiToken.token_hash == token_hash(token)))
    if row is None or row.expires_at <= utcnow():
        raise Unauthorized("the X-AUTH-TOKEN token is invalid or expired; authenticate again")
    user = session.get(User, row.user_id)
    if user is None or user.suppression_logique:
        raise Unauthorized("the X-AUTH-TOKEN token is invalid or expired; authenticate again")
    return user, row


def change_password(
    session: Session, user: User, current_token: ApiToken, actual: str, new: str, confirmed: str
) -> None:
    """Replace the password (``actual`` already verified by the caller); every other token is revoked."""
    if new != confirmed:
        raise BadInput("newPasswordConfirmed differs from newPassword")
    _check_password_strength(new, "newPassword")
    if verify_password(user.password_hash, new):
        raise BadInput("newPassword must differ from actualPassword")
    user.password_hash = hash_password(new)
    user.password_changed_at = utcnow()
    session.execute(delete(ApiToken).where(ApiToken.user_id == user.id, ApiToken.id != current_token.id))


def _check_password_strength(password: str, param: str) -> None:
    if not MIN_PASSWORD_LENGTH <= len(password) <= MAX_PASSWORD_LENGTH:
        raise BadInput(f"{param} must have {MIN_PASSWORD_LENGTH} to {MAX_PASSWORD_LENGTH} characters")


def create_user(
    session: Session,
    *,
    login: str,
    password: str,
    role: str,
    customer_ids: list[int],
    individu_id: int | None = None,
) -> User:
    """Create a user for one or more customers (the CLI's `admin create-user`)."""
    if role not in ROLES:
        raise BadInput(f"role must be one of {', '.join(ROLES)}")
    if not login.strip() or len(login) > MAX_LOGIN_LENGTH:
        raise BadInput(f"login must have 1 to {MAX_LOGIN_LENGTH} characters")
    _check_password_strength(password, "password")
    if not customer_ids:
        raise BadInput("at least one customer is required")
    for customer_id in customer_ids:
        if session.get(Customer, customer_id) is None:
            raise NotFound(f"customer {customer_id} not found")
    if role == "DRIVER":
        if individu_id is None or len(customer_ids) != 1:
            raise BadInput("a DRIVER needs --individu and exactly one customer")
    if individu_id is not None:
        individu = session.get(Individu, individu_id)
        if individu is None or individu.customer_id not in customer_ids:
            raise NotFound(f"individu {individu_id} not found in the user's customers")
    if session.scalar(select(User.id).where(User.login == login)) is not None:
        raise Conflict(f"login {login!r} already exists")
    user = User(login=login, password_hash=hash_password(password), role=role, individu_id=individu_id)
    session.add(user)
    session.flush()
    for customer_id in customer_ids:
        session.add(UserCustomer(user_id=user.id, customer_id=customer_id))
    session.flush()
    return user


def customer_ids_of(session: Session, user_id: int) -> list[int]:
    """The customers a user may act for, in id order."""
    return list(
        session.scalars(
            select(UserCustomer.customer_id).where(UserCustomer.user_id == user_id).order_by(UserCustomer.customer_id)
        )
    )
