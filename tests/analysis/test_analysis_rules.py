"""The analysis' shape, modes, filters, roles, costs, validation and tenancy."""

from __future__ import annotations

import pytest

from analysis_support import JAN, PARIS, Fleet, all_lines, analyse, assert_line, expected, ms, pair, tree
from fleetprivacy.classification.models import WITH_HORAIRE
from support import login

MODES = [
    "BY_DRIVER_WITHOUT_HORAIRE_SYNTHESIS", "BY_DRIVER_WITH_HORAIRE_SYNTHESIS",
    "BY_VEHICLE_WITHOUT_HORAIRE_SYNTHESIS", "BY_VEHICLE_WITH_HORAIRE_SYNTHESIS",
    "BY_DRIVER_WITHOUT_HORAIRE_DETAIL", "BY_DRIVER_WITH_HORAIRE_DETAIL",
    "BY_VEHICLE_WITHOUT_HORAIRE_DETAIL", "BY_VEHICLE_WITH_HORAIRE_DETAIL",
    "BY_DRIVER_VEHICLE_FUNCTION_WITH_HORAIRE_SYNTHESIS", "BY_DRIVER_VEHICLE_FUNCTION_WITH_HORAIRE_DETAIL",
]

# Key sets of the reference's example response (reference/en_web-services_usage_pro_privee.seed.md).
REF_TOP = {"mode", "synthesisTreeByDriver", "htmlTable", "synthesisTreeByVehicle", "bean"}
REF_NODE = {"nodes", "entityTotalCumul", "entityTotalByFlagCumul", "entity", "content"}
REF_CONTENT = {"typeMotorisationEnergyeMap", "chauffeursByIdDriverAndPeriodeBean", "entityTotal", "refItems",
               "entityTotalByFlag", "entity"}
REF_LINE = {"consoL", "total", "cost", "driver", "dayDate", "consoKWh", "entity", "vehicle"}
REF_TOTAL = {"durationInSecByPeriodMap", "utilisationBatterieByPeriodMap", "distanceInMeterByPeriodMap",
             "distanceElectriqueInMeterByPeriodMap"}
REF_DRIVER = {"affectedEtape", "individu", "isRelevant", "isIdentEnabled", "dispositif", "ndidLong"}
REF_INDIVIDU = {"nomInd", "gsm", "matriculeInd", "initialesInd", "prenomInd", "id", "email", "suppressionLogique",
                "idCivilite"}
REF_ENTITY = {"id", "nom", "suppressionLogique"}
REF_VEHICLE = {"typeMotorisation", "categorie", "nomImage", "odirectMode", "description", "suppressionLogique",
               "privacyEnabled", "geolocalise", "libelleTypeAsset", "dispositifIdentifiant", "immobilisationCablee",
               "id", "dioEnabled", "geosecuriteEnabled", "detectionPorteEnabled"}
REF_ASSET = {"categorie", "ordre", "libelle", "nomIcone", "id"}
FLAGS = {"HORAIRE", "BOUTON", "POSTERIORI", "AUCUN"}


def _check_total(t: dict, entity: dict | None) -> None:
    assert set(t) == REF_LINE
    assert REF_TOTAL <= set(t["total"])
    for m in t["total"].values():
        assert set(m) == {"VIE_PRIVEE", "VIE_PROFESSIONNELLE"}
        assert all(isinstance(v, float) for v in m.values())
    assert all(isinstance(t[k], float) for k in ("consoL", "consoKWh", "cost"))
    assert t["driver"] is None and t["vehicle"] is None and t["dayDate"] is None
    assert t["entity"] == entity


