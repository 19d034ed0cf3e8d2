"""Pure report building (no web, no database): aggregated rows + reference data -> the report tree.

Input rows are sums of the stored classification per (driver, vehicle[, local day], source) with
the twelve measures of `etape_parts` (six private, six professional). The builder
- prices them (fuel and electricity cost per vehicle, from the vehicle's prices or the customer's);
- groups them into lines: one per driver (BY_DRIVER, BY_DRIVER_VEHICLE_FUNCTION) or per vehicle
  (BY_VEHICLE), and per local day in DETAIL;
- hangs each line under its entity: the driver's (by driver) or the vehicle's (by vehicle); a line
  without entity (the unidentified driver, a vehicle without entity) hangs under the root node;
- totals every node (its own lines), cumulates with its descendants, and splits both by privacy
  source (HORAIRE, BOUTON, POSTERIORI, AUCUN) and by the vehicles' `typeMotorisation`.

Everything is kept in numpy columns, so a DETAIL report over a year of a large fleet costs a few
bytes per line; the writers (`wire`, `html`, `exports`) stream from it.

A line's `figures` row (FIGURES order): the six private measures, the six professional ones, the
private cost, the professional cost. Units: seconds, metres, litres, kWh, percentage points, money.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import NDArray

from fleetprivacy.analysis.periods import epoch_day, from_epoch_day
from fleetprivacy.classification.engine import MEASURE_FIELDS

I64 = NDArray[np.int64]
F64 = NDArray[np.float64]

WITH_HORAIRE = 0
WITHOUT_HORAIRE = 1

BY_DRIVER = "BY_DRIVER"
BY_VEHICLE = "BY_VEHICLE"
BY_DRIVER_VEHICLE_FUNCTION = "BY_DRIVER_VEHICLE_FUNCTION"

# The keys of `entityTotalByFlag`; a row's source code indexes this tuple.
SOURCES: tuple[str, ...] = ("HORAIRE", "BOUTON", "POSTERIORI", "AUCUN")
SOURCE_CODE = {name: code for code, name in enumerate(SOURCES)}

FIGURES: tuple[str, ...] = (
    *(f"private_{m}" for m in MEASURE_FIELDS),
    *(f"pro_{m}" for m in MEASURE_FIELDS),
    "private_cost",
    "pro_cost",
)
N_MEASURES = 12
N_FIGURES = len(FIGURES)
_FUEL = MEASURE_FIELDS.index("fuel_l")
_ENERGY = MEASURE_FIELDS.index("energy_kwh")

UNIDENTIFIED = 0  # the key of the unidentified driver
NONE = -1  # `other` of a line when it has no single other subject; `day` of a SYNTHESIS line
UNIDENTIFIED_LABEL = "Conducteur non identifié"


@dataclass(frozen=True)
class RenderMode:
    """One of the reference's ten `renderMode`s, decomposed."""

    name: str
    grouping: str  # BY_DRIVER, BY_VEHICLE or BY_DRIVER_VEHICLE_FUNCTION
    variant: int  # WITH_HORAIRE or WITHOUT_HORAIRE
    detail: bool

    @property
    def by_driver(self) -> bool:
        """Lines are drivers (BY_DRIVER and BY_DRIVER_VEHICLE_FUNCTION)."""
        return self.grouping != BY_VEHICLE

    @property
    def function_only(self) -> bool:
        """Only each driver's usage of their own function vehicle(s)."""
        return self.grouping == BY_DRIVER_VEHICLE_FUNCTION


def _modes() -> dict[str, RenderMode]:
    modes: dict[str, RenderMode] = {}
    for grouping in (BY_DRIVER, BY_VEHICLE):
        for horaire, variant in (("WITHOUT_HORAIRE", WITHOUT_HORAIRE), ("WITH_HORAIRE", WITH_HORAIRE)):
            for kind in ("SYNTHESIS", "DETAIL"):
                name = f"{grouping}_{horaire}_{kind}"
                modes[name] = RenderMode(name, grouping, variant, kind == "DETAIL")
    for kind in ("SYNTHESIS", "DETAIL"):
        name = f"{BY_DRIVER_VEHICLE_FUNCTION}_WITH_HORAIRE_{kind}"
        modes[name] = RenderMode(name, BY_DRIVER_VEHICLE_FUNCTION, WITH_HORAIRE, kind == "DETAIL")
    return modes


