//! Batched generation (issue 16): prompts of different lengths decoded
//! together — all at once, or a few rows at a time with each finished row
//! refilled from the queue — give, row by row, what each gives alone — for every
//! architecture, greedy and sampled, dense and quantized, with and without
//! a shared prompt prefix. Random-weight tiny models have near-ties, where
//! a batched kernel's different order of sums may pick the other token: the
//! first differing position is then shown to be a near-tie — two logits
//! within `NEAR_TIE` (greedy), or a draw on the boundary between two
//! neighbouring tokens (sampled).
#![cfg(feature = "mlx")]

use crate::cli_support::{punie, synth, text};
use punie_eval::model::batch::{generate_batch, generate_batch_sharing, Batch};
use punie_eval::model::generate::{generate, GenerateOptions};
use punie_eval::model::Model;

/// Logit gap under which two tokens are a near-tie (f32 tiny models: the
/// logits are O(1); batched matmuls differ in the last bits).
const NEAR_TIE: f32 = 1e-3;

/// Distance from a sampling draw to the boundary between two neighbouring
/// tokens' cumulative probabilities under which they are a near-tie: the
/// boundary sums ~10^5 probabilities of a near-flat random model, each
/// moved by the last bits of its f32 logit (measured: 1.7e-6 on qwen3).
/// A wrong batch would pick a token that is not the neighbour at all.
const SAMPLING_EDGE: f64 = 1e-5;

/// How far the sampler's draw for token `step` (the host sampler of
/// `model::generate`: a seeded xorshift, one draw per token, temperature
/// only here) lies from the boundary between tokens `a` and `b`, which must
/// be neighbours in the sampler's order under `logits` (infinity if not).
fn draw_to_boundary(logits: &[f32], o: &GenerateOptions, step: usize, a: u32, b: u32) -> f64 {
    assert!(o.top_k == 0 && o.top_p >= 1.0, "temperature-only sampling");
    let mut state = o.seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
    let mut draw = 0.0;
    for _ in 0..=step {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        draw = (state >> 11) as f64 / (1u64 << 53) as f64;
    }
    let t = o.temperature.max(1e-6);
    let mut idx: Vec<usize> = (0..logits.len()).collect();
    idx.sort_unstable_by(|&a, &b| logits[b].total_cmp(&logits[a]));
    let m = logits[idx[0]];
    let p: Vec<f64> = idx
        .iter()
        .map(|&i| (((logits[i] - m) / t) as f64).exp())
        .collect();
    let z: f64 = p.iter().sum();
    let at = |t: u32| idx.iter().position(|&i| i == t as usize).unwrap();
    let (lo, hi) = (at(a).min(at(b)), at(a).max(at(b)));
    if hi != lo + 1 {
        return f64::INFINITY;
    }
    // The boundary after the first of the two in the sampler's order.
    let edge: f64 = p[..=lo].iter().sum::<f64>() / z;
    (draw - edge).abs()
}

/// The unbatched logits at `step` of the greedy continuation `tokens`.
fn logits_at(model: &Model, prompt: &[u32], tokens: &[u32], step: usize) -> Vec<f32> {
    let mut seq = prompt.to_vec();
    seq.extend(&tokens[..step]);
    let all = model.forward_logits(&seq).unwrap();
    let v = model.vocab_size();
    all[all.len() - v..].to_vec()
}

#[test]
fn batched_rows_equal_their_unbatched_generations() {
    let tmp = tempfile::tempdir().unwrap();
    let distinct: Vec<Vec<u32>> = vec![
        (1..40).collect(),
        vec![7, 8, 9],
        (100..117).collect(),
        vec![42],
    ];
    // A suite's shape: one system prompt and tool schemas, then each
    // query's own tokens (the prefix is prefilled once, shared).
    let prefix: Vec<u32> = (200..230).collect();
    let shared: Vec<Vec<u32>> = distinct
        .iter()
        .map(|own| prefix.iter().chain(own).copied().collect())
        .collect();
    for (arch, bits) in [
        ("qwen3", None),
        ("qwen3_moe", Some("4")),
        ("qwen2", None),
        ("llama", Some("8")),
    ] {
        let dir = synth(
            tmp.path(),
            arch,
            bits,
            &format!("{arch}-{}", bits.unwrap_or("f32")),
        );
        let model = Model::load(&dir).unwrap();
        for prompts in [&distinct, &shared] {
            same_as_alone(&model, arch, prompts);
        }
    }
}

