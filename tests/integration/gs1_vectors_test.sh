#!/usr/bin/env bash
# GS1's reference vectors as a picker's scanner sends them: each vector is one `]C1` scan piped into
# `pickverify run` on an open order, and the station's verdict must be the reference's answer —
# `malformed` for an invalid one (naming the broken rule where the file says which), anything else for
# a valid one. gs1_vectors/*.txt say where the vectors come from.
source "$(dirname "$0")/lib.sh"
vectors=$(dirname "$0")/gs1_vectors

# run_vectors FILE [CONFIG]: checks every vector of FILE, prints how many passed.
run_vectors() {
  local file=$1 config=${2:-}
  local answers=() fragments=() scans=()
  local answer scan rest
  while read -r answer scan rest; do
    [[ -z "$answer" || "$answer" == \#* ]] && continue
    answers+=("$answer")
    # The rule's words follow the reference text, which has no spaces.
    fragments+=("$(sed -E 's/^[^ ]+ +//; t; s/.*//' <<<"$rest")")
    if [[ "$scan" == ^* ]]; then
      scan="]C1${scan#^}"
    fi
    scans+=("${scan//^/$'\x1d'}")
  done <"$file"

  {
    printf '%s\n' ORD-2025-00146
    printf '%s\n' "${scans[@]}"
    printf 'quit\n'
  } >"$work/input"
  local options=()
  [ -n "$config" ] && options=(--config "$config")
  "$pickverify" "${options[@]}" run <"$work/input" >"$work/output" 2>&1 || fail "pickverify run failed on $file"

  # One block per reply: a headline ("OK …", "!! …", "XX …") and its indented details.
  awk '/^(OK|!!|XX) /{ if (block != "") print block; block = $0; next }
       /^   / && block != "" { block = block " | " substr($0, 4) }
       END { if (block != "") print block }' "$work/output" >"$work/replies"
  local replies=()
  mapfile -t replies <"$work/replies"
  [[ "${replies[0]}" == "OK ORDER ORD-2025-00146"* ]] || fail "the order did not open: ${replies[0]}"
  [ "${#replies[@]}" -eq $((${#scans[@]} + 1)) ] ||
    fail "$file: ${#scans[@]} scans but $((${#replies[@]} - 1)) replies (see $work/output)"

  local i failures=0
  for i in "${!scans[@]}"; do
    local reply=${replies[$((i + 1))]} shown=${scans[$i]//$'\x1d'/<GS>}
    local verdict=${reply:3}
    verdict=${verdict%%  *}
    if [ "${answers[$i]}" = invalid ]; then
      if [ "$verdict" != MALFORMED ]; then
        echo "FAIL $file: $shown is invalid for the reference, pickverify says: $reply" >&2
        failures=$((failures + 1))
      elif [ -n "${fragments[$i]}" ] && [[ "$reply" != *"${fragments[$i]}"* ]]; then
        echo "FAIL $file: $shown should name '${fragments[$i]}', pickverify says: $reply" >&2
        failures=$((failures + 1))
      fi
    elif [ "$verdict" = MALFORMED ]; then
      echo "FAIL $file: $shown is valid for the reference, pickverify says: $reply" >&2
      failures=$((failures + 1))
    fi
  done
  [ "$failures" -eq 0 ] || fail "$file: $failures of ${#scans[@]} vectors disagree with the reference"
  echo "$(basename "$file"): ${#scans[@]} of ${#scans[@]} vectors give the reference's answer"
}

# The reference checks element-string syntax without association rules: so do we, for this set.
printf '[policy]\ngs1_requisite_ais = false\n' >"$work/syntax-only.toml"
run_vectors "$vectors/element_strings.txt" "$work/syntax-only.toml"
run_vectors "$vectors/associations.txt"

# With the default policy every association rule holds: an element string that is good syntax but
# lacks its requisite AI is malformed, naming the rule.
printf '%s\n' ORD-2025-00146 "]C1242123456" quit | "$pickverify" run >"$work/requisite" 2>&1
expect_in "$work/requisite" "!! MALFORMED"
expect_in "$work/requisite" "(242) needs (01), (02), (8006) or (8026)"
echo "ok"
