#!/usr/bin/env bash
# The whole test suite, as the README's test command runs it: provisions the Python venv with
# the interop readers (PyIceberg, pyspark) and moto on first use, starts moto server on loopback
# for the AWS tests (stopped on exit), installs Chromium for the `floe ui` browser tests when it is
# missing and can be (scripts/setup-browser.sh), then lint, typecheck and every test.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
bash scripts/setup-python.sh
bash scripts/setup-browser.sh
export FLOE_PYTHON="${FLOE_PYTHON:-$root/.cache/venv/bin/python}"
export FLOE_IVY_CACHE="${FLOE_IVY_CACHE:-$root/.cache/ivy}"
eval "$(bash scripts/moto.sh start)"
trap 'bash scripts/moto.sh stop' EXIT
npx biome check .
npx tsc -p tsconfig.json --noEmit
npx vitest run "$@"
