#!/usr/bin/env bash
# `pickverify loadgen` against PostgreSQL (the pg_cluster fixture's socket folder is $2) and against
# SQLite: every scan gets its verdict, every order is packed, the chain verifies, the figures and the
# progress line are printed.
source "$(dirname "$0")/lib.sh"
cluster=$2
schema="it_loadgen_$$"
conninfo="host=$cluster user=pickverify dbname=postgres"
psql -X -q "$conninfo" -c "CREATE SCHEMA $schema" || fail "cannot create schema $schema"
trap 'psql -X -q "$conninfo" -c "DROP SCHEMA $schema CASCADE" >/dev/null 2>&1; rm -rf "$work"' EXIT
cat >"$work/station.toml" <<TOML
store = "postgresql:///postgres?host=$cluster&user=pickverify&options=-csearch_path%3D$schema"
TOML

"$pickverify" --config "$work/station.toml" loadgen --stations 4 --rate 5 --duration 3 >"$work/pg.out" 2>"$work/pg.err" ||
  { cat "$work/pg.out" "$work/pg.err" >&2; fail "loadgen on PostgreSQL"; }
expect_in "$work/pg.out" "loadgen: 4 stations × 5 scans/s for 3 s on PostgreSQL (4 connections)"
expect_in "$work/pg.out" "; offered 20.0/s), orders packed 12, errors 0"
# Throughput is over the measured time: 60 scans in a little over 3 s, never more than offered.
rate=$(sed -n 's/^scans 60 (\([0-9.]*\)\/s over .*/\1/p' "$work/pg.out")
[ -n "$rate" ] || { cat "$work/pg.out" >&2; fail "no 'scans 60 (R/s over S s' line"; }
awk -v r="$rate" 'BEGIN { exit !(r > 12 && r <= 20.0) }' || fail "throughput $rate/s is not over the measured time"
expect_in "$work/pg.out" "scan-to-verdict latency: p50"
expect_in "$work/pg.out" "journal intact"
expect_in "$work/pg.err" "loadgen:   "
[ "$(psql -X -A -t -q "$conninfo options=-csearch_path=$schema" -c "SELECT count(*) FROM order_packs WHERE order_id LIKE 'LG-%'")" = 12 ] ||
  fail "the packed orders are not in PostgreSQL"

"$pickverify" loadgen --stations 2 --rate 4 --duration 2 --connections 1 >"$work/sqlite.out" 2>&1 ||
  { cat "$work/sqlite.out" >&2; fail "loadgen on SQLite"; }
expect_in "$work/sqlite.out" "on $PICKVERIFY_DATA_DIR/loadgen/pickverify.db (1 connections)"
expect_in "$work/sqlite.out" "errors 0"

# Bad options are an error, not a crash.
if "$pickverify" loadgen --rate 0 >"$work/bad" 2>&1; then fail "--rate 0 accepted"; fi
expect_in "$work/bad" "--rate above 0 up to 6 scans/s"
