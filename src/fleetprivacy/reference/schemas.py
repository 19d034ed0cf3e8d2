"""Wire models of reference data: the reference service's field names, camelCase."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

TYPES_MOTORISATION = ("MONO", "BICARBURATION", "HYBRIDE", "HYBRIDE_RECHARGEABLE", "ELECTRIQUE", "HYDROGENE")
TypeMotorisation = Literal["MONO", "BICARBURATION", "HYBRIDE", "HYBRIDE_RECHARGEABLE", "ELECTRIQUE", "HYDROGENE"]
Energie = Literal["ESSENCE", "DIESEL", "GPL", "GNV", "ELECTRICITE", "HYDROGENE", "E85"]


class _In(BaseModel):
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


# --- admin API ------------------------------------------------------------------------------


class AdminEntite(EntiteOut):
    parentId: int | None


class EntiteCreate(_In):
    nom: str = Field(min_length=1, max_length=150)
    parentId: int | None = Field(default=None, description="Parent entity; absent for a root entity.")


class EntiteUpdate(_In):
    nom: str | None = Field(default=None, min_length=1, max_length=150)
    parentId: int | None = None
    suppressionLogique: bool | None = None


class GroupeCreate(_In):
    descriptionGrp: str = Field(min_length=1, max_length=150)


class GroupeUpdate(_In):
    descriptionGrp: str | None = Field(default=None, min_length=1, max_length=150)
    suppressionLogique: bool | None = None


class AdminIndividu(IndividuOut):
    entiteId: int | None
    groupeId: int | None


class IndividuCreate(_In):
    nomInd: str = Field(min_length=1, max_length=100)
    prenomInd: str | None = Field(default=None, max_length=100)
    matriculeInd: str | None = Field(default=None, max_length=50)
    initialesInd: str | None = Field(default=None, max_length=10)
    gsm: str | None = Field(default=None, max_length=30)
    email: str | None = Field(default=None, max_length=200)
    idCivilite: int | None = Field(default=None, ge=1, le=3, description="MR = 1, MME = 2, MLLE = 3.")
    entiteId: int | None = None
    groupeId: int | None = None


class IndividuUpdate(_In):
    nomInd: str | None = Field(default=None, min_length=1, max_length=100)
    prenomInd: str | None = Field(default=None, max_length=100)
    matriculeInd: str | None = Field(default=None, max_length=50)
    initialesInd: str | None = Field(default=None, max_length=10)
    gsm: str | None = Field(default=None, max_length=30)
    email: str | None = Field(default=None, max_length=200)
    idCivilite: int | None = Field(default=None, ge=1, le=3)
    entiteId: int | None = None
    groupeId: int | None = None
    suppressionLogique: bool | None = None


class AdminVehicle(VehicleOut):
    entiteId: int | None
    energie: str | None


class VehicleCreate(_In):
    immatriculation: str = Field(min_length=1, max_length=20)
    numeroEmbarque: int = Field(ge=0, description="On-board unit number, unique within the customer.")
    entiteId: int | None = None
    typeMotorisation: TypeMotorisation = "MONO"
    energie: Energie | None = None
    categorie: str = Field(default="UNDEFINED", min_length=1, max_length=30)
    marque: str | None = Field(default=None, max_length=100)
    modele: str | None = Field(default=None, max_length=100)
    description: str | None = Field(default=None, max_length=200)
    privacyEnabled: bool = Field(default=True, description="Whether private use is tracked for this vehicle.")
    geolocalise: bool = True
    valeurConsommation: float | None = Field(
        default=None, ge=0, le=1000, description="L/100 km, or kWh/100 km for an electric vehicle."
    )
    libelleTypeAsset: str | None = Field(default=None, max_length=100)


class VehicleUpdate(_In):
    immatriculation: str | None = Field(default=None, min_length=1, max_length=20)
    numeroEmbarque: int | None = Field(default=None, ge=0)
    entiteId: int | None = None
    typeMotorisation: TypeMotorisation | None = None
    energie: Energie | None = None
    categorie: str | None = Field(default=None, min_length=1, max_length=30)
    marque: str | None = Field(default=None, max_length=100)
    modele: str | None = Field(default=None, max_length=100)
    description: str | None = Field(default=None, max_length=200)
    privacyEnabled: bool | None = None
    geolocalise: bool | None = None
    valeurConsommation: float | None = Field(default=None, ge=0, le=1000)
    libelleTypeAsset: str | None = Field(default=None, max_length=100)
    suppressionLogique: bool | None = None


class AdminAffectation(BaseModel):
    id: int
    individuId: int
    vehiculeId: int
    dateDebut: datetime
    dateFin: datetime | None
    isVehiculeFonction: bool
    suppressionLogique: bool


class AffectationCreate(_In):
    individuId: int
    vehiculeId: int
    dateDebut: AwareDatetime = Field(description="ISO-8601 with offset; the assignment starts here.")
    dateFin: AwareDatetime | None = Field(default=None, description="Exclusive end; absent = open-ended.")
    isVehiculeFonction: bool = Field(
        default=False, description="A company car the driver may also use privately (function vehicle)."
    )


class AffectationUpdate(_In):
    dateDebut: AwareDatetime | None = None
    dateFin: AwareDatetime | None = None
    isVehiculeFonction: bool | None = None
    suppressionLogique: bool | None = None
