#!/usr/bin/env bash
# The storage tests run on PostgreSQL whenever it is reachable, and must when CI
# is set. Start the local cluster if it is installed but stopped.
set -euo pipefail
URL_HOST=127.0.0.1; URL_PORT=5432
if pg_isready -h "$URL_HOST" -p "$URL_PORT" -q 2>/dev/null; then exit 0; fi
if command -v pg_ctlcluster >/dev/null && [ -d /etc/postgresql ]; then
  echo "starting the local PostgreSQL cluster"
  pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -1)" main start || true
  for _ in $(seq 1 30); do pg_isready -h "$URL_HOST" -p "$URL_PORT" -q && exit 0; sleep 1; done
fi
if [ -n "${CI:-}" ]; then
  echo "PostgreSQL is required in CI at $URL_HOST:$URL_PORT but is not reachable" >&2
  exit 1
fi
echo "PostgreSQL not reachable: storage tests run on SQLite only" >&2
