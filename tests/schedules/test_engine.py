"""Examples for the schedules engine: slots, history, exceptional periods, expansion to instants."""

from __future__ import annotations

import datetime as dt
import time
from zoneinfo import ZoneInfo

import pytest

from fleetprivacy.core.dates import local_to_utc_ms
from fleetprivacy.core.errors import BadInput, Conflict, NotFound
from fleetprivacy.schedules.engine import (
    DAYS,
    PRIVATE_TYPES,
    ExceptionalPeriod,
    Slot,
    Version,
    apply_delete,
    apply_post,
    can_delete_period,
    check_history,
    exceptional_display_slots,
    make_slot,
    merge_day_slots,
    merge_intervals,
    parse_inner_map,
    private_intervals,
    slot_from_wire,
    slot_to_wire,
    subtract_intervals,
    update_period,
    validate_new_period,
    version_at,
)

PARIS = ZoneInfo("Europe/Paris")
LA = ZoneInfo("America/Los_Angeles")
H = 3_600_000
DAY = 24 * H
VP = "VIE_PRIVEE"
VPE = "VIE_PRIVEE_EXCEPTIONNELLE"


def at(tz: ZoneInfo, *args: int) -> int:
    """Epoch ms of a wall-clock time."""
    return local_to_utc_ms(dt.datetime(*args), tz)


def slot(day: str, sh: int, sm: int, eh: int, em: int, kind: str = VP) -> Slot:
    return make_slot(day, kind, sh, sm, eh, em, param="test")


def always(*slots: Slot) -> list[Version]:
    return [Version(0, None, merge_day_slots(slots))]


def total(intervals: list[tuple[int, int]]) -> int:
    return sum(b - a for a, b in intervals)


# A Monday in winter: 2026-01-05.
MON = (2026, 1, 5)


