"""Tables drawn as text: the box, cut cells, wrapped headers, wide characters, styles only on a terminal."""

from __future__ import annotations

import pytest

from harness.cli import _table
from harness.cli._render import Format, render_rows


def test_a_table_is_drawn_in_the_default_box_with_its_title_and_caption() -> None:
    text = _table.draw(["rank", "name"], [4, 5], [["1", "ada"], ["2", "grace"]], title="Board", caption="c")
    lines = text.splitlines()
    assert lines[0].strip() == "Board"
    assert lines[1:] == [
        "┏━━━━━━┳━━━━━━━┓",
        "┃ rank ┃ name  ┃",
        "┡━━━━━━╇━━━━━━━┩",
        "│ 1    │ ada   │",
        "│ 2    │ grace │",
        "└──────┴───────┘",
        "       c",
    ]


def test_a_long_cell_is_cut_with_an_ellipsis_and_a_header_wraps_between_words() -> None:
    lines = _table.draw(["public score"], [6], [["0.123456789"]]).splitlines()
    assert lines[1:3] == ["┃ public ┃", "┃ score  ┃"]
    assert lines[4] == "│ 0.123… │"
    assert all(len(line) == len(lines[0]) for line in lines)


def test_wide_characters_take_two_cells() -> None:
    assert _table.cell_len("名前") == 4 and _table.cell_len("e\u0301") == 1
    assert _table.fit("名前です", 5) == "名前…"
    line = _table.draw(["who"], [4], [["名前"]]).splitlines()[3]
    assert line == "│ 名前 │"


def test_styles_are_written_only_where_they_are_taken(monkeypatch: pytest.MonkeyPatch) -> None:
    plain = _table.draw(["a"], [1], [["x"]], title="t", colour=False)
    assert "\x1b[" not in plain
    styled = _table.draw(["a"], [1], [["x"]], title="t", colour=True)
    assert "\x1b[1ma\x1b[0m" in styled and "\x1b[3m" in styled
    monkeypatch.setenv("NO_COLOR", "1")
    monkeypatch.setenv("FORCE_COLOR", "1")
    assert not _table.styled()
    monkeypatch.delenv("NO_COLOR")
    assert _table.styled()


def test_render_rows_prints_what_a_user_typed_as_typed(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COLUMNS", "80")
    render_rows([{"participant": "[/bold]ada", "score": 0.5}], Format.table, title="Board [x]")
    out = capsys.readouterr().out
    assert "[/bold]ada" in out and "Board [x]" in out
    render_rows([], Format.table, empty="nothing here")
    assert capsys.readouterr().out == "nothing here\n"
