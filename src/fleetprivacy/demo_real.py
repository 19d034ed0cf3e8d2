"""`fleetprivacy demo --real-data DIR`: the two real GPS data sets as two more demo customers.

The sets (../shared/data, never copied into this repository) carry positions and times only; what a
fleet needs besides is added here, the same way every time (docs/demo.md explains the choices):

- **San Francisco taxis** (Cabspotting, 10 taxis, May-June 2008), customer zone America/Los_Angeles:
  each taxi is one driver's leased cab (a function vehicle). The driver works day shifts Monday to
  Saturday; private time is 18:00-06:00 from Monday to Saturday and all of Sunday, and Memorial Day
  (26 May 2008) is an exceptional private day. Ford Crown Victoria (petrol, 14.7 L/100 km), except
  every third taxi in file order (the 1st, 4th, 7th, 10th): Toyota Prius (hybrid, 5.1 L/100 km).
- **Beijing private cars** (GeoLife, 46 people's car and taxi journeys, 2007-2012), customer zone
  Asia/Shanghai: each person drives their own company car (a function vehicle); private time is
  19:00-08:00 on weekdays and all weekend, and the October Golden Week (1-8 October) of every year
  is an exceptional private period. Petrol cars, 8.5 L/100 km.

Positions go through the ingestion service (``trips.service.ingest_fixes``: cut from motion, drivers
resolved through the assignments, classified, rolled up), one transaction per customer.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from fleetprivacy.auth.models import User
from fleetprivacy.auth.service import create_user
from fleetprivacy.core.errors import BadInput
from fleetprivacy.db import Database
from fleetprivacy.demo import DEMO_PASSWORD, Progress, demo_customers
from fleetprivacy.fleetgen import DAYS_FR, slot
from fleetprivacy.reference.models import Affectation, Customer, Entity, Individu, Vehicle
from fleetprivacy.reference.service import create_customer
from fleetprivacy.schedules.importer import import_schedules
from fleetprivacy.trips import datasets
from fleetprivacy.trips import service as trips
from fleetprivacy.trips.models import TRIP, Etape
from fleetprivacy.trips.segmentation import Fix, SegmentationConfig

TAXIS = "DEMO-SF"
BEIJING = "DEMO-BJ"
ALL_CODES = (TAXIS, BEIJING)
LOGIN = "realdata"  # ADMIN of both real-data customers
TAXI_FILE = Path("cabspotting") / "positions.csv.gz"
GEOLIFE_FILE = Path("geolife_car") / "points.csv.gz"
TAXI_DAYS = (dt.date(2008, 5, 17), dt.date(2008, 6, 10))  # the set's first and last local days
_BATCH = 50_000


@dataclass(frozen=True)
class RealCustomer:
    customer_id: int
    code: str
    name: str
    timezone: str
    vehicles: int
    trips: int
    created: bool = False  # by this run (else found from a previous one, unchanged)


@dataclass
class RealInfo:
    customers: list[RealCustomer]
    created: bool = False  # some customer was created by this run
    data_dir: str = "../shared/data"

    @property
    def taxis(self) -> RealCustomer:
        return next(c for c in self.customers if c.code == TAXIS)

    def curls(self, base: str) -> list[str]:
        """A token for `realdata`, then the taxis' SYNTHESIS as an HTML page."""
        c = self.taxis
        tz = ZoneInfo(c.timezone)
        debut = dt.datetime.combine(TAXI_DAYS[0], dt.time(), tz).isoformat()
        fin = dt.datetime.combine(TAXI_DAYS[1] + dt.timedelta(days=1), dt.time(), tz).isoformat()
        body = ('{"renderMode":"BY_DRIVER_WITH_HORAIRE_SYNTHESIS","criteria":"ALL",'
                f'"periode":{{"debut":"{debut}","fin":"{fin}"}}}}')
        return [
            f"REAL_TOKEN=$(curl -s -X POST {base}/auth/authenticate2 -H 'content-type: application/json' "
            f"-d '{{\"login\":\"{LOGIN}\",\"password\":\"{DEMO_PASSWORD}\"}}' "
            "| python3 -c 'import sys,json;print(json.load(sys.stdin)[\"token\"])')",
            f"curl -s -X POST \"{base}/analyse/preformattedPrivacy?customerId={c.customer_id}&format=html\" "
            f"-H \"X-AUTH-TOKEN: $REAL_TOKEN\" -H 'content-type: application/json' -d '{body}' -o synthesis-taxis.html",
        ]

    def describe(self, base: str) -> list[str]:
        """Lines to print after the generated customers'."""
        lines = [f"Real data ({self.data_dir}):"]
        for c in self.customers:
            lines.append(f"  customer {c.customer_id}: {c.name} ({c.timezone}), codeExploitant {c.code}, "
                         f"{c.vehicles} vehicles, {c.trips:,} trips: {'created now' if c.created else 'already there'}")
        lines.append(f"      login: {LOGIN} (ADMIN of customers "
                     f"{', '.join(str(c.customer_id) for c in self.customers)}: pass customerId)")
        lines.append("The San Francisco taxis' SYNTHESIS as an HTML page (open synthesis-taxis.html in a browser):")
        lines += [f"  {cmd}" for cmd in self.curls(base)]
        return lines


