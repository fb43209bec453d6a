"""Tuning studies: Optuna on a competition's own folds and metric, resumable, pruned, in parallel.

run.py        `compete tune`: create or resume a study, run trials here or in worker processes
study.py      a study's identity (kernel, its SHA-256, folds, metric) and the resume check
objective.py  a trial: search_space(trial) over PARAMS, cross-validated as `compete run` does
storage.py    a storage URL (or none: a local journal file) as an Optuna storage
workers.py    `--workers K`: K single-threaded worker processes on one study
summary.py    `compete studies` and `compete study show`
submit.py     `compete study submit`: refit a trial's params, submit with its CV score
plots.py      optuna's matplotlib plots as PNG files and one self-contained HTML page
"""
