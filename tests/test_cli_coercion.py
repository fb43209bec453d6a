"""The CLI's own reading of plain values agrees with typer's (pydantic's) on every command's parameters."""

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