def _check_node(node: dict) -> None:
    assert set(node) == REF_NODE
    assert set(node["content"]) == REF_CONTENT
    assert set(node["entity"]) == REF_ENTITY and node["content"]["entity"] == node["entity"]
    _check_total(node["entityTotalCumul"], node["entity"])
    _check_total(node["content"]["entityTotal"], node["entity"])
    for key in ("entityTotalByFlagCumul",):
        assert set(node[key]) == FLAGS
    assert set(node["content"]["entityTotalByFlag"]) == FLAGS
    assert set(node["content"]["chauffeursByIdDriverAndPeriodeBean"]) == {"map"}
    for child_id, child in node["nodes"].items():
        assert int(child_id) == child["entity"]["id"]
        _check_node(child)


def _sum(lines, path):  # type: ignore[no-untyped-def]
    total = [0.0, 0.0]
    for line in lines:
        m = line
        for p in path:
            m = m[p]
        total[0] += m["VIE_PRIVEE"]
        total[1] += m["VIE_PROFESSIONNELLE"]
    return total


def test_response_has_the_reference_shape_and_the_entity_tree(client, acme):
    ids = acme["ids"]
    r = analyse(client, acme["h"], "BY_DRIVER_WITH_HORAIRE_SYNTHESIS", *JAN)
    assert r.headers["content-type"].startswith("application/json")
    body = r.json()
    assert isinstance(body, list) and len(body) == 1 and set(body[0]) == REF_TOP
    item = body[0]
    assert item["mode"] == "BY_DRIVER_WITH_HORAIRE_SYNTHESIS" and item["synthesisTreeByVehicle"] is None
    root = item["synthesisTreeByDriver"]
    _check_node(root)
    assert root["entity"] == {"id": 0, "nom": "acme SA", "suppressionLogique": False}
    # HQ > Atelier (Durand), Ventes (Martin); the unidentified driver under the root.
    assert set(root["nodes"]) == {str(ids["hq"]), str(ids["ventes"])}
    hq = root["nodes"][str(ids["hq"])]
    atelier = hq["nodes"][str(ids["atelier"])]
    assert hq["content"]["chauffeursByIdDriverAndPeriodeBean"]["map"] == {}
    durand = atelier["content"]["chauffeursByIdDriverAndPeriodeBean"]["map"][str(ids["durand"])]
    assert set(durand) == REF_LINE
    assert set(durand["driver"]) == REF_DRIVER and REF_INDIVIDU <= set(durand["driver"]["individu"])
    assert durand["driver"]["individu"]["nomInd"] == "Durand" and durand["dayDate"] is None
    assert durand["entity"] == {"id": ids["atelier"], "nom": "Atelier", "suppressionLogique": False}
    # Durand drove one vehicle: the line names it.
    assert REF_VEHICLE <= set(durand["vehicle"]) and REF_ASSET <= set(durand["vehicle"]["libelleTypeAsset"])
    assert durand["vehicle"]["id"] == ids["v1"]
    assert atelier["content"]["refItems"][str(ids["durand"])]["nomInd"] == "Durand"
    unidentified = root["content"]["chauffeursByIdDriverAndPeriodeBean"]["map"]["0"]
    assert unidentified["driver"]["individu"] is None and unidentified["driver"]["isIdentEnabled"] is False
    assert unidentified["entity"] is None
    # Totals: a node's own lines; cumulated with the descendants; the root's cumul is the grand total.
    lines = all_lines(root)
    for path in (("total", "distanceInMeterByPeriodMap"), ("total", "durationInSecByPeriodMap")):
        assert pair(_dig(root["entityTotalCumul"], path)) == pytest.approx(_sum(lines.values(), path))
        assert pair(_dig(hq["entityTotalCumul"], path)) == pytest.approx(pair(_dig(atelier["entityTotalCumul"], path)))
        assert pair(_dig(hq["content"]["entityTotal"], path)) == (0.0, 0.0)
        by_flag = [pair(_dig(t, path)) for t in root["entityTotalByFlagCumul"].values()]
        assert [sum(x) for x in zip(*by_flag, strict=True)] == pytest.approx(pair(_dig(root["entityTotalCumul"], path)))
    # Sources: Durand's evening trip by schedule, Martin's electric trip by the button, his other by decision.
    ventes = root["nodes"][str(ids["ventes"])]
    assert ventes["entityTotalCumul"]["total"]["durationInSecByPeriodMap"]["VIE_PRIVEE"] == pytest.approx(3 * 3600)
    assert ventes["entityTotalByFlagCumul"]["BOUTON"]["total"]["durationInSecByPeriodMap"]["VIE_PRIVEE"] == 3600
    assert atelier["entityTotalByFlagCumul"]["HORAIRE"]["total"]["durationInSecByPeriodMap"]["VIE_PRIVEE"] == 1800
    # Martin drove two vehicles: no single vehicle on his line; his V1 trip was a POSTERIORI decision.
    martin = ventes["content"]["chauffeursByIdDriverAndPeriodeBean"]["map"][str(ids["martin"])]
    assert martin["vehicle"] is None
    assert ventes["content"]["entityTotalByFlag"]["POSTERIORI"]["total"]["durationInSecByPeriodMap"]["VIE_PRIVEE"] == 7200
    # typeMotorisationEnergyeMap: the node's own totals by the vehicles' motorisation.
    mot = ventes["content"]["typeMotorisationEnergyeMap"]
    assert set(mot) == {"ELECTRIQUE", "MONO"}
    assert mot["ELECTRIQUE"]["consoKWh"] == pytest.approx(8.0) and mot["MONO"]["consoL"] == pytest.approx(4.0)
    assert item["bean"]["periode"] == {"debut": "2026-01-01T00:00:00.000+01:00", "fin": "2026-02-01T00:00:00.000+01:00"}
    assert item["bean"]["currency"] == "EUR"


