#!/usr/bin/env bash
# Provisions the SEPARATE venv of the dlt peer benchmark (bench/dlt-peer.bench.ts):
# dlt 1.x with its pyiceberg and filesystem extras, kept apart from .cache/venv (the interop
# readers) so dlt's pins never move PyIceberg under the interop tests.
# Idempotent: a venv whose stamp matches the wanted requirement is reused.
# Exit 0 = ready; otherwise the reason is on stderr (the bench prints it and reports no figure).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
venv="${FLOE_DLT_VENV:-$root/.cache/venv-dlt}"
wanted='dlt[pyiceberg,filesystem]>=1,<2'
stamp="$venv/.floe-requirements"
if [ -x "$venv/bin/python" ] && [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$wanted" ]; then
  exit 0
fi
if ! command -v python3 >/dev/null 2>&1; then
  echo "[setup-dlt] python3 not found" >&2
  exit 1
fi
echo "[setup-dlt] creating $venv" >&2
python3 -m venv "$venv"
"$venv/bin/pip" install --quiet --upgrade pip
if ! "$venv/bin/pip" install --quiet "$wanted"; then
  echo "[setup-dlt] pip could not install $wanted (is PyPI reachable?)" >&2
  exit 1
fi
"$venv/bin/python" -c "import dlt, pyiceberg, pyarrow; print('[setup-dlt] dlt', dlt.__version__, 'pyiceberg', pyiceberg.__version__)" >&2
printf '%s' "$wanted" > "$stamp"
