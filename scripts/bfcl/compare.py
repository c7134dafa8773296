#!/usr/bin/env python3
"""Agreement between BFCL's checker and punie-eval on the same completions.

    python compare.py --packs DIR --completions completions.jsonl \
        --bfcl bfcl.jsonl --punie target/release/punie-eval --work DIR \
        [--table table.md] [--known-differences FILE]

--packs: the packs `punie-eval import bfcl` wrote (whole categories, or a
sample holding every entry of the completions). For each mutation kind, the
packs are cut down to the entries that have that mutation and scored with
`punie-eval run --replay` (the query passes when `strict` is true). The
result: one row per (category, mutation) with how often each checker passed
and how often they agreed, every disagreement listed (id, both verdicts,
BFCL's error type, punie-eval's reason), and exit status 1 when any
disagreement is not a known, documented difference.

--known-differences: JSON {"category/mutation": "why", "*/mutation": "why"}
of documented differences (docs/bfcl.md); default: known_differences.json
beside this script.
"""

import argparse
import collections
import json
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent


def read_jsonl(path):
    return [json.loads(l) for l in Path(path).read_text().splitlines() if l.strip()]


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--packs", type=Path, required=True)
    ap.add_argument("--completions", type=Path, required=True)
    ap.add_argument("--bfcl", type=Path, required=True)
    ap.add_argument("--punie", default="punie-eval")
    ap.add_argument("--work", type=Path, required=True)
    ap.add_argument("--table", type=Path)
    ap.add_argument("--known-differences", type=Path, default=HERE / "known_differences.json")
    args = ap.parse_args()

    known = json.loads(args.known_differences.read_text()) if args.known_differences.exists() else {}
    completions = read_jsonl(args.completions)
    bfcl = {(r["id"], r["mutation"]): r for r in read_jsonl(args.bfcl)}
    packs = {}
    for f in sorted(args.packs.glob("bfcl-*.json")):
        p = json.loads(f.read_text())
        packs[p["pack"]["id"].removeprefix("bfcl-")] = p
    toolset = args.packs / "_import" / "toolset-none.json"

    by_mutation = collections.defaultdict(list)
    for c in completions:
        by_mutation[c["mutation"]].append(c)

    punie = {}
    missing = []
    for mutation, rows in sorted(by_mutation.items()):
        work = args.work / mutation
        work.mkdir(parents=True, exist_ok=True)
        (work / "_import").mkdir(exist_ok=True)
        (work / "_import" / "toolset-none.json").write_text(toolset.read_text())
        suites = []
        for cat in sorted({r["category"] for r in rows}):
            ids = {r["id"] for r in rows if r["category"] == cat}
            pack = packs.get(cat)
            if pack is None:
                sys.exit(f"compare.py: no pack for category {cat!r} in {args.packs}")
            have = {q["id"] for q in pack["query"]}
            missing += [(i, mutation) for i in ids - have]
            cut = dict(pack, query=[q for q in pack["query"] if q["id"] in ids])
            if not cut["query"]:
                continue
            path = work / f"bfcl-{cat}.json"
            path.write_text(json.dumps(cut, ensure_ascii=False, indent=1))
            suites.append(str(path))
        if not suites:
            continue
        replay = work / "replay.jsonl"
        replay.write_text("".join(json.dumps({"query_id": r["id"], "completion": r["completion"]},
                                             ensure_ascii=False) + "\n" for r in rows))
        cmd = [args.punie, "run", "--replay", str(replay), "--out", str(work / "out"), "--force"]
        for s in suites:
            cmd += ["--suite", s]
        run = subprocess.run(cmd, capture_output=True, text=True)
        if run.returncode not in (0, 1):
            sys.exit(f"compare.py: {' '.join(cmd)} exited {run.returncode}:\n{run.stderr[-4000:]}")
        results = json.loads((work / "out" / "results.json").read_text())
        for suite in results["suites"]:
            for q in suite["queries"]:
                punie[(q["id"], mutation)] = q

    table = collections.defaultdict(lambda: collections.Counter())
    disagreements = []
    for c in completions:
        key = (c["id"], c["mutation"])
        if key not in punie or key not in bfcl:
            continue
        b, p = bfcl[key]["pass"], punie[key]["strict"]
        t = table[(c["category"], c["mutation"])]
        t["n"] += 1
        t["bfcl_pass"] += b
        t["punie_pass"] += p
        t["agree"] += b == p
        if b != p:
            why = known.get(f"{c['category']}/{c['mutation']}") or known.get(f"*/{c['mutation']}")
            if isinstance(why, dict):
                # A difference in one direction only: {"why", "bfcl", "punie"}.
                why = why["why"] if (why["bfcl"], why["punie"]) == (b, p) else None
            disagreements.append({"id": c["id"], "category": c["category"], "mutation": c["mutation"],
                                  "bfcl": b, "punie": p, "bfcl_error": bfcl[key].get("error_type"),
                                  "punie_reason": punie[key].get("reason"), "known": why})

    lines = ["| category | mutation | n | BFCL passes | punie-eval passes | agree |", "|---|---|---:|---:|---:|---:|"]
    total = collections.Counter()
    for (cat, mut), t in sorted(table.items()):
        lines.append(f"| {cat} | {mut} | {t['n']} | {t['bfcl_pass']} | {t['punie_pass']} | {t['agree']} |")
        total.update(t)
    lines.append(f"| **all** | | {total['n']} | {total['bfcl_pass']} | {total['punie_pass']} | {total['agree']} |")
    text = "\n".join(lines) + "\n"
    print(text)
    if args.table:
        args.table.write_text(text)
    (args.work / "disagreements.jsonl").write_text("".join(json.dumps(d) + "\n" for d in disagreements))
    if missing:
        print(f"{len(missing)} completions have no query in {args.packs} (skipped entries or another sample), e.g. {missing[:3]}")
    unknown = [d for d in disagreements if not d["known"]]
    for d in unknown[:40]:
        print(f"DISAGREE {d['category']}/{d['mutation']} {d['id']}: BFCL {d['bfcl']} ({d['bfcl_error']}), "
              f"punie-eval {d['punie']} ({d['punie_reason']})")
    print(f"{len(disagreements)} disagreements, {len(unknown)} not documented; all in {args.work / 'disagreements.jsonl'}")
    sys.exit(1 if unknown else 0)


if __name__ == "__main__":
    main()
