"""The ledger: every submission, accepted or rejected, its scores, the final selections and the limits.

It lives in the competition's store (tables `submissions` and `selections`, migration 2 of
`store.MIGRATIONS`). A submission is written in one transaction after its file has been kept under
`submissions/<slug>/<ref>.<ext>`, so a process killed at any moment leaves either a complete row or
none (at worst a kept copy that no row names, which the next command that writes removes:
`session.remove_unrecorded_copies`).

Rules, as on Kaggle:
- a rejected file is recorded with its reason but costs no slot; the daily limit counts the scored
  submissions of one participant in one UTC day;
- the public board ranks each participant's best public score, ties going to the earlier
  submission; the private board scores each participant's final selections (`compete select`), or,
  without a choice, their best public ones (up to the card's `final_selections`);
- private scores are computed at once and stored, but shown only while the competition is closed;
- a submission made while the competition is closed is a late submission: status `scored` with the
  `late` flag set, shown in the ledger with both scores, never on a leaderboard or selectable; like
  any scored submission it uses one of the day's slots.
Participants named `reference/<kernel>` are reference kernels, shown as such on the boards.
"""

from __future__ import annotations

import math
import os
import re
from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

from harness import store
from harness.competition import Card, load_card
from harness.errors import (
    NotPrepared,
    RuleViolation,
    StoreUnavailable,
    SubmissionRejected,
    UnknownName,
)
from harness.metrics import Metric
from harness.metrics import get as get_metric
from harness.session import State, open_competition
from harness.store import as_utc, utc_now
from harness.workspace import Workspace

if TYPE_CHECKING:
    import duckdb

REFERENCE_PREFIX = "reference/"
MAX_NAME = 100  # characters in a participant's name
_COLUMNS = (
    "ref, seq, participant, submitted_at, file_name, stored_path, sha256, size_bytes, message, status, "
    "error, public_score, private_score, cv_score, cv_folds, kernel, study_id, late, stale"
)
_SUFFIX = re.compile(r"^\.[A-Za-z0-9]{1,8}$")


def default_participant() -> str:
    """The OS user's name: who submits unless `--as` names someone else."""
    import getpass

    try:
        return getpass.getuser() or "me"
    except (OSError, KeyError):
        return "me"


def participant_kind(participant: str) -> str:
    """'reference' for a reference kernel (`reference/<kernel>`), else 'participant'."""
    return "reference" if participant.startswith(REFERENCE_PREFIX) else "participant"


class Submission(NamedTuple):
    """One row of the ledger. `private_score` is None while the competition is open."""

    ref: str
    competition: str
    participant: str
    submitted_at: datetime
    file_name: str
    stored_path: str | None
    sha256: str
    size_bytes: int
    message: str | None
    status: str
    error: str | None
    public_score: float | None
    private_score: float | None
    cv_score: float | None
    cv_folds: int | None  # how many folds `cv_score` is the mean of; None when not told
    kernel: str | None
    study_id: str | None
    late: bool
    stale: bool = False  # scored on an earlier split: a reseed could not score its kept file again
    selected: bool = False

    @property
    def kind(self) -> str:
        return participant_kind(self.participant)

    def as_dict(self) -> dict[str, Any]:
        return {**self._asdict(), "kind": self.kind}


class SubmitOutcome(NamedTuple):
    """What `compete submit` reports: the recorded submission and where it stands."""

    submission: Submission
    metric: str
    greater_is_better: bool
    public_rank: int | None
    board_size: int
    is_best: bool
    previous_best: float | None
    daily_limit: int
    remaining_today: int
    private_revealed: bool
    notes: tuple[str, ...] = ()  # warnings about a scored file (see harness.advice)

    @property
    def rejected(self) -> bool:
        return self.submission.status == "rejected"

    def raise_if_rejected(self) -> None:
        """Raise SubmissionRejected with the recorded reason if the file was rejected."""
        if self.rejected:
            raise SubmissionRejected(self.submission.error or "the submission was rejected")

    def as_dict(self) -> dict[str, Any]:
        s = self.submission
        return {
            "ref": s.ref,
            "competition": s.competition,
            "participant": s.participant,
            "status": s.status,
            "late": s.late,
            "public_score": s.public_score,
            "private_score": s.private_score,
            "cv_score": s.cv_score,
            "cv_folds": s.cv_folds,
            "error": s.error,
            "metric": self.metric,
            "greater_is_better": self.greater_is_better,
            "public_rank": self.public_rank,
            "board_size": self.board_size,
            "is_best": self.is_best,
            "previous_best": self.previous_best,
            "daily_limit": self.daily_limit,
            "remaining_today": self.remaining_today,
            "file_name": s.file_name,
            "stored_path": s.stored_path,
            "sha256": s.sha256,
            "submitted_at": s.submitted_at,
            "message": s.message,
            "notes": list(self.notes),
        }


