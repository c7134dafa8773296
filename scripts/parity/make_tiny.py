#!/usr/bin/env python3
"""Writes tiny random-weight MLX model folders with mlx-lm's own code, for the parity suite.

For each architecture (qwen2, qwen3, qwen3_moe, llama) it builds
`mlx_lm.models.<arch>.Model(ModelArgs(...))` from a seeded `mx.random.seed`,
then saves it unquantized (f32), quantized at 2, 3, 4, 5, 6 and 8 bits, and
as bf16 with 5-bit weights (the production checkpoint's form) exactly the
way `mlx_lm.convert` does: `mlx_lm.utils.quantize_model` (with the model's own
`quant_predicate`, so qwen3_moe's router gates become the 8-bit overrides that
mlx-lm writes per module into config.json), `save_model`, `save_config` and
the tokenizer wrapper's `save_pretrained` (tokenizer.json,
tokenizer_config.json, chat_template.jinja).

Shapes: hidden 64, 4 heads / 2 KV heads, head_dim 16, vocab VOCAB_SIZE rows.
The real Qwen3 tokenizer is saved beside the weights, but with its 151,669
rows a single f32 embedding would be 39 MB (78 MB untied), so the model's
vocabulary is its first VOCAB_SIZE ids: parity prompts must use ids below it,
and the EOS ids (151643, 151645) can never be generated, so greedy runs
always produce every requested token.

Quantization: group 64 (the production group size) for the dense
architectures. qwen3_moe uses group 32, because its experts' down_proj has
input dim moe_intermediate_size = 32 and mlx-lm silently leaves a layer whose
input dim is not a multiple of the group size unquantized; its router gates
keep the 8-bit / group-64 override that mlx-lm's predicate asks for.

Weights are mlx's default initialisation, except that every weight is scaled
up (WEIGHT_GAIN) and norm weights drawn around 1, so a tiny model's next token
depends strongly on its context: greedy continuations then vary instead of
repeating one token, and a broken KV cache or position would change them.

Usage (with the parity venv's python, see setup-venv.sh):
  make_tiny.py OUT [--tokenizer DIR] [--arch A ...] [--variant f32|q2|…|q8|bf16-q5 ...] [--reuse]
Writes OUT/<arch>-<variant>/ for each pair and prints a JSON summary (folder,
bytes on disk, quantization) on stdout. With --reuse, a folder is kept when
its stamp (OUT/.<arch>-<variant>.stamp: sha256 of this script, the tokenizer
files and the mlx / mlx-lm versions) matches, so a cached set is rebuilt
whenever anything that shaped it changes.
"""

import argparse
import contextlib
import copy
import hashlib
import json
import os
import shutil
import sys
from importlib.metadata import version
from pathlib import Path

import mlx.core as mx
import mlx.nn as nn
from mlx.utils import tree_map_with_path


# mlx_lm.utils imports transformers (~10 s on 2 cores): imported only when a
# folder must actually be written, so a --reuse run of a cached set is instant.
def mlx_lm_utils():
    import mlx_lm.utils

    return mlx_lm.utils

CACHE = Path(os.environ.get("PUNIE_CACHE", Path.home() / ".cache" / "punie-eval"))
VOCAB_SIZE = 8192
WEIGHT_GAIN = 3.0
SEED = 20261126

COMMON = {
    "hidden_size": 64,
    "num_attention_heads": 4,
    "num_key_value_heads": 2,
    "head_dim": 16,
    "vocab_size": VOCAB_SIZE,
    "max_position_embeddings": 40960,
    "torch_dtype": "float32",
    "bos_token_id": 151643,
    "eos_token_id": 151645,
}

# HF-style config.json contents, as mlx_lm.convert would find them upstream.
CONFIGS = {
    "qwen2": {
        "architectures": ["Qwen2ForCausalLM"],
        "model_type": "qwen2",
        "num_hidden_layers": 2,
        "intermediate_size": 128,
        "rms_norm_eps": 1e-6,
        "rope_theta": 1000000.0,
        "tie_word_embeddings": False,
        "use_sliding_window": False,
    },
    "qwen3": {
        "architectures": ["Qwen3ForCausalLM"],
        "model_type": "qwen3",
        "num_hidden_layers": 2,
        "intermediate_size": 128,
        "rms_norm_eps": 1e-6,
        "rope_theta": 1000000.0,
        "tie_word_embeddings": True,
    },
    "qwen3_moe": {
        "architectures": ["Qwen3MoeForCausalLM"],
        "model_type": "qwen3_moe",
        "num_hidden_layers": 3,
        "intermediate_size": 128,
        "moe_intermediate_size": 32,
        "num_experts": 8,
        "num_experts_per_tok": 2,
        "norm_topk_prob": True,
        "decoder_sparse_step": 1,
        "mlp_only_layers": [],
        "rms_norm_eps": 1e-6,
        "rope_theta": 10000000.0,
        "tie_word_embeddings": False,
    },
    "llama": {
        "architectures": ["LlamaForCausalLM"],
        "model_type": "llama",
        "num_hidden_layers": 2,
        "intermediate_size": 128,
        "rms_norm_eps": 1e-5,
        "rope_theta": 100000.0,
        "tie_word_embeddings": True,
        "attention_bias": False,
        "mlp_bias": False,
    },
}
ARCHS = list(CONFIGS)

GROUP_SIZE = {"qwen2": 64, "qwen3": 64, "qwen3_moe": 32, "llama": 64}
# variant -> (bits or None, storage dtype). The bf16 variant is what
# `mlx_lm.convert --dtype bfloat16` writes (the production model's form):
# every float parameter cast first, so scales, biases and norms are bf16 and
# the forward pass runs in bf16.
VARIANTS = {
    "f32": (None, "float32"),
    "q2": (2, "float32"),
    "q3": (3, "float32"),
    "q4": (4, "float32"),
    "q5": (5, "float32"),
    "q6": (6, "float32"),
    "q8": (8, "float32"),
    "bf16-q5": (5, "bfloat16"),
}