def _dig(obj, path):  # type: ignore[no-untyped-def]
    for p in path:
        obj = obj[p]
    return obj


@pytest.mark.parametrize("mode", MODES)
def test_every_render_mode(client, acme, mode):
    ids = acme["ids"]
    item = analyse(client, acme["h"], mode, *JAN).json()[0]
    by_vehicle = mode.startswith("BY_VEHICLE")
    assert item["mode"] == mode
    root = item["synthesisTreeByVehicle" if by_vehicle else "synthesisTreeByDriver"]
    assert item["synthesisTreeByDriver" if by_vehicle else "synthesisTreeByVehicle"] is None
    _check_node(root)
    lines = all_lines(root)
    detail = mode.endswith("DETAIL")
    for key, line in lines.items():
        assert (line["dayDate"] is not None) == detail
        if detail:
            assert key.endswith("_" + line["dayDate"])
        subject = line["vehicle"] if by_vehicle else line["driver"]["individu"]
        assert key.split("_")[0] == str(subject["id"] if subject else 0)
    subjects = {k.split("_")[0] for k in lines}
    if by_vehicle:
        assert subjects == {str(ids[v]) for v in ("v1", "v2", "v3")}
    elif "FUNCTION" in mode:
        # Only Durand on his function vehicle V1 (Martin's trip in V1 is not his function vehicle).
        assert subjects == {str(ids["durand"])}
        exp = expected([s for s in acme["steps"] if s.individu_id == ids["durand"] and s.vehicle_id == ids["v1"]],
                       ms(JAN[0]), ms(JAN[1]), WITH_HORAIRE, lambda s: s.individu_id)
        total = [sum(v) for v in zip(*exp.values(), strict=True)]
        assert_line(root["entityTotalCumul"], total)
    else:
        assert subjects == {str(ids["durand"]), str(ids["martin"]), "0"}
    assert "<table>" in item["htmlTable"]


