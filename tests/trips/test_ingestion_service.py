"""The ingestion service on the real test database: batches, order, idempotency, stable ids, privacy by
design, purge, drivers and consumption."""

from __future__ import annotations

import random
from contextlib import contextmanager
from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from fleetprivacy.core.errors import Conflict
from fleetprivacy.reference.models import Affectation, Customer, Individu, Vehicle
from fleetprivacy.trips import service
from fleetprivacy.trips.models import Etape, Position
from fleetprivacy.trips.segmentation import DEFAULT_CONFIG, Fix, segment
from trips_support import HOME, MIN, OFFICE, T0, commute_day

DAY = 86_400_000


@pytest.fixture
def fleet(db, factory):
    """A customer with one vehicle; ``fleet.ingest(fixes)`` runs one batch in its own transaction."""

    class Fleet:
        customer_id = factory.customer("Trips SA")

        def __init__(self) -> None:
            with db.session() as session:
                v = Vehicle(customer_id=self.customer_id, immatriculation="TR-1", numero_embarque=11)
                session.add(v)
                session.flush()
                self.vehicle_id = v.id

        def ingest(self, fixes, vehicle_id=None) -> service.IngestSummary:
            with db.session() as session:
                ctx = service.system_ctx(session, self.customer_id)
                vehicle = session.get(Vehicle, vehicle_id or self.vehicle_id)
                return service.ingest_fixes(session, ctx, vehicle, fixes, DEFAULT_CONFIG)

        def steps(self, vehicle_id=None) -> list[Etape]:
            with db.session() as session:
                return list(session.scalars(select(Etape).where(Etape.vehicle_id == (vehicle_id or self.vehicle_id))
                                            .order_by(Etape.start_ms)))

        def positions(self) -> list[int]:
            with db.session() as session:
                return list(session.scalars(select(Position.t_ms).where(Position.vehicle_id == self.vehicle_id)
                                            .order_by(Position.t_ms)))

        def set(self, **values) -> None:
            with db.session() as session:
                c = session.get(Customer, self.customer_id)
                for k, v in values.items():
                    setattr(c, k, v)

        @contextmanager
        def tx(self):
            """A session and an ADMIN context of the customer, committed at the end."""
            with db.session() as session:
                yield session, service.system_ctx(session, self.customer_id)

        def vehicle(self, **values) -> None:
            with db.session() as session:
                v = session.get(Vehicle, self.vehicle_id)
                for k, val in values.items():
                    setattr(v, k, val)

    return Fleet()


def _shape(steps) -> list[tuple]:
    return [(s.kind, s.start_ms, s.end_ms, s.distance_m, s.device_private, s.open) for s in steps]


def _expected(fixes) -> list[tuple]:
    return [(s.kind, s.start_ms, s.end_ms, s.distance_m, s.device_private, s.open) for s in segment(fixes)]


def _three_days() -> list[Fix]:
    fixes: list[Fix] = []
    for d in range(3):
        fixes += commute_day(T0 + d * DAY, private_return=d == 1)
    # A GPS spike in the middle of day 0's drive to the office.
    k = next(i for i, f in enumerate(fixes) if f.t_ms == T0 + 40 * MIN)
    fixes[k] = fixes[k]._replace(lat=fixes[k].lat + 0.05)
    # A 15-minute silence on day 2, from the end of the office stop into the drive back.
    hole = (T0 + 2 * DAY + 100 * MIN, T0 + 2 * DAY + 115 * MIN)
    return [f for f in fixes if not hole[0] <= f.t_ms < hole[1]]


def test_one_batch_gives_the_segmenters_cut(fleet):
    fixes = _three_days()
    summary = fleet.ingest(fixes)
    assert (summary.received, summary.stored, summary.duplicates) == (len(fixes), len(fixes), 0)
    steps = fleet.steps()
    assert _shape(steps) == _expected(fixes)
    assert [s.kind for s in steps[:5]] == ["STOP", "TRIP", "STOP", "TRIP", "STOP"]
    assert summary.etapes_created == len(steps) and not any(s.open for s in steps[:-1]) and steps[-1].open
    assert steps[0].start_lat == pytest.approx(HOME[0], abs=1e-4) and steps[1].end_lon == pytest.approx(OFFICE[1])


