"""Private-time schedules, pure: slots, the history of recurring versions, exceptional periods.

No web, no database, no clock: "now" is always a parameter. All instants are int epoch
milliseconds UTC (`*_ms`), intervals are half-open `[start, end)`.

Decisions where SPEC §3-§5 are silent (also in the project docs):

* Slot minutes: `start_min` in [0, 1439]; `end_min` in [1, 1440] when the slot ends the same day,
  or `end_min < start_min` when it runs past midnight (its spill belongs to its start day). An end
  of `23:59` and an end of `00:00` (with a later start) both mean the end of the day, 1440.
* Wire form of an end of day: `24:00` (`finHeure=24, finMinute=0`), as the reference's own GET of
  an exceptional period shows. `23:59` is accepted on input and answered as `24:00`: it is the same
  instant and `24:00` cannot be misread as "one minute before midnight".
* Merging: slots of one day and one `typeHoraires` that overlap (share at least one minute) are
  merged; merely adjacent slots are kept apart (the private time they make is joined anyway). A
  merge that would last 24 h or more is not made (no single slot can express it); the union of
  private time is the same either way.
* A version (or an exceptional update) left with no slot at all is not kept: "no version in force"
  and "a version without slots" make the same private time, and DELETE already works that way.
* POST: the new version is built from the version in force at the effective start and covers
  `[effective start, dateFin)`; versions planned inside that window are replaced, what was planned
  after `dateFin` resumes there. Open-ended, it replaces everything planned after its start.
* Exceptional update (`extensionIdToUpdate`) whose new end is already past: the period is ended
  now (its past part stays, nothing new is created).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any
from zoneinfo import ZoneInfo

from fleetprivacy.core.dates import local_to_utc_ms, ms_to_local, transition_between_ms, utc_offset_ms
from fleetprivacy.core.errors import BadInput, Conflict, NotFound

DAYS = ("LUNDI", "MARDI", "MERCREDI", "JEUDI", "VENDREDI", "SAMEDI", "DIMANCHE")
VIE_PRIVEE = "VIE_PRIVEE"
VIE_PRIVEE_EXCEPTIONNELLE = "VIE_PRIVEE_EXCEPTIONNELLE"
PRIVATE_TYPES = frozenset({VIE_PRIVEE, VIE_PRIVEE_EXCEPTIONNELLE})

DAY_MIN = 1440
DAY_MS = 86_400_000
_MIN_MS = 60_000
_DAY_INDEX = {day: i for i, day in enumerate(DAYS)}
_MAX_KIND_LEN = 64

Interval = tuple[int, int]


# --------------------------------------------------------------------------------------------
# Slots


@dataclass(frozen=True, order=True)
class Slot:
    """A weekly wall-clock slot; `end_min < start_min` means it runs past midnight."""

    day: str
    kind: str
    start_min: int
    end_min: int

    @property
    def crosses_midnight(self) -> bool:
        """True when the slot spills into the next day."""
        return self.end_min < self.start_min

    @property
    def span(self) -> tuple[int, int]:
        """Minutes from its day's midnight: `[start, end)`, end up to 2879 for a spill."""
        return self.start_min, self.end_min + (DAY_MIN if self.crosses_midnight else 0)

    @property
    def private(self) -> bool:
        """True when this slot's `typeHoraires` makes time private."""
        return self.kind in PRIVATE_TYPES


def _int_field(value: object, name: str, low: int, high: int, param: str) -> int:
    # bool is an int subclass; `true` is not an hour.
    if isinstance(value, bool) or not isinstance(value, int):
        raise BadInput(f"{param}: {name} must be an integer, got {value!r}")
    if not low <= value <= high:
        raise BadInput(f"{param}: {name} must be between {low} and {high}, got {value}")
    return value


