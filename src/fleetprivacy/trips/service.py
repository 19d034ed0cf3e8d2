"""Ingestion of positions and steps, and the rules around them (driver, consumption, privacy by design).

How a batch of positions becomes steps (``ingest_fixes``), following the segmenter's batch contract
(see ``trips.segmentation`` and docs/segmentation.md):

1. The batch is sorted and de-duplicated (of two fixes at one instant the later given wins); instants
   the vehicle already has are skipped, so re-sending data creates nothing twice (the stored fix wins).
2. The *resume point* is the start of the vehicle's latest STOP before the batch's first new fix:
   steps ending there never change. Stored positions from that point on plus the new fixes are cut
   again, so a batch that continues the stream re-cuts only the last stop onwards, and a late batch
   (older than that stop) re-cuts from the last stop before it to the end.
3. The new cut is reconciled with the stored steps of that window: a new segment takes over the id of
   the stored step of the same kind it overlaps most (updated in place, SPEC §8); stored steps left
   without a match vanished and are deleted; the others are created.
4. With ``storePrivatePositions`` false, positions in the private parts of steps that can no longer
   change are deleted (never stored when they arrive already final); such steps become *frozen*: their
   totals stay, and later batches never re-cut before their end.

The session is flushed, never committed: the request (or the command line, per batch) owns the transaction.
"""

from __future__ import annotations

import bisect
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, fields
from typing import Any

import numpy as np
from sqlalchemy.orm import Session

from fleetprivacy.classification.service import classify_and_store
from fleetprivacy.config import Settings
from fleetprivacy.core import audit
from fleetprivacy.core.dates import format_iso_instant, parse_period_instant
from fleetprivacy.core.errors import BadInput, Conflict
from fleetprivacy.core.tenancy import Ctx
from fleetprivacy.core.tenancy import system_ctx as system_ctx  # the command line acts through it
from fleetprivacy.reference.models import Customer, Vehicle
from fleetprivacy.trips import repository
from fleetprivacy.schedules.service import clock_ms
from fleetprivacy.trips.masking import IntervalUnion, Part, private_parts_for_steps
from fleetprivacy.trips.models import (
    MODE_AUTO,
    MODE_MANUAL,
    ORIGIN_ETAPES,
    ORIGIN_POSITIONS,
    STOP,
)
from fleetprivacy.trips.segmentation import (
    Fix,
    SegmentationConfig,
    haversine_m_array,
    normalise,
    resume_index,
    segment,
)

def segmentation_config(settings: Settings) -> SegmentationConfig:
    """The segmenter's thresholds from the server settings (docs/configuration.md)."""
    return SegmentationConfig(
        min_stop_ms=int(settings.trip_min_stop_s * 1000),
        min_trip_ms=int(settings.trip_min_duration_s * 1000),
        min_trip_distance_m=settings.trip_min_distance_m,
        max_gap_ms=int(settings.trip_max_gap_s * 1000),
        stop_radius_m=settings.trip_stop_radius_m,
    )


@dataclass
class IngestSummary:
    """What one ingestion call did."""

    received: int = 0
    stored: int = 0
    duplicates: int = 0
    discarded_private: int = 0
    etapes_created: int = 0
    etapes_updated: int = 0
    etapes_deleted: int = 0

    def __iadd__(self, other: IngestSummary) -> IngestSummary:
        for f in fields(self):
            setattr(self, f.name, getattr(self, f.name) + getattr(other, f.name))
        return self

    def wire(self) -> dict[str, int]:
        """The JSON answer of the ingestion routes."""
        return {"received": self.received, "stored": self.stored, "duplicates": self.duplicates,
                "discardedPrivate": self.discarded_private, "etapesCreated": self.etapes_created,
                "etapesUpdated": self.etapes_updated, "etapesDeleted": self.etapes_deleted}


# --- rules shared by both ingestion paths ---------------------------------------------------


