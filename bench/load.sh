#!/usr/bin/env bash
# Load test of durable submissions: builds pflicht and bench/loadgen, starts
# `pflicht serve` on a temporary SQLite data directory (and on a throwaway
# PostgreSQL when its server binaries are installed), seeds an admin, a token
# and an organisation, and runs loadgen at maximum throughput and at a fixed
# rate. Targets (docs/benchmarks.md): >= 1,000 durable submissions/s; p99 <=
# 50 ms at 200 req/s.
# Usage: bench/load.sh [DURATION] [WORKERS]   (default 10s, 16)
set -euo pipefail
cd "$(dirname "$0")/.."
duration=${1:-10s}
workers=${2:-16}
tmp=$(mktemp -d)
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; wait "$p" 2>/dev/null || true; done
  [[ -n ${pgctl:-} ]] && "${asuser[@]}" "$pgctl" -D "$tmp/pg/data" -m immediate -w stop >/dev/null 2>&1 || true
  rm -rf "$tmp"
}
trap cleanup EXIT

go build -o "$tmp/pflicht" ./cmd/pflicht
go build -o "$tmp/loadgen" ./bench/loadgen
pw=load-test-password-123

# serve_and_load NAME FLAGS...: one server, seeded, then the two runs.
serve_and_load() {
  local name=$1; shift
  local log="$tmp/$name.log"
  "$tmp/pflicht" serve --addr 127.0.0.1:0 "$@" 2>"$log" &
  local pid=$!
  pids+=("$pid")
  local addr=""
  for _ in $(seq 300); do
    addr=$(sed -n 's/.*msg=listening addr=\([^ ]*\).*/\1/p' "$log")
    [[ -n $addr ]] && break
    kill -0 "$pid" 2>/dev/null || { cat "$log"; exit 1; }
    sleep 0.1
  done
  [[ -n $addr ]] || { echo "no listening address in $log"; exit 1; }
  echo "$pw" | "$tmp/pflicht" user add "load-$name@bench.example" --role admin "$@" >/dev/null
  local token org
  token=$("$tmp/pflicht" token create --user "load-$name@bench.example" --expires 1d "$@" 2>/dev/null)
  org=$(curl -fsS -H "Authorization: Bearer $token" -H 'Content-Type: application/json' \
    -d '{"profile":{"name":"Last GmbH","address":{"country":"DE"}}}' "http://$addr/api/v1/organisations" |
    sed -n 's/^{"id":"\([^"]*\)".*/\1/p')
  [[ -n $org ]] || { echo "could not create the organisation"; exit 1; }
  echo "== $name ($(nproc) cores, $(go version | cut -d' ' -f3))"
  "$tmp/loadgen" -url "http://$addr" -token "$token" -org "$org" -rate max -c "$workers" -d "$duration"
  "$tmp/loadgen" -url "http://$addr" -token "$token" -org "$org" -rate 200 -c "$workers" -d "$duration"
  kill -TERM "$pid"; wait "$pid" || { echo "pflicht serve did not stop cleanly"; cat "$log"; exit 1; }
}

serve_and_load sqlite --data "$tmp/sqlite"

# PostgreSQL: initdb and postgres refuse to run as root, so run them as the
# postgres user then (as internal/pgtest does).
pgbin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1 || true)
if [[ -n $pgbin && -x $pgbin/initdb ]]; then
  asuser=()
  mkdir -p "$tmp/pg"
  if [[ $(id -u) == 0 ]]; then
    chown postgres "$tmp" "$tmp/pg"
    asuser=(runuser -u postgres --)
  fi
  port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
  "${asuser[@]}" "$pgbin/initdb" -D "$tmp/pg/data" -A trust -U postgres -E UTF8 --locale=C >/dev/null
  pgctl=$pgbin/pg_ctl
  "${asuser[@]}" "$pgctl" -D "$tmp/pg/data" -l "$tmp/pg/server.log" -w \
    -o "-p $port -k $tmp/pg -c listen_addresses=127.0.0.1 -c max_connections=200" start >/dev/null
  serve_and_load postgres --db "postgres://postgres@127.0.0.1:$port/postgres?sslmode=disable"
else
  echo "== postgres: skipped (no initdb under /usr/lib/postgresql/*/bin)"
fi
