"""Running named checks one after another, each a `harness.checks.CheckResult`."""

from __future__ import annotations

from collections.abc import Callable

from harness.checks import CheckResult
from harness.errors import CompeteError


class Failed(Exception):
    """A check that found a problem; the message says what and what to do."""


class Steps:
    """Collects the results of checks run in order; a check returns what it found or raises Failed."""

    def __init__(self) -> None:
        self.results: list[CheckResult] = []

    def run(self, name: str, step: Callable[[], str]) -> bool:
        try:
            self.results.append(CheckResult(name, True, step()))
            return True
        except (Failed, CompeteError) as exc:
            self.results.append(CheckResult(name, False, str(exc)))
        except Exception as exc:  # a learner's file may raise anything
            self.results.append(CheckResult(name, False, f"{type(exc).__name__}: {exc}"))
        return False