def make_slot(
    idJourSemaine: object,
    typeHoraires: object,
    debutHeure: object,
    debutMinute: object,
    finHeure: object,
    finMinute: object,
    param: str = "horaire",
) -> Slot:
    """Validate and normalise one wire slot (24:00 and 23:59 ends = end of day, end < start = past midnight)."""
    if not isinstance(idJourSemaine, str) or idJourSemaine not in _DAY_INDEX:
        raise BadInput(f"{param}: idJourSemaine must be one of {', '.join(DAYS)}, got {idJourSemaine!r}")
    if not isinstance(typeHoraires, str) or not typeHoraires.strip() or len(typeHoraires) > _MAX_KIND_LEN:
        raise BadInput(f"{param}: typeHoraires must be a non-empty string (e.g. VIE_PRIVEE), got {typeHoraires!r}")
    start_h = _int_field(debutHeure, "debutHeure", 0, 23, param)
    start_m = _int_field(debutMinute, "debutMinute", 0, 59, param)
    end_h = _int_field(finHeure, "finHeure", 0, 24, param)
    end_m = _int_field(finMinute, "finMinute", 0, 59, param)
    if end_h == 24 and end_m != 0:
        raise BadInput(f"{param}: an end at hour 24 must be 24:00, got 24:{end_m:02d}")
    start = start_h * 60 + start_m
    end = end_h * 60 + end_m
    if start == end:
        raise BadInput(f"{param}: start and end are both {start_h:02d}:{start_m:02d}; a slot cannot be empty")
    # The reference writes 18:00-23:59 for "until midnight"; 00:00 after a later start means the same.
    if end in (DAY_MIN - 1, 0):
        end = DAY_MIN
    return Slot(idJourSemaine, typeHoraires, start, end)


def slot_from_wire(item: Mapping[str, Any], param: str = "horaire") -> Slot:
    """A `Slot` from a wire dict with the six reference fields."""
    if not isinstance(item, Mapping):
        raise BadInput(f"{param}: expected an object with idJourSemaine, typeHoraires and hours, got {item!r}")
    names = ("idJourSemaine", "typeHoraires", "debutHeure", "debutMinute", "finHeure", "finMinute")
    missing = [name for name in names if name not in item]
    if missing:
        raise BadInput(f"{param}: missing {', '.join(missing)}")
    return make_slot(
        item["idJourSemaine"], item["typeHoraires"], item["debutHeure"], item["debutMinute"],
        item["finHeure"], item["finMinute"], param=param,
    )


def slot_to_wire(slot: Slot) -> dict[str, Any]:
    """The six wire fields of a slot; an end of day is answered as 24:00."""
    return {
        "idJourSemaine": slot.day,
        "typeHoraires": slot.kind,
        "debutHeure": slot.start_min // 60,
        "debutMinute": slot.start_min % 60,
        "finHeure": slot.end_min // 60,
        "finMinute": slot.end_min % 60,
    }


def _slot_sort_key(slot: Slot) -> tuple[int, int, int, str]:
    return _DAY_INDEX[slot.day], slot.start_min, slot.span[1], slot.kind


def _slot_from_span(day: str, kind: str, start: int, end: int) -> Slot:
    return Slot(day, kind, start, end - DAY_MIN if end > DAY_MIN else end)


def _representable(start: int, end: int) -> bool:
    # One slot covers up to 00:00-24:00 within its day, or less than 24 h when it spills past
    # midnight; a longer merge has no single-slot form, so its pieces stay apart.
    return end <= DAY_MIN or end - start < DAY_MIN


def merge_day_slots(slots: Iterable[Slot]) -> tuple[Slot, ...]:
    """Slots sorted by day and start, overlapping ones of the same day and kind merged."""
    groups: dict[tuple[str, str], list[Slot]] = {}
    for slot in slots:
        groups.setdefault((slot.day, slot.kind), []).append(slot)
    merged: list[Slot] = []
    for (day, kind), members in groups.items():
        spans = sorted(slot.span for slot in members)
        cur_start, cur_end = spans[0]
        for start, end in spans[1:]:
            if start < cur_end and _representable(cur_start, max(cur_end, end)):
                cur_end = max(cur_end, end)
            else:
                merged.append(_slot_from_span(day, kind, cur_start, cur_end))
                cur_start, cur_end = start, end
        merged.append(_slot_from_span(day, kind, cur_start, cur_end))
    return tuple(sorted(merged, key=_slot_sort_key))


