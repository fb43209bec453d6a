"""Whether a competition's public files are still those `compete prepare` wrote.

A learner may overwrite `data/<slug>/test.csv` (an edited copy saved over it, a notebook writing its
features back): predictions made from it then belong to other rows than the hidden labels. `compete
show` marks such a file; `compete run` and `compete submit` warn with `changed_since_prepare`.
"""

from __future__ import annotations

import hashlib

from harness.errors import NotPrepared
from harness.session import State
from harness.summary import glance
from harness.workspace import Workspace


def changed_since_prepare(
    ws: Workspace, slug: str, names: tuple[str, ...] = ("test.csv",)
) -> tuple[str, ...]:
    """The files among `names` in `data/<slug>/` whose SHA-256 differs from the one recorded when the
    competition was prepared, or that are gone. Raises what `open_competition` raises; the record
    is read through `summary.glance` (the store is not opened while the door's summary is current)."""
    seen = glance(ws, slug)
    if seen.state is State.NOT_PREPARED:
        raise NotPrepared(slug)
    record = seen.preparation
    if record is None:
        return ()
    folder = ws.data_dir(slug)
    changed = []
    for name in names:
        recorded = record.checksums.get(name)
        path = folder / name
        if recorded is None:
            continue
        if not path.is_file() or hashlib.sha256(path.read_bytes()).hexdigest() != recorded:
            changed.append(name)
    return tuple(changed)


def warning(ws: Workspace, slug: str, changed: tuple[str, ...]) -> str:
    """What to say about files that changed since prepare."""
    files = ", ".join(changed)
    verb = "has" if len(changed) == 1 else "have"
    return (
        f"warning: {files} in {ws.data_dir(slug)} {verb} changed since `compete prepare {slug}`: predictions "
        f"made from it may not line up with the hidden labels; `compete prepare {slug} --force` restores it."
    )
