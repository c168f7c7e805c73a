#!/usr/bin/env bash
# Fails (exit 1) when a C++ file in src/ include/ firmware-host/ tests/ differs from what clang-format
# makes of it with the tree's .clang-format, and lists those files with their diff.
#   scripts/check-format.sh          check
#   scripts/check-format.sh --fix    rewrite the files in place instead
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$here"
clang_format=${CLANG_FORMAT:-$(command -v clang-format-14 || command -v clang-format || true)}
[ -n "$clang_format" ] || { echo "check-format: clang-format not found (apt-get install clang-format)" >&2; exit 2; }

mapfile -t files < <(git ls-files -- 'src/*.cpp' 'src/*.hpp' 'src/*.cpp.in' 'include/*.hpp' \
  'firmware-host/*.cpp' 'firmware-host/*.hpp' 'tests/*.cpp' 'tests/*.hpp')
if [ "${1:-}" = "--fix" ]; then
  "$clang_format" -i --style=file "${files[@]}"
  exit 0
fi
bad=0
for file in "${files[@]}"; do
  if ! "$clang_format" --style=file "$file" | diff -u --label "$file" --label "$file (clang-format)" "$file" - ; then
    bad=$((bad + 1))
  fi
done
if [ "$bad" -gt 0 ]; then
  echo "check-format: $bad file(s) differ from clang-format; run scripts/check-format.sh --fix" >&2
  exit 1
fi
echo "check-format: ${#files[@]} files formatted"