class Drivers:
    """Who drove: the individual whose badge the unit read (AUTO), else the assignment in force (MANUAL)."""

    def __init__(self, session: Session, ctx: Ctx, vehicle_id: int, badges: Iterable[str | None]) -> None:
        self.by_badge = repository.individus_by_badge(session, ctx, (b for b in badges if b))
        self.assignments = repository.affectations_ms(session, ctx, vehicle_id)
        self._starts = [a[0] for a in self.assignments]

    def resolve(self, badge: str | None, start_ms: int) -> tuple[int | None, str | None]:
        """(individu_id, assignment mode) of a step that starts at ``start_ms``; (None, None) when unknown."""
        if badge is not None and badge in self.by_badge:
            return self.by_badge[badge], MODE_AUTO
        # An unknown badge falls back to the assignment: the car was still assigned to someone.
        i = bisect.bisect_right(self._starts, start_ms) - 1
        while i >= 0:
            debut, fin, individu_id = self.assignments[i]
            if fin is None or start_ms < fin:
                return individu_id, MODE_MANUAL
            i -= 1
        return None, None


def consumption(vehicle: Vehicle, distance_m: float, fuel_l: float | None,
                energy_kwh: float | None) -> tuple[float | None, bool, float | None, bool]:
    """(fuel_l, fuel estimated, energy_kwh, energy estimated): what the unit did not report is estimated.

    The estimate is distance x the vehicle's ``valeurConsommation`` (L/100 km, kWh/100 km for an
    electric vehicle); without it the value stays unknown (None).
    """
    conso = vehicle.valeur_consommation
    fuel_est = energy_est = False
    if conso is not None:
        amount = distance_m / 100_000.0 * conso
        if is_electric(vehicle):
            if energy_kwh is None:
                energy_kwh, energy_est = amount, True
        elif fuel_l is None:
            fuel_l, fuel_est = amount, True
    return fuel_l, fuel_est, energy_kwh, energy_est


def is_electric(vehicle: Vehicle) -> bool:
    """A battery-electric vehicle: all its distance is electric and its consumption is in kWh."""
    return vehicle.type_motorisation == "ELECTRIQUE"


def _step_rows(ctx: Ctx, vehicle: Vehicle, fixes: Sequence[Fix], segments: Sequence[Any],
               drivers: Drivers) -> list[dict[str, Any]]:
    electric = is_electric(vehicle)
    rows = []
    for seg in segments:
        a, b = fixes[seg.start_fix_index], fixes[seg.end_fix_index]
        fuel, fuel_est, energy, energy_est = consumption(vehicle, seg.distance_m, seg.fuel_l, seg.energy_kwh)
        individu_id, mode = drivers.resolve(seg.badge, seg.start_ms)
        rows.append({
            "vehicle_id": vehicle.id, "kind": seg.kind, "start_ms": seg.start_ms, "end_ms": seg.end_ms,
            "start_lat": a.lat, "start_lon": a.lon, "end_lat": b.lat, "end_lon": b.lon,
            "distance_m": seg.distance_m, "electric_distance_m": seg.distance_m if electric else 0.0,
            "fuel_l": fuel, "energy_kwh": energy, "battery_pct_points": seg.battery_pct_points,
            "fuel_estimated": fuel_est, "energy_estimated": energy_est,
            "individu_id": individu_id, "assignment_mode": mode, "badge": seg.badge,
            "device_private": seg.device_private, "open": seg.open, "origin": ORIGIN_POSITIONS, "frozen": False,
        })
    return rows


def match_steps(old: Sequence[Mapping[str, Any]], new: Sequence[Mapping[str, Any]]) -> list[int | None]:
    """For each new step, the id of the stored step it continues (same kind, largest overlap), or None.

    Both lists are sorted by start and tile time (consecutive steps share an instant), so the pairs
    that intersect are found in one sweep; pairs are then taken greedily, largest overlap first (ties:
    nearest start), each stored step at most once.
    """
    pairs: list[tuple[int, int, int, int]] = []  # (-overlap, |start shift|, new index, old index)
    i = 0
    for j, n in enumerate(new):
        while i < len(old) and old[i]["end_ms"] < n["start_ms"]:
            i += 1
        k = i
        while k < len(old) and old[k]["start_ms"] <= n["end_ms"]:
            o = old[k]
            if o["kind"] == n["kind"] and o["end_ms"] >= n["start_ms"]:
                overlap = min(o["end_ms"], n["end_ms"]) - max(o["start_ms"], n["start_ms"])
                pairs.append((-overlap, abs(o["start_ms"] - n["start_ms"]), j, k))
            k += 1
    pairs.sort()
    out: list[int | None] = [None] * len(new)
    used: set[int] = set()
    for _, _, j, k in pairs:
        if out[j] is None and k not in used:
            out[j] = old[k]["id"]
            used.add(k)
    return out


