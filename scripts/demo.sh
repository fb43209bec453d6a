#!/usr/bin/env bash
# `make demo`: play one built-in competition through, from a fresh clone.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PWD/.venv/bin:$PATH"
slug=${DEMO_COMPETITION:-titanic}

set -x
compete list
compete prepare "$slug"
compete show "$slug"
