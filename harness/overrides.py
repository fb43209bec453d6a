"""Parameters given on the command line for one run: `--params '{"num_leaves": 16}'` and `-p key=value`."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from typing import Any

from harness.errors import KernelError


def parse_overrides(text: str | None = None, pairs: Iterable[str] = ()) -> dict[str, Any]:
    """The parameters of a JSON object `text` and of `key=value` pairs (later ones win).

    A value is read as JSON where it parses (16, 0.1, true, null, [1, 2]) and kept as text otherwise.
    Raises KernelError for JSON that is not an object or a pair without `=`.
    """
    params: dict[str, Any] = {}
    if text is not None:
        try:
            parsed = json.loads(text)
        except ValueError as exc:
            raise KernelError(
                f"--params {text!r} is not JSON ({exc}); write an object such as '{{\"num_leaves\": 16}}'."
            ) from None
        if not isinstance(parsed, dict):
            raise KernelError(
                f"--params {text!r} is not a JSON object; write one such as '{{\"num_leaves\": 16}}'."
            )
        params.update(parsed)
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key.strip():
            raise KernelError(f"-p {pair!r} is not key=value; write it as -p num_leaves=16.")
        try:
            params[key.strip()] = json.loads(value)
        except ValueError:
            params[key.strip()] = value
    return params


def check_overrides(kernel: str, defaults: Mapping[str, Any], params: Mapping[str, Any]) -> None:
    """Refuse parameters the kernel's PARAMS lacks: a misspelt name would otherwise change nothing."""
    unknown = sorted(set(params) - set(defaults))
    if unknown:
        known = ", ".join(defaults) or "none"
        raise KernelError(
            f"kernel {kernel!r} has no parameter {', '.join(map(repr, unknown))} in its PARAMS "
            f"(its parameters: {known}); fix the name, or add it to PARAMS to make it overridable."
        )
