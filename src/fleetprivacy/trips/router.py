"""Trips endpoints: ingestion (ADMIN), the daily record and the position search, and the customer's settings.

Thin: rules live in ``trips.service`` (ingestion, settings) and ``trips.records`` (reads, masking).
"""

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse

from fleetprivacy.core.dates import OCEAN_DATE_FORMAT
from fleetprivacy.core.deps import AdminCtx, CtxDep, SessionDep
from fleetprivacy.trips import records, schemas, service
from fleetprivacy.core.types import QueryBool, QueryInt

ingest_router = APIRouter(prefix="/ingest/v1", tags=["ingestion"])
router = APIRouter(tags=["trips and positions"])
admin_router = APIRouter(prefix="/admin/v1", tags=["admin: settings"])


@ingest_router.post(
    "/positions", response_model=schemas.IngestOut, summary="Ingest raw positions of one vehicle (idempotent)"
)
def ingest_positions(ctx: AdminCtx, session: SessionDep, request: Request, body: schemas.PositionsIngest) -> Any:
    """Store one vehicle's positions and cut them into trips and stops (ADMIN).

    Idempotent: an instant the vehicle already has is skipped, so re-sending a batch creates
    nothing twice. Batches may come in any order and in pieces: a trip still open is completed by
    later batches, and a late batch re-cuts the steps it falls into, keeping their ids.
    """
    return service.ingest_positions(
        session, ctx, request.app.state.settings, body.numeroEmbarque, body.positions
    ).wire()


@ingest_router.post(
    "/etapes",
    response_model=schemas.IngestOut,
    summary="Ingest already segmented steps with their positions (idempotent)",
)
def ingest_etapes(ctx: AdminCtx, session: SessionDep, body: schemas.EtapesIngest) -> Any:
    """Store steps already cut by the unit or another system, with their positions (ADMIN).

    A step whose start the vehicle already has is updated in place (same id); a step overlapping
    another stored step is refused (409). A vehicle is fed by this route or by positions, not both.
    """
    return service.ingest_etapes_wire(session, ctx, body.numeroEmbarque, body.etapes).wire()


@router.get(
    "/mobility/v1/ficheJour",
    response_model=None,
    summary="Daily record of a vehicle: trips and stops, private positions masked",
    responses={200: {"model": schemas.FicheJourOut, "description": "The day's steps."}},
)
def fiche_jour(
    ctx: CtxDep,
    session: SessionDep,
    veh_id: Annotated[QueryInt, Query(alias="vehId", ge=0, lt=2**63, description="Vehicle id.")],
    date: Annotated[str, Query(description=f"Local calendar day of the customer, `{OCEAN_DATE_FORMAT}`.")],
) -> Any:
    """The daily record of a vehicle: its trips (`T`) and stops (`A`) touching that local day.

    `viePrivee` marks a private step; its coordinates and addresses are null for everyone but its
    own driver (DRIVER role), while its distance and duration always show. A DRIVER sees only the
    steps attributed to them.
    """
    return JSONResponse(records.fiche_jour(session, ctx, veh_id, date))


@router.get(
    "/positions/search",
    response_model=None,
    summary="Positions of a vehicle over a period, private positions masked",
    responses={200: {"model": schemas.PositionsSearchOut, "description": "Positions per vehicle."}},
)
def positions_search(
    ctx: CtxDep,
    session: SessionDep,
    immatriculation: Annotated[
        list[str] | None, Query(description="Registration plates (repeat the parameter); absent: every vehicle.")
    ] = None,
    start_date: Annotated[
        str | None, Query(alias="startDate", description="ISO-8601, e.g. `2026-01-10T01:30:00.000Z`.")
    ] = None,
    end_date: Annotated[str | None, Query(alias="endDate", description="ISO-8601; after startDate.")] = None,
    by_storage_date: Annotated[QueryBool,
        Query(
            alias="byStorageDate",
            description="Accepted for compatibility; positions are searched by their own instants.",
        ),
    ] = False,
    with_privacy: Annotated[QueryBool,
        Query(
            alias="withPrivacy",
            description="Accepted for compatibility: privacy always applies (CNIL); false reveals nothing more.",
        ),
    ] = True,
) -> Any:
    """Positions of vehicles between two instants; in private time coordinates are null (`viePrivee` true)
    for everyone but the step's own driver. Private positions are never left out."""
    del by_storage_date, with_privacy
    # Plain JSON types already: skip FastAPI's per-value encoding, which costs more than the query.
    return JSONResponse(records.search_positions(session, ctx, immatriculation, start_date, end_date))


@admin_router.get("/settings", response_model=schemas.SettingsOut, summary="Read the customer's settings")
def get_settings(ctx: AdminCtx, session: SessionDep) -> Any:
    """The customer's position settings (ADMIN)."""
    return service.read_settings(session, ctx)


@admin_router.put("/settings", response_model=schemas.SettingsOut, summary="Change the customer's settings")
def put_settings(ctx: AdminCtx, session: SessionDep, body: schemas.SettingsUpdate) -> Any:
    """Change the settings present in the body (ADMIN); audited as `customer_settings`.

    `storePrivatePositions` applies to positions ingested from then on; `positionRetentionDays` to
    the next `fleetprivacy purge`.
    """
    return service.update_settings(session, ctx, {k: getattr(body, k) for k in body.model_fields_set})
