"""Commands that submit and look back: submit, submissions, leaderboard, select, close, reopen.

The work happens in `harness.ledger` and `harness.lifecycle`; these commands only render its values.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from harness.cli import app
from harness.cli._render import Format, FormatOption, console, emit_json, escape, render_rows, say
from harness.workspace import find_workspace

SlugArg = Annotated[str, typer.Argument(help="The competition, such as titanic.")]
AsOption = Annotated[
    str | None,
    typer.Option("--as", help="Participant name (default: your OS user name).", show_default=False),
]


@app.command()
def submit(
    slug: SlugArg,
    file: Annotated[Path, typer.Argument(help="Predictions: CSV, gzipped CSV or Parquet.")],
    message: Annotated[str | None, typer.Option("--message", "-m", help="What changed.")] = None,
    as_: AsOption = None,
    cv: Annotated[float | None, typer.Option("--cv", help="Your cross-validation score, to compare.")] = None,
    cv_folds: Annotated[
        int | None,
        typer.Option("--cv-folds", help="How many folds the --cv score is the mean of.", show_default=False),
    ] = None,
    fmt: FormatOption = Format.table,
) -> None:
    """Validate, score and record a submission; show its public score, rank and slots left today.

    The private score is computed and stored but shown only once the competition closes. A file that
    fails validation is recorded as rejected, costs no slot, and ends with a non-zero exit.

    Example: compete submit titanic submission.csv --cv 0.82 --cv-folds 5
    """
    from harness.freshness import changed_since_prepare, warning
    from harness.ledger import submit as run_submit

    ws = find_workspace()
    changed = changed_since_prepare(ws, slug)
    if changed:
        typer.echo(warning(ws, slug, changed), err=True)
    outcome = run_submit(ws, slug, file, participant=as_, message=message, cv_score=cv, cv_folds=cv_folds)
    s = outcome.submission
    if fmt is Format.json:
        emit_json(outcome.as_dict())
    elif fmt is Format.csv:
        render_rows([outcome.as_dict()], fmt)
    if outcome.rejected:
        typer.echo(f"error: submission {s.ref} rejected: {s.error}", err=True)
        raise typer.Exit(code=1)
    if fmt is Format.table:
        _submit_table(outcome)


def _submit_table(outcome: Any) -> None:
    """A submit's few lines, through typer: rich (whose import would cost a small submit a fifth of
    its time) is for tables, and what a participant typed prints as typed without it."""
    s = outcome.submission
    out = typer.echo
    direction = "higher is better" if outcome.greater_is_better else "lower is better"
    late = (
        typer.style(" (late: the competition is closed; not on the leaderboard)", fg="yellow")
        if s.late
        else ""
    )
    out(f"{typer.style(s.ref, bold=True)} scored for {s.competition} as {s.participant}{late}")
    out(f"  public score   {s.public_score:.6g}  ({outcome.metric}, {direction})")
    if s.private_score is not None:
        out(f"  private score  {s.private_score:.6g}")
    if s.cv_score is not None:
        against = _against_cv(s.public_score, s.cv_score, outcome.greater_is_better)
        out(f"  cv score       {cv_text(s.cv_score, s.cv_folds)}  ({against})")
    if outcome.public_rank is not None:
        out(f"  public rank    {outcome.public_rank} of {outcome.board_size}")
    if not s.late:
        if outcome.is_best:
            previous = (
                f" (previous best {outcome.previous_best:.6g})" if outcome.previous_best is not None else ""
            )
            out(f"  your best      yes{previous}")
        else:
            out(f"  your best      no (best so far {outcome.previous_best:.6g})")
    out(f"  left today     {outcome.remaining_today} of {outcome.daily_limit} (UTC day)")
    for note in outcome.notes:
        out(f"{typer.style('note:', fg='yellow')} {note}")


def cv_text(score: float, folds: int | None) -> str:
    """A CV score with the number of folds it is the mean of, when that is known."""
    return f"{score:.6g} ({folds} folds)" if folds is not None else f"{score:.6g}"


def _against_cv(public: float, cv: float, greater_is_better: bool) -> str:
    """How the public score compares with the CV score, in the metric's direction."""
    gap = public - cv
    if gap == 0:
        return "the public score equals it"
    better = (gap > 0) == greater_is_better
    return f"the public score is {abs(gap):.4g} {'better' if better else 'worse'}"


MESSAGE_WIDTH = 80  # a message longer than this is cut in the table


