"""Regression tests for what a hostile or clumsy integrator tried: each failed before its fix."""

from __future__ import annotations

import json

import pytest
from fastapi.testclient import TestClient

from fleetprivacy.main import create_app
from support import PASSWORD

BIG = 2**63  # one past the largest 64-bit id


@pytest.fixture
def acme(client, factory, auth):
    t = factory.tenant("acme")
    h = auth(t.admin)
    post = lambda path, body: client.post(f"{client.base}/admin/v1/{path}", headers=h, json=body)  # noqa: E731
    e = post("entities", {"nom": "HQ"}).json()
    v1 = post("vehicles", {"immatriculation": "AA-1", "numeroEmbarque": 1}).json()
    v2 = post("vehicles", {"immatriculation": "AA-2", "numeroEmbarque": 2}).json()
    return t, h, post, e, v1, v2


def test_ids_beyond_64_bits_are_404_or_400_never_500(client, acme):
    t, h, post, e, v1, _ = acme
    for method in ("GET", "PUT", "DELETE"):
        r = client.request(method, f"{client.base}/admin/v1/vehicles/{BIG}", headers=h, json={})
        assert r.status_code == 400 and "id" in r.json()["message"], (method, r.text)
    for body, field in (({"nom": "x", "parentId": BIG}, "parentId"),):
        r = post("entities", body)
        assert r.status_code == 400 and field in r.json()["message"]
    r = post("vehicles", {"immatriculation": "x", "numeroEmbarque": BIG})
    assert r.status_code == 400 and "numeroEmbarque" in r.json()["message"]
    r = post("affectations", {"individuId": BIG, "vehiculeId": v1["id"], "dateDebut": "2030-01-01T00:00:00Z"})
    assert r.status_code == 400 and "individuId" in r.json()["message"]
    r = client.get(f"{client.base}/mobility/v1/entities", headers=h, params={"customerId": BIG})
    assert r.status_code == 400 and "customerId" in r.json()["message"]


def test_put_duplicating_a_vehicle_number_is_409_and_changes_nothing(client, acme):
    _t, h, _post, _e, v1, v2 = acme
    r = client.put(f"{client.base}/admin/v1/vehicles/{v2['id']}", headers=h, json={"numeroEmbarque": 1})
    assert r.status_code == 409 and "numeroEmbarque" in r.json()["message"]
    assert client.get(f"{client.base}/admin/v1/vehicles/{v2['id']}", headers=h).json()["numeroEmbarque"] == 2


@pytest.mark.parametrize("instant", ["0001-01-01T00:00:00+14:00", "9999-12-31T23:59:59-14:00", 1700000000])
def test_out_of_range_or_numeric_instants_are_400(client, acme, instant):
    t, _h, post, _e, v1, _ = acme
    r = post("affectations", {"individuId": t.individu_id, "vehiculeId": v1["id"], "dateDebut": instant})
    assert r.status_code == 400 and "dateDebut" in r.json()["message"]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"nom": "x", "parentId": True}, "parentId"),
        ({"nom": "x", "parentId": "1"}, "parentId"),
        ({"nom": "x", "parentId": 1.0}, "parentId"),
    ],
)
def test_wrong_types_are_refused_not_converted(client, acme, body, field):
    post = acme[2]
    r = post("entities", body)
    assert r.status_code == 400 and field in r.json()["message"]


def test_wrong_types_on_vehicles(client, acme):
    post = acme[2]
    for body, field in (({"immatriculation": "x", "numeroEmbarque": "7001"}, "numeroEmbarque"),
                        ({"immatriculation": "x", "numeroEmbarque": 9, "privacyEnabled": "yes"}, "privacyEnabled"),
                        ({"immatriculation": "x", "numeroEmbarque": 9, "valeurConsommation": "NaN"},
                         "valeurConsommation")):
        r = post("vehicles", body)
        assert r.status_code == 400 and field in r.json()["message"], r.text


