"""Pure classification of steps into private and professional usage (SPEC section 7).

No web, no database, no clock: frozen values in, plain values out. Instants are int epoch
milliseconds UTC (`*_ms`); private time is a sorted list of disjoint, non-empty half-open intervals
`[(start_ms, end_ms), ...]` computed elsewhere from schedules and exceptional periods.

Two paths give the same numbers (to the last few ulps: numpy may round a step differently):
- `classify_step` / `measures_within`: one step at a time, plain Python (reference, tests, small jobs);
- `classify_bulk`: many steps at once over numpy arrays (reports, `reclassify` runs).

How a step is split (decisions where SPEC section 7 is silent are marked "decision"):
- Rules, in order: an accepted retroactive decision decides the whole step (POSTERIORI, either way);
  else the device flag makes it private (BOUTON); else, if the vehicle has privacy enabled and the
  driver is known, the private part is the intersection with private time (HORAIRE when non-empty,
  AUCUN otherwise); otherwise professional (AUCUN). With `classify_by_start` the whole step goes by
  its start instant (HORAIRE when private).
- Decision: a retroactive decision applies even if the vehicle lost `privacyEnabled` or the driver is
  unknown: SPEC section 8 says a decision survives everything that recomputes the step.
- Decision: a zero-length step (start == end) has no time to intersect, so it goes by its start instant
  (private if some interval holds it), whatever `classify_by_start` says.
- Duration splits by elapsed time: private duration = total duration x private ms / step ms. When
  `totals.duration_s` is the step's elapsed time (the normal case) this is exactly the private elapsed
  time; decision: a stored duration that differs is split in the same ratio so both parts still add up.
- Distance splits by a cumulative fraction curve F(t) over the step, F(start) = 0, F(end) = 1, and
  private distance = total distance x (sum of F(end) - F(start) over the private parts):
  * where positions exist, F follows their cumulative distance, interpolated linearly in time between
    samples; decision: the sample curve is a shape, normalised to the step's total distance, so a total
    that differs from the last cumulative sample (odometer vs GPS) is spread in proportion along the
    trip rather than dumped at one end;
  * decision: parts of the step before the first / after the last sample are assumed driven at the
    step's average rate (total distance / duration): they get distance in proportion to their time, and
    the sampled span shares the rest by the curve's shape; samples outside the step are clipped to it;
  * with fewer than two samples in the step, or a sampled span with no distance, F is linear in time.
  Cumulative distance must be non-decreasing and sample instants strictly increasing.
- Electric distance, fuel, energy and battery use split in proportion to distance, or to time when the
  step's total distance is not positive.
- Professional = total - private for every measure. The private fraction is clamped to [0, window
  fraction] first, so for non-negative totals professional is never negative and never needs clamping.
- `measures_within` restricts the same split to a window [window_start_ms, window_end_ms): window
  totals = total x (F(hi) - F(lo)) (x time fraction for duration), so the windows of a partition add
  up to the whole step. A zero-length step belongs to the window holding its start. Decision: the source
  of a window part is the step's source for POSTERIORI, BOUTON and classify-by-start; for a schedule
  split it is HORAIRE only when that window holds some private time (else AUCUN).

Bulk layout (see `StepArrays`, `IntervalArrays`, `BulkClassification`): one row per step in flat
columns; positions flattened with per-step offsets; private time as shared interval sets (one per
driver and period, say) with a step -> set index, so a driver's year of intervals is stored once and
searched with one np.searchsorted over composite int64 keys. Optional per-row windows give
`measures_within`; repeat a step's row to cut it into several windows (DETAIL days). Position curves
are evaluated only where a private boundary or a window cut falls strictly inside a step.
`bench/bench_classification.py` measures it.
"""

from __future__ import annotations

import enum
from bisect import bisect_left, bisect_right
from collections.abc import Sequence
from dataclasses import dataclass, fields

import numpy as np
from numpy.typing import NDArray

__all__ = [
    "MEASURE_FIELDS",
    "RETRO_NONE",
    "RETRO_PRIVATE",
    "RETRO_PROFESSIONAL",
    "SOURCE_BY_CODE",
    "BulkClassification",
    "EngineConfig",
    "IntervalArrays",
    "Measures",
    "PrivacySource",
    "StepArrays",
    "StepClassification",
    "StepInput",
    "check_intervals",
    "classify_bulk",
    "classify_step",
    "measures_within",
    "pack_intervals",
    "pack_steps",
]

