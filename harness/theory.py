"""The index of theory notes (`theory/<topic>.md`) and the links between notes, kernels and competitions.

A note explains one concept. It opens with a small front matter between `---` lines, one `key: value`
a line, lists written `[a, b]`:

    ---
    title: ROC AUC
    tags: [metric, binary, ranking-quality]
    covers: [roc_auc]                      # technique tags and metric names the note explains
    prerequisites: [log-loss]              # notes to read first
    related: [calibration, accuracy]       # notes worth reading next
    ---

and then holds the sections in SECTIONS. "Where it is used" links kernels by path
(`kernels/<slug>/<name>.py`) or by name (`compete kernels show <slug>/<name>`) and competitions as
`compete show <slug>`. Metric notes carry worked examples in fenced blocks (see `WorkedExample`).

Links run both ways: a kernel names its techniques (its KERNEL dict, read here as text, never imported),
a card names its metric and CV scheme, and each is explained by the notes that cover them; `used_by`
gathers, for every note, what points at it.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from harness import kernels as _kernels
from harness import metrics as _metrics
from harness.errors import UnknownName
from harness.workspace import Workspace

SECTIONS = (
    "Intuition",
    "Key formulas",
    "Assumptions",
    "How it fails and how that shows in scores",
    "Where it is used",
)

# The vocabulary kernels and notes share, and the metric names: one source each.
TECHNIQUES = _kernels.TECHNIQUES
METRIC_NAMES = tuple(_metrics.metric_names())

# A card's CV scheme, as the note topic that explains it.
CV_SCHEME_TOPICS = {
    "kfold": "cross-validation",
    "stratified": "stratified-folds",
    "group": "grouped-folds",
    "time": "time-series-folds",
}
LEADERBOARD_TOPIC = "public-private-leaderboard"

TOPIC_PATTERN = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
_NOTE_LINK = re.compile(r"\]\(([a-z0-9-]+)\.md(?:#[^)]*)?\)")
_KERNEL_PATH = re.compile(r"kernels/([a-z0-9][a-z0-9-]*)/([A-Za-z0-9_.-]+?)\.py\b")
_KERNEL_NAME = re.compile(r"compete kernels show ([a-z0-9][a-z0-9-]*)/([A-Za-z0-9_-]+)")
_COMPETITION = re.compile(r"compete show ([a-z0-9]+(?:-[a-z0-9]+)*)")
_EXAMPLE = re.compile(r"^```example[ \t]+([^\n]*)\n(.*?)^```[ \t]*$", re.MULTILINE | re.DOTALL)


@dataclass(frozen=True)
class WorkedExample:
    """A metric computed by hand on a few rows, stated in a note as a fenced block:

        ```example metric=rmse
        y,p
        3,2.5
        -0.5,0.0
        score=0.3536
        ```

    Options follow the metric on the first line (`classes=a,b,c`, `k=3`). Rows are CSV with a header:
    `y,p`, or `y,p_<class>,...` for class probabilities (one column per class, in `classes` order);
    for rankings, `y` and `p` hold space-separated items. `score` is checked to as many decimals as written.
    """

    metric: str
    options: dict[str, str]
    columns: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    score: float
    decimals: int

    @property
    def classes(self) -> tuple[str, ...] | None:
        raw = self.options.get("classes")
        return tuple(c.strip() for c in raw.split(",")) if raw else None


@dataclass(frozen=True)
class Note:
    """One theory note, as read from `theory/<topic>.md`."""

    topic: str
    path: Path
    title: str
    tags: tuple[str, ...]
    covers: tuple[str, ...]
    prerequisites: tuple[str, ...]
    related: tuple[str, ...]
    sections: tuple[tuple[str, str], ...]
    body: str
    extra: dict[str, str] = field(default_factory=dict)

    def section(self, name: str) -> str:
        """The text of section `name` ('' when the note lacks it)."""
        return dict(self.sections).get(name, "")

    @property
    def missing_sections(self) -> list[str]:
        present = {name for name, _ in self.sections}
        return [name for name in SECTIONS if name not in present]

    @property
    def linked_notes(self) -> list[str]:
        """Topics this note points at: prerequisites, related, and markdown links `[..](topic.md)`."""
        return _unique([*self.prerequisites, *self.related, *_NOTE_LINK.findall(self.body)])

    @property
    def linked_kernels(self) -> list[str]:
        """Kernels this note names, as `<slug>/<name>` (by path or by `compete kernels show`)."""
        found = [*_KERNEL_PATH.findall(self.body), *_KERNEL_NAME.findall(self.body)]
        return _unique(f"{slug}/{name}" for slug, name in found)

    @property
    def linked_competitions(self) -> list[str]:
        """Competition slugs this note names as `compete show <slug>`."""
        return _unique(_COMPETITION.findall(self.body))

    @property
    def examples(self) -> list[WorkedExample]:
        return parse_examples(self.body)


@dataclass(frozen=True)
class UsedBy:
    """What points at one note: kernels (`<slug>/<name>`), competitions (slugs) and other notes."""

    kernels: tuple[str, ...] = ()
    competitions: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()

    @property
    def anything(self) -> bool:
        return bool(self.kernels or self.competitions or self.notes)


# ---- reading notes -------------------------------------------------------------------------------


def topic_names(ws: Workspace) -> list[str]:
    """Every note's topic (its file stem), sorted; `theory/README.md` is the preface, not a note."""
    if not ws.theory_dir.is_dir():
        return []
    return sorted(p.stem for p in ws.theory_dir.glob("*.md") if TOPIC_PATTERN.match(p.stem))


