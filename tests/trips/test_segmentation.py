"""Trip segmentation on synthetic streams: examples for each rule, then properties under hypothesis."""

from __future__ import annotations

import math
import random
from dataclasses import replace
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fleetprivacy.trips.segmentation import (
    DEFAULT_CONFIG,
    Fix,
    Segment,
    SegmentationConfig,
    final_segments,
    haversine_m,
    haversine_m_array,
    normalise,
    resume_index,
    segment,
    track,
)

LAT0, LON0 = 48.85, 2.35  # Paris; x east and y north in metres around it
M_PER_DEG = 111_195.0
S = 1000  # one second in ms
MIN = 60 * S


def at(x: float, y: float = 0.0) -> tuple[float, float]:
    return LAT0 + y / M_PER_DEG, LON0 + x / (M_PER_DEG * math.cos(math.radians(LAT0)))


class Stream:
    """Builds a fix stream along a local metric frame, one leg after the other."""

    def __init__(self, every_s: int = 10, **extra: Any) -> None:
        self.t_ms = 0
        self.x = 0.0
        self.y = 0.0
        self.every_ms = every_s * S
        self.extra = extra
        self.fixes: list[Fix] = []

    def _emit(self, **extra: Any) -> None:
        self.fixes.append(Fix(self.t_ms, *at(self.x, self.y), **{**self.extra, **extra}))

    def park(self, minutes: float, jitter_m: float = 0.0, seed: int = 0, **extra: Any) -> Stream:
        rng = random.Random(seed)
        end = self.t_ms + int(minutes * MIN)
        while self.t_ms < end:
            dx, dy = rng.uniform(-jitter_m, jitter_m), rng.uniform(-jitter_m, jitter_m)
            self.fixes.append(Fix(self.t_ms, *at(self.x + dx, self.y + dy), **{**self.extra, **extra}))
            self.t_ms += self.every_ms
        return self

    def drive(self, dx: float, dy: float = 0.0, kmh: float = 36.0, **extra: Any) -> Stream:
        dist = math.hypot(dx, dy)
        steps = max(1, round(dist / (kmh / 3.6) / (self.every_ms / S)))
        x0, y0 = self.x, self.y
        for i in range(1, steps + 1):
            self.t_ms += self.every_ms
            self.x, self.y = x0 + dx * i / steps, y0 + dy * i / steps
            self._emit(**extra)
        self.t_ms += self.every_ms
        return self

    def gap(self, minutes: float, dx: float = 0.0, dy: float = 0.0) -> Stream:
        self.t_ms += int(minutes * MIN)
        self.x += dx
        self.y += dy
        return self


def kinds(segments: list[Segment]) -> list[str]:
    return [s.kind for s in segments]


def trips(segments: list[Segment]) -> list[Segment]:
    return [s for s in segments if s.kind == "TRIP"]


# --- distances -------------------------------------------------------------------------------


def test_haversine_known_distance_and_vector_agrees() -> None:
    paris, london = (48.8566, 2.3522), (51.5074, -0.1278)
    assert haversine_m(*paris, *london) == pytest.approx(343_560, rel=2e-3)
    lat1, lon1 = np.array([paris[0], 0.0]), np.array([paris[1], 179.9])
    lat2, lon2 = np.array([london[0], 0.0]), np.array([london[1], -179.9])
    got = haversine_m_array(lat1, lon1, lat2, lon2)
    assert got[0] == pytest.approx(haversine_m(*paris, *london), rel=1e-12)
    assert got[1] == pytest.approx(22_239, rel=1e-3)  # across the antimeridian, the short way


# --- motion ----------------------------------------------------------------------------------


def test_motion_cuts_stop_trip_stop() -> None:
    s = Stream().park(10).drive(3000).park(20).drive(-1500, 2000).park(8)
    segs = segment(s.fixes)
    assert kinds(segs) == ["STOP", "TRIP", "STOP", "TRIP", "STOP"]
    t1, t2 = trips(segs)
    assert t1.distance_m == pytest.approx(3000, abs=1)
    assert t2.distance_m == pytest.approx(2500, abs=1)
    # Boundaries sit within one fix (10 s) of the real departure and arrival.
    assert 10 * MIN - 10 * S <= t1.start_ms <= 10 * MIN
    assert abs(t1.duration_ms - 300 * S) <= 10 * S
    assert [s.open for s in segs] == [False, False, False, False, True]
    assert segs[0].distance_m == segs[2].distance_m == 0.0