class BoardRow(NamedTuple):
    """One participant on a leaderboard. On the private board `public_rank` gives the shake-up."""

    rank: int
    participant: str
    kind: str
    score: float
    ref: str
    submitted_at: datetime
    entries: int
    public_score: float
    private_score: float | None
    public_rank: int | None = None
    chosen_by: str | None = None

    @property
    def change(self) -> int | None:
        """Places gained (positive) or lost from the public to the private board."""
        return None if self.public_rank is None else self.public_rank - self.rank

    def as_dict(self) -> dict[str, Any]:
        return {**self._asdict(), "change": self.change}


class Leaderboard(NamedTuple):
    """A public or private leaderboard, best first."""

    competition: str
    board: str  # 'public' or 'private'
    metric: str
    greater_is_better: bool
    state: str
    rows: tuple[BoardRow, ...]


class Selection(NamedTuple):
    """A participant's final submissions: chosen (`chosen_by` "selection"), or, without a choice,
    the best public ones that count in its place ("best public")."""

    competition: str
    participant: str
    refs: tuple[str, ...]
    limit: int
    submissions: tuple[Submission, ...]
    chosen_by: str = "selection"


# ----------------------------------------------------------------------------------------- submit
def submit(
    ws: Workspace,
    slug: str,
    file: Path | str,
    *,
    participant: str | None = None,
    message: str | None = None,
    cv_score: float | None = None,
    cv_folds: int | None = None,
    kernel: str | None = None,
    study_id: str | None = None,
    now: datetime | None = None,
) -> SubmitOutcome:
    """Validate, score and record a submission file; keep a copy under `submissions/<slug>/`.

    `cv_score` is the participant's cross-validated score, the mean over `cv_folds` folds (None: not
    told, and then the score is shown alone).

    A file that fails validation is recorded as rejected (the outcome says so; see
    `SubmitOutcome.raise_if_rejected`) and costs no slot. Raises RuleViolation when the participant
    has used up today's slots, NotPrepared before `compete prepare`, StoreBusy when another process
    holds the store too long, StoreUnavailable when the workspace cannot be written.
    """
    from harness import intake, vault

    card = load_card(ws, slug)
    who = _participant(participant)
    metric = get_metric(card.metric)
    _check_what_comes_with(who, kernel, message, cv_score, metric)
    _check_folds(cv_score, cv_folds)
    message = message if message and message.strip() else None
    source = Path(file)
    if not source.is_file():
        found = (
            f"{source} is a folder"
            if source.is_dir()
            else f"{source} is not a regular file"
            if source.exists()
            else f"no file at {source}"
        )
        raise SubmissionRejected(f"{found}; give the path of your predictions (CSV, gzipped CSV or Parquet).")
    if not ws.store_path(slug).exists():
        raise NotPrepared(slug)
    # Read, copied and scored with no lock; the store's lock is held only to record the row. The
    # label file stays attached from the verdict to the door's check of it (one open, not two).
    incoming = intake.take_in(ws, slug, source)
    try:
        with vault.open_label_file(ws, slug):
            verdict = intake.prejudge(ws, card, incoming.path, sha256=incoming.sha256)
            with open_competition(ws, slug, write=True, now=now, card=card) as session:
                con, state = session.store, session.state
                at = _naive(now) if now is not None else utc_now()
                late = session.closed
                _refuse_a_resubmission(con, who, incoming.sha256)
                in_force = session.labels_version or vault.labels_version(con)
                if verdict is None or verdict.labels_version != in_force:
                    verdict = intake.judge(con, card, incoming.path)  # a prepare or a reseed came between
                intake.keep_rules(con, verdict)
                status = verdict.status
                used = _used_today(con, who, at)
                limit = card.rules.daily_limit
                if status == "scored" and used >= limit:
                    # Checked after validation: a broken file is still recorded, and costs no slot.
                    raise _limit_reached(who, slug, limit, at)
                seq = int(con.execute("SELECT coalesce(max(seq), 0) + 1 FROM submissions").fetchall()[0][0])
                ref = f"s{seq:04d}"
                kept = _keep(ws, slug, incoming.path, f"{ref}{_suffix(source.name)}")
                try:
                    _insert(
                        con,
                        [
                            ref,
                            seq,
                            who,
                            at,
                            source.name,
                            str(kept.relative_to(ws.root)),
                            incoming.sha256,
                            incoming.size,
                            message,
                            status,
                            verdict.error,
                            verdict.public,
                            verdict.private,
                            cv_score,
                            cv_folds,
                            kernel,
                            study_id,
                            late,
                            False,  # stale: scored on the split in force
                        ],
                    )
                except BaseException:
                    kept.unlink(missing_ok=True)
                    raise
                rows = _rows(con, slug, migrated=True)
                selected = _selected(con)
    finally:
        incoming.path.unlink(missing_ok=True)
    revealed = state is State.CLOSED
    mine = next(r for r in rows if r.ref == ref)
    board = _board(rows, card, selected, private=False, revealed=revealed)
    rank = next((b.rank for b in board if b.participant == who), None) if status == "scored" else None
    on_time_before = [r for r in rows if r.participant == who and _counts(r) and r.ref != ref]
    previous = _best(on_time_before, card)
    best_now = _best([r for r in rows if r.participant == who and _counts(r)], card)
    is_best = status == "scored" and not late and best_now is not None and best_now.ref == ref
    remaining = limit - used - (1 if status == "scored" else 0)
    return SubmitOutcome(
        submission=_present(mine, revealed, selected),
        metric=card.metric,
        greater_is_better=metric.greater_is_better,
        public_rank=rank if not late else None,
        board_size=len(board),
        is_best=is_best,
        previous_best=previous.public_score if previous else None,
        daily_limit=limit,
        remaining_today=max(remaining, 0),
        private_revealed=revealed,
        notes=verdict.notes,
    )