Interval = tuple[int, int]

MEASURE_FIELDS: tuple[str, ...] = (
    "duration_s",
    "distance_m",
    "electric_distance_m",
    "fuel_l",
    "energy_kwh",
    "battery_pct_points",
)

# Values of StepArrays.retro_private.
RETRO_NONE = -1
RETRO_PROFESSIONAL = 0
RETRO_PRIVATE = 1


class PrivacySource(enum.StrEnum):
    """Why a step (part) is private; the keys of the reports' `*ByFlag` maps."""

    AUCUN = "AUCUN"
    HORAIRE = "HORAIRE"
    BOUTON = "BOUTON"
    POSTERIORI = "POSTERIORI"


# Bulk source codes index this tuple: 0 AUCUN, 1 HORAIRE, 2 BOUTON, 3 POSTERIORI.
SOURCE_BY_CODE: tuple[PrivacySource, ...] = (
    PrivacySource.AUCUN,
    PrivacySource.HORAIRE,
    PrivacySource.BOUTON,
    PrivacySource.POSTERIORI,
)
_CODE_AUCUN, _CODE_HORAIRE, _CODE_BOUTON, _CODE_POSTERIORI = 0, 1, 2, 3


@dataclass(frozen=True, slots=True)
class Measures:
    """Usage figures of a step or part of a step, units in the names."""

    duration_s: float = 0.0
    distance_m: float = 0.0
    electric_distance_m: float = 0.0
    fuel_l: float = 0.0
    energy_kwh: float = 0.0
    battery_pct_points: float = 0.0

    def as_tuple(self) -> tuple[float, ...]:
        """The figures in `MEASURE_FIELDS` order."""
        return tuple(getattr(self, name) for name in MEASURE_FIELDS)

    def __add__(self, other: Measures) -> Measures:
        return Measures(*(x + y for x, y in zip(self.as_tuple(), other.as_tuple(), strict=True)))


assert tuple(f.name for f in fields(Measures)) == MEASURE_FIELDS


@dataclass(frozen=True, slots=True)
class StepInput:
    """One step with its positions' cumulative distance, totals and privacy flags."""

    start_ms: int
    end_ms: int
    sample_t_ms: tuple[int, ...]
    sample_cum_distance_m: tuple[float, ...]
    totals: Measures
    device_private: bool = False
    retro_private: bool | None = None
    privacy_enabled: bool = True
    driver_known: bool = True

    def __post_init__(self) -> None:
        object.__setattr__(self, "sample_t_ms", tuple(self.sample_t_ms))
        object.__setattr__(self, "sample_cum_distance_m", tuple(self.sample_cum_distance_m))
        if self.end_ms < self.start_ms:
            raise ValueError("step ends before it starts")
        t, c = self.sample_t_ms, self.sample_cum_distance_m
        if len(t) != len(c):
            raise ValueError("sample_t_ms and sample_cum_distance_m differ in length")
        for i in range(1, len(t)):
            if t[i] <= t[i - 1]:
                raise ValueError("sample instants must be strictly increasing")
            if not c[i] >= c[i - 1]:
                raise ValueError("cumulative distance must be non-decreasing")


@dataclass(frozen=True, slots=True)
class EngineConfig:
    """Per-customer classification settings."""

    classify_by_start: bool = False


@dataclass(frozen=True, slots=True)
class StepClassification:
    """A step (or the part of it inside a window) split into private and professional measures."""

    private: Measures
    professional: Measures
    source: PrivacySource
    # Half-open private parts, to mask positions; a whole-private step gives its own bounds.
    private_parts_ms: tuple[Interval, ...]


def check_intervals(intervals: Sequence[Interval]) -> None:
    """Raise ValueError unless the intervals are non-empty, sorted and disjoint (half-open)."""
    prev_end: int | None = None
    for s, e in intervals:
        if not s < e:
            raise ValueError(f"empty or reversed private interval ({s}, {e})")
        if prev_end is not None and s < prev_end:
            raise ValueError("private intervals must be sorted and disjoint")
        prev_end = e