def load_note(ws: Workspace, topic: str) -> Note:
    """The note for `topic`: a file stem, or a technique tag or metric name that exactly one note covers
    (`roc_auc` finds `roc-auc`).

    Raises UnknownName, suggesting close topics, when nothing matches.
    """
    names = topic_names(ws)
    wanted = topic.strip().lower()
    for candidate in (wanted, wanted.replace("_", "-")):
        if candidate in names:
            return parse_note(ws.theory_dir / f"{candidate}.md")
    covering = [n.topic for n in all_notes(ws) if wanted in n.covers or wanted.replace("_", "-") in n.covers]
    if len(covering) == 1:
        return load_note(ws, covering[0])
    raise UnknownName(
        "topic", topic, names, hint="List the notes with `compete theory`; topics are kebab-case file names."
    )


def all_notes(ws: Workspace) -> list[Note]:
    """Every note, in topic order."""
    return [parse_note(ws.theory_dir / f"{name}.md") for name in topic_names(ws)]


def parse_note(path: Path) -> Note:
    """Read one note file: its front matter and its `## ` sections."""
    text = path.read_text(encoding="utf-8")
    meta, body = _split_front_matter(text)
    known = {"title", "tags", "covers", "prerequisites", "related"}
    return Note(
        topic=path.stem,
        path=path,
        title=meta.get("title", path.stem),
        tags=_as_list(meta.get("tags", "")),
        covers=_as_list(meta.get("covers", "")),
        prerequisites=_as_list(meta.get("prerequisites", "")),
        related=_as_list(meta.get("related", "")),
        sections=tuple(_sections(body)),
        body=body,
        extra={k: v for k, v in meta.items() if k not in known},
    )


def _split_front_matter(text: str) -> tuple[dict[str, str], str]:
    lines = text.splitlines()
    if not lines or lines[0].strip() != "---":
        return {}, text
    meta: dict[str, str] = {}
    for index, line in enumerate(lines[1:], start=1):
        if line.strip() == "---":
            return meta, "\n".join(lines[index + 1 :]).lstrip("\n")
        key, sep, value = line.partition(":")
        if sep and key.strip():
            meta[key.strip()] = value.strip()
    return {}, text  # no closing line: treat the whole file as body


