//! GGUF → MLX import on small synthetic models written by our GGUF writer:
//! names and layouts per architecture (llama's Q/K un-permute included),
//! config.json, tokenizer files, sharded safetensors read back with the
//! `safetensors` crate, and the no-half-written-folder guarantee.

use punie_eval::gguf::names::{self, Arch};
use punie_eval::gguf::sink::{SinkError, StoredTensor};
use punie_eval::gguf::{
    write_mlx_folder, write_mlx_folder_with, FloatType, FolderOptions, GgufError, GgufModel,
    GgufWriter, MlxTensor, TensorSink, Unquantized, Value, ValueType,
};
use safetensors::SafeTensors;
use serde_json::Value as Json;
use std::collections::BTreeMap;
use std::path::Path;

const HIDDEN: u64 = 8;
const HEADS: u64 = 2;
const KV_HEADS: u64 = 1;
const HEAD_DIM: u64 = HIDDEN / HEADS;
const FF: u64 = 32;
const VOCAB: u64 = 16;

/// Deterministic distinct values so any misplaced element shows.
fn values(seed: u64, n: u64) -> Vec<f32> {
    (0..n).map(|i| (seed * 1000 + i) as f32 / 64.0).collect()
}

/// llama.cpp's `permute` (convert_hf_to_gguf.py), applied to HF row-major rows.
fn permute(w: &[f32], rows: usize, n_head: usize) -> Vec<f32> {
    let cols = w.len() / rows;
    let hd = rows / n_head;
    let mut out = vec![0.0; w.len()];
    for h in 0..n_head {
        for i in 0..2 {
            for j in 0..hd / 2 {
                let hf = h * hd + i * (hd / 2) + j;
                let gg = h * hd + 2 * j + i;
                out[gg * cols..(gg + 1) * cols].copy_from_slice(&w[hf * cols..(hf + 1) * cols]);
            }
        }
    }
    out
}

/// A tiny byte-level BPE vocabulary: the 256 byte symbols would be too many
/// for a unit test, so use a handful of tokens plus two specials.
fn tokenizer_kvs(w: GgufWriter, pre: &str) -> GgufWriter {
    let mut toks: Vec<String> = ["a", "b", "ab", "Ġ", "Ġa", "c", "d", "e", "f", "g", "h", "i"]
        .iter()
        .map(|s| s.to_string())
        .collect();
    toks.push("<|endoftext|>".into());
    toks.push("<|im_start|>".into());
    toks.push("<|im_end|>".into());
    toks.push("<tool_call>".into());
    let mut types = vec![1; 12];
    types.extend([3, 3, 3, 4]);
    w.kv_str("tokenizer.ggml.model", "gpt2")
        .kv_str("tokenizer.ggml.pre", pre)
        .kv_strings("tokenizer.ggml.tokens", &toks)
        .kv_i32s("tokenizer.ggml.token_type", &types)
        .kv_strings("tokenizer.ggml.merges", &["a b", "Ġ a"])
        .kv_u32("tokenizer.ggml.bos_token_id", 12)
        .kv_u32("tokenizer.ggml.eos_token_id", 14)
        .kv_u32("tokenizer.ggml.padding_token_id", 12)
        .kv("tokenizer.ggml.add_bos_token", Value::Bool(false))
        .kv_str("tokenizer.chat_template", "{{ messages[0]['content'] }}")
}

/// A 1-layer model of `arch` with every tensor mlx-lm expects.
/// mlx name → (shape, values in Hugging Face layout).
type Expected = BTreeMap<String, (Vec<u64>, Vec<f32>)>;

fn tiny(arch: &str) -> (GgufWriter, Expected) {
    tiny_with(arch, Dims::default())
}

/// Sizes of a synthetic model: the default is tiny; `--bits` needs rows of
/// at least one quantization group (64).
#[derive(Clone, Copy)]
struct Dims {
    hidden: u64,
    heads: u64,
    kv_heads: u64,
    ff: u64,
}

