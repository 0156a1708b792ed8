#!/usr/bin/env bash
# Provisions the Python venv with the independent readers the interop tests use
# (PyIceberg with SQLite + pyarrow + pyiceberg-core for partition transforms, pyspark 3.5 for iceberg-spark-runtime, moto server)
# and cfn-lint, which validates deploy/floe.cfn.yaml (deploy/requirements.txt).
# Idempotent: a venv whose requirements stamp matches is reused. Fails loudly: the
# interop suite never skips silently because a tool is missing.
set -euo pipefail
if ! command -v java >/dev/null 2>&1; then
  echo "[setup-python] java not found: Spark (pyspark 3.5) needs a JDK 17 on PATH (e.g. apt-get install openjdk-17-jre-headless)" >&2
  exit 1
fi
root="$(cd "$(dirname "$0")/.." && pwd)"
venv="${FLOE_VENV:-$root/.cache/venv}"
req="$root/test/interop/requirements.txt"
deploy_req="$root/deploy/requirements.txt"
stamp="$venv/.floe-requirements"
wanted="$(cat "$req" "$deploy_req")"
if [ -x "$venv/bin/python" ] && [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$wanted" ]; then
  exit 0
fi
echo "[setup-python] creating $venv" >&2
python3 -m venv "$venv"
"$venv/bin/pip" install --quiet --upgrade pip
"$venv/bin/pip" install --quiet -r "$req" -r "$deploy_req"
"$venv/bin/python" -c "import pyiceberg, pyiceberg_core, pyarrow, pyspark, sqlalchemy, moto; print('[setup-python] pyiceberg', pyiceberg.__version__, 'pyspark', pyspark.__version__)" >&2
printf '%s' "$wanted" > "$stamp"
