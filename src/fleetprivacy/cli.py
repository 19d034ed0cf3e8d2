"""Command line: `fleetprivacy serve | demo | db upgrade | admin create-customer | admin create-user |
import schedules | import positions | import gpx | purge | reclassify`."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated, Any

import typer

from fleetprivacy.config import get_settings
from fleetprivacy.core.errors import AppError, BadInput
from fleetprivacy.db import Database

app = typer.Typer(help="fleetprivacy: private vs professional usage of company vehicles.", no_args_is_help=True)
db_app = typer.Typer(help="Database schema.", no_args_is_help=True)
admin_app = typer.Typer(help="Create customers and users.", no_args_is_help=True)
app.add_typer(db_app, name="db")
app.add_typer(admin_app, name="admin")
import_app = typer.Typer(help="Import data from another system.", no_args_is_help=True)
app.add_typer(import_app, name="import")


def _database() -> Database:
    return Database(get_settings().database_url)


def _upgrade(db: Database) -> None:
    from fleetprivacy.migrate import upgrade

    upgrade(db.engine)


def _print_json(obj: dict[str, Any]) -> None:
    typer.echo(json.dumps(obj, ensure_ascii=False, default=str))


def _fail(exc: AppError) -> None:
    typer.echo(f"error: {exc.message}", err=True)
    raise typer.Exit(code=2)


@db_app.command("upgrade")
def db_upgrade() -> None:
    """Apply pending migrations to FLEETPRIVACY_DATABASE_URL."""
    db = _database()
    _upgrade(db)
    typer.echo(f"database at head: {db.engine.url.render_as_string(hide_password=True)}", err=True)


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
) -> None:
    """Apply pending migrations, then serve the API."""
    _serve(host, port, announce=True)


def _serve(host: str, port: int, announce: bool) -> None:
    import uvicorn

    from fleetprivacy.main import create_app

    _upgrade(_database())
    settings = get_settings()
    if announce:
        typer.echo(f"API: http://{host}:{port}{settings.base_path}", err=True)
        typer.echo(f"Swagger UI: http://{host}:{port}{settings.base_path}/common/openapi/explorer", err=True)
    uvicorn.run(create_app(settings), host=host, port=port, log_level="info")


@admin_app.command("create-customer")
def create_customer(
    name: Annotated[str, typer.Option(help="Customer name.")],
    timezone: Annotated[str, typer.Option(help="IANA time zone of the customer's wall clock.")] = "Europe/Paris",
    code_exploitant: Annotated[str | None, typer.Option(help="Operator code (codeExploitant).")] = None,
) -> None:
    """Create a customer and print it as JSON."""
    from fleetprivacy.reference.service import create_customer as create

    db = _database()
    _upgrade(db)
    try:
        with db.session() as session:
            c = create(session, name, timezone, code_exploitant)
            out = {"id": c.id, "name": c.name, "timezone": c.timezone, "codeExploitant": c.code_exploitant}
    except AppError as exc:
        _fail(exc)
    _print_json(out)


@admin_app.command("create-user")
def create_user(
    login: Annotated[str, typer.Option(help="Login.")],
    password: Annotated[str, typer.Option(help="Password (at least 10 characters).")],
    role: Annotated[str, typer.Option(help="ADMIN, MANAGER or DRIVER.")],
    customer: Annotated[list[int], typer.Option(help="Customer id; repeat for a multi-customer user.")],
    individu: Annotated[int | None, typer.Option(help="The individual a DRIVER is.")] = None,
) -> None:
    """Create a user and print it as JSON (without the password)."""
    from fleetprivacy.auth.service import create_user as create

    db = _database()
    _upgrade(db)
    try:
        with db.session() as session:
            u = create(
                session, login=login, password=password, role=role.upper(), customer_ids=customer,
                individu_id=individu,
            )
            out = {"id": u.id, "login": u.login, "role": u.role, "customerIds": customer, "individuId": u.individu_id}
    except AppError as exc:
        _fail(exc)
    _print_json(out)


@import_app.command("schedules")
def import_schedules(
    file: Annotated[
        Path, typer.Argument(help="JSON file (format: docs/api-schedules.md).", exists=True, dir_okay=False)
    ],
    customer: Annotated[
        int | None,
        typer.Option(help="Target customer; default: the file's customerId, or the only customer there is."),
    ] = None,
) -> None:
    """Import historical schedules (all or nothing) and print a JSON summary; audited as imports by `cli`."""
    from sqlalchemy import select

    from fleetprivacy.reference.models import Customer
    from fleetprivacy.schedules.importer import import_schedules as run
    from fleetprivacy.schedules.service import system_ctx

    try:
        data = json.loads(file.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        _fail(BadInput(f"{file}: not a readable JSON file ({exc})"))
    db = _database()
    _upgrade(db)
    try:
        with db.session() as session:
            if customer is None and isinstance(data, dict) and isinstance(data.get("customerId"), int):
                customer = data["customerId"]
            if customer is None:
                ids = list(session.scalars(select(Customer.id).limit(2)))
                if len(ids) != 1:
                    raise BadInput("--customer is required (there is not exactly one customer)")
                customer = ids[0]
            out = run(session, system_ctx(session, customer, login="cli"), data)
    except AppError as exc:
        _fail(exc)
    _print_json(out)


def _segmentation_config():  # type: ignore[no-untyped-def]
    from fleetprivacy.trips.service import segmentation_config

    return segmentation_config(get_settings())


def _run_import(db: Database, customer: int | None, path: Path, no_progress: bool, make_stream: Any,
                create_vehicles: bool, batch_size: int) -> None:
    from fleetprivacy.trips import importer

    try:
        customer_id = importer.customer_for_import(db, customer)
        with importer.progress_bar(path, enabled=not no_progress) as progress:
            report = importer.import_stream(db, customer_id, make_stream(progress), _segmentation_config(),
                                            create_vehicles=create_vehicles, batch_size=batch_size)
    except AppError as exc:
        _fail(exc)
    _print_json(report.wire())


_COLUMN = "Column holding the {}."


@import_app.command("positions")
def import_positions(
    file: Annotated[Path, typer.Argument(help="CSV file with a header row, gzip-compressed or not.", exists=True,
                                         dir_okay=False)],
    vehicle_column: Annotated[str, typer.Option(help="Column naming the vehicle: its numeroEmbarque if numeric, "
                                                     "else its immatriculation.")],
    time_column: Annotated[str, typer.Option(help="Column of instants: epoch seconds or ms, or ISO-8601.")],
    lat_column: Annotated[str, typer.Option(help=_COLUMN.format("latitude (WGS84 degrees)"))] = "lat",
    lon_column: Annotated[str, typer.Option(help=_COLUMN.format("longitude (WGS84 degrees)"))] = "lon",
    timezone: Annotated[str, typer.Option(help="IANA zone of times written without an offset.")] = "UTC",
    speed_column: Annotated[str | None, typer.Option(help=_COLUMN.format("speed in km/h"))] = None,
    ignition_column: Annotated[str | None, typer.Option(help=_COLUMN.format("ignition (1/0, true/false)"))] = None,
    odometer_column: Annotated[str | None, typer.Option(help=_COLUMN.format("odometer in metres"))] = None,
    fuel_column: Annotated[str | None, typer.Option(help=_COLUMN.format("cumulative fuel used, L"))] = None,
    energy_column: Annotated[str | None, typer.Option(help=_COLUMN.format("cumulative energy used, kWh"))] = None,
    soc_column: Annotated[str | None, typer.Option(help=_COLUMN.format("battery state of charge, %"))] = None,
    privacy_column: Annotated[str | None, typer.Option(help=_COLUMN.format("device private flag"))] = None,
    badge_column: Annotated[str | None, typer.Option(help=_COLUMN.format("driver badge"))] = None,
    journey_column: Annotated[str | None, typer.Option(
        help="Column naming journeys (e.g. GeoLife segment_id): each journey is cut as one ignition cycle.")] = None,
    customer: Annotated[int | None, typer.Option(help="Target customer; default: the only customer.")] = None,
    create_vehicles: Annotated[bool, typer.Option(help="Create vehicles the file names but the customer lacks.")] = False,
    batch_size: Annotated[int, typer.Option(help="Positions per vehicle and transaction.")] = 50_000,
    no_progress: Annotated[bool, typer.Option("--no-progress", help="No progress bar on stderr.")] = False,
) -> None:
    """Import positions from a CSV file through the ingestion service; print a JSON summary (trips per vehicle)."""
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    from fleetprivacy.trips import importer

    try:
        tz = ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError):
        _fail(BadInput(f"--timezone {timezone!r} is not an IANA time zone (e.g. Europe/Paris)"))
    columns = importer.CsvColumns(
        vehicle=vehicle_column, time=time_column, lat=lat_column, lon=lon_column, speed_kmh=speed_column,
        ignition=ignition_column, odometer_m=odometer_column, fuel_used_l=fuel_column,
        energy_used_kwh=energy_column, soc_pct=soc_column, privacy=privacy_column, badge=badge_column,
        journey=journey_column,
    )
    db = _database()
    _upgrade(db)
    _run_import(db, customer, file, no_progress,
                lambda progress: importer.read_positions_csv(file, columns, tz, progress),
                create_vehicles, batch_size)


@import_app.command("gpx")
def import_gpx(
    file: Annotated[Path, typer.Argument(help="GPX file (1.0 or 1.1), gzip-compressed or not.", exists=True,
                                         dir_okay=False)],
    numero_embarque: Annotated[int, typer.Option(help="The vehicle's on-board unit number.")],
    segments_as_trips: Annotated[bool, typer.Option(
        help="Cut each track segment (trkseg) as one ignition cycle instead of finding stops from motion.")] = False,
    customer: Annotated[int | None, typer.Option(help="Target customer; default: the only customer.")] = None,
    create_vehicle: Annotated[bool, typer.Option(help="Create the vehicle if the customer lacks it.")] = False,
    no_progress: Annotated[bool, typer.Option("--no-progress", help="No progress bar on stderr.")] = False,
) -> None:
    """Import a GPX track of one vehicle through the ingestion service; print a JSON summary."""
    from fleetprivacy.trips import importer

    key = str(numero_embarque)
    db = _database()
    _upgrade(db)
    _run_import(db, customer, file, no_progress,
                lambda progress: ((key, f) for f in importer.read_gpx(file, segments_as_trips, progress)),
                create_vehicle, importer.DEFAULT_BATCH_SIZE)


@app.command()
def purge(
    customer: Annotated[list[int] | None, typer.Option(help="Only this customer (repeatable); default: all.")] = None,
    as_of: Annotated[str | None, typer.Option(help="Purge as of this ISO-8601 instant instead of now.")] = None,
) -> None:
    """Delete positions older than each customer's positionRetentionDays; steps and totals are kept."""
    import datetime as dt

    from sqlalchemy import select

    from fleetprivacy.core.dates import aware_to_ms
    from fleetprivacy.reference.models import Customer
    from fleetprivacy.trips import service

    now = dt.datetime.now(dt.UTC)
    if as_of is not None:
        try:
            now = dt.datetime.fromisoformat(as_of)
        except ValueError:
            now = None  # type: ignore[assignment]
        if now is None or now.tzinfo is None:
            _fail(BadInput(f"--as-of {as_of!r} is not an ISO-8601 instant with an offset"))
        if now > dt.datetime.now(dt.UTC):
            # A future instant would delete positions the retention period still keeps.
            _fail(BadInput(f"--as-of {as_of!r} is in the future"))
    db = _database()
    _upgrade(db)
    results = []
    try:
        with db.session() as session:
            ids = customer or list(session.scalars(select(Customer.id).order_by(Customer.id)))
        for customer_id in ids:
            with db.session() as session:  # one transaction per customer
                results.append(service.purge(session, service.system_ctx(session, customer_id), aware_to_ms(now)))
    except AppError as exc:
        _fail(exc)
    _print_json({"customers": results, "positionsDeleted": sum(r["positionsDeleted"] for r in results)})


