#!/usr/bin/env bash
# The .deb as a station PC gets it: cpack builds it from the program already built (nothing is
# rebuilt), it is unpacked into a fresh folder root, and the installed program runs from there with
# the source tree out of reach (a private mount namespace lays an empty folder over it): --version,
# the demo (it must read the installed calibration/ and demo photos), the udev rules from the
# installed devices/, and serve answering its pages.
#   package_test.sh BUILD_DIR SOURCE_DIR VERSION
set -euo pipefail
build=$(cd "$1" && pwd)
source_dir=$(cd "$2" && pwd)
version=$3
work=$(mktemp -d /tmp/pickverify-package-XXXXXX)
trap 'rm -rf "$work"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
expect_in() { # expect_in FILE TEXT
  grep -qF -- "$2" "$1" || { echo "--- $1:" >&2; cat "$1" >&2; fail "expected '$2' in $1"; }
}

started=$(date +%s)
cpack -G DEB --config "$build/CPackConfig.cmake" -B "$work/out" >"$work/cpack.log" 2>&1 ||
  { cat "$work/cpack.log" >&2; fail "cpack failed"; }
deb=$(ls "$work"/out/pickverify_*.deb 2>/dev/null | head -1)
[ -n "$deb" ] || { cat "$work/cpack.log" >&2; fail "cpack made no .deb"; }
echo "package: $(basename "$deb"), $(du -k "$deb" | cut -f1) KiB, made in $(($(date +%s) - started)) s"

# The control data: the runtime libraries' packages (from dpkg-shlibdeps), the maintainer scripts.
dpkg-deb --field "$deb" Package Version Architecture Depends >"$work/control"
expect_in "$work/control" "Package: pickverify"
expect_in "$work/control" "Version: $version"
for dependency in libc6 libstdc++6 libopencv-core libzxing libusb-1.0-0 libsqlite3-0 libsodium libpq5 libcairo2 adduser; do
  expect_in "$work/control" "$dependency"
done
dpkg-deb --ctrl-tarfile "$deb" | tar -t >"$work/control-files"
for script in postinst prerm postrm; do
  expect_in "$work/control-files" "./$script"
done

# Where Debian expects each file.
dpkg-deb --contents "$deb" | awk '{print $NF}' >"$work/contents"
for file in ./usr/bin/pickverify ./usr/share/pickverify/devices/honeywell.toml \
  ./usr/share/pickverify/devices/outputs/usb-relay.toml ./usr/share/pickverify/calibration/uncalibrated.yaml \
  ./usr/share/pickverify/demo/camera/ORD-2025-00145/packed.jpg ./lib/udev/rules.d/70-pickverify-scanners.rules \
  ./lib/systemd/system/pickverify.service ./usr/share/doc/pickverify/SERVICE.md; do
  grep -qxF -- "$file" "$work/contents" || fail "the package has no $file"
done

root=$work/root
mkdir -p "$root"
dpkg-deb -x "$deb" "$root"

# The unit runs the installed program as its own user on a read-only system.
unit=$root/lib/systemd/system/pickverify.service
for line in "User=pickverify" "NoNewPrivileges=yes" "ProtectSystem=strict" "ReadWritePaths=/var/lib/pickverify" \
  "Environment=PICKVERIFY_DATA_DIR=/var/lib/pickverify" "ExecStart=/usr/bin/pickverify"; do
  expect_in "$unit" "$line"
done
if command -v systemd-analyze >/dev/null; then
  # Parsed by systemd itself (only the unit's own problems count: the program is not at /usr/bin here).
  systemd-analyze verify "$unit" >"$work/verify" 2>&1 || true
  if grep -v "pickverify.*No such file\|Command .* is not executable\|ExecStart= path\|is not executable" \
    "$work/verify" | grep -q "pickverify.service"; then
    cat "$work/verify" >&2
    fail "systemd-analyze verify found a problem in the unit"
  fi
  systemd-analyze security --offline=true "$unit" 2>/dev/null | tail -1 || true
fi
for script in postinst prerm postrm; do
  dpkg-deb --ctrl-tarfile "$deb" | tar -xO "./$script" | sh -n || fail "$script is not valid sh"
done

# Run from the unpacked root with the source tree hidden.
cat >"$work/inside.sh" <<INSIDE
set -euo pipefail
unset PICKVERIFY_DEVICES_DIR PICKVERIFY_CALIBRATION_DIR PICKVERIFY_DEMO_DIR
export PICKVERIFY_DATA_DIR=$work/data HOME=$work/home
cd /
if [ -n "\${HIDE:-}" ]; then
  mount -t tmpfs -o ro,size=1m none "$source_dir"
  [ ! -e "$source_dir/devices" ] || { echo "the source tree is still visible" >&2; exit 1; }
fi
bin=$root/usr/bin/pickverify
"\$bin" --version >"$work/version"
"\$bin" demo >"$work/demo" 2>&1
"\$bin" devices udev-rules >"$work/rules"
: >"$work/serve" # there before the first read below: serve may not have opened it yet
"\$bin" serve --listen 127.0.0.1:0 >"$work/serve" 2>&1 &
serve=\$!
port=""
for _ in \$(seq 1 100); do
  port=\$(sed -n 's|.*station screen  http://127.0.0.1:\([0-9]*\)/.*|\1|p' "$work/serve")
  [ -n "\$port" ] && break
  sleep 0.1
done
[ -n "\$port" ] || { kill \$serve; echo "serve did not start" >&2; cat "$work/serve" >&2; exit 1; }
for path in /healthz /station/station-1 /assets/station.js; do
  exec 3<>"/dev/tcp/127.0.0.1/\$port"
  printf 'GET %s HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n' "\$path" >&3
  cat <&3 >"$work/http\${path//\//_}"
  exec 3<&-
done
kill -TERM \$serve
wait \$serve || true
INSIDE
hidden=yes
if ! unshare --mount --propagation private true 2>/dev/null; then
  hidden=no
fi
if [ "$hidden" = yes ]; then
  HIDE=1 unshare --mount --propagation private bash "$work/inside.sh" || fail "the installed program failed (above)"
else
  echo "note: no mount namespace here (unshare refused): the source tree stays visible; checking paths instead"
  bash "$work/inside.sh" || fail "the installed program failed (above)"
fi

expect_in "$work/version" "$version"
expect_in "$work/demo" "demo finished: every wrong or missing item was stopped"
expect_in "$work/demo" "calibration: using $root/usr/share/pickverify/calibration/demo.yaml"
expect_in "$work/demo" "camera: $root/usr/share/pickverify/demo/camera/ORD-2025-00145-missing-accessory"
cmp -s "$work/rules" "$root/lib/udev/rules.d/70-pickverify-scanners.rules" ||
  fail "the udev rules from the installed devices/ differ from the installed rules file"
expect_in "$work/http_healthz" "200 OK"
expect_in "$work/http_station_station-1" "<title>"
expect_in "$work/http_assets_station.js" "200 OK"
echo "ok (source tree hidden: $hidden), $(($(date +%s) - started)) s"
