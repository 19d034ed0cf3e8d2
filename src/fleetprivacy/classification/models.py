"""Stored classification: every step's private and professional measures, cut by local day.

One row per (step, local calendar day of the customer, variant). `variant` 0 is WITH_HORAIRE
(schedules + device flag + retroactive decisions), 1 is WITHOUT_HORAIRE (device flag + retroactive
decisions only). A step inside one local day has one row per variant; a step crossing local
midnight has one row per day it touches, cut with the engine's proportional rules, so that DETAIL
reports are plain sums and SYNTHESIS reports are sums over days. Reports read only this table
(plus reference data); the engine writes it when a step is stored and when a retroactive decision
changes, and `fleetprivacy reclassify` rewrites it.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import BigInteger, Boolean, Date, Float, ForeignKey, Index, SmallInteger, String
from sqlalchemy.orm import Mapped, mapped_column

from fleetprivacy.core.models import Base, CustomerOwned, IdType, UTCDateTime, utcnow

WITH_HORAIRE = 0
WITHOUT_HORAIRE = 1
MEASURES = ("duration_s", "distance_m", "electric_distance_m", "fuel_l", "energy_kwh", "battery_pct_points")


class SplitMeasures:
    """The private and professional part of every measure (`MEASURES`), as columns."""

    private_duration_s: Mapped[float] = mapped_column(Float)
    private_distance_m: Mapped[float] = mapped_column(Float)
    private_electric_distance_m: Mapped[float] = mapped_column(Float)
    private_fuel_l: Mapped[float] = mapped_column(Float)
    private_energy_kwh: Mapped[float] = mapped_column(Float)
    private_battery_pct_points: Mapped[float] = mapped_column(Float)

    pro_duration_s: Mapped[float] = mapped_column(Float)
    pro_distance_m: Mapped[float] = mapped_column(Float)
    pro_electric_distance_m: Mapped[float] = mapped_column(Float)
    pro_fuel_l: Mapped[float] = mapped_column(Float)
    pro_energy_kwh: Mapped[float] = mapped_column(Float)
    pro_battery_pct_points: Mapped[float] = mapped_column(Float)


class EtapePart(CustomerOwned, SplitMeasures, Base):
    """The classification of one step on one local day, in one variant."""

    __tablename__ = "etape_parts"
    __table_args__ = (
        Index("ix_etape_parts_customer_day", "customer_id", "variant", "local_date"),
        Index("ix_etape_parts_etape", "etape_id"),
    )

    id: Mapped[int] = mapped_column(IdType, primary_key=True)
    etape_id: Mapped[int] = mapped_column(IdType, ForeignKey("etapes.id", ondelete="CASCADE"))
    vehicle_id: Mapped[int] = mapped_column(IdType, ForeignKey("vehicles.id"))
    # The step's driver; None = unidentified driver.
    individu_id: Mapped[int | None] = mapped_column(IdType, ForeignKey("individus.id"))
    local_date: Mapped[date] = mapped_column(Date)
    # The part of the step on that day, [start_ms, end_ms).
    start_ms: Mapped[int] = mapped_column(BigInteger)
    end_ms: Mapped[int] = mapped_column(BigInteger)
    variant: Mapped[int] = mapped_column(SmallInteger)
    # HORAIRE, BOUTON, POSTERIORI or AUCUN: what made (or would have made) this part private.
    source: Mapped[str] = mapped_column(String(10))


# RetroRequest.statut values.
EN_ATTENTE = "EN_ATTENTE"
ACCEPTEE = "ACCEPTEE"
REFUSEE = "REFUSEE"
RETIREE = "RETIREE"


class RetroRequest(CustomerOwned, Base):
    """A retroactive request that a step be private or professional (SPEC section 8), and its decision.

    The latest ACCEPTEE request of a step is the decision the engine gets as `retro_private`; a later
    request on the same step replaces the earlier ones (they become RETIREE), DELETE withdraws it.
    """

    __tablename__ = "retro_requests"
    __table_args__ = (Index("ix_retro_requests_etape", "etape_id"),)

    id: Mapped[int] = mapped_column(IdType, primary_key=True)
    etape_id: Mapped[int] = mapped_column(IdType, ForeignKey("etapes.id", ondelete="CASCADE"))
    privacy: Mapped[bool] = mapped_column(Boolean)
    statut: Mapped[str] = mapped_column(String(10))
    requested_by: Mapped[int | None] = mapped_column(IdType, ForeignKey("users.id"))
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    decided_by: Mapped[int | None] = mapped_column(IdType, ForeignKey("users.id"))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
