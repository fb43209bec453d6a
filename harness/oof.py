"""Out-of-fold predictions kept with each full `compete run`, and read back for analysis or stacking.

Every full run of a kernel in `kernels/` (all train rows) stores one Parquet file,
`.compete/<slug>/runs/oof/<stem>-<UTC time>.parquet`, never under `data/`. It holds one row per train
row, predicted by the model of the fold that held the row out (`set` = "train", `fold` = 1..k; with
time-ordered folds the earliest rows, never held out, have none), and
one row per test row, predicted by the fit on all of train (`set` = "test", `fold` = 0), with the
id column and the submission's prediction columns. The run's summary (kernel, params, the kernel
file's SHA-256, metric, fold scores, the folds' scheme, k and seed) rides in the file's metadata.

A kernel reads earlier runs with `load`:

    from harness.oof import load
    members = load("spam", "spam/baseline")   # the last full run of spam/baseline
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from harness.errors import AnalysisError
from harness.workspace import Workspace, find_workspace

if TYPE_CHECKING:
    import pandas as pd

    from harness.competition import Card
    from harness.kernels import CVResult, KernelInfo

OOF_DIR = "oof"
META_KEY = b"compete"
SET, FOLD = "set", "fold"


@dataclass(frozen=True)
class StoredRun:
    """A kept run: where its file lies and what it says about itself."""

    name: str  # the file's stem: <kernel stem>-<UTC time>
    path: Path
    kernel: str
    competition: str
    metric: str
    greater_is_better: bool
    params: dict[str, Any]
    kernel_sha256: str
    fold_scores: tuple[float, ...]
    scheme: str
    k: int
    seed: int
    ran_at: str

    def as_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "path": str(self.path),
            "kernel": self.kernel,
            "competition": self.competition,
            "metric": self.metric,
            "greater_is_better": self.greater_is_better,
            "params": dict(self.params),
            "kernel_sha256": self.kernel_sha256,
            "fold_scores": list(self.fold_scores),
            "scheme": self.scheme,
            "k": self.k,
            "seed": self.seed,
            "ran_at": self.ran_at,
        }


def folder(ws: Workspace, slug: str) -> Path:
    from harness.kernels import RUNS_DIR

    return ws.private_dir(slug) / RUNS_DIR / OOF_DIR


def file_sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def save(ws: Workspace, card: Card, info: KernelInfo, result: CVResult, test: pd.DataFrame | None) -> Path:
    """Keep a run's out-of-fold predictions (and, given `test` with its predictions, the test ones)."""
    import pandas as pd
    import pyarrow as pa
    import pyarrow.parquet as pq

    assert result.oof is not None
    train_rows = result.oof.copy()
    train_rows.insert(1, SET, "train")
    frames = [train_rows]
    if test is not None:
        test_rows = test.copy()
        test_rows.insert(1, SET, "test")
        test_rows.insert(2, FOLD, 0)
        frames.append(test_rows)
    frame = pd.concat(frames, ignore_index=True)
    meta = {
        "kernel": info.name,
        "competition": card.slug,
        "metric": result.metric,
        "greater_is_better": result.greater_is_better,
        "params": dict(result.params),
        "kernel_sha256": file_sha256(info.path),
        "fold_scores": list(result.fold_scores),
        "scheme": card.cv.scheme,
        "k": result.folds,
        "seed": card.cv.seed,
        "ran_at": result.ran_at.isoformat(),
    }
    table = pa.Table.from_pandas(frame, preserve_index=False)
    table = table.replace_schema_metadata(
        {**(table.schema.metadata or {}), META_KEY: json.dumps(meta, default=str).encode()}
    )
    target = folder(ws, card.slug)
    target.mkdir(parents=True, exist_ok=True)
    path = target / f"{info.path.stem}-{_stamp(result.ran_at)}.parquet"
    partial = path.with_suffix(".parquet.partial")
    pq.write_table(table, partial)
    partial.replace(path)
    return path


def _stamp(when: datetime) -> str:
    return when.strftime("%Y%m%dT%H%M%S%fZ")


def stored_runs(ws: Workspace, slug: str, kernel: str | None = None) -> list[StoredRun]:
    """The kept runs of competition `slug` (of one kernel, `<slug>/<name>`), oldest first."""
    import pyarrow.parquet as pq

    runs = []
    where = folder(ws, slug)
    for path in sorted(where.glob("*.parquet")) if where.is_dir() else []:
        raw = (pq.read_schema(path).metadata or {}).get(META_KEY)
        if raw is None:
            continue
        meta = json.loads(raw)
        if kernel is not None and meta["kernel"] != kernel:
            continue
        runs.append(
            StoredRun(
                name=path.stem,
                path=path,
                kernel=meta["kernel"],
                competition=meta["competition"],
                metric=meta["metric"],
                greater_is_better=bool(meta["greater_is_better"]),
                params=dict(meta["params"]),
                kernel_sha256=meta["kernel_sha256"],
                fold_scores=tuple(float(s) for s in meta["fold_scores"]),
                scheme=meta["scheme"],
                k=int(meta["k"]),
                seed=int(meta["seed"]),
                ran_at=meta["ran_at"],
            )
        )
    return sorted(runs, key=lambda r: (r.ran_at, r.name))


def find_run(ws: Workspace, slug: str, ref: str) -> StoredRun:
    """A kept run by kernel name (`<slug>/<name>`: its last run) or by run name (`<stem>-<UTC time>`).

    Raises AnalysisError, naming the command that keeps runs, when there is none.
    """
    runs = stored_runs(ws, slug)
    by_name = [r for r in runs if r.name == ref or f"{slug}/{r.name}" == ref]
    if by_name:
        return by_name[-1]
    of_kernel = [r for r in runs if r.kernel == ref]
    if of_kernel:
        return of_kernel[-1]
    kept = ", ".join(sorted({r.kernel for r in runs})) or "none yet"
    raise AnalysisError(
        f"no kept out-of-fold predictions for {ref!r} (kernels with kept runs of {slug}: {kept}); "
        f"a full `compete run {ref if '/' in ref else slug + '/<kernel>'}` keeps them."
    )


def read(run: StoredRun) -> pd.DataFrame:
    """A kept run's rows: the id, `set` ("train" or "test"), `fold` (0 for test) and the predictions."""
    import pandas as pd

    return pd.read_parquet(run.path)


def load(slug: str, kernel: str, *, ws: Workspace | None = None) -> pd.DataFrame:
    """The rows of the last kept full run of `kernel` (`<slug>/<name>`), for stacking and blending.

    Train rows carry their out-of-fold prediction and fold; test rows the prediction of the fit on all
    of train. Raises AnalysisError when the kernel has no kept run.
    """
    ws = ws or find_workspace()
    return read(find_run(ws, slug, kernel))


def check_csv_path(path: Path) -> Path:
    """`path` made absolute, if a CSV can be written there; AnalysisError (before any fitting) if not."""
    path = path.expanduser().resolve()
    if path.is_dir():
        raise AnalysisError(f"--oof {path} is a folder; give a file name such as oof.csv.")
    if not path.parent.is_dir():
        raise AnalysisError(f"--oof {path}: the folder {path.parent} does not exist; create it first.")
    return path


def write_csv(oof: pd.DataFrame, path: Path) -> Path:
    """Write the out-of-fold rows (id, fold, prediction columns) as CSV for `compete run --oof`."""
    path = check_csv_path(path)
    oof.to_csv(path, index=False, lineterminator="\n")
    return path
