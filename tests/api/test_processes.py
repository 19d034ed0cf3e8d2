"""Real server processes: the CLI, and two servers sharing one Redis rate-limit counter."""

from __future__ import annotations

import json
import os
import uuid

import httpx2 as httpx
import pytest
import redis

from support import Server, cli

REDIS_URL = os.environ.get("FLEETPRIVACY_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")


@pytest.fixture
def env(tmp_path):
    e = dict(os.environ)
    e["FLEETPRIVACY_DATABASE_URL"] = f"sqlite:///{tmp_path / 'fp.db'}"
    e.pop("FLEETPRIVACY_REDIS_URL", None)
    return e


def test_cli_creates_customer_and_user_as_json(env):
    r = cli("admin", "create-customer", "--name", "Acme", "--timezone", "America/Los_Angeles",
            "--code-exploitant", "ACME", env=env)
    assert r.returncode == 0, r.stderr
    customer = json.loads(r.stdout)
    assert customer["name"] == "Acme" and customer["timezone"] == "America/Los_Angeles"
    assert customer["codeExploitant"] == "ACME"
    r = cli("admin", "create-user", "--login", "boss", "--password", "long enough pw", "--role", "ADMIN",
            "--customer", str(customer["id"]), env=env)
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout) == {"id": 1, "login": "boss", "role": "ADMIN", "customerIds": [customer["id"]],
                                    "individuId": None}


@pytest.fixture(scope="module")
def env_with_customer(tmp_path_factory):
    e = dict(os.environ)
    e["FLEETPRIVACY_DATABASE_URL"] = f"sqlite:///{tmp_path_factory.mktemp('cli') / 'fp.db'}"
    assert cli("admin", "create-customer", "--name", "Acme", env=e).returncode == 0
    return e


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["create-customer", "--name", "X", "--timezone", "Mars/Olympus"], "timezone"),
        (["create-user", "--login", "x", "--password", "long enough pw", "--role", "BOSS", "--customer", "1"], "role"),
        (["create-user", "--login", "x", "--password", "short", "--role", "ADMIN", "--customer", "1"], "password"),
        (["create-user", "--login", "x", "--password", "long enough pw", "--role", "ADMIN", "--customer", "99"],
         "customer 99"),
        (["create-user", "--login", "x", "--password", "long enough pw", "--role", "DRIVER", "--customer", "1"],
         "individu"),
    ],
)
def test_cli_errors_are_clear(env_with_customer, args, message):
    r = cli("admin", *args, env=env_with_customer)
    assert r.returncode == 2 and message in r.stderr and r.stdout == ""


def test_two_server_processes_share_the_redis_counter(env):
    try:
        redis.Redis.from_url(REDIS_URL).ping()
    except redis.RedisError as exc:  # pragma: no cover - CI always has Redis
        pytest.fail(f"Redis is required for this test at {REDIS_URL}: {exc}")
    customer = json.loads(cli("admin", "create-customer", "--name", "Acme", env=env).stdout)
    assert cli("admin", "create-user", "--login", "boss", "--password", "long enough pw", "--role", "ADMIN",
               "--customer", str(customer["id"]), env=env).returncode == 0
    env = {**env, "FLEETPRIVACY_REDIS_URL": REDIS_URL, "FLEETPRIVACY_RATE_LIMIT_PER_TOKEN": "6/minute",
           "FLEETPRIVACY_RATE_LIMIT_KEY_PREFIX": f"fp-test-{uuid.uuid4().hex}"}
    with Server(env) as one, Server(env) as two:
        token = httpx.post(f"{one.base}/auth/authenticate2", json={"login": "boss", "password": "long enough pw"}
                           ).json()["token"]
        h = {"X-AUTH-TOKEN": token}
        codes = []
        for _ in range(4):  # alternating servers: 8 requests against one shared limit of 6
            codes.append(httpx.get(f"{one.base}/mobility/v1/entities", headers=h).status_code)
            codes.append(httpx.get(f"{two.base}/mobility/v1/entities", headers=h).status_code)
        assert codes == [200] * 6 + [429, 429]
        r = httpx.get(f"{two.base}/mobility/v1/entities", headers=h)
        assert r.status_code == 429 and int(r.headers["Retry-After"]) >= 1


def test_reference_curls_against_a_real_server(env):
    """The reference's examples, with only scheme/host/port changed, after authenticate2."""
    customer = json.loads(cli("admin", "create-customer", "--name", "Acme", env=env).stdout)
    assert cli("admin", "create-user", "--login", "boss", "--password", "long enough pw", "--role", "ADMIN",
               "--customer", str(customer["id"]), env=env).returncode == 0
    with Server(env) as server:
        r = httpx.post(f"{server.base}/auth/authenticate2", json={"login": "boss", "password": "long enough pw"})
        h = {"x-auth-token": r.json()["token"]}
        v = httpx.post(f"{server.base}/admin/v1/vehicles", headers=h,
                       json={"immatriculation": "AB-123-CD", "numeroEmbarque": 2})
        assert v.status_code == 201
        r = httpx.post(f"{server.base}/individus/list?customerId={customer['id']}", headers=h)
        assert r.status_code == 200 and r.json() == []
        r = httpx.get(f"{server.base}/vehicule_engin/vehicles?customerId={customer['id']}&immatriculation=AB-123-CD",
                      headers=h)
        assert r.status_code == 200 and r.json()[0]["vehicle"]["numeroEmbarque"] == 2
        page = httpx.get(f"{server.base}/common/openapi/explorer")
        assert page.status_code == 200 and "cdn" not in page.text  # works without internet
        for asset, media in (("swagger-ui-bundle.js", "javascript"), ("swagger-ui.css", "css")):
            assert f"/common/openapi/{asset}" in page.text
            got = httpx.get(f"{server.base}/common/openapi/{asset}")
            assert got.status_code == 200 and media in got.headers["content-type"] and len(got.content) > 10_000