def test_null_in_a_required_field_of_an_update_names_it(client, acme):
    _t, h, _post, e, _v1, _ = acme
    r = client.put(f"{client.base}/admin/v1/entities/{e['id']}", headers=h, json={"nom": None})
    assert r.status_code == 400 and "nom" in r.json()["message"]


def test_many_repeated_criteria_are_fine(client, acme):
    _t, h, *_ = acme
    r = client.post(f"{client.base}/individus/list", headers=h, params=[("criteria", "WITH_USER")] * 1500)
    assert r.status_code == 200


def test_nul_characters_are_400_before_reaching_the_database(client, acme):
    _t, h, post, *_ = acme
    r = post("entities", {"nom": "x\u0000y"})
    assert r.status_code == 400 and "NUL" in r.json()["message"]
    r = client.post(f"{client.base}/auth/authenticate2", json={"login": "adm\u0000in", "password": "x"})
    assert r.status_code == 400
    r = client.get(f"{client.base}/vehicule_engin/vehicles?immatriculation=%00", headers=h)
    assert r.status_code == 400 and "NUL" in r.json()["message"]


def test_bodies_over_the_cap_are_413(client, acme):
    _t, h, *_ = acme
    huge = json.dumps({"login": "a", "password": "b", **{f"k{i}": i for i in range(200_000)}})
    r = client.post(f"{client.base}/auth/authenticate2", content=huge, headers={"content-type": "application/json"})
    assert r.status_code == 413 and r.json()["status"] == 413


def test_references_to_deleted_objects_are_refused(client, acme):
    t, h, post, e, v1, _ = acme
    client.delete(f"{client.base}/admin/v1/vehicles/{v1['id']}", headers=h)
    r = post("affectations", {"individuId": t.individu_id, "vehiculeId": v1["id"], "dateDebut": "2030-01-01T00:00:00Z"})
    assert r.status_code == 400 and "deleted" in r.json()["message"]
    client.delete(f"{client.base}/admin/v1/entities/{e['id']}", headers=h)
    r = post("entities", {"nom": "child", "parentId": e["id"]})
    assert r.status_code == 400 and "parentId" in r.json()["message"]
    r = post("vehicles", {"immatriculation": "x", "numeroEmbarque": 1})
    assert r.status_code == 409 and "logically deleted" in r.json()["message"]


def test_a_driver_sees_only_their_own_vehicles_and_no_colleague(client, acme, auth, factory):
    t, h, post, _e, v1, v2 = acme
    colleague = post("individus", {"nomInd": "Colleague", "gsm": "+33611111111"}).json()
    post("affectations", {"individuId": t.individu_id, "vehiculeId": v1["id"], "dateDebut": "2020-01-01T00:00:00Z"})
    post("affectations", {"individuId": colleague["id"], "vehiculeId": v2["id"], "dateDebut": "2020-01-01T00:00:00Z"})
    r = client.get(f"{client.base}/vehicule_engin/vehicles", headers=auth(t.driver))
    assert [row["vehicle"]["id"] for row in r.json()] == [v1["id"]]
    assert "Colleague" not in r.text and "+33611111111" not in r.text


def test_change_password_guesses_are_throttled(db, settings, factory):
    cid = factory.customer()
    factory.user("alice", "ADMIN", [cid])
    app = create_app(settings.model_copy(update={"failed_login_limit": "3/minute"}))
    with TestClient(app) as c:
        base = settings.base_path
        token = c.post(f"{base}/auth/authenticate2", json={"login": "alice", "password": PASSWORD}).json()["token"]
        h = {"X-AUTH-TOKEN": token}
        params = {"actualPassword": "guess-guess", "newPassword": "x" * 12, "newPasswordConfirmed": "x" * 12}
        codes = [c.post(f"{base}/auth/changePassword", headers=h, params=params).status_code for _ in range(4)]
        assert codes == [400, 400, 400, 429]
    app.state.db.engine.dispose()