def _apply_steps(session: Session, ctx: Ctx, old: Sequence[Mapping[str, Any]],
                 new: Sequence[dict[str, Any]], summary: IngestSummary) -> list[int]:
    """Write the new cut over the old one, keeping ids; returns the id of each new step."""
    matched = match_steps(old, new)
    by_id = {o["id"]: o for o in old}
    updates = []
    for row, old_id in zip(new, matched):
        if old_id is not None:
            before = by_id[old_id]
            changed = {k: v for k, v in row.items() if before.get(k) != v}
            if changed:
                updates.append({"id": old_id, **changed})
    keep = {i for i in matched if i is not None}
    vanished = [o["id"] for o in old if o["id"] not in keep]
    repository.delete_steps(session, ctx, vanished)
    repository.update_steps(session, ctx, updates)
    created = [row for row, old_id in zip(new, matched) if old_id is None]
    new_ids = iter(repository.insert_steps(session, ctx, created))
    summary.etapes_created += len(created)
    summary.etapes_updated += len(updates)
    summary.etapes_deleted += len(vanished)
    return [old_id if old_id is not None else next(new_ids) for old_id in matched]


@dataclass(frozen=True)
class _StepView:
    """A step as masking sees it (for steps just written, before any ORM object exists)."""

    id: int
    start_ms: int
    end_ms: int
    device_private: bool
    individu_id: int | None


# --- POST /ingest/v1/positions ----------------------------------------------------------------


# Instants a unit can have measured. Before 2000 is a clock that was never set (1970, the GPS week
# rollover); more than a day ahead of the server is a clock gone wrong. Either would make a step
# spanning decades (or an open stop until then, which every later batch would re-cut behind).
MIN_INGEST_MS = 946_684_800_000  # 2000-01-01T00:00:00Z
MAX_INGEST_AHEAD_MS = 86_400_000


def wall_clock_ms() -> int:
    """The server's clock, epoch ms (a function of this module so that tests can move it)."""
    return clock_ms()


def check_ingest_instant(ctx: Ctx, t_ms: int, param: str, now_ms: int) -> int:
    """`t_ms`, or a 400 naming `param` when no unit can have measured it (see MIN_INGEST_MS)."""
    if MIN_INGEST_MS <= t_ms <= now_ms + MAX_INGEST_AHEAD_MS:
        return t_ms
    shown = format_iso_instant(t_ms, ctx.tz) if -10**14 < t_ms < 10**14 else "out of any calendar"
    raise BadInput(f"{param}: {t_ms} ({shown}) is not a plausible instant: instants must be between "
                   "2000-01-01T00:00:00Z and one day after the server's clock (is the unit's clock set?)")


def fixes_from_wire(ctx: Ctx, positions: Sequence[Any], where: str = "positions",
                    now_ms: int | None = None) -> list[Fix]:
    """Segmenter fixes from the API's position objects (``t`` as epoch ms or ISO-8601)."""
    tz = ctx.tz
    now_ms = wall_clock_ms() if now_ms is None else now_ms
    out = []
    for i, p in enumerate(positions):
        t = p.t if isinstance(p.t, int) and not isinstance(p.t, bool) else parse_period_instant(p.t, tz, f"{where}[{i}].t")
        t = check_ingest_instant(ctx, t, f"{where}[{i}].t", now_ms)
        out.append(Fix(t, p.lat, p.lon, p.speedKmh, p.ignition, p.odometerM, p.fuelUsedL, p.energyUsedKWh,
                       p.socPct, p.privacy, p.badge))
    return out


def vehicle_for_ingestion(session: Session, ctx: Ctx, numero_embarque: int) -> Vehicle:
    """The vehicle an ingestion names by its on-board unit number (404 when not the customer's)."""
    return repository.vehicle_by_numero(session, ctx, numero_embarque)


def ingest_positions(session: Session, ctx: Ctx, settings: Settings, numero_embarque: int,
                     positions: Sequence[Any]) -> IngestSummary:
    """`POST /ingest/v1/positions`: parse, then ``ingest_fixes`` for the vehicle."""
    vehicle = vehicle_for_ingestion(session, ctx, numero_embarque)
    fixes = fixes_from_wire(ctx, positions)
    return ingest_fixes(session, ctx, vehicle, fixes, segmentation_config(settings))