def parse_inner_map(inner_map: object, param: str = "innerMap.map") -> dict[str, tuple[Slot, ...]]:
    """Day -> merged slots from the POST body's `innerMap.map` (day -> typeHoraires -> [slot])."""
    if not isinstance(inner_map, Mapping):
        raise BadInput(f"{param}: expected an object mapping days to types to slot lists")
    result: dict[str, tuple[Slot, ...]] = {}
    for day, by_kind in inner_map.items():
        day_param = f"{param}.{day}"
        if day not in _DAY_INDEX:
            raise BadInput(f"{day_param}: unknown day; expected one of {', '.join(DAYS)}")
        if by_kind is None:
            by_kind = {}
        if not isinstance(by_kind, Mapping):
            raise BadInput(f"{day_param}: expected an object mapping typeHoraires to slot lists")
        slots: list[Slot] = []
        for kind, items in by_kind.items():
            kind_param = f"{day_param}.{kind}"
            if items is None:
                items = []
            if not isinstance(items, list):
                raise BadInput(f"{kind_param}: expected a list of slots")
            for i, item in enumerate(items):
                item_param = f"{kind_param}[{i}]"
                slot = slot_from_wire(item, item_param)
                if slot.day != day or slot.kind != kind:
                    raise BadInput(
                        f"{item_param}: idJourSemaine/typeHoraires {slot.day}/{slot.kind} "
                        f"disagree with the map keys {day}/{kind}"
                    )
                slots.append(slot)
        result[day] = merge_day_slots(slots)
    return result


# --------------------------------------------------------------------------------------------
# Recurring versions and the rule of the past


@dataclass(frozen=True)
class Version:
    """A recurring schedule in force over `[start_ms, end_ms)` (`end_ms=None`: open-ended)."""

    start_ms: int
    end_ms: int | None
    slots: tuple[Slot, ...]
    id: int | None = None

    def covers(self, at_ms: int) -> bool:
        """True when this version is in force at `at_ms`."""
        return self.start_ms <= at_ms and (self.end_ms is None or at_ms < self.end_ms)


def _end(end_ms: int | None) -> float:
    return float("inf") if end_ms is None else end_ms


def version_at(versions: Sequence[Version], at_ms: int) -> Version | None:
    """The version in force at `at_ms`, if any."""
    for version in versions:
        if version.covers(at_ms):
            return version
    return None


def check_history(versions: Sequence[Version]) -> None:
    """Raise ValueError unless versions are sorted, non-overlapping and of positive duration."""
    previous: Version | None = None
    for version in versions:
        if version.end_ms is not None and version.end_ms <= version.start_ms:
            raise ValueError(f"version of empty or negative duration: {version}")
        if previous is not None:
            if previous.end_ms is None or previous.end_ms > version.start_ms:
                raise ValueError(f"versions overlap or are unsorted: {previous} then {version}")
        if tuple(merge_day_slots(version.slots)) != version.slots:
            raise ValueError(f"version slots are not normalised: {version}")
        previous = version


def _sorted(versions: Iterable[Version]) -> list[Version]:
    return sorted(versions, key=lambda v: (v.start_ms, _end(v.end_ms)))


def _new_version(start_ms: int, end_ms: int | None, slots: Iterable[Slot], id: int | None = None) -> Version | None:
    normalised = merge_day_slots(slots)
    if not normalised or (end_ms is not None and end_ms <= start_ms):
        return None
    return Version(start_ms, end_ms, normalised, id)


def apply_post(
    versions: Sequence[Version],
    day_map: Mapping[str, Sequence[Slot]],
    start_ms: int | None,
    end_ms: int | None,
    now_ms: int,
) -> list[Version]:
    """The history after a POST: days present replace theirs, from max(start, now) until end (or open-ended)."""
    effective = now_ms if start_ms is None else max(start_ms, now_ms)
    if end_ms is not None and end_ms <= effective:
        raise BadInput(
            f"dateFin: must be after the effective start {effective} (max of dateDebut and now); got {end_ms}"
        )
    for day, slots in day_map.items():
        if day not in _DAY_INDEX:
            raise BadInput(f"innerMap.map.{day}: unknown day; expected one of {', '.join(DAYS)}")
        for slot in slots:
            if slot.day != day:
                raise BadInput(f"innerMap.map.{day}: contains a slot of {slot.day}")
    ordered = _sorted(versions)
    base = version_at(ordered, effective)
    kept_days = [slot for slot in (base.slots if base else ()) if slot.day not in day_map]
    new_slots = kept_days + [slot for slots in day_map.values() for slot in slots]

    result: list[Version] = []
    for version in ordered:
        has_before = version.start_ms < effective
        if has_before:
            before_end = effective if version.end_ms is None else min(version.end_ms, effective)
            result.append(replace(version, end_ms=before_end))
        if end_ms is not None and _end(version.end_ms) > end_ms:
            # What was planned after dateFin resumes there; a split-off piece is a new version.
            resumed = Version(max(version.start_ms, end_ms), version.end_ms, version.slots, None if has_before else version.id)
            result.append(resumed)
    created = _new_version(effective, end_ms, new_slots)
    if created is not None:
        result.append(created)
    return _sorted(result)


