#!/usr/bin/env python3
"""Generates the GGUF test fixtures in tests/fixtures/gguf/ from independent
references, so our Rust dequantizers and tokenizer are checked against code
we did not write:

- dequant/: random ggml blocks per type (fixed seed) and their f32 values as
  computed by gguf-py's numpy dequantizers (`gguf.quants.dequantize`).
- real_tensors.json: samples and sums of a few tensors of the real default
  model (Qwen2.5-Coder-0.5B-Instruct GGUF), dequantized by gguf-py.
- tokenizer_ids.json: token ids of test strings as transformers' GGUF
  tokenizer converter builds the tokenizer from that same file's metadata.
- smollm2_*.json: the same for SmolLM2-135M-Instruct (llama, Q4_1), fetched
  by scripts/fetch-smollm2.sh.

Set up (pinned, hash-checked):
    python3 -m venv /tmp/gguf-ref
    /tmp/gguf-ref/bin/pip install --require-hashes -r scripts/requirements/gguf-fixtures.txt
    /tmp/gguf-ref/bin/python scripts/gen_gguf_fixtures.py [--gguf PATH]
PATH defaults to the file scripts/fetch-default-model.sh provisions.
"""

import argparse
import json
import os
import sys
import unicodedata
from pathlib import Path

import numpy as np
import gguf
from gguf import GGMLQuantizationType as T

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "tests" / "fixtures" / "gguf"
SEED = 20261126

# (type, number of blocks). Few blocks keep the fixtures small; random bytes
# exercise every bit of every field.
DEQUANT_TYPES = [
    (T.F32, 64), (T.F16, 256), (T.BF16, 256),
    (T.Q8_0, 16), (T.Q4_0, 16), (T.Q4_1, 16), (T.Q5_0, 16), (T.Q5_1, 16),
    (T.Q4_K, 6), (T.Q5_K, 6), (T.Q6_K, 6),
]

# Byte offsets of the f16 scale fields in each block (forced finite so no
# NaN/inf reaches a comparison; everything else is uniformly random).
F16_FIELDS = {
    T.Q8_0: [0], T.Q4_0: [0], T.Q4_1: [0, 2], T.Q5_0: [0], T.Q5_1: [0, 2],
    T.Q4_K: [0, 2], T.Q5_K: [0, 2], T.Q6_K: [208],
}

# Real tensors of the default model: one per quantized type it holds, plus F32.
REAL_TENSORS = [
    "blk.0.attn_v.weight",    # Q8_0
    "blk.0.attn_k.weight",    # Q5_0
    "blk.2.ffn_down.weight",  # Q4_K
    "blk.0.ffn_down.weight",  # Q6_K
    "blk.0.attn_q.bias",      # F32
]

# SmolLM2-135M-Instruct (llama): Q4_1, its one Q8_0 tensor, and F32. Q and K
# as stored (still permuted: the Rust test un-permutes and re-permutes them).
SMOLLM2_TENSORS = [
    "blk.0.attn_q.weight",    # Q4_1
    "blk.0.attn_k.weight",    # Q4_1
    "token_embd.weight",      # Q8_0
    "blk.0.attn_norm.weight", # F32
]

TOKENIZER_STRINGS = [
    "Hello, world!",
    "def fibonacci(n: int) -> int:\n    if n < 2:\n        return n\n    return fibonacci(n - 1) + fibonacci(n - 2)\n",
    "<|im_start|>system\nYou are a helpful assistant.<|im_end|>\n<|im_start|>user\nRun the type checker on src/app.py<|im_end|>\n<|im_start|>assistant\n",
    '<tool_call>\n{"name": "typecheck", "arguments": {"path": "src/"}}\n</tool_call>',
    "<|endoftext|><|fim_prefix|>x = 1<|fim_suffix|><|fim_middle|>",
    "    \t\t  \n\n\n   trailing spaces   \n",
    "a\r\nb\rc\n\n\nd",
    "Unicode: naïve café, Grüße, 日本語のテキスト, 한국어, Ελληνικά, русский, emoji 🦀🐍👍🏽",
    "numbers 1234567890 3.14159 1e-10 0xDEADBEEF",
    "I'm sure it's what they'd've wanted, wasn't it? DON'T SHOUT",
    "import os\nfrom pathlib import Path\n\nclass Foo(Base):\n    \"\"\"Docstring.\"\"\"\n    def __init__(self):\n        self.x = {'a': [1, 2, 3]}\n",
    "fn main() { let v: Vec<u8> = vec![0xff; 16]; println!(\"{v:?}\"); }",
    "   leading spaces and a tab\there",
    "",
    " ",
    "<|im_start|><|im_start|>nested<|im_end|>text<tool_call></tool_call>",
    "ALL CAPS AND MiXeD cAsE with   multiple     spaces",
    "zero\u200bwidth and non\u00a0breaking spaces",
    "decomposed: cafe\u0301 n\u0303 (NFC composes these)",
]


