//! MLX through mlx-rs, checked against values computed independently in
//! plain Rust (tests/common/reference.rs), never against MLX itself. Every
//! test also shows that a plausible wrong answer (a perturbed reference) is
//! rejected at the same tolerance, so none of them can pass vacuously.
//! What each test proves, and its tolerance, is in docs/mlx-runtime.md.
#![cfg(feature = "mlx")]

mod common;

use common::compare::{close, close_uniform, Stats};
use common::reference::{self as r, AttnShape, Mask};
use common::rng::Rng;
use mlx_rs::fast::{self, ScaledDotProductAttentionMask};
use mlx_rs::ops;
use mlx_rs::{Array, Dtype};
use std::collections::HashMap;
use std::sync::{Mutex, MutexGuard};

/// MLX state (default stream, allocator counters) is process-global and
/// the memory test reads counters: run MLX work one test at a time.
fn mlx_lock() -> MutexGuard<'static, ()> {
    static LOCK: Mutex<()> = Mutex::new(());
    LOCK.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

fn array(data: &[f32], shape: &[usize]) -> Array {
    let shape: Vec<i32> = shape.iter().map(|&d| d as i32).collect();
    Array::from_slice(data, &shape)
}

fn shape_of(a: &Array) -> Vec<usize> {
    a.shape().iter().map(|&d| d as usize).collect()
}

fn f32s(a: &Array) -> Vec<f32> {
    assert_eq!(a.dtype(), Dtype::Float32, "expected an f32 result");
    a.as_slice::<f32>().to_vec()
}

fn u32s(a: &Array) -> Vec<u32> {
    assert_eq!(a.dtype(), Dtype::Uint32, "expected a uint32 result");
    a.as_slice::<u32>().to_vec()
}

/// Panics with the comparison's own message, prefixed with what was compared.
fn expect_close(what: &str, result: Result<Stats, String>) -> Stats {
    let stats = result.unwrap_or_else(|e| panic!("{what}: {e}"));
    // Visible with --nocapture; the numbers quoted in docs/mlx-runtime.md.
    println!(
        "{what}: max abs err {:.2e}, max rel err {:.2e}",
        stats.max_abs_err, stats.max_rel_err
    );
    stats
}

fn expect_rejected(what: &str, result: Result<Stats, String>) {
    assert!(
        result.is_err(),
        "{what}: a deliberately wrong reference was accepted, so the tolerance cannot detect errors"
    );
}

// ---------------------------------------------------------------- matmul

/// f32 dot products of length k accumulate at most ~k·2^-24 relative to
/// Σ|a·b|; OpenBLAS blocks the sums, so the observed error is far smaller.
const MATMUL_REL: f64 = 1e-5;

#[test]
fn matmul_f32_non_square_and_batched_match_triple_loop() {
    let _mlx = mlx_lock();
    let mut rng = Rng::new(1);
    for &(batch, m, k, n) in &[(1, 37, 70, 45), (3, 17, 64, 29), (2, 1, 300, 7)] {
        let a = rng.vec(batch * m * k, -1.0, 1.0);
        let w = rng.vec(batch * k * n, -1.0, 1.0);
        let (a_shape, w_shape) = if batch == 1 {
            (vec![m, k], vec![k, n])
        } else {
            (vec![batch, m, k], vec![batch, k, n])
        };
        let got = ops::matmul(array(&a, &a_shape), array(&w, &w_shape)).unwrap();
        let want_shape: Vec<usize> = a_shape[..a_shape.len() - 1]
            .iter()
            .copied()
            .chain([n])
            .collect();
        assert_eq!(shape_of(&got), want_shape);
        let got = f32s(&got);
        let want = r::matmul(&a, &w, batch, m, k, n);
        let mag = r::matmul(&r::abs(&a), &r::abs(&w), batch, m, k, n);
        let what = format!("matmul {batch}x[{m}x{k}]@[{k}x{n}]");
        expect_close(&what, close(&got, &want, &mag, MATMUL_REL, 0.0));
        if batch > 1 {
            // Each batch must use its own right-hand side: pairing batch b
            // with w[b+1] must be caught.
            let mut rotated = w[k * n..].to_vec();
            rotated.extend_from_slice(&w[..k * n]);
            let wrong = r::matmul(&a, &rotated, batch, m, k, n);
            expect_rejected(&what, close(&got, &wrong, &mag, MATMUL_REL, 0.0));
        }
    }
}

