"""Wire models of the trips domain: ingestion bodies, settings, and the documented read shapes."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StrictBool,
    StrictFloat,
    StrictInt,
    StrictStr,
    model_validator,
)

from fleetprivacy.core.types import Int64


MAX_POSITIONS_PER_REQUEST = 100_000
MAX_ETAPES_PER_REQUEST = 10_000


def _instant(value: Any) -> Any:
    """Epoch ms (an integer, or a whole float) or a string; anything else is refused, not converted."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    # bool is an int subclass: `true` is not an instant (it would be 1 ms after 1970).
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise ValueError("expected epoch milliseconds (an integer) or an ISO-8601 date-time (a string)")
    return value


Instant = Annotated[int | str, BeforeValidator(_instant)]
# Largest values a unit can mean (anything above is a unit's or an integrator's error, and would
# overflow sums and exports): 10 million km of odometer, 100,000 km in one step...
MAX_ODOMETER_M = 1e10
MAX_STEP_DISTANCE_M = 1e8
MAX_FUEL_L = 1e8
MAX_ENERGY_KWH = 1e9
_INSTANT_HELP = ("Epoch milliseconds UTC, or ISO-8601 (`2026-01-10T08:30:00Z`, `2026-01-10T09:30:00+01:00`; "
                 "without an offset: the customer's wall clock).")


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class PositionIn(_In):
    """One report of the on-board unit."""

    t: Instant = Field(description=_INSTANT_HELP)
    lat: float = Field(ge=-90, le=90, description="Latitude, WGS84 degrees.")
    lon: float = Field(ge=-180, le=180, description="Longitude, WGS84 degrees.")
    speedKmh: float | None = Field(default=None, ge=0, le=1000)
    ignition: StrictBool | None = Field(default=None, description="When present, trips are cut by ignition.")
    odometerM: float | None = Field(default=None, ge=0, le=MAX_ODOMETER_M,
                                    description="Cumulative odometer (m); preferred for distances.")
    fuelUsedL: float | None = Field(default=None, ge=0, le=MAX_FUEL_L, description="Cumulative fuel used (L).")
    energyUsedKWh: float | None = Field(default=None, ge=0, le=MAX_ENERGY_KWH,
                                        description="Cumulative energy used (kWh).")
    socPct: float | None = Field(default=None, ge=0, le=100, description="Battery state of charge (%).")
    privacy: StrictBool | None = Field(default=None, description="The driver switched private mode on in the car.")
    badge: str | None = Field(default=None, max_length=64, description="Driver badge read by the unit.")


class PositionsIngest(_In):
    """`POST /ingest/v1/positions`: a batch of one vehicle's reports, in any order."""

    numeroEmbarque: Int64 = Field(description="On-board unit number of the vehicle.")
    positions: list[PositionIn] = Field(max_length=MAX_POSITIONS_PER_REQUEST)

    model_config = ConfigDict(json_schema_extra={"examples": [{
        "numeroEmbarque": 2,
        "positions": [
            {"t": "2026-01-12T07:58:00Z", "lat": 48.8566, "lon": 2.3522, "speedKmh": 0, "ignition": True,
             "odometerM": 1520300, "badge": "B-0042"},
            {"t": "2026-01-12T08:21:00Z", "lat": 48.8049, "lon": 2.1204, "speedKmh": 0, "ignition": False,
             "odometerM": 1541800},
        ],
    }]}, extra="forbid", str_strip_whitespace=True)


class EtapePositionIn(PositionIn):
    """A position of an already cut step."""


class EtapeIn(_In):
    """One step already cut by the unit or another system."""

    type: Literal["TRIP", "STOP"]
    start: Instant = Field(description=_INSTANT_HELP)
    end: Instant = Field(description=f"{_INSTANT_HELP} Not before `start`.")
    distanceM: float | None = Field(default=None, ge=0, le=MAX_STEP_DISTANCE_M,
                                    description="Absent: from the positions (odometer, else great circle).")
    electricDistanceM: float | None = Field(default=None, ge=0, le=MAX_STEP_DISTANCE_M,
                                            description="Not more than distanceM.")
    fuelL: float | None = Field(default=None, ge=0, le=MAX_FUEL_L,
                                description="Absent: estimated from valeurConsommation.")
    energyKWh: float | None = Field(default=None, ge=0, le=MAX_ENERGY_KWH,
                                    description="Absent: estimated for an electric vehicle.")
    batteryPctPoints: float | None = Field(default=None, ge=-100, le=100)
    privacy: StrictBool = Field(default=False, description="The device's private flag for the whole step.")
    badge: str | None = Field(default=None, max_length=64)
    startLat: float | None = Field(default=None, ge=-90, le=90)
    startLon: float | None = Field(default=None, ge=-180, le=180)
    endLat: float | None = Field(default=None, ge=-90, le=90)
    endLon: float | None = Field(default=None, ge=-180, le=180)
    positions: list[EtapePositionIn] = Field(default_factory=list, max_length=MAX_POSITIONS_PER_REQUEST)

    @model_validator(mode="after")
    def _pairs(self) -> EtapeIn:
        for a, b in (("startLat", "startLon"), ("endLat", "endLon")):
            if (getattr(self, a) is None) != (getattr(self, b) is None):
                raise ValueError(f"{a} and {b} go together")
        if self.distanceM is not None and self.electricDistanceM is not None \
                and self.electricDistanceM > self.distanceM:
            raise ValueError("electricDistanceM must not be more than distanceM")
        return self


