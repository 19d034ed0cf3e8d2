"""Every figure of a report is the sum of the per-step classification (SPEC section 9), recomputed here
from the steps with the engine: a random fleet (fixed seed) over March 2026 (with its DST change),
with schedules, an exceptional period, device flags, retroactive decisions, positions, drivers
unknown, and periods cut at arbitrary instants."""

from __future__ import annotations

import random

import pytest

from analysis_support import H, PARIS, Fleet, all_lines, analyse, assert_line, expected, ms, tree
from fleetprivacy.classification.models import WITH_HORAIRE, WITHOUT_HORAIRE

DAYS = ("LUNDI", "MARDI", "MERCREDI", "JEUDI", "VENDREDI")
PRICES = {"fuel": 1.9, "elec": 0.27}


def _slot(day: str, h1: int, h2: int) -> dict:
    return {"idJourSemaine": day, "typeHoraires": "VIE_PRIVEE", "debutHeure": h1, "debutMinute": 0,
            "finHeure": h2, "finMinute": 0}


@pytest.fixture
def fleet(db, factory, auth):  # type: ignore[no-untyped-def]
    rnd = random.Random(20260301)
    t = factory.tenant("rnd")
    with db.session() as s:
        f = Fleet(s, t.customer_id)
        f.prices(PRICES["fuel"], PRICES["elec"])
        top = f.entity("Groupe")
        north, south = f.entity("Nord", top), f.entity("Sud", top)
        depot = f.entity("Dépôt", north)
        entities = [None, top, north, south, depot]
        drivers = [f.individu(f"Driver{i}", rnd.choice(entities)) for i in range(8)]
        overrides = {}
        vehicles = []
        for i in range(6):
            fuel = rnd.choice([None, 1.5])
            v = f.vehicle(f"VH-{i}", rnd.choice(entities), geolocalise=i % 3 != 0, fuel_price=fuel)
            vehicles.append(v)
            overrides[v] = fuel
        f.affectation(drivers[0], vehicles[0], "2026-03-10T08:00:00+01:00")
        for i, d in enumerate(drivers[:6]):
            versions = [{"debut": "2026-01-01T00:00:00+01:00", "fin": "2026-03-16T12:00:00+01:00",
                         "innerMap": {"map": {day: {"VIE_PRIVEE": [_slot(day, 19, 7)]} for day in DAYS}}},
                        {"debut": "2026-03-16T12:00:00+01:00", "fin": None,
                         "innerMap": {"map": {day: {"VIE_PRIVEE": [_slot(day, 18, 23)]} for day in DAYS[i % 3:]}}}]
            periods = [{"description": "congés", "debut": "2026-03-20T00:00:00+01:00",
                        "fin": "2026-03-24T12:00:00+01:00"}] if i % 2 else []
            f.schedules(d, versions, periods)
        start = ms("2026-03-01T00:00:00+01:00")
        for v in vehicles:
            t0 = start + rnd.randrange(0, 6 * H)
            while t0 < ms("2026-04-01T00:00:00+02:00"):
                duration = rnd.randrange(10 * 60_000, 5 * H)
                dist = rnd.uniform(0, 1) * duration / 36.0  # up to 100 km/h
                positions = []
                if rnd.random() < 0.5:
                    ts = sorted({t0, t0 + duration, *(t0 + rnd.randrange(1, duration) for _ in range(rnd.randrange(0, 6)))})
                    cums = sorted(rnd.uniform(0, dist) for _ in ts)
                    positions = list(zip(ts, cums, strict=True))
                flag = rnd.random()
                f.step(
                    v, rnd.choice(drivers + [None]), t0, t0 + duration, distance_m=dist,
                    electric_m=dist * rnd.choice([0, 0.3]), fuel_l=dist / 15_000, energy_kwh=dist / 6_000 * rnd.choice([0, 1]),
                    battery=rnd.uniform(0, 5), positions=positions, device_private=flag < 0.1,
                    retro=(True if flag < 0.15 else False) if flag < 0.2 and flag >= 0.1 else None,
                    store=False,
                )
                t0 += duration + rnd.randrange(20 * 60_000, 16 * H)
        steps = list(f.steps)
        f.store_all(steps)
    return {"t": t, "h": auth(t.manager), "steps": steps, "overrides": overrides, "drivers": drivers,
            "vehicles": vehicles}


def _cost(st, overrides, r) -> float:  # type: ignore[no-untyped-def]
    fuel_price = overrides[st.vehicle_id] if overrides[st.vehicle_id] is not None else PRICES["fuel"]
    return (r.private.fuel_l + r.professional.fuel_l) * fuel_price + (
        r.private.energy_kwh + r.professional.energy_kwh) * PRICES["elec"]


PERIODS = [
    ("2026-03-01T00:00:00+01:00", "2026-04-01T00:00:00+02:00"),  # the whole month (roll-ups only)
    ("2026-03-03T13:17:05+01:00", "2026-03-29T02:30:00+01:00"),  # cut at both ends, into the DST night
    ("2026-03-16T11:00:00+01:00", "2026-03-16T13:00:00+01:00"),  # two hours inside one day
]


MODES = ["BY_DRIVER_WITH_HORAIRE_SYNTHESIS", "BY_VEHICLE_WITHOUT_HORAIRE_SYNTHESIS", "BY_DRIVER_WITH_HORAIRE_DETAIL",
         "BY_VEHICLE_WITH_HORAIRE_DETAIL"]


@pytest.mark.parametrize("debut,fin", PERIODS)
def test_reports_are_sums_of_the_engine_split(client, fleet, debut, fin):
    for mode in MODES:
        _check_mode(client, fleet, mode, debut, fin)


def _check_mode(client, fleet, mode, debut, fin):  # type: ignore[no-untyped-def]
    d, f = ms(debut), ms(fin)
    by_driver = mode.startswith("BY_DRIVER")
    detail = mode.endswith("DETAIL")
    variant = WITHOUT_HORAIRE if "WITHOUT" in mode else WITH_HORAIRE

    def key(st):  # type: ignore[no-untyped-def]
        return (st.individu_id or 0) if by_driver else st.vehicle_id

    root = tree(analyse(client, fleet["h"], mode, debut, fin))
    lines = all_lines(root)
    exp = expected(fleet["steps"], d, f, variant, key, by_day=detail, tz=PARIS)
    names = {f"{k[0]}_{k[1].isoformat()}" if detail else str(k): v for k, v in exp.items()}
    assert set(lines) == set(names), mode
    grand = [0.0] * 12
    for name, sums in names.items():
        assert_line(lines[name], sums)
        grand = [a + b for a, b in zip(grand, sums, strict=True)]
    assert_line(root["entityTotalCumul"], grand)
    # Costs: each step's fuel and energy at its vehicle's prices.
    cost = 0.0
    for st in fleet["steps"]:
        lo, hi = max(st.start_ms, d), min(st.end_ms, f)
        if lo < hi:
            cost += _cost(st, fleet["overrides"], st.within(lo, hi, variant))
    assert root["entityTotalCumul"]["cost"] == pytest.approx(cost, rel=1e-9)
    assert sum(line["cost"] for line in lines.values()) == pytest.approx(cost, rel=1e-9)
