# Helpers for the integration tests: a private data folder, and checks that say what they expected.
set -euo pipefail
pickverify=$1
work=$(mktemp -d /tmp/pickverify-it-XXXXXX)
trap 'rm -rf "$work"' EXIT
export PICKVERIFY_DATA_DIR=$work/data

fail() { echo "FAIL: $*" >&2; exit 1; }
expect_in() {   # expect_in FILE TEXT
  grep -qF -- "$2" "$1" || { echo "--- $1:" >&2; cat "$1" >&2; fail "expected '$2' in $1"; }
}
expect_not_in() {
  ! grep -qF -- "$2" "$1" || { echo "--- $1:" >&2; cat "$1" >&2; fail "did not expect '$2' in $1"; }
}
