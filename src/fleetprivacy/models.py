"""Imports every table so that the metadata (and Alembic's autogenerate) sees the whole schema."""

from fleetprivacy.auth.models import ApiToken, User, UserCustomer
from fleetprivacy.core.audit import AuditEntry
from fleetprivacy.core.models import Base
from fleetprivacy.reference.models import Affectation, Customer, Entity, Groupe, Individu, Vehicle

__all__ = [
    "Affectation",
    "ApiToken",
    "AuditEntry",
    "Base",
    "Customer",
    "Entity",
    "Groupe",
    "Individu",
    "User",
    "UserCustomer",
    "Vehicle",
]
