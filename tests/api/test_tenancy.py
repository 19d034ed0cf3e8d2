"""Tenancy: every customer-owned table carries customer_id, and no route leaks another customer's data.

The route walk lists every route of the app: a new route that this table does not cover fails the test,
so each new endpoint must say how it is probed with another customer's ids."""

from __future__ import annotations

import json

import pytest

from fleetprivacy.core.models import Base
from trips_support import commute_day, wire

GLOBAL_TABLES = {"customers", "users", "user_customers", "api_tokens"}


def test_every_customer_owned_table_has_customer_id():
    for table in Base.metadata.sorted_tables:
        if table.name in GLOBAL_TABLES:
            continue
        assert "customer_id" in table.c, f"{table.name} has no customer_id"
        assert not table.c.customer_id.nullable


@pytest.fixture
def two_tenants(client, factory, auth):
    """Customers A and B with the same kinds of objects; B's names all contain 'Bravo'."""
    ids = {}
    for prefix, name in (("a", "Alpha"), ("b", "Bravo")):
        t = factory.tenant(prefix)
        h = auth(t.admin)
        post = lambda path, body, h=h: client.post(f"{client.base}/admin/v1/{path}", headers=h, json=body).json()  # noqa: E731
        e = post("entities", {"nom": f"{name} HQ"})
        g = post("groupes", {"descriptionGrp": f"{name} group"})
        i = post("individus", {"nomInd": f"{name} person", "entiteId": e["id"], "groupeId": g["id"]})
        v = post("vehicles", {"immatriculation": f"{name[:2]}-1", "numeroEmbarque": 1, "entiteId": e["id"],
                              "marque": name})
        a = post("affectations", {"individuId": i["id"], "vehiculeId": v["id"], "dateDebut": "2020-01-01T00:00:00Z"})
        # Schedules: a recurring version and an exceptional period whose description names the customer.
        vp = f"{client.base}/vieprivee/v1"
        assert client.post(f"{vp}/horairesViePriveeRecurrentesIndividu", headers=h, params={"individuId": i["id"]},
                           json={"innerMap": {"map": {"LUNDI": {"VIE_PRIVEE": [_SLOT]}}}}).json() is True
        row = client.get(f"{vp}/horairesViePriveeRecurrentesIndividu", headers=h, params={"individuId": i["id"]}).json()
        assert client.post(f"{vp}/horaireViePriveeExceptionnelleIndividu", headers=h, params={
            "individuId": i["id"], "description": f"{name} holidays", "dateDebut": "25/12/2030 00:00:00 Z",
            "dateFin": "26/12/2030 00:00:00 Z"}).json() is True
        ext = client.get(f"{vp}/horairesViePriveeExceptionnellesIndividu", headers=h,
                         params={"individuId": i["id"]}).json()
        # Trips: a day of positions, cut into steps driven by the assigned person (whose name says who).
        r = client.post(f"{client.base}/ingest/v1/positions", headers=h,
                        json={"numeroEmbarque": 1, "positions": wire(commute_day())})
        assert r.status_code == 200 and r.json()["etapesCreated"] == 5, r.text
        # Retroactive requests: an accepted one on the first trip (the window is widened to reach 2026).
        assert client.put(f"{client.base}/admin/v1/settings", headers=h,
                          json={"retroactiveWindowDays": 36500}).status_code == 200
        etape = _first_trip(client, v["id"])
        assert client.post(f"{vp}/etapeViePriveePosteriori", headers=h, params={
            "idEtape": etape, "numeroEmbarque": 1, "privacy": True}).json() is True
        demande = client.get(f"{vp}/demandesPosteriori", headers=h).json()[0]["id"]
        ids[prefix] = {"tenant": t, "headers": h, "entities": e["id"], "groupes": g["id"], "individus": i["id"],
                       "vehicles": v["id"], "affectations": a["id"], "slotRows": row[0]["id"],
                       "extensions": ext[0]["id"], "etapes": etape, "demandes": demande}
    return ids


