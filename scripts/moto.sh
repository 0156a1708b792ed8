#!/usr/bin/env bash
# Starts moto server (AWS service mocks: DynamoDB, S3, Glue, Secrets Manager, CloudWatch, Lambda)
# from the test venv on a free loopback port (scripts/moto_server.py: requests applied one at a
# time, atomic like AWS's conditional writes) and prints its endpoint; the AWS integration tests
# use it (FLOE_MOTO_ENDPOINT). Usage: eval "$(bash scripts/moto.sh start)"; bash scripts/moto.sh stop
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
python="${FLOE_PYTHON:-$root/.cache/venv/bin/python}"
case "${1:-}" in
  start)
    port="$("$python" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()')"
    log="${TMPDIR:-/tmp}/floe-moto-$port.log"
    "$python" "$root/scripts/moto_server.py" 127.0.0.1 "$port" >"$log" 2>&1 &
    pid=$!
    for _ in $(seq 1 100); do
      if "$python" -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:$port/moto-api/')" 2>/dev/null; then
        echo "export FLOE_MOTO_ENDPOINT=http://127.0.0.1:$port FLOE_MOTO_PID=$pid"
        exit 0
      fi
      if ! kill -0 "$pid" 2>/dev/null; then break; fi
      sleep 0.2
    done
    echo "[moto] moto_server did not start on port $port; its log ($log):" >&2
    cat "$log" >&2 || true
    kill "$pid" 2>/dev/null || true
    exit 1
    ;;
  stop)
    if [ -n "${FLOE_MOTO_PID:-}" ]; then kill "$FLOE_MOTO_PID" 2>/dev/null || true; fi
    ;;
  *)
    echo "usage: $0 start|stop" >&2
    exit 2
    ;;
esac
