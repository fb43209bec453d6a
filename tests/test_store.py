"""Every DuckDB file a command opens is attached to the process's one database: what that changes
must not show. A file closed is free for other processes, settings end with the connection that
set them, and each connection sees its own file's tables."""

from __future__ import annotations

import subprocess
import sys

import pytest

from harness import store, vault
from harness.errors import StoreUnavailable
from harness.workspace import Workspace
from tests.test_submit_support import tiny_fixture, tiny_root_fixture

__all__ = ["tiny_fixture", "tiny_root_fixture"]

SLUG = "tiny-binary"


def _another_process_writes(path: object) -> int:
    code = "import duckdb, sys; duckdb.connect(sys.argv[1]).execute('CHECKPOINT').close()"
    return subprocess.run(
        [sys.executable, "-c", code, str(path)], capture_output=True, timeout=120
    ).returncode


def _catalog_tables(con: object) -> set[str]:
    """Every table of the connection's own database, as DuckDB's catalog lists them."""
    rows = con.execute(  # type: ignore[attr-defined]
        "SELECT table_name FROM duckdb_tables() WHERE database_name = current_database()"
    ).fetchall()
    return {row[0] for row in rows}


def test_a_closed_store_is_free_for_another_process(tiny: Workspace) -> None:
    with store.connect(tiny, SLUG) as con:
        con.execute("CREATE TABLE scratch AS SELECT 1 AS x")
        with store.connect(tiny, SLUG) as nested:  # an open nested in another shares it
            assert nested.execute("SELECT x FROM scratch").fetchall() == [(1,)]
        assert _another_process_writes(tiny.store_path(SLUG)) != 0  # held while open
    assert not tiny.store_path(SLUG).with_name("store.duckdb.wal").exists()  # checkpointed
    assert _another_process_writes(tiny.store_path(SLUG)) == 0


def test_a_store_open_to_read_is_not_opened_to_write_inside(tiny: Workspace) -> None:
    with store.connect(tiny, SLUG, read_only=True):
        with pytest.raises(StoreUnavailable), store.connect(tiny, SLUG):
            pass
    with store.connect(tiny, SLUG) as con:  # and nothing is left attached
        assert "labels" in _catalog_tables(con)


def test_settings_end_with_the_connection(tiny: Workspace) -> None:
    query = "SELECT current_setting('memory_limit'), current_setting('threads')"
    with store.connect(tiny, SLUG, read_only=True) as con:
        default = con.execute(query).fetchall()
        con.execute("SET memory_limit = '123MB'")
        con.execute("SET threads = 1")
        assert con.execute(query).fetchall() != default
    with store.connect(tiny, SLUG, read_only=True) as con:
        assert con.execute(query).fetchall() == default
        assert str(default[0][0]) == store.duckdb_default("memory_limit")


def test_each_connection_sees_its_own_file(tiny: Workspace) -> None:
    with store.connect(tiny, SLUG, read_only=True) as con, vault.open_label_file(tiny, SLUG) as found:
        assert found is not None
        label_file, _ = found
        assert {"labels", "about", "submission_rules"} == _catalog_tables(label_file)
        assert {"labels", "submissions", "events", "preparations"} <= _catalog_tables(con)
        assert "about" not in _catalog_tables(con)
        assert store.column_names(con, "about") == []
        assert store.column_names(label_file, "about") == ["version"]


def test_the_schema_tables_are_the_tables_its_migrations_made(tiny: Workspace) -> None:
    with store.connect(tiny, SLUG, read_only=True) as con:
        listed = _catalog_tables(con)  # DuckDB's own catalog
        made = store.schema_tables(con)
        assert {"submissions", "events", "preparations", "selections", "prepared_cards"} <= made
        assert made == listed - {"labels", "schema_migrations"}  # labels come from prepare, not a migration
        assert store.column_names(con, "submissions")[:2] == ["ref", "seq"]


def test_a_store_without_later_migrations_lacks_their_tables(tiny: Workspace) -> None:
    with store.connect(tiny, SLUG) as con:
        con.execute("DROP TABLE prepared_cards")
        con.execute("DELETE FROM schema_migrations WHERE version >= 3")
        assert "prepared_cards" not in store.schema_tables(con)
        assert "submissions" in store.schema_tables(con)
        con.execute("DROP TABLE schema_migrations")
        assert store.schema_tables(con) == set()


def test_no_statement_draws_duckdbs_progress_bar(tiny: Workspace) -> None:
    """DuckDB draws a progress bar on standard output for a long statement: never in compete's output
    (a submit's JSON), neither on the process's database (ATTACH, DETACH) nor on a file's connection."""
    code = (
        "from harness import store\n"
        "with store._attaching:\n"
        "    db = store._database()\n"
        "print(db.execute(\"SELECT current_setting('enable_progress_bar')\").fetchall())\n"
    )
    fresh = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert fresh.stdout.strip() == "[(False,)]", fresh.stdout  # a new process's database
    with store.connect(tiny, SLUG, read_only=True) as con:
        assert con.execute("SELECT current_setting('enable_progress_bar')").fetchall() == [(False,)]
