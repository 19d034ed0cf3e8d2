"""Migrations are the schema: after `upgrade head` the database matches the models exactly."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from fleetprivacy.core.models import Base
from fleetprivacy.db import Database


def test_migrated_schema_matches_the_models(database_url):
    db = Database(database_url)
    with db.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        diff = compare_metadata(context, Base.metadata)
    db.engine.dispose()
    assert diff == []