def ingest_etapes_wire(session: Session, ctx: Ctx, numero_embarque: int, etapes: Sequence[Any]) -> IngestSummary:
    """`POST /ingest/v1/etapes`: parse and check the steps, then ``ingest_etapes``."""
    vehicle = vehicle_for_ingestion(session, ctx, numero_embarque)
    tz = ctx.tz
    now_ms = wall_clock_ms()
    data = []
    for i, e in enumerate(etapes):
        where = f"etapes[{i}]"
        start = check_ingest_instant(ctx, parse_period_instant(e.start, tz, f"{where}.start"), f"{where}.start", now_ms)
        end = check_ingest_instant(ctx, parse_period_instant(e.end, tz, f"{where}.end"), f"{where}.end", now_ms)
        if end < start:
            raise BadInput(f"{where}.end must not be before {where}.start")
        fixes = fixes_from_wire(ctx, e.positions, f"{where}.positions", now_ms)
        outside = next((f for f in fixes if not start <= f.t_ms <= end), None)
        if outside is not None:
            raise BadInput(f"{where}.positions: the position at {outside.t_ms} is outside the step")
        data.append(EtapeData(
            kind=e.type, start_ms=start, end_ms=end, fixes=fixes, distance_m=e.distanceM,
            electric_distance_m=e.electricDistanceM, fuel_l=e.fuelL, energy_kwh=e.energyKWh,
            battery_pct_points=e.batteryPctPoints, privacy=e.privacy, badge=e.badge,
            start_lat=e.startLat, start_lon=e.startLon, end_lat=e.endLat, end_lon=e.endLon))
    return ingest_etapes(session, ctx, vehicle, data)


def ingest_fixes(session: Session, ctx: Ctx, vehicle: Vehicle, fixes: Sequence[Fix],
                 config: SegmentationConfig, store_private: bool | None = None) -> IngestSummary:
    """Store a vehicle's fixes (idempotent, any order) and bring its steps up to date."""
    summary = IngestSummary(received=len(fixes))
    batch = normalise(fixes)
    if not batch:
        return summary
    if store_private is None:
        store_private = _customer(session, ctx).store_private_positions
    repository.lock_vehicle(session, ctx, vehicle.id)
    if repository.has_steps(session, ctx, vehicle.id, ORIGIN_ETAPES):
        raise Conflict(f"vehicle {vehicle.id} is fed with already cut steps (POST /ingest/v1/etapes); "
                       "a vehicle is fed by one ingestion route only")
    t = np.fromiter((f.t_ms for f in batch), dtype=np.int64, count=len(batch))
    _check_coordinates(batch)
    existing = repository.existing_instants(session, ctx, vehicle.id, int(t[0]), int(t[-1]))
    if len(existing):
        fresh_at = np.flatnonzero(~np.isin(t, existing))
        batch = [batch[i] for i in fresh_at.tolist()]
        t = t[fresh_at]
    summary.duplicates = len(fixes) - len(batch)
    if not batch:
        return summary

    barrier = repository.frozen_until(session, ctx, vehicle.id)
    if barrier is not None and t[0] <= barrier:
        k = int(np.searchsorted(t, barrier, side="right"))
        _store_behind_barrier(session, ctx, vehicle, batch[:k], t[:k], store_private, summary)
        batch, t = batch[k:], t[k:]
    if batch:
        _resegment(session, ctx, vehicle, batch, t, barrier, config, store_private, summary)
    return summary


def _check_coordinates(fixes: Sequence[Fix]) -> None:
    """Refuse what cannot be stored: coordinates that are not finite WGS84 degrees."""
    lat = np.fromiter((f.lat for f in fixes), dtype=np.float64, count=len(fixes))
    lon = np.fromiter((f.lon for f in fixes), dtype=np.float64, count=len(fixes))
    bad = ~(np.isfinite(lat) & np.isfinite(lon) & (np.abs(lat) <= 90) & (np.abs(lon) <= 180))
    if bad.any():
        f = fixes[int(np.argmax(bad))]
        raise BadInput(f"the position at {f.t_ms} has invalid coordinates ({f.lat}, {f.lon})")


def _customer(session: Session, ctx: Ctx) -> Customer:
    customer = session.get(Customer, ctx.customer_id)
    assert customer is not None  # the context was built from it
    return customer


