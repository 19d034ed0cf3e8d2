"""`fleetprivacy import positions|gpx` and `fleetprivacy purge` on small generated files."""

from __future__ import annotations

import csv
import gzip
import json
import os
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import func, select

from fleetprivacy.reference.models import Vehicle
from fleetprivacy.trips.models import Etape, Position
from support import cli
from trips_support import T0, commute_day

PARIS = ZoneInfo("Europe/Paris")


def _write_csv(path, rows, header):
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "wt", newline="") as f:
        w = csv.writer(f)
        w.writerow(header)
        w.writerows(rows)


def test_import_positions_from_a_csv(run_cli, factory, tmp_path, db):
    customer = factory.customer("Csv SA")
    rows = []
    for plate, day in (("CSV-1", 0), ("CSV-2", 1)):
        for k, f in enumerate(commute_day(T0 + day * 86_400_000)):
            local = datetime.fromtimestamp(f.t_ms / 1000, UTC).astimezone(PARIS).replace(tzinfo=None)
            # Private mode for the second vehicle's drive home (the fixes after it leaves).
            private = "1" if plate == "CSV-2" and (10, 52) <= (local.hour, local.minute) <= (11, 11) else ""
            rows.append((plate, local.isoformat(sep=" "), f.lat, f.lon, private, "J1" if k < 200 else "J2"))
    rows.reverse()  # any order
    path = tmp_path / "positions.csv.gz"
    _write_csv(path, rows, ["plate", "when", "latitude", "longitude", "private", "journey"])
    args = ["import", "positions", str(path), "--vehicle-column", "plate", "--time-column", "when",
            "--lat-column", "latitude", "--lon-column", "longitude", "--timezone", "Europe/Paris",
            "--privacy-column", "private", "--batch-size", "100", "--no-progress"]
    code, out, err = run_cli(*args)
    assert code == 2 and "CSV-" in err and "--create-vehicles" in err
    code, out, err = run_cli(*args, "--create-vehicles")
    assert code == 0, err
    report = json.loads(out)
    assert report["customerId"] == customer and report["received"] == report["stored"] == len(rows)
    assert report["trips"] == 4 and [v["trips"] for v in report["vehicles"]] == [2, 2]
    assert 71 < report["tripKm"] < 72  # 4 x 17.9 km
    with db.session() as session:
        private = session.scalars(select(Etape.kind).where(Etape.device_private.is_(True)).order_by(Etape.start_ms)).all()
        assert private == ["TRIP", "STOP"]
        first = session.scalar(select(func.min(Position.t_ms)))
        assert first == T0  # 09:00 in Paris is 08:00 UTC
    # Again: nothing new.
    code, out, _ = run_cli(*args)
    assert code == 0 and json.loads(out)["stored"] == 0 and json.loads(out)["etapesCreated"] == 0
    # With journeys: the same fixes cut by journey (ignition), here into different steps.
    code, out, err = run_cli(*args, "--journey-column", "journey", "--customer", str(customer))
    assert code == 0 and json.loads(out)["stored"] == 0, err
    # Input errors name what is wrong.
    code, _, err = run_cli("import", "positions", str(path), "--vehicle-column", "nope", "--time-column", "when")
    assert code == 2 and "--vehicle-column 'nope' is not a column" in err
    code, _, err = run_cli(*args, "--timezone", "Mars/Olympus")
    assert code == 2 and "Mars/Olympus" in err


GPX = """<?xml version="1.0" encoding="UTF-8"?>
<gpx version="1.1" creator="test" xmlns="http://www.topografix.com/GPX/1/1">
<trk><name>t</name>{segs}</trk></gpx>
"""


