"""Trips over HTTP: ingestion routes, ficheJour, positions/search, masking per viewer, settings, badges."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from fleetprivacy.core.audit import AuditEntry
from fleetprivacy.trips.models import Etape
from fleetprivacy.trips.segmentation import Fix
from trips_support import HOME, MIN, OFFICE, T0, commute_day, wire

DAY = 86_400_000
IMMAT = "AA-100-AA"


@pytest.fixture
def world(client, factory, auth):
    """A customer with a vehicle, two badged drivers (each a DRIVER user) and their tokens."""
    t = factory.tenant("w")
    b = client.base
    admin = auth(t.admin)
    other_id = factory.individu(t.customer_id, "Other")
    factory.user("w-other", "DRIVER", [t.customer_id], other_id)
    for ind, badge in ((t.individu_id, "B-1"), (other_id, "B-2")):
        r = client.put(f"{b}/admin/v1/individus/{ind}", headers=admin, json={"badge": badge, "prenomInd": "Jo"})
        assert r.status_code == 200 and r.json()["badge"] == badge, r.text
    v = client.post(f"{b}/admin/v1/vehicles", headers=admin, json={
        "immatriculation": IMMAT, "numeroEmbarque": 7, "valeurConsommation": 6.0}).json()

    class World:
        tenant = t
        vehicle_id = v["id"]
        driver_id = t.individu_id
        other = other_id
        h_admin = admin
        h_manager = auth(t.manager)
        h_driver = auth(t.driver)
        h_other = auth("w-other")

        def ingest(self, fixes, numero=7, headers=None):
            r = client.post(f"{b}/ingest/v1/positions", headers=headers or admin,
                            json={"numeroEmbarque": numero, "positions": wire(fixes)})
            return r

        def fiche(self, date, headers):
            r = client.get(f"{b}/mobility/v1/ficheJour", headers=headers, params={"vehId": self.vehicle_id, "date": date})
            assert r.status_code == 200, r.text
            return r.json()["fjRows"]

        def search(self, headers, start="2026-01-05T00:00:00Z", end="2026-01-07T00:00:00Z", **extra):
            params = {"immatriculation": IMMAT, "startDate": start, "endDate": end, **extra}
            return client.get(f"{b}/positions/search", headers=headers, params=params)

    return World()


def _two_days() -> list[Fix]:
    """Day 0 driven by B-1 (private return), day 1 by B-2."""
    return commute_day(private_return=True, badge="B-1") + commute_day(T0 + DAY, badge="B-2")


def test_ingestion_is_for_admins_and_checks_its_input(client, world):
    fixes = commute_day()
    assert world.ingest(fixes, headers=world.h_manager).status_code == 403
    assert world.ingest(fixes, headers=world.h_driver).status_code == 403
    r = world.ingest(fixes, numero=999)
    assert r.status_code == 404 and "numeroEmbarque 999" in r.json()["message"]
    url = f"{client.base}/ingest/v1/positions"
    r = client.post(url, headers=world.h_admin, json={"numeroEmbarque": 7, "positions": [{"t": 1, "lat": 91, "lon": 0}]})
    assert r.status_code == 400 and "positions.0.lat" in r.json()["message"]
    r = client.post(url, headers=world.h_admin, json={"numeroEmbarque": 7, "positions": [{"t": "yesterday", "lat": 1, "lon": 0}]})
    assert r.status_code == 400 and "positions[0].t" in r.json()["message"]
    r = client.post(url, headers=world.h_admin, json={"numeroEmbarque": 7, "positions": [{"t": 1, "lat": 1, "lon": 0, "x": 1}]})
    assert r.status_code == 400 and "not a known field" in r.json()["message"]
    # ISO-8601 instants work too, and the same instant sent twice (once as ISO) is stored once.
    r = client.post(url, headers=world.h_admin, json={"numeroEmbarque": 7, "positions": [
        {"t": "2026-01-05T09:00:00+01:00", "lat": 48.1, "lon": 2.1}, {"t": T0, "lat": 48.1, "lon": 2.1}]})
    assert r.status_code == 200 and r.json()["stored"] == 1 and r.json()["duplicates"] == 1


def test_ingestion_is_idempotent(world):
    first = world.ingest(_two_days())
    assert first.status_code == 200, first.text
    body = first.json()
    assert body["stored"] == body["received"] > 0 and body["etapesCreated"] == 9
    again = world.ingest(_two_days()).json()
    assert again == {"received": body["received"], "stored": 0, "duplicates": body["received"],
                     "discardedPrivate": 0, "etapesCreated": 0, "etapesUpdated": 0, "etapesDeleted": 0}


def test_fiche_jour_lists_the_days_steps_and_masks_private_ones_for_managers(world):
    world.ingest(_two_days())
    rows = world.fiche("05/01/2026", world.h_manager)
    assert [(r["type"], r["viePrivee"]) for r in rows] == [
        ("A", False), ("T", False), ("A", False), ("T", True), ("A", True)]
    assert rows[1]["distanceMeter"] == pytest.approx(17_916, abs=5) and rows[1]["dureeMs"] == 20 * MIN
    start = rows[1]["posDeb"]
    assert start["date"] == "05/01/2026" and start["heure"] == "09:30:00" and start["etat"] == "D"
    assert start["latitudeY"] == pytest.approx(HOME[0]) and start["longitudeX"] == pytest.approx(HOME[1])
    assert start["driver"] == {"matricule": None, "nom": "w driver", "prenom": "Jo", "tel": None}
    assert rows[1]["posFin"]["latitudeY"] == pytest.approx(OFFICE[0]) and rows[1]["posFin"]["etat"] == "A"
    for row in rows[3:]:
        # Privacy hides where, never how much.
        for pos in (row["posDeb"], row["posFin"]):
            assert pos["latitudeY"] is None and pos["longitudeX"] is None and pos["fullAddress"] is None
        assert row["dureeMs"] > 0
    assert rows[3]["distanceMeter"] == pytest.approx(17_915, abs=5)
    assert world.fiche("05/01/2026", world.h_admin) == rows  # ADMIN is no exception
    # The stop at home runs overnight: it shows on both days; ids are the steps' ids.
    next_day = world.fiche("06/01/2026", world.h_manager)
    assert next_day[0]["id"] == rows[-1]["id"] and next_day[0]["viePrivee"] is True


def test_a_driver_sees_only_their_own_steps_with_their_own_private_coordinates(world):
    world.ingest(_two_days())
    mine = world.fiche("05/01/2026", world.h_driver)
    assert len(mine) == 5 and mine[3]["viePrivee"] is True
    assert mine[3]["posFin"]["latitudeY"] == pytest.approx(HOME[0])  # their own private trip
    assert world.fiche("06/01/2026", world.h_driver) == [mine[-1]]  # the overnight stop, nothing of B-2's day
    assert world.fiche("05/01/2026", world.h_other) == []
    theirs = world.fiche("06/01/2026", world.h_other)
    assert [r["type"] for r in theirs] == ["T", "A", "T", "A"] and not any(r["viePrivee"] for r in theirs)


def test_fiche_jour_days_are_the_customers_local_days(world):
    # A trip from 23:50 to 00:10 Paris time (22:50-23:10 UTC) shows on both local days.
    t = T0 + 14 * 60 * MIN + 50 * MIN
    fixes = [Fix(t - 30 * MIN + k * 60_000, *HOME) for k in range(30)]
    fixes += [Fix(t + k * 10_000, HOME[0] - 0.0005 * k, HOME[1]) for k in range(121)]
    fixes += [Fix(t + 20 * MIN + k * 60_000, HOME[0] - 0.06, HOME[1]) for k in range(1, 30)]
    world.ingest(fixes)
    before = [r["type"] for r in world.fiche("05/01/2026", world.h_manager)]
    after = [r["type"] for r in world.fiche("06/01/2026", world.h_manager)]
    assert before == ["A", "T"] and after == ["T", "A"]
    assert world.fiche("07/01/2026", world.h_manager) == []


def test_fiche_jour_input(client, world):
    b = client.base
    r = client.get(f"{b}/mobility/v1/ficheJour", headers=world.h_manager, params={"vehId": world.vehicle_id, "date": "2026-01-05"})
    assert r.status_code == 400 and "date" in r.json()["message"] and "dd/MM/yyyy" in r.json()["message"]
    r = client.get(f"{b}/mobility/v1/ficheJour", headers=world.h_manager, params={"vehId": 10**9, "date": "05/01/2026"})
    assert r.status_code == 404
    r = client.get(f"{b}/mobility/v1/ficheJour", headers=world.h_manager, params={"date": "05/01/2026"})
    assert r.status_code == 400 and "vehId" in r.json()["message"]


def test_positions_search_masks_private_positions_but_counts_them(world):
    fixes = _two_days()
    world.ingest(fixes)
    r = world.search(world.h_manager, start="2026-01-05T09:40:00.000Z", end="2026-01-05T10:20:00.000+00:00")
    assert r.status_code == 200, r.text
    [block] = r.json()["positionsVehicles"]
    assert block["vehicle"] == {"descriptionVehicule": None, "idVehicule": world.vehicle_id,
                                "immatriculation": IMMAT, "typeMotorisationEnergie": "MONO"}
    positions = block["positions"]
    expected = [f for f in fixes if T0 + 100 * MIN <= f.t_ms <= T0 + 140 * MIN]
    assert len(positions) == len(expected)  # private positions are never left out
    assert positions[0]["date"] == "2026-01-05T10:40:00.000+01:00"
    private = [p for p in positions if p["viePrivee"]]
    public = [p for p in positions if not p["viePrivee"]]
    assert private and public
    assert all(p["latitudeY"] is None and p["longitudeX"] is None and p["distanceDepuisPosPrecMeter"] is None
               for p in private)
    assert all(p["latitudeY"] is not None for p in public)
    assert public[-1]["etat"] == "A" and public[-1]["chauffeur"] == "Jo w driver"
    # The departure fix of the private trip is its first instant: private too.
    departure = next(p for p in positions if p["date"] == "2026-01-05T10:51:00.000+01:00")
    assert departure["viePrivee"] is True and departure["latitudeY"] is None
    # The driver of the private trip sees it all.
    mine = world.search(world.h_driver, start="2026-01-05T09:40:00Z", end="2026-01-05T10:20:00Z").json()
    assert all(p["latitudeY"] is not None for p in mine["positionsVehicles"][0]["positions"])
    assert len(mine["positionsVehicles"][0]["positions"]) == len(expected)
    # withPrivacy=false reveals nothing more.
    r2 = world.search(world.h_manager, start="2026-01-05T09:40:00Z", end="2026-01-05T10:20:00Z", withPrivacy="false")
    assert r2.json() == r.json()


def test_positions_search_for_a_driver_shows_only_their_steps(world):
    world.ingest(_two_days())
    other = world.search(world.h_other).json()["positionsVehicles"][0]["positions"]
    mine = world.search(world.h_driver).json()["positionsVehicles"][0]["positions"]
    everything = world.search(world.h_manager).json()["positionsVehicles"][0]["positions"]
    assert other and mine and len(everything) == len(_two_days())
    assert all(p["date"] >= "2026-01-06" for p in other)
    # The overnight stop is the first driver's (private): the second driver sees it hidden, not theirs.
    assert {p["date"] for p in mine} | {p["date"] for p in other} == {p["date"] for p in everything}
    assert not [p for p in other if p["viePrivee"] and p["latitudeY"] is not None]


def test_positions_search_input(client, world):
    r = world.search(world.h_manager, start="2026-01-06T00:00:00Z", end="2026-01-05T00:00:00Z")
    assert r.status_code == 400 and "endDate" in r.json()["message"]
    r = world.search(world.h_manager, start="05/01/2026")
    assert r.status_code == 400 and "startDate" in r.json()["message"]
    r = client.get(f"{client.base}/positions/search", headers=world.h_manager, params={"endDate": "2026-01-05T00:00:00Z"})
    assert r.status_code == 400 and "startDate is required" in r.json()["message"]
    r = world.search(world.h_manager, immatriculation="ZZ-999-ZZ")
    assert r.status_code == 404 and "ZZ-999-ZZ" in r.json()["message"]
    # No plate: every vehicle of the customer.
    r = client.get(f"{client.base}/positions/search", headers=world.h_manager,
                   params={"startDate": "2026-01-05T00:00:00Z", "endDate": "2026-01-06T00:00:00Z"})
    assert [b["vehicle"]["immatriculation"] for b in r.json()["positionsVehicles"]] == [IMMAT]


def _mine(settings: dict) -> dict:
    """The trips settings among the customer's settings (the analysis adds its cost settings)."""
    return {k: settings[k] for k in ("storePrivatePositions", "positionRetentionDays")}


