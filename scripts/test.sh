#!/usr/bin/env bash
# Run the tests: set up .venv if needed, then pytest (all tests; browser tests skip when Chromium is absent).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
exec .venv/bin/python -m pytest "$@"
