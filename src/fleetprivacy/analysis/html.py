"""`htmlTable`: the report as a standalone, escaped HTML page (Jinja2, autoescape on).

One row per line, a subtotal per entity, a cumulative total after an entity's sub-entities and a
grand total; French headings, distances in km, durations in h:mm. Every value reaches the page
through the template's autoescaping: a driver named `<script>` is shown as text. Rows are produced
lazily, so a DETAIL page over a year streams instead of sitting in memory.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from jinja2 import Environment, PackageLoader, select_autoescape
from markupsafe import Markup, escape

from fleetprivacy.analysis import table
from fleetprivacy.analysis.report import Report
from fleetprivacy.core.dates import ms_to_local

_env = Environment(
    loader=PackageLoader("fleetprivacy.analysis", "templates"),
    autoescape=select_autoescape(enabled_extensions=("html", "j2"), default=True, default_for_string=True),
    trim_blocks=True,
    lstrip_blocks=True,
)
_ROWS_PER_BATCH = 2000

GROUPINGS_FR = {
    "BY_DRIVER": "par conducteur",
    "BY_VEHICLE": "par véhicule",
    "BY_DRIVER_VEHICLE_FUNCTION": "par conducteur, sur son véhicule de fonction",
}


@dataclass
class _HtmlBlock:
    title: str
    depth: int
    rows: Iterator[Markup]
    totals: list[tuple[str, str, list[str]]]


_NUMBER_CELLS = '</td><td class="n">'
_ROW = '<tr><td>%s</td><td>%s</td><td class="n">%s</td></tr>\n'
_DETAIL_ROW = '<tr><td>%s</td><td>%s</td><td>%s</td><td class="n">%s</td></tr>\n'


class _EscapedLabels:
    """The label cells of lines, escaped by markupsafe (the template's own escaper) once per value."""

    def __init__(self, report: Report, labeller: table.Labeller) -> None:
        self.lines = report.lines
        self.labeller = labeller
        self._who: dict[int, str] = {}
        self._other: dict[int, str] = {}
        self._day: dict[int, str] = {}

    @staticmethod
    def _column(values: list[int], cache: dict[int, str], label: Callable[[int], str]) -> list[str]:
        for value in set(values).difference(cache):
            cache[value] = str(escape(label(value)))
        return list(map(cache.__getitem__, values))

    def columns(self, lo: int, hi: int, detail: bool) -> list[list[str]]:
        """(who, other[, day]) cells of lines `[lo, hi)`, as columns."""
        lines, labeller = self.lines, self.labeller
        out = [
            self._column(lines.key[lo:hi].tolist(), self._who, labeller.who),
            self._column(lines.other[lo:hi].tolist(), self._other, labeller.other),
        ]
        if detail:
            out.append(self._column(lines.day[lo:hi].tolist(), self._day, labeller.day))
        return out


def _row_chunks(report: Report, labeller: table.Labeller, lo: int, hi: int) -> Iterator[Markup]:
    """The `<tr>` rows of lines `[lo, hi)`, a batch per chunk.

    A DETAIL page over a year has hundreds of thousands of rows, too many for one template call per
    cell, or even a Python loop per row: rows are written here, by `str %` mapped over columns, with
    every label escaped by markupsafe (the template's own escaper) and numbers that
    `table.format_display_joined` made from floats (digits, signs and separators)."""
    detail = report.mode.detail
    labels = _EscapedLabels(report, labeller)
    row = (_DETAIL_ROW if detail else _ROW).__mod__
    for start in range(lo, hi, _ROWS_PER_BATCH):
        end = min(start + _ROWS_PER_BATCH, hi)
        numbers = table.format_display_joined(table.display_values(report.lines.figures[start:end]),
                                              separator=_NUMBER_CELLS)
        yield Markup("".join(map(row, zip(*labels.columns(start, end, detail), numbers, strict=True))))


def _cells(figures: Any) -> list[str]:
    return table.format_display(table.display_values(figures))[0]


def describe(report: Report, bean: dict[str, Any]) -> tuple[str, list[str]]:
    """The page title and its description line (period, mode, criteria, currency)."""
    mode = report.mode
    title = "Analyse vie privée / vie professionnelle " + GROUPINGS_FR[mode.grouping]
    tz = ZoneInfo(report.timezone)
    debut, fin = (ms_to_local(x, tz).strftime("%d/%m/%Y %H:%M") for x in (report.debut_ms, report.fin_ms))
    meta = [
        f"{report.reference.customer_name}",
        f"du {debut} au {fin} (exclu, heure de {report.timezone})",
        "détail par jour" if mode.detail else "synthèse",
        "avec horaires de vie privée" if mode.variant == 0 else "sans horaires de vie privée",
        f"véhicules : {_CRITERIA_FR.get(bean.get('criteria', 'ALL'), 'tous')}",
        f"devise : {report.reference.currency}",
        f"{len(report.lines)} ligne(s)",
    ]
    return title, meta


_CRITERIA_FR = {
    "ALL": "tous",
    "GEOLOCATION": "géolocalisés",
    "WIHOUT_GEOLOCATION": "non géolocalisés",
    "WITHOUT_GEOLOCATION": "non géolocalisés",
}


def iter_html(report: Report, bean: dict[str, Any]) -> Iterator[str]:
    """The page, in pieces."""
    labeller = table.Labeller(report)
    blocks = (
        _HtmlBlock(
            title=b.title,
            depth=b.depth,
            rows=_row_chunks(report, labeller, b.lo, b.hi),
            totals=[(kind, label, _cells(figures)) for kind, label, figures in b.totals],
        )
        for b in table.iter_blocks(report)
    )
    title, meta = describe(report, bean)
    label_headings = table.label_headings(report)
    template = _env.get_template("report.html.j2")
    return template.generate(
        title=title,
        meta=meta,
        headers=[*label_headings, *table.headings(table.DISPLAY_COLUMNS, report.reference.currency)],
        n_labels=len(label_headings),
        detail=report.mode.detail,
        blocks=blocks,
        grand_total=_cells(report.grand_total),
        has_lines=len(report.lines) > 0,
    )