// ---------------------------------------------------------- quantization

const GROUP: usize = 64;

/// A `[rows, k]` weight with uniform values plus the group shapes that
/// exercise every branch of the affine scheme: all-positive, all-negative,
/// constant and all-zero groups.
fn quant_weight(rng: &mut Rng, rows: usize, k: usize) -> Vec<f32> {
    let mut w = rng.vec(rows * k, -1.0, 1.0);
    let groups_per_row = k / GROUP;
    let mut group = |g: usize, f: &mut dyn FnMut(&mut Rng) -> f32| {
        let (row, col) = (g / groups_per_row, g % groups_per_row);
        for v in &mut w[row * k + col * GROUP..][..GROUP] {
            *v = f(rng);
        }
    };
    group(0, &mut |rng| rng.uniform(0.1, 1.0));
    group(groups_per_row + 1, &mut |rng| rng.uniform(-0.7, -0.05));
    group(2 * groups_per_row + 2, &mut |_| 0.3);
    group(3 * groups_per_row + 3, &mut |_| 0.0);
    w
}

/// What one `ops::quantize` call returned, unpacked by us.
struct Quantized {
    packed: Array,
    scales: Array,
    biases: Array,
    /// Codes read back with [`r::unpack_bits`].
    codes: Vec<u32>,
    scales_v: Vec<f32>,
    biases_v: Vec<f32>,
}

impl Quantized {
    fn dequantized(&self) -> Vec<f32> {
        r::dequantize(&self.codes, &self.scales_v, &self.biases_v, GROUP)
    }
}

fn quantize(w: &[f32], shape: &[usize], bits: u32) -> Quantized {
    let (packed, scales, biases) =
        ops::quantize(array(w, shape), GROUP as i32, bits as i32).unwrap();
    let k = *shape.last().unwrap();
    let lead = &shape[..shape.len() - 1];
    let with_last = |last: usize| lead.iter().copied().chain([last]).collect::<Vec<_>>();
    assert_eq!(
        shape_of(&packed),
        with_last(k * bits as usize / 32),
        "packed shape, {bits}-bit"
    );
    assert_eq!(shape_of(&scales), with_last(k / GROUP), "scales shape");
    assert_eq!(shape_of(&biases), with_last(k / GROUP), "biases shape");
    let codes = r::unpack_bits(&u32s(&packed), bits, w.len());
    let scales_v = f32s(&scales);
    let biases_v = f32s(&biases);
    Quantized {
        packed,
        scales,
        biases,
        codes,
        scales_v,
        biases_v,
    }
}

