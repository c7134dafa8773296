#!/usr/bin/env bash
# The test command (README, .ci/run): sets up everything the tests need on a
# fresh machine, then runs the whole test suite.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
for s in scripts/fetch-qwen3-tokenizer.sh; do
  [ -x "$s" ] || [ -f "$s" ] && bash "$s" >/dev/null
done
# Plugins are cdylibs the tests load; build the whole workspace first.
cargo build --workspace --all-targets
cargo test --workspace --no-fail-fast
