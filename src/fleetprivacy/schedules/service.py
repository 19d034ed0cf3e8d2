"""Rules of private-life schedules: who may read or write whose, when "now" is, and the audit trail.

The rules of time (merge by day, the rule of the past, exceptional periods, DST) are the pure
engine's (`schedules.engine`); this module loads an individual's history, hands it to the engine
and stores what the engine answers. Writes take a `now_ms` parameter so that tests can travel in
time; `None` (what the routes pass) means the real clock, read only once the individual is locked,
so that concurrent writers see increasing instants in the order they are serialized.
"""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from fleetprivacy.auth.models import User
from fleetprivacy.core import audit
from fleetprivacy.core.dates import parse_ocean_datetime
from fleetprivacy.core.errors import BadInput, NotFound
from fleetprivacy.core.tenancy import Ctx, get_owned, system_ctx
from fleetprivacy.reference.models import Individu
from fleetprivacy.reference.service import individu_out
from fleetprivacy.schedules import engine, repository
from fleetprivacy.schedules.models import ScheduleExtension, ScheduleSlot

RECURRING = "recurring_schedule"
EXCEPTIONAL = "exceptional_schedule"
DESCRIPTION_MAX = 255
ID_MAX = 2**63  # ids are 64-bit; a larger number is bad input, not a database error


def clock_ms() -> int:
    """The real clock, epoch milliseconds."""
    return time.time_ns() // 1_000_000


def actor_id(ctx: Ctx) -> int | None:
    """The acting user's id, None for the command line."""
    return ctx.user_id or None


def record_change(
    session: Session, ctx: Ctx, action: str, object_type: str, individu_id: int, before: Any, after: Any
) -> None:
    """Append a schedule change of one individual to the audit log (object id = the individual)."""
    audit.record(
        session, customer_id=ctx.customer_id, user_id=actor_id(ctx), user_login=ctx.login, action=action,
        object_type=object_type, object_id=individu_id, before=before, after=after,
    )


# --- access ---------------------------------------------------------------------------------


def _individu(session: Session, ctx: Ctx, individu_id: int, param: str = "individuId") -> Individu:
    """The customer's individual, or 404; a DRIVER reaches only their own (another one looks missing)."""
    individu = get_owned(session, Individu, individu_id, ctx, f"{param}: individu")
    if ctx.is_driver and individu.id != ctx.individu_id:
        raise NotFound(f"{param}: individu {individu_id} not found")
    return individu


def _listed_individus(session: Session, ctx: Ctx, individu_id: int | None) -> list[int] | None:
    """The individuals a GET covers: the one asked for, the driver's own, or None for all the customer's."""
    if individu_id is not None:
        return [_individu(session, ctx, individu_id).id]
    if ctx.is_driver:
        return [ctx.individu_id] if ctx.individu_id is not None else []
    return None


def _now(now_ms: int | None) -> int:
    return clock_ms() if now_ms is None else now_ms


# --- input ----------------------------------------------------------------------------------


def _date(text: str | None, ctx: Ctx, param: str) -> int | None:
    return None if text is None else parse_ocean_datetime(text, ctx.tz, param)


def _inner_map(body: object, required: bool) -> Mapping[str, Any] | None:
    """`body.innerMap.map`, or None when absent and not required."""
    if body is None or (isinstance(body, Mapping) and "innerMap" not in body):
        if required:
            raise BadInput('innerMap: the body must be {"innerMap": {"map": {DAY: {typeHoraires: [slots]}}}}')
        return None
    if not isinstance(body, Mapping):
        raise BadInput('innerMap: the body must be an object {"innerMap": {"map": {...}}}')
    unknown = sorted(set(body) - {"innerMap"})
    if unknown:
        raise BadInput(f"{unknown[0]}: not a known field of the body (expected innerMap)")
    inner = body["innerMap"]
    if not isinstance(inner, Mapping) or "map" not in inner:
        raise BadInput('innerMap: expected an object {"map": {DAY: {typeHoraires: [slots]}}}')
    return inner["map"]  # type: ignore[no-any-return]


