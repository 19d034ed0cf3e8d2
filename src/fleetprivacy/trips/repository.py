"""Queries of the trips domain. Every statement is restricted to the context's customer.

Bulk paths use SQLAlchemy Core (no ORM object per position): positions are inserted with one
executemany of the dialect's "insert, ignore duplicates" (`INSERT OR IGNORE` on SQLite,
`ON CONFLICT DO NOTHING` on PostgreSQL) and read back as plain rows.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from operator import itemgetter
from typing import Any

import numpy as np
from sqlalchemy import Row, and_, delete, exists, func, insert, or_, select, text, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.dialects.postgresql import psycopg as pg_psycopg
from sqlalchemy.orm import Session

from fleetprivacy.core.dates import aware_to_ms
from fleetprivacy.core.errors import NotFound
from fleetprivacy.core.tenancy import Ctx, scoped
from fleetprivacy.reference.models import Affectation, Individu, Vehicle
from fleetprivacy.trips.models import ORIGIN_POSITIONS, STOP, Etape, Position
from fleetprivacy.trips.segmentation import Fix

# Position columns in the order of the segmenter's Fix fields: a row read back is a Fix.
FIX_COLUMNS = tuple(getattr(Position, name) for name in Fix._fields)
STEP_COLUMNS = tuple(c for c in Etape.__table__.c if c.name != "customer_id")


# --- vehicles, drivers ----------------------------------------------------------------------


def vehicle_by_numero(session: Session, ctx: Ctx, numero_embarque: int) -> Vehicle:
    """The customer's vehicle with this on-board unit number, or 404."""
    vehicle = session.scalar(scoped(Vehicle, ctx).where(Vehicle.numero_embarque == numero_embarque))
    if vehicle is None:
        raise NotFound(f"numeroEmbarque {numero_embarque}: no such vehicle")
    return vehicle


def vehicles_by_immatriculation(session: Session, ctx: Ctx, immatriculations: Sequence[str]) -> list[Vehicle]:
    """The customer's vehicles with these plates, in the order given; 404 naming the first unknown one."""
    found: dict[str, Vehicle] = {}
    for v in session.scalars(scoped(Vehicle, ctx).where(Vehicle.immatriculation.in_(set(immatriculations)))
                             .order_by(Vehicle.id)):
        found.setdefault(v.immatriculation, v)
    out: list[Vehicle] = []
    for immat in dict.fromkeys(immatriculations):
        if immat not in found:
            raise NotFound(f"immatriculation {immat!r}: no such vehicle")
        out.append(found[immat])
    return out


def live_vehicles(session: Session, ctx: Ctx) -> list[Vehicle]:
    """Every vehicle of the customer that is not logically deleted, by id."""
    return list(session.scalars(scoped(Vehicle, ctx).where(Vehicle.suppression_logique.is_(False)).order_by(Vehicle.id)))


def lock_vehicle(session: Session, ctx: Ctx, vehicle_id: int) -> None:
    """Serialise the ingestions of one vehicle (PostgreSQL row lock; SQLite's writers already queue)."""
    session.execute(select(Vehicle.id).where(Vehicle.customer_id == ctx.customer_id, Vehicle.id == vehicle_id)
                    .with_for_update())


def individus_by_badge(session: Session, ctx: Ctx, badges: Iterable[str]) -> dict[str, int]:
    """Badge -> individual id, for the badges that name one of the customer's individuals."""
    wanted = {b for b in badges if b is not None}
    if not wanted:
        return {}
    stmt = scoped(Individu, ctx).with_only_columns(Individu.badge, Individu.id).where(Individu.badge.in_(wanted))
    return {b: i for b, i in session.execute(stmt)}


def affectations_ms(session: Session, ctx: Ctx, vehicle_id: int) -> list[tuple[int, int | None, int]]:
    """The vehicle's live assignments as (start_ms, end_ms or None, individu_id), by start."""
    stmt = (scoped(Affectation, ctx)
            .with_only_columns(Affectation.debut_at, Affectation.fin_at, Affectation.individu_id)
            .where(Affectation.vehicle_id == vehicle_id, Affectation.suppression_logique.is_(False))
            .order_by(Affectation.debut_at))
    out = []
    for debut, fin, ind in session.execute(stmt):
        out.append((_ms(debut), None if fin is None else _ms(fin), ind))
    return out


def _ms(value: datetime) -> int:
    return aware_to_ms(value)


def individus(session: Session, ctx: Ctx, ids: Iterable[int | None]) -> dict[int, Individu]:
    """The customer's individuals with these ids."""
    wanted = {i for i in ids if i is not None}
    if not wanted:
        return {}
    return {i.id: i for i in session.scalars(scoped(Individu, ctx).where(Individu.id.in_(wanted)))}


