#!/usr/bin/env python3
"""mlx-lm's answer for the parity suite: logits and greedy tokens of model folders.

For each model folder and one prompt (token ids) it prints, as JSON on stdout:
- `logits_f32le_hex`: the f32 logits at every prompt position, row-major
  [L, vocab] (`logits_shape`), from one forward pass over the whole prompt
  with a fresh KV cache (`model(tokens[None], cache=make_prompt_cache(model))`),
  as hex of little-endian f32: exact (no decimal round trip), 8 characters a
  value, and decodable without a base64 dependency;
- `greedy`: N token ids from `mlx_lm.generate.generate_step` with mlx-lm's
  greedy sampler (raw ids: mlx-lm's printed text drops some special tokens);
- `greedy_margins`: at each greedy step, the top-1 minus top-2 log-probability:
  a tiny margin explains a token flip caused by float noise alone.

Models are loaded with `mlx_lm.utils.load_model`, the loader `mlx_lm.load`
uses (per-module quantization overrides included); the tokenizer is not
needed. Several folders go in one process because importing mlx-lm costs
seconds on a small machine.

Usage (with the parity venv's python, see setup-venv.sh):
  reference.py --tokens 1,2,3 [--generate 32] DIR [DIR ...]
"""

import argparse
import json
import sys
from importlib.metadata import version
from pathlib import Path

import mlx.core as mx
import numpy as np

from mlx_lm.generate import generate_step
from mlx_lm.models.cache import make_prompt_cache
from mlx_lm.sample_utils import greedy_sampler
from mlx_lm.utils import load_model


def reference(folder: Path, tokens: list, n: int, with_logits: bool = True) -> dict:
    model, config = load_model(folder)
    prompt = mx.array(tokens, dtype=mx.uint32)
    if with_logits:
        logits = model(prompt[None], cache=make_prompt_cache(model))[0].astype(mx.float32)
        mx.eval(logits)
    greedy, margins = [], []
    for tok, logprobs in generate_step(prompt, model, max_tokens=n, sampler=greedy_sampler):
        top2 = mx.sort(logprobs)[-2:]
        greedy.append(tok)
        margins.append((top2[1] - top2[0]).item())
    out = {
        "dir": str(folder),
        "model_type": config["model_type"],
        "greedy": greedy,
        "greedy_margins": margins,
    }
    if with_logits:
        raw = np.asarray(logits, dtype="<f4").tobytes()
        out["vocab_size"] = int(logits.shape[-1])
        out["logits_shape"] = list(logits.shape)
        out["logits_f32le_hex"] = raw.hex()
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("dirs", nargs="+", type=Path)
    ap.add_argument("--tokens", required=True, help="comma-separated prompt token ids")
    ap.add_argument("--generate", type=int, default=32, help="greedy tokens to generate")
    ap.add_argument("--no-logits", action="store_true",
                    help="greedy tokens only (real models: [L, vocab] logits are too large)")
    args = ap.parse_args()
    try:
        tokens = [int(t) for t in args.tokens.split(",")]
    except ValueError as e:
        print(f"error: --tokens must be comma-separated integers: {e}", file=sys.stderr)
        return 2
    out = {
        "mlx": mx.__version__,
        "mlx_lm": version("mlx-lm"),
        "tokens": tokens,
        "results": [reference(d, tokens, args.generate, not args.no_logits) for d in args.dirs],
    }
    json.dump(out, sys.stdout)
    print()
    return 0


if __name__ == "__main__":
    sys.exit(main())
