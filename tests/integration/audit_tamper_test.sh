#!/usr/bin/env bash
# QA's check: any changed, deleted or reordered journal row is found and named by its seq.
source "$(dirname "$0")/lib.sh"
command -v sqlite3 >/dev/null || fail "sqlite3 is needed (scripts/debian-packages.txt)"
"$pickverify" demo >/dev/null
db=$PICKVERIFY_DATA_DIR/demo/pickverify.db
"$pickverify" --data-dir "$PICKVERIFY_DATA_DIR/demo" audit verify >"$work/ok"
expect_in "$work/ok" "journal intact"

# The schema's triggers refuse UPDATE and DELETE; a tamperer with file access drops them first.
drop_triggers() {
  for trigger in $(sqlite3 "$1" "SELECT name FROM sqlite_master WHERE type='trigger';"); do
    sqlite3 "$1" "DROP TRIGGER \"$trigger\";"
  done
}
cp "$db" "$work/changed.db"
drop_triggers "$work/changed.db"
sqlite3 "$work/changed.db" "UPDATE journal SET verdict='accepted' WHERE seq=3;"
mkdir -p "$work/changed" && mv "$work/changed.db" "$work/changed/pickverify.db"
if "$pickverify" --data-dir "$work/changed" audit verify >"$work/out" 2>"$work/err"; then fail "changed row not found"; fi
expect_in "$work/err" "seq 3"

cp "$db" "$work/deleted.db"
drop_triggers "$work/deleted.db"
sqlite3 "$work/deleted.db" "DELETE FROM journal WHERE seq=5;"
mkdir -p "$work/deleted" && mv "$work/deleted.db" "$work/deleted/pickverify.db"
if "$pickverify" --data-dir "$work/deleted" audit verify >"$work/out" 2>"$work/err"; then fail "deleted row not found"; fi
expect_in "$work/err" "seq 5"

# Without dropping the triggers, the database refuses the change outright.
cp "$db" "$work/guarded.db"
if sqlite3 "$work/guarded.db" "UPDATE journal SET reason='x' WHERE seq=2;" 2>/dev/null; then fail "journal accepted an UPDATE"; fi
echo "ok"