def test_short_stop_stays_inside_the_trip() -> None:
    s = Stream().park(10).drive(2000).park(3).drive(2000).park(10)
    assert kinds(segment(s.fixes)) == ["STOP", "TRIP", "STOP"]
    assert trips(segment(s.fixes))[0].distance_m == pytest.approx(4000, abs=1)


def test_stop_of_exactly_the_minimum_cuts() -> None:
    s = Stream().park(10).drive(2000).park(5.5).drive(2000).park(10)
    assert kinds(segment(s.fixes)) == ["STOP", "TRIP", "STOP", "TRIP", "STOP"]


def test_jitter_while_parked_is_one_stop_of_no_distance() -> None:
    s = Stream(every_s=5).park(120, jitter_m=20, seed=7)
    segs = segment(s.fixes)
    assert kinds(segs) == ["STOP"]
    assert segs[0].distance_m == 0.0 and segs[0].open


def test_jitter_is_not_counted_inside_a_trip() -> None:
    clean = Stream(every_s=2).park(10).drive(3000).park(3).drive(1000).park(10)
    noisy = Stream(every_s=2).park(10, jitter_m=15).drive(3000).park(3, jitter_m=15, seed=3)
    noisy.drive(1000).park(10, jitter_m=15, seed=4)
    (a,), (b,) = trips(segment(clean.fixes)), trips(segment(noisy.fixes))
    assert b.distance_m == pytest.approx(a.distance_m, abs=60)  # at most about one radius more


def test_manoeuvre_between_stops_melts_into_one_stop() -> None:
    s = Stream().park(30).drive(120, kmh=10).park(30)
    segs = segment(s.fixes)
    assert kinds(segs) == ["STOP"]
    assert segs[0].distance_m == pytest.approx(120, abs=1)  # still counted: it is no trip, but real


def test_reported_speed_means_moving_inside_the_radius() -> None:
    # Creeping 30 m over 10 min in a queue: by position a stop, by the reported speed a trip.
    base = Stream(every_s=30).park(10).drive(3000).park(10)
    queue = Stream(every_s=30).park(10).drive(3000)
    queue.drive(30, kmh=0.18, speed_kmh=8.0).drive(3000).park(10)
    assert len(trips(segment(base.fixes))) == 1
    assert kinds(segment(queue.fixes)) == ["STOP", "TRIP", "STOP"]
    assert kinds(segment([f._replace(speed_kmh=None) for f in queue.fixes])) == [
        "STOP", "TRIP", "STOP", "TRIP", "STOP"]


# --- filters ---------------------------------------------------------------------------------


def test_teleport_spike_is_dropped() -> None:
    s = Stream().park(10).drive(3000).park(10)
    spiked = list(s.fixes)
    i = 80  # mid-drive
    spiked[i] = spiked[i]._replace(lat=spiked[i].lat + 0.05)  # 5.5 km off, 10 s after the last
    tr = track(spiked)
    assert not tr.kept[i] and tr.kept.sum() == len(spiked) - 1
    assert trips(segment(spiked))[0].distance_m == pytest.approx(3000, abs=1)


def test_null_island_and_nan_are_not_positions() -> None:
    s = Stream().park(10).drive(3000).park(10)
    bad = list(s.fixes)
    bad[70] = bad[70]._replace(lat=0.0, lon=0.0)
    bad[71] = bad[71]._replace(lat=float("nan"))
    assert trips(segment(bad))[0].distance_m == pytest.approx(3000, abs=1)


def test_a_coherent_run_far_away_is_a_relocation_not_a_distance() -> None:
    # The unit reappears 30 km away one minute later and stays coherent there: it was moved
    # (or swapped); the jump is a break, nothing is counted across it.
    s = Stream().park(10).drive(2000)
    s.gap(1, dx=30_000).drive(2000).park(10)
    tr = track(s.fixes)
    assert tr.kept.all() and tr.break_before.sum() == 1
    segs = segment(s.fixes)
    assert kinds(segs) == ["STOP", "TRIP", "STOP", "TRIP", "STOP"]
    # The second drive is first seen 100 m along it: 2000 + 1900 m observed.
    assert sum(t.distance_m for t in trips(segs)) == pytest.approx(3900, abs=1)


def test_long_gap_ends_the_trip_and_its_line_is_not_counted() -> None:
    s = Stream().park(10).drive(3000).gap(25, dx=2000).drive(3000).park(10)
    segs = segment(s.fixes)
    assert kinds(segs) == ["STOP", "TRIP", "STOP", "TRIP", "STOP"]
    gap_stop = segs[2]
    assert gap_stop.duration_ms >= 25 * MIN and gap_stop.distance_m == 0.0
    # The second drive is first seen one fix (100 m) along it.
    assert [t.distance_m for t in trips(segs)] == [pytest.approx(3000, abs=1), pytest.approx(2900, abs=1)]


