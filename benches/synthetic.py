#!/usr/bin/env python3
"""Synthetic headers for the scaling benchmark: N times the interfaces of the bundled httpserv.h.

    benches/synthetic.py OUT_DIR [N...]      (default N: 1 10 100)

writes OUT_DIR/synthetic-<N>x.h. Every class of the bundled header appears N times: the whole
header with each class name suffixed `_S1` (so typedefs and templates that mention classes
stay valid), followed by N-1 copies of every class block (and forward declaration) suffixed
`_S2`...`_SN`, with their uuids made unique. Constants, enums, typedefs and structs appear once.

Every class is renamed, including those of the 1x header, so each copy costs the generator the
same (no class has a row in codegen/sdk/wrappers.tsv; each slot gets the raw wrapper and a
warning), and 10x is exactly ten times the classes of 1x.
"""

import re
import sys
from pathlib import Path

HEADER = Path(__file__).resolve().parent.parent / "codegen" / "sdk" / "httpserv.h"

CLASS_START = re.compile(r"^class\b[^;{]*?(\w+)\s*(?::[^;{]*)?(;|\{|$)", re.M)
UUID = re.compile(r'uuid\("([0-9a-fA-F-]{36})"\)')


def strip_comments(text):
    """The text with comments blanked (same length), for brace matching."""
    out = list(text)
    i, n = 0, len(text)
    while i < n:
        if text.startswith("//", i):
            j = text.find("\n", i)
            j = n if j < 0 else j
            out[i:j] = " " * (j - i)
            i = j
        elif text.startswith("/*", i):
            j = text.find("*/", i + 2)
            j = n if j < 0 else j + 2
            out[i:j] = [c if c == "\n" else " " for c in text[i:j]]
            i = j
        elif text[i] == '"':
            j = i + 1
            while j < n and text[j] != '"':
                j += 2 if text[j] == "\\" else 1
            i = j + 1
        else:
            i += 1
    return "".join(out)


def class_blocks(text):
    """(start, end, name) of every top-level class definition or forward declaration."""
    code = strip_comments(text)
    blocks = []
    for m in CLASS_START.finditer(code):
        start = m.start()
        brace = code.find("{", m.start())
        semi = code.find(";", m.start())
        if semi >= 0 and (brace < 0 or semi < brace):
            # Forward declaration.
            name = re.findall(r"\w+", code[start:semi])[-1]
            blocks.append((start, semi + 1, name))
            continue
        header = code[start:brace]
        name = re.findall(r"\w+", header.split(":")[0])[-1]
        depth, i = 0, brace
        while True:
            if code[i] == "{":
                depth += 1
            elif code[i] == "}":
                depth -= 1
                if depth == 0:
                    break
            i += 1
        end = code.find(";", i) + 1
        blocks.append((start, end, name))
    return blocks


def renamed(text, names, suffix):
    pattern = re.compile(r"\b(" + "|".join(sorted(names, key=len, reverse=True)) + r")\b")
    return pattern.sub(lambda m: m.group(1) + suffix, text)


def unique_uuids(text, copy):
    """Each uuid with its last group's first four digits replaced by the copy number."""
    return UUID.sub(lambda m: f'uuid("{m.group(1)[:24]}{copy:04x}{m.group(1)[28:]}")', text)


def synthetic(n, source=None):
    text = source if source is not None else HEADER.read_text()
    blocks = class_blocks(text)
    names = {name for _, _, name in blocks}
    base = renamed(text, names, "_S1")
    copies = []
    for k in range(2, n + 1):
        body = "\n\n".join(text[s:e] for s, e, _ in blocks)
        copies.append(f"// copy {k}\n" + unique_uuids(renamed(body, names, f"_S{k}"), k))
    if not copies:
        return base
    # Before the include guard's #endif (the last one).
    cut = base.rstrip().rfind("#endif")
    return base[:cut] + "\n\n".join(copies) + "\n\n" + base[cut:]


def main(argv):
    if len(argv) < 2:
        print(__doc__.strip(), file=sys.stderr)
        return 2
    out = Path(argv[1])
    out.mkdir(parents=True, exist_ok=True)
    for n in [int(a) for a in argv[2:]] or [1, 10, 100]:
        path = out / f"synthetic-{n}x.h"
        path.write_text(synthetic(n))
        print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
