"""Deterministic synthetic fleets: when each vehicle drives, who drives it, the private-life schedules
that go with it, and GPS positions along every trip.

- ``generate``: the steps of a fleet over ``n_days`` local days from ``start`` in a time zone, as
  columns (numpy): weekday commutes (about 07:30 and 17:50), two business trips in working hours
  (about 10:30 and 14:30), and for function cars private evenings (some across midnight) and weekend
  outings; days of leave (``leave``) replace the working trips by private outings; stops between
  trips; device private flags, retroactive decisions and unidentified drivers at small rates.
- ``schedules``: the historical import of every driver's private time (two recurring versions, the
  second from the middle of the period, and exceptional periods).
- ``route_fixes``: one vehicle's positions along its generated trips (every minute, ignition on
  while driving and off at each arrival, odometer, fuel or energy counters, the driver's badge, the
  device private flag): what an on-board unit would send, for the ingestion service to cut again.

Same arguments, same output: everything is drawn from seeded generators. Used by ``fleetprivacy demo``
(90 days ending at the moment it runs, positions through the ingestion service) and by ``bench/bench_analysis.py``
(a year of 1,000 vehicles, steps written in bulk then classified).
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

import numpy as np

from fleetprivacy.analysis.periods import local_midnight
from fleetprivacy.trips.segmentation import Fix

SEED = 2026
MIN = 60_000
H = 3_600_000
DAYS_FR = ("LUNDI", "MARDI", "MERCREDI", "JEUDI", "VENDREDI", "SAMEDI", "DIMANCHE")
PARIS = ZoneInfo("Europe/Paris")
EARTH_RADIUS_M = 6_371_008.8


@dataclass
class FleetData:
    """A generated fleet: reference data by index, steps as columns (sorted by vehicle, then start)."""

    n_vehicles: int
    n_days: int
    start_date: dt.date
    midnights: np.ndarray  # epoch ms of each local midnight, n_days + 1 values
    vehicle_site: np.ndarray
    vehicle_motor: list[str]
    vehicle_geo: np.ndarray
    vehicle_fuel_price: list[float | None]
    driver_site: np.ndarray
    driver_group: np.ndarray
    function: np.ndarray  # vehicle index -> has its main driver as function vehicle
    # steps
    vehicle: np.ndarray
    kind: np.ndarray  # 0 STOP, 1 TRIP
    start: np.ndarray
    end: np.ndarray
    driver: np.ndarray  # driver index, -1 unidentified
    distance: np.ndarray
    electric: np.ndarray
    fuel: np.ndarray
    energy: np.ndarray
    battery: np.ndarray
    device_private: np.ndarray
    retro: np.ndarray  # -1 none, 0 professional, 1 private

    @property
    def n_steps(self) -> int:
        return len(self.start)

    @property
    def n_drivers(self) -> int:
        return len(self.driver_site)

    def day_index(self, t_ms: int) -> int:
        """The local day (0 = ``start_date``) an instant falls on."""
        return int(np.searchsorted(self.midnights, t_ms, side="right")) - 1


def generate(n_vehicles: int, n_days: int, seed: int = SEED, *, start: dt.date = dt.date(2026, 1, 1),
             tz: ZoneInfo = PARIS, n_sites: int = 20, motors: Sequence[str] | None = None,
             function: Sequence[bool] | None = None, leave: np.ndarray | None = None,
             until_ms: int | None = None) -> FleetData:
    """The deterministic fleet: same arguments, same steps.

    ``motors`` and ``function`` fix each vehicle's motorisation and function-car status instead of
    drawing them; ``leave`` (vehicles x days, bool) marks the days its main driver is on leave.
    ``until_ms`` (epoch ms, e.g. the moment of generation) drops every trip that would end after it,
    so that nothing lies in the future: every step (and every position along the trips) ends at or
    before it. It is applied after every draw: the steps kept are exactly those the same call without
    it gives.
    """
    rng = np.random.default_rng(seed)
    n_drivers = n_vehicles + max(n_vehicles // 10, 1)  # a main driver per vehicle + a pool
    vehicle_site = rng.integers(0, n_sites, n_vehicles)
    drawn_motors = rng.choice(["MONO", "ELECTRIQUE", "HYBRIDE"], n_vehicles, p=[0.7, 0.15, 0.15]).tolist()
    geo = rng.random(n_vehicles) < 0.9
    fuel_price = [1.70 if r < 0.1 else None for r in rng.random(n_vehicles)]
    driver_site = np.concatenate([vehicle_site, rng.integers(0, n_sites, n_drivers - n_vehicles)])
    driver_group = rng.integers(0, 10, n_drivers)
    drawn_function = rng.random(n_vehicles) < 0.4
    vehicle_motors = list(motors) if motors is not None else drawn_motors
    is_function = np.array(function, dtype=bool) if function is not None else drawn_function

    starts: list[np.ndarray] = []
    ends: list[np.ndarray] = []
    vehs: list[np.ndarray] = []
    kinds: list[np.ndarray] = []
    days = [start + dt.timedelta(days=i) for i in range(n_days)]
    midnights = np.array([local_midnight(d, tz) for d in days] + [local_midnight(days[-1] + dt.timedelta(days=1), tz)],
                         dtype=np.int64)
    weekday = np.array([d.weekday() for d in days])
    for v in range(n_vehicles):
        trip_s: list[np.ndarray] = []
        trip_e: list[np.ndarray] = []
        work = weekday < 5
        if leave is not None:
            work = work & ~leave[v]
        m = midnights[:-1]
        # Weekdays: morning commute, two working trips, evening commute.
        for hour, spread, dur in ((7.5, 0.5, 35), (10.5, 1.0, 50), (14.5, 1.0, 60), (17.8, 0.6, 40)):
            s = m[work] + ((hour + rng.uniform(-spread, spread, work.sum())) * H).astype(np.int64)
            trip_s.append(s)
            trip_e.append(s + (rng.uniform(0.5, 1.5, work.sum()) * dur * MIN).astype(np.int64))
        if is_function[v]:
            # Private evenings (some across midnight) and weekend (or leave) outings.
            eve = work & (rng.random(n_days) < 0.3)
            s = m[eve] + ((rng.uniform(20, 23.3, eve.sum())) * H).astype(np.int64)
            trip_s.append(s)
            trip_e.append(s + (rng.uniform(20, 90, eve.sum()) * MIN).astype(np.int64))
            wk = ~work & (rng.random(n_days) < 0.6)
            s = m[wk] + ((rng.uniform(9, 17, wk.sum())) * H).astype(np.int64)
            trip_s.append(s)
            trip_e.append(s + (rng.uniform(30, 180, wk.sum()) * MIN).astype(np.int64))
        ts = np.concatenate(trip_s)
        te = np.concatenate(trip_e)
        order = np.argsort(ts, kind="stable")
        ts, te = ts[order], te[order]
        # No overlap: a trip starts at least 5 minutes after the previous one ends.
        for i in range(1, len(ts)):
            if ts[i] < te[i - 1] + 5 * MIN:
                shift = te[i - 1] + 5 * MIN - ts[i]
                ts[i] += shift
                te[i] += shift
        # Stops between trips (never counted, but they are steps).
        ss, se = te[:-1], ts[1:]
        s_all = np.concatenate([ts, ss])
        e_all = np.concatenate([te, se])
        k_all = np.concatenate([np.ones(len(ts), np.int8), np.zeros(len(ss), np.int8)])
        order = np.argsort(s_all, kind="stable")
        starts.append(s_all[order])
        ends.append(e_all[order])
        vehs.append(np.full(len(order), v, np.int64))
        kinds.append(k_all[order])
    start_ms = np.concatenate(starts)
    end_ms = np.concatenate(ends)
    vehicle = np.concatenate(vehs)
    kind = np.concatenate(kinds)
    n = len(start_ms)
    trip = kind == 1
    hours = (end_ms - start_ms) / H
    speed = rng.uniform(25, 85, n)  # km/h
    distance = np.where(trip, hours * speed * 1000, 0.0)
    motor = np.array(vehicle_motors)[vehicle]
    electric_share = np.select([motor == "ELECTRIQUE", motor == "HYBRIDE"], [1.0, 0.3], 0.0)
    electric = distance * electric_share
    fuel = (distance - electric) / 100_000 * rng.uniform(5, 8, n)
    energy = electric / 100_000 * rng.uniform(14, 20, n)
    battery = energy / 0.6
    r = rng.random(n)
    driver = np.where(r < 0.95, vehicle, np.where(r < 0.97, n_vehicles + rng.integers(0, n_drivers - n_vehicles, n), -1))
    device_private = trip & (rng.random(n) < 0.02)
    rr = rng.random(n)
    retro = np.where(trip & (rr < 0.005), 1, np.where(trip & (rr < 0.01), 0, -1)).astype(np.int8)
    if until_ms is not None:
        # Nothing after the moment of generation: a trip not over by then is dropped, and so is the
        # stop before it (a stop always ends where the same vehicle's next trip starts). Filtered
        # after every draw, so that what is kept is exactly what the same call without it gives.
        next_end = np.append(end_ms[1:], np.iinfo(np.int64).max)
        keep = np.where(trip, end_ms <= until_ms, next_end <= until_ms)
        vehicle, kind, start_ms, end_ms, driver, distance, electric, fuel, energy, battery, device_private, retro = (
            a[keep] for a in (vehicle, kind, start_ms, end_ms, driver, distance, electric, fuel, energy, battery,
                              device_private, retro))
    return FleetData(
        n_vehicles, n_days, start, midnights, vehicle_site, vehicle_motors, geo, fuel_price, driver_site,
        driver_group, is_function, vehicle, kind, start_ms, end_ms, driver, distance, electric, fuel, energy,
        battery, device_private, retro,
    )


# --- schedules -------------------------------------------------------------------------------


def slot(day: str, h1: int, m1: int, h2: int, m2: int, kind: str = "VIE_PRIVEE") -> dict[str, Any]:
    """One slot in the API's six fields."""
    return {"idJourSemaine": day, "typeHoraires": kind, "debutHeure": h1, "debutMinute": m1,
            "finHeure": h2, "finMinute": m2}


