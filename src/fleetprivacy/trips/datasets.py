"""Readers for the two real GPS sets in ../shared/data, as ``Fix`` streams per vehicle.

The files are read as gzip text streams with the stdlib csv module, one row at a time; the
``iter_*`` readers yield one vehicle at a time (the files are grouped by vehicle), so a caller that
segments as it goes holds a single vehicle in memory. The data must never be copied into this
repository (see the data README): callers pass the path.
"""

from __future__ import annotations

import csv
import datetime as dt
import gzip
import math
import sys
import time
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from fleetprivacy.trips.segmentation import (
    DEFAULT_CONFIG,
    Fix,
    SegmentationConfig,
    haversine_m_array,
    normalise,
    segment,
)

_EPOCH_ORDINAL = dt.date(1970, 1, 1).toordinal()


def iter_cabspotting(path: str | Path) -> Iterator[tuple[str, list[Fix]]]:
    """Yield (taxi_id, fixes in file order) per run of rows of one taxi in positions.csv.gz."""
    # occupied (carrying a fare) is neither ignition nor motion: a taxi idles with or without a
    # fare, so it is left out and trips are cut from motion alone.
    with gzip.open(path, "rt", newline="") as f:
        rows = csv.reader(f)
        header = next(rows)
        if header[:4] != ["taxi_id", "unix_time_utc", "lat", "lon"]:
            raise ValueError(f"unexpected cabspotting header: {header}")
        current: str | None = None
        fixes: list[Fix] = []
        for taxi, t, lat, lon, *_ in rows:
            if taxi != current:
                if current is not None:
                    yield current, fixes
                current, fixes = taxi, []
            fixes.append(Fix(int(t) * 1000, float(lat), float(lon)))
        if current is not None:
            yield current, fixes


def read_cabspotting(path: str | Path) -> dict[str, list[Fix]]:
    """Fixes per taxi from the Cabspotting positions.csv.gz."""
    out: dict[str, list[Fix]] = {}
    for taxi, fixes in iter_cabspotting(path):
        out.setdefault(taxi, []).extend(fixes)
    return out


def _utc_ms(stamp: str, days: dict[str, int]) -> int:
    # "YYYY-MM-DD HH:MM:SS" in UTC; the day is cached because a journey shares it across
    # thousands of rows, and slicing beats strptime by an order of magnitude.
    day = stamp[:10]
    d = days.get(day)
    if d is None:
        d = days[day] = dt.date.fromisoformat(day).toordinal() - _EPOCH_ORDINAL
    return ((d * 24 + int(stamp[11:13])) * 3600 + int(stamp[14:16]) * 60 + int(stamp[17:19])) * 1000


def iter_geolife(
    points_path: str | Path, journeys_as_ignition: bool = False
) -> Iterator[tuple[str, list[Fix]]]:
    """Yield (user_id, fixes in file order) per run of rows of one user in points.csv.gz."""
    # A GeoLife segment is a journey a person labelled "car" or "taxi"; between journeys the person
    # walked, took a train or stayed home, and those fixes are not in the set. By default the
    # labels are not used: fixes carry no ignition and the segmenter finds trips from motion,
    # which the max-gap rule keeps from bridging two journeys (the median pause between journeys
    # is hours). With journeys_as_ignition=True every fix of a journey reports ignition on and its
    # last fix off, so ignition mode turns each journey into one trip: a ground truth to compare
    # the motion cut with. Two journeys sharing a boundary instant then merge, because of two
    # fixes at one instant the later row (the next journey's first, ignition on) wins.
    days: dict[str, int] = {}
    with gzip.open(points_path, "rt", newline="") as f:
        rows = csv.reader(f)
        header = next(rows)
        if header[:6] != ["user_id", "segment_id", "mode", "time_utc", "lat", "lon"]:
            raise ValueError(f"unexpected geolife header: {header}")
        current: str | None = None
        fixes: list[Fix] = []
        journey: str | None = None
        for user, seg, _mode, stamp, lat, lon in rows:
            if user != current:
                if current is not None:
                    yield current, _ended(fixes, journeys_as_ignition)
                current, fixes, journey = user, [], None
            if journeys_as_ignition:
                if seg != journey and fixes:
                    fixes[-1] = fixes[-1]._replace(ignition=False)
                journey = seg
                fixes.append(Fix(_utc_ms(stamp, days), float(lat), float(lon), ignition=True))
            else:
                fixes.append(Fix(_utc_ms(stamp, days), float(lat), float(lon)))
        if current is not None:
            yield current, _ended(fixes, journeys_as_ignition)


def _ended(fixes: list[Fix], journeys_as_ignition: bool) -> list[Fix]:
    # The user's last journey ends like the others: ignition off on its last fix.
    if journeys_as_ignition and fixes:
        fixes[-1] = fixes[-1]._replace(ignition=False)
    return fixes