# --- positions ------------------------------------------------------------------------------


def existing_instants(session: Session, ctx: Ctx, vehicle_id: int, lo_ms: int, hi_ms: int) -> np.ndarray:
    """Instants already stored for the vehicle within [lo_ms, hi_ms], sorted."""
    stmt = (select(Position.t_ms)
            .where(Position.vehicle_id == vehicle_id, Position.t_ms >= lo_ms, Position.t_ms <= hi_ms,
                   Position.customer_id == ctx.customer_id)
            .order_by(Position.t_ms))
    return np.fromiter(session.scalars(stmt), dtype=np.int64)


def load_fixes(session: Session, ctx: Ctx, vehicle_id: int, since_ms: int | None) -> list[Fix]:
    """The vehicle's stored positions from ``since_ms`` on (all if None), as segmenter fixes, by time."""
    stmt = select(*FIX_COLUMNS).where(Position.vehicle_id == vehicle_id, Position.customer_id == ctx.customer_id)
    if since_ms is not None:
        stmt = stmt.where(Position.t_ms >= since_ms)
    make = Fix._make
    return [make(row) for row in session.execute(stmt.order_by(Position.t_ms))]


def insert_positions(session: Session, ctx: Ctx, vehicle_id: int, fixes: Sequence[Fix]) -> None:
    """Bulk insert, silently skipping instants the vehicle already has (idempotent re-sends)."""
    if not fixes:
        return
    if session.get_bind().dialect.name == "postgresql":
        _insert_positions_pg(session, ctx, vehicle_id, fixes)
        return
    sql, order = _insert_ignore_sql(session)
    head = (ctx.customer_id, vehicle_id)
    if order is None:  # the statement takes (customer_id, vehicle_id, *Fix) as they come
        rows = [head + f for f in fixes]
    else:
        pick = itemgetter(*order)
        rows = [pick(head + f) for f in fixes]
    # One executemany of plain tuples: at 50k rows a second, SQLAlchemy's per-row parameter
    # processing would cost more than the database itself.
    session.connection().exec_driver_sql(sql, rows)


# PostgreSQL array type of each Fix field, for the one-statement insert from unnest().
_PG_ARRAYS = {"t_ms": "BIGINT[]", "lat": "FLOAT8[]", "lon": "FLOAT8[]", "speed_kmh": "FLOAT8[]",
              "ignition": "BOOLEAN[]", "odometer_m": "FLOAT8[]", "fuel_used_l": "FLOAT8[]",
              "energy_used_kwh": "FLOAT8[]", "soc_pct": "FLOAT8[]", "privacy": "BOOLEAN[]", "badge": "TEXT[]"}
_PG_INSERT: list[Any] = []


def _insert_positions_pg(session: Session, ctx: Ctx, vehicle_id: int, fixes: Sequence[Fix]) -> None:
    # One statement per batch: the columns travel as arrays and unnest() turns them back into rows
    # (an executemany costs a network round trip's worth of work per row, even pipelined).
    if not _PG_INSERT:
        arrays = ", ".join(f"CAST(:{name} AS {_PG_ARRAYS[name]})" for name in Fix._fields)
        rows = text(f"SELECT :customer_id, :vehicle_id, u.* FROM unnest({arrays}) AS u").columns(
            *(Position.__table__.c[name] for name in _INSERT_COLUMNS))
        _PG_INSERT.append(postgresql.insert(Position.__table__).from_select(list(_INSERT_COLUMNS), rows)
                          .on_conflict_do_nothing(index_elements=["vehicle_id", "t_ms"]))
    columns = [list(col) for col in zip(*fixes)]
    params = {"customer_id": ctx.customer_id, "vehicle_id": vehicle_id, **dict(zip(Fix._fields, columns))}
    session.execute(_PG_INSERT[0], params)


_INSERT_COLUMNS = ("customer_id", "vehicle_id", *Fix._fields)
_INSERT_SQL: dict[str, tuple[str, tuple[int, ...] | None]] = {}