def _as_list(value: str) -> tuple[str, ...]:
    value = value.strip()
    if value.startswith("[") and value.endswith("]"):
        value = value[1:-1]
    return tuple(item.strip() for item in value.split(",") if item.strip())


def _sections(body: str) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    name: str | None = None
    lines: list[str] = []
    fenced = False
    for line in body.splitlines():
        if line.startswith("```"):
            fenced = not fenced
        if not fenced and line.startswith("## "):
            if name is not None:
                out.append((name, "\n".join(lines).strip()))
            name, lines = line[3:].strip(), []
        elif name is not None:
            lines.append(line)
    if name is not None:
        out.append((name, "\n".join(lines).strip()))
    return out


def parse_examples(text: str) -> list[WorkedExample]:
    """The worked examples (```example metric=... blocks) in `text`."""
    import csv

    out = []
    for head, block in _EXAMPLE.findall(text):
        options = dict(_option(part) for part in head.split())
        lines = [line for line in block.splitlines() if line.strip()]
        score_lines = [line for line in lines if line.startswith("score=")]
        assert len(score_lines) == 1, f"a worked example needs one score= line: {head}"
        stated = score_lines[0].removeprefix("score=").strip()
        table = list(csv.reader([line for line in lines if not line.startswith("score=")]))
        decimals = len(stated.split(".")[1]) if "." in stated else 0
        out.append(
            WorkedExample(
                metric=options.pop("metric"),
                options=options,
                columns=tuple(c.strip() for c in table[0]),
                rows=tuple(tuple(cell.strip() for cell in row) for row in table[1:]),
                score=float(stated),
                decimals=decimals,
            )
        )
    return out


def _option(part: str) -> tuple[str, str]:
    key, _, value = part.partition("=")
    return key, value


# ---- links ----------------------------------------------------------------------------------------


def notes_covering(ws: Workspace, names: Iterable[str]) -> list[str]:
    """Topics of the notes that cover any of `names` (technique tags or metric names), in `names` order."""
    notes = all_notes(ws)
    out: list[str] = []
    for name in names:
        out += [n.topic for n in notes if name in n.covers or name == n.topic]
    return _unique(out)


def notes_for_competition(ws: Workspace, card: Any) -> list[str]:
    """Notes explaining a competition: its metric, its CV scheme, and the public/private leaderboard."""
    return notes_for_competition_from(all_notes(ws), card)


def notes_for_kernel(ws: Workspace, kernel_or_techniques: Any) -> list[str]:
    """Notes covering a kernel's techniques.

    Accepts a list of technique tags, a KERNEL dict (its "techniques"), or an object with a
    `techniques` attribute.
    """
    if isinstance(kernel_or_techniques, Mapping):
        techniques = kernel_or_techniques.get("techniques", [])
    elif hasattr(kernel_or_techniques, "techniques"):
        techniques = kernel_or_techniques.techniques
    else:
        techniques = kernel_or_techniques
    if isinstance(techniques, str):
        techniques = [techniques]
    return notes_covering(ws, list(techniques))


def kernel_techniques(ws: Workspace) -> dict[str, list[str]]:
    """Every kernel (`<slug>/<name>`) and the technique tags its KERNEL dict names.

    Kernel files are read as text (via ast), never imported: importing one may be slow or fail.
    A file whose KERNEL cannot be read literally is listed with no techniques.
    """
    out: dict[str, list[str]] = {}
    if not ws.kernels_dir.is_dir():
        return out
    for path in sorted(ws.kernels_dir.glob("*/*.py")):
        if path.name.startswith("_"):
            continue
        kernel = read_kernel_dict(path)
        techniques = kernel.get("techniques", []) if kernel else []
        out[f"{path.parent.name}/{path.stem}"] = [str(t) for t in techniques]
    return out


