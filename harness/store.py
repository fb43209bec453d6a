"""The private store of one competition: a DuckDB file at `.compete/<slug>/store.duckdb`.

It holds the hidden labels and their public/private split (see `vault`), the ledger of submissions
(see `ledger`) and the competition's lifecycle events (see `lifecycle`). Only one process may hold a
DuckDB file for writing, so every command opens the store, does its work in a transaction and closes
it; a second `compete` queues on the competition's lock file (`competition_lock`), asleep, until the
first closes it. Submits read the labels from a file of their own (`vault.open_label_file`) and hold
the store only to record their row.

The schema is versioned: `MIGRATIONS` is an append-only list, and `connect` applies the ones a file
has not seen yet, so a store written by an older compete opens after an upgrade. Times are stored
as TIMESTAMP in UTC (`utc_now`, `as_utc`): TIMESTAMPTZ would need pytz to read back.
"""

from __future__ import annotations

import atexit
import errno
import functools
import itertools
import os
import random
import threading
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager, suppress
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from harness.errors import NotPrepared, StoreBusy, StoreUnavailable
from harness.workspace import Workspace

if TYPE_CHECKING:
    import duckdb

# How long a command waits for the store: in the queue of compete processes (they block on the lock
# file, using no CPU, and each holds it only for its own reads or writes), and for a process that
# holds the DuckDB file without that lock (an older compete, a DuckDB shell), which is retried.
_WAIT_SETTING = os.environ.get("COMPETE_LOCK_WAIT")
DEFAULT_WAIT_SECONDS = float(_WAIT_SETTING or "30")
QUEUE_WAIT_SECONDS = float(_WAIT_SETTING or "900")
LOCK_FILE = "store.lock"

# Append only: a migration, once released, never changes; a new need is a new entry.
MIGRATIONS: list[tuple[int, str]] = [
    (
        1,
        """
        CREATE TABLE preparations (
            prepared_at TIMESTAMP NOT NULL,
            compete_version VARCHAR NOT NULL,
            train_rows BIGINT NOT NULL,
            test_rows BIGINT NOT NULL,
            public_rows BIGINT NOT NULL,
            checksums JSON NOT NULL
        );
        CREATE TABLE events (
            occurred_at TIMESTAMP NOT NULL,
            kind VARCHAR NOT NULL CHECK (kind IN ('close', 'reopen', 'reseed')),
            detail VARCHAR
        );
        """,
    ),
    (
        2,
        """
        CREATE TABLE submissions (
            ref VARCHAR PRIMARY KEY,
            seq INTEGER NOT NULL UNIQUE,
            participant VARCHAR NOT NULL,
            submitted_at TIMESTAMP NOT NULL,
            file_name VARCHAR NOT NULL,
            stored_path VARCHAR,
            sha256 VARCHAR NOT NULL,
            size_bytes BIGINT NOT NULL,
            message VARCHAR,
            status VARCHAR NOT NULL CHECK (status IN ('scored', 'rejected')),
            error VARCHAR,
            public_score DOUBLE,
            private_score DOUBLE,
            cv_score DOUBLE,
            kernel VARCHAR,
            study_id VARCHAR,
            late BOOLEAN NOT NULL DEFAULT FALSE,
            rescored_at TIMESTAMP,
            CHECK (status = 'rejected' OR (public_score IS NOT NULL AND private_score IS NOT NULL)),
            CHECK (status = 'scored' OR error IS NOT NULL)
        );
        CREATE TABLE selections (
            participant VARCHAR NOT NULL,
            ref VARCHAR NOT NULL,
            selected_at TIMESTAMP NOT NULL,
            PRIMARY KEY (participant, ref)
        );
        CREATE TABLE submission_rules (
            source_sha256 VARCHAR PRIMARY KEY,
            made_at TIMESTAMP NOT NULL,
            rules JSON NOT NULL
        );
        """,
    ),
    (
        3,
        # A scored submission whose kept file a reseed could not score again: its scores are from
        # an earlier public/private split, so it stays off the boards (NULL, from before: false).
        "ALTER TABLE submissions ADD COLUMN stale BOOLEAN DEFAULT false;",
    ),
    (
        4,
        # What the card and the competition's folder were when the data were prepared (see
        # vault.card_fingerprint): a card recreated or changed since is told from the one prepared.
        """
        CREATE TABLE prepared_cards (
            prepared_at TIMESTAMP NOT NULL,
            card_sha256 VARCHAR NOT NULL
        );
        """,
    ),
    (
        5,
        # How many folds a submission's CV score was the mean of (NULL: not known, as before).
        "ALTER TABLE submissions ADD COLUMN cv_folds INTEGER;",
    ),
]