# --------------------------------------------------------------------------------------------
# Per-step path. Every floating-point operation below has its twin, in the same order, in the
# bulk path, so that both paths agree to within a few ulps (numpy may still fuse or reorder).
# --------------------------------------------------------------------------------------------


def _end_key(iv: Interval) -> int:
    return iv[1]


def _start_key(iv: Interval) -> int:
    return iv[0]


def _interp(t: tuple[int, ...], c: tuple[float, ...], x: int) -> float:
    """Cumulative distance at x, linear in time between samples, flat outside them."""
    if x <= t[0]:
        return c[0]
    if x >= t[-1]:
        return c[-1]
    j = bisect_right(t, x) - 1
    return c[j] + (c[j + 1] - c[j]) * (float(x - t[j]) / float(t[j + 1] - t[j]))


class _Curve:
    """The cumulative distance fraction F(t) of one step (see module docstring)."""

    __slots__ = ("a", "b", "da", "s0", "span", "step_f", "t", "c", "w")

    def __init__(self, step: StepInput) -> None:
        self.s0 = step.start_ms
        self.step_f = float(step.end_ms - step.start_ms)
        self.t = step.sample_t_ms
        self.c = step.sample_cum_distance_m
        self.span = 0.0
        t = self.t
        if len(t) >= 2:
            a = max(step.start_ms, t[0])
            b = min(step.end_ms, t[-1])
            if b > a:
                da = _interp(t, self.c, a)
                span = _interp(t, self.c, b) - da
                if span > 0:
                    self.a, self.b, self.da, self.span, self.w = a, b, da, span, float(b - a)

    def at(self, x: int) -> float:
        if not self.span > 0:
            return float(x - self.s0) / self.step_f
        a, b = self.a, self.b
        tc = min(max(x, a), b)
        outside = (min(x, a) - self.s0) + (max(x, b) - b)
        return (float(outside) + self.w * ((_interp(self.t, self.c, tc) - self.da) / self.span)) / self.step_f


def _start_is_private(intervals: Sequence[Interval], x: int) -> bool:
    k = bisect_right(intervals, x, key=_end_key)
    return k < len(intervals) and intervals[k][0] <= x


def _classify(
    step: StepInput,
    intervals: Sequence[Interval],
    config: EngineConfig,
    window: Interval | None,
) -> StepClassification:
    s0, e0 = step.start_ms, step.end_ms
    zero = e0 == s0
    if window is None:
        lo, hi = s0, e0
        inside = True
        win_t = win_d = 1.0
    else:
        lo, hi = max(s0, window[0]), min(e0, window[1])
        inside = (window[0] <= s0 < window[1]) if zero else hi > lo
        win_t = win_d = 1.0 if inside else 0.0

    curve: _Curve | None = None
    if not zero and inside and window is not None:
        curve = _Curve(step)
        win_t = float(hi - lo) / curve.step_f
        win_d = curve.at(hi) - curve.at(lo)

    whole_private = False
    parts: list[Interval] = []
    priv_t = priv_d = 0.0
    if step.retro_private is not None:
        source = PrivacySource.POSTERIORI
        whole_private = step.retro_private
    elif step.device_private:
        source = PrivacySource.BOUTON
        whole_private = True
    elif step.privacy_enabled and step.driver_known and intervals:
        if zero or config.classify_by_start:
            whole_private = _start_is_private(intervals, s0)
            source = PrivacySource.HORAIRE if whole_private else PrivacySource.AUCUN
        else:
            source = PrivacySource.AUCUN
            if inside:
                k0 = bisect_right(intervals, lo, key=_end_key)
                k1 = bisect_left(intervals, hi, key=_start_key)
                if k1 > k0:
                    if curve is None:
                        curve = _Curve(step)
                    priv_ms = 0
                    for k in range(k0, k1):
                        ps, pe = max(intervals[k][0], lo), min(intervals[k][1], hi)
                        parts.append((ps, pe))
                        priv_ms += pe - ps
                        priv_d += curve.at(pe) - curve.at(ps)
                    priv_t = float(priv_ms) / curve.step_f
                    priv_d = min(max(priv_d, 0.0), win_d)
                    source = PrivacySource.HORAIRE
    else:
        source = PrivacySource.AUCUN

    if whole_private:
        priv_t, priv_d = win_t, win_d
        if inside:
            parts = [(lo, hi)]

    totals = step.totals.as_tuple()
    by_distance = totals[1] > 0
    fp = (priv_t, priv_d) + (priv_d if by_distance else priv_t,) * 4
    fw = (win_t, win_d) + (win_d if by_distance else win_t,) * 4
    private = tuple(x * f for x, f in zip(totals, fp, strict=True))
    professional = tuple(x * f - p for x, f, p in zip(totals, fw, private, strict=True))
    return StepClassification(Measures(*private), Measures(*professional), source, tuple(parts))


