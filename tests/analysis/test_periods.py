"""How a period is split into whole months, whole days and partial days (pure)."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from analysis_support import ms
from fleetprivacy.analysis.periods import Edge, epoch_day, from_epoch_day, local_midnight, plan_period

PARIS = ZoneInfo("Europe/Paris")


def d(text: str) -> int:
    return epoch_day(dt.date.fromisoformat(text))


def test_whole_year_is_twelve_months():
    plan = plan_period(ms("2026-01-01T00:00:00+01:00"), ms("2027-01-01T00:00:00+01:00"), PARIS)
    assert plan.months == (d("2026-01-01"), d("2026-12-01")) and plan.days == () and plan.edges == ()
    assert plan.full_day_ranges() == [(d("2026-01-01"), d("2026-12-31"))]


def test_partial_days_and_months():
    plan = plan_period(ms("2026-01-30T10:00:00+01:00"), ms("2026-04-02T06:00:00+02:00"), PARIS)
    assert plan.months == (d("2026-02-01"), d("2026-03-01"))
    assert plan.days == ((d("2026-01-31"), d("2026-01-31")), (d("2026-04-01"), d("2026-04-01")))
    assert plan.edges == (
        Edge(dt.date(2026, 1, 30), ms("2026-01-30T10:00:00+01:00"), ms("2026-01-31T00:00:00+01:00")),
        Edge(dt.date(2026, 4, 2), ms("2026-04-02T00:00:00+02:00"), ms("2026-04-02T06:00:00+02:00")),
    )


def test_inside_one_day_and_utc_bounds():
    plan = plan_period(ms("2026-03-29T01:00:00+01:00"), ms("2026-03-29T05:00:00+02:00"), PARIS)
    assert plan.months is None and plan.days == ()
    assert plan.edges == (Edge(dt.date(2026, 3, 29), ms("2026-03-29T01:00:00+01:00"), ms("2026-03-29T05:00:00+02:00")),)
    # UTC midnights are not Paris midnights: two partial days around whole ones.
    plan = plan_period(ms("2026-01-01T00:00:00Z"), ms("2026-01-04T00:00:00Z"), PARIS)
    assert plan.days == ((d("2026-01-02"), d("2026-01-03")),) and len(plan.edges) == 2


@settings(max_examples=300, deadline=None)
@given(st.integers(ms("2024-01-01T00:00:00Z"), ms("2027-01-01T00:00:00Z")), st.integers(1, 400 * 86_400_000),
       st.sampled_from(["Europe/Paris", "America/Sao_Paulo", "Asia/Kolkata", "UTC"]))
def test_plan_covers_the_period_exactly_once(start, length, zone):
    tz = ZoneInfo(zone)
    plan = plan_period(start, start + length, tz)
    pieces: list[tuple[int, int]] = []
    for lo, hi in plan.full_day_ranges():
        for n in range(lo, hi + 1):
            day = from_epoch_day(n)
            pieces.append((local_midnight(day, tz), local_midnight(day + dt.timedelta(days=1), tz)))
    pieces += [(e.lo_ms, e.hi_ms) for e in plan.edges]
    pieces.sort()
    assert pieces[0][0] == start and pieces[-1][1] == start + length
    for (a, b), (c, _e) in zip(pieces, pieces[1:]):
        assert a < b and b == c
    for e in plan.edges:  # partial days lie within their day
        assert local_midnight(e.day, tz) <= e.lo_ms < e.hi_ms <= local_midnight(e.day + dt.timedelta(days=1), tz)
