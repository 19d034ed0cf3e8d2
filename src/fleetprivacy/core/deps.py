"""Request dependencies: the session (the request owns the transaction) and the tenant context."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, Query, Request, Security
from fastapi.security import APIKeyHeader
from sqlalchemy.orm import Session

from fleetprivacy.auth.service import customer_ids_of, user_for_token
from fleetprivacy.core.errors import BadInput, Forbidden
from fleetprivacy.core.tenancy import Ctx
from fleetprivacy.core.types import ID_MAX, QueryInt
from fleetprivacy.reference.models import Customer


def _session(request: Request) -> Iterator[Session]:
    with request.app.state.db.session() as session:
        yield session


# scope="function": the commit happens before the response is sent, so a failed commit is an error answer.
SessionDep = Annotated[Session, Depends(_session, scope="function")]

# Declared as a security scheme so that the Swagger UI has an "Authorize" button; checked in `_ctx`.
_token_header = APIKeyHeader(
    name="X-AUTH-TOKEN", auto_error=False, description="The token from POST /auth/authenticate2 (valid 12 hours)."
)
TokenDep = Annotated[str | None, Security(_token_header)]


def _ctx(
    session: SessionDep,
    x_auth_token: TokenDep,
    customer_id: Annotated[
        QueryInt | None,
        Query(alias="customerId", ge=1, le=ID_MAX, description="Customer id. Required only for a multi-customer user."),
    ] = None,
) -> Ctx:
    user, _token = user_for_token(session, x_auth_token)
    customers = customer_ids_of(session, user.id)
    if customer_id is None:
        if len(customers) != 1:
            raise BadInput("customerId is required for a user of several customers")
        customer_id = customers[0]
    elif customer_id not in customers:
        raise Forbidden(f"customerId {customer_id} is not one of this user's customers")
    customer = session.get(Customer, customer_id)
    assert customer is not None  # guaranteed by the foreign key
    return Ctx(
        customer_id=customer.id,
        customer_timezone=customer.timezone,
        user_id=user.id,
        login=user.login,
        role=user.role,
        individu_id=user.individu_id,
    )


CtxDep = Annotated[Ctx, Depends(_ctx)]


def _admin(ctx: CtxDep) -> Ctx:
    ctx.require("ADMIN")
    return ctx


def _manager(ctx: CtxDep) -> Ctx:
    ctx.require("ADMIN", "MANAGER")
    return ctx


AdminCtx = Annotated[Ctx, Depends(_admin)]
ManagerCtx = Annotated[Ctx, Depends(_manager)]
