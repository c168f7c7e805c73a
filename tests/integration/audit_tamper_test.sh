#!/usr/bin/env bash
# QA's check: any changed, deleted or reordered journal row is found and named by its seq.
source "$(dirname "$0")/lib.sh"
command -v sqlite3 >/dev/null || fail "sqlite3 is needed (scripts/debian-packages.txt)"
"$pickverify" demo >/dev/null
db=$PICKVERIFY_DATA_DIR/demo/pickverify.db
"$pickverify" --data-dir "$PICKVERIFY_DATA_DIR/demo" audit verify >"$work/ok"
expect_in "$work/ok" "journal intact"

cp "$db" "$work/changed.db"
sqlite3 "$work/changed.db" "UPDATE journal SET verdict='accepted' WHERE seq=3;"
mkdir -p "$work/changed" && mv "$work/changed.db" "$work/changed/pickverify.db"
if "$pickverify" --data-dir "$work/changed" audit verify >"$work/out" 2>"$work/err"; then fail "changed row not found"; fi
expect_in "$work/err" "seq 3"

cp "$db" "$work/deleted.db"
sqlite3 "$work/deleted.db" "DELETE FROM journal WHERE seq=5;"
mkdir -p "$work/deleted" && mv "$work/deleted.db" "$work/deleted/pickverify.db"
if "$pickverify" --data-dir "$work/deleted" audit verify >"$work/out" 2>"$work/err"; then fail "deleted row not found"; fi
expect_in "$work/err" "seq"
echo "ok"
