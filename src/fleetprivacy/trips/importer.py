"""File imports through the ingestion service: position CSV files (gzip or not) and GPX tracks.

Readers turn a file into ``(vehicle key, Fix)`` pairs; ``import_stream`` groups them per vehicle
into batches and hands each batch to ``service.ingest_fixes`` in its own transaction, exactly like
one ``POST /ingest/v1/positions`` call: an interrupted import can simply be run again (instants
already stored are skipped), and rows may come in any order.
"""

from __future__ import annotations

import csv
import datetime as dt
import gzip
import io
import re
import time
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any
from zoneinfo import ZoneInfo

from sqlalchemy import func, select

from fleetprivacy.core.dates import aware_to_ms, local_to_utc_ms
from fleetprivacy.core.errors import BadInput, NotFound
from fleetprivacy.core.tenancy import scoped
from fleetprivacy.db import Database
from fleetprivacy.reference.models import Customer, Vehicle
from fleetprivacy.trips import service
from fleetprivacy.trips.models import TRIP, Etape
from fleetprivacy.trips.segmentation import Fix, SegmentationConfig

DEFAULT_BATCH_SIZE = 50_000
_EPOCH_ORDINAL = dt.date(1970, 1, 1).toordinal()
_NAIVE = re.compile(r"(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,6}))?")
_TRUE = {"1", "true", "t", "yes", "y", "on"}
_FALSE = {"0", "false", "f", "no", "n", "off"}

Progress = Callable[[int], None]  # called with the number of bytes of the file read so far


# --- reading ----------------------------------------------------------------------------------


class _TimeParser:
    """Instants of a CSV column: epoch seconds or milliseconds, or ISO-8601 (no offset: ``tz``)."""

    def __init__(self, tz: ZoneInfo) -> None:
        self.tz = tz
        self.utc = tz.key in ("UTC", "Etc/UTC", "GMT")
        self._days: dict[str, int] = {}

    def __call__(self, text: str) -> int:
        text = text.strip()
        if text[:1].isdigit() and "-" not in text and ":" not in text:
            value = float(text)
            # Seconds until year 5138; above that it can only be milliseconds.
            return int(round(value * 1000)) if value < 1e11 else int(value)
        m = _NAIVE.fullmatch(text)
        if m is not None and self.utc:
            day = text[:10]
            d = self._days.get(day)
            if d is None:
                d = self._days[day] = dt.date.fromisoformat(day).toordinal() - _EPOCH_ORDINAL
            frac = m.group(7)
            ms = int((frac + "00")[:3]) if frac else 0
            return ((d * 24 + int(m.group(4))) * 3600 + int(m.group(5)) * 60 + int(m.group(6))) * 1000 + ms
        parsed = dt.datetime.fromisoformat(text.replace("Z", "+00:00") if text.endswith("Z") else text)
        if parsed.tzinfo is None:
            return local_to_utc_ms(parsed, self.tz)
        return aware_to_ms(parsed)


def _plausible(t_ms: int, now_ms: int) -> int:
    """`t_ms`, or a ValueError (the caller names the line) when no unit can have measured it."""
    if service.MIN_INGEST_MS <= t_ms <= now_ms + service.MAX_INGEST_AHEAD_MS:
        return t_ms
    raise ValueError(f"the time {t_ms} ms is not a plausible instant: it must be between 2000-01-01T00:00:00Z "
                     "and one day after now (is the unit's clock set?)")


def _flag(text: str) -> bool | None:
    v = text.strip().lower()
    if v in _TRUE:
        return True
    if v in _FALSE:
        return False
    return None


def _number(text: str) -> float | None:
    v = text.strip()
    return float(v) if v else None


@dataclass(frozen=True)
class CsvColumns:
    """Which CSV column holds what; only vehicle, time, lat and lon are required."""

    vehicle: str
    time: str
    lat: str
    lon: str
    speed_kmh: str | None = None
    ignition: str | None = None
    odometer_m: str | None = None
    fuel_used_l: str | None = None
    energy_used_kwh: str | None = None
    soc_pct: str | None = None
    privacy: str | None = None
    badge: str | None = None
    # Each value of this column is one journey: ignition on through it, off on its last fix.
    journey: str | None = None