def test_resending_creates_nothing(fleet):
    fixes = _three_days()
    fleet.ingest(fixes)
    before = [(s.id, s.start_ms, s.end_ms, s.distance_m) for s in fleet.steps()]
    again = fleet.ingest(fixes[100:400] + fixes)
    assert (again.stored, again.etapes_created, again.etapes_updated, again.etapes_deleted) == (0, 0, 0, 0)
    assert again.duplicates == again.received == len(fixes) + 300
    assert [(s.id, s.start_ms, s.end_ms, s.distance_m) for s in fleet.steps()] == before
    assert len(fleet.positions()) == len(fixes)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_pieces_in_any_order_give_the_same_cut(fleet, seed):
    fixes = _three_days()
    rng = random.Random(seed)
    cuts = sorted(rng.sample(range(1, len(fixes)), 9))
    pieces = [fixes[a:b] for a, b in zip([0, *cuts], [*cuts, len(fixes)])]
    if seed > 1:
        rng.shuffle(pieces)  # late batches: re-cut from the last stop before them
    for piece in pieces:
        fleet.ingest(piece)
    assert _shape(fleet.steps()) == _expected(fixes)
    assert len(fleet.positions()) == len(fixes)


def _random_drives(seed: int, ignition: bool) -> list[Fix]:
    """A day of random stops and drives, 10 s fixes moving, 60 s parked; with silences, maybe ignition."""
    rng = random.Random(seed)
    lat, lon, t = 48.8, 2.3, T0
    fixes: list[Fix] = []
    while t < T0 + DAY:
        for _ in range(rng.randint(2, 40)):
            fixes.append(Fix(t, lat + rng.gauss(0, 2e-5), lon + rng.gauss(0, 2e-5), None, False if ignition else None))
            t += 60_000
        if rng.random() < 0.3:
            t += rng.randint(5, 30) * MIN  # the unit was off
        for _ in range(rng.randint(10, 200)):
            lat += rng.uniform(-1, 1) * 2e-3
            lon += rng.uniform(-1, 1) * 2e-3
            fixes.append(Fix(t, lat, lon, rng.uniform(10, 70), True if ignition else None))
            t += 10_000
    return fixes


@pytest.mark.parametrize("seed,ignition", [(11, False), (12, True)])
def test_random_streams_in_shuffled_pieces_give_the_same_cut(fleet, seed, ignition):
    fixes = _random_drives(seed, ignition)
    rng = random.Random(seed)
    cuts = sorted(rng.sample(range(1, len(fixes)), 15))
    pieces = [fixes[a:b] for a, b in zip([0, *cuts], [*cuts, len(fixes)])]
    rng.shuffle(pieces)
    for piece in pieces:
        fleet.ingest(piece)
    assert _shape(fleet.steps()) == _expected(fixes)


def test_step_ids_are_stable_as_batches_arrive(fleet):
    fixes = _three_days()
    seen: dict[tuple[str, int], int] = {}
    for k in range(0, len(fixes), 37):
        fleet.ingest(fixes[k:k + 37])
        for s in fleet.steps():
            if not s.open:
                # A closed step keeps its id (and its start) whatever comes later.
                assert seen.setdefault((s.kind, s.start_ms), s.id) == s.id
    final = fleet.steps()
    assert _shape(final) == _expected(fixes)
    assert {(s.kind, s.start_ms): s.id for s in final[:-1]}.items() <= seen.items()


def test_an_open_trip_is_completed_in_place(fleet):
    fixes = commute_day()
    mid_drive = T0 + 40 * MIN
    fleet.ingest([f for f in fixes if f.t_ms <= mid_drive])
    trip = fleet.steps()[-1]
    assert trip.kind == "TRIP" and trip.open and trip.end_ms == mid_drive
    fleet.ingest([f for f in fixes if f.t_ms > mid_drive])
    same = next(s for s in fleet.steps() if s.kind == "TRIP")
    assert same.id == trip.id and not same.open and same.end_ms == T0 + 50 * MIN
    assert same.distance_m == pytest.approx(17_916, abs=5)


