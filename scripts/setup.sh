#!/usr/bin/env bash
# Create .venv (if missing) and install the project's dependencies into it, with a CPU-only torch.
# Idempotent: a second run only checks. Uses uv for speed; torch comes from the local CPU wheel when one is present,
# because the registry's default torch build pulls several GB of CUDA packages.
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v uv >/dev/null 2>&1; then
  python3 -m pip install --quiet uv
fi
UV="$(command -v uv || echo "python3 -m uv")"

if [ ! -x .venv/bin/python ]; then
  $UV venv --quiet --python 3.11 .venv
fi

stamp=.venv/.deps-installed
if [ -f "$stamp" ] && [ "$stamp" -nt pyproject.toml ]; then
  exit 0
fi

torch_wheel=$(ls /opt/wheels/torch-2.13.0+cpu-*.whl 2>/dev/null | head -n 1 || true)
if [ -z "$torch_wheel" ] && ! .venv/bin/python -c "import torch" 2>/dev/null; then
  echo "setup: no CPU torch wheel in /opt/wheels and no torch installed; refusing to pull a CUDA build" >&2
  echo "setup: install a CPU torch into .venv first (e.g. pip install torch==2.13.0 from a CPU wheel)" >&2
  exit 1
fi

VIRTUAL_ENV=.venv $UV pip install --quiet ${torch_wheel:+"$torch_wheel"} -r pyproject.toml --extra dev
touch "$stamp"
