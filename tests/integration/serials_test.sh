#!/usr/bin/env bash
# Serial numbers with real `pickverify run` processes on one data folder: a serial-tracked watch
# counts with its AI 21 serial, once; without a serial it is refused; two stations holding "the same"
# watch cannot both pack it (the second is told where it went); a later order is refused it at the
# scan; a serial-label camera takes its serial from the next scan; QA finds a serial's way.
source "$(dirname "$0")/lib.sh"
db=$PICKVERIFY_DATA_DIR/pickverify.db
q() { sqlite3 "file:$db?mode=ro" "$1"; }
wait_for() { # wait_for FILE TEXT: a running station answers within 10 s
  for _ in $(seq 200); do grep -qF -- "$2" "$1" 2>/dev/null && return 0; sleep 0.05; done
  echo "--- $1:" >&2; cat "$1" >&2; fail "timed out waiting for '$2' in $1"
}
cat >"$work/catalog.csv" <<'CSV'
sku,description,gtins,unit_value,flags
WATCH-1,Diver watch,9506000002101,40.00,serial_tracked
CAM-1,Action camera,9506000002200,60.00,serial_label
CSV
cat >"$work/orders.csv" <<'CSV'
order_id,value,sku,quantity
ORD-W1,80.00,WATCH-1,2
ORD-W2,40.00,WATCH-1,1
ORD-W3,40.00,WATCH-1,1
ORD-C1,60.00,CAM-1,1
CSV
"$pickverify" import catalog "$work/catalog.csv" >"$work/import" 2>&1 || { cat "$work/import"; fail "import catalog"; }
"$pickverify" import orders "$work/orders.csv" >"$work/import" 2>&1 || { cat "$work/import"; fail "import orders"; }
watch() { printf ']C10109506000002101%s%s\n' 21 "$1"; } # GS1-128: (01) GTIN (21) serial

# Two stations at once, each with an order of a watch serial WSN-0001.
mkfifo "$work/a.in" "$work/b.in"
"$pickverify" --station A-1 --operator P-1 run <"$work/a.in" >"$work/a.out" 2>&1 &
a_pid=$!
exec 3>"$work/a.in"
"$pickverify" --station B-2 --operator P-2 run <"$work/b.in" >"$work/b.out" 2>&1 &
b_pid=$!
exec 4>"$work/b.in"

{ echo ORD-W1; watch WSN-0001; } >&3
wait_for "$work/a.out" "now 1/2 (serial WSN-0001)"
sleep 0.4 # past the bounce window: this is a second scan, not a bounce
watch WSN-0001 >&3
wait_for "$work/a.out" "serial WSN-0001 of Diver watch is already counted on order ORD-W1"
echo 9506000002101 >&3 # the EAN-13 alone: no serial
wait_for "$work/a.out" "scan the serial label"

{ echo ORD-W2; watch WSN-0001; echo pack; } >&4
wait_for "$work/b.out" "now 1/1 (serial WSN-0001)"
wait_for "$work/b.out" "PACK RELEASED"

{ watch WSN-0002; echo pack; echo packed; } >&3
wait_for "$work/a.out" "now 2/2 (serial WSN-0002)"
wait_for "$work/a.out" "PACKED"
echo packed >&4
wait_for "$work/b.out" "serial WSN-0001 (GTIN 09506000002101) was already packed in order ORD-W1 at station A-1"
exec 3>&- 4>&-
wait "$a_pid" "$b_pid"
[ "$(q "SELECT count(*) FROM journal WHERE type = 'packed' AND order_id = 'ORD-W2'")" = 0 ] || fail "ORD-W2 packed"
[ "$(q "SELECT order_id FROM packed_serials WHERE serial = 'WSN-0001'")" = ORD-W1 ] || fail "packed_serials"
[ "$(q "SELECT count(*) FROM journal WHERE type = 'scan' AND verdict = 'duplicate' AND json_extract(detail, '\$.serial') = 'WSN-0001'")" = 1 ] ||
  fail "duplicate serial not journaled with its serial"
[ "$(q "SELECT count(*) FROM journal WHERE verdict = 'serial_missing'")" = 1 ] || fail "serial_missing not journaled"

# A later order: the packed serial is refused at the scan, naming where it went.
printf 'ORD-W3\n%s\nquit\n' "$(watch WSN-0001)" | "$pickverify" --station C-3 --operator P-3 run >"$work/c.out" 2>&1
expect_in "$work/c.out" "SERIAL PACKED"
expect_in "$work/c.out" "serial WSN-0001 of Diver watch was already packed in order ORD-W1 at station A-1"

# A serial-label camera: product barcode, then its serial label.
printf 'ORD-C1\n9506000002200\nCAMSN77\npack\npacked\nquit\n' | "$pickverify" --station C-3 --operator P-3 run >"$work/cam.out" 2>&1
expect_in "$work/cam.out" "scan its serial label now"
expect_in "$work/cam.out" "now 1/1 (serial CAMSN77)"
expect_in "$work/cam.out" "PACKED"
[ "$(q "SELECT gtin || '/' || order_id FROM packed_serials WHERE serial = 'CAMSN77'")" = 09506000002200/ORD-C1 ] ||
  fail "camera serial not in packed_serials"

# QA: where did WSN-0001 go?
"$pickverify" audit find --serial WSN-0001 >"$work/find" 2>&1 || { cat "$work/find"; fail "audit find"; }
expect_in "$work/find" "serial WSN-0001 (GTIN 09506000002101): packed in order ORD-W1 at station A-1"
expect_in "$work/find" "order ORD-W3"
expect_in "$work/find" "serial_packed"
if "$pickverify" audit find --serial NOPE-1 >"$work/find2" 2>&1; then fail "audit find of an unknown serial exit 0"; fi
expect_in "$work/find2" "serial NOPE-1: not packed in any order"

# The export carries the serial in its own column.
"$pickverify" audit export --format csv --order ORD-C1 -o "$work/c1.csv" 2>/dev/null
head -1 "$work/c1.csv" | grep -q ',ais,serial,verdict,' || fail "no serial column"
grep -q ',CAMSN77,accepted,' "$work/c1.csv" || { cat "$work/c1.csv"; fail "serial not exported"; }

"$pickverify" audit verify >"$work/verify" 2>&1 || { cat "$work/verify"; fail "audit verify"; }
echo "ok"
