"""Password hashing with argon2id; parameters from settings (defaults: argon2-cffi's, per RFC 9106)."""

from __future__ import annotations

from functools import lru_cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from fleetprivacy.config import get_settings

MIN_PASSWORD_LENGTH = 10
MAX_PASSWORD_LENGTH = 1000  # the login routes accept no longer password
MAX_LOGIN_LENGTH = 150


@lru_cache
def _hasher() -> tuple[PasswordHasher, str]:
    settings = get_settings()
    hasher = PasswordHasher(time_cost=settings.password_hash_time_cost, memory_cost=settings.password_hash_memory_kib)
    # Verified against when the login does not exist, so both failures cost the same time.
    return hasher, hasher.hash("not a real password")


def hash_password(password: str) -> str:
    """An argon2id hash of `password`."""
    return _hasher()[0].hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    """True when `password` matches; the same work whether or not the hash exists."""
    hasher, dummy = _hasher()
    try:
        return hasher.verify(password_hash or dummy, password) and password_hash is not None
    except (VerificationError, InvalidHashError):
        return False
