"""Customers (tenants) and their reference data: entities, groups, individuals, vehicles, assignments."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, Float, ForeignKey, Index, Integer, String, UniqueConstraint, false, true
from sqlalchemy.orm import Mapped, mapped_column

from fleetprivacy.core.models import Base, CustomerOwned, IdType, UTCDateTime, utcnow


class Customer(Base):
    """A tenant: everything else belongs to exactly one customer."""

    __tablename__ = "customers"

    id: Mapped[int] = mapped_column(IdType, primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    timezone: Mapped[str] = mapped_column(String(64), default="Europe/Paris")
    code_exploitant: Mapped[str | None] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Settings (GET/PUT /admin/v1/settings). false: positions in private time are dropped at ingestion.
    store_private_positions: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())
    # Positions older than this are deleted by `fleetprivacy purge` (steps and totals are kept).
    position_retention_days: Mapped[int] = mapped_column(Integer, default=60, server_default="60")
    # Analysis costs (settings): prices in `currency`; null counts as 0. Vehicles may override them.
    fuel_price_per_l: Mapped[float | None] = mapped_column(Float)
    electricity_price_per_kwh: Mapped[float | None] = mapped_column(Float)
    currency: Mapped[str] = mapped_column(String(3), default="EUR", server_default="EUR")
    # Classification settings: how many days back a step may get a retroactive request, and whether
    # whole trips go by their start instant instead of being split at private-time boundaries.
    retroactive_window_days: Mapped[int] = mapped_column(Integer, default=31, server_default="31")
    classify_by_start: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())


class Entity(CustomerOwned, Base):
    """A node of the customer's organisation tree (subsidiary, site, department)."""

    __tablename__ = "entities"

    id: Mapped[int] = mapped_column(IdType, primary_key=True)
    nom: Mapped[str] = mapped_column(String(150))
    parent_id: Mapped[int | None] = mapped_column(IdType, ForeignKey("entities.id"), index=True)
    suppression_logique: Mapped[bool] = mapped_column(Boolean, default=False)


class Groupe(CustomerOwned, Base):
    """A group of individuals, orthogonal to the entity tree."""

    __tablename__ = "groupes"

    id: Mapped[int] = mapped_column(IdType, primary_key=True)
    description_grp: Mapped[str] = mapped_column(String(150))
    suppression_logique: Mapped[bool] = mapped_column(Boolean, default=False)


class Individu(CustomerOwned, Base):
    """A person (usually a driver) of the customer."""

    __tablename__ = "individus"
    # A badge names one individual of the customer; NULLs (no badge) never collide.
    __table_args__ = (UniqueConstraint("customer_id", "badge"),)

    id: Mapped[int] = mapped_column(IdType, primary_key=True)
    nom_ind: Mapped[str] = mapped_column(String(100))
    prenom_ind: Mapped[str | None] = mapped_column(String(100))
    matricule_ind: Mapped[str | None] = mapped_column(String(50))
    initiales_ind: Mapped[str | None] = mapped_column(String(10))
    gsm: Mapped[str | None] = mapped_column(String(30))
    email: Mapped[str | None] = mapped_column(String(200))
    id_civilite: Mapped[int | None] = mapped_column()
    entite_id: Mapped[int | None] = mapped_column(IdType, ForeignKey("entities.id"), index=True)
    groupe_id: Mapped[int | None] = mapped_column(IdType, ForeignKey("groupes.id"), index=True)
    # Driver badge read by on-board units: a position's badge attributes its step to this individual (AUTO).
    badge: Mapped[str | None] = mapped_column(String(64))
    suppression_logique: Mapped[bool] = mapped_column(Boolean, default=False)


class Vehicle(CustomerOwned, Base):
    """A tracked vehicle; `numero_embarque` is its on-board unit number, unique per customer."""

    __tablename__ = "vehicles"
    __table_args__ = (UniqueConstraint("customer_id", "numero_embarque"),)

    id: Mapped[int] = mapped_column(IdType, primary_key=True)
    immatriculation: Mapped[str] = mapped_column(String(20), index=True)
    numero_embarque: Mapped[int] = mapped_column(IdType)
    entite_id: Mapped[int | None] = mapped_column(IdType, ForeignKey("entities.id"), index=True)
    type_motorisation: Mapped[str] = mapped_column(String(30), default="MONO")
    energie: Mapped[str | None] = mapped_column(String(30))
    categorie: Mapped[str] = mapped_column(String(30), default="UNDEFINED")
    marque: Mapped[str | None] = mapped_column(String(100))
    modele: Mapped[str | None] = mapped_column(String(100))
    description: Mapped[str | None] = mapped_column(String(200))
    privacy_enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    geolocalise: Mapped[bool] = mapped_column(Boolean, default=True)
    valeur_consommation: Mapped[float | None] = mapped_column(Float)
    # Price overrides for analysis costs (null: the customer's price), in the customer's currency.
    fuel_price_per_l: Mapped[float | None] = mapped_column(Float)
    electricity_price_per_kwh: Mapped[float | None] = mapped_column(Float)
    libelle_type_asset: Mapped[str | None] = mapped_column(String(100))
    suppression_logique: Mapped[bool] = mapped_column(Boolean, default=False)


class Affectation(CustomerOwned, Base):
    """A driver assigned to a vehicle over `[debut_at, fin_at)`; a function car may be used privately."""

    __tablename__ = "affectations"
    __table_args__ = (Index("ix_affectations_vehicle_debut", "vehicle_id", "debut_at"),)

    id: Mapped[int] = mapped_column(IdType, primary_key=True)
    individu_id: Mapped[int] = mapped_column(IdType, ForeignKey("individus.id"), index=True)
    vehicle_id: Mapped[int] = mapped_column(IdType, ForeignKey("vehicles.id"))
    debut_at: Mapped[datetime] = mapped_column(UTCDateTime)
    fin_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    is_vehicule_fonction: Mapped[bool] = mapped_column(Boolean, default=False)
    suppression_logique: Mapped[bool] = mapped_column(Boolean, default=False)
