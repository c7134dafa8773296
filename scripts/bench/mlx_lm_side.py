"""The mlx-lm side of scripts/bench/vs-mlx-lm.sh, and the table.

  mlx_lm_side.py run --model DIR --prompt-file F --max-tokens N
      one generation in a fresh process, EOS ignored; prints one JSON line
      with the same keys `punie-eval generate --json` reports.
  mlx_lm_side.py table OURS.jsonl REF.jsonl
      medians of each side and their ratio, as a Markdown table, then every
      run's prefill and decode speed in order.
"""
import argparse
import json
import statistics
import sys
import time


def run(args):
    import mlx.core as mx
    from mlx_lm import load, stream_generate

    start = time.perf_counter()
    model, tokenizer = load(args.model)
    mx.eval(model.parameters())
    load_s = time.perf_counter() - start
    active_after_load = mx.get_active_memory()
    tokenizer.eos_token_ids = []  # exactly --max-tokens tokens, as ours
    prompt = open(args.prompt_file, encoding="utf-8").read()
    ids = tokenizer.encode(prompt, add_special_tokens=False)
    t0 = time.perf_counter()
    ttft = None
    last = None
    for r in stream_generate(model, tokenizer, ids, max_tokens=args.max_tokens):
        if ttft is None:
            ttft = time.perf_counter() - t0
        last = r
    total = time.perf_counter() - t0
    print(json.dumps({
        "load_s": load_s,
        "stats": {
            "prompt_tokens": last.prompt_tokens,
            "generated_tokens": last.generation_tokens,
            "time_to_first_token_s": ttft,
            "total_s": total,
            "prompt_tps": last.prompt_tps,
            "generation_tps": last.generation_tps,
            "active_memory_bytes": active_after_load,
            "peak_memory_bytes": mx.get_peak_memory(),
        },
    }))


ROWS = [
    ("Load", "load_s", "s", False),
    ("Prompt tokens", "prompt_tokens", "", None),
    ("Generated tokens", "generated_tokens", "", None),
    ("Time to first token", "time_to_first_token_s", "s", False),
    ("Prefill", "prompt_tps", "tok/s", True),
    ("Decode", "generation_tps", "tok/s", True),
    ("Peak memory", "peak_memory_bytes", "GB", False),
]


def table(args):
    def read(path):
        out = []
        for line in open(path, encoding="utf-8"):
            line = line.strip()
            if line.startswith("{"):
                v = json.loads(line)
                out.append({"load_s": v["load_s"], **v["stats"]})
        if not out:
            sys.exit(f"{path}: no JSON result lines")
        return out

    ours, ref = read(args.ours), read(args.ref)
    print(f"| metric (median of {len(ours)} / {len(ref)} runs) | punie-eval | mlx-lm | punie-eval / mlx-lm |")
    print("|---|---:|---:|---:|")
    for label, key, unit, higher_better in ROWS:
        a = statistics.median(r[key] for r in ours)
        b = statistics.median(r[key] for r in ref)
        if unit == "GB":
            a, b = a / 1e9, b / 1e9
        fmt = (lambda x: f"{x:.0f}") if unit == "" else (lambda x: f"{x:.2f} {unit}" if unit in ("s", "GB") else f"{x:.1f} {unit}")
        ratio = "" if higher_better is None or b == 0 else f"{a / b:.2f}×"
        print(f"| {label} | {fmt(a)} | {fmt(b)} | {ratio} |")
    # Every run, in order: the spread behind each median (decode swings by
    # ±25% between processes on a GPU, so a ratio alone hides too much).
    print()
    for label, key in (("Prefill tok/s", "prompt_tps"), ("Decode tok/s", "generation_tps")):
        for side, runs in (("punie-eval", ours), ("mlx-lm", ref)):
            print(f"{label}, {side}: " + ", ".join(f"{r[key]:.1f}" for r in runs))


def main():
    p = argparse.ArgumentParser()
    sub = p.add_subparsers(dest="cmd", required=True)
    r = sub.add_parser("run")
    r.add_argument("--model", required=True)
    r.add_argument("--prompt-file", required=True)
    r.add_argument("--max-tokens", type=int, default=128)
    t = sub.add_parser("table")
    t.add_argument("ours")
    t.add_argument("ref")
    a = p.parse_args()
    run(a) if a.cmd == "run" else table(a)


if __name__ == "__main__":
    main()
