"""Wire models of reference data: the reference service's field names, camelCase."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from fleetprivacy.core.types import Flag, Id, Instant, Int64

TYPES_MOTORISATION = ("MONO", "BICARBURATION", "HYBRIDE", "HYBRIDE_RECHARGEABLE", "ELECTRIQUE", "HYDROGENE")
TypeMotorisation = Literal["MONO", "BICARBURATION", "HYBRIDE", "HYBRIDE_RECHARGEABLE", "ELECTRIQUE", "HYDROGENE"]
Energie = Literal["ESSENCE", "DIESEL", "GPL", "GNV", "ELECTRICITE", "HYDROGENE", "E85"]


class _In(BaseModel):
    """Bodies: unknown fields refused. In update bodies a field may be absent (unchanged) but,
    unless its type says so, not null."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


# --- outputs (reference shapes) -------------------------------------------------------------


class EntiteOut(BaseModel):
    id: int
    nom: str
    suppressionLogique: bool


class GroupeOut(BaseModel):
    id: int
    descriptionGrp: str
    suppressionLogique: bool


class IndividuOut(BaseModel):
    id: int
    nomInd: str
    prenomInd: str | None
    matriculeInd: str | None
    initialesInd: str | None
    gsm: str | None
    email: str | None
    suppressionLogique: bool
    idCivilite: int | None = Field(description="MR = 1, MME = 2, MLLE = 3.")


class LibelleTypeAssetOut(BaseModel):
    id: int | None
    libelle: str | None
    categorie: str
    nomIcone: str | None
    ordre: int


class VehicleOut(BaseModel):
    id: int
    immatriculation: str
    numeroEmbarque: int
    typeMotorisation: str
    categorie: str
    marque: str | None
    modele: str | None
    description: str | None
    privacyEnabled: bool
    geolocalise: bool
    valeurConsommation: float | None = Field(description="L/100 km, or kWh/100 km for an electric vehicle.")
    libelleTypeAsset: LibelleTypeAssetOut
    suppressionLogique: bool
    dispositifIdentifiant: bool = False
    immobilisationCablee: bool = False
    dioEnabled: bool = False
    geosecuriteEnabled: bool = False
    detectionPorteEnabled: bool = False
    odirectMode: str = "ODIRECT_UNIVERSEL"
    nomImage: str | None = None
    # In the reference's vehicle objects; not stored here, always null.
    numeroSerie: str | None = None
    numeroParc: str | None = None
    couleur: str | None = None


# --- admin API ------------------------------------------------------------------------------


class AdminEntite(EntiteOut):
    parentId: int | None


class EntiteCreate(_In):
    nom: str = Field(min_length=1, max_length=150)
    parentId: Id | None = Field(default=None, description="Parent entity; absent for a root entity.")


class EntiteUpdate(_In):
    nom: str = Field(default=None, min_length=1, max_length=150)
    parentId: Id | None = None
    suppressionLogique: Flag = Field(
        default=None, description="true deletes logically (like DELETE); false restores a deleted object."
    )


class GroupeCreate(_In):
    descriptionGrp: str = Field(min_length=1, max_length=150)


class GroupeUpdate(_In):
    descriptionGrp: str = Field(default=None, min_length=1, max_length=150)
    suppressionLogique: Flag = Field(
        default=None, description="true deletes logically (like DELETE); false restores a deleted object."
    )


class AdminIndividu(IndividuOut):
    entiteId: int | None
    groupeId: int | None
    badge: str | None = Field(default=None, description="Driver badge read by on-board units (unique in the customer).")


class IndividuCreate(_In):
    nomInd: str = Field(min_length=1, max_length=100)
    prenomInd: str | None = Field(default=None, max_length=100)
    matriculeInd: str | None = Field(default=None, max_length=50)
    initialesInd: str | None = Field(default=None, max_length=10)
    gsm: str | None = Field(default=None, max_length=30)
    email: str | None = Field(default=None, max_length=200)
    idCivilite: Annotated[int, Field(strict=True, ge=1, le=3)] | None = Field(default=None, description="MR = 1, MME = 2, MLLE = 3.")
    entiteId: Id | None = None
    groupeId: Id | None = None
    badge: str | None = Field(
        default=None, min_length=1, max_length=64,
        description="Driver badge: a position carrying it attributes its trip to this individual (AUTO).",
    )


