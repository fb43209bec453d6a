"""Markdown is printed as rich renders it, and a rendering once made is printed again from the file
it was kept in (harness.cli._markdown)."""

from __future__ import annotations

import io
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from rich.console import Console
from rich.markdown import Markdown

from harness.cli import _markdown
from harness.cli._markdown import print_markdown, render
from harness.workspace import Workspace

TEXT = """# A title

Some *prose* with `code`, long enough to be wrapped at a narrow width of the console it goes to.

| column | meaning |
|---|---|
| id | the row's id |

```python
print("hello")
```

- one
- two
"""


def _console(width: int = 60, terminal: bool = True) -> Console:
    colours = "truecolor" if terminal else None
    return Console(file=io.StringIO(), width=width, force_terminal=terminal, color_system=colours)


def _printed(out: Console) -> str:
    assert isinstance(out.file, io.StringIO)
    return out.file.getvalue()


@pytest.mark.parametrize("terminal", [True, False])
def test_a_rendering_is_what_rich_prints(terminal: bool) -> None:
    direct = _console(terminal=terminal)
    direct.print(Markdown(TEXT))
    assert render(_console(terminal=terminal), TEXT) == _printed(direct)


def test_the_same_text_on_the_same_console_is_printed_from_the_kept_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    ws = Workspace(tmp_path)
    first = _console()
    print_markdown(first, TEXT, ws)
    kept = list((tmp_path / ".compete" / _markdown.FOLDER).glob("*.txt"))
    assert len(kept) == 1

    def refuse(out: object, text: str) -> str:
        raise AssertionError("rendered again")

    monkeypatch.setattr(_markdown, "render", refuse)
    again = _console()
    print_markdown(again, TEXT, ws)
    assert _printed(again) == _printed(first)


@pytest.mark.parametrize("change", ["text", "width", "terminal"])
def test_another_text_or_console_is_rendered_anew(tmp_path: Path, change: str) -> None:
    ws = Workspace(tmp_path)
    print_markdown(_console(), TEXT, ws)
    out = _console(width=61 if change == "width" else 60, terminal=change != "terminal")
    text = TEXT + "\nMore.\n" if change == "text" else TEXT
    print_markdown(out, text, ws)
    expected = _console(width=out.width, terminal=out.is_terminal)
    expected.print(Markdown(text))
    assert _printed(out) == _printed(expected)
    assert len(list((tmp_path / ".compete" / _markdown.FOLDER).glob("*.txt"))) == 2


def test_a_damaged_or_unwritable_store_of_renderings_only_means_rendering(tmp_path: Path) -> None:
    (tmp_path / ".compete").mkdir()
    (tmp_path / ".compete" / _markdown.FOLDER).write_text("a file where the folder goes")
    out = _console()
    print_markdown(out, TEXT, Workspace(tmp_path))
    assert _printed(out) == render(_console(), TEXT)


def test_the_oldest_renderings_go_beyond_the_number_kept(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(_markdown, "KEEP", 2)
    ws = Workspace(tmp_path)
    for i in range(4):
        print_markdown(_console(), f"text {i}", ws)
    assert len(list((tmp_path / ".compete" / _markdown.FOLDER).glob("*.txt"))) == 2


def test_show_prints_a_kept_description_without_loading_markdown(prepared_workspace: Workspace) -> None:
    shutil.rmtree(prepared_workspace.root / ".compete" / _markdown.FOLDER, ignore_errors=True)
    code = (
        "import sys\n"
        "sys.argv = ['compete', 'show', 'titanic']\n"
        "from harness.entry import main\n"
        "try:\n    main()\nexcept SystemExit:\n    pass\n"
        "print('MARKDOWN:', 'rich.markdown' in sys.modules)\n"
    )
    runs = [
        subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
        for _ in range(2)
    ]
    assert runs[0].strip().endswith("MARKDOWN: True")  # rendered, then kept
    assert runs[1].strip().endswith("MARKDOWN: False")
    assert runs[0].replace("MARKDOWN: True", "") == runs[1].replace("MARKDOWN: False", "")


def test_renderers_of_unknown_versions_keep_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Without the renderers' versions a kept rendering could outlive an upgrade: none is kept."""
    monkeypatch.setattr(_markdown, "_renderers", lambda: None)
    out = _console()
    print_markdown(out, TEXT, Workspace(tmp_path))
    assert _printed(out) == render(_console(), TEXT)
    assert not (tmp_path / ".compete" / _markdown.FOLDER).exists()