class EtapesIngest(_In):
    """`POST /ingest/v1/etapes`: steps of one vehicle with their positions."""

    numeroEmbarque: Int64
    etapes: list[EtapeIn] = Field(max_length=MAX_ETAPES_PER_REQUEST)

    model_config = ConfigDict(json_schema_extra={"examples": [{
        "numeroEmbarque": 2,
        "etapes": [{
            "type": "TRIP", "start": "2026-01-12T07:58:00Z", "end": "2026-01-12T08:21:00Z", "distanceM": 21500,
            "fuelL": 1.6, "badge": "B-0042",
            "positions": [{"t": "2026-01-12T07:58:00Z", "lat": 48.8566, "lon": 2.3522},
                          {"t": "2026-01-12T08:21:00Z", "lat": 48.8049, "lon": 2.1204}],
        }],
    }]}, extra="forbid", str_strip_whitespace=True)


class IngestOut(BaseModel):
    """What an ingestion call did; re-sending the same data answers zeros but `received` and `duplicates`."""

    received: int = Field(description="Positions in the request.")
    stored: int = Field(description="New positions stored.")
    duplicates: int = Field(description="Positions already stored (same vehicle and instant), or repeated in the request.")
    discardedPrivate: int = Field(description="Positions in private time not stored (storePrivatePositions false).")
    etapesCreated: int
    etapesUpdated: int
    etapesDeleted: int = Field(description="Steps that vanished when late data re-cut the stream.")


class SettingsOut(BaseModel):
    storePrivatePositions: bool = Field(description="false: positions in private time are dropped at ingestion "
                                                    "(distance and totals kept).")
    positionRetentionDays: int = Field(description="`fleetprivacy purge` deletes positions older than this.")
    # Analysis costs (docs/api-analysis.md); vehicles may override the prices.
    fuelPricePerL: float | None = Field(default=None, description="Fuel price per litre, in `currency`; null: 0.")
    electricityPricePerKwh: float | None = Field(default=None, description="Electricity price per kWh; null: 0.")
    currency: str = Field(default="EUR", description="ISO 4217 code of the prices and of the reports' costs.")
    # Classification (docs/api-retroactive.md); a change applies to steps stored afterwards, and to
    # the past after `fleetprivacy reclassify --customer ID`.
    retroactiveWindowDays: int = Field(default=31, description="Retroactive requests are refused for steps "
                                                                "that started more days ago than this.")
    classifyByStart: bool = Field(default=False, description="true: a whole trip is private or professional by "
                                                             "its start instant instead of split at boundaries.")


class SettingsUpdate(_In):
    # Strict types: `true` for positionRetentionDays was 1 day (the next purge would keep one day),
    # `"1.5"` or `1` for a price or a flag were converted silently.
    storePrivatePositions: StrictBool | None = None
    positionRetentionDays: StrictInt | None = Field(default=None, ge=1, le=36500)
    fuelPricePerL: StrictFloat | None = Field(default=None, ge=0, le=1000, allow_inf_nan=False,
                                              description="null: no price (costs count 0 for fuel).")
    electricityPricePerKwh: StrictFloat | None = Field(default=None, ge=0, le=1000, allow_inf_nan=False,
                                                       description="null: no price (costs count 0 for electricity).")
    currency: StrictStr | None = Field(default=None, pattern=r"^[A-Z]{3}$", description="ISO 4217 code, e.g. EUR.")
    retroactiveWindowDays: StrictInt | None = Field(default=None, ge=0, le=36500)
    classifyByStart: StrictBool | None = None


# --- documented read shapes (the routes build plain dicts for speed) ------------------------


class Address(BaseModel):
    address: str | None
    country: str | None
    postalCode: str | None
    town: str | None


class Driver(BaseModel):
    matricule: str | None
    nom: str | None
    prenom: str | None
    tel: str | None


class FjPosition(BaseModel):
    cap: float | None
    date: str = Field(description="Local day of the customer, dd/MM/yyyy.")
    driver: Driver | None
    etat: str = Field(description="D (start), A (stop).")
    fullAddress: Address | None = Field(description="null: no reverse geocoding; always null when masked.")
    gpsCale: bool | None
    heure: str = Field(description="Local time of the customer, HH:mm:ss.")
    latitudeY: float | None = Field(description="null when the step is private and the viewer is not its driver.")
    longitudeX: float | None
    poi: Any


class FjRow(BaseModel):
    anomalyType: str
    distanceMeter: int
    dureeMs: int
    id: int = Field(description="The step id (idEtape); stable when late data changes the step.")
    posDeb: FjPosition
    posFin: FjPosition
    type: str = Field(description="T = trip, A = stop.")
    viePrivee: bool = Field(description="The step has a private part (device private flag for now).")


class FicheJourOut(BaseModel):
    fjRows: list[FjRow]


class SearchPosition(BaseModel):
    address: Address | None
    adresseDeReference: str | None
    approximationMeter: float | None
    cap: float | None
    chauffeur: str | None
    consommationThermiqueL: float | None
    date: str = Field(description="ISO-8601 with the customer's offset.")
    distanceDepuisPosPrecMeter: float | None = Field(description="Great circle from the previous position shown; "
                                                                 "null next to a masked one.")
    etat: str | None = Field(description="R (traveling, in a trip), A (stopped).")
    initialesChauffeur: str | None
    latitudeY: float | None = Field(description="null when private and the viewer is not the driver.")
    longitudeX: float | None
    matriculeChauffeur: str | None
    typePoi: str | None
    vitesseKmh: float | None
    viePrivee: bool


class SearchVehicle(BaseModel):
    descriptionVehicule: str | None
    idVehicule: int
    immatriculation: str
    typeMotorisationEnergie: str


class PositionsVehicle(BaseModel):
    positions: list[SearchPosition]
    vehicle: SearchVehicle


class PositionsSearchOut(BaseModel):
    positionsVehicles: list[PositionsVehicle]
