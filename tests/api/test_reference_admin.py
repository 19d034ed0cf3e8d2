"""Admin REST API for reference data: rules, roles, logical deletion, audit, and bad input losing nothing."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from fleetprivacy.core.audit import AuditEntry


@pytest.fixture
def admin(client, factory, auth):
    t = factory.tenant("acme")
    return t, auth(t.admin)


def _post(client, headers, path, body):
    return client.post(f"{client.base}/admin/v1/{path}", headers=headers, json=body)


def test_entity_tree_crud(client, admin):
    _t, h = admin
    root = _post(client, h, "entities", {"nom": "Siège"}).json()
    child = _post(client, h, "entities", {"nom": "Lyon", "parentId": root["id"]})
    assert child.status_code == 201
    child = child.json()
    assert child == {"id": child["id"], "nom": "Lyon", "suppressionLogique": False, "parentId": root["id"]}
    r = client.put(f"{client.base}/admin/v1/entities/{root['id']}", headers=h, json={"parentId": child["id"]})
    assert r.status_code == 400 and "cycle" in r.json()["message"]
    r = client.put(f"{client.base}/admin/v1/entities/{root['id']}", headers=h, json={"parentId": root["id"]})
    assert r.status_code == 400
    r = client.put(f"{client.base}/admin/v1/entities/{child['id']}", headers=h, json={"nom": "Lyon Part-Dieu"})
    assert r.json()["nom"] == "Lyon Part-Dieu" and r.json()["parentId"] == root["id"]
    listed = client.get(f"{client.base}/admin/v1/entities", headers=h).json()
    assert [e["nom"] for e in listed] == ["Siège", "Lyon Part-Dieu"]


def test_logical_deletion_keeps_the_row(client, admin):
    _t, h = admin
    g = _post(client, h, "groupes", {"descriptionGrp": "Commerciaux"}).json()
    r = client.delete(f"{client.base}/admin/v1/groupes/{g['id']}", headers=h)
    assert r.status_code == 200 and r.json()["suppressionLogique"] is True
    assert client.get(f"{client.base}/admin/v1/groupes", headers=h).json() == []
    assert len(client.get(f"{client.base}/admin/v1/groupes", headers=h, params={"includeDeleted": True}).json()) == 1
    assert client.get(f"{client.base}/admin/v1/groupes/{g['id']}", headers=h).status_code == 200
    # Idempotent.
    assert client.delete(f"{client.base}/admin/v1/groupes/{g['id']}", headers=h).status_code == 200


def test_individu_references_must_be_the_customers(client, admin):
    _t, h = admin
    r = _post(client, h, "individus", {"nomInd": "Durand", "entiteId": 999999})
    assert r.status_code == 404 and "entiteId" in r.json()["message"]
    r = _post(client, h, "individus", {"nomInd": "Durand", "idCivilite": 7})
    assert r.status_code == 400 and "idCivilite" in r.json()["message"]
    e = _post(client, h, "entities", {"nom": "Siège"}).json()
    r = _post(client, h, "individus", {"nomInd": "Durand", "prenomInd": "Anne", "entiteId": e["id"], "idCivilite": 2})
    assert r.status_code == 201 and r.json()["entiteId"] == e["id"] and r.json()["idCivilite"] == 2


def test_vehicle_number_is_unique_per_customer(client, admin, factory, auth):
    _t, h = admin
    body = {"immatriculation": "AB-123-CD", "numeroEmbarque": 42, "typeMotorisation": "ELECTRIQUE",
            "valeurConsommation": 16.5}
    first = _post(client, h, "vehicles", body)
    assert first.status_code == 201
    v = first.json()
    assert v["privacyEnabled"] is True and v["geolocalise"] is True and v["valeurConsommation"] == 16.5
    r = _post(client, h, "vehicles", {**body, "immatriculation": "ZZ-999-ZZ"})
    assert r.status_code == 409 and "numeroEmbarque" in r.json()["message"]
    # Nothing was lost or changed by the refused write.
    assert [x["immatriculation"] for x in client.get(f"{client.base}/admin/v1/vehicles", headers=h).json()] == [
        "AB-123-CD"]
    # Another customer may use the same number.
    other = factory.tenant("other")
    assert _post(client, auth(other.admin), "vehicles", body).status_code == 201
    r = client.put(f"{client.base}/admin/v1/vehicles/{v['id']}", headers=h, json={"numeroEmbarque": None})
    assert r.status_code == 400 and "numeroEmbarque" in r.json()["message"]


def test_assignments_of_a_vehicle_must_not_overlap(client, admin):
    t, h = admin
    v = _post(client, h, "vehicles", {"immatriculation": "AB-123-CD", "numeroEmbarque": 1}).json()
    base = {"individuId": t.individu_id, "vehiculeId": v["id"]}
    a = _post(client, h, "affectations", {**base, "dateDebut": "2026-01-01T00:00:00+01:00",
                                           "dateFin": "2026-02-01T00:00:00+01:00", "isVehiculeFonction": True})
    assert a.status_code == 201 and a.json()["isVehiculeFonction"] is True
    r = _post(client, h, "affectations", {**base, "dateDebut": "2026-01-31T00:00:00+01:00"})
    assert r.status_code == 409
    # Half-open: starting exactly at the previous end is fine.
    assert _post(client, h, "affectations", {**base, "dateDebut": "2026-02-01T00:00:00+01:00"}).status_code == 201
    r = _post(client, h, "affectations", {**base, "dateDebut": "2027-01-01T00:00:00Z", "dateFin": "2026-01-01T00:00:00Z"})
    assert r.status_code == 409 or r.status_code == 400
    r = _post(client, h, "affectations", {"individuId": t.individu_id, "vehiculeId": 999999,
                                          "dateDebut": "2030-01-01T00:00:00Z"})
    assert r.status_code == 404 and "vehiculeId" in r.json()["message"]


def test_end_before_start_is_refused(client, admin):
    t, h = admin
    v = _post(client, h, "vehicles", {"immatriculation": "AB-123-CD", "numeroEmbarque": 1}).json()
    r = _post(client, h, "affectations", {"individuId": t.individu_id, "vehiculeId": v["id"],
                                          "dateDebut": "2027-01-01T00:00:00Z", "dateFin": "2026-01-01T00:00:00Z"})
    assert r.status_code == 400 and "dateFin" in r.json()["message"]


@pytest.mark.parametrize("role", ["manager", "driver"])
def test_admin_api_needs_the_admin_role(client, factory, auth, role):
    t = factory.tenant("acme")
    h = auth(getattr(t, role))
    r = _post(client, h, "entities", {"nom": "X"})
    assert r.status_code == 403 and r.json()["oceanStatus"] == "FORBIDDEN"
    assert client.get(f"{client.base}/admin/v1/vehicles", headers=h).status_code == 403


def test_every_admin_write_is_audited(client, admin, db):
    _t, h = admin
    e = _post(client, h, "entities", {"nom": "Siège"}).json()
    client.put(f"{client.base}/admin/v1/entities/{e['id']}", headers=h, json={"nom": "HQ"})
    client.delete(f"{client.base}/admin/v1/entities/{e['id']}", headers=h)
    with db.session() as session:
        entries = list(session.scalars(select(AuditEntry).order_by(AuditEntry.id)))
    assert [(x.action, x.object_type, x.object_id) for x in entries] == [
        ("CREATE", "entity", e["id"]), ("UPDATE", "entity", e["id"]), ("DELETE", "entity", e["id"])]
    assert entries[1].before["nom"] == "Siège" and entries[1].after["nom"] == "HQ"
    assert all(x.user_login == "acme-admin" for x in entries)
