#!/usr/bin/env bash
# Every test of Accord: unit, integration (SQLite and PostgreSQL) and end-to-end journeys in
# Chromium against the built server on a fresh SQLite file and a fresh PostgreSQL database.
# Ends with one summary line "N passed, N failed".
set -uo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"
export CARGO_TERM_COLOR=never

bash .ci/setup.sh test || { echo "setup failed"; exit 1; }

export TEST_POSTGRES_URL="${TEST_POSTGRES_URL:-postgres://postgres@127.0.0.1:5432/postgres}"
if ! psql "$TEST_POSTGRES_URL" -qtAc 'SELECT 1' >/dev/null 2>&1; then
  cat >&2 <<MSG
PostgreSQL is not reachable at $TEST_POSTGRES_URL.
The tests run on SQLite and PostgreSQL and never skip one. Start PostgreSQL, or point the
tests at a server whose user may CREATE DATABASE:
  TEST_POSTGRES_URL=postgres://USER@HOST:PORT/DB make test
MSG
  exit 1
fi

target="${CARGO_TARGET_DIR:-target}"
logs="$target/test-logs"
mkdir -p "$logs"

echo "==> building (cargo leptos build)"
cargo leptos build >"$logs/build.log" 2>&1 || { tail -50 "$logs/build.log"; echo "build failed"; exit 1; }

total_pass=0
total_fail=0
failed_suites=()

echo "==> unit and integration tests (SQLite and PostgreSQL)"
cargo test --workspace --no-fail-fast 2>&1 | tee "$logs/cargo.log" | grep -E '^(test result|     Running|failures:|---- )'
cargo_rc=${PIPESTATUS[0]}
read -r cp cf < <(grep -E '^test result:' "$logs/cargo.log" \
  | sed -E 's/.* ([0-9]+) passed; ([0-9]+) failed.*/\1 \2/' | awk '{p+=$1; f+=$2} END {print p+0, f+0}')
if [ "$cargo_rc" -ne 0 ] && [ "$cf" -eq 0 ]; then cf=1; fi
total_pass=$((total_pass + cp)); total_fail=$((total_fail + cf))
[ "$cargo_rc" -eq 0 ] || failed_suites+=("cargo test")
echo "cargo test: $cp passed, $cf failed"

server_pid=""
pg_db=""
cleanup() {
  [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null && wait "$server_pid" 2>/dev/null
  [ -n "$pg_db" ] && psql "$TEST_POSTGRES_URL" -qtAc "DROP DATABASE IF EXISTS $pg_db WITH (FORCE)" >/dev/null 2>&1
  server_pid=""; pg_db=""
}
trap cleanup EXIT

run_e2e() {
  local backend="$1" url
  if [ "$backend" = sqlite ]; then
    local dir; dir="$(mktemp -d)"
    url="sqlite://$dir/e2e.db?mode=rwc"
  else
    pg_db="accord_e2e_$$"
    psql "$TEST_POSTGRES_URL" -qtAc "CREATE DATABASE $pg_db" >/dev/null || return 1
    url="$(python3 - "$TEST_POSTGRES_URL" "$pg_db" <<'PY'
import sys, urllib.parse as u
p = u.urlsplit(sys.argv[1]); print(u.urlunsplit(p._replace(path="/" + sys.argv[2])))
PY
)"
  fi
  DATABASE_URL="$url" "$target/debug/accord" seed demo >"$logs/e2e-$backend-seed.log" 2>&1 || { cat "$logs/e2e-$backend-seed.log"; return 1; }
  DATABASE_URL="$url" RUST_LOG=warn "$target/debug/accord" serve --addr 127.0.0.1:0 >"$logs/e2e-$backend-server.log" 2>&1 &
  server_pid=$!
  local base=""
  for _ in $(seq 1 300); do
    base="$(sed -n 's/^Accord is running at //p' "$logs/e2e-$backend-server.log" | head -1)"
    [ -n "$base" ] && break
    kill -0 "$server_pid" 2>/dev/null || break
    sleep 0.2
  done
  if [ -z "$base" ]; then cat "$logs/e2e-$backend-server.log"; echo "server did not start"; return 1; fi
  (cd end2end && BASE_URL="$base" node --test --test-concurrency=1 --test-reporter=spec tests/) 2>&1 | tee "$logs/e2e-$backend.log"
  local rc=${PIPESTATUS[0]}
  cleanup
  return "$rc"
}

for backend in sqlite postgres; do
  echo "==> end-to-end journeys in Chromium ($backend)"
  run_e2e "$backend"
  rc=$?
  log="$logs/e2e-$backend.log"
  ep=$(grep -E '^ℹ pass [0-9]+' "$log" 2>/dev/null | awk '{print $3}' | tail -1)
  ef=$(grep -E '^ℹ fail [0-9]+' "$log" 2>/dev/null | awk '{print $3}' | tail -1)
  ep=${ep:-0}; ef=${ef:-0}
  if [ "$rc" -ne 0 ] && [ "$ef" -eq 0 ]; then ef=1; fi
  if [ "$ep" -eq 0 ] && [ "$ef" -eq 0 ]; then ef=1; fi
  total_pass=$((total_pass + ep)); total_fail=$((total_fail + ef))
  [ "$rc" -eq 0 ] || failed_suites+=("end-to-end ($backend)")
  echo "end-to-end ($backend): $ep passed, $ef failed"
done

echo
if [ "${#failed_suites[@]}" -gt 0 ]; then echo "failing: ${failed_suites[*]}"; fi
echo "$total_pass passed, $total_fail failed"
[ "$total_fail" -eq 0 ]