def _store_behind_barrier(session: Session, ctx: Ctx, vehicle: Vehicle, late: list[Fix], t: np.ndarray,
                          store_private: bool, summary: IngestSummary) -> None:
    # Steps up to the barrier lost positions and cannot be re-cut: late fixes there are only stored,
    # and not even that when they fall in private time and private positions are not kept.
    if not store_private:
        steps = repository.steps_overlapping(session, ctx, vehicle.id, int(t[0]), int(t[-1]))
        parts = [p for ps in private_parts_for_steps(session, steps).values() for p in ps]
        private = IntervalUnion(parts).contains(t) | np.fromiter((f.privacy is True for f in late), dtype=bool, count=len(late))
        kept = [f for f, p in zip(late, private.tolist()) if not p]
        summary.discarded_private += len(late) - len(kept)
        late = kept
    repository.insert_positions(session, ctx, vehicle.id, late)
    summary.stored += len(late)


def _resegment(session: Session, ctx: Ctx, vehicle: Vehicle, new: list[Fix], t: np.ndarray,
               barrier: int | None, config: SegmentationConfig, store_private: bool,
               summary: IngestSummary) -> None:
    since = _resume_point(session, ctx, vehicle.id, int(t[0]), barrier)
    fixes = normalise(repository.load_fixes(session, ctx, vehicle.id, since) + new)
    segments = segment(fixes, config)
    old = repository.step_rows_from(session, ctx, vehicle.id, since)
    drivers = Drivers(session, ctx, vehicle.id, (s.badge for s in segments))
    rows = _step_rows(ctx, vehicle, fixes, segments, drivers)
    ids = _apply_steps(session, ctx, old, rows, summary)

    drop: list[Part] = []
    if not store_private:
        drop, frozen = _private_parts_to_drop(session, ctx, vehicle, fixes, segments, rows, ids, since)
        if drop:
            keep = ~IntervalUnion(drop).contains(t)
            summary.discarded_private += int(len(new) - keep.sum())
            new = [f for f, k in zip(new, keep.tolist()) if k]
            repository.delete_positions_in(session, ctx, vehicle.id, drop)
            repository.freeze_steps(session, ctx, frozen)
    repository.insert_positions(session, ctx, vehicle.id, new)
    summary.stored += len(new)
    # The steps just written get their stored classification (vanished ones lost theirs by cascade).
    classify_and_store(session, ctx.customer_id, ids)


def _resume_point(session: Session, ctx: Ctx, vehicle_id: int, first_new_ms: int, barrier: int | None) -> int | None:
    """Where to re-cut from so that the new cut equals one run over everything (None: from the start).

    The segmenter's contract: re-running from the start of the *last STOP of the stream before the
    new fixes* is exact. When the batch continues the stream, that is the stored last STOP. When it
    is late (older than stored fixes), the stored cut also saw fixes after it, and its last STOP
    before the batch may exist only because of them (a silence the batch now fills): the STOP
    before that one was already a stop before any of them arrived, so the re-cut starts there.
    """
    starts = repository.stop_starts_before(session, ctx, vehicle_id, first_new_ms, barrier, limit=2)
    last = repository.last_instant(session, ctx, vehicle_id)
    appended = last is None or first_new_ms > last
    pick = 0 if appended else 1
    if len(starts) > pick:
        return starts[pick]
    return barrier  # from the first stored position after the frozen steps (or the very first)


def _private_parts_to_drop(session: Session, ctx: Ctx, vehicle: Vehicle, fixes: Sequence[Fix],
                           segments: Sequence[Any], rows: Sequence[Mapping[str, Any]], ids: Sequence[int],
                           since: int | None) -> tuple[list[Part], list[int]]:
    """Private parts of the steps that can no longer change, before the resume point; and those steps."""
    if not any(s.kind == STOP for s in segments):
        return [], []
    resume_ms = fixes[resume_index(segments)].t_ms
    final = [_StepView(i, r["start_ms"], r["end_ms"], r["device_private"], r["individu_id"])
             for i, r in zip(ids, rows) if r["end_ms"] <= resume_ms and r["start_ms"] < resume_ms]
    if since is not None:
        # The step just before the window: its end instant is the window's first fix, kept until now
        # because it was the resume point; private, it goes now that it is no longer needed.
        before = repository.step_ending_at(session, ctx, vehicle.id, since)
        if before is not None:
            final.append(_StepView(before.id, before.start_ms, before.end_ms, before.device_private,
                                   before.individu_id))
    parts = private_parts_for_steps(session, final)
    drop = [(a, min(b, resume_ms - 1)) for ps in parts.values() for a, b in ps if a < resume_ms]
    return drop, list(parts)


