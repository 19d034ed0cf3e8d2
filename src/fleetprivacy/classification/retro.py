"""Retroactive requests (SPEC section 8): a step declared private or professional after the fact.

- A MANAGER's or ADMIN's request is accepted at once; a DRIVER's (on their own step only) waits as
  EN_ATTENTE until a MANAGER/ADMIN accepts or refuses it.
- A later request on the same step replaces the earlier pending one (RETIREE); an accepted request
  replaces the earlier accepted one when it is accepted, so the step always has at most one decision
  in force and keeps it while a driver's new request waits.
- DELETE withdraws: a DRIVER their own pending request; a MANAGER/ADMIN the pending request and the
  decision in force.
- The step must have started within the customer's `retroactive_window_days` (else 400), be a TRIP
  of a vehicle with privacy enabled (else 400). Every request, withdrawal and decision is audited;
  every change of the decision in force rewrites the step's stored classification.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from fleetprivacy.classification.models import ACCEPTEE, EN_ATTENTE, REFUSEE, RETIREE, RetroRequest
from fleetprivacy.classification.service import classify_and_store
from fleetprivacy.core import audit
from fleetprivacy.core.errors import BadInput, Conflict, NotFound
from fleetprivacy.core.models import utcnow
from fleetprivacy.core.tenancy import Ctx, get_owned, scoped
from fleetprivacy.reference.models import Customer, Vehicle
from fleetprivacy.schedules.service import clock_ms
from fleetprivacy.trips.models import TRIP, Etape
from fleetprivacy.trips.repository import lock_vehicle

STATUTS = (EN_ATTENTE, ACCEPTEE, REFUSEE, RETIREE)
_DAY_MS = 86_400_000


def _now_ms(now_ms: int | None) -> int:
    return clock_ms() if now_ms is None else now_ms


def find_step(session: Session, ctx: Ctx, id_etape: int | None, numero_embarque: int | None,
              code_exploitant: str | None, now_ms: int) -> Etape:
    """The step a request names, checked: 400 for missing or refused input, 404 for anything not the caller's."""
    if id_etape is None:
        raise BadInput("idEtape is required")
    if numero_embarque is None:
        raise BadInput("numeroEmbarque is required")
    customer = session.get(Customer, ctx.customer_id)
    assert customer is not None
    if code_exploitant not in (None, "") and code_exploitant != customer.code_exploitant:
        raise NotFound(f"codeExploitant {code_exploitant} not found")
    vehicle = session.scalars(scoped(Vehicle, ctx).where(Vehicle.numero_embarque == numero_embarque)).first()
    if vehicle is None:
        raise NotFound(f"vehicle numeroEmbarque {numero_embarque} not found")
    # Requests on one step (and ingestions re-cutting it) queue on the vehicle's row, as ingestions
    # do: two concurrent requests would otherwise each retire what they saw and both stay ACCEPTEE,
    # the stored classification following whichever committed last (PostgreSQL; SQLite's writers
    # queue anyway). The step is read again after the lock.
    lock_vehicle(session, ctx, vehicle.id)
    step = session.get(Etape, id_etape, populate_existing=True) if 0 <= id_etape < 2**63 else None
    if step is None or step.customer_id != ctx.customer_id or step.vehicle_id != vehicle.id:
        raise NotFound(f"etape {id_etape} of vehicle {numero_embarque} not found")
    if ctx.is_driver and (ctx.individu_id is None or step.individu_id != ctx.individu_id):
        raise NotFound(f"etape {id_etape} of vehicle {numero_embarque} not found")  # a driver sees only their own
    if not vehicle.privacy_enabled:
        raise BadInput(f"vehicle {numero_embarque} does not have privacy enabled")
    if step.kind != TRIP:
        raise BadInput(f"etape {id_etape} is a stop, not a trip: only trips can be declared private or professional")
    window = customer.retroactive_window_days
    if step.start_ms < now_ms - window * _DAY_MS:
        raise BadInput(f"etape {id_etape} started more than {window} days ago: outside the retroactive window")
    return step


def _wire(r: RetroRequest, step: Etape | None = None, numero_embarque: int | None = None) -> dict[str, Any]:
    return {
        "id": r.id, "idEtape": r.etape_id, "numeroEmbarque": numero_embarque, "privacy": r.privacy,
        "statut": r.statut, "requestedBy": r.requested_by, "requestedAt": r.requested_at,
        "decidedBy": r.decided_by, "decidedAt": r.decided_at,
        "individuId": step.individu_id if step else None,
        "startMs": step.start_ms if step else None, "endMs": step.end_ms if step else None,
    }


def _audit(session: Session, ctx: Ctx, action: str, r: RetroRequest, before: Any = None) -> None:
    audit.record(session, customer_id=ctx.customer_id, user_id=ctx.user_id or None, user_login=ctx.login,
                 action=action, object_type="retro_request", object_id=r.id, before=before,
                 after={"idEtape": r.etape_id, "privacy": r.privacy, "statut": r.statut})