def _first_trip(client, vehicle_id: int) -> int:
    from sqlalchemy import select

    from fleetprivacy.trips.models import TRIP, Etape

    with client.app.state.db.session() as session:
        return session.scalars(select(Etape.id).where(Etape.vehicle_id == vehicle_id, Etape.kind == TRIP)
                               .order_by(Etape.start_ms)).first()


_SLOT = {"idJourSemaine": "LUNDI", "typeHoraires": "VIE_PRIVEE", "debutHeure": 18, "debutMinute": 0,
         "finHeure": 23, "finMinute": 59}


def _probes(b: dict) -> dict[tuple[str, str], list[dict]]:
    """How to call each route with customer A's token while naming customer B's objects."""
    probes: dict[tuple[str, str], list[dict]] = {
        ("POST", "/auth/authenticate2"): [],
        ("POST", "/auth/authenticate"): [],
        ("POST", "/auth/changePassword"): [],
        ("POST", "/individus/list"): [{"params": {}}],
        ("GET", "/vehicule_engin/vehicles"): [{"params": {}}, {"params": {"immatriculation": "Br-1"}}],
        ("GET", "/mobility/v1/entities"): [{"params": {}}],
    }
    for kind in ("entities", "groupes", "individus", "vehicles", "affectations"):
        path, one = f"/admin/v1/{kind}", f"/admin/v1/{kind}/{{id}}"
        probes[("GET", path)] = [{"params": {}}, {"params": {"includeDeleted": True}}]
        probes[("GET", one)] = [{"path": {"id": b[kind]}}]
        probes[("DELETE", one)] = [{"path": {"id": b[kind]}}]
        probes[("PUT", one)] = [{"path": {"id": b[kind]}, "json": {}}]
        probes[("POST", path)] = []
    probes[("POST", "/admin/v1/entities")] = [{"json": {"nom": "x", "parentId": b["entities"]}}]
    probes[("PUT", "/admin/v1/entities/{id}")].append({"path": {"id": "A:entities"}, "json": {"parentId": b["entities"]}})
    probes[("POST", "/admin/v1/individus")] = [{"json": {"nomInd": "x", "entiteId": b["entities"]}},
                                               {"json": {"nomInd": "x", "groupeId": b["groupes"]}}]
    probes[("POST", "/admin/v1/vehicles")] = [{"json": {"immatriculation": "x", "numeroEmbarque": 9,
                                                        "entiteId": b["entities"]}}]
    probes[("POST", "/admin/v1/affectations")] = [
        {"json": {"individuId": b["individus"], "vehiculeId": "A:vehicles", "dateDebut": "2030-01-01T00:00:00Z"}},
        {"json": {"individuId": "A:individus", "vehiculeId": b["vehicles"], "dateDebut": "2030-01-01T00:00:00Z"}},
    ]
    probes[("POST", "/admin/v1/groupes")] = []  # refers to nothing
    # Schedules: naming B's individual, slot rows or periods answers 404 ("status"), as if missing.
    rec = "/vieprivee/v1/horairesViePriveeRecurrentesIndividu"
    exc = "/vieprivee/v1/horairesViePriveeExceptionnellesIndividu"
    body = {"innerMap": {"map": {"LUNDI": {"VIE_PRIVEE": [_SLOT]}}}}
    dates = {"dateDebut": "01/01/2031 00:00:00 Z", "dateFin": "02/01/2031 00:00:00 Z"}
    probes[("GET", rec)] = [{"params": {}}, {"params": {"historique": True}},
                            {"params": {"individuId": b["individus"]}, "status": 404},
                            {"params": {"individuId": b["individus"], "historique": True}, "status": 404}]
    probes[("POST", rec)] = [{"params": {"individuId": b["individus"]}, "json": body, "status": 404}]
    probes[("DELETE", rec)] = [
        {"params": {"individuId": b["individus"], "horaireIndividuIds": b["slotRows"]}, "status": 404},
        {"params": {"individuId": "A:individus", "horaireIndividuIds": b["slotRows"]}, "status": 404},
    ]
    probes[("GET", exc)] = [{"params": {}}, {"params": {"individuId": b["individus"]}, "status": 404}]
    probes[("POST", "/vieprivee/v1/horaireViePriveeExceptionnelleIndividu")] = [
        {"params": {"individuId": b["individus"], **dates}, "status": 404},
        {"params": {"individuId": "A:individus", "extensionIdToUpdate": b["extensions"], **dates}, "status": 404},
    ]
    probes[("DELETE", exc)] = [{"params": {"horaireExtensionIds": b["extensions"]}, "status": 404},
                               {"params": {"horaireExtensionIds": "A:extensions"}, "status": 204}]
    probes[("POST", "/admin/v1/import/horaires")] = [
        {"json": {"individus": [{"individuId": b["individus"], "exceptionnelles": [
            {"description": "x", "debut": "2020-01-01T00:00:00Z", "fin": "2020-01-02T00:00:00Z"}]}]}, "status": 404},
    ]
    # Trips: B's vehicle by id or plate answers 404; ingestion names vehicles by unit number within A.
    day = {"startDate": "2026-01-05T00:00:00Z", "endDate": "2026-01-06T00:00:00Z"}
    probes[("GET", "/mobility/v1/ficheJour")] = [{"params": {"vehId": b["vehicles"], "date": "05/01/2026"}, "status": 404},
                                                 {"params": {"vehId": "A:vehicles", "date": "05/01/2026"}, "status": 200}]
    probes[("GET", "/positions/search")] = [{"params": {"immatriculation": "Br-1", **day}, "status": 404},
                                            {"params": day, "status": 200}]
    probes[("POST", "/ingest/v1/positions")] = [
        {"json": {"numeroEmbarque": 1, "positions": [{"t": 1767600000000, "lat": 48.8, "lon": 2.3}]}, "status": 200}]
    probes[("POST", "/ingest/v1/etapes")] = [{"json": {"numeroEmbarque": 1, "etapes": []}, "status": 409}]
    probes[("GET", "/admin/v1/settings")] = [{"params": {}, "status": 200}]
    probes[("PUT", "/admin/v1/settings")] = [{"json": {}, "status": 200}]
    probes[("GET", "/admin/v1/audit")] = [
        {"params": {}}, {"params": {"individuId": b["individus"]}}, {"params": {"objectId": b["individus"]}},
        {"params": {"objectType": "exceptional_schedule"}}, {"params": {"objectType": "individu"}},
    ]
    # Analysis: B's persons, entities, groups and vehicles in A's filter match nothing (answered 200, no data);
    # tests/analysis/test_analysis_rules.py checks the same with steps stored for both customers.
    analyse = {"renderMode": "BY_VEHICLE_WITH_HORAIRE_DETAIL",
               "periode": {"debut": "2025-01-01T00:00:00Z", "fin": "2031-01-01T00:00:00Z"}}
    b_filter = {"persons": [b["individus"]], "entities": [b["entities"]], "groups": [b["groupes"]],
                "vehicleIds": [b["vehicles"]]}
    probes[("POST", "/analyse/preformattedPrivacy")] = [
        {"json": analyse, "status": 200},
        {"json": {**analyse, "filter": b_filter}, "status": 200},
        {"json": {**analyse, "renderMode": "BY_DRIVER_WITH_HORAIRE_SYNTHESIS", "filter": b_filter}, "status": 200},
        {"json": {**analyse, "filter": b_filter}, "params": {"format": "csv"}, "status": 200},
    ]
    # Retroactive requests: B's step (by id, with A's unit number or B's codeExploitant) and B's requests: 404.
    retro = "/vieprivee/v1/etapeViePriveePosteriori"
    probes[("POST", retro)] = [
        {"params": {"idEtape": b["etapes"], "numeroEmbarque": 1, "privacy": True}, "status": 404},
        {"params": {"idEtape": "A:etapes", "numeroEmbarque": 1, "codeExploitant": "B-CODE", "privacy": False},
         "status": 404},
    ]
    probes[("DELETE", retro)] = [{"params": {"idEtape": b["etapes"], "numeroEmbarque": 1}, "status": 404}]
    probes[("GET", "/vieprivee/v1/demandesPosteriori")] = [{"params": {}, "status": 200},
                                                            {"params": {"statut": "ACCEPTEE"}, "status": 200}]
    probes[("POST", "/vieprivee/v1/demandesPosteriori/{id}/decision")] = [
        {"path": {"id": b["demandes"]}, "params": {"accepte": True}, "status": 404},
        {"path": {"id": b["demandes"]}, "params": {"accepte": False}, "status": 404},
    ]
    return probes


