#!/usr/bin/env bash
# The main job: set up .venv if needed, build the index from seeds/ if missing or stale (incremental), serve the app.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
# A partial build (some files failed, or another writer holds the lock) still leaves an index to serve: say so and go on.
.venv/bin/python -m index build || echo "app: index build exited $? (see the lines above); serving what is indexed" >&2
exec .venv/bin/python app.py "$@"