def classify_step(
    step: StepInput, private_intervals: Sequence[Interval], config: EngineConfig
) -> StepClassification:
    """Split one whole step into private and professional measures (SPEC section 7)."""
    return _classify(step, private_intervals, config, None)


def measures_within(
    step: StepInput,
    private_intervals: Sequence[Interval],
    config: EngineConfig,
    window_start_ms: int,
    window_end_ms: int,
) -> StepClassification:
    """Split the part of a step inside [window_start_ms, window_end_ms) by the same rules."""
    return _classify(step, private_intervals, config, (window_start_ms, window_end_ms))


# --------------------------------------------------------------------------------------------
# Bulk path.
# --------------------------------------------------------------------------------------------

I64 = NDArray[np.int64]
F64 = NDArray[np.float64]

# Composite int64 search keys must fit in this many bits (63 minus a safety bit).
_KEY_BITS = 62


@dataclass(frozen=True, eq=False)
class StepArrays:
    """Many steps as columns; step i's samples are `sample_*[sample_offsets[i]:sample_offsets[i+1]]`.

    Private time is shared rather than copied per step: `interval_set[i]` names the set of
    `IntervalArrays` holding step i's private time (typically one set per driver and period, so a
    report over a year loads each driver's intervals once), -1 for none.
    """

    start_ms: I64  # (n,)
    end_ms: I64  # (n,)
    # (n, 6), columns in MEASURE_FIELDS order; any memory order, but Fortran order (one contiguous
    # column per measure, np.asfortranarray) is about twice as fast. Results keep the same order.
    totals: F64
    sample_offsets: I64  # (n + 1,), starts at 0, non-decreasing, ends at len(sample_t_ms)
    sample_t_ms: I64  # (S,), strictly increasing within each step
    sample_cum_distance_m: F64  # (S,), non-decreasing within each step
    device_private: NDArray[np.bool_]  # (n,)
    retro_private: NDArray[np.int8]  # (n,), RETRO_NONE / RETRO_PROFESSIONAL / RETRO_PRIVATE
    privacy_enabled: NDArray[np.bool_]  # (n,)
    driver_known: NDArray[np.bool_]  # (n,)
    interval_set: I64  # (n,), index into IntervalArrays sets, -1 for none

    def __len__(self) -> int:
        return int(self.start_ms.shape[0])


@dataclass(frozen=True, eq=False)
class IntervalArrays:
    """Sets of private intervals; set g is `start_ms/end_ms[offsets[g]:offsets[g+1]]`, sorted, disjoint."""

    offsets: I64  # (G + 1,)
    start_ms: I64  # (I,)
    end_ms: I64  # (I,)


@dataclass(frozen=True, eq=False)
class BulkClassification:
    """Per-step results; step i's private parts are `part_*[part_offsets[i]:part_offsets[i+1]]`."""

    private: F64  # (n, 6), MEASURE_FIELDS order
    professional: F64  # (n, 6)
    source: NDArray[np.int8]  # (n,), index into SOURCE_BY_CODE
    part_offsets: I64  # (n + 1,)
    part_start_ms: I64  # (P,)
    part_end_ms: I64  # (P,)


def pack_intervals(sets: Sequence[Sequence[Interval]]) -> IntervalArrays:
    """Pack interval lists into `IntervalArrays` (set g = sets[g])."""
    counts = np.fromiter((len(s) for s in sets), dtype=np.int64, count=len(sets))
    offsets = np.zeros(len(sets) + 1, dtype=np.int64)
    np.cumsum(counts, out=offsets[1:])
    flat = [iv for s in sets for iv in s]
    arr = np.array(flat, dtype=np.int64).reshape(-1, 2)
    return IntervalArrays(offsets, np.ascontiguousarray(arr[:, 0]), np.ascontiguousarray(arr[:, 1]))