fn same_as_alone(model: &Model, arch: &str, prompts: &[Vec<u32>]) {
    {
        let mut opts: Vec<GenerateOptions> = (0..prompts.len())
            .map(|i| GenerateOptions {
                max_tokens: 10 + i,
                ..Default::default()
            })
            .collect();
        // One sampled row, with its own seed; one row that stops on a token.
        opts[1].temperature = 0.8;
        opts[1].seed = 7;
        let batched = generate_batch(model, prompts, &opts).unwrap();
        assert_eq!(batched.len(), prompts.len());
        // Two rows at a time: rows leave and join a running batch.
        let narrow = generate_width(model, prompts, &opts, 2);
        for (r, (prompt, o)) in prompts.iter().zip(&opts).enumerate() {
            let (a, b) = (&narrow[r].0, &batched[r].0);
            if let Some(at) = a.iter().zip(b).position(|(x, y)| x != y) {
                let l = logits_at(model, prompt, b, at);
                let gap = (l[a[at] as usize] - l[b[at] as usize]).abs();
                assert!(
                    o.temperature > 0.0 || gap < NEAR_TIE,
                    "{arch} row {r}: token {at} is {} two at a time, {} all at once, a logit gap of {gap}",
                    a[at],
                    b[at]
                );
            } else {
                assert_eq!(a.len(), b.len(), "{arch} row {r}: two at a time");
            }
        }
        for (r, (prompt, o)) in prompts.iter().zip(&opts).enumerate() {
            let mut cache = model.new_cache();
            let (alone, _) = generate(model, prompt, o, &mut cache, &mut |_| true).unwrap();
            let (rows, stats) = &batched[r];
            assert_eq!(stats.generated_tokens, rows.len());
            match rows.iter().zip(&alone).position(|(a, b)| a != b) {
                None => assert_eq!(rows.len(), alone.len(), "{arch} row {r}"),
                Some(at) if o.temperature > 0.0 => {
                    // A sampled row flips where its random draw lies on a
                    // boundary of the cumulative probabilities: there the
                    // last bits of a batched sum choose the neighbour.
                    let l = logits_at(model, prompt, &alone, at);
                    let d = draw_to_boundary(&l, o, at, rows[at], alone[at]);
                    assert!(
                        d < SAMPLING_EDGE,
                        "{arch} row {r}: sampled token {at} is {} batched, {} alone, the draw {d} from their boundary",
                        rows[at],
                        alone[at]
                    );
                }
                Some(at) => {
                    let l = logits_at(model, prompt, &alone, at);
                    let gap = (l[rows[at] as usize] - l[alone[at] as usize]).abs();
                    assert!(
                        gap < NEAR_TIE,
                        "{arch} row {r}: token {at} is {} batched, {} alone, a logit gap of {gap}",
                        rows[at],
                        alone[at]
                    );
                }
            }
        }
        // A later batch starts from the prefix the earlier one left: the
        // same rows.
        let tokens = |rows: &[(Vec<u32>, _)]| rows.iter().map(|r| r.0.clone()).collect::<Vec<_>>();
        let mut held = None;
        let first = generate_batch_sharing(model, prompts, &opts, &mut held).unwrap();
        let again = generate_batch_sharing(model, prompts, &opts, &mut held).unwrap();
        assert_eq!(tokens(&first), tokens(&batched), "{arch}");
        assert_eq!(
            tokens(&again),
            tokens(&batched),
            "{arch}: from the held prefix"
        );
        // Stop ids end a row and only that row.
        let first = batched[0].0[0];
        let mut stop = opts.clone();
        stop[0].stop_ids = vec![first];
        let stopped = generate_batch(model, prompts, &stop).unwrap();
        assert_eq!(stopped[0].0, vec![first], "{arch}");
        assert_eq!(
            stopped[0].1.stop_reason,
            punie_eval::model::generate::StopReason::Stop
        );
        assert_eq!(stopped[2].0, batched[2].0, "{arch}: other rows go on");
    }
}

