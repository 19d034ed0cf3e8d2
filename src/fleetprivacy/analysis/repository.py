"""Queries of the analysis: reference data, and sums of the stored classification over a period.

Every statement starts from `scoped(...)` (the customer's rows only) and is further restricted by a
`Scope` (the request's filters, already resolved to ids of this customer). Sums come from the
monthly roll-ups for whole months, the daily roll-ups for other whole days, and the parts
themselves for partial days (see `periods`). Large results are fetched in batches and turned into
numpy columns: no ORM object per row.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from sqlalchemy import ColumnElement, Select, and_, false, func, or_, tuple_
from sqlalchemy.orm import Session

from fleetprivacy.analysis.models import ROLLUP_MEASURES, UNIDENTIFIED, EtapePartDay, EtapePartMonth
from fleetprivacy.analysis.periods import Edge, PeriodPlan
from fleetprivacy.analysis.report import (
    NONE,
    SOURCE_CODE,
    EntityRef,
    IndividuRef,
    Reference,
    Rows,
    VehicleRef,
)
from fleetprivacy.classification.models import EtapePart
from fleetprivacy.core.tenancy import Ctx, scoped
from fleetprivacy.reference.models import Affectation, Customer, Entity, Individu, Vehicle
from fleetprivacy.reference.service import individu_out, vehicle_out

_BATCH = 50_000
_EXACT_IDS = 2**53  # ids below this survive a float64 round trip


@dataclass(frozen=True)
class Scope:
    """The request's filters as id sets of this customer; None = no restriction.

    `individu_ids` may hold UNIDENTIFIED (0) for the steps without a driver; `pairs` are
    (individu_id, vehicle_id) couples (function vehicles)."""

    vehicle_ids: frozenset[int] | None = None
    individu_ids: frozenset[int] | None = None
    pairs: frozenset[tuple[int, int]] | None = None

    @property
    def empty(self) -> bool:
        """True when nothing can match (some restriction is an empty set)."""
        return any(s is not None and not s for s in (self.vehicle_ids, self.individu_ids, self.pairs))

    def narrowed(self, **changes: frozenset[Any] | None) -> Scope:
        """This scope intersected with more restrictions."""
        values = {}
        for name in ("vehicle_ids", "individu_ids", "pairs"):
            mine, extra = getattr(self, name), changes.get(name)
            values[name] = extra if mine is None else mine if extra is None else mine & extra
        return Scope(**values)


def _where(scope: Scope, individu: ColumnElement[Any], vehicle: ColumnElement[Any]) -> list[ColumnElement[bool]]:
    clauses: list[ColumnElement[bool]] = []
    if scope.empty:
        return [false()]
    if scope.vehicle_ids is not None:
        clauses.append(vehicle.in_(sorted(scope.vehicle_ids)))
    if scope.individu_ids is not None:
        clauses.append(individu.in_(sorted(scope.individu_ids)))
    if scope.pairs is not None:
        clauses.append(tuple_(individu, vehicle).in_(sorted(scope.pairs)))
    return clauses


# --- reference data ------------------------------------------------------------------------


def load_reference(session: Session, ctx: Ctx) -> Reference:
    """Every entity, individual and vehicle of the customer (logically deleted ones too: history)."""
    customer = session.get(Customer, ctx.customer_id)
    assert customer is not None  # the context's customer exists
    entities = {
        e.id: EntityRef(e.id, e.nom, e.parent_id, e.suppression_logique) for e in session.scalars(scoped(Entity, ctx))
    }
    individus = {
        i.id: IndividuRef(i.id, individu_out(i).model_dump(), i.entite_id, i.groupe_id)
        for i in session.scalars(scoped(Individu, ctx))
    }
    vehicles = {
        v.id: VehicleRef(
            v.id, vehicle_out(v).model_dump(), v.entite_id, v.geolocalise, v.type_motorisation, v.energie,
            v.fuel_price_per_l, v.electricity_price_per_kwh,
        )
        for v in session.scalars(scoped(Vehicle, ctx))
    }
    return Reference(
        customer_name=customer.name,
        entities=entities,
        individus=individus,
        vehicles=vehicles,
        fuel_price_per_l=customer.fuel_price_per_l,
        electricity_price_per_kwh=customer.electricity_price_per_kwh,
        currency=customer.currency,
    )


def function_affectations(session: Session, ctx: Ctx) -> list[tuple[int, int, int, int | None]]:
    """(individu_id, vehicle_id, start_ms, end_ms | None) of the live function-vehicle assignments."""
    from fleetprivacy.core.dates import aware_to_ms

    stmt = scoped(Affectation, ctx).where(
        Affectation.is_vehicule_fonction.is_(True), Affectation.suppression_logique.is_(False)
    ).order_by(Affectation.id)
    return [
        (a.individu_id, a.vehicle_id, aware_to_ms(a.debut_at), aware_to_ms(a.fin_at) if a.fin_at else None)
        for a in session.scalars(stmt)
    ]


# --- sums ----------------------------------------------------------------------------------


def _raw_batches(session: Session, stmt: Select[Any], size: int = _BATCH) -> Iterator[list[tuple[Any, ...]]]:
    """The statement's rows as plain tuples, straight from the DB-API cursor, in batches.

    A year of DETAIL is about a million roll-up rows: SQLAlchemy's Row objects (and numpy probing
    each of them) cost seconds there. PostgreSQL streams through a server-side cursor."""
    conn = session.connection()
    compiled = stmt.compile(dialect=conn.dialect, compile_kwargs={"render_postcompile": True})
    params: Any = compiled.params
    if compiled.positional:
        params = tuple(params[name] for name in compiled.positiontup or ())
    dbapi = conn.connection.dbapi_connection
    assert dbapi is not None
    cursor = dbapi.cursor(name="analysis_rows") if conn.dialect.name == "postgresql" else dbapi.cursor()
    try:
        cursor.execute(str(compiled), params)
        while batch := cursor.fetchmany(size):
            yield batch
    finally:
        cursor.close()


def _to_rows(chunk: Sequence[Any], has_day: bool, has_source: bool) -> Rows:
    """Rows from fetched tuples `(individu_id, vehicle_id[, epoch_day][, source], 12 sums)`."""
    n = len(chunk)
    width = 2 + has_day + has_source
    if has_source:
        sources = np.array([SOURCE_CODE[r[width - 1]] for r in chunk], dtype=np.int64)
        numeric = np.array([(*r[: width - 1], *r[width:]) for r in chunk], dtype=np.float64)
        width -= 1
    else:
        sources = np.full(n, NONE, dtype=np.int64)
        numeric = np.array(chunk, dtype=np.float64)
    numeric = numeric.reshape(n, width + len(ROLLUP_MEASURES))
    ids = numeric[:, :width]
    if n and ids.max() >= _EXACT_IDS:
        ids_int = np.array([r[:width] for r in chunk], dtype=np.int64)
    else:
        ids_int = ids.astype(np.int64)
    return Rows(
        individu=ids_int[:, 0].copy(),
        vehicle=ids_int[:, 1].copy(),
        day=ids_int[:, 2].copy() if has_day else np.full(n, NONE, dtype=np.int64),
        source=sources,
        measures=np.ascontiguousarray(numeric[:, width:]),
    )


def _sums(model: type[EtapePartDay] | type[EtapePartMonth]) -> list[Any]:
    return [func.sum(getattr(model, m)) for m in ROLLUP_MEASURES]


def synthesis_rows(session: Session, ctx: Ctx, variant: int, plan: PeriodPlan, scope: Scope) -> Rows:
    """Sums per (driver, vehicle, source) over the whole months and whole days of the plan."""
    if scope.empty:
        return Rows.empty()
    parts: list[Rows] = []
    queries: list[tuple[Any, Any, int, int]] = []
    if plan.months:
        queries.append((EtapePartMonth, EtapePartMonth.month_epoch_day, *plan.months))
    for lo, hi in plan.days:
        queries.append((EtapePartDay, EtapePartDay.epoch_day, lo, hi))
    for model, period, lo, hi in queries:
        keys = (model.individu_id, model.vehicle_id, model.source)
        stmt = (
            scoped(model, ctx)
            .with_only_columns(*keys, *_sums(model))
            .where(model.variant == variant, period.between(lo, hi),
                   *_where(scope, model.individu_id, model.vehicle_id))
            .group_by(*keys)
        )
        for rows in _raw_batches(session, stmt):
            parts.append(_to_rows(rows, has_day=False, has_source=True))
    return Rows.concat(parts)


def iter_detail_rows(session: Session, ctx: Ctx, variant: int, plan: PeriodPlan, scope: Scope) -> Iterator[Rows]:
    """Sums per (local day, vehicle, driver) over every whole day of the plan, in batches."""
    if scope.empty:
        return
    m = EtapePartDay
    for lo, hi in plan.full_day_ranges():
        # The primary key's order (customer, variant, day, vehicle, driver): a streaming aggregate.
        keys = (m.epoch_day, m.vehicle_id, m.individu_id)
        stmt = (
            scoped(m, ctx)
            .with_only_columns(m.individu_id, m.vehicle_id, m.epoch_day, *_sums(m))
            .where(m.variant == variant, m.epoch_day.between(lo, hi), *_where(scope, m.individu_id, m.vehicle_id))
            .group_by(*keys)
        )
        for chunk in _raw_batches(session, stmt):
            yield _to_rows(chunk, has_day=True, has_source=False)


@dataclass(frozen=True)
class PartRow:
    """One stored part of a partial day."""

    etape_id: int
    individu_id: int | None
    vehicle_id: int
    start_ms: int
    end_ms: int
    source: str
    measures: tuple[float, ...]  # 12: private then professional


def edge_parts(session: Session, ctx: Ctx, variant: int, edge: Edge, scope: Scope) -> list[PartRow]:
    """The parts of a partial day that overlap its window `[lo_ms, hi_ms)`."""
    if scope.empty:
        return []
    p = EtapePart
    individu = func.coalesce(p.individu_id, UNIDENTIFIED)
    stmt = (
        scoped(p, ctx)
        .with_only_columns(p.etape_id, p.individu_id, p.vehicle_id, p.start_ms, p.end_ms, p.source,
                           *(getattr(p, m) for m in ROLLUP_MEASURES))
        .where(
            p.variant == variant,
            p.local_date == edge.day,
            p.start_ms < edge.hi_ms,
            or_(p.end_ms > edge.lo_ms, and_(p.end_ms == p.start_ms, p.start_ms >= edge.lo_ms)),
            *_where(scope, individu, p.vehicle_id),
        )
        .order_by(p.id)
    )
    return [PartRow(r[0], r[1], r[2], r[3], r[4], r[5], tuple(r[6:])) for r in session.execute(stmt)]
