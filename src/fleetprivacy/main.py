"""Application wiring: settings, database, rate limits, error handlers and every router."""

from __future__ import annotations

from fastapi import APIRouter, FastAPI
from fastapi_swagger import patch_fastapi

from fleetprivacy import __version__
from fleetprivacy.analysis.router import router as analysis_router
from fleetprivacy.auth.middleware import RateLimitMiddleware
from fleetprivacy.auth.ratelimit import RateLimits
from fleetprivacy.auth.router import router as auth_router
from fleetprivacy.classification.router import router as retro_router
from fleetprivacy.config import Settings, get_settings
from fleetprivacy.core import handlers, openapi
from fleetprivacy.core.guard import RequestGuardMiddleware
from fleetprivacy.core.audit_router import router as audit_router
from fleetprivacy.db import Database
from fleetprivacy.reference.admin_router import router as reference_admin_router
from fleetprivacy.reference.router import router as reference_router
from fleetprivacy.schedules.router import admin_router as schedules_admin_router
from fleetprivacy.schedules.router import router as schedules_router
from fleetprivacy.trips.router import admin_router as trips_admin_router
from fleetprivacy.trips.router import ingest_router as trips_ingest_router
from fleetprivacy.trips.router import router as trips_router

DESCRIPTION = """
Private vs professional usage of company vehicles, compatible with the Océan
"Pro/Private usage" REST API: change only the base URL of an existing client.

Authenticate with `POST /auth/authenticate2`, then send the token in the `X-AUTH-TOKEN` header.
`customerId` is optional for a single-customer user and required for a multi-customer user.
Every error is `{"status", "oceanStatus", "message"}`; the message names the faulty parameter.
"""


def create_app(settings: Settings | None = None) -> FastAPI:
    """A ready-to-serve application (the schema must already be migrated)."""
    settings = settings or get_settings()
    base = settings.base_path
    app = FastAPI(
        title="fleetprivacy",
        version=__version__,
        description=DESCRIPTION,
        openapi_url=f"{base}/common/openapi/openapi.json",
        docs_url=None,
        redoc_url=None,
        swagger_ui_oauth2_redirect_url=None,
    )
    # Swagger UI served with its own assets (no CDN): the explorer works on a machine without internet.
    docs = f"{base}/common/openapi"
    patch_fastapi(
        app,
        docs_url=f"{docs}/explorer",
        redirect_from_root_to_docs=False,
        swagger_js_url=f"{docs}/swagger-ui-bundle.js",
        swagger_css_url=f"{docs}/swagger-ui.css",
        swagger_favicon_url=f"{docs}/favicon-32x32.png",
    )
    app.state.settings = settings
    app.state.db = Database(settings.database_url)
    app.state.limits = RateLimits(settings)
    handlers.install(app)
    openapi.install(app)
    # The last added runs first: rate limits, then the guard against oversized or NUL-laden requests.
    app.add_middleware(
        RequestGuardMiddleware,
        max_body_bytes=settings.max_body_bytes,
        large_body_paths=(f"{base}/ingest/",),
        max_large_body_bytes=settings.max_ingest_body_bytes,
    )
    app.add_middleware(RateLimitMiddleware, limits=app.state.limits)

    api = APIRouter(prefix=base)
    for router in (
        auth_router, reference_router, reference_admin_router, schedules_router, schedules_admin_router,
        audit_router, trips_router, trips_ingest_router, trips_admin_router, analysis_router, retro_router,
    ):
        api.include_router(router)
    app.include_router(api)
    return app