def test_short_gap_while_driving_keeps_the_trip() -> None:
    s = Stream().park(10).drive(3000).gap(3, dx=1800).drive(3000).park(10)
    (t,) = trips(segment(s.fixes))
    assert t.distance_m == pytest.approx(7800, abs=1)  # the tunnel counts as a straight line


def test_gap_while_parked_is_part_of_the_stop() -> None:
    s = Stream().park(10).drive(3000).park(2).gap(180).park(2).drive(3000).park(10)
    segs = segment(s.fixes)
    assert kinds(segs) == ["STOP", "TRIP", "STOP", "TRIP", "STOP"]
    assert segs[2].duration_ms >= 184 * MIN - 20 * S


# --- ignition --------------------------------------------------------------------------------


def test_ignition_cuts_on_to_off_whatever_the_motion() -> None:
    s = Stream()
    s.park(10, ignition=False).park(5, ignition=True)  # idling 5 min before leaving
    s.drive(3000, ignition=True).park(2, ignition=False)  # a 2 min engine-off stop is a stop
    s.park(0.2, ignition=True).drive(1000, ignition=True).park(10, ignition=True).park(10, ignition=False)
    segs = segment(s.fixes)
    assert kinds(segs) == ["STOP", "TRIP", "STOP", "TRIP", "STOP"]
    first_on = next(i for i, f in enumerate(s.fixes) if f.ignition)
    assert segs[1].start_fix_index == first_on
    assert segs[1].distance_m == pytest.approx(3000, abs=1)
    assert segs[3].distance_m == pytest.approx(1000, abs=1)
    # Without ignition the same stream is cut by motion: the 2 min stop stays inside one trip.
    by_motion = segment(s.fixes, replace(DEFAULT_CONFIG, use_ignition=False))
    assert kinds(by_motion) == ["STOP", "TRIP", "STOP"]


def test_ignition_blip_without_motion_melts_into_the_stop() -> None:
    s = Stream().park(30, ignition=False).park(0.5, ignition=True).park(30, ignition=False)
    assert kinds(segment(s.fixes)) == ["STOP"]


def test_ignition_missing_on_some_fixes_is_carried_forward() -> None:
    s = Stream().park(10, ignition=False).drive(3000, ignition=True).park(10, ignition=False)
    holes = [f._replace(ignition=None) if i % 3 else f for i, f in enumerate(s.fixes)]
    assert kinds(segment(holes)) == ["STOP", "TRIP", "STOP"]


# --- counters, privacy, badge ----------------------------------------------------------------


def test_odometer_wins_over_great_circle_and_a_reset_falls_back() -> None:
    s = Stream().park(10).drive(3000).park(10)
    path = np.concatenate(([0.0], np.cumsum([haversine_m(a.lat, a.lon, b.lat, b.lon)
                                             for a, b in zip(s.fixes, s.fixes[1:])])))
    winding = [f._replace(odometer_m=50_000 + 1.2 * p if i % 4 else None)
               for i, (f, p) in enumerate(zip(s.fixes, path))]
    # Positions give 3000 m; the odometer says the road was 20 % longer.
    (t,) = trips(segment(winding))
    assert t.distance_m == pytest.approx(3600, rel=0.02)
    assert trips(segment(winding, replace(DEFAULT_CONFIG, use_odometer=False)))[0].distance_m == \
        pytest.approx(3000, abs=1)
    reset = [f._replace(odometer_m=None if f.odometer_m is None else 10_000 - f.odometer_m)
             for f in winding]
    assert trips(segment(reset))[0].distance_m == pytest.approx(3000, abs=1)


def test_fuel_energy_battery_privacy_badge() -> None:
    s = Stream().park(10).drive(3000).park(10)
    fx = []
    for i, f in enumerate(s.fixes):
        fx.append(f._replace(
            fuel_used_l=100 + 0.001 * i, energy_used_kwh=None if i % 2 else 20 + 0.01 * i,
            soc_pct=80 - 0.02 * i, privacy=(i == 75), badge="B42" if i > 70 else None,
        ))
    segs = segment(fx)
    trip = segs[1]
    s_i, e_i = trip.start_fix_index, trip.end_fix_index
    assert trip.fuel_l == pytest.approx(0.001 * (e_i - s_i))
    first_e = s_i if s_i % 2 == 0 else s_i + 1
    last_e = e_i if e_i % 2 == 0 else e_i - 1
    assert trip.energy_kwh == pytest.approx(0.01 * (last_e - first_e))
    assert trip.battery_pct_points == pytest.approx(0.02 * (e_i - s_i))
    assert trip.device_private and not segs[0].device_private and not segs[2].device_private
    assert trip.badge == "B42" and segs[0].badge is None


