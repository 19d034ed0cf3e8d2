"""Parts of steps that cross a report period's bounds, cut with the engine (SPEC section 9).

A stored part covers `[start_ms, end_ms)` of one step on one local day. On a partial day of the
period (see `periods`), a part inside the window counts as stored; a part crossing a bound counts
only for its share inside, recomputed by `engine.measures_within` on the step: duration by time,
distance by the step's positions (cumulative distance interpolated at the bound, or time when
fewer than two positions remain), the other measures in proportion to distance.

What made the part private is read back from the stored part itself, so the cut needs neither the
retroactive decisions nor the device flag: a POSTERIORI or BOUTON part is wholly private or wholly
professional, an AUCUN part wholly professional, a HORAIRE part wholly private when it has no
professional share; only a HORAIRE part that is partly private needs the driver's private time
(from the schedules, as the classification used).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from sqlalchemy import and_, or_
from sqlalchemy.orm import Session

from fleetprivacy.analysis.periods import Edge
from fleetprivacy.analysis.repository import PartRow
from fleetprivacy.classification.engine import EngineConfig, Measures, StepInput, measures_within
from fleetprivacy.core.tenancy import Ctx, scoped
from fleetprivacy.trips.models import Etape, Position
from fleetprivacy.trips.segmentation import haversine_m_array

CutRow = tuple[int | None, int, str, tuple[float, ...]]  # (individu_id, vehicle_id, source, 12 measures)

_POSITION_QUERY_BATCH = 100


def step_totals(etape: Etape) -> Measures:
    """The whole step's measures as the classification splits them (missing counters count 0)."""
    return Measures(
        duration_s=(etape.end_ms - etape.start_ms) / 1000.0,
        distance_m=float(etape.distance_m or 0.0),
        electric_distance_m=float(etape.electric_distance_m or 0.0),
        fuel_l=float(etape.fuel_l or 0.0),
        energy_kwh=float(etape.energy_kwh or 0.0),
        battery_pct_points=float(etape.battery_pct_points or 0.0),
    )


def cumulative_distance(t_ms: Sequence[int], lat: Sequence[float], lon: Sequence[float],
                        odometer_m: Sequence[float | None]) -> tuple[tuple[int, ...], tuple[float, ...]]:
    """Samples of the cumulative distance along positions: the odometer when every position has a
    non-decreasing one, else the great circle from position to position."""
    if len(t_ms) == 0:
        return (), ()
    if all(o is not None for o in odometer_m):
        odo = np.array(odometer_m, dtype=np.float64)
        if np.all(np.diff(odo) >= 0):
            return tuple(int(t) for t in t_ms), tuple((odo - odo[0]).tolist())
    la, lo = np.array(lat, dtype=np.float64), np.array(lon, dtype=np.float64)
    hops = haversine_m_array(la[:-1], lo[:-1], la[1:], lo[1:]) if len(la) > 1 else np.zeros(0)
    return tuple(int(t) for t in t_ms), tuple(np.concatenate([[0.0], np.cumsum(hops)]).tolist())


def _positions(session: Session, ctx: Ctx, etapes: Sequence[Etape]) -> dict[int, tuple[tuple[int, ...], tuple[float, ...]]]:
    """Cumulative-distance samples of each step, by step id."""
    samples: dict[int, tuple[tuple[int, ...], tuple[float, ...]]] = {}
    for i in range(0, len(etapes), _POSITION_QUERY_BATCH):
        batch = etapes[i:i + _POSITION_QUERY_BATCH]
        stmt = (
            scoped(Position, ctx)
            .with_only_columns(Position.vehicle_id, Position.t_ms, Position.lat, Position.lon, Position.odometer_m)
            .where(or_(*(and_(Position.vehicle_id == e.vehicle_id, Position.t_ms.between(e.start_ms, e.end_ms))
                         for e in batch)))
            .order_by(Position.vehicle_id, Position.t_ms)
        )
        by_vehicle: dict[int, list[tuple[int, float, float, float | None]]] = {}
        for vehicle_id, t, la, lo, odo in session.execute(stmt):
            by_vehicle.setdefault(vehicle_id, []).append((t, la, lo, odo))
        for e in batch:
            rows = [r for r in by_vehicle.get(e.vehicle_id, ()) if e.start_ms <= r[0] <= e.end_ms]
            samples[e.id] = cumulative_distance([r[0] for r in rows], [r[1] for r in rows], [r[2] for r in rows],
                                                [r[3] for r in rows])
    return samples


def _private_time(session: Session, ctx: Ctx, parts: Sequence[PartRow]) -> dict[int, list[tuple[int, int]]]:
    from fleetprivacy.schedules.service import private_intervals_for

    spans: dict[int, tuple[int, int]] = {}
    for p in parts:
        if p.individu_id is not None:
            lo, hi = spans.get(p.individu_id, (p.start_ms, p.end_ms))
            spans[p.individu_id] = (min(lo, p.start_ms), max(hi, p.end_ms))
    return {i: private_intervals_for(session, ctx, i, lo, hi) for i, (lo, hi) in spans.items()}


def _inside(p: PartRow, edge: Edge) -> bool:
    if p.start_ms == p.end_ms:
        return edge.lo_ms <= p.start_ms < edge.hi_ms
    return edge.lo_ms <= p.start_ms and p.end_ms <= edge.hi_ms


def edge_rows(session: Session, ctx: Ctx, parts: Sequence[PartRow], edge: Edge) -> list[CutRow]:
    """The partial day's contribution: parts inside as stored, parts crossing a bound cut."""
    out: list[CutRow] = [(p.individu_id, p.vehicle_id, p.source, p.measures) for p in parts if _inside(p, edge)]
    crossing = [p for p in parts if not _inside(p, edge)]
    if not crossing:
        return out
    etapes = {e.id: e for e in session.scalars(scoped(Etape, ctx).where(Etape.id.in_({p.etape_id for p in crossing})))}
    samples = _positions(session, ctx, list(etapes.values()))
    mixed = [p for p in crossing if p.source == "HORAIRE" and not _whole(p)]
    private_time = _private_time(session, ctx, mixed) if mixed else {}
    config = EngineConfig()
    for p in crossing:
        etape = etapes[p.etape_id]
        t, c = samples.get(etape.id, ((), ()))
        private_share = p.measures[0] > 0 or p.measures[1] > 0
        kwargs: dict[str, object] = {}
        intervals: list[tuple[int, int]] = []
        if p.source in ("POSTERIORI", "BOUTON") or (p.source == "HORAIRE" and _whole(p)):
            kwargs["retro_private"] = private_share  # the part is wholly one or the other
        elif p.source == "HORAIRE":
            intervals = private_time.get(p.individu_id, []) if p.individu_id is not None else []
        else:
            kwargs["privacy_enabled"] = False  # AUCUN: wholly professional
        step = StepInput(etape.start_ms, etape.end_ms, t, c, step_totals(etape), **kwargs)  # type: ignore[arg-type]
        result = measures_within(step, intervals, config, max(edge.lo_ms, p.start_ms), min(edge.hi_ms, p.end_ms))
        source = p.source if kwargs else str(result.source)
        out.append((p.individu_id, p.vehicle_id, source, result.private.as_tuple() + result.professional.as_tuple()))
    return out


def _whole(p: PartRow) -> bool:
    """A part with no professional share (time and distance)."""
    return p.measures[6] == 0 and p.measures[7] == 0