def test_function_vehicle_assignment_bounds_cut_steps(client, db, factory, auth):
    t = factory.tenant("fn")
    with db.session() as s:
        f = Fleet(s, t.customer_id)
        d = f.individu("D")
        v, w = f.vehicle("FN-1"), f.vehicle("FN-2")
        f.affectation(d, v, "2026-01-10T12:30:00+01:00", "2026-01-20T00:00:00+01:00")
        f.step(v, d, ms("2026-01-09T10:00:00+01:00"), ms("2026-01-09T11:00:00+01:00"))  # before: out
        cut = f.step(v, d, ms("2026-01-10T12:00:00+01:00"), ms("2026-01-10T13:00:00+01:00"),
                     positions=[(ms("2026-01-10T12:00:00+01:00"), 0.0), (ms("2026-01-10T12:30:00+01:00"), 1000.0),
                                (ms("2026-01-10T13:00:00+01:00"), 10_000.0)])
        inside = f.step(v, d, ms("2026-01-12T10:00:00+01:00"), ms("2026-01-12T11:00:00+01:00"))
        f.step(w, d, ms("2026-01-12T14:00:00+01:00"), ms("2026-01-12T15:00:00+01:00"))  # not the function car
        f.step(v, d, ms("2026-01-25T10:00:00+01:00"), ms("2026-01-25T11:00:00+01:00"))  # after: out
    h = auth(t.manager)
    root = tree(analyse(client, h, "BY_DRIVER_VEHICLE_FUNCTION_WITH_HORAIRE_SYNTHESIS", *JAN))
    line = all_lines(root)[str(d)]
    half = cut.within(ms("2026-01-10T12:30:00+01:00"), cut.end_ms, WITH_HORAIRE)
    assert pair(line["total"]["distanceInMeterByPeriodMap"])[1] == pytest.approx(
        half.professional.distance_m + inside.totals.distance_m)
    assert half.professional.distance_m == pytest.approx(9000.0)
    assert pair(line["total"]["durationInSecByPeriodMap"])[1] == pytest.approx(1800 + 3600)
    assert line["vehicle"]["id"] == v
    detail = all_lines(tree(analyse(client, h, "BY_DRIVER_VEHICLE_FUNCTION_WITH_HORAIRE_DETAIL", *JAN)))
    assert set(detail) == {f"{d}_2026-01-10", f"{d}_2026-01-12"}


def _subjects(response) -> set[str]:  # type: ignore[no-untyped-def]
    return {k.split("_")[0] for k in all_lines(tree(response))}


def test_filters(client, acme):
    ids, h = acme["ids"], acme["h"]
    by_driver, by_vehicle = "BY_DRIVER_WITH_HORAIRE_SYNTHESIS", "BY_VEHICLE_WITH_HORAIRE_SYNTHESIS"
    everyone = {str(ids["durand"]), str(ids["martin"]), "0"}
    cases = [
        (by_driver, None, None, everyone),
        (by_driver, {}, None, everyone),
        (by_driver, {"persons": [], "entities": [], "groups": [], "vehicleIds": []}, None, everyone),
        (by_driver, {"persons": None}, None, everyone),
        (by_driver, {"persons": [ids["martin"]]}, None, {str(ids["martin"])}),
        (by_driver, {"persons": [0]}, None, set()),  # id 0 matches nothing, not the unidentified driver
        (by_driver, {"entities": [0]}, None, set()),
        (by_driver, {"groups": [0]}, None, set()),
        (by_driver, {"vehicleIds": [0]}, None, set()),
        (by_driver, {"entities": [ids["hq"]]}, None, {str(ids["durand"])}),  # with its sub-entity Atelier
        (by_driver, {"entities": [ids["atelier"], ids["ventes"]]}, None, {str(ids["durand"]), str(ids["martin"])}),
        (by_driver, {"groups": [ids["g1"]]}, None, {str(ids["durand"])}),
        (by_driver, {"vehicleIds": [ids["v1"]]}, None, {str(ids["durand"]), str(ids["martin"])}),
        (by_driver, {"vehicleIds": [ids["v1"]], "persons": [ids["durand"]]}, None, {str(ids["durand"])}),
        (by_driver, {"vehicleIds": [ids["v2"]], "persons": [ids["durand"]]}, None, set()),
        (by_vehicle, {"entities": [ids["hq"]]}, None, {str(ids["v1"])}),  # the vehicle's entity
        (by_vehicle, {"persons": [ids["martin"]]}, None, {str(ids["v1"]), str(ids["v2"])}),
        (by_vehicle, None, "GEOLOCATION", {str(ids["v1"]), str(ids["v3"])}),
        (by_vehicle, None, "WIHOUT_GEOLOCATION", {str(ids["v2"])}),
        (by_vehicle, None, "WITHOUT_GEOLOCATION", {str(ids["v2"])}),
        (by_vehicle, None, "ALL", {str(ids["v1"]), str(ids["v2"]), str(ids["v3"])}),
        (by_driver, None, "WIHOUT_GEOLOCATION", {str(ids["martin"])}),
    ]
    for mode, flt, criteria, want in cases:
        r = analyse(client, h, mode, *JAN, filter=flt, criteria=criteria)
        assert _subjects(r) == want, (mode, flt, criteria)
        assert r.json()[0]["bean"]["criteria"] == (criteria or "ALL")
    # Martin's line restricted to V1: only that vehicle's figures.
    r = analyse(client, h, by_driver, *JAN, filter={"vehicleIds": [ids["v1"]], "persons": [ids["martin"]]})
    line = all_lines(tree(r))[str(ids["martin"])]
    assert line["vehicle"]["id"] == ids["v1"] and line["consoKWh"] == 0.0


