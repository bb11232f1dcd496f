#!/usr/bin/env bash
# Create .venv (if missing) and install exactly the versions in uv.lock into it, with a CPU-only torch.
# Idempotent: a second run only checks. torch comes from the CPU wheel on disk (pyproject's [tool.uv.sources]),
# because the registry's default torch build pulls several GB of CUDA packages.
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v uv >/dev/null 2>&1; then
  python3 -m pip install --quiet uv
fi
UV="$(command -v uv || echo "python3 -m uv")"

stamp=.venv/.deps-installed
if [ -x .venv/bin/python ] && [ -f "$stamp" ] && [ "$stamp" -nt pyproject.toml ] && [ "$stamp" -nt uv.lock ]; then
  exit 0
fi

if ! ls /opt/wheels/torch-2.13.0+cpu-cp311-*.whl >/dev/null 2>&1; then
  echo "setup: the CPU torch wheel /opt/wheels/torch-2.13.0+cpu-cp311-*.whl is missing; refusing to pull a CUDA build" >&2
  echo "setup: put a CPU torch 2.13.0 wheel there (or change [tool.uv.sources] in pyproject.toml and run uv lock)" >&2
  exit 1
fi

# --frozen: install what uv.lock says, the versions CI tested; it fails if pyproject.toml and the lock disagree
# (after changing dependencies, run `uv lock` and commit uv.lock).
$UV sync --quiet --frozen --extra dev --no-install-project --python 3.11
touch "$stamp"