def test_late_data_changes_a_closed_step_in_place(fleet):
    fixes = _three_days()
    # Day 1's office stop without its middle (a 40-minute silence is a stop anyway), and day 2 sent.
    hole = (T0 + DAY + 60 * MIN, T0 + DAY + 100 * MIN)
    fleet.ingest([f for f in fixes if not hole[0] <= f.t_ms < hole[1]])
    before = {(s.kind, s.start_ms): s.id for s in fleet.steps()}
    # The missing fixes arrive a day late, with a detour: the vehicle drove 2 km away and back.
    late = [f for f in fixes if hole[0] <= f.t_ms < hole[1]]
    late = [f._replace(lat=f.lat + 0.018) if hole[0] + 15 * MIN <= f.t_ms < hole[0] + 25 * MIN else f for f in late]
    summary = fleet.ingest(late)
    assert summary.stored == len(late) and summary.etapes_created >= 1
    merged = sorted([f for f in fixes if not hole[0] <= f.t_ms < hole[1]] + late, key=lambda f: f.t_ms)
    after = fleet.steps()
    assert _shape(after) == _expected(merged)
    # Steps that still exist kept their ids; everything before the re-cut window is untouched.
    for s in after:
        if s.start_ms < hole[0] - 60 * MIN:
            assert before[(s.kind, s.start_ms)] == s.id
    first_trip_day2 = next(s for s in after if s.kind == "TRIP" and s.start_ms > T0 + 2 * DAY)
    assert before[("TRIP", first_trip_day2.start_ms)] == first_trip_day2.id


def test_match_steps_prefers_the_largest_overlap_of_the_same_kind():
    old = [{"id": 1, "kind": "STOP", "start_ms": 0, "end_ms": 10}, {"id": 2, "kind": "TRIP", "start_ms": 10, "end_ms": 20},
           {"id": 3, "kind": "STOP", "start_ms": 20, "end_ms": 50}]
    new = [{"kind": "STOP", "start_ms": 0, "end_ms": 10}, {"kind": "TRIP", "start_ms": 10, "end_ms": 20},
           {"kind": "STOP", "start_ms": 20, "end_ms": 25}, {"kind": "TRIP", "start_ms": 25, "end_ms": 30},
           {"kind": "STOP", "start_ms": 30, "end_ms": 50}]
    assert service.match_steps(old, new) == [1, 2, None, None, 3]


def test_ignition_odometer_and_counters_are_used(fleet):
    fleet.vehicle(valeur_consommation=6.0)
    fixes = []
    odo, fuel = 100_000.0, 50.0
    for k in range(200):
        on = 20 <= k < 150
        if on and k > 20:
            odo += 150.0
            fuel += 0.01
        fixes.append(Fix(T0 + k * 30_000, 48.85, 2.35 + (odo - 100_000) / 1e7, None, on, odo, fuel, None, None))
    fleet.ingest(fixes)
    trip = next(s for s in fleet.steps() if s.kind == "TRIP")
    assert trip.start_ms == T0 + 20 * 30_000 and trip.end_ms == T0 + 150 * 30_000
    assert trip.distance_m == pytest.approx(129 * 150.0)  # the odometer, not the great circle
    assert trip.fuel_l == pytest.approx(1.29) and trip.fuel_estimated is False
    assert trip.energy_kwh is None and trip.energy_estimated is False


