"""Wire models of the analysis: the reference's request body of `POST /analyse/preformattedPrivacy`."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StrictInt

from fleetprivacy.core.types import ID_MAX

RenderModeName = Literal[
    "BY_DRIVER_WITHOUT_HORAIRE_SYNTHESIS",
    "BY_DRIVER_WITH_HORAIRE_SYNTHESIS",
    "BY_VEHICLE_WITHOUT_HORAIRE_SYNTHESIS",
    "BY_VEHICLE_WITH_HORAIRE_SYNTHESIS",
    "BY_DRIVER_WITHOUT_HORAIRE_DETAIL",
    "BY_DRIVER_WITH_HORAIRE_DETAIL",
    "BY_VEHICLE_WITHOUT_HORAIRE_DETAIL",
    "BY_VEHICLE_WITH_HORAIRE_DETAIL",
    "BY_DRIVER_VEHICLE_FUNCTION_WITH_HORAIRE_SYNTHESIS",
    "BY_DRIVER_VEHICLE_FUNCTION_WITH_HORAIRE_DETAIL",
]
CriteriaName = Literal["GEOLOCATION", "WIHOUT_GEOLOCATION", "WITHOUT_GEOLOCATION", "ALL"]
FilterId = Annotated[StrictInt, Field(ge=0, le=ID_MAX)]
_IDS_HELP = "Absent, null or empty: no filter on this key. `[0]` filters on id 0, which matches nothing."


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid")


class AnalyseFilter(_In):
    """Which lines to keep; the keys given must all hold."""

    persons: list[FilterId] | None = Field(default=None, description=f"Drivers (individus). {_IDS_HELP}")
    entities: list[FilterId] | None = Field(
        default=None,
        description="Entities, with their sub-entities: the driver's entity (by driver), the vehicle's "
        f"(by vehicle). {_IDS_HELP}",
    )
    groups: list[FilterId] | None = Field(default=None, description=f"Groups of the drivers. {_IDS_HELP}")
    vehicleIds: list[FilterId] | None = Field(default=None, description=f"Vehicles. {_IDS_HELP}")


class AnalysePeriode(_In):
    debut: Any = Field(
        description="Start (included): epoch milliseconds (number or numeric string) or ISO-8601; without "
        "offset, the customer's wall clock. E.g. 1747063827938 or \"2025-05-12T15:30:27.938+00:00\".",
    )
    fin: Any = Field(description="End (excluded), same formats; after `debut`.")


class AnalyseRequest(_In):
    filter: AnalyseFilter | None = Field(default=None, description="Absent: no filter.")
    renderMode: RenderModeName = Field(
        description="Lines by driver, by vehicle, or by driver on their function vehicle(s); private time "
        "WITH_HORAIRE (schedules + device flag + retroactive decisions) or WITHOUT_HORAIRE (device flag + "
        "retroactive decisions); SYNTHESIS (one line per driver or vehicle) or DETAIL (per local day)."
    )
    criteria: CriteriaName = Field(
        default="ALL",
        description="GEOLOCATION: geolocated vehicles only; WIHOUT_GEOLOCATION (the reference's spelling; "
        "WITHOUT_GEOLOCATION accepted too): the others; ALL (default).",
    )
    periode: AnalysePeriode


REQUEST_EXAMPLE = {
    "filter": {"persons": [], "entities": [], "groups": [], "vehicleIds": []},
    "renderMode": "BY_DRIVER_WITH_HORAIRE_SYNTHESIS",
    "criteria": "ALL",
    "periode": {"debut": "2026-01-01T00:00:00+01:00", "fin": "2026-02-01T00:00:00+01:00"},
}