class TestSlots:
    def test_normalisation(self) -> None:
        assert slot("LUNDI", 18, 0, 23, 59) == Slot("LUNDI", VP, 1080, 1440)
        assert slot("LUNDI", 18, 0, 24, 0) == Slot("LUNDI", VP, 1080, 1440)
        assert slot("LUNDI", 18, 0, 0, 0) == Slot("LUNDI", VP, 1080, 1440)
        assert slot("LUNDI", 22, 0, 6, 0) == Slot("LUNDI", VP, 1320, 360)
        assert slot("LUNDI", 22, 0, 6, 0).crosses_midnight
        assert slot("LUNDI", 0, 0, 24, 0).span == (0, 1440)

    @pytest.mark.parametrize(
        ("args", "needle"),
        [
            (("LUNDI", VP, 8, 0, 8, 0), "cannot be empty"),
            (("LUNDI", VP, 0, 0, 0, 0), "cannot be empty"),
            (("LUNDI", VP, 24, 0, 8, 0), "debutHeure"),
            (("LUNDI", VP, -1, 0, 8, 0), "debutHeure"),
            (("LUNDI", VP, 8, 60, 9, 0), "debutMinute"),
            (("LUNDI", VP, 8, 0, 25, 0), "finHeure"),
            (("LUNDI", VP, 8, 0, 24, 30), "24:00"),
            (("LUNDI", VP, 8, 0, 9, 60), "finMinute"),
            (("LUNDI", VP, "8", 0, 9, 0), "debutHeure"),
            (("LUNDI", VP, True, 0, 9, 0), "debutHeure"),
            (("MONDAY", VP, 8, 0, 9, 0), "idJourSemaine"),
            (("LUNDI", "", 8, 0, 9, 0), "typeHoraires"),
            (("LUNDI", None, 8, 0, 9, 0), "typeHoraires"),
        ],
    )
    def test_rejections_name_parameter(self, args: tuple[object, ...], needle: str) -> None:
        with pytest.raises(BadInput) as error:
            make_slot(*args, param="innerMap.map.LUNDI.VIE_PRIVEE[0]")
        assert error.value.message.startswith("innerMap.map.LUNDI.VIE_PRIVEE[0]:")
        assert needle in error.value.message

    def test_wire_round_trip(self) -> None:
        wire = {"idJourSemaine": "LUNDI", "typeHoraires": VP, "debutHeure": 12, "debutMinute": 0,
                "finHeure": 13, "finMinute": 30}
        assert slot_to_wire(slot_from_wire(wire)) == wire

    def test_end_of_day_answered_as_24(self) -> None:
        wire = slot_to_wire(slot("LUNDI", 18, 0, 23, 59))
        assert (wire["finHeure"], wire["finMinute"]) == (24, 0)
        assert slot_from_wire(wire) == slot("LUNDI", 18, 0, 23, 59)

    def test_slot_from_wire_missing_field(self) -> None:
        with pytest.raises(BadInput, match="^x: missing finMinute"):
            slot_from_wire({"idJourSemaine": "LUNDI", "typeHoraires": VP, "debutHeure": 1,
                            "debutMinute": 0, "finHeure": 2}, "x")

    def test_merge_overlapping_same_day_and_kind(self) -> None:
        merged = merge_day_slots([
            slot("LUNDI", 12, 0, 14, 0), slot("LUNDI", 8, 0, 13, 0), slot("MARDI", 8, 0, 9, 0),
            slot("LUNDI", 20, 0, 2, 0), slot("LUNDI", 23, 0, 4, 0), slot("LUNDI", 9, 0, 10, 0, "AUTRE"),
        ])
        assert merged == (
            slot("LUNDI", 8, 0, 14, 0), slot("LUNDI", 9, 0, 10, 0, "AUTRE"),
            slot("LUNDI", 20, 0, 4, 0), slot("MARDI", 8, 0, 9, 0),
        )

    def test_adjacent_slots_kept_apart_duplicates_removed(self) -> None:
        a, b = slot("LUNDI", 8, 0, 9, 0), slot("LUNDI", 9, 0, 10, 0)
        assert merge_day_slots([b, a, a]) == (a, b)

    def test_merge_never_exceeds_a_slot(self) -> None:
        full, night = slot("LUNDI", 0, 0, 24, 0), slot("LUNDI", 22, 0, 6, 0)
        assert merge_day_slots([full, night]) == (full, night)
        assert merge_day_slots([full, full]) == (full,)

    def test_parse_inner_map(self) -> None:
        body = {
            "LUNDI": {VP: [slot_to_wire(slot("LUNDI", 0, 0, 8, 0)), slot_to_wire(slot("LUNDI", 18, 0, 23, 59))]},
            "MARDI": {VP: []},
            "MERCREDI": {},
        }
        assert parse_inner_map(body) == {
            "LUNDI": (slot("LUNDI", 0, 0, 8, 0), slot("LUNDI", 18, 0, 24, 0)),
            "MARDI": (),
            "MERCREDI": (),
        }

    @pytest.mark.parametrize(
        ("body", "param"),
        [
            ({"LUNDI": {VP: [slot_to_wire(slot("MARDI", 0, 0, 8, 0))]}}, "innerMap.map.LUNDI.VIE_PRIVEE[0]"),
            ({"LUNDI": {VPE: [slot_to_wire(slot("LUNDI", 0, 0, 8, 0))]}}, "innerMap.map.LUNDI.VIE_PRIVEE_EXCEPTIONNELLE[0]"),
            ({"FUNDAY": {}}, "innerMap.map.FUNDAY"),
            ({"LUNDI": {VP: {}}}, "innerMap.map.LUNDI.VIE_PRIVEE"),
            ({"LUNDI": []}, "innerMap.map.LUNDI"),
            ([], "innerMap.map"),
        ],
    )
    def test_parse_inner_map_rejections(self, body: object, param: str) -> None:
        with pytest.raises(BadInput) as error:
            parse_inner_map(body)
        assert error.value.message.startswith(param + ":")

    def test_constants(self) -> None:
        assert DAYS[0] == "LUNDI" and DAYS[6] == "DIMANCHE"
        assert PRIVATE_TYPES == {VP, VPE}