def utc_now() -> datetime:
    """Now, in UTC, without tzinfo: every time in the store is a TIMESTAMP in UTC."""
    return datetime.now(UTC).replace(tzinfo=None)


def as_utc(value: datetime) -> datetime:
    """A TIMESTAMP read from the store (naive UTC) as an aware datetime."""
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def schema_version() -> int:
    """The newest schema version this compete writes."""
    return MIGRATIONS[-1][0]


@contextmanager
def connect(
    ws: Workspace,
    slug: str,
    *,
    read_only: bool = False,
    create: bool = True,
    wait: float | None = None,
) -> Iterator[duckdb.DuckDBPyConnection]:
    """Open the store of `slug`, migrated to the newest schema, and close it on exit.

    A store that does not exist is made (by `prepare`), but for a read-only open or with `create`
    false (a command that needs a prepared competition): NotPrepared then, and nothing is written.
    The store's lock file is held while the connection is open, shared for a read and exclusive for a
    write (`competition_lock`): a command waits its turn blocked in the kernel, not polling. A process
    that holds the DuckDB file without that lock is retried with jittered back-off for `wait`
    seconds, then StoreBusy. A read-only workspace, a full disk or a damaged file raise
    StoreUnavailable.
    """
    path = ws.store_path(slug)
    if (read_only or not create) and not path.exists():
        raise NotPrepared(slug)
    if not read_only:
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise StoreUnavailable(_os_problem(exc, path.parent)) from None
    with competition_lock(ws, slug, shared=read_only):
        with _connect(ws, slug, read_only=read_only, wait=wait) as con:
            yield con


@contextmanager
def _connect(
    ws: Workspace, slug: str, *, read_only: bool, wait: float | None
) -> Iterator[duckdb.DuckDBPyConnection]:
    from harness import engine

    path = ws.store_path(slug)
    budget = DEFAULT_WAIT_SECONDS if wait is None else wait
    deadline = time.monotonic() + budget
    delay = 0.02
    with ExitStack() as opened:
        while True:
            try:
                con = opened.enter_context(attached(path, read_only=read_only))
                break
            except engine.IOException as exc:
                text = str(exc)
                if "lock" not in text.lower() and "Conflicting" not in text:
                    raise StoreUnavailable(
                        f"cannot open the store {path}: {text.splitlines()[0] if text else exc}. "
                        "Check that the workspace is writable and the disk has free space, then try again."
                    ) from None
                if time.monotonic() >= deadline:
                    raise StoreBusy(
                        f"another compete process has held {path} for over {budget:.0f}s; "
                        "wait for it to finish (or end it), then run the command again."
                    ) from None
                time.sleep(delay * (0.5 + random.random()))
                delay = min(delay * 2, 0.5)
            except engine.Error as exc:
                raise StoreUnavailable(f"cannot open the store {path}: {exc}") from None
        try:
            if not read_only:
                _migrate(con)
            yield con
        except engine.IOException as exc:
            raise StoreUnavailable(f"the store {path} could not be written: {exc}") from None
        except engine.TransactionException as exc:
            if "Failed to commit" not in str(exc):
                raise
            raise StoreUnavailable(
                f"the store {path} could not be written ({str(exc).splitlines()[0]}); nothing was changed. "
                "Check the free disk space and that the workspace is writable, then try again."
            ) from None


