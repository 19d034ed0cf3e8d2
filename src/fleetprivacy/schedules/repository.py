"""Queries of schedules: load an individual's history as engine values, store the engine's answer back.

Every query starts from `scoped(...)`: rows of another customer are never read or written.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace

from sqlalchemy import delete, or_, select
from sqlalchemy.orm import Session

from fleetprivacy.core.tenancy import Ctx, scoped
from fleetprivacy.reference.models import Individu
from fleetprivacy.schedules import engine
from fleetprivacy.schedules.models import (
    ScheduleExtension,
    ScheduleExtensionSlot,
    ScheduleSlot,
    ScheduleVersion,
    ScheduleVersionSlot,
)


def lock_individus(session: Session, ctx: Ctx, individu_ids: Iterable[int]) -> None:
    """Serialize schedule writes per individual until the transaction ends.

    PostgreSQL: `SELECT ... FOR NO KEY UPDATE` on the individus rows, in id order (no deadlock
    between writers of several individuals); it excludes other schedule writers of those individuals
    but not inserts elsewhere that merely reference them. SQLite: the clause is not rendered; every
    write transaction already starts with `BEGIN IMMEDIATE` (see db.py), which serializes all writers.
    """
    ids = sorted(set(individu_ids))
    if ids:
        stmt = (
            scoped(Individu, ctx).where(Individu.id.in_(ids)).order_by(Individu.id).with_for_update(key_share=True)
        )
        session.execute(stmt.execution_options(populate_existing=True)).all()


def _slot(definition: ScheduleSlot) -> engine.Slot:
    return engine.Slot(definition.day, definition.kind, definition.start_min, definition.end_min)


@dataclass
class History:
    """An individual's recurring versions: rows, engine values (same order, id = row id), slot rows."""

    rows: list[ScheduleVersion] = field(default_factory=list)
    versions: list[engine.Version] = field(default_factory=list)
    # version id -> engine slot -> (slot-in-version row, slot definition)
    slots: dict[int, dict[engine.Slot, tuple[ScheduleVersionSlot, ScheduleSlot]]] = field(default_factory=dict)

    def slot_row(self, row_id: int) -> tuple[int, engine.Slot] | None:
        """(version id, slot) of a slot-in-version row id, if it is one of this history's."""
        for version_id, by_slot in self.slots.items():
            for slot, (row, _definition) in by_slot.items():
                if row.id == row_id:
                    return version_id, slot
        return None


def load_histories(
    session: Session,
    ctx: Ctx,
    individu_ids: Sequence[int] | None,
    *,
    after_ms: int | None = None,
    before_ms: int | None = None,
) -> dict[int, History]:
    """Histories by individual (all the customer's when `individu_ids` is None), optionally only the
    versions in force somewhere in `[after_ms, before_ms)`."""
    stmt = scoped(ScheduleVersion, ctx).order_by(ScheduleVersion.individu_id, ScheduleVersion.start_ms)
    if individu_ids is not None:
        stmt = stmt.where(ScheduleVersion.individu_id.in_(list(individu_ids)))
    if after_ms is not None:
        stmt = stmt.where(or_(ScheduleVersion.end_ms.is_(None), ScheduleVersion.end_ms > after_ms))
    if before_ms is not None:
        stmt = stmt.where(ScheduleVersion.start_ms < before_ms)
    rows = list(session.scalars(stmt.execution_options(populate_existing=True)))
    histories: dict[int, History] = {i: History() for i in individu_ids or ()}
    if not rows:
        return histories
    slots: dict[int, dict[engine.Slot, tuple[ScheduleVersionSlot, ScheduleSlot]]] = {r.id: {} for r in rows}
    pairs = session.execute(
        select(ScheduleVersionSlot, ScheduleSlot)
        .join(ScheduleSlot, ScheduleSlot.id == ScheduleVersionSlot.slot_id)
        .where(
            ScheduleVersionSlot.customer_id == ctx.customer_id,
            ScheduleVersionSlot.version_id.in_(list(slots)),
        )
        .execution_options(populate_existing=True)
    )
    for link, definition in pairs:
        slots[link.version_id][_slot(definition)] = (link, definition)
    for row in rows:
        history = histories.setdefault(row.individu_id, History())
        history.rows.append(row)
        history.versions.append(
            engine.Version(row.start_ms, row.end_ms, engine.merge_day_slots(slots[row.id]), row.id)
        )
        history.slots[row.id] = slots[row.id]
    return histories