def test_settings_are_the_admins(client, world, db):
    url = f"{client.base}/admin/v1/settings"
    assert _mine(client.get(url, headers=world.h_admin).json()) == {"storePrivatePositions": True,
                                                                   "positionRetentionDays": 60}
    assert client.get(url, headers=world.h_manager).status_code == 403
    r = client.put(url, headers=world.h_admin, json={"positionRetentionDays": 30})
    assert _mine(r.json()) == {"storePrivatePositions": True, "positionRetentionDays": 30}
    r = client.put(url, headers=world.h_admin, json={"storePrivatePositions": False})
    assert _mine(r.json()) == {"storePrivatePositions": False, "positionRetentionDays": 30}
    for bad in ({"positionRetentionDays": 0}, {"storePrivatePositions": None}, {"retention": 3}):
        assert client.put(url, headers=world.h_admin, json=bad).status_code == 400, bad
    with db.session() as session:
        entries = session.scalars(select(AuditEntry).where(AuditEntry.object_type == "customer_settings")).all()
        assert [_mine(e.after) for e in entries] == [{"storePrivatePositions": True, "positionRetentionDays": 30},
                                                     {"storePrivatePositions": False, "positionRetentionDays": 30}]
    # With private positions not kept, the private trip's positions are gone once it is final.
    world.ingest(_two_days())
    positions = world.search(world.h_driver).json()["positionsVehicles"][0]["positions"]
    assert not [p for p in positions if "10:52" <= p["date"][11:16] <= "11:10" and p["date"] < "2026-01-06"]