#[test]
fn quantize_affine_4_5_8_bit_packing_codes_and_error_bound() {
    let _mlx = mlx_lock();
    let (n, k) = (96, 256);
    for bits in [4u32, 5, 8] {
        let mut rng = Rng::new(10 + u64::from(bits));
        let w = quant_weight(&mut rng, n, k);
        let q = quantize(&w, &[n, k], bits);

        // Scales and biases: the documented scheme, reproduced exactly.
        for (g, chunk) in w.chunks(GROUP).enumerate() {
            let (scale, bias) = r::affine_params(chunk, bits);
            assert_eq!(
                (q.scales_v[g].to_bits(), q.biases_v[g].to_bits()),
                (scale.to_bits(), bias.to_bits()),
                "{bits}-bit group {g}: MLX scale/bias {}/{} vs reference {scale}/{bias}",
                q.scales_v[g],
                q.biases_v[g]
            );
        }

        // Codes: our little-endian LSB-first bit-stream reading of the
        // packed words gives exactly the code each weight rounds to.
        let max_code = (1u32 << bits) - 1;
        let (mut clipped, mut worst_clipped) = (0, 0.0f32);
        for (i, (&code, &wi)) in q.codes.iter().zip(&w).enumerate() {
            let (s, b) = (q.scales_v[i / GROUP], q.biases_v[i / GROUP]);
            assert_eq!(
                code,
                r::affine_code(wi, s, b, bits),
                "{bits}-bit code of element {i} ({wi})"
            );
            // Error bound: half a step, except where the nudged step leaves
            // the far edge of the range short and the code saturates; that
            // shortfall is at most one step (docs/mlx-runtime.md).
            let err = (code as f32 * s + b - wi).abs();
            let eps = 1e-6 * (1.0 + wi.abs());
            let unclipped = ((wi - b) / s).round_ties_even() <= max_code as f32;
            if unclipped {
                assert!(
                    err <= s.abs() / 2.0 + eps,
                    "{bits}-bit element {i}: |w - w_q| = {err} > |scale|/2 = {}",
                    s.abs() / 2.0
                );
            } else {
                clipped += 1;
                worst_clipped = worst_clipped.max(err / s.abs());
                assert!(
                    err <= s.abs() + eps,
                    "{bits}-bit element {i} (saturated): |w - w_q| = {err} > |scale| = {}",
                    s.abs()
                );
            }
        }
        println!(
            "{bits}-bit: {clipped} of {} codes saturated at the range edge \
             (more than half a step off by definition), worst {worst_clipped:.3} steps",
            w.len()
        );

        // A big-endian view of the same words (or any other bit order)
        // would read different codes.
        let swapped: Vec<u32> = u32s(&q.packed).iter().map(|x| x.swap_bytes()).collect();
        assert_ne!(
            r::unpack_bits(&swapped, bits, w.len()),
            q.codes,
            "{bits}-bit: byte order undetectable"
        );
        // ...and so would reading each word on its own (no straddling).
        if 32 % bits != 0 {
            let per_word = (32 / bits) as usize;
            let words = u32s(&q.packed);
            let no_straddle: Vec<u32> = (0..words.len() * per_word)
                .map(|i| (words[i / per_word] >> ((i % per_word) as u32 * bits)) & max_code)
                .collect();
            assert_ne!(
                no_straddle[..],
                q.codes[..no_straddle.len()],
                "{bits}-bit: straddling undetectable"
            );
        }

        // ops::dequantize agrees with our w = q * scale + bias.
        let deq =
            ops::dequantize(&q.packed, &q.scales, &q.biases, GROUP as i32, bits as i32).unwrap();
        assert_eq!(shape_of(&deq), vec![n, k]);
        let want: Vec<f64> = q.dequantized().iter().map(|&v| f64::from(v)).collect();
        let what = format!("dequantize {bits}-bit");
        expect_close(&what, close_uniform(&f32s(&deq), &want, 1.0, 0.0, 1e-6));
        let original: Vec<f64> = w.iter().map(|&v| f64::from(v)).collect();
        expect_rejected(&what, close_uniform(&f32s(&deq), &original, 1.0, 0.0, 1e-6));

        // Our packer is the inverse of our unpacker and of MLX's packer.
        assert_eq!(
            r::pack_bits(&q.codes, bits),
            u32s(&q.packed),
            "{bits}-bit repack"
        );
    }
}

