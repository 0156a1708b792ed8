#!/usr/bin/env bash
# The whole test suite, as the README's test command runs it: provisions the Python venv with
# the interop readers (PyIceberg, pyspark) on first use, then lint, typecheck and every test.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
bash scripts/setup-python.sh
export FLOE_PYTHON="${FLOE_PYTHON:-$root/.cache/venv/bin/python}"
export FLOE_IVY_CACHE="${FLOE_IVY_CACHE:-$root/.cache/ivy}"
npx biome check .
npx tsc -p tsconfig.json --noEmit
npx vitest run "$@"
