"""`fleetprivacy import schedules FILE.json`: the historical import from the command line."""

from __future__ import annotations

import json
import os

from sqlalchemy import select

from fleetprivacy.core.audit import AuditEntry
from fleetprivacy.db import Database
from fleetprivacy.migrate import upgrade
from fleetprivacy.reference.models import Individu
from fleetprivacy.reference.service import create_customer
from fleetprivacy.schedules import service
from support import cli

SLOT = {"idJourSemaine": "LUNDI", "typeHoraires": "VIE_PRIVEE", "debutHeure": 0, "debutMinute": 0,
        "finHeure": 8, "finMinute": 0}


def test_cli_import_prints_a_summary_and_refuses_a_second_time(tmp_path):
    url = f"sqlite:///{tmp_path / 'fp.db'}"
    db = Database(url)
    upgrade(db.engine)
    with db.session() as session:
        customer = create_customer(session, "Acme", "Europe/Paris", None)
        individu = Individu(customer_id=customer.id, nom_ind="Durand")
        session.add(individu)
        session.flush()
        customer_id, individu_id = customer.id, individu.id
    data = {"individus": [{
        "individuId": individu_id,
        "versions": [{"debut": "2024-01-01T00:00:00+01:00", "fin": None, "innerMap": {"map": {"LUNDI": {
            "VIE_PRIVEE": [SLOT]}}}}],
        "exceptionnelles": [{"description": "NOEL", "debut": "2024-12-25T00:00:00", "fin": "2024-12-26T00:00:00"}],
    }]}
    path = tmp_path / "schedules.json"
    path.write_text(json.dumps(data))
    env = {**os.environ, "FLEETPRIVACY_DATABASE_URL": url}
    r = cli("import", "schedules", str(path), "--customer", str(customer_id), env=env)
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout) == {"customerId": customer_id, "individus": [
        {"individuId": individu_id, "versions": 1, "exceptionnelles": 1}], "versions": 1, "exceptionnelles": 1}
    with db.session() as session:
        ctx = service.system_ctx(session, customer_id)
        rows = service.list_recurring(session, ctx, individu_id, historique=True)
        assert [(row["debut"], row["fin"]) for row in rows] == [(1704063600000, None)]
        [period] = service.list_exceptional(session, ctx, individu_id)
        assert period["utilisateur"] is None and period["description"] == "NOEL"
        entries = session.scalars(select(AuditEntry).order_by(AuditEntry.id)).all()
        assert [(e.action, e.user_login, e.user_id) for e in entries] == [("IMPORT", "cli", None)] * 2
    # History exists now: refused, nothing written, a clear message and exit code 2.
    r = cli("import", "schedules", str(path), env=env)  # the only customer: --customer may be left out
    assert r.returncode == 2 and "already has schedule history" in r.stderr and r.stdout == ""
    with db.session() as session:
        assert len(session.scalars(select(AuditEntry)).all()) == 2
    db.engine.dispose()