RENDER_MODES: dict[str, RenderMode] = _modes()

# criteria -> required value of the vehicles' `geolocalise` (None: any).
CRITERIA: dict[str, bool | None] = {
    "GEOLOCATION": True,
    "WIHOUT_GEOLOCATION": False,  # the reference's spelling
    "WITHOUT_GEOLOCATION": False,
    "ALL": None,
}


# --- reference data ------------------------------------------------------------------------


@dataclass(frozen=True)
class EntityRef:
    id: int
    nom: str
    parent_id: int | None
    deleted: bool = False

    def wire(self) -> dict[str, Any]:
        return {"id": self.id, "nom": self.nom, "suppressionLogique": self.deleted}


@dataclass(frozen=True)
class IndividuRef:
    id: int
    wire: dict[str, Any]  # the reference's `individu` object
    entite_id: int | None = None
    groupe_id: int | None = None

    @property
    def label(self) -> str:
        """`NOM Prénom`, as a fleet manager reads it."""
        return " ".join(p for p in (self.wire.get("nomInd"), self.wire.get("prenomInd")) if p) or f"#{self.id}"


@dataclass(frozen=True)
class VehicleRef:
    id: int
    wire: dict[str, Any]  # the reference's `vehicle` object
    entite_id: int | None = None
    geolocalise: bool = True
    type_motorisation: str = "MONO"
    energie: str | None = None
    fuel_price_per_l: float | None = None  # the vehicle's own price; None: the customer's
    electricity_price_per_kwh: float | None = None

    @property
    def label(self) -> str:
        return str(self.wire.get("immatriculation") or f"#{self.id}")


@dataclass(frozen=True)
class Reference:
    """The customer's reference data a report needs, by id."""

    customer_name: str
    entities: dict[int, EntityRef]
    individus: dict[int, IndividuRef]
    vehicles: dict[int, VehicleRef]
    fuel_price_per_l: float | None = None
    electricity_price_per_kwh: float | None = None
    currency: str = "EUR"

    def descendants(self, entity_ids: Iterable[int]) -> set[int]:
        """The given entities of the customer and all their sub-entities (unknown ids are dropped)."""
        children: dict[int | None, list[int]] = {}
        for e in self.entities.values():
            children.setdefault(e.parent_id, []).append(e.id)
        found: set[int] = set()
        todo = [i for i in entity_ids if i in self.entities]
        while todo:
            i = todo.pop()
            if i not in found:
                found.add(i)
                todo.extend(children.get(i, ()))
        return found

    def prices(self, vehicle_id: int) -> tuple[float, float]:
        """(fuel price per L, electricity price per kWh) of a vehicle; a price not set counts 0."""
        v = self.vehicles.get(vehicle_id)
        fuel = v.fuel_price_per_l if v is not None and v.fuel_price_per_l is not None else self.fuel_price_per_l
        elec = (
            v.electricity_price_per_kwh
            if v is not None and v.electricity_price_per_kwh is not None
            else self.electricity_price_per_kwh
        )
        return float(fuel or 0.0), float(elec or 0.0)


# --- rows ----------------------------------------------------------------------------------


