"""Property tests of the classification engine: conservation, cuts, precedence, bulk == per-step."""

from __future__ import annotations

import math
from dataclasses import replace

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fleetprivacy.classification import engine
from fleetprivacy.classification.engine import (
    MEASURE_FIELDS,
    SOURCE_BY_CODE,
    EngineConfig,
    Measures,
    PrivacySource,
    StepClassification,
    StepInput,
    classify_bulk,
    classify_step,
    measures_within,
    pack_intervals,
    pack_steps,
)

T0 = 1_773_100_800_000
Intervals = list[tuple[int, int]]

# Enough examples to find edge cases, few enough to keep the directory under 30 s on 2 cores.
FAST = settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
BULK = settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])


_LENGTH = st.one_of(st.just(0), st.integers(1, 100), st.integers(1, 7_200_000))
_OFFSETS = st.one_of(st.lists(st.integers(0, 2**40), max_size=12),
                     st.lists(st.integers(0, 2**40), min_size=3, max_size=12))
_STEP_M = st.lists(st.one_of(st.just(0.0), st.floats(0, 5_000, allow_nan=False)), min_size=12, max_size=12)
_TOTAL = st.one_of(st.just(0.0), st.floats(0, 1e5, allow_nan=False))
_TOTALS = st.tuples(st.booleans(), _TOTAL, _TOTAL, _TOTAL, _TOTAL, _TOTAL, _TOTAL)
# Weighted towards the schedule rule, the one with arithmetic in it.
_FLAGS = st.fixed_dictionaries(dict(
    device_private=st.sampled_from([False] * 6 + [True]),
    retro_private=st.sampled_from([None] * 8 + [True, False]),
    privacy_enabled=st.sampled_from([True] * 6 + [False]),
    driver_known=st.sampled_from([True] * 6 + [False]),
))
_PRIVACY_ON = dict(device_private=False, retro_private=None, privacy_enabled=True, driver_known=True)


@st.composite
def steps(draw: st.DrawFn, privacy: bool | None = None) -> StepInput:
    start = T0 + draw(st.integers(0, 10_000_000))
    length = draw(_LENGTH)
    end = start + length
    margin = draw(st.sampled_from([0, 0, 300_000]))
    width = length + 2 * margin + 1
    times = sorted({start - margin + o % width for o in draw(_OFFSETS)})
    cum = []
    acc = draw(st.floats(0, 1e6))
    for d in draw(_STEP_M)[: len(times)]:
        acc += d
        cum.append(acc)
    elapsed, *figures = draw(_TOTALS)
    duration = length / 1000 if elapsed else figures[0]
    totals = Measures(duration, *figures[1:])
    flags = draw(_FLAGS) if privacy is None else _PRIVACY_ON
    return StepInput(start, end, tuple(times), tuple(cum), totals, **flags)