class TestPrivateIntervals:
    def test_half_open_and_basic(self) -> None:
        start = at(PARIS, *MON, 0)
        result = private_intervals(always(slot("LUNDI", 12, 0, 13, 30)), [], PARIS, start, start + DAY)
        assert result == [(at(PARIS, *MON, 12), at(PARIS, *MON, 13, 30))]

    def test_23_59_is_end_of_day_and_joins_next_morning(self) -> None:
        versions = always(slot("LUNDI", 18, 0, 23, 59), slot("MARDI", 0, 0, 7, 0))
        start = at(PARIS, *MON, 0)
        assert private_intervals(versions, [], PARIS, start, start + 2 * DAY) == [
            (at(PARIS, *MON, 18), at(PARIS, 2026, 1, 6, 7))
        ]

    def test_24_00_end_joins_next_morning(self) -> None:
        versions = always(slot("LUNDI", 18, 0, 24, 0), slot("MARDI", 0, 0, 7, 0))
        start = at(PARIS, *MON, 0)
        assert len(private_intervals(versions, [], PARIS, start, start + 2 * DAY)) == 1

    def test_crossing_midnight(self) -> None:
        versions = always(slot("MERCREDI", 22, 0, 6, 0))
        start = at(PARIS, *MON, 0)
        assert private_intervals(versions, [], PARIS, start, start + 7 * DAY) == [
            (at(PARIS, 2026, 1, 7, 22), at(PARIS, 2026, 1, 8, 6))
        ]

    def test_week_boundary_sunday_into_monday(self) -> None:
        versions = always(slot("DIMANCHE", 22, 0, 6, 0))
        monday = at(PARIS, *MON, 0)
        # A window starting on Monday still sees the Sunday slot's spill.
        assert private_intervals(versions, [], PARIS, monday, monday + DAY) == [(monday, at(PARIS, *MON, 6))]

    def test_window_clips(self) -> None:
        versions = always(slot("LUNDI", 8, 0, 12, 0))
        assert private_intervals(versions, [], PARIS, at(PARIS, *MON, 9), at(PARIS, *MON, 10)) == [
            (at(PARIS, *MON, 9), at(PARIS, *MON, 10))
        ]
        assert private_intervals(versions, [], PARIS, at(PARIS, *MON, 12), at(PARIS, *MON, 13)) == []
        assert private_intervals(versions, [], PARIS, at(PARIS, *MON, 10), at(PARIS, *MON, 10)) == []

    def test_non_private_types_ignored(self) -> None:
        versions = always(slot("LUNDI", 8, 0, 12, 0, "TRAVAIL"), slot("LUNDI", 13, 0, 14, 0, VPE))
        start = at(PARIS, *MON, 0)
        assert private_intervals(versions, [], PARIS, start, start + DAY) == [
            (at(PARIS, *MON, 13), at(PARIS, *MON, 14))
        ]

    def test_spring_forward_night_lasts_7h(self) -> None:
        versions = always(slot("DIMANCHE", 0, 0, 8, 0))
        start = at(PARIS, 2026, 3, 29, 0)
        assert total(private_intervals(versions, [], PARIS, start, start + DAY)) == 7 * H

    def test_fall_back_night_lasts_9h(self) -> None:
        versions = always(slot("DIMANCHE", 0, 0, 8, 0))
        start = at(PARIS, 2026, 10, 25, 0)
        assert total(private_intervals(versions, [], PARIS, start, start + 2 * DAY)) == 9 * H

    def test_slot_inside_spring_gap_is_empty(self) -> None:
        versions = always(slot("DIMANCHE", 2, 0, 3, 0))
        start = at(PARIS, 2026, 3, 29, 0)
        assert private_intervals(versions, [], PARIS, start, start + DAY) == []

    def test_ambiguous_boundary_uses_first_occurrence(self) -> None:
        versions = always(slot("DIMANCHE", 2, 30, 4, 0))
        start = at(PARIS, 2026, 10, 25, 0)
        # 02:30 first occurrence (+02:00) = 00:30Z; 04:00 (+01:00) = 03:00Z.
        first = int(dt.datetime(2026, 10, 25, 0, 30, tzinfo=dt.timezone.utc).timestamp() * 1000)
        assert private_intervals(versions, [], PARIS, start, start + DAY) == [(first, first + int(2.5 * H))]

    def test_los_angeles_customer(self) -> None:
        versions = always(slot("DIMANCHE", 0, 0, 8, 0), slot("SAMEDI", 22, 0, 2, 0))
        spring = at(LA, 2026, 3, 7, 0)  # Saturday before the 2026-03-08 spring-forward
        result = private_intervals(versions, [], LA, spring, spring + 2 * DAY)
        assert result == [(at(LA, 2026, 3, 7, 22), at(LA, 2026, 3, 8, 8))]
        assert total(result) == 9 * H  # 22:00-08:00 minus the lost hour
        fall = at(LA, 2026, 10, 31, 0)
        assert total(private_intervals(versions, [], LA, fall, fall + 2 * DAY)) == 11 * H

    def test_version_in_force_at_each_instant(self) -> None:
        switch = at(PARIS, *MON, 3)
        versions = [
            Version(0, switch, (slot("LUNDI", 0, 0, 8, 0),)),
            Version(switch, None, (slot("LUNDI", 4, 0, 5, 0),)),
        ]
        start = at(PARIS, *MON, 0)
        assert private_intervals(versions, [], PARIS, start, start + DAY) == [
            (start, switch), (at(PARIS, *MON, 4), at(PARIS, *MON, 5))
        ]

    def test_exceptional_period_without_slots_is_all_private(self) -> None:
        versions = always(slot("LUNDI", 0, 0, 8, 0))
        period = ExceptionalPeriod(at(PARIS, *MON, 7), at(PARIS, *MON, 20))
        start = at(PARIS, *MON, 0)
        assert private_intervals(versions, [period], PARIS, start, start + DAY) == [
            (start, at(PARIS, *MON, 20))
        ]

    def test_exceptional_period_slots_replace_recurring(self) -> None:
        versions = always(slot("LUNDI", 0, 0, 8, 0), slot("LUNDI", 18, 0, 24, 0))
        period = ExceptionalPeriod(at(PARIS, *MON, 6), at(PARIS, *MON, 20), (slot("LUNDI", 12, 0, 13, 0, VPE),))
        start = at(PARIS, *MON, 0)
        assert private_intervals(versions, [period], PARIS, start, start + DAY) == [
            (start, at(PARIS, *MON, 6)),
            (at(PARIS, *MON, 12), at(PARIS, *MON, 13)),
            (at(PARIS, *MON, 20), start + DAY),
        ]

    def test_exceptional_period_with_only_non_private_slots_is_professional(self) -> None:
        versions = always(slot("LUNDI", 0, 0, 24, 0))
        period = ExceptionalPeriod(at(PARIS, *MON, 6), at(PARIS, *MON, 20), (slot("LUNDI", 0, 0, 24, 0, "TRAVAIL"),))
        start = at(PARIS, *MON, 0)
        assert private_intervals(versions, [period], PARIS, start, start + DAY) == [
            (start, at(PARIS, *MON, 6)), (at(PARIS, *MON, 20), start + DAY)
        ]

    def test_a_year_is_fast(self) -> None:
        slots = [slot(day, 18, 0, 8, 0) for day in DAYS] + [slot(day, 12, 0, 13, 30) for day in DAYS]
        versions = always(*slots)
        start, end = at(PARIS, 2026, 1, 1, 0), at(PARIS, 2027, 1, 1, 0)
        private_intervals(versions, [], PARIS, start, end)  # warm zoneinfo caches
        began = time.perf_counter()
        result = private_intervals(versions, [], PARIS, start, end)
        assert time.perf_counter() - began < 0.05
        assert len(result) == 365 * 2 + 1

    def test_interval_helpers(self) -> None:
        assert merge_intervals([(5, 6), (1, 3), (3, 4), (2, 2)]) == [(1, 4), (5, 6)]
        assert subtract_intervals([(0, 10), (20, 30)], [(2, 3), (5, 22), (29, 40)]) == [(0, 2), (3, 5), (22, 29)]


