"""A competition's public data held in memory: the card, `train.csv` and `test.csv`, read once.

A tuning study cross-validates the same data hundreds of times; reading it (and passing the door,
`harness.session.open_competition`, which opens the store) once per study rather than once per
trial is most of the harness's cost per trial. `harness.kernels.cross_validate(..., data=...)`
takes it; every trial gets its own row copies of the frames, so a kernel that changes what it is
given cannot change the next trial's data.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from harness.competition import Card, load_card
from harness.workspace import Workspace

if TYPE_CHECKING:
    import pandas as pd


@dataclass(frozen=True)
class PublicData:
    """A competition's card with its public train and test frames, read through the door once."""

    card: Card
    train: pd.DataFrame
    test: pd.DataFrame

    def as_dict(self) -> dict[str, Any]:
        return {"competition": self.card.slug, "train_rows": len(self.train), "test_rows": len(self.test)}


def read_public(ws: Workspace, slug: str, card: Card | None = None) -> PublicData:
    """The public data of `slug` (its card given, or loaded). Raises NotPrepared when it is absent."""
    from harness.kernels import load_public

    card = card or load_card(ws, slug)
    train, test = load_public(ws, card)
    return PublicData(card, train, test)
