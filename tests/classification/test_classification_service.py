"""The stored classification through the ingestion service and the database, with exact figures:
a trip split at the start of a private slot (distance from the positions), a fall-back DST night,
a trip spanning an exceptional period's start; decisions, idempotent reclassify, masking parts."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from fleetprivacy.classification import retro, service
from fleetprivacy.classification.models import WITH_HORAIRE, WITHOUT_HORAIRE, EtapePart
from fleetprivacy.core.dates import local_to_utc_ms
from fleetprivacy.core.errors import BadInput, NotFound
from fleetprivacy.core.tenancy import Ctx
from fleetprivacy.reference.models import Customer, Individu, Vehicle
from fleetprivacy.schedules.importer import import_schedules
from fleetprivacy.trips import service as trips
from fleetprivacy.trips.masking import private_parts_for_steps
from fleetprivacy.trips.models import Etape
from fleetprivacy.trips.segmentation import Fix

PARIS = ZoneInfo("Europe/Paris")
MIN = 60_000


def paris(*args: int) -> int:
    return local_to_utc_ms(dt.datetime(*args), PARIS)


def slot(day: str, sh: int, sm: int, eh: int, em: int, kind: str = "VIE_PRIVEE") -> dict:
    return {"idJourSemaine": day, "typeHoraires": kind, "debutHeure": sh, "debutMinute": sm, "finHeure": eh,
            "finMinute": em}


def inner(*slots: dict) -> dict:
    day_map: dict = {}
    for s in slots:
        day_map.setdefault(s["idJourSemaine"], {}).setdefault(s["typeHoraires"], []).append(s)
    return {"map": day_map}


@pytest.fixture
def world(db, factory):
    """A Paris customer, a driver with badge B1, a vehicle fed with already cut steps."""

    class World:
        customer_id = factory.customer("Classif SA", "Europe/Paris", "CLS")

        def __init__(self) -> None:
            with db.session() as session:
                ind = Individu(customer_id=self.customer_id, nom_ind="Martin", badge="B1")
                v = Vehicle(customer_id=self.customer_id, immatriculation="CL-1", numero_embarque=77)
                session.add_all([ind, v])
                session.flush()
                self.individu_id, self.vehicle_id = ind.id, v.id

        def schedules(self, versions: list[dict], exceptionnelles: list[dict] | None = None) -> None:
            with db.session() as session:
                ctx = trips.system_ctx(session, self.customer_id)
                import_schedules(session, ctx, {"individus": [{
                    "individuId": self.individu_id, "versions": versions,
                    "exceptionnelles": exceptionnelles or []}]})

        def trip(self, start_ms: int, metres_per_min: list[float], fuel_l: float = 0.0, **extra) -> int:
            """One trip with a fix every 60 s carrying an odometer; minute k drives metres_per_min[k]."""
            odo = [0.0]
            for m in metres_per_min:
                odo.append(odo[-1] + m)
            fixes = [Fix(start_ms + k * MIN, 48.0 + k * 1e-4, 2.0, odometer_m=o) for k, o in enumerate(odo)]
            end = start_ms + len(metres_per_min) * MIN
            data = trips.EtapeData(kind="TRIP", start_ms=start_ms, end_ms=end, fixes=fixes, distance_m=odo[-1],
                                   fuel_l=fuel_l, badge="B1", **extra)
            with db.session() as session:
                ctx = trips.system_ctx(session, self.customer_id)
                trips.ingest_etapes(session, ctx, session.get(Vehicle, self.vehicle_id), [data])
                return session.scalar(select(Etape.id).where(Etape.vehicle_id == self.vehicle_id,
                                                             Etape.start_ms == start_ms))

        def parts(self, etape_id: int, variant: int = WITH_HORAIRE) -> list[EtapePart]:
            with db.session() as session:
                rows = session.scalars(select(EtapePart).where(EtapePart.etape_id == etape_id,
                                                               EtapePart.variant == variant)
                                       .order_by(EtapePart.local_date)).all()
                session.expunge_all()
                return list(rows)

        def ctx(self, role: str = "MANAGER", individu_id: int | None = None) -> Ctx:
            return Ctx(customer_id=self.customer_id, customer_timezone="Europe/Paris", user_id=0, login="t",
                       role=role, individu_id=individu_id)

    return World()


def test_trip_split_at_a_private_slot_measures_distance_from_the_positions(world, db):
    # Private from 18:00 every Monday; the trip 17:30-18:30 crawls 100 m/min then runs 500 m/min.
    world.schedules([{"debut": "2025-01-01T00:00:00", "innerMap": inner(slot("LUNDI", 18, 0, 24, 0))}])
    step = world.trip(paris(2026, 1, 5, 17, 30), [100.0] * 30 + [500.0] * 30, fuel_l=9.0)
    (p,) = world.parts(step)
    assert p.local_date == dt.date(2026, 1, 5) and p.source == "HORAIRE"
    assert p.private_duration_s == pytest.approx(1800.0) and p.pro_duration_s == pytest.approx(1800.0)
    # 15 000 m after 18:00 out of 18 000 m (half the trip by time would say 9 000 m).
    assert p.private_distance_m == pytest.approx(15_000.0, abs=1e-6)
    assert p.pro_distance_m == pytest.approx(3_000.0, abs=1e-6)
    assert p.private_fuel_l == pytest.approx(7.5) and p.pro_fuel_l == pytest.approx(1.5)
    (w,) = world.parts(step, WITHOUT_HORAIRE)
    assert w.private_distance_m == 0 and w.pro_distance_m == pytest.approx(18_000.0) and w.source == "AUCUN"
    # The masking seam gives the same part (closed at its ends).
    with db.session() as session:
        e = session.get(Etape, step)
        assert private_parts_for_steps(session, [e]) == {step: [(paris(2026, 1, 5, 18, 0), e.end_ms)]}


def test_fall_back_dst_night_trip(world):
    # Private on Sundays 00:00-04:00 wall clock: on 25/10/2026 that is 5 real hours (02:00-03:00 twice).
    world.schedules([{"debut": "2025-01-01T00:00:00", "innerMap": inner(slot("DIMANCHE", 0, 0, 4, 0))}])
    start = paris(2026, 10, 24, 23, 30)  # 21:30Z, CEST
    assert start == dt.datetime(2026, 10, 24, 21, 30, tzinfo=dt.UTC).timestamp() * 1000
    step = world.trip(start, [600.0] * 300)  # 5 h at 600 m/min: ends 02:30Z = 03:30 CET
    sat, sun = world.parts(step)
    assert (sat.local_date, sun.local_date) == (dt.date(2026, 10, 24), dt.date(2026, 10, 25))
    assert sat.private_duration_s == 0 and sat.pro_duration_s == pytest.approx(1800.0)
    assert sat.pro_distance_m == pytest.approx(18_000.0)
    assert sun.private_duration_s == pytest.approx(4.5 * 3600) and sun.pro_duration_s == pytest.approx(0, abs=1e-6)
    assert sun.private_distance_m == pytest.approx(162_000.0)
    total = sum(p.private_distance_m + p.pro_distance_m for p in (sat, sun))
    assert total == pytest.approx(180_000.0)


def test_trip_spanning_an_exceptional_period_start(world):
    # No private time on Mondays, except the exceptional period from Monday 5/1 12:00 (all day private).
    world.schedules(
        [{"debut": "2025-01-01T00:00:00", "innerMap": inner(slot("DIMANCHE", 8, 0, 9, 0))}],
        [{"description": "CONGES", "debut": "2026-01-05T12:00:00", "fin": "2026-01-10T00:00:00",
          "innerMap": inner(*(slot(d, 0, 0, 24, 0, "VIE_PRIVEE_EXCEPTIONNELLE")
                              for d in ("LUNDI", "MARDI", "MERCREDI", "JEUDI", "VENDREDI")))}],
    )
    step = world.trip(paris(2026, 1, 5, 11, 30), [400.0] * 20 + [200.0] * 40)  # 8 000 m then 8 000 m
    (p,) = world.parts(step)
    assert p.source == "HORAIRE"
    assert p.private_duration_s == pytest.approx(1800.0)
    # 12:00 is minute 30: 10 more minutes at 200 m/min before it, so 6 000 m of the last 30 min are private.
    assert p.private_distance_m == pytest.approx(6_000.0) and p.pro_distance_m == pytest.approx(10_000.0)


def test_device_flag_decisions_and_idempotent_reclassify(world, db):
    world.schedules([{"debut": "2025-01-01T00:00:00", "innerMap": inner(slot("LUNDI", 18, 0, 24, 0))}])
    flagged = world.trip(paris(2026, 1, 5, 8, 0), [500.0] * 20, privacy=True)
    plain = world.trip(paris(2026, 1, 5, 9, 0), [500.0] * 20)
    (f,) = world.parts(flagged, WITHOUT_HORAIRE)
    assert f.source == "BOUTON" and f.private_distance_m == pytest.approx(10_000.0)
    now = paris(2026, 1, 20, 12, 0)
    with db.session() as session:
        # A manager's request decides at once; it survives a reclassify.
        assert retro.request(session, world.ctx(), plain, 77, "CLS", True, now_ms=now) is True
    for variant in (WITH_HORAIRE, WITHOUT_HORAIRE):
        (p,) = world.parts(plain, variant)
        assert p.source == "POSTERIORI" and p.private_distance_m == pytest.approx(10_000.0)
    with db.session() as session:
        before = sorted((r.etape_id, r.variant, r.private_distance_m, r.pro_distance_m, r.source)
                        for r in session.scalars(select(EtapePart)))
        s1 = service.reclassify(session, world.customer_id)
        s2 = service.reclassify(session, world.customer_id)
        after = sorted((r.etape_id, r.variant, r.private_distance_m, r.pro_distance_m, r.source)
                       for r in session.scalars(select(EtapePart)))
    assert before == after and s1 == s2 and s1["trips"] == 2 and s1["etapeParts"] == 4
    with db.session() as session:
        # Window (31 days by default), a stop, missing or foreign input.
        with pytest.raises(BadInput, match="31 days"):
            retro.request(session, world.ctx(), plain, 77, None, False, now_ms=paris(2026, 3, 1, 0, 0))
        with pytest.raises(BadInput, match="idEtape"):
            retro.request(session, world.ctx(), None, 77, None, False, now_ms=now)
        with pytest.raises(NotFound):
            retro.request(session, world.ctx(), plain, 78, None, False, now_ms=now)
        with pytest.raises(NotFound):
            retro.request(session, world.ctx(), plain, 77, "OTHER", False, now_ms=now)
        # A driver asks on their own step: pending, the decision in force stays until it is accepted.
        drv = world.ctx("DRIVER", world.individu_id)
        assert retro.request(session, drv, plain, 77, None, False, now_ms=now) is True
        (pending,) = retro.list_requests(session, world.ctx(), "EN_ATTENTE")
    assert world.parts(plain)[0].source == "POSTERIORI" and world.parts(plain)[0].private_duration_s > 0
    with db.session() as session:
        retro.decide(session, world.ctx(), pending["id"], True)
    (p,) = world.parts(plain)
    assert p.source == "POSTERIORI" and p.private_duration_s == 0 and p.pro_distance_m == pytest.approx(10_000.0)
    with db.session() as session:
        assert retro.withdraw(session, world.ctx(), plain, 77, None, now_ms=now) is True
    (p,) = world.parts(plain)
    assert p.source == "AUCUN" and p.private_duration_s == 0


def test_vehicle_without_privacy_and_stop_are_refused(world, db):
    step = world.trip(paris(2026, 1, 5, 8, 0), [500.0] * 20)
    with db.session() as session:
        ctx = trips.system_ctx(session, world.customer_id)
        trips.ingest_etapes(session, ctx, session.get(Vehicle, world.vehicle_id), [trips.EtapeData(
            kind="STOP", start_ms=paris(2026, 1, 5, 8, 20), end_ms=paris(2026, 1, 5, 9, 0), fixes=[])])
        stop = session.scalar(select(Etape.id).where(Etape.kind == "STOP", Etape.vehicle_id == world.vehicle_id))
    assert world.parts(stop) == [] and world.parts(stop, WITHOUT_HORAIRE) == []  # stops never count
    now = paris(2026, 1, 20, 12, 0)
    with db.session() as session:
        with pytest.raises(BadInput, match="stop"):
            retro.request(session, world.ctx(), stop, 77, None, True, now_ms=now)
        session.get(Vehicle, world.vehicle_id).privacy_enabled = False
        session.flush()
        with pytest.raises(BadInput, match="privacy"):
            retro.request(session, world.ctx(), step, 77, None, True, now_ms=now)
        session.rollback()
    with db.session() as session:
        session.get(Customer, world.customer_id).classify_by_start = True
    with db.session() as session:
        assert service.reclassify(session, world.customer_id)["trips"] == 1
