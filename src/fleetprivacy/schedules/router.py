"""Private-life schedule endpoints with the reference service's paths, parameters and shapes.

Thin: every rule is in `schedules.service`. Writes pass `now_ms=None`: the real clock, read once the
individual is locked.
"""

from typing import Annotated, Any

from fastapi import APIRouter, Body, Query, Response

from fleetprivacy.core.dates import OCEAN_DATETIME_FORMAT
from fleetprivacy.core.deps import AdminCtx, CtxDep, SessionDep
from fleetprivacy.schedules import importer, schemas, service
from fleetprivacy.core.types import QueryBool, QueryInt

router = APIRouter(prefix="/vieprivee/v1", tags=["private-life schedules"])
admin_router = APIRouter(prefix="/admin/v1", tags=["admin: schedules import"])

_RECURRING = "/horairesViePriveeRecurrentesIndividu"
_EXCEPTIONAL = "/horairesViePriveeExceptionnellesIndividu"

IndividuIdOpt = Annotated[QueryInt | None,
    Query(
        alias="individuId",
        ge=0,
        lt=service.ID_MAX,
        description="The individual (driver). Absent: every individual of the customer (a DRIVER: their own).",
    ),
]
IndividuId = Annotated[QueryInt, Query(alias="individuId", ge=0, lt=service.ID_MAX, description="The individual (driver).")]
_DATE_HELP = (
    f"Format `{OCEAN_DATETIME_FORMAT}`: `Z`/`UTC` or a numeric offset (`+0100`) is honoured; no zone = the "
    "customer's wall clock (e.g. `25/12/2027 00:00:00 Z`)."
)
DateDebut = Annotated[str | None, Query(alias="dateDebut", description=f"Start. {_DATE_HELP}")]
DateFin = Annotated[str | None, Query(alias="dateFin", description=f"Exclusive end. {_DATE_HELP}")]


@router.get(
    _RECURRING,
    response_model=list[schemas.HoraireIndividuOut],
    summary="Read an individual's recurring private-life slots",
)
def get_recurring(
    ctx: CtxDep,
    session: SessionDep,
    individu_id: IndividuIdOpt = None,
    historique: Annotated[QueryBool, Query(description="true: past versions too, so that what was in force at any past instant shows.")
    ] = False,
) -> Any:
    """Recurring private-life slots: one row per slot of the versions in force now or later."""
    return service.list_recurring(session, ctx, individu_id, historique)


@router.post(_RECURRING, response_model=bool, summary="Add or replace recurring private-life slots (merged by day)")
def post_recurring(
    ctx: CtxDep,
    session: SessionDep,
    individu_id: IndividuId,
    date_debut: DateDebut = None,
    date_fin: DateFin = None,
    body: Annotated[
        dict[str, Any] | None,
        Body(
            description="`innerMap.map`: day -> typeHoraires -> slots. The days present replace that day's "
            "slots (an empty list clears it); absent days keep theirs.",
            openapi_examples={"reference": {"value": schemas.RECURRING_BODY_EXAMPLE}},
        ),
    ] = None,
) -> Any:
    """Create/modify recurring slots from max(dateDebut, now) until dateFin (absent: open-ended).

    What was in force before now never changes. With dateFin, what was planned resumes after it."""
    return service.post_recurring(session, ctx, individu_id, body, date_debut, date_fin)


@router.delete(_RECURRING, status_code=204, response_class=Response, summary="Remove recurring private-life slots")
def delete_recurring(
    ctx: CtxDep,
    session: SessionDep,
    individu_id: IndividuId,
    horaire_individu_ids: Annotated[
        list[str] | None,
        Query(alias="horaireIndividuIds", description="GET row ids (`id`), repeated or comma-separated."),
    ] = None,
) -> Response:
    """Remove slots: the version in force is closed now and reopened with the remaining slots."""
    service.delete_recurring(session, ctx, individu_id, horaire_individu_ids)
    return Response(status_code=204)


@router.get(
    _EXCEPTIONAL,
    response_model=list[schemas.ExceptionnelleOut],
    summary="Read an individual's exceptional private-life periods",
)
def get_exceptional(
    ctx: CtxDep,
    session: SessionDep,
    individu_id: IndividuIdOpt = None,
    date_debut: DateDebut = None,
    date_fin: DateFin = None,
) -> Any:
    """Exceptional periods (overlapping the optional dateDebut/dateFin window), the reference's French shape."""
    return service.list_exceptional(session, ctx, individu_id, date_debut, date_fin)


@router.post(
    "/horaireViePriveeExceptionnelleIndividu", response_model=bool, summary="Create an exceptional private-life period"
)
def post_exceptional(
    ctx: CtxDep,
    session: SessionDep,
    individu_id: IndividuId,
    description: Annotated[
        str | None, Query(description="Label of the period (e.g. NOEL), at most 255 characters.")
    ] = None,
    date_debut: DateDebut = None,
    date_fin: DateFin = None,
    extension_id_to_update: Annotated[QueryInt | None,
        Query(
            alias="extensionIdToUpdate",
            ge=0,
            lt=service.ID_MAX,
            description="Only to modify a period: its id. Absent parameters keep the period's values.",
        ),
    ] = None,
    body: Annotated[
        dict[str, Any] | None,
        Body(
            description="Optional `innerMap.map` slots that replace the recurring ones inside the period. "
            "Without slots the whole period is private.",
            openapi_examples={"slots": {"value": schemas.EXCEPTIONAL_BODY_EXAMPLE}},
        ),
    ] = None,
) -> Any:
    """Create an exceptional period (a past start moves to now), or update one from now on."""
    return service.post_exceptional(
        session, ctx, individu_id, description, date_debut, date_fin, extension_id_to_update, body
    )


@router.delete(
    _EXCEPTIONAL, status_code=204, response_class=Response, summary="Delete entirely-future exceptional periods"
)
def delete_exceptional(
    ctx: CtxDep,
    session: SessionDep,
    horaire_extension_ids: Annotated[
        list[str] | None,
        Query(alias="horaireExtensionIds", description="Period ids (`extension.id`), repeated or comma-separated."),
    ] = None,
) -> Response:
    """Delete exceptional periods; only periods entirely in the future (else 400)."""
    service.delete_exceptional(session, ctx, horaire_extension_ids)
    return Response(status_code=204)


@admin_router.post(
    "/import/horaires",
    response_model=schemas.ImportSummary,
    summary="Import schedule history from another system (ADMIN)",
)
def import_horaires(
    ctx: AdminCtx,
    session: SessionDep,
    body: Annotated[
        dict[str, Any],
        Body(
            description="Versions and exceptional periods with explicit past validity; see docs/api-schedules.md.",
            openapi_examples={"import": {"value": schemas.IMPORT_EXAMPLE}},
        ),
    ],
) -> Any:
    """Historical import (ADMIN): all-or-nothing; 409 for an individual that already has history."""
    return importer.import_schedules(session, ctx, body)
