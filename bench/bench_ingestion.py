"""Benchmark of bulk position ingestion through the real service and database: positions per second.

Each run builds a fresh, migrated database (a temporary SQLite file, or a temporary schema of the
PostgreSQL server given), then ingests a deterministic synthetic fleet (taxi-like days: 1 fix every
10 s while driving, every 60 s while parked) vehicle by vehicle in batches, one transaction per
batch, exactly as `POST /ingest/v1/positions` and `fleetprivacy import positions` do. The time
covers ``service.ingest_fixes`` and the commit: duplicate check, segmentation, step
reconciliation, the bulk insert and the stored classification of the steps written (the
classification's hook; `--no-classification` leaves it out). Parsing (JSON or CSV) is not included.

Run:
  .venv/bin/python bench/bench_ingestion.py                       # SQLite
  .venv/bin/python bench/bench_ingestion.py --postgresql postgresql://postgres@127.0.0.1:5432/test
Options: --vehicles N --days D --batch B --runs R --no-classification.
"""

from __future__ import annotations

import argparse
import math
import os
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

import numpy as np
from sqlalchemy import func, select, text
from sqlalchemy.engine import make_url

os.environ.setdefault("FLEETPRIVACY_PASSWORD_HASH_TIME_COST", "1")

from fleetprivacy.db import Database  # noqa: E402
from fleetprivacy.migrate import upgrade  # noqa: E402
from fleetprivacy.reference.models import Vehicle  # noqa: E402
from fleetprivacy.reference.service import create_customer  # noqa: E402
from fleetprivacy.trips import service  # noqa: E402
from fleetprivacy.trips.models import Etape, Position  # noqa: E402
from fleetprivacy.trips.segmentation import DEFAULT_CONFIG, Fix  # noqa: E402

T0 = 1_767_600_000_000  # 2026-01-05T08:00:00Z


def fleet(n_vehicles: int, days: int, seed: int = 7) -> list[list[Fix]]:
    """Per vehicle, ``days`` days of alternating drives (5-40 min) and stops (3-90 min)."""
    rng = np.random.default_rng(seed)
    out = []
    for v in range(n_vehicles):
        lat, lon = 48.80 + 0.1 * rng.random(), 2.25 + 0.2 * rng.random()
        t = T0 + v * 1000
        end = T0 + days * 86_400_000
        fixes: list[Fix] = []
        while t < end:
            # Parked: fixes every 60 s with a few metres of wobble.
            for _ in range(int(rng.integers(3, 90))):
                fixes.append(Fix(t, lat + rng.normal(0, 2e-5), lon + rng.normal(0, 2e-5)))
                t += 60_000
            # Driving: fixes every 10 s at 20-70 km/h in a wandering direction.
            heading = rng.uniform(0, 2 * math.pi)
            for _ in range(int(rng.integers(30, 240))):
                speed = rng.uniform(20, 70) / 3.6
                heading += rng.normal(0, 0.2)
                lat += speed * 10 * math.cos(heading) / 111_320
                lon += speed * 10 * math.sin(heading) / (111_320 * math.cos(math.radians(lat)))
                fixes.append(Fix(t, lat, lon, speed * 3.6))
                t += 10_000
        out.append(fixes)
    return out


def _database(pg_base: str | None) -> tuple[Database, object]:
    if pg_base is None:
        tmp = tempfile.TemporaryDirectory()
        db = Database(f"sqlite:///{Path(tmp.name) / 'bench.db'}")
        upgrade(db.engine)
        return db, tmp
    schema = f"fp_bench_{uuid.uuid4().hex[:10]}"
    admin = Database(pg_base)
    with admin.engine.begin() as conn:
        conn.execute(text(f"CREATE SCHEMA {schema}"))
    url = make_url(pg_base).update_query_dict({"options": f"-csearch_path={schema}"})
    db = Database(url.render_as_string(hide_password=False))
    upgrade(db.engine)
    return db, (admin, schema)


def _drop(db: Database, handle: object) -> None:
    db.engine.dispose()
    if isinstance(handle, tuple):
        admin, schema = handle
        with admin.engine.begin() as conn:
            conn.execute(text(f"DROP SCHEMA {schema} CASCADE"))
        admin.engine.dispose()
    else:
        handle.cleanup()  # type: ignore[attr-defined]


def run_once(streams: list[list[Fix]], batch: int, pg_base: str | None) -> tuple[float, int, int]:
    """(seconds, positions stored, trips) for one ingestion of the fleet into a fresh database."""
    db, handle = _database(pg_base)
    try:
        with db.session() as session:
            customer_id = create_customer(session, "Bench", "Europe/Paris", None).id
            ids = []
            for i in range(len(streams)):
                v = Vehicle(customer_id=customer_id, immatriculation=f"BE-{i:03}", numero_embarque=i + 1)
                session.add(v)
                session.flush()
                ids.append(v.id)
        started = time.perf_counter()
        for vehicle_id, fixes in zip(ids, streams):
            for k in range(0, len(fixes), batch):
                with db.session() as session:
                    ctx = service.system_ctx(session, customer_id)
                    vehicle = session.get(Vehicle, vehicle_id)
                    assert vehicle is not None
                    service.ingest_fixes(session, ctx, vehicle, fixes[k:k + batch], DEFAULT_CONFIG)
        elapsed = time.perf_counter() - started
        with db.session() as session:
            stored = session.scalar(select(func.count()).select_from(Position)) or 0
            trips = session.scalar(select(func.count()).select_from(Etape).where(Etape.kind == "TRIP")) or 0
        return elapsed, stored, trips
    finally:
        _drop(db, handle)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--vehicles", type=int, default=10)
    parser.add_argument("--days", type=int, default=3)
    parser.add_argument("--batch", type=int, default=10_000, help="positions per ingestion call")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--postgresql", metavar="URL", help="also measure on this PostgreSQL server")
    parser.add_argument("--no-sqlite", action="store_true", help="measure PostgreSQL only")
    parser.add_argument("--no-classification", action="store_true",
                        help="leave out the stored classification written after each batch (ingestion proper)")
    args = parser.parse_args(argv)
    if args.no_classification:
        service.classify_and_store = lambda *_args, **_kw: None  # type: ignore[attr-defined]
    streams = fleet(args.vehicles, args.days)
    n = sum(map(len, streams))
    print(f"fleet: {args.vehicles} vehicles x {args.days} days = {n:,} positions, batches of {args.batch:,}; "
          f"{args.runs} runs each, fresh database per run; stored classification "
          f"{'left out' if args.no_classification else 'included'}; load average {os.getloadavg()[0]:.1f}")
    targets = ([] if args.no_sqlite else [("SQLite", None)]) + (
        [("PostgreSQL", args.postgresql)] if args.postgresql else [])
    for name, url in targets:
        rates = []
        for _ in range(args.runs):
            seconds, stored, trips = run_once(streams, args.batch, url)
            assert stored == n, (stored, n)
            rates.append(n / seconds)
            print(f"  {name}: {seconds:6.2f} s  {n / seconds:10,.0f} positions/s  ({trips:,} trips)", flush=True)
        print(f"{name}: median {statistics.median(rates):,.0f} positions/s "
              f"(min {min(rates):,.0f}, max {max(rates):,.0f})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
