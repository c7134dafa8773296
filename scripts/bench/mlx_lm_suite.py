"""The mlx-lm sides of scripts/bench/suite-side-by-side.sh, its pack subsets
and its table (issue 16: batched generation against Punie's loop and mlx-lm's
`batch_generate`, over whole query suites).

  mlx_lm_suite.py loop --model DIR --prompts P.jsonl --out T.jsonl --stats S.json
      Punie's loop on mlx-lm: the model loaded once, then one
      `stream_generate` per query with the full prompt ids (no cache kept
      between queries), greedy, the query's own max_tokens, stopping at its
      stop_ids.
  mlx_lm_suite.py batch --batch B --model DIR --prompts P.jsonl --out T.jsonl --stats S.json
      mlx-lm's own `batch_generate` over all prompts at once, with
      completion_batch_size = prefill_batch_size = B; greedy, the same
      max_tokens and stop ids.
  mlx_lm_suite.py subset --limit N --out DIR PACK...
      Writes each pack's first N queries as a JSON pack in DIR (same pack id,
      toolset file made absolute) and prints the new paths, one a line.
  mlx_lm_suite.py table --out DIR [--baseline loop] [--reference punie-b1] SIDE...
      The Markdown table of every side (see suite-side-by-side.sh for the
      folder layout).

P.jsonl holds `punie-eval run --render-only` lines: {"suite", "query_id",
"repeat", "prompt", "prompt_ids", "max_tokens", "temperature", "stop_ids",
"stop"}. T.jsonl is a `punie-eval run --replay` file: the completion decoded
with special tokens visible and the stop id dropped, cut at the first stop
string, as punie-eval writes its own. S.json: {"side", "batch", "load_s",
"wall_s", "queries", "generated_tokens", "prompt_tokens", "aggregate_tps",
"latency_s", "peak_memory_bytes", …}. Generated tokens count every decode
step, the stop id included (as punie-eval and mlx-lm's BatchStats count them).
mlx is imported only by `loop` and `batch`, so `--help`, `subset` and
`table` run on any Python 3.11+.
"""
import argparse
import json
import os
import statistics
import sys
import time


def read_prompts(path):
    out = []
    for n, line in enumerate(open(path, encoding="utf-8"), 1):
        line = line.strip()
        if not line:
            continue
        p = json.loads(line)
        for key in ("suite", "query_id", "prompt_ids", "max_tokens", "stop_ids"):
            if key not in p:
                sys.exit(f"{path}:{n}: no {key!r} (expected `punie-eval run --render-only` lines)")
        out.append(p)
    if not out:
        sys.exit(f"{path}: no prompts")
    if any(float(p.get("temperature", 0.0)) > 0 for p in out):
        print("mlx_lm_suite: some queries ask for sampling; the mlx-lm sides decode greedily, "
              "so their verdicts are not comparable with punie-eval's", file=sys.stderr)
    return out


def cut_at_stop(text, stops):
    """The text up to the earliest stop string, as punie-eval cuts it."""
    cut = len(text)
    for s in stops or []:
        if s:
            i = text.find(s)
            if i >= 0:
                cut = min(cut, i)
    return text[:cut]


def decode(tokenizer, ids):
    # punie-eval decodes with the Rust tokenizers crate: special tokens kept,
    # no clean-up of spaces around punctuation.
    return tokenizer.decode(ids, skip_special_tokens=False, clean_up_tokenization_spaces=False)


def load_model(path):
    import mlx.core as mx
    from mlx_lm import load

    start = time.perf_counter()
    model, tokenizer = load(path)
    mx.eval(model.parameters())
    return model, tokenizer, time.perf_counter() - start


def transcript(p, text, generated, timings, finish_reason):
    return {
        "suite": p["suite"],
        "query_id": p["query_id"],
        "repeat": p.get("repeat", 0),
        "completion": cut_at_stop(text, p.get("stop")),
        "prompt_tokens": len(p["prompt_ids"]),
        "generated_tokens": generated,
        "timings": timings,
        "finish_reason": finish_reason,
    }


