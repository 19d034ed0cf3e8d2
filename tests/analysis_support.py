"""Helpers of the analysis tests: a small fleet, steps with positions, and their stored classification.

Steps are stored by the classification service (`classify_and_store`), and `Step.within` recomputes
any part of a step with the engine alone, so that tests compare reports with independent sums.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field

import pytest
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from fleetprivacy.analysis.cuts import cumulative_distance
from fleetprivacy.analysis.periods import local_date, local_midnight
from fleetprivacy.classification.engine import EngineConfig, Measures, StepInput, measures_within
from fleetprivacy.classification.models import WITH_HORAIRE
from fleetprivacy.reference.models import Affectation, Customer, Entity, Groupe, Individu, Vehicle
from fleetprivacy.trips.models import TRIP, Etape, Position

H = 3_600_000
PARIS = ZoneInfo("Europe/Paris")
JAN = ("2026-01-01T00:00:00+01:00", "2026-02-01T00:00:00+01:00")
REL = 1e-9


def ms(text: str) -> int:
    """Epoch ms of an ISO-8601 instant (with offset)."""
    return int(dt.datetime.fromisoformat(text).timestamp() * 1000)


@dataclass
class Step:
    """A step as the tests know it (what the engine needs to recompute it)."""

    id: int
    individu_id: int | None
    vehicle_id: int
    start_ms: int
    end_ms: int
    totals: Measures
    samples_t: tuple[int, ...] = ()
    samples_c: tuple[float, ...] = ()
    device_private: bool = False
    retro_private: bool | None = None
    privacy_enabled: bool = True
    intervals: list[tuple[int, int]] = field(default_factory=list)

    def input(self) -> StepInput:
        return StepInput(
            self.start_ms, self.end_ms, self.samples_t, self.samples_c, self.totals,
            device_private=self.device_private, retro_private=self.retro_private,
            privacy_enabled=self.privacy_enabled, driver_known=self.individu_id is not None,
        )

    def within(self, lo: int, hi: int, variant: int):  # type: ignore[no-untyped-def]
        """The engine's split of this step inside [lo, hi)."""
        intervals = self.intervals if variant == WITH_HORAIRE else []
        return measures_within(self.input(), intervals, EngineConfig(), lo, hi)


def local_days(start_ms: int, end_ms: int, tz: ZoneInfo) -> list[tuple[dt.date, int, int]]:
    """(local date, start, end) of each local day a step touches."""
    if end_ms == start_ms:
        return [(local_date(start_ms, tz), start_ms, end_ms)]
    out = []
    day = local_date(start_ms, tz)
    while True:
        lo, hi = local_midnight(day, tz), local_midnight(day + dt.timedelta(days=1), tz)
        if lo >= end_ms:
            break
        out.append((day, max(lo, start_ms), min(hi, end_ms)))
        day += dt.timedelta(days=1)
    return out


