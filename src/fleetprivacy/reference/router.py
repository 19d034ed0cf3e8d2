"""Reference read endpoints with the reference service's paths and shapes."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query

from fleetprivacy.core.deps import CtxDep, SessionDep
from fleetprivacy.reference import service

router = APIRouter(tags=["reference data"])


@router.post("/individus/list", summary="List individuals by criteria")
def individus_list(
    ctx: CtxDep,
    session: SessionDep,
    criteria: Annotated[
        list[str] | None,
        Query(
            description="Filter; repeat it to combine (all must hold): WITHOUT_USER, WITH_USER, WITH_ENTITE, "
            "WITH_GSM, WITH_VEHICLE (a vehicle assigned now). A DRIVER sees only their own individual."
        ),
    ] = None,
) -> list[dict[str, Any]]:
    """The customer's individuals, each with entity, user, group and current vehicle."""
    return service.list_individus(session, ctx, criteria or [])


@router.get("/vehicule_engin/vehicles", summary="List vehicles (filter by plate)")
def vehicles(
    ctx: CtxDep,
    session: SessionDep,
    immatriculation: Annotated[str | None, Query(description="Registration plate (exact match).")] = None,
) -> list[dict[str, Any]]:
    """The customer's vehicles with their entity and the driver assigned now (`chauffeur`)."""
    return service.list_vehicles(session, ctx, immatriculation)


@router.get("/mobility/v1/entities", summary="List the entity tree")
def entities(ctx: CtxDep, session: SessionDep) -> dict[str, Any]:
    """The customer's entities: `{"entities": [{"id", "nom"}]}`."""
    return service.list_entities(session, ctx)