def test_private_fix_at_a_trip_end_makes_the_stop_there_private_too() -> None:
    s = Stream().park(10).drive(3000).park(10)
    segs = segment(s.fixes)
    end = segs[1].end_fix_index
    fx = [f._replace(privacy=True) if i == end else f for i, f in enumerate(s.fixes)]
    assert [x.device_private for x in segment(fx)] == [False, True, True]


# --- input order, batches --------------------------------------------------------------------


def test_unsorted_input_with_duplicates_last_given_wins() -> None:
    s = Stream().park(10).drive(3000).park(10).drive(2000).park(10)
    shuffled = list(s.fixes)
    random.Random(1).shuffle(shuffled)
    dup = s.fixes[100]
    noisy = [dup._replace(lat=dup.lat + 0.5)] + shuffled + [s.fixes[200]]  # bad copy first
    assert normalise(noisy) == s.fixes
    assert segment(noisy) == segment(s.fixes)


def test_open_trip_completed_by_a_later_batch() -> None:
    s = Stream().park(10).drive(3000).park(10).drive(4000).park(10)
    cut = 200  # mid second drive
    fx = normalise(s.fixes)
    first = segment(fx[:cut])
    assert kinds(first) == ["STOP", "TRIP", "STOP", "TRIP"] and first[-1].open
    r = resume_index(first)
    assert r == first[2].start_fix_index
    again = segment(fx[r:] + fx[cut:][::-1])  # the new batch may even come unsorted
    spliced = final_segments(first) + [x.shifted(r) for x in again]
    assert spliced == segment(fx)
    assert not spliced[-2].open and spliced[-1].open


def test_degenerate_inputs() -> None:
    assert segment([]) == []
    (one,) = segment([Fix(0, *at(0))])
    assert one.kind == "STOP" and one.open and one.duration_ms == 0
    with pytest.raises(ValueError):
        SegmentationConfig(max_speed_kmh=0)
    with pytest.raises(ValueError):
        SegmentationConfig(relocation_fixes=0)


# --- properties ------------------------------------------------------------------------------

LEG = st.one_of(
    st.tuples(st.just("park"), st.floats(0.2, 40), st.floats(0, 30)),
    st.tuples(st.just("drive"), st.floats(-6000, 6000), st.floats(-6000, 6000), st.floats(3, 130)),
    st.tuples(st.just("gap"), st.floats(0.5, 90), st.floats(-5000, 5000)),
    st.tuples(st.just("spike"), st.floats(-20_000, 20_000)),
    # Two units on one id: fixes alternate between here and a place kilometres away.
    st.tuples(st.just("zigzag"), st.integers(2, 12), st.floats(-8000, 8000)),
)


@st.composite
def streams(draw: st.DrawFn) -> tuple[list[Fix], SegmentationConfig]:
    every_s = draw(st.sampled_from([1, 5, 10, 30, 60, 120]))
    ignition = draw(st.booleans())
    speeds = draw(st.booleans())
    extras = draw(st.booleans())  # odometer, fuel, privacy and badges
    seed = draw(st.integers(0, 2**16))
    legs = draw(st.lists(LEG, min_size=1, max_size=8))
    s = Stream(every_s=every_s)
    for leg in legs:
        if leg[0] == "park":
            s.park(leg[1], jitter_m=leg[2], seed=seed, ignition=False if ignition else None,
                   speed_kmh=0.0 if speeds else None)
        elif leg[0] == "drive":
            s.drive(leg[1], leg[2], kmh=leg[3], ignition=True if ignition else None,
                    speed_kmh=leg[3] if speeds else None)
        elif leg[0] == "gap":
            s.gap(leg[1], dx=leg[2])
        elif leg[0] == "spike" and s.fixes:
            last = s.fixes[-1]
            s.fixes.append(last._replace(t_ms=last.t_ms + S, lon=last.lon + leg[1] / 73_000))
            s.t_ms = last.t_ms + 2 * S
        elif leg[0] == "zigzag" and s.fixes:
            here = s.fixes[-1]
            for i in range(leg[1]):
                s.fixes.append(here._replace(t_ms=s.t_ms, lon=here.lon + (i % 2 == 0) * leg[2] / 73_000))
                s.t_ms += s.every_ms
    if extras:
        rng = random.Random(seed)
        odo = fuel = 0.0
        for i, f in enumerate(s.fixes):
            odo += rng.uniform(0, 30)
            fuel += rng.uniform(0, 0.01)
            s.fixes[i] = f._replace(
                odometer_m=odo if rng.random() < 0.9 else None,
                fuel_used_l=fuel if rng.random() < 0.8 else None,
                privacy=rng.random() < 0.01, badge=rng.choice([None] * 20 + ["A", "B"]))
    config = draw(st.sampled_from([
        DEFAULT_CONFIG,
        SegmentationConfig(min_stop_ms=2 * MIN, max_gap_ms=2 * MIN, stop_radius_m=30),
        SegmentationConfig(min_trip_ms=0, min_trip_distance_m=0, relocation_fixes=1),
        SegmentationConfig(max_gap_ms=60 * MIN, max_speed_kmh=90, position_noise_m=0),
    ]))
    return s.fixes, config