@app.command()
def reclassify(
    customer: Annotated[int, typer.Option(help="The customer whose stored classification is rewritten.")],
    from_: Annotated[str | None, typer.Option("--from", help="First local day dd/MM/yyyy (default: the start).")] = None,
    to: Annotated[str | None, typer.Option(help="Last local day dd/MM/yyyy, included (default: the end).")] = None,
) -> None:
    """Recompute the stored classification of a customer's steps (idempotent); retroactive decisions stay."""
    import datetime as dt
    from zoneinfo import ZoneInfo

    from fleetprivacy.classification import service
    from fleetprivacy.core.dates import local_to_utc_ms, parse_ocean_date
    from fleetprivacy.reference.models import Customer

    db = _database()
    _upgrade(db)
    try:
        with db.session() as session:
            row = session.get(Customer, customer)
            if row is None:
                raise BadInput(f"customer {customer} not found")
            tz = ZoneInfo(row.timezone)
            lo = hi = None
            first, last = dt.date(1970, 1, 2), dt.date(8999, 12, 30)  # the API's instants, a day inside
            if from_ is not None:
                d = parse_ocean_date(from_, "--from")
                if not first <= d <= last:
                    raise BadInput(f"--from must be between {first:%d/%m/%Y} and {last:%d/%m/%Y}")
                lo = local_to_utc_ms(dt.datetime(d.year, d.month, d.day), tz)
            if to is not None:
                d = parse_ocean_date(to, "--to")
                if not first <= d <= last:
                    raise BadInput(f"--to must be between {first:%d/%m/%Y} and {last:%d/%m/%Y}")
                d += dt.timedelta(days=1)
                hi = local_to_utc_ms(dt.datetime(d.year, d.month, d.day), tz)
            if lo is not None and hi is not None and hi <= lo:
                raise BadInput("--to is before --from")
            summary = service.reclassify(session, customer, lo, hi)
    except AppError as exc:
        _fail(exc)
    _print_json(summary)


