"""The `compete` command: a thin Typer layer over the harness library.

Each command parses its arguments, makes one library call and renders the result. Errors of the
library's user-facing kind (`harness.errors.CompeteError`) are printed without a traceback and end
the command with a non-zero exit; anything else is a bug and keeps its traceback.

Command modules register themselves on `app` when imported below; none imports pandas, scikit-learn,
lightgbm or optuna at module load, so `compete --help` starts fast.
"""

from __future__ import annotations

import copy
import inspect
import sys
from typing import Annotated, Any

import typer
from typer.core import TyperGroup

from harness import __version__
from harness.cli._coercion import read_plain_values_without_pydantic
from harness.errors import ending


class _Group(TyperGroup):
    """Lists commands in the order they are defined and turns a CompeteError into a clean exit."""

    def list_commands(self, ctx: Any) -> list[str]:
        return list(self.commands)

    def invoke(self, ctx: Any) -> Any:
        try:
            return super().invoke(ctx)
        except BaseException as exc:  # ours, or Ctrl-C inside Python code or inside a DuckDB query
            end = ending(exc)
            if end is None:
                raise
            if _DEBUG:
                import traceback

                typer.echo("".join(traceback.format_exception(exc)).rstrip("\n"), err=True)
            typer.echo(end[0], err=True)
            raise typer.Exit(code=end[1]) from None


def _no_placeholder_for_flags() -> None:
    """Show no value placeholder beside a flag in `--help`: typer 0.29 writes `--submit <bool>`, which
    reads as if the flag took a value (`--submit true`), but a flag takes none."""
    from typer.core import TyperOption

    shown = TyperOption.display_type_rich

    def display_type_rich(self: TyperOption, ctx: Any) -> str | None:
        return None if self.is_flag else shown(self, ctx)

    TyperOption.display_type_rich = display_type_rich  # type: ignore[method-assign]


_no_placeholder_for_flags()
read_plain_values_without_pydantic()

app = typer.Typer(
    cls=_Group,
    name="compete",
    help="A local, Kaggle-style competition harness for learning machine learning by doing.",
    no_args_is_help=True,
    add_completion=False,
    rich_markup_mode="rich",
    pretty_exceptions_enable=False,
)


_DEBUG = False  # `compete --debug`: an error is shown with its whole traceback


def _debug(value: bool) -> None:
    global _DEBUG
    _DEBUG = value


def _version(value: bool) -> None:
    if value:
        typer.echo(f"compete {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Show the version and exit.")
    ] = False,
    debug: Annotated[
        bool,
        typer.Option(
            "--debug",
            callback=_debug,
            is_eager=True,
            help="Show an error's whole traceback (the harness's too).",
        ),
    ] = False,
) -> None:
    """A local, Kaggle-style competition harness for learning machine learning by doing.

    Start with `compete list`, then `compete prepare titanic` and `compete show titanic`.
    """


# Registration by import: each module adds its commands to `app`, in this order in `--help`.
from harness.cli import analysis as _analysis  # noqa: E402,F401
from harness.cli import authoring as _authoring  # noqa: E402,F401
from harness.cli import competitions as _competitions  # noqa: E402,F401
from harness.cli import exercises as _exercises  # noqa: E402,F401
from harness.cli import kernels as _kernels  # noqa: E402,F401
from harness.cli import reports as _reports  # noqa: E402,F401
from harness.cli import submissions as _submissions  # noqa: E402,F401
from harness.cli import theory as _theory  # noqa: E402,F401
from harness.cli import tuning as _tuning  # noqa: E402,F401


def _one_line_paragraphs(typer_app: typer.Typer) -> None:
    """Give each command its docstring as help with every paragraph on one line.

    Docstrings are wrapped at the source's width, and rich keeps their line breaks, so a paragraph
    would break twice in a terminal: where the source wraps and where the terminal does.
    """
    for info in typer_app.registered_commands:
        doc = info.help or inspect.getdoc(info.callback) or ""
        info.help = "\n\n".join(" ".join(paragraph.split()) for paragraph in doc.split("\n\n"))
    for group in typer_app.registered_groups:
        if group.typer_instance is not None:
            _one_line_paragraphs(group.typer_instance)


_one_line_paragraphs(app)


def only_the_command(argv: list[str]) -> typer.Typer:
    """`app` with only the command (or group of commands) that `argv` starts with.

    typer builds every command's parameters from its signature on each run, which costs a small
    command a noticeable share of its time; the one that runs is the only one that needs them. An
    option first (`--help`, `--version`), no argument or a name that is no command get the whole app,
    so the root's help and typer's suggestions for a mistyped name stay whole.
    """
    if not argv or argv[0].startswith("-"):
        return app
    commands = [
        info
        for info in app.registered_commands
        if (info.name or typer.main.get_command_name(getattr(info.callback, "__name__", ""))) == argv[0]
    ]
    groups = [info for info in app.registered_groups if info.name == argv[0]]
    if not commands and not groups:
        return app
    narrowed = copy.copy(app)
    narrowed.registered_commands = commands
    narrowed.registered_groups = groups
    return narrowed


def main() -> None:
    """Console-script entry point."""
    only_the_command(sys.argv[1:])()
