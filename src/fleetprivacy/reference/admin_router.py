"""Admin REST API (ADMIN role) for reference data: entities, groups, individuals, vehicles, assignments."""


from collections.abc import Callable
from typing import Annotated, Any

from fastapi import APIRouter, Body, Path, Query
from pydantic import BaseModel

from fleetprivacy.core.deps import AdminCtx, SessionDep
from fleetprivacy.core.types import ID_MAX, QueryBool, QueryInt
from fleetprivacy.reference import schemas, service
from fleetprivacy.reference.service import Kind

router = APIRouter(prefix="/admin/v1", tags=["admin: reference data"])


def _crud(
    path: str,
    kind: Kind,
    label: str,
    create_model: type[BaseModel],
    update_model: type[BaseModel],
    out_model: type[BaseModel],
    to_wire: Callable[[Any], BaseModel],
    notes: str = "",
) -> None:
    """Register POST, GET (list and one), PUT and DELETE for one kind of reference object."""
    a_label = f"{'an' if label[0] in 'aeiou' else 'a'} {label}"
    plural = path.rsplit("/", 1)[-1]

    def create(ctx: AdminCtx, session: SessionDep, body: Annotated[create_model, Body()]) -> Any:  # type: ignore[valid-type]
        return to_wire(service.create_object(session, ctx, kind, body))

    def list_all(
        ctx: AdminCtx,
        session: SessionDep,
        include_deleted: Annotated[QueryBool, Query(alias="includeDeleted")] = False,
    ) -> Any:
        return [to_wire(o) for o in service.list_objects(session, ctx, kind, include_deleted)]

    def get_one(ctx: AdminCtx, session: SessionDep, object_id: Annotated[QueryInt, Path(alias="id", ge=1, le=ID_MAX)]) -> Any:
        return to_wire(service.get_object(session, ctx, kind, object_id))

    def update(
        ctx: AdminCtx,
        session: SessionDep,
        object_id: Annotated[QueryInt, Path(alias="id", ge=1, le=ID_MAX)],
        body: Annotated[update_model, Body()],  # type: ignore[valid-type]
    ) -> Any:
        return to_wire(service.update_object(session, ctx, kind, object_id, body))

    def delete(ctx: AdminCtx, session: SessionDep, object_id: Annotated[QueryInt, Path(alias="id", ge=1, le=ID_MAX)]) -> Any:
        return to_wire(service.delete_object(session, ctx, kind, object_id))

    router.add_api_route(
        path, create, methods=["POST"], response_model=out_model, status_code=201,
        summary=f"Create {a_label}", description=f"Create {a_label} of the customer. {notes}".strip(),
    )
    router.add_api_route(
        path, list_all, methods=["GET"], response_model=list[out_model],  # type: ignore[valid-type]
        summary=f"List {plural}",
        description=f"Every {label} of the customer by id; logically deleted ones only with includeDeleted=true.",
    )
    router.add_api_route(
        f"{path}/{{id}}", get_one, methods=["GET"], response_model=out_model,
        summary=f"Read {a_label}", description=f"One {label}; 404 when it is not the customer's.",
    )
    router.add_api_route(
        f"{path}/{{id}}", update, methods=["PUT"], response_model=out_model,
        summary=f"Update {a_label}",
        description=f"Change the fields present in the body; absent fields keep their value. {notes}".strip(),
    )
    router.add_api_route(
        f"{path}/{{id}}", delete, methods=["DELETE"], response_model=out_model,
        summary=f"Delete {a_label} (logically)",
        description=f"Sets suppressionLogique: the {label} stays in history and reports. Idempotent.",
    )


_crud(
    "/entities", service.ENTITY, "entity", schemas.EntiteCreate, schemas.EntiteUpdate, schemas.AdminEntite,
    service.admin_entite_out, "parentId must be an entity of the customer and must not create a cycle.",
)
_crud(
    "/groupes", service.GROUPE, "group", schemas.GroupeCreate, schemas.GroupeUpdate, schemas.GroupeOut,
    service.groupe_out,
)
_crud(
    "/individus", service.INDIVIDU, "individual", schemas.IndividuCreate, schemas.IndividuUpdate,
    schemas.AdminIndividu, service.admin_individu_out, "entiteId and groupeId must be the customer's.",
)
_crud(
    "/vehicles", service.VEHICLE, "vehicle", schemas.VehicleCreate, schemas.VehicleUpdate, schemas.AdminVehicle,
    service.admin_vehicle_out, "numeroEmbarque is unique within the customer (409 otherwise).",
)
_crud(
    "/affectations", service.AFFECTATION, "driver-to-vehicle assignment", schemas.AffectationCreate,
    schemas.AffectationUpdate, schemas.AdminAffectation, service.admin_affectation_out,
    "Over [dateDebut, dateFin); a vehicle's live assignments must not overlap (409).",
)
