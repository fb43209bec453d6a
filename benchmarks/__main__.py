"""`python -m benchmarks [--only NAME ...] [--runs N] [--rows N] [--no-write]`: run and record them."""

from __future__ import annotations

import argparse
import importlib
import platform
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

from benchmarks._measure import Measurement

SUITES = ("startup", "scoring", "postmortem", "explain", "importing", "tuning", "concurrency")
OUT = Path(__file__).resolve().parents[1] / "docs" / "benchmarks.md"


def _table(rows: list[Measurement]) -> str:
    base = rows[0]
    lines = [
        f"| measured | median s | x {base.label} | CPU s | peak RSS MB | RSS x {base.label} |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for m in rows:
        lines.append(
            f"| {m.label} | {m.seconds:.3f} | {m.seconds / base.seconds:.2f} | {m.cpu_seconds:.2f} "
            f"| {m.max_rss_mb:.0f} | {m.max_rss_mb / base.max_rss_mb:.2f} |"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__)
    parser.add_argument("--only", nargs="*", choices=SUITES, help="suites to run (default: all)")
    parser.add_argument("--runs", type=int, default=5, help="runs per measurement (median is reported)")
    parser.add_argument(
        "--rows",
        type=int,
        help="rows of the scoring suite's binary files (default 10,000,000; MAP@12 gets a tenth)",
    )
    parser.add_argument("--no-write", action="store_true", help=f"print only; do not rewrite {OUT.name}")
    args = parser.parse_args(argv)
    if args.rows is not None:
        import os

        os.environ["COMPETE_BENCH_ROWS"] = str(args.rows)
        os.environ.setdefault("COMPETE_BENCH_MAP_ROWS", str(max(args.rows // 10, 1)))
    sections = []
    with _bytecode_cache():
        for name in args.only or SUITES:
            module = importlib.import_module(f"benchmarks.{name}")
            if hasattr(module, "sections"):  # a suite whose figures are not one command's timings
                for title, body in module.sections(args.runs):
                    text = f"## {title}\n\n{body}\n"
                    print(text, flush=True)
                    sections.append(text)
                continue
            for title, rows, note in module.run(args.runs):
                text = f"## {title}\n\n{note}\n\n{_table(rows)}\n"
                print(text, flush=True)
                sections.append(text)
    if not args.no_write:
        header = (
            "# Benchmarks\n\n"
            "Made by `make bench` (`python -m benchmarks"
            + (f" --only {' '.join(args.only)}" if args.only else "")
            + (f" --rows {args.rows}" if args.rows is not None else "")
            + f" --runs {args.runs}`) on {datetime.now(UTC):%Y-%m-%d} at commit {_commit()}, "
            f"{platform.machine()}, {platform.python_version()}, "
            f"{_cpu_count()} cores. Each figure is the median of {args.runs} runs (after a warm-up run "
            "unless a section says otherwise), each run in its own process; ratios are against the first "
            "row of each table, measured in the same run. CPU s is user + system time over all threads; "
            "peak RSS is the process's own (`wait4`). Compiled bytecode is kept (in a temporary "
            "PYTHONPYCACHEPREFIX), as for an installed package.\n"
        )
        OUT.parent.mkdir(parents=True, exist_ok=True)
        if args.only and OUT.is_file():  # the other suites' sections stay as they were measured
            OUT.write_text(_merge(OUT.read_text(), sections))
        else:
            OUT.write_text(header + "\n" + "\n".join(sections))
        print(f"wrote {OUT}", file=sys.stderr)
    return 0


def _merge(old: str, sections: list[str]) -> str:
    """`old` with each of `sections` in place of the section of the same title (or at the end)."""
    head, *parts = old.split("\n## ")
    kept = {part.split("\n", 1)[0]: "## " + part.rstrip("\n") + "\n" for part in parts}
    for text in sections:
        kept[text.split("\n", 1)[0].removeprefix("## ")] = text
    return head.rstrip("\n") + "\n\n" + "\n".join(kept.values())


@contextmanager
def _bytecode_cache() -> Iterator[None]:
    """Let the measured processes keep compiled bytecode, in a temporary folder.

    An installed package has its .pyc files; a checkout run with PYTHONDONTWRITEBYTECODE (or a venv
    installed without them) compiles every imported module in every process, which would be measured
    as start-up time. The warm-up run of each measurement fills the cache.
    """
    import os
    import tempfile

    saved = {k: os.environ.get(k) for k in ("PYTHONDONTWRITEBYTECODE", "PYTHONPYCACHEPREFIX")}
    with tempfile.TemporaryDirectory(prefix="compete-bench-pyc-") as folder:
        os.environ.pop("PYTHONDONTWRITEBYTECODE", None)
        os.environ["PYTHONPYCACHEPREFIX"] = folder
        try:
            yield
        finally:
            for key, value in saved.items():
                if value is None:
                    os.environ.pop(key, None)
                else:
                    os.environ[key] = value


def _commit() -> str:
    import subprocess

    try:
        out = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, cwd=OUT.parent.parent
        )
    except OSError:
        return "unknown"
    return out.stdout.strip() or "unknown"


def _cpu_count() -> int:
    import os

    return os.cpu_count() or 1


if __name__ == "__main__":
    raise SystemExit(main())
