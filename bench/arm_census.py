#!/usr/bin/env python3
"""Census of ARM template functions used in ../shared/realworld/ and whether
tusk evaluates them.

Reads every .json file below the folder (comments and trailing commas
allowed, as ARM allows them), collects the function names called in
`[...]` expressions (string literals skipped), and compares them with the
list tusk evaluates (`EVALUATED` in crates/tusk-load/src/arm/funcs.rs, read
from the source so the two never drift apart).

Usage: python3 bench/arm_census.py [FOLDER]   (default ../shared/realworld)
"""
import collections
import os
import re
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
FUNCS_RS = os.path.join(ROOT, "crates/tusk-load/src/arm/funcs.rs")
# Functions whose value only Azure knows: tusk gives an unknown value on purpose.
AZURE_ONLY = {"newguid", "utcnow", "datetimeadd", "pickzones"}


def evaluated():
    src = open(FUNCS_RS, encoding="utf-8").read()
    body = src[src.index("pub const EVALUATED"):]
    body = body[: body.index("];")]
    return set(re.findall(r'"([a-z0-9]+)"', body))


def json_strings(text):
    """Every JSON string literal of a text (comments ignored)."""
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if c == '"':
            j, buf = i + 1, []
            while j < n and text[j] != '"':
                if text[j] == "\\":
                    buf.append(text[j : j + 2])
                    j += 2
                    continue
                buf.append(text[j])
                j += 1
            yield "".join(buf)
            i = j + 1
        elif text.startswith("//", i):
            i = text.find("\n", i) if text.find("\n", i) >= 0 else n
        elif text.startswith("/*", i):
            end = text.find("*/", i + 2)
            i = n if end < 0 else end + 2
        else:
            i += 1


def calls(expr):
    code = re.sub(r"'(?:[^']|'')*'", "''", expr)  # drop string literals
    return [m.group(1).lower() for m in re.finditer(r"([A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)?)\s*\(", code)]


def main():
    folder = sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, "..", "shared", "realworld")
    if not os.path.isdir(folder):
        print(f"skipped: {folder} not found")
        return 1 if os.environ.get("CI") == "true" else 0
    uses = collections.Counter()
    files = collections.defaultdict(set)
    for dirpath, _, names in os.walk(folder):
        for name in sorted(names):
            if not name.endswith(".json"):
                continue
            path = os.path.join(dirpath, name)
            text = open(path, encoding="utf-8", errors="replace").read()
            for s in json_strings(text):
                if s.startswith("[") and not s.startswith("[[") and s.rstrip().endswith("]"):
                    for f in calls(s[1:]):
                        uses[f] += 1
                        files[f].add(os.path.relpath(path, folder))
    ev = evaluated()
    print(f"{'function':28} {'uses':>6} {'files':>5}  tusk")
    missing = 0
    for f, k in sorted(uses.items(), key=lambda x: (-x[1], x[0])):
        if f in AZURE_ONLY or f.startswith("list"):
            status = "unknown value (known only to Azure, by design)"
        elif f in ev:
            status = "evaluated"
        elif "." in f:
            status = "evaluated (user-defined function)"
        else:
            status = "NOT EVALUATED (unknown value)"
            missing += 1
        print(f"{f:28} {k:>6} {len(files[f]):>5}  {status}")
    print(f"\n{len(uses)} functions, {sum(uses.values())} calls; {missing} not evaluated")
    return 0


if __name__ == "__main__":
    sys.exit(main())
