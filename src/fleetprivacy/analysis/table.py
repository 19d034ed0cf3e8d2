"""The report as a table (pure): blocks per entity, columns, French headings and number formats.

Shared by the HTML page, the CSV and XLSX exports and the terminal table, so that they all show the
same rows in the same order: for each entity in tree order, its lines, its subtotal ("Sous-total",
its own lines), and after its sub-entities their cumulative total ("Total … et sous-entités");
then the grand total ("Total général").
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np

from fleetprivacy.analysis.report import F64, NONE, Node, Report, day_iso

LINE, SUBTOTAL, CUMUL, TOTAL = "line", "subtotal", "cumul", "total"
ROW_KIND_LABELS = {LINE: "LIGNE", SUBTOTAL: "SOUS-TOTAL", CUMUL: "TOTAL ENTITÉ", TOTAL: "TOTAL GÉNÉRAL"}
NO_ENTITY = "Sans entité"
PATH_SEPARATOR = " › "

# Display columns (HTML, terminal, XLSX): label, unit kind, how to get it from the figures.
# Figures (report.FIGURES): 0-5 private measures, 6-11 professional, 12 private cost, 13 pro cost.
DISPLAY_COLUMNS: tuple[tuple[str, str], ...] = (
    ("Durée vie privée", "duration"),
    ("Durée vie professionnelle", "duration"),
    ("Distance vie privée (km)", "km"),
    ("Distance vie professionnelle (km)", "km"),
    ("Dont électrique vie privée (km)", "km"),
    ("Dont électrique vie professionnelle (km)", "km"),
    ("Batterie vie privée (points)", "points"),
    ("Batterie vie professionnelle (points)", "points"),
    ("Carburant (L)", "litres"),
    ("Électricité (kWh)", "kwh"),
    ("Coût vie privée ({currency})", "money"),
    ("Coût total ({currency})", "money"),
)
# Raw display values: seconds, metres (shown as km), points, litres, kWh, money.
_DISPLAY_INDEX = (0, 6, 1, 7, 2, 8, 5, 11)


def display_values(figures: F64) -> F64:
    """(n, 12) display values in API units (seconds, metres, ...) from (n, 14) figures."""
    f = np.asarray(figures, dtype=np.float64).reshape(-1, figures.shape[-1])
    return np.column_stack([
        f[:, list(_DISPLAY_INDEX)],
        f[:, 3] + f[:, 9],
        f[:, 4] + f[:, 10],
        f[:, 12],
        f[:, 12] + f[:, 13],
    ])


# Export columns (CSV and XLSX): every figure of the JSON, API units, with French headings.
EXPORT_COLUMNS: tuple[tuple[str, str], ...] = (
    ("Durée vie privée (s)", "duration"),
    ("Durée vie professionnelle (s)", "duration"),
    ("Distance vie privée (m)", "metres"),
    ("Distance vie professionnelle (m)", "metres"),
    ("Distance électrique vie privée (m)", "metres"),
    ("Distance électrique vie professionnelle (m)", "metres"),
    ("Batterie vie privée (points)", "points"),
    ("Batterie vie professionnelle (points)", "points"),
    ("Carburant vie privée (L)", "litres"),
    ("Carburant vie professionnelle (L)", "litres"),
    ("Électricité vie privée (kWh)", "kwh"),
    ("Électricité vie professionnelle (kWh)", "kwh"),
    ("Coût vie privée ({currency})", "money"),
    ("Coût vie professionnelle ({currency})", "money"),
    ("Carburant total (L)", "litres"),
    ("Électricité totale (kWh)", "kwh"),
    ("Coût total ({currency})", "money"),
)


def export_values(figures: F64) -> F64:
    """(n, 17) export values (the JSON's figures: consoL, consoKWh and cost last) from (n, 14) figures."""
    f = np.asarray(figures, dtype=np.float64).reshape(-1, figures.shape[-1])
    return np.column_stack([
        f[:, [0, 6, 1, 7, 2, 8, 5, 11, 3, 9, 4, 10, 12, 13]],
        f[:, 3] + f[:, 9],
        f[:, 4] + f[:, 10],
        f[:, 12] + f[:, 13],
    ])


def headings(columns: tuple[tuple[str, str], ...], currency: str) -> list[str]:
    return [label.format(currency=currency) for label, _kind in columns]


def label_headings(report: Report) -> list[str]:
    """The label columns: the line's subject, its other subject, and the day in DETAIL."""
    names = ["Conducteur", "Véhicule"] if report.mode.by_driver else ["Véhicule", "Conducteur"]
    return [*names, "Jour"] if report.mode.detail else names


@dataclass
class Block:
    """A run of rows of one entity: its title, its lines (report.lines[lo:hi]) and totals after them."""

    node: Node
    title: str
    depth: int
    lo: int
    hi: int
    totals: list[tuple[str, str, F64]]  # (kind, label, figures)


def entity_title(report: Report, node: Node) -> str:
    """`Parent › Child`, or 'Sans entité' for the root's own lines."""
    path = report.entity_path(node)
    return PATH_SEPARATOR.join(e.nom for e in path) if path else NO_ENTITY


def iter_blocks(report: Report) -> Iterator[Block]:
    """The table's blocks in tree order (a node's cumulative total after its sub-entities)."""

    def visit(node: Node) -> Iterator[Block]:
        title = entity_title(report, node)
        if node.line_hi > node.line_lo:
            yield Block(node, title, node.depth, node.line_lo, node.line_hi,
                        [(SUBTOTAL, f"Sous-total {title}", node.total)])
        for child in node.children:
            yield from visit(child)
        if node.children and node.entity is not None:
            yield Block(node, "", node.depth, 0, 0,
                        [(CUMUL, f"Total {title} et sous-entités", node.cumul)])

    yield from visit(report.root)


class Labeller:
    """Labels of lines, with the names looked up once per subject."""

    def __init__(self, report: Report) -> None:
        self.report = report
        self._who: dict[int, str] = {}
        self._other: dict[int, str] = {}
        self._days: dict[int, str] = {}

    def who(self, key: int) -> str:
        text = self._who.get(key)
        if text is None:
            text = self._who[key] = self.report.subject_label(key)
        return text

    def other(self, other: int) -> str:
        text = self._other.get(other)
        if text is None:
            text = self._other[other] = self.report.other_label(other)
        return text

    def day(self, day: int) -> str:
        if day == NONE:
            return ""
        text = self._days.get(day)
        if text is None:
            text = self._days[day] = day_iso(day)
        return text

    def labels(self, lo: int, hi: int) -> Iterator[tuple[str, str, str]]:
        lines = self.report.lines
        for key, other, day in zip(lines.key[lo:hi].tolist(), lines.other[lo:hi].tolist(),
                                   lines.day[lo:hi].tolist(), strict=True):
            yield self.who(key), self.other(other), self.day(day)


# --- French number formats ------------------------------------------------------------------

_NNBSP = "\u202f"


def _fr(text: str) -> str:
    """English `1,234.5` -> French `1 234,5` (narrow no-break space, decimal comma).

    Two `str.replace` rather than a `str.translate` table: translate maps character by character
    through a dict, replace runs in C over the whole text (DETAIL pages format megabytes at once)."""
    return text.replace(",", _NNBSP).replace(".", ",")


_DECIMALS = {"km": 1, "points": 1, "litres": 2, "kwh": 2, "money": 2}
CELL_SEPARATOR = "\x00"  # between the cells of `format_display_joined` (never in a formatted number)
_ROW_SEPARATOR = "\n"  # between the rows of a batch while it is translated (never in a formatted number)


def _row_template() -> str:
    fields = []
    arg = 0
    for _label, kind in DISPLAY_COLUMNS:
        if kind == "duration":  # sign, hours, minutes (three arguments)
            fields.append(f"{{{arg}}}{{{arg + 1}}}:{{{arg + 2}:02d}}")
            arg += 3
        else:
            fields.append(f"{{{arg}:,.{_DECIMALS[kind]}f}}")
            arg += 1
    return CELL_SEPARATOR.join(fields)


_ROW = _row_template()


def format_display_joined(values: F64, separator: str = CELL_SEPARATOR) -> list[str]:
    """Per row, the French texts of (n, 12) display values joined by `separator`.

    h:mm durations (rounded to the minute, half to even like `round`), km with one decimal, litres,
    kWh and money with two. A DETAIL page has millions of cells: one `str.format` per row (called
    from `map`, no Python loop), then the French separators and `separator` put in by a few
    `str.replace` over the whole batch (`separator` must not hold a newline)."""
    kinds = [kind for _label, kind in DISPLAY_COLUMNS]
    v = np.asarray(values, dtype=np.float64).reshape(-1, len(kinds))
    if not len(v):
        return []
    args: list[list[object]] = []
    for j, kind in enumerate(kinds):
        if kind == "duration":
            minutes = np.rint(v[:, j] / 60.0).astype(np.int64)
            args.append(np.where(minutes < 0, "-", "").tolist())
            args.append((np.abs(minutes) // 60).tolist())
            args.append((np.abs(minutes) % 60).tolist())
        else:
            col = v[:, j] / 1000.0 if kind == "km" else v[:, j]
            args.append(col.tolist())
    text = _fr(_ROW_SEPARATOR.join(map(_ROW.format, *args)))
    if separator != CELL_SEPARATOR:
        text = text.replace(CELL_SEPARATOR, separator)
    return text.split(_ROW_SEPARATOR)


def format_display(values: F64) -> list[list[str]]:
    """French texts of (n, 12) display values: h:mm durations, km with one decimal, and so on."""
    return [row.split(CELL_SEPARATOR) for row in format_display_joined(values)]
