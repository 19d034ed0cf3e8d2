"""Recompute the roll-ups from `etape_parts` (exact sums): after a bulk load, or to check them.

The triggers keep the roll-ups up to date incrementally (see `analysis.models`); subtracting a
deleted part's measures can leave a residue in the last bits of a float, which a rebuild removes.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Integer, cast, delete, func, literal_column, select
from sqlalchemy.orm import Session

from fleetprivacy.analysis.models import ROLLUP_MEASURES, UNIDENTIFIED, EtapePartDay, EtapePartMonth
from fleetprivacy.classification.models import EtapePart


def _period_exprs(dialect: str) -> tuple[Any, Any]:
    """(epoch day, epoch day of the month's first day) of `etape_parts.local_date`, per dialect."""
    if dialect == "sqlite":
        day = cast(func.julianday(EtapePart.local_date) - 2440587.5, Integer)
        month = cast(func.julianday(EtapePart.local_date, "start of month") - 2440587.5, Integer)
    else:
        day = EtapePart.local_date - literal_column("DATE '1970-01-01'")
        month = cast(func.date_trunc("month", EtapePart.local_date), EtapePart.local_date.type) - literal_column(
            "DATE '1970-01-01'"
        )
    return day, month


def rebuild(session: Session, customer_id: int) -> dict[str, int]:
    """Replace the customer's roll-ups by exact sums of its parts; returns the rows written."""
    day, month = _period_exprs(session.get_bind().dialect.name)
    written: dict[str, int] = {}
    for model, period_col, period_expr in (
        (EtapePartDay, "epoch_day", day),
        (EtapePartMonth, "month_epoch_day", month),
    ):
        session.execute(delete(model).where(model.customer_id == customer_id))
        individu = func.coalesce(EtapePart.individu_id, UNIDENTIFIED)
        keys = (EtapePart.customer_id, EtapePart.variant, period_expr, EtapePart.vehicle_id, individu, EtapePart.source)
        sums = [func.sum(getattr(EtapePart, m)) for m in ROLLUP_MEASURES]
        source = (
            select(*keys, func.count(), *sums)
            .where(EtapePart.customer_id == customer_id)
            .group_by(*keys)
        )
        columns = ["customer_id", "variant", period_col, "vehicle_id", "individu_id", "source", "n_parts",
                   *ROLLUP_MEASURES]
        session.execute(model.__table__.insert().from_select(columns, source))
        written[model.__tablename__] = session.scalar(
            select(func.count()).select_from(model).where(model.customer_id == customer_id)
        ) or 0
    session.flush()
    return written
