#!/usr/bin/env bash
# Make sure Postgres answers at DATABASE_URL's host (default 127.0.0.1:5432); start the local
# cluster when one is installed, otherwise say in one line what to do.
set -euo pipefail
host=${PGHOST:-127.0.0.1}
port=${PGPORT:-5432}
if pg_isready -q -h "$host" -p "$port" 2>/dev/null; then
  exit 0
fi
if command -v pg_ctlcluster >/dev/null 2>&1 && [ -d /etc/postgresql ]; then
  version=$(ls /etc/postgresql | sort -V | tail -n 1)
  echo "Starting the local Postgres $version cluster…"
  pg_ctlcluster --skip-systemctl-redirect "$version" main start || true
  for _ in $(seq 1 30); do
    pg_isready -q -h "$host" -p "$port" && exit 0
    sleep 1
  done
fi
echo "Postgres is not answering on $host:$port: install it (apt-get install postgresql) or run 'docker compose up -d db'." >&2
exit 1
