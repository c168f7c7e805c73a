#!/usr/bin/env bash
# Sets up a fresh Debian 12 machine for pickverify and builds it.
#   scripts/bootstrap.sh           install what is missing, configure, build the pickverify program
#   scripts/bootstrap.sh --tests   the same, and build every test and benchmark
# The build goes to ./build (override with PICKVERIFY_BUILD_DIR); PICKVERIFY_CMAKE_ARGS adds configure
# options (.ci/run: -DPICKVERIFY_WARNINGS_AS_ERRORS=ON). Safe to run again: it only installs
# what is missing and rebuilds what changed.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build_dir=${PICKVERIFY_BUILD_DIR:-$here/build}
jobs=${PICKVERIFY_JOBS:-2}
target=pickverify
if [ "${1:-}" = "--tests" ]; then
  target=all
elif [ -n "${1:-}" ]; then
  echo "usage: scripts/bootstrap.sh [--tests]" >&2
  exit 2
fi

step() { printf '\n==> %s\n' "$*"; }

mapfile -t packages < <(grep -v '^\s*#' "$here/scripts/debian-packages.txt" | grep -v '^\s*$')
missing=()
for package in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done
if [ ${#missing[@]} -gt 0 ]; then
  step "installing ${#missing[@]} Debian package(s): ${missing[*]}"
  sudo=""
  if [ "$(id -u)" -ne 0 ]; then
    command -v sudo >/dev/null || { echo "bootstrap: need root or sudo to install: ${missing[*]}" >&2; exit 1; }
    sudo="sudo"
  fi
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
else
  step "all ${#packages[@]} Debian packages present"
fi

# Front-end packages from npm, from their lockfiles: the QA page's chart library (embedded at build
# time) and, with --tests, the browser-test driver. Nothing is downloaded at run time.
npm_folders=("$here/src/server/charts")
[ "$target" = all ] && npm_folders+=("$here/tests/e2e")
for folder in "${npm_folders[@]}"; do
  if [ ! -d "$folder/node_modules" ]; then
    if command -v npm >/dev/null; then
      step "npm ci in ${folder#$here/}"
      (cd "$folder" && npm ci --no-audit --no-fund) || echo "bootstrap: npm ci failed in $folder" >&2
    else
      echo "bootstrap: no npm: skipping ${folder#$here/} (the QA page has no charts; browser tests fail)" >&2
    fi
  fi
done

step "configuring in $build_dir"
# shellcheck disable=SC2086 # the options are meant to be split into words
cmake -S "$here" -B "$build_dir" -DCMAKE_BUILD_TYPE=RelWithDebInfo ${PICKVERIFY_CMAKE_ARGS:-} >"$build_dir.configure.log" 2>&1 || {
  cat "$build_dir.configure.log" >&2; exit 1; }
grep -A 20 '^-- pickverify ' "$build_dir.configure.log" || true

step "building $target with $jobs job(s) (the first build takes several minutes)"
cmake --build "$build_dir" --target "$target" -j "$jobs"
step "ready: $build_dir/src/app/pickverify"
