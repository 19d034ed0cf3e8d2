"""Command line: `fleetprivacy serve | demo | db upgrade | admin create-customer | admin create-user |
import schedules`."""

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
    import uvicorn

    from fleetprivacy.main import create_app

    _upgrade(_database())
    settings = get_settings()
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


@app.command()
def demo(
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
    no_serve: Annotated[bool, typer.Option("--no-serve", help="Seed only; do not start the server.")] = False,
) -> None:
    """Seed a small demo customer (idempotent), print logins and curl commands, then serve."""
    from fleetprivacy.demo import seed

    db = _database()
    _upgrade(db)
    settings = get_settings()
    with db.session() as session:
        info = seed(session)
    base = f"http://{host}:{port}{settings.base_path}"
    typer.echo(info.describe(base))
    sys.stdout.flush()
    if not no_serve:
        serve(host=host, port=port)


if __name__ == "__main__":  # pragma: no cover
    app()
