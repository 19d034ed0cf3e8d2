"""POST /analyse/preformattedPrivacy end to end on a small fleet: modes, tree, lines, filters, cuts, costs."""

from __future__ import annotations

import pytest

from analysis_support import JAN, PARIS, all_lines, analyse, assert_line, expected, ms, pair, tree
from fleetprivacy.classification.models import WITH_HORAIRE, WITHOUT_HORAIRE


def test_synthesis_by_driver_matches_the_engine(client, acme):
    ids, steps = acme["ids"], acme["steps"]
    r = analyse(client, acme["h"], "BY_DRIVER_WITH_HORAIRE_SYNTHESIS", *JAN)
    lines = all_lines(tree(r))
    exp = expected(steps, ms(JAN[0]), ms(JAN[1]), WITH_HORAIRE, lambda s: s.individu_id or 0)
    assert set(lines) == {str(k) for k in exp}
    for k, sums in exp.items():
        assert_line(lines[str(k)], sums)
    # The evening trip is split by the schedule, by positions: 15 km of 20 after 19:00.
    durand = lines[str(ids["durand"])]
    assert pair(durand["total"]["distanceInMeterByPeriodMap"])[0] == pytest.approx(15_000, rel=1e-6)
    assert pair(durand["total"]["durationInSecByPeriodMap"])[0] == pytest.approx(1800)


def test_without_horaire_ignores_schedules(client, acme):
    ids = acme["ids"]
    lines = all_lines(tree(analyse(client, acme["h"], "BY_DRIVER_WITHOUT_HORAIRE_SYNTHESIS", *JAN)))
    exp = expected(acme["steps"], ms(JAN[0]), ms(JAN[1]), WITHOUT_HORAIRE, lambda s: s.individu_id or 0)
    for k, sums in exp.items():
        assert_line(lines[str(k)], sums)
    assert pair(lines[str(ids["durand"])]["total"]["distanceInMeterByPeriodMap"])[0] == 0


def test_detail_by_vehicle_counts_a_step_on_both_days(client, acme):
    ids, steps = acme["ids"], acme["steps"]
    r = analyse(client, acme["h"], "BY_VEHICLE_WITH_HORAIRE_DETAIL", *JAN)
    lines = all_lines(tree(r))
    exp = expected(steps, ms(JAN[0]), ms(JAN[1]), WITH_HORAIRE, lambda s: s.vehicle_id, by_day=True,
                   tz=PARIS)
    assert set(lines) == {f"{k}_{d.isoformat()}" for k, d in exp}
    for (k, d), sums in exp.items():
        line = lines[f"{k}_{d.isoformat()}"]
        assert line["dayDate"] == d.isoformat()
        assert line["vehicle"]["id"] == k
        assert_line(line, sums)
    v2 = ids["v2"]
    assert lines[f"{v2}_2026-01-06"]["total"]["durationInSecByPeriodMap"]["VIE_PRIVEE"] == pytest.approx(1800)
    assert lines[f"{v2}_2026-01-07"]["total"]["durationInSecByPeriodMap"]["VIE_PRIVEE"] == pytest.approx(1800)


@pytest.mark.parametrize("debut,fin", [
    ("2026-01-05T18:45:00+01:00", "2026-01-07T00:10:00+01:00"),  # cuts the evening trip and the midnight one
    ("2026-01-05T19:10:00+01:00", "2026-01-05T19:20:00+01:00"),  # inside one step
    (str(ms("2026-01-06T23:45:00+01:00")), ms("2026-01-09T11:00:00+01:00")),  # epoch ms, string and number
])
@pytest.mark.parametrize("mode", ["BY_DRIVER_WITH_HORAIRE_SYNTHESIS", "BY_DRIVER_WITH_HORAIRE_DETAIL",
                                  "BY_VEHICLE_WITHOUT_HORAIRE_DETAIL"])
def test_period_bounds_cut_steps_like_the_engine(client, acme, debut, fin, mode):
    steps = acme["steps"]
    d, f = (int(x) if str(x).isdigit() else ms(x) for x in (debut, fin))
    detail = mode.endswith("DETAIL")
    by_driver = mode.startswith("BY_DRIVER")
    variant = WITHOUT_HORAIRE if "WITHOUT" in mode else WITH_HORAIRE

    def key(s):  # type: ignore[no-untyped-def]
        return (s.individu_id or 0) if by_driver else s.vehicle_id

    lines = all_lines(tree(analyse(client, acme["h"], mode, debut, fin)))
    exp = expected(steps, d, f, variant, key, by_day=detail, tz=PARIS)
    names = {f"{k[0]}_{k[1].isoformat()}" if detail else str(k): v for k, v in exp.items()}
    assert set(lines) == set(names)
    for name, sums in names.items():
        assert_line(lines[name], sums)