def test_fuel_and_energy_are_estimated_from_the_vehicles_consumption(fleet):
    fleet.vehicle(valeur_consommation=6.5)
    fleet.ingest(commute_day())
    trip = next(s for s in fleet.steps() if s.kind == "TRIP")
    assert trip.fuel_estimated and trip.fuel_l == pytest.approx(trip.distance_m / 100_000 * 6.5)
    assert trip.electric_distance_m == 0 and trip.energy_kwh is None
    with fleet.tx() as (session, ctx):
        ev = Vehicle(customer_id=fleet.customer_id, immatriculation="EV-1", numero_embarque=13,
                     type_motorisation="ELECTRIQUE", valeur_consommation=17.0)
        session.add(ev)
        session.flush()
        ev_id = ev.id
    fleet.ingest(commute_day(), vehicle_id=ev_id)
    ev_trip = next(s for s in fleet.steps(ev_id) if s.kind == "TRIP")
    assert ev_trip.energy_estimated and ev_trip.energy_kwh == pytest.approx(ev_trip.distance_m / 100_000 * 17)
    assert ev_trip.electric_distance_m == ev_trip.distance_m and ev_trip.fuel_l is None
    # Without valeurConsommation nothing is guessed.
    fleet.vehicle(valeur_consommation=None)
    fleet.ingest(commute_day(T0 + DAY))
    assert next(s for s in fleet.steps() if s.kind == "TRIP" and s.start_ms > T0 + DAY).fuel_l is None


def test_driver_from_badge_else_assignment(fleet):
    with fleet.tx() as (session, _):
        badged = Individu(customer_id=fleet.customer_id, nom_ind="Badge", badge="B-42")
        assigned = Individu(customer_id=fleet.customer_id, nom_ind="Assigned")
        session.add_all([badged, assigned])
        session.flush()
        session.add(Affectation(customer_id=fleet.customer_id, individu_id=assigned.id, vehicle_id=fleet.vehicle_id,
                                debut_at=datetime(2026, 1, 6, tzinfo=UTC)))
        ids = badged.id, assigned.id
    day0 = commute_day()
    day0 = [f._replace(badge="B-42") if T0 + 90 * MIN < f.t_ms < T0 + 120 * MIN else f for f in day0]
    fleet.ingest(day0 + commute_day(T0 + DAY) + commute_day(T0 + 2 * DAY, badge="UNKNOWN"))
    trips = [s for s in fleet.steps() if s.kind == "TRIP"]
    assert [(s.individu_id, s.assignment_mode) for s in trips] == [
        (None, None),  # day 0 to the office: no badge, no assignment yet
        (ids[0], "AUTO"),  # day 0 back: the badge read during the trip
        (ids[1], "MANUAL"), (ids[1], "MANUAL"),  # day 1: the assignment in force
        (ids[1], "MANUAL"), (ids[1], "MANUAL"),  # day 2: an unknown badge falls back to it
    ]
    assert trips[1].badge == "B-42" and trips[4].badge == "UNKNOWN"


def test_private_positions_are_not_kept_when_the_customer_says_so(fleet):
    fleet.set(store_private_positions=False)
    fixes = commute_day(private_return=True) + commute_day(T0 + DAY)
    first_day = [f for f in fixes if f.t_ms < T0 + DAY]
    s1 = fleet.ingest(first_day)
    # Day 0's private trip ends where the last (open) stop starts: it can no longer change, so its
    # positions go at once, but for its last one, where the next batch resumes. The open stop
    # (private too: it starts on a private fix) keeps its positions, masked on read, until it closes.
    trip = next(s for s in fleet.steps() if s.kind == "TRIP" and s.device_private)
    assert s1.discarded_private == sum(1 for f in first_day if trip.start_ms <= f.t_ms < trip.end_ms) == 120
    assert [t for t in fleet.positions() if trip.start_ms <= t <= trip.end_ms] == [trip.end_ms]
    assert trip.frozen and not fleet.steps()[-1].frozen
    s2 = fleet.ingest([f for f in fixes if f.t_ms >= T0 + DAY])
    steps = fleet.steps()
    private = [s for s in steps if s.device_private]
    assert [s.kind for s in private] == ["TRIP", "STOP"] and all(s.frozen for s in private)
    trip = private[0]
    assert trip.distance_m == pytest.approx(17_915, abs=5)  # the distance stays
    kept = fleet.positions()
    assert not [t for t in kept if trip.start_ms <= t <= private[1].end_ms]
    # Day 1 starts inside the private stop (the car stayed where the private trip ended overnight).
    assert s2.discarded_private == sum(1 for f in fixes if T0 + DAY <= f.t_ms <= private[1].end_ms) == 31
    assert sum(1 for f in fixes if trip.start_ms <= f.t_ms <= private[1].end_ms) == len(fixes) - len(kept)
    # Re-sending the private fixes stores nothing: they are behind frozen steps, in private time.
    again = fleet.ingest(first_day)
    assert again.stored == 0 and again.discarded_private > 0
    assert fleet.positions() == kept and _shape(fleet.steps()) == _shape(steps)
    # A late public fix before the frozen steps is stored but re-cuts nothing.
    late = fleet.ingest([Fix(T0 - 10 * MIN, *HOME)])
    assert late.stored == 1 and late.etapes_created == late.etapes_updated == 0