def test_badges_are_unique_per_customer(client, world, factory, auth):
    url = f"{client.base}/admin/v1/individus"
    r = client.post(url, headers=world.h_admin, json={"nomInd": "Dup", "badge": "B-1"})
    assert r.status_code == 409 and "B-1" in r.json()["message"]
    other = factory.tenant("z")
    r = client.post(url, headers=auth(other.admin), json={"nomInd": "Elsewhere", "badge": "B-1"})
    assert r.status_code == 201 and r.json()["badge"] == "B-1"
    r = client.put(f"{url}/{world.driver_id}", headers=world.h_admin, json={"badge": None})
    assert r.status_code == 200 and r.json()["badge"] is None


def _etape(start, end, **extra):
    return {"type": "TRIP", "start": start, "end": end, **extra}


def test_etapes_ingestion(client, world, db):
    url = f"{client.base}/ingest/v1/etapes"
    positions = [{"t": T0 + k * MIN, "lat": 48.85 - 0.01 * k, "lon": 2.35} for k in range(11)]
    body = {"numeroEmbarque": 7, "etapes": [
        _etape(T0, T0 + 10 * MIN, positions=positions, badge="B-1"),
        {"type": "STOP", "start": T0 + 10 * MIN, "end": T0 + 70 * MIN, "privacy": True},
        _etape("2026-01-05T10:10:00+01:00", "2026-01-05T10:30:00+01:00", distanceM=12_000, fuelL=0.9),
    ]}
    r = client.post(url, headers=world.h_admin, json=body)
    assert r.status_code == 200, r.text
    assert r.json()["etapesCreated"] == 3 and r.json()["stored"] == 11
    again = client.post(url, headers=world.h_admin, json=body).json()
    assert (again["etapesCreated"], again["etapesUpdated"], again["stored"], again["duplicates"]) == (0, 0, 0, 11)
    rows = world.fiche("05/01/2026", world.h_manager)
    assert [(r["type"], r["viePrivee"]) for r in rows] == [("T", False), ("A", True), ("T", False)]
    with db.session() as session:
        steps = session.scalars(select(Etape).order_by(Etape.start_ms)).all()
        first, third = steps[0], steps[2]
        assert first.distance_m == pytest.approx(11_119.5, abs=1) and first.fuel_estimated
        assert (first.individu_id, first.assignment_mode, first.origin) == (world.driver_id, "AUTO", "ETAPES")
        assert third.fuel_l == 0.9 and not third.fuel_estimated and third.start_lat is None
        ids = [s.id for s in steps]
    # A corrected step (same start) is updated in place.
    body["etapes"][2]["distanceM"] = 12_500
    r = client.post(url, headers=world.h_admin, json=body)
    assert r.json()["etapesUpdated"] == 1 and r.json()["etapesCreated"] == 0
    with db.session() as session:
        assert [s.id for s in session.scalars(select(Etape).order_by(Etape.start_ms))] == ids
    bad = [
        ({"etapes": [_etape(T0 + 5 * MIN, T0 + 20 * MIN)]}, 409, "overlaps stored step"),
        ({"etapes": [_etape(T0 + 2 * DAY, T0 + 2 * DAY - 1)]}, 400, "etapes[0].end"),
        ({"etapes": [_etape(T0 + 2 * DAY, T0 + 2 * DAY + MIN, positions=[{"t": T0, "lat": 1, "lon": 1}])]}, 400,
         "outside the step"),
        ({"etapes": [_etape(T0 + 2 * DAY, T0 + 2 * DAY + 9 * MIN), _etape(T0 + 2 * DAY + MIN, T0 + 2 * DAY + 5 * MIN)]},
         400, "overlaps"),
    ]
    for payload, status, words in bad:
        r = client.post(url, headers=world.h_admin, json={"numeroEmbarque": 7, **payload})
        assert r.status_code == status and words in r.json()["message"], (payload, r.text)
    # This vehicle is fed with steps: positions are refused, not cut into a second set of steps.
    r = world.ingest(commute_day(T0 + 3 * DAY))
    assert r.status_code == 409 and "one ingestion route" in r.json()["message"]