impl Default for Dims {
    fn default() -> Self {
        Dims {
            hidden: HIDDEN,
            heads: HEADS,
            kv_heads: KV_HEADS,
            ff: FF,
        }
    }
}

fn tiny_with(arch: &str, d: Dims) -> (GgufWriter, Expected) {
    let head_dim = d.hidden / d.heads;
    let a = arch;
    let mut w = GgufWriter::new()
        .kv_str("general.architecture", a)
        .kv_u32(&format!("{a}.block_count"), 1)
        .kv_u32(&format!("{a}.embedding_length"), d.hidden as u32)
        .kv_u32(&format!("{a}.feed_forward_length"), d.ff as u32)
        .kv_u32(&format!("{a}.attention.head_count"), d.heads as u32)
        .kv_u32(&format!("{a}.attention.head_count_kv"), d.kv_heads as u32)
        .kv_f32(&format!("{a}.attention.layer_norm_rms_epsilon"), 1e-6)
        .kv_f32(&format!("{a}.rope.freq_base"), 500000.0)
        .kv_u32(&format!("{a}.context_length"), 2048);
    w = tokenizer_kvs(w, "qwen2");
    let moe = arch == "qwen3moe";
    if moe {
        w = w
            .kv_u32(&format!("{a}.expert_count"), 4)
            .kv_u32(&format!("{a}.expert_used_count"), 2)
            .kv_u32(&format!("{a}.expert_feed_forward_length"), 16);
    }
    // (gguf name, ggml dims, expected mlx name): data is written as HF rows.
    let mut spec: Vec<(&str, Vec<u64>, &str)> = vec![
        (
            "token_embd.weight",
            vec![d.hidden, VOCAB],
            "model.embed_tokens.weight",
        ),
        ("output_norm.weight", vec![d.hidden], "model.norm.weight"),
        (
            "blk.0.attn_norm.weight",
            vec![d.hidden],
            "model.layers.0.input_layernorm.weight",
        ),
        (
            "blk.0.ffn_norm.weight",
            vec![d.hidden],
            "model.layers.0.post_attention_layernorm.weight",
        ),
        (
            "blk.0.attn_q.weight",
            vec![d.hidden, d.heads * head_dim],
            "model.layers.0.self_attn.q_proj.weight",
        ),
        (
            "blk.0.attn_k.weight",
            vec![d.hidden, d.kv_heads * head_dim],
            "model.layers.0.self_attn.k_proj.weight",
        ),
        (
            "blk.0.attn_v.weight",
            vec![d.hidden, d.kv_heads * head_dim],
            "model.layers.0.self_attn.v_proj.weight",
        ),
        (
            "blk.0.attn_output.weight",
            vec![d.heads * head_dim, d.hidden],
            "model.layers.0.self_attn.o_proj.weight",
        ),
    ];
    if arch == "qwen2" {
        spec.push(("output.weight", vec![d.hidden, VOCAB], "lm_head.weight"));
        spec.push((
            "blk.0.attn_q.bias",
            vec![d.heads * head_dim],
            "model.layers.0.self_attn.q_proj.bias",
        ));
        spec.push((
            "blk.0.attn_k.bias",
            vec![d.kv_heads * head_dim],
            "model.layers.0.self_attn.k_proj.bias",
        ));
        spec.push((
            "blk.0.attn_v.bias",
            vec![d.kv_heads * head_dim],
            "model.layers.0.self_attn.v_proj.bias",
        ));
    }
    if arch.starts_with("qwen3") {
        spec.push((
            "blk.0.attn_q_norm.weight",
            vec![head_dim],
            "model.layers.0.self_attn.q_norm.weight",
        ));
        spec.push((
            "blk.0.attn_k_norm.weight",
            vec![head_dim],
            "model.layers.0.self_attn.k_norm.weight",
        ));
    }
    if moe {
        spec.push((
            "blk.0.ffn_gate_inp.weight",
            vec![d.hidden, 4],
            "model.layers.0.mlp.gate.weight",
        ));
        spec.push((
            "blk.0.ffn_gate_exps.weight",
            vec![d.hidden, 16, 4],
            "model.layers.0.mlp.switch_mlp.gate_proj.weight",
        ));
        spec.push((
            "blk.0.ffn_up_exps.weight",
            vec![d.hidden, 16, 4],
            "model.layers.0.mlp.switch_mlp.up_proj.weight",
        ));
        spec.push((
            "blk.0.ffn_down_exps.weight",
            vec![16, d.hidden, 4],
            "model.layers.0.mlp.switch_mlp.down_proj.weight",
        ));
    } else {
        spec.push((
            "blk.0.ffn_gate.weight",
            vec![d.hidden, d.ff],
            "model.layers.0.mlp.gate_proj.weight",
        ));
        spec.push((
            "blk.0.ffn_up.weight",
            vec![d.hidden, d.ff],
            "model.layers.0.mlp.up_proj.weight",
        ));
        spec.push((
            "blk.0.ffn_down.weight",
            vec![d.ff, d.hidden],
            "model.layers.0.mlp.down_proj.weight",
        ));
    }
    let mut expected = BTreeMap::new();
    for (seed, (gname, dims, mlx)) in spec.into_iter().enumerate() {
        let n: u64 = dims.iter().product();
        let hf = values(seed as u64 + 1, n);
        let rows = dims.last().copied().unwrap() as usize;
        let stored = match (arch, gname) {
            ("llama", "blk.0.attn_q.weight") => permute(&hf, rows, d.heads as usize),
            ("llama", "blk.0.attn_k.weight") => permute(&hf, rows, d.kv_heads as usize),
            _ => hf.clone(),
        };
        w = w.tensor_f32(gname, &dims, &stored).unwrap();
        expected.insert(mlx.to_string(), (dims.iter().rev().copied().collect(), hf));
    }
    (w, expected)
}

