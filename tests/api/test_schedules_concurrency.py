"""Concurrent writes for one individual against a real HTTP server (uvicorn, the real app, the test
database: SQLite or PostgreSQL): no overlap, no lost write, no 500."""

from __future__ import annotations


import httpx2 as httpx

from fleetprivacy.schedules.engine import DAYS
from support import PASSWORD, all_at_once

WRITERS = 24


def _slot(i: int) -> dict:
    # Writer i owns one day (i mod 7) and a slot no other writer uses.
    start = 10 * i
    return {"idJourSemaine": DAYS[i % 7], "typeHoraires": "VIE_PRIVEE", "debutHeure": start // 60,
            "debutMinute": start % 60, "finHeure": (start + 5) // 60, "finMinute": (start + 5) % 60}


def test_concurrent_posts_leave_a_valid_history(live_server, factory):
    t = factory.tenant("conc")
    token = httpx.post(f"{live_server}/auth/authenticate2", json={"login": t.admin, "password": PASSWORD}).json()["token"]
    h = {"X-AUTH-TOKEN": token}
    url = f"{live_server}/vieprivee/v1/horairesViePriveeRecurrentesIndividu"

    def writer(i: int):
        body = {"innerMap": {"map": {DAYS[i % 7]: {"VIE_PRIVEE": [_slot(i)]}}}}
        return lambda: httpx.post(url, params={"individuId": t.individu_id}, json=body, headers=h, timeout=60)

    responses = all_at_once([writer(i) for i in range(WRITERS)])
    assert [(r.status_code, r.json()) for r in responses] == [(200, True)] * WRITERS

    rows = httpx.get(url, params={"individuId": t.individu_id, "historique": True}, headers=h).json()
    versions: dict[tuple, set] = {}
    for row in rows:
        hor = row["horaire"]
        versions.setdefault((row["debut"], row["fin"]), set()).add(
            (hor["idJourSemaine"], hor["debutHeure"] * 60 + hor["debutMinute"]))
    ordered = sorted(versions.items(), key=lambda kv: kv[0][0])
    # One version per write, end to end, never overlapping; the last is open-ended.
    assert len(ordered) == WRITERS
    for ((_s1, end1), _), ((start2, _e2), _) in zip(ordered, ordered[1:]):
        assert end1 == start2
    assert ordered[-1][0][1] is None
    # No lost write: each version is its predecessor with exactly one day replaced by one writer's slot.
    written = {(DAYS[i % 7], 10 * i) for i in range(WRITERS)}
    seen = set()
    previous: set = set()
    for _bounds, slots in ordered:
        new = slots - previous
        assert len(new) == 1, (previous, slots)
        (day, _minute), = new
        assert {s for s in previous if s[0] != day} == {s for s in slots if s[0] != day}
        seen |= new
        previous = slots
    assert seen == written


def test_concurrent_overlapping_exceptional_periods_one_wins(live_server, factory):
    t = factory.tenant("conx")
    token = httpx.post(f"{live_server}/auth/authenticate2", json={"login": t.admin, "password": PASSWORD}).json()["token"]
    h = {"X-AUTH-TOKEN": token}
    url = f"{live_server}/vieprivee/v1/horaireViePriveeExceptionnelleIndividu"

    def writer(i: int):
        params = {"individuId": t.individu_id, "description": f"p{i}",
                  "dateDebut": f"{1 + i % 3:02d}/01/2031 00:00:00 Z", "dateFin": "10/01/2031 00:00:00 Z"}
        return lambda: httpx.post(url, params=params, headers=h, timeout=60)

    responses = all_at_once([writer(i) for i in range(20)])
    codes = sorted(r.status_code for r in responses)
    assert codes == [200] + [409] * 19, [r.text for r in responses if r.status_code not in (200, 409)]
    periods = httpx.get(f"{live_server}/vieprivee/v1/horairesViePriveeExceptionnellesIndividu",
                        params={"individuId": t.individu_id}, headers=h).json()
    assert len(periods) == 1
