"""Historical import of schedules for a customer migrating from another system: the only path that
writes the past. All-or-nothing: the whole file is validated before anything is written.

Format (documented in docs/api-schedules.md)::

    {"customerId": 1,                                   # optional; must be the target customer
     "individus": [
       {"individuId": 12,
        "versions": [{"debut": "2024-01-01T00:00:00+01:00", "fin": "2025-01-01T00:00:00+01:00" | null,
                      "innerMap": {"map": {"LUNDI": {"VIE_PRIVEE": [slot, ...]}}}}],
        "exceptionnelles": [{"description": "NOEL", "debut": "...", "fin": "...",
                             "innerMap": {"map": {...}}}]}]}      # innerMap optional

Instants: ISO-8601 with an offset, epoch milliseconds, or ISO-8601 without offset = the customer's
wall clock. Slots: the API's six fields, with the API's rules.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from fleetprivacy.core.dates import parse_period_instant
from fleetprivacy.core.errors import BadInput, Conflict
from fleetprivacy.core.tenancy import Ctx, get_owned
from fleetprivacy.reference.models import Individu
from fleetprivacy.schedules import engine, repository
from fleetprivacy.schedules.service import (
    DESCRIPTION_MAX,
    EXCEPTIONAL,
    RECURRING,
    actor_id,
    period_snapshot,
    record_change,
    save_period,
    version_snapshot,
)

_TOP_KEYS = {"customerId", "individus"}
_INDIVIDU_KEYS = {"individuId", "versions", "exceptionnelles"}
_VERSION_KEYS = {"debut", "fin", "innerMap"}
_PERIOD_KEYS = {"description", "debut", "fin", "innerMap"}


@dataclass(frozen=True)
class _Plan:
    individu_id: int
    param: str
    versions: list[engine.Version]
    periods: list[engine.ExceptionalPeriod]


def _object(value: object, param: str, keys: set[str], required: tuple[str, ...]) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise BadInput(f"{param}: expected an object with {', '.join(sorted(keys))}")
    unknown = sorted(set(value) - keys)
    if unknown:
        raise BadInput(f"{param}.{unknown[0]}: not a known field (expected {', '.join(sorted(keys))})")
    for key in required:
        if key not in value:
            raise BadInput(f"{param}.{key} is required")
    return value


def _list(value: object, param: str) -> list[Any]:
    if value is None:
        return []
    if not isinstance(value, list):
        raise BadInput(f"{param}: expected a list")
    return value


def _instant(value: object, ctx: Ctx, param: str) -> int:
    if value is None:
        raise BadInput(f"{param} is required")
    return parse_period_instant(value, ctx.tz, param)  # type: ignore[arg-type]


def _slots(inner: object, param: str) -> tuple[engine.Slot, ...]:
    if not isinstance(inner, Mapping) or set(inner) != {"map"}:
        raise BadInput(f'{param}: expected {{"map": {{DAY: {{typeHoraires: [slots]}}}}}}')
    day_map = engine.parse_inner_map(inner["map"], f"{param}.map")
    return engine.merge_day_slots(slot for slots in day_map.values() for slot in slots)


def _id(value: object, param: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 < value < 2**63:
        raise BadInput(f"{param}: expected a positive integer id, got {value!r}")
    return value


def parse(data: object, ctx: Ctx) -> list[_Plan]:
    """The file as engine values, or 400 naming the first faulty field (pure: reads no table)."""
    top = _object(data, "import", _TOP_KEYS, ("individus",))
    if "customerId" in top and top["customerId"] != ctx.customer_id:
        raise BadInput(f"customerId: the file is for customer {top['customerId']!r}, not {ctx.customer_id}")
    plans: list[_Plan] = []
    seen: dict[int, str] = {}
    for i, item in enumerate(_list(top["individus"], "individus")):
        param = f"individus[{i}]"
        obj = _object(item, param, _INDIVIDU_KEYS, ("individuId",))
        individu_id = _id(obj["individuId"], f"{param}.individuId")
        if individu_id in seen:
            raise BadInput(f"{param}.individuId: individu {individu_id} is already in {seen[individu_id]}")
        seen[individu_id] = param
        versions = []
        for j, raw in enumerate(_list(obj.get("versions"), f"{param}.versions")):
            vparam = f"{param}.versions[{j}]"
            v = _object(raw, vparam, _VERSION_KEYS, ("debut", "innerMap"))
            start = _instant(v["debut"], ctx, f"{vparam}.debut")
            end = None if v.get("fin") is None else _instant(v["fin"], ctx, f"{vparam}.fin")
            if end is not None and end <= start:
                raise BadInput(f"{vparam}.fin: must be after debut ({start}); got {end}")
            slots = _slots(v["innerMap"], f"{vparam}.innerMap")
            if not slots:
                raise BadInput(f"{vparam}.innerMap: a version needs at least one slot (leave the gap out instead)")
            versions.append((start, end, slots, vparam))
        versions.sort(key=lambda t: t[0])
        for (s1, e1, _sl, p1), (s2, _e2, _sl2, p2) in zip(versions, versions[1:]):
            if e1 is None or e1 > s2:
                raise BadInput(f"{p2}: overlaps {p1}; versions of one individual must not overlap")
        periods = []
        for j, raw in enumerate(_list(obj.get("exceptionnelles"), f"{param}.exceptionnelles")):
            pparam = f"{param}.exceptionnelles[{j}]"
            p = _object(raw, pparam, _PERIOD_KEYS, ("debut", "fin"))
            start = _instant(p["debut"], ctx, f"{pparam}.debut")
            end = _instant(p["fin"], ctx, f"{pparam}.fin")
            if end <= start:
                raise BadInput(f"{pparam}.fin: must be after debut ({start}); got {end}")
            description = p.get("description") or ""
            if not isinstance(description, str) or len(description) > DESCRIPTION_MAX:
                raise BadInput(f"{pparam}.description: a text of at most {DESCRIPTION_MAX} characters")
            slots = _slots(p["innerMap"], f"{pparam}.innerMap") if p.get("innerMap") is not None else ()
            periods.append((start, end, slots, description, pparam))
        periods.sort(key=lambda t: t[0])
        for a, b in zip(periods, periods[1:]):
            if a[1] > b[0]:
                raise BadInput(f"{b[4]}: overlaps {a[4]}; exceptional periods of one individual must not overlap")
        plans.append(_Plan(
            individu_id, param,
            [engine.Version(s, e, sl) for s, e, sl, _p in versions],
            [engine.ExceptionalPeriod(s, e, sl, d) for s, e, sl, d, _p in periods],
        ))
    return plans


def import_schedules(session: Session, ctx: Ctx, data: object) -> dict[str, Any]:
    """Validate the whole file, refuse (409) individuals that already have history, then write and audit."""
    plans = parse(data, ctx)
    for plan in plans:
        get_owned(session, Individu, plan.individu_id, ctx, f"{plan.param}.individuId: individu")
    repository.lock_individus(session, ctx, [plan.individu_id for plan in plans])
    for plan in plans:
        if repository.has_history(session, ctx, plan.individu_id):
            raise Conflict(
                f"{plan.param}.individuId: individu {plan.individu_id} already has schedule history; "
                "an import only fills an empty history"
            )
    summary = []
    for plan in plans:
        engine.check_history(plan.versions)
        stored = repository.store_history(
            session, ctx, plan.individu_id, repository.History(), plan.versions,
            created_by=actor_id(ctx), imported=True,
        )
        if stored:
            after = [version_snapshot(v) for v in stored]
            record_change(session, ctx, "IMPORT", RECURRING, plan.individu_id, None, after)
        periods = [save_period(session, ctx, plan.individu_id, None, p, imported=True) for p in plan.periods]
        if periods:
            after = [period_snapshot(p) for p in periods]
            record_change(session, ctx, "IMPORT", EXCEPTIONAL, plan.individu_id, None, after)
        summary.append({"individuId": plan.individu_id, "versions": len(stored), "exceptionnelles": len(periods)})
    return {
        "customerId": ctx.customer_id,
        "individus": summary,
        "versions": sum(s["versions"] for s in summary),
        "exceptionnelles": sum(s["exceptionnelles"] for s in summary),
    }