fn model_for(dir: &Path, w: &GgufWriter) -> GgufModel {
    let p = dir.join("m.gguf");
    w.write(&p).unwrap();
    GgufModel::open(&p).unwrap()
}

#[test]
fn every_architecture_maps_names_shapes_and_values() {
    for arch in ["qwen2", "qwen3", "qwen3moe", "llama"] {
        let dir = tempfile::tempdir().unwrap();
        let (w, expected) = tiny(arch);
        let model = model_for(dir.path(), &w);
        assert_eq!(model.arch().gguf_name(), arch);
        let mut got = BTreeMap::new();
        for t in model.tensors() {
            let t: MlxTensor = t.unwrap();
            got.insert(
                t.name.clone(),
                (
                    t.shape.iter().map(|&d| d as u64).collect::<Vec<_>>(),
                    t.data,
                ),
            );
        }
        assert_eq!(
            got.keys().collect::<Vec<_>>(),
            expected.keys().collect::<Vec<_>>(),
            "{arch}"
        );
        for (name, want) in &expected {
            assert_eq!(&got[name], want, "{arch} {name}");
        }
    }
}

#[test]
fn unpermute_inverts_llama_cpp_permute() {
    let w = values(3, 12 * 5);
    for heads in [1, 2, 3, 6] {
        let back = names::unpermute_rows(&permute(&w, 12, heads), 12, heads).unwrap();
        assert_eq!(back, w, "{heads} heads");
    }
    // The permutation is not the identity, so the test above can fail.
    assert_ne!(permute(&w, 12, 2), w);
    assert!(names::unpermute_rows(&w, 12, 5).is_err());
    assert!(names::unpermute_rows(&w, 12, 0).is_err());
    assert!(names::unpermute_rows(&[], 0, 2).is_err());
}

