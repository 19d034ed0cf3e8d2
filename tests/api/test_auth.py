"""Authentication, tokens, passwords, customerId rules and rate limits (SPEC §1)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select, update

from support import PASSWORD, login
from fleetprivacy.auth.models import ApiToken
from fleetprivacy.main import create_app


def test_authenticate2_returns_the_reference_shape(client, factory):
    cid = factory.customer()
    factory.user("alice", "ADMIN", [cid])
    r = client.post(f"{client.base}/auth/authenticate2", json={"login": "alice", "password": PASSWORD})
    assert r.status_code == 200
    body = r.json()
    assert set(body) == {"additionalAccountData", "passwordExpirationRemainingDays", "token"}
    assert body["additionalAccountData"] == {}
    assert body["passwordExpirationRemainingDays"] == 365
    assert len(body["token"]) == 128 and int(body["token"], 16) >= 0


def test_deprecated_authenticate_with_query_parameters(client, factory):
    cid = factory.customer()
    factory.user("alice", "ADMIN", [cid])
    r = client.post(f"{client.base}/auth/authenticate", params={"login": "alice", "password": PASSWORD})
    assert r.status_code == 200
    headers = {"X-AUTH-TOKEN": r.json()["token"]}
    assert client.get(f"{client.base}/mobility/v1/entities", headers=headers).status_code == 200


def test_unknown_login_and_wrong_password_answer_identically(client, factory):
    cid = factory.customer()
    factory.user("alice", "ADMIN", [cid])
    wrong = client.post(f"{client.base}/auth/authenticate2", json={"login": "alice", "password": "nope-nope-nope"})
    unknown = client.post(f"{client.base}/auth/authenticate2", json={"login": "bob", "password": "nope-nope-nope"})
    assert wrong.status_code == unknown.status_code == 401
    assert wrong.json() == unknown.json() == {
        "status": 401, "oceanStatus": "UNAUTHORIZED", "message": "login or password incorrect",
    }


def test_tokens_are_stored_only_as_hashes(client, factory, db):
    cid = factory.customer()
    factory.user("alice", "ADMIN", [cid])
    token = login(client, "alice")["X-AUTH-TOKEN"]
    with db.session() as session:
        stored = list(session.scalars(select(ApiToken.token_hash)))
    assert len(stored) == 1 and token not in stored and len(stored[0]) == 64


def test_header_name_is_case_insensitive_and_missing_token_is_401(client, factory):
    cid = factory.customer()
    factory.user("alice", "ADMIN", [cid])
    token = login(client, "alice")["X-AUTH-TOKEN"]
    assert client.get(f"{client.base}/mobility/v1/entities", headers={"x-auth-token": token}).status_code == 200
    r = client.get(f"{client.base}/mobility/v1/entities")
    assert r.status_code == 401 and "X-AUTH-TOKEN" in r.json()["message"]
    r = client.get(f"{client.base}/mobility/v1/entities", headers={"X-AUTH-TOKEN": "f" * 128})
    assert r.status_code == 401


def test_expired_token_is_refused(client, factory, db):
    cid = factory.customer()
    factory.user("alice", "ADMIN", [cid])
    headers = login(client, "alice")
    with db.session() as session:
        session.execute(update(ApiToken).values(expires_at=datetime(2020, 1, 1, tzinfo=UTC)))
    r = client.get(f"{client.base}/mobility/v1/entities", headers=headers)
    assert r.status_code == 401 and "expired" in r.json()["message"]


def test_token_lifetime_is_twelve_hours(client, factory, db):
    cid = factory.customer()
    factory.user("alice", "ADMIN", [cid])
    login(client, "alice")
    with db.session() as session:
        token = session.scalar(select(ApiToken))
    assert token.expires_at - token.created_at == timedelta(hours=12)


def test_failed_logins_are_throttled_with_retry_after(db, settings, factory):
    from fastapi.testclient import TestClient

    cid = factory.customer()
    factory.user("alice", "ADMIN", [cid])
    app = create_app(settings.model_copy(update={"failed_login_limit": "3/minute"}))
    with TestClient(app) as c:
        url = f"{settings.base_path}/auth/authenticate2"
        codes = [c.post(url, json={"login": "alice", "password": "bad-password"}).status_code for _ in range(3)]
        assert codes == [401, 401, 401]
        r = c.post(url, json={"login": "alice", "password": PASSWORD})
        assert r.status_code == 429
        assert int(r.headers["Retry-After"]) >= 1
        assert r.json()["oceanStatus"] == "TOO_MANY_REQUESTS"
    app.state.db.engine.dispose()


def test_change_password(client, factory):
    cid = factory.customer()
    factory.user("alice", "ADMIN", [cid])
    first = login(client, "alice")
    second = login(client, "alice")
    url = f"{client.base}/auth/changePassword"
    new = "a much better password"

    r = client.post(url, params={"actualPassword": "wrong-password", "newPassword": new, "newPasswordConfirmed": new},
                    headers=first)
    assert r.status_code == 400 and "actualPassword" in r.json()["message"]
    r = client.post(url, params={"actualPassword": PASSWORD, "newPassword": new, "newPasswordConfirmed": new + "x"},
                    headers=first)
    assert r.status_code == 400 and "newPasswordConfirmed" in r.json()["message"]
    r = client.post(url, params={"actualPassword": PASSWORD, "newPassword": "short", "newPasswordConfirmed": "short"},
                    headers=first)
    assert r.status_code == 400 and "newPassword" in r.json()["message"]
    r = client.post(url, params={"actualPassword": PASSWORD, "newPassword": new}, headers=first)
    assert r.status_code == 400 and "newPasswordConfirmed" in r.json()["message"]

    r = client.post(url, params={"actualPassword": PASSWORD, "newPassword": new, "newPasswordConfirmed": new},
                    headers=first)
    assert r.status_code == 200 and r.json() is True
    # The caller's token stays valid, the other session is revoked, the old password is gone.
    assert client.get(f"{client.base}/mobility/v1/entities", headers=first).status_code == 200
    assert client.get(f"{client.base}/mobility/v1/entities", headers=second).status_code == 401
    bad = client.post(f"{client.base}/auth/authenticate2", json={"login": "alice", "password": PASSWORD})
    assert bad.status_code == 401
    login(client, "alice", new)


def test_customer_id_rules(client, factory):
    a = factory.customer("A")
    b = factory.customer("B")
    c = factory.customer("C")
    factory.user("single", "ADMIN", [a])
    factory.user("multi", "ADMIN", [a, b])
    url = f"{client.base}/mobility/v1/entities"
    single, multi = login(client, "single"), login(client, "multi")
    assert client.get(url, headers=single).status_code == 200
    assert client.get(url, headers=single, params={"customerId": a}).status_code == 200
    r = client.get(url, headers=single, params={"customerId": b})
    assert r.status_code == 403 and "customerId" in r.json()["message"]
    r = client.get(url, headers=multi)
    assert r.status_code == 400 and "customerId" in r.json()["message"]
    assert client.get(url, headers=multi, params={"customerId": b}).status_code == 200
    assert client.get(url, headers=multi, params={"customerId": c}).status_code == 403
    r = client.get(url, headers=multi, params={"customerId": "abc"})
    assert r.status_code == 400 and "customerId" in r.json()["message"]


def test_rate_limit_per_token_and_per_address(db, settings, factory):
    from fastapi.testclient import TestClient

    cid = factory.customer()
    factory.user("alice", "ADMIN", [cid])
    app = create_app(settings.model_copy(update={"rate_limit_per_token": "3/minute",
                                                 "rate_limit_per_address": "4/minute"}))
    with TestClient(app) as c:
        base = settings.base_path
        token = c.post(f"{base}/auth/authenticate2", json={"login": "alice", "password": PASSWORD}).json()["token"]
        h = {"X-AUTH-TOKEN": token}
        codes = [c.get(f"{base}/mobility/v1/entities", headers=h).status_code for _ in range(4)]
        assert codes == [200, 200, 200, 429]
        r = c.get(f"{base}/mobility/v1/entities", headers=h)
        assert r.status_code == 429 and int(r.headers["Retry-After"]) >= 1
        assert r.json()["oceanStatus"] == "TOO_MANY_REQUESTS"
        # Before login the address is counted: one login already spent, three more allowed.
        anon = [c.get(f"{base}/mobility/v1/entities").status_code for _ in range(4)]
        assert anon == [401, 401, 401, 429]
    app.state.db.engine.dispose()
