"""Read side of trips: the daily record (ficheJour) and the position search, both masked by ``masking``.

Rules (SPEC §6): a DRIVER sees only the steps attributed to their own individual (and the positions
inside them); in a private step, coordinates and addresses are null for everyone but that driver.
Private steps and positions are never left out: privacy hides where, never how much.
"""

from __future__ import annotations

import bisect
import datetime as dt
from collections.abc import Sequence
from typing import Any

import numpy as np
from sqlalchemy.orm import Session

from fleetprivacy.core.dates import local_to_utc_ms, ms_to_local, parse_ocean_date, parse_period_instant
from fleetprivacy.core.errors import BadInput
from fleetprivacy.core.tenancy import Ctx, get_owned
from fleetprivacy.reference.models import Individu, Vehicle
from fleetprivacy.trips import repository
from fleetprivacy.trips.masking import IntervalUnion, mask_positions, private_parts_for_reads, step_privacy
from fleetprivacy.trips.models import TRIP, Etape
from fleetprivacy.trips.segmentation import haversine_m

MAX_SEARCH_POSITIONS = 100_000
# Query instants must be in this range, as the analysis' periods (1970-01-01 to 9000-01-01 UTC).
_MIN_MS = 0
_MAX_MS = 221_845_392_000_000

# ficheJour row types and position states: the reference's letters (T = trajet, A = arrêt;
# D = départ, R = roulage, A = arrêt).
ROW_TYPE = {"TRIP": "T", "STOP": "A"}


def _visible_steps(ctx: Ctx, steps: Sequence[Etape]) -> list[Etape]:
    """The steps this viewer may see at all: a DRIVER only their own (SPEC §6)."""
    if ctx.is_driver:
        return [s for s in steps if s.individu_id is not None and s.individu_id == ctx.individu_id]
    return list(steps)


def _around(session: Session, ctx: Ctx, vehicle_id: int, steps: Sequence[Etape]) -> list[Etape]:
    """``steps`` (by start) with their neighbours, whose ends they share: masking needs both."""
    return repository.steps_overlapping(session, ctx, vehicle_id, steps[0].start_ms, max(s.end_ms for s in steps))


def _driver(ind: Individu | None) -> dict[str, Any] | None:
    if ind is None:
        return None
    return {"matricule": ind.matricule_ind, "nom": ind.nom_ind, "prenom": ind.prenom_ind, "tel": ind.gsm}


def _fj_position(ctx: Ctx, t_ms: int, lat: float | None, lon: float | None, etat: str,
                 driver: dict[str, Any] | None, masked: bool) -> dict[str, Any]:
    local = ms_to_local(t_ms, ctx.tz)
    located = lat is not None and lon is not None and not masked
    return {
        "cap": None,
        "date": local.strftime("%d/%m/%Y"),
        "driver": driver,
        "etat": etat,
        "fullAddress": None,  # no reverse geocoding (yet); null in private steps whatever comes later
        "gpsCale": located if not masked else None,
        "heure": local.strftime("%H:%M:%S"),
        "latitudeY": lat if located else None,
        "longitudeX": lon if located else None,
        "poi": None,
    }


def fiche_jour(session: Session, ctx: Ctx, veh_id: int, date: str) -> dict[str, Any]:
    """`GET /mobility/v1/ficheJour`: the steps of one vehicle that touch one local calendar day."""
    vehicle = get_owned(session, Vehicle, veh_id, ctx, "vehId: vehicle")
    day = parse_ocean_date(date, "date")
    if not 1970 <= day.year < 9000:  # the calendar ends at 9999: the next day must still exist
        raise BadInput(f"date: {date!r} must be between 01/01/1970 and 31/12/8999")
    lo = local_to_utc_ms(dt.datetime.combine(day, dt.time()), ctx.tz)
    hi = local_to_utc_ms(dt.datetime.combine(day + dt.timedelta(days=1), dt.time()), ctx.tz)
    # Steps sharing time with [lo, hi); one reduced to an instant belongs to the day holding it.
    steps = [s for s in repository.steps_overlapping(session, ctx, vehicle.id, lo, hi)
             if s.start_ms < hi and (s.end_ms > lo or s.start_ms >= lo)]
    steps = _visible_steps(ctx, steps)
    if not steps:
        return {"fjRows": []}
    # A row's ends are shared with the neighbouring steps (a stop ends where the next trip starts):
    # an end at an instant of a private part of ANY step of the vehicle is hidden, whoever drove it.
    around = _around(session, ctx, vehicle.id, steps)
    parts = private_parts_for_reads(session, around)
    ends = [t for s in steps for t in (s.start_ms, s.end_ms)]
    _, ends_masked = mask_positions(ctx, around, parts, ends, [None] * len(ends))
    people = repository.individus(session, ctx, (s.individu_id for s in steps))
    rows = []
    for i, s in enumerate(steps):
        privacy = step_privacy(ctx, s, parts)
        deb_masked, fin_masked = privacy.masked or ends_masked[2 * i], privacy.masked or ends_masked[2 * i + 1]
        driver = _driver(people.get(s.individu_id)) if s.individu_id is not None else None
        trip = s.kind == TRIP
        rows.append({
            "anomalyType": "NONE",
            "distanceMeter": round(s.distance_m),
            "dureeMs": s.end_ms - s.start_ms,
            "id": s.id,
            "posDeb": _fj_position(ctx, s.start_ms, s.start_lat, s.start_lon, "D" if trip else "A", driver,
                                   deb_masked),
            "posFin": _fj_position(ctx, s.end_ms, s.end_lat, s.end_lon, "A" if trip else "D", driver,
                                   fin_masked),
            "type": ROW_TYPE.get(s.kind, s.kind),
            "viePrivee": privacy.private,
        })
    return {"fjRows": rows}