# ---------------------------------------------------------------------- one DuckDB for the process
# A DuckDB file opened as a database of its own costs some 25 ms of CPU before its first query
# answers (a new database instance: its catalog of built-in functions, its threads), and a command
# opened several (`compete submit`: the store twice, the label file twice, a fresh database for
# DuckDB's default settings; `compete list`: a store per competition). Attached to one in-memory
# database that lives as long as the process, a file opens in a tenth of that. Each open gets a
# connection of its own whose default database is the file, and the file is detached (checkpointed
# and its DuckDB lock released) when its last open closes, as closing its own database did.
_process_db: duckdb.DuckDBPyConnection | None = None
_attached: dict[str, _Attachment] = {}  # a file's resolved path -> its attachment
_attached_before = False  # whether a file was attached in the process (if not, no setting changed yet)
_attaching = threading.Lock()
_aliases = itertools.count(1)
# The global settings compete changes on a connection (scoring: a memory limit, one thread, no
# insertion order): once no file is attached they go back to DuckDB's own, as they ended with a
# database of the file's own.
RESTORED_SETTINGS = ("memory_limit", "preserve_insertion_order", "threads")
_SETTINGS_NOW = "SELECT " + ", ".join(f"current_setting('{name}')" for name in RESTORED_SETTINGS)
_defaults: dict[str, str] = {}  # RESTORED_SETTINGS in the process database when it was made


class _Attachment:
    """A file attached to the process's database: its alias, its mode, and how many opens share it."""

    __slots__ = ("alias", "opens", "read_only")

    def __init__(self, alias: str, read_only: bool, opens: int = 0) -> None:
        self.alias = alias
        self.read_only = read_only
        self.opens = opens


def _database() -> duckdb.DuckDBPyConnection:
    """The process's in-memory DuckDB database, made on first use (hold `_attaching`)."""
    global _process_db
    if _process_db is None:
        from harness import engine

        # No progress bar: DuckDB draws one on standard output for a statement that runs long (an
        # ATTACH or a checkpoint on a loaded machine), inside our own output (a submit's JSON).
        db = engine.connect()
        db.execute("SET enable_progress_bar = false")
        values = db.execute(_SETTINGS_NOW).fetchall()[0]
        _defaults.update(zip(RESTORED_SETTINGS, map(str, values), strict=True))
        _process_db = db
    return _process_db


def duckdb_default(name: str) -> str:
    """DuckDB's own value of `name`, one of RESTORED_SETTINGS, as `str(current_setting(name))`."""
    with _attaching:
        _database()
    return _defaults[name]


@contextmanager
def attached(path: Path, *, read_only: bool) -> Iterator[duckdb.DuckDBPyConnection]:
    """A connection whose default database is the DuckDB file at `path`, closed on exit.

    The file is attached to the process's one DuckDB database (made if missing, unless
    `read_only`) and detached when its last open in the process closes. An open nested in another
    of the same file shares its attachment, in the same mode (another mode: ConnectionException,
    as DuckDB refuses a second database of one file with another configuration). Raises what
    DuckDB raises on opening a file: IOException for a file another process holds.
    Global settings a connection changed (a memory limit) go back to DuckDB's own before a file is
    attached when none is, as they ended with a database of its own (not when the last detaches: a
    process that attaches nothing more need not).
    """
    global _attached_before
    from harness import engine

    key = str(path.resolve())
    with _attaching:
        db = _database()
        entry = _attached.get(key)
        if entry is None:
            entry = _Attachment(f"compete_{next(_aliases)}", read_only)
            mode = " (READ_ONLY)" if read_only else ""
            if not _attached:
                if _attached_before:  # what the last files' connections changed goes
                    _back_to_defaults(db)
                # Spill where a database of the file's own would: beside it.
                with suppress(engine.Error):  # once used, DuckDB keeps its first temporary folder
                    db.execute(f"SET temp_directory = {_literal(key + '.tmp')}")
            db.execute(f"ATTACH {_literal(key)} AS {entry.alias}{mode}")
            _attached[key] = entry
            _attached_before = True
        elif entry.read_only != read_only:
            raise engine.ConnectionException(
                f"{path} is open {'read-only' if entry.read_only else 'for writing'} in this process already"
            )
        entry.opens += 1
        con = db.cursor()
    try:
        # No progress bar: DuckDB would draw one on stderr for a long query, inside our own output.
        con.execute(f"USE {entry.alias}; SET enable_progress_bar = false")
        yield con
    finally:
        con.close()
        with _attaching:
            entry.opens -= 1
            if entry.opens == 0:
                del _attached[key]
                db.execute(f"DETACH {entry.alias}")


