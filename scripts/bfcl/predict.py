#!/usr/bin/env python3
"""Predicts punie-eval's verdicts on BFCL completions from a Python model of
the pack language as docs/query-packs.md states it (matchers, `calls =
"exactly"`, one-to-one matching, per-query tools with aliases, `integers =
"python"`, `optional_null`), and compares them with BFCL's checker.

    python predict.py PACKS_DIR completions.jsonl bfcl.jsonl

It checks the importer against BFCL before the Rust side exists, and later
the Rust scorer against the documented language (compare.py's table should
equal this one). A model, not the scorer: the call parser is only Qwen3's
`<tool_call>` JSON form, schema validation only types, `required` and
`additionalProperties: false`.
"""
import collections
import json
import re
import sys
from pathlib import Path

if len(sys.argv) != 4:
    sys.exit(__doc__)
packs_dir, comp_file, bfcl_file = map(Path, sys.argv[1:4])
queries = {}
for f in packs_dir.glob("bfcl-*.json"):
    for q in json.loads(f.read_text())["query"]:
        queries[q["id"]] = q
def norm(s): return re.sub(r"[ ,./\-_*^]", "", s).lower().replace("'", '"')
def jeq(a, b):
    if isinstance(a, bool) or isinstance(b, bool): return type(a) == type(b) and a == b
    if isinstance(a, (int, float)) and isinstance(b, (int, float)): return a == b
    if isinstance(a, list) and isinstance(b, list): return len(a) == len(b) and all(jeq(x, y) for x, y in zip(a, b))
    if isinstance(a, dict) and isinstance(b, dict): return a.keys() == b.keys() and all(jeq(a[k], b[k]) for k in a)
    return type(a) == type(b) and a == b
ABSENT = object()
def check(m, v):
    if not isinstance(m, dict): m = {"equals": m}
    if m.get("optional") and v is ABSENT: return True
    if "present" in m: return (v is not ABSENT) == m["present"]
    if v is ABSENT: return False
    if "equals" in m: return jeq(m["equals"], v)
    if "one_of" in m: return any(jeq(o, v) for o in m["one_of"])
    if "regex" in m:
        t = v if isinstance(v, str) else json.dumps(v)
        return re.search(m["regex"].replace("(?i)", ""), t, re.I) is not None
    if "normalized" in m: return isinstance(v, str) and norm(v) == norm(m["normalized"])
    if "any_of" in m: return any(check(mm, v) for mm in m["any_of"])
    if "each" in m: return isinstance(v, list) and len(v) == len(m["each"]) and all(check(a, b) for a, b in zip(m["each"], v))
    if "keys" in m:
        if not isinstance(v, dict): return False
        if any(k not in m["keys"] for k in v): return False
        return all(check(mm, v.get(k, ABSENT)) for k, mm in m["keys"].items())
    raise ValueError(m)
def tmatch(s, v):
    if "anyOf" in s: return any(tmatch(x, v) for x in s["anyOf"])
    t = s.get("type")
    if t is None: return True
    if isinstance(t, list): return any(tmatch({**s, "type": x}, v) for x in t)
    if t == "null": return v is None
    return {"string": lambda: isinstance(v, str), "integer": lambda: type(v) is int,
            "number": lambda: type(v) in (int, float), "boolean": lambda: type(v) is bool,
            "array": lambda: isinstance(v, list) and all(tmatch(s.get("items", {}), x) for x in v),
            "object": lambda: isinstance(v, dict) and all(tmatch(s.get("properties", {}).get(k, {}), x) for k, x in v.items())}[t]()
def valid(tool, args):
    if not isinstance(args, dict): return False
    for r in tool["required"]:
        if r not in args: return False
    for k, v in args.items():
        if k not in tool["properties"]: return False
        if v is None and k not in tool["required"]: continue  # optional_null
        also = tool.get("x-also-valid", {}).get(k)
        if not tmatch(tool["properties"][k], v) and not (also is not None and tmatch(also, v)): return False
    return True
def parse(text):
    calls = []
    for body in re.findall(r"<tool_call>\n(.*?)\n</tool_call>", text, re.S):
        try: c = json.loads(body)
        except Exception: return None  # malformed
        calls.append(c)
    if "<tool_call>" in text and not calls: return None
    return calls
def bipartite(exp, calls, ok):
    match = {}
    def aug(i, seen):
        for j in range(len(calls)):
            if j in seen or not ok(exp[i], calls[j]): continue
            seen.add(j)
            if j not in match or aug(match[j], seen):
                match[j] = i; return True
        return False
    return all(aug(i, set()) for i in range(len(exp)))
def score(q, text):
    calls = parse(text)
    if calls is None: return False  # malformed: fails every expectation
    tools = {t["x-tool-name"]: t for t in q["tools"]}
    for t in q["tools"]:
        for a in t.get("x-aliases", []): tools[a] = t
    e = q["expect"]
    if e == "direct": return not calls
    vcalls = [c for c in calls if c.get("name") in tools and valid(tools[c["name"]], c.get("arguments"))]
    if e == "any_tool": return len(vcalls) > 0
    if len(vcalls) != len(calls): return False
    if e.get("calls") == "exactly" and len(calls) != len(e["tool"]): return False
    def ok(ex, c):
        if tools[c["name"]]["x-tool-name"] != ex["name"]: return False
        a = c["arguments"]
        return all(check(m, a.get(k, ABSENT)) for k, m in ex.get("args", {}).items())
    return bipartite(e["tool"], calls, ok)
bfcl = {(r["id"], r["mutation"]): r for r in map(json.loads, open(bfcl_file))}
t = collections.defaultdict(collections.Counter); dis = []
for c in map(json.loads, open(comp_file)):
    q = queries.get(c["id"])
    if q is None: continue
    p = score(q, c["completion"]); b = bfcl[(c["id"], c["mutation"])]["pass"]
    k = (c["category"], c["mutation"]); t[k]["n"] += 1; t[k]["agree"] += p == b; t[k]["b"] += b; t[k]["p"] += p
    if p != b: dis.append((c["category"], c["mutation"], c["id"], b, p, bfcl[(c["id"], c["mutation"])]["error_type"], q.get("note", "")[:80]))
bym = collections.defaultdict(collections.Counter)
for (cat, mut), v in t.items(): bym[mut].update(v)
for mut, v in sorted(bym.items()): print(f"{mut:15} n={v['n']:4} bfcl={v['b']:4} punie={v['p']:4} agree={v['agree']:4}")
print(sum(v["n"] for v in bym.values()), "total,", len(dis), "disagree")
for d in dis: print(d)
