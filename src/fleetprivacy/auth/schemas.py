"""Wire models of the authentication routes."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from fleetprivacy.auth.passwords import MAX_LOGIN_LENGTH, MAX_PASSWORD_LENGTH


class Credentials(BaseModel):
    model_config = ConfigDict(extra="forbid")

    login: str = Field(min_length=1, max_length=MAX_LOGIN_LENGTH)
    password: str = Field(min_length=1, max_length=MAX_PASSWORD_LENGTH)


class AuthResult(BaseModel):
    additionalAccountData: dict[str, object] = Field(default_factory=dict)
    passwordExpirationRemainingDays: int = Field(description="Days before the password should be changed.")
    token: str = Field(description="Send it in the X-AUTH-TOKEN header; valid 12 hours.")