#[test]
fn config_json_per_architecture() {
    for arch in ["qwen2", "qwen3", "qwen3moe", "llama"] {
        let dir = tempfile::tempdir().unwrap();
        let (w, _) = tiny(arch);
        let model = model_for(dir.path(), &w);
        let c = model.config().config_json("float16");
        assert_eq!(c["model_type"], Arch::from_gguf(arch).unwrap().model_type());
        assert_eq!(c["hidden_size"], HIDDEN);
        assert_eq!(c["num_hidden_layers"], 1);
        assert_eq!(c["num_attention_heads"], HEADS);
        assert_eq!(c["num_key_value_heads"], KV_HEADS);
        assert_eq!(c["head_dim"], HEAD_DIM);
        assert_eq!(c["intermediate_size"], FF);
        assert_eq!(c["rms_norm_eps"], 1e-6, "printed as written, not 9.99e-7");
        assert_eq!(c["rope_theta"], 500000.0);
        assert_eq!(c["max_position_embeddings"], 2048);
        assert_eq!(c["vocab_size"], VOCAB);
        assert_eq!(c["tie_word_embeddings"], arch != "qwen2", "{arch}");
        assert_eq!(c["torch_dtype"], "float16");
        // <|im_end|> is eos; <|endoftext|> also ends generation (a control token).
        assert_eq!(c["eos_token_id"], serde_json::json!([14, 12]));
        match arch {
            "qwen3moe" => {
                assert_eq!(c["num_experts"], 4);
                assert_eq!(c["num_experts_per_tok"], 2);
                assert_eq!(c["moe_intermediate_size"], 16);
                assert_eq!(c["norm_topk_prob"], true);
            }
            "llama" => assert_eq!(c["attention_bias"], false),
            _ => assert!(c.get("num_experts").is_none()),
        }
    }
}

/// The importer's config.json (written from `gguf::HyperParams`) reads back
/// through the runtime's reader (`model::config::ModelConfig`) with the
/// same values: the two types are two views of one file, and must agree.
#[cfg(feature = "mlx")]
#[test]
fn imported_config_json_loads_through_the_runtime_reader() {
    use punie_eval::model::config::ModelConfig;
    let n = |v: u64| i32::try_from(v).unwrap();
    for arch in ["qwen2", "qwen3", "qwen3moe", "llama"] {
        let dir = tempfile::tempdir().unwrap();
        let (w, _) = tiny(arch);
        let model = model_for(dir.path(), &w);
        let out = dir.path().join("mlx");
        write_mlx_folder(&model, &out, &mut Unquantized(FloatType::F16)).unwrap();
        let hp = model.config();
        let rt = ModelConfig::load(&out).unwrap_or_else(|e| panic!("{arch}: {e}"));
        assert_eq!(rt.arch, hp.arch, "{arch}");
        assert_eq!(rt.hidden_size, n(hp.hidden_size), "{arch}");
        assert_eq!(rt.num_hidden_layers, n(hp.num_hidden_layers), "{arch}");
        assert_eq!(rt.intermediate_size, n(hp.intermediate_size), "{arch}");
        assert_eq!(rt.num_attention_heads, n(hp.num_attention_heads), "{arch}");
        assert_eq!(rt.num_key_value_heads, n(hp.num_key_value_heads), "{arch}");
        assert_eq!(rt.head_dim, n(hp.head_dim), "{arch}");
        assert_eq!(rt.vocab_size, n(hp.vocab_size), "{arch}");
        assert_eq!(rt.rms_norm_eps, hp.rms_norm_eps as f32, "{arch}");
        assert_eq!(rt.rope_theta, hp.rope_theta as f32, "{arch}");
        assert_eq!(rt.rope_scale, 1.0, "{arch}");
        assert_eq!(rt.tie_word_embeddings, hp.tie_word_embeddings, "{arch}");
        assert_eq!(rt.attention_bias, hp.attention_bias, "{arch}");
        let eos: Vec<u32> = hp.eos_token_ids.iter().map(|&t| t as u32).collect();
        assert_eq!(rt.eos_token_ids, eos, "{arch}");
        assert!(
            rt.quantization.default.is_none(),
            "{arch}: stored unquantized"
        );
        match &hp.moe {
            Some(moe) => {
                assert_eq!(rt.num_experts, n(moe.num_experts), "{arch}");
                assert_eq!(rt.num_experts_per_tok, n(moe.num_experts_per_tok), "{arch}");
                assert_eq!(
                    rt.moe_intermediate_size,
                    n(moe.moe_intermediate_size),
                    "{arch}"
                );
                assert!(rt.norm_topk_prob, "{arch}");
                assert!(rt.is_moe_layer(0), "{arch}");
            }
            None => assert!(!rt.is_moe_layer(0), "{arch}"),
        }
    }
}

