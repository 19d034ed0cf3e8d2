"""Imports every table so that the metadata (and Alembic's autogenerate) sees the whole schema."""

from fleetprivacy.auth.models import ApiToken, User, UserCustomer
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

__all__ = [
    "Affectation",
    "ApiToken",
    "AuditEntry",
    "Base",
    "Customer",
    "Entity",
    "Groupe",
    "Individu",
    "ScheduleExtension",
    "ScheduleExtensionSlot",
    "ScheduleSlot",
    "ScheduleVersion",
    "ScheduleVersionSlot",
    "User",
    "UserCustomer",
    "Vehicle",
]
