#!/usr/bin/env bash
# `make demo`: play one built-in competition through, from a fresh clone, the whole learner's loop:
# pick the competition, study a kernel, run it on the competition's folds, ask why it works, tune it,
# submit, read the board, close, and look back with a post-mortem and a writeup draft. The competition
# is opened again at the end, so the demo can be played again.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PWD/.venv/bin:$PATH"
slug=${DEMO_COMPETITION:-titanic}
# A participant of its own each time: a replay never meets the daily limit or its own earlier files.
who=${DEMO_PARTICIPANT:-demo-$(date -u +%Y%m%dT%H%M%S)}

step() { printf '\n\033[1m$ %s\033[0m\n' "$*"; "$@"; }

step compete list
step compete prepare "$slug"
if [ "$(compete show "$slug" --format json | python3 -c 'import json,sys; print(json.load(sys.stdin)["state"])')" = closed ]; then
    step compete reopen "$slug"
fi
step compete show "$slug"
step compete kernels list "$slug"
step compete run "$slug/baseline" --submit --as "$who" -m "demo: the baseline"
strong=$(compete kernels list "$slug" --format csv | awk -F, 'NR > 1 && $1 !~ /(baseline|scratch-|blend-|rule-)/ {print $1; exit}')
step compete kernels show "$strong"
step compete run "$strong"
step compete compare "$slug/baseline" "$strong"
step compete explain "$strong" --worst 5
step compete tune "$strong" --trials 12 --seed 0
step compete study show "$strong"
step compete study submit "$strong" --as "$who" -m "demo: the strong kernel, its best trial"
step compete submit "$slug" "data/$slug/sample_submission.csv" --as "$who" -m "demo: the sample submission"
step compete submissions "$slug" --as "$who"
step compete leaderboard "$slug" --ties
step compete close "$slug"
step compete postmortem "$slug" --as "$who"
step compete writeup "$slug" --as "$who"
step compete reopen "$slug"
metric_topic=$(compete show "$slug" --format json | python3 -c 'import json,sys; print(json.load(sys.stdin)["theory"][0])')
step compete theory "$metric_topic"