/// Every prompt through a batch of `width` rows, in prompt order.
fn generate_width(
    model: &Model,
    prompts: &[Vec<u32>],
    opts: &[GenerateOptions],
    width: usize,
) -> Vec<(Vec<u32>, punie_eval::model::generate::GenerationStats)> {
    let mut out = vec![None; prompts.len()];
    let mut finished = Vec::new();
    let stats = Batch {
        prompts,
        opts,
        width,
    }
    .run(model, &mut None, &mut |_, _| true, &mut |i, t, s| {
        finished.push(i);
        out[i] = Some((t, s));
        true
    })
    .unwrap();
    assert_eq!(finished.len(), prompts.len(), "every row finishes once");
    // Every row's first token is its prefill's; the others the steps'.
    let tokens: usize = out.iter().map(|r| r.as_ref().unwrap().0.len()).sum();
    assert_eq!(stats.decode_tokens, tokens - prompts.len(), "{stats:?}");
    let longest = out
        .iter()
        .map(|r| r.as_ref().unwrap().0.len())
        .max()
        .unwrap();
    assert!(stats.decode_steps >= longest - 1, "{stats:?}");
    let prompt_tokens: usize = prompts.iter().map(Vec::len).sum();
    assert!(
        stats.prefill_tokens <= prompt_tokens && stats.prefill_tokens > 0,
        "{stats:?}"
    );
    assert!(stats.prefill_s > 0.0 && stats.decode_s > 0.0, "{stats:?}");
    out.into_iter().map(Option::unwrap).collect()
}

#[test]
fn batch_inputs_are_checked() {
    let tmp = tempfile::tempdir().unwrap();
    let model = Model::load(&synth(tmp.path(), "qwen3", None, "qwen3")).unwrap();
    let o = GenerateOptions::default();
    let e = generate_batch(&model, &[vec![]], std::slice::from_ref(&o)).unwrap_err();
    assert!(e.to_string().contains("empty prompt"), "{e}");
    let e = generate_batch(&model, &[vec![u32::MAX]], std::slice::from_ref(&o)).unwrap_err();
    assert!(
        e.to_string().contains("outside the model's vocabulary"),
        "{e}"
    );
    let e = generate_batch(&model, &[vec![1], vec![2]], &[o]).unwrap_err();
    assert!(e.to_string().contains("2 prompts but 1"), "{e}");
    assert!(generate_batch(&model, &[], &[]).unwrap().is_empty());
}

/// `pack.toml` in `dir`: `n` queries of growing length (12 tokens at
/// most, `generation` more settings), query i expecting `expect(i)`.
fn write_pack(
    dir: &std::path::Path,
    id: &str,
    generation: &str,
    n: usize,
    expect: impl Fn(usize) -> &'static str,
) {
    let mut pack = format!(
        "[pack]\nid = \"{id}\"\nversion = \"1\"\ntoolset = \"punie-phase27\"\n\
         [pack.generation]\nmax_tokens = 12\n{generation}"
    );
    for i in 0..n {
        pack += &format!(
            "\n[[query]]\nid = \"q{i}\"\nuser = \"{}\"\nexpect = {}\n",
            "Is the working tree clean? ".repeat(i + 1),
            expect(i)
        );
    }
    std::fs::write(dir.join("pack.toml"), pack).unwrap();
}

/// `punie-eval run --model M --suite pack.toml EXTRA…` in `dir`.
fn run_pack(dir: &std::path::Path, m: &str, extra: &[&str]) -> std::process::Output {
    let mut args = vec!["run", "--model", m, "--suite", "pack.toml"];
    args.extend(extra);
    punie(&args, dir)
}

/// `run --batch N`: the same verdicts, scores and transcript order as one
/// query at a time, a stop string (`e`) cutting each row where one at a
/// time would have stopped.
#[test]
fn run_batch_gives_the_same_results_files() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let model = crate::cli_support::synth_tiny(dir);
    let m = model.to_str().unwrap();
    write_pack(dir, "batch", "stop = [\"e\"]\n", 7, |i| {
        if i % 2 == 0 {
            "\"direct\""
        } else {
            "{ tool = \"git_status\" }"
        }
    });
    let run = |out: &str, batch: &str| {
        let o = run_pack(dir, m, &["--out", out, "--batch", batch]);
        assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
        let r = crate::cli_support::results_json(dir, out);
        let t = std::fs::read_to_string(dir.join(out).join("transcripts.jsonl")).unwrap();
        let order: Vec<String> = t
            .lines()
            .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap()["query_id"].to_string())
            .collect();
        let verdicts: Vec<serde_json::Value> = r["suites"][0]["queries"]
            .as_array()
            .unwrap()
            .iter()
            .map(|q| serde_json::json!([q["id"], q["strict"], q["verdict"], q["generated_tokens"]]))
            .collect();
        (verdicts, order)
    };
    let one = run("one", "1");
    let four = run("four", "4");
    assert_eq!(four, one);
    // The default, `auto`, says what it chose and records it.
    let o = run_pack(dir, m, &["--out", "auto"]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    let err = text(&o.stderr);
    assert!(err.contains("batch 7: 7 queries, room for"), "{err}");
    let r = crate::cli_support::results_json(dir, "auto");
    let details = &r["backend"]["details"];
    assert_eq!(details["batch"], 7, "{r}");
    assert!(details["batch_choice"]
        .as_str()
        .unwrap()
        .contains("bound by 7 queries"));
    let o = run_pack(dir, m, &["--out", "timed", "--query-timeout", "60"]);
    assert!(
        text(&o.stderr).contains("batch 1: --query-timeout"),
        "{}",
        text(&o.stderr)
    );
    let o = run_pack(dir, m, &["--batch", "0"]);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o.stderr));
    assert!(
        text(&o.stderr).contains("a whole number from 1, or `auto`"),
        "{}",
        text(&o.stderr)
    );
}

