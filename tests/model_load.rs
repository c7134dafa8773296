//! Loading MLX model folders: synthesized models load and generate, and every
//! class of bad folder gives an error naming the file and the tensor or key.
#![cfg(feature = "mlx")]

use punie_eval::gguf::sink::FloatType;
use punie_eval::model::{generate, Model};
use punie_eval::provision::synth::{synthesize, Preset, Spec};
use std::path::{Path, PathBuf};

use crate::cli_support;
use cli_support::tokenizer_dir;

fn synth(arch: &str, bits: Option<i32>, out: &Path) -> PathBuf {
    synth_as(arch, bits, FloatType::F32, out)
}

fn synth_as(arch: &str, bits: Option<i32>, dtype: FloatType, out: &Path) -> PathBuf {
    let spec = Spec {
        arch,
        preset: Preset::Tiny,
        bits,
        dtype,
        seed: 7,
    };
    synthesize(&spec, &tokenizer_dir(), out, &mut |_, _| {}).unwrap()
}

/// Logits as f32 values, evaluated.
fn to_f32(a: mlx_rs::Array) -> Vec<f32> {
    let a = a.as_type::<f32>().unwrap();
    a.eval().unwrap();
    a.as_slice::<f32>().to_vec()
}

fn max_abs_diff(a: &[f32], b: &[f32]) -> f32 {
    a.iter()
        .zip(b)
        .map(|(x, y)| (x - y).abs())
        .fold(0.0f32, f32::max)
}

fn load_err(dir: &Path) -> String {
    match Model::load(dir) {
        Ok(_) => panic!("{} loaded but should not", dir.display()),
        Err(e) => e.to_string(),
    }
}

fn edit_config(dir: &Path, f: impl FnOnce(&mut serde_json::Map<String, serde_json::Value>)) {
    let p = dir.join("config.json");
    let mut v: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&p).unwrap()).unwrap();
    f(v.as_object_mut().unwrap());
    std::fs::write(&p, v.to_string()).unwrap();
}

#[test]
fn synthesized_models_of_every_arch_load_and_generate_deterministically() {
    let tmp = tempfile::tempdir().unwrap();
    for (arch, bits) in [
        ("qwen3_moe", Some(4)),
        ("qwen3", None),
        ("qwen2", Some(8)),
        ("llama", Some(5)),
    ] {
        let dir = synth(arch, bits, &tmp.path().join(arch));
        let mut m = Model::load(&dir).unwrap();
        assert_eq!(m.config.arch.model_type(), arch);
        let a = generate::greedy(&mut m, &[151644, 872, 198, 9707], 6).unwrap();
        let b = generate::greedy(&mut m, &[151644, 872, 198, 9707], 6).unwrap();
        assert_eq!(a.len(), 6);
        assert_eq!(a, b, "{arch}: greedy decoding must be deterministic");
        let info = punie_eval::model::info::model_info(&dir).unwrap();
        assert_eq!(info.model_type, arch);
        assert_eq!(info.quantization.map(|q| q.0), bits);
    }
}

#[test]
fn bad_folders_name_the_file_and_the_tensor_or_key() {
    let tmp = tempfile::tempdir().unwrap();
    let good = synth("qwen3", Some(4), &tmp.path().join("good"));
    let copy = |name: &str| {
        let d = tmp.path().join(name);
        std::fs::create_dir_all(&d).unwrap();
        for e in std::fs::read_dir(&good).unwrap() {
            let p = e.unwrap().path();
            std::fs::copy(&p, d.join(p.file_name().unwrap())).unwrap();
        }
        d
    };

    // Unknown architecture: lists the supported ones.
    let d = copy("arch");
    edit_config(&d, |c| {
        c.insert("model_type".into(), "mamba".into());
    });
    let e = load_err(&d);
    assert!(
        e.contains("config.json") && e.contains("mamba") && e.contains("qwen3_moe"),
        "{e}"
    );

    // Unsupported quantization.
    let d = copy("bits");
    edit_config(&d, |c| {
        c.insert(
            "quantization".into(),
            serde_json::json!({"bits": 7, "group_size": 64}),
        );
    });
    let e = load_err(&d);
    assert!(e.contains("bits 7"), "{e}");

    // More layers than the weights hold: the missing tensor is named.
    let d = copy("layers");
    edit_config(&d, |c| {
        c.insert("num_hidden_layers".into(), 3.into());
    });
    let e = load_err(&d);
    assert!(e.contains("model.layers.2."), "{e}");

    // A shape that disagrees with the config.
    let d = copy("shape");
    edit_config(&d, |c| {
        c.insert("num_key_value_heads".into(), 4.into());
    });
    let e = load_err(&d);
    assert!(e.contains("k_proj") && e.contains("shape"), "{e}");

    // A truncated shard: the file is named, nothing crashes.
    let d = copy("truncated");
    let shard = std::fs::read_dir(&d)
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.extension().is_some_and(|x| x == "safetensors"))
        .unwrap();
    let len = std::fs::metadata(&shard).unwrap().len();
    let f = std::fs::OpenOptions::new()
        .write(true)
        .open(&shard)
        .unwrap();
    f.set_len(len / 2).unwrap();
    let e = load_err(&d);
    assert!(
        e.contains(&shard.display().to_string()) && e.contains("truncated"),
        "{e}"
    );

    // No weights at all.
    let d = tmp.path().join("empty");
    std::fs::create_dir_all(&d).unwrap();
    std::fs::copy(good.join("config.json"), d.join("config.json")).unwrap();
    let e = load_err(&d);
    assert!(e.contains("no *.safetensors"), "{e}");

    // The good one still loads.
    Model::load(&good).unwrap();
}

