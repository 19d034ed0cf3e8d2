"""Every error has the API's JSON shape; bad input is 400 naming the parameter, never 422 or 500."""

from __future__ import annotations

from support import login


def test_unknown_route_is_404_with_the_error_shape(client):
    r = client.get(f"{client.base}/no/such/route")
    assert r.status_code == 404
    assert r.json()["oceanStatus"] == "NOT_FOUND" and set(r.json()) == {"status", "oceanStatus", "message"}


def test_wrong_method_is_an_error_body(client):
    r = client.get(f"{client.base}/auth/authenticate2")
    assert r.status_code == 405 and r.json()["status"] == 405


def test_validation_errors_are_400_naming_the_parameter(client, factory):
    cid = factory.customer()
    factory.user("alice", "ADMIN", [cid])
    h = login(client, "alice")
    r = client.post(f"{client.base}/auth/authenticate2", json={"login": "alice"})
    assert r.status_code == 400 and r.json() == {
        "status": 400, "oceanStatus": "BAD_REQUEST", "message": "password is required",
    }
    r = client.post(f"{client.base}/auth/authenticate2", content=b"{not json", headers={"content-type": "application/json"})
    assert r.status_code == 400 and "JSON" in r.json()["message"]
    r = client.get(f"{client.base}/admin/v1/vehicles/notanumber", headers=h)
    assert r.status_code == 400 and r.json()["message"].startswith("id:")
    r = client.post(f"{client.base}/admin/v1/vehicles", headers=h, json={"immatriculation": "AB-123-CD",
                                                                         "numeroEmbarque": -1})
    assert r.status_code == 400 and "numeroEmbarque" in r.json()["message"]
    r = client.post(f"{client.base}/admin/v1/vehicles", headers=h, json={"immatriculation": "AB-123-CD",
                                                                         "numeroEmbarque": 1, "typeMotorisation": "STEAM"})
    assert r.status_code == 400 and "typeMotorisation" in r.json()["message"]
    assert "detail" not in r.json()
