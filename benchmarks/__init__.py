"""Benchmarks for compete, run by `make bench` (`python -m benchmarks`).

Every figure is a ratio against a baseline measured in the same run, on the same machine, as the median
of several runs; each measured command runs in its own process so its peak memory (max RSS) is its own.
Results are written to docs/benchmarks.md with the command that made them.
"""
