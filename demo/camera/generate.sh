#!/bin/sh
# Regenerates the virtual camera's pictures of order ORD-2025-00145 (see docs of the demo data):
#   ORD-2025-00145/                     the five expected units — passes the image check
#   ORD-2025-00145-wrong-size/          the size-10 box (9506000001487) instead of size 9 — fails
#   ORD-2025-00145-missing-accessory/   the insoles missing — fails
#   ORD-2025-00145-spray-two-labels/    as the first, the spray showing EAN-13 and DataMatrix — passes
# Needs zint, g++ and libopencv-dev. Deterministic: the same inputs give the same files.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

g++ -std=c++17 -O2 -o "$work/compose_demo" "$here/compose_demo.cpp" $(pkg-config --cflags --libs opencv4)

ean() { zint -b EANX --notext -d "$1" -o "$work/$1.png" >/dev/null; }
ean 9506000001418   # Trail runner, size 9, width D
ean 9506000001487   # Trail runner, size 10, width D (the wrong box of the incident)
ean 9506000001692   # Cushion insoles, M
ean 9506000001760   # Laces, black, 120 cm
ean 9506000001838   # Shoe brush
ean 9506000001906   # Water-repellent spray 200 ml (its label carries the DataMatrix too)
# The DataMatrix at twice the scale: a 2D symbol this small needs more pixels per module than bars.
zint -b DATAMATRIX --gs1 --square --scale=2 -d "[01]09506000001906[10]LOT42" -o "$work/spray.png" >/dev/null

shoe9="$work/9506000001418.png"
shoe10="$work/9506000001487.png"
insoles="$work/9506000001692.png"
laces="$work/9506000001760.png"
brush="$work/9506000001838.png"
spray="$work/spray.png"
spray_both="$work/9506000001906.png+$work/spray.png"

mkdir -p "$here/ORD-2025-00145" "$here/ORD-2025-00145-wrong-size" "$here/ORD-2025-00145-missing-accessory" \
  "$here/ORD-2025-00145-spray-two-labels"
"$work/compose_demo" "$here/ORD-2025-00145/packed.jpg" 145 \
  "$shoe9" "TR-RUN-09-D  Trail runner 9 D" "$insoles" "ACC-INSOLE-M  Cushion insoles M" \
  "$laces" "ACC-LACES-BLK  Laces black" "$brush" "CARE-BRUSH  Shoe brush" "$spray" "CARE-SPRAY  Spray 200 ml"
"$work/compose_demo" "$here/ORD-2025-00145-wrong-size/packed.jpg" 146 \
  "$shoe10" "TR-RUN-10-D  Trail runner 10 D" "$insoles" "ACC-INSOLE-M  Cushion insoles M" \
  "$laces" "ACC-LACES-BLK  Laces black" "$brush" "CARE-BRUSH  Shoe brush" "$spray" "CARE-SPRAY  Spray 200 ml"
"$work/compose_demo" "$here/ORD-2025-00145-missing-accessory/packed.jpg" 147 \
  "$shoe9" "TR-RUN-09-D  Trail runner 9 D" "$laces" "ACC-LACES-BLK  Laces black" \
  "$brush" "CARE-BRUSH  Shoe brush" "$spray" "CARE-SPRAY  Spray 200 ml"
# The spray as it really comes: an EAN-13 and the GS1 DataMatrix on one label — still one unit.
"$work/compose_demo" "$here/ORD-2025-00145-spray-two-labels/packed.jpg" 148 \
  "$shoe9" "TR-RUN-09-D  Trail runner 9 D" "$insoles" "ACC-INSOLE-M  Cushion insoles M" \
  "$laces" "ACC-LACES-BLK  Laces black" "$brush" "CARE-BRUSH  Shoe brush" "$spray_both" "CARE-SPRAY  Spray 200 ml"
echo "wrote $here/ORD-2025-00145*/packed.jpg"