def _ids(values: Sequence[str] | None, param: str) -> list[int]:
    """Ids given repeated (`?x=1&x=2`) or comma-separated (`?x=1,2`), in order, without duplicates."""
    out: list[int] = []
    for value in values or ():
        for part in value.split(","):
            part = part.strip()
            if not part:
                continue
            if not (part.isascii() and part.isdigit()) or int(part) >= ID_MAX:
                raise BadInput(f"{param}: {part!r} is not an id (integers, repeated or comma-separated)")
            number = int(part)
            if number not in out:
                out.append(number)
    if not out:
        raise BadInput(f"{param} is required: one or several ids, repeated or comma-separated")
    return out


# --- wire -----------------------------------------------------------------------------------


def horaire_out(definition: ScheduleSlot) -> dict[str, Any]:
    """The `horaire` object: the slot definition with its own id (an end of day reads 24:00)."""
    wire = engine.slot_to_wire(engine.Slot(definition.day, definition.kind, definition.start_min, definition.end_min))
    return {
        "id": definition.id,
        "idJourSemaine": wire["idJourSemaine"],
        "typeHoraires": wire["typeHoraires"],
        "debutHeure": wire["debutHeure"],
        "finHeure": wire["finHeure"],
        "debutMinute": wire["debutMinute"],
        "finMinute": wire["finMinute"],
    }


def version_snapshot(version: engine.Version) -> dict[str, Any]:
    """A version as the audit log keeps it."""
    return {"id": version.id, "debut": version.start_ms, "fin": version.end_ms,
            "horaires": [engine.slot_to_wire(s) for s in version.slots]}


def period_snapshot(period: engine.ExceptionalPeriod) -> dict[str, Any]:
    """An exceptional period as the audit log keeps it."""
    return {"id": period.id, "description": period.description, "debut": period.start_ms, "fin": period.end_ms,
            "wholePeriod": not period.slots, "horaires": [engine.slot_to_wire(s) for s in period.slots]}


def _utilisateur_out(user: User | None, individus: Mapping[int, Individu]) -> dict[str, Any] | None:
    if user is None:
        return None
    individu = individus.get(user.individu_id) if user.individu_id is not None else None
    return {
        "id": user.id,
        "nomUti": individu.nom_ind if individu else None,
        "prenomUti": individu.prenom_ind if individu else None,
        "loginUti": user.login,
        "emailUti": individu.email if individu else None,
        "suppressionLogique": user.suppression_logique,
        "individu": individu_out(individu).model_dump() if individu else None,
        "utilisateurType": "CLASSIC",
        "dateFinValidite": None,
    }


# --- the rule of the past, checked once more before anything is stored --------------------------


def _past(items: Sequence[engine.Version] | Sequence[engine.ExceptionalPeriod], now_ms: int) -> list[Any]:
    # What was in force before now: each item's part before now, with its slots.
    return sorted(
        (item.start_ms, min(item.end_ms if item.end_ms is not None else now_ms, now_ms), item.slots)
        for item in items
        if item.start_ms < now_ms
    )


def _assert_past_unchanged(before: Sequence[Any], after: Sequence[Any], now_ms: int) -> None:
    if _past(before, now_ms) != _past(after, now_ms):  # the engine guarantees it; a bug must not store
        raise AssertionError("a schedule write would change what was in force before now")


# --- recurring schedules --------------------------------------------------------------------


def list_recurring(
    session: Session, ctx: Ctx, individu_id: int | None, historique: bool = False, now_ms: int | None = None
) -> list[dict[str, Any]]:
    """GET rows: one per slot of the versions in force now or later (`historique`: past versions too)."""
    ids = _listed_individus(session, ctx, individu_id)
    if ids == []:
        return []
    after = None if historique else _now(now_ms)
    histories = repository.load_histories(session, ctx, ids, after_ms=after)
    people = repository.individus(session, ctx, histories)
    rows: list[dict[str, Any]] = []
    for ind_id in sorted(histories):
        history = histories[ind_id]
        if not history.versions:
            continue
        individu = individu_out(people[ind_id]).model_dump()
        for version in history.versions:
            assert version.id is not None
            for slot in version.slots:
                link, definition = history.slots[version.id][slot]
                rows.append({"id": link.id, "individu": individu, "horaire": horaire_out(definition),
                             "debut": version.start_ms, "fin": version.end_ms})
    return rows


