"""Parsing of the API's date formats and the wall-clock <-> UTC rules of SPEC §2 (pure, stdlib only).

Every instant leaves this module as int epoch milliseconds UTC. Wall-clock times are converted with
one rule everywhere (`local_to_utc_ms`): a time inside a spring-forward gap maps to the first
instant after the gap, an ambiguous fall-back time maps to its first occurrence.
"""

from __future__ import annotations

import datetime as dt
import re
from zoneinfo import ZoneInfo

from fleetprivacy.core.errors import BadInput

OCEAN_DATETIME_FORMAT = "dd/MM/yyyy HH:mm:ss Z"
OCEAN_DATE_FORMAT = "dd/MM/yyyy"

_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.timezone.utc)
_MS = dt.timedelta(milliseconds=1)

_DATE = r"(?P<d>\d{2})/(?P<m>\d{2})/(?P<y>\d{4})"
# The zone is optional. A bare 4-digit (or hh:mm) offset is accepted because an unencoded `+` in a
# query string is decoded to a space: `...00:00:00 +0100` arrives as `...00:00:00  0100`.
_OCEAN_DATETIME_RE = re.compile(
    _DATE
    + r"\s+(?P<H>\d{2}):(?P<M>\d{2}):(?P<S>\d{2})"
    + r"(?:\s+(?:(?P<utc>Z|UTC)|(?P<sign>[+-])?(?P<oh>\d{2}):?(?P<om>\d{2})))?",
    re.IGNORECASE,
)
_OCEAN_DATE_RE = re.compile(_DATE)
_EPOCH_MS_RE = re.compile(r"[+-]?\d+")

# java.time.ZoneOffset's range; anything wider is a typo, not a zone.
_MAX_OFFSET_MIN = 18 * 60


def aware_to_ms(value: dt.datetime) -> int:
    """Epoch milliseconds of a timezone-aware datetime, with exact integer arithmetic."""
    return (value - _EPOCH) // _MS


def ms_to_utc(ms: int) -> dt.datetime:
    """The aware UTC datetime of epoch milliseconds."""
    return _EPOCH + dt.timedelta(milliseconds=ms)


def ms_to_local(ms: int, tz: ZoneInfo) -> dt.datetime:
    """The aware wall-clock datetime in `tz` of epoch milliseconds."""
    return ms_to_utc(ms).astimezone(tz)


def format_iso_instant(ms: int, tz: ZoneInfo) -> str:
    """ISO-8601 with offset of epoch milliseconds, as wall-clock time in `tz` (analysis responses)."""
    return ms_to_local(ms, tz).isoformat(timespec="milliseconds")


def utc_offset_ms(ms: int, tz: ZoneInfo) -> int:
    """The UTC offset of `tz` at an instant, in milliseconds."""
    offset = ms_to_local(ms, tz).utcoffset()
    assert offset is not None  # a ZoneInfo always answers
    return offset // _MS


def transition_between_ms(lo_ms: int, hi_ms: int, tz: ZoneInfo) -> int:
    """First instant in (lo_ms, hi_ms] whose UTC offset differs from lo_ms's; hi_ms if none is found."""
    start_offset = utc_offset_ms(lo_ms, tz)
    if utc_offset_ms(hi_ms, tz) == start_offset:
        return hi_ms
    # Binary search on whole seconds: tzdata transitions happen on whole seconds.
    lo_s, hi_s = lo_ms // 1000, -(-hi_ms // 1000)
    while hi_s - lo_s > 1:
        mid = (lo_s + hi_s) // 2
        if utc_offset_ms(mid * 1000, tz) == start_offset:
            lo_s = mid
        else:
            hi_s = mid
    return max(hi_s * 1000, lo_ms + 1)


