#!/usr/bin/env bash
# A camera over the bench as a scanner: the packed order held in view for seconds (dozens of frames)
# is five scans, one per unit, not thirty.
source "$(dirname "$0")/lib.sh"
source_dir=$2
printf '[camera]\nhands_free_source = "folder:%s/demo/camera/ORD-2025-00145"\nfps = 10\n' "$source_dir" >"$work/hf.toml"
(echo ORD-2025-00145; sleep 4; echo quit) | "$pickverify" --config "$work/hf.toml" run >"$work/run" 2>&1
expect_in "$work/run" "hands-free camera:"
[ "$(grep -c '^OK ACCEPTED' "$work/run")" -eq 5 ] || { cat "$work/run" >&2; fail "expected exactly 5 accepted scans"; }
expect_not_in "$work/run" "OVER QUANTITY"
expect_in "$work/run" "awaiting_image_check"
echo "ok"
