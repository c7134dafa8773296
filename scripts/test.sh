#!/usr/bin/env bash
# The test command (README, .ci/run): sets up everything the tests need on a
# fresh machine, then runs the whole test suite.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
# BFCL's own checker (pinned bfcl-eval wheel, sha256-checked, in a venv) for
# the agreement test.
bash scripts/bfcl/venv.sh >/dev/null
bash scripts/bfcl/fetch-wheel.sh >/dev/null
# Tests over Punie's data run where ../shared/punie (or $PUNIE_SHARED) exists
# and report themselves skipped where it does not (a clone of the repo alone).
if [ -n "${PUNIE_SHARED:-}" ] || [ -f ../shared/punie/phase27_cleaned/train.jsonl ]; then
  echo "[test] Punie reference data found: parse_corpus tests run" >&2
else
  echo "[test] no ../shared/punie: parse_corpus tests report themselves skipped (set PUNIE_SHARED to run them)" >&2
fi
# Plugins are cdylibs the tests load; build the whole workspace first.
cargo build --workspace --all-targets
cargo test --workspace --no-fail-fast
