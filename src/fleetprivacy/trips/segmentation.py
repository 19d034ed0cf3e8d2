"""Cut one vehicle's stream of GPS fixes into trips and stops (pure: no web, no database, no clock).

Modelled on Traccar's ``MotionProcessor`` with its frozen ``TripsConfig``: plain values in, plain
values out. Instants are int epoch milliseconds UTC (``*_ms``), distances metres (``*_m``).

How a stream is cut (see docs/segmentation.md for the user's version):

1. ``normalise``: sort by time; of fixes sharing a timestamp the one given LAST wins (a later
   report supersedes an earlier one, which is also what appending a new batch to a tail means).
2. Jitter filter: a fix implying an impossible speed from the last kept fix is dropped, unless it
   starts ``relocation_fixes`` coherent fixes in a row, in which case the vehicle really is there
   (device reset, two units swapped): those are kept and the jump is a break, never a distance.
3. Anchors: a kept fix becomes an anchor when it is more than ``stop_radius_m`` from the current
   anchor (or reports a speed of at least ``moving_speed_kmh``). Distance is the great circle from
   anchor to anchor, so wobble of a parked vehicle is never counted; the fixes between two anchors
   are a "stay" around the first one.
4. Stops: with ignition, every ignition-off run; without, every stay lasting ``min_stop_ms`` or
   more. A gap of more than ``max_gap_ms`` between kept fixes is always a stop (with the stays on
   both sides of it) and its straight line is never counted: nobody knows where the vehicle went.
5. Trips are what lies between stops; a closed trip shorter than both ``min_trip_ms`` and
   ``min_trip_distance_m`` is a manoeuvre and melts into the stops around it.

Batch contract: segments are cut causally, so a segment that ends at or before the start of the
last STOP never changes when later fixes arrive. Keep ``normalise(fixes)[resume_index(segments):]``
and re-run ``segment`` on it plus the new fixes (all strictly later than the tail's first fix): the
segments before the resume index followed by the new ones, shifted by it, are exactly what one run
over everything gives. With ignition, the tail's first fix must report ignition (a None there is
back-filled from the next report, not carried from the fixes left behind).
"""

from __future__ import annotations

import math
from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from operator import itemgetter
from typing import Any, Literal, NamedTuple

import numpy as np
import numpy.typing as npt

EARTH_RADIUS_M = 6_371_008.8  # IUGG mean radius, the usual choice for great-circle distances
MINUTE_MS = 60_000

SegmentKind = Literal["TRIP", "STOP"]
FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]
IntArray = npt.NDArray[np.int64]


class Fix(NamedTuple):
    """One GPS report: instant (epoch ms UTC), WGS84 degrees, and what the unit may add."""

    # A NamedTuple rather than a frozen dataclass: as immutable, and building or reading 760k of
    # them costs a fraction (no per-field __setattr__, columns come out with itemgetter).

    t_ms: int
    lat: float
    lon: float
    speed_kmh: float | None = None
    ignition: bool | None = None
    odometer_m: float | None = None
    fuel_used_l: float | None = None
    energy_used_kwh: float | None = None
    soc_pct: float | None = None
    privacy: bool | None = None
    badge: str | None = None


@dataclass(frozen=True, slots=True)
class SegmentationConfig:
    """Thresholds for cutting trips; the defaults and why are in docs/segmentation.md."""

    # Traccar's minimalParkingDuration default; long enough that lights and jams stay inside a trip.
    min_stop_ms: int = 5 * MINUTE_MS
    # Parked GPS wobble in both real sets stays within a few tens of metres.
    stop_radius_m: float = 50.0
    # A reported speed at or above this means moving even inside the radius (queues, car parks).
    moving_speed_kmh: float = 5.0
    # Traccar's defaults: a closed trip must last 5 min OR cover 500 m, else it is a manoeuvre.
    min_trip_distance_m: float = 500.0
    min_trip_ms: int = 5 * MINUTE_MS
    # Longer than this without a kept fix, the vehicle may have stopped unseen: end the trip there.
    max_gap_ms: int = 10 * MINUTE_MS
    # Faster than this from the last kept fix is a GPS error, not a car.
    max_speed_kmh: float = 200.0
    # Position noise forgiven before computing an implied speed (1 s apart, 20 m of noise is 72 km/h).
    position_noise_m: float = 30.0
    # This many coherent fixes in a row far from the last kept one mean the vehicle really is there.
    relocation_fixes: int = 3
    # None: use ignition when any fix reports it (Traccar's useIgnition, decided per stream).
    use_ignition: bool | None = None
    # Traccar's ignoreOdometer, the other way round: prefer the odometer when fixes carry it.
    use_odometer: bool = True

    def __post_init__(self) -> None:
        for name in ("min_stop_ms", "min_trip_ms", "max_gap_ms"):
            if getattr(self, name) < 0:
                raise ValueError(f"{name} must be >= 0")
        for name in ("stop_radius_m", "moving_speed_kmh", "min_trip_distance_m", "position_noise_m"):
            if not getattr(self, name) >= 0:
                raise ValueError(f"{name} must be >= 0")
        if not self.max_speed_kmh > 0:
            raise ValueError("max_speed_kmh must be > 0")
        if self.relocation_fixes < 1:
            raise ValueError("relocation_fixes must be >= 1")