#[test]
fn stop_strings_end_generation_at_the_first_token_that_completes_one() {
    use punie_eval::chat::stop::{find_stop, StopWatch};
    use punie_eval::chat::Tokenizer;
    use punie_eval::model::generate::{generate, GenerateOptions, StopReason};
    let tmp = tempfile::tempdir().unwrap();
    let dir = synth("qwen3", None, &tmp.path().join("m"));
    let m = Model::load(&dir).unwrap();
    let tok = Tokenizer::from_file(&dir.join("tokenizer.json")).unwrap();
    let prompt = [151644, 872, 198, 9707];
    let opts = GenerateOptions {
        max_tokens: 12,
        ..Default::default()
    };
    let free = generate(&m, &prompt, &opts, &mut m.new_cache(), &mut |_| true)
        .unwrap()
        .0;
    assert_eq!(free.len(), 12);
    // A stop string spanning tokens 4 and 5 of the free-running completion.
    let head = tok.decode(&free[..4]).unwrap();
    let text6 = tok.decode(&free[..6]).unwrap();
    // The last two characters of token 4's text onwards.
    let start = head.char_indices().rev().nth(1).map_or(0, |(i, _)| i);
    let stop = text6[start..].to_string();
    assert!(!stop.is_empty());
    let stops = vec![stop.clone()];
    // Expected: the first prefix whose text contains the stop string.
    let want = (1..=12)
        .find(|&k| find_stop(&tok.decode(&free[..k]).unwrap(), &stops, 0).is_some())
        .unwrap();
    let mut watch = StopWatch::new(&tok, &stops);
    let (got, stats) = generate(&m, &prompt, &opts, &mut m.new_cache(), &mut |t| {
        watch.push(t)
    })
    .unwrap();
    assert_eq!(got, free[..want], "stop {stop:?}");
    assert_eq!(stats.stop_reason, StopReason::Callback);
    let (at, s) = watch.hit().expect("the stop string matched");
    assert_eq!(s, stop);
    assert_eq!(at, tok.decode(&got).unwrap().find(&stop).unwrap());
}

/// A long prefill takes the MoE's sorted-rows path (≥ 64 token-expert rows,
/// as mlx-lm's SwitchGLU), one token at a time the unsorted one: the last
/// position's logits must agree, or the sort/unsort permutation is wrong.
#[test]
fn moe_sorted_prefill_matches_token_by_token_decoding() {
    let tmp = tempfile::tempdir().unwrap();
    for bits in [None, Some(4)] {
        let dir = synth("qwen3_moe", bits, &tmp.path().join(format!("m{bits:?}")));
        let m = Model::load(&dir).unwrap();
        let prompt: Vec<u32> = (0..40).map(|i| 100 + 37 * i).collect(); // 40 × top-2 = 80 rows
        let whole = to_f32(m.forward_last(&prompt, &mut m.new_cache()).unwrap());
        let mut cache = m.new_cache();
        let mut last = Vec::new();
        for &t in &prompt {
            last = to_f32(m.forward_last(&[t], &mut cache).unwrap());
        }
        assert_eq!(whole.len(), last.len());
        let worst = max_abs_diff(&whole, &last);
        assert!(worst < 1e-3, "{bits:?}: max |Δlogit| {worst}");
    }
}

/// `--dtype bf16` writes what mlx-lm's conversion of a bf16 checkpoint holds:
/// packed weights as uint32, scales, biases and norms as bf16, and a model
/// whose activations run in bf16.
#[test]
fn bf16_synthesized_model_stores_bf16_and_generates() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = synth_as("qwen3_moe", Some(5), FloatType::BF16, &tmp.path().join("m"));
    let cfg: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("config.json")).unwrap()).unwrap();
    assert_eq!(cfg["torch_dtype"], "bfloat16");
    let mut seen = std::collections::BTreeMap::new();
    for f in std::fs::read_dir(&dir).unwrap() {
        let p = f.unwrap().path();
        if p.extension().is_some_and(|e| e == "safetensors") {
            for (k, a) in mlx_rs::Array::load_safetensors(&p).unwrap() {
                seen.insert(k, a.dtype());
            }
        }
    }
    let p = "model.layers.0";
    use mlx_rs::Dtype::{Bfloat16, Uint32};
    assert_eq!(seen[&format!("{p}.mlp.switch_mlp.up_proj.weight")], Uint32);
    assert_eq!(
        seen[&format!("{p}.mlp.switch_mlp.up_proj.scales")],
        Bfloat16
    );
    assert_eq!(seen[&format!("{p}.mlp.gate.biases")], Bfloat16);
    assert_eq!(seen[&format!("{p}.input_layernorm.weight")], Bfloat16);
    assert_eq!(seen["model.norm.weight"], Bfloat16);
    let mut m = Model::load(&dir).unwrap();
    let logits = m
        .forward_last(&[151644, 872, 198], &mut m.new_cache())
        .unwrap();
    assert_eq!(logits.dtype(), Bfloat16);
    assert_eq!(
        generate::greedy(&mut m, &[151644, 872, 198], 4)
            .unwrap()
            .len(),
        4
    );
}

