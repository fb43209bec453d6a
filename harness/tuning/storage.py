"""Where studies live: a storage URL (or none) turned into an Optuna storage.

- No URL: Optuna's journal file `.compete/<slug>/studies.journal`. Several local worker processes
  append to it safely (each write takes the journal's file lock), there is no server, and
  `optuna-dashboard` opens it. SQLite would also need no server, but concurrent writers there
  wait on one database lock and give up with "database is locked" under load.
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
    from optuna.storages import JournalStorage
    from optuna.storages.journal import JournalFileOpenLock

    try:
        if create:
            path.parent.mkdir(parents=True, exist_ok=True)
        # The open lock works on any local file system (the symlink lock needs symlinks).
        return JournalStorage(_backend(path, JournalFileOpenLock(str(path))))
    except OSError as exc:
        raise StorageError(f"cannot open the study journal {path}: {exc.strerror or exc}.") from None


def _backend(path: Path, lock: Any) -> Any:
    """Optuna's journal file, but each write made durable (fsync) after the file lock is released.

    Optuna holds the lock through the fsync, a few milliseconds on a busy disk and a dozen times per
    trial, and a worker that finds the lock taken sleeps in doubling steps: the workers of a study
    then wait on each other's disk flushes. A write still returns only once it is on disk, and the
    order of the records is still decided under the lock.
    """
    import json
    import os

    from optuna.storages.journal import JournalFileBackend
    from optuna.storages.journal._file import get_lock_file

    class Backend(JournalFileBackend):
        def append_logs(self, logs: list[dict[str, Any]]) -> None:
            text = "\n".join(json.dumps(log, separators=(",", ":")) for log in logs) + "\n"
            with open(self._file_path, "ab") as fh:
                with get_lock_file(self._lock):
                    fh.write(text.encode("utf-8"))
                    fh.flush()
                os.fsync(fh.fileno())

    return Backend(str(path), lock_obj=lock)


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