def write_outputs(args, side, batch, load_s, wall_s, prompts, lines, latency, extra):
    import mlx.core as mx

    with open(args.out, "w", encoding="utf-8") as f:
        for line in lines:
            f.write(json.dumps(line, ensure_ascii=False) + "\n")
    generated = sum(line["generated_tokens"] for line in lines)
    stats = {
        "side": side,
        "batch": batch,
        "model": os.path.abspath(args.model),
        "load_s": load_s,
        "wall_s": wall_s,
        "queries": len(prompts),
        "generated_tokens": generated,
        "prompt_tokens": sum(len(p["prompt_ids"]) for p in prompts),
        "aggregate_tps": generated / wall_s if wall_s > 0 else 0.0,
        "latency_s": latency,
        "peak_memory_bytes": mx.get_peak_memory(),
        "mlx_backend": "gpu" if mx.default_device() == mx.gpu else "cpu",
        **extra,
    }
    with open(args.stats, "w", encoding="utf-8") as f:
        json.dump(stats, f, indent=2)
        f.write("\n")
    print(f"{side}: {len(prompts)} queries, {generated} tokens in {wall_s:.2f} s "
          f"({stats['aggregate_tps']:.1f} tok/s), load {load_s:.2f} s", file=sys.stderr)


def loop(args):
    from mlx_lm import stream_generate

    prompts = read_prompts(args.prompts)
    model, tokenizer, load_s = load_model(args.model)
    lines, latency, ttfts = [], [], []
    start = time.perf_counter()
    for p in prompts:
        tokenizer.eos_token_ids = set(p["stop_ids"])
        tokens, last, ttft = [], None, None
        t0 = time.perf_counter()
        for r in stream_generate(model, tokenizer, p["prompt_ids"], max_tokens=p["max_tokens"]):
            if ttft is None:
                ttft = time.perf_counter() - t0
            tokens.append(r.token)
            last = r
        total = time.perf_counter() - t0
        # stream_generate's last response carries the stop id when it stopped on one.
        if last.finish_reason == "stop":
            tokens.pop()
        latency.append(total)
        ttfts.append(ttft)
        lines.append(transcript(
            p, decode(tokenizer, tokens), last.generation_tokens,
            {"total_s": total, "prompt_s": ttft, "generation_s": total - ttft, "first_token_s": ttft},
            last.finish_reason))
    wall_s = time.perf_counter() - start
    write_outputs(args, "mlx-lm loop", 1, load_s, wall_s, prompts, lines, latency,
                  {"first_token_s": ttfts, "latency_from": "the stream_generate call"})


def batch(args):
    import importlib
    from dataclasses import asdict

    # The module, not the `generate` function mlx_lm's __init__ exports by that name.
    G = importlib.import_module("mlx_lm.generate")

    prompts = read_prompts(args.prompts)
    stops = {frozenset(p["stop_ids"]) for p in prompts}
    if len(stops) != 1:
        sys.exit("mlx_lm_suite batch: the queries stop on different ids; batch_generate takes "
                 "one set (the tokenizer's eos_token_ids) for the whole call")
    model, tokenizer, load_s = load_model(args.model)
    tokenizer.eos_token_ids = set(next(iter(stops)))

    # batch_generate itself, untouched; the generator it builds is watched
    # from outside to time each sequence: admitted (the start of the step
    # whose prefill first takes it), first token, finish, and why it ended.
    admitted, first, finished, reason = {}, {}, {}, {}

    class WatchedBatchGenerator(G.BatchGenerator):
        def _next(self):
            t = time.perf_counter()
            prompt_responses, generation_responses = super()._next()
            now = time.perf_counter()
            for r in prompt_responses:
                admitted.setdefault(r.uid, t)
            for r in generation_responses:
                admitted.setdefault(r.uid, t)
                first.setdefault(r.uid, now)
                if r.finish_reason is not None:
                    finished[r.uid] = now
                    reason[r.uid] = r.finish_reason
            return prompt_responses, generation_responses

    original = G.BatchGenerator
    G.BatchGenerator = WatchedBatchGenerator
    try:
        start = time.perf_counter()
        resp = G.batch_generate(
            model, tokenizer, [p["prompt_ids"] for p in prompts],
            max_tokens=[p["max_tokens"] for p in prompts],
            return_token_ids=True,
            completion_batch_size=args.batch,
            prefill_batch_size=args.batch,
        )
        wall_s = time.perf_counter() - start
    finally:
        G.BatchGenerator = original

    lines, latency, ttfts, finish_s = [], [], [], []
    for uid, (p, ids) in enumerate(zip(prompts, resp.token_ids)):
        # A fresh generator numbers its sequences 0, 1, … in input order;
        # token_ids leave out the stop id, the decode step that made it counts.
        generated = len(ids) + (1 if reason.get(uid) == "stop" else 0)
        total = finished[uid] - admitted[uid]
        ttft = first[uid] - admitted[uid]
        latency.append(total)
        ttfts.append(ttft)
        finish_s.append(finished[uid] - start)
        lines.append(transcript(
            p, decode(tokenizer, ids), generated,
            {"total_s": total, "first_token_s": ttft}, reason.get(uid)))
    s = resp.stats
    batch_stats = {**asdict(s), "prompt_tps": s.prompt_tps, "generation_tps": s.generation_tps,
                   "decode_tps": s.decode_tps, "generation_time": s.generation_time,
                   "overhead_time": s.overhead_time}
    write_outputs(args, "mlx-lm batch_generate", args.batch, load_s, wall_s, prompts, lines, latency, {
        "first_token_s": ttfts,
        "finish_s": finish_s,
        "latency_from": "the start of the BatchGenerator step that began the query's prefill",
        "batch_generate": {"completion_batch_size": args.batch, "prefill_batch_size": args.batch,
                           "prefill_step_size": 2048},
        "batch_stats": batch_stats,
    })


