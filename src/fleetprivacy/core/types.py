"""Wire types shared by every schema: strict ids and flags, instants within a sane range."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any

from pydantic import AfterValidator, AwareDatetime, BeforeValidator, Field, StrictBool, StrictInt

ID_MAX = 2**63 - 1  # ids are 64-bit signed integers in the database

# A JSON number that is an integer: `"7"`, `7.0` and `true` are refused rather than converted.
Id = Annotated[StrictInt, Field(ge=1, le=ID_MAX)]
Int64 = Annotated[StrictInt, Field(ge=0, le=ID_MAX)]
Flag = StrictBool


def _text_only(value: Any) -> Any:
    if not isinstance(value, (str, datetime)):
        raise ValueError("expected an ISO-8601 date-time string with an offset, e.g. 2026-01-31T08:00:00+01:00")
    return value


def _in_range(value: datetime) -> datetime:
    # Instants outside this range overflow some databases' timestamps (and mean nothing for a fleet).
    if not datetime(1970, 1, 1, tzinfo=UTC) <= value <= datetime(9000, 1, 1, tzinfo=UTC):
        raise ValueError("must be between 1970 and 9000")
    return value.astimezone(UTC)


Instant = Annotated[AwareDatetime, BeforeValidator(_text_only), AfterValidator(_in_range)]


def _digits(value: Any) -> Any:
    if isinstance(value, str) and not (value.isascii() and value.isdigit()):
        raise ValueError("expected a whole number written with digits only (e.g. 42)")
    return value


def _true_false(value: Any) -> Any:
    if isinstance(value, str):
        if value.lower() not in ("true", "false"):
            raise ValueError("expected true or false")
        return value.lower()  # `TRUE`, `True`: what Java clients of the reference send
    return value


# Query parameters arrive as text: only digits make an integer, only `true`/`false` a boolean
# (`1.0`, `yes`, `on` are refused rather than converted, as in JSON bodies).
QueryInt = Annotated[int, BeforeValidator(_digits)]
QueryBool = Annotated[bool, BeforeValidator(_true_false)]
