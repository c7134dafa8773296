#!/usr/bin/env bash
# Agreement with BFCL's own checker, end to end (docs/bfcl.md):
#   1. the pinned bfcl-eval in its venv (venv.sh), the wheel in the cache;
#   2. `punie-eval import bfcl` of every supported category;
#   3. correct and mutated completions for a sample of entries (gen_completions.py);
#   4. BFCL's checker scores them (bfcl_check.py), a Python model of the pack
#      language predicts punie-eval (predict.py), punie-eval replays them (compare.py);
#   5. the table (per category and mutation) and every disagreement; exit 1 if
#      one is not a documented difference (known_differences.json, or an entry
#      the importer marked approximate).
#
#   bash scripts/bfcl/agreement.sh [WORK_DIR]      # default target/bfcl-agreement
#   PUNIE_EVAL=path/to/punie-eval BFCL_SAMPLE=40 BFCL_SEED=1 bash scripts/bfcl/agreement.sh
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
WORK="${1:-$ROOT/target/bfcl-agreement}"
BIN="${PUNIE_EVAL:-$ROOT/target/release/punie-eval}"
say() { printf '[bfcl-agreement] %s\n' "$*" >&2; }
[[ -x "$BIN" ]] || { say "no punie-eval at $BIN: cargo build --release (or set PUNIE_EVAL)"; exit 2; }

PY="$(bash "$HERE/venv.sh")"
WHEEL="$(bash "$HERE/fetch-wheel.sh")"
DATA="$("$PY" -c 'import importlib.util, pathlib; print(pathlib.Path(list(importlib.util.find_spec("bfcl_eval").submodule_search_locations)[0]) / "data")')"
mkdir -p "$WORK"
say "importing $WHEEL"
"$BIN" import bfcl "$WHEEL" --out "$WORK/packs" --force > "$WORK/import.txt"
tail -1 "$WORK/import.txt" >&2
say "generating completions (sample ${BFCL_SAMPLE:-40} per category, seed ${BFCL_SEED:-1})"
"$PY" "$HERE/gen_completions.py" --data "$DATA" --out "$WORK/completions.jsonl" \
    --sample "${BFCL_SAMPLE:-40}" --seed "${BFCL_SEED:-1}"
say "scoring with BFCL's checker"
"$PY" "$HERE/bfcl_check.py" --data "$DATA" --completions "$WORK/completions.jsonl" --out "$WORK/bfcl.jsonl"
say "predicting punie-eval's verdicts from the documented pack language (predict.py)"
"$PY" "$HERE/predict.py" "$WORK/packs" "$WORK/completions.jsonl" "$WORK/bfcl.jsonl" > "$WORK/predicted.txt" || true
head -14 "$WORK/predicted.txt" >&2
say "scoring with punie-eval and comparing"
"$PY" "$HERE/compare.py" --packs "$WORK/packs" --completions "$WORK/completions.jsonl" \
    --bfcl "$WORK/bfcl.jsonl" --punie "$BIN" --work "$WORK/runs" --table "$WORK/table.md"