@dataclass
class Periods:
    """An individual's exceptional periods: rows, engine values (same order), slot rows."""

    rows: list[ScheduleExtension] = field(default_factory=list)
    periods: list[engine.ExceptionalPeriod] = field(default_factory=list)
    # period id -> [(slot row, slot definition)] in display order
    slots: dict[int, list[tuple[ScheduleExtensionSlot, ScheduleSlot]]] = field(default_factory=dict)


def load_periods(
    session: Session,
    ctx: Ctx,
    individu_ids: Sequence[int] | None,
    *,
    after_ms: int | None = None,
    before_ms: int | None = None,
) -> dict[int, Periods]:
    """Exceptional periods by individual, optionally only those overlapping `[after_ms, before_ms)`."""
    stmt = scoped(ScheduleExtension, ctx).order_by(ScheduleExtension.individu_id, ScheduleExtension.start_ms)
    if individu_ids is not None:
        stmt = stmt.where(ScheduleExtension.individu_id.in_(list(individu_ids)))
    if after_ms is not None:
        stmt = stmt.where(ScheduleExtension.end_ms > after_ms)
    if before_ms is not None:
        stmt = stmt.where(ScheduleExtension.start_ms < before_ms)
    rows = list(session.scalars(stmt.execution_options(populate_existing=True)))
    result: dict[int, Periods] = {i: Periods() for i in individu_ids or ()}
    if not rows:
        return result
    slots: dict[int, list[tuple[ScheduleExtensionSlot, ScheduleSlot]]] = {r.id: [] for r in rows}
    pairs = session.execute(
        select(ScheduleExtensionSlot, ScheduleSlot)
        .join(ScheduleSlot, ScheduleSlot.id == ScheduleExtensionSlot.slot_id)
        .where(
            ScheduleExtensionSlot.customer_id == ctx.customer_id,
            ScheduleExtensionSlot.period_id.in_(list(slots)),
        )
        .execution_options(populate_existing=True)
    )
    for link, definition in pairs:
        slots[link.period_id].append((link, definition))
    for row in rows:
        # Display order: by day of the week, then start; the same order as the engine's slots.
        ordered = sorted(slots[row.id], key=lambda pair: (engine.DAYS.index(pair[1].day), pair[1].start_min,
                                                          pair[1].end_min, pair[1].kind))
        own = () if row.whole_period else engine.merge_day_slots(_slot(d) for _link, d in ordered)
        entry = result.setdefault(row.individu_id, Periods())
        entry.rows.append(row)
        entry.periods.append(engine.ExceptionalPeriod(row.start_ms, row.end_ms, own, row.description, row.id))
        entry.slots[row.id] = ordered
    return result


def definitions(
    session: Session, ctx: Ctx, individu_id: int, slots: Iterable[engine.Slot]
) -> dict[engine.Slot, ScheduleSlot]:
    """The individual's slot definitions for `slots`, created where missing (call under the individual's lock)."""
    wanted = set(slots)
    if not wanted:
        return {}
    existing = {
        _slot(d): d
        for d in session.scalars(scoped(ScheduleSlot, ctx).where(ScheduleSlot.individu_id == individu_id))
    }
    created = False
    for slot in wanted - existing.keys():
        definition = ScheduleSlot(
            customer_id=ctx.customer_id, individu_id=individu_id, day=slot.day, kind=slot.kind,
            start_min=slot.start_min, end_min=slot.end_min,
        )
        session.add(definition)
        existing[slot] = definition
        created = True
    if created:
        session.flush()
    return {slot: existing[slot] for slot in wanted}