class Fleet:
    """Writes reference data, steps and their parts straight through a session."""

    def __init__(self, session: Session, customer_id: int, tz: ZoneInfo = PARIS) -> None:
        self.s = session
        self.customer_id = customer_id
        self.tz = tz
        self.steps: list[Step] = []

    def _add(self, obj):  # type: ignore[no-untyped-def]
        self.s.add(obj)
        self.s.flush()
        return obj

    def entity(self, nom: str, parent: int | None = None) -> int:
        return self._add(Entity(customer_id=self.customer_id, nom=nom, parent_id=parent)).id

    def groupe(self, nom: str) -> int:
        return self._add(Groupe(customer_id=self.customer_id, description_grp=nom)).id

    def individu(self, nom: str, entite: int | None = None, groupe: int | None = None, prenom: str | None = None) -> int:
        return self._add(Individu(customer_id=self.customer_id, nom_ind=nom, prenom_ind=prenom, entite_id=entite,
                                  groupe_id=groupe)).id

    def vehicle(self, immat: str, entite: int | None = None, *, geolocalise: bool = True,
                motorisation: str = "MONO", fuel_price: float | None = None, elec_price: float | None = None) -> int:
        n = self.s.query(Vehicle).filter(Vehicle.customer_id == self.customer_id).count() + 1
        return self._add(Vehicle(customer_id=self.customer_id, immatriculation=immat, numero_embarque=n,
                                 entite_id=entite, geolocalise=geolocalise, type_motorisation=motorisation,
                                 fuel_price_per_l=fuel_price, electricity_price_per_kwh=elec_price)).id

    def affectation(self, individu: int, vehicle: int, debut: str, fin: str | None = None, fonction: bool = True) -> int:
        return self._add(Affectation(
            customer_id=self.customer_id, individu_id=individu, vehicle_id=vehicle,
            debut_at=dt.datetime.fromisoformat(debut),
            fin_at=dt.datetime.fromisoformat(fin) if fin else None, is_vehicule_fonction=fonction,
        )).id

    def prices(self, fuel: float | None, elec: float | None, currency: str = "EUR") -> None:
        c = self.s.get(Customer, self.customer_id)
        c.fuel_price_per_l, c.electricity_price_per_kwh, c.currency = fuel, elec, currency
        self.s.flush()

    def schedules(self, individu: int, versions: Sequence[dict] = (), periods: Sequence[dict] = ()) -> None:
        """Import an individual's private-life history (the importer's format: the only way to write the past)."""
        from fleetprivacy.schedules.importer import import_schedules
        from fleetprivacy.schedules.service import system_ctx

        data = {"individus": [{"individuId": individu, "versions": list(versions), "exceptionnelles": list(periods)}]}
        import_schedules(self.s, system_ctx(self.s, self.customer_id), data)
        self.s.flush()

    def private_time(self, individu: int, start: int, end: int) -> list[tuple[int, int]]:
        from fleetprivacy.schedules.service import private_intervals_for

        return private_intervals_for(self.s, self.customer_id, individu, start, end)

    def step(
        self, vehicle: int, individu: int | None, start: int, end: int, *, distance_m: float = 10_000.0,
        electric_m: float = 0.0, fuel_l: float = 1.0, energy_kwh: float = 0.0, battery: float = 0.0,
        positions: Sequence[tuple[int, float]] = (), device_private: bool = False, retro: bool | None = None,
        privacy_enabled: bool = True, store: bool = True,
    ) -> Step:
        """A TRIP with optional positions `(t_ms, cumulative metres)` (stored along a meridian), classified
        with the driver's private time as the schedules say."""
        intervals = self.private_time(individu, start, end) if individu is not None and end > start else []
        e = self._add(Etape(
            customer_id=self.customer_id, vehicle_id=vehicle, kind=TRIP, start_ms=start, end_ms=end,
            distance_m=distance_m, electric_distance_m=electric_m, fuel_l=fuel_l, energy_kwh=energy_kwh,
            battery_pct_points=battery, individu_id=individu, device_private=device_private,
        ))
        lats = [45.0 + cum / 111_194.92664455873 for _t, cum in positions]
        for (t, _cum), lat in zip(positions, lats, strict=True):
            # Along a meridian, `cum` metres north: the great circle gives back `cum` (to rounding).
            self.s.add(Position(customer_id=self.customer_id, vehicle_id=vehicle, t_ms=t, lat=lat, lon=5.0))
        self.s.flush()
        # The samples exactly as the report's cuts read them back from the positions.
        samples_t, samples_c = cumulative_distance([t for t, _ in positions], lats, [5.0] * len(lats),
                                                   [None] * len(lats))
        st = Step(
            e.id, individu, vehicle, start, end,
            Measures((end - start) / 1000.0, distance_m, electric_m, fuel_l, energy_kwh, battery),
            samples_t, samples_c, device_private, retro, privacy_enabled, list(intervals),
        )
        if store:
            self.store(st)
        self.steps.append(st)
        return st

    def store(self, st: Step) -> None:
        """Classify and store the step with the classification service (its retroactive decision first)."""
        from fleetprivacy.classification.models import ACCEPTEE, RetroRequest
        from fleetprivacy.classification.service import classify_and_store

        if st.retro_private is not None:
            self.s.add(RetroRequest(customer_id=self.customer_id, etape_id=st.id, privacy=st.retro_private,
                                    statut=ACCEPTEE))
            self.s.flush()
        classify_and_store(self.s, self.customer_id, [st.id])

    def store_all(self, steps: Sequence[Step]) -> None:
        """Store many steps at once (one classification run)."""
        from fleetprivacy.classification.models import ACCEPTEE, RetroRequest
        from fleetprivacy.classification.service import classify_and_store

        for st in steps:
            if st.retro_private is not None:
                self.s.add(RetroRequest(customer_id=self.customer_id, etape_id=st.id, privacy=st.retro_private,
                                        statut=ACCEPTEE))
        self.s.flush()
        classify_and_store(self.s, self.customer_id, [st.id for st in steps])


