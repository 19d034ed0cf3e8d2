"""The report as CSV (stdlib), XLSX (openpyxl, typed numeric cells) and a terminal table.

Rows and order are those of the HTML page (`table.iter_blocks`): lines, entity subtotals, entity
cumulative totals and the grand total, told apart by the first column ("Type de ligne").
- CSV: comma-separated, UTF-8, the JSON's figures in the API's units (seconds, metres, points,
  litres, kWh, money) at full precision, so that integrators get exactly the JSON's numbers.
- XLSX: the same figures for a spreadsheet: numeric cells, durations as time values shown `[h]:mm`,
  distances in km; written in openpyxl's streaming mode to a temporary file.
- Terminal: an aligned text table with the HTML page's columns (h:mm, km).
"""

from __future__ import annotations

import csv
import io
import tempfile
from collections.abc import Iterator
from typing import IO, Any

import numpy as np

from fleetprivacy.analysis import table
from fleetprivacy.analysis.report import NONE, Report
from fleetprivacy.analysis.wire import format_numbers

CSV_MEDIA_TYPE = "text/csv; charset=utf-8"
XLSX_MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
_BATCH = 2000


def _label_columns(report: Report) -> list[str]:
    who, other = ("Conducteur", "Véhicule") if report.mode.by_driver else ("Véhicule", "Conducteur")
    cols = ["Type de ligne", "Id entité", "Entité", f"Id {who.lower()}", who, f"Id {other.lower()}", other]
    return [*cols, "Jour"] if report.mode.detail else cols


def iter_records(report: Report) -> Iterator[tuple[list[list[Any]], Any]]:
    """Batches of table rows in order: (label cells of each row, (k, 14) figures of the rows); ids are
    None where not applicable."""
    labeller = table.Labeller(report)
    lines = report.lines
    detail = report.mode.detail
    for block in table.iter_blocks(report):
        node = block.node
        entity_id = node.entity.id if node.entity is not None else None
        entity = table.entity_title(report, node)
        for start in range(block.lo, block.hi, _BATCH):
            end = min(start + _BATCH, block.hi)
            keys, others = lines.key[start:end].tolist(), lines.other[start:end].tolist()
            batch = []
            for i, (who, other, day) in enumerate(labeller.labels(start, end)):
                cells = [table.ROW_KIND_LABELS[table.LINE], entity_id, entity, keys[i], who,
                         None if others[i] == NONE else others[i], other]
                if detail:
                    cells.append(day)
                batch.append(cells)
            yield batch, lines.figures[start:end]
        for kind, label, figures in block.totals:
            cells = [table.ROW_KIND_LABELS[kind], entity_id, entity, None, label, None, ""]
            if detail:
                cells.append("")
            yield [cells], figures.reshape(1, -1)
    cells = [table.ROW_KIND_LABELS[table.TOTAL], None, "", None, "Total général", None, ""]
    if detail:
        cells.append("")
    yield [cells], report.grand_total.reshape(1, -1)


# --- CSV -----------------------------------------------------------------------------------


