"""Property tests: the rule of the past, history invariants, and private time against a wall-clock oracle."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from fleetprivacy.core.dates import local_to_utc_ms, ms_to_local
from fleetprivacy.core.errors import BadInput, Conflict
from fleetprivacy.schedules.engine import (
    DAY_MIN,
    DAYS,
    ExceptionalPeriod,
    Slot,
    Version,
    apply_delete,
    apply_post,
    check_history,
    make_slot,
    merge_day_slots,
    private_intervals,
    validate_new_period,
    version_at,
)

H = 3_600_000
DAY = 24 * H
ZONES = [ZoneInfo("Europe/Paris"), ZoneInfo("America/Los_Angeles")]
# Late February and late October: sequences of writes run across a DST change.
BASE_DATES = [dt.datetime(2026, 2, 26), dt.datetime(2026, 10, 20)]
KINDS = ["VIE_PRIVEE", "VIE_PRIVEE_EXCEPTIONNELLE", "TRAVAIL"]

SETTINGS = settings(
    max_examples=150, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow]
)


@st.composite
def slots_of(draw: st.DrawFn, day: str) -> Slot:
    # Half-hour steps (plus the 23:59 alias) make overlaps, adjacency and DST gaps frequent.
    start = draw(st.integers(0, 47)) * 30
    end = draw(st.sampled_from([*(i * 30 for i in range(49)), 1439]))
    if end == start:  # start == end is refused (tested elsewhere); shift to a valid slot
        end = (start + 30) % 1440
    kind = draw(st.sampled_from(KINDS))
    return make_slot(day, kind, start // 60, start % 60, end // 60, end % 60)


@st.composite
def day_maps(draw: st.DrawFn) -> dict[str, tuple[Slot, ...]]:
    days = draw(st.lists(st.sampled_from(DAYS), unique=True, max_size=4))
    return {day: merge_day_slots(draw(st.lists(slots_of(day), max_size=3))) for day in days}


@st.composite
def any_slots(draw: st.DrawFn) -> tuple[Slot, ...]:
    day = draw(st.sampled_from(DAYS))
    return tuple(draw(st.lists(slots_of(day), max_size=2)))


def slots_at(versions: list[Version], t: int) -> tuple[Slot, ...]:
    version = version_at(versions, t)
    return version.slots if version else ()


def assert_merged(intervals: list[tuple[int, int]]) -> None:
    for start, end in intervals:
        assert start < end
    for (_, prev_end), (next_start, _) in zip(intervals, intervals[1:]):
        assert prev_end < next_start  # sorted, disjoint and not even touching


def oracle_private(
    t: int, versions: list[Version], periods: list[ExceptionalPeriod], tz: ZoneInfo
) -> bool | None:
    """Is `t` private, judged on its wall-clock time; None when the wall clock is ambiguous."""
    local = ms_to_local(t, tz).replace(tzinfo=None)
    # A second occurrence of a repeated wall time cannot be judged on the wall clock alone.
    if local_to_utc_ms(local, tz) != t:
        return None
    period = next((p for p in periods if p.start_ms <= t < p.end_ms), None)
    if period is not None:
        if not period.slots:
            return True
        slots: tuple[Slot, ...] = period.slots
    else:
        version = version_at(versions, t)
        slots = version.slots if version else ()
    minute = local.hour * 60 + local.minute + (local.second * 1000 + local.microsecond / 1000) / 60_000
    today = DAYS[local.weekday()]
    yesterday = DAYS[(local.weekday() - 1) % 7]
    for slot in slots:
        if not slot.private:
            continue
        start, end = slot.span
        if slot.day == today and start <= minute < min(end, DAY_MIN):
            return True
        if slot.day == yesterday and end > DAY_MIN and minute < end - DAY_MIN:
            return True
    return False


@given(tz=st.sampled_from(ZONES), base_date=st.sampled_from(BASE_DATES), data=st.data())
@settings(SETTINGS, max_examples=100)
def test_writes_never_change_the_past(tz: ZoneInfo, base_date: dt.datetime, data: st.DataObject) -> None:
    base = local_to_utc_ms(base_date, tz)
    origin = base - 7 * DAY
    initial = merge_day_slots(slot for slots in data.draw(day_maps(), "initial").values() for slot in slots)
    versions = [Version(origin, None, initial)] if initial else []
    now = base
    for step in range(data.draw(st.integers(1, 6), "steps")):
        now += data.draw(st.integers(0, 15 * 24), f"advance_{step}") * H + data.draw(st.integers(0, 59), "min") * 60_000
        live = [i for i, v in enumerate(versions) if v.end_ms is None or v.end_ms > now]
        if live and data.draw(st.booleans(), f"delete_{step}"):
            index = data.draw(st.sampled_from(live))
            chosen = data.draw(st.sets(st.sampled_from(versions[index].slots), min_size=1))
            after = apply_delete(versions, {index: chosen}, now)
            event("delete, version in force" if versions[index].start_ms < now else "delete, future version")
        else:
            day_map = data.draw(day_maps(), f"map_{step}")
            start = data.draw(st.one_of(st.none(), st.integers(-48, 240).map(lambda h: now + h * H)))
            end = data.draw(st.one_of(st.none(), st.integers(-24, 480).map(lambda h: now + h * H)))
            effective = now if start is None else max(start, now)
            if end is not None and end <= effective:
                try:
                    apply_post(versions, day_map, start, end, now)
                except BadInput as error:
                    assert error.message.startswith("dateFin:")
                    continue
                raise AssertionError("dateFin <= effective start must be refused")
            after = apply_post(versions, day_map, start, end, now)
            event(f"post, {len(versions)} versions before, end {'given' if end else 'open'}")
            # What is in force from the effective start is the patched version in force before it.
            created = version_at(after, effective)
            base_version = version_at(versions, effective)
            expected = [s for s in (base_version.slots if base_version else ()) if s.day not in day_map]
            expected += [s for slots in day_map.values() for s in slots]
            assert (created.slots if created else ()) == merge_day_slots(expected)
            if end is not None:
                # After dateFin, what was planned before resumes (later versions included).
                for t in (end, end + data.draw(st.integers(0, 60 * DAY), f"later_{step}")):
                    assert slots_at(after, t) == slots_at(versions, t)
        check_history(after)
        past_before = private_intervals(versions, [], tz, origin, now)
        past_after = private_intervals(after, [], tz, origin, now)
        assert past_before == past_after
        assert_merged(past_after)
        a = data.draw(st.integers(origin, now), f"window_start_{step}")
        b = data.draw(st.integers(a, now), f"window_end_{step}")
        assert private_intervals(versions, [], tz, a, b) == private_intervals(after, [], tz, a, b)
        versions = after


@st.composite
def periods_list(draw: st.DrawFn, base: int) -> list[ExceptionalPeriod]:
    cursor = base
    periods = []
    for i in range(draw(st.integers(0, 3))):
        start = cursor + draw(st.integers(0, 5 * 24)) * H
        end = start + draw(st.integers(1, 3 * 24)) * H
        slots = draw(st.one_of(st.just(()), any_slots()))
        periods.append(ExceptionalPeriod(start, end, merge_day_slots(slots), id=i + 1))
        cursor = end
    return periods


@given(tz=st.sampled_from(ZONES), base_date=st.sampled_from(BASE_DATES), data=st.data())
@SETTINGS
def test_private_intervals_match_wall_clock_oracle(tz: ZoneInfo, base_date: dt.datetime, data: st.DataObject) -> None:
    base = local_to_utc_ms(base_date, tz)
    switch = base + data.draw(st.integers(0, 40 * 24)) * H
    first = merge_day_slots(slot for slots in data.draw(day_maps()).values() for slot in slots)
    second = merge_day_slots(slot for slots in data.draw(day_maps()).values() for slot in slots)
    versions = [v for v in (Version(base - 2 * DAY, switch, first), Version(switch, None, second)) if v.slots]
    periods = data.draw(periods_list(base))
    window_start = base + data.draw(st.integers(-3 * 24, 10 * 24)) * H
    window_end = window_start + data.draw(st.integers(1, 45 * 24)) * H
    intervals = private_intervals(versions, periods, tz, window_start, window_end)
    assert_merged(intervals)
    for start, end in intervals:
        assert window_start <= start < end <= window_end
        # Half-open, maximal pieces: the start is private, the instants just outside are not.
        for t, expected in ((start, True), (end, False), (start - 1, False)):
            if window_start <= t < window_end:
                verdict = oracle_private(t, versions, periods, tz)
                assert verdict in (None, expected), (t, expected)
    inside = {(a, b) for a, b in intervals}
    for t in data.draw(st.lists(st.integers(window_start, window_end - 1), min_size=20, max_size=40)):
        verdict = oracle_private(t, versions, periods, tz)
        if verdict is not None:
            assert verdict == any(a <= t < b for a, b in inside), t


@given(tz=st.sampled_from(ZONES), data=st.data())
@SETTINGS
def test_new_exceptional_periods_never_overlap_or_touch_the_past(tz: ZoneInfo, data: st.DataObject) -> None:
    base = local_to_utc_ms(dt.datetime(2026, 3, 1), tz)
    versions = [Version(base - DAY, None, merge_day_slots(data.draw(any_slots())))]
    periods: list[ExceptionalPeriod] = []
    now = base
    for step in range(data.draw(st.integers(1, 6))):
        now += data.draw(st.integers(0, 5 * 24), f"advance_{step}") * H
        start = now + data.draw(st.integers(-72, 240)) * H
        end = start + data.draw(st.integers(1, 96)) * H
        candidate = ExceptionalPeriod(start, end, merge_day_slots(data.draw(any_slots())), id=step + 1)
        try:
            stored = validate_new_period(periods, candidate, now)
        except BadInput:
            assert end <= now
            continue
        except Conflict as error:
            assert any(
                p.start_ms < end and max(start, now) < p.end_ms and str(p.id) in error.message for p in periods
            )
            continue
        assert stored.start_ms == max(start, now) and stored.end_ms == end
        before = private_intervals(versions, periods, tz, base - DAY, now)
        periods = [*periods, stored]
        assert private_intervals(versions, periods, tz, base - DAY, now) == before
        ordered = sorted(periods, key=lambda p: p.start_ms)
        for prev, nxt in zip(ordered, ordered[1:]):
            assert prev.end_ms <= nxt.start_ms
