"""The OpenAPI document tells the truth about errors: the API's error body, never FastAPI's 422."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi

ERROR_SCHEMA = {
    "type": "object",
    "required": ["status", "oceanStatus", "message"],
    "properties": {
        "status": {"type": "integer", "description": "The HTTP status code."},
        "oceanStatus": {
            "type": "string",
            "enum": ["BAD_REQUEST", "UNAUTHORIZED", "FORBIDDEN", "NOT_FOUND", "CONFLICT", "TOO_MANY_REQUESTS",
                     "INTERNAL_SERVER_ERROR"],
        },
        "message": {"type": "string", "description": "What is wrong, naming the parameter."},
    },
}

_ERRORS = {
    "400": "Bad input (the message names the parameter); also 413 for a body over the size cap.",
    "401": "Missing, invalid or expired X-AUTH-TOKEN; or wrong credentials.",
    "403": "The role does not allow it, or customerId is not one of the user's customers.",
    "404": "No such object for this customer (another customer's object looks the same).",
    "409": "Conflicts with what is stored (duplicate, overlap).",
    "429": "Too many requests; see the Retry-After header (seconds).",
}


def install(app: FastAPI) -> None:
    """Replace `app.openapi` with one that documents the error body on every operation."""

    def openapi() -> dict[str, Any]:
        if app.openapi_schema:
            return app.openapi_schema
        schema = get_openapi(title=app.title, version=app.version, description=app.description, routes=app.routes)
        components = schema.setdefault("components", {}).setdefault("schemas", {})
        components.pop("HTTPValidationError", None)
        components.pop("ValidationError", None)
        components["Error"] = ERROR_SCHEMA
        ref = {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}
        for operations in schema.get("paths", {}).values():
            for operation in operations.values():
                responses = operation.setdefault("responses", {})
                responses.pop("422", None)
                for code, text in _ERRORS.items():
                    if code == "409" and "get" in operations and operations.get("get") is operation:
                        continue
                    responses.setdefault(code, {"description": text, **ref})
        app.openapi_schema = schema
        return schema

    app.openapi = openapi  # type: ignore[method-assign]
