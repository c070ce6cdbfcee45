#!/usr/bin/env python3
"""Rewrites schema/moneykit.json in its house style: containers nested with two-space
indents, any object or array without a nested object written on one line."""
import json
import sys

PATH = sys.argv[1] if len(sys.argv) > 1 else "schema/moneykit.json"


def flat(v):
    if isinstance(v, dict):
        return all(not isinstance(x, (dict, list)) or (isinstance(x, list) and all(not isinstance(y, (dict, list)) for y in x)) or (isinstance(x, dict) and flat(x) and len(json.dumps(x)) < 200) for x in v.values())
    if isinstance(v, list):
        return all(not isinstance(x, (dict, list)) for x in v)
    return True


def one(v):
    return json.dumps(v, ensure_ascii=False, separators=(", ", ": "))


def fmt(v, ind=0):
    pad = "  " * (ind + 1)
    if flat(v):
        return one(v)
    if isinstance(v, dict):
        items = [f"{pad}{json.dumps(k, ensure_ascii=False)}: {fmt(x, ind + 1)}" for k, x in v.items()]
        return "{\n" + ",\n".join(items) + "\n" + "  " * ind + "}"
    items = [pad + fmt(x, ind + 1) for x in v]
    return "[\n" + ",\n".join(items) + "\n" + "  " * ind + "]"


doc = json.load(open(PATH, encoding="utf-8"))
open(PATH, "w", encoding="utf-8").write(fmt(doc) + "\n")
