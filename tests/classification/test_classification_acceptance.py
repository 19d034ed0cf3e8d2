"""Acceptance: both real sets in ../shared/data (read in place, never copied) ingested THROUGH THE TRIPS
SERVICE with a documented schedule per driver; the stored classification (etape_parts) must give
private + professional = total for every vehicle, in both variants, for duration and distance.

Drivers and schedules (deterministic, documented in docs/classification.md): each vehicle gets one
driver (individu named after it, assigned MANUAL since 2000-01-01), and driver number k (vehicles in
sorted order) gets the recurring version, in force since 2000-01-01, customer wall clock:
- Monday to Friday: private 00:00-07:00 and 19:00-24:00;
- Saturday and Sunday: private all day when k is even, 12:00-24:00 when k is odd.
No device flag: the WITHOUT_HORAIRE variant must be professional everywhere.
"""

from __future__ import annotations

import datetime as dt
import math
from pathlib import Path

import pytest
from sqlalchemy import func, select

from fleetprivacy.classification.models import WITH_HORAIRE, WITHOUT_HORAIRE, EtapePart
from fleetprivacy.reference.models import Affectation, Individu, Vehicle
from fleetprivacy.schedules.importer import import_schedules
from fleetprivacy.schedules.service import private_intervals_for
from fleetprivacy.trips import importer
from fleetprivacy.trips import service as trips
from fleetprivacy.trips.datasets import iter_geolife, read_cabspotting
from fleetprivacy.trips.models import TRIP, Etape
from fleetprivacy.trips.segmentation import DEFAULT_CONFIG

DATA = Path(__file__).resolve().parents[2].parent / "shared" / "data"
CABSPOTTING = DATA / "cabspotting" / "positions.csv.gz"
GEOLIFE = DATA / "geolife_car" / "points.csv.gz"

pytestmark = pytest.mark.acceptance

WEEKDAYS = ("LUNDI", "MARDI", "MERCREDI", "JEUDI", "VENDREDI")


def _slot(day: str, sh: int, eh: int) -> dict:
    return {"idJourSemaine": day, "typeHoraires": "VIE_PRIVEE", "debutHeure": sh, "debutMinute": 0,
            "finHeure": eh, "finMinute": 0}


def schedule_of(k: int) -> dict:
    """The documented recurring schedule of driver number k (see the module docstring)."""
    day_map: dict = {d: {"VIE_PRIVEE": [_slot(d, 0, 7), _slot(d, 19, 24)]} for d in WEEKDAYS}
    for d in ("SAMEDI", "DIMANCHE"):
        day_map[d] = {"VIE_PRIVEE": [_slot(d, 0, 24) if k % 2 == 0 else _slot(d, 12, 24)]}
    return {"debut": "2000-01-01T00:00:00", "innerMap": {"map": day_map}}


def _fleet(db, customer_id: int, keys: list[str]) -> None:
    """One vehicle, one assigned driver and the driver's schedule per key."""
    with db.session() as session:
        plans = []
        for k, key in enumerate(sorted(keys)):
            numero = int(key) if key.isdigit() else 1000 + k
            v = Vehicle(customer_id=customer_id, immatriculation=key[:20], numero_embarque=numero)
            ind = Individu(customer_id=customer_id, nom_ind=f"driver {key}")
            session.add_all([v, ind])
            session.flush()
            session.add(Affectation(customer_id=customer_id, individu_id=ind.id, vehicle_id=v.id,
                                    debut_at=dt.datetime(2000, 1, 1, tzinfo=dt.UTC)))
            plans.append({"individuId": ind.id, "versions": [schedule_of(k)]})
        session.flush()
        import_schedules(session, trips.system_ctx(session, customer_id), {"individus": plans})