class TestApplyPost:
    NOW = 1_000 * DAY

    def test_first_post_opens_version_at_now(self) -> None:
        result = apply_post([], {"LUNDI": (slot("LUNDI", 0, 0, 8, 0),)}, None, None, self.NOW)
        assert result == [Version(self.NOW, None, (slot("LUNDI", 0, 0, 8, 0),))]

    def test_past_start_moves_to_now_and_closes_version_in_force(self) -> None:
        old = Version(0, None, (slot("LUNDI", 0, 0, 8, 0), slot("MARDI", 0, 0, 8, 0)), id=7)
        result = apply_post([old], {"LUNDI": (slot("LUNDI", 1, 0, 2, 0),)}, self.NOW - DAY, None, self.NOW)
        assert result == [
            Version(0, self.NOW, old.slots, id=7),
            Version(self.NOW, None, (slot("LUNDI", 1, 0, 2, 0), slot("MARDI", 0, 0, 8, 0))),
        ]
        check_history(result)

    def test_present_day_with_empty_list_is_cleared(self) -> None:
        old = Version(0, None, (slot("LUNDI", 0, 0, 8, 0), slot("MARDI", 0, 0, 8, 0)))
        result = apply_post([old], {"LUNDI": ()}, None, None, self.NOW)
        assert result[-1].slots == (slot("MARDI", 0, 0, 8, 0),)

    def test_clearing_everything_leaves_no_version(self) -> None:
        old = Version(0, None, (slot("LUNDI", 0, 0, 8, 0),))
        assert apply_post([old], {"LUNDI": ()}, None, None, self.NOW) == [Version(0, self.NOW, old.slots)]

    def test_end_resumes_previous_including_future_versions(self) -> None:
        a = Version(0, self.NOW + 5 * DAY, (slot("LUNDI", 0, 0, 8, 0),), id=1)
        b = Version(self.NOW + 5 * DAY, None, (slot("MARDI", 0, 0, 8, 0),), id=2)
        new = (slot("MERCREDI", 0, 0, 8, 0),)
        result = apply_post([a, b], {"MERCREDI": new}, self.NOW + DAY, self.NOW + 10 * DAY, self.NOW)
        assert result == [
            Version(0, self.NOW + DAY, a.slots, id=1),
            Version(self.NOW + DAY, self.NOW + 10 * DAY, (slot("LUNDI", 0, 0, 8, 0), new[0])),
            Version(self.NOW + 10 * DAY, None, b.slots, id=2),
        ]
        check_history(result)

    def test_end_splits_version_in_force(self) -> None:
        a = Version(0, None, (slot("LUNDI", 0, 0, 8, 0),), id=1)
        result = apply_post([a], {"LUNDI": (slot("LUNDI", 9, 0, 10, 0),)}, None, self.NOW + DAY, self.NOW)
        assert result == [
            Version(0, self.NOW, a.slots, id=1),
            Version(self.NOW, self.NOW + DAY, (slot("LUNDI", 9, 0, 10, 0),)),
            Version(self.NOW + DAY, None, a.slots),
        ]

    def test_end_not_after_effective_start_rejected(self) -> None:
        with pytest.raises(BadInput, match="^dateFin:"):
            apply_post([], {"LUNDI": ()}, None, self.NOW, self.NOW)
        with pytest.raises(BadInput, match="^dateFin:"):
            apply_post([], {"LUNDI": ()}, self.NOW - 2 * DAY, self.NOW - DAY, self.NOW)

    def test_day_key_mismatch_rejected(self) -> None:
        with pytest.raises(BadInput, match="innerMap.map.LUNDI"):
            apply_post([], {"LUNDI": (slot("MARDI", 0, 0, 8, 0),)}, None, None, self.NOW)

    def test_sunday_spill_survives_monday_rewrite(self) -> None:
        old = Version(0, None, (slot("LUNDI", 0, 0, 8, 0), slot("DIMANCHE", 22, 0, 6, 0)))
        now = at(PARIS, 2026, 1, 1, 0)
        result = apply_post([old], {"LUNDI": ()}, None, None, now)
        monday = at(PARIS, *MON, 0)
        assert private_intervals(result, [], PARIS, monday, monday + DAY) == [(monday, at(PARIS, *MON, 6))]