@st.composite
def intervals_near(draw: st.DrawFn, step: StepInput) -> Intervals:
    """Sorted disjoint intervals around the step, often cut at its bounds or its samples."""
    s, e = step.start_ms, step.end_ms
    special = [s, e, *step.sample_t_ms]
    reach = draw(st.sampled_from([1000, (e - s) // 2 + 1, 3_600_000]))
    width = e - s + 2 * reach + 1
    raw = draw(st.lists(st.tuples(st.booleans(), st.integers(0, 2**40)), min_size=1, max_size=8))
    points = sorted({special[o % len(special)] if pick else s - reach + o % width for pick, o in raw})
    if len(points) % 2:
        points = points[:-1]
    return [(points[i], points[i + 1]) for i in range(0, len(points), 2)]


@st.composite
def step_and_intervals(draw: st.DrawFn, privacy: bool | None = None) -> tuple[StepInput, Intervals]:
    step = draw(steps(privacy))
    return step, draw(intervals_near(step))


configs = st.builds(EngineConfig, classify_by_start=st.booleans())


def close(x: float, y: float) -> bool:
    return math.isclose(x, y, rel_tol=1e-9, abs_tol=1e-9 * max(1.0, abs(x), abs(y)))


def assert_adds_up(r: StepClassification, totals: Measures) -> None:
    for name in MEASURE_FIELDS:
        p, q, t = getattr(r.private, name), getattr(r.professional, name), getattr(totals, name)
        assert close(p + q, t), name
        assert p >= 0 and q >= 0, name


def add(a: StepClassification, b: StepClassification) -> tuple[Measures, Measures]:
    return a.private + b.private, a.professional + b.professional


def assert_measures_close(x: Measures, y: Measures, scale: Measures) -> None:
    for name in MEASURE_FIELDS:
        tol = 1e-9 * max(1.0, abs(getattr(scale, name)))
        assert abs(getattr(x, name) - getattr(y, name)) <= tol, name


@FAST
@given(step_and_intervals(), configs)
def test_private_plus_professional_is_the_total(si: tuple[StepInput, Intervals], cfg: EngineConfig) -> None:
    step, intervals = si
    r = classify_step(step, intervals, cfg)
    assert_adds_up(r, step.totals)
    for s, e in r.private_parts_ms:
        assert step.start_ms <= s <= e <= step.end_ms


@FAST
@given(steps(privacy=True), configs, st.integers(0, 3_600_000), st.integers(0, 3_600_000))
def test_inside_private_time_is_all_private(
    step: StepInput, cfg: EngineConfig, before: int, after: int
) -> None:
    r = classify_step(step, [(step.start_ms - before, step.end_ms + after + 1)], cfg)
    assert r.private == step.totals and r.professional == Measures()
    assert r.source is PrivacySource.HORAIRE


@FAST
@given(steps(privacy=True), configs, st.integers(1, 3_600_000))
def test_outside_private_time_is_all_professional(step: StepInput, cfg: EngineConfig, gap: int) -> None:
    s, e = step.start_ms, step.end_ms
    intervals = [(s - gap - 5_000, s - gap), (e + gap, e + gap + 5)]
    r = classify_step(step, intervals, cfg)
    assert r.professional == step.totals and r.private == Measures()
    assert r.source is PrivacySource.AUCUN and r.private_parts_ms == ()


@FAST
@given(step_and_intervals(), configs)
def test_device_flag_and_retro_decide_the_whole_step(
    si: tuple[StepInput, Intervals], cfg: EngineConfig
) -> None:
    step, intervals = si
    r = classify_step(replace(step, retro_private=None, device_private=True), intervals, cfg)
    assert r.source is PrivacySource.BOUTON and r.private == step.totals
    for decision in (True, False):
        r = classify_step(replace(step, retro_private=decision), intervals, cfg)
        assert r.source is PrivacySource.POSTERIORI
        assert (r.private if decision else r.professional) == step.totals


@FAST
@given(step_and_intervals(), configs, st.data())
def test_splitting_at_any_instant_keeps_the_totals(
    si: tuple[StepInput, Intervals], cfg: EngineConfig, data: st.DataObject
) -> None:
    step, intervals = si
    cut = data.draw(st.integers(step.start_ms, step.end_ms))
    far_left, far_right = step.start_ms - data.draw(st.integers(0, 10)), step.end_ms + 1
    whole = classify_step(step, intervals, cfg)
    left = measures_within(step, intervals, cfg, far_left, cut)
    right = measures_within(step, intervals, cfg, cut, far_right)
    private, professional = add(left, right)
    assert_measures_close(private, whole.private, step.totals)
    assert_measures_close(professional, whole.professional, step.totals)
    assert sorted(left.private_parts_ms + right.private_parts_ms) == sorted(
        p for p in _merge_cut(whole.private_parts_ms, cut)
    )


def _merge_cut(parts: tuple[tuple[int, int], ...], cut: int) -> list[tuple[int, int]]:
    out = []
    for s, e in parts:
        if s < cut < e:
            out += [(s, cut), (cut, e)]
        else:
            out.append((s, e))
    return out


@FAST
@given(step_and_intervals(), configs, st.lists(st.integers(0, 7_300_000), max_size=6))
def test_a_partition_into_windows_adds_up_to_the_whole(
    si: tuple[StepInput, Intervals], cfg: EngineConfig, offsets: list[int]
) -> None:
    step, intervals = si
    cuts = sorted({step.start_ms - 1, step.end_ms + 1, *(step.start_ms + o for o in offsets)})
    whole = classify_step(step, intervals, cfg)
    private, professional = Measures(), Measures()
    for ws, we in zip(cuts, cuts[1:]):
        r = measures_within(step, intervals, cfg, ws, we)
        for name in MEASURE_FIELDS:
            assert getattr(r.private, name) >= 0 and getattr(r.professional, name) >= 0
        private, professional = private + r.private, professional + r.professional
    assert_measures_close(private, whole.private, step.totals)
    assert_measures_close(professional, whole.professional, step.totals)


@FAST
@given(step_and_intervals(), configs)
def test_window_covering_the_step_is_the_step(si: tuple[StepInput, Intervals], cfg: EngineConfig) -> None:
    step, intervals = si
    whole = classify_step(step, intervals, cfg)
    assert measures_within(step, intervals, cfg, step.start_ms - 5, step.end_ms + 5) == whole


# ---- bulk == per-step -------------------------------------------------------------------------


@st.composite
def batches(draw: st.DrawFn) -> tuple[list[StepInput], list[Intervals], list[int]]:
    items = draw(st.lists(step_and_intervals(), min_size=1, max_size=8))
    steps_ = [s for s, _ in items]
    # Some steps share a set (a driver's private time), some have their own, some have none.
    sets: list[Intervals] = [iv for _, iv in items]
    any_set = st.integers(0, len(sets) - 1)
    which = [draw(st.sampled_from([-1, i, i, draw(any_set)])) for i in range(len(steps_))]
    return steps_, sets, which


def assert_bulk_equals(bulk: engine.BulkClassification, expected: list[StepClassification]) -> None:
    for i, r in enumerate(expected):
        # The same numbers to the last few ulps: numpy may evaluate a product or a sum in another
        # order than scalar Python, which moves the 16th significant digit (seen on real runs).
        assert np.allclose(bulk.private[i], r.private.as_tuple(), rtol=1e-12, atol=1e-9), i
        assert np.allclose(bulk.professional[i], r.professional.as_tuple(), rtol=1e-12, atol=1e-9), i
        assert SOURCE_BY_CODE[bulk.source[i]] is r.source
        lo, hi = bulk.part_offsets[i], bulk.part_offsets[i + 1]
        parts = tuple(zip(bulk.part_start_ms[lo:hi].tolist(), bulk.part_end_ms[lo:hi].tolist()))
        assert parts == r.private_parts_ms


@BULK
@given(batches(), configs, st.data())
def test_bulk_equals_per_step_and_per_window(
    batch: tuple[list[StepInput], list[Intervals], list[int]], cfg: EngineConfig, data: st.DataObject
) -> None:
    steps_, sets, which = batch
    arrays, packed = pack_steps(steps_, which), pack_intervals(sets)
    own = [sets[w] if w >= 0 else [] for w in which]
    expected = [classify_step(s, iv, cfg) for s, iv in zip(steps_, own)]
    assert_bulk_equals(classify_bulk(arrays, packed, cfg), expected)

    # Windows from before the step to past it, empty or reversed ones included.
    raw = data.draw(st.lists(st.tuples(st.integers(0, 2**40), st.integers(0, 2**40)),
                             min_size=len(steps_), max_size=len(steps_)))
    windows = []
    for s, (x, y) in zip(steps_, raw):
        a = s.start_ms - 1000 + x % (s.end_ms - s.start_ms + 1011)
        windows.append((a, a - 10 + y % (s.end_ms + 1011 - a)))
    expected = [measures_within(s, iv, cfg, a, b) for s, iv, (a, b) in zip(steps_, own, windows)]
    ws = np.array([a for a, _ in windows], dtype=np.int64)
    we = np.array([b for _, b in windows], dtype=np.int64)
    assert_bulk_equals(classify_bulk(arrays, packed, cfg, ws, we), expected)


@pytest.fixture
def no_composite_keys(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(engine, "_KEY_BITS", 0)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(batches(), configs)
def test_bulk_bisection_fallback_equals_per_step(
    no_composite_keys: None, batch: tuple[list[StepInput], list[Intervals], list[int]], cfg: EngineConfig
) -> None:
    steps_, sets, which = batch
    expected = [classify_step(s, sets[w] if w >= 0 else [], cfg) for s, w in zip(steps_, which)]
    assert_bulk_equals(classify_bulk(pack_steps(steps_, which), pack_intervals(sets), cfg), expected)


def test_bulk_with_no_steps_and_no_intervals() -> None:
    bulk = classify_bulk(pack_steps([], []), pack_intervals([]), EngineConfig())
    assert bulk.private.shape == (0, 6) and bulk.source.shape == (0,) and list(bulk.part_offsets) == [0]
