"""Alembic environment: runs against the engine handed over by fleetprivacy.migrate."""

from alembic import context

import fleetprivacy.models  # noqa: F401  (registers every table)
from fleetprivacy.core.models import Base

config = context.config
engine = config.attributes.get("engine")
if engine is None:  # plain `alembic` command line, for writing new revisions
    from fleetprivacy.config import get_settings
    from fleetprivacy.db import make_engine

    engine = make_engine(get_settings().database_url)



def _render_item(type_, obj, autogen_context):  # type: ignore[no-untyped-def]
    # Migrations must not import application types: UTCDateTime is a plain timestamptz.
    if type_ == "type" and type(obj).__name__ == "UTCDateTime":
        return "sa.DateTime(timezone=True)"
    return False


with engine.connect() as connection:
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
        render_item=_render_item,
    )
    with context.begin_transaction():
        context.run_migrations()
    connection.commit()
