"""The demo's data, seeded in-process on the test database (no server): nothing lies after the moment
of generation, and the printed text says which customers a run created and which were already there.

Not marked e2e: a few seconds (7 days of the two generated customers), so it runs with the quick suite.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import numpy as np
from sqlalchemy import func, select

from fleetprivacy import demo, fleetgen
from fleetprivacy.classification.models import RetroRequest
from fleetprivacy.db import Database
from fleetprivacy.demo_real import RealCustomer, RealInfo
from fleetprivacy.schedules.models import ScheduleExtension
from fleetprivacy.trips.models import TRIP, Etape, Position
from fleetprivacy.trips.segmentation import SegmentationConfig


def _generation_instant() -> dt.datetime:
    """A recent Wednesday at 16:00 UTC: 17:00 or 18:00 in Paris (the evening commute still to come),
    08:00 or 09:00 in Los Angeles (the whole working day to come). Without the cut, both customers'
    days would run on to about midnight."""
    day = dt.datetime.now(dt.UTC).date() - dt.timedelta(days=1)
    while day.weekday() != 2 or (day.month, day.day) in ((12, 25), (1, 1)):
        day -= dt.timedelta(days=1)
    return dt.datetime.combine(day, dt.time(16), dt.UTC)


def test_demo_data_stops_at_the_moment_of_generation(db: Database) -> None:
    now = _generation_instant()
    now_ms = int(now.timestamp() * 1000)
    info = demo.seed(db, SegmentationConfig(), n_days=7, now=now)
    assert [c.created for c in info.customers] == [True, True]
    with db.session() as s:
        for c in info.customers:
            # The period ends on the day of the generation instant in the customer's zone...
            assert c.last_day == now.astimezone(ZoneInfo(c.timezone)).date() and c.until == now
            # ...and nothing of it lies after that instant: no step, no position.
            assert s.scalar(select(func.max(Etape.end_ms)).where(Etape.customer_id == c.customer_id)) <= now_ms
            assert s.scalar(select(func.count()).where(Etape.customer_id == c.customer_id, Etape.kind == TRIP)) > 0
        assert s.scalar(select(func.count()).where(Etape.end_ms > now_ms)) == 0
        assert s.scalar(select(func.count()).where(Etape.start_ms > now_ms)) == 0
        assert s.scalar(select(func.count()).where(Position.t_ms > now_ms)) == 0
        # The last hours before it are there (the Paris day's trips up to 17:00 at least).
        assert s.scalar(select(func.max(Etape.end_ms)).where(Etape.kind == TRIP)) > now_ms - 12 * fleetgen.H
        # Retroactive requests are still consistent: only on trips that existed, in every state.
        statuts = set(s.scalars(select(RetroRequest.statut)))
        assert {"EN_ATTENTE", "ACCEPTEE", "REFUSEE"} <= statuts
        requested = select(Etape.end_ms).join(RetroRequest, RetroRequest.etape_id == Etape.id)
        assert max(s.scalars(requested)) <= now_ms
        # Schedules may lie ahead, as a real customer's do: the demo driver's period to come.
        assert s.scalar(select(func.count()).where(ScheduleExtension.start_ms > now_ms)) >= 2


def test_the_generator_cuts_at_until_without_changing_the_past() -> None:
    """``fleetgen.generate(until_ms=...)`` keeps exactly the steps the same call gives before that instant."""
    tz = ZoneInfo("America/Los_Angeles")
    start = dt.date(2026, 3, 2)  # a Monday
    until = int(dt.datetime(2026, 3, 6, 12, 0, tzinfo=tz).timestamp() * 1000)  # Friday noon
    full = fleetgen.generate(5, 7, 11, start=start, tz=tz, n_sites=3)
    cut = fleetgen.generate(5, 7, 11, start=start, tz=tz, n_sites=3, until_ms=until)
    assert (full.end > until).any() and cut.n_steps < full.n_steps
    assert cut.end.max() <= until
    # What is kept is a prefix of every vehicle's steps, identical in every column, ending on a trip.
    for v in range(5):
        f, c = np.flatnonzero(full.vehicle == v), np.flatnonzero(cut.vehicle == v)
        assert len(c) > 0 and cut.kind[c[-1]] == 1
        for column in ("kind", "start", "end", "driver", "distance", "fuel", "device_private", "retro"):
            assert np.array_equal(getattr(cut, column)[c], getattr(full, column)[f[:len(c)]]), column
        assert full.end[f[len(c)]] > until or full.kind[f[len(c)]] == 0


def _info(paris: bool, la: bool, real: tuple[bool, bool] | None = None) -> demo.DemoInfo:
    day = dt.date(2026, 12, 4)
    info = demo.DemoInfo([demo.CustomerInfo(1, "DEMO", "Demo Services Paris", "Europe/Paris", ["admin"], 1,
                                            day - dt.timedelta(days=89), day, 10, created=paris),
                          demo.CustomerInfo(2, "DEMO-LA", "Demo Logistics Los Angeles", "America/Los_Angeles",
                                            ["la-admin"], 20, day - dt.timedelta(days=89), day, 10, created=la)])
    if real is not None:
        info.real = RealInfo([RealCustomer(3, "DEMO-SF", "Real data: San Francisco taxis", "America/Los_Angeles",
                                           10, 2895, real[0]),
                              RealCustomer(4, "DEMO-BJ", "Real data: Beijing private cars", "Asia/Shanghai", 46, 1658,
                                           real[1])], any(real), "../shared/data")
    return info


def test_the_printed_text_says_what_was_created_and_what_was_already_there() -> None:
    base = "http://127.0.0.1:8000/ocean/restapi"
    assert _info(True, True).headline() == "fleetprivacy demo: created customers 1, 2"
    assert _info(False, False).headline() == (
        "fleetprivacy demo: customers 1, 2 already there (nothing changed; --reset to start over)")
    # `demo`, then `demo --real-data`: the generated customers were there, the real ones are new.
    text = _info(False, False, (True, True)).describe(base)
    assert text.startswith("fleetprivacy demo: created customers 3, 4; customers 1, 2 already there "
                           "(left unchanged; --reset to start over)\n")
    assert "codeExploitant DEMO, 10 trips, 2026-09-06 .. 2026-12-04: already there" in text
    assert "codeExploitant DEMO-SF, 10 vehicles, 2,895 trips: created now" in text
    assert _info(False, False, (False, False)).headline() == (
        "fleetprivacy demo: customers 1, 2, 3, 4 already there (nothing changed; --reset to start over)")
    assert _info(False, True, (False, False)).headline() == (
        "fleetprivacy demo: created customer 2; customers 1, 3, 4 already there (left unchanged; --reset to start over)")