def finite_f16(rng, n):
    """n random finite f16 values (subnormals and negatives included) as raw bits."""
    bits = rng.integers(0, 1 << 16, size=n, dtype=np.uint32).astype(np.uint16)
    exp_all_ones = (bits & 0x7C00) == 0x7C00
    bits[exp_all_ones] &= 0xBBFF  # clear one exponent bit: finite
    return bits


def gen_dequant(rng):
    out = OUT / "dequant"
    out.mkdir(parents=True, exist_ok=True)
    manifest = []
    for qtype, n_blocks in DEQUANT_TYPES:
        block_elems, block_bytes = gguf.GGML_QUANT_SIZES[qtype]
        raw = rng.integers(0, 256, size=(n_blocks, block_bytes), dtype=np.uint16).astype(np.uint8)
        if qtype in (T.F16, T.BF16):
            bits = rng.integers(0, 1 << 16, size=n_blocks, dtype=np.uint32).astype(np.uint16)
            exp, man = (0x7C00, 0x03FF) if qtype == T.F16 else (0x7F80, 0x007F)
            nan = ((bits & exp) == exp) & ((bits & man) != 0)
            bits[nan] &= 0xBFFF  # clear the top exponent bit: a finite value
            # Include the edges explicitly: ±0, ±inf, smallest subnormal, max.
            edges = [0x0000, 0x8000, 0x0001, 0x8001]
            edges += [0x7C00, 0xFC00, 0x7BFF, 0x03FF] if qtype == T.F16 else [0x7F80, 0xFF80, 0x7F7F, 0x007F]
            bits[: len(edges)] = edges
            raw = bits.view(np.uint8).reshape(n_blocks, block_bytes)
        elif qtype == T.F32:
            vals = rng.standard_normal(n_blocks).astype(np.float32) * np.float32(3)
            vals[:6] = [0.0, -0.0, np.inf, -np.inf, 1e-45, 3.4028235e38]
            raw = vals.view(np.uint8).reshape(n_blocks, block_bytes)
        else:
            for off in F16_FIELDS[qtype]:
                raw[:, off:off + 2] = finite_f16(rng, n_blocks).view(np.uint8).reshape(n_blocks, 2)
        expected = gguf.quants.dequantize(raw.reshape(-1), qtype).astype(np.float32).reshape(-1)
        assert expected.size == n_blocks * block_elems
        assert not np.isnan(expected).any(), qtype.name
        name = qtype.name.lower()
        (out / f"{name}.bin").write_bytes(raw.tobytes())
        (out / f"{name}.f32").write_bytes(expected.astype("<f4").tobytes())
        manifest.append({"type": qtype.name, "type_id": int(qtype), "blocks": n_blocks,
                         "elements": int(expected.size), "data": f"{name}.bin", "expected": f"{name}.f32"})
    (out / "manifest.json").write_text(json.dumps(
        {"seed": SEED, "reference": f"gguf {gguf_version()} gguf.quants.dequantize", "types": manifest},
        indent=1) + "\n")


def gguf_version():
    from importlib.metadata import version
    return version("gguf")


def f32_list(a):
    # float(np.float32) is exact in a double; JSON's repr round-trips it.
    return [float(x) for x in a]


def gen_real(reader, path, names, out_name, sha256):
    rng = np.random.default_rng(SEED)
    by_name = {t.name: t for t in reader.tensors}
    tensors = []
    for name in names:
        t = by_name[name]
        values = gguf.quants.dequantize(t.data, t.tensor_type).astype(np.float32).reshape(-1)
        n = values.size
        idx = np.sort(rng.choice(n, size=min(64, n), replace=False))
        tensors.append({
            "name": name,
            "type": t.tensor_type.name,
            "shape": [int(d) for d in reversed(t.shape)],
            "head": f32_list(values[:256]),
            "sample_index": [int(i) for i in idx],
            "sample": f32_list(values[idx]),
            "sum": float(values.sum(dtype=np.float64)),
            "sum_abs": float(np.abs(values).sum(dtype=np.float64)),
        })
    counts = {}
    for t in reader.tensors:
        counts[t.tensor_type.name] = counts.get(t.tensor_type.name, 0) + 1
    doc = {
        "file": os.path.basename(path),
        "sha256": sha256,
        "reference": f"gguf {gguf_version()} gguf.quants.dequantize",
        "tensor_count": len(reader.tensors),
        "kv_count": len(reader.fields) - 3,  # GGUFReader adds 3 header pseudo-fields
        "type_counts": counts,
        "data_offset": int(reader.data_offset),
        "tensors": tensors,
    }
    (OUT / out_name).write_text(json.dumps(doc, indent=None) + "\n")