#[test]
fn quantize_5_bit_codes_straddle_uint32_words() {
    let _mlx = mlx_lock();
    // w = 1 - i/31 quantizes to code i (edge 1.0, step -1/31), so the
    // packed words can be written down by hand: codes 0..31 twice per row.
    let w: Vec<f32> = (0..2 * GROUP)
        .map(|i| 1.0 - (i % 32) as f32 / 31.0)
        .collect();
    let q = quantize(&w, &[2, GROUP], 5);
    let want_codes: Vec<u32> = (0..2 * GROUP as u32).map(|i| i % 32).collect();
    assert_eq!(q.codes, want_codes);
    let words = u32s(&q.packed);
    // Word 0: codes 0..=5 in bits 0..30, then the low 2 bits of code 6.
    let word0 = (1 << 5) | (2 << 10) | (3 << 15) | (4 << 20) | (5 << 25) | ((6 & 0b11) << 30);
    // Word 1: the high 3 bits of code 6, codes 7..=11, low 4 bits of 12.
    let word1 =
        (6 >> 2) | (7 << 3) | (8 << 8) | (9 << 13) | (10 << 18) | (11 << 23) | ((12 & 0xf) << 28);
    assert_eq!(
        (words[0], words[1]),
        (word0, word1),
        "5-bit words: got {:#010x} {:#010x}, want {word0:#010x} {word1:#010x}",
        words[0],
        words[1]
    );
    // Reading with 4-bit rules (8 codes per word, no straddling) is wrong.
    let as_4_bit: Vec<u32> = (0..8).map(|i| (words[0] >> (4 * i)) & 0xf).collect();
    assert_ne!(as_4_bit[..], want_codes[..8]);
}

/// Quantized matmul accumulates in f32 like a dense one; measured against
/// Σ|x·w_q| the same bound applies.
const QMM_REL: f64 = 1e-5;

#[test]
fn quantized_matmul_4_5_8_bit_matches_dequantized_linear() {
    let _mlx = mlx_lock();
    let (n, k) = (96, 256);
    for bits in [4u32, 5, 8] {
        let mut rng = Rng::new(20 + u64::from(bits));
        let w = quant_weight(&mut rng, n, k);
        let q = quantize(&w, &[n, k], bits);
        let w_q = q.dequantized();
        // A matrix and a batched [2, 3, k] activation, as in prefill.
        for x_shape in [vec![5, k], vec![2, 3, k]] {
            let m: usize = x_shape[..x_shape.len() - 1].iter().product();
            let x = rng.vec(m * k, -1.0, 1.0);
            let y = ops::quantized_matmul(
                array(&x, &x_shape),
                &q.packed,
                &q.scales,
                &q.biases,
                true,
                GROUP as i32,
                bits as i32,
            )
            .unwrap();
            let mut want_shape = x_shape.clone();
            *want_shape.last_mut().unwrap() = n;
            assert_eq!(shape_of(&y), want_shape);
            let got = f32s(&y);
            let want = r::linear(&x, &w_q, m, k, n);
            let mag = r::linear(&r::abs(&x), &r::abs(&w_q), m, k, n);
            let what = format!("quantized_matmul {bits}-bit x{x_shape:?}");
            expect_close(&what, close(&got, &want, &mag, QMM_REL, 1e-6));
            // The unquantized weights give a measurably different answer:
            // the op really uses the packed codes.
            let dense = r::linear(&x, &w, m, k, n);
            expect_rejected(&what, close(&got, &dense, &mag, QMM_REL, 1e-6));
        }
    }
}

