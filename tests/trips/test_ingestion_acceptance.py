"""Acceptance: the real GPS sets in ../shared/data (never copied here) imported THROUGH THE INGESTION
SERVICE AND THE DATABASE, then read back through the API.

- Cabspotting goes through the real command line (`fleetprivacy import positions`, a subprocess on
  the test database) in batches of 5,000 positions per taxi, so every taxi's stream arrives in about
  six pieces: the stored steps must be exactly what one run of the segmenter over the whole stream
  gives, trip for trip and metre for metre.
- GeoLife goes through the same importer in-process, with a deterministic privacy flag attached (the
  data has none): every fix on a Saturday or Sunday, Beijing time, is flagged private by the "unit".
  A MANAGER then reads every day of the heaviest users' daily records and all their positions:
  none of the coordinates recorded in private steps may come back.
"""

from __future__ import annotations

import bisect
import datetime as dt
import json
import math
import os
from pathlib import Path
from zoneinfo import ZoneInfo

import numpy as np
import pytest
from sqlalchemy import select

from fleetprivacy.reference.models import Vehicle
from fleetprivacy.trips import importer
from fleetprivacy.trips.datasets import iter_geolife, raw_km, read_cabspotting
from fleetprivacy.trips.models import Etape, Position
from fleetprivacy.trips.segmentation import DEFAULT_CONFIG, Fix, segment
from support import cli

DATA = Path(__file__).resolve().parents[2].parent / "shared" / "data"
CABSPOTTING = DATA / "cabspotting" / "positions.csv.gz"
GEOLIFE = DATA / "geolife_car" / "points.csv.gz"
BEIJING = ZoneInfo("Asia/Shanghai")

pytestmark = pytest.mark.acceptance

INTERLEAVED = {"udwadla", "upthin"}  # two cabs' fixes under one id (see docs/segmentation.md)


def _need(path: Path) -> None:
    if not path.exists():
        pytest.skip(f"real data absent: {path} (it lives outside the repository, see data README)")


def _trips_by_vehicle(db, customer_id: int) -> dict[str, list[tuple[int, int, float]]]:
    out: dict[str, list[tuple[int, int, float]]] = {}
    with db.session() as session:
        rows = session.execute(
            select(Vehicle.immatriculation, Etape.start_ms, Etape.end_ms, Etape.distance_m)
            .join(Vehicle, Vehicle.id == Etape.vehicle_id)
            .where(Etape.customer_id == customer_id, Etape.kind == "TRIP").order_by(Etape.start_ms))
        for immat, start, end, dist in rows:
            out.setdefault(immat, []).append((start, end, dist))
    return out


def test_cabspotting_through_the_command_line(factory, database_url, db):
    _need(CABSPOTTING)
    customer = factory.customer("Cabs", "America/Los_Angeles")
    env = {**os.environ, "FLEETPRIVACY_DATABASE_URL": database_url}
    r = cli("import", "positions", str(CABSPOTTING), "--vehicle-column", "taxi_id", "--time-column",
            "unix_time_utc", "--lat-column", "lat", "--lon-column", "lon", "--create-vehicles",
            "--batch-size", "5000", "--no-progress", env=env)
    assert r.returncode == 0, r.stderr[-3000:]
    report = json.loads(r.stdout)
    assert report["received"] == report["stored"] == 277_138 and report["customerId"] == customer
    stored = _trips_by_vehicle(db, customer)
    cab = read_cabspotting(CABSPOTTING)
    assert set(stored) == set(cab)
    total_trips = 0
    total_km = total_raw = 0.0
    for taxi, fixes in cab.items():
        expected = [(s.start_ms, s.end_ms, s.distance_m) for s in segment(fixes) if s.kind == "TRIP"]
        got = stored[taxi]
        # Six batches per taxi give exactly the one-run cut: same trips, same bounds, same metres.
        assert [(a, b) for a, b, _ in got] == [(a, b) for a, b, _ in expected], taxi
        assert [d for _, _, d in got] == pytest.approx([d for _, _, d in expected], rel=1e-9, abs=1e-6), taxi
        km = math.fsum(d for _, _, d in got) / 1000
        raw = raw_km(fixes)
        ratio = km / raw
        if taxi in INTERLEAVED:
            assert 0.05 <= ratio <= 0.25, taxi  # one coherent track kept of two zigzagging ones
        else:
            assert 0.93 <= ratio <= 0.995, taxi  # parked wobble, silences and GPS jumps left out
        total_trips += len(got)
        total_km += km
        total_raw += raw
    # The figures docs/api-trips.md quotes.
    assert total_trips == report["trips"] == 2_895
    assert total_km == pytest.approx(99_676, abs=2) and total_raw == pytest.approx(317_860, abs=2)
    # Importing the file again creates nothing.
    again = json.loads(cli("import", "positions", str(CABSPOTTING), "--vehicle-column", "taxi_id",
                           "--time-column", "unix_time_utc", "--no-progress", env=env).stdout)
    assert (again["stored"], again["etapesCreated"], again["etapesUpdated"], again["trips"]) == (0, 0, 0, 2_895)


