"""Commands that look back on a competition: postmortem and writeup.

The work happens in `harness.reports`; these commands render its values.
"""

from __future__ import annotations

from typing import Annotated, Any

import typer

from harness.cli import app
from harness.cli._render import Format, FormatOption, console, emit_json, escape, render_rows
from harness.cli.submissions import AsOption, SlugArg
from harness.workspace import find_workspace

OpenOption = Annotated[bool, typer.Option("--open", help="Open the HTML page in your browser.")]
StudiesOption = Annotated[
    str | None,
    typer.Option(
        "--storage",
        help="Where the tuning studies behind the submissions live, when not in the local journal "
        "(.compete/<competition>/studies.journal): a database URL such as postgresql+psycopg://user@host/db.",
        show_default=False,
    ),
]


@app.command()
def postmortem(
    slug: SlugArg,
    as_: AsOption = None,
    open_: OpenOption = False,
    storage: StudiesOption = None,
    fmt: FormatOption = Format.table,
) -> None:
    """Analyse a closed competition: shake-up, overfitting to the public board, selection regret,
    CV against the boards, error slices, calibration and the mistakes found, each linked to its
    theory note.

    Writes reports/SLUG/NAME/postmortem.md and a self-contained postmortem.html, and prints their
    paths and a summary. Refused while the competition is open: the analysis needs the private labels.

    Example: compete postmortem titanic --open
    """
    from harness.ledger import default_participant
    from harness.reports import postmortem as pm

    ws = find_workspace()
    written = pm.write(ws, pm.build(ws, slug, as_ or default_participant(), storage))
    if fmt is Format.json:
        emit_json(written.as_dict())
    else:
        report = written.report
        rows = [
            {"mistake": m.title, "submissions": ", ".join(m.refs), "theory": m.note} for m in report.mistakes
        ]
        if fmt is Format.table:
            s = report.selection
            console().print(f"[bold]Post-mortem of {escape(report.participant)} in {escape(slug)}[/bold]")
            console().print(f"  markdown  {escape(written.markdown)}")
            console().print(f"  page      {escape(written.html)}")
            console().print(
                f"  final {s['final_ref']} scored {s['final_private']:.6g} privately; your best private was "
                f"{s['best_private_ref']} ({s['best_private']:.6g}); rank {s['rank_with_finals']} "
                f"(with the best: {s['rank_with_best']})"
            )
            final = next((r.kaggle for r in report.rows if r.ref == s["final_ref"] and r.kaggle), None)
            if final and report.kaggle_board:
                medal = final["medal"] or "no medal"
                console().print(
                    f"  on Kaggle's final board: {medal}, rank {final['rank']} of {final['teams'] + 1} "
                    f"({report.kaggle_board['scored_on']} score)"
                )
            for st in report.studies:
                console().print(escape(f"  study {st.study}: {_study_line(st)}"))
        render_rows(
            rows,
            fmt,
            ["mistake", "submissions", "theory"],
            title="Mistakes found",
            empty="no mistake pattern found",
        )
    if open_:
        import webbrowser

        webbrowser.open(written.html.resolve().as_uri())


@app.command()
def writeup(
    slug: SlugArg,
    as_: AsOption = None,
    open_: OpenOption = False,
    storage: StudiesOption = None,
    fmt: FormatOption = Format.table,
) -> None:
    """Draft the writeup: the approach as a timeline, the score progression, what worked, the
    techniques with their theory notes and formulas, and the post-mortem's lessons.

    Writes submissions/SLUG/WRITEUP.md and WRITEUP.html beside it. Run it again at any time: only
    the generated sections (between `<!-- compete:begin NAME -->` and `<!-- compete:end NAME -->`)
    are rewritten; your own text elsewhere stays as you wrote it. Before the close, the private
    parts are left out.

    Example: compete writeup titanic --as alice
    """
    from harness.ledger import default_participant
    from harness.reports import writeup as wu

    ws = find_workspace()
    written = wu.write(ws, slug, as_ or default_participant(), storage)
    if fmt is Format.json:
        emit_json(written.as_dict())
        return
    render_rows(
        [{"file": str(written.markdown)}, {"file": str(written.html)}],
        fmt,
        ["file"],
        title=f"Writeup of {slug}" + ("" if written.closed else " (open: private parts left out)"),
    )
    if open_:
        import webbrowser

        webbrowser.open(written.html.resolve().as_uri())


def _study_line(st: Any) -> str:
    """One line on a study (a harness.reports.studies.StudyReport) for the table summary."""
    if not st.reachable:
        return "its storage could not be read (see the report)"
    if st.best_cv is None:
        return f"{st.trials} trials complete, none best"
    line = f"{st.trials} trials complete, best CV {st.best_cv:.6g} (trial {st.best_trial})"
    if st.gain is not None:
        verdict = "inside" if st.within_noise else "beyond"
        line += f", gain {st.gain:+.4g} over the defaults, {verdict} the fold noise ({st.fold_std:.4g})"
    return line