# What the upstream checkpoint would ship beside config.json; convert copies it.
GENERATION_CONFIG = {
    "bos_token_id": 151643,
    "do_sample": True,
    "eos_token_id": [151645, 151643],
    "pad_token_id": 151643,
    "temperature": 0.6,
    "top_k": 20,
    "top_p": 0.95,
}


def config_for(arch: str) -> dict:
    config = dict(COMMON)
    config.update(CONFIGS[arch])
    if arch == "qwen2":
        # Qwen2 configs carry no head_dim (it is hidden / heads = 16 here).
        del config["head_dim"]
    return dict(sorted(config.items()))


def build(arch: str, config: dict) -> nn.Module:
    """The seeded random model: identical weights for every variant of an arch."""
    model_class, args_class = mlx_lm_utils()._get_classes(config=config)
    mx.random.seed(SEED + ARCHS.index(arch))
    model = model_class(args_class.from_dict(config))

    def reinit(path: str, w: mx.array) -> mx.array:
        if path.endswith("norm.weight"):
            return 1.0 + 0.2 * mx.random.normal(w.shape)
        return WEIGHT_GAIN * w

    model.update(tree_map_with_path(reinit, model.parameters()))
    mx.eval(model.parameters())
    return model


class Lazy:
    def __init__(self, make):
        self.make, self.value = make, None

    def get(self):
        if self.value is None:
            self.value = self.make()
        return self.value


def stamp_of(tokenizer_dir: Path) -> str:
    h = hashlib.sha256(Path(__file__).read_bytes())
    for name in ("tokenizer.json", "tokenizer_config.json"):
        p = tokenizer_dir / name
        h.update(p.read_bytes() if p.exists() else b"-")
    h.update(f"mlx {mx.__version__} mlx-lm {version('mlx-lm')}".encode())
    return h.hexdigest()


def summary_of(dest: Path, arch: str, variant: str) -> dict:
    config = json.loads((dest / "config.json").read_text())
    return {
        "arch": arch,
        "variant": variant,
        "dir": str(dest),
        "bytes": sum(p.stat().st_size for p in dest.iterdir()),
        "quantization": config.get("quantization"),
    }


def write(out: Path, arch: str, variant: str, tokenizer, stamp: str, reuse: bool) -> dict:
    dest = out / f"{arch}-{variant}"
    stamp_file = out / f".{arch}-{variant}.stamp"
    if reuse and stamp_file.exists() and stamp_file.read_text() == stamp and dest.is_dir():
        return summary_of(dest, arch, variant)
    config = config_for(arch)
    model = build(arch, config)
    bits, dtype = VARIANTS[variant]
    if dtype != "float32":
        # convert's cast: every floating parameter, before quantizing.
        cast = getattr(mx, dtype)
        model.update(tree_map_with_path(
            lambda _, v: v.astype(cast) if mx.issubdtype(v.dtype, mx.floating) else v,
            model.parameters()))
        config = dict(config, torch_dtype=dtype)
    if bits is not None:
        model, config = mlx_lm_utils().quantize_model(model, config, GROUP_SIZE[arch], bits)
    tmp = out / f".{arch}-{variant}.tmp"
    shutil.rmtree(tmp, ignore_errors=True)
    # The same three calls mlx_lm.utils.save makes, plus generation_config.json,
    # which convert copies from the upstream folder.
    mlx_lm_utils().save_model(tmp, model, donate_model=True)
    mlx_lm_utils().save_config(copy.deepcopy(config), config_path=tmp / "config.json")
    tokenizer.get().save_pretrained(tmp)
    (tmp / "generation_config.json").write_text(json.dumps(GENERATION_CONFIG, indent=2) + "\n")
    stamp_file.unlink(missing_ok=True)
    shutil.rmtree(dest, ignore_errors=True)
    tmp.rename(dest)
    stamp_file.write_text(stamp)
    return summary_of(dest, arch, variant)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("out", type=Path)
    ap.add_argument("--tokenizer", type=Path, default=CACHE / "assets" / "qwen3-tokenizer",
                    help="folder with the Qwen3 tokenizer.json (scripts/fetch-qwen3-tokenizer.sh)")
    ap.add_argument("--arch", action="append", choices=ARCHS)
    ap.add_argument("--variant", action="append", choices=list(VARIANTS))
    ap.add_argument("--reuse", action="store_true",
                    help="keep folders whose stamp shows they were made by this exact set-up")
    args = ap.parse_args()
    if not (args.tokenizer / "tokenizer.json").is_file():
        print(f"error: {args.tokenizer}/tokenizer.json not found: run scripts/fetch-qwen3-tokenizer.sh",
              file=sys.stderr)
        return 2
    stamp = stamp_of(args.tokenizer)
    # Loading the tokenizer costs seconds: only when a folder must be written.
    tokenizer = Lazy(lambda: mlx_lm_utils().load_tokenizer(args.tokenizer))
    args.out.mkdir(parents=True, exist_ok=True)
    # mlx-lm prints progress on stdout: keep stdout for the JSON summary.
    with contextlib.redirect_stdout(sys.stderr):
        summary = [
            write(args.out, arch, variant, tokenizer, stamp, args.reuse)
            for arch in args.arch or ARCHS
            for variant in args.variant or list(VARIANTS)
        ]
    json.dump(summary, sys.stdout, indent=1)
    print()
    return 0


if __name__ == "__main__":
    sys.exit(main())
