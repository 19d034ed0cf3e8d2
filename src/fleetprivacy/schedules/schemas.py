"""Wire models of schedules: the reference service's field names (GET shapes, POST body examples)."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field

from fleetprivacy.reference.schemas import IndividuOut


class HoraireOut(BaseModel):
    """A slot definition; an end of day is answered as `finHeure=24, finMinute=0`."""

    id: int = Field(description="The slot's own id; a slot that survives a change keeps it.")
    idJourSemaine: str = Field(description="LUNDI .. DIMANCHE: the day the slot starts.")
    typeHoraires: str = Field(description="VIE_PRIVEE, VIE_PRIVEE_EXCEPTIONNELLE, or any other (never private).")
    debutHeure: int
    finHeure: int = Field(description="0-24; an end before the start runs past midnight.")
    debutMinute: int
    finMinute: int


class HoraireIndividuOut(BaseModel):
    """One slot of a version (recurring GET row) or of an exceptional period (`horairesIndividu`)."""

    id: int = Field(description="Slot-in-version id: what DELETE's horaireIndividuIds names.")
    individu: IndividuOut
    horaire: HoraireOut
    debut: int = Field(description="Start of the version (or period), epoch milliseconds.")
    fin: int | None = Field(description="Exclusive end, epoch milliseconds; null = open-ended.")


class ExtensionOut(BaseModel):
    id: int
    description: str


class UtilisateurOut(BaseModel):
    """Who created an exceptional period (null for an imported one)."""

    id: int
    nomUti: str | None
    prenomUti: str | None
    loginUti: str
    emailUti: str | None
    suppressionLogique: bool
    individu: IndividuOut | None
    utilisateurType: str
    dateFinValidite: int | None


class ExceptionnelleOut(BaseModel):
    """An exceptional period, the reference's French shape."""

    id: int = Field(description="Same as extension.id: what DELETE's horaireExtensionIds names.")
    extension: ExtensionOut
    description: str
    utilisateur: UtilisateurOut | None
    individu: IndividuOut
    debut: int
    fin: int
    horairesIndividu: list[HoraireIndividuOut]


class ImportSummary(BaseModel):
    customerId: int
    individus: list[dict[str, int]]
    versions: int
    exceptionnelles: int


_SLOT = {
    "idJourSemaine": "LUNDI",
    "typeHoraires": "VIE_PRIVEE",
    "debutHeure": 18,
    "finHeure": 23,
    "debutMinute": 0,
    "finMinute": 59,
}

RECURRING_BODY_EXAMPLE: dict[str, Any] = {
    "innerMap": {
        "map": {
            "LUNDI": {
                "VIE_PRIVEE": [
                    {**_SLOT, "debutHeure": 0, "finHeure": 8, "finMinute": 0},
                    {**_SLOT, "debutHeure": 12, "finHeure": 13, "finMinute": 30},
                    _SLOT,
                ]
            }
        }
    }
}

EXCEPTIONAL_BODY_EXAMPLE: dict[str, Any] = {
    "innerMap": {
        "map": {
            "SAMEDI": {
                "VIE_PRIVEE_EXCEPTIONNELLE": [
                    {**_SLOT, "idJourSemaine": "SAMEDI", "typeHoraires": "VIE_PRIVEE_EXCEPTIONNELLE",
                     "debutHeure": 8, "finHeure": 20, "finMinute": 0}
                ]
            }
        }
    }
}

IMPORT_EXAMPLE: dict[str, Any] = {
    "individus": [
        {
            "individuId": 12,
            "versions": [
                {
                    "debut": "2024-01-01T00:00:00+01:00",
                    "fin": "2025-09-01T00:00:00+02:00",
                    "innerMap": {"map": {"LUNDI": {"VIE_PRIVEE": [{**_SLOT, "debutHeure": 0, "finHeure": 8,
                                                                    "finMinute": 0}]}}},
                },
                {
                    "debut": "2025-09-01T00:00:00+02:00",
                    "fin": None,
                    "innerMap": {"map": {"LUNDI": {"VIE_PRIVEE": [_SLOT]}}},
                },
            ],
            "exceptionnelles": [
                {"description": "NOEL", "debut": "2024-12-24T00:00:00+01:00", "fin": "2024-12-26T00:00:00+01:00"}
            ],
        }
    ]
}
