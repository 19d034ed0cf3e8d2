"""Benchmark of the classification engine: bulk path vs per-step path on a deterministic fleet.

Run: .venv/bin/python bench/bench_classification.py [--steps N] [--subset K]
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable

import numpy as np

from fleetprivacy.classification.engine import (
    SOURCE_BY_CODE,
    EngineConfig,
    IntervalArrays,
    Measures,
    StepArrays,
    StepClassification,
    StepInput,
    classify_bulk,
    classify_step,
)

DAY_MS = 86_400_000
H_MS = 3_600_000
T0 = 1_767_225_600_000  # 2026-01-01T00:00:00Z, a Thursday


def build_intervals(n_drivers: int, n_days: int, rng: np.random.Generator) -> IntervalArrays:
    """Per driver: weekday evenings to next morning, Friday evening to Monday morning, one week off."""
    days = np.arange(n_days)
    weekday = (days + 3) % 7  # 0 = Monday; 2026-01-01 is a Thursday
    evening = weekday <= 4  # Saturday and Sunday are inside Friday's interval
    nights_to = np.where(weekday == 4, 3, 1)  # Friday night runs to Monday
    per_driver = int(evening.sum())
    d = days[evening]
    to = d + nights_to[evening]
    # Each driver has its own hours, within +-1 h, and one week of holidays (merged in).
    off_evening = rng.integers(-H_MS, H_MS, n_drivers)
    off_morning = rng.integers(-H_MS // 2, H_MS // 2, n_drivers)
    starts = T0 + d[None, :] * DAY_MS + 19 * H_MS + off_evening[:, None]
    ends = T0 + to[None, :] * DAY_MS + 7 * H_MS + H_MS // 2 + off_morning[:, None]
    holiday = rng.integers(0, max(per_driver - 6, 1), n_drivers)
    k = np.arange(per_driver)[None, :]
    in_holiday = (k >= holiday[:, None]) & (k < holiday[:, None] + 5)
    # Merging: an interval inside the holiday runs to the next one's start, which it then absorbs.
    keep = ~(in_holiday & (k > holiday[:, None]))
    last_holiday = holiday + 4
    ends = ends.copy()
    rows = np.arange(n_drivers)
    ends[rows, holiday] = ends[rows, np.minimum(last_holiday, per_driver - 1)]
    counts = keep.sum(axis=1)
    offsets = np.zeros(n_drivers + 1, dtype=np.int64)
    np.cumsum(counts, out=offsets[1:])
    return IntervalArrays(offsets, starts[keep].astype(np.int64), ends[keep].astype(np.int64))


def build_steps(n_steps: int, n_drivers: int, n_days: int, rng: np.random.Generator) -> StepArrays:
    """Trips of 5-120 min around commuting, lunch and evening hours; ~10 positions each."""
    driver = np.sort(rng.integers(0, n_drivers, n_steps))
    day = rng.integers(0, n_days, n_steps)
    peak = rng.choice(np.array([8.0, 12.5, 17.5, 20.0]), n_steps, p=[0.35, 0.2, 0.35, 0.1])
    hour = np.clip(rng.normal(peak, 1.2), 0, 23.5)
    start = T0 + day * DAY_MS + (hour * H_MS).astype(np.int64)
    duration = rng.lognormal(np.log(20 * 60_000), 0.6, n_steps)
    duration = np.clip(duration, 5 * 60_000, 120 * 60_000).astype(np.int64)
    # Sort each driver's trips by time, as a report reads them.
    order = np.lexsort((start, driver))
    driver, start, duration = driver[order], start[order], duration[order]
    end = start + duration

    n_samples = rng.poisson(9, n_steps) + 1
    offsets = np.zeros(n_steps + 1, dtype=np.int64)
    np.cumsum(n_samples, out=offsets[1:])
    total = int(offsets[-1])
    owner = np.repeat(np.arange(n_steps), n_samples)
    local = np.arange(total) - offsets[:-1][owner]
    denom = np.maximum(n_samples - 1, 1)[owner]
    t = start[owner] + (duration[owner] * local) // denom
    # Speeds vary per segment: 3-35 m/s.
    seg_m = rng.uniform(3, 35, total) * np.diff(t, prepend=t[0]) / 1000
    seg_m[offsets[:-1]] = 0.0
    cum = np.cumsum(seg_m)
    cum -= np.repeat(cum[offsets[:-1]], n_samples)  # restart at 0 for each step

    last = cum[offsets[1:] - 1]
    distance = last * rng.normal(1.0, 0.02, n_steps)  # odometer vs positions
    electric = rng.random(n_steps) < 0.2
    totals = np.zeros((n_steps, 6), order="F")  # one contiguous column per measure: fastest
    totals[:, 0] = duration / 1000
    totals[:, 1] = distance
    totals[:, 2] = np.where(electric, distance * 0.6, 0.0)
    totals[:, 3] = distance * np.where(electric, 3e-5, 7e-5)
    totals[:, 4] = np.where(electric, distance * 1.6e-4, 0.0)
    totals[:, 5] = np.where(electric, distance * 2.5e-4, 0.0)
    retro = np.full(n_steps, -1, dtype=np.int8)
    r = rng.random(n_steps)
    retro[r < 0.01] = 1
    retro[(r >= 0.01) & (r < 0.015)] = 0
    return StepArrays(
        start_ms=start,
        end_ms=end,
        totals=totals,
        sample_offsets=offsets,
        sample_t_ms=t.astype(np.int64),
        sample_cum_distance_m=cum,
        device_private=rng.random(n_steps) < 0.03,
        retro_private=retro,
        privacy_enabled=rng.random(n_steps) < 0.9,
        driver_known=rng.random(n_steps) < 0.95,
        interval_set=driver.astype(np.int64),
    )


def timed(fn: Callable[[], object], runs: int) -> tuple[float, float]:
    """Median wall time and median CPU time of `runs` calls (CPU time is steadier on a busy machine)."""
    wall, cpu = [], []
    for _ in range(runs):
        w, c = time.perf_counter(), time.process_time()
        fn()
        wall.append(time.perf_counter() - w)
        cpu.append(time.process_time() - c)
    return statistics.median(wall), statistics.median(cpu)


def rate(label: str, n: int, wall: float, cpu: float) -> float:
    """Print and return steps/s of wall time."""
    print(f"{label}: median {wall * 1000:.0f} ms wall ({cpu * 1000:.0f} ms CPU) -> "
          f"{n / wall:,.0f} steps/s ({n / cpu:,.0f} per CPU second)")
    return n / wall


def to_inputs(steps: StepArrays, idx: np.ndarray) -> list[StepInput]:
    """The per-step form of some rows."""
    out = []
    off = steps.sample_offsets
    for i in idx.tolist():
        s, e = off[i], off[i + 1]
        retro = int(steps.retro_private[i])
        out.append(StepInput(
            start_ms=int(steps.start_ms[i]),
            end_ms=int(steps.end_ms[i]),
            sample_t_ms=tuple(steps.sample_t_ms[s:e].tolist()),
            sample_cum_distance_m=tuple(steps.sample_cum_distance_m[s:e].tolist()),
            totals=Measures(*steps.totals[i].tolist()),
            device_private=bool(steps.device_private[i]),
            retro_private=None if retro < 0 else bool(retro),
            privacy_enabled=bool(steps.privacy_enabled[i]),
            driver_known=bool(steps.driver_known[i]),
        ))
    return out


def main() -> None:
    """Build the batch, time both paths, check they agree, print steps/s."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--steps", type=int, default=1_000_000)
    parser.add_argument("--drivers", type=int, default=2_000)
    parser.add_argument("--days", type=int, default=180)
    parser.add_argument("--subset", type=int, default=20_000)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()

    rng = np.random.default_rng(20260101)
    intervals = build_intervals(args.drivers, args.days, rng)
    steps = build_steps(args.steps, args.drivers, args.days, rng)
    cfg = EngineConfig()
    print(f"{len(steps):,} steps, {steps.sample_t_ms.size:,} samples, "
          f"{intervals.start_ms.size:,} private intervals over {args.drivers:,} drivers")

    bulk_rate = rate("bulk", len(steps), *timed(lambda: classify_bulk(steps, intervals, cfg), args.runs))
    rate("bulk, validate=False", len(steps),
         *timed(lambda: classify_bulk(steps, intervals, cfg, validate=False), args.runs))
    # Report-style windows: every step restricted to its (UTC) day, as a DETAIL report cuts them.
    day_start = T0 + (steps.start_ms - T0) // DAY_MS * DAY_MS
    rate("bulk, one day window per step", len(steps),
         *timed(lambda: classify_bulk(steps, intervals, cfg, day_start, day_start + DAY_MS), args.runs))
    # Worst case: every step cut at its middle, so every step needs its position curve.
    middle = steps.start_ms + (steps.end_ms - steps.start_ms) // 2
    rate("bulk, every step cut in the middle (worst case)", len(steps),
         *timed(lambda: classify_bulk(steps, intervals, cfg, steps.start_ms, middle), args.runs))
    bulk = classify_bulk(steps, intervals, cfg)

    idx = np.linspace(0, len(steps) - 1, args.subset).astype(np.int64)
    inputs = to_inputs(steps, idx)
    sets = [
        list(zip(intervals.start_ms[a:b].tolist(), intervals.end_ms[a:b].tolist()))
        for a, b in zip(intervals.offsets[:-1].tolist(), intervals.offsets[1:].tolist())
    ]
    own = [sets[int(steps.interval_set[i])] for i in idx]
    results: list[StepClassification] = []

    def per_step() -> None:
        results[:] = [classify_step(s, iv, cfg) for s, iv in zip(inputs, own)]

    step_rate = rate(f"per-step on {len(inputs):,} steps", len(inputs), *timed(per_step, 3))
    print(f"ratio bulk / per-step: {bulk_rate / step_rate:,.0f}x")

    private = np.array([r.private.as_tuple() for r in results])
    professional = np.array([r.professional.as_tuple() for r in results])
    sources = [SOURCE_BY_CODE[c] for c in bulk.source[idx].tolist()]
    same = (
        np.allclose(private, bulk.private[idx], rtol=1e-12, atol=1e-9)
        and np.allclose(professional, bulk.professional[idx], rtol=1e-12, atol=1e-9)
        and sources == [r.source for r in results]
    )
    shares = bulk.source[idx]
    print(f"bulk == per-step on the subset (to 1e-12 relative): {same}; sources in subset "
          f"AUCUN/HORAIRE/BOUTON/POSTERIORI = {np.bincount(shares, minlength=4).tolist()}")
    if not same:
        raise SystemExit("bulk and per-step paths disagree")


if __name__ == "__main__":
    main()