class _Counting(io.RawIOBase):
    """A binary file that reports how far it has been read (the progress of a gzip read too)."""

    def __init__(self, raw: IO[bytes], progress: Progress | None) -> None:
        self.raw = raw
        self.progress = progress
        self.done = 0

    def readable(self) -> bool:
        return True

    def readinto(self, b: Any) -> int:
        n = self.raw.readinto(b)  # type: ignore[attr-defined]
        if n:
            self.done += n
            if self.progress is not None:
                self.progress(self.done)
        return n or 0


def open_text(path: Path, progress: Progress | None = None) -> IO[str]:
    """A text stream of a plain or gzip-compressed file (detected from its first bytes)."""
    raw = open(path, "rb")  # noqa: SIM115  (closed with the returned stream)
    gz = raw.read(2) == b"\x1f\x8b"
    raw.seek(0)
    counted = io.BufferedReader(_Counting(raw, progress), buffer_size=1 << 20)
    binary: IO[bytes] = gzip.GzipFile(fileobj=counted, mode="rb") if gz else counted  # type: ignore[assignment]
    return io.TextIOWrapper(binary, encoding="utf-8-sig", newline="")


def read_positions_csv(path: Path, columns: CsvColumns, tz: ZoneInfo,
                       progress: Progress | None = None) -> Iterator[tuple[str, Fix]]:
    """(vehicle key, fix) per row of a position CSV; a bad row is a BadInput naming its line."""
    parse_t = _TimeParser(tz)
    now_ms = service.wall_clock_ms()
    with open_text(path, progress) as f:
        rows = csv.reader(f)
        header = next(rows, None)
        if header is None:
            return
        index = {name.strip(): i for i, name in enumerate(header)}
        wanted = {"vehicle": columns.vehicle, "time": columns.time, "lat": columns.lat, "lon": columns.lon}
        optional = {name: getattr(columns, name) for name in (
            "speed_kmh", "ignition", "odometer_m", "fuel_used_l", "energy_used_kwh", "soc_pct", "privacy", "badge",
            "journey") if getattr(columns, name)}
        for what, col in {**wanted, **optional}.items():
            if col not in index:
                raise BadInput(f"--{what.replace('_', '-')}-column {col!r} is not a column of {path.name} "
                               f"(columns: {', '.join(header)})")
        iv, it, ila, ilo = (index[c] for c in wanted.values())
        extra = {name: index[col] for name, col in optional.items()}
        journey = extra.pop("journey", None)
        last: dict[str, tuple[str, Fix]] = {}  # per vehicle: its journey and last fix, held back
        line = 1
        try:
            for line, row in enumerate(rows, start=2):
                if not row:
                    continue
                fix = Fix(_plausible(parse_t(row[it]), now_ms), float(row[ila]), float(row[ilo]))
                if extra:
                    fix = fix._replace(**{name: _convert(name, row[i]) for name, i in extra.items()})
                key = row[iv].strip()
                if journey is None:
                    yield key, fix
                    continue
                fix = fix._replace(ignition=True)
                held = last.get(key)
                j = row[journey]
                if held is not None:
                    prev_j, prev = held
                    yield key, (prev._replace(ignition=False) if prev_j != j else prev)
                last[key] = (j, fix)
        except IndexError:
            raise BadInput(f"{path.name} line {line}: fewer columns than the header") from None
        except (ValueError, OverflowError) as exc:
            raise BadInput(f"{path.name} line {line}: {exc}") from None
        for key, (_, prev) in last.items():
            yield key, prev._replace(ignition=False)


def _convert(name: str, text: str) -> Any:
    if name in ("ignition", "privacy"):
        return _flag(text)
    if name == "badge":
        return text.strip() or None
    return _number(text)


