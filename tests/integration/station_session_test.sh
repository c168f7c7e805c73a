#!/usr/bin/env bash
# A picker's session through `pickverify run` on piped input, then QA's export of it.
source "$(dirname "$0")/lib.sh"
printf '4711\n4711\n' | "$pickverify" user add sup-7 --role supervisor >"$work/user" 2>&1 || { cat "$work/user"; fail "user add"; }
printf '%s\n' ORD-2025-00146 9506000001975 9506000001838 pack \
  "clear 1 item_set_aside" "supervisor sup-7 clear 1 item_set_aside brush back on shelf" 4711 \
  9506000001975 pack packed quit | "$pickverify" run >"$work/run" 2>&1
expect_in "$work/run" "Loaded the demo catalog"
expect_in "$work/user" "new, empty data folder"
expect_in "$work/run" "WRONG ITEM"
expect_in "$work/run" "a picker may not clear this alert"
expect_in "$work/run" "ALERT CLEARED"
expect_in "$work/run" "PACK RELEASED"
expect_in "$work/run" "PACKED"

# The same order again is refused: it was packed.
printf 'ORD-2025-00146\n' | "$pickverify" run >"$work/again" 2>&1
expect_in "$work/again" "already packed"

"$pickverify" audit export --format csv --order ORD-2025-00146 -o "$work/export.csv" 2>"$work/export.err"
expect_in "$work/export.err" "exported"
expect_in "$work/export.csv" "wrong_item"
expect_in "$work/export.csv" "pack_released"
"$pickverify" audit export --format jsonl >"$work/export.jsonl"
[ "$(wc -l <"$work/export.jsonl")" -ge 8 ] || fail "expected at least 8 journal rows"

# Broken input never loses data: a bad import changes nothing and names the line.
printf 'sku,gtins\nX-1,9506000001419\n' >"$work/bad.csv"
if "$pickverify" import catalog "$work/bad.csv" >"$work/import" 2>&1; then fail "bad import succeeded"; fi
expect_in "$work/import" "bad.csv:2"
"$pickverify" orders list >"$work/orders"
expect_in "$work/orders" "ORD-2025-00145"
echo "ok"