def _back_to_defaults(db: duckdb.DuckDBPyConnection) -> None:
    """Reset the RESTORED_SETTINGS a connection changed (DuckDB's settings are the database's)."""
    now = db.execute(_SETTINGS_NOW).fetchall()[0]
    for name, value in zip(RESTORED_SETTINGS, now, strict=True):
        if str(value) != _defaults[name]:
            db.execute(f"RESET {name}")


def _forget_database() -> None:
    """In a forked child the parent's DuckDB threads are gone: the child makes its own database.

    The parent's is never destroyed in the child (its destructor would wait on threads that the
    child does not have, and crash): it keeps one reference that nothing releases.
    """
    global _process_db, _attaching, _attached_before
    _attaching = threading.Lock()  # a thread of the parent may have held it at the fork
    if _process_db is not None:
        import ctypes

        ctypes.pythonapi.Py_IncRef(ctypes.py_object(_process_db))
    _process_db = None
    _attached.clear()
    _attached_before = False


def start_database() -> None:
    """Make the process's database now, on a thread of its own, while the caller goes on.

    For the command-line entry point: a command that will open a store has its database (some 25 ms
    of DuckDB's own work, done without Python's lock) ready by the time the CLI has loaded. DuckDB is
    imported here, on the calling thread, so that no two threads import modules at once. A failure
    is left for the first `attached` to meet again, and report.
    """
    global _starting
    from harness import engine  # noqa: F401

    def make() -> None:
        with suppress(Exception), _attaching:
            _database()

    _starting = threading.Thread(target=make, name="compete-duckdb", daemon=True)
    _starting.start()


_starting: threading.Thread | None = None


def _close_database() -> None:
    if _starting is not None:
        _starting.join()  # never close, or exit, halfway through making it
    if _process_db is not None:
        with suppress(Exception):
            _process_db.close()  # removes a temporary folder DuckDB made


os.register_at_fork(after_in_child=_forget_database)
atexit.register(_close_database)


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def schema_tables(con: duckdb.DuckDBPyConnection) -> set[str]:
    """The tables the store's schema has: those its applied MIGRATIONS made (schema_migrations).

    A store written by an older compete and opened read-only (not migrated) lacks the later ones.
    """
    from harness import engine

    try:
        rows = con.execute("SELECT version FROM schema_migrations").fetchall()
    except engine.CatalogException:  # no migration ever ran: an empty file
        return set()
    made = _tables_made()
    return set().union(*(made.get(version, set()) for (version,) in rows))


@functools.cache
def _tables_made() -> dict[int, set[str]]:
    """The tables each migration makes, read from its SQL."""
    import re

    made = re.compile(r"CREATE TABLE (?:IF NOT EXISTS )?(\w+)")
    return {version: set(made.findall(sql)) for version, sql in MIGRATIONS}


def column_names(con: duckdb.DuckDBPyConnection, table: str) -> list[str]:
    """The columns of `table` in the connection's own database, in their order (none: no such table)."""
    from harness import engine

    try:
        rows = con.execute(f"SELECT name FROM pragma_table_info({_literal(table)}) ORDER BY cid").fetchall()
    except engine.CatalogException:
        return []
    return [row[0] for row in rows]


_held: dict[str, list[int]] = {}  # lock file -> [its descriptor, how many opens hold it] in this process
_registry = threading.Lock()


