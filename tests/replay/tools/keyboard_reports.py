#!/usr/bin/env python3
"""Writes the boot-keyboard input reports a keyboard-mode scanner sends for a text, one report per
line in hex (press, then release), for tests/replay/<device>/reports.txt.

    keyboard_reports.py --layout de --enter ']E09506000001418'

Characters are typed the way a scanner set to that keyboard layout types them: the usage of the key
that carries the character on that layout, with Shift (0x02) or AltGr (right Alt, 0x40). '<GS>' in the
text is sent as Ctrl+] on the US layout (how scanners send the GS1 separator in keyboard mode) and as
Alt+0,2,9 on the keypad otherwise. This table is written independently of src/scanners, from the
layouts' printed keyboards, so the test compares two sources.
"""
import argparse

SHIFT, ALTGR, CTRL, ALT = 0x02, 0x40, 0x01, 0x04

def letters(swap=None):
    table = {}
    for i, c in enumerate("abcdefghijklmnopqrstuvwxyz"):
        table[c] = (0, 0x04 + i)
        table[c.upper()] = (SHIFT, 0x04 + i)
    for a, b in (swap or {}).items():   # character -> key position of another letter
        table[a] = (0, 0x04 + "abcdefghijklmnopqrstuvwxyz".index(b))
        table[a.upper()] = (SHIFT, 0x04 + "abcdefghijklmnopqrstuvwxyz".index(b))
    return table

def us():
    t = letters()
    for i, c in enumerate("1234567890"):
        t[c] = (0, 0x1E + i)
    for i, c in enumerate("!@#$%^&*()"):
        t[c] = (SHIFT, 0x1E + i)
    t.update({" ": (0, 0x2C), "-": (0, 0x2D), "_": (SHIFT, 0x2D), "=": (0, 0x2E), "+": (SHIFT, 0x2E),
              "[": (0, 0x2F), "]": (0, 0x30), "/": (0, 0x38), ".": (0, 0x37), ",": (0, 0x36), ":": (SHIFT, 0x33)})
    return t

def de():
    t = letters({"z": "y", "y": "z"})
    for i, c in enumerate("1234567890"):
        t[c] = (0, 0x1E + i)
    for c, u in zip('!"', (0x1E, 0x1F)):
        t[c] = (SHIFT, u)
    t.update({"$": (SHIFT, 0x21), "%": (SHIFT, 0x22), "&": (SHIFT, 0x23), "/": (SHIFT, 0x24),
              "(": (SHIFT, 0x25), ")": (SHIFT, 0x26), "=": (SHIFT, 0x27), "[": (ALTGR, 0x25),
              "]": (ALTGR, 0x26), "{": (ALTGR, 0x24), "}": (ALTGR, 0x27), "@": (ALTGR, 0x14),
              " ": (0, 0x2C), "-": (0, 0x38), "_": (SHIFT, 0x38), "+": (0, 0x30), "*": (SHIFT, 0x30),
              ".": (0, 0x37), ",": (0, 0x36), ":": (SHIFT, 0x37), "ß": (0, 0x2D), "ö": (0, 0x33),
              "ä": (0, 0x34), "ü": (0, 0x2F), "Ö": (SHIFT, 0x33), "Ä": (SHIFT, 0x34), "Ü": (SHIFT, 0x2F)})
    return t

def fr():
    t = letters({"a": "q", "q": "a", "z": "w", "w": "z"})
    del t["m"], t["M"]
    t["m"], t["M"] = (0, 0x33), (SHIFT, 0x33)
    for i, c in enumerate("1234567890"):
        t[c] = (SHIFT, 0x1E + i)     # AZERTY: digits need Shift
    t.update({"&": (0, 0x1E), "é": (0, 0x1F), '"': (0, 0x20), "'": (0, 0x21), "(": (0, 0x22),
              "-": (0, 0x23), "è": (0, 0x24), "_": (0, 0x25), "ç": (0, 0x26), "à": (0, 0x27),
              ")": (0, 0x2D), "=": (0, 0x2E), "+": (SHIFT, 0x2E), "]": (ALTGR, 0x2D), "[": (ALTGR, 0x22),
              "@": (ALTGR, 0x27), "#": (ALTGR, 0x20), " ": (0, 0x2C), ",": (0, 0x10), ";": (0, 0x36),
              ":": (0, 0x37), ".": (SHIFT, 0x36), "/": (SHIFT, 0x37)})
    return t

LAYOUTS = {"us": us, "de": de, "fr": fr}

def report(mod, usage):
    return f"{mod:02x} 00 {usage:02x} 00 00 00 00 00"

RELEASE = "00 00 00 00 00 00 00 00"

def type_text(text, layout):
    table = LAYOUTS[layout]()
    out = []
    i = 0
    while i < len(text):
        if text.startswith("<GS>", i):
            if layout == "us":
                out += [report(CTRL, 0x30), RELEASE]
            else:
                for usage in (0x62, 0x62 - 10 + 2, 0x61):   # keypad 0, 2, 9
                    out += [report(ALT, usage), report(ALT, 0)]
                out.append(RELEASE)
            i += 4
            continue
        mod, usage = table[text[i]]
        out += [report(mod, usage), RELEASE]
        i += 1
    return out

def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--layout", choices=LAYOUTS, default="us")
    parser.add_argument("--enter", action="store_true", help="end with Enter")
    parser.add_argument("--tab", action="store_true", help="end with Tab")
    parser.add_argument("text")
    args = parser.parse_args()
    lines = type_text(args.text, args.layout)
    if args.enter:
        lines += [report(0, 0x28), RELEASE]
    if args.tab:
        lines += [report(0, 0x2B), RELEASE]
    print("\n".join(lines))

if __name__ == "__main__":
    main()
