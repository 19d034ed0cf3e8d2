"""The reference's JSON response of `POST /analyse/preformattedPrivacy`, written as a stream of text.

The response is `[{"mode", "synthesisTreeByDriver", "htmlTable", "synthesisTreeByVehicle", "bean"}]`
with the tree of the mode's grouping (the other tree is null). A tree node:

    {"nodes": {"<entityId>": node, ...},
     "entityTotalCumul": total, "entityTotalByFlagCumul": {"HORAIRE": total, ...},
     "entity": {"id", "nom", "suppressionLogique"},
     "content": {"typeMotorisationEnergyeMap": {"<typeMotorisation>": total, ...},
                 "chauffeursByIdDriverAndPeriodeBean": {"map": {"<key>": line, ...}},
                 "entityTotal": total, "refItems": {"<id>": individu or vehicle},
                 "entityTotalByFlag": {...}, "entity": {...}}}

A line (and a total, whose driver/vehicle/dayDate are null): `consoL`, `consoKWh`, `cost` and
`total.{durationInSec,utilisationBatterie,distanceInMeter,distanceElectriqueInMeter}ByPeriodMap`
keyed `VIE_PRIVEE` / `VIE_PROFESSIONNELLE`, plus (ours) `consoL`, `consoKWh` and `cost` by period.
Numbers are written by orjson from numpy columns: a DETAIL report over a year has hundreds of
thousands of lines, and formatting them one float at a time in Python would take seconds.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator
from itertools import repeat
from typing import Any

import numpy as np
import orjson

from fleetprivacy.analysis.report import (
    NONE,
    SOURCES,
    UNIDENTIFIED,
    F64,
    Node,
    Report,
    day_iso,
)

_MAPS = (
    "durationInSecByPeriodMap",
    "utilisationBatterieByPeriodMap",
    "distanceInMeterByPeriodMap",
    "distanceElectriqueInMeterByPeriodMap",
    "consoLByPeriodMap",
    "consoKWhByPeriodMap",
    "costByPeriodMap",
)
_PAIR = '{"VIE_PRIVEE":%s,"VIE_PROFESSIONNELLE":%s}'
# %s slots: consoL, 7 maps x 2, cost, driver, dayDate, consoKWh, entity, vehicle.
_LINE = (
    '{"consoL":%s,"total":{'
    + ",".join(f'"{name}":{_PAIR}' for name in _MAPS)
    + '},"cost":%s,"driver":%s,"dayDate":%s,"consoKWh":%s,"entity":%s,"vehicle":%s}'
)
# A line under its key in `chauffeursByIdDriverAndPeriodeBean`: `"<key>":` (SYNTHESIS, no day) or
# `"<key>_<yyyy-MM-dd>":` (DETAIL, the day again in dayDate).
_ENTRY = '"%s":' + _LINE.replace('"dayDate":%s', '"dayDate":null')
_DAY_ENTRY = '"%s_%s":' + _LINE.replace('"dayDate":%s', '"dayDate":"%s"')
_CHUNK = 2000  # lines per written chunk


def _columns(figures: F64) -> F64:
    """A line's 17 numbers in `_LINE` order from its figures (report.FIGURES order)."""
    f = np.asarray(figures, dtype=np.float64).reshape(-1, figures.shape[-1])
    return np.ascontiguousarray(np.column_stack([
        f[:, 3] + f[:, 9],  # consoL
        f[:, 0], f[:, 6],  # duration
        f[:, 5], f[:, 11],  # battery
        f[:, 1], f[:, 7],  # distance
        f[:, 2], f[:, 8],  # electric distance
        f[:, 3], f[:, 9],  # fuel
        f[:, 4], f[:, 10],  # energy
        f[:, 12], f[:, 13],  # cost
        f[:, 12] + f[:, 13],  # cost
        f[:, 4] + f[:, 10],  # consoKWh
    ]))


def format_numbers(values: F64) -> list[list[str]]:
    """JSON texts (shortest round-trip representation) of each row of a 2-D float array."""
    values = np.ascontiguousarray(values, dtype=np.float64)
    if not len(values):
        return []
    text = orjson.dumps(values, option=orjson.OPT_SERIALIZE_NUMPY).decode()
    return [row.split(",") for row in text[2:-2].split("],[")]


def number_texts(figures: F64) -> list[list[str]]:
    """JSON texts of the 17 numbers of a line for each figures row."""
    return format_numbers(_columns(figures))


def _dumps(obj: Any) -> str:
    return json.dumps(obj, ensure_ascii=False, separators=(",", ":"))


class _Fragments:
    """JSON of the reference objects, rendered once each."""

    def __init__(self, report: Report) -> None:
        self.ref = report.reference
        self._drivers: dict[int, str] = {}
        self._vehicles: dict[int, str] = {}

    def driver(self, individu_id: int) -> str:
        text = self._drivers.get(individu_id)
        if text is None:
            ind = self.ref.individus.get(individu_id) if individu_id != UNIDENTIFIED else None
            text = _dumps({
                "affectedEtape": None,
                "individu": ind.wire if ind is not None else None,
                "isRelevant": ind is not None,
                "isIdentEnabled": ind is not None,
                "dispositif": None,
                "ndidLong": None,
            })
            self._drivers[individu_id] = text
        return text

    def vehicle(self, vehicle_id: int) -> str:
        text = self._vehicles.get(vehicle_id)
        if text is None:
            veh = self.ref.vehicles.get(vehicle_id)
            text = _dumps(veh.wire) if veh is not None else "null"
            self._vehicles[vehicle_id] = text
        return text


