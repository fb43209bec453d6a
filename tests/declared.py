"""The project's declared reference kernels and theory notes (tests/declared.toml).

Tests hold exactly these to the contracts; a learner's own kernels and notes beside them are left to
`compete kernels check` and `compete theory --check`.
"""

from __future__ import annotations

import tomllib
from pathlib import Path

_DECLARED = tomllib.loads((Path(__file__).with_name("declared.toml")).read_text(encoding="utf-8"))
KERNELS: list[str] = sorted(_DECLARED["kernels"])
NOTES: list[str] = sorted(_DECLARED["notes"])


def kernels_of(slug: str) -> list[str]:
    """The declared kernels of competition `slug`."""
    return [name for name in KERNELS if name.partition("/")[0] == slug]
