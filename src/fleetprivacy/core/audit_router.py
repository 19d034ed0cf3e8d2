"""`GET /admin/v1/audit`: the append-only audit log, read by ADMIN and MANAGER, newest first."""

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from fleetprivacy.core.audit import AuditEntry
from fleetprivacy.core.dates import ms_to_utc, parse_period_instant
from fleetprivacy.core.deps import ManagerCtx, SessionDep
from fleetprivacy.core.errors import BadInput
from fleetprivacy.core.tenancy import Ctx, scoped
from fleetprivacy.core.types import QueryInt

router = APIRouter(prefix="/admin/v1", tags=["admin: audit"])

# Object types that are about one individual: their object id is the individual's id.
INDIVIDU_OBJECT_TYPES = ("individu", "recurring_schedule", "exceptional_schedule")
_ID_MAX = 2**63


class AuditEntryOut(BaseModel):
    id: int
    at: str = Field(description="When, ISO-8601 UTC.")
    userId: int | None
    userLogin: str | None = Field(description="Who; `cli` for the command line.")
    action: str
    objectType: str
    objectId: int | None
    before: Any
    after: Any


class AuditPage(BaseModel):
    """One page of the audit log, newest first."""

    total: int
    offset: int
    limit: int
    items: list[AuditEntryOut]


def _instant(value: str | None, ctx: Ctx, param: str) -> datetime | None:
    return None if value is None else ms_to_utc(parse_period_instant(value, ctx.tz, param))


def list_entries(
    session: Session,
    ctx: Ctx,
    *,
    object_type: str | None = None,
    object_id: int | None = None,
    individu_id: int | None = None,
    start: str | None = None,
    end: str | None = None,
    offset: int = 0,
    limit: int = 100,
) -> dict[str, Any]:
    """The customer's audit entries matching every filter given, newest first, one page."""
    since, until = _instant(start, ctx, "from"), _instant(end, ctx, "to")
    if since is not None and until is not None and until <= since:
        raise BadInput("to: must be after from")
    stmt = scoped(AuditEntry, ctx)
    if object_type is not None:
        stmt = stmt.where(AuditEntry.object_type == object_type)
    if object_id is not None:
        stmt = stmt.where(AuditEntry.object_id == object_id)
    if individu_id is not None:
        stmt = stmt.where(AuditEntry.object_id == individu_id, AuditEntry.object_type.in_(INDIVIDU_OBJECT_TYPES))
    if since is not None:
        stmt = stmt.where(AuditEntry.at >= since)
    if until is not None:
        stmt = stmt.where(AuditEntry.at < until)
    total = session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
    page = session.scalars(stmt.order_by(AuditEntry.at.desc(), AuditEntry.id.desc()).offset(offset).limit(limit))
    items = [
        {
            "id": e.id,
            "at": e.at.isoformat(timespec="milliseconds"),
            "userId": e.user_id,
            "userLogin": e.user_login,
            "action": e.action,
            "objectType": e.object_type,
            "objectId": e.object_id,
            "before": e.before,
            "after": e.after,
        }
        for e in page
    ]
    return {"total": total, "offset": offset, "limit": limit, "items": items}


@router.get("/audit", response_model=AuditPage, summary="Read the audit log (ADMIN, MANAGER)")
def get_audit(
    ctx: ManagerCtx,
    session: SessionDep,
    object_type: Annotated[
        str | None,
        Query(
            alias="objectType",
            max_length=60,
            description="e.g. recurring_schedule, exceptional_schedule, individu, vehicle, entity.",
        ),
    ] = None,
    object_id: Annotated[QueryInt | None, Query(alias="objectId", ge=0, lt=_ID_MAX)] = None,
    individu_id: Annotated[QueryInt | None,
        Query(
            alias="individuId",
            ge=0,
            lt=_ID_MAX,
            description="Entries about this individual: the individual itself and their schedules.",
        ),
    ] = None,
    start: Annotated[
        str | None, Query(alias="from", description="Inclusive; epoch ms or ISO-8601 (no offset: customer's zone).")
    ] = None,
    end: Annotated[str | None, Query(alias="to", description="Exclusive; epoch ms or ISO-8601.")] = None,
    offset: Annotated[QueryInt, Query(ge=0, le=10_000_000)] = 0,
    limit: Annotated[QueryInt, Query(ge=1, le=1000)] = 100,
) -> Any:
    """The audit log of the customer (who, when, what, before/after), newest first, paginated."""
    return list_entries(
        session,
        ctx,
        object_type=object_type,
        object_id=object_id,
        individu_id=individu_id,
        start=start,
        end=end,
        offset=offset,
        limit=limit,
    )
