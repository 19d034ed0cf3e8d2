"""Rules of reference data: ownership checks, uniqueness, the entity tree, assignment overlaps."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from pydantic import BaseModel
from sqlalchemy import and_, exists, or_, select
from sqlalchemy.orm import Session

from fleetprivacy.auth.models import User, UserCustomer
from fleetprivacy.core import audit
from fleetprivacy.core.errors import BadInput, Conflict
from fleetprivacy.core.models import Base, utcnow
from fleetprivacy.core.tenancy import Ctx, get_owned, scoped
from fleetprivacy.reference import schemas
from fleetprivacy.reference.models import Affectation, Customer, Entity, Groupe, Individu, Vehicle

# --- wire conversion ------------------------------------------------------------------------


def entite_out(entity: Entity) -> schemas.EntiteOut:
    return schemas.EntiteOut(id=entity.id, nom=entity.nom, suppressionLogique=entity.suppression_logique)


def admin_entite_out(entity: Entity) -> schemas.AdminEntite:
    return schemas.AdminEntite(**entite_out(entity).model_dump(), parentId=entity.parent_id)


def groupe_out(groupe: Groupe) -> schemas.GroupeOut:
    return schemas.GroupeOut(
        id=groupe.id, descriptionGrp=groupe.description_grp, suppressionLogique=groupe.suppression_logique
    )


def individu_out(ind: Individu) -> schemas.IndividuOut:
    return schemas.IndividuOut(
        id=ind.id,
        nomInd=ind.nom_ind,
        prenomInd=ind.prenom_ind,
        matriculeInd=ind.matricule_ind,
        initialesInd=ind.initiales_ind,
        gsm=ind.gsm,
        email=ind.email,
        suppressionLogique=ind.suppression_logique,
        idCivilite=ind.id_civilite,
    )


def admin_individu_out(ind: Individu) -> schemas.AdminIndividu:
    return schemas.AdminIndividu(
        **individu_out(ind).model_dump(), entiteId=ind.entite_id, groupeId=ind.groupe_id, badge=ind.badge
    )


def vehicle_out(v: Vehicle) -> schemas.VehicleOut:
    return schemas.VehicleOut(
        id=v.id,
        immatriculation=v.immatriculation,
        numeroEmbarque=v.numero_embarque,
        typeMotorisation=v.type_motorisation,
        categorie=v.categorie,
        marque=v.marque,
        modele=v.modele,
        description=v.description,
        privacyEnabled=v.privacy_enabled,
        geolocalise=v.geolocalise,
        valeurConsommation=v.valeur_consommation,
        libelleTypeAsset=schemas.LibelleTypeAssetOut(
            id=None, libelle=v.libelle_type_asset, categorie=v.categorie, nomIcone=None, ordre=0
        ),
        suppressionLogique=v.suppression_logique,
    )


def admin_vehicle_out(v: Vehicle) -> schemas.AdminVehicle:
    return schemas.AdminVehicle(
        **vehicle_out(v).model_dump(), entiteId=v.entite_id, energie=v.energie,
        fuelPricePerL=v.fuel_price_per_l, electricityPricePerKwh=v.electricity_price_per_kwh,
    )


def admin_affectation_out(a: Affectation) -> schemas.AdminAffectation:
    return schemas.AdminAffectation(
        id=a.id,
        individuId=a.individu_id,
        vehiculeId=a.vehicle_id,
        dateDebut=a.debut_at,
        dateFin=a.fin_at,
        isVehiculeFonction=a.is_vehicule_fonction,
        suppressionLogique=a.suppression_logique,
    )


# --- generic admin plumbing -----------------------------------------------------------------


@dataclass(frozen=True)
class Kind:
    """One kind of reference object: its table, its wire name and its field mapping."""

    model: type[Base]
    what: str
    fields: dict[str, str]  # wire name -> column attribute


ENTITY = Kind(Entity, "entity", {"nom": "nom", "parentId": "parent_id", "suppressionLogique": "suppression_logique"})
GROUPE = Kind(
    Groupe, "groupe", {"descriptionGrp": "description_grp", "suppressionLogique": "suppression_logique"}
)
INDIVIDU = Kind(
    Individu,
    "individu",
    {
        "nomInd": "nom_ind",
        "prenomInd": "prenom_ind",
        "matriculeInd": "matricule_ind",
        "initialesInd": "initiales_ind",
        "gsm": "gsm",
        "email": "email",
        "idCivilite": "id_civilite",
        "entiteId": "entite_id",
        "groupeId": "groupe_id",
        "badge": "badge",
        "suppressionLogique": "suppression_logique",
    },
)
VEHICLE = Kind(
    Vehicle,
    "vehicle",
    {
        "immatriculation": "immatriculation",
        "numeroEmbarque": "numero_embarque",
        "entiteId": "entite_id",
        "typeMotorisation": "type_motorisation",
        "energie": "energie",
        "categorie": "categorie",
        "marque": "marque",
        "modele": "modele",
        "description": "description",
        "privacyEnabled": "privacy_enabled",
        "geolocalise": "geolocalise",
        "valeurConsommation": "valeur_consommation",
        "libelleTypeAsset": "libelle_type_asset",
        "fuelPricePerL": "fuel_price_per_l",
        "electricityPricePerKwh": "electricity_price_per_kwh",
        "suppressionLogique": "suppression_logique",
    },
)
AFFECTATION = Kind(
    Affectation,
    "affectation",
    {
        "individuId": "individu_id",
        "vehiculeId": "vehicle_id",
        "dateDebut": "debut_at",
        "dateFin": "fin_at",
        "isVehiculeFonction": "is_vehicule_fonction",
        "suppressionLogique": "suppression_logique",
    },
)


def _snapshot(obj: Base, kind: Kind) -> dict[str, Any]:
    out = {}
    for wire, attr in kind.fields.items():
        value = getattr(obj, attr)
        out[wire] = value.isoformat() if isinstance(value, datetime) else value
    return out


def list_objects(session: Session, ctx: Ctx, kind: Kind, include_deleted: bool) -> list[Any]:
    """Every object of `kind` of the customer, by id."""
    stmt = scoped(kind.model, ctx).order_by(kind.model.id)  # type: ignore[attr-defined]
    if not include_deleted:
        stmt = stmt.where(kind.model.suppression_logique.is_(False))  # type: ignore[attr-defined]
    return list(session.scalars(stmt))


def get_object(session: Session, ctx: Ctx, kind: Kind, object_id: int) -> Any:
    """One object of the customer, or 404."""
    return get_owned(session, kind.model, object_id, ctx, kind.what)


def create_object(session: Session, ctx: Ctx, kind: Kind, data: BaseModel) -> Any:
    """Validate and insert a new object; audited."""
    obj = kind.model(customer_id=ctx.customer_id)  # type: ignore[call-arg]
    values = {k: getattr(data, k) for k in type(data).model_fields}
    _apply(session, ctx, kind, obj, values)
    session.add(obj)
    session.flush()
    audit.record(
        session,
        customer_id=ctx.customer_id,
        user_id=ctx.user_id,
        user_login=ctx.login,
        action="CREATE",
        object_type=kind.what,
        object_id=obj.id,  # type: ignore[attr-defined]
        after=_snapshot(obj, kind),
    )
    return obj


def update_object(session: Session, ctx: Ctx, kind: Kind, object_id: int, data: BaseModel) -> Any:
    """Change the fields present in `data` (absent fields keep their value); audited."""
    obj = get_object(session, ctx, kind, object_id)
    before = _snapshot(obj, kind)
    values = {k: getattr(data, k) for k in data.model_fields_set}
    _apply(session, ctx, kind, obj, values)
    session.flush()
    audit.record(
        session,
        customer_id=ctx.customer_id,
        user_id=ctx.user_id,
        user_login=ctx.login,
        action="UPDATE",
        object_type=kind.what,
        object_id=object_id,
        before=before,
        after=_snapshot(obj, kind),
    )
    return obj


def delete_object(session: Session, ctx: Ctx, kind: Kind, object_id: int) -> Any:
    """Logical deletion: the row stays (history and reports keep it), flagged `suppressionLogique`."""
    obj = get_object(session, ctx, kind, object_id)
    if not obj.suppression_logique:
        before = _snapshot(obj, kind)
        obj.suppression_logique = True
        session.flush()
        audit.record(
            session,
            customer_id=ctx.customer_id,
            user_id=ctx.user_id,
            user_login=ctx.login,
            action="DELETE",
            object_type=kind.what,
            object_id=object_id,
            before=before,
            after=_snapshot(obj, kind),
        )
    return obj


def _apply(session: Session, ctx: Ctx, kind: Kind, obj: Any, values: dict[str, Any]) -> None:
    for wire, value in values.items():
        setattr(obj, kind.fields[wire], value)
    # The checks query the table being written: the pending change must not be flushed before
    # they have vetted it (a duplicate would otherwise surface as an integrity error).
    with session.no_autoflush:
        if kind is ENTITY:
            _check_entity(session, ctx, obj)
        elif kind is INDIVIDU:
            _check_refs(session, ctx, obj.entite_id, obj.groupe_id)
            _check_badge_unique(session, ctx, obj)
        elif kind is VEHICLE:
            _check_refs(session, ctx, obj.entite_id, None)
            _check_vehicle_unique(session, ctx, obj)
        elif kind is AFFECTATION:
            _check_affectation(session, ctx, obj)


def _live(session: Session, ctx: Ctx, model: type[Any], object_id: int, what: str) -> Any:
    """A referenced object of the customer that is not logically deleted (404 / 400 otherwise)."""
    obj = get_owned(session, model, object_id, ctx, what)
    if obj.suppression_logique:
        raise BadInput(f"{what} {object_id} is deleted; restore it first (suppressionLogique: false)")
    return obj


def _check_refs(session: Session, ctx: Ctx, entite_id: int | None, groupe_id: int | None) -> None:
    if entite_id is not None:
        _live(session, ctx, Entity, entite_id, "entiteId: entity")
    if groupe_id is not None:
        _live(session, ctx, Groupe, groupe_id, "groupeId: groupe")


def _check_entity(session: Session, ctx: Ctx, entity: Entity) -> None:
    if entity.parent_id is None:
        return
    _live(session, ctx, Entity, entity.parent_id, "parentId: entity")
    seen = {entity.id} if entity.id is not None else set()
    ancestor_id: int | None = entity.parent_id
    while ancestor_id is not None:
        if ancestor_id in seen:
            raise BadInput(f"parentId {entity.parent_id} would make the entity tree a cycle")
        seen.add(ancestor_id)
        ancestor_id = get_owned(session, Entity, ancestor_id, ctx, "parentId: entity").parent_id


def _check_badge_unique(session: Session, ctx: Ctx, ind: Individu) -> None:
    if ind.badge is None:
        return
    stmt = scoped(Individu, ctx).where(Individu.badge == ind.badge)
    if ind.id is not None:
        stmt = stmt.where(Individu.id != ind.id)
    other = session.scalar(stmt)
    if other is not None:
        raise Conflict(f"badge {ind.badge!r} is already individu {other.id}'s")


def _check_vehicle_unique(session: Session, ctx: Ctx, vehicle: Vehicle) -> None:
    stmt = scoped(Vehicle, ctx).where(Vehicle.numero_embarque == vehicle.numero_embarque)
    if vehicle.id is not None:
        stmt = stmt.where(Vehicle.id != vehicle.id)
    other = session.scalar(stmt)
    if other is not None:
        deleted = " (logically deleted: give it another numeroEmbarque first)" if other.suppression_logique else ""
        raise Conflict(f"numeroEmbarque {vehicle.numero_embarque} is already vehicle {other.id}{deleted}")


def _check_affectation(session: Session, ctx: Ctx, a: Affectation) -> None:
    if a.fin_at is not None and a.fin_at <= a.debut_at:
        raise BadInput("dateFin must be after dateDebut")
    if a.suppression_logique:
        return
    _live(session, ctx, Individu, a.individu_id, "individuId: individu")
    _live(session, ctx, Vehicle, a.vehicle_id, "vehiculeId: vehicle")
    # A vehicle has one driver at a time: its live assignments must not overlap.
    stmt = scoped(Affectation, ctx).where(
        Affectation.vehicle_id == a.vehicle_id,
        Affectation.suppression_logique.is_(False),
        or_(Affectation.fin_at.is_(None), Affectation.fin_at > a.debut_at),
    )
    if a.fin_at is not None:
        stmt = stmt.where(Affectation.debut_at < a.fin_at)
    if a.id is not None:
        stmt = stmt.where(Affectation.id != a.id)
    other = session.scalar(stmt)
    if other is not None:
        raise Conflict(f"vehicle {a.vehicle_id} is already assigned over that time (affectation {other.id})")


# --- reference read endpoints ---------------------------------------------------------------

INDIVIDU_CRITERIA = ("WITHOUT_USER", "WITH_USER", "WITH_ENTITE", "WITH_GSM", "WITH_VEHICLE")


def _current_affectation_clause(now: datetime):  # type: ignore[no-untyped-def]
    return and_(
        Affectation.suppression_logique.is_(False),
        Affectation.individu_id.in_(select(Individu.id).where(Individu.suppression_logique.is_(False))),
        Affectation.vehicle_id.in_(select(Vehicle.id).where(Vehicle.suppression_logique.is_(False))),
        Affectation.debut_at <= now,
        or_(Affectation.fin_at.is_(None), Affectation.fin_at > now),
    )


def list_individus(session: Session, ctx: Ctx, criteria: list[str]) -> list[dict[str, Any]]:
    """`POST /individus/list`: the customer's individuals matching every criterion given."""
    for criterion in criteria:
        if criterion not in INDIVIDU_CRITERIA:
            raise BadInput(f"criteria must be among {', '.join(INDIVIDU_CRITERIA)}; got {criterion[:50]!r}")
    criteria = sorted(set(criteria))
    now = utcnow()
    has_user = exists().where(
        User.individu_id == Individu.id, User.suppression_logique.is_(False)
    )
    has_vehicle = exists().where(Affectation.individu_id == Individu.id, _current_affectation_clause(now))
    stmt = scoped(Individu, ctx).where(Individu.suppression_logique.is_(False)).order_by(Individu.id)
    if ctx.is_driver:
        stmt = stmt.where(Individu.id == ctx.individu_id)
    conditions = {
        "WITHOUT_USER": ~has_user,
        "WITH_USER": has_user,
        "WITH_ENTITE": Individu.entite_id.is_not(None),
        "WITH_GSM": and_(Individu.gsm.is_not(None), Individu.gsm != ""),
        "WITH_VEHICLE": has_vehicle,
    }
    for criterion in criteria:
        stmt = stmt.where(conditions[criterion])
    individus = list(session.scalars(stmt))
    ids = [i.id for i in individus]
    entities = {e.id: e for e in session.scalars(scoped(Entity, ctx))}
    groupes = {g.id: g for g in session.scalars(scoped(Groupe, ctx))}
    users = {
        u.individu_id: u
        for u in session.scalars(
            select(User)
            .join(UserCustomer, UserCustomer.user_id == User.id)
            .where(UserCustomer.customer_id == ctx.customer_id, User.individu_id.in_(ids))
        )
    }
    vehicles: dict[int, Vehicle] = {}
    for affectation, vehicle in session.execute(
        select(Affectation, Vehicle)
        .join(Vehicle, Vehicle.id == Affectation.vehicle_id)
        .where(
            Affectation.customer_id == ctx.customer_id,
            Affectation.individu_id.in_(ids),
            _current_affectation_clause(now),
        )
        .order_by(Affectation.is_vehicule_fonction.desc(), Affectation.debut_at)
    ):
        vehicles.setdefault(affectation.individu_id, vehicle)
    rows = []
    for ind in individus:
        user = users.get(ind.id)
        entity = entities.get(ind.entite_id) if ind.entite_id else None
        groupe = groupes.get(ind.groupe_id) if ind.groupe_id else None
        vehicle = vehicles.get(ind.id)
        ind_wire = individu_out(ind).model_dump()
        rows.append(
            {
                "individu": ind_wire,
                "entite": entite_out(entity).model_dump() if entity else None,
                "utilisateur": (
                    {
                        "id": user.id,
                        "loginUti": user.login,
                        "nomUti": ind.nom_ind,
                        "prenomUti": ind.prenom_ind,
                        "emailUti": ind.email,
                        "individu": ind_wire,
                        "dateFinValidite": None,
                        "suppressionLogique": user.suppression_logique,
                        "utilisateurType": "CLASSIC",
                    }
                    if user
                    else None
                ),
                "groupe": groupe_out(groupe).model_dump() if groupe else None,
                "fonctionnalites": [],
                "propSpecifiqueDTO": None,
                "vehicleFieldsDTO": vehicle_out(vehicle).model_dump() if vehicle else None,
            }
        )
    return rows