fn read_json(p: &Path) -> Json {
    serde_json::from_str(&std::fs::read_to_string(p).unwrap()).unwrap()
}

/// Every tensor in the folder's shards, as (dtype, shape, bytes).
fn read_folder(dir: &Path) -> BTreeMap<String, (safetensors::Dtype, Vec<usize>, Vec<u8>)> {
    let mut all = BTreeMap::new();
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.extension().is_some_and(|x| x == "safetensors") {
            let bytes = std::fs::read(&p).unwrap();
            let (_, meta) = SafeTensors::read_metadata(&bytes).unwrap();
            assert_eq!(meta.metadata().as_ref().unwrap()["format"], "mlx");
            let st = SafeTensors::deserialize(&bytes).unwrap();
            for (name, view) in st.tensors() {
                let old = all.insert(
                    name.clone(),
                    (view.dtype(), view.shape().to_vec(), view.data().to_vec()),
                );
                assert!(old.is_none(), "{name} in two shards");
            }
        }
    }
    all
}

#[test]
fn folder_round_trips_through_safetensors_in_every_float_type() {
    for ty in [FloatType::F32, FloatType::F16, FloatType::BF16] {
        let dir = tempfile::tempdir().unwrap();
        let (w, expected) = tiny("qwen2");
        let model = model_for(dir.path(), &w);
        let out = dir.path().join("mlx");
        let summary = write_mlx_folder(&model, &out, &mut Unquantized(ty)).unwrap();
        assert_eq!(summary.shards, ["model.safetensors"]);
        assert_eq!(summary.tensors_out, expected.len());
        let tensors = read_folder(&out);
        for (name, (shape, vals)) in &expected {
            let (dtype, got_shape, bytes) = &tensors[name];
            assert_eq!(*dtype, ty.dtype());
            assert_eq!(
                got_shape.iter().map(|&d| d as u64).collect::<Vec<_>>(),
                *shape
            );
            assert_eq!(bytes, &punie_eval::gguf::sink::encode(vals, ty), "{name}");
        }
        let cfg = read_json(&out.join("config.json"));
        assert_eq!(cfg["torch_dtype"], ty.torch_name());
        let tc = read_json(&out.join("tokenizer_config.json"));
        assert_eq!(tc["chat_template"], "{{ messages[0]['content'] }}");
        assert_eq!(tc["eos_token"], "<|im_end|>");
        assert_eq!(tc["bos_token"], "<|endoftext|>");
        let gc = read_json(&out.join("generation_config.json"));
        assert_eq!(gc["eos_token_id"], serde_json::json!([14, 12]));
        // No partial directory is left beside the result.
        let leftovers: Vec<_> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|n| n.starts_with('.'))
            .collect();
        assert!(leftovers.is_empty(), "{leftovers:?}");
    }
}