def post_recurring(
    session: Session,
    ctx: Ctx,
    individu_id: int,
    body: object,
    date_debut: str | None = None,
    date_fin: str | None = None,
    now_ms: int | None = None,
) -> bool:
    """Create/modify: the days present replace theirs from max(dateDebut, now) until dateFin (or open-ended)."""
    start = _date(date_debut, ctx, "dateDebut")
    end = _date(date_fin, ctx, "dateFin")
    day_map = engine.parse_inner_map(_inner_map(body, required=True))
    _individu(session, ctx, individu_id)
    repository.lock_individus(session, ctx, [individu_id])
    now = _now(now_ms)
    history = repository.load_histories(session, ctx, [individu_id])[individu_id]
    new = engine.apply_post(history.versions, day_map, start, end, now)
    _store_versions(session, ctx, individu_id, history, new, now, "MODIFY")
    return True


def delete_recurring(
    session: Session, ctx: Ctx, individu_id: int, horaire_individu_ids: Sequence[str] | None,
    now_ms: int | None = None,
) -> None:
    """DELETE slots by GET row id: the version in force is closed now and reopened with what remains."""
    ids = _ids(horaire_individu_ids, "horaireIndividuIds")
    _individu(session, ctx, individu_id)
    repository.lock_individus(session, ctx, [individu_id])
    now = _now(now_ms)
    history = repository.load_histories(session, ctx, [individu_id])[individu_id]
    index = {version.id: i for i, version in enumerate(history.versions)}
    removed: dict[int, set[engine.Slot]] = {}
    for row_id in ids:
        found = history.slot_row(row_id)
        if found is None:
            raise NotFound(f"horaireIndividuIds: {row_id} is not a schedule slot of individu {individu_id}")
        version_id, slot = found
        removed.setdefault(index[version_id], set()).add(slot)
    new = engine.apply_delete(history.versions, removed, now)
    _store_versions(session, ctx, individu_id, history, new, now, "DELETE_SLOTS")


def _store_versions(
    session: Session, ctx: Ctx, individu_id: int, history: repository.History, new: list[engine.Version],
    now: int, action: str,
) -> None:
    engine.check_history(new)
    _assert_past_unchanged(history.versions, new, now)
    stored = repository.store_history(session, ctx, individu_id, history, new, created_by=actor_id(ctx))
    # The audit trail keeps the versions that changed: as they were, and as they are now.
    unchanged = set(history.versions) & set(new)
    before = [version_snapshot(v) for v in history.versions if v not in unchanged]
    after = [version_snapshot(v) for v, proposed in zip(stored, new, strict=True) if proposed not in unchanged]
    record_change(session, ctx, action, RECURRING, individu_id, before, after)


# --- exceptional periods --------------------------------------------------------------------


def list_exceptional(
    session: Session, ctx: Ctx, individu_id: int | None, date_debut: str | None = None, date_fin: str | None = None
) -> list[dict[str, Any]]:
    """GET: the periods (of one individual or all the customer's) overlapping the optional window."""
    start = _date(date_debut, ctx, "dateDebut")
    end = _date(date_fin, ctx, "dateFin")
    if start is not None and end is not None and end <= start:
        raise BadInput(f"dateFin: must be after dateDebut ({date_debut}); got {date_fin}")
    ids = _listed_individus(session, ctx, individu_id)
    if ids == []:
        return []
    by_individu = repository.load_periods(session, ctx, ids, after_ms=start, before_ms=end)
    people = repository.individus(session, ctx, by_individu)
    creators = {row.created_by for p in by_individu.values() for row in p.rows if row.created_by is not None}
    users = {u.id: u for u in session.scalars(select(User).where(User.id.in_(creators)))} if creators else {}
    user_individus = repository.individus(session, ctx, (u.individu_id for u in users.values() if u.individu_id))
    out: list[dict[str, Any]] = []
    for ind_id in sorted(by_individu):
        periods = by_individu[ind_id]
        if not periods.rows:
            continue
        individu = individu_out(people[ind_id]).model_dump()
        for row in periods.rows:
            out.append({
                "id": row.id,
                "extension": {"id": row.id, "description": row.description},
                "description": row.description,
                "utilisateur": _utilisateur_out(users.get(row.created_by) if row.created_by else None,
                                                user_individus),
                "individu": individu,
                "debut": row.start_ms,
                "fin": row.end_ms,
                "horairesIndividu": [
                    {"id": link.id, "individu": individu, "horaire": horaire_out(definition),
                     "debut": row.start_ms, "fin": row.end_ms}
                    for link, definition in periods.slots[row.id]
                ],
            })
    return out


