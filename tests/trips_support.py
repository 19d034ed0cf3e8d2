"""Synthetic, deterministic vehicle streams and helpers for the trips tests (no real data here)."""

from __future__ import annotations

from typing import Any

from fleetprivacy.trips.segmentation import Fix

T0 = 1_767_600_000_000  # 2026-01-05T08:00:00Z, a Monday (09:00 in Paris)
MIN = 60_000
HOME = (48.8566, 2.3522)
OFFICE = (48.8049, 2.1204)  # about 18.5 km from HOME


def park(t0: int, at: tuple[float, float], minutes: int, every_s: int = 60, **extra: Any) -> list[Fix]:
    """A parked vehicle reporting every ``every_s`` seconds (with a few metres of wobble)."""
    out = []
    for k in range(minutes * 60 // every_s):
        wobble = ((k * 7) % 5 - 2) * 0.00002  # within +-2.2 m
        out.append(Fix(t0 + k * every_s * 1000, at[0] + wobble, at[1] - wobble, **extra))
    return out


def drive(t0: int, a: tuple[float, float], b: tuple[float, float], minutes: int, every_s: int = 10,
          **extra: Any) -> list[Fix]:
    """A straight drive from a to b, reporting every ``every_s`` seconds (the last fix at b)."""
    n = minutes * 60 // every_s
    return [Fix(t0 + k * every_s * 1000, a[0] + (b[0] - a[0]) * k / n, a[1] + (b[1] - a[1]) * k / n, **extra)
            for k in range(n + 1)]


def commute_day(t0: int = T0, private_return: bool = False, **extra: Any) -> list[Fix]:
    """Parked at home 30 min, 20 min to the office, 60 min there, 20 min back, 30 min at home.

    With ``private_return`` the drive back (and the arrival) is flagged private by the unit.
    """
    fixes = park(t0, HOME, 30, **extra)
    t = t0 + 30 * MIN
    fixes += drive(t, HOME, OFFICE, 20, **extra)
    t += 20 * MIN + 60_000
    fixes += park(t, OFFICE, 60, **extra)
    t += 60 * MIN
    back = drive(t, OFFICE, HOME, 20, **extra)
    if private_return:
        # Private mode switched on as the car leaves: the fixes after the departure one.
        back = back[:1] + [f._replace(privacy=True) for f in back[1:]]
    fixes += back
    t += 20 * MIN + 60_000
    fixes += park(t, HOME, 30, **extra)
    return fixes


def wire(fixes: list[Fix]) -> list[dict[str, Any]]:
    """The JSON positions of POST /ingest/v1/positions for these fixes."""
    names = {"speed_kmh": "speedKmh", "odometer_m": "odometerM", "fuel_used_l": "fuelUsedL",
             "energy_used_kwh": "energyUsedKWh", "soc_pct": "socPct"}
    out = []
    for f in fixes:
        p: dict[str, Any] = {"t": f.t_ms, "lat": f.lat, "lon": f.lon}
        for name in Fix._fields[3:]:
            value = getattr(f, name)
            if value is not None:
                p[names.get(name, name)] = value
        out.append(p)
    return out