def list_vehicles(session: Session, ctx: Ctx, immatriculation: str | None) -> list[dict[str, Any]]:
    """`GET /vehicule_engin/vehicles`: the customer's vehicles with entity and current driver."""
    now = utcnow()
    stmt = scoped(Vehicle, ctx).where(Vehicle.suppression_logique.is_(False)).order_by(Vehicle.id)
    if immatriculation:
        stmt = stmt.where(Vehicle.immatriculation == immatriculation)
    if ctx.is_driver:
        # A driver sees the vehicles assigned to them now, and nobody else's name on them.
        stmt = stmt.where(
            Vehicle.id.in_(
                select(Affectation.vehicle_id).where(
                    Affectation.individu_id == ctx.individu_id, _current_affectation_clause(now)
                )
            )
        )
    vehicles = list(session.scalars(stmt))
    entities = {e.id: e for e in session.scalars(scoped(Entity, ctx))}
    drivers: dict[int, Individu] = {}
    for affectation, individu in session.execute(
        select(Affectation, Individu)
        .join(Individu, Individu.id == Affectation.individu_id)
        .where(Affectation.customer_id == ctx.customer_id, _current_affectation_clause(now))
    ):
        drivers[affectation.vehicle_id] = individu
    rows = []
    for v in vehicles:
        entity = entities.get(v.entite_id) if v.entite_id else None
        driver = drivers.get(v.id)
        rows.append(
            {
                "boitier": None,
                "chauffeur": individu_out(driver).model_dump() if driver else None,
                "emissionCo2": None,
                "entite": entite_out(entity).model_dump() if entity else None,
                "releve": None,
                "releveAjuste": None,
                "vehicle": vehicle_out(v).model_dump(),
                "visites": [],
            }
        )
    return rows


def list_entities(session: Session, ctx: Ctx) -> dict[str, Any]:
    """`GET /mobility/v1/entities`: `{"entities": [{id, nom}]}` of live entities."""
    stmt = scoped(Entity, ctx).where(Entity.suppression_logique.is_(False)).order_by(Entity.id)
    return {"entities": [{"id": e.id, "nom": e.nom} for e in session.scalars(stmt)]}


def create_customer(session: Session, name: str, timezone: str, code_exploitant: str | None) -> Customer:
    """A new tenant (the CLI's `admin create-customer`)."""
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    if not name.strip():
        raise BadInput("name must not be empty")
    try:
        ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError):
        raise BadInput(f"timezone {timezone!r} is not an IANA time zone (e.g. Europe/Paris)") from None
    if code_exploitant is not None:
        if session.scalar(select(Customer.id).where(Customer.code_exploitant == code_exploitant)) is not None:
            raise Conflict(f"code exploitant {code_exploitant!r} is already used")
    customer = Customer(name=name, timezone=timezone, code_exploitant=code_exploitant)
    session.add(customer)
    session.flush()
    return customer