class TestApplyDelete:
    NOW = 1_000 * DAY

    def test_in_force_closed_and_reopened(self) -> None:
        a, b = slot("LUNDI", 0, 0, 8, 0), slot("MARDI", 0, 0, 8, 0)
        old = Version(0, self.NOW + DAY, (a, b), id=3)
        assert apply_delete([old], {0: {a}}, self.NOW) == [
            Version(0, self.NOW, (a, b), id=3), Version(self.NOW, self.NOW + DAY, (b,))
        ]

    def test_last_slot_closes_only(self) -> None:
        a = slot("LUNDI", 0, 0, 8, 0)
        assert apply_delete([Version(0, None, (a,))], {0: {a}}, self.NOW) == [Version(0, self.NOW, (a,))]

    def test_future_version_just_loses_slots(self) -> None:
        a, b = slot("LUNDI", 0, 0, 8, 0), slot("MARDI", 0, 0, 8, 0)
        cur = Version(0, self.NOW + DAY, (a,), id=1)
        fut = Version(self.NOW + DAY, None, (a, b), id=2)
        assert apply_delete([cur, fut], {1: {a}}, self.NOW) == [cur, Version(self.NOW + DAY, None, (b,), id=2)]
        assert apply_delete([cur, fut], {1: {a, b}}, self.NOW) == [cur]

    def test_past_version_refused(self) -> None:
        a = slot("LUNDI", 0, 0, 8, 0)
        with pytest.raises(BadInput, match="^horaireIndividuIds:"):
            apply_delete([Version(0, self.NOW - 1, (a,))], {0: {a}}, self.NOW)

    def test_unknown_slot_or_index_refused(self) -> None:
        a = slot("LUNDI", 0, 0, 8, 0)
        with pytest.raises(BadInput, match="^horaireIndividuIds:"):
            apply_delete([Version(0, None, (a,))], {0: {slot("MARDI", 0, 0, 8, 0)}}, self.NOW)
        with pytest.raises(BadInput, match="^horaireIndividuIds:"):
            apply_delete([Version(0, None, (a,))], {1: {a}}, self.NOW)


