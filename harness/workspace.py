"""Where things live.

A workspace is a folder holding `competitions/`; everything else is placed beside it:

    competitions/<slug>/   the declared competitions (committed)
    kernels/<slug>/        reference and the learner's own kernels (committed)
    theory/                theory notes (committed)
    data/<slug>/           public data made by `compete prepare` (generated)
    .compete/<slug>/       the private store: hidden labels, ledger (generated, never shown to kernels)
    submissions/<slug>/    copies of every submitted file, kept by the ledger
    reports/<slug>/        post-mortems and writeups (`.cache/`: each submission's public row values)

The workspace is `$COMPETE_WORKSPACE` when set, otherwise the nearest folder at or above the current
directory that holds `competitions/`.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import NamedTuple

from harness.errors import NoWorkspace

ENV_VAR = "COMPETE_WORKSPACE"


class Workspace(NamedTuple):
    root: Path

    @property
    def competitions_dir(self) -> Path:
        return self.root / "competitions"

    @property
    def kernels_dir(self) -> Path:
        return self.root / "kernels"

    @property
    def theory_dir(self) -> Path:
        return self.root / "theory"

    def competition_dir(self, slug: str) -> Path:
        return self.competitions_dir / slug

    def data_dir(self, slug: str) -> Path:
        return self.root / "data" / slug

    def private_dir(self, slug: str) -> Path:
        return self.root / ".compete" / slug

    def store_path(self, slug: str) -> Path:
        return self.private_dir(slug) / "store.duckdb"

    def submissions_dir(self, slug: str) -> Path:
        return self.root / "submissions" / slug

    def reports_dir(self, slug: str) -> Path:
        return self.root / "reports" / slug

    def kept_values_dir(self, slug: str) -> Path:
        """Where each submission's public row values are kept for the post-mortem (`reports.rows`)."""
        return self.reports_dir(slug) / ".cache"


def find_workspace(start: Path | None = None) -> Workspace:
    """Return the workspace for `start` (default: the current directory).

    Raises NoWorkspace when neither `$COMPETE_WORKSPACE` nor any parent folder holds `competitions/`.
    """
    configured = os.environ.get(ENV_VAR)
    if configured:
        root = Path(configured).expanduser().resolve()
        if not (root / "competitions").is_dir():
            raise NoWorkspace(
                f"${ENV_VAR} is {configured!r}, but that folder has no competitions/ folder; "
                "point it at a compete project (the folder holding competitions/)."
            )
        return Workspace(root)
    here = (start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        if (folder / "competitions").is_dir():
            return Workspace(folder)
    raise NoWorkspace(
        f"no compete workspace at or above {here}: run compete inside the project folder "
        f"(the one holding competitions/), or set ${ENV_VAR} to it."
    )