DEFAULT_CONFIG = SegmentationConfig()


@dataclass(frozen=True, slots=True)
class Segment:
    """A trip or a stop; fix indexes are inclusive and refer to ``normalise(fixes)``."""

    kind: SegmentKind
    start_ms: int
    end_ms: int
    start_fix_index: int
    end_fix_index: int
    distance_m: float
    fuel_l: float | None
    energy_kwh: float | None
    battery_pct_points: float | None
    device_private: bool
    badge: str | None
    open: bool

    @property
    def duration_ms(self) -> int:
        """Length of the segment in milliseconds."""
        return self.end_ms - self.start_ms

    def shifted(self, offset: int) -> Segment:
        """The same segment with its fix indexes moved by ``offset`` (to splice a re-run tail)."""
        return replace(self, start_fix_index=self.start_fix_index + offset,
                       end_fix_index=self.end_fix_index + offset)


@dataclass(frozen=True, eq=False)
class Track:
    """The filtered geometry of a normalised stream, one entry per fix (for callers and tests)."""

    fixes: list[Fix]
    t_ms: IntArray
    kept: BoolArray  # passed the validity and jitter filters
    anchor: BoolArray  # kept fix from which the next counted distance starts
    break_before: BoolArray  # kept fix reached across a gap or a relocation: nothing counted
    hop_m: FloatArray  # great circle counted on arriving at this anchor, 0 elsewhere
    ignition_on: BoolArray | None  # per fix (reports carried forward) when cutting by ignition
    # Optional Fix fields that at least one fix carries, as columns (absent ones are left out).
    columns: dict[str, list[Any]] = field(repr=False, default_factory=dict)
    # Stays that may be stops, as (first, last, touches a break) positions among kept fixes.
    stays: list[tuple[int, int, bool]] = field(repr=False, default_factory=list)