def _insert_ignore_sql(session: Session) -> tuple[str, tuple[int, ...] | None]:
    """The dialect's "insert, ignore duplicates" of a position, compiled once with positional parameters."""
    name = session.get_bind().dialect.name
    cached = _INSERT_SQL.get(name)
    if cached is None:
        table = Position.__table__
        if name == "sqlite":
            stmt: Any = sqlite.insert(table).on_conflict_do_nothing(index_elements=["vehicle_id", "t_ms"])
            dialect: Any = sqlite.dialect(paramstyle="qmark")
        elif name == "postgresql":
            stmt = postgresql.insert(table).on_conflict_do_nothing(index_elements=["vehicle_id", "t_ms"])
            dialect = pg_psycopg.dialect(paramstyle="format")
        else:  # pragma: no cover
            raise NotImplementedError(f"no idempotent insert for the {name} dialect")
        compiled = stmt.compile(dialect=dialect, column_keys=list(_INSERT_COLUMNS))
        names = tuple(compiled.positiontup or ())
        assert sorted(names) == sorted(_INSERT_COLUMNS), names
        order = None if names == _INSERT_COLUMNS else tuple(_INSERT_COLUMNS.index(n) for n in names)
        cached = _INSERT_SQL[name] = (compiled.string, order)
    return cached


def delete_positions_in(session: Session, ctx: Ctx, vehicle_id: int, parts: Sequence[tuple[int, int]]) -> int:
    """Delete the vehicle's positions inside any closed interval of ``parts``; returns how many."""
    if not parts:
        return 0
    deleted = 0
    for i in range(0, len(parts), 200):  # bounded statement size
        chunk = parts[i:i + 200]
        result = session.execute(delete(Position).where(
            Position.customer_id == ctx.customer_id, Position.vehicle_id == vehicle_id,
            or_(*(and_(Position.t_ms >= a, Position.t_ms <= b) for a, b in chunk))))
        deleted += result.rowcount or 0  # type: ignore[attr-defined]
    return deleted


def positions_between(session: Session, ctx: Ctx, vehicle_id: int, lo_ms: int, hi_ms: int,
                      limit: int) -> list[Row[Any]]:
    """Up to ``limit`` positions of the vehicle with lo_ms <= t_ms <= hi_ms, by time."""
    stmt = (select(Position.id, *FIX_COLUMNS)
            .where(Position.customer_id == ctx.customer_id, Position.vehicle_id == vehicle_id,
                   Position.t_ms >= lo_ms, Position.t_ms <= hi_ms)
            .order_by(Position.t_ms).limit(limit))
    return list(session.execute(stmt))


def purge_positions(session: Session, ctx: Ctx, vehicle_id: int, before_ms: int) -> int:
    """Delete the vehicle's positions strictly before ``before_ms``; returns how many."""
    result = session.execute(delete(Position).where(
        Position.customer_id == ctx.customer_id, Position.vehicle_id == vehicle_id, Position.t_ms < before_ms))
    return result.rowcount or 0  # type: ignore[attr-defined]


def vehicles_with_positions_before(session: Session, ctx: Ctx, before_ms: int) -> list[int]:
    """Ids of the customer's vehicles that have a position older than ``before_ms``."""
    stmt = (select(Vehicle.id).where(Vehicle.customer_id == ctx.customer_id,
                                     exists().where(Position.vehicle_id == Vehicle.id, Position.t_ms < before_ms))
            .order_by(Vehicle.id))
    return list(session.scalars(stmt))


# --- steps ----------------------------------------------------------------------------------


def has_steps(session: Session, ctx: Ctx, vehicle_id: int, origin: str) -> bool:
    """Whether the vehicle has any step of this origin."""
    return session.scalar(select(exists().where(
        Etape.customer_id == ctx.customer_id, Etape.vehicle_id == vehicle_id, Etape.origin == origin))) is True


def frozen_until(session: Session, ctx: Ctx, vehicle_id: int) -> int | None:
    """The end of the vehicle's last step that lost positions (None if none): nothing before it is re-cut."""
    return session.scalar(select(func.max(Etape.end_ms)).where(
        Etape.customer_id == ctx.customer_id, Etape.vehicle_id == vehicle_id, Etape.frozen.is_(True)))


def stop_starts_before(session: Session, ctx: Ctx, vehicle_id: int, before_ms: int, not_before_ms: int | None,
                       limit: int) -> list[int]:
    """Starts of the latest cuttable STOPs (from positions, not frozen, first position stored) before ``before_ms``."""
    conditions = [Etape.customer_id == ctx.customer_id, Etape.vehicle_id == vehicle_id, Etape.kind == STOP,
                  Etape.origin == ORIGIN_POSITIONS, Etape.frozen.is_(False), Etape.start_ms < before_ms,
                  exists().where(Position.customer_id == Etape.customer_id, Position.vehicle_id == Etape.vehicle_id,
                                 Position.t_ms == Etape.start_ms)]
    if not_before_ms is not None:
        conditions.append(Etape.start_ms >= not_before_ms)
    stmt = select(Etape.start_ms).where(*conditions).order_by(Etape.start_ms.desc()).limit(limit)
    return list(session.scalars(stmt))


