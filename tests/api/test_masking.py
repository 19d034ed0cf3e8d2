"""No read path returns a private coordinate: a walk over every route of the app (from its OpenAPI
document), called as a MANAGER, an ADMIN and another DRIVER, searching the raw response text for the
coordinates planted in a private trip.

Every GET route is called, with and without a generic set of query parameters naming the vehicle, the
day and the driver. Every other route must be classified below as a read (called too) or a write; a
route that is neither fails the test, so a new read path cannot skip this check."""

from __future__ import annotations

import re

import pytest

from fleetprivacy.trips.segmentation import Fix
from trips_support import MIN, T0, drive, park, wire

# Marker coordinates of the private destination: nothing else in the data has these digits.
SECRET = (12.3456789, 98.7654321)
START = (12.3000111, 98.7000222)  # public: where the private trip leaves from, ~8.7 km from SECRET

# Routes that change things (not called here); everything else must be a read.
WRITES = {
    ("POST", "/auth/authenticate2"), ("POST", "/auth/authenticate"), ("POST", "/auth/changePassword"),
    ("POST", "/ingest/v1/positions"), ("POST", "/ingest/v1/etapes"), ("PUT", "/admin/v1/settings"),
    ("POST", "/admin/v1/import/horaires"),
    ("POST", "/vieprivee/v1/horairesViePriveeRecurrentesIndividu"),
    ("DELETE", "/vieprivee/v1/horairesViePriveeRecurrentesIndividu"),
    ("POST", "/vieprivee/v1/horaireViePriveeExceptionnelleIndividu"),
    ("DELETE", "/vieprivee/v1/horairesViePriveeExceptionnellesIndividu"),
    ("POST", "/vieprivee/v1/etapeViePriveePosteriori"), ("DELETE", "/vieprivee/v1/etapeViePriveePosteriori"),
    ("POST", "/vieprivee/v1/demandesPosteriori/{id}/decision"),
}
for _kind in ("entities", "groupes", "individus", "vehicles", "affectations"):
    WRITES |= {("POST", f"/admin/v1/{_kind}"), ("PUT", f"/admin/v1/{_kind}/{{id}}"),
               ("DELETE", f"/admin/v1/{_kind}/{{id}}")}
# Reads that are not GET, with the bodies (and query parameters) to call them with.
_ANALYSIS = {"filter": {}, "criteria": "ALL", "renderMode": "BY_DRIVER_WITH_HORAIRE_DETAIL",
             "periode": {"debut": "2026-01-05T00:00:00+01:00", "fin": "2026-01-07T00:00:00+01:00"}}
POST_READS: dict[tuple[str, str], list[tuple[dict | None, dict | None]]] = {
    ("POST", "/individus/list"): [(None, None)],
    ("POST", "/analyse/preformattedPrivacy"): [(_ANALYSIS, {"format": f}) for f in ("json", "csv", "html")]
    + [({**_ANALYSIS, "renderMode": "BY_VEHICLE_WITHOUT_HORAIRE_SYNTHESIS"}, None)],
}


def _private_day() -> list[Fix]:
    """Parked at START (public), a private trip to SECRET, parked there (private), all flagged by the unit."""
    fixes = park(T0, START, 30)
    t = T0 + 30 * MIN
    n = 120
    for k in range(n + 1):
        lat = START[0] + (SECRET[0] - START[0]) * k / n
        lon = START[1] + (SECRET[1] - START[1]) * k / n
        fixes.append(Fix(t + k * 10_000, lat, lon, privacy=k > 0))
    t += 21 * MIN
    fixes += [Fix(t + k * 60_000, *SECRET, privacy=True) for k in range(40)]
    return fixes


def _needles(fixes: list[Fix]) -> list[str]:
    out = {"12.345678", "98.765432", "12.34568", "98.76543"}  # the marker, also rounded
    for f in fixes:
        if f.privacy:
            out |= {repr(f.lat), repr(f.lon)}
    return sorted(out)