def apply_delete(
    versions: Sequence[Version],
    removed: Mapping[int, Iterable[Slot]],
    now_ms: int,
) -> list[Version]:
    """The history after DELETE of slots (by index into `versions`): in force at now -> closed and reopened."""
    result: list[Version | None] = list(versions)
    extra: list[Version] = []
    for index, slots in removed.items():
        if not 0 <= index < len(versions):
            raise BadInput(f"horaireIndividuIds: no such version ({index})")
        version = versions[index]
        to_remove = set(slots)
        unknown = to_remove.difference(version.slots)
        if unknown:
            raise BadInput(f"horaireIndividuIds: slot(s) {sorted(unknown)} are not in that version")
        if version.end_ms is not None and version.end_ms <= now_ms:
            raise BadInput("horaireIndividuIds: the slot belongs to a version that has ended; the past never changes")
        remaining = [slot for slot in version.slots if slot not in to_remove]
        if version.start_ms < now_ms:
            # In force now: its past stays as it was; what remains starts now.
            result[index] = replace(version, end_ms=now_ms)
            reopened = _new_version(now_ms, version.end_ms, remaining)
            if reopened is not None:
                extra.append(reopened)
        else:
            result[index] = _new_version(version.start_ms, version.end_ms, remaining, version.id)
    return _sorted([v for v in result if v is not None] + extra)


# --------------------------------------------------------------------------------------------
# Exceptional periods


@dataclass(frozen=True)
class ExceptionalPeriod:
    """An exceptional period `[start_ms, end_ms)`; without slots the whole period is private."""

    start_ms: int
    end_ms: int
    slots: tuple[Slot, ...] = ()
    description: str = ""
    id: int | None = None


def _overlaps(a_start: int, a_end: float, b_start: int, b_end: float) -> bool:
    return a_start < b_end and b_start < a_end


def _check_no_overlap(periods: Iterable[ExceptionalPeriod], new: ExceptionalPeriod, skip_id: int | None) -> None:
    for other in periods:
        if skip_id is not None and other.id == skip_id:
            continue
        if _overlaps(new.start_ms, new.end_ms, other.start_ms, other.end_ms):
            name = f"exceptional period {other.id}" if other.id is not None else "another exceptional period"
            raise Conflict(
                f"dateDebut/dateFin: the period overlaps {name} "
                f"([{other.start_ms}, {other.end_ms}) {other.description!r})".rstrip()
            )


def validate_new_period(
    periods: Sequence[ExceptionalPeriod], new: ExceptionalPeriod, now_ms: int
) -> ExceptionalPeriod:
    """The period as it will be stored: start moved to now if past; 400 if entirely past, 409 on overlap."""
    if new.end_ms <= new.start_ms:
        raise BadInput(f"dateFin: must be after dateDebut ({new.start_ms}); got {new.end_ms}")
    if new.end_ms <= now_ms:
        raise BadInput(f"dateFin: the period ends at {new.end_ms}, in the past; the past never changes")
    stored = replace(new, start_ms=max(new.start_ms, now_ms), slots=merge_day_slots(new.slots))
    _check_no_overlap(periods, stored, skip_id=None)
    return stored


def update_period(
    periods: Sequence[ExceptionalPeriod],
    period_id: int,
    new: ExceptionalPeriod,
    now_ms: int,
) -> tuple[ExceptionalPeriod | None, ExceptionalPeriod | None]:
    """(old period cut at now or None if it was all future, new part from max(start, now) or None)."""
    old = next((p for p in periods if p.id == period_id), None)
    if old is None:
        raise NotFound(f"extensionIdToUpdate: no exceptional period {period_id}")
    if old.end_ms <= now_ms:
        raise BadInput(f"extensionIdToUpdate: period {period_id} has ended; the past never changes")
    if new.end_ms <= new.start_ms:
        raise BadInput(f"dateFin: must be after dateDebut ({new.start_ms}); got {new.end_ms}")
    # The past part of the old period stays exactly as it was.
    kept = replace(old, end_ms=now_ms) if old.start_ms < now_ms else None
    if new.end_ms <= now_ms:
        return kept, None  # ends it now: nothing of the update lies in the future
    # An entirely future period is simply replaced and keeps its id; a split-off part is new.
    stored = replace(
        new,
        start_ms=max(new.start_ms, now_ms),
        slots=merge_day_slots(new.slots),
        id=period_id if kept is None else None,
    )
    _check_no_overlap(periods, stored, skip_id=period_id)
    return kept, stored


