"""The schedules service on the real database, with an injected "now": DST nights, midnight crossing,
and the rule of the past over random sequences of writes (hypothesis)."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from sqlalchemy import select, text

from fleetprivacy.auth.models import User
from fleetprivacy.core.dates import local_to_utc_ms
from fleetprivacy.core.errors import AppError
from fleetprivacy.core.tenancy import Ctx
from fleetprivacy.schedules import engine, repository, service

PARIS = ZoneInfo("Europe/Paris")
H = 3_600_000
DAY = 24 * H
SCHEDULE_TABLES = ("schedule_version_slots", "schedule_extension_slots", "schedule_versions",
                   "schedule_extensions", "schedule_slots", "audit_log")


def paris(*args: int) -> int:
    return local_to_utc_ms(dt.datetime(*args), PARIS)


def wire(day: str, sh: int, sm: int, eh: int, em: int, kind: str = "VIE_PRIVEE") -> dict:
    return {"idJourSemaine": day, "typeHoraires": kind, "debutHeure": sh, "debutMinute": sm, "finHeure": eh,
            "finMinute": em}


def body(*slots: dict, clear: tuple[str, ...] = ()) -> dict:
    day_map: dict = {day: {} for day in clear}
    for s in slots:
        day_map.setdefault(s["idJourSemaine"], {}).setdefault(s["typeHoraires"], []).append(s)
    return {"innerMap": {"map": day_map}}


@pytest.fixture
def env(db, factory):
    """(database, admin context of a Europe/Paris customer, its individual)."""
    t = factory.tenant("svc")
    with db.session() as session:
        user_id = session.scalar(select(User.id).where(User.login == t.admin))
    ctx = Ctx(customer_id=t.customer_id, customer_timezone="Europe/Paris", user_id=user_id, login=t.admin,
              role="ADMIN", individu_id=None)
    return db, ctx, t.individu_id


def _post(db, ctx, ind, data, now, start=None, end=None):
    with db.session() as session:
        return service.post_recurring(session, ctx, ind, data, start, end, now_ms=now)


def _private(db, ctx, ind, start, end):
    with db.session() as session:
        return service.private_intervals_for(session, ctx, ind, start, end)


def _total(intervals) -> int:
    return sum(b - a for a, b in intervals)


def test_dst_nights_through_the_service(env):
    db, ctx, ind = env
    assert _post(db, ctx, ind, body(wire("DIMANCHE", 0, 0, 8, 0)), now=paris(2026, 3, 1)) is True
    spring = _private(db, ctx, ind, paris(2026, 3, 29), paris(2026, 3, 30))
    assert spring == [(paris(2026, 3, 29), paris(2026, 3, 29, 8))] and _total(spring) == 7 * H
    fall = _private(db, ctx, ind, paris(2026, 10, 25), paris(2026, 10, 26))
    assert _total(fall) == 9 * H
    assert _total(_private(db, ctx, ind, paris(2026, 3, 22), paris(2026, 3, 23))) == 8 * H
    # With a customer number instead of a context: the same answer.
    with db.session() as session:
        assert service.private_intervals_for(session, ctx.customer_id, ind, paris(2026, 3, 29),
                                             paris(2026, 3, 30)) == spring


def test_slot_inside_the_spring_gap_is_empty(env):
    db, ctx, ind = env
    _post(db, ctx, ind, body(wire("DIMANCHE", 2, 0, 3, 0)), now=paris(2026, 3, 1))
    assert _private(db, ctx, ind, paris(2026, 3, 29), paris(2026, 3, 30)) == []
    assert _total(_private(db, ctx, ind, paris(2026, 3, 22), paris(2026, 3, 23))) == H


def test_midnight_crossing_and_sunday_into_monday(env):
    db, ctx, ind = env
    now = paris(2026, 3, 1)
    _post(db, ctx, ind, body(wire("MERCREDI", 22, 0, 6, 0), wire("DIMANCHE", 22, 0, 6, 0), wire("LUNDI", 8, 0, 9, 0)),
          now=now)
    week = _private(db, ctx, ind, paris(2026, 3, 2), paris(2026, 3, 9))  # Monday to Monday
    assert week == [
        (paris(2026, 3, 2), paris(2026, 3, 2, 6)),  # Sunday 1 March's night, across the week boundary
        (paris(2026, 3, 2, 8), paris(2026, 3, 2, 9)),
        (paris(2026, 3, 4, 22), paris(2026, 3, 5, 6)),
        (paris(2026, 3, 8, 22), paris(2026, 3, 9)),
    ]
    # Rewriting Monday keeps Sunday's spill into Monday morning (it belongs to Sunday).
    _post(db, ctx, ind, body(clear=("LUNDI",)), now=now + H)
    monday = _private(db, ctx, ind, paris(2026, 3, 9), paris(2026, 3, 10))
    assert monday == [(paris(2026, 3, 9), paris(2026, 3, 9, 6))]
    # The spring-forward Sunday night: 22:00 Sunday 29 March .. 06:00 Monday lasts 8 h, not affected;
    # the night before the change (Saturday has no slot) is unaffected too.
    assert _total(_private(db, ctx, ind, paris(2026, 3, 29, 12), paris(2026, 3, 30, 12))) == 8 * H


def test_exceptional_period_replaces_recurring_through_the_service(env):
    db, ctx, ind = env
    now = paris(2026, 3, 1)
    _post(db, ctx, ind, body(*(wire(day, 18, 0, 8, 0) for day in engine.DAYS)), now=now)
    with db.session() as session:
        service.post_exceptional(session, ctx, ind, "ski", "02/03/2026 12:00:00", "04/03/2026 12:00:00",
                                 body=body(wire("MARDI", 10, 0, 12, 0, "VIE_PRIVEE_EXCEPTIONNELLE")), now_ms=now)
        service.post_exceptional(session, ctx, ind, "off", "05/03/2026 00:00:00", "06/03/2026 00:00:00", now_ms=now)
    got = _private(db, ctx, ind, paris(2026, 3, 2), paris(2026, 3, 7))
    assert got == [
        (paris(2026, 3, 2), paris(2026, 3, 2, 8)),
        (paris(2026, 3, 3, 10), paris(2026, 3, 3, 12)),
        (paris(2026, 3, 4, 18), paris(2026, 3, 6, 8)),  # Wednesday night, then Thursday all day, then the night
        (paris(2026, 3, 6, 18), paris(2026, 3, 7)),
    ]


# --- the rule of the past, through the service and the database -------------------------------

START = st.integers(0, 47).map(lambda i: i * 30)
END = st.sampled_from([*(i * 30 for i in range(49)), 1439])
KINDS = st.sampled_from(["VIE_PRIVEE", "VIE_PRIVEE_EXCEPTIONNELLE", "TRAVAIL"])


@st.composite
def wire_slot(draw: st.DrawFn, day: str) -> dict:
    start, end = draw(START), draw(END)
    if start == end:
        end = (start + 30) % 1440
    return wire(day, start // 60, start % 60, end // 60, end % 60, draw(KINDS))


@st.composite
def post_bodies(draw: st.DrawFn) -> dict:
    days = draw(st.lists(st.sampled_from(engine.DAYS), unique=True, min_size=1, max_size=3))
    slots = [s for day in days for s in draw(st.lists(wire_slot(day), max_size=2))]
    return body(*slots, clear=tuple(days))


def _when(offset_h: int | None, now: int) -> str | None:
    if offset_h is None:
        return None
    local = dt.datetime.fromtimestamp((now + offset_h * H) / 1000, PARIS)
    return local.strftime("%d/%m/%Y %H:%M:%S")


OPS = st.one_of(
    st.tuples(st.just("post"), st.integers(0, 30), post_bodies(),
              st.one_of(st.none(), st.integers(-48, 200)), st.one_of(st.none(), st.integers(1, 300))),
    st.tuples(st.just("delete"), st.integers(0, 30), st.lists(st.integers(0, 20), min_size=1, max_size=3)),
    st.tuples(st.just("exceptional"), st.integers(0, 30), st.integers(-48, 200), st.integers(1, 120),
              st.one_of(st.none(), post_bodies())),
    st.tuples(st.just("update"), st.integers(0, 30), st.integers(0, 5), st.integers(-48, 200), st.integers(1, 120)),
    st.tuples(st.just("delete_exceptional"), st.integers(0, 30), st.integers(0, 5)),
)


def _apply(session, ctx, ind, op, now) -> None:
    kind = op[0]
    if kind == "post":
        _k, _d, data, start_h, length_h = op
        start = _when(start_h, now)
        end = None if length_h is None else _when((start_h or 0) + length_h, now)
        service.post_recurring(session, ctx, ind, data, start, end, now_ms=now)
    elif kind == "delete":
        rows = service.list_recurring(session, ctx, ind, historique=True, now_ms=now)
        if rows:
            ids = [str(rows[i % len(rows)]["id"]) for i in op[2]]
            service.delete_recurring(session, ctx, ind, ids, now_ms=now)
    elif kind == "exceptional":
        _k, _d, start_h, length_h, data = op
        service.post_exceptional(session, ctx, ind, "p", _when(start_h, now), _when(start_h + length_h, now),
                                 body=data, now_ms=now)
    else:
        periods = service.list_exceptional(session, ctx, ind)
        if not periods:
            return
        target = periods[op[2] % len(periods)]["id"]
        if kind == "update":
            service.post_exceptional(session, ctx, ind, "u", _when(op[3], now), _when(op[3] + op[4], now),
                                     extension_id_to_update=target, now_ms=now)
        else:
            service.delete_exceptional(session, ctx, [str(target)], now_ms=now)


def _check_invariants(db, ctx, ind) -> None:
    with db.session() as session:
        history = repository.load_histories(session, ctx, [ind])[ind]
        engine.check_history(history.versions)  # sorted, no overlap, positive durations
        periods = repository.load_periods(session, ctx, [ind])[ind].periods
    for a, b in zip(periods, periods[1:]):
        assert a.end_ms <= b.start_ms, (a, b)


@settings(max_examples=30, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(base=st.sampled_from([paris(2026, 3, 24), paris(2026, 10, 20)]),
       ops=st.lists(OPS, min_size=1, max_size=8))
def test_writes_never_change_the_past_and_versions_never_overlap(env, base, ops):
    db, ctx, ind = env
    with db.engine.begin() as conn:  # a clean history for each example
        for table in SCHEDULE_TABLES:
            conn.execute(text(f"DELETE FROM {table}"))
    origin = base - 7 * DAY
    now = base
    for op in ops:
        now += op[1] * H + 7 * 60_000 * op[1]  # odd minutes: boundaries fall inside slots too
        before = _private(db, ctx, ind, origin, now)
        try:
            with db.session() as session:
                _apply(session, ctx, ind, op, now)
            event(f"{op[0]} stored")
        except AppError as exc:  # refused (400/404/409): the session rolled back
            event(f"{op[0]} refused ({exc.status})")
        assert _private(db, ctx, ind, origin, now) == before, op
        _check_invariants(db, ctx, ind)
