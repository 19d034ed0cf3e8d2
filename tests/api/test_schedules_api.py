"""Schedule endpoints through the API: the reference's curl examples and shapes, roles, bad input
(400 naming the parameter, nothing stored changes), exceptional periods, the audit log, the import."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

LUNDI = [
    {"idJourSemaine": "LUNDI", "typeHoraires": "VIE_PRIVEE", "debutHeure": 0, "finHeure": 8, "debutMinute": 0,
     "finMinute": 0},
    {"idJourSemaine": "LUNDI", "typeHoraires": "VIE_PRIVEE", "debutHeure": 12, "finHeure": 13, "debutMinute": 0,
     "finMinute": 30},
    {"idJourSemaine": "LUNDI", "typeHoraires": "VIE_PRIVEE", "debutHeure": 18, "finHeure": 23, "debutMinute": 0,
     "finMinute": 59},
]
REFERENCE_BODY = {"innerMap": {"map": {"LUNDI": {"VIE_PRIVEE": LUNDI}}}}
NOEL_START, NOEL_END = 1829692800000, 1829779200000  # 2027-12-25T00:00Z, 2027-12-26T00:00Z
INDIVIDU_KEYS = {"id", "nomInd", "prenomInd", "matriculeInd", "gsm", "email", "suppressionLogique", "idCivilite",
                 "initialesInd"}
HORAIRE_KEYS = ["id", "idJourSemaine", "typeHoraires", "debutHeure", "finHeure", "debutMinute", "finMinute"]


class Api:
    """Short calls to the schedule endpoints as one user."""

    def __init__(self, client, headers):
        self.client, self.h = client, headers
        self.vp = f"{client.base}/vieprivee/v1"

    def get_rec(self, **params):
        return self.client.get(f"{self.vp}/horairesViePriveeRecurrentesIndividu", headers=self.h, params=params)

    def post_rec(self, body=None, **params):
        return self.client.post(f"{self.vp}/horairesViePriveeRecurrentesIndividu", headers=self.h, params=params,
                                json=body)

    def delete_rec(self, **params):
        return self.client.delete(f"{self.vp}/horairesViePriveeRecurrentesIndividu", headers=self.h, params=params)

    def get_exc(self, **params):
        return self.client.get(f"{self.vp}/horairesViePriveeExceptionnellesIndividu", headers=self.h, params=params)

    def post_exc(self, body=None, **params):
        return self.client.post(f"{self.vp}/horaireViePriveeExceptionnelleIndividu", headers=self.h, params=params,
                                json=body)

    def delete_exc(self, **params):
        return self.client.delete(f"{self.vp}/horairesViePriveeExceptionnellesIndividu", headers=self.h,
                                  params=params)

    def audit(self, **params):
        return self.client.get(f"{self.client.base}/admin/v1/audit", headers=self.h, params=params)

    def import_(self, body):
        return self.client.post(f"{self.client.base}/admin/v1/import/horaires", headers=self.h, json=body)


@pytest.fixture
def utc(client, factory, auth):
    t = factory.tenant("utc", timezone="UTC")
    return t, Api(client, auth(t.admin))


@pytest.fixture
def paris(client, factory, auth):
    t = factory.tenant("paris")
    return t, Api(client, auth(t.admin))


def test_reference_exceptional_noel_shape(utc):
    t, api = utc
    # The reference's curl, with only scheme/host/port changed (and the individual's id).
    r = api.client.post(
        f"{api.vp}/horaireViePriveeExceptionnelleIndividu?customerId={t.customer_id}&individuId={t.individu_id}"
        "&description=NOEL&dateDebut=25%2F12%2F2027+00%3A00%3A00+Z&dateFin=26%2F12%2F2027+00%3A00%3A00+Z",
        headers=api.h,
    )
    assert r.status_code == 200 and r.json() is True
    r = api.get_exc(customerId=t.customer_id, individuId=t.individu_id)
    assert r.status_code == 200
    [period] = r.json()
    assert set(period) == {"id", "extension", "description", "utilisateur", "individu", "debut", "fin",
                           "horairesIndividu"}
    assert period["extension"] == {"id": period["id"], "description": "NOEL"}
    assert period["description"] == "NOEL"
    assert (period["debut"], period["fin"]) == (NOEL_START, NOEL_END)
    assert set(period["individu"]) == INDIVIDU_KEYS and period["individu"]["id"] == t.individu_id
    assert set(period["utilisateur"]) == {"id", "nomUti", "prenomUti", "loginUti", "emailUti", "suppressionLogique",
                                          "individu", "utilisateurType", "dateFinValidite"}
    assert period["utilisateur"]["loginUti"] == t.admin
    [row] = period["horairesIndividu"]
    assert set(row) == {"id", "individu", "horaire", "debut", "fin"}
    assert (row["debut"], row["fin"], row["individu"]) == (NOEL_START, NOEL_END, period["individu"])
    assert list(row["horaire"]) == HORAIRE_KEYS
    assert {k: v for k, v in row["horaire"].items() if k != "id"} == {
        "idJourSemaine": "SAMEDI", "typeHoraires": "VIE_PRIVEE_EXCEPTIONNELLE",
        "debutHeure": 0, "finHeure": 24, "debutMinute": 0, "finMinute": 0,
    }


def test_paris_customer_local_midnight_period_shows_one_saturday(paris):
    t, api = paris
    r = api.post_exc(individuId=t.individu_id, description="NOEL", dateDebut="25/12/2027 00:00:00 +0100",
                     dateFin="26/12/2027 00:00:00 +0100")
    assert r.status_code == 200
    [period] = api.get_exc(individuId=t.individu_id).json()
    assert (period["debut"], period["fin"]) == (NOEL_START - 3_600_000, NOEL_END - 3_600_000)
    assert [{k: v for k, v in row["horaire"].items() if k != "id"} for row in period["horairesIndividu"]] == [
        {"idJourSemaine": "SAMEDI", "typeHoraires": "VIE_PRIVEE_EXCEPTIONNELLE", "debutHeure": 0, "finHeure": 24,
         "debutMinute": 0, "finMinute": 0}
    ]
    # The same period in UTC, for a Paris customer, touches two local days.
    r = api.post_exc(individuId=t.individu_id, description="UTC", dateDebut="25/12/2028 00:00:00 Z",
                     dateFin="26/12/2028 00:00:00 Z")
    later = api.get_exc(individuId=t.individu_id, dateDebut="01/01/2028 00:00:00").json()
    assert [(h["horaire"]["idJourSemaine"], h["horaire"]["debutHeure"], h["horaire"]["finHeure"])
            for h in later[0]["horairesIndividu"]] == [("LUNDI", 1, 24), ("MARDI", 0, 1)]


def test_reference_recurring_curls_post_get_delete(utc):
    t, api = utc
    # The reference's POST curl, with dates moved to the future (a past dateFin is refused).
    r = api.client.post(
        f"{api.vp}/horairesViePriveeRecurrentesIndividu?customerId={t.customer_id}&individuId={t.individu_id}"
        "&dateDebut=22%2F11%2F2027+00%3A00%3A00+Z&dateFin=29%2F11%2F2027+00%3A00%3A00+Z",
        headers={**api.h, "content-type": "application/json"}, json=REFERENCE_BODY,
    )
    assert r.status_code == 200 and r.json() is True
    rows = api.get_rec(customerId=t.customer_id, individuId=t.individu_id).json()
    assert [list(row) for row in rows] == [["id", "individu", "horaire", "debut", "fin"]] * 3
    assert all(list(row["horaire"]) == HORAIRE_KEYS for row in rows)
    assert {(r["debut"], r["fin"]) for r in rows} == {(1826841600000, 1827446400000)}
    assert [(r["horaire"]["debutHeure"], r["horaire"]["debutMinute"], r["horaire"]["finHeure"],
             r["horaire"]["finMinute"]) for r in rows] == [(0, 0, 8, 0), (12, 0, 13, 30), (18, 0, 24, 0)]
    # The reference's DELETE curl: a future version just loses the slot.
    r = api.client.delete(
        f"{api.vp}/horairesViePriveeRecurrentesIndividu?customerId={t.customer_id}&individuId={t.individu_id}"
        f"&horaireIndividuIds={rows[1]['id']}",
        headers=api.h,
    )
    assert r.status_code == 204 and r.content == b""
    after = api.get_rec(individuId=t.individu_id).json()
    assert [r["id"] for r in after] == [rows[0]["id"], rows[2]["id"]]


def test_delete_in_force_closes_now_and_reopens_keeping_horaire_ids(utc):
    t, api = utc
    assert api.post_rec(REFERENCE_BODY, individuId=t.individu_id).json() is True
    rows = api.get_rec(individuId=t.individu_id).json()
    assert all(r["fin"] is None for r in rows)
    assert api.delete_rec(individuId=t.individu_id, horaireIndividuIds=f"{rows[0]['id']},{rows[1]['id']}"
                          ).status_code == 204
    [left] = api.get_rec(individuId=t.individu_id).json()
    # A new version (new row id) with the remaining slot; the slot itself keeps its horaire id.
    assert left["id"] not in {r["id"] for r in rows} and left["horaire"] == rows[2]["horaire"]
    assert left["debut"] > rows[0]["debut"] and left["fin"] is None
    history = api.get_rec(individuId=t.individu_id, historique=True).json()
    assert len(history) == 4 and {r["fin"] for r in history[:3]} == {left["debut"]}
    # The past never changes: the closed version's slots cannot be deleted any more.
    r = api.delete_rec(individuId=t.individu_id, horaireIndividuIds=rows[2]["id"])
    assert r.status_code == 400 and r.json()["message"].startswith("horaireIndividuIds:")
    # Deleting the last slot closes the version; nothing is in force any more.
    assert api.delete_rec(individuId=t.individu_id, horaireIndividuIds=[left["id"]]).status_code == 204
    assert api.get_rec(individuId=t.individu_id).json() == []


def test_merge_by_day_and_date_fin_resumes(paris):
    t, api = paris
    mardi = [{**LUNDI[0], "idJourSemaine": "MARDI"}]
    assert api.post_rec({"innerMap": {"map": {"LUNDI": {"VIE_PRIVEE": LUNDI[:1]},
                                              "MARDI": {"VIE_PRIVEE": mardi}}}}, individuId=t.individu_id).json()
    # Replace Monday for one week in 2027, clear Tuesday; Tuesday is kept elsewhere.
    body = {"innerMap": {"map": {"LUNDI": {"VIE_PRIVEE": LUNDI[2:]}, "MARDI": {"VIE_PRIVEE": []}}}}
    assert api.post_rec(body, individuId=t.individu_id, dateDebut="01/03/2027 00:00:00",
                        dateFin="08/03/2027 00:00:00").json() is True
    rows = api.get_rec(individuId=t.individu_id).json()
    by_version: dict = {}
    for r in rows:
        by_version.setdefault((r["debut"], r["fin"]), []).append(
            (r["horaire"]["idJourSemaine"], r["horaire"]["debutHeure"]))
    versions = sorted(by_version.items(), key=lambda kv: kv[0][0])
    assert [v for _k, v in versions] == [[("LUNDI", 0), ("MARDI", 0)], [("LUNDI", 18)], [("LUNDI", 0), ("MARDI", 0)]]
    assert versions[1][0] == (_paris_ms(2027, 3, 1), _paris_ms(2027, 3, 8))
    assert versions[2][0] == (_paris_ms(2027, 3, 8), None)


def test_driver_reads_and_writes_only_their_own(client, factory, auth):
    t = factory.tenant("drv")
    other = factory.individu(t.customer_id, "Other person")
    admin, driver, manager = Api(client, auth(t.admin)), Api(client, auth(t.driver)), Api(client, auth(t.manager))
    assert admin.post_rec(REFERENCE_BODY, individuId=other).json() is True
    assert admin.post_exc(individuId=other, description="x", dateDebut="01/01/2031 00:00:00",
                          dateFin="02/01/2031 00:00:00").json() is True
    other_row = admin.get_rec(individuId=other).json()[0]["id"]
    other_ext = admin.get_exc(individuId=other).json()[0]["id"]
    assert driver.post_rec(REFERENCE_BODY, individuId=t.individu_id).json() is True
    assert driver.post_exc(individuId=t.individu_id, description="mine", dateDebut="01/01/2031 00:00:00",
                           dateFin="02/01/2031 00:00:00").json() is True
    # Without individuId a driver sees only their own; a manager sees everyone.
    assert {r["individu"]["id"] for r in driver.get_rec().json()} == {t.individu_id}
    assert {r["individu"]["id"] for r in manager.get_rec().json()} == {t.individu_id, other}
    assert {p["individu"]["id"] for p in driver.get_exc().json()} == {t.individu_id}
    for r in (
        driver.get_rec(individuId=other),
        driver.post_rec(REFERENCE_BODY, individuId=other),
        driver.delete_rec(individuId=other, horaireIndividuIds=other_row),
        driver.delete_rec(individuId=t.individu_id, horaireIndividuIds=other_row),
        driver.get_exc(individuId=other),
        driver.post_exc(individuId=other, dateDebut="01/02/2031 00:00:00", dateFin="02/02/2031 00:00:00"),
        driver.post_exc(individuId=t.individu_id, extensionIdToUpdate=other_ext, dateFin="03/01/2031 00:00:00"),
        driver.delete_exc(horaireExtensionIds=other_ext),
    ):
        assert r.status_code == 404, r.text
        assert r.json()["oceanStatus"] == "NOT_FOUND"
    # A manager edits anyone's schedules.
    assert manager.post_rec(REFERENCE_BODY, individuId=other, dateDebut="01/01/2032 00:00:00").json() is True
    assert manager.delete_exc(horaireExtensionIds=other_ext).status_code == 204
    # Import and audit are not for drivers.
    assert driver.audit().status_code == 403
    assert driver.import_({"individus": []}).status_code == 403
    assert manager.import_({"individus": []}).status_code == 403
    assert manager.audit().status_code == 200


def _state(api, t):
    return (api.get_rec(individuId=t.individu_id, historique=True).json(), api.get_exc(individuId=t.individu_id).json(),
            api.audit(limit=1000).json()["total"])


BAD_RECURRING_POSTS = [
    ({"dateDebut": "2027-12-25"}, REFERENCE_BODY, "dateDebut"),
    ({"dateDebut": "25/12/2027 00:00:00 XYZ"}, REFERENCE_BODY, "dateDebut"),
    ({"dateDebut": "31/02/2027 00:00:00 Z"}, REFERENCE_BODY, "dateDebut"),
    ({"dateFin": "25/12/2027 25:00:00 Z"}, REFERENCE_BODY, "dateFin"),
    ({"dateFin": "01/01/2020 00:00:00 Z"}, REFERENCE_BODY, "dateFin"),
    ({"dateDebut": "02/01/2030 00:00:00 Z", "dateFin": "01/01/2030 00:00:00 Z"}, REFERENCE_BODY, "dateFin"),
    ({"individuId": "abc"}, REFERENCE_BODY, "individuId"),
    ({"individuId": 10**30}, REFERENCE_BODY, "individuId"),
    ({"individuId": None}, REFERENCE_BODY, "individuId"),
    ({}, None, "innerMap"),
    ({}, {"map": {}}, "innerMap"),
    ({}, {"innerMap": []}, "innerMap"),
    ({}, {"innerMap": {"map": {"FUNDAY": {}}}}, "innerMap.map.FUNDAY"),
    ({}, {"innerMap": {"map": {"LUNDI": {"VIE_PRIVEE": [{**LUNDI[0], "idJourSemaine": "MARDI"}]}}}},
     "innerMap.map.LUNDI.VIE_PRIVEE[0]"),
    ({}, {"innerMap": {"map": {"LUNDI": {"VIE_PRIVEE": [{**LUNDI[0], "finHeure": 0}]}}}},
     "innerMap.map.LUNDI.VIE_PRIVEE[0]"),
    ({}, {"innerMap": {"map": {"LUNDI": {"VIE_PRIVEE": [{**LUNDI[0], "debutHeure": "8"}]}}}},
     "innerMap.map.LUNDI.VIE_PRIVEE[0]"),
    ({}, {"innerMap": {"map": {"LUNDI": {"VIE_PRIVEE": [{**LUNDI[0], "finHeure": 24, "finMinute": 30}]}}}},
     "innerMap.map.LUNDI.VIE_PRIVEE[0]"),
    ({}, {"innerMap": {"map": {"LUNDI": {"VIE_PRIVEE": [{**LUNDI[0], "debutMinute": 60}]}}}},
     "innerMap.map.LUNDI.VIE_PRIVEE[0]"),
    ({}, {"innerMap": {"map": {"LUNDI": {"VIE_PRIVEE": [{"idJourSemaine": "LUNDI"}]}}}},
     "innerMap.map.LUNDI.VIE_PRIVEE[0]"),
]


def test_bad_recurring_post_is_400_naming_the_parameter_and_changes_nothing(paris):
    t, api = paris
    assert api.post_rec(REFERENCE_BODY, individuId=t.individu_id).json() is True
    before = _state(api, t)
    for params, body, param in BAD_RECURRING_POSTS:
        query = {k: v for k, v in {"individuId": t.individu_id, **params}.items() if v is not None}
        r = api.post_rec(body, **query)
        assert r.status_code == 400, (params, body, r.text)
        assert r.json()["oceanStatus"] == "BAD_REQUEST" and param in r.json()["message"], r.json()
    assert _state(api, t) == before


def test_other_bad_inputs_are_400_and_change_nothing(paris):
    t, api = paris
    assert api.post_rec(REFERENCE_BODY, individuId=t.individu_id).json() is True
    assert api.post_exc(individuId=t.individu_id, description="A", dateDebut="01/01/2031 00:00:00",
                        dateFin="05/01/2031 00:00:00").json() is True
    ext = api.get_exc(individuId=t.individu_id).json()[0]["id"]
    before = _state(api, t)
    cases = [
        (api.delete_rec(individuId=t.individu_id), "horaireIndividuIds"),
        (api.delete_rec(individuId=t.individu_id, horaireIndividuIds="1,x"), "horaireIndividuIds"),
        (api.delete_rec(individuId=t.individu_id, horaireIndividuIds=str(10**25)), "horaireIndividuIds"),
        (api.delete_rec(horaireIndividuIds=1), "individuId"),
        (api.get_rec(individuId=t.individu_id, historique="maybe"), "historique"),
        (api.get_exc(dateDebut="tomorrow"), "dateDebut"),
        (api.get_exc(dateDebut="02/01/2031 00:00:00", dateFin="01/01/2031 00:00:00"), "dateFin"),
        (api.post_exc(individuId=t.individu_id, dateFin="05/01/2032 00:00:00"), "dateDebut"),
        (api.post_exc(individuId=t.individu_id, dateDebut="05/01/2032 00:00:00"), "dateFin"),
        (api.post_exc(individuId=t.individu_id, dateDebut="05/01/2032", dateFin="06/01/2032 00:00:00"), "dateDebut"),
        (api.post_exc(individuId=t.individu_id, dateDebut="06/01/2032 00:00:00", dateFin="05/01/2032 00:00:00"),
         "dateFin"),
        (api.post_exc(individuId=t.individu_id, dateDebut="01/01/2020 00:00:00", dateFin="02/01/2020 00:00:00"),
         "dateFin"),
        (api.post_exc(individuId=t.individu_id, description="x" * 256, dateDebut="05/01/2032 00:00:00",
                      dateFin="06/01/2032 00:00:00"), "description"),
        (api.post_exc({"innerMap": {"map": {"LUNDI": {"VIE_PRIVEE": [{**LUNDI[0], "finMinute": 99}]}}}},
                      individuId=t.individu_id, dateDebut="05/01/2032 00:00:00", dateFin="06/01/2032 00:00:00"),
         "innerMap.map.LUNDI.VIE_PRIVEE[0]"),
        (api.post_exc(individuId=t.individu_id, extensionIdToUpdate="x"), "extensionIdToUpdate"),
        (api.delete_exc(), "horaireExtensionIds"),
        (api.delete_exc(horaireExtensionIds="x"), "horaireExtensionIds"),
        (api.audit(**{"from": "yesterday"}), "from"),
        (api.audit(limit=0), "limit"),
    ]
    for r, param in cases:
        assert r.status_code == 400, (param, r.status_code, r.text)
        assert param in r.json()["message"], (param, r.json())
    assert _state(api, t) == before
    # A period that has started cannot be deleted: 400 saying so, nothing deleted.
    assert api.post_exc(individuId=t.individu_id, description="now", dateDebut="01/01/2020 00:00:00",
                        dateFin="01/01/2030 00:00:00").json() is True
    started = [p["id"] for p in api.get_exc(individuId=t.individu_id).json() if p["description"] == "now"][0]
    r = api.delete_exc(horaireExtensionIds=f"{ext},{started}")
    assert r.status_code == 400 and "entirely in the future" in r.json()["message"]
    assert len(api.get_exc(individuId=t.individu_id).json()) == 2


def test_exceptional_overlap_update_and_delete(paris):
    t, api = paris
    assert api.post_exc(individuId=t.individu_id, description="NOEL", dateDebut="24/12/2030 00:00:00",
                        dateFin="27/12/2030 00:00:00").json() is True
    [noel] = api.get_exc(individuId=t.individu_id).json()
    r = api.post_exc(individuId=t.individu_id, description="X", dateDebut="26/12/2030 00:00:00",
                     dateFin="28/12/2030 00:00:00")
    assert r.status_code == 409 and r.json()["oceanStatus"] == "CONFLICT" and str(noel["id"]) in r.json()["message"]
    # Adjacent is not overlapping.
    assert api.post_exc(individuId=t.individu_id, description="NEXT", dateDebut="27/12/2030 00:00:00",
                        dateFin="28/12/2030 00:00:00").json() is True
    # Update an entirely future period: same id, new slots replace the recurring ones inside it.
    body = {"innerMap": {"map": {"MERCREDI": {"VIE_PRIVEE_EXCEPTIONNELLE": [
        {"idJourSemaine": "MERCREDI", "typeHoraires": "VIE_PRIVEE_EXCEPTIONNELLE", "debutHeure": 8, "debutMinute": 0,
         "finHeure": 20, "finMinute": 0}]}}}}
    assert api.post_exc(body, individuId=t.individu_id, extensionIdToUpdate=noel["id"], description="NOEL 2").json()
    periods = api.get_exc(individuId=t.individu_id).json()
    assert [(p["id"], p["description"]) for p in periods] == [(noel["id"], "NOEL 2"), (periods[1]["id"], "NEXT")]
    assert (periods[0]["debut"], periods[0]["fin"]) == (noel["debut"], noel["fin"])
    assert [(h["horaire"]["idJourSemaine"], h["horaire"]["debutHeure"], h["horaire"]["finHeure"])
            for h in periods[0]["horairesIndividu"]] == [("MERCREDI", 8, 20)]
    # Updating into the other period: 409; window filter; delete both (comma-separated).
    r = api.post_exc(individuId=t.individu_id, extensionIdToUpdate=noel["id"], dateFin="27/12/2030 12:00:00")
    assert r.status_code == 409
    assert [p["description"] for p in api.get_exc(individuId=t.individu_id, dateDebut="27/12/2030 00:00:00",
                                                   dateFin="30/12/2030 00:00:00").json()] == ["NEXT"]
    ids = [p["id"] for p in periods]
    assert api.delete_exc(horaireExtensionIds=ids).status_code == 204
    assert api.get_exc(individuId=t.individu_id).json() == []


def test_update_of_a_started_period_keeps_its_past(paris):
    t, api = paris
    assert api.post_exc(individuId=t.individu_id, description="long", dateDebut="01/01/2020 00:00:00",
                        dateFin="01/01/2035 00:00:00").json() is True
    [old] = api.get_exc(individuId=t.individu_id).json()
    assert api.post_exc(individuId=t.individu_id, extensionIdToUpdate=old["id"], description="shorter",
                        dateDebut="01/01/2019 00:00:00", dateFin="01/01/2034 00:00:00").json() is True
    kept, new = api.get_exc(individuId=t.individu_id).json()
    # A past start was moved to now; the old period now ends where the new part starts.
    assert kept["id"] == old["id"] and kept["description"] == "long" and kept["debut"] == old["debut"]
    assert kept["fin"] == new["debut"] and new["description"] == "shorter" and new["fin"] < old["fin"]


def test_audit_log_filters_pages_newest_first(client, factory, auth):
    t = factory.tenant("aud")
    other = factory.individu(t.customer_id, "Other")
    api = Api(client, auth(t.manager))
    assert api.post_rec(REFERENCE_BODY, individuId=t.individu_id).json()
    assert api.post_rec(REFERENCE_BODY, individuId=other).json()
    assert api.post_exc(individuId=t.individu_id, description="N", dateDebut="01/01/2031 00:00:00",
                        dateFin="02/01/2031 00:00:00").json()
    row = api.get_rec(individuId=t.individu_id).json()[0]["id"]
    assert api.delete_rec(individuId=t.individu_id, horaireIndividuIds=row).status_code == 204
    page = api.audit(individuId=t.individu_id).json()
    assert page["total"] == 3
    assert [(e["action"], e["objectType"]) for e in page["items"]] == [
        ("DELETE_SLOTS", "recurring_schedule"), ("CREATE", "exceptional_schedule"), ("MODIFY", "recurring_schedule")]
    first = page["items"][2]
    assert first["userLogin"] == t.manager and first["objectId"] == t.individu_id and first["before"] == []
    assert [h["finHeure"] for h in first["after"][0]["horaires"]] == [8, 13, 24]
    deleted = page["items"][0]
    assert deleted["before"][0]["fin"] is None and deleted["after"][0]["fin"] is not None
    assert api.audit(objectType="recurring_schedule").json()["total"] == 3
    assert api.audit(objectId=other).json()["total"] == 1
    two = api.audit(limit=2, offset=1).json()
    assert two["total"] == 4 and [e["id"] for e in two["items"]] == [e["id"] for e in api.audit().json()["items"][1:3]]
    assert api.audit(**{"from": "2000-01-01T00:00:00Z", "to": "2001-01-01T00:00:00Z"}).json()["total"] == 0
    assert api.audit(**{"from": "2000-01-01T00:00:00Z"}).json()["total"] == 4


IMPORT_SLOT = {"idJourSemaine": "LUNDI", "typeHoraires": "VIE_PRIVEE", "debutHeure": 0, "debutMinute": 0,
               "finHeure": 8, "finMinute": 0}


def _paris_ms(*args: int) -> int:
    return int(dt.datetime(*args, tzinfo=ZoneInfo("Europe/Paris")).timestamp() * 1000)


def _import_body(individu_id: int) -> dict:
    return {"individus": [{
        "individuId": individu_id,
        "versions": [
            {"debut": "2024-01-01T00:00:00+01:00", "fin": "2025-01-01T00:00:00+01:00",
             "innerMap": {"map": {"LUNDI": {"VIE_PRIVEE": [IMPORT_SLOT]}}}},
            {"debut": 1735686000000, "fin": None,
             "innerMap": {"map": {"MARDI": {"VIE_PRIVEE": [{**IMPORT_SLOT, "idJourSemaine": "MARDI"}]}}}},
        ],
        "exceptionnelles": [{"description": "NOEL 2024", "debut": "2024-12-24T00:00:00",
                             "fin": "2024-12-26T00:00:00"}],
    }]}


def test_import_writes_the_past_once(paris):
    t, api = paris
    r = api.import_(_import_body(t.individu_id))
    assert r.status_code == 200, r.text
    assert r.json() == {"customerId": t.customer_id, "individus": [
        {"individuId": t.individu_id, "versions": 2, "exceptionnelles": 1}], "versions": 2, "exceptionnelles": 1}
    history = api.get_rec(individuId=t.individu_id, historique=True).json()
    assert [(h["horaire"]["idJourSemaine"], h["debut"], h["fin"]) for h in history] == [
        ("LUNDI", _paris_ms(2024, 1, 1), _paris_ms(2025, 1, 1)), ("MARDI", _paris_ms(2025, 1, 1), None)]
    [noel] = api.get_exc(individuId=t.individu_id).json()
    # No offset: the customer's wall clock (Paris, +01:00 in December).
    assert (noel["debut"], noel["utilisateur"]["loginUti"]) == (_paris_ms(2024, 12, 24), t.admin)
    assert len(noel["horairesIndividu"]) == 2
    entries = api.audit(individuId=t.individu_id).json()["items"]
    assert {(e["action"], e["objectType"]) for e in entries} == {("IMPORT", "recurring_schedule"),
                                                                 ("IMPORT", "exceptional_schedule")}
    # A second import for an individual with history: 409, nothing written.
    before = _state(api, t)
    r = api.import_(_import_body(t.individu_id))
    assert r.status_code == 409 and "individus[0].individuId" in r.json()["message"]
    assert _state(api, t) == before


def test_import_is_all_or_nothing(client, factory, auth, paris):
    t, api = paris
    second = factory.individu(t.customer_id, "Second")
    good = _import_body(t.individu_id)["individus"][0]

    def body(extra: dict) -> dict:
        return {"individus": [good, {"individuId": second, **extra}]}

    cases = [
        (body({"versions": [good["versions"][0], {**good["versions"][0], "debut": "2024-06-01T00:00:00+02:00"}]}),
         "individus[1].versions[1]", 400),
        (body({"versions": [good["versions"][1], {**good["versions"][0], "fin": None}]}), "individus[1].versions[1]",
         400),
        (body({"versions": [{**good["versions"][0], "fin": "2023-01-01T00:00:00Z"}]}), "individus[1].versions[0].fin",
         400),
        (body({"versions": [{**good["versions"][0], "debut": "01/01/2024"}]}), "individus[1].versions[0].debut", 400),
        (body({"versions": [{**good["versions"][0], "innerMap": {"map": {}}}]}), "individus[1].versions[0].innerMap",
         400),
        (body({"versions": [{**good["versions"][0], "innerMap": {"map": {"LUNDI": {"VIE_PRIVEE": [
            {**IMPORT_SLOT, "finHeure": 0}]}}}}]}), "individus[1].versions[0].innerMap.map.LUNDI.VIE_PRIVEE[0]", 400),
        (body({"versions": [{**good["versions"][0], "extra": 1}]}), "individus[1].versions[0].extra", 400),
        (body({"exceptionnelles": good["exceptionnelles"] * 2}), "individus[1].exceptionnelles[1]", 400),
        (body({"exceptionnelles": [{"debut": "2024-01-01T00:00:00Z"}]}), "individus[1].exceptionnelles[0].fin", 400),
        ({"individus": [good, good]}, "individus[1].individuId", 400),
        ({"individus": [good, {"individuId": 999999}]}, "individus[1].individuId", 404),
        ({"individus": [good, {"individuId": "x"}]}, "individus[1].individuId", 400),
        ({"customerId": t.customer_id + 1, "individus": [good]}, "customerId", 400),
        ({"individu": []}, "import.individu", 400),
    ]
    before = _state(api, t)
    for data, param, status in cases:
        r = api.import_(data)
        assert r.status_code == status, (param, r.text)
        assert param in r.json()["message"], (param, r.json())
    assert _state(api, t) == before and api.get_rec(individuId=second, historique=True).json() == []
    # A conflict on the second individual also leaves the first untouched.
    assert api.post_rec(REFERENCE_BODY, individuId=second).json() is True
    r = api.import_(body({"versions": [good["versions"][0]]}))
    assert r.status_code == 409 and "individus[1]" in r.json()["message"]
    assert api.get_rec(individuId=t.individu_id, historique=True).json() == []
