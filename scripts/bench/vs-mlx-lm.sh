#!/usr/bin/env bash
# Prefill and decode speed and peak memory of punie-eval against mlx-lm on the
# same model folder, the same prompt text and the same machine: alternating
# fresh processes (ours, theirs, ours, …), EOS ignored so both generate
# exactly N tokens; prints a Markdown table of medians and ratios.
#
#   scripts/bench/vs-mlx-lm.sh MODEL_DIR [RUNS=3] [N=128]
#
# The prompt is Punie's benchmark query with the 14 phase-27 tools, rendered
# with the model's own template by `punie-eval generate --render-only`.
# PUNIE_EVAL: the binary (default target/release/punie-eval); PYTHON: a Python
# with mlx and mlx-lm 0.32.0 (default: the parity venv). On Linux the mlx-lm
# side gets Debian's OpenBLAS preloaded (MLX_LM_LD_PRELOAD to change): the
# wheel's own reference BLAS would make any comparison on CPU flatter us.
set -euo pipefail
cd "$(dirname "$0")/../.."
model=${1:?usage: vs-mlx-lm.sh MODEL_DIR [RUNS] [N]}
runs=${2:-3}
n=${3:-128}
bin=${PUNIE_EVAL:-target/release/punie-eval}
py=${PYTHON:-${PUNIE_CACHE:-$HOME/.cache/punie-eval}/venvs/mlx-lm-0.32.0/bin/python}
[ -x "$bin" ] || { echo "vs-mlx-lm: $bin not built (cargo build --release)" >&2; exit 1; }
command -v "$py" >/dev/null || { echo "vs-mlx-lm: no Python at $py (bash scripts/parity/setup-venv.sh, or set PYTHON)" >&2; exit 1; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
system=$(python3 -c 'import tomllib;print(tomllib.load(open("queries/protocol.toml","rb"))["pack"]["system_prompt"])')
"$bin" generate --model "$model" --render-only --tools schemas/toolsets/punie-phase27.json \
  --system "$system" --prompt "Show me how the protocol class is used in the codebase" >"$work/prompt.txt"
preload=${MLX_LM_LD_PRELOAD-/lib/x86_64-linux-gnu/libopenblas.so.0}
[ -f "$preload" ] || preload=
for i in $(seq "$runs"); do
  echo "run $i/$runs: punie-eval" >&2
  "$bin" generate --model "$model" --prompt-file "$work/prompt.txt" --raw --max-tokens "$n" \
    --ignore-eos --json 2>>"$work/ours.jsonl" >/dev/null
  echo "run $i/$runs: mlx-lm" >&2
  LD_PRELOAD=$preload "$py" scripts/bench/mlx_lm_side.py run --model "$model" --prompt-file "$work/prompt.txt" \
    --max-tokens "$n" >>"$work/ref.jsonl"
done
"$py" scripts/bench/mlx_lm_side.py table "$work/ours.jsonl" "$work/ref.jsonl"