def _refuse_a_resubmission(con: duckdb.DuckDBPyConnection, who: str, digest: str) -> None:
    """Refuse a file byte for byte the same as one `who` had scored: it would score the same and
    spend a slot for nothing. (A stale one, scored on an earlier split, may be submitted again.)"""
    earlier = con.execute(
        "SELECT ref, public_score FROM submissions WHERE participant = ? AND sha256 = ? "
        "AND status = 'scored' AND NOT coalesce(stale, false) ORDER BY seq LIMIT 1",
        [who, digest],
    ).fetchall()
    if earlier:
        ref, public = earlier[0]
        raise RuleViolation(
            f"this file is the same, byte for byte (SHA-256 {digest[:12]}…), as {ref}, which {who} "
            f"submitted before (public score {public:.6g}); it would score the same and spend a slot. "
            "Nothing was recorded: change the predictions, or select the earlier one with "
            f"`compete select`."
        )


def _check_what_comes_with(
    who: str, kernel: str | None, message: str | None, cv_score: float | None, metric: Metric
) -> None:
    """Refuse, before anything is read or recorded, what comes with a file: the name, message, CV score."""
    if who.casefold().startswith(REFERENCE_PREFIX) and who != f"{REFERENCE_PREFIX}{kernel}":
        raise RuleViolation(
            f"names starting with {REFERENCE_PREFIX!r} are kept for the reference kernels, which submit "
            "with `compete run SLUG/KERNEL --submit`; choose another with --as NAME."
        )
    if message is not None and not message.replace("\n", " ").replace("\t", " ").isprintable():
        raise RuleViolation(
            "the message holds a character that does not print (a terminal escape code?); write it "
            "in plain text."
        )
    if cv_score is not None and not math.isfinite(cv_score):
        raise RuleViolation(f"the CV score must be a finite number, not {cv_score}.")
    if cv_score is not None and not metric.minimum <= cv_score <= metric.maximum:
        raise RuleViolation(
            f"the CV score {cv_score} is outside {metric.name}'s range, {metric.minimum} to "
            f"{metric.maximum}; give the mean of your folds' scores in the competition's metric."
        )


