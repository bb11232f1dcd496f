#!/usr/bin/env bash
# The main job: set up .venv if needed, build the index from seeds/ if missing or stale (incremental), serve the app.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
.venv/bin/python -m index build
exec .venv/bin/python app.py "$@"
