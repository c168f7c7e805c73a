#!/usr/bin/env bash
# Two stations on two "hosts" (their own data folders), one PostgreSQL database: real `pickverify
# run` processes race for one order. One wins; the other is refused, naming the winner; the journal
# in the database holds one session_started and one chain. Needs the cluster of the pg_cluster
# fixture: $2 = its socket folder.
source "$(dirname "$0")/lib.sh"
cluster=$2
schema="it_claims_$$"
conninfo="host=$cluster user=pickverify dbname=postgres"
q() { psql -X -A -t -q "$conninfo options=-csearch_path=$schema" -c "$1"; }
psql -X -q "$conninfo" -c "CREATE SCHEMA $schema" || fail "cannot create schema $schema"
trap 'psql -X -q "$conninfo" -c "DROP SCHEMA $schema CASCADE" >/dev/null 2>&1; rm -rf "$work"' EXIT
cat >"$work/station.toml" <<TOML
store = "postgresql:///postgres?host=$cluster&user=pickverify&options=-csearch_path%3D$schema"
TOML
wait_for() { # wait_for FILE TEXT
  for _ in $(seq 200); do grep -qF -- "$2" "$1" 2>/dev/null && return 0; sleep 0.05; done
  echo "--- $1:" >&2; cat "$1" >&2; fail "timed out waiting for '$2' in $1"
}
start_station() { # start_station ID FD: pickverify run with its input on a fifo held open on FD
  mkfifo "$work/$1.in"
  PICKVERIFY_DATA_DIR=$work/$1 "$pickverify" --config "$work/station.toml" --station "$1" --operator "P-$1" \
    run <"$work/$1.in" >"$work/$1.out" 2>&1 &
  eval "exec $2>\"$work/$1.in\""
}

# Station A starts first and seeds the demo catalog and orders into the empty database.
start_station A-1 3
a_pid=$!
printf 'status\n' >&3
wait_for "$work/A-1.out" "No order open"
start_station B-2 4
b_pid=$!
printf 'status\n' >&4
wait_for "$work/B-2.out" "No order open"
[ "$(q "SELECT count(*) FROM orders")" -gt 0 ] || fail "the demo orders are not in PostgreSQL"
[ "$(q "SELECT count(*) FROM station_instances")" = 2 ] || fail "both stations should be registered"

# Both scan the same order at the same moment.
printf 'ORD-2025-00146\n' >&3 &
scan_a=$!
printf 'ORD-2025-00146\n' >&4 &
scan_b=$!
wait "$scan_a" "$scan_b"
for _ in $(seq 200); do
  grep -qF "is open at station" "$work/A-1.out" "$work/B-2.out" && break
  sleep 0.05
done
winner=$(q "SELECT station FROM order_claims WHERE order_id = 'ORD-2025-00146'")
case $winner in
A-1) loser=B-2 ;;
B-2) loser=A-1 ;;
*) cat "$work/A-1.out" "$work/B-2.out" >&2; fail "no station holds ORD-2025-00146 (got '$winner')" ;;
esac
wait_for "$work/$loser.out" "ORD-2025-00146 is open at station $winner since"
expect_in "$work/$loser.out" "picker P-$winner"
[ "$(q "SELECT count(*) FROM journal WHERE type = 'session_started' AND order_id = 'ORD-2025-00146'")" = 1 ] ||
  fail "more than one session_started for ORD-2025-00146"

# The winner scans, the loser's scan of the same order still counts for nothing.
if [ "$winner" = A-1 ]; then printf '9506000001975\n' >&3; else printf '9506000001975\n' >&4; fi
wait_for "$work/$winner.out" "now 1/2"
exec 3>&- 4>&-
wait "$a_pid" "$b_pid"

# QA's view: one chain from both stations, verified through the same configuration.
PICKVERIFY_DATA_DIR=$work/qa "$pickverify" --config "$work/station.toml" audit verify >"$work/audit" 2>&1 ||
  { cat "$work/audit" >&2; fail "audit verify"; }
expect_in "$work/audit" "journal intact"
[ "$(q "SELECT count(*) FROM journal WHERE station = '$winner' AND type = 'scan'")" = 1 ] || fail "the winner's scan"
[ "$(q "SELECT count(*) FROM journal WHERE station = '$loser'")" = 0 ] || fail "the refused station journaled rows"
[ "$(q "SELECT count(*) FROM station_instances")" = 0 ] || fail "stations did not unregister"
echo "postgres claims: $winner won ORD-2025-00146, $loser was refused"
