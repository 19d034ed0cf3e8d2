"""Retroactive requests over HTTP: validation answers, the driver -> manager flow, the window, the audit."""

from __future__ import annotations

from sqlalchemy import select

from fleetprivacy.classification.models import WITH_HORAIRE, EtapePart
from fleetprivacy.trips.models import TRIP, Etape
from trips_support import commute_day, wire


def _parts(client, etape_id):
    with client.app.state.db.session() as session:
        return [(p.source, round(p.private_duration_s), round(p.pro_duration_s)) for p in session.scalars(
            select(EtapePart).where(EtapePart.etape_id == etape_id, EtapePart.variant == WITH_HORAIRE))]


def test_driver_request_waits_for_a_manager_decision(client, factory, auth):
    t = factory.tenant("r")
    b, vp = client.base, f"{client.base}/vieprivee/v1"
    admin, manager, driver = auth(t.admin), auth(t.manager), auth(t.driver)
    client.put(f"{b}/admin/v1/individus/{t.individu_id}", headers=admin, json={"badge": "ME"})
    client.post(f"{b}/admin/v1/vehicles", headers=admin, json={"immatriculation": "RT-1", "numeroEmbarque": 3})
    fixes = [f._replace(badge="ME") for f in commute_day()]
    assert client.post(f"{b}/ingest/v1/positions", headers=admin,
                       json={"numeroEmbarque": 3, "positions": wire(fixes)}).status_code == 200
    with client.app.state.db.session() as session:
        trip, back = session.scalars(select(Etape.id).where(Etape.kind == TRIP).order_by(Etape.start_ms)).all()
        stop = session.scalars(select(Etape.id).where(Etape.kind != TRIP)).first()
    url = f"{vp}/etapeViePriveePosteriori"
    assert _parts(client, trip) == [("AUCUN", 0, 1200)]
    # Outside the default 31-day window (the data is of January 2026).
    r = client.post(url, headers=driver, params={"idEtape": trip, "numeroEmbarque": 3, "privacy": True})
    assert r.status_code == 400 and "31 days" in r.text
    assert client.put(f"{b}/admin/v1/settings", headers=admin, json={"retroactiveWindowDays": 36500}).json()[
        "retroactiveWindowDays"] == 36500
    assert client.post(url, headers=driver, params={"numeroEmbarque": 3, "privacy": True}).status_code == 400
    assert client.post(url, headers=driver, params={"idEtape": trip, "privacy": True}).status_code == 400
    assert client.post(url, headers=manager, params={"idEtape": stop, "numeroEmbarque": 3,
                                                     "privacy": True}).status_code == 400
    assert client.post(url, headers=driver, params={"idEtape": trip, "numeroEmbarque": 4,
                                                    "privacy": True}).status_code == 404
    # The driver's request waits; a later one replaces it.
    for privacy in (False, True):
        r = client.post(url, headers=driver, params={"idEtape": trip, "numeroEmbarque": 3, "privacy": privacy})
        assert r.status_code == 200 and r.json() is True
    assert _parts(client, trip) == [("AUCUN", 0, 1200)]
    assert client.get(f"{vp}/demandesPosteriori", headers=driver).status_code == 403
    (pending,) = client.get(f"{vp}/demandesPosteriori", headers=manager, params={"statut": "EN_ATTENTE"}).json()
    assert (pending["idEtape"], pending["privacy"], pending["numeroEmbarque"]) == (trip, True, 3)
    assert client.post(f"{vp}/demandesPosteriori/{pending['id']}/decision", headers=driver,
                       params={"accepte": True}).status_code == 403
    r = client.post(f"{vp}/demandesPosteriori/{pending['id']}/decision", headers=manager, params={"accepte": True})
    assert r.status_code == 200 and r.json()["statut"] == "ACCEPTEE"
    assert client.post(f"{vp}/demandesPosteriori/{pending['id']}/decision", headers=manager,
                       params={"accepte": False}).status_code == 409
    assert _parts(client, trip) == [("POSTERIORI", 1200, 0)]
    # The decision survives late data re-cutting the day (same step id, same decision).
    late = [f._replace(badge="ME", t_ms=f.t_ms + 1) for f in commute_day()[200:210]]
    assert client.post(f"{b}/ingest/v1/positions", headers=admin,
                       json={"numeroEmbarque": 3, "positions": wire(late)}).status_code == 200
    assert _parts(client, trip)[0][0] == "POSTERIORI"
    # A manager's request is accepted at once; DELETE withdraws it.
    assert client.post(url, headers=manager, params={"idEtape": back, "numeroEmbarque": 3, "privacy": True,
                                                     "codeExploitant": "R-CODE"}).json() is True
    assert _parts(client, back) == [("POSTERIORI", 1200, 0)]
    assert client.delete(url, headers=manager, params={"idEtape": back, "numeroEmbarque": 3}).json() is True
    assert client.delete(url, headers=manager, params={"idEtape": back, "numeroEmbarque": 3}).json() is False
    assert _parts(client, back) == [("AUCUN", 0, 1200)]
    audit = client.get(f"{b}/admin/v1/audit", headers=admin, params={"objectType": "retro_request"}).json()
    text = str(audit)
    for action in ("CREATE", "RETIRE", "ACCEPT"):
        assert action in text


def test_a_request_accepted_at_once_is_not_decided_before_it_was_made(client, factory, auth):
    t = factory.tenant("rt")
    b, vp = client.base, f"{client.base}/vieprivee/v1"
    admin, manager = auth(t.admin), auth(t.manager)
    client.post(f"{b}/admin/v1/vehicles", headers=admin, json={"immatriculation": "RT-2", "numeroEmbarque": 5})
    client.put(f"{b}/admin/v1/settings", headers=admin, json={"retroactiveWindowDays": 36500})
    assert client.post(f"{b}/ingest/v1/positions", headers=admin,
                       json={"numeroEmbarque": 5, "positions": wire(commute_day())}).status_code == 200
    with client.app.state.db.session() as session:
        trip = session.scalars(select(Etape.id).where(Etape.kind == TRIP)).first()
    for _ in range(3):
        r = client.post(f"{vp}/etapeViePriveePosteriori", headers=manager,
                        params={"idEtape": trip, "numeroEmbarque": 5, "privacy": True})
        assert r.status_code == 200
    for req in client.get(f"{vp}/demandesPosteriori", headers=manager, params={"statut": "ACCEPTEE"}).json():
        assert req["decidedAt"] == req["requestedAt"], req
