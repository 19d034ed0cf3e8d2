"""Wire shapes of the retroactive requests."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field


class DemandeOut(BaseModel):
    """A retroactive request and its decision."""

    id: int
    idEtape: int
    numeroEmbarque: int | None = Field(description="The step's vehicle.")
    privacy: bool = Field(description="true: the step is asked to be private; false: professional.")
    statut: str = Field(description="EN_ATTENTE, ACCEPTEE, REFUSEE or RETIREE (withdrawn or replaced).")
    requestedBy: int | None = Field(description="User id of the requester.")
    requestedAt: datetime
    decidedBy: int | None = Field(description="User id of whoever accepted or refused it.")
    decidedAt: datetime | None
    individuId: int | None = Field(description="The step's driver.")
    startMs: int | None = Field(description="The step's start, epoch ms UTC.")
    endMs: int | None = Field(description="The step's end, epoch ms UTC.")