def _shortened(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


WhoseOption = Annotated[
    str | None,
    typer.Option(
        "--as", help="Only this participant's submissions (default: everyone's).", show_default=False
    ),
]


@app.command("submissions")
def submissions_(slug: SlugArg, as_: WhoseOption = None, fmt: FormatOption = Format.table) -> None:
    """List the ledger of a competition, newest first: every submission, scored or rejected.

    Private scores appear once the competition is closed, with the score on the whole test set
    (public and private rows together) and, when the competition keeps Kaggle's final board, the
    medal the private score would have won there.

    Example: compete submissions titanic --as alice
    """
    from harness.ledger import submissions as list_submissions

    ws = find_workspace()
    rows = [s.as_dict() for s in list_submissions(ws, slug, participant=as_)]
    whole = _with_whole_test(ws, slug, rows)
    medals = _with_medals(ws, slug, rows, "private_score")
    if fmt is Format.table:
        for row in rows:
            row["file"] = row["file_name"]
            row["date"] = row["submitted_at"]
            row["status"] += " (late)" if row["late"] else " (stale)" if row["stale"] else ""
            if row["error"]:
                first = row["error"].splitlines()[1 if "\n" in row["error"] else 0].strip(" -")
                row["error"] = _shortened(first, 40)
            if row["message"]:  # in full with --format json or csv
                row["message"] = _shortened(" ".join(row["message"].split()), MESSAGE_WIDTH)
            row["selected"] = "yes" if row["selected"] else ""
            row["study"] = row["study_id"]  # "<study>#<trial>" for a submitted tuning trial
            if row["cv_score"] is not None:
                row["cv_score"] = cv_text(row["cv_score"], row["cv_folds"])
        columns = ["ref", "participant", "date", "status", "public_score"]
        if any(r["private_score"] is not None for r in rows):
            columns.append("private_score")
            columns += (["whole_score"] if whole else []) + (["medal"] if medals else [])
        columns += ["cv_score", "study", "selected", "file", "message", "error"]
        empty = f"no submissions by {as_.strip()!r} yet" if as_ is not None else "no submissions yet"
        keep = ["ref", "public_score", "status", "private_score", "participant", "date", "cv_score"]
        render_rows(rows, fmt, columns, title=f"Submissions to {slug}", empty=empty, priority=keep)
        return
    from harness.ledger import Submission

    extra = (["whole_score"] if whole else []) + (["medal"] if medals else [])
    header = [*Submission._fields, "kind", *extra]
    render_rows(rows, fmt, header)  # a header even when empty


@app.command()
def leaderboard(
    slug: SlugArg,
    private: Annotated[
        bool, typer.Option("--private", help="The private board (only once the competition is closed).")
    ] = False,
    ties: Annotated[
        bool,
        typer.Option(
            "--ties", help="Mark rows statistically tied with the row above (paired bootstrap, public rows)."
        ),
    ] = False,
    fmt: FormatOption = Format.table,
) -> None:
    """Show the leaderboard: each participant's best public submission (ties go to the earlier one).

    With --private (once closed): each participant's selected (or best public) submissions scored on
    the private rows, with the public rank beside it, and, for a competition that keeps Kaggle's final
    board (leaderboard.csv), the medal each score would have won there and its rank among the teams.

    With --ties: each public score's 95% bootstrap interval over the public rows, and whether the row
    is statistically tied with the one above (a paired bootstrap over the same public rows).

    Example: compete leaderboard titanic --ties
    """
    from harness.ledger import leaderboard as build

    ws = find_workspace()
    board = build(ws, slug, private=private)
    marks = None
    if ties:
        from harness.reports.ties import board_ties

        marks = board_ties(ws, slug, [r.ref for r in board.rows])
    _render_board(board, fmt, marks, ws)


def _with_whole_test(ws: Any, slug: str, rows: list[dict[str, Any]]) -> bool:
    """Once closed: each scored submission's score on the whole test set (public and private rows)."""
    from harness.whole_test import whole_test_scores

    scores = whole_test_scores(ws, slug)
    for row in rows:
        row["whole_score"] = scores.get(row["ref"])
    return bool(scores)


def _with_medals(ws: Any, slug: str, rows: list[dict[str, Any]], score_key: str) -> bool:
    """Kaggle's medal beside each score, for a competition that keeps Kaggle's final board."""
    from harness.competition import load_card
    from harness.medals import annotate

    return annotate(load_card(ws, slug), rows, score_key)


def _render_board(board: Any, fmt: Format, marks: dict[str, Any] | None = None, ws: Any = None) -> None:
    rows = [r.as_dict() for r in board.rows]
    columns = ["rank", "participant", "kind", "score", "ref", "entries", "submitted_at"]
    if board.board == "private":
        columns = ["rank", "participant", "kind", "score", "public_rank", "change", "public_score", "ref"]
        columns.append("chosen_by")
        if ws is not None and _with_medals(ws, board.competition, rows, "score"):
            columns.append("medal")
    if marks is not None:  # --ties: the public score's interval, and a tie with the row above
        for row in rows:
            row.update(marks[row["ref"]].as_dict())
            if fmt is Format.table:
                row["tie"] = "≈ above" if row["tied_with_above"] else ""
        columns += ["public_low", "public_high", "tie" if fmt is Format.table else "tied_with_above"]
    direction = "higher is better" if board.greater_is_better else "lower is better"
    title = f"{board.board.capitalize()} leaderboard of {board.competition} ({board.metric}, {direction})"
    keep = ["rank", "participant", "score", "ref", "public_rank", "change", "tie"]
    render_rows(rows, fmt, columns, title=title, empty="no scored submissions yet", priority=keep)


@app.command()
def select(
    slug: SlugArg,
    refs: Annotated[
        list[str] | None,
        typer.Argument(
            help="Submission refs, such as s0003 s0007; none shows what stands now.", show_default=False
        ),
    ] = None,
    as_: AsOption = None,
    fmt: FormatOption = Format.table,
) -> None:
    """Choose your final submissions for the private board (up to the card's final_selections).

    Without a choice, your best public submissions count, as on Kaggle.

    Without refs, shows the submissions that stand for you now and how they were chosen.

    Example: compete select titanic s0003 s0007
    """
    from harness.ledger import final_submissions
    from harness.ledger import select as run_select

    ws = find_workspace()
    if refs:
        chosen = run_select(ws, slug, refs, participant=as_)
    else:
        chosen = final_submissions(ws, slug, participant=as_)
    rows = [{**s.as_dict(), "chosen_by": chosen.chosen_by} for s in chosen.submissions]
    if fmt is Format.table:
        how = "your selection" if chosen.chosen_by == "selection" else "none selected, your best public ones"
        standing = f"{how}: {len(chosen.refs)} of {chosen.limit}"
        say(f"{chosen.participant}'s final submissions for {slug} ({standing}):")
    render_rows(
        rows,
        fmt,
        ["ref", "file_name", "submitted_at", "message", "public_score", "private_score", "chosen_by"],
        empty="no scored submissions yet, so none stands for the private board",
        priority=["ref", "public_score", "private_score", "submitted_at"],
    )


@app.command()
def close(slug: SlugArg, fmt: FormatOption = Format.table) -> None:
    """End a competition now: show the private leaderboard and the shake-up, write the solution file.

    Private scores then appear in `compete submissions`; later submissions are scored as late.

    Example: compete close titanic
    """
    from harness.lifecycle import close as run_close

    closing = run_close(find_workspace(), slug)
    if fmt is Format.json:
        emit_json(
            {
                "competition": closing.competition,
                "closed_at": closing.closed_at,
                "already_closed": closing.already_closed,
                "solution_path": str(closing.solution_path),
                "leaderboard": [r.as_dict() for r in closing.board.rows],
                "shakeup": [
                    {
                        "participant": r.participant,
                        "public_rank": r.public_rank,
                        "private_rank": r.rank,
                        "change": r.change,
                    }
                    for r in closing.board.rows
                ],
            }
        )
        return
    if fmt is Format.table:
        note = " (it was already closed)" if closing.already_closed else ""
        console().print(
            f"[bold]{escape(slug)} is closed{note}.[/bold] "
            f"Solution written to {escape(closing.solution_path)}"
        )
    _render_board(closing.board, fmt)
    if fmt is Format.table and closing.board.rows:
        moves = []
        for r in closing.board.rows:
            change = r.change or 0
            arrow = f"up {change}" if change > 0 else (f"down {-change}" if change < 0 else "=")
            moves.append(f"{escape(r.participant)}: {r.public_rank} → {r.rank} ({arrow})")
        console().print("Shake-up (public rank → private rank): " + "; ".join(moves))


@app.command()
def reopen(
    slug: SlugArg,
    reseed: Annotated[
        bool, typer.Option("--reseed", help="Draw a fresh public/private split and rescore everything.")
    ] = False,
    fmt: FormatOption = Format.table,
) -> None:
    """Open a closed competition again to practise; --reseed draws a new public/private split.

    With --reseed every recorded submission is scored again, from its kept file, under the new split.

    Example: compete reopen titanic --reseed
    """
    from dataclasses import asdict

    from harness.lifecycle import reopen as run_reopen

    done = run_reopen(find_workspace(), slug, reseed=reseed)
    # The competition is open again: private scores stay hidden.
    rescored = [{k: v for k, v in asdict(r).items() if not k.startswith("private")} for r in done.rescored]
    if fmt is Format.json:
        emit_json({**asdict(done), "rescored": rescored})
        return
    if fmt is Format.table:
        text = f"[bold]{escape(slug)} is open[/bold]"
        if done.reseeded:
            text += f"; new public/private split (seed {done.seed}, {done.public_rows} public rows)"
            text += f"; {len(done.rescored)} submissions rescored"
            if done.not_rescored:
                text += (
                    f"; not rescored (kept file missing or no longer valid), so off the boards: "
                    f"{', '.join(done.not_rescored)}"
                )
        console().print(text + ".")
        if done.rescored:
            render_rows(
                rescored,
                fmt,
                ["ref", "participant", "public_before", "public_after"],
                title="Rescored (public scores)",
            )
        return
    # CSV: a row per submission a reseed touched; a stale one has no score after.
    stale = [{"ref": ref, "stale": True} for ref in done.not_rescored]
    rows = [{**r, "stale": False} for r in rescored] + stale
    render_rows(rows, fmt, ["ref", "participant", "public_before", "public_after", "stale"])