class TestHistoryChecks:
    def test_check_history_rejects(self) -> None:
        a = (slot("LUNDI", 0, 0, 8, 0),)
        with pytest.raises(ValueError):
            check_history([Version(0, None, a), Version(5, None, a)])
        with pytest.raises(ValueError):
            check_history([Version(5, 5, a)])
        with pytest.raises(ValueError):
            check_history([Version(5, 10, a), Version(0, 5, a)])
        check_history([Version(0, 5, a), Version(5, None, a)])

    def test_version_at(self) -> None:
        a = Version(0, 5, ())
        assert version_at([a], 0) is a and version_at([a], 5) is None


class TestExceptionalPeriods:
    NOW = 1_000 * DAY

    def test_past_start_moved_to_now(self) -> None:
        stored = validate_new_period([], ExceptionalPeriod(self.NOW - DAY, self.NOW + DAY, description="x"), self.NOW)
        assert (stored.start_ms, stored.end_ms) == (self.NOW, self.NOW + DAY)

    def test_entirely_past_rejected(self) -> None:
        with pytest.raises(BadInput, match="^dateFin:"):
            validate_new_period([], ExceptionalPeriod(self.NOW - 2 * DAY, self.NOW - DAY), self.NOW)
        with pytest.raises(BadInput, match="^dateFin:"):
            validate_new_period([], ExceptionalPeriod(self.NOW + 2 * DAY, self.NOW + DAY), self.NOW)

    def test_overlap_conflict_names_other(self) -> None:
        other = ExceptionalPeriod(self.NOW + DAY, self.NOW + 3 * DAY, id=18524)
        with pytest.raises(Conflict, match="18524"):
            validate_new_period([other], ExceptionalPeriod(self.NOW + 2 * DAY, self.NOW + 4 * DAY), self.NOW)
        # Touching is not overlapping (half-open).
        validate_new_period([other], ExceptionalPeriod(self.NOW + 3 * DAY, self.NOW + 4 * DAY), self.NOW)

    def test_update_in_force_keeps_past(self) -> None:
        old = ExceptionalPeriod(self.NOW - DAY, self.NOW + DAY, id=5, description="NOEL")
        kept, new = update_period([old], 5, ExceptionalPeriod(self.NOW - DAY, self.NOW + 2 * DAY, description="NOEL+"), self.NOW)
        assert kept == ExceptionalPeriod(self.NOW - DAY, self.NOW, id=5, description="NOEL")
        assert new == ExceptionalPeriod(self.NOW, self.NOW + 2 * DAY, description="NOEL+")

    def test_update_future_replaces_in_place(self) -> None:
        old = ExceptionalPeriod(self.NOW + DAY, self.NOW + 2 * DAY, id=5)
        kept, new = update_period([old], 5, ExceptionalPeriod(self.NOW + 3 * DAY, self.NOW + 4 * DAY), self.NOW)
        assert kept is None and new == ExceptionalPeriod(self.NOW + 3 * DAY, self.NOW + 4 * DAY, id=5)

    def test_update_ending_in_past_ends_now(self) -> None:
        old = ExceptionalPeriod(self.NOW - DAY, self.NOW + DAY, id=5)
        kept, new = update_period([old], 5, ExceptionalPeriod(self.NOW - DAY, self.NOW - 1), self.NOW)
        assert kept == ExceptionalPeriod(self.NOW - DAY, self.NOW, id=5) and new is None

    def test_update_rejections(self) -> None:
        old = ExceptionalPeriod(self.NOW - 2 * DAY, self.NOW - DAY, id=5)
        other = ExceptionalPeriod(self.NOW + 5 * DAY, self.NOW + 6 * DAY, id=6)
        live = ExceptionalPeriod(self.NOW + DAY, self.NOW + 2 * DAY, id=7)
        with pytest.raises(NotFound, match="^extensionIdToUpdate:"):
            update_period([old], 9, ExceptionalPeriod(self.NOW, self.NOW + DAY), self.NOW)
        with pytest.raises(BadInput, match="^extensionIdToUpdate:"):
            update_period([old], 5, ExceptionalPeriod(self.NOW, self.NOW + DAY), self.NOW)
        with pytest.raises(Conflict, match="6"):
            update_period([live, other], 7, ExceptionalPeriod(self.NOW + DAY, self.NOW + 6 * DAY), self.NOW)
        # Overlapping its own old self is fine.
        update_period([live, other], 7, ExceptionalPeriod(self.NOW + DAY, self.NOW + 3 * DAY), self.NOW)

    def test_can_delete_only_entirely_future(self) -> None:
        assert can_delete_period(ExceptionalPeriod(self.NOW, self.NOW + DAY), self.NOW)
        assert not can_delete_period(ExceptionalPeriod(self.NOW - 1, self.NOW + DAY), self.NOW)

    def test_display_reference_example(self) -> None:
        period = ExceptionalPeriod(at(PARIS, 2027, 12, 25, 0), at(PARIS, 2027, 12, 26, 0), description="NOEL")
        assert exceptional_display_slots(period, PARIS) == [
            {"idJourSemaine": "SAMEDI", "typeHoraires": VPE, "debutHeure": 0, "debutMinute": 0,
             "finHeure": 24, "finMinute": 0}
        ]

    def test_display_multi_day_partial(self) -> None:
        period = ExceptionalPeriod(at(PARIS, *MON, 18, 30), at(PARIS, 2026, 1, 7, 7, 15))
        shown = [(s["idJourSemaine"], s["debutHeure"], s["debutMinute"], s["finHeure"], s["finMinute"])
                 for s in exceptional_display_slots(period, PARIS)]
        assert shown == [("LUNDI", 18, 30, 24, 0), ("MARDI", 0, 0, 24, 0), ("MERCREDI", 0, 0, 7, 15)]

    def test_display_dst_days(self) -> None:
        spring = ExceptionalPeriod(at(PARIS, 2026, 3, 29, 0), at(PARIS, 2026, 3, 30, 0))
        fall = ExceptionalPeriod(at(PARIS, 2026, 10, 25, 1), at(PARIS, 2026, 10, 25, 4))
        assert [(s["debutHeure"], s["finHeure"]) for s in exceptional_display_slots(spring, PARIS)] == [(0, 24)]
        assert [(s["debutHeure"], s["finHeure"]) for s in exceptional_display_slots(fall, PARIS)] == [(1, 4)]
        # Inside the repeated hour: 02:30 (+02:00) to 02:10 (+01:00) covers 02:00-03:00 on the wall clock.
        first_0230 = at(PARIS, 2026, 10, 25, 2, 30)
        repeated = ExceptionalPeriod(first_0230, first_0230 + 40 * 60_000)
        assert [(s["debutHeure"], s["debutMinute"], s["finHeure"], s["finMinute"])
                for s in exceptional_display_slots(repeated, PARIS)] == [(2, 0, 3, 0)]

    def test_display_with_slots_shows_them(self) -> None:
        own = (slot("SAMEDI", 10, 0, 12, 0, VPE),)
        period = ExceptionalPeriod(at(PARIS, 2027, 12, 25, 0), at(PARIS, 2027, 12, 26, 0), own)
        assert exceptional_display_slots(period, PARIS) == [slot_to_wire(own[0])]