def pack_steps(steps: Sequence[StepInput], interval_set: Sequence[int]) -> StepArrays:
    """Pack `StepInput`s into `StepArrays`; `interval_set[i]` is step i's private-time set (-1 none)."""
    n = len(steps)
    counts = np.fromiter((len(s.sample_t_ms) for s in steps), dtype=np.int64, count=n)
    offsets = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(counts, out=offsets[1:])
    retro = [RETRO_NONE if s.retro_private is None else int(s.retro_private) for s in steps]
    return StepArrays(
        start_ms=np.array([s.start_ms for s in steps], dtype=np.int64),
        end_ms=np.array([s.end_ms for s in steps], dtype=np.int64),
        totals=np.array([s.totals.as_tuple() for s in steps], dtype=np.float64).reshape(n, 6),
        sample_offsets=offsets,
        sample_t_ms=np.array([t for s in steps for t in s.sample_t_ms], dtype=np.int64),
        sample_cum_distance_m=np.array(
            [c for s in steps for c in s.sample_cum_distance_m], dtype=np.float64
        ),
        device_private=np.array([s.device_private for s in steps], dtype=np.bool_),
        retro_private=np.array(retro, dtype=np.int8),
        privacy_enabled=np.array([s.privacy_enabled for s in steps], dtype=np.bool_),
        driver_known=np.array([s.driver_known for s in steps], dtype=np.bool_),
        interval_set=np.asarray(interval_set, dtype=np.int64).reshape(n),
    )


def _seg_bisect(values: I64, seg_lo: I64, seg_hi: I64, x: I64, right: bool) -> I64:
    """Per query, the global index bisect_{right|left}(values[seg_lo:seg_hi], x) would give.

    A fixed number of vectorised halvings: cost grows with the longest segment's log, not with
    the size of `values`, so a few queries into 10 million samples stay cheap.
    """
    lo = seg_lo.copy()
    hi = seg_hi.copy()
    if x.size == 0 or values.size == 0:
        return lo
    last = values.size - 1
    for _ in range(int((seg_hi - seg_lo).max()).bit_length()):
        mid = (lo + hi) >> 1
        v = values[np.minimum(mid, last)]
        go = (v <= x) if right else (v < x)
        go &= lo < hi
        lo = np.where(go, mid + 1, lo)
        hi = np.where(go, hi, mid)
    return lo


class _SetSearch:
    """Segmented searchsorted of instants into interval sets.

    Fast path: one np.searchsorted over int64 keys (set << bits | instant - base), valid while both
    fit in 63 bits (always, for real dates and fewer than a million sets); else vectorised bisection.
    """

    def __init__(self, iv: IntervalArrays, queries: Sequence[I64]) -> None:
        self.iv = iv
        self.keys: tuple[I64, I64] | None = None
        n_iv = iv.start_ms.size
        nonempty = [q for q in queries if q.size]
        if n_iv == 0 or not nonempty:
            return
        base = min(int(iv.start_ms.min()), *(int(q.min()) for q in nonempty))
        top = max(int(iv.end_ms.max()), *(int(q.max()) for q in nonempty))
        self.shift = (top - base).bit_length()
        n_sets = iv.offsets.size - 1
        if self.shift + n_sets.bit_length() > _KEY_BITS:
            return
        self.base = base
        set_of = np.repeat(np.arange(n_sets, dtype=np.int64), np.diff(iv.offsets)) << self.shift
        self.keys = (set_of | (iv.start_ms - base), set_of | (iv.end_ms - base))

    def search(self, sets: I64, x: I64, on_end: bool, right: bool) -> I64:
        if self.keys is not None:
            qk = (sets << self.shift) | (x - self.base)
            return np.searchsorted(self.keys[1 if on_end else 0], qk, side="right" if right else "left")
        values = self.iv.end_ms if on_end else self.iv.start_ms
        return _seg_bisect(values, self.iv.offsets[sets], self.iv.offsets[sets + 1], x, right)


