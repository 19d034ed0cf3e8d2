"""Users, their customers, and login tokens (stored only as hashes)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from fleetprivacy.core.models import Base, IdType, UTCDateTime, utcnow

ROLES = ("ADMIN", "MANAGER", "DRIVER")


class User(Base):
    """A login; belongs to one or more customers through `UserCustomer`."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(IdType, primary_key=True)
    login: Mapped[str] = mapped_column(String(150), unique=True)
    password_hash: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(10))
    # A DRIVER is one individual; the id is resolved within the user's customer.
    individu_id: Mapped[int | None] = mapped_column(IdType, ForeignKey("individus.id"))
    password_changed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    suppression_logique: Mapped[bool] = mapped_column(Boolean, default=False)


class UserCustomer(Base):
    """Which customers a user may act for."""

    __tablename__ = "user_customers"

    user_id: Mapped[int] = mapped_column(IdType, ForeignKey("users.id"), primary_key=True)
    customer_id: Mapped[int] = mapped_column(IdType, ForeignKey("customers.id"), primary_key=True)


class ApiToken(Base):
    """A login session: only the SHA-256 of the token is stored."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(IdType, primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(IdType, ForeignKey("users.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