def test_ingestion_refuses_implausible_values_with_a_400_and_stores_nothing(client, world, db):
    """An unset clock (1970), a far future, out-of-range numbers, loose types: 400 naming the field, never 500."""
    url = f"{client.base}/ingest/v1/positions"
    assert world.ingest(commute_day()).status_code == 200
    with db.session() as session:
        before = [(s.id, s.kind, s.start_ms, s.end_ms, s.distance_m) for s in
                  session.scalars(select(Etape).order_by(Etape.start_ms))]
    ok = {"t": T0 + DAY, "lat": 48.1, "lon": 2.1}
    bad = [
        ({"t": 0}, "positions[1].t"),                        # 1970: a unit whose clock was never set
        ({"t": -1000}, "positions[1].t"),
        ({"t": 10**18}, "positions[1].t"),                   # year 31 million: was a 500 downstream
        ({"t": "9999-12-31T23:59:59Z"}, "positions[1].t"),
        ({"t": True}, "positions.1.t"),                      # not 1 ms after 1970
        ({"t": 1.5}, "positions.1.t"),
        ({"privacy": "yes"}, "positions.1.privacy"),
        ({"ignition": 1}, "positions.1.ignition"),
        ({"odometerM": 1e30}, "positions.1.odometerM"),
    ]
    for change, words in bad:
        r = client.post(url, headers=world.h_admin, json={"numeroEmbarque": 7, "positions": [ok, {**ok, **change}]})
        assert r.status_code == 400 and words in r.json()["message"], (change, r.text)
        assert set(r.json()) == {"status", "oceanStatus", "message"}
    for numero in ("7", 2**70, True):
        r = client.post(url, headers=world.h_admin, json={"numeroEmbarque": numero, "positions": [ok]})
        assert r.status_code == 400 and "numeroEmbarque" in r.json()["message"], (numero, r.text)
    etapes = f"{client.base}/ingest/v1/etapes"
    r = client.post(f"{client.base}/admin/v1/vehicles", headers=world.h_admin,
                    json={"immatriculation": "EE-800-EE", "numeroEmbarque": 8})
    assert r.status_code == 201, r.text
    for step, words in [
        (_etape(10**18, 10**18 + 1), "etapes[0].start"),     # was a 500 (year out of range)
        (_etape("9999-12-31T00:00:00Z", "9999-12-31T01:00:00Z"), "etapes[0].start"),
        (_etape(0, 1000), "etapes[0].start"),
        (_etape(T0 + 2 * DAY, T0 + 2 * DAY + MIN, distanceM=1e300), "etapes.0.distanceM"),
        (_etape(T0 + 2 * DAY, T0 + 2 * DAY + MIN, fuelL=1e308), "etapes.0.fuelL"),   # cost became inf/null
        (_etape(T0 + 2 * DAY, T0 + 2 * DAY + MIN, distanceM=100, electricDistanceM=1e6), "electricDistanceM"),
        (_etape(T0 + 2 * DAY, T0 + 2 * DAY + MIN, privacy=1), "etapes.0.privacy"),
    ]:
        r = client.post(etapes, headers=world.h_admin, json={"numeroEmbarque": 8, "etapes": [step]})
        assert r.status_code == 400 and words in r.json()["message"], (step, r.text)
    with db.session() as session:
        after = [(s.id, s.kind, s.start_ms, s.end_ms, s.distance_m) for s in
                 session.scalars(select(Etape).order_by(Etape.start_ms))]
    assert after == before


