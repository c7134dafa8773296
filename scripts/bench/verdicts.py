"""Verdict agreement between two punie-eval runs of the same suites.

  python3 scripts/bench/verdicts.py A_DIR B_DIR

A_DIR and B_DIR are `run --out` (or `bench --out`) folders. Per query (by
suite and id): whether the strict pass, the verdict kind and the completion
text are equal, and the generated tokens of each; prints the counts, the
tokens B generated against A, and every query whose strict pass or verdict
kind differs, with both completions' first characters. Used for the batch
sameness and early-decision figures in docs/batching.md.
"""
import json
import os
import sys


def load(d):
    r = json.load(open(os.path.join(d, "results.json")))
    texts = {}
    with open(os.path.join(d, "transcripts.jsonl")) as f:
        for line in f:
            t = json.loads(line)
            texts[(t["suite"], t["query_id"])] = t.get("completion") or ""
    out = {}
    for s in r["suites"]:
        for q in s["queries"]:
            key = (s["pack"]["id"], q["id"])
            out[key] = {
                "strict": q["strict"],
                "kind": (q.get("verdict") or {}).get("kind"),
                "tokens": q.get("generated_tokens") or 0,
                "text": texts.get(key, ""),
            }
    return out


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    a, b = load(sys.argv[1]), load(sys.argv[2])
    shared = [k for k in a if k in b]
    same_strict = sum(a[k]["strict"] == b[k]["strict"] for k in shared)
    same_kind = sum(a[k]["kind"] == b[k]["kind"] for k in shared)
    same_text = sum(a[k]["text"] == b[k]["text"] for k in shared)
    ta = sum(a[k]["tokens"] for k in shared)
    tb = sum(b[k]["tokens"] for k in shared)
    print(f"{len(shared)} queries in both ({len(a)} in A, {len(b)} in B)")
    print(f"strict pass equal: {same_strict}/{len(shared)}")
    print(f"verdict kind equal: {same_kind}/{len(shared)}")
    print(f"completion text equal: {same_text}/{len(shared)}")
    print(f"strict passes: A {sum(a[k]['strict'] for k in shared)}, B {sum(b[k]['strict'] for k in shared)}")
    print(f"generated tokens: A {ta}, B {tb} ({tb / ta:.2f} of A)" if ta else "no tokens")
    for k in shared:
        x, y = a[k], b[k]
        if x["strict"] != y["strict"] or x["kind"] != y["kind"]:
            print(f"- {k[0]}/{k[1]}: A {x['kind']} strict={x['strict']} ({x['tokens']} tokens) "
                  f"{x['text'][:80]!r}; B {y['kind']} strict={y['strict']} ({y['tokens']} tokens) "
                  f"{y['text'][:80]!r}")


if __name__ == "__main__":
    main()
