"""DuckDB's engine, without the Python layer the `duckdb` package puts over it.

duckdb comes as two modules. `_duckdb` is the engine: connections, `execute`, `fetchall`, `.df()`,
scans of pandas frames and every exception class. The `duckdb` package is a layer of Python over it:
relations and expressions (`con.sql`, `con.table`, `con.read_csv` ...) and scans of Arrow objects.
Importing the package costs some 0.13 s of CPU, more than typer does, and a submit of a small file
or a board uses none of it; so compete reaches DuckDB through this module, which imports only the
engine (about 0.03 s).

The layer is there all the same when a command needs it. Until the package is imported, each method
it adds to a connection imports it on first use, and the package then puts its own methods in their
place; `register` imports it too, as the engine cannot scan an Arrow object without it. The two
modules name the same classes: `engine.Error is duckdb.Error`, and a connection made here is a
`duckdb.DuckDBPyConnection` (tests/test_engine.py checks both, and the list of methods below).
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import Any

from _duckdb import (
    CatalogException,
    ConnectionException,
    DuckDBPyConnection,
    Error,
    IOException,
    TransactionException,
    connect,
)

__all__ = [
    "CatalogException",
    "ConnectionException",
    "DuckDBPyConnection",
    "Error",
    "IOException",
    "TransactionException",
    "connect",
]

# The methods the `duckdb` package adds to DuckDBPyConnection when it is imported.
LAYER_METHODS = (
    "from_arrow",
    "from_csv_auto",
    "from_df",
    "from_parquet",
    "from_query",
    "query",
    "read_csv",
    "read_json",
    "read_parquet",
    "sql",
    "table",
    "table_function",
    "to_arrow_reader",
    "to_arrow_table",
    "values",
    "view",
)


def _load_layer() -> None:
    import duckdb  # noqa: F401  (puts its methods on DuckDBPyConnection, in place of those below)


def _on_first_use(name: str) -> Callable[..., Any]:
    def method(self: DuckDBPyConnection, *args: Any, **kwargs: Any) -> Any:
        _load_layer()
        return getattr(self, name)(*args, **kwargs)

    method.__name__ = method.__qualname__ = name
    method.__doc__ = f"`{name}` of the `duckdb` package, which is imported first."
    return method


def _register_loading_layer(engine_register: Callable[..., Any]) -> Callable[..., Any]:
    def register(self: DuckDBPyConnection, view_name: str, python_object: object) -> Any:
        _load_layer()
        setattr(DuckDBPyConnection, "register", engine_register)  # noqa: B010 (a method: mypy refuses `=`)
        return engine_register(self, view_name, python_object)

    register.__doc__ = engine_register.__doc__
    return register


if "duckdb" not in sys.modules:  # the package, once imported, has put its own methods in place
    for _name in LAYER_METHODS:
        setattr(DuckDBPyConnection, _name, _on_first_use(_name))
    setattr(DuckDBPyConnection, "register", _register_loading_layer(DuckDBPyConnection.register))  # noqa: B010
    del _name
