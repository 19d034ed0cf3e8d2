"""Shared fixtures: a real database (SQLite by default, PostgreSQL with FLEETPRIVACY_TEST_DATABASE_URL),
built by the migrations once per run and emptied after every test, and factories for data."""

from __future__ import annotations

import os
import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
import uvicorn
from hypothesis import settings as hypothesis_settings

# CI runs the property tests on a fixed sequence of examples, so that a red build is reproducible;
# developers' runs keep exploring new examples.
hypothesis_settings.register_profile("ci", derandomize=True, print_blob=True)
if os.environ.get("CI"):
    hypothesis_settings.load_profile("ci")

# Cheap password hashing for tests only (hashes stay argon2id; the parameters are in each hash).
os.environ.setdefault("FLEETPRIVACY_PASSWORD_HASH_TIME_COST", "1")
os.environ.setdefault("FLEETPRIVACY_PASSWORD_HASH_MEMORY_KIB", "1024")
from fastapi.testclient import TestClient
from sqlalchemy import text
from sqlalchemy.engine import make_url

from fleetprivacy.auth.service import create_user
from fleetprivacy.config import Settings
from fleetprivacy.core.models import Base
from fleetprivacy.db import Database
from fleetprivacy.main import create_app
from fleetprivacy.migrate import upgrade
from fleetprivacy.reference.service import create_customer
from support import PASSWORD, free_port, login



def _postgres_url(base: str) -> str:
    # Each run works in its own schema, dropped at the end, so runs never see each other's rows.
    schema = f"fp_test_{uuid.uuid4().hex[:10]}"
    admin = Database(base)
    with admin.engine.begin() as conn:
        conn.execute(text(f"CREATE SCHEMA {schema}"))
    admin.engine.dispose()
    url = make_url(base)
    return url.update_query_dict({"options": f"-csearch_path={schema}"}).render_as_string(hide_password=False)


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The URL of a freshly migrated database for this test run."""
    base = os.environ.get("FLEETPRIVACY_TEST_DATABASE_URL")
    if base:
        url = _postgres_url(base)
    else:
        url = f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.db'}"
    db = Database(url)
    upgrade(db.engine)
    db.engine.dispose()
    yield url
    if base:
        schema = make_url(url).query["options"].split("=", 1)[1]
        admin = Database(base)
        with admin.engine.begin() as conn:
            conn.execute(text(f"DROP SCHEMA {schema} CASCADE"))
        admin.engine.dispose()


@pytest.fixture
def db(database_url: str) -> Iterator[Database]:
    """The test database; every table is emptied after the test."""
    database = Database(database_url)
    yield database
    with database.engine.begin() as conn:
        tables = [t.name for t in reversed(Base.metadata.sorted_tables)]
        if database.is_sqlite:
            for name in tables:
                conn.execute(text(f"DELETE FROM {name}"))
        else:
            conn.execute(text(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE"))
    database.engine.dispose()


@pytest.fixture
def settings(database_url: str) -> Settings:
    """Settings for an in-process app, with limits high enough not to interfere."""
    return Settings(
        database_url=database_url,
        redis_url=None,
        rate_limit_per_token="100000/minute",
        rate_limit_per_address="100000/minute",
        failed_login_limit="1000/minute",
    )


@pytest.fixture
def client(db: Database, settings: Settings) -> Iterator[TestClient]:
    """A client of the real app on the real test database."""
    app = create_app(settings)
    with TestClient(app) as test_client:
        test_client.base = settings.base_path  # type: ignore[attr-defined]
        yield test_client
    app.state.db.engine.dispose()


@dataclass
class Tenant:
    customer_id: int
    admin: str
    manager: str
    driver: str
    individu_id: int


@pytest.fixture
def factory(db: Database):  # type: ignore[no-untyped-def]
    """Creates customers, users and a small reference set through the real services."""

    class Factory:
        def customer(self, name: str = "Acme", timezone: str = "Europe/Paris", code: str | None = None) -> int:
            with db.session() as session:
                return create_customer(session, name, timezone, code).id

        def user(self, login: str, role: str, customer_ids: list[int], individu_id: int | None = None) -> str:
            with db.session() as session:
                create_user(
                    session, login=login, password=PASSWORD, role=role, customer_ids=customer_ids,
                    individu_id=individu_id,
                )
            return login

        def individu(self, customer_id: int, nom: str = "Durand") -> int:
            from fleetprivacy.reference.models import Individu

            with db.session() as session:
                ind = Individu(customer_id=customer_id, nom_ind=nom)
                session.add(ind)
                session.flush()
                return ind.id

        def tenant(self, prefix: str, timezone: str = "Europe/Paris") -> Tenant:
            cid = self.customer(f"{prefix} SA", timezone, f"{prefix.upper()}-CODE")
            ind = self.individu(cid, f"{prefix} driver")
            return Tenant(
                customer_id=cid,
                admin=self.user(f"{prefix}-admin", "ADMIN", [cid]),
                manager=self.user(f"{prefix}-manager", "MANAGER", [cid]),
                driver=self.user(f"{prefix}-driver", "DRIVER", [cid], ind),
                individu_id=ind,
            )

    return Factory()


@pytest.fixture
def auth(client: TestClient):  # type: ignore[no-untyped-def]
    """`auth(login)` -> headers with a token."""
    return lambda user, password=PASSWORD: login(client, user, password)


@pytest.fixture
def live_server(db: Database, settings: Settings) -> Iterator[str]:
    """The base URL of the real app served over HTTP (uvicorn) from a background thread."""
    app = create_app(settings)
    port = free_port()
    srv = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not srv.started:
        assert thread.is_alive() and time.monotonic() < deadline, "server did not start"
        time.sleep(0.02)
    yield f"http://127.0.0.1:{port}{settings.base_path}"
    srv.should_exit = True
    thread.join(timeout=10)
    app.state.db.engine.dispose()


@pytest.fixture
def run_cli(monkeypatch: pytest.MonkeyPatch, database_url: str, db: Database):  # type: ignore[no-untyped-def]
    """Run the command line in-process against the test database; returns (exit code, stdout, stderr)."""
    from typer.testing import CliRunner

    from fleetprivacy import cli as cli_module

    monkeypatch.setattr(cli_module, "get_settings", lambda: Settings(database_url=database_url))
    runner = CliRunner()

    def invoke(*args: str):  # type: ignore[no-untyped-def]
        result = runner.invoke(cli_module.app, list(args))
        return result.exit_code, result.stdout, result.stderr

    return invoke
