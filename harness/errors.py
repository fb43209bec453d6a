"""The errors a user can cause, each with a message that says what is wrong and what to do.

Every class here is caught once, by the CLI, and printed without a traceback. Anything else that
escapes the library is a bug of ours and keeps its traceback.
"""

from __future__ import annotations


class CompeteError(Exception):
    """Base of every user-facing error; the message is shown as is."""

    exit_code = 1


class NoWorkspace(CompeteError):
    """No compete workspace (a folder with `competitions/`) was found."""


class UnknownName(CompeteError):
    """A slug, metric, kernel or topic that does not exist; the message lists the valid ones."""

    def __init__(self, kind: str, name: str, valid: list[str], hint: str = "") -> None:
        self.kind, self.name, self.valid = kind, name, valid
        close = _close_matches(name, valid)
        parts = [f"unknown {kind} {name!r}."]
        if close:
            parts.append(f"Did you mean {', '.join(repr(c) for c in close)}?")
        shown = ", ".join(valid) if valid else "(none)"
        parts.append(f"Valid {kind}s: {shown}.")
        if hint:
            parts.append(hint)
        super().__init__(" ".join(parts))


class CardError(CompeteError):
    """A competition card (competition.toml) with a missing or wrong field."""

    def __init__(self, path: object, field: str, problem: str) -> None:
        self.path, self.field = path, field
        super().__init__(f"{path}: field {field!r} {problem}")


class CompetitionFolderError(CompeteError):
    """A competition folder that lacks a file or whose code fails to load."""


class NotPrepared(CompeteError):
    """The competition's data has not been prepared yet."""

    def __init__(self, slug: str) -> None:
        self.slug = slug
        super().__init__(f"competition {slug!r} is not prepared yet; run `compete prepare {slug}` first.")


class StalePreparation(CompeteError):
    """The competition's data were prepared from another card than the one in its folder now."""

    def __init__(self, slug: str) -> None:
        self.slug = slug
        super().__init__(
            f"competition {slug!r} changed since its data were prepared (its card, code or source data "
            f"differ from those prepared): run `compete prepare {slug} --force` to prepare it again, "
            f"or `compete delete {slug}` to start afresh."
        )


class SchemaViolation(CompeteError):
    """A frame that a competition's pandera schema refuses."""


class SubmissionRejected(CompeteError):
    """A submission file that failed validation; it is recorded but costs no slot."""


class RuleViolation(CompeteError):
    """A rule of the competition stops the action (daily limit, selections, closed competition)."""


class StoreBusy(CompeteError):
    """Another compete process holds the competition's store for longer than we wait."""


class StoreUnavailable(CompeteError):
    """The store cannot be written: read-only workspace, full disk, or a damaged file."""


class KernelError(CompeteError):
    """A kernel that fails to load, raises, or returns predictions of the wrong shape."""


class MetricError(CompeteError):
    """A metric that does not exist or does not fit the task."""


class AuthoringError(CompeteError):
    """`compete new` or `compete import` was given data or options it cannot turn into a competition."""


class AnalysisError(CompeteError):
    """`compete compare` or `compete explain` was given inputs it cannot answer with (kernels of
    different competitions, a column that is not there, a run whose predictions were not kept)."""


class TuningError(CompeteError):
    """A tuning study that cannot start or go on: unknown study, changed kernel, bad options."""


class StorageError(CompeteError):
    """A study storage that cannot be reached or needs a database driver that is not installed."""


def is_interrupt(exc: BaseException) -> bool:
    """Whether `exc` is the user's Ctrl-C: a KeyboardInterrupt, or DuckDB's report of a query it
    stopped for one (DuckDB raises a plain RuntimeError 'Query interrupted' when SIGINT arrives while
    a query runs, and an InterruptException when a connection is interrupted)."""
    if isinstance(exc, KeyboardInterrupt):
        return True
    if type(exc).__name__ == "InterruptException":
        return True
    return type(exc) is RuntimeError and str(exc) == "Query interrupted"


def ending(exc: BaseException) -> tuple[str, int] | None:
    """What a command says on stderr and the code it exits with when `exc` stops it: a CompeteError's
    message, or Ctrl-C's note; None for anything else (a bug of ours: its traceback stays)."""
    if isinstance(exc, CompeteError):
        return f"error: {exc}", exc.exit_code
    if is_interrupt(exc):
        return "interrupted: nothing half-done was recorded.", 130
    return None


def _close_matches(name: str, valid: list[str]) -> list[str]:
    import difflib

    return difflib.get_close_matches(name, valid, n=3, cutoff=0.6)