def _period_slots(day_map: Mapping[str, Sequence[engine.Slot]] | None) -> tuple[engine.Slot, ...] | None:
    if day_map is None:
        return None
    return engine.merge_day_slots(slot for slots in day_map.values() for slot in slots)


def post_exceptional(
    session: Session,
    ctx: Ctx,
    individu_id: int,
    description: str | None = None,
    date_debut: str | None = None,
    date_fin: str | None = None,
    extension_id_to_update: int | None = None,
    body: object = None,
    now_ms: int | None = None,
) -> bool:
    """Create an exceptional period, or update one from now on (`extensionIdToUpdate`)."""
    start = _date(date_debut, ctx, "dateDebut")
    end = _date(date_fin, ctx, "dateFin")
    if description is not None and len(description) > DESCRIPTION_MAX:
        raise BadInput(f"description: at most {DESCRIPTION_MAX} characters, got {len(description)}")
    inner = _inner_map(body, required=False)
    slots = _period_slots(None if inner is None else engine.parse_inner_map(inner))
    if extension_id_to_update is None:
        if start is None:
            raise BadInput(f"dateDebut is required for a new exceptional period ({'dd/MM/yyyy HH:mm:ss Z'})")
        if end is None:
            raise BadInput(f"dateFin is required for a new exceptional period ({'dd/MM/yyyy HH:mm:ss Z'})")
    _individu(session, ctx, individu_id)
    repository.lock_individus(session, ctx, [individu_id])
    now = _now(now_ms)
    current = repository.load_periods(session, ctx, [individu_id])[individu_id]
    rows = {row.id: row for row in current.rows}
    if extension_id_to_update is None:
        assert start is not None and end is not None
        wanted = engine.ExceptionalPeriod(start, end, slots or (), description or "")
        stored = engine.validate_new_period(current.periods, wanted, now)
        created = save_period(session, ctx, individu_id, None, stored)
        record_change(session, ctx, "CREATE", EXCEPTIONAL, individu_id, None, [period_snapshot(created)])
        return True
    old = next((p for p in current.periods if p.id == extension_id_to_update), None)
    if old is None:
        raise NotFound(f"extensionIdToUpdate: exceptional period {extension_id_to_update} not found")
    wanted = engine.ExceptionalPeriod(
        old.start_ms if start is None else start,
        old.end_ms if end is None else end,
        old.slots if slots is None else slots,
        old.description if description is None else description,
    )
    kept, stored = engine.update_period(current.periods, extension_id_to_update, wanted, now)
    after_periods = [p for p in current.periods if p.id != old.id] + [p for p in (kept, stored) if p is not None]
    _assert_past_unchanged(current.periods, after_periods, now)
    row = rows[old.id]
    after: list[dict[str, Any]] = []
    if kept is not None:
        after.append(period_snapshot(save_period(session, ctx, individu_id, (row, current.slots[row.id]), kept)))
        if stored is not None:
            after.append(period_snapshot(save_period(session, ctx, individu_id, None, stored)))
    elif stored is not None:  # entirely in the future: replaced in place, same id
        after.append(period_snapshot(save_period(session, ctx, individu_id, (row, current.slots[row.id]), stored)))
    else:  # an entirely future period "updated" to end before now: nothing of it remains
        repository.delete_period(session, ctx, row)
    record_change(session, ctx, "UPDATE", EXCEPTIONAL, individu_id, [period_snapshot(old)], after)
    return True


