"""harness.engine: DuckDB's engine alone, with the `duckdb` package's layer imported on first use."""

from __future__ import annotations

import subprocess
import sys
import textwrap

import duckdb

from harness import engine


def _run(code: str) -> str:
    """Run `code` in a fresh interpreter (no module of this process loaded) and return its output."""
    out = subprocess.run([sys.executable, "-c", textwrap.dedent(code)], capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    return out.stdout.strip()


def test_the_engine_names_the_packages_own_classes() -> None:
    for name in engine.__all__:
        assert getattr(engine, name) is getattr(duckdb, name), name


def test_the_layer_methods_are_those_the_package_adds() -> None:
    """An upgrade of duckdb that adds a method to connections fails here, not in a learner's command."""
    added = _run(
        """
        import _duckdb
        before = set(dir(_duckdb.DuckDBPyConnection))
        import duckdb
        print(" ".join(sorted(set(dir(_duckdb.DuckDBPyConnection)) - before)))
        """
    )
    assert added.split() == sorted(engine.LAYER_METHODS)


def test_the_engine_alone_imports_no_layer_until_a_relation_is_asked_for() -> None:
    out = _run(
        """
        import sys
        from harness import engine
        con = engine.connect()
        print(con.execute("SELECT 41 + ?", [1]).fetchall(), "duckdb" in sys.modules)
        try:
            con.execute("SELECT * FROM no_such_table")
        except engine.CatalogException:
            print("caught", "duckdb" in sys.modules)
        print(con.sql("SELECT 7 AS x").fetchall(), "duckdb" in sys.modules)
        import duckdb
        print(type(con).sql is duckdb.DuckDBPyConnection.sql, con.table is not None)
        """
    )
    assert out.splitlines() == ["[(42,)] False", "caught False", "[(7,)] True", "True True"]


def test_registering_an_arrow_table_imports_the_layer_the_scan_needs() -> None:
    out = _run(
        """
        import sys
        import pyarrow as pa
        from harness import engine
        con = engine.connect()
        con.register("t", pa.table({"a": [1, 2, 3]}))
        print(con.execute("SELECT sum(a) FROM t").fetchall(), "duckdb" in sys.modules)
        other = engine.connect()
        other.register("u", pa.table({"b": [4]}))
        print(other.execute("SELECT b FROM u").fetchall())
        """
    )
    assert out.splitlines() == ["[(6,)] True", "[(4,)]"]


def test_a_connection_made_before_the_package_is_imported_gains_its_methods() -> None:
    out = _run(
        """
        from harness import engine
        con = engine.connect()
        import duckdb
        print(con.sql("SELECT 1 AS one").to_arrow_table().column("one").to_pylist())
        """
    )
    assert out == "[1]"