class IndividuUpdate(_In):
    nomInd: str = Field(default=None, min_length=1, max_length=100)
    prenomInd: str | None = Field(default=None, max_length=100)
    matriculeInd: str | None = Field(default=None, max_length=50)
    initialesInd: str | None = Field(default=None, max_length=10)
    gsm: str | None = Field(default=None, max_length=30)
    email: str | None = Field(default=None, max_length=200)
    idCivilite: Annotated[int, Field(strict=True, ge=1, le=3)] | None = None
    entiteId: Id | None = None
    groupeId: Id | None = None
    badge: str | None = Field(default=None, min_length=1, max_length=64, description="null removes the badge.")
    suppressionLogique: Flag = Field(
        default=None, description="true deletes logically (like DELETE); false restores a deleted object."
    )


class AdminVehicle(VehicleOut):
    entiteId: int | None
    energie: str | None
    fuelPricePerL: float | None = Field(description="Fuel price per litre for analysis costs; null: the customer's.")
    electricityPricePerKwh: float | None = Field(description="Electricity price per kWh; null: the customer's.")


def _price(description: str):  # type: ignore[no-untyped-def]
    return Field(default=None, ge=0, le=1000, allow_inf_nan=False, description=description)


_FUEL_PRICE = "Fuel price per litre for analysis costs, in the customer's currency; null: the customer's price."
_ELECTRICITY_PRICE = "Electricity price per kWh for analysis costs; null: the customer's price."


class VehicleCreate(_In):
    immatriculation: str = Field(min_length=1, max_length=20)
    numeroEmbarque: Int64 = Field(description="On-board unit number, unique within the customer.")
    entiteId: Id | None = None
    typeMotorisation: TypeMotorisation = "MONO"
    energie: Energie | None = None
    categorie: str = Field(default="UNDEFINED", min_length=1, max_length=30)
    marque: str | None = Field(default=None, max_length=100)
    modele: str | None = Field(default=None, max_length=100)
    description: str | None = Field(default=None, max_length=200)
    privacyEnabled: Flag = Field(default=True, description="Whether private use is tracked for this vehicle.")
    geolocalise: Flag = True
    valeurConsommation: float | None = Field(
        default=None, ge=0, le=1000, allow_inf_nan=False, description="L/100 km, or kWh/100 km for an electric vehicle."
    )
    libelleTypeAsset: str | None = Field(default=None, max_length=100)
    fuelPricePerL: float | None = _price(_FUEL_PRICE)
    electricityPricePerKwh: float | None = _price(_ELECTRICITY_PRICE)


class VehicleUpdate(_In):
    immatriculation: str = Field(default=None, min_length=1, max_length=20)
    numeroEmbarque: Int64 = None  # type: ignore[assignment]
    entiteId: Id | None = None
    typeMotorisation: TypeMotorisation = None  # type: ignore[assignment]
    energie: Energie | None = None
    categorie: str = Field(default=None, min_length=1, max_length=30)
    marque: str | None = Field(default=None, max_length=100)
    modele: str | None = Field(default=None, max_length=100)
    description: str | None = Field(default=None, max_length=200)
    privacyEnabled: Flag = None  # type: ignore[assignment]
    geolocalise: Flag = None  # type: ignore[assignment]
    valeurConsommation: float | None = Field(default=None, ge=0, le=1000, allow_inf_nan=False)
    libelleTypeAsset: str | None = Field(default=None, max_length=100)
    fuelPricePerL: float | None = _price(_FUEL_PRICE)
    electricityPricePerKwh: float | None = _price(_ELECTRICITY_PRICE)
    suppressionLogique: Flag = Field(
        default=None, description="true deletes logically (like DELETE); false restores a deleted object."
    )


class AdminAffectation(BaseModel):
    id: int
    individuId: int
    vehiculeId: int
    dateDebut: datetime
    dateFin: datetime | None
    isVehiculeFonction: bool
    suppressionLogique: bool


class AffectationCreate(_In):
    individuId: Id
    vehiculeId: Id
    dateDebut: Instant = Field(description="ISO-8601 with offset; the assignment starts here.")
    dateFin: Instant | None = Field(default=None, description="Exclusive end; absent = open-ended.")
    isVehiculeFonction: Flag = Field(
        default=False, description="A company car the driver may also use privately (function vehicle)."
    )


class AffectationUpdate(_In):
    dateDebut: Instant = None  # type: ignore[assignment]
    dateFin: Instant | None = None
    isVehiculeFonction: Flag = None  # type: ignore[assignment]
    suppressionLogique: Flag = Field(
        default=None, description="true deletes logically (like DELETE); false restores a deleted object."
    )
