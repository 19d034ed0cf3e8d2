"""Benchmark of POST /analyse/preformattedPrivacy over a year of a large fleet, against DuckDB.

A deterministic generator (fleetprivacy.fleetgen, shared with `fleetprivacy demo`) builds a customer
with an entity tree, drivers, vehicles (thermal, hybrid, electric), function-vehicle assignments,
private-life schedules (recurring versions and exceptional periods, through the historical
import), and a year of steps per vehicle (trips and stops: commutes,
working trips, private evenings and weekends for function cars, trips across midnight), with device
private flags, accepted retroactive decisions and unidentified drivers. Steps are written in bulk
(Core inserts); `etape_parts` is filled by the classification service (`classify_and_store`), whose
inserts also fill the roll-ups through the triggers. The database is kept under var/bench/ (SQLite)
or in a schema (PostgreSQL) and reused by later runs with the same parameters.

Then a real server (`fleetprivacy serve`, a uvicorn subprocess) answers the route over the whole
year, by driver and by vehicle, SYNTHESIS and DETAIL; the client reads every byte. In the same run
DuckDB (in memory, the same parts loaded from the database) times the bare SUM ... GROUP BY of the
same figures: the practical limit. Medians, ratios and the server's peak RSS are printed.

Run:
    .venv/bin/pip install -e '.[test,bench]'
    .venv/bin/python bench/bench_analysis.py                       # 1,000 vehicles x 365 days, SQLite
    .venv/bin/python bench/bench_analysis.py --postgresql postgresql://postgres@127.0.0.1:5432/test
    .venv/bin/python bench/bench_analysis.py --vehicles 20 --days 30 --repeat 3   # a quick look
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import statistics
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np
from sqlalchemy import func, insert, select, text
from sqlalchemy.engine import make_url

from fleetprivacy.analysis.models import ROLLUP_MEASURES
from fleetprivacy.db import Database
from fleetprivacy.fleetgen import SEED, FleetData, generate, schedules
from fleetprivacy.migrate import upgrade

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

YEAR_START = dt.date(2026, 1, 1)  # fleetgen.generate's default start (Europe/Paris)
PASSWORD = "bench-password-2026"


# The generator (fleetprivacy.fleetgen) is shared with `fleetprivacy demo`.


# --- loading ---------------------------------------------------------------------------------


def _log(msg: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {msg}", flush=True)


def load(db: Database, fleet: FleetData, name: str) -> int:
    """Write the fleet into the database; returns the customer id."""
    from fleetprivacy.auth.service import create_user
    from fleetprivacy.classification.models import ACCEPTEE, RetroRequest
    from fleetprivacy.classification.service import classify_and_store
    from fleetprivacy.reference.models import Affectation, Customer, Entity, Groupe, Individu, Vehicle
    from fleetprivacy.reference.service import create_customer
    from fleetprivacy.schedules.importer import import_schedules
    from fleetprivacy.schedules.service import system_ctx
    from fleetprivacy.trips.models import Etape

    rng = np.random.default_rng(SEED + 1)
    t0 = time.perf_counter()
    with db.session() as s:
        customer = create_customer(s, name, "Europe/Paris", None)
        cid = customer.id
        c = s.get(Customer, cid)
        c.fuel_price_per_l, c.electricity_price_per_kwh = 1.85, 0.22
        regions = []
        for r in range(5):
            e = Entity(customer_id=cid, nom=f"Région {r + 1}")
            s.add(e)
            s.flush()
            regions.append(e.id)
        sites = []
        for k in range(20):
            e = Entity(customer_id=cid, nom=f"Site {k + 1:02}", parent_id=regions[k % 5])
            s.add(e)
            s.flush()
            sites.append(e.id)
        groups = []
        for g in range(10):
            grp = Groupe(customer_id=cid, description_grp=f"Équipe {g + 1}")
            s.add(grp)
            s.flush()
            groups.append(grp.id)
        drivers = [Individu(customer_id=cid, nom_ind=f"Conducteur{i:04}", prenom_ind="Camille",
                            entite_id=sites[int(fleet.driver_site[i])], groupe_id=groups[int(fleet.driver_group[i])])
                   for i in range(len(fleet.driver_site))]
        s.add_all(drivers)
        vehicles = [Vehicle(customer_id=cid, immatriculation=f"FP-{i:04}-XX", numero_embarque=i + 1,
                            entite_id=sites[int(fleet.vehicle_site[i])], type_motorisation=fleet.vehicle_motor[i],
                            energie="ELECTRICITE" if fleet.vehicle_motor[i] == "ELECTRIQUE" else "DIESEL",
                            geolocalise=bool(fleet.vehicle_geo[i]), fuel_price_per_l=fleet.vehicle_fuel_price[i])
                    for i in range(fleet.n_vehicles)]
        s.add_all(vehicles)
        s.flush()
        driver_ids = [d.id for d in drivers]
        vehicle_ids = [v.id for v in vehicles]
        for v in range(fleet.n_vehicles):
            s.add(Affectation(customer_id=cid, individu_id=driver_ids[v], vehicle_id=vehicle_ids[v],
                              debut_at=dt.datetime(2025, 1, 1, tzinfo=dt.UTC), is_vehicule_fonction=bool(fleet.function[v])))
        create_user(s, login=f"bench-admin-{cid}", password=PASSWORD, role="ADMIN", customer_ids=[cid])
        import_schedules(s, system_ctx(s, cid), schedules(fleet, driver_ids, rng))
    _log(f"reference data and schedules: {time.perf_counter() - t0:.1f} s")

    # Steps, with explicit ids (a dedicated database), in bulk.
    t0 = time.perf_counter()
    with db.session() as s:
        first_id = (s.scalar(select(func.max(Etape.id))) or 0) + 1
    ids = np.arange(first_id, first_id + fleet.n_steps)
    vid = np.array(vehicle_ids, dtype=np.int64)[fleet.vehicle]
    did = np.where(fleet.driver >= 0, np.array(driver_ids + [0], dtype=np.int64)[fleet.driver], 0)
    kinds = np.where(fleet.kind == 1, "TRIP", "STOP")
    chunk = 50_000
    with db.engine.begin() as conn:
        for k in range(0, fleet.n_steps, chunk):
            sl = slice(k, k + chunk)
            rows = [
                {"id": int(i), "customer_id": cid, "vehicle_id": int(v), "kind": str(kd), "start_ms": int(a),
                 "end_ms": int(b), "distance_m": float(dm), "electric_distance_m": float(em), "fuel_l": float(fl),
                 "energy_kwh": float(en), "battery_pct_points": float(bt), "fuel_estimated": False,
                 "energy_estimated": False, "individu_id": int(d) if d else None,
                 "assignment_mode": "AUTO" if d else None, "device_private": bool(dp), "open": False,
                 "origin": "ETAPES", "frozen": False}
                for i, v, kd, a, b, dm, em, fl, en, bt, d, dp in zip(
                    ids[sl], vid[sl], kinds[sl], fleet.start[sl], fleet.end[sl], fleet.distance[sl],
                    fleet.electric[sl], fleet.fuel[sl], fleet.energy[sl], fleet.battery[sl], did[sl],
                    fleet.device_private[sl], strict=True)
            ]
            conn.execute(insert(Etape), rows)
        retro = np.nonzero(fleet.retro >= 0)[0]
        if len(retro):
            conn.execute(insert(RetroRequest), [
                {"customer_id": cid, "etape_id": int(ids[i]), "privacy": bool(fleet.retro[i]), "statut": ACCEPTEE,
                 "requested_at": dt.datetime(2026, 1, 1, tzinfo=dt.UTC)} for i in retro])
        if conn.dialect.name == "postgresql":
            conn.execute(text("SELECT setval(pg_get_serial_sequence('etapes', 'id'), (SELECT max(id) FROM etapes))"))
    _log(f"{fleet.n_steps:,} steps written: {time.perf_counter() - t0:.1f} s")

    # The classification service fills etape_parts (and the triggers the roll-ups).
    t0 = time.perf_counter()
    trip_ids = ids[fleet.kind == 1].tolist()
    written = 0
    batch = 20_000
    for k in range(0, len(trip_ids), batch):
        with db.session() as s:
            written += classify_and_store(s, cid, trip_ids[k:k + batch])
        if (k // batch) % 10 == 0:
            rate = (k + batch) / (time.perf_counter() - t0)
            _log(f"  classified {min(k + batch, len(trip_ids)):,}/{len(trip_ids):,} trips ({rate:,.0f} trips/s)")
    _log(f"classification: {written:,} parts for {len(trip_ids):,} trips in {time.perf_counter() - t0:.1f} s")
    with db.session() as s:
        s.execute(text("UPDATE customers SET name = :n WHERE id = :i"), {"n": name + " (complete)", "i": cid})
    return cid


def find_or_load(db: Database, fleet: FleetData, name: str, rebuild: bool) -> int:
    """The customer of a previous complete load with the same parameters, or a fresh load."""
    from fleetprivacy.reference.models import Customer

    with db.session() as s:
        existing = s.scalar(select(Customer.id).where(Customer.name == name + " (complete)"))
        if existing is not None and not rebuild:
            _log(f"reusing the fleet already loaded (customer {existing})")
            return existing
        partial = s.scalar(select(Customer.id).where(Customer.name.in_([name, name + " (complete)"])))
    if partial is not None:
        raise SystemExit(f"customer {partial} holds an older or partial load: use a fresh database (--fresh)")
    return load(db, fleet, name)


# --- timing ----------------------------------------------------------------------------------


def _peak_rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def _rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def time_route(server: Any, token: str, cid: int, mode: str, debut: str, fin: str, repeat: int,
               fmt: str | None = None) -> tuple[list[float], int]:
    """Wall times of `repeat` calls (after one warm-up), reading the whole body; and its size."""
    import httpx2 as httpx

    body = {"renderMode": mode, "criteria": "ALL", "periode": {"debut": debut, "fin": fin},
            "filter": {"persons": [], "entities": [], "groups": [], "vehicleIds": []}}
    params: dict[str, Any] = {"customerId": cid}
    if fmt:
        params["format"] = fmt
    times = []
    size = 0
    with httpx.Client(timeout=600) as client:
        for i in range(repeat + 1):
            t0 = time.perf_counter()
            with client.stream("POST", f"{server.base}/analyse/preformattedPrivacy", params=params, json=body,
                               headers={"X-AUTH-TOKEN": token}) as r:
                if r.status_code != 200:
                    raise SystemExit(f"{mode}: HTTP {r.status_code} {r.read()[:300]!r}")
                size = sum(len(chunk) for chunk in r.iter_raw())
            if i:
                times.append(time.perf_counter() - t0)
    return times, size


def duckdb_times(db: Database, cid: int, repeat: int) -> dict[str, list[float]]:
    """DuckDB, in memory, on the same parts (variant WITH_HORAIRE): the bare sums per grouping."""
    import duckdb

    cols = ["individu_id", "vehicle_id", "epoch_day", "source", *ROLLUP_MEASURES]
    t0 = time.perf_counter()
    arrays: dict[str, list[np.ndarray]] = {c: [] for c in cols}
    day_expr = ("CAST(julianday(local_date) - 2440587.5 AS INTEGER)" if db.is_sqlite
                else "(local_date - DATE '1970-01-01')")
    source_codes = "CASE source WHEN 'HORAIRE' THEN 0 WHEN 'BOUTON' THEN 1 WHEN 'POSTERIORI' THEN 2 ELSE 3 END"
    with db.engine.connect() as conn:
        result = conn.execution_options(yield_per=200_000).execute(text(
            f"SELECT COALESCE(individu_id, 0), vehicle_id, {day_expr}, {source_codes}, {', '.join(ROLLUP_MEASURES)} "
            f"FROM etape_parts WHERE customer_id = :c AND variant = 0"), {"c": cid})
        for part in result.partitions():
            a = np.array(part, dtype=np.float64)
            for j, c in enumerate(cols):
                arrays[c].append(a[:, j].astype(np.int64) if j < 4 else a[:, j])
    data = {c: np.concatenate(v) if v else np.zeros(0) for c, v in arrays.items()}
    con = duckdb.connect()
    con.register("parts_np", data)
    con.execute("CREATE TABLE parts AS SELECT * FROM parts_np")
    con.unregister("parts_np")
    n = con.execute("SELECT count(*) FROM parts").fetchone()[0]
    _log(f"DuckDB: {n:,} parts (WITH_HORAIRE) loaded in {time.perf_counter() - t0:.1f} s")
    sums = ", ".join(f"SUM({m})" for m in ROLLUP_MEASURES)
    queries = {
        "BY_DRIVER SYNTHESIS": f"SELECT individu_id, vehicle_id, source, {sums} FROM parts GROUP BY ALL",
        "BY_VEHICLE SYNTHESIS": f"SELECT vehicle_id, individu_id, source, {sums} FROM parts GROUP BY ALL",
        "BY_DRIVER DETAIL": f"SELECT individu_id, epoch_day, vehicle_id, {sums} FROM parts GROUP BY ALL",
        "BY_VEHICLE DETAIL": f"SELECT vehicle_id, epoch_day, individu_id, {sums} FROM parts GROUP BY ALL",
    }
    out: dict[str, list[float]] = {}
    for name, q in queries.items():
        con.execute(q).fetchnumpy()  # warm-up
        times = []
        for _ in range(repeat):
            t0 = time.perf_counter()
            con.execute(q).fetchnumpy()
            times.append(time.perf_counter() - t0)
        out[name] = times
    con.close()
    return out


def _database(kind: str, url: str | None, tag: str, fresh: bool) -> tuple[Database, str]:
    if kind == "sqlite":
        path = ROOT / "var" / "bench" / f"analysis_{tag}.db"
        if fresh and path.exists():
            for suffix in ("", "-wal", "-shm"):
                Path(str(path) + suffix).unlink(missing_ok=True)
        db_url = f"sqlite:///{path}"
    else:
        assert url is not None
        schema = f"bench_analysis_{tag}"
        admin = Database(url)
        with admin.engine.begin() as conn:
            if fresh:
                conn.execute(text(f"DROP SCHEMA IF EXISTS {schema} CASCADE"))
            conn.execute(text(f"CREATE SCHEMA IF NOT EXISTS {schema}"))
        admin.engine.dispose()
        db_url = make_url(url).update_query_dict({"options": f"-csearch_path={schema}"}).render_as_string(
            hide_password=False)
    db = Database(db_url)
    upgrade(db.engine)
    return db, db_url


def run(kind: str, url: str | None, fleet: FleetData, args: argparse.Namespace) -> dict[str, Any]:
    from support import Server

    tag = f"{fleet.n_vehicles}x{fleet.n_days}"
    db, db_url = _database(kind, url, tag, args.fresh)
    name = f"Bench {tag} seed {SEED}"
    cid = find_or_load(db, fleet, name, args.fresh)
    with db.session() as s:
        parts = s.scalar(text("SELECT count(*) FROM etape_parts WHERE customer_id = :c"), {"c": cid})
        steps = s.scalar(text("SELECT count(*) FROM etapes WHERE customer_id = :c"), {"c": cid})
        days = s.scalar(text("SELECT count(*) FROM etape_part_days WHERE customer_id = :c"), {"c": cid})
        months = s.scalar(text("SELECT count(*) FROM etape_part_months WHERE customer_id = :c"), {"c": cid})
    _log(f"{kind}: {steps:,} steps, {parts:,} parts, roll-ups {days:,} daily / {months:,} monthly rows")

    debut = YEAR_START.isoformat() + "T00:00:00"
    fin = (YEAR_START + dt.timedelta(days=fleet.n_days)).isoformat() + "T00:00:00"
    env = {**os.environ, "FLEETPRIVACY_DATABASE_URL": db_url, "FLEETPRIVACY_RATE_LIMIT_PER_TOKEN": "100000/minute",
           "FLEETPRIVACY_RATE_LIMIT_PER_ADDRESS": "100000/minute"}
    results: dict[str, Any] = {"steps": steps, "parts": parts}
    import httpx2 as httpx

    with Server(env) as server:
        r = httpx.post(f"{server.base}/auth/authenticate2", json={"login": f"bench-admin-{cid}", "password": PASSWORD})
        token = r.json()["token"]
        pid = server.proc.pid
        _log(f"server pid {pid}, RSS at start {_rss_mib(pid):.0f} MiB")
        for mode, repeat in (("BY_DRIVER_WITH_HORAIRE_SYNTHESIS", args.repeat),
                             ("BY_VEHICLE_WITH_HORAIRE_SYNTHESIS", args.repeat),
                             ("BY_DRIVER_WITH_HORAIRE_DETAIL", args.detail_repeat),
                             ("BY_VEHICLE_WITH_HORAIRE_DETAIL", args.detail_repeat)):
            times, size = time_route(server, token, cid, mode, debut, fin, repeat)
            med = statistics.median(times)
            results[mode] = (med, size)
            _log(f"{kind} {mode}: median {med:.3f} s (min {min(times):.3f}, max {max(times):.3f}, n={len(times)}), "
                 f"{size / 1e6:,.1f} MB; server peak RSS so far {_peak_rss_mib(pid):.0f} MiB")
        results["peak_rss_mib"] = _peak_rss_mib(pid)
    if not args.no_duckdb:
        for name, times in duckdb_times(db, cid, args.repeat).items():
            results["duckdb " + name] = statistics.median(times)
            _log(f"DuckDB {name}: median {statistics.median(times) * 1000:.1f} ms")
    db.engine.dispose()
    return results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--vehicles", type=int, default=1000)
    parser.add_argument("--days", type=int, default=365)
    parser.add_argument("--repeat", type=int, default=7, help="timed calls per SYNTHESIS mode")
    parser.add_argument("--detail-repeat", type=int, default=3, help="timed calls per DETAIL mode")
    parser.add_argument("--postgresql", metavar="URL", help="also run on this PostgreSQL server")
    parser.add_argument("--no-sqlite", action="store_true", help="PostgreSQL only")
    parser.add_argument("--no-duckdb", action="store_true", help="skip the DuckDB comparison")
    parser.add_argument("--fresh", action="store_true", help="regenerate the database even if one exists")
    args = parser.parse_args(argv)

    t0 = time.perf_counter()
    fleet = generate(args.vehicles, args.days)
    trips = int((fleet.kind == 1).sum())
    _log(f"generated {fleet.n_vehicles:,} vehicles x {fleet.n_days} days: {fleet.n_steps:,} steps ({trips:,} trips, "
         f"{int(fleet.device_private.sum()):,} device-private, {int((fleet.retro >= 0).sum()):,} retroactive "
         f"decisions, {int((fleet.driver < 0).sum()):,} without driver) in {time.perf_counter() - t0:.1f} s")
    targets = ([] if args.no_sqlite else [("sqlite", None)]) + ([("postgresql", args.postgresql)] if args.postgresql else [])
    all_results = {kind: run(kind, url, fleet, args) for kind, url in targets}

    print("\nSummary (full year, WITH_HORAIRE, through HTTP; DuckDB = bare SUM ... GROUP BY in memory)")
    print(f"{'database':<11} {'mode':<34} {'median s':>9} {'MB':>8} {'DuckDB ms':>10} {'ratio':>7}")
    for kind, res in all_results.items():
        for mode in ("BY_DRIVER_WITH_HORAIRE_SYNTHESIS", "BY_VEHICLE_WITH_HORAIRE_SYNTHESIS",
                     "BY_DRIVER_WITH_HORAIRE_DETAIL", "BY_VEHICLE_WITH_HORAIRE_DETAIL"):
            med, size = res[mode]
            key = "duckdb " + ("BY_DRIVER" if mode.startswith("BY_DRIVER") else "BY_VEHICLE") + (
                " DETAIL" if mode.endswith("DETAIL") else " SYNTHESIS")
            duck = res.get(key)
            ratio = f"{med / duck:7.1f}" if duck else "      -"
            duck_ms = f"{duck * 1000:10.1f}" if duck else "         -"
            print(f"{kind:<11} {mode:<34} {med:9.3f} {size / 1e6:8.1f} {duck_ms} {ratio}")
        print(f"{kind:<11} server peak RSS: {res['peak_rss_mib']:.0f} MiB; {res['steps']:,} steps, {res['parts']:,} parts")
    return 0


if __name__ == "__main__":
    sys.exit(main())
