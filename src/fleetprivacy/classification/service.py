"""Stored classification (SPEC section 7): the engine run on stored steps, written to `etape_parts`.

- `classify_and_store` (re)writes the parts of some steps: one row per TRIP x local day of the
  customer's time zone x variant (WITH_HORAIRE, WITHOUT_HORAIRE), cut at local midnights with the
  engine's `measures_within`, so that the rows of a step add up to its totals. Idempotent: a step's
  rows are deleted and rewritten. Stops get no rows (they never count as usage).
- `private_parts_for` answers the masking seam (`trips.masking.private_parts_for_steps`) with the
  same rules, computed from time alone (no positions needed): ingestion asks it before the batch's
  positions are stored, to drop private positions when the customer does not keep them.
- `reclassify` rewrites a customer's steps (a fixed bug, a changed setting).

Samples for the distance split are the step's stored positions with their cumulative distance
(odometer when every position has one and it never decreases, else the great circle between
consecutive positions); where private positions were not stored the engine falls back to time.
The session is flushed, never committed.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import numpy as np
from sqlalchemy import delete, insert, select
from sqlalchemy.orm import Session

from fleetprivacy.classification.engine import EngineConfig, Measures, StepInput, classify_step, measures_within
from fleetprivacy.classification.models import ACCEPTEE, WITH_HORAIRE, WITHOUT_HORAIRE, EtapePart, RetroRequest
from fleetprivacy.core.dates import local_to_utc_ms
from fleetprivacy.reference.models import Customer, Vehicle
from fleetprivacy.schedules.service import private_intervals_for
from fleetprivacy.trips.models import TRIP, Etape, Position
from fleetprivacy.trips.segmentation import haversine_m_array

Interval = tuple[int, int]
# Steps are written in chunks of this many (bounded memory and IN lists).
_CHUNK = 2_000


def engine_config(customer: Customer) -> EngineConfig:
    """The engine settings of a customer."""
    return EngineConfig(classify_by_start=bool(customer.classify_by_start))


def decisions_for(session: Session, customer_id: int, etape_ids: Iterable[int]) -> dict[int, bool]:
    """The accepted retroactive decision of each step that has one (the latest accepted request)."""
    ids = list(etape_ids)
    out: dict[int, bool] = {}
    for k in range(0, len(ids), _CHUNK):
        rows = session.execute(
            select(RetroRequest.etape_id, RetroRequest.privacy)
            .where(RetroRequest.customer_id == customer_id, RetroRequest.statut == ACCEPTEE,
                   RetroRequest.etape_id.in_(ids[k:k + _CHUNK]))
            .order_by(RetroRequest.id)
        ).all()
        for etape_id, privacy in rows:
            out[etape_id] = privacy  # ordered by id: the latest wins
    return out


def local_days(start_ms: int, end_ms: int, tz: ZoneInfo) -> list[tuple[date, int, int]]:
    """The local calendar days a step touches, each with its [start_ms, end_ms) window in UTC (DST-correct)."""
    first = datetime.fromtimestamp(start_ms / 1000, tz).date()
    last_instant = end_ms - 1 if end_ms > start_ms else start_ms
    last = datetime.fromtimestamp(last_instant / 1000, tz).date()
    out = []
    d = first
    while d <= last:
        lo = local_to_utc_ms(datetime(d.year, d.month, d.day), tz)
        n = d + timedelta(days=1)
        hi = local_to_utc_ms(datetime(n.year, n.month, n.day), tz)
        out.append((d, lo, hi))
        d = n
    return out


def cumulative_distance(lat: np.ndarray, lon: np.ndarray, odometer: Sequence[float | None]) -> np.ndarray:
    """Cumulative distance along positions: the odometer when complete and non-decreasing, else haversine."""
    if len(odometer) and all(o is not None for o in odometer):
        odo = np.asarray(odometer, dtype=np.float64)
        if np.all(np.diff(odo) >= 0):
            return odo - odo[0]
    if len(lat) < 2:
        return np.zeros(len(lat))
    steps = haversine_m_array(lat[:-1], lon[:-1], lat[1:], lon[1:])
    return np.concatenate(([0.0], np.cumsum(steps)))


class _VehicleSamples:
    """A vehicle's stored positions over a span, sliced per step."""

    def __init__(self, session: Session, customer_id: int, vehicle_id: int, lo: int, hi: int) -> None:
        rows = session.execute(
            select(Position.t_ms, Position.lat, Position.lon, Position.odometer_m)
            .where(Position.customer_id == customer_id, Position.vehicle_id == vehicle_id,
                   Position.t_ms >= lo, Position.t_ms <= hi)
            .order_by(Position.t_ms)
        ).all()
        self.t = np.fromiter((r[0] for r in rows), dtype=np.int64, count=len(rows))
        self.lat = np.fromiter((r[1] for r in rows), dtype=np.float64, count=len(rows))
        self.lon = np.fromiter((r[2] for r in rows), dtype=np.float64, count=len(rows))
        self.odo = [r[3] for r in rows]

    def of(self, start_ms: int, end_ms: int) -> tuple[tuple[int, ...], tuple[float, ...]]:
        a = int(np.searchsorted(self.t, start_ms, side="left"))
        b = int(np.searchsorted(self.t, end_ms, side="right"))
        if b - a < 2:
            return (), ()
        cum = cumulative_distance(self.lat[a:b], self.lon[a:b], self.odo[a:b])
        return tuple(self.t[a:b].tolist()), tuple(cum.tolist())