def schedules(fleet: FleetData, driver_ids: Sequence[int], rng: np.random.Generator, *,
              first_from: dt.date | None = None,
              periods: dict[int, list[dict[str, Any]]] | None = None,
              weekends_after_change: bool = False) -> dict[str, Any]:
    """The historical import (docs/api-schedules.md) of every driver's private time.

    Two recurring versions: evenings from 18:00 or 19:00 to 07:00 (Monday to Thursday), Friday
    evening and whole weekends; then from the middle of the period weeknights from 19:30 or 20:30 to
    06:30 (and, when ``weekends_after_change``, Friday evening to Monday 06:30). Exceptional periods: ``periods`` (driver index -> import objects) when
    given, else a random ten-day leave for every third driver.
    """
    start = (first_from or fleet.start_date).isoformat()
    mid = (fleet.start_date + dt.timedelta(days=fleet.n_days // 2)).isoformat()
    out = []
    for i, ind in enumerate(driver_ids):
        evening = int(rng.integers(18, 20))
        first = {d: {"VIE_PRIVEE": [slot(d, evening, 0, 7, 0)]} for d in DAYS_FR[:4]}
        first["VENDREDI"] = {"VIE_PRIVEE": [slot("VENDREDI", evening, 0, 23, 59)]}
        first["SAMEDI"] = {"VIE_PRIVEE": [slot("SAMEDI", 0, 0, 23, 59)]}
        first["DIMANCHE"] = {"VIE_PRIVEE": [slot("DIMANCHE", 0, 0, 23, 59)]}
        second = {d: {"VIE_PRIVEE": [slot(d, evening + 1, 30, 6, 30)]} for d in DAYS_FR[:5]}
        if weekends_after_change:
            # Friday evening to Monday 06:30.
            second["LUNDI"] = {"VIE_PRIVEE": [slot("LUNDI", 0, 0, 6, 30), slot("LUNDI", evening + 1, 30, 6, 30)]}
            second["VENDREDI"] = {"VIE_PRIVEE": [slot("VENDREDI", evening + 1, 30, 23, 59)]}
            second["SAMEDI"] = {"VIE_PRIVEE": [slot("SAMEDI", 0, 0, 23, 59)]}
            second["DIMANCHE"] = {"VIE_PRIVEE": [slot("DIMANCHE", 0, 0, 23, 59)]}
        versions = [
            {"debut": f"{start}T00:00:00", "fin": f"{mid}T00:00:00", "innerMap": {"map": first}},
            {"debut": f"{mid}T00:00:00", "fin": None, "innerMap": {"map": second}},
        ]
        if periods is not None:
            exceptional = periods.get(i, [])
        else:
            exceptional = []
            if i % 3 == 0:
                first_day = fleet.start_date + dt.timedelta(days=int(rng.integers(0, max(fleet.n_days - 14, 1))))
                exceptional.append({"description": "congés", "debut": f"{first_day.isoformat()}T00:00:00",
                                    "fin": f"{(first_day + dt.timedelta(days=10)).isoformat()}T12:00:00"})
        out.append({"individuId": ind, "versions": versions, "exceptionnelles": exceptional})
    return {"individus": out}


# --- positions -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Place:
    """A point, WGS84 degrees."""

    lat: float
    lon: float


def offset(place: Place, distance_m: float, bearing_rad: float) -> Place:
    """The point ``distance_m`` away from ``place`` in direction ``bearing_rad`` (flat-earth, small distances)."""
    dlat = distance_m * math.cos(bearing_rad) / EARTH_RADIUS_M
    dlon = distance_m * math.sin(bearing_rad) / (EARTH_RADIUS_M * math.cos(math.radians(place.lat)))
    return Place(place.lat + math.degrees(dlat), place.lon + math.degrees(dlon))


def _metres(a: Place, b: Place) -> float:
    x = math.radians(b.lon - a.lon) * math.cos(math.radians((a.lat + b.lat) / 2))
    y = math.radians(b.lat - a.lat)
    return math.hypot(x, y) * EARTH_RADIUS_M


@dataclass(frozen=True)
class Unit:
    """What one vehicle's on-board unit reports besides positions."""

    home: Place
    work: Place
    motor: str  # MONO, HYBRIDE, ELECTRIQUE, ...
    consumption_per_100km: float  # L/100 km, or kWh/100 km for an electric vehicle
    battery_kwh: float = 0.0
    badges: Sequence[str | None] = ()  # driver index -> badge


def route_fixes(fleet: FleetData, v: int, unit: Unit, rng: np.random.Generator, every_s: int = 60) -> list[Fix]:
    """Vehicle ``v``'s positions along its trips: one fix a minute, ignition off on each arrival.

    The first trip of a working day goes from home to work, the last trip of every day ends at home,
    the others go to a point within 12 km of work (working hours) or home. The odometer advances by the trip's
    generated distance (at least 1.2 x the straight line); fuel (or energy and state of charge) by
    the vehicle's consumption; electric vehicles charge overnight.
    """
    trips = np.flatnonzero((fleet.vehicle == v) & (fleet.kind == 1))
    out: list[Fix] = []
    here = unit.home
    odometer = float(rng.uniform(5_000, 90_000)) * 1000
    fuel_used = float(rng.uniform(100, 3000))
    energy_used = float(rng.uniform(100, 3000))
    soc = 90.0
    electric = unit.motor == "ELECTRIQUE"
    last_day = -1
    for k, i in enumerate(trips.tolist()):
        start, end = int(fleet.start[i]), int(fleet.end[i])
        day = fleet.day_index(start)
        nxt = trips[k + 1] if k + 1 < len(trips) else None
        last_of_day = nxt is None or fleet.day_index(int(fleet.start[nxt])) != day
        if electric and ((day != last_day and soc < 60) or soc < 25):
            soc = 90.0  # charged overnight, or at a fast charger during the stop
        last_day = day
        distance = float(fleet.distance[i])
        hour = (start - int(fleet.midnights[day])) / H
        workday = (fleet.start_date + dt.timedelta(days=day)).weekday() < 5 and 7 <= hour < 18
        if last_of_day:
            target = unit.home
        elif here == unit.home and hour < 10 and workday:
            target = unit.work
        else:
            # Somewhere within 12 km of work (in working hours) or of home: trips stay plausible.
            around = unit.work if workday else unit.home
            target = offset(around, float(rng.uniform(0.3, 1.0)) * min(distance / 1.4, 12_000.0),
                            float(rng.uniform(0, 2 * math.pi)))
        straight = _metres(here, target)
        # One bend, beside the straight line so that the path is about distance / 1.2 (roads are not
        # straight), or out and back for a loop.
        reach = distance / 1.2
        if straight < 200:
            bend = offset(here, max(reach / 2, 400.0), float(rng.uniform(0, 2 * math.pi)))
        else:
            mid = Place((here.lat + target.lat) / 2, (here.lon + target.lon) / 2)
            side = math.sqrt(max((reach / 2) ** 2 - (straight / 2) ** 2, 0.0))
            bearing = math.atan2(target.lon - here.lon, target.lat - here.lat) + math.pi / 2 * (1 if k % 2 else -1)
            bend = offset(mid, side, bearing)
        legs = (_metres(here, bend), _metres(bend, target))
        path = legs[0] + legs[1]
        driven = max(distance, path * 1.2)
        n = max(2, (end - start) // (every_s * 1000) + 1)
        badge_index = int(fleet.driver[i])
        badge = unit.badges[badge_index] if 0 <= badge_index < len(unit.badges) else None
        private = True if bool(fleet.device_private[i]) else None
        speed = driven / ((end - start) / 1000) * 3.6
        per_km = unit.consumption_per_100km / 100.0
        for j in range(n):
            f = j / (n - 1)
            t = start + round(f * (end - start))
            along = f * path
            if along <= legs[0] and legs[0] > 0:
                g = along / legs[0]
                lat = here.lat + g * (bend.lat - here.lat)
                lon = here.lon + g * (bend.lon - here.lon)
            else:
                g = (along - legs[0]) / legs[1] if legs[1] > 0 else 1.0
                lat = bend.lat + g * (target.lat - bend.lat)
                lon = bend.lon + g * (target.lon - bend.lon)
            km = f * driven / 1000
            moving = j < n - 1
            if electric:
                used = km * per_km
                out.append(Fix(t, lat, lon, speed if moving else 0.0, moving, odometer + f * driven, None,
                               energy_used + used, soc - used / unit.battery_kwh * 100, private, badge))
            else:
                out.append(Fix(t, lat, lon, speed if moving else 0.0, moving, odometer + f * driven,
                               fuel_used + km * per_km, None, None, private, badge))
        odometer += driven
        if electric:
            used = driven / 1000 * per_km
            energy_used += used
            soc -= used / unit.battery_kwh * 100
        else:
            fuel_used += driven / 1000 * per_km
        here = target
    return out
