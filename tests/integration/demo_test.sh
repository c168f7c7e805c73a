#!/usr/bin/env bash
# `pickverify demo` replays the incident and exits 0; the size-10 box is refused with its reason.
source "$(dirname "$0")/lib.sh"
"$pickverify" demo >"$work/out" 2>"$work/err" || { cat "$work/out" "$work/err" >&2; fail "demo exited $?"; }
expect_in "$work/out" "size: scanned 10, order needs 9"
expect_in "$work/out" "PACK REFUSED"
expect_in "$work/out" "missing: line 3 Laces, black, 120 cm"
expect_in "$work/out" "chain intact"
# The bench's virtual gate and scale: the extra 230 g is refused, the gate opens only on release.
expect_in "$work/out" "the box weighs 1,590 g, expected 1,360 g ± 40 g: 230 g too heavy — is something extra inside?"
expect_in "$work/out" "gate LOCKED, light red"
expect_in "$work/out" "gate UNLOCKED, light green"
"$pickverify" --data-dir "$PICKVERIFY_DATA_DIR/demo" audit verify >"$work/verify"
expect_in "$work/verify" "journal intact"

# Without its photos the demo cannot run its image check: it must fail, not claim success.
mkdir -p "$work/no-photos"
if PICKVERIFY_DEMO_DIR="$work/no-photos" "$pickverify" --data-dir "$work/d2" demo >"$work/out2" 2>"$work/err2"; then
  fail "demo passed without its image check"
fi
expect_in "$work/err2" "the image check could not run"
expect_not_in "$work/out2" "every wrong or missing item was stopped"
echo "ok"