@contextmanager
def competition_lock(ws: Workspace, slug: str, *, shared: bool) -> Iterator[None]:
    """Hold the competition's lock file (`flock`): shared by readers, exclusive for one writer.

    DuckDB refuses a second process at once instead of letting it wait, so every compete process
    queues here first; the kernel wakes a waiting one when the lock is free, and waiting costs no
    CPU. After QUEUE_WAIT_SECONDS (`COMPETE_LOCK_WAIT`) of waiting: StoreBusy. A process that holds
    it already (an open nested in another, another thread) goes on under the lock it has. A folder
    where no lock file can be made (a read-only workspace) leaves DuckDB's own lock to guard the file.
    """
    import fcntl

    lock = str(ws.private_dir(slug) / LOCK_FILE)
    with _registry:
        entry = _held.get(lock)
        if entry is not None:
            entry[1] += 1
    if entry is None:
        try:
            fd = os.open(lock, os.O_RDWR | os.O_CREAT, 0o644)
        except OSError:
            try:
                fd = os.open(lock, os.O_RDONLY)
            except OSError:
                yield
                return
        try:
            _wait_for(fd, fcntl.LOCK_SH if shared else fcntl.LOCK_EX, lock)
        except BaseException:
            os.close(fd)
            raise
        with _registry:
            _held[lock] = [fd, 1]
    try:
        yield
    finally:
        with _registry:
            entry = _held[lock]
            entry[1] -= 1
            last = entry[1] == 0
            if last:
                del _held[lock]
        if last:
            os.close(entry[0])  # closing the last descriptor releases the flock


class _Timeout(Exception):
    pass


def _wait_for(fd: int, operation: int, lock: str) -> None:
    """flock `fd`, blocking; bounded by QUEUE_WAIT_SECONDS where a timer can interrupt (main thread)."""
    import fcntl
    import signal

    try:
        fcntl.flock(fd, operation | fcntl.LOCK_NB)
        return
    except BlockingIOError:
        pass
    if threading.current_thread() is not threading.main_thread() or not hasattr(signal, "setitimer"):
        fcntl.flock(fd, operation)
        return

    def expire(signum: int, frame: object) -> None:
        raise _Timeout

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, QUEUE_WAIT_SECONDS)
    try:
        fcntl.flock(fd, operation)
    except _Timeout:
        raise StoreBusy(
            f"other compete processes have held {lock} for over {QUEUE_WAIT_SECONDS:.0f}s; wait for them "
            "to finish (or end them), then run the command again."
        ) from None
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def rollback(con: duckdb.DuckDBPyConnection) -> None:
    """End the open transaction without its changes. A failed COMMIT (a full disk) has ended it
    already, and ROLLBACK then fails too: that failure must not hide the one being handled."""
    from harness import engine

    try:
        con.execute("ROLLBACK")
    except engine.Error:
        pass


def _migrate(con: duckdb.DuckDBPyConnection) -> None:
    from harness import engine

    try:
        done = {row[0] for row in con.execute("SELECT version FROM schema_migrations").fetchall()}
    except engine.CatalogException:  # a new file
        con.execute("CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, applied_at TIMESTAMP)")
        done = set()
    for version, sql in MIGRATIONS:
        if version in done:
            continue
        con.execute("BEGIN TRANSACTION")
        try:
            con.execute(sql)
            con.execute("INSERT INTO schema_migrations VALUES (?, ?)", [version, utc_now()])
            con.execute("COMMIT")
        except BaseException:
            rollback(con)
            raise


def _os_problem(exc: OSError, where: object) -> str:
    if exc.errno in (errno.ENOSPC, errno.EFBIG, errno.EDQUOT):
        return (
            f"no space left for writing at {where} (disk full or file-size limit); "
            "free some space and run the command again."
        )
    if exc.errno in (errno.EACCES, errno.EROFS, errno.EPERM):
        return f"{where} cannot be written (read-only or no permission); fix its permissions and try again."
    return f"{where}: {exc.strerror or exc}"


def quote_identifier(name: str) -> str:
    """Quote a column or table name for DuckDB SQL; the one place identifiers enter a query."""
    return '"' + name.replace('"', '""') + '"'
