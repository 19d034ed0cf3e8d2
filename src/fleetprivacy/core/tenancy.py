"""Tenancy in one place: the request context and the helpers every customer-owned query goes through."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from fleetprivacy.core.errors import Forbidden, NotFound

T = TypeVar("T")


@dataclass(frozen=True)
class Ctx:
    """Who is asking, for which customer, with which role."""

    customer_id: int
    customer_timezone: str
    user_id: int
    login: str
    role: str
    individu_id: int | None

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.customer_timezone)

    @property
    def is_driver(self) -> bool:
        return self.role == "DRIVER"

    def require(self, *roles: str) -> None:
        """Raise Forbidden unless the user has one of `roles`."""
        if self.role not in roles:
            raise Forbidden(f"this operation needs the role {' or '.join(roles)}")


def scoped(model: type[T], ctx: Ctx) -> Select[tuple[T]]:
    """`SELECT model` restricted to the context's customer: the start of every tenant query."""
    return select(model).where(model.customer_id == ctx.customer_id)  # type: ignore[attr-defined]


def get_owned(session: Session, model: type[T], object_id: Any, ctx: Ctx, what: str) -> T:
    """Load one customer-owned row by id, or 404 (another customer's row looks missing)."""
    in_range = isinstance(object_id, int) and 0 <= object_id <= 2**63 - 1
    obj = session.get(model, object_id) if in_range else None
    if obj is None or obj.customer_id != ctx.customer_id:  # type: ignore[attr-defined]
        raise NotFound(f"{what} {object_id} not found")
    return obj


def system_ctx(session: Session, customer_id: int, login: str = "cli") -> Ctx:
    """An ADMIN context acting for a customer without a user (command line, internal callers); user_id 0 = nobody."""
    from fleetprivacy.reference.models import Customer  # reference imports core

    customer = session.get(Customer, customer_id)
    if customer is None:
        raise NotFound(f"customer {customer_id} not found")
    return Ctx(customer_id=customer.id, customer_timezone=customer.timezone, user_id=0, login=login,
               role="ADMIN", individu_id=None)