def _totals(e: Etape) -> Measures:
    return Measures(
        duration_s=(e.end_ms - e.start_ms) / 1000.0,
        distance_m=e.distance_m or 0.0,
        electric_distance_m=e.electric_distance_m or 0.0,
        fuel_l=e.fuel_l or 0.0,
        energy_kwh=e.energy_kwh or 0.0,
        battery_pct_points=e.battery_pct_points or 0.0,
    )


def _intervals_by_driver(
    session: Session, customer_id: int, steps: Sequence[Any]
) -> dict[int, list[Interval]]:
    """Each known driver's private intervals over the span of their steps."""
    spans: dict[int, list[int]] = {}
    for s in steps:
        if s.individu_id is None:
            continue
        span = spans.setdefault(s.individu_id, [s.start_ms, s.end_ms])
        span[0], span[1] = min(span[0], s.start_ms), max(span[1], s.end_ms)
    # +1 so that a zero-length step's start is inside the asked span.
    return {i: private_intervals_for(session, customer_id, i, lo, hi + 1) for i, (lo, hi) in spans.items()}


def classify_and_store(session: Session, customer_id: int, etape_ids: Iterable[int]) -> int:
    """(Re)write the stored classification of these steps of the customer; returns the rows written."""
    ids = sorted(set(etape_ids))
    written = 0
    if not ids:
        return 0
    customer = session.get(Customer, customer_id)
    assert customer is not None
    tz = ZoneInfo(customer.timezone)
    config = engine_config(customer)
    for k in range(0, len(ids), _CHUNK):
        chunk = ids[k:k + _CHUNK]
        session.execute(delete(EtapePart).where(EtapePart.customer_id == customer_id,
                                                EtapePart.etape_id.in_(chunk)))
        steps = session.scalars(
            select(Etape).where(Etape.customer_id == customer_id, Etape.id.in_(chunk), Etape.kind == TRIP)
            .order_by(Etape.vehicle_id, Etape.start_ms)
        ).all()
        if not steps:
            continue
        rows = _rows(session, customer_id, tz, config, steps)
        if rows:
            session.execute(insert(EtapePart), rows)
        written += len(rows)
    session.flush()
    return written


def _rows(session: Session, customer_id: int, tz: ZoneInfo, config: EngineConfig,
          steps: Sequence[Etape]) -> list[dict[str, Any]]:
    vehicles = {v.id: v for v in session.scalars(
        select(Vehicle).where(Vehicle.id.in_({s.vehicle_id for s in steps})))}
    decisions = decisions_for(session, customer_id, (s.id for s in steps))
    intervals = _intervals_by_driver(session, customer_id, steps)
    by_vehicle: dict[int, list[Etape]] = defaultdict(list)
    for s in steps:
        by_vehicle[s.vehicle_id].append(s)
    rows: list[dict[str, Any]] = []
    for vehicle_id, vsteps in by_vehicle.items():
        samples = _VehicleSamples(session, customer_id, vehicle_id,
                                  min(s.start_ms for s in vsteps), max(s.end_ms for s in vsteps))
        vehicle = vehicles[vehicle_id]
        for s in vsteps:
            t, c = samples.of(s.start_ms, s.end_ms)
            step = StepInput(
                start_ms=s.start_ms, end_ms=s.end_ms, sample_t_ms=t, sample_cum_distance_m=c, totals=_totals(s),
                device_private=s.device_private, retro_private=decisions.get(s.id),
                privacy_enabled=vehicle.privacy_enabled, driver_known=s.individu_id is not None,
            )
            private_time = intervals.get(s.individu_id, []) if s.individu_id is not None else []
            days = local_days(s.start_ms, s.end_ms, tz)
            for variant, ivs in ((WITH_HORAIRE, private_time), (WITHOUT_HORAIRE, [])):
                for day, lo, hi in days:
                    r = measures_within(step, ivs, config, lo, hi)
                    row: dict[str, Any] = {
                        "customer_id": customer_id, "etape_id": s.id, "vehicle_id": vehicle_id,
                        "individu_id": s.individu_id, "local_date": day,
                        "start_ms": max(s.start_ms, lo), "end_ms": min(s.end_ms, hi),
                        "variant": variant, "source": str(r.source),
                    }
                    for name, value in zip(_FIELDS, r.private.as_tuple(), strict=True):
                        row[f"private_{name}"] = value
                    for name, value in zip(_FIELDS, r.professional.as_tuple(), strict=True):
                        row[f"pro_{name}"] = value
                    rows.append(row)
    return rows