def read_geolife(points_path: str | Path, journeys_as_ignition: bool = False) -> dict[str, list[Fix]]:
    """Fixes per user from the GeoLife car/taxi points.csv.gz (see ``iter_geolife`` for journeys)."""
    out: dict[str, list[Fix]] = {}
    for user, fixes in iter_geolife(points_path, journeys_as_ignition):
        out.setdefault(user, []).extend(fixes)
    return out


def geolife_journey_km(segments_path: str | Path) -> float:
    """Sum of the labelled journeys' own GPS distances (segments.csv ``gps_distance_km``)."""
    with open(segments_path, newline="") as f:
        return math.fsum(float(row["gps_distance_km"]) for row in csv.DictReader(f))


@dataclass(frozen=True)
class DatasetFigures:
    """What segmenting one data set gives: counts, distances and the time ``segment`` took."""

    name: str
    vehicles: int
    fixes: int
    trips: int
    min_trips_per_vehicle: int
    max_trips_per_vehicle: int
    trip_km: float
    raw_km: float  # great circle along every fix in time order, nothing filtered
    segment_s: float  # wall time of segment() over all vehicles
    segment_cpu_s: float  # CPU time of the same: what the code costs on a busy machine
    trip_km_by_vehicle: dict[str, float]
    raw_km_by_vehicle: dict[str, float]

    @property
    def ratio(self) -> float:
        """Trip distance over the raw great-circle sum."""
        return self.trip_km / self.raw_km if self.raw_km else 0.0


def raw_km(fixes: Sequence[Fix]) -> float:
    """Great circle along all fixes in time order (duplicates resolved), without any filter."""
    fx = normalise(fixes)
    if len(fx) < 2:
        return 0.0
    lat = np.fromiter((f.lat for f in fx), dtype=np.float64, count=len(fx))
    lon = np.fromiter((f.lon for f in fx), dtype=np.float64, count=len(fx))
    return float(np.sum(haversine_m_array(lat[:-1], lon[:-1], lat[1:], lon[1:]))) / 1000


def measure(
    name: str, by_vehicle: Mapping[str, Sequence[Fix]], config: SegmentationConfig = DEFAULT_CONFIG
) -> DatasetFigures:
    """Segment every vehicle of a data set and gather the figures docs/segmentation.md quotes."""
    started, started_cpu = time.perf_counter(), time.process_time()
    cut = {v: segment(fixes, config) for v, fixes in by_vehicle.items()}
    elapsed, elapsed_cpu = time.perf_counter() - started, time.process_time() - started_cpu
    trips = {v: [s for s in segs if s.kind == "TRIP"] for v, segs in cut.items()}
    trip_km = {v: math.fsum(s.distance_m for s in ts) / 1000 for v, ts in trips.items()}
    raw = {v: raw_km(fixes) for v, fixes in by_vehicle.items()}
    counts = [len(ts) for ts in trips.values()] or [0]
    return DatasetFigures(
        name=name, vehicles=len(by_vehicle), fixes=sum(map(len, by_vehicle.values())),
        trips=sum(counts), min_trips_per_vehicle=min(counts), max_trips_per_vehicle=max(counts),
        trip_km=math.fsum(trip_km.values()), raw_km=math.fsum(raw.values()),
        segment_s=elapsed, segment_cpu_s=elapsed_cpu,
        trip_km_by_vehicle=trip_km, raw_km_by_vehicle=raw,
    )


def _report(f: DatasetFigures) -> str:
    return (f"{f.name}: {f.vehicles} vehicles, {f.fixes:,} fixes -> {f.trips:,} trips "
            f"({f.min_trips_per_vehicle}..{f.max_trips_per_vehicle} per vehicle), "
            f"{f.trip_km:,.0f} km in trips / {f.raw_km:,.0f} km raw = {f.ratio:.3f}, "
            f"segmented in {f.segment_s:.2f} s ({f.segment_cpu_s:.2f} s CPU)")


def main(argv: Sequence[str] | None = None) -> int:
    """Print the figures of both real sets: ``python -m fleetprivacy.trips.datasets [DATA_DIR]``."""
    args = list(sys.argv[1:] if argv is None else argv)
    data = Path(args[0]) if args else Path("../shared/data")
    cab = read_cabspotting(data / "cabspotting" / "positions.csv.gz")
    f = measure("cabspotting", cab)
    print(_report(f))
    for taxi in sorted(cab):
        print(f"  {taxi:9} {f.trip_km_by_vehicle[taxi]:8,.0f} km in trips / "
              f"{f.raw_km_by_vehicle[taxi]:8,.0f} km raw")
    del cab
    points = data / "geolife_car" / "points.csv.gz"
    g = measure("geolife (motion)", read_geolife(points))
    print(_report(g))
    journeys_km = geolife_journey_km(data / "geolife_car" / "segments.csv")
    print(f"  {g.trip_km:,.0f} km in trips / {journeys_km:,.0f} km inside labelled journeys "
          f"= {g.trip_km / journeys_km:.3f}")
    print(_report(measure("geolife (journeys as ignition)", read_geolife(points, journeys_as_ignition=True))))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
