#!/usr/bin/env python3
"""Writes HID POS scanned-data input reports for a text, one report per line in hex, split into
56-byte parts with the "continued" flag set on all but the last.

    hidpos_reports.py --layout honeywell --aim ']C1' '0109506000001906<GS>10LOT42'

honeywell: id 2, byte count, AIM (3), data (56), Honeywell code id (2), flags (bit 0 = continued).
zebra:     id 2, AIM (3), data (56, NUL padded, no byte count), flags (bit 0 = continued).
These follow the report descriptors in the device folders; the decoder finds the fields from the
descriptor, not from these layouts.
"""
import argparse

def reports(data: bytes, aim: bytes, layout: str):
    parts = [data[i:i + 56] for i in range(0, len(data), 56)] or [b""]
    out = []
    for n, part in enumerate(parts):
        continued = 1 if n < len(parts) - 1 else 0
        padded = part + bytes(56 - len(part))
        if layout == "honeywell":
            body = bytes([2, len(part)]) + aim + padded + b"j\x00" + bytes([continued])
        else:
            body = bytes([2]) + aim + padded + bytes([continued])
        out.append(" ".join(f"{b:02x}" for b in body))
    return out

def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--layout", choices=["honeywell", "zebra"], default="honeywell")
    parser.add_argument("--aim", default="]C1")
    parser.add_argument("text")
    args = parser.parse_args()
    data = args.text.replace("<GS>", "\x1d").encode("latin-1")
    print("\n".join(reports(data, args.aim.encode(), args.layout)))

if __name__ == "__main__":
    main()