def read_kernel_dict(path: Path) -> dict[str, Any] | None:
    """The literal KERNEL dict assigned at module level in `path`, or None."""
    try:
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    except (SyntaxError, UnicodeDecodeError, OSError):
        return None
    for node in tree.body:
        targets: list[ast.expr] = []
        value: ast.expr | None = None
        if isinstance(node, ast.Assign):
            targets, value = node.targets, node.value
        elif isinstance(node, ast.AnnAssign) and node.value is not None:
            targets, value = [node.target], node.value
        if value is not None and any(isinstance(t, ast.Name) and t.id == "KERNEL" for t in targets):
            try:
                kernel = ast.literal_eval(value)
            except ValueError:
                return None
            return kernel if isinstance(kernel, dict) else None
    return None


def kernel_path(ws: Workspace, name: str) -> Path:
    """The file of kernel `<slug>/<name>`."""
    slug, _, stem = name.partition("/")
    return ws.kernels_dir / slug / f"{stem}.py"


def used_by(ws: Workspace) -> dict[str, UsedBy]:
    """For every note, the kernels, competitions and notes that point at it.

    Kernels point at the notes covering their techniques or naming them in "Where it is used";
    competitions at the notes for their metric and CV scheme (and those naming them); notes at the
    notes they list as prerequisites, related or link in their text.
    """
    from harness.competition import competition_names, load_card
    from harness.errors import CompeteError

    notes = all_notes(ws)
    kernels: dict[str, list[str]] = {n.topic: [] for n in notes}
    competitions: dict[str, list[str]] = {n.topic: [] for n in notes}
    linking: dict[str, list[str]] = {n.topic: [] for n in notes}

    def covering(name: str) -> list[str]:
        return [n.topic for n in notes if name in n.covers or name == n.topic]

    existing_kernels = kernel_techniques(ws)
    for kernel, techniques in existing_kernels.items():
        for technique in techniques:
            for topic in covering(technique):
                kernels[topic].append(kernel)
    for slug in competition_names(ws):
        try:
            card = load_card(ws, slug)
        except CompeteError:
            continue
        for topic in notes_for_competition_from(notes, card):
            competitions[topic].append(slug)
    for note in notes:
        kernels[note.topic] += [k for k in note.linked_kernels if k in existing_kernels]
        competitions[note.topic] += note.linked_competitions
        for target in note.linked_notes:
            if target in linking and target != note.topic:
                linking[target].append(note.topic)
    return {
        n.topic: UsedBy(
            kernels=tuple(sorted(set(kernels[n.topic]))),
            competitions=tuple(sorted(set(competitions[n.topic]))),
            notes=tuple(sorted(set(linking[n.topic]))),
        )
        for n in notes
    }


def notes_for_competition_from(notes: Sequence[Note], card: Any) -> list[str]:
    """`notes_for_competition` over notes already read."""
    scheme_topic = CV_SCHEME_TOPICS.get(card.cv.scheme, "cross-validation")
    wanted = [card.metric, scheme_topic, "cross-validation", LEADERBOARD_TOPIC]
    out: list[str] = []
    for name in wanted:
        out += [n.topic for n in notes if name in n.covers or name == n.topic]
    return _unique(out)


@dataclass(frozen=True)
class NoteSummary:
    topic: str
    title: str
    tags: list[str]
    covers: list[str]
    used_by: list[str]


def summaries(ws: Workspace) -> list[NoteSummary]:
    """Every note with what uses it (competitions by slug, kernels as `<slug>/<name>`)."""
    links = used_by(ws)
    return [
        NoteSummary(
            topic=n.topic,
            title=n.title,
            tags=list(n.tags),
            covers=list(n.covers),
            used_by=[*links[n.topic].competitions, *links[n.topic].kernels],
        )
        for n in all_notes(ws)
    ]


def _unique(items: Iterable[str]) -> list[str]:
    seen: dict[str, None] = {}
    for item in items:
        seen.setdefault(item, None)
    return list(seen)
