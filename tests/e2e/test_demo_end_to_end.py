"""End to end, as a newcomer meets the product: `fleetprivacy demo` in a subprocess (it seeds the demo,
prints the logins and three curl commands, then serves), the printed commands run through bash as
they are, every curl example of the reference usage page replayed in order against that server
(authenticate2 first) with ids taken from the demo through the API, a second run that changes
nothing, and `--reset`.

Runs on SQLite, or on PostgreSQL with FLEETPRIVACY_TEST_DATABASE_URL (in a schema of its own).
The demo is seeded over 30 days instead of 90 to keep the suite quick; the content is the same.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import shutil
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit

import httpx2 as httpx
import pytest
from sqlalchemy import func, select, text
from sqlalchemy.engine import make_url

from fleetprivacy.db import Database
from support import free_port

pytestmark = pytest.mark.e2e

DAYS = 30
PASSWORD = "demo-password-2026"
EXAMPLES = json.loads((Path(__file__).with_name("reference_examples.json")).read_text(encoding="utf-8"))
REFERENCE_BASES = ("https:/https://v3.oceansystem.com/ocean/restapi", "https://v3.oceansystem.com/ocean/restapi")

# The curl examples of the reference usage page (fr_web-services_usage_pro_privee.md), in page order:
# method, URL as written there, body (-d) where there is one. Headers are ours (the page's token is not).
REFERENCE_CURLS: list[tuple[str, str, Any]] = [
    ("POST", "https:/https://v3.oceansystem.com/ocean/restapi/individus/list?customerId=21", None),
    ("GET", "https:/https://v3.oceansystem.com/ocean/restapi/vieprivee/v1/horairesViePriveeRecurrentesIndividu"
            "?customerId=1110000000&individuId=1110000004", None),
    ("POST", "https://v3.oceansystem.com/ocean/restapi/vieprivee/v1/horairesViePriveeRecurrentesIndividu"
             "?customerId=1110000000&individuId=1110000004&dateDebut=24%2F11%2F2025+00%3A00%3A00+Z"
             "&dateFin=30%2F11%2F2025+00%3A00%3A00+Z", EXAMPLES["recurring_post_body"]),
    ("DELETE", "https://v3.oceansystem.com/ocean/restapi/vieprivee/v1/horairesViePriveeRecurrentesIndividu"
               "?customerId=1110000000&individuId=1110000403&horaireIndividuIds=90359", None),
    ("GET", "https://v3.oceansystem.com/ocean/restapi/vieprivee/v1/horairesViePriveeExceptionnellesIndividu"
            "?customerId=1110000000&individuId=1110000004", None),
    ("POST", "https://v3.oceansystem.com/ocean/restapi/vieprivee/v1/horaireViePriveeExceptionnelleIndividu"
             "?customerId=1110000000&individuId=1110000004&description=NOEL&dateDebut=25%2F12%2F2027+00%3A00%3A00+Z"
             "&dateFin=26%2F12%2F2027+00%3A00%3A00+Z", None),
    ("DELETE", "https://v3.oceansystem.com/ocean/restapi/vieprivee/v1/horairesViePriveeExceptionnellesIndividu"
               "?customerId=1110000000&horaireExtensionIds=18524", None),
    ("POST", "https://v3.oceansystem.com/ocean/restapi/vieprivee/v1/etapeViePriveePosteriori"
             "?idEtape=1110000401&numeroEmbarque=2&codeExploitant=1110000001&privacy=false", None),
    ("POST", "https://v3.oceansystem.com/ocean/restapi/analyse/preformattedPrivacy?customerId=1110000000", {
        "filter": {"persons": [0], "entities": [0], "groups": [0], "vehicleIds": [0]},
        "renderMode": "BY_DRIVER_WITHOUT_HORAIRE_SYNTHESIS",
        "criteria": "GEOLOCATION",
        "periode": {"debut": "2025-11-28T14:51:37.798Z", "fin": "2025-11-28T14:51:37.799Z"},
    }),
]


# --- the demo server --------------------------------------------------------------------------


@pytest.fixture(scope="module")
def demo_db_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """An empty database of its own: a SQLite file, or a PostgreSQL schema dropped at the end."""
    base = os.environ.get("FLEETPRIVACY_TEST_DATABASE_URL")
    if not base:
        yield f"sqlite:///{tmp_path_factory.mktemp('demo') / 'demo.db'}"
        return
    schema = f"fp_e2e_{uuid.uuid4().hex[:10]}"
    admin = Database(base)
    with admin.engine.begin() as conn:
        conn.execute(text(f"CREATE SCHEMA {schema}"))
    yield make_url(base).update_query_dict({"options": f"-csearch_path={schema}"}).render_as_string(
        hide_password=False)
    with admin.engine.begin() as conn:
        conn.execute(text(f"DROP SCHEMA {schema} CASCADE"))
    admin.engine.dispose()


@pytest.fixture(scope="module")
def env(demo_db_url: str) -> dict[str, str]:
    e = dict(os.environ)
    e["FLEETPRIVACY_DATABASE_URL"] = demo_db_url
    e.pop("FLEETPRIVACY_REDIS_URL", None)
    return e


def _exe() -> str:
    return str(Path(sys.executable).with_name("fleetprivacy"))


class Demo:
    """`fleetprivacy demo --port P` running: its printed text, its base URL."""

    def __init__(self, env: dict[str, str], workdir: Path) -> None:
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}/ocean/restapi"
        self.out_path = workdir / "demo.out"
        self.err_path = workdir / "demo.err"
        with open(self.out_path, "w") as out, open(self.err_path, "w") as err:
            self.proc = subprocess.Popen([_exe(), "demo", "--port", str(self.port), "--days", str(DAYS)],
                                         env=env, stdout=out, stderr=err, text=True)
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"demo exited: {self.out_path.read_text()} {self.err_path.read_text()}")
            try:
                if httpx.get(f"{self.base}/common/openapi/openapi.json", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            time.sleep(0.2)
        else:
            self.stop()
            raise RuntimeError("the demo server did not answer within 120 s")
        self.printed = self.out_path.read_text()

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()


@pytest.fixture(scope="module")
def demo(env: dict[str, str], tmp_path_factory: pytest.TempPathFactory) -> Iterator[Demo]:
    d = Demo(env, tmp_path_factory.mktemp("demo-run"))
    yield d
    d.stop()


def printed_commands(printed: str) -> list[str]:
    """The commands the demo printed for bash, in order."""
    return [line.strip() for line in printed.splitlines() if re.match(r"\s+(TOKEN=|curl )", line)]


def token(base: str, login: str = "admin") -> dict[str, str]:
    r = httpx.post(f"{base}/auth/authenticate2", json={"login": login, "password": PASSWORD})
    assert r.status_code == 200, r.text
    return {"X-AUTH-TOKEN": r.json()["token"]}


# --- the printed text and commands ------------------------------------------------------------


def test_demo_prints_once_and_its_three_commands_work_in_bash(demo: Demo, tmp_path: Path) -> None:
    printed = demo.printed
    assert printed.startswith("fleetprivacy demo: created customers 1, 2\n") and printed.count(": created now\n") == 2
    assert printed.count("API:") == 1 and printed.count("Swagger UI:") == 1
    assert f"Swagger UI: {demo.base}/common/openapi/explorer" in printed
    for login in ("admin", "manager", "driver", "la-admin", "la-manager", "la-driver", "group-admin", PASSWORD):
        assert login in printed
    assert "Europe/Paris" in printed and "America/Los_Angeles" in printed
    # The server's own banner is not printed a second time (uvicorn logs on stderr only).
    assert "API:" not in demo.err_path.read_text()
    commands = printed_commands(printed)
    assert len(commands) == 3 and commands[0].startswith("TOKEN=$(curl")
    if shutil.which("curl") is None:  # pragma: no cover - CI and the README's machine have curl
        pytest.skip("curl is not installed")
    html = commands[2].replace("preformattedPrivacy?customerId=", "preformattedPrivacy?format=html&customerId=")
    script = "\n".join(["set -euo pipefail", commands[0], f"{commands[1]} > schedule.json",
                        f"{commands[2]} > synthesis.json", f"{html} -o synthesis.html"])
    done = subprocess.run(["bash", "-c", script], cwd=tmp_path, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr

    individu_id = int(re.search(r"individuId=(\d+)", commands[1]).group(1))  # type: ignore[union-attr]
    rows = json.loads((tmp_path / "schedule.json").read_text())
    assert rows and {r["individu"]["id"] for r in rows} == {individu_id}
    assert {r["horaire"]["typeHoraires"] for r in rows} == {"VIE_PRIVEE"}
    assert {r["horaire"]["idJourSemaine"] for r in rows} == {"LUNDI", "MARDI", "MERCREDI", "JEUDI", "VENDREDI",
                                                             "SAMEDI", "DIMANCHE"}
    [report] = json.loads((tmp_path / "synthesis.json").read_text())
    assert report["mode"] == "BY_DRIVER_WITH_HORAIRE_SYNTHESIS"
    total = report["synthesisTreeByDriver"]["entityTotalCumul"]["total"]
    private_m, pro_m = (total["distanceInMeterByPeriodMap"][k] for k in ("VIE_PRIVEE", "VIE_PROFESSIONNELLE"))
    # A month of a dozen cars: thousands of km, mostly professional, a real private share.
    assert 5_000_000 < private_m + pro_m < 100_000_000 and 0.05 < private_m / (private_m + pro_m) < 0.5
    page = (tmp_path / "synthesis.html").read_text()
    assert page.startswith("<!DOCTYPE html>") and "Martin" in page and "Demo Services Paris" in page


def test_demo_content(demo: Demo, demo_db_url: str) -> None:
    """What the issue promises is there: two zones, every role, motorisations, flags, requests in every state."""
    from fleetprivacy.auth.models import User
    from fleetprivacy.classification.models import RetroRequest
    from fleetprivacy.reference.models import Affectation, Customer, Vehicle
    from fleetprivacy.schedules.models import ScheduleExtension
    from fleetprivacy.trips.models import Etape, Position

    db = Database(demo_db_url)
    with db.session() as s:
        assert {c.timezone for c in s.scalars(select(Customer))} == {"Europe/Paris", "America/Los_Angeles"}
        assert {u.role for u in s.scalars(select(User))} == {"ADMIN", "MANAGER", "DRIVER"}
        assert {(v.type_motorisation, v.energie) for v in s.scalars(select(Vehicle))} >= {
            ("MONO", "ESSENCE"), ("MONO", "DIESEL"), ("HYBRIDE", "ESSENCE"), ("ELECTRIQUE", "ELECTRICITE")}
        assert {a.is_vehicule_fonction for a in s.scalars(select(Affectation))} == {True, False}
        statuts = set(s.scalars(select(RetroRequest.statut)))
        assert {"EN_ATTENTE", "ACCEPTEE", "REFUSEE"} <= statuts
        assert s.scalar(select(func.count()).where(Etape.device_private.is_(True), Etape.kind == "TRIP")) > 0
        assert s.scalar(select(func.count()).where(Etape.individu_id.is_(None), Etape.kind == "TRIP")) > 0
        now_ms = int(time.time() * 1000)
        # Nothing generated lies in the future (the seed stops at the moment it runs)...
        assert s.scalar(select(func.count()).where(Etape.end_ms > now_ms)) == 0
        assert s.scalar(select(func.count()).where(Position.t_ms > now_ms)) == 0
        # ...but schedules do: a period to come.
        assert s.scalar(select(func.count()).where(ScheduleExtension.start_ms > now_ms)) >= 2  # to come
        assert s.scalar(select(func.count()).where(ScheduleExtension.end_ms < now_ms)) >= 2  # history
    db.engine.dispose()


# --- the reference page, replayed -------------------------------------------------------------


def shape_errors(ours: Any, ref: Any, path: str = "$") -> list[str]:
    """Where `ours` departs from the reference example `ref`: a field missing, or of another JSON type.

    A null on either side matches anything (the examples are generated samples with every field
    filled; ours are real rows). In lists, every element of ours is compared with the example's first.
    """
    if ref is None or ours is None:
        return []
    if isinstance(ref, dict):
        if not isinstance(ours, dict):
            return [f"{path}: object expected, got {type(ours).__name__}"]
        out = [f"{path}.{k}: missing" for k in ref if k not in ours]
        for k in ref:
            if k in ours:
                out += shape_errors(ours[k], ref[k], f"{path}.{k}")
        return out
    if isinstance(ref, list):
        if not isinstance(ours, list):
            return [f"{path}: array expected, got {type(ours).__name__}"]
        return [e for i, item in enumerate(ours) for e in (shape_errors(item, ref[0], f"{path}[{i}]") if ref else [])]
    kinds = {bool: "boolean", int: "number", float: "number", str: "string"}
    if kinds[type(ref)] != kinds.get(type(ours)):
        return [f"{path}: {kinds[type(ref)]} expected, got {json.dumps(ours)[:40]}"]
    return []


def test_shape_errors_finds_what_differs() -> None:
    ref = {"a": 1, "b": {"c": "x"}, "d": [{"e": True}], "f": None, "g": None}
    assert shape_errors({"a": 2.5, "b": {"c": "y", "z": 0}, "d": [], "f": [1], "g": None}, ref) == []
    assert set(shape_errors({"a": "1", "b": {}, "d": [{"e": 1}], "g": 0}, ref)) == {
        "$.f: missing", '$.a: number expected, got "1"', "$.b.c: missing", "$.d[0].e: boolean expected, got 1"}


def ours(base: str, reference_url: str, **values: Any) -> str:
    """The reference's URL with only scheme/host/port changed, and the named query values replaced."""
    for prefix in REFERENCE_BASES:
        if reference_url.startswith(prefix):
            rest = reference_url[len(prefix):]
            break
    else:  # pragma: no cover
        raise AssertionError(reference_url)
    parts = urlsplit(rest)
    query = [(k, str(values.get(k, v))) for k, v in parse_qsl(parts.query, keep_blank_values=True)]
    return f"{base}{parts.path}?{urlencode(query)}"