def test_passwords_too_long_to_log_in_with_are_refused(client, factory, auth):
    cid = factory.customer()
    factory.user("alice", "ADMIN", [cid])
    long = "x" * 1001
    r = client.post(f"{client.base}/auth/changePassword", headers=auth("alice"),
                    params={"actualPassword": PASSWORD, "newPassword": long, "newPasswordConfirmed": long})
    assert r.status_code == 400 and "newPassword" in r.json()["message"]


def test_garbage_tokens_are_throttled_per_address(db, settings, factory):
    app = create_app(settings.model_copy(update={"failed_login_limit": "5/minute"}))
    with TestClient(app) as c:
        url = f"{settings.base_path}/mobility/v1/entities"
        codes = [c.get(url, headers={"X-AUTH-TOKEN": f"garbage{i}"}).status_code for i in range(7)]
        assert codes == [401] * 5 + [429] * 2
    app.state.db.engine.dispose()


def test_failed_logins_from_an_address_do_not_lock_out_valid_tokens(db, settings, factory):
    """Five failed logins from one address (a NAT, a proxy) made every request from it 429, valid tokens included."""
    t = factory.tenant("nat")
    app = create_app(settings.model_copy(update={"failed_login_limit": "5/minute"}))
    with TestClient(app) as c:
        base = settings.base_path
        token = c.post(f"{base}/auth/authenticate2", json={"login": t.manager, "password": PASSWORD}).json()["token"]
        for _ in range(5):
            assert c.post(f"{base}/auth/authenticate2", json={"login": "nobody", "password": "x" * 12}).status_code == 401
        assert c.post(f"{base}/auth/authenticate2", json={"login": "nobody", "password": "x" * 12}).status_code == 429
        url = f"{base}/mobility/v1/entities"
        assert c.get(url, headers={"X-AUTH-TOKEN": token}).status_code == 200
        r = c.get(url, headers={"X-AUTH-TOKEN": "garbage"})
        assert r.status_code == 429 and r.headers["retry-after"] and r.json()["status"] == 429
    app.state.db.engine.dispose()


def test_openapi_documents_the_error_body_and_the_token(client):
    doc = client.get(f"{client.base}/common/openapi/openapi.json").json()
    assert "HTTPValidationError" not in json.dumps(doc)
    assert doc["components"]["securitySchemes"]["APIKeyHeader"]["name"] == "X-AUTH-TOKEN"
    op = doc["paths"][f"{client.base}/mobility/v1/entities"]["get"]
    assert "422" not in op["responses"] and op["responses"]["401"]["content"]
    assert doc["paths"][f"{client.base}/admin/v1/entities"]["post"]["summary"] == "Create an entity"


@pytest.mark.parametrize(("path", "params", "name"), [
    ("/mobility/v1/ficheJour", {"vehId": "1.0", "date": "05/01/2026"}, "vehId"),
    ("/mobility/v1/entities", {"customerId": "1.0"}, "customerId"),
    ("/vieprivee/v1/horairesViePriveeRecurrentesIndividu", {"individuId": "1", "historique": "yes"}, "historique"),
    ("/admin/v1/vehicles", {"includeDeleted": "on"}, "includeDeleted"),
    ("/admin/v1/audit", {"limit": "1e2"}, "limit"),
    ("/admin/v1/vehicles/1.0", {}, "id"),
])
def test_query_ids_and_flags_are_strict(client, acme, path, params, name):
    """`vehId=1.0`, `historique=yes` or `includeDeleted=on` were converted (and "no" switched a flag off)."""
    _t, h, *_ = acme
    r = client.get(f"{client.base}{path}", headers=h, params=params)
    assert r.status_code == 400 and name in r.json()["message"], r.text


def test_query_booleans_accept_any_case_of_true_and_false(client, acme):
    _t, h, *_ = acme
    for value in ("TRUE", "True", "false"):
        assert client.get(f"{client.base}/admin/v1/vehicles", headers=h, params={"includeDeleted": value}).status_code == 200