#[test]
fn shards_split_by_size_with_an_index() {
    let dir = tempfile::tempdir().unwrap();
    let (w, expected) = tiny("qwen3moe");
    let model = model_for(dir.path(), &w);
    let out = dir.path().join("mlx");
    let opts = FolderOptions {
        max_shard_bytes: 1024,
    };
    let summary =
        write_mlx_folder_with(&model, &out, &mut Unquantized(FloatType::F32), &opts).unwrap();
    assert!(summary.shards.len() > 2, "{:?}", summary.shards);
    let n = summary.shards.len();
    assert_eq!(
        summary.shards[0],
        format!("model-00001-of-{n:05}.safetensors")
    );
    let index = read_json(&out.join("model.safetensors.index.json"));
    let map = index["weight_map"].as_object().unwrap();
    assert_eq!(map.len(), expected.len());
    let tensors = read_folder(&out);
    let total: usize = tensors.values().map(|(_, _, b)| b.len()).sum();
    assert_eq!(index["metadata"]["total_size"], total);
    for (name, file) in map {
        let bytes = std::fs::read(out.join(file.as_str().unwrap())).unwrap();
        let st = SafeTensors::deserialize(&bytes).unwrap();
        assert!(st.tensor(name).is_ok(), "{name} not in {file}");
        // Each shard is at most the limit unless one tensor alone exceeds it.
        let data_len =
            bytes.len() - 8 - u64::from_le_bytes(bytes[..8].try_into().unwrap()) as usize;
        assert!(
            data_len <= 1024 || st.len() == 1,
            "{file}: {data_len} bytes"
        );
    }
}

/// A sink that fails on the Nth tensor, like a re-quantizer hitting a bad shape.
struct FailAt(usize, usize);

impl TensorSink for FailAt {
    fn convert(&mut self, t: MlxTensor) -> Result<Vec<StoredTensor>, SinkError> {
        self.1 += 1;
        if self.1 == self.0 {
            return Err("injected failure".into());
        }
        Unquantized(FloatType::F16).convert(t)
    }
    fn torch_dtype(&self) -> &'static str {
        "float16"
    }
}

#[test]
fn a_failed_conversion_leaves_no_folder_behind() {
    let dir = tempfile::tempdir().unwrap();
    let (w, _) = tiny("qwen3");
    let model = model_for(dir.path(), &w);
    let out = dir.path().join("mlx");
    let err = write_mlx_folder(&model, &out, &mut FailAt(5, 0)).unwrap_err();
    let msg = err.to_string();
    assert!(
        msg.contains("injected failure") && msg.contains("tensor 'blk.0."),
        "{msg}"
    );
    assert!(!out.exists());
    let entries: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(entries, ["m.gguf"], "only the input remains");

    // An existing output folder is never overwritten.
    std::fs::create_dir(&out).unwrap();
    let msg = write_mlx_folder(&model, &out, &mut Unquantized(FloatType::F16))
        .unwrap_err()
        .to_string();
    assert!(msg.contains("already exists"), "{msg}");
}

/// Lost disk (issue #15): an import killed mid-way (no drop guard ran)
/// leaves `.NAME.partial-PID-N`; the next import to that name removes it
/// when PID is gone, and leaves a live import's folder alone.
#[cfg(target_os = "linux")]
#[test]
fn an_interrupted_imports_partial_folder_is_removed_by_the_next_import() {
    let dir = tempfile::tempdir().unwrap();
    let (w, _) = tiny("qwen3");
    let model = model_for(dir.path(), &w);
    let dead = dir.path().join(".mlx.partial-4000000000-0");
    let live = dir
        .path()
        .join(format!(".mlx.partial-{}-99", std::process::id()));
    for d in [&dead, &live] {
        std::fs::create_dir(d).unwrap();
        std::fs::write(d.join("model.safetensors"), vec![0u8; 4096]).unwrap();
    }
    let out = dir.path().join("mlx");
    write_mlx_folder(&model, &out, &mut Unquantized(FloatType::F16)).unwrap();
    assert!(out.join("config.json").is_file());
    assert!(!dead.exists(), "the dead import's partial folder stays");
    assert!(live.exists(), "a live import's partial folder was removed");
}

