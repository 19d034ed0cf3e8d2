"""Tables of private-life schedules: slot definitions, recurring versions, exceptional periods.

Instants are epoch milliseconds UTC (`*_ms`, BigInteger), as on the wire and in the pure engine.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Boolean, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from fleetprivacy.core.models import Base, CustomerOwned, IdType, UTCDateTime, utcnow


class ScheduleSlot(CustomerOwned, Base):
    """A slot definition of one individual (`horaire` on the wire): reused by every version that
    contains it, so a slot that survives a change keeps its `horaire.id`."""

    __tablename__ = "schedule_slots"
    __table_args__ = (UniqueConstraint("individu_id", "day", "kind", "start_min", "end_min"),)

    id: Mapped[int] = mapped_column(IdType, primary_key=True)
    individu_id: Mapped[int] = mapped_column(IdType, ForeignKey("individus.id"))
    day: Mapped[str] = mapped_column(String(10))  # idJourSemaine
    kind: Mapped[str] = mapped_column(String(64))  # typeHoraires
    # Minutes after local midnight; end_min in [1, 1440], or < start_min when it runs past midnight.
    start_min: Mapped[int] = mapped_column(Integer)
    end_min: Mapped[int] = mapped_column(Integer)


class ScheduleVersion(CustomerOwned, Base):
    """A recurring schedule of one individual in force over `[start_ms, end_ms)` (end null: open-ended)."""

    __tablename__ = "schedule_versions"
    __table_args__ = (Index("ix_schedule_versions_individu_start", "individu_id", "start_ms"),)

    id: Mapped[int] = mapped_column(IdType, primary_key=True)
    individu_id: Mapped[int] = mapped_column(IdType, ForeignKey("individus.id"))
    start_ms: Mapped[int] = mapped_column(BigInteger)
    end_ms: Mapped[int | None] = mapped_column(BigInteger)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by: Mapped[int | None] = mapped_column(IdType, ForeignKey("users.id"))
    imported: Mapped[bool] = mapped_column(Boolean, default=False)


class ScheduleVersionSlot(CustomerOwned, Base):
    """A slot of a version; its id is the GET row `id` that DELETE's `horaireIndividuIds` names."""

    __tablename__ = "schedule_version_slots"
    __table_args__ = (UniqueConstraint("version_id", "slot_id"),)

    id: Mapped[int] = mapped_column(IdType, primary_key=True)
    version_id: Mapped[int] = mapped_column(IdType, ForeignKey("schedule_versions.id", ondelete="CASCADE"))
    slot_id: Mapped[int] = mapped_column(IdType, ForeignKey("schedule_slots.id"), index=True)


class ScheduleExtension(CustomerOwned, Base):
    """An exceptional period `[start_ms, end_ms)` of one individual (`extension` on the wire).

    `whole_period`: no slots were given, the whole period is private; its stored slots are then only
    the display (one VIE_PRIVEE_EXCEPTIONNELLE slot per local day it touches)."""

    __tablename__ = "schedule_extensions"
    __table_args__ = (Index("ix_schedule_extensions_individu_start", "individu_id", "start_ms"),)

    id: Mapped[int] = mapped_column(IdType, primary_key=True)
    individu_id: Mapped[int] = mapped_column(IdType, ForeignKey("individus.id"))
    description: Mapped[str] = mapped_column(String(255), default="")
    start_ms: Mapped[int] = mapped_column(BigInteger)
    end_ms: Mapped[int] = mapped_column(BigInteger)
    whole_period: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by: Mapped[int | None] = mapped_column(IdType, ForeignKey("users.id"))
    imported: Mapped[bool] = mapped_column(Boolean, default=False)


class ScheduleExtensionSlot(CustomerOwned, Base):
    """A slot of an exceptional period (a `horairesIndividu` row of the exceptional GET)."""

    __tablename__ = "schedule_extension_slots"
    __table_args__ = (UniqueConstraint("period_id", "slot_id"),)

    id: Mapped[int] = mapped_column(IdType, primary_key=True)
    period_id: Mapped[int] = mapped_column(IdType, ForeignKey("schedule_extensions.id", ondelete="CASCADE"))
    slot_id: Mapped[int] = mapped_column(IdType, ForeignKey("schedule_slots.id"), index=True)
