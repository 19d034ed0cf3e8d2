"""Rules of the analysis: validate a request, resolve its filters, read the sums, build the report.

Filters (SPEC section 9), each key given must hold (and): `persons` the line's driver, `groups` the
driver's group, `vehicleIds` the vehicle, `entities` (with their sub-entities) the driver's entity
when lines are drivers and the vehicle's entity when lines are vehicles; `criteria` the vehicle's
`geolocalise`. Ids are matched against this customer's objects only: another customer's id, like
`0`, matches nothing. A DRIVER sees only the steps they drove (their own line, or the vehicles
they drove, by vehicle); ADMIN and MANAGER see everything of the customer.
BY_DRIVER_VEHICLE_FUNCTION keeps, for each function-vehicle assignment, the driver's usage of that
vehicle while assigned to them (the assignment's instants cut steps like the period's bounds).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from fleetprivacy.analysis import cuts, repository
from fleetprivacy.analysis.periods import epoch_day, plan_period
from fleetprivacy.analysis.report import (
    CRITERIA,
    RENDER_MODES,
    UNIDENTIFIED,
    Reference,
    RenderMode,
    Report,
    Rows,
    build_report,
)
from fleetprivacy.analysis.repository import Scope
from fleetprivacy.analysis.schemas import AnalyseRequest
from fleetprivacy.core.dates import format_iso_instant, parse_period_instant
from fleetprivacy.core.errors import BadInput
from fleetprivacy.core.tenancy import Ctx

MIN_MS = 0
MAX_MS = 221_845_392_000_000  # 9000-01-01T00:00:00Z, as for every instant of the API
MAX_PERIOD_DAYS = 3700  # about ten years


@dataclass(frozen=True)
class Query:
    """A validated request."""

    mode: RenderMode
    criteria: str
    debut_ms: int
    fin_ms: int
    filter: dict[str, list[int]]


def parse_request(body: AnalyseRequest, ctx: Ctx) -> Query:
    """Check the period and normalise the filter (400 naming the field otherwise)."""
    debut = parse_period_instant(body.periode.debut, ctx.tz, "periode.debut")
    fin = parse_period_instant(body.periode.fin, ctx.tz, "periode.fin")
    for name, value in (("periode.debut", debut), ("periode.fin", fin)):
        if not MIN_MS <= value <= MAX_MS:
            raise BadInput(f"{name} must be between 1970-01-01 and 9000-01-01")
    if fin <= debut:
        raise BadInput("periode.fin must be after periode.debut")
    if fin - debut > MAX_PERIOD_DAYS * 86_400_000:
        raise BadInput(f"periode: at most {MAX_PERIOD_DAYS} days")
    flt = body.filter
    filters = {
        key: list(getattr(flt, key) or []) if flt is not None else []
        for key in ("persons", "entities", "groups", "vehicleIds")
    }
    return Query(RENDER_MODES[body.renderMode], body.criteria, debut, fin, filters)


def resolve_scope(query: Query, ref: Reference, ctx: Ctx) -> Scope:
    """The filters as id sets of this customer's drivers and vehicles."""
    by_driver = query.mode.by_driver
    vehicles: set[int] | None = None
    individus: set[int] | None = None

    def narrow_v(ids: set[int]) -> None:
        nonlocal vehicles
        vehicles = ids if vehicles is None else vehicles & ids

    def narrow_i(ids: set[int]) -> None:
        nonlocal individus
        individus = ids if individus is None else individus & ids

    f = query.filter
    if f["vehicleIds"]:
        narrow_v(set(f["vehicleIds"]) & ref.vehicles.keys())
    want = CRITERIA[query.criteria]
    if want is not None:
        narrow_v({v.id for v in ref.vehicles.values() if v.geolocalise == want})
    if f["persons"]:
        narrow_i(set(f["persons"]) & ref.individus.keys())
    if f["groups"]:
        groups = set(f["groups"])
        narrow_i({i.id for i in ref.individus.values() if i.groupe_id in groups})
    if f["entities"]:
        entities = ref.descendants(f["entities"])
        if by_driver:
            narrow_i({i.id for i in ref.individus.values() if i.entite_id in entities})
        else:
            narrow_v({v.id for v in ref.vehicles.values() if v.entite_id in entities})
    if ctx.is_driver:
        narrow_i({ctx.individu_id} if ctx.individu_id is not None else set())
    return Scope(
        vehicle_ids=frozenset(vehicles) if vehicles is not None else None,
        individu_ids=frozenset(individus) if individus is not None else None,
    )


