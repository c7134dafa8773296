#!/usr/bin/env bash
# Creates the BFCL reference: a private virtual environment with the pinned
# bfcl-eval wheel (scripts/requirements/bfcl-eval.txt, sha256-checked) at
#   ${PUNIE_CACHE:-$HOME/.cache/punie-eval}/venvs/bfcl-eval-<version>
# installed with --no-deps: BFCL's AST checker needs nothing but the standard
# library once scripts/bfcl/bfcl_check.py stubs the one import (the model
# registry) that would pull in every API client. Any CPython >= 3.10 (the
# wheel is py3-none-any): `python3`, or set PUNIE_PYTHON.
# Idempotent: a venv whose stamp matches the requirements file's sha256 and
# whose checker passes bfcl_check.py --self-test is reused.
# Prints the venv's python on stdout; everything else goes to stderr.
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
REQ="$HERE/../requirements/bfcl-eval.txt"
CACHE="${PUNIE_CACHE:-$HOME/.cache/punie-eval}"
PY="${PUNIE_PYTHON:-python3}"
version="$(sed -n 's/^bfcl-eval==\([^ ]*\) .*/\1/p' "$REQ")"
VENV="$CACHE/venvs/bfcl-eval-$version"
STAMP="$VENV/.requirements.sha256"
say() { printf '[bfcl-venv] %s\n' "$*" >&2; }
die() { printf '[bfcl-venv] error: %s\n' "$*" >&2; exit 1; }

want="$(sha256sum "$REQ" | cut -d' ' -f1)"
if [[ -f "$STAMP" && "$(cat "$STAMP")" == "$want" ]] \
    && "$VENV/bin/python" "$HERE/bfcl_check.py" --self-test >/dev/null 2>&1; then
    echo "$VENV/bin/python"
    exit 0
fi
command -v "$PY" >/dev/null || die "$PY not found: install CPython >= 3.10 or set PUNIE_PYTHON"
"$PY" -c 'import sys; assert sys.version_info >= (3, 10)' 2>/dev/null \
    || die "$PY is older than Python 3.10 (bfcl-eval requires >= 3.10): set PUNIE_PYTHON"

# The wheel from the cache when fetch-wheel.sh (or the importer) left it there.
wheel="$(bash "$HERE/fetch-wheel.sh")"
say "creating $VENV (bfcl-eval $version, hash-pinned, --no-deps)"
rm -rf "$VENV"
mkdir -p "$(dirname "$VENV")"
"$PY" -m venv "$VENV" || die "'$PY -m venv $VENV' failed (Debian: apt-get install python3-venv)"
"$VENV/bin/python" -m pip install --quiet --no-deps --no-index --require-hashes \
    --find-links "$(dirname "$wheel")" -r "$REQ" \
    || die "'pip install --no-deps --require-hashes -r $REQ' from $(dirname "$wheel") failed (see pip's message above)"
"$VENV/bin/python" "$HERE/bfcl_check.py" --self-test >&2 \
    || die "the new venv at $VENV cannot run BFCL's checker (bfcl_check.py --self-test)"
echo "$want" > "$STAMP"
say "ready: $VENV"
echo "$VENV/bin/python"