def _validate(steps: StepArrays, iv: IntervalArrays, ws: I64 | None, we: I64 | None) -> None:
    n = len(steps)
    columns = ("end_ms", "device_private", "retro_private", "privacy_enabled", "driver_known", "interval_set")
    for name in columns:
        if getattr(steps, name).shape != (n,):
            raise ValueError(f"{name} must have shape ({n},)")
    if steps.totals.shape != (n, 6):
        raise ValueError(f"totals must have shape ({n}, 6)")
    if np.any(steps.end_ms < steps.start_ms):
        raise ValueError("a step ends before it starts")
    off = steps.sample_offsets
    n_samples = steps.sample_t_ms.size
    if off.shape != (n + 1,) or off[0] != 0 or off[-1] != n_samples or np.any(np.diff(off) < 0):
        raise ValueError("sample_offsets must run from 0 to len(sample_t_ms), non-decreasing")
    if steps.sample_cum_distance_m.shape != (n_samples,):
        raise ValueError("sample_cum_distance_m must match sample_t_ms")
    if n_samples > 1:
        # Pairs straddling two steps are exempt; comparisons rather than np.diff spare an int64 copy.
        straddle = off[1:-1]
        straddle = straddle[(straddle > 0) & (straddle < n_samples)] - 1
        t, c = steps.sample_t_ms, steps.sample_cum_distance_m
        bad = t[1:] <= t[:-1]
        bad[straddle] = False
        if bad.any():
            raise ValueError("sample instants must be strictly increasing within a step")
        bad = ~(c[1:] >= c[:-1])
        bad[straddle] = False
        if bad.any():
            raise ValueError("cumulative distance must be non-decreasing within a step")
    if np.any((steps.retro_private < -1) | (steps.retro_private > 1)):
        raise ValueError("retro_private must be -1, 0 or 1")
    n_sets = iv.offsets.size - 1
    n_iv = iv.start_ms.size
    if n_sets < 0:
        raise ValueError("interval offsets must hold at least one entry")
    if iv.offsets[0] != 0 or iv.offsets[-1] != n_iv or np.any(np.diff(iv.offsets) < 0):
        raise ValueError("interval offsets must run from 0 to the number of intervals, non-decreasing")
    if iv.end_ms.shape != (n_iv,) or np.any(iv.end_ms <= iv.start_ms):
        raise ValueError("private intervals must be non-empty")
    if n_iv > 1:
        within = np.ones(n_iv - 1, dtype=np.bool_)
        inner = iv.offsets[1:-1]
        within[inner[(inner > 0) & (inner < n_iv)] - 1] = False
        if np.any(within & (iv.start_ms[1:] < iv.end_ms[:-1])):
            raise ValueError("private intervals must be sorted and disjoint within a set")
    if np.any((steps.interval_set < -1) | (steps.interval_set >= n_sets)):
        raise ValueError("interval_set out of range")
    if (ws is None) != (we is None):
        raise ValueError("give both window_start_ms and window_end_ms, or neither")
    if ws is not None and (ws.shape != (n,) or we is None or we.shape != (n,)):
        raise ValueError(f"windows must have shape ({n},)")


class _Samples:
    """Per (step, instant) pair: the step's first and last sample, gathered once."""

    def __init__(self, steps: StepArrays, i: I64) -> None:
        self.t, self.c = steps.sample_t_ms, steps.sample_cum_distance_m
        off = steps.sample_offsets
        first, last = off[i], off[i + 1] - 1
        self.enough = last - first >= 1
        top = self.t.size - 1
        # Steps with no sample would index out of range; `enough` already rules them out.
        self.first = np.minimum(first, top)
        self.last = np.maximum(last, 0)
        self.t_first, self.t_last = self.t[self.first], self.t[self.last]
        self.c_first, self.c_last = self.c[self.first], self.c[self.last]

    def interp(self, x: I64) -> F64:
        """Cumulative distance at x (the twin of `_interp`)."""
        out = np.where(x <= self.t_first, self.c_first, self.c_last)
        mid = np.flatnonzero((x > self.t_first) & (x < self.t_last))
        if mid.size:
            t, c, xm = self.t, self.c, x[mid]
            j = _seg_bisect(t, self.first[mid], self.last[mid] + 1, xm, right=True) - 1
            ratio = (xm - t[j]).astype(np.float64) / (t[j + 1] - t[j]).astype(np.float64)
            out[mid] = c[j] + (c[j + 1] - c[j]) * ratio
        return out


