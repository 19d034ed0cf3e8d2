"""`fleetprivacy reclassify`: a JSON summary, the same table after every run (idempotent)."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from fleetprivacy.classification.models import EtapePart
from fleetprivacy.reference.models import Customer, Individu, Vehicle
from fleetprivacy.schedules.importer import import_schedules
from fleetprivacy.trips import service as trips
from fleetprivacy.trips.segmentation import DEFAULT_CONFIG
from trips_support import commute_day


def _table(db, customer_id):
    with db.session() as session:
        return sorted(
            (p.etape_id, p.variant, p.local_date, p.start_ms, p.end_ms, p.source, p.private_duration_s,
             p.private_distance_m, p.pro_duration_s, p.pro_distance_m)
            for p in session.scalars(select(EtapePart).where(EtapePart.customer_id == customer_id)))


def test_reclassify_twice_gives_the_same_table(run_cli, db, factory):
    customer_id = factory.customer("Reclass SA")
    with db.session() as session:
        ind = Individu(customer_id=customer_id, nom_ind="R", badge="RB")
        v = Vehicle(customer_id=customer_id, immatriculation="RC-1", numero_embarque=1)
        session.add_all([ind, v])
        session.flush()
        ctx = trips.system_ctx(session, customer_id)
        slot = {"idJourSemaine": "LUNDI", "typeHoraires": "VIE_PRIVEE", "debutHeure": 9, "debutMinute": 40,
                "finHeure": 24, "finMinute": 0}
        import_schedules(session, ctx, {"individus": [{"individuId": ind.id, "versions": [
            {"debut": "2025-01-01T00:00:00", "innerMap": {"map": {"LUNDI": {"VIE_PRIVEE": [slot]}}}}]}]})
        trips.ingest_fixes(session, ctx, v, [f._replace(badge="RB") for f in commute_day()], DEFAULT_CONFIG)
    stored = _table(db, customer_id)
    assert len(stored) == 4 and {r[5] for r in stored} == {"AUCUN", "HORAIRE"}
    with db.session() as session:  # a bug "fixed" in the stored rows: reclassify restores them
        for p in session.scalars(select(EtapePart).where(EtapePart.customer_id == customer_id)):
            p.private_distance_m = -1.0
    code, out, err = run_cli("reclassify", "--customer", str(customer_id))
    assert code == 0, err
    assert json.loads(out) == {"customerId": customer_id, "etapes": 5, "trips": 2, "etapeParts": 4}
    assert _table(db, customer_id) == stored
    code, out2, _ = run_cli("reclassify", "--customer", str(customer_id), "--from", "05/01/2026", "--to", "05/01/2026")
    assert code == 0 and json.loads(out2) == json.loads(out)
    assert _table(db, customer_id) == stored
    code, out3, _ = run_cli("reclassify", "--customer", str(customer_id), "--from", "06/01/2026")
    assert code == 0 and json.loads(out3)["etapes"] == 0
    # A changed setting: whole trips by their start instant (the 09:30-09:50 trip, split at 09:40, goes professional).
    with db.session() as session:
        session.get(Customer, customer_id).classify_by_start = True
    assert run_cli("reclassify", "--customer", str(customer_id))[0] == 0
    changed = _table(db, customer_id)
    assert changed != stored and changed[0][6] == 0 and stored[0][6] == pytest.approx(600.0)
    code, _, err = run_cli("reclassify", "--customer", "999999")
    assert code == 2 and "not found" in err
    code, _, err = run_cli("reclassify", "--customer", str(customer_id), "--from", "2026-01-05")
    assert code == 2 and "dd/MM/yyyy" in err
    # Far dates crashed with an OverflowError traceback.
    for option, day in (("--from", "01/01/0001"), ("--to", "31/12/9999")):
        code, _, err = run_cli("reclassify", "--customer", str(customer_id), option, day)
        assert code == 2 and f"{option} must be between" in err
