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
        ids[prefix] = {"tenant": t, "headers": h, "entities": e["id"], "groupes": g["id"], "individus": i["id"],
                       "vehicles": v["id"], "affectations": a["id"]}
    return ids


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
                r = client.request(method, url, headers=a["headers"], params=probe.get("params"),
                                   json=_resolve(probe.get("json"), a) if "json" in probe else None)
                text = r.text
                assert "Bravo" not in text, f"{method} {url} leaked customer B: {text[:300]}"
                if probe.get("path"):
                    assert r.status_code == 404 or "A:" in json.dumps(probe["path"]), (method, url, r.status_code)
                if probe.get("json") and any(v == b.get(k.replace("Id", "s")) for k, v in probe["json"].items()):
                    assert r.status_code == 404, (method, url, r.status_code, text)
                # Naming customer B explicitly is forbidden.
                r = client.request(method, url, headers=a["headers"],
                                   params={**(probe.get("params") or {}), "customerId": b["tenant"].customer_id},
                                   json=_resolve(probe.get("json"), a) if "json" in probe else None)
                assert r.status_code == 403, (method, url, r.status_code)
    # Customer B's objects are untouched by all of this.
    hb = b["headers"]
    for kind in ("entities", "groupes", "individus", "vehicles", "affectations"):
        r = client.get(f"{base}/admin/v1/{kind}/{b[kind]}", headers=hb)
        assert r.status_code == 200 and r.json()["suppressionLogique"] is False