def _weekend_private(fixes: list[Fix]) -> list[Fix]:
    """Every fix on a Saturday or Sunday in Beijing (UTC+8 all year since 1991) flagged private."""
    t = np.fromiter((f.t_ms for f in fixes), dtype=np.int64, count=len(fixes))
    weekday = ((t // 1000 + 8 * 3600) // 86_400 + 3) % 7  # 1970-01-01 was a Thursday; Monday = 0
    return [f._replace(privacy=True) if w >= 5 else f for f, w in zip(fixes, weekday.tolist())]


def test_geolife_through_the_importer_and_no_private_coordinate_for_a_manager(
        client, factory, auth, database_url, db):
    _need(GEOLIFE)
    t = factory.tenant("geo", timezone="Asia/Shanghai")
    users = {user: _weekend_private(fixes) for user, fixes in iter_geolife(GEOLIFE)}
    stream = ((user, f) for user, fixes in users.items() for f in fixes)
    report = importer.import_stream(db, t.customer_id, stream, DEFAULT_CONFIG, create_vehicles=True)
    figures = report.wire()
    assert figures["received"] == 760_532
    assert figures["stored"] + figures["duplicates"] == 760_532  # GeoLife repeats some instants
    stored = _trips_by_vehicle(db, t.customer_id)
    assert len(users) == 46
    by_numero = {v.key: v for v in report.vehicles.values()}
    total = 0
    for user, fixes in users.items():
        expected = [s for s in segment(fixes) if s.kind == "TRIP"]
        immat = user[:20]
        got = stored.get(immat, [])
        assert len(got) == len(expected), user
        assert [d for _, _, d in got] == pytest.approx([s.distance_m for s in expected], rel=1e-9, abs=1e-6), user
        total += len(got)
        assert by_numero[user].trips == len(got)
    assert total == figures["trips"] == 1_658
    assert figures["tripKm"] == pytest.approx(28_597, abs=2)

    # A manager reads the heaviest users' records: no coordinate of a private step comes back.
    manager = auth(t.manager)
    base = client.base
    for user in ("153", "128"):
        vehicle = by_numero[user]
        with db.session() as session:
            steps = session.scalars(select(Etape).where(Etape.vehicle_id == vehicle.vehicle_id)
                                    .order_by(Etape.start_ms)).all()
            private_steps = [(s.start_ms, s.end_ms) for s in steps if s.device_private]
            public_steps = [(s.start_ms, s.end_ms) for s in steps if not s.device_private]
            assert private_steps, user
            coords = session.execute(select(Position.t_ms, Position.lat, Position.lon)
                                     .where(Position.vehicle_id == vehicle.vehicle_id)).all()
        secret = _private_only_coordinates(coords, private_steps, public_steps)
        assert len(secret) > 1_000, user
        days = sorted({dt.datetime.fromtimestamp(s.start_ms / 1000, BEIJING).date() for s in steps})
        seen_private_rows = 0
        for day in days:
            r = client.get(f"{base}/mobility/v1/ficheJour", headers=manager,
                           params={"vehId": vehicle.vehicle_id, "date": day.strftime("%d/%m/%Y")})
            assert r.status_code == 200, r.text
            for row in r.json()["fjRows"]:
                for pos in (row["posDeb"], row["posFin"]):
                    if row["viePrivee"]:
                        seen_private_rows += 1
                        assert pos["latitudeY"] is None and pos["longitudeX"] is None
                    else:
                        assert (pos["latitudeY"], pos["longitudeX"]) not in secret
        assert seen_private_rows > 0
        # All the positions, 30 days at a time (a search answers at most 100,000).
        positions = []
        lo, end = days[0], days[-1] + dt.timedelta(days=1)
        while lo < end:
            hi = min(lo + dt.timedelta(days=30), end)
            r = client.get(f"{base}/positions/search", headers=manager, params={
                "immatriculation": user, "startDate": f"{lo.isoformat()}T00:00:00+08:00",
                "endDate": f"{hi.isoformat()}T00:00:00+08:00"})
            assert r.status_code == 200, r.text[:300]
            positions += [p for p in r.json()["positionsVehicles"][0]["positions"]
                          if p["date"] < f"{hi.isoformat()}T00:00:00"]  # the end instant is in both windows
            lo = hi
        assert len(positions) == len(coords)  # private positions masked, never left out
        masked = 0
        for p in positions:
            if p["viePrivee"]:
                masked += 1
                assert p["latitudeY"] is None and p["longitudeX"] is None
            else:
                assert (p["latitudeY"], p["longitudeX"]) not in secret
        assert masked >= len(secret)


def _private_only_coordinates(coords, private_steps, public_steps) -> set[tuple[float, float]]:
    """Coordinates recorded only at instants of private steps.

    An instant shared with a public step (the fix where a public step ends and a private one begins)
    is where a public trip ended or left from: that place is public, and the public step's row shows it.
    """

    def inside(intervals):
        starts = [a for a, _ in intervals]

        def test(t: int) -> bool:
            i = bisect.bisect_right(starts, t) - 1
            # Steps touch at their ends: the previous one may hold t too.
            return any(j >= 0 and intervals[j][0] <= t <= intervals[j][1] for j in (i, i - 1))

        return test

    in_private, in_public = inside(private_steps), inside(public_steps)
    private, public = set(), set()
    for t, lat, lon in coords:
        (private if in_private(t) and not in_public(t) else public).add((lat, lon))
    return private - public
