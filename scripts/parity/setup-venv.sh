#!/usr/bin/env bash
# Creates the parity reference: a private virtual environment with MLX 0.32.2
# (CPU) and mlx-lm 0.32.0, every wheel pinned by sha256 in
# scripts/parity/requirements.txt, at
#   ${PUNIE_CACHE:-$HOME/.cache/punie-eval}/venvs/mlx-lm-0.32.0
# Idempotent: a venv whose stamp matches the requirements file's sha256 and
# that imports mlx_lm is reused; anything else is rebuilt from scratch.
# Needs CPython 3.11 (the pinned wheels are cp311): `python3`, or set
# PUNIE_PYTHON to another interpreter.
# Prints the venv's python on stdout; everything else goes to stderr.
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
REQ="$HERE/requirements.txt"
CACHE="${PUNIE_CACHE:-$HOME/.cache/punie-eval}"
VENV="$CACHE/venvs/mlx-lm-0.32.0"
PY="${PUNIE_PYTHON:-python3}"
STAMP="$VENV/.requirements.sha256"

say() { printf '[parity-venv] %s\n' "$*" >&2; }
die() { printf '[parity-venv] error: %s\n' "$*" >&2; exit 1; }

want="$(sha256sum "$REQ" | cut -d' ' -f1)"
# Cheap check (importing mlx_lm pulls in transformers: ~10 s on 2 cores).
check='import mlx.core as mx; from importlib.metadata import version as v; assert (mx.__version__, v("mlx-lm")) == ("0.32.2", "0.32.0")'
if [[ -f "$STAMP" && "$(cat "$STAMP")" == "$want" ]] && "$VENV/bin/python" -c "$check" 2>/dev/null; then
    echo "$VENV/bin/python"
    exit 0
fi

command -v "$PY" >/dev/null || die "$PY not found: install CPython 3.11 or set PUNIE_PYTHON"
ver="$("$PY" -c 'import sys; print("%d.%d" % sys.version_info[:2])')" \
    || die "$PY did not run as a Python interpreter: install CPython 3.11 or set PUNIE_PYTHON"
[[ "$ver" == "3.11" ]] || die "$PY is Python $ver; the wheels pinned in $REQ are cp311: set PUNIE_PYTHON to a Python 3.11"

say "creating $VENV (mlx 0.32.2 + mlx-lm 0.32.0, hash-pinned)"
# The stamp is written last: an interrupted build has none and is redone.
rm -rf "$VENV"
mkdir -p "$(dirname "$VENV")"
"$PY" -m venv "$VENV" || die "'$PY -m venv $VENV' failed (Debian: apt-get install python3-venv)"
# --no-deps: the file lists the whole closure, so nothing unpinned sneaks in.
"$VENV/bin/python" -m pip install --quiet --no-deps --only-binary=:all: --require-hashes -r "$REQ" \
    || die "'pip install --no-deps --only-binary=:all: --require-hashes -r $REQ' failed (hash mismatch or no network; see pip's message above)"
"$VENV/bin/python" -c "$check" || die "the new venv at $VENV cannot import mlx 0.32.2 and mlx_lm"
echo "$want" > "$STAMP"
say "ready: $VENV"
echo "$VENV/bin/python"
