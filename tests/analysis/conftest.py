"""Fixtures of the analysis tests: a small customer with a week of steps in January 2026."""

from __future__ import annotations

import pytest

from analysis_support import Fleet, ms


@pytest.fixture
def acme(db, factory, auth, client):  # type: ignore[no-untyped-def]
    """A customer with entities, drivers, vehicles and a week of steps in January 2026."""
    t = factory.tenant("acme")
    with db.session() as s:
        f = Fleet(s, t.customer_id)
        f.prices(1.8, 0.25)
        hq = f.entity("HQ")
        atelier = f.entity("Atelier", hq)
        ventes = f.entity("Ventes")
        g1 = f.groupe("G1")
        durand = f.individu("Durand", atelier, g1, prenom="Jean")
        martin = f.individu("Martin", ventes)
        v1 = f.vehicle("AA-100", atelier)
        v2 = f.vehicle("EV-200", ventes, geolocalise=False, motorisation="ELECTRIQUE", elec_price=0.30)
        v3 = f.vehicle("NO-300")
        f.affectation(durand, v1, "2025-01-01T00:00:00+00:00")
        f.schedules(durand, periods=[{"description": "soir", "debut": "2026-01-05T19:00:00+01:00",
                                      "fin": "2026-01-06T07:00:00+01:00"}])
        f.step(v1, durand, ms("2026-01-05T08:00:00+01:00"), ms("2026-01-05T09:00:00+01:00"),
               distance_m=30_000, fuel_l=3.0)
        f.step(v1, durand, ms("2026-01-05T18:30:00+01:00"), ms("2026-01-05T19:30:00+01:00"),
               distance_m=20_000, fuel_l=2.0,
               positions=[(ms("2026-01-05T18:30:00+01:00"), 0.0), (ms("2026-01-05T19:00:00+01:00"), 5_000.0),
                          (ms("2026-01-05T19:30:00+01:00"), 20_000.0)])
        f.step(v2, martin, ms("2026-01-06T23:30:00+01:00"), ms("2026-01-07T00:30:00+01:00"),
               distance_m=40_000, fuel_l=0.0, energy_kwh=8.0, electric_m=40_000, battery=12.0, device_private=True)
        f.step(v3, None, ms("2026-01-08T10:00:00+01:00"), ms("2026-01-08T11:00:00+01:00"), distance_m=15_000)
        f.step(v1, martin, ms("2026-01-09T10:00:00+01:00"), ms("2026-01-09T12:00:00+01:00"),
               distance_m=50_000, fuel_l=4.0, retro=True)
        # Outside January: must never count.
        f.step(v1, durand, ms("2026-02-02T10:00:00+01:00"), ms("2026-02-02T11:00:00+01:00"))
        ids = dict(hq=hq, atelier=atelier, ventes=ventes, g1=g1, durand=durand, martin=martin, v1=v1, v2=v2, v3=v3)
        steps = list(f.steps)
    return {"t": t, "h": auth(t.manager), "ids": ids, "steps": steps}
