"""The masking rules themselves, without a database: who sees which private coordinates."""

from __future__ import annotations

from dataclasses import dataclass

from fleetprivacy.core.tenancy import Ctx
from fleetprivacy.trips.masking import is_masked, mask_positions, step_privacy


def _ctx(role: str, individu_id: int | None = None) -> Ctx:
    return Ctx(customer_id=1, customer_timezone="Europe/Paris", user_id=1, login="x", role=role,
               individu_id=individu_id)


@dataclass
class Step:
    id: int
    start_ms: int
    end_ms: int
    device_private: bool
    individu_id: int | None


def test_only_the_steps_own_driver_sees_private_coordinates():
    for viewer in (_ctx("ADMIN"), _ctx("MANAGER"), _ctx("DRIVER", 8), _ctx("DRIVER", None)):
        assert is_masked(viewer, private=True, driver_id=7)
        assert not is_masked(viewer, private=False, driver_id=7)
    assert not is_masked(_ctx("DRIVER", 7), private=True, driver_id=7)
    assert is_masked(_ctx("MANAGER", 7), private=True, driver_id=7)  # the role matters, not the person
    assert is_masked(_ctx("DRIVER", None), private=True, driver_id=None)


def test_positions_at_the_ends_of_a_private_step_are_private():
    steps = [Step(1, 0, 100, False, 7), Step(2, 100, 200, True, 7), Step(3, 200, 300, False, 8)]
    parts = {2: [(100, 200)]}  # the device flag makes step 2 private as a whole
    t = [50, 99, 100, 150, 200, 201, 250]
    flags = [None, None, None, None, None, None, True]  # the unit flagged 250 itself
    private, masked = mask_positions(_ctx("MANAGER"), steps, parts, t, flags)
    assert private == [False, False, True, True, True, False, True]
    assert masked == private
    # The driver of step 2 sees its positions; a position the unit flagged outside it stays hidden.
    _, masked = mask_positions(_ctx("DRIVER", 7), steps, parts, t, flags)
    assert masked == [False, False, False, False, False, False, True]
    # Step 3's driver sees the shared instant 200 hidden: it is also someone else's private step.
    _, masked = mask_positions(_ctx("DRIVER", 8), steps, parts, t, flags)
    assert masked == [False, False, True, True, True, False, True]


def test_a_row_is_private_as_a_whole():
    step = Step(2, 100, 200, True, 7)
    parts = {2: [(120, 130)]}  # a part only (schedules, later): the row is still masked whole
    assert step_privacy(_ctx("MANAGER"), step, parts).masked
    assert step_privacy(_ctx("MANAGER"), step, parts).private
    assert not step_privacy(_ctx("DRIVER", 7), step, parts).masked
    assert not step_privacy(_ctx("MANAGER"), step, {}).private