def _resolve(value, a):
    if isinstance(value, str) and value.startswith("A:"):
        return a[value[2:]]
    if isinstance(value, dict):
        return {k: _resolve(v, a) for k, v in value.items()}
    return value


def test_no_route_leaks_another_customers_data(client, two_tenants):
    a, b = two_tenants["a"], two_tenants["b"]
    probes = _probes(b)
    base = client.base
    # The OpenAPI document lists every route the app serves.
    paths = client.app.openapi()["paths"]
    assert paths
    for path, operations in paths.items():
        for method in operations:
            method = method.upper()
            key = (method, path[len(base):])
            assert key in probes, f"route {key} is not covered by the tenancy walk: add its probes"
            for probe in probes[key]:
                url = base + key[1]
                for name, value in probe.get("path", {}).items():
                    url = url.replace("{" + name + "}", str(_resolve(value, a)))
                params = _resolve(probe.get("params"), a)
                r = client.request(method, url, headers=a["headers"], params=params,
                                   json=_resolve(probe.get("json"), a) if "json" in probe else None)
                text = r.text
                assert "Bravo" not in text, f"{method} {url} leaked customer B: {text[:300]}"
                if "status" in probe:
                    assert r.status_code == probe["status"], (method, url, params, r.status_code, text)
                if probe.get("path"):
                    assert r.status_code == 404 or "A:" in json.dumps(probe["path"]), (method, url, r.status_code)
                if probe.get("json") and any(v == b.get(k.replace("Id", "s")) for k, v in probe["json"].items()):
                    assert r.status_code == 404, (method, url, r.status_code, text)
                # Naming customer B explicitly is forbidden.
                r = client.request(method, url, headers=a["headers"],
                                   params={**(params or {}), "customerId": b["tenant"].customer_id},
                                   json=_resolve(probe.get("json"), a) if "json" in probe else None)
                assert r.status_code == 403, (method, url, r.status_code)
    # Customer B's objects are untouched by all of this.
    hb = b["headers"]
    for kind in ("entities", "groupes", "individus", "vehicles", "affectations"):
        r = client.get(f"{base}/admin/v1/{kind}/{b[kind]}", headers=hb)
        assert r.status_code == 200 and r.json()["suppressionLogique"] is False
    vp, params = f"{base}/vieprivee/v1", {"individuId": b["individus"]}
    rows = client.get(f"{vp}/horairesViePriveeRecurrentesIndividu", headers=hb, params=params).json()
    assert [r["id"] for r in rows] == [b["slotRows"]]
    periods = client.get(f"{vp}/horairesViePriveeExceptionnellesIndividu", headers=hb, params=params).json()
    assert [p["id"] for p in periods] == [b["extensions"]] and periods[0]["description"] == "Bravo holidays"
    # A sees none of B's requests; B's request and decision are as B made them.
    listed = client.get(f"{vp}/demandesPosteriori", headers=a["headers"]).json()
    assert b["demandes"] not in [d["id"] for d in listed] and b["etapes"] not in [d["idEtape"] for d in listed]
    (mine,) = client.get(f"{vp}/demandesPosteriori", headers=hb).json()
    assert (mine["id"], mine["idEtape"], mine["statut"], mine["privacy"]) == (b["demandes"], b["etapes"], "ACCEPTEE", True)
