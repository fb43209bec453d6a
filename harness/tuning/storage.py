"""Where studies live: a storage URL (or none) turned into an Optuna storage.

- No URL: Optuna's journal file `.compete/<slug>/studies.journal`. Several local worker processes
  append to it safely (each write takes the journal's file lock), there is no server, and
  `optuna-dashboard` opens it; it is forced onto the disk when a trial ends (see `_journal_file`).
  SQLite would also need no server, but concurrent writers there wait on one database lock and give
  up with "database is locked" under load.
- A URL with `://` (`postgresql+psycopg://user@host/db`, `sqlite:///path.db`, ...): Optuna's RDB
  storage, through SQLAlchemy. Machines that share a PostgreSQL database share its studies.
- Anything else is a path to a journal file.

Unreachable servers and missing drivers become a one-line StorageError that says what to do.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from harness.errors import StorageError
from harness.workspace import Workspace

JOURNAL_FILE = "studies.journal"
CONNECT_TIMEOUT = 10  # seconds to wait for a database server before saying it cannot be reached


def default_path(ws: Workspace, slug: str) -> Path:
    """The local journal file that holds a competition's studies when no storage is given."""
    return ws.private_dir(slug) / JOURNAL_FILE


def describe(url: str | None, ws: Workspace, slug: str) -> str:
    """The storage as a user would pass it again (`--storage ...`), without a password."""
    if url is None:
        return str(default_path(ws, slug))
    return _without_password(url)


def open_storage(url: str | None, ws: Workspace, slug: str) -> Any:
    """An Optuna storage for `url` (None: the competition's local journal file).

    Raises StorageError for a server that cannot be reached, a driver that is not installed, or a
    URL that SQLAlchemy cannot read.
    """
    if url is None:
        return _journal(default_path(ws, slug), create=True)
    if "://" not in url:
        return _journal(Path(url).expanduser(), create=True)
    return _rdb(url)


def _journal(path: Path, *, create: bool) -> Any:
    from optuna.storages.journal import JournalFileOpenLock

    try:
        if create:
            path.parent.mkdir(parents=True, exist_ok=True)
        # The open lock works on any local file system (the symlink lock needs symlinks).
        backend = _journal_file(path, JournalFileOpenLock(str(path)))
        return _journal_storage(backend)
    except OSError as exc:
        raise StorageError(f"cannot open the study journal {path}: {exc.strerror or exc}.") from None


def _journal_file(path: Path, lock: Any) -> Any:
    """Optuna's journal file, made durable (fsync) once per trial rather than at every write.

    Optuna's own JournalFileBackend fsyncs each of a trial's dozen writes (its params, attributes,
    reports, its end), most of the time a study spends outside the kernel. A write here still
    reaches the file before it returns (another worker reads it, and Ctrl-C or a killed process
    loses none: the operating system holds it), under the same file lock, in the same format, and
    read back by Optuna's own backend; `sync()` forces what was written onto the disk, which
    `_journal_storage` does when a trial ends, so a crash of the machine loses at most the trials
    that were running.
    """
    import json
    import os

    from optuna.storages.journal import BaseJournalBackend, JournalFileBackend

    class Backend(BaseJournalBackend):
        def __init__(self) -> None:
            self._reader = JournalFileBackend(str(path), lock_obj=lock)  # creates the file

        def read_logs(self, log_number_from: int) -> Any:
            return self._reader.read_logs(log_number_from)

        def append_logs(self, logs: list[dict[str, Any]]) -> None:
            text = "\n".join(json.dumps(log, separators=(",", ":")) for log in logs) + "\n"
            lock.acquire()
            try:
                with open(path, "ab") as fh:
                    fh.write(text.encode("utf-8"))
            finally:
                lock.release()

        def sync(self) -> None:
            fd = os.open(path, os.O_RDONLY)  # fsync writes out the file's pages, whoever wrote them
            try:
                os.fsync(fd)
            finally:
                os.close(fd)

    return Backend()


def _journal_storage(backend: Any) -> Any:
    """Optuna's JournalStorage over `backend`, syncing it to disk each time a trial ends."""
    from optuna.storages import JournalStorage
    from optuna.trial import TrialState

    class Storage(JournalStorage):
        def set_trial_state_values(self, trial_id: int, state: TrialState, values: Any = None) -> bool:
            changed = super().set_trial_state_values(trial_id, state, values)
            if state.is_finished():
                backend.sync()
            return changed

    return Storage(backend)


def _rdb(url: str) -> Any:
    import optuna
    import sqlalchemy.exc

    shown = _without_password(url)
    engine_kwargs: dict[str, Any] = {"pool_pre_ping": True}
    if url.startswith("postgresql"):
        engine_kwargs["connect_args"] = {"connect_timeout": CONNECT_TIMEOUT}
    try:
        return optuna.storages.RDBStorage(url, engine_kwargs=engine_kwargs)
    except ImportError as exc:  # optuna wraps the driver's ModuleNotFoundError
        missing = getattr(exc.__cause__, "name", None) or exc.name or "of its driver"
        raise StorageError(
            f"the storage {shown} needs the Python module {missing!r}, which is not installed; "
            "use postgresql+psycopg://... (psycopg is installed) or install that driver."
        ) from None
    except sqlalchemy.exc.NoSuchModuleError:
        raise StorageError(
            f"the storage {shown} names a database driver SQLAlchemy does not know; "
            "use postgresql+psycopg://user:password@host:port/database or sqlite:///path.db."
        ) from None
    except sqlalchemy.exc.ArgumentError as exc:
        raise StorageError(f"the storage URL {shown} cannot be read: {exc}.") from None
    except sqlalchemy.exc.OperationalError as exc:
        reason = str(exc.orig).strip().splitlines()[0] if exc.orig else "no answer"
        raise StorageError(
            f"cannot reach the storage {shown}: {reason}; check that the server runs, the host, port, "
            "user and database are right, and that this machine may connect."
        ) from None


def _without_password(url: str) -> str:
    if "://" not in url:
        return url  # a journal file: no SQLAlchemy to import (it takes most of a second)
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    try:
        return make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        return url
