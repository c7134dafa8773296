//! Fuzzing on stable Rust (issue 15), inside the test binary: every parser
//! and loader that reads what a user or a model hands us gets mutated
//! inputs (byte flips, insertions, deletions, repeats, splices and tokens of
//! its own format) from seeds taken from the repository's fixtures. A
//! panic, or one input taking longer than `SLOW`, fails the target and
//! leaves the input in `target/fuzz-findings/`.
//!
//! The test command runs each target for a few seconds (a regression fails
//! CI); the long runs are the same tests with more time:
//!
//!     PUNIE_FUZZ_SECONDS=600 cargo test --release --test it fuzz:: -- --test-threads 1
//!
//! (docs/reliability.md records the figures).

use punie_eval::parse::{classify_with, Profile};
use punie_eval::schema::Toolset;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::PathBuf;
use std::sync::LazyLock;
use std::time::{Duration, Instant};

/// One input slower than this is a hang.
const SLOW: Duration = Duration::from_secs(2);

fn seconds() -> f64 {
    std::env::var("PUNIE_FUZZ_SECONDS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(3.0)
}

/// xorshift64*: reproducible from `PUNIE_FUZZ_SEED`.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: usize) -> usize {
        if n == 0 {
            0
        } else {
            (self.next() % n as u64) as usize
        }
    }
}

fn mutate(seeds: &[Vec<u8>], dict: &[&[u8]], rng: &mut Rng) -> Vec<u8> {
    let mut v = seeds[rng.below(seeds.len())].clone();
    for _ in 0..1 + rng.below(8) {
        let at = rng.below(v.len() + 1);
        match rng.below(8) {
            0 if !v.is_empty() => {
                let i = rng.below(v.len());
                v[i] ^= 1 << rng.below(8);
            }
            1 => v.insert(at, rng.next() as u8),
            2 if !v.is_empty() => {
                let end = (at + 1 + rng.below(16)).min(v.len());
                v.drain(at.min(end)..end);
            }
            3 if !v.is_empty() => {
                // Repeat a slice: deep nesting, long runs.
                let start = rng.below(v.len());
                let end = (start + 1 + rng.below(32)).min(v.len());
                let piece = v[start..end].to_vec();
                for _ in 0..1 + rng.below(64) {
                    v.splice(at..at, piece.iter().copied());
                }
            }
            4 | 5 if !dict.is_empty() => {
                let tok = dict[rng.below(dict.len())];
                v.splice(at..at, tok.iter().copied());
            }
            6 => {
                let other = &seeds[rng.below(seeds.len())];
                let start = rng.below(other.len());
                let end = (start + rng.below(64)).min(other.len());
                v.splice(at..at, other[start..end].iter().copied());
            }
            _ => v.truncate(at),
        }
    }
    v.truncate(1 << 20);
    v
}

