"""The `compete` console script.

A command that opens a competition's store starts DuckDB's database on a thread of its own
(`store.start_database`) before the command line interface loads: the two overlap on a machine's
second core, which a learner's quick commands (a submit, a board) feel as a shorter wait.
"""

from __future__ import annotations

import sys

# The quick commands that always open a store; others either do not (`list` and `show` read a
# summary) or run long enough that the overlap does not matter.
OPENS_A_STORE = frozenset({"submit", "leaderboard", "submissions", "select", "close", "reopen"})


def main() -> None:
    """Console-script entry point."""
    argv = sys.argv[1:]
    if argv and argv[0] in OPENS_A_STORE and not {"--help", "-h"} & set(argv):
        from harness import store

        store.start_database()
    from harness.cli import main as run

    run()
