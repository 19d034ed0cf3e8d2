"""Who may see where a vehicle was: THE masking decision, used by every read path and by ingestion.

Two questions, answered in one place each:

1. *Which parts of a step are private?* ``private_parts_for_steps`` (the seam): the full rules of
   SPEC §7 (retroactive decisions, then the device flag, then the driver's private time from
   schedules), computed by ``classification.service.private_parts_for``; every caller follows.
2. *Does this viewer see the coordinates of a private part?* ``is_masked``: only the step's own
   driver, logged in with the DRIVER role, does (SPEC §6). Everyone else, ADMIN included, gets
   ``null`` coordinates and addresses; durations, distances and counters are never hidden.

Parts are closed intervals ``[start_ms, end_ms]``: the instants at a private step's ends are the
places it leaves from and arrives at, so they are private too (hiding more is the safe side).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol

import numpy as np
from sqlalchemy.orm import Session

from fleetprivacy.core.tenancy import Ctx
from fleetprivacy.trips.models import STOP, TRIP, Etape

Part = tuple[int, int]  # [start_ms, end_ms], both ends included


class StepLike(Protocol):
    """What masking needs of a step (an ``Etape`` row, or any object with these attributes)."""

    id: int
    start_ms: int
    end_ms: int
    device_private: bool
    individu_id: int | None


def private_parts_for_steps(session: Session, steps: Iterable[StepLike]) -> dict[int, list[Part]]:
    """The private parts of each step, by step id (steps without any are left out): THE seam.

    The full rules of SPEC section 7 (accepted retroactive decision, then the device flag, then the
    driver's private time from schedules), from ``classification.service``: the same engine that
    writes the stored classification, asked for time parts only (ingestion asks before positions
    are stored)."""
    from fleetprivacy.classification.service import private_parts_for  # classification imports trips

    return private_parts_for(session, steps)


def private_parts_for_reads(session: Session, steps: Sequence[Etape]) -> dict[int, list[Part]]:
    """What a read hides, for a vehicle's consecutive ``steps`` (by start): ``private_parts_for_steps``,
    plus the whole stop that follows a trip declared private after the fact.

    A device-flagged trip's unit keeps flagging while parked and a schedule covers stops too, but a
    retroactive decision names one trip: without this rule the stop after it would show, to anyone,
    the place the private trip went to. (A later professional trip still shows where it leaves from.)"""
    from fleetprivacy.classification.service import decisions_for  # classification imports trips

    parts = private_parts_for_steps(session, steps)
    trips = [s.id for s in steps if s.kind == TRIP]
    if not trips:
        return parts
    decided = decisions_for(session, steps[0].customer_id, trips)
    for prev, step in zip(steps, steps[1:]):
        if decided.get(prev.id) is True and step.kind == STOP and step.start_ms == prev.end_ms:
            parts[step.id] = [*parts.get(step.id, []), (step.start_ms, step.end_ms)]
    return parts


def is_masked(viewer: Ctx, *, private: bool, driver_id: int | None) -> bool:
    """True when ``viewer`` must get null coordinates and addresses for something private of ``driver_id``."""
    if not private:
        return False
    return not (viewer.role == "DRIVER" and viewer.individu_id is not None and viewer.individu_id == driver_id)


@dataclass(frozen=True)
class StepPrivacy:
    """For one step as a row: is any part private, and must this viewer get it masked."""

    private: bool
    masked: bool


def step_privacy(viewer: Ctx, step: StepLike, parts: Mapping[int, Sequence[Part]]) -> StepPrivacy:
    """A step row is private when any part of it is, and then masked as a whole (its ends give the part away)."""
    private = bool(parts.get(step.id))
    return StepPrivacy(private, is_masked(viewer, private=private, driver_id=step.individu_id))


class IntervalUnion:
    """A union of closed intervals, merged, answering membership for many instants at once."""

    def __init__(self, parts: Iterable[Part]) -> None:
        merged: list[list[int]] = []
        for a, b in sorted(parts):
            if merged and a <= merged[-1][1]:
                merged[-1][1] = max(merged[-1][1], b)
            else:
                merged.append([a, b])
        self.starts = np.array([m[0] for m in merged], dtype=np.int64)
        self.ends = np.array([m[1] for m in merged], dtype=np.int64)

    def contains(self, t: np.ndarray) -> np.ndarray:
        if not len(self.starts):
            return np.zeros(len(t), dtype=bool)
        j = np.searchsorted(self.starts, t, side="right") - 1
        out: np.ndarray = (j >= 0) & (t <= self.ends[np.maximum(j, 0)])
        return out


class PositionMask:
    """Answers, for many positions of one vehicle at once, whether each is private and masked."""

    def __init__(self, viewer: Ctx, steps: Sequence[StepLike], parts: Mapping[int, Sequence[Part]]) -> None:
        hidden: list[Part] = []
        visible: list[Part] = []
        for s in steps:
            for part in parts.get(s.id, ()):
                (hidden if is_masked(viewer, private=True, driver_id=s.individu_id) else visible).append(part)
        self.viewer = viewer
        self._hidden = IntervalUnion(hidden)  # parts this viewer must not see
        self._visible = IntervalUnion(visible)  # parts this viewer may see (their own, as a DRIVER)

    def classify(self, t_ms: Sequence[int], own_flag: Sequence[bool | None]) -> tuple[list[bool], list[bool]]:
        """(private, masked) per position: inside a private part, or flagged private by the unit itself."""
        t = np.asarray(t_ms, dtype=np.int64)
        flag = np.fromiter((f is True for f in own_flag), dtype=bool, count=len(t))
        hidden = self._hidden.contains(t)
        visible = self._visible.contains(t)
        private = flag | hidden | visible
        # A position the unit flagged is masked unless a part the viewer may see covers it.
        masked = hidden | (flag & ~visible & is_masked(self.viewer, private=True, driver_id=None))
        return private.tolist(), masked.tolist()


def mask_positions(viewer: Ctx, steps: Sequence[StepLike], parts: Mapping[int, Sequence[Part]],
                   t_ms: Sequence[int], own_flag: Sequence[bool | None]) -> tuple[list[bool], list[bool]]:
    """(private, masked) for positions of one vehicle, given its steps around them and their private parts."""
    return PositionMask(viewer, steps, parts).classify(t_ms, own_flag)