def analyse(client, headers, mode: str, debut, fin, *, filter=None, criteria=None, params=None,  # type: ignore[no-untyped-def]
            expect: int = 200):
    """POST /analyse/preformattedPrivacy and return the response (checked against `expect`)."""
    body = {"renderMode": mode, "periode": {"debut": debut, "fin": fin}}
    if filter is not None:
        body["filter"] = filter
    if criteria is not None:
        body["criteria"] = criteria
    r = client.post(f"{client.base}/analyse/preformattedPrivacy", headers=headers, json=body, params=params or {})
    assert r.status_code == expect, r.text[:500]
    return r


def tree(response) -> dict:  # type: ignore[no-untyped-def]
    """The tree of the response's mode."""
    item = response.json()[0]
    return item["synthesisTreeByDriver"] or item["synthesisTreeByVehicle"]


def all_lines(node: dict) -> dict[str, dict]:
    """Every line of a tree, by map key."""
    out = dict(node["content"]["chauffeursByIdDriverAndPeriodeBean"]["map"])
    for child in node["nodes"].values():
        out.update(all_lines(child))
    return out


def pair(m: dict) -> tuple[float, float]:
    return m["VIE_PRIVEE"], m["VIE_PROFESSIONNELLE"]


def expected(steps, debut: int, fin: int, variant: int, key, by_day: bool = False, tz=None):  # type: ignore[no-untyped-def]
    """Sums of the engine's split of every step inside [debut, fin), per key(step) (and local day)."""
    out: dict = {}
    for st in steps:
        pieces = local_days(st.start_ms, st.end_ms, tz) if by_day else [(None, st.start_ms, st.end_ms)]
        for day, lo, hi in pieces:
            lo2, hi2 = max(lo, debut), min(hi, fin)
            if lo2 >= hi2 and not (st.start_ms == st.end_ms and debut <= st.start_ms < fin):
                continue
            r = st.within(lo2, hi2, variant)
            k = (key(st), day) if by_day else key(st)
            acc = out.setdefault(k, [0.0] * 12)
            for i, v in enumerate(r.private.as_tuple() + r.professional.as_tuple()):
                acc[i] += v
    return out


def assert_line(line: dict, sums: list[float]) -> None:
    t = line["total"]
    assert pair(t["durationInSecByPeriodMap"]) == pytest.approx((sums[0], sums[6]), rel=REL, abs=1e-6)
    assert pair(t["distanceInMeterByPeriodMap"]) == pytest.approx((sums[1], sums[7]), rel=REL, abs=1e-6)
    assert pair(t["distanceElectriqueInMeterByPeriodMap"]) == pytest.approx((sums[2], sums[8]), rel=REL, abs=1e-6)
    assert pair(t["utilisationBatterieByPeriodMap"]) == pytest.approx((sums[5], sums[11]), rel=REL, abs=1e-6)
    assert line["consoL"] == pytest.approx(sums[3] + sums[9], rel=REL, abs=1e-9)
    assert line["consoKWh"] == pytest.approx(sums[4] + sums[10], rel=REL, abs=1e-9)