@pytest.fixture
def planted(client, factory, auth):
    t = factory.tenant("m")
    b = client.base
    admin = auth(t.admin)
    other = factory.individu(t.customer_id, "Other")
    factory.user("m-other", "DRIVER", [t.customer_id], other)
    client.put(f"{b}/admin/v1/individus/{t.individu_id}", headers=admin, json={"badge": "OWN"})
    v = client.post(f"{b}/admin/v1/vehicles", headers=admin, json={"immatriculation": "PR-1", "numeroEmbarque": 5}).json()
    client.post(f"{b}/admin/v1/affectations", headers=admin, json={
        "individuId": other, "vehiculeId": v["id"], "dateDebut": "2020-01-01T00:00:00Z"})
    # The vehicle is assigned to the other driver: only the badge makes the trip the own driver's.
    fixes = [f._replace(badge="OWN") for f in _private_day()]
    r = client.post(f"{b}/ingest/v1/positions", headers=admin, json={"numeroEmbarque": 5, "positions": wire(fixes)})
    assert r.status_code == 200 and r.json()["etapesCreated"] >= 3, r.text
    params = {"vehId": v["id"], "date": "05/01/2026", "immatriculation": "PR-1",
              "startDate": "2026-01-04T00:00:00Z", "endDate": "2026-01-07T00:00:00Z",
              "individuId": t.individu_id, "historique": "true"}
    return {"tenant": t, "vehicle": v, "fixes": fixes, "params": params,
            "viewers": {"MANAGER": auth(t.manager), "ADMIN": admin, "other DRIVER": auth("m-other")},
            "own": auth(t.driver)}


def _call(client, method, path, headers, params, body=None):
    url = client.base + re.sub(r"\{[^}]+\}", "1", path)
    return client.request(method, url, headers=headers, params=params, json=body)


def test_no_read_route_returns_a_private_coordinate(client, planted):
    needles = _needles(planted["fixes"])
    base = client.base
    routes = [(m.upper(), p[len(base):]) for p, ops in client.app.openapi()["paths"].items() for m in ops]
    reads = []
    for method, path in routes:
        if method == "GET" or (method, path) in POST_READS:
            reads.append((method, path))
        else:
            assert (method, path) in WRITES, (
                f"route {method} {path} is neither a known write nor a read: classify it in tests/api/test_masking.py")
    assert ("GET", "/mobility/v1/ficheJour") in reads and ("GET", "/positions/search") in reads
    for who, headers in planted["viewers"].items():
        for method, path in reads:
            calls = POST_READS.get((method, path)) or [(None, planted["params"]), (None, None)]
            for body, params in calls:
                r = _call(client, method, path, headers, params, body)
                assert r.status_code < 500, (method, path, r.text[:300])
                for needle in needles:
                    assert needle not in r.text, f"{who} read a private coordinate ({needle}) from {method} {path}"
    # The walk can see them: the private trip's own driver gets its coordinates.
    own = planted["own"]
    fiche = _call(client, "GET", "/mobility/v1/ficheJour", own, planted["params"]).text
    search = _call(client, "GET", "/positions/search", own, planted["params"]).text
    assert "12.3456789" in fiche and "98.7654321" in search
    # And the rows are all there for the manager, flagged private, with their distance.
    rows = _call(client, "GET", "/mobility/v1/ficheJour", planted["viewers"]["MANAGER"], planted["params"]).json()
    assert [(r["type"], r["viePrivee"]) for r in rows["fjRows"]] == [("A", False), ("T", True), ("A", True)]
    assert rows["fjRows"][1]["distanceMeter"] > 8_000


def test_a_trip_made_private_by_a_schedule_is_masked_from_the_private_slot_on(client, factory, auth):
    """No device flag: the driver's schedule (private on Mondays from 09:40, Paris) makes the part of the
    trip after 09:40 and the stop at its destination private; before 09:40 the trip stays visible."""
    t = factory.tenant("s")
    b = client.base
    admin = auth(t.admin)
    client.put(f"{b}/admin/v1/individus/{t.individu_id}", headers=admin, json={"badge": "OWN"})
    v = client.post(f"{b}/admin/v1/vehicles", headers=admin, json={"immatriculation": "SC-1", "numeroEmbarque": 6}).json()
    slot = {"idJourSemaine": "LUNDI", "typeHoraires": "VIE_PRIVEE", "debutHeure": 9, "debutMinute": 40,
            "finHeure": 24, "finMinute": 0}
    r = client.post(f"{b}/admin/v1/import/horaires", headers=admin, json={"individus": [{
        "individuId": t.individu_id,
        "versions": [{"debut": "2025-01-01T00:00:00", "innerMap": {"map": {"LUNDI": {"VIE_PRIVEE": [slot]}}}}]}]})
    assert r.status_code == 200, r.text
    fixes = [f._replace(privacy=None, badge="OWN") for f in _private_day()]  # T0 = 09:00 Paris; trip 09:30-09:50
    r = client.post(f"{b}/ingest/v1/positions", headers=admin, json={"numeroEmbarque": 6, "positions": wire(fixes)})
    assert r.status_code == 200, r.text
    params = {"vehId": v["id"], "date": "05/01/2026", "immatriculation": "SC-1",
              "startDate": "2026-01-04T00:00:00Z", "endDate": "2026-01-07T00:00:00Z"}
    manager = auth(t.manager)
    fiche = client.get(f"{b}/mobility/v1/ficheJour", headers=manager, params=params)
    search = client.get(f"{b}/positions/search", headers=manager, params=params)
    for text in (fiche.text, search.text):
        assert "12.345678" not in text and "98.765432" not in text
    assert "12.3000111" in search.text  # parked at START before the slot: public
    rows = fiche.json()["fjRows"]
    assert [(r["type"], r["viePrivee"]) for r in rows] == [("A", False), ("T", True), ("A", True)]
    own = auth(t.driver)
    assert "98.7654321" in client.get(f"{b}/positions/search", headers=own, params=params).text


