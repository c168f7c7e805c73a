#!/usr/bin/env bash
# Kits whose parts follow the order, through `pickverify run`: on the demo data the trail bundle of
# order ORD-2025-00148 (its runner in the size ordered, 10 D) refuses the size-9 box naming the kit;
# a catalog and orders imported from CSV, one boot kit for every size, pack the size ordered.
source "$(dirname "$0")/lib.sh"

printf '%s\n' ORD-2025-00148 9506000001418 pack quit | "$pickverify" run >"$work/demo" 2>&1
expect_in "$work/demo" "Trail runner, size 10, width D (kit KIT-TRAIL)"
expect_in "$work/demo" "WRONG SIZE"
expect_in "$work/demo" "wrong variant for line 1: size: scanned 9, kit KIT-TRAIL needs 10"
expect_in "$work/demo" "PACK REFUSED"

cat >"$work/catalog.csv" <<'CSV'
type,sku,style,description,gtins,attributes,components
item,BOOT-8,BOOT,"Hiking boot, size 8",9506000002118,size=8;colour=brown,
item,BOOT-9,BOOT,"Hiking boot, size 9",9506000002187,size=9;colour=brown,
item,WAX-1,,Boot wax,9506000002354,,
kit,KIT-BOOT,,Boot bundle,,,"BOOT[size,colour=brown];WAX-1"
CSV
cat >"$work/orders.csv" <<'CSV'
order_id,value,sku,attributes,quantity
ORD-B8,120.00,KIT-BOOT,size=8,1
ORD-B9,120.00,KIT-BOOT,size=9,1
CSV
data=(--data-dir "$work/boots")
"$pickverify" "${data[@]}" import catalog "$work/catalog.csv" >"$work/import" 2>&1 || { cat "$work/import"; fail "import catalog"; }
"$pickverify" "${data[@]}" import orders "$work/orders.csv" >"$work/import" 2>&1 || { cat "$work/import"; fail "import orders"; }

# A kit line without the size its boot takes from the order is refused at import, nothing written.
printf 'order_id,value,sku,quantity\nORD-BX,120.00,KIT-BOOT,1\n' >"$work/bad.csv"
if "$pickverify" "${data[@]}" import orders "$work/bad.csv" >"$work/bad" 2>&1; then fail "an order without the size imported"; fi
expect_in "$work/bad" "bad.csv:2: attributes: order ORD-BX line 1: kit KIT-BOOT takes size from the order line; the line gives no size"

printf '%s\n' ORD-B9 9506000002118 quit | "$pickverify" "${data[@]}" --station K-1 run >"$work/nine" 2>&1
expect_in "$work/nine" "wrong variant for line 1: size: scanned 8, kit KIT-BOOT needs 9"

printf '%s\n' ORD-B8 9506000002118 9506000002354 pack packed quit |
  "$pickverify" "${data[@]}" --station K-2 run >"$work/eight" 2>&1
expect_in "$work/eight" "Hiking boot, size 8 (kit KIT-BOOT): now 1/1"
expect_in "$work/eight" "PACK RELEASED"
expect_not_in "$work/eight" "WRONG "
echo "ok"