_FIELDS = ("duration_s", "distance_m", "electric_distance_m", "fuel_l", "energy_kwh", "battery_pct_points")


def private_parts_for(session: Session, steps: Iterable[Any]) -> dict[int, list[Interval]]:
    """The private parts of each step (closed [start_ms, end_ms]), by step id, with the rules of SPEC section 7.

    `steps` carry id, start_ms, end_ms, device_private, individu_id (the step as it is now, maybe
    not yet flushed as such); the vehicle, kind and decisions are read from the database. A stop's
    part in its driver's private time is private too: where the car stands in private time is as
    private as where it went.
    """
    steps = list(steps)
    if not steps:
        return {}
    stored = {
        r.id: r for r in session.execute(
            select(Etape.id, Etape.customer_id, Vehicle.privacy_enabled, Customer.classify_by_start)
            .join(Vehicle, Vehicle.id == Etape.vehicle_id).join(Customer, Customer.id == Etape.customer_id)
            .where(Etape.id.in_([s.id for s in steps]))
        )
    }
    out: dict[int, list[Interval]] = {}
    by_customer: dict[int, list[Any]] = defaultdict(list)
    for s in steps:
        r = stored.get(s.id)
        if r is None:
            if s.device_private:
                out[s.id] = [(s.start_ms, s.end_ms)]
            continue
        by_customer[r.customer_id].append(s)
    for customer_id, csteps in by_customer.items():
        decisions = decisions_for(session, customer_id, (s.id for s in csteps))
        needs_time = [s for s in csteps if s.id not in decisions and not s.device_private
                      and stored[s.id].privacy_enabled]
        intervals = _intervals_by_driver(session, customer_id, needs_time)
        for s in csteps:
            r = stored[s.id]
            step = StepInput(
                start_ms=s.start_ms, end_ms=s.end_ms, sample_t_ms=(), sample_cum_distance_m=(), totals=Measures(),
                device_private=bool(s.device_private), retro_private=decisions.get(s.id),
                privacy_enabled=r.privacy_enabled, driver_known=s.individu_id is not None,
            )
            ivs = intervals.get(s.individu_id, []) if s.individu_id is not None else []
            c = classify_step(step, ivs, EngineConfig(classify_by_start=bool(r.classify_by_start)))
            if c.private_parts_ms:
                # Half-open engine parts become closed: hiding the boundary instant is the safe side.
                out[s.id] = [(a, b) for a, b in c.private_parts_ms]
    return out


def reclassify(session: Session, customer_id: int, start_ms: int | None = None,
               end_ms: int | None = None) -> dict[str, Any]:
    """Rewrite the stored classification of a customer's steps overlapping [start_ms, end_ms) (None: unbounded)."""
    q = select(Etape.id).where(Etape.customer_id == customer_id)
    if start_ms is not None:
        q = q.where(Etape.end_ms >= start_ms)
    if end_ms is not None:
        q = q.where(Etape.start_ms < end_ms)
    found = session.execute(q.add_columns(Etape.kind).order_by(Etape.id)).all()
    rows = classify_and_store(session, customer_id, [i for i, _ in found])
    trips = sum(1 for _, kind in found if kind == TRIP)
    return {"customerId": customer_id, "etapes": len(found), "trips": trips, "etapeParts": rows}
