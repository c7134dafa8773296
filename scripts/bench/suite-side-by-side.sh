#!/usr/bin/env bash
# Whole query suites through one model, side by side (issue 16, batched
# generation): Punie's loop (mlx-lm's stream_generate, one query at a time,
# every prompt prefilled from scratch), mlx-lm's own batch_generate, and
# `punie-eval run --batch B`; the same prompt ids, greedy, the same
# max_tokens and stop ids everywhere. Each side is a fresh process under
# /usr/bin/time; the mlx-lm sides' transcripts are scored by
# `punie-eval run --replay`. Prints a Markdown table: suite wall time (load
# apart), per-query latency, aggregate decode tok/s, peak memory, strict score,
# verdicts identical to punie-eval --batch 1, and speed-up over the loop.
#
#   scripts/bench/suite-side-by-side.sh MODEL_DIR SUITE...
#
# Environment: PUNIE_EVAL (default target/release/punie-eval); PYTHON (a Python
# with mlx and mlx-lm 0.32.0, default: the parity venv); MAX_TOKENS (default
# 32); LIMIT (the first N queries of each suite, default all); BATCHES
# (punie-eval's --batch values, default "1 4 8 16"); MLX_LM_BATCH (mlx-lm's
# completion and prefill batch sizes, default 8, a list allowed); OUT (a folder
# to keep everything in, default a new temporary one, printed). On Linux the
# mlx-lm sides get Debian's OpenBLAS preloaded (MLX_LM_LD_PRELOAD to change),
# as in vs-mlx-lm.sh.
#
# OUT holds prompts.jsonl (`run --render-only`), packs/ (the LIMIT subsets),
# NAME.time ("wall_s max_rss_KiB" of each process, the replays' too), NAME.log
# (punie-eval's output), and per side: loop and
# mlx-lm-bB: NAME.transcripts.jsonl, NAME.stats.json, NAME-scored/ (the
# replay's results.json and transcripts.jsonl); punie-bB: the run's --out.
set -euo pipefail
cd "$(dirname "$0")/../.."
usage="usage: suite-side-by-side.sh MODEL_DIR SUITE..."
model=${1:?$usage}
shift
[ $# -gt 0 ] || { echo "$usage" >&2; exit 2; }
suites=("$@")
bin=${PUNIE_EVAL:-target/release/punie-eval}
py=${PYTHON:-${PUNIE_CACHE:-$HOME/.cache/punie-eval}/venvs/mlx-lm-0.32.0/bin/python}
max_tokens=${MAX_TOKENS:-32}
limit=${LIMIT:-}
batches=${BATCHES:-1 4 8 16}
mlx_batches=${MLX_LM_BATCH:-8}
here=scripts/bench/mlx_lm_suite.py
[ -x "$bin" ] || { echo "suite-side-by-side: $bin not built (cargo build --release)" >&2; exit 1; }
command -v "$py" >/dev/null || { echo "suite-side-by-side: no Python at $py (bash scripts/parity/setup-venv.sh, or set PYTHON)" >&2; exit 1; }
out=${OUT:-$(mktemp -d)}
mkdir -p "$out"
echo "suite-side-by-side: everything goes to $out" >&2
preload=${MLX_LM_LD_PRELOAD-/lib/x86_64-linux-gnu/libopenblas.so.0}
[ -f "$preload" ] || preload=

# The same queries for every side: LIMIT cuts each suite into a JSON pack.
if [ -n "$limit" ]; then
  "$py" "$here" subset --limit "$limit" --out "$out/packs" "${suites[@]}" >"$out/packs.txt"
  suites=()
  while IFS= read -r f; do suites+=("$f"); done <"$out/packs.txt"
fi

# timed NAME CMD...: runs CMD, its wall seconds and max RSS (KiB) to NAME.time.
if /usr/bin/time -f '%e %M' -o /dev/null true 2>/dev/null; then
  timed() { local name=$1; shift; /usr/bin/time -f '%e %M' -o "$out/$name.time" "$@"; }
else
  # No GNU time (macOS): bash's own, the wall alone; RSS stays blank.
  timed() {
    local name=$1 TIMEFORMAT='%R -'; shift
    { time "$@" 2>&4; } 4>&2 2>"$out/$name.time"
  }
fi

"$bin" run --suite "${suites[@]}" --model "$model" --max-tokens "$max_tokens" --render-only >"$out/prompts.jsonl"
echo "suite-side-by-side: $(wc -l <"$out/prompts.jsonl") queries, max_tokens $max_tokens" >&2

sides=(loop)
echo "side: Punie's loop on mlx-lm" >&2
timed loop env LD_PRELOAD="$preload" "$py" "$here" loop --model "$model" --prompts "$out/prompts.jsonl" \
  --out "$out/loop.transcripts.jsonl" --stats "$out/loop.stats.json"
for b in $mlx_batches; do
  echo "side: mlx-lm batch_generate, batch $b" >&2
  timed "mlx-lm-b$b" env LD_PRELOAD="$preload" "$py" "$here" batch --batch "$b" --model "$model" \
    --prompts "$out/prompts.jsonl" --out "$out/mlx-lm-b$b.transcripts.jsonl" --stats "$out/mlx-lm-b$b.stats.json"
  sides+=("mlx-lm-b$b")
done
for b in $batches; do
  echo "side: punie-eval --batch $b" >&2
  timed "punie-b$b" "$bin" run --suite "${suites[@]}" --model "$model" --max-tokens "$max_tokens" \
    --batch "$b" --out "$out/punie-b$b" --force >"$out/punie-b$b.log" 2>&1 ||
    { tail -n 20 "$out/punie-b$b.log" >&2; exit 1; }
  sides+=("punie-b$b")
done

# Score the mlx-lm sides' transcripts as punie-eval scores its own.
for s in loop $(for b in $mlx_batches; do echo "mlx-lm-b$b"; done); do
  timed "$s-scored" "$bin" run --suite "${suites[@]}" --max-tokens "$max_tokens" --replay "$out/$s.transcripts.jsonl" \
    --out "$out/$s-scored" --force >"$out/$s-scored.log" 2>&1 ||
    { tail -n 20 "$out/$s-scored.log" >&2; exit 1; }
done

case " $batches " in *" 1 "*) ref=punie-b1 ;; *) ref=none ;; esac
echo
echo "Model $model; suites ${*}; $(wc -l <"$out/prompts.jsonl") queries${limit:+ (first $limit of each suite)}, max_tokens $max_tokens; results in $out"
echo
"$py" "$here" table --out "$out" --baseline loop --reference "$ref" "${sides[@]}"
