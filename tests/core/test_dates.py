"""Date parsing and the wall-clock rule of SPEC §2."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from fleetprivacy.core.dates import (
    format_iso_instant,
    local_to_utc_ms,
    parse_ocean_date,
    parse_ocean_datetime,
    parse_period_instant,
    transition_between_ms,
)
from fleetprivacy.core.errors import BadInput

PARIS = ZoneInfo("Europe/Paris")
LA = ZoneInfo("America/Los_Angeles")
XMAS_UTC_MS = 1829692800000  # 2027-12-25T00:00:00Z, the reference's own stored value
HOUR_MS = 3_600_000


def utc_ms(*args: int) -> int:
    return int(dt.datetime(*args, tzinfo=dt.timezone.utc).timestamp()) * 1000


class TestParseOceanDatetime:
    def test_reference_example_is_utc(self) -> None:
        assert parse_ocean_datetime("25/12/2027 00:00:00 Z", PARIS, "dateDebut") == XMAS_UTC_MS

    @pytest.mark.parametrize(
        ("text", "expected"),
        [
            ("25/12/2027 00:00:00 Z", XMAS_UTC_MS),
            ("25/12/2027 00:00:00 z", XMAS_UTC_MS),
            ("25/12/2027 00:00:00 UTC", XMAS_UTC_MS),
            ("25/12/2027 01:00:00 +0100", XMAS_UTC_MS),
            ("25/12/2027 01:00:00 +01:00", XMAS_UTC_MS),
            ("24/12/2027 19:00:00 -0500", XMAS_UTC_MS),
            ("24/12/2027 19:00:00 -05:00", XMAS_UTC_MS),
            ("25/12/2027 05:30:00 +0530", XMAS_UTC_MS),
            # An unencoded `+` in a query string arrives as a space.
            ("25/12/2027 01:00:00  0100", XMAS_UTC_MS),
            ("25/12/2027 01:00:00 0100", XMAS_UTC_MS),
            ("25/12/2027 01:00:00  01:00", XMAS_UTC_MS),
            ("  25/12/2027 00:00:00 Z  ", XMAS_UTC_MS),
            # No zone: wall clock in the customer's zone (Paris is +01:00 in December).
            ("25/12/2027 01:00:00", XMAS_UTC_MS),
        ],
    )
    def test_accepted_forms(self, text: str, expected: int) -> None:
        assert parse_ocean_datetime(text, PARIS, "dateDebut") == expected

    def test_no_zone_uses_customer_zone(self) -> None:
        assert parse_ocean_datetime("24/12/2027 16:00:00", LA, "dateDebut") == XMAS_UTC_MS

    def test_no_zone_in_spring_gap_maps_to_end_of_gap(self) -> None:
        # 2026-03-29 02:30 does not exist in Paris; the first instant after the gap is 01:00Z.
        assert parse_ocean_datetime("29/03/2026 02:30:00", PARIS, "d") == utc_ms(2026, 3, 29, 1)

    def test_no_zone_ambiguous_maps_to_first_occurrence(self) -> None:
        # 2026-10-25 02:30 happens twice in Paris; the first is 00:30Z (still +02:00).
        assert parse_ocean_datetime("25/10/2026 02:30:00", PARIS, "d") == utc_ms(2026, 10, 25, 0, 30)

    @pytest.mark.parametrize(
        "text",
        [
            "",
            "25/12/2027",
            "2027-12-25T00:00:00Z",
            "25/12/2027 00:00 Z",
            "25-12-2027 00:00:00 Z",
            "5/12/2027 00:00:00 Z",
            "32/12/2027 00:00:00 Z",
            "29/02/2027 00:00:00 Z",
            "25/13/2027 00:00:00 Z",
            "25/12/2027 24:00:00 Z",
            "25/12/2027 00:60:00 Z",
            "25/12/2027 00:00:00 GMT",
            "25/12/2027 00:00:00 +01",
            "25/12/2027 00:00:00 +0160",
            "25/12/2027 00:00:00 +1900",
            "25/12/2027 00:00:00 Europe/Paris",
            "25/12/2027 00:00:00 Z extra",
            "25/12/2027 00:00:00Z",
        ],
    )
    def test_rejections_name_parameter_and_format(self, text: str) -> None:
        with pytest.raises(BadInput) as error:
            parse_ocean_datetime(text, PARIS, "dateFin")
        assert error.value.message.startswith("dateFin:")
        assert "dd/MM/yyyy HH:mm:ss Z" in error.value.message
        assert error.value.status == 400

    def test_non_string_rejected(self) -> None:
        with pytest.raises(BadInput, match="dateDebut"):
            parse_ocean_datetime(12345, PARIS, "dateDebut")  # type: ignore[arg-type]


class TestParseOceanDate:
    def test_accepted(self) -> None:
        assert parse_ocean_date("25/12/2027", "date") == dt.date(2027, 12, 25)
        assert parse_ocean_date(" 01/01/2026 ", "date") == dt.date(2026, 1, 1)

    @pytest.mark.parametrize("text", ["", "2027-12-25", "25/12/27", "31/02/2027", "25/12/2027 00:00:00", "x"])
    def test_rejected(self, text: str) -> None:
        with pytest.raises(BadInput) as error:
            parse_ocean_date(text, "date")
        assert error.value.message.startswith("date:")
        assert "dd/MM/yyyy" in error.value.message


class TestParsePeriodInstant:
    @pytest.mark.parametrize(
        ("value", "expected"),
        [
            (XMAS_UTC_MS, XMAS_UTC_MS),
            (str(XMAS_UTC_MS), XMAS_UTC_MS),
            (f" {XMAS_UTC_MS} ", XMAS_UTC_MS),
            (float(XMAS_UTC_MS), XMAS_UTC_MS),
            ("2027-12-25T00:00:00Z", XMAS_UTC_MS),
            ("2027-12-25T01:00:00+01:00", XMAS_UTC_MS),
            ("2027-12-25T01:00:00+0100", XMAS_UTC_MS),
            ("2027-12-24T19:00:00-05:00", XMAS_UTC_MS),
            ("2027-12-25T00:00:00.000Z", XMAS_UTC_MS),
            # ISO without offset: wall clock in the customer's zone.
            ("2027-12-25T01:00:00", XMAS_UTC_MS),
            ("2027-12-25T01:00", XMAS_UTC_MS),
        ],
    )
    def test_accepted(self, value: int | str, expected: int) -> None:
        assert parse_period_instant(value, PARIS, "periode.debut") == expected

    def test_date_only_is_local_midnight(self) -> None:
        assert parse_period_instant("2027-12-25", PARIS, "periode.debut") == XMAS_UTC_MS - HOUR_MS

    @pytest.mark.parametrize("value", [True, None, 1.5, "", "abc", "25/12/2027 00:00:00 Z", "2027-13-01", [1]])
    def test_rejected(self, value: object) -> None:
        with pytest.raises(BadInput) as error:
            parse_period_instant(value, PARIS, "periode.fin")  # type: ignore[arg-type]
        assert error.value.message.startswith("periode.fin:")


class TestLocalToUtc:
    def test_regular(self) -> None:
        assert local_to_utc_ms(dt.datetime(2027, 12, 25, 1), PARIS) == XMAS_UTC_MS

    def test_gap_maps_to_first_instant_after_gap(self) -> None:
        first_after = utc_ms(2026, 3, 29, 1)
        for minute in (0, 1, 30, 59):
            assert local_to_utc_ms(dt.datetime(2026, 3, 29, 2, minute), PARIS) == first_after
        assert local_to_utc_ms(dt.datetime(2026, 3, 29, 3, 0), PARIS) == first_after
        assert local_to_utc_ms(dt.datetime(2026, 3, 29, 1, 59), PARIS) == first_after - 60_000

    def test_ambiguous_maps_to_first_occurrence(self) -> None:
        assert local_to_utc_ms(dt.datetime(2026, 10, 25, 2, 0), PARIS) == utc_ms(2026, 10, 25, 0)
        assert local_to_utc_ms(dt.datetime(2026, 10, 25, 3, 0), PARIS) == utc_ms(2026, 10, 25, 2)

    def test_los_angeles(self) -> None:
        assert local_to_utc_ms(dt.datetime(2026, 3, 8, 2, 30), LA) == utc_ms(2026, 3, 8, 10)
        assert local_to_utc_ms(dt.datetime(2026, 11, 1, 1, 30), LA) == utc_ms(2026, 11, 1, 8, 30)

    def test_rejects_aware(self) -> None:
        with pytest.raises(ValueError):
            local_to_utc_ms(dt.datetime(2026, 1, 1, tzinfo=dt.timezone.utc), PARIS)

    def test_transition_between(self) -> None:
        spring = utc_ms(2026, 3, 29, 1)
        assert transition_between_ms(spring - HOUR_MS, spring + HOUR_MS, PARIS) == spring
        assert transition_between_ms(0, HOUR_MS, PARIS) == HOUR_MS


def test_format_iso_instant() -> None:
    assert format_iso_instant(XMAS_UTC_MS, PARIS) == "2027-12-25T01:00:00.000+01:00"