/// `run --render-only`: one line per query, the prompt ids the model would
/// get (the same as `generate --render-only` renders), nothing generated.
#[test]
fn render_only_shows_every_query_prompt() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let model = crate::cli_support::synth_tiny(dir);
    let m = model.to_str().unwrap();
    let o = punie(
        &[
            "run",
            "--model",
            m,
            "--suite",
            &crate::cli_support::repo("queries/protocol.toml"),
            "--max-tokens",
            "5",
            "--render-only",
        ],
        dir,
    );
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    let lines: Vec<serde_json::Value> = text(&o.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 1);
    assert_eq!(lines[0]["suite"], "protocol");
    assert_eq!(lines[0]["query_id"], "protocol-usage");
    assert_eq!(lines[0]["max_tokens"], 5);
    let prompt = lines[0]["prompt"].as_str().unwrap();
    assert!(
        prompt.contains("<tools>")
            && prompt.contains(
                "protocol class is used in the codebase<|im_end|>\n<|im_start|>assistant\n"
            ),
        "{prompt}"
    );
    assert!(lines
        .iter()
        .all(|l| !l["prompt_ids"].as_array().unwrap().is_empty()));
    assert!(!dir.join("results").exists(), "nothing is run or written");
}

/// `--early-stop prose=K`: a query whose first K tokens open no call ends
/// there, batched or not, and the rule is in the results.
#[test]
fn early_stop_ends_prose_and_is_recorded() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let model = crate::cli_support::synth_tiny(dir);
    let m = model.to_str().unwrap();
    write_pack(dir, "early", "", 5, |_| "\"direct\"");
    let run = |out: &str, batch: &str, early: Option<&str>| {
        let mut args = vec!["--out", out, "--batch", batch];
        if let Some(e) = early {
            args.extend(["--early-stop", e]);
        }
        let o = run_pack(dir, m, &args);
        assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
        crate::cli_support::results_json(dir, out)
    };
    let full = run("full", "1", None);
    let openers = ["<tool_call", "<function", "```", "{", "["];
    for (out, batch) in [("early1", "1"), ("early3", "3")] {
        let r = run(out, batch, Some("prose=3"));
        assert_eq!(
            r["suites"][0]["generation"]["early_stop"],
            serde_json::json!({"prose_tokens": 3}),
            "{r}"
        );
        let queries = r["suites"][0]["queries"].as_array().unwrap();
        let mut checked = 0;
        let t = std::fs::read_to_string(dir.join(out).join("transcripts.jsonl")).unwrap();
        for (q, f) in queries
            .iter()
            .zip(full["suites"][0]["queries"].as_array().unwrap())
        {
            let n = q["generated_tokens"].as_u64().unwrap();
            let whole = f["generated_tokens"].as_u64().unwrap();
            let line = t
                .lines()
                .find(|l| l.contains(&format!("\"{}\"", q["id"].as_str().unwrap())))
                .unwrap();
            let completion: serde_json::Value = serde_json::from_str(line).unwrap();
            let c = completion["completion"].as_str().unwrap_or_default();
            if openers.iter().any(|o| c.contains(o)) {
                continue;
            }
            assert_eq!(n, whole.min(3), "{}: {c:?}", q["id"]);
            checked += 1;
        }
        assert!(checked > 0, "no query answered in prose");
    }
    let o = run_pack(dir, m, &["--early-stop", "prose=0"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        text(&o.stderr).contains("K must be a whole number from 1"),
        "{}",
        text(&o.stderr)
    );
}
