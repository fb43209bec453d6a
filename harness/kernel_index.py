"""What each kernel declares, kept between commands so that listing kernels imports none twice.

`compete kernels list` shows what kernels declare (title, techniques, whether tunable), and learning
it means importing each file, which runs the kernel's own imports (pandas, LightGBM, scikit-learn: a
second or more for one competition's kernels). So the declarations a successful `load_kernel` read
are kept in `.compete/kernels.json`, each under a key made of the file's SHA-256 and what the check
depends on besides the file: the workspace's competitions, the technique tags and compete's version.
A file edited (or a competition added or removed, or a new compete) no longer matches its key and is
loaded again. A kernel that fails to load is never kept: it is loaded each time, so its error is
always today's. What a file imports is not part of the key: a kernel whose helper module broke
lists as it did until it changes, and says what is wrong once run.
"""

from __future__ import annotations

import hashlib
import json
import os
from contextlib import suppress
from pathlib import Path
from typing import Any

from harness import __version__
from harness.competition import competition_names
from harness.errors import KernelError
from harness.kernels import TECHNIQUES, KernelInfo, kernel_path, load_kernel
from harness.workspace import Workspace

INDEX_FILE = "kernels.json"  # in .compete/


def declarations(ws: Workspace, names: list[str]) -> dict[str, KernelInfo | KernelError]:
    """Each kernel of `names` (as `<slug>/<name>`) with its KernelInfo, as `load_kernel` gives it, or
    the KernelError it fails to load with.

    A kernel whose entry in the index matches its file is not imported; the others are, and the
    index is written again (if the workspace cannot be written, nothing is kept and all is well).
    """
    path = index_path(ws)
    index = _read(path)
    context = json.dumps([competition_names(ws), list(TECHNIQUES), __version__]).encode()
    found: dict[str, KernelInfo | KernelError] = {}
    changed = False
    for name in names:
        try:
            file = kernel_path(ws, name)
        except KernelError as exc:
            found[name] = exc
            continue
        key = hashlib.sha256(file.read_bytes() + b"\0" + context).hexdigest()
        entry = index.get(str(file))
        if isinstance(entry, dict) and entry.get("key") == key:
            with suppress(KeyError, TypeError, ValueError):  # an entry of another shape: load again
                found[name] = _info(entry["info"])
                continue
        try:
            info = load_kernel(ws, file).info
        except KernelError as exc:
            found[name] = exc
            changed |= index.pop(str(file), None) is not None
            continue
        found[name] = info
        kept = _kept(info)
        if kept is not None:
            index[str(file)] = {"key": key, "info": kept}
            changed = True
    if changed:
        _write(path, index)
    return found


def index_path(ws: Workspace) -> Path:
    return ws.root / ".compete" / INDEX_FILE


def _kept(info: KernelInfo) -> dict[str, Any] | None:
    """`info` as JSON, or None when its PARAMS would not read back the same (a tuple, a set …)."""
    out = info.as_dict()
    try:
        if json.loads(json.dumps(out["params"])) != out["params"]:
            return None
    except (TypeError, ValueError):
        return None
    return out


def _info(kept: dict[str, Any]) -> KernelInfo:
    return KernelInfo(
        name=str(kept["name"]),
        path=Path(kept["path"]),
        competition=str(kept["competition"]),
        title=str(kept["title"]),
        techniques=tuple(kept["techniques"]),
        params=dict(kept["params"]),
        tunable=bool(kept["tunable"]),
        in_workspace=bool(kept["in_workspace"]),
        reference=bool(kept["reference"]),
    )


def _read(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def _write(path: Path, index: dict[str, Any]) -> None:
    """Write the index aside and move it into place: a reader never sees half of it."""
    partial = path.with_name(f".{path.name}.partial-{os.getpid()}")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        partial.write_text(json.dumps(index, indent=1, sort_keys=True) + "\n", encoding="utf-8")
        os.replace(partial, path)
    except OSError:  # a read-only workspace: the kernels are loaded each time
        with suppress(OSError):
            partial.unlink(missing_ok=True)
