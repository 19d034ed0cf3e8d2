"""Append-only audit log: who changed what, when, with the before and after states."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, String
from sqlalchemy.orm import Mapped, Session, mapped_column

from fleetprivacy.core.models import Base, CustomerOwned, IdType, UTCDateTime, utcnow


class AuditEntry(CustomerOwned, Base):
    """One change; rows are only ever inserted."""

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(IdType, primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    user_id: Mapped[int | None] = mapped_column(IdType, ForeignKey("users.id"))
    user_login: Mapped[str | None] = mapped_column(String(150))
    action: Mapped[str] = mapped_column(String(60))
    object_type: Mapped[str] = mapped_column(String(60))
    object_id: Mapped[int | None] = mapped_column(IdType)
    before: Mapped[Any] = mapped_column(JSON, nullable=True)
    after: Mapped[Any] = mapped_column(JSON, nullable=True)


def record(
    session: Session,
    *,
    customer_id: int,
    user_id: int | None,
    user_login: str | None,
    action: str,
    object_type: str,
    object_id: int | None,
    before: Any = None,
    after: Any = None,
) -> AuditEntry:
    """Append one entry (flushed with the caller's transaction, never committed here)."""
    entry = AuditEntry(
        customer_id=customer_id,
        user_id=user_id,
        user_login=user_login,
        action=action,
        object_type=object_type,
        object_id=object_id,
        before=before,
        after=after,
    )
    session.add(entry)
    return entry