def _check(db, customer_id: int) -> dict[str, float]:
    fields = ("duration_s", "distance_m")
    with db.session() as session:
        # float(): PostgreSQL sums bigints as numeric.
        totals = {v: (n, float(dur), float(dist)) for v, n, dur, dist in session.execute(
            select(Etape.vehicle_id, func.count(), func.sum(Etape.end_ms - Etape.start_ms), func.sum(Etape.distance_m))
            .where(Etape.customer_id == customer_id, Etape.kind == TRIP).group_by(Etape.vehicle_id))}
        assert totals
        parts: dict[tuple[int, int], list[float]] = {}
        for row in session.execute(
            select(EtapePart.vehicle_id, EtapePart.variant, func.count(func.distinct(EtapePart.etape_id)),
                   *[func.sum(getattr(EtapePart, f"{side}_{f}")) for side in ("private", "pro") for f in fields])
            .where(EtapePart.customer_id == customer_id).group_by(EtapePart.vehicle_id, EtapePart.variant)):
            parts[(row[0], row[1])] = [float(x) for x in row[2:]]
        private_s = total_s = 0.0
        for vehicle_id, (n, dur_ms, dist) in totals.items():
            for variant in (WITH_HORAIRE, WITHOUT_HORAIRE):
                count, p_dur, p_dist, q_dur, q_dist = parts[(vehicle_id, variant)]
                assert count == n, vehicle_id  # every trip classified
                assert p_dur + q_dur == pytest.approx(dur_ms / 1000, rel=1e-9), (vehicle_id, variant)
                assert p_dist + q_dist == pytest.approx(dist, rel=1e-9, abs=1e-6), (vehicle_id, variant)
                if variant == WITHOUT_HORAIRE:
                    assert p_dur == 0 and p_dist == 0  # no device flag, no decision
            # The private duration is the time intersection with the driver's private time, computed apart.
            driver_steps = session.execute(select(Etape.individu_id, Etape.start_ms, Etape.end_ms).where(
                Etape.vehicle_id == vehicle_id, Etape.kind == TRIP).order_by(Etape.start_ms)).all()
            ind = driver_steps[0][0]
            assert ind is not None and all(s[0] == ind for s in driver_steps)
            ivs = private_intervals_for(session, customer_id, ind, driver_steps[0][1], driver_steps[-1][2] + 1)
            expected = math.fsum(max(0, min(e, b) - max(s, a)) for _, s, e in driver_steps for a, b in ivs) / 1000
            assert parts[(vehicle_id, WITH_HORAIRE)][1] == pytest.approx(expected, rel=1e-9, abs=1e-6), vehicle_id
            private_s += parts[(vehicle_id, WITH_HORAIRE)][1]
            total_s += dur_ms / 1000
    assert 0 < private_s < total_s
    return {"vehicles": len(totals), "trips": sum(n for n, _, _ in totals.values()),
            "privateHours": round(private_s / 3600, 1), "totalHours": round(total_s / 3600, 1),
            "privateShare": round(private_s / total_s, 4)}


def test_cabspotting_classified_through_ingestion(db, factory):
    if not CABSPOTTING.exists():
        pytest.skip(f"real data absent: {CABSPOTTING}")
    customer = factory.customer("Cabs classified", "America/Los_Angeles")
    cab = read_cabspotting(CABSPOTTING)
    _fleet(db, customer, list(cab))
    stream = ((taxi, f) for taxi, fixes in cab.items() for f in fixes)
    importer.import_stream(db, customer, stream, DEFAULT_CONFIG, batch_size=5000)
    figures = _check(db, customer)
    print("cabspotting", figures)
    assert figures["vehicles"] == 10


def test_geolife_classified_through_ingestion(db, factory):
    if not GEOLIFE.exists():
        pytest.skip(f"real data absent: {GEOLIFE}")
    customer = factory.customer("GeoLife classified", "Asia/Shanghai")
    users = dict(iter_geolife(GEOLIFE))
    _fleet(db, customer, list(users))
    stream = ((user, f) for user, fixes in users.items() for f in fixes)
    importer.import_stream(db, customer, stream, DEFAULT_CONFIG)
    figures = _check(db, customer)
    print("geolife", figures)
    assert figures["vehicles"] >= 40
