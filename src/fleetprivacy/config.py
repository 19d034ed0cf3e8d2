"""Settings read from the environment (prefix `FLEETPRIVACY_`), documented in docs/configuration.md."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


def _default_database_url() -> str:
    return f"sqlite:///{Path('var') / 'fleetprivacy.db'}"


class Settings(BaseSettings):
    """Every knob of the server; each field maps to `FLEETPRIVACY_<NAME>`."""

    model_config = SettingsConfigDict(env_prefix="FLEETPRIVACY_", extra="ignore")

    database_url: str = Field(default_factory=_default_database_url)
    redis_url: str | None = None
    base_path: str = "/ocean/restapi"
    token_lifetime_s: int = 12 * 3600
    password_lifetime_days: int = 365
    # argon2id cost; the defaults are argon2-cffi's (RFC 9106 low-memory profile).
    password_hash_time_cost: int = 3
    password_hash_memory_kib: int = 65536
    # Per token once logged in, per client address before (limits' string notation).
    rate_limit_per_token: str = "600/minute"
    rate_limit_per_address: str = "120/minute"
    # Failed logins, per login and per client address.
    failed_login_limit: str = "5/minute"
    rate_limit_key_prefix: str = "fleetprivacy"
    # Request bodies: a cap for every route, a larger one for bulk ingestion (/ingest/...).
    max_body_bytes: int = 1_048_576
    max_ingest_body_bytes: int = 67_108_864
    # Cutting positions into trips and stops (docs/segmentation.md explains each threshold).
    trip_min_stop_s: float = Field(default=300, ge=0)
    trip_min_duration_s: float = Field(default=300, ge=0)
    trip_min_distance_m: float = Field(default=500, ge=0)
    trip_max_gap_s: float = Field(default=600, ge=0)
    trip_stop_radius_m: float = Field(default=50, ge=0)

    @field_validator("base_path")
    @classmethod
    def _normalise_base_path(cls, value: str) -> str:
        value = "/" + value.strip("/") if value.strip("/") else ""
        return value

    @field_validator("redis_url")
    @classmethod
    def _empty_redis_is_none(cls, value: str | None) -> str | None:
        return value or None


@lru_cache
def get_settings() -> Settings:
    """The process-wide settings (read once)."""
    return Settings()