#[test]
fn unsupported_architecture_tensor_and_tokenizer_are_named() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("x.gguf");
    GgufWriter::new()
        .kv_str("general.architecture", "mamba")
        .write(&p)
        .unwrap();
    let err = GgufModel::open(&p).unwrap_err();
    assert!(matches!(err, GgufError::UnsupportedArchitecture { .. }));
    let msg = err.to_string();
    assert!(
        msg.contains("'mamba'")
            && msg.contains("qwen2, qwen3, qwen3moe, llama")
            && msg.contains("x.gguf"),
        "{msg}"
    );

    let (w, _) = tiny("qwen2");
    let w = w
        .tensor_f32("blk.0.ssm_conv.weight", &[4], &[0.0; 4])
        .unwrap();
    w.write(&p).unwrap();
    let msg = GgufModel::open(&p).unwrap_err().to_string();
    assert!(
        msg.contains("'blk.0.ssm_conv.weight'") && msg.contains("qwen2"),
        "{msg}"
    );

    let (w, _) = tiny("qwen2");
    let w = w.kv_str("tokenizer.ggml.pre", "mystery");
    w.write(&p).unwrap();
    // The duplicate key is refused by the reader itself.
    assert!(GgufModel::open(&p)
        .unwrap_err()
        .to_string()
        .contains("appears twice"));
    let (w, _) = tiny("llama");
    let mut bytes = w.to_bytes();
    let at = bytes.windows(5).position(|s| s == b"qwen2").unwrap();
    bytes[at..at + 5].copy_from_slice(b"qwenX");
    std::fs::write(&p, bytes).unwrap();
    let model = GgufModel::open(&p).unwrap();
    let msg = write_mlx_folder(
        &model,
        &dir.path().join("o"),
        &mut Unquantized(FloatType::F16),
    )
    .unwrap_err()
    .to_string();
    assert!(
        msg.contains("tokenizer.ggml.pre is 'qwenX'") && msg.contains("supported: qwen2"),
        "{msg}"
    );
    assert!(!dir.path().join("o").exists());
}

#[test]
fn tokenizer_json_loads_in_the_tokenizers_crate_and_encodes() {
    let dir = tempfile::tempdir().unwrap();
    let (w, _) = tiny("qwen2");
    let model = model_for(dir.path(), &w);
    let out = dir.path().join("mlx");
    write_mlx_folder(&model, &out, &mut Unquantized(FloatType::F16)).unwrap();
    let tok = tokenizers::Tokenizer::from_file(out.join("tokenizer.json")).unwrap();
    let ids = tok
        .encode("ab a<|im_start|>ba<tool_call>", false)
        .unwrap()
        .get_ids()
        .to_vec();
    // "ab" merges, " a" merges to "Ġa", specials stay whole, "ba" does not merge.
    assert_eq!(ids, [2, 4, 13, 1, 0, 15]);
    let added = read_json(&out.join("tokenizer.json"))["added_tokens"].clone();
    let specials: Vec<_> = added
        .as_array()
        .unwrap()
        .iter()
        .map(|t| (t["id"].as_u64().unwrap(), t["special"].as_bool().unwrap()))
        .collect();
    assert_eq!(specials, [(12, true), (13, true), (14, true), (15, false)]);
    let _ = ValueType::String;
}

/// Converts `$PUNIE_GGUF_IN` to `$PUNIE_MLX_OUT` (f16), for checking a real
/// file by hand with mlx-lm until `punie-eval model import-gguf` lands.
#[test]
#[ignore = "manual: needs PUNIE_GGUF_IN and PUNIE_MLX_OUT"]
fn convert_file_from_env() {
    let (Some(input), Some(out)) = (
        std::env::var_os("PUNIE_GGUF_IN"),
        std::env::var_os("PUNIE_MLX_OUT"),
    ) else {
        panic!("set PUNIE_GGUF_IN and PUNIE_MLX_OUT");
    };
    let model = GgufModel::open(&input).unwrap();
    let s = write_mlx_folder(&model, Path::new(&out), &mut Unquantized(FloatType::F16)).unwrap();
    eprintln!("{s:?}");
}

