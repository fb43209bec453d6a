"""`compete delete`: remove a competition and everything made from it.

A competition lives in four places (see `workspace`): its folder under `competitions/`, its public
data under `data/`, its private store (hidden labels, ledger) under `.compete/` and the kept copies
of its submissions under `submissions/`. Deleting only the folder leaves the others behind, and a
competition made again under the same slug would find them; `delete_competition` removes all four.
The learner's kernels (`kernels/<slug>/`) and reports (`reports/<slug>/`) are their own work and stay.
"""

from __future__ import annotations

import shutil
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from harness.competition import SLUG_PATTERN, competition_names
from harness.errors import UnknownName
from harness.workspace import Workspace


@dataclass(frozen=True)
class Removal:
    """What `compete delete` removes (or removed) and what it leaves."""

    slug: str
    removed: tuple[Path, ...]
    kept: tuple[Path, ...]

    def as_dict(self) -> dict[str, Any]:
        out = asdict(self)
        out["removed"] = [str(p) for p in self.removed]
        out["kept"] = [str(p) for p in self.kept]
        return out


def plan_removal(ws: Workspace, slug: str) -> Removal:
    """The folders of `slug` that exist and would be removed; raises UnknownName when there are none
    (a slug never made, or already deleted)."""
    places = (ws.competition_dir(slug), ws.data_dir(slug), ws.private_dir(slug), ws.submissions_dir(slug))
    found = tuple(p for p in places if SLUG_PATTERN.match(slug) and p.exists())
    if not found:
        raise UnknownName(
            "competition",
            slug,
            competition_names(ws),
            hint="Nothing of it is left under competitions/, data/, .compete/ or submissions/.",
        )
    kept = tuple(p for p in (ws.kernels_dir / slug, ws.reports_dir(slug)) if p.exists())
    return Removal(slug, found, kept)


def delete_competition(ws: Workspace, slug: str) -> Removal:
    """Remove `slug`'s card folder, public data, private store and kept submissions.

    The card folder goes last, so that a deletion cut short can be run again by the same slug.
    Raises UnknownName when nothing of `slug` exists.
    """
    plan = plan_removal(ws, slug)
    for path in sorted(plan.removed, key=lambda p: p == ws.competition_dir(slug)):
        shutil.rmtree(path)
    return plan