def _check_folds(cv_score: float | None, cv_folds: int | None) -> None:
    """Refuse a number of folds that no CV score could have been the mean of."""
    if cv_folds is None:
        return
    if cv_score is None:
        raise RuleViolation(
            f"{cv_folds} folds were given without a CV score; give the score too (--cv SCORE), "
            "or leave the folds out."
        )
    if isinstance(cv_folds, bool) or not isinstance(cv_folds, int) or cv_folds < 2:
        raise RuleViolation(
            f"the number of folds must be a whole number of at least 2, not {cv_folds}; give the "
            "number of folds your CV score is the mean of."
        )


def _limit_reached(who: str, slug: str, limit: int, at: datetime) -> RuleViolation:
    wait = _day_start(at) + timedelta(days=1) - at
    hours, minutes = int(wait.total_seconds() // 3600), int(wait.total_seconds() % 3600 // 60)
    return RuleViolation(
        f"{who} has used all {limit} submissions of today (UTC) for {slug}, so this one was not "
        f"recorded; the count resets at 00:00 UTC, in {hours}h{minutes:02d}m. Until then, compare "
        "models by CV (`compete run`)."
    )


def _participant(name: str | None) -> str:
    who = (name if name is not None else default_participant()).strip()
    if not who:
        raise RuleViolation("the participant name is empty; give a name with --as NAME.")
    if len(who) > MAX_NAME:
        raise RuleViolation(f"the participant name is {len(who)} characters long; keep it to {MAX_NAME}.")
    if not who.isprintable():  # a line break or a tab would split the name in every table
        raise RuleViolation(
            f"the participant name {who!r} holds a line break, a tab or another character that does "
            "not print; give a name on one line with --as NAME."
        )
    return who


def _naive(at: datetime) -> datetime:
    return as_utc(at).replace(tzinfo=None)


def _day_start(at: datetime) -> datetime:
    return at.replace(hour=0, minute=0, second=0, microsecond=0)


def _used_today(con: duckdb.DuckDBPyConnection, participant: str, at: datetime) -> int:
    start = _day_start(at)
    return int(
        con.execute(
            "SELECT count(*) FROM submissions WHERE participant = ? AND status = 'scored' "
            "AND submitted_at >= ? AND submitted_at < ?",
            [participant, start, start + timedelta(days=1)],
        ).fetchall()[0][0]
    )


def _suffix(name: str) -> str:
    path = Path(name)
    suffixes = [s for s in path.suffixes if _SUFFIX.match(s)]
    if not suffixes:
        return ""
    if suffixes[-1].lower() == ".gz" and len(suffixes) > 1:
        return "".join(suffixes[-2:]).lower()
    return suffixes[-1].lower()


def _keep(ws: Workspace, slug: str, incoming: Path, name: str) -> Path:
    """Move the incoming copy to its kept name (`submissions/<slug>/<ref><ext>`), in one rename."""
    final = ws.submissions_dir(slug) / name
    try:
        os.replace(incoming, final)
    except OSError as exc:
        raise StoreUnavailable(
            f"could not keep a copy of the submission: {store._os_problem(exc, final.parent)} "
            "Nothing was recorded."
        ) from None
    return final


def _insert(con: duckdb.DuckDBPyConnection, values: list[Any]) -> None:
    from harness import engine

    try:
        con.execute("BEGIN TRANSACTION")
        con.execute(f"INSERT INTO submissions ({_COLUMNS}) VALUES ({', '.join('?' * len(values))})", values)
        con.execute("COMMIT")
    except engine.Error as exc:
        store.rollback(con)
        raise StoreUnavailable(
            f"the submission could not be recorded ({str(exc).splitlines()[0]}); nothing was recorded. "
            "Check the free disk space and that the workspace is writable, then submit again."
        ) from None


# ------------------------------------------------------------------------------------------ reading
class _Row(NamedTuple):
    """A ledger row as stored: the private score always there (shown or not is `_present`'s call);
    `seq` orders submissions, so ties go to the earlier one."""

    # A Submission's fields, in its order (a NamedTuple takes no subclass with fields of its own)
    ref: str
    competition: str
    participant: str
    submitted_at: datetime
    file_name: str
    stored_path: str | None
    sha256: str
    size_bytes: int
    message: str | None
    status: str
    error: str | None
    public_score: float | None
    private_score: float | None
    cv_score: float | None
    cv_folds: int | None
    kernel: str | None
    study_id: str | None
    late: bool
    stale: bool = False
    selected: bool = False
    # and the row's own
    seq: int = 0


_NAMES = tuple(name.strip() for name in _COLUMNS.split(","))


def _rows(con: duckdb.DuckDBPyConnection, slug: str, *, migrated: bool = False) -> list[_Row]:
    """Every row of the ledger, in order. `migrated`: the store was opened for writing, so it has
    every column."""
    # A store written before a later migration and opened read-only (not migrated) lacks its
    # columns: they read as NULL, as a migrated store has them for its old rows.
    have = set(_NAMES) if migrated else set(store.column_names(con, "submissions"))
    chosen = ", ".join(name if name in have else f"NULL AS {name}" for name in _NAMES)
    rows = con.execute(f"SELECT {chosen} FROM submissions ORDER BY seq").fetchall()
    out = []
    for values in rows:
        record = dict(zip(_NAMES, values, strict=True))
        record["submitted_at"] = as_utc(record["submitted_at"])
        record["late"] = bool(record["late"])
        record["stale"] = bool(record["stale"])
        out.append(_Row(competition=slug, **record))
    return out


def _selected(con: duckdb.DuckDBPyConnection) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for participant, ref in con.execute(
        "SELECT participant, ref FROM selections ORDER BY participant, ref"
    ).fetchall():
        out.setdefault(participant, []).append(ref)
    return out


def _present(row: _Row, revealed: bool, selected: dict[str, list[str]]) -> Submission:
    shown = {name: getattr(row, name) for name in Submission._fields}
    shown["private_score"] = row.private_score if revealed else None
    # A stale submission's selection no longer counts (`_final_picks` skips it): not shown as selected.
    shown["selected"] = row.ref in selected.get(row.participant, ()) and not row.stale
    return Submission(**shown)


def _counts(row: _Row) -> bool:
    """Whether a row may stand on a leaderboard: scored, not late, and not scored on an earlier split."""
    return row.status == "scored" and not row.late and not row.stale


def _why_off_the_boards(row: _Row) -> str:
    if row.status != "scored":
        return "was rejected"
    if row.late:
        return "is a late submission"
    return "was scored on an earlier public/private split (a reseed could not score its kept file again)"


def _best(rows: Iterable[_Row], card: Card, private: bool = False) -> _Row | None:
    """The best of `rows` (in ledger order) by public or private score; ties go to the earlier one."""
    metric = get_metric(card.metric)
    best: _Row | None = None
    for row in rows:
        value = row.private_score if private else row.public_score
        if value is None:
            continue
        current = None if best is None else (best.private_score if private else best.public_score)
        if current is None or metric.better(value, current):
            best = row
    return best


def _sorted_best(rows: list[_Row], card: Card, private: bool) -> list[_Row]:
    """Rows best first by the metric; ties by ledger order (the earlier submission first)."""
    metric = get_metric(card.metric)
    sign = -1.0 if metric.greater_is_better else 1.0

    def key(row: _Row) -> tuple[float, int]:
        value = row.private_score if private else row.public_score
        assert value is not None
        return (sign * value, row.seq)

    return sorted(rows, key=key)


def _final_picks(own: list[_Row], selected: list[str], card: Card) -> tuple[list[_Row], str]:
    """The submissions of one participant (`own`: those that count) that stand for the private board,
    and how they were chosen: the selection, or without one the best public, as on Kaggle."""
    picked = [r for r in own if r.ref in selected]
    if picked:
        return picked, "selection"
    distinct = list({r.sha256: r for r in reversed(_sorted_best(own, card, private=False))}.values())
    best = _sorted_best(distinct, card, private=False)  # one of byte-identical files: the earliest
    return best[: card.rules.final_selections], "best public"


def _refuse_twins(chosen: list[_Row]) -> None:
    """Refuse final selections of which two are the same file (the same SHA-256): the second one
    would add nothing to the private board but take a selection."""
    first: dict[str, str] = {}
    for row in chosen:
        if row.sha256 in first:
            raise RuleViolation(
                f"{first[row.sha256]} and {row.ref} are the same file (SHA-256 {row.sha256[:12]}…); "
                "select one of them, and another submission in place of the other."
            )
        first[row.sha256] = row.ref


def _board(
    rows: list[_Row], card: Card, selected: dict[str, list[str]], *, private: bool, revealed: bool
) -> list[BoardRow]:
    """The public or the private board over the ledger's `rows`, best first.

    Each participant stands with one submission of those that count: on the public board the best
    public one; on the private board the best private one among the final picks (`_final_picks`:
    the selection, or without one the best public), with the public rank beside it for the
    shake-up. Private scores are shown only when `revealed`.
    """
    by_participant: dict[str, list[_Row]] = {}
    for row in rows:
        if _counts(row):
            by_participant.setdefault(row.participant, []).append(row)
    standing: dict[str, str | None] = {}  # the ref that stands -> how it was chosen (private board)
    bests = []
    for participant, own in by_participant.items():
        how = None
        if private:
            own, how = _final_picks(own, selected.get(participant, []), card)
        best = _best(own, card, private=private)
        if best is not None:
            bests.append(best)
            standing[best.ref] = how
    public_rank = (
        {b.participant: b.rank for b in _board(rows, card, selected, private=False, revealed=True)}
        if private
        else {}
    )
    return [
        BoardRow(
            rank=i,
            participant=b.participant,
            kind=participant_kind(b.participant),
            score=float(b.private_score if private else b.public_score),  # type: ignore[arg-type]
            ref=b.ref,
            submitted_at=b.submitted_at,
            entries=len(by_participant[b.participant]),
            public_score=float(b.public_score),  # type: ignore[arg-type]
            private_score=b.private_score if revealed else None,
            public_rank=public_rank.get(b.participant),
            chosen_by=standing[b.ref],
        )
        for i, b in enumerate(_sorted_best(bests, card, private=private), start=1)
    ]


def submissions(ws: Workspace, slug: str, participant: str | None = None) -> list[Submission]:
    """The ledger of `slug`, newest first (one participant's with `participant`).

    Private scores are filled in only while the competition is closed.
    """
    card = load_card(ws, slug)
    rows, selected, state = _read_ledger(ws, card)
    revealed = state is State.CLOSED
    out = [_present(r, revealed, selected) for r in reversed(rows)]
    if participant is not None:
        out = [s for s in out if s.participant == participant.strip()]
    return out


def _read_ledger(
    ws: Workspace, card: Card, now: datetime | None = None
) -> tuple[list[_Row], dict[str, list[str]], State]:
    """The ledger's rows, the final selections and the competition's state, read in one read-only open.

    A competition found closed publishes its solution file if it has none yet (closed by its
    deadline), and one found open removes any: the door (`session.open_competition`) keeps it in step.
    Raises NotPrepared before `compete prepare`.
    """
    with open_competition(ws, card.slug, now=now, card=card) as session:
        rows, selected = _ledger_rows(session.store, card.slug)
    return rows, selected, session.state


def _ledger_rows(con: duckdb.DuckDBPyConnection, slug: str) -> tuple[list[_Row], dict[str, list[str]]]:
    if "submissions" not in store.schema_tables(con):  # a store from before migration 2, opened read-only
        return [], {}
    return _rows(con, slug), _selected(con)


def leaderboard(
    ws: Workspace, slug: str, *, private: bool = False, now: datetime | None = None
) -> Leaderboard:
    """The public board, or (once the competition is closed) the private board.

    Raises RuleViolation for the private board of an open competition.
    """
    card = load_card(ws, slug)
    rows, selected, state = _read_ledger(ws, card, now)
    return build_board(card, rows_state=(rows, selected, state), private=private)


def build_board(
    card: Card,
    *,
    rows_state: tuple[list[_Row], dict[str, list[str]], State],
    private: bool,
) -> Leaderboard:
    rows, selected, state = rows_state
    closed = state is State.CLOSED
    if private and not closed:
        raise RuleViolation(
            f"the private leaderboard of {card.slug} stays hidden while the competition is open; "
            f"`compete close {card.slug}` ends it and reveals the private scores."
        )
    board = _board(rows, card, selected, private=private, revealed=closed)
    metric = get_metric(card.metric)
    return Leaderboard(
        competition=card.slug,
        board="private" if private else "public",
        metric=card.metric,
        greater_is_better=metric.greater_is_better,
        state=state.value,
        rows=tuple(board),
    )


def board_in(con: duckdb.DuckDBPyConnection, card: Card, state: State, private: bool) -> Leaderboard:
    """A leaderboard read through an open store connection."""
    rows, selected = _ledger_rows(con, card.slug)
    return build_board(card, rows_state=(rows, selected, state), private=private)


# ---------------------------------------------------------------------------------------- selecting
def final_submissions(ws: Workspace, slug: str, *, participant: str | None = None) -> Selection:
    """The submissions that stand for `participant` on the private board now: the final selection,
    or without one the best public submissions (up to the card's `final_selections`)."""
    card = load_card(ws, slug)
    who = _participant(participant)
    rows, selected, state = _read_ledger(ws, card)
    own = [r for r in rows if r.participant == who and _counts(r)]
    picked, how = _final_picks(own, selected.get(who, []), card)
    revealed = state is State.CLOSED
    shown = tuple(_present(r, revealed, selected) for r in picked)
    return Selection(slug, who, tuple(r.ref for r in picked), card.rules.final_selections, shown, how)


def _ref(text: str) -> str:
    """A submission ref as the ledger writes it: `S0001`, `s1` and `1` are all `s0001`."""
    found = re.fullmatch(r"[sS]?0*(\d+)", text.strip())
    return f"s{int(found[1]):04d}" if found else text.strip()


def select(
    ws: Workspace,
    slug: str,
    refs: Sequence[str],
    *,
    participant: str | None = None,
    now: datetime | None = None,
) -> Selection:
    """Choose the final submissions that count for the private board (replaces an earlier choice).

    Raises RuleViolation for too many refs, refs of someone else, rejected or late submissions, or a
    closed competition; UnknownName for a ref not in the ledger.
    """
    card = load_card(ws, slug)
    who = _participant(participant)
    wanted = list(dict.fromkeys(_ref(r) for r in refs))
    limit = card.rules.final_selections
    if not wanted:
        raise RuleViolation(
            f"name at least one submission ref to select, e.g. `compete select {slug} s0001`."
        )
    if len(wanted) > limit:
        raise RuleViolation(
            f"{slug} allows {limit} final selections, and {len(wanted)} were given; choose at most {limit}."
        )
    at = _naive(now) if now is not None else utc_now()
    with open_competition(ws, slug, write=True, now=as_utc(at), card=card) as session:
        con = session.store
        if session.closed:
            raise RuleViolation(
                f"{slug} is closed, so the final selections are fixed; "
                f"`compete reopen {slug}` to practise again."
            )
        rows = {r.ref: r for r in _rows(con, slug)}
        for ref in wanted:
            row = rows.get(ref)
            if row is None:
                own = [r for r, entry in rows.items() if entry.participant == who]
                raise UnknownName(
                    "submission ref",
                    ref,
                    own[-10:],
                    f"Those are {who}'s latest; see `compete submissions {slug} --as {who}`.",
                )
            if row.participant != who:
                raise RuleViolation(
                    f"{ref} was submitted by {row.participant!r}, not {who!r}; "
                    f"select it with `--as {row.participant}`."
                )
            if not _counts(row):
                raise RuleViolation(
                    f"{ref} {_why_off_the_boards(row)}, so it cannot be a final selection; pick a scored one."
                )
        _refuse_twins([rows[ref] for ref in wanted])
        con.execute("BEGIN TRANSACTION")
        try:
            con.execute("DELETE FROM selections WHERE participant = ?", [who])
            for ref in wanted:
                con.execute("INSERT INTO selections VALUES (?, ?, ?)", [who, ref, at])
            con.execute("COMMIT")
        except BaseException:
            store.rollback(con)
            raise
        selected = _selected(con)
    chosen = tuple(_present(rows[r], False, selected) for r in wanted)
    return Selection(slug, who, tuple(wanted), limit, chosen)