/// `model import-gguf --bits 4|5|8` through the binary: config.json records
/// the quantization, each matrix is stored as packed weight + scales +
/// biases whose dequantized values lie within half a quantization step of
/// the GGUF's values (group by group), norms stay unquantized, and the
/// folder loads and generates.
#[cfg(feature = "mlx")]
#[test]
fn import_requantizes_to_4_5_and_8_bits_within_half_a_step() {
    use mlx_rs::Array;
    let dims = Dims {
        hidden: 64,
        heads: 2,
        kv_heads: 1,
        ff: 128,
    };
    let (w, expected) = tiny_with("qwen3", dims);
    let tmp = tempfile::tempdir().unwrap();
    let gguf = tmp.path().join("m.gguf");
    w.write(&gguf).unwrap();
    for bits in [4u32, 5, 8] {
        let out = tmp.path().join(format!("q{bits}"));
        let o = std::process::Command::new(env!("CARGO_BIN_EXE_punie-eval"))
            .args(["model", "import-gguf"])
            .arg(&gguf)
            .arg(&out)
            .args(["--bits", &bits.to_string()])
            .output()
            .unwrap();
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        let cfg = read_json(&out.join("config.json"));
        assert_eq!(cfg["quantization"]["bits"], bits);
        assert_eq!(cfg["quantization"]["group_size"], 64);
        let files = read_folder(&out);
        assert!(files.contains_key("model.layers.0.input_layernorm.weight"));
        assert!(!files.contains_key("model.layers.0.input_layernorm.scales"));
        let f32s = |name: &str| -> (Vec<f32>, Vec<i32>) {
            let (dtype, shape, bytes) = &files[name];
            assert_eq!(*dtype, safetensors::Dtype::F32, "{name}");
            let v = bytes
                .chunks_exact(4)
                .map(|c| f32::from_le_bytes(c.try_into().unwrap()))
                .collect();
            (v, shape.iter().map(|&d| d as i32).collect())
        };
        for m in ["self_attn.q_proj", "self_attn.o_proj", "mlp.down_proj"] {
            let name = format!("model.layers.0.{m}");
            let (packed_dtype, pshape, pbytes) = &files[&format!("{name}.weight")];
            assert_eq!(*packed_dtype, safetensors::Dtype::U32, "{name}");
            let packed: Vec<u32> = pbytes
                .chunks_exact(4)
                .map(|c| u32::from_le_bytes(c.try_into().unwrap()))
                .collect();
            let pshape: Vec<i32> = pshape.iter().map(|&d| d as i32).collect();
            let (scales, sshape) = f32s(&format!("{name}.scales"));
            let (biases, _) = f32s(&format!("{name}.biases"));
            let biases = Array::from_slice(&biases, &sshape);
            let deq = mlx_rs::ops::dequantize(
                Array::from_slice(&packed, &pshape),
                Array::from_slice(&scales, &sshape),
                &biases,
                64,
                bits as i32,
            )
            .unwrap();
            deq.eval().unwrap();
            let got: Vec<f32> = deq.as_slice::<f32>().to_vec();
            let (shape, want) = &expected[&format!("{name}.weight")];
            assert_eq!(got.len(), want.len(), "{name}");
            assert_eq!(deq.shape()[0] as u64, shape[0], "{name}");
            for (g, (gw, ww)) in got.chunks(64).zip(want.chunks(64)).enumerate() {
                let (lo, hi) = ww
                    .iter()
                    .fold((f32::MAX, f32::MIN), |(l, h), &x| (l.min(x), h.max(x)));
                let step = (hi - lo) / ((1u32 << bits) - 1) as f32;
                let worst = gw
                    .iter()
                    .zip(ww)
                    .map(|(a, b)| (a - b).abs())
                    .fold(0.0f32, f32::max);
                assert!(
                    worst <= step * 0.51 + 1e-6,
                    "{bits}-bit {name} group {g}: error {worst} > half a step {}",
                    step / 2.0
                );
            }
        }
        let mut model = punie_eval::model::Model::load(&out).unwrap();
        let ids = punie_eval::model::generate::greedy(&mut model, &[1, 2, 3], 4).unwrap();
        assert_eq!(ids.len(), 4);
    }
}