def test_another_customers_ids_match_nothing(client, acme, db, factory, auth):
    t = factory.tenant("bravo")
    with db.session() as s:
        f = Fleet(s, t.customer_id)
        e = f.entity("Bravo HQ")
        g = f.groupe("Bravo group")
        d = f.individu("Bravo person", e, g)
        v = f.vehicle("BRAVO-1", e)
        f.step(v, d, ms("2026-01-05T10:00:00+01:00"), ms("2026-01-05T11:00:00+01:00"))
        f.step(v, None, ms("2026-01-05T12:00:00+01:00"), ms("2026-01-05T13:00:00+01:00"))
    b_filter = {"persons": [d], "entities": [e], "groups": [g], "vehicleIds": [v]}
    for mode in MODES:
        for flt in ({"persons": [d]}, {"entities": [e]}, {"groups": [g]}, {"vehicleIds": [v]}, b_filter):
            r = analyse(client, acme["h"], mode, *JAN, filter=flt)
            assert _subjects(r) == set(), (mode, flt)
            assert "Bravo" not in r.text and "BRAVO" not in r.text
        r = analyse(client, acme["h"], mode, *JAN)
        assert "Bravo" not in r.text and "BRAVO" not in r.text
    # B sees its own data, A's none.
    r = analyse(client, auth(t.manager), "BY_VEHICLE_WITH_HORAIRE_SYNTHESIS", *JAN)
    assert _subjects(r) == {str(v)} and "AA-100" not in r.text


def test_a_driver_sees_only_their_own_usage(client, acme, factory):
    ids = acme["ids"]
    login_name = factory.user("durand-user", "DRIVER", [acme["t"].customer_id], ids["durand"])
    h = login(client, login_name)
    assert _subjects(analyse(client, h, "BY_DRIVER_WITH_HORAIRE_SYNTHESIS", *JAN)) == {str(ids["durand"])}
    assert _subjects(analyse(client, h, "BY_DRIVER_WITH_HORAIRE_SYNTHESIS", *JAN,
                             filter={"persons": [ids["martin"]]})) == set()
    # By vehicle: the vehicles they drove, with only their own steps (Martin's V1 trip is not counted).
    r = analyse(client, h, "BY_VEHICLE_WITH_HORAIRE_SYNTHESIS", *JAN)
    assert _subjects(r) == {str(ids["v1"])}
    v1 = all_lines(tree(r))[str(ids["v1"])]
    assert sum(pair(v1["total"]["distanceInMeterByPeriodMap"])) == pytest.approx(50_000)
    assert "Martin" not in r.text
    # A driver without an individual sees nothing.
    h2 = login(client, acme["t"].driver)
    assert _subjects(analyse(client, h2, "BY_DRIVER_WITH_HORAIRE_SYNTHESIS", *JAN)) == set()