def _windows(session: Session, ctx: Ctx, query: Query, scope: Scope) -> list[tuple[int, int, Scope]]:
    """`(debut, fin, scope)` pieces to read: the period, or one per function-vehicle assignment span."""
    if not query.mode.function_only:
        return [(query.debut_ms, query.fin_ms, scope)]
    spans: dict[tuple[int, int], set[tuple[int, int]]] = {}
    for individu_id, vehicle_id, start, end in repository.function_affectations(session, ctx):
        lo, hi = max(query.debut_ms, start), min(query.fin_ms, end if end is not None else query.fin_ms)
        if lo < hi:
            spans.setdefault((lo, hi), set()).add((individu_id, vehicle_id))
    return [(lo, hi, scope.narrowed(pairs=frozenset(pairs))) for (lo, hi), pairs in sorted(spans.items())]


def read_rows(session: Session, ctx: Ctx, query: Query, scope: Scope) -> tuple[Rows, Rows | None]:
    """(sums per driver, vehicle and source over the period; per driver, vehicle and day in DETAIL)."""
    variant = query.mode.variant
    synthesis: list[Rows] = []
    detail: list[Rows] = []
    for lo, hi, window_scope in _windows(session, ctx, query, scope):
        if window_scope.empty:
            continue
        plan = plan_period(lo, hi, ctx.tz)
        synthesis.append(repository.synthesis_rows(session, ctx, variant, plan, window_scope))
        if query.mode.detail:
            detail.extend(repository.iter_detail_rows(session, ctx, variant, plan, window_scope))
        for edge in plan.edges:
            parts = repository.edge_parts(session, ctx, variant, edge, window_scope)
            cut = cuts.edge_rows(session, ctx, parts, edge)
            synthesis.append(Rows.from_tuples((i, v, None, s, m[:6], m[6:]) for i, v, s, m in cut))
            if query.mode.detail:
                day = epoch_day(edge.day)
                detail.append(Rows.from_tuples((i, v, day, s, m[:6], m[6:]) for i, v, s, m in cut))
    return Rows.concat(synthesis), Rows.concat(detail) if query.mode.detail else None


def bean(query: Query, ref: Reference, ctx: Ctx, n_lines: int) -> dict[str, Any]:
    """The `bean` of the response: the request as understood (period as ISO-8601 in the customer's zone)."""
    return {
        "renderMode": query.mode.name,
        "criteria": query.criteria,
        "filter": query.filter,
        "periode": {"debut": format_iso_instant(query.debut_ms, ctx.tz), "fin": format_iso_instant(query.fin_ms, ctx.tz)},
        "timezone": ctx.customer_timezone,
        "currency": ref.currency,
        "prices": {"fuelPricePerL": ref.fuel_price_per_l, "electricityPricePerKwh": ref.electricity_price_per_kwh},
        "unidentifiedDriverKey": UNIDENTIFIED,
        "lines": n_lines,
    }


def analyse(session: Session, ctx: Ctx, body: AnalyseRequest) -> tuple[Report, dict[str, Any]]:
    """Validate, read and build: the report and its `bean` (every database read happens here)."""
    query = parse_request(body, ctx)
    ref = repository.load_reference(session, ctx)
    scope = resolve_scope(query, ref, ctx)
    synthesis, detail = read_rows(session, ctx, query, scope)
    report = build_report(query.mode, ref, synthesis, detail, debut_ms=query.debut_ms, fin_ms=query.fin_ms,
                          timezone=ctx.customer_timezone)
    return report, bean(query, ref, ctx, len(report.lines))