def save_period(
    session: Session,
    ctx: Ctx,
    individu_id: int,
    existing: tuple[ScheduleExtension, Sequence[Any]] | None,
    period: engine.ExceptionalPeriod,
    imported: bool = False,
) -> engine.ExceptionalPeriod:
    """Store a period (new row, or the existing one updated; a period without slots stores its display);
    returns it with its id."""
    if existing is None:
        row = ScheduleExtension(
            customer_id=ctx.customer_id, individu_id=individu_id, created_by=actor_id(ctx), imported=imported
        )
        session.add(row)
        current: Sequence[Any] = ()
    else:
        row, current = existing
    row.description = period.description
    row.start_ms, row.end_ms = period.start_ms, period.end_ms
    row.whole_period = not period.slots
    session.flush()
    slots = period.slots if period.slots else _display_slots(period, ctx)
    repository.store_period_slots(session, ctx, row, slots, current)
    return replace(period, id=row.id)


def _display_slots(period: engine.ExceptionalPeriod, ctx: Ctx) -> tuple[engine.Slot, ...]:
    """One VIE_PRIVEE_EXCEPTIONNELLE slot per local day the period touches, as the engine displays it;
    slots are weekly, so the same weekday seen twice is one slot (merged)."""
    if period.end_ms - period.start_ms > _DISPLAY_SPAN_MS:
        # Nine days hold every weekday whole at least once: the display of any longer period is the
        # same (seven 00:00-24:00 slots), so a period of years is not walked day by day.
        period = replace(period, end_ms=period.start_ms + _DISPLAY_SPAN_MS)
    wires = engine.exceptional_display_slots(period, ctx.tz)
    return engine.merge_day_slots(engine.slot_from_wire(wire, "display") for wire in wires)


_DISPLAY_SPAN_MS = 9 * engine.DAY_MS


def delete_exceptional(
    session: Session, ctx: Ctx, horaire_extension_ids: Sequence[str] | None, now_ms: int | None = None
) -> None:
    """DELETE periods by id; only periods entirely in the future (nothing of them has been in force)."""
    ids = _ids(horaire_extension_ids, "horaireExtensionIds")
    owners: dict[int, int] = {}
    for period_id in ids:
        row = get_owned(session, ScheduleExtension, period_id, ctx, "horaireExtensionIds: exceptional period")
        if ctx.is_driver and row.individu_id != ctx.individu_id:
            raise NotFound(f"horaireExtensionIds: exceptional period {period_id} not found")
        owners[period_id] = row.individu_id
    repository.lock_individus(session, ctx, owners.values())
    now = _now(now_ms)
    by_individu = repository.load_periods(session, ctx, sorted(set(owners.values())))
    found = {
        period.id: (ind_id, period, row)
        for ind_id, periods in by_individu.items()
        for period, row in zip(periods.periods, periods.rows, strict=True)
    }
    for period_id in ids:
        if period_id not in found:  # deleted meanwhile by another request
            raise NotFound(f"horaireExtensionIds: exceptional period {period_id} not found")
        _ind, period, _row = found[period_id]
        if not engine.can_delete_period(period, now):
            raise BadInput(
                f"horaireExtensionIds: exceptional period {period_id} has already started (debut {period.start_ms}); "
                "only periods entirely in the future can be deleted"
            )
    for period_id in ids:
        ind_id, period, row = found[period_id]
        repository.delete_period(session, ctx, row)
        record_change(session, ctx, "DELETE", EXCEPTIONAL, ind_id, [period_snapshot(period)], None)


# --- private time ---------------------------------------------------------------------------


def private_intervals_for(
    session: Session, ctx_or_customer: Ctx | int, individu_id: int, start_ms: int, end_ms: int
) -> list[tuple[int, int]]:
    """Sorted, disjoint UTC intervals of the individual's private time within `[start_ms, end_ms)`."""
    ctx = ctx_or_customer if isinstance(ctx_or_customer, Ctx) else system_ctx(session, ctx_or_customer)
    if start_ms >= end_ms:
        return []
    history = repository.load_histories(session, ctx, [individu_id], after_ms=start_ms, before_ms=end_ms)
    periods = repository.load_periods(session, ctx, [individu_id], after_ms=start_ms, before_ms=end_ms)
    return engine.private_intervals(
        history[individu_id].versions, periods[individu_id].periods, ctx.tz, start_ms, end_ms
    )
