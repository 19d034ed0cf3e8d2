"""How a report period `[debut, fin)` is read (pure): whole months, whole local days, and cut edges.

Stored classification is cut by local calendar day of the customer (`etape_parts.local_date`), and
rolled up by day and by month (`analysis.models`). A period is therefore read as:
- the whole months it covers, from the monthly roll-ups;
- the other whole local days it covers, from the daily roll-ups;
- at most two partial days (the day holding `debut` when it is not local midnight, the day holding
  `fin` when it is not), from the parts themselves: a part inside the window counts as stored, a
  part crossing a bound is cut with the engine's `measures_within` (SPEC section 9).

Days are numbered as days since 1970-01-01 ("epoch days") of the local calendar date.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from fleetprivacy.core.dates import local_to_utc_ms, ms_to_local

_EPOCH_ORDINAL = dt.date(1970, 1, 1).toordinal()


def epoch_day(day: dt.date) -> int:
    """Days since 1970-01-01 of a calendar date."""
    return day.toordinal() - _EPOCH_ORDINAL


def from_epoch_day(n: int) -> dt.date:
    """The calendar date `n` days after 1970-01-01."""
    return dt.date.fromordinal(n + _EPOCH_ORDINAL)


def month_start(day: dt.date) -> dt.date:
    """The first day of `day`'s month."""
    return day.replace(day=1)


def _next_month(day: dt.date) -> dt.date:
    return dt.date(day.year + (day.month == 12), day.month % 12 + 1, 1)


def local_midnight(day: dt.date, tz: ZoneInfo) -> int:
    """The first instant of a local day (a midnight inside a DST gap maps to the first instant after it)."""
    return local_to_utc_ms(dt.datetime(day.year, day.month, day.day), tz)


def local_date(ms: int, tz: ZoneInfo) -> dt.date:
    """The local calendar date of an instant."""
    return ms_to_local(ms, tz).date()


@dataclass(frozen=True)
class Edge:
    """A partial local day: only `[lo_ms, hi_ms)` of `day` is in the period."""

    day: dt.date
    lo_ms: int
    hi_ms: int


@dataclass(frozen=True)
class PeriodPlan:
    """Where each piece of a period is read from.

    `months`: inclusive range of month starts (epoch days) of whole months, or None.
    `days`: inclusive ranges of epoch days of whole days outside those months.
    `edges`: partial days.
    """

    months: tuple[int, int] | None
    days: tuple[tuple[int, int], ...]
    edges: tuple[Edge, ...]

    def full_day_ranges(self) -> list[tuple[int, int]]:
        """Inclusive epoch-day ranges of every whole day (months included), merged where contiguous."""
        ranges = list(self.days)
        if self.months:
            last_month = from_epoch_day(self.months[1])
            ranges.append((self.months[0], epoch_day(_next_month(last_month)) - 1))
        merged: list[tuple[int, int]] = []
        for lo, hi in sorted(ranges):
            if merged and lo <= merged[-1][1] + 1:
                merged[-1] = (merged[-1][0], max(merged[-1][1], hi))
            else:
                merged.append((lo, hi))
        return merged

    @property
    def first_day(self) -> int | None:
        """The first epoch day touched, or None for an empty plan."""
        candidates = [r[0] for r in self.days] + [epoch_day(e.day) for e in self.edges]
        if self.months:
            candidates.append(self.months[0])
        return min(candidates) if candidates else None


def plan_period(debut_ms: int, fin_ms: int, tz: ZoneInfo) -> PeriodPlan:
    """Split `[debut_ms, fin_ms)` into whole months, whole days and partial days of the zone `tz`."""
    if fin_ms <= debut_ms:
        return PeriodPlan(None, (), ())
    first = local_date(debut_ms, tz)
    last = local_date(fin_ms - 1, tz)
    edges: list[Edge] = []
    full_from = first
    if local_midnight(first, tz) != debut_ms:
        full_from = first + dt.timedelta(days=1)
        edges.append(Edge(first, debut_ms, min(fin_ms, local_midnight(full_from, tz))))
    full_to = last
    if local_midnight(last + dt.timedelta(days=1), tz) != fin_ms:
        full_to = last - dt.timedelta(days=1)
        if last != first or not edges:
            edges.append(Edge(last, max(debut_ms, local_midnight(last, tz)), fin_ms))
    if full_from > full_to:
        return PeriodPlan(None, (), tuple(edges))

    # Whole months inside [full_from, full_to].
    m_first = full_from if full_from.day == 1 else _next_month(full_from)
    m_end = month_start(full_to + dt.timedelta(days=1))  # exclusive: first month not wholly covered
    days: list[tuple[int, int]] = []
    if m_first < m_end:
        last_month = month_start(m_end - dt.timedelta(days=1))
        months: tuple[int, int] | None = (epoch_day(m_first), epoch_day(last_month))
        if full_from < m_first:
            days.append((epoch_day(full_from), epoch_day(m_first) - 1))
        if m_end <= full_to:
            days.append((epoch_day(m_end), epoch_day(full_to)))
    else:
        months = None
        days.append((epoch_day(full_from), epoch_day(full_to)))
    return PeriodPlan(months, tuple(days), tuple(edges))
