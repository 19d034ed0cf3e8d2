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
from collections.abc import Iterator
from pathlib import Path

from fleetprivacy.trips.segmentation import Fix

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