@app.command()
def demo(
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
    real_data: Annotated[Path | None, typer.Option(
        help="Also import the real data sets of this directory (../shared/data: cabspotting/, geolife_car/) "
             "as two more customers.", exists=True, file_okay=False)] = None,
    reset: Annotated[bool, typer.Option("--reset", help="Delete the demo customers (and their users) first.")] = False,
    days: Annotated[int, typer.Option(help="Days of generated trips, ending today (at the moment the demo runs: nothing in the future).", min=7, max=366)] = 90,
    no_serve: Annotated[bool, typer.Option("--no-serve", help="Seed only; do not start the server.")] = False,
    no_progress: Annotated[bool, typer.Option("--no-progress", help="No progress bar on stderr.")] = False,
) -> None:
    """Seed the demo customers (idempotent), print logins and curl commands, then serve."""
    from fleetprivacy import demo as demo_data
    from fleetprivacy import demo_real

    if real_data is not None:
        try:
            demo_real.check_data_dir(real_data)
        except AppError as exc:
            _fail(exc)
    db = _database()
    _upgrade(db)
    settings = get_settings()
    if reset:
        deleted = demo_data.reset(db, demo_data.ALL_CODES + demo_real.ALL_CODES)
        typer.echo(f"--reset: deleted demo customers {deleted or 'none'}", err=True)
    config = _segmentation_config()
    try:
        with demo_data.progress_bar(demo_data.work_units() + (demo_real.work_units() if real_data else 0),
                                    enabled=not no_progress) as progress:
            info = demo_data.seed(db, config, days, progress=progress)
            if real_data is not None:
                info.real = demo_real.seed(db, real_data, config, progress=progress)
    except AppError as exc:
        _fail(exc)
    base = f"http://{host}:{port}{settings.base_path}"
    typer.echo(info.describe(base))
    sys.stdout.flush()
    if not no_serve:
        _serve(host, port, announce=False)


# Reports (fleetprivacy.analysis.cli): `report` and `rebuild-rollups`.
from fleetprivacy.analysis import cli as _analysis_cli  # noqa: E402

app.command("report")(_analysis_cli.report)
app.command("rebuild-rollups")(_analysis_cli.rebuild_rollups)


if __name__ == "__main__":  # pragma: no cover
    app()