#[test]
fn gather_qmm_picks_experts_like_switch_glu() {
    let _mlx = mlx_lock();
    // Stacked expert weights [E, N, K]; tokens x [B, L, 1, 1, K] and
    // unsorted expert choices [B, L, top_k], as mlx-lm's SwitchGLU passes
    // them (sorted_indices = false, transpose = true).
    let (experts, n, k) = (4usize, 48usize, 128usize);
    let (b, l, top_k) = (2usize, 3usize, 2usize);
    for bits in [4u32, 5, 8] {
        let mut rng = Rng::new(30 + u64::from(bits));
        let w = quant_weight(&mut rng, experts * n, k);
        let q = quantize(&w, &[experts, n, k], bits);
        let w_q = q.dequantized();
        let x = rng.vec(b * l * k, -1.0, 1.0);
        // Distinct experts per token (top-k never repeats one), in random order.
        let idx: Vec<u32> = (0..b * l)
            .flat_map(|_| {
                let first = rng.below(experts as u32);
                let second = (first + 1 + rng.below(experts as u32 - 1)) % experts as u32;
                [first, second]
            })
            .collect();
        let idx_arr = Array::from_slice(&idx, &[b as i32, l as i32, top_k as i32]);
        let y = ops::gather_qmm(
            array(&x, &[b, l, 1, 1, k]),
            &q.packed,
            &q.scales,
            &q.biases,
            None::<&Array>,
            &idx_arr,
            true,
            GROUP as i32,
            bits as i32,
            false,
        )
        .unwrap();
        assert_eq!(shape_of(&y), vec![b, l, top_k, 1, n]);
        let got = f32s(&y);
        let expected = |pick: &dyn Fn(u32) -> u32| {
            let (mut want, mut mag) = (Vec::new(), Vec::new());
            for t in 0..b * l {
                let xt = &x[t * k..][..k];
                for j in 0..top_k {
                    let e = pick(idx[t * top_k + j]) as usize;
                    let we = &w_q[e * n * k..][..n * k];
                    want.extend(r::linear(xt, we, 1, k, n));
                    mag.extend(r::linear(&r::abs(xt), &r::abs(we), 1, k, n));
                }
            }
            (want, mag)
        };
        let (want, mag) = expected(&|e| e);
        let what = format!("gather_qmm {bits}-bit");
        expect_close(&what, close(&got, &want, &mag, QMM_REL, 1e-6));
        let (wrong, _) = expected(&|e| (e + 1) % experts as u32);
        expect_rejected(&what, close(&got, &wrong, &mag, QMM_REL, 1e-6));
    }
}

// ------------------------------------------------------------- attention

/// Softmax and the weighted sum run in f32; with |v| < 1 the output error
/// is a few f32 ulps of 1.
const ATTN_ABS: f64 = 1e-5;

fn sdpa(q: &Array, k: &Array, v: &Array, scale: f32, causal: bool) -> Array {
    let mask = causal.then_some(ScaledDotProductAttentionMask::Causal);
    fast::scaled_dot_product_attention(q, k, v, scale, mask, None::<&Array>).unwrap()
}

#[test]
fn sdpa_gqa_causal_and_decode_match_softmax_loops() {
    let _mlx = mlx_lock();
    let mut rng = Rng::new(40);
    // 8 query heads share 2 kv heads (4 each), head dim 64.
    let (batch, heads, kv_heads, d) = (2, 8, 2, 64);
    let scale = 1.0 / (d as f32).sqrt();
    let gqa = |h: usize| h / (heads / kv_heads);
    for &(l_q, l_kv, causal) in &[(9, 9, false), (9, 9, true), (3, 11, true), (1, 11, true)] {
        let s = AttnShape {
            batch,
            heads,
            kv_heads,
            l_q,
            l_kv,
            d,
        };
        // Scaled so the softmax is far from uniform.
        let q = rng.vec(batch * heads * l_q * d, -2.0, 2.0);
        let k = rng.vec(batch * kv_heads * l_kv * d, -2.0, 2.0);
        let v = rng.vec(batch * kv_heads * l_kv * d, -1.0, 1.0);
        let out = sdpa(
            &array(&q, &[batch, heads, l_q, d]),
            &array(&k, &[batch, kv_heads, l_kv, d]),
            &array(&v, &[batch, kv_heads, l_kv, d]),
            scale,
            causal,
        );
        assert_eq!(shape_of(&out), vec![batch, heads, l_q, d]);
        let got = f32s(&out);
        let mask = if causal { Mask::Causal } else { Mask::None };
        let what = format!("sdpa L_q={l_q} L_kv={l_kv} {mask:?}");
        let want = r::attention(&q, &k, &v, s, scale, mask, gqa);
        expect_close(&what, close_uniform(&got, &want, 1.0, 0.0, ATTN_ABS));
        // Interleaved head sharing (h % kv_heads) is a different model.
        let interleaved = r::attention(&q, &k, &v, s, scale, mask, |h| h % kv_heads);
        expect_rejected(&what, close_uniform(&got, &interleaved, 1.0, 0.0, ATTN_ABS));
        if causal {
            let unmasked = r::attention(&q, &k, &v, s, scale, Mask::None, gqa);
            let result = close_uniform(&got, &unmasked, 1.0, 0.0, ATTN_ABS);
            if l_q == 1 {
                // A single decode query is the newest position: it sees the
                // whole cache, so causal and no mask coincide.
                expect_close(&format!("{what} == no mask"), result);
            } else {
                expect_rejected(&what, result);
            }
        }
    }
}

