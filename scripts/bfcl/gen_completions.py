#!/usr/bin/env python3
"""Writes correct and deliberately wrong completions for a sample of BFCL
entries, in Qwen3's `<tool_call>` JSON form, to score with BFCL's checker
(bfcl_check.py) and with punie-eval (`run --replay`, compare.py).

    python gen_completions.py --data DIR --out completions.jsonl \
        [--categories simple_python,multiple,...] [--sample 40 --seed 1]

--data is BFCL's data folder (bfcl_eval/data of the wheel or the venv).
Output: JSON Lines {"id", "category", "mutation", "completion"}; one line per
(entry, mutation) that applies to the entry. Standard library only.

Mutations of a correct answer (each where it applies):
  correct         every ground-truth call, first acceptable value of each argument
  wrong_value     one argument changed to a value no answer lists
  missing_arg     one argument the answer requires left out
  extra_call      the correct calls plus a copy of the first
  swapped_order   the calls in reverse order (several calls)
  one_call        only the first call (several calls)
  wrong_type      an integer argument written as a float (3 -> 3.0)
  int_for_float   a float argument written as an integer (2.0 -> 2)
  drop_optional   an argument the answer marks optional ("") left out
  case_space      a string argument upper-cased with its spaces doubled
  broken_json     the first call's JSON cut short
irrelevance: correct (a direct answer), call (a call to the first function),
  broken_json (a <tool_call> whose JSON does not parse).
live_relevance: correct (a call to the first function), direct, broken_json.
"""

import argparse
import copy
import json
import random
import re
import sys
from pathlib import Path

DEFAULT_CATEGORIES = [
    "simple_python", "multiple", "parallel", "parallel_multiple", "irrelevance",
    "live_simple", "live_multiple", "live_parallel", "live_parallel_multiple",
    "live_irrelevance", "live_relevance",
]

DIRECT = "I can't do that with the functions I have; here is what I know instead."


def tool_call(name, args):
    return "<tool_call>\n" + json.dumps({"name": name, "arguments": args}, ensure_ascii=False) + "\n</tool_call>"


def completion(calls):
    return "\n".join(tool_call(n, a) for n, a in calls)


def first_value(values):
    """The first acceptable value ("" = may be absent), nested dicts resolved."""
    for v in values:
        if v == "":
            continue
        return resolve(v)
    return None


def resolve(v):
    if isinstance(v, dict):  # a dict answer: {key: [values]}
        out = {}
        for k, vals in v.items():
            if isinstance(vals, list):
                fv = first_value(vals)
                if fv is not None or None in vals:
                    out[k] = fv
            else:
                out[k] = vals
        return out
    if isinstance(v, list):
        return [resolve(x) if isinstance(x, dict) else x for x in v]
    return v


def correct_calls(gt):
    calls = []
    for call in gt:
        (name, args), = call.items()
        a = {}
        for p, vals in args.items():
            if all(v == "" for v in vals):
                continue  # must be absent
            a[p] = first_value(vals)
        calls.append((name, a))
    return calls


def dummy(prop):
    t = prop.get("type", "string")
    if "enum" in prop and prop["enum"]:
        return prop["enum"][0]
    return {"string": "x", "integer": 1, "float": 1.5, "boolean": True, "array": [], "tuple": [],
            "dict": {}, "any": "x"}.get(t, "x")


def required_call(fn):
    props = fn["parameters"].get("properties", {})
    return fn["name"], {p: dummy(props[p]) for p in fn["parameters"].get("required", [])}


def params_of(entry, name):
    for f in entry["function"]:
        if f["name"] == name:
            return f["parameters"].get("properties", {}), f["parameters"].get("required", [])
    return {}, []


def wrong(v):
    if isinstance(v, bool):
        return not v
    if isinstance(v, int):
        return v + 7919
    if isinstance(v, float):
        return v + 7919.5
    if isinstance(v, str):
        return v + " zzqx"
    if isinstance(v, list):
        return v + (["zzqx"] if (v and isinstance(v[0], str)) or not v else [v[0]])
    return None


