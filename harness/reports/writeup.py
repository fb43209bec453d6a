"""The writeup: a draft document of what was tried and learned, which the learner edits.

`submissions/<slug>/WRITEUP.md` holds generated sections fenced by markers,
`<!-- compete:begin NAME -->` … `<!-- compete:end NAME -->`. Writing it again regenerates what lies
inside the markers and keeps every byte outside them: the learner's headings, paragraphs and
anything added at the end. A section whose markers the learner removed stays removed. Before the
close the private scores and the post-mortem's lessons are left out. `WRITEUP.html` beside it is the
same Markdown as a page (markdown-it, raw HTML off), its figure embedded.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from harness.errors import RuleViolation
from harness.reports.history import Entry, read_history
from harness.workspace import Workspace

_MARKER_LINE = re.compile(r"^<!-- compete:(?:begin|end) [a-z-]+ -->\n", re.MULTILINE)
SECTIONS = ("timeline", "progression", "what-worked", "techniques", "lessons")
WRITEUP = "WRITEUP.md"
FIGURE = "writeup-progression.png"
_BLOCK = re.compile(
    r"(<!-- compete:begin (?P<name>[a-z-]+) -->\n)(?P<body>.*?)(<!-- compete:end (?P=name) -->)", re.DOTALL
)


@dataclass(frozen=True)
class Written:
    markdown: Path
    html: Path
    closed: bool
    sections: dict[str, str]

    def as_dict(self) -> dict[str, Any]:
        return {**asdict(self), "markdown": str(self.markdown), "html": str(self.html)}


def merge(existing: str, generated: dict[str, str]) -> str:
    """`existing` with each marked section's body replaced by `generated[name]`; all else unchanged."""

    def replace(found: re.Match[str]) -> str:
        name = found["name"]
        if name not in generated:
            return found[0]
        return found[1] + generated[name] + found[4]

    return _BLOCK.sub(replace, existing)


def fresh(slug: str, participant: str, generated: dict[str, str]) -> str:
    """A new writeup: a heading per section, each generated section in its markers, room to write."""
    titles = {
        "timeline": "Approach",
        "progression": "Score progression",
        "what-worked": "What worked and what did not",
        "techniques": "Techniques",
        "lessons": "Lessons",
    }
    parts = [
        f"# {slug}: writeup of {participant}\n\n",
        "Edit freely: only the text between `compete:begin` and `compete:end` markers is rewritten by "
        "`compete writeup`.\n\n",
    ]
    for name in SECTIONS:
        parts.append(
            f"## {titles[name]}\n\n<!-- compete:begin {name} -->\n{generated[name]}"
            f"<!-- compete:end {name} -->\n\n"
        )
    return "".join(parts)


def sections(
    ws: Workspace, slug: str, participant: str, storage_url: str | None = None
) -> tuple[dict[str, str], bool, bytes]:
    """The generated Markdown of each section, whether the competition is closed, the figure's PNG.
    The studies behind the submissions are read from the local journals, and `storage_url` if given."""
    from harness.reports import plots, render
    from harness.reports.studies import THEORY_NOTE, study_reports

    history = read_history(ws, slug)
    try:
        own = history.of(participant)
        closed = history.closed
        card = history.card
        metric = history.metric
    finally:
        history.close()
    if not own:
        raise RuleViolation(
            f"{participant!r} has no scored submission to {slug} yet; submit first, or give --as NAME."
        )
    folder = ws.submissions_dir(slug)
    kernels = {e.ref: render.kernel_link(ws, folder, e.kernel) for e in own}
    points = [
        {
            "ref": e.ref,
            "cv": e.cv_score,
            "public": e.public_score,
            "private": e.private_score if closed else None,
        }
        for e in own
    ]
    lessons: list[Any] = []
    if closed:
        from harness.reports import postmortem

        pm = postmortem.build(ws, slug, participant, storage_url)
        lessons, studies = list(pm.mistakes), pm.studies
    else:
        studies = study_reports(ws, own, storage_url)
    values = {
        "own": own,
        "closed": closed,
        "metric": metric.name,
        "kernels": kernels,
        "changes": _changes(own, closed, metric.greater_is_better),
        "techniques": _techniques(ws, folder, own, card),
        "lessons": lessons,
        "notes": {
            note: render.note_link(ws, folder, note)
            for note in [*(m.note for m in lessons), *([THEORY_NOTE] if studies else [])]
        },
        "studies": studies,
        "figure": FIGURE,
    }
    text = render.render("writeup.md.j2", **values)
    generated = {name: found["body"] for found in _BLOCK.finditer(text) if (name := found["name"])}
    return generated, closed, plots.progression(points, metric.name)


def _changes(own: list[Entry], closed: bool, greater: bool) -> list[dict[str, Any]]:
    """The largest score changes between one submission and the next, and what its message says."""
    out: list[dict[str, Any]] = []
    for before, after in zip(own, own[1:], strict=False):
        a = after.private_score if closed and after.private_score is not None else after.public_score
        b = before.private_score if closed and before.private_score is not None else before.public_score
        gain = a - b if greater else b - a
        out.append(
            {"from": before.ref, "to": after.ref, "gain": gain, "message": after.message or "(no message)"}
        )
    return sorted(out, key=lambda c: -abs(c["gain"]))[:5]


def _techniques(ws: Workspace, folder: Path, own: list[Entry], card: Any) -> list[dict[str, str]]:
    from harness import theory
    from harness.reports import render

    used = theory.kernel_techniques(ws)
    topics = list(theory.notes_for_competition(ws, card))
    for e in own:
        if e.kernel and e.kernel in used:
            topics += theory.notes_for_kernel(ws, used[e.kernel])
    out = []
    for topic in dict.fromkeys(topics):
        note = theory.load_note(ws, topic)
        out.append(
            {
                "topic": topic,
                "title": note.title,
                "link": render.note_link(ws, folder, topic),
                "formula": _first_formula(note.section("Key formulas")),
            }
        )
    return out


def _first_formula(text: str) -> str:
    found = re.search(r"\$\$(.+?)\$\$", text, re.DOTALL) or re.search(r"\$([^$\n]+)\$", text)
    return " ".join(found[1].split()) if found else ""


def write(ws: Workspace, slug: str, participant: str, storage_url: str | None = None) -> Written:
    """Write (or regenerate) `submissions/<slug>/WRITEUP.md` and `WRITEUP.html` beside it."""
    from harness.reports import render

    generated, closed, png = sections(ws, slug, participant, storage_url)
    folder = ws.submissions_dir(slug)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / WRITEUP
    if path.is_file():
        text = merge(path.read_bytes().decode("utf-8"), generated)
    else:
        text = fresh(slug, participant, generated)
    path.write_bytes(text.encode("utf-8"))
    (folder / FIGURE).write_bytes(png)
    html = folder / "WRITEUP.html"
    html.write_text(page(text, {FIGURE: render.data_uri(png)}, f"{slug}: writeup"), encoding="utf-8")
    return Written(path, html, closed, generated)


def page(markdown: str, images: dict[str, str], title: str) -> str:
    """The writeup as a self-contained page: raw HTML in the Markdown is shown as text."""
    from markdown_it import MarkdownIt

    from harness.reports import render

    for name, uri in images.items():
        markdown = markdown.replace(f"]({name})", f"]({uri})")
    markdown = _MARKER_LINE.sub("", markdown)  # fences for `compete writeup`, not for the reader
    body = MarkdownIt("commonmark", {"html": False}).enable("table").render(markdown)
    return render.render("writeup.html.j2", title=title, body=body)