def read_gpx(path: Path, segments_as_trips: bool = False, progress: Progress | None = None) -> Iterator[Fix]:
    """The track points of a GPX file (any GPX version), in file order."""
    now_ms = service.wall_clock_ms()
    with open_text(path, progress) as f:
        pending: Fix | None = None
        try:
            for event, el in ET.iterparse(f, events=("start", "end")):
                tag = el.tag.rsplit("}", 1)[-1]
                if event == "start":
                    if tag == "trkseg" and segments_as_trips and pending is not None:
                        yield pending._replace(ignition=False)
                        pending = None
                    continue
                if tag not in ("trkpt", "rtept"):
                    continue
                when = speed = None
                for child in el:
                    ctag = child.tag.rsplit("}", 1)[-1]
                    if ctag == "time" and child.text:
                        when = child.text.strip()
                    elif ctag == "speed" and child.text:
                        speed = float(child.text) * 3.6  # GPX speeds are m/s
                    elif ctag == "extensions":
                        for ext in child.iter():
                            if ext.tag.rsplit("}", 1)[-1] == "speed" and ext.text:
                                speed = float(ext.text) * 3.6
                lat, lon = el.get("lat"), el.get("lon")
                el.clear()
                if when is None:
                    continue  # a point without a time cannot be placed in a stream
                if lat is None or lon is None:
                    raise BadInput(f"{path.name}: a {tag} without lat/lon")
                parsed = dt.datetime.fromisoformat(when.replace("Z", "+00:00"))
                if parsed.tzinfo is None:
                    parsed = parsed.replace(tzinfo=dt.UTC)  # GPX times are UTC
                fix = Fix(_plausible(aware_to_ms(parsed), now_ms), float(lat), float(lon), speed,
                          True if segments_as_trips else None)
                if pending is not None:
                    yield pending
                pending = fix
        except ET.ParseError as exc:
            raise BadInput(f"{path.name} is not valid GPX: {exc}") from None
        except (ValueError, OverflowError) as exc:
            raise BadInput(f"{path.name}: {exc}") from None
        if pending is not None:
            yield pending._replace(ignition=False) if segments_as_trips else pending


# --- writing ----------------------------------------------------------------------------------


@dataclass
class VehicleImport:
    """What the import did for one vehicle."""

    key: str
    vehicle_id: int
    numero_embarque: int
    created: bool
    summary: service.IngestSummary = field(default_factory=service.IngestSummary)
    trips: int = 0
    trip_km: float = 0.0


@dataclass
class ImportReport:
    """What an import did, per vehicle and in total."""

    customer_id: int
    vehicles: dict[str, VehicleImport] = field(default_factory=dict)
    seconds: float = 0.0

    def wire(self) -> dict[str, Any]:
        """The JSON summary the command line prints."""
        total = service.IngestSummary()
        for v in self.vehicles.values():
            total += v.summary
        received = total.received
        return {
            "customerId": self.customer_id,
            **total.wire(),
            "trips": sum(v.trips for v in self.vehicles.values()),
            "tripKm": round(sum(v.trip_km for v in self.vehicles.values()), 3),
            "seconds": round(self.seconds, 2),
            "positionsPerSecond": round(received / self.seconds) if self.seconds else None,
            "vehicles": [
                {"key": v.key, "vehId": v.vehicle_id, "numeroEmbarque": v.numero_embarque, "created": v.created,
                 "received": v.summary.received, "stored": v.summary.stored, "trips": v.trips,
                 "tripKm": round(v.trip_km, 3)}
                for v in self.vehicles.values()
            ],
        }