def test_costs_use_customer_prices_and_vehicle_overrides(client, acme, auth):
    ids = acme["ids"]
    h = acme["h"]
    lines = all_lines(tree(analyse(client, h, "BY_VEHICLE_WITH_HORAIRE_SYNTHESIS", *JAN)))
    v1, v2 = lines[str(ids["v1"])], lines[str(ids["v2"])]
    assert v1["cost"] == pytest.approx((3 + 2 + 4) * 1.8)  # fuel at the customer's price
    assert v2["cost"] == pytest.approx(8 * 0.30)  # electricity at the vehicle's own price
    assert pair(v1["total"]["costByPeriodMap"])[0] == pytest.approx((1.5 + 4) * 1.8)  # private: half the evening trip + the decision
    # Prices through the admin API: the customer's settings and a vehicle's override.
    admin = auth(acme["t"].admin)
    r = client.put(f"{client.base}/admin/v1/settings", headers=admin,
                   json={"fuelPricePerL": 2.0, "electricityPricePerKwh": 0.2, "currency": "CHF"})
    assert r.status_code == 200, r.text
    assert r.json()["fuelPricePerL"] == 2.0 and r.json()["currency"] == "CHF"
    r = client.put(f"{client.base}/admin/v1/vehicles/{ids['v1']}", headers=admin, json={"fuelPricePerL": 1.5})
    assert r.status_code == 200 and r.json()["fuelPricePerL"] == 1.5, r.text
    r = client.put(f"{client.base}/admin/v1/vehicles/{ids['v2']}", headers=admin, json={"electricityPricePerKwh": None})
    assert r.status_code == 200 and r.json()["electricityPricePerKwh"] is None
    item = analyse(client, h, "BY_VEHICLE_WITH_HORAIRE_SYNTHESIS", *JAN).json()[0]
    lines = all_lines(item["synthesisTreeByVehicle"])
    assert lines[str(ids["v1"])]["cost"] == pytest.approx(9 * 1.5)
    assert lines[str(ids["v2"])]["cost"] == pytest.approx(8 * 0.2)
    assert lines[str(ids["v3"])]["cost"] == pytest.approx(1 * 2.0)
    assert item["bean"]["currency"] == "CHF" and "Coût total (CHF)" in item["htmlTable"]
    for bad in ({"fuelPricePerL": -1}, {"currency": "euro"}, {"electricityPricePerKwh": "x"}):
        assert client.put(f"{client.base}/admin/v1/settings", headers=admin, json=bad).status_code == 400


@pytest.mark.parametrize("body,field", [
    ({"renderMode": "BY_BUS", "periode": {"debut": 0, "fin": 1}}, "renderMode"),
    ({"periode": {"debut": 0, "fin": 1}}, "renderMode"),
    ({"renderMode": MODES[0], "criteria": "SOME", "periode": {"debut": 0, "fin": 1}}, "criteria"),
    ({"renderMode": MODES[0]}, "periode"),
    ({"renderMode": MODES[0], "periode": {"debut": "yesterday", "fin": 1}}, "periode.debut"),
    ({"renderMode": MODES[0], "periode": {"debut": 0, "fin": True}}, "periode.fin"),
    ({"renderMode": MODES[0], "periode": {"debut": 0, "fin": 1.5}}, "periode.fin"),
    ({"renderMode": MODES[0], "periode": {"debut": 0}}, "periode.fin"),
    ({"renderMode": MODES[0], "periode": {"debut": 5, "fin": 5}}, "periode.fin"),
    ({"renderMode": MODES[0], "periode": {"debut": "2026-02-01T00:00:00Z", "fin": "2026-01-01T00:00:00Z"}},
     "periode.fin"),
    ({"renderMode": MODES[0], "periode": {"debut": -5, "fin": 1}}, "periode.debut"),
    ({"renderMode": MODES[0], "periode": {"debut": 0, "fin": 1, "x": 1}}, "periode.x"),
    ({"renderMode": MODES[0], "periode": {"debut": 0, "fin": 1}, "filter": {"people": [1]}}, "filter.people"),
    ({"renderMode": MODES[0], "periode": {"debut": 0, "fin": 1}, "filter": {"persons": ["1"]}}, "filter.persons"),
    ({"renderMode": MODES[0], "periode": {"debut": 0, "fin": 1}, "filter": {"persons": [-1]}}, "filter.persons"),
    ({"renderMode": MODES[0], "periode": {"debut": 0, "fin": 1}, "filter": [1]}, "filter"),
    ({"renderMode": MODES[0], "periode": {"debut": 0, "fin": 1}, "extra": 1}, "extra"),
])
def test_bad_requests_name_the_field(client, acme, body, field):
    r = client.post(f"{client.base}/analyse/preformattedPrivacy", headers=acme["h"], json=body)
    assert r.status_code == 400, r.text
    out = r.json()
    assert out["oceanStatus"] == "BAD_REQUEST" and field in out["message"], out


