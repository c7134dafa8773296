#!/usr/bin/env bash
# Fetches the pinned bfcl-eval wheel (scripts/requirements/bfcl-eval.txt:
# version and sha256) into ${PUNIE_CACHE:-$HOME/.cache/punie-eval}/bfcl/,
# the place `punie-eval import bfcl` (no SOURCE) reads it from. Idempotent:
# a cached wheel with the pinned sha256 is reused; one without is refused.
# Prints the wheel's path on stdout; everything else goes to stderr.
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
REQ="$HERE/../requirements/bfcl-eval.txt"
CACHE="${PUNIE_CACHE:-$HOME/.cache/punie-eval}"
PY="${PUNIE_PYTHON:-python3}"
say() { printf '[bfcl-wheel] %s\n' "$*" >&2; }
die() { printf '[bfcl-wheel] error: %s\n' "$*" >&2; exit 1; }

line="$(grep '^bfcl-eval==' "$REQ")" || die "$REQ has no bfcl-eval line"
version="$(sed -n 's/^bfcl-eval==\([^ ]*\) .*/\1/p' <<<"$line")"
want="$(sed -n 's/.*--hash=sha256:\([0-9a-f]*\).*/\1/p' <<<"$line")"
wheel="$CACHE/bfcl/bfcl_eval-$version-py3-none-any.whl"
if [[ -f "$wheel" ]]; then
    got="$(sha256sum "$wheel" | cut -d' ' -f1)"
    [[ "$got" == "$want" ]] || die "$wheel has sha256 $got, expected $want: delete it and rerun"
    echo "$wheel"
    exit 0
fi
mkdir -p "$CACHE/bfcl"
tmp="$(mktemp -d "$CACHE/bfcl/.fetch.XXXXXX")"
trap 'rm -rf "$tmp"' EXIT
say "fetching bfcl-eval $version (sha256 $want)"
"$PY" -m pip download --quiet --no-deps --only-binary=:all: --require-hashes -r "$REQ" -d "$tmp" \
    || die "could not download the wheel pinned in $REQ (hash or network problem; see pip's message above)"
got="$(sha256sum "$tmp/$(basename "$wheel")" | cut -d' ' -f1)"
[[ "$got" == "$want" ]] || die "the downloaded wheel has sha256 $got, expected $want"
mv "$tmp/$(basename "$wheel")" "$wheel"
say "ready: $wheel"
echo "$wheel"