def _resolve_vehicle(db: Database, customer_id: int, key: str, create: bool) -> tuple[int, int, bool]:
    """(vehicle id, numeroEmbarque, created): a numeric key is a numeroEmbarque, any key an immatriculation."""
    with db.session() as session:
        ctx = service.system_ctx(session, customer_id)
        vehicle = None
        if key.isdigit():
            vehicle = session.scalar(scoped(Vehicle, ctx).where(Vehicle.numero_embarque == int(key)))
        if vehicle is None:
            vehicle = session.scalar(scoped(Vehicle, ctx).where(Vehicle.immatriculation == key[:20])
                                     .order_by(Vehicle.id).limit(1))
        if vehicle is not None:
            return vehicle.id, vehicle.numero_embarque, False
        if not create:
            raise NotFound(f"vehicle {key!r}: no vehicle has this numeroEmbarque or immatriculation "
                           "(create it first, or pass --create-vehicles)")
        if key.isdigit():
            numero = int(key)
        else:
            highest = session.scalar(select(func.max(Vehicle.numero_embarque)).where(Vehicle.customer_id == customer_id))
            numero = (highest or 0) + 1
        vehicle = Vehicle(customer_id=customer_id, immatriculation=key[:20], numero_embarque=numero,
                          description=f"imported ({key})")
        session.add(vehicle)
        session.flush()
        return vehicle.id, numero, True


def import_stream(db: Database, customer_id: int, stream: Iterator[tuple[str, Fix]], config: SegmentationConfig,
                  *, create_vehicles: bool = False, batch_size: int = DEFAULT_BATCH_SIZE) -> ImportReport:
    """Ingest ``(vehicle key, fix)`` pairs, one transaction per batch of one vehicle; then count the trips."""
    if batch_size < 2:
        raise BadInput("--batch-size must be at least 2")
    started = time.perf_counter()
    report = ImportReport(customer_id)
    buffers: dict[str, list[Fix]] = {}

    def flush(key: str) -> None:
        fixes = buffers.pop(key, [])
        if not fixes:
            return
        item = report.vehicles.get(key)
        if item is None:
            vid, numero, created = _resolve_vehicle(db, customer_id, key, create_vehicles)
            item = report.vehicles[key] = VehicleImport(key, vid, numero, created)
        with db.session() as session:
            ctx = service.system_ctx(session, customer_id)
            vehicle = session.get(Vehicle, item.vehicle_id)
            assert vehicle is not None
            item.summary += service.ingest_fixes(session, ctx, vehicle, fixes, config)

    for key, fix in stream:
        buf = buffers.get(key)
        if buf is None:
            buf = buffers[key] = []
        buf.append(fix)
        if len(buf) >= batch_size:
            flush(key)
    for key in list(buffers):
        flush(key)
    with db.session() as session:
        for item in report.vehicles.values():
            count, metres = session.execute(
                select(func.count(), func.coalesce(func.sum(Etape.distance_m), 0.0))
                .where(Etape.customer_id == customer_id, Etape.vehicle_id == item.vehicle_id, Etape.kind == TRIP)
            ).one()
            item.trips, item.trip_km = int(count), float(metres) / 1000
    report.seconds = time.perf_counter() - started
    return report


# --- command-line helpers -------------------------------------------------------------------


def customer_for_import(db: Database, customer_id: int | None) -> int:
    """The customer given, or the only one there is (BadInput otherwise)."""
    with db.session() as session:
        if customer_id is not None:
            if session.get(Customer, customer_id) is None:
                raise NotFound(f"customer {customer_id} not found")
            return customer_id
        ids = list(session.scalars(select(Customer.id).order_by(Customer.id).limit(2)))
        if len(ids) != 1:
            raise BadInput("--customer is required (there is not exactly one customer)")
        return ids[0]


@contextmanager
def progress_bar(path: Path, enabled: bool = True) -> Iterator[Progress | None]:
    """A progress bar on stderr over the bytes of ``path`` read so far (rich), or None."""
    if not enabled:
        yield None
        return
    try:
        from rich.console import Console
        from rich.progress import (
            BarColumn,
            DownloadColumn,
            Progress as Bar,
            TextColumn,
            TimeElapsedColumn,
            TimeRemainingColumn,
        )
    except ImportError:  # pragma: no cover (rich comes with typer)
        yield None
        return
    total = path.stat().st_size
    columns = (TextColumn("{task.description}"), BarColumn(), DownloadColumn(), TimeElapsedColumn(),
               TimeRemainingColumn())
    with Bar(*columns, console=Console(stderr=True)) as bar:
        task = bar.add_task(path.name, total=total)
        yield lambda done: bar.update(task, completed=done)
        bar.update(task, completed=total)
