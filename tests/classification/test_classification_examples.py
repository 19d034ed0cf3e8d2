"""Worked examples of the classification engine, with figures computed by hand."""

from __future__ import annotations

import math

import numpy as np
import pytest

from fleetprivacy.classification.engine import (
    EngineConfig,
    Measures,
    PrivacySource,
    StepInput,
    check_intervals,
    classify_bulk,
    classify_step,
    measures_within,
    pack_intervals,
    pack_steps,
)

# 2026-03-10T00:00:00Z
DAY = 1_773_100_800_000
H = 3_600_000
MIN = 60_000
CFG = EngineConfig()


def at(hours: int, minutes: int = 0, seconds: int = 0) -> int:
    return DAY + hours * H + minutes * MIN + seconds * 1000


def evening_trip(total_distance_m: float | None = None, first_sample_min: int = 0) -> StepInput:
    """17:30-18:30, a position every 60 s: 30 min in town (8-16 m/s), then 30 min on a road (20-35 m/s)."""
    speeds = [8 + (k % 5) * 2 if k < 30 else 20 + (k % 4) * 5 for k in range(60)]
    cum = [0.0]
    for v in speeds:
        cum.append(cum[-1] + v * 60)
    assert cum[30] == 21_600 and cum[60] == 71_700
    t = [at(17, 30) + k * MIN for k in range(61)]
    distance = cum[-1] if total_distance_m is None else total_distance_m
    return StepInput(
        start_ms=at(17, 30),
        end_ms=at(18, 30),
        sample_t_ms=tuple(t[first_sample_min:]),
        sample_cum_distance_m=tuple(cum[first_sample_min:]),
        totals=Measures(3600.0, distance, 0.0, distance * 8e-5, 0.0, 0.0),
    )


def close(x: float, y: float) -> bool:
    return math.isclose(x, y, rel_tol=1e-12, abs_tol=1e-9)


def test_private_distance_follows_positions_not_time() -> None:
    r = classify_step(evening_trip(), [(at(18), at(23))], CFG)
    assert r.source is PrivacySource.HORAIRE
    assert r.private_parts_ms == ((at(18), at(18, 30)),)
    assert close(r.private.distance_m, 50_100)  # not 35_850, half of the trip
    assert close(r.professional.distance_m, 21_600)
    assert close(r.private.duration_s, 1800) and close(r.professional.duration_s, 1800)
    # 8 L/100 km: 5.736 L in all, split like the distance.
    assert close(r.private.fuel_l, 4.008) and close(r.professional.fuel_l, 1.728)


def test_boundary_between_two_positions_interpolates() -> None:
    # 18:00:30 is half-way through minute 30 (1800 m): 900 m of it are private.
    r = classify_step(evening_trip(), [(at(18, 0, 30), at(23))], CFG)
    assert close(r.private.distance_m, 71_700 - 22_500)
    assert close(r.private.duration_s, 1770)


def test_total_that_differs_from_positions_scales_the_curve() -> None:
    # The odometer says 75 km, the positions 71.7 km: the positions give the shape.
    r = classify_step(evening_trip(75_000.0), [(at(18), at(23))], CFG)
    assert close(r.private.distance_m, 75_000 * 50_100 / 71_700)
    assert close(r.private.distance_m + r.professional.distance_m, 75_000)


def test_positions_missing_at_the_start_count_at_average_rate() -> None:
    # First position at 17:40: the first 10 min (1/6 of the hour) get 1/6 of the total, the
    # sampled 50 min share the other 5/6 by their shape.
    step = evening_trip(first_sample_min=10)
    r = classify_step(step, [(at(18), at(23))], CFG)
    sampled = 71_700 - 6 * 1_200  # minutes 0-9 at 8..16 m/s make 7_200 m
    expected = 71_700 * (5 / 6) * (50_100 / sampled)
    assert close(r.private.distance_m, expected)


def test_trip_spanning_the_end_of_private_time() -> None:
    # 06:50-07:10 at a constant 10 m/s then 20 m/s; private time ends at 07:00.
    t = [at(6, 50) + k * MIN for k in range(21)]
    cum = [0.0]
    for k in range(20):
        cum.append(cum[-1] + (600 if k < 10 else 1200))
    step = StepInput(at(6, 50), at(7, 10), tuple(t), tuple(cum), Measures(1200.0, 18_000.0, 0, 1.2, 0, 0))
    r = classify_step(step, [(at(0), at(7))], CFG)
    assert r.private_parts_ms == ((at(6, 50), at(7)),)
    assert close(r.private.distance_m, 6_000) and close(r.professional.distance_m, 12_000)
    assert close(r.private.fuel_l, 0.4)


def test_private_interval_inside_a_trip() -> None:
    # 11:30-13:30 at 10 m/s, private lunch 12:00-13:00 inside the trip: one private part.
    t = [at(11, 30) + k * MIN for k in range(121)]
    cum = [600.0 * k for k in range(121)]
    step = StepInput(at(11, 30), at(13, 30), tuple(t), tuple(cum), Measures(7200.0, 72_000.0, 0, 0, 0, 0))
    r = classify_step(step, [(at(12), at(13)), (at(19), at(23))], CFG)
    assert r.private_parts_ms == ((at(12), at(13)),)
    assert close(r.private.distance_m, 36_000) and close(r.private.duration_s, 3600)


