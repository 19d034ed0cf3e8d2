"""Roll-ups of the stored classification, so that a report over a year reads thousands of rows, not millions.

`etape_part_days` and `etape_part_months` hold, per (customer, variant, local day or month, vehicle,
driver, source), the sums of `etape_parts`' twelve measures and the number of parts summed. They are
maintained by database triggers on `etape_parts` (created by the migration that creates these
tables), so every writer of `etape_parts` (ingestion, retroactive decisions, `reclassify`, the
benchmark) keeps them right without knowing about them: an insert adds its measures, a delete
subtracts them, an update does both, and a row whose count falls to 0 is removed.
`fleetprivacy rebuild-rollups` recomputes them from `etape_parts` (exact sums, no float residue).

Days are epoch days (days since 1970-01-01) of the customer's local calendar date, and a month is
the epoch day of its first day: reports fetch hundreds of thousands of these rows, and integers are
what SQLite and the drivers hand back fastest. `individu_id` is 0 for an unidentified driver (so that
it can be part of the primary key); no foreign keys, the parts they sum carry them.
"""

from __future__ import annotations

from sqlalchemy import Integer, PrimaryKeyConstraint, SmallInteger, String
from sqlalchemy.orm import Mapped, mapped_column

from fleetprivacy.classification.models import MEASURES, SplitMeasures
from fleetprivacy.core.models import Base, CustomerOwned, IdType

UNIDENTIFIED = 0  # individu_id of an unidentified driver in the roll-ups

ROLLUP_MEASURES = tuple(f"{side}_{m}" for side in ("private", "pro") for m in MEASURES)


class _Sums(SplitMeasures):
    """The key columns shared by both roll-ups (besides the period column) and the sums.

    The primary keys lead with customer_id, so the tables set `customer_id_indexed = False`."""

    variant: Mapped[int] = mapped_column(SmallInteger)
    vehicle_id: Mapped[int] = mapped_column(IdType)
    individu_id: Mapped[int] = mapped_column(IdType)
    source: Mapped[str] = mapped_column(String(10))
    n_parts: Mapped[int] = mapped_column(Integer)


class EtapePartDay(CustomerOwned, _Sums, Base):
    """Sums of the parts of one local day, per vehicle, driver and source, in one variant."""

    customer_id_indexed = False
    __tablename__ = "etape_part_days"
    # Clustered by (customer, variant, day): a report reads one contiguous range (SQLite: WITHOUT ROWID).
    __table_args__ = (
        PrimaryKeyConstraint("customer_id", "variant", "epoch_day", "vehicle_id", "individu_id", "source"),
        {"sqlite_with_rowid": False},
    )

    epoch_day: Mapped[int] = mapped_column(Integer)


class EtapePartMonth(CustomerOwned, _Sums, Base):
    """Sums of the parts of one local calendar month (keyed by the epoch day of its first day)."""

    customer_id_indexed = False
    __tablename__ = "etape_part_months"
    __table_args__ = (
        PrimaryKeyConstraint("customer_id", "variant", "month_epoch_day", "vehicle_id", "individu_id", "source"),
        {"sqlite_with_rowid": False},
    )

    month_epoch_day: Mapped[int] = mapped_column(Integer)