def test_reads_refuse_dates_out_of_range_with_a_400(client, world):
    """Dates the calendar or the database cannot hold were 500s."""
    world.ingest(commute_day())
    url = f"{client.base}/mobility/v1/ficheJour"
    r = client.get(url, headers=world.h_manager, params={"vehId": world.vehicle_id, "date": "31/12/9999"})
    assert r.status_code == 400 and "date" in r.json()["message"], r.text
    for start, end in (("-1", "99999999999999999999"), ("2026-01-05T00:00:00Z", "99999999999999999999"),
                       ("0001-01-01T00:00:00Z", "9999-12-31T23:59:59Z")):
        r = world.search(world.h_manager, start=start, end=end)
        assert r.status_code == 400 and "Date must be between" in r.json()["message"], r.text
    assert world.search(world.h_manager, start="1970-01-01T00:00:00Z", end="2030-01-01T00:00:00Z").status_code == 200


def test_settings_types_are_strict(client, world):
    """`true` for positionRetentionDays was stored as 1 day (the next purge keeps one day of positions)."""
    url = f"{client.base}/admin/v1/settings"
    before = client.get(url, headers=world.h_admin).json()
    for bad in ({"positionRetentionDays": True}, {"positionRetentionDays": "7"}, {"positionRetentionDays": 7.0},
                {"retroactiveWindowDays": "31"}, {"storePrivatePositions": 1}, {"storePrivatePositions": "false"},
                {"classifyByStart": "true"}, {"fuelPricePerL": "1.5"}, {"electricityPricePerKwh": True},
                {"currency": 978}):
        r = client.put(url, headers=world.h_admin, json=bad)
        assert r.status_code == 400 and next(iter(bad)) in r.json()["message"], (bad, r.text)
    assert client.get(url, headers=world.h_admin).json() == before
    r = client.put(url, headers=world.h_admin, json={"fuelPricePerL": 2, "electricityPricePerKwh": 0.25})
    assert r.status_code == 200 and (r.json()["fuelPricePerL"], r.json()["electricityPricePerKwh"]) == (2.0, 0.25)
