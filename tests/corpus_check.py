#!/usr/bin/env python3
"""Check that an expected JSON document is a subset of an actual one.

    corpus_check.py EXPECTED.json ACTUAL.json CORPUS_DIR

EXPECTED is a hand-written expectation (tests/data/corpus-expect/<dir>.json),
ACTUAL the output of `berth compose ... config --format json` ("-" reads it
from stdin), CORPUS_DIR the absolute directory that holds the corpus project
directories (.../shared/corpus/awesome-compose).

Before comparing, every string in EXPECTED has "${CORPUS}" replaced by
CORPUS_DIR and "${HOME}" by $HOME (compose expands "~" in bind sources).

Rules (standard library only, no third-party modules):
  - maps: every expected key must be present in actual with a matching value;
    extra actual keys are allowed.  The reserved key "__absent__" holds a list
    of keys that must NOT be present in the actual map.
  - lists: same length, and element i of expected matches element i of actual.
  - scalars: same JSON type and equal value (1 != "1", true != 1, null only
    matches null).

Every mismatch is printed as "PATH: expected X, actual Y"; exit status 1 if
there is any, 2 on usage or parse errors, 0 when expected is a subset.
"""

import json
import os
import sys

ABSENT = "__absent__"


def substitute(node, subst):
    if isinstance(node, str):
        for key, value in subst.items():
            node = node.replace(key, value)
        return node
    if isinstance(node, list):
        return [substitute(x, subst) for x in node]
    if isinstance(node, dict):
        return {k: substitute(v, subst) for k, v in node.items()}
    return node


# Python type -> JSON type name; bool is a subclass of int in Python: it comes first.
JTYPES = ((type(None), "null"), (bool, "boolean"), (int, "integer"), (float, "number"),
          (str, "string"), (list, "array"), (dict, "object"))


def jtype(v):
    for t, name in JTYPES:
        if isinstance(v, t):
            return name
    return type(v).__name__


def show(v):
    return json.dumps(v, sort_keys=True)


def key_path(path, key):
    simple = key.replace("_", "").replace("-", "").isalnum()
    return f"{path}.{key}" if simple and path else (key if simple else f"{path}[{json.dumps(key)}]")


def compare(exp, act, path, errors):
    te, ta = jtype(exp), jtype(act)
    if te != ta:
        errors.append(f"{path or '.'}: expected {te} {show(exp)}, actual {ta} {show(act)}")
        return
    if te == "object":
        absent = exp.get(ABSENT, [])
        if not isinstance(absent, list):
            raise ValueError(f"{path}: {ABSENT} must be a list of keys")
        for k in absent:
            if k in act:
                errors.append(f"{key_path(path, k)}: expected absent, actual {show(act[k])}")
        for k, v in exp.items():
            if k == ABSENT:
                continue
            if k not in act:
                errors.append(f"{key_path(path, k)}: expected {show(v)}, actual missing")
                continue
            compare(v, act[k], key_path(path, k), errors)
    elif te == "array":
        if len(exp) != len(act):
            errors.append(
                f"{path}: expected {len(exp)} elements {show(exp)}, "
                f"actual {len(act)} elements {show(act)}"
            )
            return
        for i, (e, a) in enumerate(zip(exp, act)):
            compare(e, a, f"{path}[{i}]", errors)
    elif exp != act:
        errors.append(f"{path or '.'}: expected {show(exp)}, actual {show(act)}")


def load(path):
    if path == "-":
        return json.load(sys.stdin)
    with open(path, encoding="utf-8") as f:
        return json.load(f)


def main(argv):
    if len(argv) != 4:
        print(__doc__.strip().splitlines()[2].strip(), file=sys.stderr)
        return 2
    exp_path, act_path, corpus = argv[1:4]
    if not os.path.isabs(corpus):
        print(f"corpus_check: CORPUS_DIR must be absolute: {corpus}", file=sys.stderr)
        return 2
    try:
        expected = load(exp_path)
    except (OSError, ValueError) as e:
        print(f"corpus_check: cannot read expectation {exp_path}: {e}", file=sys.stderr)
        return 2
    try:
        actual = load(act_path)
    except (OSError, ValueError) as e:
        print(f"corpus_check: actual output is not valid JSON ({act_path}): {e}", file=sys.stderr)
        return 1
    subst = {"${CORPUS}": corpus.rstrip("/") or "/"}
    if "HOME" in os.environ:
        subst["${HOME}"] = os.environ["HOME"].rstrip("/") or "/"
    expected = substitute(expected, subst)
    errors = []
    try:
        compare(expected, actual, "", errors)
    except ValueError as e:
        print(f"corpus_check: bad expectation {exp_path}: {e}", file=sys.stderr)
        return 2
    for e in errors:
        print(e)
    if errors:
        print(f"corpus_check: {len(errors)} mismatch(es) against {exp_path}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
