#!/usr/bin/env bash
# The evidence pack of a real packed order (the demo's ORD-2025-00145: a wrong size refused, an image
# check failed and cleared, then passed): written from the database, verified without it, and every
# kind of change to the pack found and named.
source "$(dirname "$0")/lib.sh"
"$pickverify" demo >"$work/demo" 2>&1 || { cat "$work/demo"; fail "demo"; }
data=$PICKVERIFY_DATA_DIR/demo
pack=$work/pack
"$pickverify" --data-dir "$data" evidence ORD-2025-00145 -o "$pack" >"$work/write" 2>&1 || { cat "$work/write"; fail "evidence"; }
expect_in "$work/write" "evidence pack for order ORD-2025-00145"
for f in summary.html summary.pdf journal.jsonl checkpoint.json manifest.json manifest.sig; do
  [ -s "$pack/$f" ] || fail "pack has no $f"
done
[ "$(ls "$pack/photos" | wc -l)" -ge 2 ] || fail "pack holds fewer than two photos (original and annotated)"
head -c 5 "$pack/summary.pdf" | grep -q '%PDF-' || fail "summary.pdf is not a PDF"
expect_in "$pack/summary.html" "wrong_variant"
expect_in "$pack/summary.html" "size: scanned 10, order needs 9"
expect_in "$pack/summary.html" "cleared by supervisor"
if command -v pdftotext >/dev/null; then
  pdftotext "$pack/summary.pdf" "$work/summary.txt"
  expect_in "$work/summary.txt" "order ORD-2025-00145"
  expect_in "$work/summary.txt" "wrong_variant"
fi
key=$data/keys/demo-bench.key.pub

# A pack as written holds, without the database.
mv "$data" "$work/data-away"
"$pickverify" evidence verify "$pack" --public-key "$work/data-away/keys/demo-bench.key.pub" >"$work/ok" 2>&1 ||
  { cat "$work/ok"; fail "a fresh pack does not verify"; }
expect_in "$work/ok" "holds"
expect_in "$work/ok" "(a trusted station key)"
key=$work/data-away/keys/demo-bench.key.pub

tampered() { # tampered NAME: a fresh copy of the pack to change
  rm -rf "$work/t"; cp -r "$pack" "$work/t"; echo "$work/t"
}
refused() { # refused TEXT: verify the copy, expect exit 3 and TEXT
  if "$pickverify" evidence verify "$work/t" --public-key "$key" >"$work/v" 2>&1; then cat "$work/v"; fail "a changed pack verified"; fi
  [ "$(grep -c PROBLEM "$work/v")" -ge 1 ] || { cat "$work/v"; fail "no problem named"; }
  expect_in "$work/v" "$1"
}
flip() { # flip FILE OFFSET: one byte changed
  python3 - "$1" "$2" <<'PY'
import sys
p, off = sys.argv[1], int(sys.argv[2])
b = bytearray(open(p, 'rb').read()); off = off % len(b); b[off] ^= 0x01; open(p, 'wb').write(bytes(b))
PY
}
photo=$(ls "$pack/photos" | head -1)

t=$(tampered); flip "$t/summary.pdf" 400;   refused "summary.pdf: changed"
t=$(tampered); flip "$t/summary.html" 300;  refused "summary.html: changed"
t=$(tampered); flip "$t/photos/$photo" 2000; refused "photos/$photo: changed"
t=$(tampered); flip "$t/photos/$photo" 2000; refused "the photo was changed"
t=$(tampered); rm "$t/photos/$photo";       refused "photos/$photo: missing"
t=$(tampered); flip "$t/manifest.json" 120; refused "manifest"
t=$(tampered); flip "$t/manifest.sig" 10;   refused "the signature does not verify"
t=$(tampered); echo extra >"$t/note.txt";   refused "note.txt: not part of the pack"
# A verdict changed in a journal row (wrong_variant → accepted), the row's own hash left: found at the row.
t=$(tampered)
python3 - "$t/journal.jsonl" <<'PY'
import sys
p = sys.argv[1]; lines = open(p).read().split('\n')
for i, l in enumerate(lines):
    if '"verdict":"wrong_variant"' in l and '"type":"scan"' in l:
        lines[i] = l.replace('"verdict":"wrong_variant"', '"verdict":"accepted"'); break
open(p, 'w').write('\n'.join(lines))
PY
refused "the row does not hash to its hash"
refused "journal.jsonl: changed"
# The same, every hash of the chain recomputed and the manifest's hashes updated: only the signatures can
# tell, and they do.
python3 - "$t" <<'PY'
import hashlib, json, struct, sys, os
t = sys.argv[1]
F = ["type","station","operator_id","order_id","session_id","raw","aim","source","gtin","ais","verdict","reason","evidence_hash","detail"]
rows = [json.loads(l) for l in open(f"{t}/journal.jsonl") if l.strip()]
prev = rows[0]["prev_hash"]
for r in rows:
    h = hashlib.sha256(prev.encode())
    vals = [str(r["seq"]).encode(), str(r["utc_ms"]).encode()] + [bytes.fromhex(r["raw_hex"]) if f == "raw" else r[f].encode() for f in F]
    for v in vals:
        h.update(struct.pack(">Q", len(v))); h.update(v)
    r["prev_hash"] = prev; r["hash"] = h.hexdigest(); prev = r["hash"]
open(f"{t}/journal.jsonl", "w").write("".join(json.dumps(r, separators=(",", ":"), ensure_ascii=False) + "\n" for r in rows))
m = json.load(open(f"{t}/manifest.json"))
for f in m["files"]:
    f["sha256"] = hashlib.sha256(open(os.path.join(t, f["path"]), "rb").read()).hexdigest()
open(f"{t}/manifest.json", "w").write(json.dumps(m, indent=2) + "\n")
PY
refused "the signature does not verify"
refused "is not the one the checkpoint signs"
# Signed by another key: the pack holds in itself, but is not the station's.
other=$work/other.key
"$pickverify" --data-dir "$work/other" --station X-9 run </dev/null >/dev/null 2>&1 || true   # its first run makes its key
if "$pickverify" evidence verify "$pack" --public-key "$work/other/keys/X-9.key.pub" >"$work/v" 2>&1; then fail "another key trusted"; fi
expect_in "$work/v" "not one of the trusted station keys"
# Without a key, it verifies in itself and says that the key was not checked.
"$pickverify" evidence verify "$pack" >"$work/v" 2>&1 || { cat "$work/v"; fail "verify without a key"; }
expect_in "$work/v" "not checked against a station key"
# A pack or an anchor is signed with the station's own key, never with one made up where the command
# runs: on a copy of the data folder without its keys both are refused and no key appears.
cp -r "$work/data-away" "$work/nokeys"; rm -rf "$work/nokeys/keys"
if "$pickverify" --data-dir "$work/nokeys" evidence ORD-2025-00145 -o "$work/pack2" >"$work/nk" 2>&1; then
  cat "$work/nk"; fail "a pack was signed without the station's key"
fi
expect_in "$work/nk" "station key $work/nokeys/keys/demo-bench.key does not exist"
if "$pickverify" --data-dir "$work/nokeys" audit anchor -o "$work/a.json" >"$work/na" 2>&1; then
  cat "$work/na"; fail "an anchor was signed without the station's key"
fi
expect_in "$work/na" "does not exist: an anchor is signed with the key of station station-1"
[ ! -e "$work/nokeys/keys" ] || fail "a refused command made a key: $(ls "$work/nokeys/keys")"
echo "ok"