/// Runs `target` on mutated inputs for the configured time; panics with
/// the findings (saved under target/fuzz-findings/NAME-N) if any.
fn fuzz(name: &str, seeds: Vec<Vec<u8>>, dict: &[&[u8]], target: &dyn Fn(&[u8])) {
    assert!(!seeds.is_empty(), "{name}: no seeds");
    let seed = std::env::var("PUNIE_FUZZ_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(0x9E37_79B9_7F4A_7C15u64 ^ name.len() as u64);
    let mut rng = Rng(seed | 1);
    let deadline = Instant::now() + Duration::from_secs_f64(seconds());
    let (mut runs, mut slowest) = (0u64, Duration::ZERO);
    let mut findings = Vec::new();
    // The seeds themselves first.
    let mut queue: Vec<Vec<u8>> = seeds.clone();
    while Instant::now() < deadline || !queue.is_empty() {
        let input = queue
            .pop()
            .unwrap_or_else(|| mutate(&seeds, dict, &mut rng));
        let start = Instant::now();
        let outcome = catch_unwind(AssertUnwindSafe(|| target(&input)));
        let took = start.elapsed();
        slowest = slowest.max(took);
        runs += 1;
        let why = match outcome {
            Err(_) => Some("panicked".to_string()),
            Ok(()) if took > SLOW => Some(format!("took {took:?}")),
            Ok(()) => None,
        };
        if let Some(why) = why {
            let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/fuzz-findings");
            let _ = std::fs::create_dir_all(&dir);
            let path = dir.join(format!("{name}-{}", findings.len()));
            let _ = std::fs::write(&path, &input);
            findings.push(format!("{why}: {}", path.display()));
            if findings.len() >= 5 {
                break;
            }
        }
    }
    eprintln!(
        "fuzz {name}: {runs} inputs in {:.0} s, slowest {slowest:?}, {} findings",
        seconds(),
        findings.len()
    );
    assert!(findings.is_empty(), "{name}:\n{}", findings.join("\n"));
}

fn repo(p: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(p)
}

fn file(p: &str) -> Vec<u8> {
    std::fs::read(repo(p)).unwrap_or_else(|e| panic!("{p}: {e}"))
}

/// Completions: the peer corpus's and, where it exists, Punie's own.
fn completions() -> Vec<Vec<u8>> {
    let mut out: Vec<Vec<u8>> = include_str!("fixtures/parse_peers.jsonl")
        .lines()
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        .filter_map(|v| v["completion"].as_str().map(|s| s.as_bytes().to_vec()))
        .collect();
    out.push(b"<tool_call>\n<function=execute_code>\n<parameter=code>\nr = typecheck(\"src/\")\nprint(r.error_count)\n</parameter>\n</function>\n</tool_call>".to_vec());
    out.push(
        b"```json\n{\"name\": \"git_status\", \"arguments\": {\"path\": \".\"}}\n```".to_vec(),
    );
    out.push(b"<think>plan</think>I'll run the type checker.".to_vec());
    out.extend(punie_turns());
    out
}

/// Every 25th assistant turn of Punie's training data (code mode, direct
/// answers, answers after tool results), where ../shared/punie exists.
fn punie_turns() -> Vec<Vec<u8>> {
    let dir = std::env::var_os("PUNIE_SHARED")
        .map(PathBuf::from)
        .unwrap_or_else(|| repo("../shared/punie"));
    let mut out = Vec::new();
    for rel in ["phase27_cleaned/train.jsonl", "phase33_merged/train.jsonl"] {
        let Ok(text) = std::fs::read_to_string(dir.join(rel)) else {
            continue;
        };
        let turns = text
            .lines()
            .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
            .flat_map(|row| row["messages"].as_array().cloned().unwrap_or_default())
            .filter(|m| m["role"] == "assistant")
            .filter_map(|m| m["content"].as_str().map(|c| c.as_bytes().to_vec()));
        out.extend(turns.step_by(25));
    }
    out
}

static P27: LazyLock<Toolset> = LazyLock::new(Toolset::punie_default);
static P33: LazyLock<Toolset> = LazyLock::new(Toolset::punie_phase33);

const CALL_TOKENS: &[&[u8]] = &[
    b"<tool_call>",
    b"</tool_call>",
    b"<function=",
    b"</function>",
    b"<parameter=",
    b"</parameter>",
    b"{\"name\": \"read_file\", \"arguments\": ",
    b"\"arguments\"",
    b"```json\n",
    b"```python\n",
    b"```",
    b"<think>",
    b"</think>",
    b"execute_code",
    b"(",
    b")",
    b"[",
    b"]",
    b"{",
    b"}",
    b"\"",
    b"\\",
    b"'",
    b"\n",
    b"None",
    b"True",
    b"18446744073709551616",
    b"1e999",
    b"\xff",
    b"\xe9",
];

#[test]
fn fuzz_parse_every_format_and_profile() {
    fuzz("parse", completions(), CALL_TOKENS, &|input| {
        let text = String::from_utf8_lossy(input);
        for t in [&*P27, &*P33] {
            for p in Profile::ALL {
                let v = classify_with(&text, t, p);
                let _ = serde_json::to_string(&v).unwrap();
            }
        }
    });
}

const TOML_TOKENS: &[&[u8]] = &[
    b"[[query]]\n",
    b"[pack]\n",
    b"expect = ",
    b"{ tool = \"git_status\" }",
    b"match = \"all\"",
    b"calls = \"exactly\"",
    b"optional = true",
    b"any_of = [",
    b"each = [",
    b"keys = {",
    b"normalized = ",
    b"regex = '(",
    b"tools = [{ \"x-tool-name\" = \"a.b\", type = \"object\" }]",
    b"\"\"\"",
    b"=",
    b"\n",
    b"'",
    b"[",
    b"]",
    b"{",
    b"}",
    b"\xff",
];

#[test]
fn fuzz_query_packs() {
    let seeds = vec![
        file("queries/protocol.toml"),
        file("queries/discrimination.toml"),
    ];
    fuzz("pack-toml", seeds, TOML_TOKENS, &|input| {
        let text = String::from_utf8_lossy(input);
        if let Ok(p) = punie_eval::suite::LoadedPack::from_toml(&text, "fuzz.toml") {
            let _ = p.check_tools(&*P27);
        }
    });
}

#[test]
fn fuzz_query_packs_as_json_and_expectations() {
    let pack = punie_eval::suite::LoadedPack::from_toml(
        &String::from_utf8_lossy(&file("queries/protocol.toml")),
        "p",
    )
    .unwrap();
    let json = serde_json::to_vec(&pack.pack).unwrap();
    let expect = br#"{"tool": [{"name": "play", "args": {"a": {"each": [1, {"one_of": [2]}]}, "b": {"keys": {"k": {"normalized": "X", "optional": true}}}, "c": {"any_of": [{"each": [{"normalized": "a"}]}, {"equals": 3}]}}}, {"name": "play"}], "match": "all", "calls": "exactly", "order": "given"}"#.to_vec();
    fuzz("pack-json", vec![json, expect], CALL_TOKENS, &|input| {
        let text = String::from_utf8_lossy(input);
        let _ = punie_eval::suite::LoadedPack::from_json(&text, "fuzz.json");
        if let Ok(v) = serde_json::from_str::<serde_json::Value>(&text) {
            if let Ok(e) = punie_eval::suite::Expect::from_value(&v) {
                let _ = punie_eval::suite::Expect::from_value(&e.to_value()).unwrap();
            }
        }
    });
}

/// What a plugin hands over: its manifest and its pack JSON, with the
/// extra tool schemas it brings, then the toolset built from them.
#[test]
fn fuzz_plugin_json() {
    let pack = punie_eval::suite::LoadedPack::from_toml(
        &String::from_utf8_lossy(&file("queries/protocol.toml")),
        "p",
    )
    .unwrap();
    let id = pack.pack.pack.id.clone();
    let mut doc = serde_json::to_value(&pack.pack).unwrap();
    let plain = serde_json::to_vec(&doc).unwrap();
    doc["tools"] = serde_json::json!([
        serde_json::from_slice::<serde_json::Value>(&file("schemas/tools/cst_rename.json"))
            .unwrap(),
        serde_json::from_slice::<serde_json::Value>(&file("schemas/tools/validate_component.json"))
            .unwrap(),
    ]);
    let seeds = vec![
        plain,
        serde_json::to_vec(&doc).unwrap(),
        format!(r#"{{"id": "{id}", "version": "1", "description": "a pack"}}"#).into_bytes(),
        br#"{"error": "the plugin failed"}"#.to_vec(),
    ];
    let path = std::path::Path::new("fuzz-plugin.so");
    fuzz("plugin", seeds, CALL_TOKENS, &|input| {
        let text = String::from_utf8_lossy(input);
        let _ = punie_eval::plugin::Manifest::read(path, &text);
        if let Ok((loaded, tools)) = punie_eval::plugin::read_pack(path, &id, &text) {
            let _ = punie_eval::plugin::pack_toolset(path, &loaded, &tools, None);
            let _ = punie_eval::plugin::pack_toolset(path, &loaded, &tools, Some(&P27));
        }
    });
}

#[test]
fn fuzz_toolsets_and_tool_schemas() {
    let seeds = vec![
        file("schemas/tools/read_file.json"),
        file("schemas/tools/git_log.json"),
        br#"{"name": "t", "tools": [{"x-tool-name": "calc", "type": "dict", "properties": {"x": {"type": "float"}, "y": {"anyOf": [{"type": "integer"}, {"type": "null"}]}}, "required": ["x"], "x-also-valid": {"x": {"type": "string"}, "y": {"type": "array", "items": {"type": "string"}}}}]}"#.to_vec(),
    ];
    fuzz("toolset", seeds, CALL_TOKENS, &|input| {
        let Ok(v) = serde_json::from_slice::<serde_json::Value>(input) else {
            return;
        };
        let doc = if v.get("tools").is_some() {
            v
        } else {
            serde_json::json!({"name": "fuzz", "tools": [v]})
        };
        if let Ok(t) = Toolset::from_json(&doc, "fuzz") {
            for tool in t.tools() {
                let _ = tool.validate(&serde_json::json!({"x": 1.5, "path": "."}), &[]);
            }
        }
    });
}

#[test]
fn fuzz_transcripts_and_results() {
    let seeds = vec![
        b"{\"suite\": \"s\", \"query_id\": \"a\", \"completion\": \"hi\", \"repeat\": 1, \"timings\": {\"total_s\": 1.0}}\n{\"query_id\": \"b\", \"completion\": null, \"error\": \"x\"}\n".to_vec(),
    ];
    fuzz("transcripts", seeds, CALL_TOKENS, &|input| {
        let text = String::from_utf8_lossy(input);
        let _ = punie_eval::run::ReplayBackend::from_jsonl(&text, "fuzz.jsonl");
        let _ = punie_eval::results::RunResults::parse(&text, "fuzz.json");
    });
}

#[test]
fn fuzz_targets_files() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("targets.toml");
    fuzz(
        "targets",
        vec![file("queries/targets/punie.toml")],
        TOML_TOKENS,
        &|input| {
            std::fs::write(&path, input).unwrap();
            let _ = punie_eval::bench::targets::Targets::load(&path);
        },
    );
}

#[test]
fn fuzz_gguf_headers() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("f.gguf");
    use punie_eval::gguf::{GgufWriter, Value, ValueType};
    let seed = GgufWriter::new()
        .kv_str("general.architecture", "qwen2")
        .kv_u32("qwen2.block_count", 2)
        .kv_strings("tokenizer.ggml.tokens", &["a", "b"])
        .kv(
            "n",
            Value::Array(
                ValueType::Array,
                vec![Value::Array(ValueType::U8, vec![Value::U8(1)])],
            ),
        )
        .tensor_f32("t", &[2, 2], &[1.0, 2.0, 3.0, 4.0])
        .unwrap()
        .to_bytes();
    let dict: &[&[u8]] = &[
        b"\xff\xff\xff\xff\xff\xff\xff\x7f",
        b"\x09\x00\x00\x00",
        b"\x00\x00\x00\x00",
        b"GGUF",
    ];
    fuzz("gguf", vec![seed], dict, &|input| {
        std::fs::write(&path, input).unwrap();
        if let Ok(f) = punie_eval::gguf::GgufFile::open(&path) {
            let _ = f.get("general.architecture");
        }
    });
}

