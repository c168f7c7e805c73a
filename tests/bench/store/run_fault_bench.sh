#!/usr/bin/env bash
# Fault runs under load (issue 12; docs/PERFORMANCE.md "PostgreSQL: faults under load"): on throw-away
# clusters, `pickverify loadgen` with STATIONS stations at RATE scans/s each for DURATION s while
#  restart : the server is killed (as a crash) at a quarter of the run and started again OUTAGE s later;
#  failover: the primary is killed at 1/4 of the run and its synchronous standby promoted at once.
# usage: run_fault_bench.sh PICKVERIFY [STATIONS RATE DURATION OUTAGE CONNECTIONS]
set -euo pipefail
pickverify=$(realpath "$1")
stations=${2:-200}
rate=${3:-2}
duration=${4:-60}
outage=${5:-30}
connections=${6:-$stations}
support=$(cd "$(dirname "$0")/../../support" && pwd)
root=$(mktemp -d /tmp/pickverify-faultbench-XXXXXX)
chmod 755 "$root"
export PICKVERIFY_DATA_DIR=$root/data
trap 'for d in "$root"/one "$root"/primary "$root"/standby; do "$support/pg_cluster.sh" stop "$d" >/dev/null 2>&1 || true; done; rm -rf "$root"' EXIT
at=$((duration / 4))

run() { # NAME URL
  printf 'store = "%s"\n' "$2" >"$root/$1.toml"
  "$pickverify" --config "$root/$1.toml" loadgen --stations "$stations" --rate "$rate" --duration "$duration" \
    --connections "$connections" >"$root/$1.out" 2>/dev/null &
  pid=$!
}

"$support/pg_cluster.sh" start "$root/one" >/dev/null
run restart "postgresql:///postgres?host=$root/one&user=pickverify"
sleep $((at + 1))
"$support/pg_cluster.sh" kill "$root/one"
sleep "$outage"
"$support/pg_cluster.sh" restart "$root/one"
wait "$pid" || true
echo "== restart: killed at ${at} s, started again ${outage} s later"
cat "$root/restart.out"
"$support/pg_cluster.sh" stop "$root/one"

"$support/pg_cluster.sh" start "$root/primary" >/dev/null
"$support/pg_cluster.sh" standby "$root/primary" "$root/standby" >/dev/null
run failover "postgresql:///postgres?host=$root/primary,$root/standby&user=pickverify&target_session_attrs=read-write"
sleep $((at + 1))
"$support/pg_cluster.sh" kill "$root/primary"
"$support/pg_cluster.sh" promote "$root/standby"
wait "$pid" || true
echo "== failover: primary killed at ${at} s, synchronous standby promoted at once"
cat "$root/failover.out"
