#!/usr/bin/env python3
"""Compares the C view's canonical dumps (tests/c/test_view.c writes DUMP_DIR/NAME.json)
with the corpus's NAME.expected.json, as JSON values (schema/README.md, "Canonical dump").

usage: compare_dumps.py CORPUS_DIR DUMP_DIR
"""
import json
import pathlib
import sys


def first_difference(a, b, path="body"):
    if type(a) is not type(b):
        return f"{path}: {a!r} != {b!r}"
    if isinstance(a, dict):
        for k in sorted(set(a) | set(b)):
            if k not in a or k not in b:
                return f"{path}.{k}: present on one side only"
            d = first_difference(a[k], b[k], f"{path}.{k}")
            if d:
                return d
    elif isinstance(a, list):
        if len(a) != len(b):
            return f"{path}: {len(a)} items != {len(b)}"
        for i, (x, y) in enumerate(zip(a, b)):
            d = first_difference(x, y, f"{path}[{i}]")
            if d:
                return d
    elif a != b:
        return f"{path}: {a!r} != {b!r}"
    return None


def main():
    corpus, dumps = map(pathlib.Path, sys.argv[1:3])
    expected = sorted(corpus.glob("*.expected.json"))
    bad = 0
    for exp in expected:
        name = exp.name[: -len(".expected.json")]
        got = dumps / f"{name}.json"
        if not got.exists():
            print(f"{name}: no dump from the C view", file=sys.stderr)
            bad += 1
            continue
        d = first_difference(json.loads(got.read_text("utf-8")), json.loads(exp.read_text("utf-8")))
        if d:
            print(f"{name}: {d}", file=sys.stderr)
            bad += 1
    print(f"compare_dumps: {len(expected) - bad}/{len(expected)} corpus dumps equal their expected value")
    sys.exit(1 if bad or not expected else 0)


if __name__ == "__main__":
    main()