def _gpx(path) -> int:
    segs = []
    n = 0
    for day in (0, 1):
        pts = []
        for f in commute_day(T0 + day * 86_400_000):
            stamp = datetime.fromtimestamp(f.t_ms / 1000, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
            pts.append(f'<trkpt lat="{f.lat}" lon="{f.lon}"><ele>35</ele><time>{stamp}</time></trkpt>')
            n += 1
        segs.append("<trkseg>" + "".join(pts) + "</trkseg>")
    path.write_text(GPX.format(segs="".join(segs)))
    return n


def test_import_gpx_through_the_console_script(factory, tmp_path, database_url, db):
    factory.customer("Gpx SA")
    path = tmp_path / "track.gpx"
    n = _gpx(path)
    env = {**os.environ, "FLEETPRIVACY_DATABASE_URL": database_url}
    r = cli("import", "gpx", str(path), "--numero-embarque", "42", "--create-vehicle", env=env)
    assert r.returncode == 0, r.stderr
    report = json.loads(r.stdout)
    assert report["received"] == n and report["trips"] == 4 and report["vehicles"][0]["numeroEmbarque"] == 42
    with db.session() as session:
        assert session.scalar(select(Vehicle.immatriculation)) == "42"


def test_import_gpx_segments_as_trips(run_cli, factory, tmp_path, db):
    factory.customer("Gpx SA")
    path = tmp_path / "track.gpx"
    _gpx(path)
    code, out, err = run_cli("import", "gpx", str(path), "--numero-embarque", "43", "--create-vehicle",
                         "--segments-as-trips", "--no-progress")
    assert code == 0, err
    # Each track segment is one ignition cycle: one trip per day, stops inside it ignored.
    assert json.loads(out)["trips"] == 2
    bad = tmp_path / "bad.gpx"
    bad.write_text("<gpx><trk><trkseg><trkpt lat='1' lon='2'>")
    code, _, err = run_cli("import", "gpx", str(bad), "--numero-embarque", "43", "--no-progress")
    assert code == 2 and "not valid GPX" in err


def test_purge_deletes_old_positions_and_keeps_steps(run_cli, factory, tmp_path, db):
    customer = factory.customer("Purge SA")
    path = tmp_path / "p.csv"
    rows = [("7", f.t_ms, f.lat, f.lon) for d in (0, 10) for f in commute_day(T0 + d * 86_400_000)]
    _write_csv(path, rows, ["unit", "t", "lat", "lon"])
    code, out, err = run_cli("import", "positions", str(path), "--vehicle-column", "unit", "--time-column", "t",
                         "--create-vehicles", "--no-progress")
    assert code == 0, err
    with db.session() as session:
        steps_before = session.scalar(select(func.count()).select_from(Etape))
    # Retention 60 days: as of T0 + 65 days, day 0 is gone and day 10 stays.
    code, out, err = run_cli("purge", "--as-of", "2026-03-11T08:00:00+00:00")
    assert code == 0, err
    report = json.loads(out)
    assert report["positionsDeleted"] == len(rows) // 2
    assert report["customers"][0]["customerId"] == customer
    with db.session() as session:
        assert session.scalar(select(func.count()).select_from(Etape)) == steps_before
        assert session.scalar(select(func.min(Position.t_ms))) >= T0 + 10 * 86_400_000
    code, _, err = run_cli("purge", "--as-of", "tomorrow")
    assert code == 2 and "--as-of" in err
    # A future instant deleted positions still inside the retention period.
    code, _, err = run_cli("purge", "--as-of", "9999-01-01T00:00:00+00:00")
    assert code == 2 and "in the future" in err
    with db.session() as session:
        assert session.scalar(select(func.count()).select_from(Position)) == len(rows) // 2


def test_import_refuses_implausible_times_and_numbers_naming_the_line(run_cli, factory, tmp_path, db):
    """A 1970 row (a unit's unset clock) made a 56-year step; `1e400` crashed with a traceback."""
    factory.customer("Odd SA")
    good = datetime.fromtimestamp(T0 / 1000, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    cases = [
        ([("V1", good, 48.1, 2.1), ("V1", "0", 48.1, 2.1)], "line 3: the time 0 ms is not a plausible instant"),
        ([("V1", "1e400", 48.1, 2.1)], "line 2"),
        ([("V1", "99999999999999999", 48.1, 2.1)], "line 2: the time"),
    ]
    for rows, words in cases:
        path = tmp_path / "odd.csv"
        _write_csv(path, rows, ["veh", "time", "lat", "lon"])
        code, _out, err = run_cli("import", "positions", str(path), "--vehicle-column", "veh", "--time-column", "time",
                              "--create-vehicles", "--no-progress")
        assert code == 2 and words in err and "Traceback" not in err, (rows, code, err)
    path = tmp_path / "short.csv"
    path.write_text(f"veh,time,lat,lon\nV1,{good},48.1\n")
    code, _out, err = run_cli("import", "positions", str(path), "--vehicle-column", "veh", "--time-column", "time",
                          "--no-progress")
    assert code == 2 and "line 2: fewer columns than the header" in err, err
    gpx = tmp_path / "old.gpx"
    gpx.write_text(GPX.format(segs='<trkseg><trkpt lat="1" lon="2"><time>1970-01-01T00:00:00Z</time></trkpt>'
                                   f'<trkpt lat="1.1" lon="2"><time>{good}</time></trkpt></trkseg>'))
    code, _out, err = run_cli("import", "gpx", str(gpx), "--numero-embarque", "44", "--create-vehicle", "--no-progress")
    assert code == 2 and "not a plausible instant" in err, err
    with db.session() as session:
        assert session.scalar(select(func.count()).select_from(Etape)) == 0
        assert session.scalar(select(func.count()).select_from(Position)) == 0