def work_units() -> int:
    """Progress units of ``seed``: one per taxi and per GeoLife person, and one per customer set up."""
    return 10 + 46 + 2


def _weekly(private: dict[str, list[tuple[int, int, int, int]]]) -> dict[str, Any]:
    return {"map": {day: {"VIE_PRIVEE": [slot(day, *hm) for hm in spans]} for day, spans in private.items()}}


TAXI_WEEK = _weekly({**{d: [(0, 0, 6, 0), (18, 0, 23, 59)] for d in DAYS_FR[:6]}, "DIMANCHE": [(0, 0, 23, 59)]})
BEIJING_WEEK = _weekly({**{d: [(0, 0, 8, 0), (19, 0, 23, 59)] for d in DAYS_FR[:5]},
                        "SAMEDI": [(0, 0, 23, 59)], "DIMANCHE": [(0, 0, 23, 59)]})
MEMORIAL_DAY = [{"description": "Memorial Day", "debut": "2008-05-26T00:00:00", "fin": "2008-05-27T00:00:00"}]
GOLDEN_WEEKS = [{"description": "Golden Week", "debut": f"{y}-10-01T00:00:00", "fin": f"{y}-10-08T00:00:00"}
                for y in range(2007, 2013)]


def _setup(session: Session, code: str, name: str, timezone: str, entity: str, currency: str,
           fuel_price: float) -> tuple[Customer, Entity]:
    customer = create_customer(session, name, timezone, code)
    trips.update_settings(session, trips.system_ctx(session, customer.id, login="demo"),
                          {"currency": currency, "fuelPricePerL": fuel_price, "electricityPricePerKwh": None})
    root = Entity(customer_id=customer.id, nom=entity)
    session.add(root)
    session.flush()
    return customer, root


def _vehicle_and_driver(session: Session, customer: Customer, entity: Entity, number: int, immat: str,
                        marque: str, modele: str, motor: str, conso: float, person: str,
                        since: dt.datetime) -> tuple[Vehicle, int]:
    ind = Individu(customer_id=customer.id, nom_ind=person, entite_id=entity.id)
    vehicle = Vehicle(customer_id=customer.id, immatriculation=immat[:20], numero_embarque=number, entite_id=entity.id,
                      type_motorisation=motor, energie="ESSENCE", categorie="VP", marque=marque, modele=modele,
                      valeur_consommation=conso, description=f"{marque} {modele}")
    session.add_all([ind, vehicle])
    session.flush()
    session.add(Affectation(customer_id=customer.id, individu_id=ind.id, vehicle_id=vehicle.id, debut_at=since,
                            is_vehicule_fonction=True))
    session.flush()
    return vehicle, ind.id


def _ingest(session: Session, customer: Customer, vehicle: Vehicle, fixes: Sequence[Fix],
            config: SegmentationConfig) -> None:
    ctx = trips.system_ctx(session, customer.id, login="demo")
    for k in range(0, len(fixes), _BATCH):
        trips.ingest_fixes(session, ctx, vehicle, fixes[k:k + _BATCH], config)


def _schedules(session: Session, customer: Customer, individu_ids: list[int], since: str,
               week: dict[str, Any], periods: list[dict[str, Any]]) -> None:
    import_schedules(session, trips.system_ctx(session, customer.id, login="demo"), {"individus": [
        {"individuId": i, "versions": [{"debut": since, "fin": None, "innerMap": week}], "exceptionnelles": periods}
        for i in individu_ids]})