def _future_year() -> int:
    # The page's NOEL example (25/12/2027) while that is still to come; later, the next Christmas.
    return max(2027, dt.date.today().year + 1)


def test_reference_usage_page_replayed_in_order(demo: Demo) -> None:
    base = demo.base
    # Authentication first (the access page's example body and result).
    r = httpx.post(f"{base}/auth/authenticate2", json={"login": "admin", "password": PASSWORD})
    assert r.status_code == 200
    assert set(r.json()) == {"additionalAccountData", "passwordExpirationRemainingDays", "token"}
    assert r.json()["additionalAccountData"] == {} and isinstance(r.json()["passwordExpirationRemainingDays"], int)
    h = {"x-auth-token": r.json()["token"]}
    client = httpx.Client(headers=h, timeout=30)
    # Ids from the demo: the customer as printed, the rest through the endpoints the page points to.
    cid, code = _printed_customer(demo.printed, "Demo Services Paris")
    vehicles = client.get(f"{base}/vehicule_engin/vehicles", params={"customerId": cid}).json()
    curls = iter(REFERENCE_CURLS)

    # 1. individus/list
    method, url, _ = next(curls)
    listed = client.request(method, ours(base, url, customerId=cid))
    assert listed.status_code == 200
    people = listed.json()
    assert len(people) >= 12
    assert shape_errors(people, EXAMPLES["individus_list"]) == []
    assert all(set(p) >= set(EXAMPLES["individus_list"][0]) for p in people)
    driver = next(p["individu"] for p in people if (p["individu"]["nomInd"], p["individu"]["prenomInd"]) ==
                  ("Martin", "Claire"))
    other = next(p["individu"] for p in people if p["individu"]["nomInd"] == "Petit")

    # 2. GET the recurring schedule
    method, url, _ = next(curls)
    r = client.request(method, ours(base, url, customerId=cid, individuId=driver["id"]))
    assert r.status_code == 200
    rows = r.json()
    assert rows and shape_errors(rows, EXAMPLES["recurring_get"]) == []
    assert all(list(row) == list(EXAMPLES["recurring_get"][0]) for row in rows)
    assert all(list(row["horaire"]) == list(EXAMPLES["recurring_get"][0]["horaire"]) for row in rows)
    assert all(set(row["individu"]) == set(EXAMPLES["recurring_get"][0]["individu"]) for row in rows)

    # 3. POST the page's Monday (0-8, 12-13:30, 18-23:59) from 24/11/2025 to 30/11/2025: that week has
    # passed, and nothing changes the past: 400 naming dateFin. The same curl a year ahead works.
    method, url, body = next(curls)
    r = client.request(method, ours(base, url, customerId=cid, individuId=driver["id"]), json=body)
    assert r.status_code == 400 and r.json()["oceanStatus"] == "BAD_REQUEST" and "dateFin" in r.json()["message"]
    year = _future_year()
    monday = dt.date(year, 11, 22) - dt.timedelta(days=dt.date(year, 11, 22).weekday())
    debut, fin = (f"{d:%d/%m/%Y} 00:00:00 Z" for d in (monday, monday + dt.timedelta(days=7)))
    r = client.request(method, ours(base, url, customerId=cid, individuId=driver["id"], dateDebut=debut,
                                    dateFin=fin), json=body)
    assert r.status_code == 200 and r.json() is True
    week_rows = [row for row in client.get(ours(base, REFERENCE_CURLS[1][1], customerId=cid,
                                                individuId=driver["id"])).json()
                 if row["fin"] is not None and row["horaire"]["idJourSemaine"] == "LUNDI"
                 and row["debut"] == int(dt.datetime.combine(monday, dt.time(), dt.UTC).timestamp() * 1000)]
    assert [(w["horaire"]["debutHeure"], w["horaire"]["finHeure"], w["horaire"]["finMinute"]) for w in week_rows] == [
        (0, 8, 0), (12, 13, 30), (18, 24, 0)]

    # 4. DELETE one of that week's slots (horaireIndividuIds = the GET's id): 204, no body.
    method, url, _ = next(curls)
    r = client.request(method, ours(base, url, customerId=cid, individuId=driver["id"],
                                    horaireIndividuIds=week_rows[1]["id"]))
    assert r.status_code == 204 and r.content == b""
    after = client.get(ours(base, REFERENCE_CURLS[1][1], customerId=cid, individuId=driver["id"])).json()
    assert week_rows[1]["id"] not in {row["id"] for row in after} and week_rows[0]["id"] in {row["id"] for row in after}

    # 5. GET the exceptional periods: the demo imported days off (past) and a period to come.
    method, url, _ = next(curls)
    r = client.request(method, ours(base, url, customerId=cid, individuId=driver["id"]))
    assert r.status_code == 200
    periods = r.json()
    assert len(periods) >= 2 and shape_errors(periods, EXAMPLES["exceptional_get"]) == []
    assert all(set(p) == set(EXAMPLES["exceptional_get"][0]) for p in periods)
    assert all(p["extension"] == {"id": p["id"], "description": p["description"]} for p in periods)

    # 6. POST the page's NOEL (25/12 00:00 Z to 26/12 00:00 Z) for another driver: true; it shows as
    # one VIE_PRIVEE_EXCEPTIONNELLE slot of that day, 00:00-24:00, as in the page's example.
    method, url, _ = next(curls)
    noel = {"dateDebut": f"25/12/{year} 00:00:00 Z", "dateFin": f"26/12/{year} 00:00:00 Z"}
    r = client.request(method, ours(base, url, customerId=cid, individuId=other["id"], **noel))
    assert r.status_code == 200 and r.json() is True
    [period] = [p for p in client.get(ours(base, REFERENCE_CURLS[4][1], customerId=cid, individuId=other["id"])).json()
                if p["description"] == "NOEL"]
    assert period["fin"] - period["debut"] == 86_400_000
    assert period["debut"] == int(dt.datetime(year, 12, 25, tzinfo=dt.UTC).timestamp() * 1000)
    assert period["utilisateur"]["loginUti"] == "admin"

    # 7. DELETE it (horaireExtensionIds = extension.id): 204; it is gone.
    method, url, _ = next(curls)
    r = client.request(method, ours(base, url, customerId=cid, horaireExtensionIds=period["extension"]["id"]))
    assert r.status_code == 204 and r.content == b""
    assert "NOEL" not in {p["description"] for p in
                          client.get(ours(base, REFERENCE_CURLS[4][1], customerId=cid, individuId=other["id"])).json()}

    # 8. A retroactive request on a trip found in a daily record (ficheJour) of the driver's car.
    method, url, _ = next(curls)
    car = next(v["vehicle"] for v in vehicles if v["vehicle"]["immatriculation"] == "GA-101-AA")
    step = _recent_trip(client, base, car["id"])
    r = client.request(method, ours(base, url, idEtape=step, numeroEmbarque=car["numeroEmbarque"],
                                    codeExploitant=code))
    assert r.status_code == 200 and r.json() is True

    # 9. The page's analysis body: `[0]` in every filter matches nothing (the page warns about it),
    # over one millisecond of 2025: the full response shape, with empty lines.
    method, url, body = next(curls)
    r = client.request(method, ours(base, url, customerId=cid), json=body)
    assert r.status_code == 200
    assert shape_errors(r.json(), EXAMPLES["analysis"]) == []
    [item] = r.json()
    assert list(item) == list(EXAMPLES["analysis"][0])
    assert item["synthesisTreeByDriver"]["content"]["chauffeursByIdDriverAndPeriodeBean"]["map"] == {}
    # The same body without the `[0]` filters, over the demo's period: real lines, same shapes.
    body = {**body, "filter": {}, "periode": {"debut": (dt.date.today() - dt.timedelta(days=DAYS)).isoformat()
                                              + "T00:00:00Z", "fin": dt.date.today().isoformat() + "T23:59:59Z"}}
    r = client.request(method, ours(base, url, customerId=cid), json=body)
    assert r.status_code == 200 and shape_errors(r.json(), EXAMPLES["analysis"]) == []
    tree = r.json()[0]["synthesisTreeByDriver"]
    lines = _lines(tree)
    line_example = EXAMPLES["analysis"][0]["synthesisTreeByDriver"]["content"]["entityTotal"]
    assert len(lines) >= 10 and all(shape_errors(line, line_example) == [] for line in lines)
    drivers = [(line["driver"] or {}).get("individu") for line in lines]
    # One line per demo driver who drove, and one for the unidentified driver (pool cars without badge).
    assert len([d for d in drivers if d]) >= 10 and drivers.count(None) == 1
    assert next(curls, None) is None
    client.close()