def subset(args):
    import tomllib

    os.makedirs(args.out, exist_ok=True)
    for i, path in enumerate(args.packs):
        if path.endswith(".toml"):
            with open(path, "rb") as f:
                pack = tomllib.load(f)
        else:
            with open(path, encoding="utf-8") as f:
                pack = json.load(f)
        pack["query"] = pack.get("query", [])[: args.limit]
        # A toolset file is named relative to its pack; the subset lives elsewhere.
        toolset = pack.get("pack", {}).get("toolset", "")
        base = os.path.dirname(os.path.abspath(path))
        if toolset and not os.path.isabs(toolset) and os.path.isfile(os.path.join(base, toolset)):
            pack["pack"]["toolset"] = os.path.join(base, toolset)
        stem = os.path.splitext(os.path.basename(path))[0]
        out = os.path.join(args.out, f"{i}-{stem}.json")
        with open(out, "w", encoding="utf-8") as f:
            json.dump(pack, f, ensure_ascii=False, indent=1, default=str)
        print(out)


# ---------------------------------------------------------------- the table

def _read_json(path):
    with open(path, encoding="utf-8") as f:
        return json.load(f)


def _read_jsonl(path):
    with open(path, encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def _read_time(path):
    """`/usr/bin/time -f '%e %M'` (or the fallback's 'WALL -'): wall s, max RSS bytes."""
    try:
        parts = open(path, encoding="utf-8").read().split()
    except OSError:
        return None, None
    # GNU time may print "Command exited with non-zero status" first: the
    # numbers are the last two fields.
    wall = float(parts[-2]) if len(parts) >= 2 else None
    rss = int(parts[-1]) * 1024 if len(parts) >= 2 and parts[-1].isdigit() else None
    return wall, rss


def _key(t):
    return (t.get("suite"), t["query_id"], t.get("repeat", 0))


def read_side(out, name):
    """One side's numbers: a Python side has NAME.stats.json and its replay
    scored in NAME-scored/; a punie-eval side has its run in NAME/."""
    d = {"name": name}
    d["process_wall_s"], d["rss_bytes"] = _read_time(os.path.join(out, name + ".time"))
    stats_path = os.path.join(out, name + ".stats.json")
    if os.path.exists(stats_path):
        st = _read_json(stats_path)
        run_dir = os.path.join(out, name + "-scored")
        d.update(kind=st["side"], batch=st["batch"], load_s=st["load_s"], wall_s=st["wall_s"],
                 wall_exact=True, generated=st["generated_tokens"], latency=st["latency_s"],
                 mlx_peak=st.get("peak_memory_bytes"))
    else:
        run_dir = os.path.join(out, name)
        res = _read_json(os.path.join(run_dir, "results.json"))
        details = res.get("backend", {}).get("details", {})
        d["load_s"] = details.get("load_s")
        d["kind"] = "punie-eval run"
        d["batch"] = int(name.rsplit("-b", 1)[-1]) if "-b" in name else None
        # results.json has no whole-run wall time: the process's, less the load.
        d["wall_s"] = (d["process_wall_s"] - (d["load_s"] or 0.0)) if d["process_wall_s"] else None
        d["wall_exact"] = False
        d["mlx_peak"] = details.get("peak_memory_bytes")
    res = _read_json(os.path.join(run_dir, "results.json"))
    strict = res["overall"]["strict"]
    d["strict"] = (strict["successes"], strict["trials"])
    d["transcripts"] = {_key(t): t for t in _read_jsonl(os.path.join(run_dir, "transcripts.jsonl"))}
    if d["kind"] == "punie-eval run":
        ts = list(d["transcripts"].values())
        d["generated"] = sum(t.get("generated_tokens") or 0 for t in ts)
        d["latency"] = [(t.get("timings") or {}).get("total_s") for t in ts]
    return d


def _fmt(x, spec, unit=""):
    return "–" if x is None else f"{x:{spec}}{unit}"


def _quantile(xs, q):
    xs = sorted(x for x in xs if x is not None)
    if not xs:
        return None
    if len(xs) == 1:
        return xs[0]
    return statistics.quantiles(xs, n=100, method="inclusive")[round(q * 100) - 1]


def table(args):
    sides = [read_side(args.out, n) for n in args.sides]
    by_name = {s["name"]: s for s in sides}
    base = by_name.get(args.baseline)
    ref = by_name.get(args.reference)
    print("| side | batch | suite wall s | load s | process wall s | latency median s | latency p90 s "
          "| decode tok/s | generated tokens | peak RSS GB | MLX peak GB | strict | same as punie-eval B=1 "
          "| speed-up vs loop |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for s in sides:
        wall = s.get("wall_s")
        tps = s["generated"] / wall if wall else None
        if ref is None:
            same = "–"
        else:
            keys = ref["transcripts"].keys()
            n = sum(
                1 for k in keys
                if k in s["transcripts"]
                and s["transcripts"][k].get("strict_pass") == ref["transcripts"][k].get("strict_pass")
                and s["transcripts"][k].get("completion") == ref["transcripts"][k].get("completion")
            )
            same = f"{n}/{len(keys)}"
        speed = f"{base['wall_s'] / wall:.2f}×" if base and base.get("wall_s") and wall else "–"
        print(" | ".join([
            f"| {s['kind']} ({s['name']})",
            str(s["batch"]),
            _fmt(wall, ".2f") + ("" if s["wall_exact"] else "*"),
            _fmt(s.get("load_s"), ".2f"),
            _fmt(s["process_wall_s"], ".2f"),
            _fmt(_quantile(s["latency"], 0.5), ".3f"),
            _fmt(_quantile(s["latency"], 0.9), ".3f"),
            _fmt(tps, ".1f"),
            str(s["generated"]),
            _fmt(s["rss_bytes"] / 1e9 if s["rss_bytes"] else None, ".2f"),
            _fmt(s["mlx_peak"] / 1e9 if s["mlx_peak"] else None, ".2f"),
            f"{s['strict'][0]}/{s['strict'][1]}",
            same,
            speed,
        ]) + " |")
    print()
    print("suite wall: generating every query, load excluded (mlx-lm sides: timed in the process; "
          "* punie-eval: the process's wall time less its load_s, so it also holds start-up, "
          "pack loading, tokenizing and scoring). decode tok/s: generated tokens (stop ids "
          "included) / suite wall. latency: per query, from its start (loop: the call; "
          "batch_generate: the step that began its prefill; punie-eval: timings.total_s, under "
          "--batch from its admission to the batch) to its last token. peak RSS: /usr/bin/time's max "
          "resident set; MLX peak: mx.get_peak_memory() (weights included). same as punie-eval "
          "B=1: queries whose strict verdict and completion text both equal --batch 1's. "
          "speed-up: the loop's suite wall / this side's.")
    replay, _ = _read_time(os.path.join(args.out, args.baseline + "-scored.time"))
    if replay is not None:
        print()
        print(f"For scale: scoring the loop's transcripts with `punie-eval run --replay` (start-up, "
              f"pack loading, scoring and writing, no model) took {replay:.2f} s of process wall; "
              f"that much of each * figure is not generation.")


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = p.add_subparsers(dest="cmd", required=True)
    for name in ("loop", "batch"):
        r = sub.add_parser(name)
        if name == "batch":
            r.add_argument("--batch", type=int, required=True,
                           help="completion_batch_size and prefill_batch_size")
        r.add_argument("--model", required=True)
        r.add_argument("--prompts", required=True, help="`punie-eval run --render-only` output")
        r.add_argument("--out", required=True, help="transcripts JSONL to write")
        r.add_argument("--stats", required=True, help="stats JSON to write")
    s = sub.add_parser("subset")
    s.add_argument("--limit", type=int, required=True)
    s.add_argument("--out", required=True, help="folder for the subset packs")
    s.add_argument("packs", nargs="+")
    t = sub.add_parser("table")
    t.add_argument("--out", required=True, help="the benchmark's folder")
    t.add_argument("--baseline", default="loop", help="the side speed-ups are against")
    t.add_argument("--reference", default="punie-b1", help="the side verdicts are compared with")
    t.add_argument("sides", nargs="+")
    a = p.parse_args()
    {"loop": loop, "batch": batch, "subset": subset, "table": table}[a.cmd](a)


if __name__ == "__main__":
    main()