def mutations(entry, answer, category, rng):
    out = []
    if "irrelevance" in category:
        out.append(("correct", DIRECT))
        if not entry["function"]:
            # A few live_irrelevance entries offer no function at all.
            return out
        fn = entry["function"][0]
        out.append(("call", completion([required_call(fn)])))
        out.append(("broken_json", '<tool_call>\n{"name": "%s", "arguments": {\n</tool_call>' % fn["name"]))
        return out
    if "relevance" in category:
        out.append(("correct", completion([required_call(entry["function"][0])])))
        out.append(("direct", DIRECT))
        out.append(("broken_json", '<tool_call>\n{"name": "%s", "arguments": {\n</tool_call>' % entry["function"][0]["name"]))
        return out
    gt = answer["ground_truth"]
    calls = correct_calls(gt)
    out.append(("correct", completion(calls)))
    answers = [list(c.values())[0] for c in gt]

    def pick(pred):
        """(call index, argument) pairs meeting pred(call index, name, values, prop, required)."""
        found = []
        for i, (name, args) in enumerate(calls):
            props, req = params_of(entry, name)
            for p, vals in answers[i].items():
                if pred(i, p, vals, props.get(p, {}), p in req, args):
                    found.append((i, p))
        return rng.choice(found) if found else None

    def changed(i, p, value=None, drop=False):
        c = copy.deepcopy(calls)
        if drop:
            del c[i][1][p]
        else:
            c[i][1][p] = value
        return completion(c)

    hit = pick(lambda i, p, vals, prop, req, args: p in args and wrong(args[p]) is not None
               and not isinstance(args[p], dict) and wrong(args[p]) not in vals)
    if hit:
        i, p = hit
        out.append(("wrong_value", changed(i, p, wrong(calls[i][1][p]))))
    hit = pick(lambda i, p, vals, prop, req, args: p in args and "" not in vals)
    if hit:
        out.append(("missing_arg", changed(*hit, drop=True)))
    out.append(("extra_call", completion(calls + [calls[0]])))
    if len(calls) > 1:
        out.append(("swapped_order", completion(list(reversed(calls)))))
        out.append(("one_call", completion(calls[:1])))
    hit = pick(lambda i, p, vals, prop, req, args: prop.get("type") == "integer" and type(args.get(p)) is int)
    if hit:
        i, p = hit
        out.append(("wrong_type", changed(i, p, float(calls[i][1][p]))))
    hit = pick(lambda i, p, vals, prop, req, args: prop.get("type") == "float" and type(args.get(p)) is float
               and float(args[p]).is_integer())
    if hit:
        i, p = hit
        out.append(("int_for_float", changed(i, p, int(calls[i][1][p]))))
    hit = pick(lambda i, p, vals, prop, req, args: p in args and "" in vals and not req)
    if hit:
        out.append(("drop_optional", changed(*hit, drop=True)))
    hit = pick(lambda i, p, vals, prop, req, args: prop.get("type") == "string" and isinstance(args.get(p), str)
               and " " in args[p])
    if hit:
        i, p = hit
        out.append(("case_space", changed(i, p, calls[i][1][p].upper().replace(" ", "  "))))
    text = completion(calls)
    cut = text.index("\n</tool_call>")
    out.append(("broken_json", text[: cut - 1] + text[cut:]))
    return out


def category_files(data, cat):
    """BFCL_v<N>_<cat>.json exactly (not live_<cat> or <cat>_multiple)."""
    return sorted(f for f in data.glob("BFCL_v*.json") if re.fullmatch(rf"BFCL_v\d+_{re.escape(cat)}\.json", f.name))


def read_jsonl(path):
    return [json.loads(l) for l in path.read_text().splitlines() if l.strip()]


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", type=Path, required=True, help="BFCL's data folder (bfcl_eval/data)")
    ap.add_argument("--out", type=Path, required=True)
    ap.add_argument("--categories", default=",".join(DEFAULT_CATEGORIES))
    ap.add_argument("--sample", type=int, default=40, help="entries per category (0: all)")
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()
    n = 0
    with args.out.open("w") as out:
        for cat in args.categories.split(","):
            files = category_files(args.data, cat)
            if len(files) != 1:
                sys.exit(f"gen_completions.py: {args.data} has {len(files)} files for category {cat!r}")
            entries = read_jsonl(files[0])
            pa = files[0].parent / "possible_answer" / files[0].name
            answers = {a["id"]: a for a in read_jsonl(pa)} if pa.exists() else {}
            rng = random.Random(f"{args.seed}:{cat}")
            chosen = entries if args.sample <= 0 or args.sample >= len(entries) else \
                sorted(rng.sample(entries, args.sample), key=entries.index)
            for e in chosen:
                for mutation, text in mutations(e, answers.get(e["id"]), cat, rng):
                    out.write(json.dumps({"id": e["id"], "category": cat, "mutation": mutation,
                                          "completion": text}, ensure_ascii=False) + "\n")
                    n += 1
    print(f"wrote {n} completions to {args.out}", file=sys.stderr)


if __name__ == "__main__":
    main()
