"""Tables of the trips domain: the raw positions of each vehicle and the steps (trips and stops) cut from them.

Instants are epoch milliseconds UTC in BigInteger `*_ms` columns: the segmenter, the classifier and
the indexes all work on integers, and a position table is written far too often for datetime
conversions to be worth it.
"""

from __future__ import annotations

from sqlalchemy import BigInteger, Boolean, Float, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from fleetprivacy.core.models import Base, CustomerOwned, IdType

TRIP = "TRIP"
STOP = "STOP"
ORIGIN_POSITIONS = "POSITIONS"  # cut by the server from POST /ingest/v1/positions
ORIGIN_ETAPES = "ETAPES"  # sent already cut through POST /ingest/v1/etapes
MODE_AUTO = "AUTO"  # driver known from a badge
MODE_MANUAL = "MANUAL"  # driver known from the vehicle's assignment in force


class Position(CustomerOwned, Base):
    """One GPS report of a vehicle; at most one per vehicle and instant (what makes ingestion idempotent)."""

    __tablename__ = "positions"
    # The unique constraint is also the index every read and every re-segmentation uses.
    __table_args__ = (UniqueConstraint("vehicle_id", "t_ms"),)
    # Every query of positions names a vehicle of the customer: an index on customer_id alone would
    # cost a quarter of the bulk insert speed and serve nothing.
    customer_id_indexed = False

    id: Mapped[int] = mapped_column(IdType, primary_key=True)
    vehicle_id: Mapped[int] = mapped_column(IdType, ForeignKey("vehicles.id"))
    t_ms: Mapped[int] = mapped_column(BigInteger)
    lat: Mapped[float] = mapped_column(Float)
    lon: Mapped[float] = mapped_column(Float)
    speed_kmh: Mapped[float | None] = mapped_column(Float)
    ignition: Mapped[bool | None] = mapped_column(Boolean)
    odometer_m: Mapped[float | None] = mapped_column(Float)
    fuel_used_l: Mapped[float | None] = mapped_column(Float)
    energy_used_kwh: Mapped[float | None] = mapped_column(Float)
    soc_pct: Mapped[float | None] = mapped_column(Float)
    privacy: Mapped[bool | None] = mapped_column(Boolean)
    badge: Mapped[str | None] = mapped_column(String(64))


class Etape(CustomerOwned, Base):
    """A step of one vehicle: a TRIP (ignition on to off, or moving) or a STOP; its id never changes."""

    __tablename__ = "etapes"
    __table_args__ = (Index("ix_etapes_vehicle_start", "vehicle_id", "start_ms"),)

    id: Mapped[int] = mapped_column(IdType, primary_key=True)
    vehicle_id: Mapped[int] = mapped_column(IdType, ForeignKey("vehicles.id"))
    kind: Mapped[str] = mapped_column(String(4))
    start_ms: Mapped[int] = mapped_column(BigInteger)
    end_ms: Mapped[int] = mapped_column(BigInteger)
    start_lat: Mapped[float | None] = mapped_column(Float)
    start_lon: Mapped[float | None] = mapped_column(Float)
    end_lat: Mapped[float | None] = mapped_column(Float)
    end_lon: Mapped[float | None] = mapped_column(Float)
    distance_m: Mapped[float] = mapped_column(Float, default=0.0)
    electric_distance_m: Mapped[float] = mapped_column(Float, default=0.0)
    fuel_l: Mapped[float | None] = mapped_column(Float)
    energy_kwh: Mapped[float | None] = mapped_column(Float)
    battery_pct_points: Mapped[float | None] = mapped_column(Float)
    fuel_estimated: Mapped[bool] = mapped_column(Boolean, default=False)
    energy_estimated: Mapped[bool] = mapped_column(Boolean, default=False)
    individu_id: Mapped[int | None] = mapped_column(IdType, ForeignKey("individus.id"), index=True)
    assignment_mode: Mapped[str | None] = mapped_column(String(6))
    badge: Mapped[str | None] = mapped_column(String(64))
    device_private: Mapped[bool] = mapped_column(Boolean, default=False)
    open: Mapped[bool] = mapped_column(Boolean, default=False)
    origin: Mapped[str] = mapped_column(String(9), default=ORIGIN_POSITIONS)
    # Some of its positions are gone (private ones not stored, or purged): it can no longer be re-cut.
    frozen: Mapped[bool] = mapped_column(Boolean, default=False)