# --- POST /ingest/v1/etapes -----------------------------------------------------------------


@dataclass(frozen=True)
class EtapeData:
    """One already cut step, as an integrator sends it (instants in epoch ms)."""

    kind: str
    start_ms: int
    end_ms: int
    fixes: list[Fix]
    distance_m: float | None = None
    electric_distance_m: float | None = None
    fuel_l: float | None = None
    energy_kwh: float | None = None
    battery_pct_points: float | None = None
    privacy: bool = False
    badge: str | None = None
    start_lat: float | None = None
    start_lon: float | None = None
    end_lat: float | None = None
    end_lon: float | None = None


def ingest_etapes(session: Session, ctx: Ctx, vehicle: Vehicle, etapes: Sequence[EtapeData]) -> IngestSummary:
    """Store already cut steps with their positions; a step with a stored start is updated in place."""
    summary = IngestSummary()
    touched: list[int] = []
    items = sorted(etapes, key=lambda e: e.start_ms)
    for prev, cur in zip(items, items[1:]):
        if cur.start_ms < prev.end_ms:
            raise BadInput(f"etapes: the step starting at {cur.start_ms} overlaps the one starting at {prev.start_ms}")
    repository.lock_vehicle(session, ctx, vehicle.id)
    if repository.has_steps(session, ctx, vehicle.id, ORIGIN_POSITIONS):
        raise Conflict(f"vehicle {vehicle.id} is fed with positions (POST /ingest/v1/positions); "
                       "a vehicle is fed by one ingestion route only")
    store_private = _customer(session, ctx).store_private_positions
    stored = repository.steps_by_start(session, ctx, vehicle.id, ORIGIN_ETAPES)
    drivers = Drivers(session, ctx, vehicle.id, [e.badge or _first_badge(e.fixes) for e in items])
    electric = is_electric(vehicle)
    for e in items:
        fixes = normalise(e.fixes)
        summary.received += len(e.fixes)
        private = e.privacy or any(f.privacy is True for f in fixes)
        distance = e.distance_m if e.distance_m is not None else _distance_along(fixes)
        fuel, fuel_est, energy, energy_est = consumption(vehicle, distance, e.fuel_l, e.energy_kwh)
        individu_id, mode = drivers.resolve(e.badge or _first_badge(fixes), e.start_ms)
        first, last = (fixes[0], fixes[-1]) if fixes else (None, None)
        values: dict[str, Any] = {
            "vehicle_id": vehicle.id, "kind": e.kind, "start_ms": e.start_ms, "end_ms": e.end_ms,
            "start_lat": e.start_lat if e.start_lat is not None else (first.lat if first else None),
            "start_lon": e.start_lon if e.start_lon is not None else (first.lon if first else None),
            "end_lat": e.end_lat if e.end_lat is not None else (last.lat if last else None),
            "end_lon": e.end_lon if e.end_lon is not None else (last.lon if last else None),
            "distance_m": distance,
            "electric_distance_m": (e.electric_distance_m if e.electric_distance_m is not None
                                    else (distance if electric else 0.0)),
            "fuel_l": fuel, "energy_kwh": energy, "battery_pct_points": e.battery_pct_points,
            "fuel_estimated": fuel_est, "energy_estimated": energy_est,
            "individu_id": individu_id, "assignment_mode": mode, "badge": e.badge or _first_badge(fixes),
            "device_private": private, "open": False, "origin": ORIGIN_ETAPES,
        }
        existing = stored.get(e.start_ms)
        if existing is None:
            clash = [s for s in repository.steps_overlapping(session, ctx, vehicle.id, e.start_ms, e.end_ms)
                     if s.start_ms < e.end_ms and s.end_ms > e.start_ms]
            if clash:
                raise Conflict(f"etapes: the step starting at {e.start_ms} overlaps stored step {clash[0].id}")
            ids = repository.insert_steps(session, ctx, [{**values, "frozen": False}])
            step_id = ids[0]
            summary.etapes_created += 1
        else:
            step_id = existing.id
            changed = {k: v for k, v in values.items() if getattr(existing, k) != v}
            if changed:
                repository.update_steps(session, ctx, [{"id": step_id, **changed}])
                summary.etapes_updated += 1
        if fixes:
            t = np.fromiter((f.t_ms for f in fixes), dtype=np.int64, count=len(fixes))
            known = repository.existing_instants(session, ctx, vehicle.id, int(t[0]), int(t[-1]))
            new = [f for f, seen in zip(fixes, np.isin(t, known).tolist()) if not seen]
            summary.duplicates += len(fixes) - len(new)
            if private and not store_private:
                summary.discarded_private += len(new)
                repository.delete_positions_in(session, ctx, vehicle.id, [(e.start_ms, e.end_ms)])
                repository.freeze_steps(session, ctx, [step_id])
                new = []
            repository.insert_positions(session, ctx, vehicle.id, new)
            summary.stored += len(new)
        touched.append(step_id)
    session.flush()
    classify_and_store(session, ctx.customer_id, touched)
    return summary