@dataclass
class Rows:
    """Aggregated classification: one row per (driver, vehicle[, day], source); keys may repeat (summed)."""

    individu: I64  # UNIDENTIFIED (0) for an unidentified driver
    vehicle: I64
    day: I64  # epoch day, or NONE
    source: I64  # SOURCE_CODE, or NONE when summed over sources
    measures: F64  # (n, 12): private then professional, MEASURE_FIELDS order

    def __len__(self) -> int:
        return len(self.individu)

    @staticmethod
    def empty() -> Rows:
        z = np.zeros(0, dtype=np.int64)
        return Rows(z, z.copy(), z.copy(), z.copy(), np.zeros((0, N_MEASURES)))

    @staticmethod
    def from_tuples(
        rows: Iterable[tuple[int | None, int, dt.date | int | None, str | None, Sequence[float], Sequence[float]]],
    ) -> Rows:
        """From `(individu_id | None, vehicle_id, local_date | epoch day | None, source | None, private 6, pro 6)`."""
        ind: list[int] = []
        veh: list[int] = []
        day: list[int] = []
        src: list[int] = []
        meas: list[list[float]] = []
        for individu_id, vehicle_id, local, source, private, pro in rows:
            ind.append(UNIDENTIFIED if individu_id is None else individu_id)
            veh.append(vehicle_id)
            day.append(NONE if local is None else local if isinstance(local, int) else epoch_day(local))
            src.append(NONE if source is None else SOURCE_CODE[source])
            meas.append([*private, *pro])
        if not ind:
            return Rows.empty()
        return Rows(
            np.array(ind, dtype=np.int64), np.array(veh, dtype=np.int64), np.array(day, dtype=np.int64),
            np.array(src, dtype=np.int64), np.array(meas, dtype=np.float64).reshape(len(ind), N_MEASURES),
        )

    @staticmethod
    def concat(parts: Sequence[Rows]) -> Rows:
        parts = [p for p in parts if len(p)]
        if not parts:
            return Rows.empty()
        return Rows(
            np.concatenate([p.individu for p in parts]), np.concatenate([p.vehicle for p in parts]),
            np.concatenate([p.day for p in parts]), np.concatenate([p.source for p in parts]),
            np.concatenate([p.measures for p in parts]),
        )


# --- the report ----------------------------------------------------------------------------


@dataclass
class Node:
    """A node of the entity tree (the root has no entity) with its own lines and its totals."""

    entity: EntityRef | None
    depth: int
    children: list[Node] = field(default_factory=list)
    line_lo: int = 0  # this node's lines are lines[line_lo:line_hi]
    line_hi: int = 0
    keys: list[int] = field(default_factory=list)  # the line subjects (drivers or vehicles), in order
    total: F64 = field(default_factory=lambda: np.zeros(N_FIGURES))
    cumul: F64 = field(default_factory=lambda: np.zeros(N_FIGURES))
    by_flag: F64 = field(default_factory=lambda: np.zeros((len(SOURCES), N_FIGURES)))
    by_flag_cumul: F64 = field(default_factory=lambda: np.zeros((len(SOURCES), N_FIGURES)))
    by_motorisation: dict[str, F64] = field(default_factory=dict)

    @property
    def entity_id(self) -> int:
        return self.entity.id if self.entity is not None else 0


@dataclass
class Lines:
    """Every line of the report, sorted by node (tree order), subject, day."""

    key: I64  # driver id (UNIDENTIFIED for the unidentified driver) or vehicle id
    other: I64  # the single vehicle (by driver) or driver (by vehicle) of the line, or NONE
    day: I64  # epoch day (DETAIL) or NONE
    figures: F64  # (n, N_FIGURES)

    def __len__(self) -> int:
        return len(self.key)


@dataclass
class Report:
    """A built report: the tree (nodes in depth-first order, root first) and the lines."""

    mode: RenderMode
    debut_ms: int
    fin_ms: int
    timezone: str
    reference: Reference
    root: Node
    nodes: list[Node]
    lines: Lines

    @property
    def grand_total(self) -> F64:
        return self.root.cumul

    def subject_label(self, key: int, by_driver: bool | None = None) -> str:
        """The display name of a driver (by driver) or a vehicle (by vehicle)."""
        return _label(self.reference, self.mode.by_driver if by_driver is None else by_driver, key)

    def other_label(self, other: int) -> str:
        """The display name of a line's single other subject ('' when several or none)."""
        if other == NONE:
            return ""
        return self.subject_label(other, by_driver=not self.mode.by_driver)

    def entity_path(self, node: Node) -> list[EntityRef]:
        """The entities from the top of the tree down to `node`."""
        path: list[EntityRef] = []
        entity = node.entity
        while entity is not None:
            path.append(entity)
            entity = self.reference.entities.get(entity.parent_id) if entity.parent_id is not None else None
        return path[::-1]


def day_iso(day: int) -> str:
    """`yyyy-MM-dd` of an epoch day."""
    return from_epoch_day(int(day)).isoformat()


# --- building ------------------------------------------------------------------------------