def store_history(
    session: Session,
    ctx: Ctx,
    individu_id: int,
    history: History,
    new: Sequence[engine.Version],
    *,
    created_by: int | None,
    imported: bool = False,
) -> list[engine.Version]:
    """Make the stored versions equal `new` (versions keeping an id are updated, others created or
    removed); returns `new` with every id filled in."""
    by_id = {row.id: row for row in history.rows}
    kept = {v.id for v in new if v.id is not None}
    removed = [vid for vid in by_id if vid not in kept]
    if removed:
        scope = ScheduleVersionSlot.customer_id == ctx.customer_id
        session.execute(delete(ScheduleVersionSlot).where(scope, ScheduleVersionSlot.version_id.in_(removed)))
        session.execute(
            delete(ScheduleVersion).where(
                ScheduleVersion.customer_id == ctx.customer_id, ScheduleVersion.id.in_(removed)
            )
        )
    defs = definitions(session, ctx, individu_id, (slot for v in new for slot in v.slots))
    stored: list[engine.Version] = []
    for version in new:
        if version.id is None:
            row = ScheduleVersion(
                customer_id=ctx.customer_id, individu_id=individu_id, start_ms=version.start_ms,
                end_ms=version.end_ms, created_by=created_by, imported=imported,
            )
            session.add(row)
            session.flush()
            current: dict[engine.Slot, tuple[ScheduleVersionSlot, ScheduleSlot]] = {}
        else:
            row = by_id[version.id]
            row.start_ms, row.end_ms = version.start_ms, version.end_ms
            current = history.slots.get(version.id, {})
        for slot, (link, _definition) in current.items():
            if slot not in version.slots:
                session.delete(link)
        for slot in version.slots:
            if slot not in current:
                session.add(ScheduleVersionSlot(customer_id=ctx.customer_id, version_id=row.id, slot_id=defs[slot].id))
        stored.append(replace(version, id=row.id))
    session.flush()
    return stored


def store_period_slots(
    session: Session,
    ctx: Ctx,
    row: ScheduleExtension,
    slots: Sequence[engine.Slot],
    current: Sequence[tuple[ScheduleExtensionSlot, ScheduleSlot]] = (),
) -> None:
    """Make a period's stored slots equal `slots` (a surviving slot keeps its row id)."""
    defs = definitions(session, ctx, row.individu_id, slots)
    have = {_slot(definition): link for link, definition in current}
    for slot, link in have.items():
        if slot not in defs:
            session.delete(link)
    for slot in slots:
        if slot not in have:
            session.add(ScheduleExtensionSlot(customer_id=ctx.customer_id, period_id=row.id, slot_id=defs[slot].id))
    session.flush()


def delete_period(session: Session, ctx: Ctx, row: ScheduleExtension) -> None:
    """Remove a period and its slots."""
    session.execute(
        delete(ScheduleExtensionSlot).where(
            ScheduleExtensionSlot.customer_id == ctx.customer_id, ScheduleExtensionSlot.period_id == row.id
        )
    )
    session.delete(row)
    session.flush()


def has_history(session: Session, ctx: Ctx, individu_id: int) -> bool:
    """True when the individual has any recurring version or exceptional period."""
    for model in (ScheduleVersion, ScheduleExtension):
        stmt = scoped(model, ctx).where(model.individu_id == individu_id).limit(1)
        if session.scalars(stmt).first() is not None:
            return True
    return False


def individus(session: Session, ctx: Ctx, ids: Iterable[int]) -> dict[int, Individu]:
    """The customer's individuals among `ids`, by id."""
    wanted = list(set(ids))
    if not wanted:
        return {}
    return {i.id: i for i in session.scalars(scoped(Individu, ctx).where(Individu.id.in_(wanted)))}