def last_instant(session: Session, ctx: Ctx, vehicle_id: int) -> int | None:
    """The instant of the vehicle's latest stored position."""
    return session.scalar(select(func.max(Position.t_ms)).where(
        Position.customer_id == ctx.customer_id, Position.vehicle_id == vehicle_id))


def last_stop_start(session: Session, ctx: Ctx, vehicle_id: int) -> int | None:
    """Start of the vehicle's last STOP (where the next batch resumes), None without any."""
    return session.scalar(select(func.max(Etape.start_ms)).where(
        Etape.customer_id == ctx.customer_id, Etape.vehicle_id == vehicle_id, Etape.kind == STOP))


def step_rows_from(session: Session, ctx: Ctx, vehicle_id: int, since_ms: int | None) -> list[dict[str, Any]]:
    """The vehicle's cuttable steps (cut from positions, not frozen) starting at or after ``since_ms``."""
    stmt = select(*STEP_COLUMNS).where(Etape.customer_id == ctx.customer_id, Etape.vehicle_id == vehicle_id,
                                       Etape.origin == ORIGIN_POSITIONS, Etape.frozen.is_(False))
    if since_ms is not None:
        stmt = stmt.where(Etape.start_ms >= since_ms)
    return [dict(r._mapping) for r in session.execute(stmt.order_by(Etape.start_ms, Etape.id))]


def step_ending_at(session: Session, ctx: Ctx, vehicle_id: int, t_ms: int) -> Etape | None:
    """The vehicle's step that ends exactly at ``t_ms`` and starts before it, if any."""
    return session.scalar(scoped(Etape, ctx).where(Etape.vehicle_id == vehicle_id, Etape.end_ms == t_ms,
                                                   Etape.start_ms < t_ms).order_by(Etape.start_ms.desc()).limit(1))


def steps_overlapping(session: Session, ctx: Ctx, vehicle_id: int, lo_ms: int, hi_ms: int) -> list[Etape]:
    """The vehicle's steps sharing at least an instant with the closed interval [lo_ms, hi_ms], by start."""
    stmt = scoped(Etape, ctx).where(Etape.vehicle_id == vehicle_id, Etape.start_ms <= hi_ms, Etape.end_ms >= lo_ms)
    return list(session.scalars(stmt.order_by(Etape.start_ms, Etape.id)))


def steps_by_start(session: Session, ctx: Ctx, vehicle_id: int, origin: str) -> dict[int, Etape]:
    """The vehicle's steps of one origin, by start instant."""
    stmt = scoped(Etape, ctx).where(Etape.vehicle_id == vehicle_id, Etape.origin == origin)
    return {e.start_ms: e for e in session.scalars(stmt)}


def insert_steps(session: Session, ctx: Ctx, rows: Sequence[Mapping[str, Any]]) -> list[int]:
    """Insert steps in one statement; their new ids in the order given."""
    if not rows:
        return []
    stmt = insert(Etape).returning(Etape.id, sort_by_parameter_order=True)
    result = session.execute(stmt, [{**r, "customer_id": ctx.customer_id} for r in rows])
    return list(result.scalars())


def update_steps(session: Session, ctx: Ctx, rows: Sequence[Mapping[str, Any]]) -> None:
    """Update steps in place by id (each row holds ``id`` and the columns that changed)."""
    for row in rows:  # rows hold different column sets: one UPDATE each (only changed steps come here)
        values = {k: v for k, v in row.items() if k != "id"}
        session.execute(update(Etape).where(Etape.customer_id == ctx.customer_id, Etape.id == row["id"]).values(**values))


def delete_steps(session: Session, ctx: Ctx, ids: Sequence[int]) -> None:
    """Delete the steps with these ids."""
    for i in range(0, len(ids), 500):
        session.execute(delete(Etape).where(Etape.customer_id == ctx.customer_id, Etape.id.in_(ids[i:i + 500])))


def freeze_steps(session: Session, ctx: Ctx, ids: Iterable[int]) -> None:
    """Mark steps as frozen: some of their positions are gone, so they are never re-cut."""
    wanted = sorted(set(ids))
    for i in range(0, len(wanted), 500):
        session.execute(update(Etape).where(Etape.customer_id == ctx.customer_id, Etape.id.in_(wanted[i:i + 500]))
                        .values(frozen=True))


def freeze_steps_before(session: Session, ctx: Ctx, vehicle_id: int, before_ms: int) -> int:
    """Freeze the vehicle's steps starting before ``before_ms`` (after a purge); returns how many changed."""
    result = session.execute(update(Etape).where(
        Etape.customer_id == ctx.customer_id, Etape.vehicle_id == vehicle_id, Etape.start_ms < before_ms,
        Etape.frozen.is_(False)).values(frozen=True))
    return result.rowcount or 0  # type: ignore[attr-defined]
