"""Turning the words of a command line into values without loading pydantic.

typer 0.29 coerces every argument through a pydantic TypeAdapter, and importing pydantic costs more
than the rest of a small command. The arguments of compete's commands are plain: text, a path, a
choice, a whole or decimal number. A value of one of those kinds that reads unambiguously is turned
into its value here, as typer's adapter would; anything else (another kind, a range, a value that
does not read cleanly) goes to typer's own coercion, so its errors and messages stay typer's.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import Enum
from pathlib import Path
from typing import Any, get_args

from typer._coercion import RuntimeParam, TypeDescriptor, build_runtime_param
from typer._param_types import coerce_cli_choice, coerce_cli_path, lenient_issubclass
from typer.core import _TyperParameter

_INT = re.compile(r"[+-]?[0-9]+")
_FLOAT = re.compile(r"[+-]?[0-9]+(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?")


class _Unread:
    """The value was not read here: typer's coercion reads it."""


UNREAD = _Unread()


def read_plain(descriptor: TypeDescriptor, value: Any, ctx: Any = None, param: Any = None) -> Any:
    """The value `value` (a word of the command line) stands for, or UNREAD."""
    annotation, info = descriptor.annotation, descriptor.parameter_info
    if descriptor.is_list and get_args(annotation) == (str,) and info.parser is None:
        if isinstance(value, list | tuple) and all(isinstance(v, str) for v in value):
            return list(value)
        return UNREAD
    if not isinstance(value, str) or info.parser is not None or descriptor.file_annotation is not None:
        return UNREAD
    if annotation is str and info.path_type is None:
        return value
    if lenient_issubclass(annotation, Enum):
        try:
            return coerce_cli_choice(
                value, choices=list(annotation), case_sensitive=info.case_sensitive, ctx=ctx
            )
        except ValueError:
            return UNREAD
    if annotation in (int, float) and info.min is None and info.max is None and not info.clamp:
        pattern = _INT if annotation is int else _FLOAT
        return annotation(value) if pattern.fullmatch(value) else UNREAD
    if lenient_issubclass(annotation, Path) and info.path_type is None:
        return coerce_cli_path(annotation(value), info, path_type=annotation, param=param, ctx=ctx)
    return UNREAD


@dataclass(frozen=True)
class _PlainParam(RuntimeParam):
    descriptor: TypeDescriptor

    def _coerce_value(self, value: Any, param: Any, ctx: Any) -> Any:
        read = read_plain(self.descriptor, value, ctx, param)
        if read is not UNREAD:
            return read
        return build_runtime_param(self.descriptor)._coerce_value(value, param=param, ctx=ctx)


def _get_runtime_param(self: _TyperParameter) -> RuntimeParam:
    if self._runtime_param is None:
        d = self.type_descriptor
        self._runtime_param = _PlainParam(
            parameter_info=d.parameter_info, annotation=d.annotation, descriptor=d
        )
    return self._runtime_param


def read_plain_values_without_pydantic() -> None:
    """Make typer read plain values here (see the module's docstring)."""
    _TyperParameter.get_runtime_param = _get_runtime_param  # type: ignore[method-assign]