def can_delete_period(period: ExceptionalPeriod, now_ms: int) -> bool:
    """True when the period lies entirely in the future (nothing of it has been in force)."""
    return period.start_ms >= now_ms


# --------------------------------------------------------------------------------------------
# Expansion to UTC intervals


_EPOCH_ORDINAL = dt.date(1970, 1, 1).toordinal()


class _WallClock:
    """Wall-clock (local date, minute) -> epoch ms in one zone, with SPEC §2's DST rule."""

    def __init__(self, tz: ZoneInfo) -> None:
        self.tz = tz
        self._midnights: dict[dt.date, int] = {}
        self._offsets: dict[dt.date, int | None] = {}
        self._bases: dict[dt.date, int | None] = {}

    def midnight(self, day: dt.date) -> int:
        """The first instant of a local day."""
        ms = self._midnights.get(day)
        if ms is None:
            ms = local_to_utc_ms(dt.datetime(day.year, day.month, day.day), self.tz)
            self._midnights[day] = ms
        return ms

    def _midnight_offset(self, day: dt.date) -> int | None:
        # The UTC offset at local midnight, or None when midnight itself is in a gap or repeated.
        if day in self._offsets:
            return self._offsets[day]
        local = dt.datetime(day.year, day.month, day.day, tzinfo=self.tz)
        first, second = local.utcoffset(), local.replace(fold=1).utcoffset()
        offset = first // dt.timedelta(milliseconds=1) if first == second and first is not None else None
        self._offsets[day] = offset
        return offset

    def regular_base(self, day: dt.date) -> int | None:
        """Local midnight in ms when the day has no UTC offset change (minute m = base + m min), else None."""
        if day in self._bases:
            return self._bases[day]
        offset = self._midnight_offset(day)
        base: int | None = None
        # Same offset at both midnights: no transition inside the day (zones never change twice a day).
        if offset is not None and offset == self._midnight_offset(day + dt.timedelta(days=1)):
            base = (day.toordinal() - _EPOCH_ORDINAL) * DAY_MS - offset
        self._bases[day] = base
        return base

    def at(self, day: dt.date, minute: int) -> int:
        """Epoch ms of `minute` after local midnight of `day` (minute may run into the next days)."""
        if minute >= DAY_MIN:
            day += dt.timedelta(days=minute // DAY_MIN)
            minute %= DAY_MIN
        base = self.regular_base(day)
        if base is not None:
            return base + minute * _MIN_MS
        local = dt.datetime(day.year, day.month, day.day) + dt.timedelta(minutes=minute)
        return local_to_utc_ms(local, self.tz)

    def local_date(self, ms: int) -> dt.date:
        """The local calendar date of an instant."""
        return ms_to_local(ms, self.tz).date()


def _expand_slots(slots: Iterable[Slot], clock: _WallClock, start_ms: int, end_ms: int) -> list[Interval]:
    """Private intervals of weekly slots over `[start_ms, end_ms)`."""
    by_weekday: list[list[tuple[int, int]]] = [[] for _ in DAYS]
    for slot in slots:
        if slot.private:
            by_weekday[_DAY_INDEX[slot.day]].append(slot.span)
    if start_ms >= end_ms or not any(by_weekday):
        return []
    out: list[Interval] = []
    # Start a day early: the previous day's slots may spill past midnight into the range.
    day = clock.local_date(start_ms) - dt.timedelta(days=1)
    last = clock.local_date(end_ms - 1)
    one_day = dt.timedelta(days=1)
    while day <= last:
        spans = by_weekday[day.weekday()]
        if spans:
            base = clock.regular_base(day)
            for span_start, span_end in spans:
                if base is not None and span_end <= DAY_MIN:
                    a, b = base + span_start * _MIN_MS, base + span_end * _MIN_MS
                else:
                    a, b = clock.at(day, span_start), clock.at(day, span_end)
                a, b = max(a, start_ms), min(b, end_ms)
                if a < b:
                    out.append((a, b))
        day += one_day
    return out


def merge_intervals(intervals: Iterable[Interval]) -> list[Interval]:
    """Sorted union of half-open intervals; overlapping or touching ones are joined."""
    result: list[Interval] = []
    for start, end in sorted(i for i in intervals if i[0] < i[1]):
        if result and start <= result[-1][1]:
            if end > result[-1][1]:
                result[-1] = (result[-1][0], end)
        else:
            result.append((start, end))
    return result


def subtract_intervals(intervals: Sequence[Interval], cuts: Sequence[Interval]) -> list[Interval]:
    """Parts of merged `intervals` outside merged `cuts` (both sorted and disjoint)."""
    result: list[Interval] = []
    j = 0
    for start, end in intervals:
        while j < len(cuts) and cuts[j][1] <= start:
            j += 1
        k = j
        cursor = start
        while k < len(cuts) and cuts[k][0] < end:
            if cuts[k][0] > cursor:
                result.append((cursor, cuts[k][0]))
            cursor = max(cursor, cuts[k][1])
            k += 1
        if cursor < end:
            result.append((cursor, end))
    return result


def private_intervals(
    versions: Sequence[Version],
    periods: Sequence[ExceptionalPeriod],
    tz: ZoneInfo,
    window_start_ms: int,
    window_end_ms: int,
) -> list[Interval]:
    """Sorted, disjoint, non-adjacent UTC intervals of private time within the window."""
    if window_start_ms >= window_end_ms:
        return []
    clock = _WallClock(tz)
    recurring: list[Interval] = []
    for version in versions:
        # Each instant follows the version in force at that instant, so clip to the version.
        start = max(version.start_ms, window_start_ms)
        end = min(_end(version.end_ms), window_end_ms)
        if start < end:
            recurring.extend(_expand_slots(version.slots, clock, start, int(end)))

    exceptional: list[Interval] = []
    cuts: list[Interval] = []
    for period in periods:
        start = max(period.start_ms, window_start_ms)
        end = min(period.end_ms, window_end_ms)
        if start >= end:
            continue
        cuts.append((start, end))
        if period.slots:
            exceptional.extend(_expand_slots(period.slots, clock, start, end))
        else:
            exceptional.append((start, end))
    # Inside an exceptional period its own slots replace the recurring ones.
    outside = subtract_intervals(merge_intervals(recurring), merge_intervals(cuts))
    return merge_intervals(outside + exceptional)


# --------------------------------------------------------------------------------------------
# Display


def _wall_minute(ms: int, tz: ZoneInfo, ceil: bool) -> int:
    local = ms_to_local(ms, tz)
    minute = local.hour * 60 + local.minute
    if ceil and (local.second or local.microsecond):
        minute += 1
    return minute


def exceptional_display_slots(period: ExceptionalPeriod, tz: ZoneInfo) -> list[dict[str, Any]]:
    """Wire slots of a period: its own, or one VIE_PRIVEE_EXCEPTIONNELLE slot per local day it touches."""
    if period.slots:
        return [slot_to_wire(slot) for slot in merge_day_slots(period.slots)]
    if period.end_ms <= period.start_ms:
        return []
    clock = _WallClock(tz)
    out: list[dict[str, Any]] = []
    day = clock.local_date(period.start_ms)
    last = clock.local_date(period.end_ms - 1)
    while day <= last:
        next_day = day + dt.timedelta(days=1)
        day_start, day_end = clock.midnight(day), clock.midnight(next_day)
        piece_start, piece_end = max(period.start_ms, day_start), min(period.end_ms, day_end)
        if piece_start < piece_end:
            start_min = 0 if piece_start == day_start else _wall_minute(piece_start, tz, ceil=False)
            end_min = DAY_MIN if piece_end == day_end else min(_wall_minute(piece_end, tz, ceil=True), DAY_MIN)
            if utc_offset_ms(piece_start, tz) != utc_offset_ms(piece_end - 1, tz):
                # A DST change inside the piece: show the hull of the wall-clock hours it covers
                # (after fall-back the wall clock goes back, so the end can read before the start).
                change = transition_between_ms(piece_start, piece_end - 1, tz)
                start_min = min(start_min, _wall_minute(change, tz, ceil=False))
                end_min = max(end_min, min(_wall_minute(change - 1, tz, ceil=True), DAY_MIN))
            if start_min < end_min:
                out.append(
                    {
                        "idJourSemaine": DAYS[day.weekday()],
                        "typeHoraires": VIE_PRIVEE_EXCEPTIONNELLE,
                        "debutHeure": start_min // 60,
                        "debutMinute": start_min % 60,
                        "finHeure": end_min // 60,
                        "finMinute": end_min % 60,
                    }
                )
        day = next_day
    return out