def local_to_utc_ms(local: dt.datetime, tz: ZoneInfo) -> int:
    """Epoch ms of a naive wall-clock time in `tz` (gap -> first instant after it, ambiguous -> first occurrence)."""
    if local.tzinfo is not None:
        raise ValueError("local_to_utc_ms expects a naive wall-clock datetime")
    # fold=0 is the first occurrence of an ambiguous time (PEP 495).
    first = aware_to_ms(local.replace(tzinfo=tz, fold=0))
    if ms_to_local(first, tz).replace(tzinfo=None) == local:
        return first
    # The time does not exist. With fold=0 the pre-gap offset is applied (an instant after the
    # transition), with fold=1 the post-gap offset (an instant before it): the transition lies
    # between the two, and it is exactly the first instant after the gap.
    other = aware_to_ms(local.replace(tzinfo=tz, fold=1))
    lo, hi = min(first, other), max(first, other)
    return transition_between_ms(lo, hi, tz)


def _bad_datetime(param: str, text: object) -> BadInput:
    return BadInput(
        f"{param}: {text!r} is not a date in the format {OCEAN_DATETIME_FORMAT} "
        "(e.g. 25/12/2027 00:00:00 Z, 25/12/2027 00:00:00 +0100, or no zone for the customer's time zone)"
    )


def parse_ocean_datetime(text: str, tz: ZoneInfo, param: str) -> int:
    """Epoch ms of a `dd/MM/yyyy HH:mm:ss Z` query date (Z/UTC, numeric offset, or none = wall clock in `tz`)."""
    if not isinstance(text, str):
        raise _bad_datetime(param, text)
    match = _OCEAN_DATETIME_RE.fullmatch(text.strip())
    if match is None:
        raise _bad_datetime(param, text)
    try:
        local = dt.datetime(
            int(match["y"]), int(match["m"]), int(match["d"]),
            int(match["H"]), int(match["M"]), int(match["S"]),
        )
    except ValueError:
        raise _bad_datetime(param, text) from None
    if match["utc"]:
        return aware_to_ms(local.replace(tzinfo=dt.timezone.utc))
    if match["oh"] is None:
        return local_to_utc_ms(local, tz)
    hours, minutes = int(match["oh"]), int(match["om"])
    total = hours * 60 + minutes
    if minutes > 59 or total > _MAX_OFFSET_MIN:
        raise _bad_datetime(param, text)
    if match["sign"] == "-":
        total = -total
    return aware_to_ms(local.replace(tzinfo=dt.timezone(dt.timedelta(minutes=total))))


def parse_ocean_date(text: str, param: str) -> dt.date:
    """The calendar date of a `dd/MM/yyyy` query parameter."""
    match = _OCEAN_DATE_RE.fullmatch(text.strip()) if isinstance(text, str) else None
    if match is not None:
        try:
            return dt.date(int(match["y"]), int(match["m"]), int(match["d"]))
        except ValueError:
            pass
    raise BadInput(f"{param}: {text!r} is not a date in the format {OCEAN_DATE_FORMAT} (e.g. 25/12/2027)")


def _bad_instant(param: str, value: object) -> BadInput:
    return BadInput(
        f"{param}: {value!r} is neither epoch milliseconds nor an ISO-8601 date-time "
        "(e.g. 1829692800000 or 2027-12-25T00:00:00+01:00)"
    )


def parse_period_instant(value: int | str, tz: ZoneInfo, param: str) -> int:
    """Epoch ms of an analysis `periode.debut/fin`: epoch ms (number or numeric string) or ISO-8601."""
    # bool is an int subclass: `true` in JSON is not an instant.
    if isinstance(value, bool):
        raise _bad_instant(param, value)
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        if value.is_integer():
            return int(value)
        raise _bad_instant(param, value)
    if not isinstance(value, str):
        raise _bad_instant(param, value)
    text = value.strip()
    if _EPOCH_MS_RE.fullmatch(text):
        return int(text)
    try:
        parsed = dt.datetime.fromisoformat(text)
    except ValueError:
        raise _bad_instant(param, value) from None
    if parsed.tzinfo is None:
        return local_to_utc_ms(parsed, tz)
    return aware_to_ms(parsed)