def price_rows(rows: Rows, ref: Reference) -> F64:
    """The rows' figures: their twelve measures plus the private and professional cost."""
    figures = np.zeros((len(rows), N_FIGURES))
    figures[:, :N_MEASURES] = rows.measures
    if not len(rows):
        return figures
    vids, inv = np.unique(rows.vehicle, return_inverse=True)
    prices = np.array([ref.prices(int(v)) for v in vids], dtype=np.float64).reshape(len(vids), 2)
    fuel, elec = prices[inv, 0], prices[inv, 1]
    m = rows.measures
    figures[:, N_MEASURES] = m[:, _FUEL] * fuel + m[:, _ENERGY] * elec
    figures[:, N_MEASURES + 1] = m[:, 6 + _FUEL] * fuel + m[:, 6 + _ENERGY] * elec
    return figures


def _group_sum(index: I64, values: F64, n_groups: int) -> F64:
    """Sums of `values`' rows per group (`index`), each group summed in row order."""
    columns = np.ascontiguousarray(values.T)  # bincount reads each column once, contiguously
    out = np.empty((n_groups, values.shape[1]))
    for j, column in enumerate(columns):
        out[:, j] = np.bincount(index, weights=column, minlength=n_groups)
    return out


def _sort_key(label: str, key: int) -> tuple[int, str, int]:
    return (1 if key == UNIDENTIFIED else 0, label.casefold(), key)


def build_report(
    mode: RenderMode,
    ref: Reference,
    synthesis: Rows,
    detail: Rows | None,
    *,
    debut_ms: int,
    fin_ms: int,
    timezone: str,
) -> Report:
    """The report tree: node totals from `synthesis` (per source), lines from `synthesis` (SYNTHESIS) or
    from `detail` (DETAIL: rows per local day; sources may be summed already)."""
    by_driver = mode.by_driver
    syn_key = synthesis.individu if by_driver else synthesis.vehicle
    line_rows = detail if mode.detail and detail is not None else synthesis
    line_key_all = line_rows.individu if by_driver else line_rows.vehicle

    # Subjects and the node each hangs under.
    subjects = np.unique(np.concatenate([syn_key, line_key_all]))
    subject_entity: dict[int, int | None] = {}
    for k in subjects.tolist():
        if by_driver:
            ind = ref.individus.get(k)
            eid = ind.entite_id if ind is not None else None
        else:
            veh = ref.vehicles.get(k)
            eid = veh.entite_id if veh is not None else None
        subject_entity[k] = eid if eid in ref.entities else None

    # The tree: root, the subjects' entities and their ancestors.
    root = Node(None, 0)
    wanted: set[int] = set()
    for eid in subject_entity.values():
        while eid is not None and eid not in wanted and eid in ref.entities:
            wanted.add(eid)
            eid = ref.entities[eid].parent_id
    children: dict[int | None, list[EntityRef]] = {}
    for eid in wanted:
        e = ref.entities[eid]
        parent = e.parent_id if e.parent_id in wanted else None
        children.setdefault(parent, []).append(e)
    nodes: list[Node] = []
    node_of_entity: dict[int | None, int] = {}

    def visit(node: Node, eid: int | None) -> None:
        node_of_entity[eid] = len(nodes)
        nodes.append(node)
        for e in sorted(children.get(eid, ()), key=lambda e: (e.nom.casefold(), e.id)):
            child = Node(e, node.depth + 1)
            node.children.append(child)
            visit(child, e.id)

    visit(root, None)

    # Subjects ordered by node (tree order), then label.
    per_node: dict[int, list[int]] = {}
    for k, eid in subject_entity.items():
        per_node.setdefault(node_of_entity[eid], []).append(k)
    rank_of: dict[int, int] = {}
    for n_index in range(len(nodes)):
        keys = sorted(per_node.get(n_index, ()), key=lambda k: _sort_key(_label(ref, by_driver, k), k))
        nodes[n_index].keys = keys
        for k in keys:
            rank_of[k] = len(rank_of)
    node_of_rank = np.zeros(len(rank_of), dtype=np.int64)
    for k, r in rank_of.items():
        node_of_rank[r] = node_of_entity[subject_entity[k]]
    ranks_sorted_keys = np.array(sorted(rank_of, key=rank_of.__getitem__), dtype=np.int64)

    rank_by_subject = np.array([rank_of[k] for k in subjects.tolist()], dtype=np.int64)

    def ranks(keys: I64) -> I64:
        return rank_by_subject[np.searchsorted(subjects, keys)] if len(keys) else np.zeros(0, dtype=np.int64)

    # Node totals per source and per motorisation, from the synthesis rows.
    n_nodes = len(nodes)
    syn_fig = price_rows(synthesis, ref)
    syn_node = node_of_rank[ranks(syn_key)] if len(synthesis) else np.zeros(0, dtype=np.int64)
    src = np.where(synthesis.source >= 0, synthesis.source, SOURCE_CODE["AUCUN"])
    by_flag = _group_sum(syn_node * len(SOURCES) + src, syn_fig, n_nodes * len(SOURCES)).reshape(
        n_nodes, len(SOURCES), N_FIGURES
    )
    motorisations = sorted({v.type_motorisation for v in ref.vehicles.values()} | {"MONO"})
    mot_index = {m: i for i, m in enumerate(motorisations)}
    vmot = np.array(
        [mot_index[ref.vehicles[v].type_motorisation] if v in ref.vehicles else mot_index["MONO"]
         for v in synthesis.vehicle.tolist()],
        dtype=np.int64,
    )
    by_mot = _group_sum(syn_node * len(motorisations) + vmot, syn_fig, n_nodes * len(motorisations)).reshape(
        n_nodes, len(motorisations), N_FIGURES
    )
    seen_mot = np.bincount(syn_node * len(motorisations) + vmot, minlength=n_nodes * len(motorisations)).reshape(
        n_nodes, len(motorisations)
    )
    for i, node in enumerate(nodes):
        node.by_flag = by_flag[i]
        node.total = by_flag[i].sum(axis=0)
        node.by_motorisation = {m: by_mot[i, j] for m, j in mot_index.items() if seen_mot[i, j]}
    for node in reversed(nodes):  # children come after their parent in depth-first order
        node.cumul = node.total + sum((c.cumul for c in node.children), np.zeros(N_FIGURES))
        node.by_flag_cumul = node.by_flag + sum(
            (c.by_flag_cumul for c in node.children), np.zeros((len(SOURCES), N_FIGURES))
        )

    lines = _lines(mode, ref, line_rows, ranks, ranks_sorted_keys)
    # Each node's slice of the lines (lines are sorted by subject rank, and ranks by node).
    line_node = node_of_rank[ranks(lines.key)]
    bounds = np.searchsorted(line_node, np.arange(n_nodes + 1))
    for i, node in enumerate(nodes):
        node.line_lo, node.line_hi = int(bounds[i]), int(bounds[i + 1])
    return Report(mode, debut_ms, fin_ms, timezone, ref, root, nodes, lines)