def _instant(value: str | None, ctx: Ctx, param: str) -> int:
    if value is None or not str(value).strip():
        raise BadInput(f"{param} is required (ISO-8601, e.g. 2026-01-10T01:30:00.000Z)")
    ms = parse_period_instant(value, ctx.tz, param)
    if not _MIN_MS <= ms <= _MAX_MS:  # beyond, the database's integers and calendars overflow
        raise BadInput(f"{param} must be between 1970-01-01 and 9000-01-01")
    return ms


def motorisation_energie(vehicle: Vehicle) -> str:
    """The reference's ``typeMotorisationEnergie`` (e.g. ``MONO_ELECTRIQUE``) from motorisation and energy."""
    if vehicle.type_motorisation == "ELECTRIQUE":
        return "MONO_ELECTRIQUE"
    energie = {"ELECTRICITE": "ELECTRIQUE"}.get(vehicle.energie or "", vehicle.energie)
    return f"{vehicle.type_motorisation}_{energie}" if energie else vehicle.type_motorisation


def search_positions(session: Session, ctx: Ctx, immatriculations: Sequence[str] | None,
                     start_date: str | None, end_date: str | None) -> dict[str, Any]:
    """`GET /positions/search`: positions of the vehicles between two instants, masked where private."""
    start = _instant(start_date, ctx, "startDate")
    end = _instant(end_date, ctx, "endDate")
    if end <= start:
        raise BadInput("endDate must be after startDate")
    immats = [i for i in (immatriculations or []) if i and i.strip()]
    vehicles = (repository.vehicles_by_immatriculation(session, ctx, immats) if immats
                else repository.live_vehicles(session, ctx))
    budget = MAX_SEARCH_POSITIONS
    blocks = []
    for vehicle in vehicles:
        rows = repository.positions_between(session, ctx, vehicle.id, start, end, budget + 1)
        if len(rows) > budget:
            raise BadInput(f"more than {MAX_SEARCH_POSITIONS} positions between startDate and endDate: "
                           "ask for a shorter period or fewer vehicles")
        budget -= len(rows)
        blocks.append({"positions": _positions(session, ctx, vehicle, rows, start, end),
                       "vehicle": {"descriptionVehicule": vehicle.description, "idVehicule": vehicle.id,
                                   "immatriculation": vehicle.immatriculation,
                                   "typeMotorisationEnergie": motorisation_energie(vehicle)}})
    return {"positionsVehicles": blocks}


def _positions(session: Session, ctx: Ctx, vehicle: Vehicle, rows: Sequence[Any], start: int,
               end: int) -> list[dict[str, Any]]:
    if not rows:
        return []
    steps = repository.steps_overlapping(session, ctx, vehicle.id, start, end)
    if ctx.is_driver:
        own = IntervalUnion((s.start_ms, s.end_ms) for s in _visible_steps(ctx, steps))
        inside = own.contains(np.fromiter((r.t_ms for r in rows), dtype=np.int64, count=len(rows)))
        rows = [r for r, ok in zip(rows, inside.tolist()) if ok]
        if not rows:
            return []
    # Masking looks at every step, not only the viewer's: a position shared with someone else's
    # private step (its first or last instant) stays hidden.
    steps = _around(session, ctx, vehicle.id, steps) if steps else steps
    parts = private_parts_for_reads(session, steps)
    private, masked = mask_positions(ctx, steps, parts, [r.t_ms for r in rows], [r.privacy for r in rows])
    people = repository.individus(session, ctx, (s.individu_id for s in steps))
    starts = [s.start_ms for s in steps]
    out = []
    prev: Any = None
    prev_masked = True
    for r, is_private, is_masked in zip(rows, private, masked):
        i = bisect.bisect_right(starts, r.t_ms) - 1
        step = steps[i] if i >= 0 and steps[i].end_ms >= r.t_ms else None
        ind = people.get(step.individu_id) if step is not None and step.individu_id is not None else None
        hop = None
        if not is_masked and prev is not None and not prev_masked:
            hop = haversine_m(prev.lat, prev.lon, r.lat, r.lon)
        out.append({
            "address": None,
            "adresseDeReference": None,
            "approximationMeter": None,
            "cap": None,
            "chauffeur": _full_name(ind),
            "consommationThermiqueL": None,
            "date": ms_to_local(r.t_ms, ctx.tz).isoformat(timespec="milliseconds"),
            "distanceDepuisPosPrecMeter": hop,
            "etat": None if step is None else ("R" if step.kind == TRIP else "A"),
            "initialesChauffeur": ind.initiales_ind if ind else None,
            "latitudeY": None if is_masked else r.lat,
            "longitudeX": None if is_masked else r.lon,
            "matriculeChauffeur": ind.matricule_ind if ind else None,
            "typePoi": None,
            "vitesseKmh": r.speed_kmh,
            "viePrivee": is_private,
        })
        prev, prev_masked = r, is_masked
    return out


def _full_name(ind: Individu | None) -> str | None:
    if ind is None:
        return None
    return " ".join(p for p in (ind.prenom_ind, ind.nom_ind) if p)