def _open_requests(session: Session, ctx: Ctx, etape_id: int, statuts: tuple[str, ...]) -> list[RetroRequest]:
    return list(session.scalars(scoped(RetroRequest, ctx).where(
        RetroRequest.etape_id == etape_id, RetroRequest.statut.in_(statuts)).order_by(RetroRequest.id)))


def _retire(session: Session, ctx: Ctx, requests: list[RetroRequest]) -> None:
    for old in requests:
        before = {"statut": old.statut}
        old.statut = RETIREE
        _audit(session, ctx, "RETIRE", old, before)


def request(session: Session, ctx: Ctx, id_etape: int | None, numero_embarque: int | None,
            code_exploitant: str | None, privacy: bool | None, now_ms: int | None = None) -> bool:
    """Record a request that the step be private (true) or professional (false); true when recorded."""
    now = _now_ms(now_ms)
    if privacy is None:
        raise BadInput("privacy is required (true: private, false: professional)")
    step = find_step(session, ctx, id_etape, numero_embarque, code_exploitant, now)
    accepted = not ctx.is_driver
    _retire(session, ctx, _open_requests(session, ctx, step.id, (EN_ATTENTE, ACCEPTEE) if accepted else (EN_ATTENTE,)))
    stamp = utcnow()  # one reading: a request accepted at once is not decided before it was made
    r = RetroRequest(customer_id=ctx.customer_id, etape_id=step.id, privacy=privacy,
                     statut=ACCEPTEE if accepted else EN_ATTENTE, requested_by=ctx.user_id or None,
                     requested_at=stamp)
    if accepted:
        r.decided_by, r.decided_at = ctx.user_id or None, stamp
    session.add(r)
    session.flush()
    _audit(session, ctx, "CREATE", r)
    if accepted:
        classify_and_store(session, ctx.customer_id, [step.id])
    return True


def withdraw(session: Session, ctx: Ctx, id_etape: int | None, numero_embarque: int | None,
             code_exploitant: str | None, now_ms: int | None = None) -> bool:
    """Withdraw the step's request (a DRIVER: their pending one); false when there was nothing to withdraw."""
    step = find_step(session, ctx, id_etape, numero_embarque, code_exploitant, _now_ms(now_ms))
    if ctx.is_driver:
        found = [r for r in _open_requests(session, ctx, step.id, (EN_ATTENTE,)) if r.requested_by == ctx.user_id]
    else:
        found = _open_requests(session, ctx, step.id, (EN_ATTENTE, ACCEPTEE))
    had_decision = any(r.statut == ACCEPTEE for r in found)
    _retire(session, ctx, found)
    session.flush()
    if had_decision:
        classify_and_store(session, ctx.customer_id, [step.id])
    return bool(found)


def list_requests(session: Session, ctx: Ctx, statut: str | None) -> list[dict[str, Any]]:
    """The customer's requests, newest first, optionally of one statut (MANAGER/ADMIN)."""
    q = scoped(RetroRequest, ctx)
    if statut is not None:
        if statut not in STATUTS:
            raise BadInput(f"statut must be one of {', '.join(STATUTS)}")
        q = q.where(RetroRequest.statut == statut)
    requests = list(session.scalars(q.order_by(RetroRequest.id.desc())))
    steps = {s.id: s for s in session.scalars(
        scoped(Etape, ctx).where(Etape.id.in_({r.etape_id for r in requests})))} if requests else {}
    numeros = dict(session.execute(select(Vehicle.id, Vehicle.numero_embarque).where(
        Vehicle.customer_id == ctx.customer_id, Vehicle.id.in_({s.vehicle_id for s in steps.values()})
    )).all()) if steps else {}
    out = []
    for r in requests:
        step = steps.get(r.etape_id)
        out.append(_wire(r, step, numeros.get(step.vehicle_id) if step else None))
    return out


def decide(session: Session, ctx: Ctx, request_id: int, accepte: bool) -> dict[str, Any]:
    """Accept or refuse a pending request (MANAGER/ADMIN); an accepted one becomes the step's decision."""
    r = get_owned(session, RetroRequest, request_id, ctx, "demande")
    # Serialised with the step's other requests and decisions (see find_step), then read again: of
    # two concurrent decisions of one request, the second sees the first's and answers 409.
    step = session.get(Etape, r.etape_id)
    if step is not None:
        lock_vehicle(session, ctx, step.vehicle_id)
        session.refresh(r)
    if r.statut != EN_ATTENTE:
        raise Conflict(f"demande {request_id} is {r.statut}, not {EN_ATTENTE}")
    before = {"statut": r.statut}
    if accepte:
        _retire(session, ctx, _open_requests(session, ctx, r.etape_id, (ACCEPTEE,)))
    r.statut = ACCEPTEE if accepte else REFUSEE
    r.decided_by, r.decided_at = ctx.user_id or None, utcnow()
    session.flush()
    _audit(session, ctx, "ACCEPT" if accepte else "REFUSE", r, before)
    if accepte:
        classify_and_store(session, ctx.customer_id, [r.etape_id])
    step = session.get(Etape, r.etape_id)
    vehicle = session.get(Vehicle, step.vehicle_id) if step else None
    return _wire(r, step, vehicle.numero_embarque if vehicle else None)