def _total(numbers: list[str], entity: str) -> str:
    return _LINE % (*numbers[:16], "null", "null", numbers[16], entity, "null")


def _totals(figures: F64, entity: str) -> list[str]:
    return [_total(n, entity) for n in number_texts(figures)]


def entity_json(node: Node, report: Report) -> str:
    """The node's `entity` object; the root stands for the customer (id 0)."""
    if node.entity is None:
        return _dumps({"id": 0, "nom": report.reference.customer_name, "suppressionLogique": False})
    return _dumps(node.entity.wire())


def _by_flag(totals: list[str]) -> str:
    return "{" + ",".join(f'"{name}":{t}' for name, t in zip(SOURCES, totals, strict=True)) + "}"


def _number_columns(figures: F64) -> list[list[str]]:
    """JSON texts of the 17 numbers of `_LINE` for each figures row, as 17 columns of texts."""
    columns = np.ascontiguousarray(_columns(figures).T)
    if not columns.shape[1]:
        return [[] for _ in range(len(columns))]
    text = orjson.dumps(columns, option=orjson.OPT_SERIALIZE_NUMPY).decode()
    return [column.split(",") for column in text[2:-2].split("],[")]


def _texts(values: list[int], text: Callable[[int], str]) -> list[str]:
    """`text(v)` for each value, computed once per distinct value."""
    known = {v: text(v) for v in set(values)}
    return list(map(known.__getitem__, values))


def _lines(report: Report, node: Node, frag: _Fragments, entity: str) -> Iterator[str]:
    """The node's `"<key>": line` entries, a chunk of lines per piece.

    Hundreds of thousands of lines in DETAIL: each entry is one `str %` mapped over columns (numbers,
    reference objects and days rendered once per distinct value), with no Python loop per line."""
    lines = report.lines
    by_driver = report.mode.by_driver
    detail = report.mode.detail
    line_entity = repeat(entity if node.entity is not None else "null")
    entry = (_DAY_ENTRY if detail else _ENTRY).__mod__

    def other_text(other: int) -> str:
        if other == NONE:
            return "null"
        return frag.vehicle(other) if by_driver else frag.driver(other)

    for lo in range(node.line_lo, node.line_hi, _CHUNK):
        hi = min(lo + _CHUNK, node.line_hi)
        numbers = _number_columns(lines.figures[lo:hi])
        keys = lines.key[lo:hi].tolist()
        subjects = _texts(keys, frag.driver if by_driver else frag.vehicle)
        others = _texts(lines.other[lo:hi].tolist(), other_text)
        drivers, vehicles = (subjects, others) if by_driver else (others, subjects)
        if detail:
            days = _texts(lines.day[lo:hi].tolist(), day_iso)
            args = zip(keys, days, *numbers[:16], drivers, days, numbers[16], line_entity, vehicles)
        else:
            args = zip(keys, *numbers[:16], drivers, numbers[16], line_entity, vehicles)
        yield ("," if lo > node.line_lo else "") + ",".join(map(entry, args))


def _node(report: Report, node: Node, frag: _Fragments) -> Iterator[str]:
    entity = entity_json(node, report)
    yield '{"nodes":{'
    for i, child in enumerate(node.children):
        yield f'{"," if i else ""}"{child.entity_id}":'
        yield from _node(report, child, frag)
    cumul, *flags_cumul = _totals(np.vstack([node.cumul, node.by_flag_cumul]), entity)
    total, *flags = _totals(np.vstack([node.total, node.by_flag]), entity)
    motorisations = list(node.by_motorisation)
    mot_totals = _totals(np.array([node.by_motorisation[m] for m in motorisations]).reshape(-1, len(node.total)),
                         entity)
    yield f'}},"entityTotalCumul":{cumul},"entityTotalByFlagCumul":{_by_flag(flags_cumul)},"entity":{entity},'
    yield '"content":{"typeMotorisationEnergyeMap":{'
    yield ",".join(f'"{m}":{t}' for m, t in zip(motorisations, mot_totals, strict=True))
    yield '},"chauffeursByIdDriverAndPeriodeBean":{"map":{'
    yield from _lines(report, node, frag, entity)
    ref_items = ",".join(
        f'"{k}":' + (_individu(frag, k) if report.mode.by_driver else frag.vehicle(k)) for k in node.keys
    )
    yield (f'}}}},"entityTotal":{total},"refItems":{{{ref_items}}},"entityTotalByFlag":{_by_flag(flags)},'
           f'"entity":{entity}}}}}')


def _individu(frag: _Fragments, individu_id: int) -> str:
    ind = frag.ref.individus.get(individu_id) if individu_id != UNIDENTIFIED else None
    return _dumps(ind.wire) if ind is not None else "null"


def iter_json(report: Report, bean: dict[str, Any], html: Iterable[str]) -> Iterator[str]:
    """The whole JSON response, in pieces; `html` is the htmlTable page, in pieces too."""
    frag = _Fragments(report)
    by_driver = report.mode.by_driver
    yield f'[{{"mode":{_dumps(report.mode.name)},"synthesisTreeByDriver":'
    if by_driver:
        yield from _node(report, report.root, frag)
    else:
        yield "null"
    yield ',"htmlTable":"'
    for piece in html:
        yield json.dumps(piece, ensure_ascii=False)[1:-1]
    yield '","synthesisTreeByVehicle":'
    if by_driver:
        yield "null"
    else:
        yield from _node(report, report.root, frag)
    yield f',"bean":{_dumps(bean)}}}]'
