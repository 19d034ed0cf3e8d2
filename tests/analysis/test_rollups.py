"""The daily and monthly roll-ups follow etape_parts through inserts, updates and deletes (triggers)."""

from __future__ import annotations

import pytest
from sqlalchemy import delete, select, text, update

from analysis_support import H, Fleet, ms
from fleetprivacy.analysis import rollups
from fleetprivacy.analysis.models import ROLLUP_MEASURES
from fleetprivacy.classification.models import EtapePart
from fleetprivacy.trips.models import Etape

_SUMS = ", ".join(f"SUM({m})" for m in ROLLUP_MEASURES)


def _from_parts(s, period: str) -> dict:  # type: ignore[no-untyped-def]
    expr = {
        ("sqlite", "day"): "CAST(julianday(local_date) - 2440587.5 AS INTEGER)",
        ("sqlite", "month"): "CAST(julianday(local_date, 'start of month') - 2440587.5 AS INTEGER)",
        ("postgresql", "day"): "(local_date - DATE '1970-01-01')",
        ("postgresql", "month"): "(CAST(date_trunc('month', local_date) AS date) - DATE '1970-01-01')",
    }[(s.get_bind().dialect.name, period)]
    rows = s.execute(text(
        f"SELECT customer_id, variant, {expr}, vehicle_id, COALESCE(individu_id, 0), source, COUNT(*), {_SUMS} "
        f"FROM etape_parts GROUP BY customer_id, variant, {expr}, vehicle_id, COALESCE(individu_id, 0), source"
    ))
    return {tuple(r[:6]): tuple(r[6:]) for r in rows}


def _rollup(s, table: str, period: str) -> dict:  # type: ignore[no-untyped-def]
    cols = ", ".join(ROLLUP_MEASURES)
    rows = s.execute(text(
        f"SELECT customer_id, variant, {period}, vehicle_id, individu_id, source, n_parts, {cols} FROM {table}"
    ))
    return {tuple(r[:6]): tuple(r[6:]) for r in rows}


def _assert_same(a: dict, b: dict) -> None:
    assert set(a) == set(b)
    for k in a:
        assert a[k][0] == b[k][0], k
        assert a[k][1:] == pytest.approx(b[k][1:], rel=1e-12, abs=1e-9), k


def _check(s) -> None:  # type: ignore[no-untyped-def]
    _assert_same(_rollup(s, "etape_part_days", "epoch_day"), _from_parts(s, "day"))
    _assert_same(_rollup(s, "etape_part_months", "month_epoch_day"), _from_parts(s, "month"))


def test_rollups_follow_inserts_updates_and_deletes(db, factory):
    cid = factory.customer("Roll")
    with db.session() as s:
        f = Fleet(s, cid)
        d = f.individu("D")
        v = f.vehicle("AB-1")
        f.step(v, d, ms("2026-01-31T23:00:00+01:00"), ms("2026-02-01T01:00:00+01:00"), device_private=True)
        f.step(v, None, ms("2026-02-01T10:00:00+01:00"), ms("2026-02-01T11:00:00+01:00"))
        third = f.step(v, d, ms("2026-02-01T12:00:00+01:00"), ms("2026-02-01T12:00:00+01:00"))  # zero-length
        _check(s)
        # January: the driver (BOUTON); February: the driver (BOUTON and AUCUN), the unidentified driver; x 2 variants.
        assert len(_rollup(s, "etape_part_months", "month_epoch_day")) == 8
        # An update that moves a part to another key, and one that changes its measures.
        s.execute(update(EtapePart).where(EtapePart.etape_id == third.id).values(source="POSTERIORI"))
        s.execute(update(EtapePart).where(EtapePart.individu_id.is_(None)).values(
            private_distance_m=EtapePart.pro_distance_m, pro_distance_m=0.0))
        _check(s)
        # A delete, and a cascade from a deleted step.
        s.execute(delete(EtapePart).where(EtapePart.etape_id == third.id, EtapePart.variant == 1))
        s.execute(delete(Etape).where(Etape.id == third.id))
        _check(s)
        assert s.scalar(select(EtapePart.id).where(EtapePart.etape_id == third.id)) is None
        # Every part gone: no roll-up row is left behind (no phantom line).
        s.execute(delete(EtapePart))
        assert _rollup(s, "etape_part_days", "epoch_day") == {}
        assert _rollup(s, "etape_part_months", "month_epoch_day") == {}


def test_rebuild_gives_the_same_rollups(db, factory):
    cid = factory.customer("Rebuild")
    with db.session() as s:
        f = Fleet(s, cid)
        d = f.individu("D")
        v = f.vehicle("AB-1")
        for i in range(5):
            f.step(v, d if i % 2 else None, ms("2026-03-30T20:00:00+02:00") + i * 7 * H, ms("2026-03-30T22:30:00+02:00") + i * 7 * H)
        before = (_rollup(s, "etape_part_days", "epoch_day"), _rollup(s, "etape_part_months", "month_epoch_day"))
        s.execute(text("UPDATE etape_part_days SET private_distance_m = private_distance_m + 1"))
        written = rollups.rebuild(s, cid)
        assert written == {"etape_part_days": len(before[0]), "etape_part_months": len(before[1])}
        _assert_same(_rollup(s, "etape_part_days", "epoch_day"), before[0])
        _assert_same(_rollup(s, "etape_part_months", "month_epoch_day"), before[1])
        _check(s)