/// `forward_last` runs the last layer's feed-forward on the last position
/// only: its logits must equal the last row of the full forward, on both the
/// one-graph (short) and the layer-by-layer (≥ 64 tokens) prefill paths.
#[test]
fn last_position_logits_equal_the_full_forwards_last_row() {
    let tmp = tempfile::tempdir().unwrap();
    for arch in ["qwen3_moe", "llama"] {
        let dir = synth(arch, Some(4), &tmp.path().join(arch));
        let m = Model::load(&dir).unwrap();
        for len in [5u32, 70] {
            let prompt: Vec<u32> = (0..len).map(|i| 200 + 31 * i).collect();
            let last = to_f32(m.forward_last(&prompt, &mut m.new_cache()).unwrap());
            let all = to_f32(m.forward(&prompt, &mut m.new_cache()).unwrap());
            let tail = &all[all.len() - last.len()..];
            let worst = max_abs_diff(&last, tail);
            assert!(worst < 1e-4, "{arch}, {len} tokens: max |Δlogit| {worst}");
        }
    }
}

/// An unquantized bf16 MoE cannot run on MLX's CPU backend (its gathered
/// expert matmul is f32-only): the load says so, naming the file and the
/// tensor, instead of MLX failing at the first token. On a GPU it runs.
#[test]
fn unquantized_bf16_experts_on_cpu_are_refused_with_the_fix() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = synth_as("qwen3_moe", None, FloatType::BF16, &tmp.path().join("m"));
    let on_cpu = matches!(
        mlx_rs::Device::try_default().unwrap().get_type().unwrap(),
        mlx_rs::DeviceType::Cpu
    );
    if !on_cpu {
        let mut m = Model::load(&dir).unwrap();
        assert_eq!(
            generate::greedy(&mut m, &[151644, 872], 2).unwrap().len(),
            2
        );
        return;
    }
    let e = load_err(&dir);
    for want in [
        ".safetensors",
        "switch_mlp.gate_proj.weight",
        "Bfloat16",
        "float32",
        "--bits",
    ] {
        assert!(e.contains(want), "missing {want:?} in: {e}");
    }
}

/// The run backend reuses a cache across queries: cloned, trimmed to the
/// shared prefix, continued with the next prompt. That must generate exactly
/// what a fresh cache does — on both prefill paths and for a prefix cut
/// inside the previous query's generated tokens.
#[test]
fn a_trimmed_shared_prefix_cache_generates_what_a_fresh_cache_does() {
    use punie_eval::model::generate::{generate, GenerateOptions};
    let tmp = tempfile::tempdir().unwrap();
    for arch in ["qwen3_moe", "qwen2"] {
        let dir = synth(arch, Some(4), &tmp.path().join(arch));
        let m = Model::load(&dir).unwrap();
        let opts = GenerateOptions {
            max_tokens: 8,
            ..Default::default()
        };
        for (shared, first_len, second_len) in [(6usize, 20u32, 12u32), (70, 90, 100)] {
            let first: Vec<u32> = (0..first_len).map(|i| 300 + 7 * i).collect();
            let mut second: Vec<u32> = first[..shared].to_vec();
            second.extend((0..second_len).map(|i| 5000 + 11 * i));
            let fresh = generate(&m, &second, &opts, &mut m.new_cache(), &mut |_| true)
                .unwrap()
                .0;
            // The previous query: its prompt and generated tokens are cached.
            let mut held = m.new_cache();
            generate(&m, &first, &opts, &mut held, &mut |_| true).unwrap();
            let mut reused = held.clone();
            reused.trim(shared as i32).unwrap();
            let again = generate(&m, &second, &opts, &mut reused, &mut |_| true)
                .unwrap()
                .0;
            assert_eq!(again, fresh, "{arch}, shared prefix {shared}");
            // The held cache is untouched by its clone's use: continuing it
            // from its own prompt gives its first answer again.
            let mut back = held.clone();
            back.trim(first.len() as i32 - 1).unwrap();
            let replay = generate(&m, &first, &opts, &mut back, &mut |_| true)
                .unwrap()
                .0;
            let original = generate(&m, &first, &opts, &mut m.new_cache(), &mut |_| true)
                .unwrap()
                .0;
            assert_eq!(replay, original, "{arch}: the held cache changed");
        }
    }
}
