"""Imports every table so that the metadata (and Alembic's autogenerate) sees the whole schema."""

from fleetprivacy.analysis.models import EtapePartDay, EtapePartMonth
from fleetprivacy.auth.models import ApiToken, User, UserCustomer
from fleetprivacy.classification.models import EtapePart, RetroRequest
from fleetprivacy.core.audit import AuditEntry
from fleetprivacy.core.models import Base
from fleetprivacy.reference.models import Affectation, Customer, Entity, Groupe, Individu, Vehicle
from fleetprivacy.schedules.models import (
    ScheduleExtension,
    ScheduleExtensionSlot,
    ScheduleSlot,
    ScheduleVersion,
    ScheduleVersionSlot,
)
from fleetprivacy.trips.models import Etape, Position

__all__ = [
    "Affectation",
    "ApiToken",
    "AuditEntry",
    "Base",
    "Customer",
    "Entity",
    "Etape",
    "EtapePart",
    "EtapePartDay",
    "EtapePartMonth",
    "Groupe",
    "Individu",
    "Position",
    "RetroRequest",
    "ScheduleExtension",
    "ScheduleExtensionSlot",
    "ScheduleSlot",
    "ScheduleVersion",
    "ScheduleVersionSlot",
    "User",
    "UserCustomer",
    "Vehicle",
]