def test_bad_format_and_roles(client, acme):
    body = {"renderMode": MODES[0], "periode": {"debut": JAN[0], "fin": JAN[1]}}
    url = f"{client.base}/analyse/preformattedPrivacy"
    r = client.post(url, headers=acme["h"], json=body, params={"format": "pdf"})
    assert r.status_code == 400 and "format" in r.json()["message"]
    assert client.post(url, json=body).status_code == 401
    # Epoch ms as a number, as a numeric string, ISO with and without offset (customer's zone).
    for debut in (ms(JAN[0]), str(ms(JAN[0])), "2026-01-01T00:00:00", "2025-12-31T23:00:00Z"):
        r = client.post(url, headers=acme["h"], json={**body, "periode": {"debut": debut, "fin": JAN[1]}})
        assert r.status_code == 200
        assert r.json()[0]["bean"]["periode"]["debut"] == "2026-01-01T00:00:00.000+01:00"


def test_empty_period_answers_an_empty_tree(client, acme):
    item = analyse(client, acme["h"], "BY_DRIVER_WITH_HORAIRE_DETAIL", "2030-01-01T00:00:00Z",
                   "2030-01-02T00:00:00Z").json()[0]
    root = item["synthesisTreeByDriver"]
    _check_node(root)
    assert root["nodes"] == {} and all_lines(root) == {}
    assert root["entityTotalCumul"]["cost"] == 0.0
    assert "Aucune donnée" in item["htmlTable"]


def test_dst_days_in_detail(client, db, factory, auth):
    """Local days across the spring-forward night: a 23-hour day holds its own steps."""
    t = factory.tenant("dst")
    with db.session() as s:
        f = Fleet(s, t.customer_id)
        d = f.individu("D")
        v = f.vehicle("DST-1")
        f.step(v, d, ms("2026-03-28T23:30:00+01:00"), ms("2026-03-29T03:30:00+02:00"))  # 3 h, across midnight
        f.step(v, d, ms("2026-03-29T23:00:00+02:00"), ms("2026-03-30T01:00:00+02:00"))
        steps = list(f.steps)
    lines = all_lines(tree(analyse(client, auth(t.manager), "BY_DRIVER_WITHOUT_HORAIRE_DETAIL",
                                   "2026-03-29T00:00:00", "2026-03-30T00:00:00")))
    assert set(lines) == {f"{d}_2026-03-29"}
    exp = expected(steps, ms("2026-03-29T00:00:00+01:00"), ms("2026-03-30T00:00:00+02:00"), 1, lambda s: s.individu_id,
                   by_day=True, tz=PARIS)
    assert_line(lines[f"{d}_2026-03-29"], next(iter(exp.values())))
    assert pair(lines[f"{d}_2026-03-29"]["total"]["durationInSecByPeriodMap"])[1] == pytest.approx(2.5 * 3600 + 3600)
