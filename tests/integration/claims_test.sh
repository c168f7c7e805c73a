#!/usr/bin/env bash
# One order, one station: real `pickverify run` processes on one data folder. A station holding an
# order keeps it; a second process with the same station id refuses to start; a supervisor's
# takeover (with PIN) moves the order and the old station learns it on its next event; a crashed
# station resumes its own order; its claim lapses after the lease.
source "$(dirname "$0")/lib.sh"
db=$PICKVERIFY_DATA_DIR/pickverify.db
q() { sqlite3 "file:$db?mode=ro" "$1"; }
wait_for() { # wait_for FILE TEXT: a running station answers within 10 s
  for _ in $(seq 200); do grep -qF -- "$2" "$1" 2>/dev/null && return 0; sleep 0.05; done
  echo "--- $1:" >&2; cat "$1" >&2; fail "timed out waiting for '$2' in $1"
}
printf '4711\n4711\n' | "$pickverify" user add sup-7 --role supervisor >"$work/user" 2>&1 || { cat "$work/user"; fail "user add"; }
printf '2468\n2468\n' | "$pickverify" user add P-9 --role picker >"$work/user" 2>&1 || { cat "$work/user"; fail "user add"; }

# Station A-1 opens ORD-2025-00146 and keeps running (its input is a fifo held open here).
mkfifo "$work/a.in"
"$pickverify" --station A-1 --operator P-17 run <"$work/a.in" >"$work/a.out" 2>&1 &
a_pid=$!
exec 3>"$work/a.in"
printf 'ORD-2025-00146\n9506000001975\n' >&3
wait_for "$work/a.out" "now 1/2"

# The same station id again: refused, naming the first process.
if printf 'quit\n' | "$pickverify" --station A-1 run >"$work/same" 2>&1; then fail "a second A-1 started"; fi
expect_in "$work/same" "station A-1 is already running: pid $a_pid on host $(hostname)"
# The service running the same station id is refused the same way (it registers its stations as `run` does).
if timeout 20 "$pickverify" --station A-1 serve --listen 127.0.0.1:0 >"$work/serve-same" 2>&1; then fail "serve ran a second A-1"; fi
expect_in "$work/serve-same" "station A-1 is already running: pid $a_pid on host $(hostname)"

# Another station: refused, naming the station, since when and the picker.
printf 'ORD-2025-00146\nquit\n' | "$pickverify" --station B-2 --operator P-20 run >"$work/b1" 2>&1
expect_in "$work/b1" "ORD-2025-00146 is open at station A-1 since"
expect_in "$work/b1" "picker P-17"
[ "$(q "SELECT count(*) FROM journal WHERE station = 'B-2' AND type = 'session_started'")" = 0 ] || fail "B-2 started"

# A takeover needs a supervisor's PIN: a wrong one and a picker's are refused and journaled.
printf 'supervisor sup-7 takeover ORD-2025-00146\n0000\nsupervisor P-9 takeover ORD-2025-00146\n2468\nquit\n' |
  "$pickverify" --station B-2 --operator P-20 run >"$work/b2" 2>&1
expect_in "$work/b2" "wrong PIN"
expect_in "$work/b2" "P-9 is a picker: a supervisor must do this"
[ "$(q "SELECT count(*) FROM journal WHERE type = 'auth_refused' AND station = 'B-2'")" = 2 ] || fail "refusals not journaled"

# The supervisor takes it over at B-2; B-2 scans one sock and stops (its claim stays).
printf 'supervisor sup-7 takeover ORD-2025-00146 scanner at A-1 broken\n4711\n9506000001975\nquit\n' |
  "$pickverify" --station B-2 --operator P-20 run >"$work/b3" 2>&1
expect_in "$work/b3" "ORDER ORD-2025-00146 TAKEN OVER"
expect_in "$work/b3" "supervisor sup-7 took order ORD-2025-00146 over from station A-1 (picker P-17) to station B-2"
expect_in "$work/b3" "now 1/2"
[ "$(q "SELECT json_extract(detail, '\$.picker') || '/' || operator_id FROM journal WHERE type = 'takeover'")" = "P-20/sup-7" ] ||
  fail "takeover row does not name picker and supervisor"

# A-1 learns it on its next event: the scan counts nowhere, its session is gone.
printf '9506000001975\npack\n' >&3
wait_for "$work/a.out" "this session no longer holds order ORD-2025-00146"
wait_for "$work/a.out" "no open order at this station"
[ "$(q "SELECT count(*) FROM journal WHERE station = 'A-1' AND type = 'scan'")" = 1 ] || fail "A-1's late scan was journaled"

# B-2 resumes and packs; then A-1 cannot start it again.
printf 'ORD-2025-00146\n9506000001975\npack\npacked\nquit\n' | "$pickverify" --station B-2 --operator P-20 run >"$work/b4" 2>&1
expect_in "$work/b4" "RESUMED"
expect_in "$work/b4" "PACK RELEASED"
expect_in "$work/b4" "PACKED"
printf 'ORD-2025-00146\n' >&3
wait_for "$work/a.out" "order ORD-2025-00146 was already packed at station B-2"
exec 3>&-
wait "$a_pid"
[ "$(q "SELECT count(*) FROM journal WHERE type = 'packed' AND order_id = 'ORD-2025-00146'")" = 1 ] || fail "packed twice"

# A station that crashes keeps its order: another station is refused, the same station resumes.
mkfifo "$work/c.in"
"$pickverify" --station C-3 --operator P-30 run <"$work/c.in" >"$work/c.out" 2>&1 &
c_pid=$!
exec 4>"$work/c.in"
printf 'ORD-2025-00147\n9506000001760\n' >&4
wait_for "$work/c.out" "ACCEPTED"
kill -KILL "$c_pid"
wait "$c_pid" 2>/dev/null || true
exec 4>&-
printf 'ORD-2025-00147\nquit\n' | "$pickverify" --station D-4 --operator P-40 run >"$work/d1" 2>&1
expect_in "$work/d1" "ORD-2025-00147 is open at station C-3 since"
printf 'ORD-2025-00147\nstatus\nquit\n' | "$pickverify" --station C-3 --operator P-30 run >"$work/c2" 2>&1
expect_in "$work/c2" "ORDER ORD-2025-00147 RESUMED"

# After the lease (15 minutes without an event from a station that is not running) it lapses:
# here the clock is moved by ageing the claim in the database.
sqlite3 "$db" "UPDATE order_claims SET last_event_utc_ms = last_event_utc_ms - 16 * 60 * 1000;
               DELETE FROM station_instances WHERE station = 'C-3';"
printf 'ORD-2025-00147\nquit\n' | "$pickverify" --station D-4 --operator P-40 run >"$work/d2" 2>&1
expect_in "$work/d2" "ORDER ORD-2025-00147"
[ "$(q "SELECT count(*) FROM journal WHERE type = 'claim_expired' AND station = 'C-3'")" = 1 ] || fail "no claim_expired row"
[ "$(q "SELECT station FROM order_claims WHERE order_id = 'ORD-2025-00147'")" = D-4 ] || fail "claim not with D-4"

"$pickverify" audit verify >"$work/verify" 2>&1 || { cat "$work/verify"; fail "audit verify"; }
expect_in "$work/verify" "journal intact"
echo "ok"