// ---------------------------------------------------------------- norms

#[test]
fn rms_norm_matches_formula_including_eps() {
    let _mlx = mlx_lock();
    let mut rng = Rng::new(50);
    let (rows, d, eps) = (28, 96, 1e-6f32);
    let mut x = rng.vec(rows * d, -2.0, 2.0);
    // One row of tiny activations, where eps inside the sqrt matters.
    for v in &mut x[5 * d..6 * d] {
        *v *= 1e-3;
    }
    let w = rng.vec(d, 0.5, 1.5);
    let got = fast::rms_norm(array(&x, &[4, 7, d]), Some(&array(&w, &[d])), eps).unwrap();
    assert_eq!(shape_of(&got), vec![4, 7, d]);
    let got = f32s(&got);
    let want = r::rms_norm(&x, &w, d, eps);
    let mag: Vec<f64> = want.iter().map(|v| v.abs()).collect();
    expect_close("rms_norm", close(&got, &want, &mag, 1e-5, 1e-7));
    let no_eps = r::rms_norm(&x, &w, d, 0.0);
    expect_rejected("rms_norm", close(&got, &no_eps, &mag, 1e-5, 1e-7));
}

// ------------------------------------------------------------------ rope

/// cos/sin of angles up to ~20 rad in f32: the angle itself carries
/// ~20·2^-24 absolute error, so 1e-5 on outputs of magnitude ≤ 1.
const ROPE_ABS: f64 = 1e-5;

#[test]
fn rope_rotate_half_and_traditional_match_cos_sin_loops() {
    let _mlx = mlx_lock();
    let mut rng = Rng::new(60);
    let (b, h, l, d) = (2, 3, 5, 64);
    let x = rng.vec(b * h * l * d, -1.0, 1.0);
    let xa = array(&x, &[b, h, l, d]);
    // (dims, traditional, base, offset): Qwen/Llama rotate-half with a KV
    // cache offset, the traditional pairing, and partial rotary dims.
    for &(dims, traditional, base, offset) in &[
        (64, false, 1_000_000.0f32, 7usize),
        (64, true, 10_000.0, 3),
        (32, false, 10_000.0, 0),
    ] {
        let got = fast::rope(
            &xa,
            dims as i32,
            traditional,
            base,
            1.0,
            offset as i32,
            None::<&Array>,
        )
        .unwrap();
        assert_eq!(shape_of(&got), vec![b, h, l, d]);
        let got = f32s(&got);
        let what =
            format!("rope dims={dims} traditional={traditional} base={base} offset={offset}");
        let want = r::rope(&x, l, d, dims, traditional, base, 1.0, offset);
        expect_close(&what, close_uniform(&got, &want, 1.0, 0.0, ROPE_ABS));
        let other_pairing = r::rope(&x, l, d, dims, !traditional, base, 1.0, offset);
        expect_rejected(
            &what,
            close_uniform(&got, &other_pairing, 1.0, 0.0, ROPE_ABS),
        );
        let shifted = r::rope(&x, l, d, dims, traditional, base, 1.0, offset + 1);
        expect_rejected(&what, close_uniform(&got, &shifted, 1.0, 0.0, ROPE_ABS));
    }
}

// ----------------------------------------------------------- safetensors

/// Little-endian bytes of each test tensor: what a safetensors file must hold.
fn le_bytes<T: Copy, const N: usize>(values: &[T], to_le: impl Fn(T) -> [u8; N]) -> Vec<u8> {
    values.iter().flat_map(|&v| to_le(v)).collect()
}

