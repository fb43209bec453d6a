"""How fast `compete postmortem` analyses a long history: 200 submissions of a 100,000-row test set.

A temporary workspace holds a synthetic binary competition scored by log loss (250,000 rows, 40% of
them the test set, 30% of those public), with a numeric, a categorical and a free-text feature. 200
submissions are made through `harness.ledger.submit` (one participant, a CV score on some of them,
one reference kernel), the competition is closed, and `compete postmortem` runs end to end in its own
process: reading the ledger, each submission's public row values, the bootstrap of every public
score, the ties, the slices and the calibration of the final, the figures and both pages. Each
submit kept its file's public row values as it scored it (the file is read and matched to the labels
then already), so the first run after the close reads only the final's file, as a run again does;
the last row shows what it costs when no value was kept (every file read, matched and worked out
again)."""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

from benchmarks._measure import Measurement, measure_together

SLUG = "bench-postmortem"
SUBMISSIONS = 200
TARGET_SECONDS = 5.0
_CARD = """title = "Postmortem benchmark"
summary = "A synthetic binary task scored by log loss, for the postmortem benchmark."
task = "binary"
metric = "log_loss"
id_column = "id"
target_columns = ["label"]
classes = ["0", "1"]

[split]
test_fraction = 0.4
seed = 3
public_fraction = 0.3
public_seed = 5

[cv]
scheme = "stratified"
k = 3
seed = 0

[rules]
daily_limit = 1000
final_selections = 2

[source]
name = "synthetic, drawn by prepare.py"
url = "none"
licence = "CC0"
changes = "none"
"""
_SCHEMA = """import pandera.pandas as pa
from pandera.typing import Series


class Test(pa.DataFrameModel):
    id: Series[int] = pa.Field(unique=True)
    x1: Series[float]
    shop: Series[str]
    note: Series[str]

    class Config:
        strict = True


class Train(Test):
    label: Series[int] = pa.Field(isin=[0, 1])


class Submission(pa.DataFrameModel):
    id: Series[int] = pa.Field(unique=True)
    label: Series[float] = pa.Field(in_range={"min_value": 0, "max_value": 1})

    class Config:
        strict = True
"""
_PREPARE = """import numpy as np
import pandas as pd


def load() -> pd.DataFrame:
    rng = np.random.default_rng(7)
    n = 250_000
    x1 = rng.normal(size=n).round(5)
    shop = rng.choice(["north", "south", "east", "west", "online"], n)
    words = rng.integers(3, 40, n)
    label = (x1 + rng.normal(scale=1.0, size=n) > 0).astype(int)
    return pd.DataFrame(
        {"id": np.arange(n), "x1": x1, "shop": shop, "note": ["w " * int(k) for k in words], "label": label}
    )
"""


def build(root: Path) -> Path:
    """A workspace with the competition prepared, 200 submissions made and the competition closed."""
    import numpy as np
    import pandas as pd

    from harness import ledger, lifecycle, store, vault
    from harness.prepare import prepare
    from harness.workspace import Workspace

    folder = root / "competitions" / SLUG
    folder.mkdir(parents=True)
    (folder / "competition.toml").write_text(_CARD)
    (folder / "schema.py").write_text(_SCHEMA)
    (folder / "prepare.py").write_text(_PREPARE)
    (folder / "description.md").write_text("# Postmortem benchmark\n\nSynthetic. Licence: CC0.\n")
    ws = Workspace(root)
    prepare(ws, SLUG)
    with store.connect(ws, SLUG, read_only=True) as con:
        truth = vault.labels_frame(con)
    test = pd.read_csv(ws.data_dir(SLUG) / "test.csv")
    signal = test["x1"].to_numpy()
    rng = np.random.default_rng(0)
    start = datetime(2026, 1, 1, tzinfo=UTC)
    for k in range(SUBMISSIONS):
        noise = rng.normal(scale=1.5 - k / SUBMISSIONS, size=len(test))
        p = 1 / (1 + np.exp(-(signal + noise) * 0.8))
        path = root / "sub.csv"
        pd.DataFrame({"id": test["id"], "label": p.round(6)}).to_csv(path, index=False)
        who, kernel = (
            ("reference/bench-postmortem/baseline", "bench-postmortem/baseline")
            if k == 0
            else (
                "bench",
                None,
            )
        )
        ledger.submit(
            ws,
            SLUG,
            path,
            participant=who,
            kernel=kernel,
            message=f"try {k}",
            cv_score=0.6 - k / 1000 if k % 3 == 0 else None,
            now=start + timedelta(minutes=k),
        )
    assert len(truth) == 100_000
    lifecycle.close(ws, SLUG)
    return root


def run(runs: int) -> list[tuple[str, list[Measurement], str]]:
    tmp = Path(tempfile.mkdtemp(prefix="compete-bench-postmortem-"))
    try:
        root = build(tmp / "ws")
        env = {**os.environ, "COMPETE_WORKSPACE": str(root), "OMP_NUM_THREADS": "1"}
        arguments = ["postmortem", SLUG, "--as", "bench"]
        warm = [sys.executable, "-c", "from harness.entry import main; main()", *arguments]
        # The first post-mortem after the close finds the values the submits kept (reports/<slug>/.cache):
        # the cold run puts back those as the close left them (hard links), the last row removes them.
        cache = root / "reports" / SLUG / ".cache"
        at_close = root / "kept-at-close"
        shutil.copytree(cache, at_close)
        kept = len(list(at_close.glob("*.npz")))
        restore = (
            "import os, shutil, sys; cache, kept = sys.argv.pop(1), sys.argv.pop(1); "
            "shutil.rmtree(cache, ignore_errors=True); shutil.copytree(kept, cache, copy_function=os.link); "
        )
        forget = "import shutil, sys; shutil.rmtree(sys.argv.pop(1), ignore_errors=True); "
        entry = "from harness.entry import main; main()"
        cold = [sys.executable, "-c", restore + entry, str(cache), str(at_close), *arguments]
        bare = [sys.executable, "-c", forget + entry, str(cache), *arguments]
        load_before = os.getloadavg()[0]
        rows = measure_together(
            [
                ("compete postmortem, first run (cold)", cold),
                ("compete postmortem, run again (warm)", warm),
                ("compete postmortem, no values kept", bare),
            ],
            runs,
            env,
        )
        load_after = os.getloadavg()[0]
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    cold_row, warm_row, _ = rows
    verdict = "; ".join(
        f"{m.label}: {m.seconds:.2f} s — **{'PASS' if m.seconds < TARGET_SECONDS else 'FAIL'}**"
        for m in (cold_row, warm_row)
    )
    note = (
        (__doc__ or "").split("\n\n", 1)[1].replace("\n", " ").strip()
        + f"\n\n- target under {TARGET_SECONDS:g} s: {verdict}"
        + f"\n- files whose public row values their submit kept: {kept} of {SUBMISSIONS}"
        + f"\n\nLoad average (1 min) before and after: {load_before:.1f}, {load_after:.1f}, on "
        + f"{os.cpu_count()} cores."
    )
    return [("Post-mortem", list(rows), note)]
