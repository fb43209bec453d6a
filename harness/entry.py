"""The `compete` console script.

A command that opens a competition's store starts DuckDB's database on a thread of its own
(`store.start_database`) before the command line interface loads: the two overlap on a machine's
second core, which a learner's quick commands (a submit, a board) feel as a shorter wait. Every
command runs with the cyclic garbage collector called less often (`GC_THRESHOLD`).
"""

from __future__ import annotations

import gc
import sys

# The quick commands that always open a store; others either do not (`list` and `show` read a
# summary) or run long enough that the overlap does not matter.
OPENS_A_STORE = frozenset({"submit", "leaderboard", "submissions", "select", "close", "reopen"})


# Start-up makes a few hundred thousand objects that live as long as the process (modules, classes,
# functions). At Python's default threshold (a collection every 700 new objects) the cyclic
# collector walks them some 40 times before a submit has done anything, a tenth of its time.
GC_THRESHOLD = 10_000


def main() -> None:
    """Console-script entry point."""
    gc.set_threshold(GC_THRESHOLD, *gc.get_threshold()[1:])
    argv = sys.argv[1:]
    if argv and argv[0] in OPENS_A_STORE and not {"--help", "-h"} & set(argv):
        from harness import store

        store.start_database()
    from harness.cli import main as run

    run()