def iter_csv(report: Report) -> Iterator[str]:
    """The CSV text, in pieces."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([*_label_columns(report), *table.headings(table.EXPORT_COLUMNS, report.reference.currency)])
    for batch, figures in iter_records(report):
        values = format_numbers(table.export_values(figures))
        writer.writerows(["" if c is None else c for c in cells] + numbers
                         for cells, numbers in zip(batch, values, strict=True))
        yield buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()


# --- XLSX ----------------------------------------------------------------------------------

# How an export column is shown in the spreadsheet: scale from API units, heading, number format.
_XLSX_FORMATS = {
    "duration": (1 / 86400.0, "(h:mm)", "[h]:mm"),
    "metres": (1 / 1000.0, "(km)", "#,##0.0"),
    "points": (1.0, None, "0.0"),
    "litres": (1.0, None, "#,##0.00"),
    "kwh": (1.0, None, "#,##0.00"),
    "money": (1.0, None, "#,##0.00"),
}


def xlsx_columns(currency: str) -> list[tuple[str, float, str]]:
    """(heading, scale from API units, number format) of the figure columns of the XLSX."""
    out = []
    for label, kind in table.EXPORT_COLUMNS:
        scale, unit, number_format = _XLSX_FORMATS[kind]
        heading = label.format(currency=currency)
        if unit is not None:
            heading = heading.rsplit(" (", 1)[0] + f" {unit}"
        out.append((heading, scale, number_format))
    return out


def write_xlsx(report: Report, out: IO[bytes]) -> None:
    """Write the XLSX workbook to `out` (streaming: rows are not kept in memory)."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    columns = xlsx_columns(report.reference.currency)
    labels = _label_columns(report)
    scales = np.array([scale for _h, scale, _f in columns])
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("Analyse")
    ws.freeze_panes = "A2"
    bold = Font(bold=True)
    header = []
    for text in [*labels, *(h for h, _s, _f in columns)]:
        cell = WriteOnlyCell(ws, value=text)
        cell.font = bold
        header.append(cell)
    ws.append(header)
    formats = [f for _h, _s, f in columns]
    line_kind = table.ROW_KIND_LABELS[table.LINE]
    for batch, figures in iter_records(report):
        all_values = (table.export_values(figures) * scales).tolist()
        for cells, values in zip(batch, all_values, strict=True):
            is_total = cells[0] != line_kind
            row: list[Any] = []
            for c in cells:
                cell = WriteOnlyCell(ws, value=c)
                if isinstance(c, str):
                    # Names are text: openpyxl would store "=HYPERLINK(…)" (a driver's or a
                    # vehicle's name) as a live formula in the manager's spreadsheet.
                    cell.data_type = "s"
                if is_total:
                    cell.font = bold
                row.append(cell)
            for v, number_format in zip(values, formats, strict=True):
                cell = WriteOnlyCell(ws, value=float(v))
                cell.number_format = number_format
                if is_total:
                    cell.font = bold
                row.append(cell)
            ws.append(row)
    wb.save(out)


def xlsx_file(report: Report) -> IO[bytes]:
    """The XLSX in a temporary file, rewound (deleted when closed)."""
    handle = tempfile.TemporaryFile()
    write_xlsx(report, handle)
    handle.seek(0)
    return handle


# --- terminal ------------------------------------------------------------------------------


def text_table(report: Report, bean: dict[str, Any]) -> str:
    """A readable, aligned table for a terminal (the HTML page's columns)."""
    from fleetprivacy.analysis.html import describe

    title, meta = describe(report, bean)
    heads = [*table.label_headings(report), *table.headings(table.DISPLAY_COLUMNS, report.reference.currency)]
    n_labels = len(table.label_headings(report))
    rows: list[tuple[str, list[str]]] = []  # (style, cells)
    labeller = table.Labeller(report)
    for block in table.iter_blocks(report):
        if block.title:
            rows.append(("title", ["  " * block.depth + block.title]))
        if block.hi > block.lo:
            cells = table.format_display(table.display_values(report.lines.figures[block.lo:block.hi]))
            for (who, other, day), figures in zip(labeller.labels(block.lo, block.hi), cells, strict=True):
                rows.append(("line", [who, other, day][:n_labels] + figures))
        for _kind, label, figures in block.totals:
            rows.append(("total", [label] + [""] * (n_labels - 1) + table.format_display(
                table.display_values(figures))[0]))
    rows.append(("total", ["Total général"] + [""] * (n_labels - 1)
                 + table.format_display(table.display_values(report.grand_total))[0]))

    widths = [len(h) for h in heads]
    for style, cells in rows:
        if style != "title":
            for j, c in enumerate(cells):
                widths[j] = max(widths[j], len(c))
    sep = "  "

    def fmt(cells: list[str]) -> str:
        parts = [c.ljust(widths[j]) if j < n_labels else c.rjust(widths[j]) for j, c in enumerate(cells)]
        return sep.join(parts).rstrip()

    rule = "-" * (sum(widths) + len(sep) * (len(widths) - 1))
    out = [title, " · ".join(meta), "", fmt(heads), rule]
    for style, cells in rows:
        if style == "title":
            out.append(cells[0])
        elif style == "total":
            out.append(fmt(cells))
        else:
            out.append(fmt(cells))
    out.append(rule)
    return "\n".join(out) + "\n"
