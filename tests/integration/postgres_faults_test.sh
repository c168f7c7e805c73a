#!/usr/bin/env bash
# The station's PostgreSQL store through faults, under load (issue 12), on clusters of its own:
#  1. the server killed (as a crash would) and started again 3 s later;
#  2. the primary killed and its synchronous standby promoted, with a multi-host conninfo
#     (target_session_attrs=read-write).
# Each time `pickverify loadgen` runs on through it in one process: scans during the fault fail
# (fail closed, counted as errors), the connection is opened again by itself, orders are packed
# after the fault, every event a station was told is written is in the journal, and the chain verifies.
source "$(dirname "$0")/lib.sh"
support=$(cd "$(dirname "$0")/../support" && pwd)
clusters=$(mktemp -d /tmp/pickverify-pgfaults-XXXXXX)
chmod 755 "$clusters"
cleanup() {
  for dir in "$clusters"/*; do "$support/pg_cluster.sh" stop "$dir" >/dev/null 2>&1 || true; done
  rm -rf "$clusters" "$work"
}
trap cleanup EXIT
now_ms() { date +%s%3N; }
packed_since() { # CONNINFO MS
  psql -X -A -t -q "$1" -c "SELECT count(*) FROM order_packs WHERE order_id LIKE 'LG-%' AND packed_utc_ms > $2"
}
run_loadgen() { # NAME STORE-URL: in the background, output in $work/NAME.out
  cat >"$work/$1.toml" <<TOML
store = "$2"
TOML
  "$pickverify" --config "$work/$1.toml" loadgen --stations 3 --rate 4 --duration 12 >"$work/$1.out" 2>"$work/$1.err" &
  loadgen_pid=$!
}
check_loadgen() { # NAME
  wait "$loadgen_pid" || true # errors during the fault make it exit 1; the lines below say what matters
  expect_in "$work/$1.out" "journal intact"
  expect_in "$work/$1.out" "every one in the journal"
  errors=$(sed -n 's/.*orders packed [0-9]*, errors \([0-9]*\)$/\1/p' "$work/$1.out")
  [ -n "$errors" ] && [ "$errors" -gt 0 ] || { cat "$work/$1.out" >&2; fail "$1: no scan failed while the database was away"; }
}

# 1. Killed and started again.
"$support/pg_cluster.sh" start "$clusters/one" >/dev/null
one="host=$clusters/one user=pickverify dbname=postgres"
run_loadgen restart "postgresql:///postgres?host=$clusters/one&user=pickverify"
sleep 4
"$support/pg_cluster.sh" kill "$clusters/one"
sleep 3
"$support/pg_cluster.sh" restart "$clusters/one"
back=$(now_ms)
check_loadgen restart
[ "$(packed_since "$one" "$back")" -gt 0 ] || { cat "$work/restart.out" >&2; fail "restart: nothing packed after the server came back"; }

# 2. The primary killed, the synchronous standby promoted.
"$support/pg_cluster.sh" start "$clusters/primary" >/dev/null
"$support/pg_cluster.sh" standby "$clusters/primary" "$clusters/standby" >/dev/null
standby="host=$clusters/standby user=pickverify dbname=postgres"
run_loadgen failover \
  "postgresql:///postgres?host=$clusters/primary,$clusters/standby&user=pickverify&target_session_attrs=read-write"
sleep 4
"$support/pg_cluster.sh" kill "$clusters/primary"
"$support/pg_cluster.sh" promote "$clusters/standby"
promoted=$(now_ms)
check_loadgen failover
[ "$(packed_since "$standby" "$promoted")" -gt 0 ] || { cat "$work/failover.out" >&2; fail "failover: nothing packed on the promoted standby"; }
echo "ok: restart: $(grep -h '^scans' "$work/restart.out"); failover: $(grep -h '^scans' "$work/failover.out")"
