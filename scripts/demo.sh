#!/usr/bin/env bash
# `make demo`: play one built-in competition through, from a fresh clone.
# Pick the competition, study a kernel, run it on the competition's folds, ask why it works, submit, read
# the board.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PWD/.venv/bin:$PATH"
slug=${DEMO_COMPETITION:-titanic}

step() { printf '\n\033[1m$ %s\033[0m\n' "$*"; "$@"; }

step compete list
step compete prepare "$slug"
step compete show "$slug"
step compete kernels list "$slug"
step compete run "$slug/baseline" --submit -m "demo: the baseline"
strong=$(compete kernels list "$slug" --format csv | awk -F, 'NR > 1 && $1 !~ /(baseline|scratch-|blend-)/ {print $1; exit}')
step compete kernels show "$strong"
step compete run "$strong" --submit -m "demo: the strong reference kernel"
step compete compare "$slug/baseline" "$strong"
step compete explain "$strong" --worst 5
step compete submit "$slug" "data/$slug/sample_submission.csv" --as demo-learner -m "demo: the sample submission"
step compete submissions "$slug"
step compete leaderboard "$slug"
metric_topic=$(compete show "$slug" --format json | python3 -c 'import json,sys; print(json.load(sys.stdin)["theory"][0])')
step compete theory "$metric_topic"