def _printed_customer(printed: str, name: str) -> tuple[int, str]:
    """(customer id, codeExploitant) of a demo customer, as `fleetprivacy demo` printed them."""
    m = re.search(rf"customer (\d+): {re.escape(name)} .*codeExploitant (\S+),", printed)
    assert m, printed
    return int(m.group(1)), m.group(2)


def _recent_trip(client: httpx.Client, base: str, vehicle_id: int) -> int:
    """A trip of the last days, from the vehicle's daily records (ficheJour)."""
    for back in range(1, 15):
        day = dt.date.today() - dt.timedelta(days=back)
        r = client.get(f"{base}/mobility/v1/ficheJour", params={"vehId": vehicle_id, "date": f"{day:%d/%m/%Y}"})
        assert r.status_code == 200, r.text
        trips = [row["id"] for row in r.json()["fjRows"] if row["type"] == "T"]
        if trips:
            return trips[0]
    raise AssertionError("no trip in the last two weeks")


def _lines(node: dict[str, Any]) -> list[dict[str, Any]]:
    out = list(node["content"]["chauffeursByIdDriverAndPeriodeBean"]["map"].values())
    for child in node["nodes"].values():
        out += _lines(child)
    return out


# --- a second run, then --reset (last: they change the ids) ---------------------------------------


