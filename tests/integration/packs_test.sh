#!/usr/bin/env bash
# Packaging levels through `pickverify run` on the demo data: the socks' case and a (00)+(02)+(37)
# logistic label of two pairs are refused where sealed packs do not count, and count as units where
# they do.
source "$(dirname "$0")/lib.sh"
label=']C1000095060000000000190209506000001975372' # (00) SSCC, (02) the socks' each GTIN, (37) 2

# The default policy counts eaches only: the case and the label are refused, nothing is counted.
printf '%s\n' ORD-2025-00146 19506000001972 "$label" pack quit | "$pickverify" run >"$work/eaches" 2>&1
expect_in "$work/eaches" "SEALED PACK"
expect_in "$work/eaches" "a case of 12 (Running socks, M): sealed packs are not counted here — open it and scan the items"
expect_in "$work/eaches" "a logistic unit of 2 (Running socks, M)"
expect_in "$work/eaches" "0 of 2 scanned"
expect_in "$work/eaches" "PACK REFUSED"

# Where sealed packs count, the label is both pairs (it used to count as one: 0/2 → 1/2).
printf '[policy]\nsealed_packs = true\n' >"$work/sealed.toml"
printf '%s\n' ORD-2025-00146 "$label" pack packed quit |
  "$pickverify" --config "$work/sealed.toml" --data-dir "$work/sealed-data" run >"$work/sealed" 2>&1
expect_in "$work/sealed" "now 2/2 (a logistic unit of 2 counted as 2)"
expect_in "$work/sealed" "PACK RELEASED"
expect_not_in "$work/sealed" "1/2"
"$pickverify" --data-dir "$work/sealed-data" audit export --format jsonl --order ORD-2025-00146 >"$work/sealed.jsonl"
expect_in "$work/sealed.jsonl" '\"units\":2'
echo "ok"
