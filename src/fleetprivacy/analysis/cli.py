"""Command-line reports: `fleetprivacy report` and `fleetprivacy rebuild-rollups` (registered in fleetprivacy.cli)."""

from __future__ import annotations

import datetime as dt
import json
import sys
from pathlib import Path
from typing import Annotated, Any

import typer

from fleetprivacy.core.errors import AppError, BadInput

FORMATS = ("table", "html", "csv", "xlsx", "json")


def _fail(exc: AppError) -> None:
    typer.echo(f"error: {exc.message}", err=True)
    raise typer.Exit(code=2)


def _database():  # type: ignore[no-untyped-def]
    from fleetprivacy.config import get_settings
    from fleetprivacy.db import Database
    from fleetprivacy.migrate import upgrade

    db = Database(get_settings().database_url)
    upgrade(db.engine)
    return db


def _bound(text: str, tz: Any, param: str, end: bool) -> int:
    """A bound: `YYYY-MM-DD` is a whole local day (--to includes it), else epoch ms or ISO-8601."""
    from fleetprivacy.analysis.periods import local_midnight
    from fleetprivacy.core.dates import parse_period_instant

    try:
        day = dt.date.fromisoformat(text.strip()) if len(text.strip()) == 10 else None
    except ValueError:
        day = None
    try:
        if day is not None:
            return local_midnight(day + dt.timedelta(days=1) if end else day, tz)
        return parse_period_instant(text, tz, param)
    except OverflowError:  # 9999-12-31 (its next midnight) and the like
        raise BadInput(f"{param}: {text!r} is out of range (1970-01-01 to 9000-01-01)") from None


def _customer_id(session: Any, customer: int | None) -> int:
    from sqlalchemy import select

    from fleetprivacy.reference.models import Customer

    if customer is not None:
        return customer
    ids = list(session.scalars(select(Customer.id).limit(2)))
    if len(ids) != 1:
        raise BadInput("--customer is required (there is not exactly one customer)")
    return ids[0]


def report(
    date_from: Annotated[str, typer.Option("--from", help="First day YYYY-MM-DD (local), or an instant (ISO-8601, epoch ms).")],
    date_to: Annotated[str, typer.Option("--to", help="Last day YYYY-MM-DD (included), or an instant (excluded).")],
    mode: Annotated[str, typer.Option(help="renderMode, e.g. BY_DRIVER_WITH_HORAIRE_SYNTHESIS.")] = (
        "BY_DRIVER_WITH_HORAIRE_SYNTHESIS"
    ),
    customer: Annotated[int | None, typer.Option(help="Customer id; default: the only customer.")] = None,
    output_format: Annotated[str, typer.Option("--format", help="table (terminal), html, csv, xlsx or json.")] = "table",
    out: Annotated[Path | None, typer.Option(help="Write to this file instead of the terminal (required for xlsx).")] = None,
    criteria: Annotated[str, typer.Option(help="ALL, GEOLOCATION or WITHOUT_GEOLOCATION.")] = "ALL",
    person: Annotated[list[int] | None, typer.Option(help="Filter: a driver id (repeat).")] = None,
    entity: Annotated[list[int] | None, typer.Option(help="Filter: an entity id, with its sub-entities (repeat).")] = None,
    group: Annotated[list[int] | None, typer.Option(help="Filter: a group id (repeat).")] = None,
    vehicle: Annotated[list[int] | None, typer.Option(help="Filter: a vehicle id (repeat).")] = None,
) -> None:
    """Print the analysis report (as POST /analyse/preformattedPrivacy computes it) for a customer."""
    from pydantic import ValidationError

    from fleetprivacy.analysis import service
    from fleetprivacy.analysis.schemas import AnalyseRequest
    from fleetprivacy.schedules.service import system_ctx

    output_format = output_format.lower()
    try:
        if output_format not in FORMATS:
            raise BadInput(f"--format must be one of {', '.join(FORMATS)}")
        if output_format == "xlsx" and out is None:
            raise BadInput("--out is required for xlsx")
        db = _database()
        with db.session() as session:
            ctx = system_ctx(session, _customer_id(session, customer))
            debut, fin = _bound(date_from, ctx.tz, "--from", False), _bound(date_to, ctx.tz, "--to", True)
            try:
                body = AnalyseRequest.model_validate({
                    "renderMode": mode.upper(),
                    "criteria": criteria.upper(),
                    "periode": {"debut": debut, "fin": fin},
                    "filter": {"persons": person or [], "entities": entity or [], "groups": group or [],
                               "vehicleIds": vehicle or []},
                })
            except ValidationError as exc:
                first = exc.errors()[0]
                where = ".".join(str(p) for p in first["loc"])
                raise BadInput(f"{where}: {first['msg']}") from None
            rep, bean = service.analyse(session, ctx, body)
    except AppError as exc:
        _fail(exc)
    try:
        _write(rep, bean, output_format, out)
    except OSError as exc:  # --out in a missing directory, a full disk...
        typer.echo(f"error: --out: {exc.strerror or exc}: {out}", err=True)
        raise typer.Exit(code=2) from None


def _write(rep: Any, bean: Any, output_format: str, out: Path | None) -> None:
    from fleetprivacy.analysis import exports, html, wire

    if output_format == "xlsx":
        assert out is not None
        with out.open("wb") as handle:
            exports.write_xlsx(rep, handle)
        typer.echo(f"written: {out}", err=True)
        return
    if output_format == "table":
        pieces: Any = [exports.text_table(rep, bean)]
    elif output_format == "html":
        pieces = html.iter_html(rep, bean)
    elif output_format == "csv":
        pieces = exports.iter_csv(rep)
    else:
        pieces = wire.iter_json(rep, bean, html.iter_html(rep, bean))
    if out is None:
        for piece in pieces:
            sys.stdout.write(piece)
        sys.stdout.flush()
    else:
        with out.open("w", encoding="utf-8", newline="") as handle:
            for piece in pieces:
                handle.write(piece)
        typer.echo(f"written: {out}", err=True)


def rebuild_rollups(
    customer: Annotated[int | None, typer.Option(help="Customer id; default: every customer.")] = None,
) -> None:
    """Recompute the analysis roll-ups from the stored classification (exact sums) and print a JSON summary."""
    from sqlalchemy import select

    from fleetprivacy.analysis.rollups import rebuild
    from fleetprivacy.reference.models import Customer

    db = _database()
    out = {}
    with db.session() as session:
        ids = [customer] if customer is not None else list(session.scalars(select(Customer.id).order_by(Customer.id)))
        for cid in ids:
            out[str(cid)] = rebuild(session, cid)
    typer.echo(json.dumps(out))