def test_a_retroactively_private_trip_hides_the_ends_of_its_neighbouring_stops(client, factory, auth):
    """The stop before a private trip ends where the trip leaves from, the stop after starts where it
    arrives: those ends were shown to a manager when the trip was private by a retroactive decision."""
    t = factory.tenant("r")
    b = client.base
    admin, manager, own = auth(t.admin), auth(t.manager), auth(t.driver)
    client.put(f"{b}/admin/v1/individus/{t.individu_id}", headers=admin, json={"badge": "RB"})
    client.put(f"{b}/admin/v1/settings", headers=admin, json={"retroactiveWindowDays": 36500})
    v = client.post(f"{b}/admin/v1/vehicles", headers=admin,
                    json={"immatriculation": "RT-1", "numeroEmbarque": 6, "privacyEnabled": True}).json()
    home, away, office = (45.1111111, 4.2222222), (45.1911111, 4.3022222), (45.1511111, 4.2522222)
    fixes = (park(T0, office, 30) + drive(T0 + 30 * MIN, office, away, 20)
             + park(T0 + 50 * MIN, away, 40) + drive(T0 + 90 * MIN, away, home, 15) + park(T0 + 105 * MIN, home, 30))
    fixes = [f._replace(badge="RB") for f in fixes]
    r = client.post(f"{b}/ingest/v1/positions", headers=admin, json={"numeroEmbarque": 6, "positions": wire(fixes)})
    assert r.status_code == 200, r.text
    params = {"vehId": v["id"], "date": "05/01/2026"}
    rows = client.get(f"{b}/mobility/v1/ficheJour", headers=manager, params=params).json()["fjRows"]
    first_trip = next(i for i, row in enumerate(rows) if row["type"] == "T")
    trip_id = rows[first_trip]["id"]
    r = client.post(f"{b}/vieprivee/v1/etapeViePriveePosteriori", headers=manager,
                    params={"idEtape": trip_id, "numeroEmbarque": 6, "privacy": "true"})
    assert r.status_code == 200 and r.json() is True, r.text

    rows = client.get(f"{b}/mobility/v1/ficheJour", headers=manager, params=params).json()["fjRows"]
    before, trip, after = rows[first_trip - 1], rows[first_trip], rows[first_trip + 1]
    assert trip["viePrivee"] is True and not before["viePrivee"]
    assert before["posDeb"]["latitudeY"] is not None  # the stop before is public, but not where the trip left
    # The stop after is where the private trip went: hidden whole.
    assert after["type"] == "A" and after["viePrivee"] is True
    for pos in (before["posFin"], trip["posDeb"], trip["posFin"], after["posDeb"], after["posFin"]):
        assert pos["latitudeY"] is None and pos["longitudeX"] is None
    search = client.get(f"{b}/positions/search", headers=manager, params={
        "immatriculation": "RT-1", "startDate": "2026-01-05T08:00:00Z", "endDate": "2026-01-05T09:29:59Z"}).json()
    shown = [(p["latitudeY"], p["longitudeX"]) for block in search["positionsVehicles"] for p in block["positions"]]
    assert shown and any(lat is None for lat, _ in shown)
    # Up to the next trip (which, professional, shows where it leaves from), nothing near the destination.
    assert all(lat is None or abs(lat - away[0]) > 1e-3 or abs(lon - away[1]) > 1e-3 for lat, lon in shown)
    # The trip's own driver still sees everything.
    mine = client.get(f"{b}/mobility/v1/ficheJour", headers=own, params=params).json()["fjRows"]
    assert all(row[end]["latitudeY"] is not None for row in mine for end in ("posDeb", "posFin"))