def gen_tokenizer(reader, path, out_name):
    # transformers' GGUF converter, fed the metadata read by gguf-py: its own
    # GGUF reader needs torch, which these fixtures do not.
    from transformers.integrations.gguf.gguf_tokenizer_mapping import (
        GGUF_TOKENIZER_MAPPING, convert_gguf_tokenizer)
    from transformers import __version__ as tf_version

    def field(key):
        f = reader.fields[key]
        if f.types[0] == gguf.GGUFValueType.ARRAY:
            if f.types[-1] == gguf.GGUFValueType.STRING:
                return [bytes(f.parts[i]).decode("utf-8") for i in f.data]
            return [int(f.parts[i][0]) for i in f.data]
        if f.types[0] == gguf.GGUFValueType.STRING:
            return bytes(f.parts[f.data[0]]).decode("utf-8")
        return f.parts[f.data[0]].tolist()[0]

    tok_dict = {name: field(f"tokenizer.{key}")
                for key, name in GGUF_TOKENIZER_MAPPING["tokenizer"].items()
                if f"tokenizer.{key}" in reader.fields}
    backend, _ = convert_gguf_tokenizer(field("general.architecture"), tok_dict)
    # Qwen's own tokenizer.json (what mlx-lm loads for the upstream model)
    # NFC-normalizes; transformers' GGUF converter leaves that out. We follow
    # upstream, so the reference input is NFC-normalized first.
    pre = tok_dict.get("pre_tokenizer_type")
    nfc = pre == "qwen2"
    # transformers has no split rule for `smollm` and falls back to GPT-2's,
    # which differs from SmolLM2's own tokenizer (and llama.cpp) only in
    # splitting digits one by one: compare on text without digits there.
    strings = TOKENIZER_STRINGS
    if pre == "smollm":
        strings = [s for s in strings if not any(unicodedata.category(c).startswith("N") for c in s)]
    lines = []
    for s in strings:
        ids = backend.encode(unicodedata.normalize("NFC", s) if nfc else s, add_special_tokens=False).ids
        lines.append(json.dumps({"text": s, "ids": ids}, ensure_ascii=False))
    head = json.dumps({
        "file": os.path.basename(path),
        "reference": f"transformers {tf_version} convert_gguf_tokenizer, tokenizers encode(add_special_tokens=False)",
        "pre": pre,
        "normalizer": "NFC" if nfc else None,
    }, ensure_ascii=False)
    body = head[:-1] + ', "cases": [\n' + ",\n".join(lines) + "\n]}\n"
    json.loads(body)
    (OUT / out_name).write_text(body)


def main():
    default = Path(os.environ.get("PUNIE_CACHE", Path.home() / ".cache" / "punie-eval")) \
        / "models" / "qwen2.5-coder-0.5b-instruct.gguf"
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--gguf", type=Path, default=default)
    ap.add_argument("--smollm2", type=Path, default=default.parent / "smollm2-135m-instruct.q4_1.gguf")
    args = ap.parse_args()
    OUT.mkdir(parents=True, exist_ok=True)
    gen_dequant(np.random.default_rng(SEED))
    for path, script in [(args.gguf, "fetch-default-model.sh"), (args.smollm2, "fetch-smollm2.sh")]:
        if not path.exists():
            sys.exit(f"{path} not found: run scripts/{script} first")
    reader = gguf.GGUFReader(args.gguf)
    gen_real(reader, args.gguf, REAL_TENSORS, "real_tensors.json",
             "1d9614638d18024d0fbb36575a15f1302a3adf044df10345688ec4f6e1c4ff32")
    gen_tokenizer(reader, args.gguf, "tokenizer_ids.json")
    reader = gguf.GGUFReader(args.smollm2)
    gen_real(reader, args.smollm2, SMOLLM2_TENSORS, "smollm2_tensors.json",
             "b179c9523d0e6a0f98a330c7562b682750a6f8c8c15e5bc70ea373728110db53")
    gen_tokenizer(reader, args.smollm2, "smollm2_tokenizer_ids.json")
    total = sum(p.stat().st_size for p in OUT.rglob("*") if p.is_file())
    print(f"wrote {OUT} ({total} bytes)")


if __name__ == "__main__":
    main()