def _fraction_at(steps: StepArrays, step_f: F64, i: I64, x: I64) -> F64:
    """F of step i at instant x (the twin of `_Curve.at`), for many (step, instant) pairs.

    Curves are built only for the pairs that need one: F(start) = 0 and F(end) = 1 exactly by
    construction, and most part bounds are a step's own bounds (trips wholly in or out of private
    time), so a year of trips builds a few curves, not a million.
    """
    s0 = steps.start_ms[i]
    e0 = steps.end_ms[i]
    out = (x == e0).astype(np.float64)
    inner = np.flatnonzero((x != s0) & (x != e0))
    if inner.size == 0 or steps.sample_t_ms.size == 0:
        if inner.size:
            out[inner] = (x[inner] - s0[inner]).astype(np.float64) / step_f[i[inner]]
        return out
    ii, xi, si, ei = i[inner], x[inner], s0[inner], e0[inner]
    sf = step_f[ii]
    sm = _Samples(steps, ii)
    a = np.maximum(si, sm.t_first)
    b = np.minimum(ei, sm.t_last)
    valid = sm.enough & (b > a)
    da = sm.interp(a)
    span = sm.interp(b) - da
    valid &= span > 0
    tc = np.minimum(np.maximum(xi, a), b)
    outside = (np.minimum(xi, a) - si) + (np.maximum(xi, b) - b)
    w = (b - a).astype(np.float64)
    # Invalid curves divide by 1 here and are replaced by the time fraction below.
    shape = w * ((sm.interp(tc) - da) / np.where(valid, span, 1.0))
    by_curve = (outside.astype(np.float64) + shape) / sf
    by_time = (xi - si).astype(np.float64) / sf
    out[inner] = np.where(valid, by_curve, by_time)
    return out


def _scale(totals: F64, f_time: F64, f_distance: F64, f_other: F64) -> F64:
    """Totals x fraction: duration by time, distance by distance, the rest by `f_other`."""
    out = np.empty_like(totals)
    np.multiply(totals[:, 0], f_time, out=out[:, 0])
    np.multiply(totals[:, 1], f_distance, out=out[:, 1])
    np.multiply(totals[:, 2:], f_other[:, None], out=out[:, 2:])
    return out