def test_classify_by_start() -> None:
    cfg = EngineConfig(classify_by_start=True)
    evening = [(at(18), at(23))]
    before = classify_step(evening_trip(), evening, cfg)  # starts 17:30, private from 18:00
    assert before.source is PrivacySource.AUCUN and before.private.distance_m == 0
    assert before.professional.distance_m == 71_700 and before.private_parts_ms == ()
    after = classify_step(evening_trip(), [(at(17), at(17, 45))], cfg)  # starts in private time
    assert after.source is PrivacySource.HORAIRE and after.professional.distance_m == 0
    assert after.private.distance_m == 71_700 and after.private_parts_ms == ((at(17, 30), at(18, 30)),)


def test_zero_distance_splits_the_rest_by_time() -> None:
    step = StepInput(at(17, 30), at(18, 30), (), (), Measures(3600.0, 0.0, 0.0, 0.6, 2.0, 3.0))
    r = classify_step(step, [(at(18), at(23))], CFG)
    assert close(r.private.fuel_l, 0.3) and close(r.private.energy_kwh, 1.0)
    assert close(r.private.battery_pct_points, 1.5)


def test_no_positions_split_distance_by_time() -> None:
    step = StepInput(at(17, 30), at(18, 30), (at(17, 45),), (5.0,), Measures(3600.0, 1000.0, 0, 0, 0, 0))
    r = classify_step(step, [(at(18), at(23))], CFG)
    assert close(r.private.distance_m, 500)


@pytest.mark.parametrize(
    ("retro", "device", "enabled", "known", "source", "private"),
    [
        (True, False, True, True, PrivacySource.POSTERIORI, True),
        (False, True, True, True, PrivacySource.POSTERIORI, False),  # decision beats the button
        (None, True, True, True, PrivacySource.BOUTON, True),
        (None, True, False, False, PrivacySource.BOUTON, True),  # button works on any vehicle
        (None, False, False, True, PrivacySource.AUCUN, False),
        (None, False, True, False, PrivacySource.AUCUN, False),
        (True, False, False, False, PrivacySource.POSTERIORI, True),
    ],
)
def test_precedence(
    retro: bool | None, device: bool, enabled: bool, known: bool, source: PrivacySource, private: bool
) -> None:
    base = evening_trip()
    step = StepInput(
        base.start_ms, base.end_ms, base.sample_t_ms, base.sample_cum_distance_m, base.totals,
        device_private=device, retro_private=retro, privacy_enabled=enabled, driver_known=known,
    )
    whole_day = [(at(0), at(24))]
    r = classify_step(step, whole_day, CFG)
    assert r.source is source
    assert r.private.distance_m == (71_700 if private else 0)
    assert r.professional.distance_m == (0 if private else 71_700)


def test_window_at_midnight_counts_on_both_days() -> None:
    # 23:30-00:30 at a constant speed, private all the time: each day gets its half.
    t = [at(23, 30) + k * MIN for k in range(61)]
    step = StepInput(at(23, 30), at(24, 30), tuple(t), tuple(100.0 * k for k in range(61)),
                     Measures(3600.0, 6000.0, 0, 0, 0, 0), device_private=True)
    day1 = measures_within(step, [], CFG, at(0), at(24))
    day2 = measures_within(step, [], CFG, at(24), at(48))
    assert close(day1.private.distance_m, 3000) and close(day2.private.distance_m, 3000)
    assert day1.private_parts_ms == ((at(23, 30), at(24)),)
    assert day1.source is day2.source is PrivacySource.BOUTON


def test_zero_length_step_goes_by_its_start() -> None:
    step = StepInput(at(18, 5), at(18, 5), (), (), Measures(0.0, 12.0, 0, 0, 0, 0))
    r = classify_step(step, [(at(18), at(23))], CFG)
    assert r.source is PrivacySource.HORAIRE and r.private.distance_m == 12.0
    assert measures_within(step, [(at(18), at(23))], CFG, at(18, 5), at(19)).private.distance_m == 12.0
    assert measures_within(step, [(at(18), at(23))], CFG, at(17), at(18, 5)).private.distance_m == 0.0


def test_bulk_matches_worked_example() -> None:
    steps = [evening_trip(), evening_trip(75_000.0)]
    arrays = pack_steps(steps, [0, 0])
    bulk = classify_bulk(arrays, pack_intervals([[(at(18), at(23))]]), CFG)
    assert np.allclose(bulk.private[:, 1], [50_100, 75_000 * 50_100 / 71_700], rtol=1e-12)
    assert list(bulk.source) == [1, 1]
    assert list(bulk.part_offsets) == [0, 1, 2]
    assert list(bulk.part_start_ms) == [at(18)] * 2 and list(bulk.part_end_ms) == [at(18, 30)] * 2


def test_invalid_inputs_are_refused() -> None:
    with pytest.raises(ValueError):
        StepInput(2, 1, (), (), Measures())
    with pytest.raises(ValueError):
        StepInput(0, 10, (1, 1), (0.0, 1.0), Measures())
    with pytest.raises(ValueError):
        StepInput(0, 10, (1, 2), (1.0, 0.0), Measures())
    arrays = pack_steps([evening_trip()], [0])
    with pytest.raises(ValueError):
        classify_bulk(arrays, pack_intervals([[(at(18), at(17))]]), CFG)
    with pytest.raises(ValueError):
        classify_bulk(arrays, pack_intervals([[(at(18), at(20)), (at(19), at(21))]]), CFG)
    with pytest.raises(ValueError):
        classify_bulk(pack_steps([evening_trip()], [1]), pack_intervals([[]]), CFG)


def test_check_intervals() -> None:
    check_intervals([(0, 5), (5, 9), (12, 13)])
    for bad in ([(5, 5)], [(6, 5)], [(0, 5), (4, 9)], [(10, 12), (0, 5)]):
        with pytest.raises(ValueError):
            check_intervals(bad)
