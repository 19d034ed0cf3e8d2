"""Concurrent retroactive requests and decisions against a real HTTP server (the test database:
SQLite or PostgreSQL): one decision per request, at most one decision in force per step."""

from __future__ import annotations


import httpx2 as httpx
from sqlalchemy import select

from fleetprivacy.classification.models import WITH_HORAIRE, EtapePart, RetroRequest
from fleetprivacy.trips.models import TRIP, Etape
from support import PASSWORD, all_at_once
from trips_support import commute_day, wire

CALLERS = 8


def test_concurrent_decisions_and_requests(live_server, factory, db):
    t = factory.tenant("rc")

    def token(login: str) -> dict[str, str]:
        r = httpx.post(f"{live_server}/auth/authenticate2", json={"login": login, "password": PASSWORD})
        return {"X-AUTH-TOKEN": r.json()["token"]}

    admin, manager, driver = token(t.admin), token(t.manager), token(t.driver)
    assert httpx.put(f"{live_server}/admin/v1/individus/{t.individu_id}", headers=admin,
                     json={"badge": "ME"}).status_code == 200
    assert httpx.post(f"{live_server}/admin/v1/vehicles", headers=admin,
                      json={"immatriculation": "RC-1", "numeroEmbarque": 3}).status_code == 201
    assert httpx.put(f"{live_server}/admin/v1/settings", headers=admin,
                     json={"retroactiveWindowDays": 36500}).status_code == 200
    fixes = [f._replace(badge="ME") for f in commute_day()]
    assert httpx.post(f"{live_server}/ingest/v1/positions", headers=admin, timeout=60,
                      json={"numeroEmbarque": 3, "positions": wire(fixes)}).status_code == 200
    with db.session() as session:
        trip, back = session.scalars(select(Etape.id).where(Etape.kind == TRIP).order_by(Etape.start_ms)).all()
    url = f"{live_server}/vieprivee/v1/etapeViePriveePosteriori"

    # A driver's pending request decided by several managers at once: one decision, the others 409.
    r = httpx.post(url, headers=driver, params={"idEtape": trip, "numeroEmbarque": 3, "privacy": True})
    assert r.status_code == 200, r.text
    (pending,) = httpx.get(f"{live_server}/vieprivee/v1/demandesPosteriori", headers=manager,
                           params={"statut": "EN_ATTENTE"}).json()
    decision = f"{live_server}/vieprivee/v1/demandesPosteriori/{pending['id']}/decision"
    answers = all_at_once([
        (lambda i=i: httpx.post(decision, headers=manager if i % 2 else admin, timeout=60,
                                params={"accepte": bool(i % 2)})) for i in range(CALLERS)])
    codes = sorted(a.status_code for a in answers)
    assert codes == [200] + [409] * (CALLERS - 1), [a.text for a in answers]

    # Managers declaring one step at once: exactly one decision stays in force, and the stored
    # classification is that decision's.
    answers = all_at_once([
        (lambda i=i: httpx.post(url, headers=manager, timeout=60,
                                params={"idEtape": back, "numeroEmbarque": 3, "privacy": bool(i % 2)}))
        for i in range(CALLERS)])
    assert all(a.status_code == 200 for a in answers), [a.text for a in answers]
    with db.session() as session:
        accepted = session.scalars(select(RetroRequest).where(
            RetroRequest.etape_id == back, RetroRequest.statut == "ACCEPTEE")).all()
        assert len(accepted) == 1, [(r.id, r.privacy) for r in accepted]
        parts = session.scalars(select(EtapePart).where(EtapePart.etape_id == back,
                                                        EtapePart.variant == WITH_HORAIRE)).all()
        private = sum(p.private_duration_s for p in parts)
        assert parts and all(p.source == "POSTERIORI" for p in parts)
        assert (private > 0) == accepted[0].privacy
