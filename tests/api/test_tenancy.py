"""Tenancy: every customer-owned table carries customer_id, and no route leaks another customer's data.

The route walk lists every route of the app: a new route that this table does not cover fails the test,
so each new endpoint must say how it is probed with another customer's ids."""

from __future__ import annotations

import json

import pytest

from fleetprivacy.core.models import Base

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
        ids[prefix] = {"tenant": t, "headers": h, "entities": e["id"], "groupes": g["id"], "individus": i["id"],
                       "vehicles": v["id"], "affectations": a["id"], "slotRows": row[0]["id"],
                       "extensions": ext[0]["id"]}
    return ids


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
    probes[("GET", "/admin/v1/audit")] = [
        {"params": {}}, {"params": {"individuId": b["individus"]}}, {"params": {"objectId": b["individus"]}},
        {"params": {"objectType": "exceptional_schedule"}}, {"params": {"objectType": "individu"}},
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
