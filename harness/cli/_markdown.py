"""Markdown printed as rich renders it, kept once rendered.

A competition's description, a theory note and a kernel's text cells are Markdown, rendered by
rich (`rich.markdown`, with markdown-it and pygments behind it: some 50 ms to import, more than
the rest of `compete show`). Like `man`'s formatted pages, each rendering is kept: in
`.compete/.rendered/`, named by a digest of the text and of everything the rendering depends on
(width, colours, terminal or not, rich's version), so the same text on the same console is printed
from the file with no Markdown machinery loaded. A missing, unreadable or unwritable file only
means rendering it again.
"""

from __future__ import annotations

import hashlib
import io
import os
from contextlib import suppress
from pathlib import Path
from typing import Any

from harness.workspace import Workspace

FOLDER = ".rendered"  # under .compete/; a dot keeps it apart from every competition's slug
KEEP = 256  # renderings kept; the oldest go first


def print_markdown(out: Any, text: str, ws: Workspace) -> None:
    """Print `text` rendered as Markdown on the rich console `out`, from `ws`'s kept renderings when
    the same text was rendered for the same console before."""
    stamp = _renderers()
    path = None if stamp is None else _kept_path(ws, out, text, stamp)
    if path is not None:
        with suppress(OSError, UnicodeDecodeError):
            rendered = path.read_text(encoding="utf-8")
            out.file.write(rendered)
            out.file.flush()
            return
    rendered = render(out, text)
    out.file.write(rendered)
    out.file.flush()
    if path is not None:
        _keep(path, rendered)


def render(out: Any, text: str) -> str:
    """`text` as rich prints Markdown on a console like `out` (its width, colours and terminal)."""
    from rich.console import Console
    from rich.markdown import Markdown

    buffer = io.StringIO()
    like = Console(
        file=buffer,
        width=out.width,
        color_system=out.color_system,
        force_terminal=out.is_terminal,
        no_color=out.no_color,
        soft_wrap=out.soft_wrap,
        legacy_windows=False,
    )
    like.print(Markdown(text))
    return buffer.getvalue()


def _kept_path(ws: Workspace, out: Any, text: str, renderers: str) -> Path:
    console = f"{out.width}|{out.color_system}|{out.is_terminal}|{out.no_color}|{out.soft_wrap}"
    key = hashlib.sha256(f"{renderers}|{console}\n{text}".encode()).hexdigest()[:32]
    return ws.root / ".compete" / FOLDER / f"{key}.txt"


def _renderers() -> str | None:
    """The versions of rich, markdown-it and pygments, read from the names of their installed
    metadata folders (importlib.metadata costs 25 ms to import), so that an upgrade renders anew;
    None when they cannot be told (nothing is kept then)."""
    import rich

    site = Path(rich.__file__).resolve().parents[1]
    try:
        names = os.listdir(site)
    except OSError:
        return None
    found = sorted(n for n in names if n.endswith(".dist-info") and n.lower().startswith(_LIBRARIES))
    return ",".join(found) if len(found) == len(_LIBRARIES) else None


_LIBRARIES = ("rich-", "markdown_it_py-", "pygments-")


def _keep(path: Path, rendered: str) -> None:
    partial = path.with_name(f".{path.name}.partial-{os.getpid()}")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        partial.write_text(rendered, encoding="utf-8")
        os.replace(partial, path)
        kept = sorted(path.parent.glob("*.txt"), key=lambda p: p.stat().st_mtime)
        for old in kept[: max(len(kept) - KEEP, 0)]:
            old.unlink(missing_ok=True)
    except OSError:  # a read-only workspace keeps none
        with suppress(OSError):
            partial.unlink(missing_ok=True)