def _counts(url: str) -> dict[str, int]:
    db = Database(url)
    with db.engine.connect() as conn:
        out = {t: conn.execute(text(f"SELECT count(*) FROM {t}")).scalar_one()
               for t in ("customers", "users", "etapes", "positions", "etape_parts", "retro_requests",
                         "schedule_versions", "schedule_extensions", "audit_log")}
    db.engine.dispose()
    return out


def test_a_second_run_changes_nothing(demo: Demo, env: dict[str, str], demo_db_url: str) -> None:
    before = _counts(demo_db_url)
    done = subprocess.run([_exe(), "demo", "--no-serve", "--no-progress", "--days", str(DAYS), "--port",
                           str(demo.port)], env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith(
        "fleetprivacy demo: customers 1, 2 already there (nothing changed; --reset to start over)\n")
    assert done.stdout.count(": already there\n") == 2 and "created" not in done.stdout
    assert _counts(demo_db_url) == before
    # It prints the same ids and commands as the first run.
    assert printed_commands(done.stdout) == printed_commands(demo.printed)


def test_reset_starts_over(demo: Demo, env: dict[str, str], demo_db_url: str) -> None:
    before = _counts(demo_db_url)
    done = subprocess.run([_exe(), "demo", "--reset", "--no-serve", "--no-progress", "--days", "7"], env=env,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "--reset: deleted demo customers [1, 2]" in done.stderr
    assert re.match(r"fleetprivacy demo: created customers \d+, \d+\n", done.stdout)  # ids reused or not
    after = _counts(demo_db_url)
    assert after["customers"] == 2 and after["users"] == before["users"]
    assert 0 < after["etapes"] < before["etapes"]  # 7 days now
    # The printed login works against the new data.
    cid, _code = _printed_customer(done.stdout, "Demo Services Paris")
    h = token(demo.base)
    r = httpx.post(f"{demo.base}/individus/list", params={"customerId": cid}, headers=h)
    assert r.status_code == 200 and len(r.json()) == 12


def test_real_data_directory_is_checked_first(tmp_path: Path) -> None:
    env = {**os.environ, "FLEETPRIVACY_DATABASE_URL": f"sqlite:///{tmp_path / 'x.db'}"}
    done = subprocess.run([_exe(), "demo", "--no-serve", "--real-data", str(tmp_path)], env=env,
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 2 and done.stdout == ""
    assert f"--real-data {tmp_path}: cabspotting/positions.csv.gz not found" in done.stderr
