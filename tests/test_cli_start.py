"""The CLI's start-up shortcuts change nothing: plain values read as typer reads them, and one
command built alone answers as in the whole app."""

from __future__ import annotations

from enum import Enum
from pathlib import Path
from typing import Any

import pytest
import typer.main
from typer._click import Context
from typer._coercion import build_runtime_param
from typer.core import _TyperParameter

from harness.cli import app
from harness.cli._coercion import UNREAD, read_plain

WORDS = ["titanic", "", "a b", "0.5", "-1e3", "3", "+7", "1_000", "nan", "5.", ".5", "JSON", "table", "x.csv"]


def _parameters() -> list[tuple[str, _TyperParameter, Context]]:
    found = []

    def walk(command: Any, path: list[str]) -> None:
        for name, sub in getattr(command, "commands", {}).items():
            walk(sub, [*path, name])
        ctx = Context(command)
        for param in command.params:
            if isinstance(param, _TyperParameter):
                found.append((" ".join([*path, param.name or ""]), param, ctx))

    walk(typer.main.get_command(app), [])
    return found


def _outcome(read: Any) -> tuple[str, Any]:
    try:
        return "value", read()
    except Exception as exc:  # the two must fail alike too
        return type(exc).__name__, str(exc)


@pytest.mark.parametrize(
    ("name", "param", "ctx"), _parameters(), ids=lambda v: v if isinstance(v, str) else ""
)
def test_plain_reading_agrees_with_typer(name: str, param: _TyperParameter, ctx: Context) -> None:
    descriptor = param.type_descriptor
    annotation = descriptor.annotation
    words: list[Any] = list(WORDS)
    if isinstance(annotation, type) and issubclass(annotation, Enum):
        words += [m.value for m in annotation] + [str(m.value).upper() for m in annotation]
    if descriptor.is_list:
        words = [tuple(WORDS[:3]), ("s0001",)]
    typer_ = build_runtime_param(descriptor)
    for word in words:
        ours = _outcome(lambda w=word: read_plain(descriptor, w, ctx, param))
        if ours == ("value", UNREAD):
            continue
        theirs = _outcome(lambda w=word: typer_._coerce_value(w, param=param, ctx=ctx))
        assert ours == theirs, (name, word)
        if ours[0] == "value":
            assert type(ours[1]) is type(theirs[1]), (name, word)


def test_plain_reading_leaves_unclear_numbers_to_typer() -> None:
    from typer._coercion import resolve_type_descriptor
    from typer.models import OptionInfo

    for annotation, word in [(int, "1_000"), (float, "nan"), (float, "5."), (int, "1.0")]:
        assert read_plain(resolve_type_descriptor(annotation, OptionInfo()), word) is UNREAD
    assert read_plain(resolve_type_descriptor(Path, OptionInfo()), "a.csv") == Path("a.csv")


def _command_lines() -> list[list[str]]:
    lines: list[list[str]] = []
    for info in app.registered_commands:
        lines.append([info.name or typer.main.get_command_name(info.callback.__name__)])  # type: ignore[union-attr]
    for group in app.registered_groups:
        assert group.name and group.typer_instance
        lines.append([group.name])
        lines += [
            [group.name, c.name or typer.main.get_command_name(c.callback.__name__)]  # type: ignore[union-attr]
            for c in group.typer_instance.registered_commands
        ]
    return lines


@pytest.mark.parametrize("line", _command_lines(), ids=" ".join)
def test_one_command_built_alone_answers_as_in_the_whole_app(line: list[str]) -> None:
    from typer.testing import CliRunner

    from harness.cli import only_the_command

    runner = CliRunner()
    narrowed = only_the_command(line)
    assert narrowed is not app and len(narrowed.registered_commands) + len(narrowed.registered_groups) == 1
    for extra in (["--help"], ["--no-such-option"]):
        alone = runner.invoke(narrowed, [*line, *extra], env={"COLUMNS": "100"})
        whole = runner.invoke(app, [*line, *extra], env={"COLUMNS": "100"})
        assert (alone.exit_code, alone.output) == (whole.exit_code, whole.output)


def test_the_root_and_unknown_names_get_the_whole_app() -> None:
    from harness.cli import only_the_command

    for argv in ([], ["--help"], ["--debug", "list"], ["sbmit"]):
        assert only_the_command(argv) is app