def classify_bulk(
    steps: StepArrays,
    intervals: IntervalArrays,
    config: EngineConfig,
    window_start_ms: I64 | None = None,
    window_end_ms: I64 | None = None,
    *,
    validate: bool = True,
) -> BulkClassification:
    """Classify many steps at once; row i equals classify_step (or measures_within with window i)."""
    if validate:
        _validate(steps, intervals, window_start_ms, window_end_ms)
    n = len(steps)
    s0, e0 = steps.start_ms, steps.end_ms
    step_ms = e0 - s0
    zero = step_ms == 0
    # Zero-length steps never divide by their length; 1 keeps the arithmetic quiet.
    step_f = np.maximum(step_ms, 1).astype(np.float64)

    if window_start_ms is not None and window_end_ms is not None:
        lo = np.maximum(s0, window_start_ms)
        hi = np.minimum(e0, window_end_ms)
        inside = np.where(zero, (window_start_ms <= s0) & (s0 < window_end_ms), hi > lo)
    else:
        lo, hi = s0, e0
        inside = None  # every step is wholly inside

    retro = steps.retro_private
    has_retro = retro != RETRO_NONE
    device = steps.device_private & ~has_retro
    eligible = (
        steps.privacy_enabled & steps.driver_known & (steps.interval_set >= 0) & ~has_retro & ~device
    )
    by_start = eligible & (zero | config.classify_by_start)
    by_parts = eligible & ~by_start
    if inside is not None:
        by_parts &= inside

    start_idx = np.flatnonzero(by_start)
    parts_idx = np.flatnonzero(by_parts)
    search = _SetSearch(intervals, [s0[start_idx], lo[parts_idx], hi[parts_idx]])

    start_private = np.zeros(n, dtype=np.bool_)
    if start_idx.size and intervals.start_ms.size:
        sets = steps.interval_set[start_idx]
        x = s0[start_idx]
        k = search.search(sets, x, on_end=True, right=True)
        ok = k < intervals.offsets[sets + 1]
        k_ok = np.minimum(k, intervals.start_ms.size - 1)
        start_private[start_idx] = ok & (intervals.start_ms[k_ok] <= x)

    m = np.zeros(n, dtype=np.int64)
    k0 = np.zeros(n, dtype=np.int64)
    if parts_idx.size and intervals.start_ms.size:
        sets = steps.interval_set[parts_idx]
        k0p = search.search(sets, lo[parts_idx], on_end=True, right=True)
        k1p = search.search(sets, hi[parts_idx], on_end=False, right=False)
        k0[parts_idx] = k0p
        m[parts_idx] = np.maximum(k1p - k0p, 0)

    whole_private = (retro == RETRO_PRIVATE) | device | start_private
    source = np.where(
        has_retro,
        np.int8(_CODE_POSTERIORI),
        # A bool as int8 is AUCUN (0) or HORAIRE (1).
        np.where(device, np.int8(_CODE_BOUTON), ((m > 0) | start_private).astype(np.int8)),
    )

    if inside is not None:
        win_t = inside.astype(np.float64)
        win_d = win_t.copy()
        # A step the window does not cut keeps 1.0, as the per-step arithmetic gives exactly.
        cut = np.flatnonzero(inside & ~zero & ((lo != s0) | (hi != e0)))
        if cut.size:
            win_t[cut] = (hi[cut] - lo[cut]).astype(np.float64) / step_f[cut]
            win_d[cut] = _fraction_at(steps, step_f, cut, hi[cut]) - _fraction_at(steps, step_f, cut, lo[cut])
    else:
        win_t = np.ones(n)
        win_d = win_t

    # Schedule parts: flattened, in step order then time order (bincount then sums them in the
    # same order as the per-step loop, so the totals agree to a few ulps).
    n_parts = int(m.sum())
    priv_t = priv_d = np.zeros(n)
    if n_parts:
        rep = np.repeat(np.arange(n, dtype=np.int64), m)
        rank = np.arange(n_parts, dtype=np.int64) - (np.cumsum(m) - m)[rep]  # rank within its step
        kk = k0[rep] + rank
        ps = np.maximum(intervals.start_ms[kk], lo[rep])
        pe = np.minimum(intervals.end_ms[kk], hi[rep])
        # Steps without parts get 0 / step_f = 0 and clip(0, 0, win_d) = 0, as the per-step path.
        priv_ms = np.bincount(rep, weights=(pe - ps).astype(np.float64), minlength=n)
        priv_t = priv_ms / step_f
        f_parts = _fraction_at(steps, step_f, rep, pe) - _fraction_at(steps, step_f, rep, ps)
        sum_d = np.bincount(rep, weights=f_parts, minlength=n)
        priv_d = np.minimum(np.maximum(sum_d, 0.0), win_d)
    else:
        rep = ps = pe = rank = np.zeros(0, dtype=np.int64)

    priv_t = np.where(whole_private, win_t, priv_t)
    priv_d = np.where(whole_private, win_d, priv_d)

    totals = steps.totals
    by_distance = totals[:, 1] > 0
    private = _scale(totals, priv_t, priv_d, np.where(by_distance, priv_d, priv_t))
    if inside is not None:
        professional = _scale(totals, win_t, win_d, np.where(by_distance, win_d, win_t))
        professional -= private
    else:
        # total x 1.0 is the total: skip the multiplication.
        professional = totals - private

    whole_part = whole_private if inside is None else whole_private & inside
    counts = np.where(whole_part, 1, m)
    part_offsets = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(counts, out=part_offsets[1:])
    part_start = np.empty(int(part_offsets[-1]), dtype=np.int64)
    part_end = np.empty_like(part_start)
    if n_parts:
        pos = part_offsets[rep] + rank
        part_start[pos] = ps
        part_end[pos] = pe
    wi = np.flatnonzero(whole_part)
    part_start[part_offsets[wi]] = lo[wi]
    part_end[part_offsets[wi]] = hi[wi]

    return BulkClassification(private, professional, source, part_offsets, part_start, part_end)