def haversine_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in metres between two points in degrees."""
    p1 = math.radians(lat1)
    p2 = math.radians(lat2)
    a = (math.sin((p2 - p1) / 2) ** 2
         + math.cos(p1) * math.cos(p2) * math.sin(math.radians(lon2 - lon1) / 2) ** 2)
    return 2 * EARTH_RADIUS_M * math.asin(math.sqrt(min(1.0, a)))


def haversine_m_array(
    lat1: npt.ArrayLike, lon1: npt.ArrayLike, lat2: npt.ArrayLike, lon2: npt.ArrayLike
) -> FloatArray:
    """Vectorised ``haversine_m`` over numpy arrays (broadcasting), in metres."""
    p1 = np.radians(np.asarray(lat1, dtype=np.float64))
    p2 = np.radians(np.asarray(lat2, dtype=np.float64))
    dl = np.radians(np.asarray(lon2, dtype=np.float64) - np.asarray(lon1, dtype=np.float64))
    a = np.sin((p2 - p1) / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(dl / 2) ** 2
    d: FloatArray = 2 * EARTH_RADIUS_M * np.arcsin(np.sqrt(np.minimum(a, 1.0)))
    return d


class _Rad(NamedTuple):
    """Positions in radians with the cosine of the latitude, computed once per stream."""

    lat: FloatArray
    lon: FloatArray
    cos: FloatArray

    @classmethod
    def of(cls, lat_deg: FloatArray, lon_deg: FloatArray) -> _Rad:
        lat = np.radians(lat_deg)
        return cls(lat, np.radians(lon_deg), np.cos(lat))

    def take(self, idx: IntArray) -> _Rad:
        return _Rad(self.lat[idx], self.lon[idx], self.cos[idx])

    def dist(self, i: IntArray | slice, j: IntArray | slice) -> FloatArray:
        """Great circle in metres from fixes ``i`` to fixes ``j`` (same formula as haversine_m)."""
        h = (np.sin((self.lat[j] - self.lat[i]) / 2) ** 2
             + self.cos[i] * self.cos[j] * np.sin((self.lon[j] - self.lon[i]) / 2) ** 2)
        d: FloatArray = 2 * EARTH_RADIUS_M * np.arcsin(np.sqrt(np.minimum(h, 1.0)))
        return d


_HEAD = slice(None, -1)
_TAIL = slice(1, None)

# Fix is a tuple: item access is the cheapest way to pull a column out of 100k fixes.
_get_t = itemgetter(0)
_get_lat = itemgetter(1)
_get_lon = itemgetter(2)
_get_optional = itemgetter(slice(3, None))
_NO_OPTIONAL = (None,) * (len(Fix._fields) - 3)


def _normalise(fixes: Sequence[Fix]) -> tuple[list[Fix], IntArray]:
    n = len(fixes)
    t = np.fromiter(map(_get_t, fixes), dtype=np.int64, count=n)
    if n < 2 or bool(np.all(t[1:] > t[:-1])):
        return list(fixes), t
    # Stable sort keeps input order among equal instants, so the last of each run is the last given.
    order = np.argsort(t, kind="stable")
    ts = t[order]
    last = np.ones(n, dtype=bool)
    last[:-1] = ts[1:] != ts[:-1]
    keep = order[last]
    return [fixes[i] for i in keep.tolist()], ts[last]


def normalise(fixes: Sequence[Fix]) -> list[Fix]:
    """Fixes sorted by time, one per instant (the last given wins); segment indexes refer to this."""
    return _normalise(fixes)[0]


def _plausible_jumps(t: IntArray, g: _Rad, config: SegmentationConfig) -> tuple[BoolArray, BoolArray]:
    """Jitter filter over valid fixes: (kept, relocated-before), judged from the last kept fix."""
    n = len(t)
    kept = np.ones(n, dtype=bool)
    relocated = np.zeros(n, dtype=bool)
    if n < 2:
        return kept, relocated
    vmax = config.max_speed_kmh / 3.6  # m/s
    noise = config.position_noise_m
    step = g.dist(_HEAD, _TAIL)
    ok1 = np.ones(n, dtype=bool)  # ok1[i]: i is plausible from i - 1
    ok1[1:] = np.maximum(step - noise, 0.0) <= vmax * (np.diff(t) / 1000.0)
    bad = np.flatnonzero(~ok1)
    if len(bad) == 0:
        return kept, relocated
    # Right after a lone outlier the question is "i from i - 2": answer it for all of them at once.
    after = bad[bad + 1 < n] + 1
    skip = g.dist(after - 2, after)
    ok2: dict[int, bool] = dict(zip(after.tolist(), (np.maximum(skip - noise, 0.0)
                                     <= vmax * ((t[after] - t[after - 2]) / 1000.0)).tolist()))
    ok1_l: list[bool] = ok1.tolist()

    two_r = 2 * EARTH_RADIUS_M
    sin, asin, sqrt = math.sin, math.asin, math.sqrt
    lists: list[list[float]] = []  # built only if a far-back check happens

    def ok(a: int, b: int) -> bool:
        if b - a == 1:
            return ok1_l[b]
        if b - a == 2 and b in ok2:
            return ok2[b]
        if not lists:
            lists.extend((g.lat.tolist(), g.lon.tolist(), g.cos.tolist(), t.tolist()))
        la, lo, cl, tl = lists
        h = sin((la[b] - la[a]) / 2) ** 2 + cl[a] * cl[b] * sin((lo[b] - lo[a]) / 2) ** 2
        return two_r * asin(sqrt(min(1.0, h))) - noise <= vmax * (tl[b] - tl[a]) / 1000.0

    need = config.relocation_fixes
    dropped: list[int] = []
    bad_l = bad.tolist()
    nb = len(bad_l)
    bi = 0
    # In step (last kept = previous fix, nothing pending) a fix is kept iff its step is plausible,
    # which the vectorised pass already knows: walk one fix at a time only from a bad step until
    # the filter is back in step.
    while bi < nb:
        i = bad_l[bi]
        last = i - 1
        run_start = i  # the pending outliers i - run..i - 1 are coherent with each other
        while i < n:
            if ok(last, i):
                break  # kept; an unfinished run of outliers before it stays dropped
            if i > run_start and not ok1_l[i]:
                run_start = i
            if i - run_start + 1 >= need:
                # The vehicle really is where the run says: keep the run, mark the jump.
                del dropped[len(dropped) - (i - run_start):]
                relocated[run_start] = True
                break
            dropped.append(i)
            i += 1
        while bi < nb and bad_l[bi] <= i:
            bi += 1
    kept[dropped] = False
    return kept, relocated


def _ignition_states(ignition: list[Any]) -> BoolArray:
    """Ignition per fix: a report is carried forward; before the first one, it is back-filled."""
    n = len(ignition)
    code = np.fromiter((-1 if v is None else int(bool(v)) for v in ignition), dtype=np.int8, count=n)
    known = code >= 0
    prev = np.maximum.accumulate(np.where(known, np.arange(n), -1))
    prev[prev < 0] = int(np.argmax(known))
    on: BoolArray = code[prev] == 1
    return on


def track(fixes: Sequence[Fix], config: SegmentationConfig = DEFAULT_CONFIG) -> Track:
    """Normalise, filter jitter and place anchors: the geometry ``segment`` cuts from."""
    fx, t = _normalise(fixes)
    n = len(fx)
    lat = np.fromiter(map(_get_lat, fx), dtype=np.float64, count=n)
    lon = np.fromiter(map(_get_lon, fx), dtype=np.float64, count=n)
    columns: dict[str, list[Any]] = {}
    # Most streams carry positions only: one pass in C says so before any column is built.
    if not all(map(_NO_OPTIONAL.__eq__, map(_get_optional, fx))):
        for pos, name in enumerate(Fix._fields[3:], start=3):
            col = list(map(itemgetter(pos), fx))
            if col.count(None) != n:
                columns[name] = col

    valid = (np.isfinite(lat) & np.isfinite(lon) & (np.abs(lat) <= 90) & (np.abs(lon) <= 180)
             & ~((lat == 0) & (lon == 0)))  # (0, 0) is what a receiver without a fix reports
    vidx = np.flatnonzero(valid)
    gv = _Rad.of(lat[vidx], lon[vidx])
    v_kept, v_reloc = _plausible_jumps(t[vidx], gv, config)
    kidx = vidx[v_kept]
    kept = np.zeros(n, dtype=bool)
    kept[kidx] = True

    tk = t[kidx]
    gk = gv.take(np.flatnonzero(v_kept))
    m = len(kidx)
    brk = np.zeros(m, dtype=bool)
    brk[1:] = np.diff(tk) > config.max_gap_ms
    brk |= v_reloc[v_kept]

    use = "ignition" in columns if config.use_ignition is None else config.use_ignition
    ignition_on: BoolArray | None = None
    if use:
        # Told to use ignition but none reported: always on, so only gaps cut.
        ignition_on = (_ignition_states(columns["ignition"]) if "ignition" in columns
                       else np.ones(n, dtype=bool))

    # Fixes that start a new anchor whatever their distance: a reported speed says moving; with
    # ignition, a stop may start at the first fix off or at the fix before a gap, and a tail
    # re-run from there must find the same anchor (in motion mode stops start at anchors anyway).
    force: BoolArray | None = None
    if "speed_kmh" in columns:
        sp = columns["speed_kmh"]
        force = np.fromiter(
            (v is not None and v >= config.moving_speed_kmh for v in map(sp.__getitem__, kidx.tolist())),
            dtype=bool, count=m)
    if ignition_on is not None and m:
        on = ignition_on[kidx]
        starts = np.zeros(m, dtype=bool)
        starts[1:] = on[:-1] & ~on[1:]
        starts[:-1] |= brk[1:]
        force = starts if force is None else force | starts

    anchors_k, stays = _anchor_pass(tk, gk, brk, force, config)

    anchor = np.zeros(n, dtype=bool)
    hop = np.zeros(n, dtype=np.float64)
    ak = np.asarray(anchors_k, dtype=np.int64)
    anchor[kidx[ak]] = True
    if len(ak) > 1:
        d = gk.dist(ak[:-1], ak[1:])
        d[brk[ak[1:]]] = 0.0  # across a gap or a relocation the path is unknown: count nothing
        hop[kidx[ak[1:]]] = d
    break_before = np.zeros(n, dtype=bool)
    break_before[kidx[brk]] = True
    return Track(fx, t, kept, anchor, break_before, hop, ignition_on, columns, stays)


def _next_true(flags: BoolArray) -> IntArray:
    """For each index, the first index at or after it where ``flags`` holds (len if none)."""
    m = len(flags)
    nxt: IntArray = np.minimum.accumulate(np.where(flags, np.arange(m), m)[::-1])[::-1]
    return nxt


def _anchor_pass(
    tk: IntArray, g: _Rad, brk: BoolArray, force: BoolArray | None, config: SegmentationConfig,
) -> tuple[list[int], list[tuple[int, int, bool]]]:
    """Anchors over kept fixes, and the stays that may be stops: [(first, last, touches a break)]."""
    m = len(tk)
    if m == 0:
        return [], []
    radius = config.stop_radius_m
    min_stop = config.min_stop_ms
    # Inside the radius a flat-earth distance from the anchor is the rule (exact to well under a
    # millimetre at 50 m, and no trigonometry per parked fix). The shortcuts below use great-circle
    # bounds with a centimetre of margin, so they never decide a fix the rule would decide otherwise.
    r2 = (radius / EARTH_RADIUS_M) ** 2
    margin = 0.01
    step = np.zeros(m, dtype=np.float64)
    if m > 1:
        step[1:] = g.dist(_HEAD, _TAIL)
    special = brk if force is None else brk | force
    # Driving, sparse fixes: a run of steps each longer than the radius makes every fix an anchor.
    run_end = _next_true(~((step > radius + margin) & ~special)).tolist()
    cum_a = np.cumsum(step)
    next_special_a = _next_true(special)
    # Driving, dense fixes: from an anchor, the fixes before the path leaves the radius are inside
    # (a straight line is never longer than the path); if the fix where it leaves is out, it is
    # the next anchor and the fixes between need no look at all.
    exit_at = np.searchsorted(cum_a, cum_a + (radius - margin), side="right")
    chain = np.zeros(m, dtype=np.int64)
    cand = np.flatnonzero(exit_at < m)
    if len(cand):
        exits = exit_at[cand]
        nxt = np.append(next_special_a, m)[cand + 1]
        good = (g.dist(cand, exits) > radius + margin) & (nxt > exits)
        chain[cand[good]] = exits[good]
    chain_l = chain.tolist()
    # Parked: fixes whose path from a fix inside stays within the slack left are inside too.
    cum = cum_a.tolist()
    next_special = next_special_a.tolist() + [m]
    la = g.lat.tolist()
    lo = g.lon.tolist()
    cl = g.cos.tolist()
    tl = tk.tolist()
    brk_l = brk.tolist()
    mov = force.tolist() if force is not None else None
    pi2, pi = 2 * math.pi, math.pi
    sqrt = math.sqrt

    anchors = [0]
    stays: list[tuple[int, int, bool]] = []
    a = 0
    forced = False
    k = 1
    while k < m:
        if a == k - 1:
            if run_end[k] > k:
                if forced or min_stop <= 0:  # the stay is the anchor alone
                    stays.append((a, a, forced))
                forced = False
                a = run_end[k] - 1
                anchors.extend(range(k, a + 1))
                k = a + 1
                continue
            j = chain_l[a]
            if j:
                if forced or tl[j - 1] - tl[a] >= min_stop:
                    stays.append((a, j - 1, forced))
                forced = False
                a = j
                anchors.append(j)
                k = j + 1
                continue
        if mov is not None and mov[k]:
            out = True
            d2 = 0.0
        else:
            dlo = lo[k] - lo[a]
            if dlo > pi:
                dlo -= pi2
            elif dlo < -pi:
                dlo += pi2
            dx = dlo * cl[a]
            dy = la[k] - la[a]
            d2 = dx * dx + dy * dy
            out = d2 > r2
        if brk_l[k]:
            forced = True  # a gap is a stop, and so is the stay it interrupts
            if not out:
                k += 1
                continue
            stays.append((a, k - 1, True))
        elif out:
            if forced or tl[k - 1] - tl[a] >= min_stop:
                stays.append((a, k - 1, forced))
            forced = False
        else:
            slack = radius - sqrt(d2) * EARTH_RADIUS_M - margin
            j = k
            if slack > 0:
                j = bisect_right(cum, cum[k] + slack, k + 1, next_special[k + 1]) - 1
            k = j + 1
            continue
        a = k
        anchors.append(k)
        if brk_l[k]:
            forced = True  # the stay where the vehicle reappears belongs to the gap's stop
        k += 1
    stays.append((a, m - 1, forced))  # the last stay, judged by the cutter
    return anchors, stays


def _stops_kept(tr: Track, kidx: IntArray, config: SegmentationConfig) -> list[tuple[int, int]]:
    """Stop intervals over kept-fix positions, merged where they touch."""
    m = len(kidx)
    intervals = [(int(k) - 1, int(k)) for k in np.flatnonzero(tr.break_before[kidx]) if k > 0]
    if tr.ignition_on is not None:
        # Off runs: from the first off fix to the first on fix after it (or the last fix).
        off = (~tr.ignition_on[kidx]).astype(np.int8)
        edges = np.diff(off, prepend=np.int8(0), append=np.int8(0))
        starts = np.flatnonzero(edges == 1).tolist()
        ends = np.flatnonzero(edges == -1).tolist()
        intervals.extend((s, min(e, m - 1)) for s, e in zip(starts, ends))
    else:
        tk = tr.t_ms[kidx].tolist()
        intervals.extend((a, e) for a, e, forced in tr.stays
                         if forced or tk[e] - tk[a] >= config.min_stop_ms)
    intervals.sort()
    merged: list[tuple[int, int]] = []
    for a, e in intervals:
        if merged and a <= merged[-1][1]:
            if e > merged[-1][1]:
                merged[-1] = (merged[-1][0], e)
        else:
            merged.append((a, e))
    return merged


class _Counter(NamedTuple):
    """A cumulative counter column with, per index, where the nearest reports are."""

    values: FloatArray  # NaN where the fix did not report
    next_at: IntArray  # first reporting index at or after i (n if none)
    prev_at: IntArray  # last reporting index at or before i (-1 if none)


def _counter(column: list[Any] | None) -> _Counter | None:
    if column is None:
        return None
    n = len(column)
    values = np.fromiter((np.nan if v is None else float(v) for v in column), dtype=np.float64, count=n)
    ok = ~np.isnan(values)
    return _Counter(values, _next_true(ok), np.maximum.accumulate(np.where(ok, np.arange(n), -1)))


def _differences(
    c: _Counter | None, s: IntArray, e: IntArray, *, used: bool
) -> list[float | None]:
    """Last minus first report within each [s, e] (first minus last when ``used``); None if < 2."""
    if c is None:
        return [None] * len(s)
    first = c.next_at[s]
    last = c.prev_at[e]
    n = len(c.values)
    diff = c.values[np.maximum(last, 0)] - c.values[np.minimum(first, n - 1)]
    if used:
        diff = -diff
    good = (first <= e) & (last > first)
    return [float(d) if g else None for g, d in zip(good.tolist(), diff.tolist())]


@dataclass(slots=True)
class _Piece:
    kind: SegmentKind
    first: int  # positions among kept fixes
    last: int


def segment(fixes: Sequence[Fix], config: SegmentationConfig = DEFAULT_CONFIG) -> list[Segment]:
    """Cut a vehicle's fixes into alternating TRIP and STOP segments (indexes into ``normalise``)."""
    return segment_track(track(fixes, config), config)


