"""Retroactive requests, with the reference service's path and parameters (docs/api-retroactive.md).

Thin: every rule is in `classification.retro`.
"""

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query

from fleetprivacy.classification import retro, schemas
from fleetprivacy.core.deps import CtxDep, ManagerCtx, SessionDep
from fleetprivacy.core.types import ID_MAX, QueryBool, QueryInt

router = APIRouter(prefix="/vieprivee/v1", tags=["retroactive requests"])

_STEP = "/etapeViePriveePosteriori"
IdEtape = Annotated[QueryInt | None, Query(alias="idEtape", ge=0, le=ID_MAX, description="The step (required).")]
NumeroEmbarque = Annotated[QueryInt | None, Query(alias="numeroEmbarque", ge=0, le=ID_MAX, description="The step's vehicle (required).")
]
CodeExploitant = Annotated[
    str | None, Query(alias="codeExploitant", max_length=64, description="The customer's code (optional check).")
]


@router.post(_STEP, response_model=bool, summary="Declare a step private or professional after the fact")
def post_request(
    ctx: CtxDep,
    session: SessionDep,
    id_etape: IdEtape = None,
    numero_embarque: NumeroEmbarque = None,
    code_exploitant: CodeExploitant = None,
    privacy: Annotated[QueryBool | None, Query(description="true: private; false: professional.")] = None,
) -> Any:
    """Ask that a trip be private or professional; a MANAGER's/ADMIN's request is accepted at once,
    a DRIVER's (own trips only) waits for a decision. Replaces an earlier request on the step."""
    return retro.request(session, ctx, id_etape, numero_embarque, code_exploitant, privacy)


@router.delete(_STEP, response_model=bool, summary="Withdraw a retroactive decision or request")
def delete_request(
    ctx: CtxDep,
    session: SessionDep,
    id_etape: IdEtape = None,
    numero_embarque: NumeroEmbarque = None,
    code_exploitant: CodeExploitant = None,
) -> Any:
    """Withdraw the step's request (a DRIVER: their pending one); false when there was none."""
    return retro.withdraw(session, ctx, id_etape, numero_embarque, code_exploitant)


@router.get(
    "/demandesPosteriori",
    response_model=list[schemas.DemandeOut],
    summary="List retroactive requests (filter by status)",
)
def list_requests(
    ctx: ManagerCtx,
    session: SessionDep,
    statut: Annotated[str | None, Query(description="EN_ATTENTE, ACCEPTEE, REFUSEE or RETIREE; absent: all.")] = None,
) -> Any:
    """The customer's retroactive requests, newest first (MANAGER, ADMIN)."""
    return retro.list_requests(session, ctx, statut)


@router.post(
    "/demandesPosteriori/{id}/decision",
    response_model=schemas.DemandeOut,
    summary="Accept or refuse a driver's pending retroactive request",
)
def decide(
    ctx: ManagerCtx,
    session: SessionDep,
    id: Annotated[QueryInt, Path(ge=0, le=ID_MAX)],  # noqa: A002
    accepte: Annotated[QueryBool, Query(description="true: accept; false: refuse.")],
) -> Any:
    """Accept or refuse a pending request (MANAGER, ADMIN); an accepted one decides the step."""
    return retro.decide(session, ctx, id, accepte)
