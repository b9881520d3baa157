#!/usr/bin/env bash
# Start a throwaway PostgreSQL cluster for the store and server tests, and print the line that
# points them at it:  eval "$(bash .ci/postgres.sh)"
#
# Idempotent: installs the Debian package only when no PostgreSQL binaries are found, reuses a
# cluster already running on the port, and creates the database only once. Everything except
# the final export line goes to stderr so the output can be eval'ed. The cluster trusts local
# connections and runs with fsync off: it holds synthetic test data only and never lives past
# the machine.
set -euo pipefail

PORT="${MEDCODER_PG_PORT:-5433}"
ROOT="${MEDCODER_PG_DIR:-/tmp/medcoder-pg}"
DB="${MEDCODER_PG_DB:-medcoder_test}"

find_bin() {
  ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1
}

BIN="$(find_bin)"
if [ -z "$BIN" ] || [ ! -x "$BIN/initdb" ]; then
  echo "postgres.sh: installing PostgreSQL from Debian packages" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >&2
  apt-get install -y -qq --no-install-recommends postgresql >&2
  BIN="$(find_bin)"
fi

# PostgreSQL refuses to run as root; run the server as the postgres user when we are root.
if [ "$(id -u)" = "0" ]; then
  id postgres >/dev/null 2>&1 || useradd --system --home-dir "$ROOT" --shell /bin/sh postgres
  as_pg() { runuser -u postgres -- "$@"; }
else
  as_pg() { "$@"; }
fi

mkdir -p "$ROOT"
[ "$(id -u)" = "0" ] && chown postgres "$ROOT"

if ! "$BIN/pg_isready" -q -h 127.0.0.1 -p "$PORT"; then
  if [ ! -f "$ROOT/data/PG_VERSION" ]; then
    echo "postgres.sh: creating cluster in $ROOT/data" >&2
    as_pg "$BIN/initdb" -D "$ROOT/data" -U postgres -A trust -E UTF8 --locale=C.UTF-8 >&2
  fi
  as_pg "$BIN/pg_ctl" -D "$ROOT/data" -l "$ROOT/server.log" -w -t 60 \
    -o "-p $PORT -k $ROOT -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off" \
    start >&2
fi

if ! "$BIN/psql" -h 127.0.0.1 -p "$PORT" -U postgres -tAc "SELECT 1 FROM pg_database WHERE datname = '$DB'" | grep -q 1; then
  "$BIN/createdb" -h 127.0.0.1 -p "$PORT" -U postgres "$DB" >&2
fi

echo "export MEDCODER_TEST_POSTGRES_URL=postgresql+psycopg://postgres@127.0.0.1:$PORT/$DB"