#[test]
fn safetensors_round_trip_is_bit_identical_and_interoperable() {
    use half::{bf16, f16};
    use safetensors::{tensor::TensorView, Dtype as StDtype, SafeTensors};

    let _mlx = mlx_lock();
    let mut rng = Rng::new(70);
    let f32_v = rng.vec(15, -3.0, 3.0);
    // Include values that only survive a bit-exact path: subnormal, -0.0.
    let mut bf16_v: Vec<bf16> = rng
        .vec(24, -3.0, 3.0)
        .into_iter()
        .map(bf16::from_f32)
        .collect();
    bf16_v[0] = bf16::from_bits(0x0001);
    bf16_v[1] = bf16::NEG_ZERO;
    let mut f16_v: Vec<f16> = rng
        .vec(7, -3.0, 3.0)
        .into_iter()
        .map(f16::from_f32)
        .collect();
    f16_v[0] = f16::from_bits(0x0001);
    let u32_v: Vec<u32> = (0..16).map(|_| rng.next_u64() as u32).collect();
    let metadata: HashMap<String, String> = [
        ("format", "mlx"),
        ("quantization", "{\"group_size\": 64, \"bits\": 5}"),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect();

    let expected: Vec<(&str, StDtype, Vec<usize>, Vec<u8>)> = vec![
        (
            "model.f32",
            StDtype::F32,
            vec![3, 5],
            le_bytes(&f32_v, f32::to_le_bytes),
        ),
        (
            "model.bf16",
            StDtype::BF16,
            vec![4, 6],
            le_bytes(&bf16_v, |v| v.to_bits().to_le_bytes()),
        ),
        (
            "model.f16",
            StDtype::F16,
            vec![7],
            le_bytes(&f16_v, |v| v.to_bits().to_le_bytes()),
        ),
        (
            "model.weight",
            StDtype::U32,
            vec![2, 8],
            le_bytes(&u32_v, u32::to_le_bytes),
        ),
    ];
    let arrays = [
        ("model.f32", Array::from_slice(&f32_v, &[3, 5])),
        ("model.bf16", Array::from_slice(&bf16_v, &[4, 6])),
        ("model.f16", Array::from_slice(&f16_v, &[7])),
        ("model.weight", Array::from_slice(&u32_v, &[2, 8])),
    ];
    let dir = tempfile::tempdir().unwrap();

    // MLX writes; the safetensors crate (an independent implementation)
    // must read exactly our bytes, dtypes, shapes and metadata.
    let mlx_file = dir.path().join("mlx.safetensors");
    Array::save_safetensors(arrays.iter().map(|(k, a)| (*k, a)), &metadata, &mlx_file).unwrap();
    let bytes = std::fs::read(&mlx_file).unwrap();
    let st = SafeTensors::deserialize(&bytes).unwrap();
    for (name, dtype, shape, data) in &expected {
        let t = st.tensor(name).unwrap();
        assert_eq!(
            (t.dtype(), t.shape()),
            (*dtype, &shape[..]),
            "{name} as written by MLX"
        );
        assert_eq!(t.data(), &data[..], "{name}: bytes written by MLX");
    }
    let (_, header) = SafeTensors::read_metadata(&bytes).unwrap();
    assert_eq!(
        header.metadata().as_ref(),
        Some(&metadata),
        "metadata written by MLX"
    );

    // MLX reads its own file back bit for bit.
    let (loaded, loaded_meta) = Array::load_safetensors_with_metadata(&mlx_file).unwrap();
    assert_eq!(loaded_meta, metadata);
    assert_eq!(loaded.len(), expected.len());
    let raw = |a: &Array| -> Vec<u8> {
        match a.dtype() {
            Dtype::Float32 => le_bytes(a.as_slice::<f32>(), f32::to_le_bytes),
            Dtype::Bfloat16 => le_bytes(a.as_slice::<bf16>(), |v| v.to_bits().to_le_bytes()),
            Dtype::Float16 => le_bytes(a.as_slice::<f16>(), |v| v.to_bits().to_le_bytes()),
            Dtype::Uint32 => le_bytes(a.as_slice::<u32>(), u32::to_le_bytes),
            other => panic!("unexpected dtype {other:?}"),
        }
    };
    for (name, _, shape, data) in &expected {
        let a = &loaded[*name];
        assert_eq!(shape_of(a), *shape, "{name} shape after MLX load");
        assert_eq!(&raw(a), data, "{name}: bits after MLX round trip");
    }

    // The other direction: a file from the safetensors crate (as
    // transformers/mlx-lm checkpoints are) loads into MLX unchanged.
    let st_file = dir.path().join("st.safetensors");
    let views: Vec<(&str, TensorView)> = expected
        .iter()
        .map(|(name, dtype, shape, data)| {
            (*name, TensorView::new(*dtype, shape.clone(), data).unwrap())
        })
        .collect();
    safetensors::serialize_to_file(views, Some(metadata.clone()), &st_file).unwrap();
    let (loaded, loaded_meta) = Array::load_safetensors_with_metadata(&st_file).unwrap();
    assert_eq!(loaded_meta, metadata);
    for (name, _, shape, data) in &expected {
        let a = &loaded[*name];
        assert_eq!(
            shape_of(a),
            *shape,
            "{name} shape from the safetensors crate"
        );
        assert_eq!(
            &raw(a),
            data,
            "{name}: bits loaded from the safetensors crate"
        );
    }

    // The comparison notices a single flipped bit.
    let mut flipped = expected[1].3.clone();
    flipped[0] ^= 1;
    assert_ne!(raw(&loaded["model.bf16"]), flipped);
}

// ---------------------------------------------------------------- memory

#[test]
fn memory_counters_track_allocation() {
    use mlx_rs::memory;
    let _mlx = mlx_lock();
    let size = 64 * 1024 * 1024; // 64 MiB of f32
    memory::clear_cache().unwrap();
    let before = memory::active_memory().unwrap();
    let big = Array::ones::<f32>(&[(size / 4) as i32]).unwrap();
    big.eval().unwrap();
    let during = memory::active_memory().unwrap();
    assert!(
        during >= before + size,
        "active memory grew by {} bytes after evaluating a {size}-byte array",
        during.saturating_sub(before)
    );
    let peak = memory::peak_memory().unwrap();
    assert!(peak >= during, "peak {peak} < active {during}");
    drop(big);
    let after = memory::active_memory().unwrap();
    assert!(
        after + size <= during,
        "active memory fell by only {} bytes after dropping the array",
        during.saturating_sub(after)
    );
    // On the CPU backend a freed buffer this size goes back to the system
    // rather than into MLX's cache (Metal would cache it); either way
    // clear_cache must leave nothing behind.
    let cached = memory::cache_memory().unwrap();
    memory::clear_cache().unwrap();
    let cleared = memory::cache_memory().unwrap();
    assert_eq!(cleared, 0, "clear_cache left {cleared} bytes cached");
    println!(
        "memory: active {before} -> {during} -> {after} bytes, peak {peak}, \
         cache {cached} -> {cleared}"
    );
}

// ---------------------------------------------------------------- doctor

#[test]
fn doctor_json_reports_cpu_backend_mlx_0_32_2_and_openblas() {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_punie-eval"))
        .args(["doctor", "--json"])
        .output()
        .expect("running punie-eval doctor");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "doctor failed ({}):\n{stdout}\n{}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_str(&stdout)
        .unwrap_or_else(|e| panic!("doctor --json is not JSON ({e}):\n{stdout}"));
    let rt = &v["runtime"];
    assert_eq!(rt["backend"], "cpu", "{v:#}");
    assert_eq!(rt["mlx_version"], "0.32.2", "{v:#}");
    let blas = rt["blas_library"]
        .as_str()
        .unwrap_or_else(|| panic!("no blas_library in {v:#}"));
    assert!(
        blas.contains("openblas"),
        "cblas_sgemm binds to {blas}, not OpenBLAS"
    );
    let lib = rt["runtime_library"]
        .as_str()
        .unwrap_or_else(|| panic!("no runtime_library in {v:#}"));
    assert!(lib.ends_with("libmlx.so"), "libmlx loaded from {lib}");
}