def _first_badge(fixes: Sequence[Fix]) -> str | None:
    return next((f.badge for f in fixes if f.badge), None)


def _distance_along(fixes: Sequence[Fix]) -> float:
    """Odometer difference when the fixes carry one, else the great circle along them (metres)."""
    odo = [f.odometer_m for f in fixes if f.odometer_m is not None]
    if len(odo) >= 2 and odo[-1] >= odo[0]:
        return float(odo[-1] - odo[0])
    if len(fixes) < 2:
        return 0.0
    lat = np.array([f.lat for f in fixes])
    lon = np.array([f.lon for f in fixes])
    return float(math.fsum(haversine_m_array(lat[:-1], lon[:-1], lat[1:], lon[1:]).tolist()))


# --- settings and purge ---------------------------------------------------------------------


def read_settings(session: Session, ctx: Ctx) -> dict[str, Any]:
    """The customer's trips settings, as the API shows them."""
    c = _customer(session, ctx)
    return {"storePrivatePositions": c.store_private_positions, "positionRetentionDays": c.position_retention_days,
            "fuelPricePerL": c.fuel_price_per_l, "electricityPricePerKwh": c.electricity_price_per_kwh,
            "currency": c.currency,
            "retroactiveWindowDays": c.retroactive_window_days, "classifyByStart": c.classify_by_start}


def update_settings(session: Session, ctx: Ctx, changes: Mapping[str, Any]) -> dict[str, Any]:
    """Change the settings present in ``changes`` (wire names); audited."""
    c = _customer(session, ctx)
    before = read_settings(session, ctx)
    columns = {"storePrivatePositions": "store_private_positions", "positionRetentionDays": "position_retention_days",
               "fuelPricePerL": "fuel_price_per_l", "electricityPricePerKwh": "electricity_price_per_kwh",
               "currency": "currency",
               "retroactiveWindowDays": "retroactive_window_days", "classifyByStart": "classify_by_start"}
    nullable = {"fuelPricePerL", "electricityPricePerKwh"}  # null: no price set
    for wire, value in changes.items():
        if value is None and wire not in nullable:
            raise BadInput(f"{wire} cannot be null")
        setattr(c, columns[wire], value)
    session.flush()
    after = read_settings(session, ctx)
    if after != before:
        audit.record(session, customer_id=ctx.customer_id, user_id=ctx.user_id or None, user_login=ctx.login,
                     action="UPDATE", object_type="customer_settings", object_id=ctx.customer_id,
                     before=before, after=after)
    return after


def purge(session: Session, ctx: Ctx, now_ms: int) -> dict[str, int]:
    """Delete the customer's positions older than its retention period; steps and their totals stay.

    A vehicle's positions from the start of its last STOP on are kept whatever their age: the next
    batch needs them to continue the open step. Steps that lost positions are frozen (never re-cut).
    """
    customer = _customer(session, ctx)
    cutoff = now_ms - customer.position_retention_days * 86_400_000
    deleted = frozen = 0
    for vehicle_id in repository.vehicles_with_positions_before(session, ctx, cutoff):
        resume = repository.last_stop_start(session, ctx, vehicle_id)
        # Without any STOP the whole stream is one open step: nothing of it can go yet.
        limit = min(cutoff, resume) if resume is not None else None
        if limit is None:
            continue
        deleted += repository.purge_positions(session, ctx, vehicle_id, limit)
        frozen += repository.freeze_steps_before(session, ctx, vehicle_id, limit)
    return {"customerId": ctx.customer_id, "cutoffMs": cutoff, "positionsDeleted": deleted, "etapesFrozen": frozen}