def _taxis(session: Session, path: Path, config: SegmentationConfig, progress: Progress) -> None:
    customer, root = _setup(session, TAXIS, "Real data: San Francisco taxis", "America/Los_Angeles",
                            "San Francisco taxi cooperative", "USD", 1.03)
    progress("San Francisco taxis: customer", 1)
    since = dt.datetime(2008, 1, 1, tzinfo=dt.UTC)
    vehicles: dict[str, tuple[Vehicle, int]] = {}
    for taxi, fixes in datasets.iter_cabspotting(path):
        if taxi not in vehicles:
            k = len(vehicles)
            hybrid = k % 3 == 0
            vehicles[taxi] = _vehicle_and_driver(
                session, customer, root, k + 1, f"CAB-{taxi}", "Toyota" if hybrid else "Ford",
                "Prius" if hybrid else "Crown Victoria", "HYBRIDE" if hybrid else "MONO", 5.1 if hybrid else 14.7,
                f"Driver of cab {taxi}", since)
            # Schedules before positions: steps are classified as they are stored.
            _schedules(session, customer, [vehicles[taxi][1]], "2008-01-01T00:00:00", TAXI_WEEK, MEMORIAL_DAY)
        _ingest(session, customer, vehicles[taxi][0], fixes, config)
        progress(f"San Francisco taxis: {taxi}", 1)


def _beijing(session: Session, path: Path, config: SegmentationConfig, progress: Progress) -> None:
    customer, root = _setup(session, BEIJING, "Real data: Beijing private cars", "Asia/Shanghai",
                            "Beijing", "CNY", 5.5)
    progress("Beijing private cars: customer", 1)
    since = dt.datetime(2007, 1, 1, tzinfo=dt.UTC)
    vehicles: dict[str, tuple[Vehicle, int]] = {}
    for user, fixes in datasets.iter_geolife(path):
        if user not in vehicles:
            vehicles[user] = _vehicle_and_driver(session, customer, root, len(vehicles) + 1, f"BJ-{user}",
                                                 "Volkswagen", "Santana", "MONO", 8.5, f"GeoLife user {user}", since)
            _schedules(session, customer, [vehicles[user][1]], "2007-01-01T00:00:00", BEIJING_WEEK, GOLDEN_WEEKS)
        _ingest(session, customer, vehicles[user][0], fixes, config)
        progress(f"Beijing private cars: user {user}", 1)


def _info(session: Session, customer: Customer, created: bool) -> RealCustomer:
    vehicles = session.scalar(select(func.count()).where(Vehicle.customer_id == customer.id)) or 0
    count = session.scalar(select(func.count()).where(Etape.customer_id == customer.id, Etape.kind == TRIP)) or 0
    return RealCustomer(customer.id, customer.code_exploitant or "", customer.name, customer.timezone, vehicles, count,
                        created)


def check_data_dir(data_dir: Path) -> None:
    """BadInput naming --real-data unless both sets are in ``data_dir``."""
    for needed in (TAXI_FILE, GEOLIFE_FILE):
        if not (data_dir / needed).is_file():
            raise BadInput(f"--real-data {data_dir}: {needed} not found (expected the shared data directory, "
                           "e.g. ../shared/data)")


def seed(db: Database, data_dir: Path, config: SegmentationConfig, progress: Progress | None = None) -> RealInfo:
    """Import the real sets as the customers DEMO-SF and DEMO-BJ (each once, in one transaction)."""
    progress = progress or (lambda _what, _n: None)
    check_data_dir(data_dir)
    created: set[str] = set()
    for code, load, units in ((TAXIS, lambda s: _taxis(s, data_dir / TAXI_FILE, config, progress), 11),
                              (BEIJING, lambda s: _beijing(s, data_dir / GEOLIFE_FILE, config, progress), 47)):
        with db.session() as session:
            if demo_customers(session, [code]):
                progress(f"{code}: already there", units)
                continue
            load(session)
            created.add(code)
    with db.session() as session:
        customers = demo_customers(session, ALL_CODES)
        if session.scalar(select(User).where(User.login == LOGIN)) is None:
            create_user(session, login=LOGIN, password=DEMO_PASSWORD, role="ADMIN",
                        customer_ids=[c.id for c in customers])
        return RealInfo([_info(session, c, c.code_exploitant in created) for c in customers], bool(created),
                        str(data_dir))
