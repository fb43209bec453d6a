"""Statistical ties on the public board: `compete leaderboard --ties`.

Each participant's best public submission is bootstrapped over the public rows (the same draws for
all, see `stats.replicates`); a row is tied with the one above it when the interval of their paired
difference holds 0. It reads only the public rows, so it works while the competition is open.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from harness.reports import stats
from harness.reports.history import read_history, rules_for
from harness.reports.rows import public_rows
from harness.workspace import Workspace


@dataclass(frozen=True)
class Tie:
    ref: str
    public_low: float | None
    public_high: float | None
    tied_with_above: bool

    def as_dict(self) -> dict[str, Any]:
        return {
            "public_low": self.public_low,
            "public_high": self.public_high,
            "tied_with_above": self.tied_with_above,
        }


def board_ties(ws: Workspace, slug: str, refs: list[str]) -> dict[str, Tie]:
    """For the board's refs, best first: each one's public interval and whether it ties the one above."""
    history = read_history(ws, slug)
    try:
        entries = [e for e in history.entries if e.ref in refs]
        public = public_rows(history, entries, rules_for(ws, history.card))
        reps = stats.replicates(history, list(public.refs), values=public.values)
    finally:
        history.close()
    out = {}
    for k, ref in enumerate(refs):
        iv = stats.interval(reps[ref]) if ref in reps else None
        above = refs[k - 1] if k else None
        tied = above is not None and ref in reps and above in reps and stats.tied(reps[ref], reps[above])
        out[ref] = Tie(ref, iv.low if iv else None, iv.high if iv else None, tied)
    return out