def _label(ref: Reference, by_driver: bool, key: int) -> str:
    if by_driver:
        if key == UNIDENTIFIED:
            return UNIDENTIFIED_LABEL
        ind = ref.individus.get(key)
        return ind.label if ind is not None else f"#{key}"
    veh = ref.vehicles.get(key)
    return veh.label if veh is not None else f"#{key}"


def _lines(
    mode: RenderMode, ref: Reference, rows: Rows, ranks: Callable[[I64], I64], ranks_sorted_keys: I64
) -> Lines:
    if not len(rows):
        z = np.zeros(0, dtype=np.int64)
        return Lines(z, z.copy(), z.copy(), np.zeros((0, N_FIGURES)))
    key = rows.individu if mode.by_driver else rows.vehicle
    other = rows.vehicle if mode.by_driver else rows.individu
    rank = ranks(key)
    if mode.detail:
        day_lo = int(rows.day.min())
        span = int(rows.day.max()) - day_lo + 1
        composite = rank * span + (rows.day - day_lo)
    else:
        composite = rank
    groups, inv = np.unique(composite, return_inverse=True)
    figures = _group_sum(inv, price_rows(rows, ref), len(groups))
    order = np.argsort(inv, kind="stable")
    starts = np.searchsorted(inv[order], np.arange(len(groups)))
    lo = np.minimum.reduceat(other[order], starts)
    hi = np.maximum.reduceat(other[order], starts)
    if mode.detail:
        g_rank, g_day = groups // span, groups % span + day_lo
    else:
        g_rank, g_day = groups, np.full(len(groups), NONE, dtype=np.int64)
    return Lines(
        key=ranks_sorted_keys[g_rank],
        other=np.where(lo == hi, lo, NONE),
        day=g_day.astype(np.int64),
        figures=figures,
    )