def test_purge_deletes_old_positions_and_keeps_steps(fleet):
    fixes = commute_day() + commute_day(T0 + 3 * DAY)
    fleet.ingest(fixes)
    steps = _shape(fleet.steps())
    fleet.set(position_retention_days=2)
    with fleet.tx() as (session, ctx):
        report = service.purge(session, ctx, now_ms=T0 + 4 * DAY + 12 * 3_600_000)
    kept = fleet.positions()
    assert report["positionsDeleted"] == len(fixes) - len(kept) > 0
    assert min(kept) >= T0 + 2 * DAY + 12 * 3_600_000 or min(kept) >= T0 + 3 * DAY
    after = fleet.steps()
    assert _shape(after) == steps  # steps and totals stay
    assert all(s.frozen for s in after if s.start_ms < T0 + 2 * DAY) and report["etapesFrozen"] > 0
    # Everything is old: the positions from the last stop on stay, the next batch needs them.
    with fleet.tx() as (session, ctx):
        service.purge(session, ctx, now_ms=T0 + 400 * DAY)
    last_stop = max(s.start_ms for s in after if s.kind == "STOP")
    assert fleet.positions() and min(fleet.positions()) == last_stop
    fleet.ingest(commute_day(T0 + 5 * DAY))
    trips = [s for s in fleet.steps() if s.kind == "TRIP"]
    assert len(trips) == 6 and [s for s in trips if s.start_ms > T0 + 5 * DAY][0].distance_m > 17_000


def test_the_insert_ignores_duplicates_on_both_dialects(fleet, db):
    from sqlalchemy.dialects import postgresql

    from fleetprivacy.trips.repository import _PG_INSERT, _insert_ignore_sql, insert_positions

    with db.session() as session:
        sql, _ = _insert_ignore_sql(session)
        if db.is_sqlite:
            assert "ON CONFLICT (vehicle_id, t_ms) DO NOTHING" in sql
        ctx = service.system_ctx(session, fleet.customer_id)
        fix = Fix(T0, 1.0, 2.0)
        insert_positions(session, ctx, fleet.vehicle_id, [fix])
        insert_positions(session, ctx, fleet.vehicle_id, [fix._replace(lat=3.0), Fix(T0 + 1, 1.0, 2.0)])
        rows = session.execute(select(Position.t_ms, Position.lat).where(Position.vehicle_id == fleet.vehicle_id)
                               .order_by(Position.t_ms)).all()
        assert [tuple(r) for r in rows] == [(T0, 1.0), (T0 + 1, 1.0)]  # the stored one wins
    if _PG_INSERT:
        assert "ON CONFLICT (vehicle_id, t_ms) DO NOTHING" in str(_PG_INSERT[0].compile(dialect=postgresql.dialect()))


def test_steps_of_both_routes_do_not_mix(fleet, db):
    fleet.ingest(commute_day())
    with db.session() as session:
        ctx = service.system_ctx(session, fleet.customer_id)
        vehicle = session.get(Vehicle, fleet.vehicle_id)
        with pytest.raises(Conflict):
            service.ingest_etapes(session, ctx, vehicle, [service.EtapeData("TRIP", T0 + 5 * DAY, T0 + 5 * DAY + 1, [])])