PROPS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@PROPS
@given(streams())
def test_segments_tile_the_kept_fixes_in_order(case: tuple[list[Fix], SegmentationConfig]) -> None:
    fixes, config = case
    segs = segment(fixes, config)
    tr = track(fixes, config)
    kept = np.flatnonzero(tr.kept)
    if not fixes:
        assert segs == []
        return
    assert segs[0].start_fix_index == kept[0] and segs[-1].end_fix_index == kept[-1]
    for a, b in zip(segs, segs[1:]):
        assert a.end_fix_index == b.start_fix_index and a.end_ms == b.start_ms  # no overlap, no hole
        assert a.kind != b.kind  # stops and trips alternate
        assert not a.open
    for x in segs:
        assert x.start_fix_index <= x.end_fix_index and x.start_ms <= x.end_ms
        assert tr.kept[x.start_fix_index] and tr.kept[x.end_fix_index]
    assert segs[-1].open
    closed_trips = [x for x in segs[:-1] if x.kind == "TRIP"]
    for x in closed_trips:
        assert x.duration_ms >= config.min_trip_ms or x.distance_m >= config.min_trip_distance_m


@PROPS
@given(streams())
def test_distances_are_the_filtered_great_circle(case: tuple[list[Fix], SegmentationConfig]) -> None:
    fixes, config = case
    fixes = [f._replace(odometer_m=None) for f in fixes]
    tr = track(fixes, config)
    fx = tr.fixes
    anchors = np.flatnonzero(tr.anchor).tolist()
    # Recompute each counted hop with the scalar formula: anchor to anchor, nothing across a break.
    hops = np.zeros(len(fx))
    for p, q in zip(anchors, anchors[1:]):
        if not tr.break_before[q]:
            hops[q] = haversine_m(fx[p].lat, fx[p].lon, fx[q].lat, fx[q].lon)
    # Between two anchors every kept fix stayed within the radius of the first (wobble ignored).
    kept = np.flatnonzero(tr.kept).tolist()
    for p, q in zip(anchors, anchors[1:] + [len(fx)]):
        for k in kept:
            if p < k < q:
                assert haversine_m(fx[p].lat, fx[p].lon, fx[k].lat, fx[k].lon) <= config.stop_radius_m + 0.02
    segs = segment(fixes, config)
    for x in segs:
        expect = hops[x.start_fix_index + 1: x.end_fix_index + 1].sum()
        assert x.distance_m == pytest.approx(expect, abs=1e-6)
    assert sum(x.distance_m for x in segs) == pytest.approx(hops.sum(), abs=1e-6)
    assert sum(x.distance_m for x in trips(segs)) == pytest.approx(
        sum(hops[x.start_fix_index + 1: x.end_fix_index + 1].sum() for x in trips(segs)), abs=1e-6)


@PROPS
@given(streams(), st.floats(0.05, 1.0))
def test_resuming_from_the_tail_gives_one_batch_result(
    case: tuple[list[Fix], SegmentationConfig], where: float
) -> None:
    fixes, config = case
    fx = normalise(fixes)
    cut = max(1, int(len(fx) * where))
    first = segment(fx[:cut], config)
    r = resume_index(first)
    final = final_segments(first)
    assert all(not x.open and x.end_fix_index <= r for x in final)
    spliced = final + [x.shifted(r) for x in segment(fx[r:], config)]
    assert spliced == segment(fx, config)


@PROPS
@given(streams(), st.randoms(use_true_random=False))
def test_input_order_does_not_matter(case: tuple[list[Fix], SegmentationConfig], rnd: random.Random) -> None:
    fixes, config = case
    shuffled = list(fixes)
    rnd.shuffle(shuffled)
    assert segment(shuffled, config) == segment(fixes, config)