def segment_track(tr: Track, config: SegmentationConfig = DEFAULT_CONFIG) -> list[Segment]:
    """Cut an already computed ``Track`` into segments (``track`` with the same config)."""
    kidx = np.flatnonzero(tr.kept)
    m = len(kidx)
    if m == 0:
        return []
    cols = tr.columns
    hops = tr.hop_m.tolist()
    odometer = _counter(cols.get("odometer_m")) if config.use_odometer else None

    def distances(s: IntArray, e: IntArray) -> FloatArray:
        # Summed per segment, exactly (fsum): a running total would make a segment's distance
        # depend on what came before it, and a re-run tail would differ in the last bits.
        d = np.array([math.fsum(hops[a + 1:b + 1]) for a, b in zip(s.tolist(), e.tolist())])
        if odometer is not None:
            od = _differences(odometer, s, e, used=False)
            # A counter going backwards was reset or replaced: fall back to the fixes.
            d = np.array([g if o is None or o < 0 else o for g, o in zip(d.tolist(), od)])
        return d

    stops = _stops_kept(tr, kidx, config)
    pieces: list[_Piece] = []
    if not stops:
        if tr.ignition_on is not None:
            moved = bool(tr.ignition_on[kidx[-1]])
        else:
            moved = bool(np.count_nonzero(tr.anchor) > 1)  # else it never left its first stay
        pieces.append(_Piece("TRIP" if moved else "STOP", 0, m - 1))
    else:
        if stops[0][0] > 0:
            pieces.append(_Piece("TRIP", 0, stops[0][0]))
        for j, (a, e) in enumerate(stops):
            pieces.append(_Piece("STOP", a, e))
            if j + 1 < len(stops):
                pieces.append(_Piece("TRIP", e, stops[j + 1][0]))
        if stops[-1][1] < m - 1:
            pieces.append(_Piece("TRIP", stops[-1][1], m - 1))

    # A closed trip short in both time and distance is a manoeuvre (or jitter): it melts into the
    # stops around it. The last piece may still grow, so it is judged only once closed.
    closed = [p for p in pieces[:-1] if p.kind == "TRIP"]
    if closed:
        cs = kidx[[p.first for p in closed]]
        ce = kidx[[p.last for p in closed]]
        long_enough = (tr.t_ms[ce] - tr.t_ms[cs] >= config.min_trip_ms) | (
            distances(cs, ce) >= config.min_trip_distance_m)
        for p, keep in zip(closed, long_enough.tolist()):
            if not keep:
                p.kind = "STOP"
    merged: list[_Piece] = []
    for p in pieces:
        if merged and merged[-1].kind == "STOP" and p.kind == "STOP":
            merged[-1].last = p.last
        else:
            merged.append(p)

    s_n = kidx[[p.first for p in merged]]
    e_n = kidx[[p.last for p in merged]]
    dist = distances(s_n, e_n).tolist()
    fuel = _differences(_counter(cols.get("fuel_used_l")), s_n, e_n, used=False)
    energy = _differences(_counter(cols.get("energy_used_kwh")), s_n, e_n, used=False)
    # Charge points used: first minus last; negative on a stop that charged.
    battery = _differences(_counter(cols.get("soc_pct")), s_n, e_n, used=True)
    fuel = [None if v is not None and v < 0 else v for v in fuel]  # a reset counter says nothing
    energy = [None if v is not None and v < 0 else v for v in energy]

    n = len(tr.fixes)
    if "privacy" in cols:
        # Any private fix makes the whole segment private: the endpoints of a private part would
        # otherwise give its places away. Dropped (jittery) fixes count: the flag is no position.
        cp = np.concatenate(([0], np.cumsum(np.fromiter((v is True for v in cols["privacy"]), bool, n))))
        private = ((cp[e_n + 1] - cp[s_n]) > 0).tolist()
    else:
        private = [False] * len(merged)
    if "badge" in cols:
        bc = cols["badge"]
        have = np.flatnonzero(np.fromiter((b is not None for b in bc), dtype=bool, count=n))
        first = have[np.minimum(np.searchsorted(have, s_n), len(have) - 1)].tolist()
        # The badge presented first in the segment: the driver who started it.
        badges = [bc[b] if s <= b <= e else None for b, s, e in zip(first, s_n.tolist(), e_n.tolist())]
    else:
        badges = [None] * len(merged)

    t = tr.t_ms
    last = len(merged) - 1
    return [
        Segment(
            kind=p.kind,
            start_ms=int(t[s]), end_ms=int(t[e]), start_fix_index=int(s), end_fix_index=int(e),
            distance_m=float(dist[j]), fuel_l=fuel[j], energy_kwh=energy[j],
            battery_pct_points=battery[j], device_private=bool(private[j]),
            badge=None if badges[j] is None else str(badges[j]), open=j == last,
        )
        for j, (p, s, e) in enumerate(zip(merged, s_n.tolist(), e_n.tolist()))
    ]


def _last_stop(segments: Sequence[Segment]) -> int | None:
    for i in range(len(segments) - 1, -1, -1):
        if segments[i].kind == "STOP":
            return i
    return None


def resume_index(segments: Sequence[Segment]) -> int:
    """Index into the normalised fixes to re-run from with new fixes: the last STOP's start."""
    i = _last_stop(segments)
    return 0 if i is None else segments[i].start_fix_index


def final_segments(segments: Sequence[Segment]) -> list[Segment]:
    """The segments later fixes can no longer change: all those before the last STOP."""
    i = _last_stop(segments)
    return [] if i is None else list(segments[:i])
