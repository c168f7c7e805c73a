#!/usr/bin/env bash
# The gate through `pickverify run --controller virtual`: locked and red through a mismatch, amber
# while verifying, unlocked and green only once the pack is released; and the technician's commands.
source "$(dirname "$0")/lib.sh"
printf '4711\n4711\n' | "$pickverify" user add sup-7 --role supervisor >"$work/user" 2>&1 || { cat "$work/user"; fail "user add"; }
printf '%s\n' ORD-2025-00146 9506000001975 9506000001838 \
  "supervisor sup-7 clear 1 item_set_aside brush back on shelf" 4711 9506000001975 pack packed quit |
  "$pickverify" run --controller virtual >"$work/run" 2>&1
expect_in "$work/run" "controller: virtual (firmware model in-process)"
expect_in "$work/run" "[controller] gate LOCKED, light amber steady, buzzer silent"
expect_in "$work/run" "[controller] gate LOCKED, light red steady, buzzer error tone"
expect_in "$work/run" "[controller] gate UNLOCKED, light green steady, buzzer silent"
[ "$(grep -c 'gate UNLOCKED' "$work/run")" -eq 1 ] || fail "the gate must unlock exactly once"
grep -A1 'gate UNLOCKED' "$work/run" | grep -qF "PACK RELEASED" || fail "the gate unlocked before the release"
# After the box is packed the gate locks again for the next order.
sed -n '/gate UNLOCKED/,$p' "$work/run" >"$work/after"
expect_in "$work/after" "[controller] gate LOCKED, light off"

"$pickverify" controller status --kind virtual >"$work/status"
expect_in "$work/status" "virtual: protocol 1.0, firmware 1.0.0, serial VIRTUAL-0001"
expect_in "$work/status" "watchdog armed"
"$pickverify" controller set --kind virtual unlocked green chirp --hold-ms 0 >"$work/set"
expect_in "$work/set" "in force: gate UNLOCKED, light green steady"
if "$pickverify" controller set --kind virtual purple >"$work/bad" 2>&1; then fail "a bad output was accepted"; fi
expect_in "$work/bad" "'purple' is not an output"
# Check-weighing with the virtual scale: 2 socks × 60 g + 100 g box = 220 g ± 20 g.
printf '[policy]\nbounce_window_ms = 0\n[policy.weighing]\nrequired = true\npackaging_g = 100\ntolerance_g = 20\n' >"$work/weigh.toml"
printf '%s\n' ORD-2025-00146 9506000001975 9506000001975 pack "weigh 450" pack "weigh 225" pack packed quit |
  "$pickverify" --config "$work/weigh.toml" --data-dir "$work/weigh-data" run --controller virtual --scale virtual \
    >"$work/weigh" 2>&1
expect_in "$work/weigh" "the scale gave no weight (scale gave no reading within 3000 ms)"
expect_in "$work/weigh" "the box weighs 450 g, expected 220 g ± 20 g: 230 g too heavy — is something extra inside?"
expect_in "$work/weigh" "PACK RELEASED"
[ "$(grep -c 'gate UNLOCKED' "$work/weigh")" -eq 1 ] || fail "the gate must unlock once, after the right weight"
# A serial scale by its profile (devices/scales/mettler-toledo-sics.toml: MT-SICS at 9600 baud) on a
# pty whose other end answers SI as a Mettler Toledo terminal does: 220 g, the expected weight.
python3 - "$work/tty" <<'PY' &
import os, pty, sys, time, select
master, slave = pty.openpty()
open(sys.argv[1], "w").write(os.ttyname(slave))
end = time.time() + 30
buffer = b""
while time.time() < end:
    ready, _, _ = select.select([master], [], [], 0.2)
    if not ready:
        continue
    buffer += os.read(master, 256)
    while b"\r\n" in buffer:
        line, buffer = buffer.split(b"\r\n", 1)
        if line == b"SI":
            os.write(master, b"S S      0.220 kg\r\n")
PY
scale_pid=$!
for _ in $(seq 50); do [ -s "$work/tty" ] && break; sleep 0.1; done
[ -s "$work/tty" ] || fail "the emulated scale did not start"
printf '%s\n' ORD-2025-00146 9506000001975 9506000001975 pack packed quit |
  "$pickverify" --config "$work/weigh.toml" --data-dir "$work/sics-data" run --scale "mt-sics-9600:$(cat "$work/tty")" \
    >"$work/sics" 2>&1 || { cat "$work/sics"; fail "run with the MT-SICS scale profile"; }
kill "$scale_pid" 2>/dev/null || true
expect_in "$work/sics" "the box weighs 220 g, expected 220 g ± 20 g: within tolerance"
expect_in "$work/sics" "PACK RELEASED"
# A scale the profiles do not know, or one given the wrong way, is a clear error that names the choices.
if "$pickverify" run --scale nosuch </dev/null >"$work/nosuch" 2>&1; then fail "an unknown scale was accepted"; fi
expect_in "$work/nosuch" "scale 'nosuch' is not virtual, mt-sics:TTY[@BAUD], usb:VID:PID"
expect_in "$work/nosuch" "dymo-m25"
if "$pickverify" run --scale mt-sics-9600 </dev/null >"$work/noline" 2>&1; then fail "a serial scale without its line was accepted"; fi
expect_in "$work/noline" "mt-sics-9600 is a serial scale, give its line (mt-sics-9600:/dev/ttyUSB0)"
if "$pickverify" run --scale dymo-m25:/dev/ttyUSB0 </dev/null >"$work/usbline" 2>&1; then fail "a USB scale with a line was accepted"; fi
expect_in "$work/usbline" "dymo-m25 is a USB scale, give its name alone"
echo "ok"
