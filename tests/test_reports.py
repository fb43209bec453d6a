"""The post-mortem, the writeup and `leaderboard --ties`: one history per mistake pattern, built through
the ledger's own submit, select and close; a clean history that shows none; links that resolve; the
learner's text kept when the writeup is written again."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from harness import ledger, lifecycle
from harness.reports import postmortem, writeup
from harness.workspace import Workspace
from tests.test_submit_support import (  # noqa: F401
    cli,
    labels,
    perfect,
    tiny_fixture,
    tiny_root_fixture,
    write_csv,
)

DAY0 = datetime(2026, 1, 5, 12, tzinfo=UTC)
ME = "learner"


class History:
    """Submissions made day after day (one a day: the daily limits never bind) through `ledger.submit`."""

    def __init__(self, ws: Workspace, slug: str) -> None:
        self.ws, self.slug, self.day = ws, slug, 0

    def submit(self, frame: pd.DataFrame, *, who: str = ME, **kwargs: object) -> str:
        self.day += 1
        path = write_csv(self.ws.root / f"{self.slug}-{self.day}.csv", frame)
        outcome = ledger.submit(
            self.ws,
            self.slug,
            path,
            participant=who,
            now=DAY0 + timedelta(days=self.day),
            **kwargs,  # type: ignore[arg-type]
        )
        assert outcome.submission.status == "scored", outcome.submission.error
        return outcome.submission.ref

    def close(self) -> postmortem.Postmortem:
        lifecycle.close(self.ws, self.slug)
        return postmortem.build(self.ws, self.slug, ME)


def binary(ws: Workspace, wrong_public: int, wrong_private: int) -> pd.DataFrame:
    """tiny-binary labels with `wrong_*` rows flipped on each part of the test set."""
    frame = perfect(ws, "tiny-binary")
    truth = labels(ws, "tiny-binary")
    for usage, n in (("Public", wrong_public), ("Private", wrong_private)):
        ids = truth.loc[truth["usage"] == usage, "id"].iloc[:n]
        hit = frame["id"].isin(ids)
        frame.loc[hit, "label"] = 1 - frame.loc[hit, "label"]
    return frame


def found(pm: postmortem.Postmortem) -> set[str]:
    return {m.name for m in pm.mistakes}


def clean_history(ws: Workspace) -> History:
    h = History(ws, "tiny-binary")
    h.submit(binary(ws, 8, 18), cv_score=0.8, message="baseline")
    h.submit(binary(ws, 6, 13), cv_score=0.85, message="more features")
    h.submit(binary(ws, 5, 12), who="reference/tiny-binary/baseline", kernel="tiny-binary/baseline")
    return h


def test_a_clean_history_reports_no_mistake_and_keeps_reference_rows(tiny: Workspace) -> None:
    pm = clean_history(tiny).close()
    assert pm.mistakes == ()
    kinds = {r.ref: r.kind for r in pm.rows}
    assert sorted(kinds.values()) == ["participant", "participant", "reference"]
    assert pm.selection["final_ref"] == "s0002" and pm.selection["score_cost"] == 0
    assert all(r.public_low is not None and r.public_low <= r.public_score <= r.public_high for r in pm.rows)


def test_chasing_the_public_board_is_found(tiny: Workspace) -> None:
    h = History(tiny, "tiny-binary")
    for wrong_public, wrong_private in ((12, 20), (11, 22), (10, 24), (9, 26)):
        h.submit(binary(tiny, wrong_public, wrong_private), message="tweak")
    pm = h.close()
    assert "chasing-public-board" in found(pm)
    finding = next(m for m in pm.mistakes if m.name == "chasing-public-board")
    assert finding.refs == ("s0002", "s0003", "s0004") and finding.note == "public-private-leaderboard"
    assert pm.overfitting["private_gain"] < 0 < pm.overfitting["public_gain"]


def test_no_validation_is_found(tiny: Workspace) -> None:
    h = History(tiny, "tiny-binary")
    h.submit(binary(tiny, 8, 18))
    assert found(h.close()) == {"no-validation"}


def test_finals_picked_by_public_against_cv_is_found_with_its_cost(tiny: Workspace) -> None:
    h = History(tiny, "tiny-binary")
    best_cv = h.submit(binary(tiny, 10, 5), cv_score=0.9)
    chosen = h.submit(binary(tiny, 5, 20), cv_score=0.7)
    ledger.select(tiny, "tiny-binary", [chosen], participant=ME, now=DAY0 + timedelta(days=9))
    pm = h.close()
    assert found(pm) == {"finals-by-public-against-cv"}
    assert pm.mistakes[0].refs == (best_cv, chosen)
    assert pm.selection["best_private_ref"] == best_cv
    assert pm.selection["score_cost"] == pytest.approx(15 / 84)


def test_suspected_leakage_is_found(tiny: Workspace) -> None:
    h = History(tiny, "tiny-regression")
    frame = perfect(tiny, "tiny-regression")
    frame["y"] = frame["y"] + 3 + np.random.default_rng(0).normal(scale=0.1, size=len(frame))
    h.submit(frame, cv_score=0.5, cv_folds=5)
    pm = h.close()
    assert found(pm) == {"suspected-leakage"}
    assert "CV 0.5 (5 folds)" in pm.mistakes[0].evidence


def test_labels_where_probabilities_are_scored_is_found(tiny: Workspace) -> None:
    h = History(tiny, "tiny-proba")
    frame = perfect(tiny, "tiny-proba")
    truth = labels(tiny, "tiny-proba")
    wrong = frame["id"].isin(truth["id"].iloc[::4])
    frame.loc[wrong, "label"] = 1 - frame.loc[wrong, "label"]
    ref = h.submit(frame, cv_score=0.75)
    pm = h.close()
    assert "objective-mismatch" in found(pm)
    assert next(m for m in pm.mistakes if m.name == "objective-mismatch").refs == (ref,)
    assert pm.calibration is not None and pm.calibration.rows == len(truth)


def test_uncalibrated_probabilities_under_log_loss_are_found(tiny: Workspace) -> None:
    h = History(tiny, "tiny-multiclass")
    truth = labels(tiny, "tiny-multiclass")
    frame = pd.DataFrame({"id": truth["id"]})
    for label in ("a", "b", "c"):  # right class at 0.98, but a third of rows confidently wrong
        frame[label] = np.where(truth["kind"] == label, 0.98, 0.01)
    shift = truth.index % 3 == 0
    frame.loc[shift, ["a", "b", "c"]] = frame.loc[shift, ["b", "c", "a"]].to_numpy()
    h.submit(frame, cv_score=float(frame.shape[0] and 1.5))
    pm = h.close()
    assert pm.calibration is not None and pm.calibration.ece > 0.1
    finding = next(m for m in pm.mistakes if m.name == "objective-mismatch")
    assert finding.title.startswith("Probabilities left uncalibrated") and finding.note == "calibration"


def test_a_gap_beyond_the_bootstrap_is_found(tiny: Workspace) -> None:
    h = History(tiny, "tiny-binary")
    h.submit(binary(tiny, 3, 40), cv_score=0.9)
    pm = h.close()
    assert "gap-beyond-noise" in found(pm)
    assert next(m for m in pm.mistakes if m.name == "gap-beyond-noise").numbers["z"] > 2.58  # type: ignore[operator]


def test_postmortem_is_refused_while_open_with_the_way_to_close(tiny: Workspace) -> None:
    History(tiny, "tiny-binary").submit(binary(tiny, 8, 18))
    result = cli("postmortem", "tiny-binary", "--as", ME)
    assert result.exit_code == 1
    assert "compete close tiny-binary" in result.stderr and "Traceback" not in result.output


def _links(path: Path) -> list[str]:
    text = path.read_text(encoding="utf-8")
    if path.suffix == ".md":
        return re.findall(r"\]\(([^)\s]+)\)", text)
    return re.findall(r'(?:href|src)="([^"]+)"', text)


def _assert_links_resolve(path: Path) -> int:
    checked = 0
    for link in _links(path):
        if link.startswith("data:image/png;base64,") or link == "data:,":  # figures; the empty icon
            continue
        assert not re.match(r"^[a-z]+:", link), f"{path.name}: unexpected link {link}"
        assert (path.parent / link).resolve().is_file(), f"{path.name}: {link} does not resolve"
        checked += 1
    return checked


def test_cli_writes_both_pages_and_every_link_resolves(tiny: Workspace) -> None:
    h = History(tiny, "tiny-binary")
    h.submit(binary(tiny, 8, 18))  # no CV: a mistake, so its note is linked too
    h.submit(binary(tiny, 5, 12), who="reference/tiny-binary/baseline", kernel="tiny-binary/baseline")
    lifecycle.close(tiny, "tiny-binary")
    result = cli("postmortem", "tiny-binary", "--as", ME, "-f", "json")
    assert result.exit_code == 0, result.output
    out = json.loads(result.stdout)
    md, html = Path(out["markdown"]), Path(out["html"])
    assert md == tiny.root / "reports" / "tiny-binary" / ME / "postmortem.md"
    assert [m["name"] for m in out["postmortem"]["mistakes"]] == ["no-validation"]
    assert _assert_links_resolve(md) >= 5  # notes and the figure
    assert _assert_links_resolve(html) >= 4
    assert "cross-validation.md" in md.read_text()
    table = cli("postmortem", "tiny-binary", "--as", ME)
    assert table.exit_code == 0 and "postmortem.html" in table.stdout


def test_reports_give_each_cv_score_its_folds_when_known(tiny: Workspace) -> None:
    h = History(tiny, "tiny-binary")
    told = h.submit(binary(tiny, 8, 18), cv_score=0.8, cv_folds=5)
    untold = h.submit(binary(tiny, 6, 13), cv_score=0.85)
    lifecycle.close(tiny, "tiny-binary")
    out = json.loads(cli("postmortem", "tiny-binary", "--as", ME, "-f", "json").stdout)
    written = writeup.write(tiny, "tiny-binary", ME).markdown
    pages = (Path(out["markdown"]), Path(out["html"]), written)
    for page in pages:
        text = page.read_text(encoding="utf-8")
        rows = (
            [r.split("</tr>")[0] for r in text.split("<tr>")] if page.suffix == ".html" else text.splitlines()
        )
        row = {ref: next(r for r in rows if ref in r) for ref in (told, untold)}
        assert "0.8 (5 folds)" in row[told], (page, row[told])
        assert "0.85" in row[untold] and "folds" not in row[untold], (page, row[untold])


def test_writeup_keeps_the_learners_text_byte_for_byte(tiny: Workspace) -> None:
    h = History(tiny, "tiny-binary")
    h.submit(binary(tiny, 8, 18), cv_score=0.8, message="baseline")
    first = writeup.write(tiny, "tiny-binary", ME)
    assert not first.closed
    text = first.markdown.read_text(encoding="utf-8")
    assert "0.8" in text and "private" not in text.split("compete:begin timeline")[1].split("compete:end")[0]
    edited = text.replace("## Approach\n", "## Approach\n\nI began with the labels' base rate.\n")
    edited = edited.replace("<!-- compete:end lessons -->", "<!-- compete:end lessons -->\nMy own lesson.")
    edited += "\n## Afterwards\n\nWritten by hand, at the end. \u00e9\n"
    first.markdown.write_text(edited, encoding="utf-8")
    h.submit(binary(tiny, 5, 12), cv_score=0.85, message="second <b>try</b>")
    lifecycle.close(tiny, "tiny-binary")
    again = writeup.write(tiny, "tiny-binary", ME)
    assert again.closed
    new = again.markdown.read_text(encoding="utf-8")
    assert "s0002" in new and "second &lt;b&gt;try&lt;/b&gt;" in new

    def outside(doc: str) -> str:
        return re.sub(
            r"<!-- compete:begin ([a-z-]+) -->\n.*?<!-- compete:end \1 -->", "", doc, flags=re.DOTALL
        )

    assert outside(new) == outside(edited)
    assert new.endswith("\n## Afterwards\n\nWritten by hand, at the end. \u00e9\n")
    assert _assert_links_resolve(again.markdown) >= 3
    assert "<b>" not in again.html.read_text(encoding="utf-8")


def test_leaderboard_ties_mark_rows_inside_the_noise(tiny: Workspace) -> None:
    h = History(tiny, "tiny-binary")
    h.submit(binary(tiny, 5, 10), who="alice")
    h.submit(binary(tiny, 6, 10), who="bob")  # one public row apart: tied
    h.submit(binary(tiny, 30, 10), who="carol")  # far below: not tied
    result = cli("leaderboard", "tiny-binary", "--ties", "-f", "json")
    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)
    assert [r["participant"] for r in rows] == ["alice", "bob", "carol"]
    assert [r["tied_with_above"] for r in rows] == [False, True, False]
    assert all(r["public_low"] <= r["score"] <= r["public_high"] for r in rows)
    lifecycle.close(tiny, "tiny-binary")
    private = cli("leaderboard", "tiny-binary", "--private", "--ties", "-f", "csv")
    assert private.exit_code == 0, private.output
    header = private.stdout.splitlines()[0].split(",")
    assert (
        header[-4:] == ["chosen_by", "public_low", "public_high", "tied_with_above"]
        and "public_rank" in header
    )


# ------------------------------------------------------------------------------------------ statistics
def test_spearman_matches_scipy_with_ties() -> None:
    from scipy.stats import spearmanr

    from harness.reports.stats import spearman

    rng = np.random.default_rng(3)
    x, y = rng.integers(0, 6, 40).astype(float), rng.normal(size=40)
    assert spearman(list(x), list(y)) == pytest.approx(spearmanr(x, y).statistic, abs=1e-12)
    assert spearman([1.0, 1.0, 1.0], [1.0, 2.0, 3.0]) is None


@pytest.mark.parametrize("slug", ["tiny-binary", "tiny-multiclass", "tiny-regression"])
def test_the_matrix_bootstrap_agrees_with_the_metric_sql_on_each_replicate(
    tiny: Workspace, slug: str
) -> None:
    """The fast path (each row's value, resampled by a matrix product) against the metric's SQL run
    on each replicate's drawn rows, with the same draws."""
    from harness.reports import history as reading
    from harness.reports import stats

    h = History(tiny, slug)
    frame = perfect(tiny, slug)
    rng = np.random.default_rng(1)
    if slug == "tiny-binary":
        frame["label"] = rng.integers(0, 2, len(frame))
    elif slug == "tiny-multiclass":
        frame[["a", "b", "c"]] = rng.dirichlet([1, 1, 1], len(frame))
    else:
        frame["y"] = frame["y"] + rng.normal(size=len(frame))
    ref = h.submit(frame)
    lifecycle.close(tiny, slug)
    history = reading.read_history(tiny, slug)
    try:
        reading.load_predictions(history, list(history.entries), reading.rules_for(tiny, history.card))
        fast = stats.replicates(history, [ref], reps=30)[ref]
        draws = np.random.default_rng(stats.SEED).integers(
            0, history.public_rows, size=(30, history.public_rows)
        )
        slow = stats._sql_replicates(history, [ref], draws)[ref]
    finally:
        history.close()
    assert fast == pytest.approx(slow, abs=1e-9)


def test_files_in_other_layouts_are_read_as_the_same_rows(tiny: Workspace) -> None:
    """A typed read (the header names exactly the columns) and a text read (another column order
    with an id written 1001.0, a gzipped file) give the same rows."""
    from harness.reports import history as reading

    h = History(tiny, "tiny-binary")
    frame = binary(tiny, 4, 9)
    plain = h.submit(frame)
    other = h.submit(frame[["label", "id"]].assign(id=frame["id"].astype(float)))
    path = tiny.root / "zipped.csv.gz"
    frame.to_csv(path, index=False, compression="gzip")
    zipped = ledger.submit(tiny, "tiny-binary", path, participant=ME, now=DAY0 + timedelta(days=30))
    history = reading.read_history(tiny, "tiny-binary")
    try:
        lifecycle_closed = history.closed
        refs = reading.load_predictions(history, list(history.entries), reading.rules_for(tiny, history.card))
        rows = {
            ref: history.con.execute(
                "SELECT list(i ORDER BY i), list(p ORDER BY i), list(y ORDER BY i) FROM preds WHERE ref = ?",
                [ref],
            ).fetchall()[0]
            for ref in refs
        }
    finally:
        history.close()
    assert not lifecycle_closed and len(rows[plain][0]) == 36  # open: the public rows only
    assert rows[plain] == rows[other] == rows[zipped.submission.ref]


def test_kept_row_values_give_the_same_report_and_a_new_split_is_not_served_old_ones(tiny: Workspace) -> None:
    h = clean_history(tiny)
    first = h.close().as_dict()
    cache = tiny.reports_dir("tiny-binary") / ".cache"
    kept = sorted(cache.glob("*.npz"))
    assert len(kept) == 3  # one per submission, the reference kernel's too
    assert postmortem.build(tiny, "tiny-binary", ME).as_dict() == first  # read from the cache
    lifecycle.reopen(tiny, "tiny-binary", reseed=True)
    lifecycle.close(tiny, "tiny-binary")
    again = postmortem.build(tiny, "tiny-binary", ME)
    assert len(list(cache.glob("*.npz"))) == 6  # the new split's values, beside the old ones
    assert again.rows != tuple(postmortem.Row(**r) for r in first["rows"])


def test_a_parquet_file_with_text_ids_is_read_as_the_same_rows(tiny: Workspace) -> None:
    from harness.reports import history as reading

    h = History(tiny, "tiny-binary")
    frame = binary(tiny, 4, 9)
    plain = h.submit(frame)
    path = tiny.root / "as-text.parquet"
    frame.assign(id=frame["id"].astype(str)).to_parquet(path, index=False)
    parquet = ledger.submit(tiny, "tiny-binary", path, participant=ME, now=DAY0 + timedelta(days=30))
    assert parquet.submission.status == "scored", parquet.submission.error
    history = reading.read_history(tiny, "tiny-binary")
    try:
        reading.load_predictions(history, list(history.entries), reading.rules_for(tiny, history.card))
        got = history.con.execute(
            "SELECT ref, list(i ORDER BY i), list(p ORDER BY i) FROM preds GROUP BY ref ORDER BY ref"
        ).fetchall()
    finally:
        history.close()
    assert [r[0] for r in got] == [plain, parquet.submission.ref] and got[0][1:] == got[1][1:]


def test_row_values_worked_out_while_reading_are_those_of_the_stored_rows(tiny: Workspace) -> None:
    from harness.reports import history as reading
    from harness.reports import stats

    h = History(tiny, "tiny-multiclass")  # log loss over class probabilities: a mean over rows
    hard = h.submit(perfect(tiny, "tiny-multiclass"))  # only 0 and 1
    soft = perfect(tiny, "tiny-multiclass")
    classes = [c for c in soft.columns if c != "id"]
    soft[classes] = soft[classes] * 0.7 + 0.1
    path = tiny.root / "soft.parquet"  # another layout: a second read, whose rows join the first's
    soft.sample(frac=1.0, random_state=0).to_parquet(path, index=False)
    other = ledger.submit(tiny, "tiny-multiclass", path, participant=ME, now=DAY0 + timedelta(days=30))
    assert other.submission.status == "scored", other.submission.error
    history = reading.read_history(tiny, "tiny-multiclass")
    try:
        rules = reading.rules_for(tiny, history.card)
        entries = list(history.entries)
        refs, streamed, hard_refs = stats.public_row_values(history, entries, rules)
        stored_refs = reading.load_predictions(history, entries, rules, public_only=True)
        stored = stats.row_values(history, stored_refs)
        assert refs == stored_refs == [hard, other.submission.ref]
        assert hard_refs == set(stats.hard_predictions(history, refs)) == {hard}
    finally:
        history.close()
    assert streamed.shape == (history.public_rows, 2) and not np.isnan(streamed).any()
    assert np.array_equal(streamed, stored) and not np.array_equal(streamed[:, 0], streamed[:, 1])