#[cfg(feature = "mlx")]
#[test]
fn fuzz_model_config_and_safetensors_headers() {
    let dir = tempfile::tempdir().unwrap();
    let st = dir.path().join("model.safetensors");
    let config = br#"{"model_type": "qwen3", "hidden_size": 64, "num_hidden_layers": 2, "intermediate_size": 128, "num_attention_heads": 4, "num_key_value_heads": 2, "head_dim": 16, "vocab_size": 1000, "rms_norm_eps": 1e-6, "rope_theta": 10000.0, "tie_word_embeddings": true, "quantization": {"bits": 4, "group_size": 64, "model.layers.0.mlp.down_proj": {"bits": 8, "group_size": 64}}}"#.to_vec();
    let header = br#"{"w": {"dtype": "F32", "shape": [2, 2], "data_offsets": [0, 16]}, "__metadata__": {"format": "mlx"}}"#;
    let mut safetensors = (header.len() as u64).to_le_bytes().to_vec();
    safetensors.extend_from_slice(header);
    safetensors.extend([0u8; 16]);
    fuzz("config", vec![config], CALL_TOKENS, &|input| {
        let text = String::from_utf8_lossy(input);
        let _ = punie_eval::model::config::ModelConfig::parse(
            &text,
            std::path::Path::new("config.json"),
        );
    });
    fuzz("safetensors", vec![safetensors], CALL_TOKENS, &|input| {
        std::fs::write(&st, input).unwrap();
        let _ = punie_eval::model::weights::read_header(&st);
    });
}

/// The harness itself finds a crash: a target that panics on some input
/// fails, with the input saved.
#[test]
fn fuzz_harness_reports_a_panicking_target() {
    let caught = catch_unwind(|| {
        fuzz("self-check", vec![b"abc".to_vec()], &[b"!"], &|input| {
            assert!(!input.contains(&b'!'), "a bang");
        })
    });
    let msg = caught
        .err()
        .and_then(|e| e.downcast_ref::<String>().cloned())
        .expect("the harness must fail on a panicking target");
    assert!(
        msg.contains("panicked") && msg.contains("fuzz-findings/self-check-0"),
        "{msg}"
    );
}
