//! Element-wise comparison of an MLX result with a reference, reporting the
//! worst offender so a failure says where and by how much.

/// Passes when `|got[i] - want[i]| <= abs + rel * scale[i]` for every `i`.
/// `scale` is the magnitude the error should be measured against (for a
/// dot product, `sum |a_k * b_k|`, which bounds f32 accumulation error
/// even when the sum itself cancels to near zero).
pub fn close(
    got: &[f32],
    want: &[f64],
    scale: &[f64],
    rel: f64,
    abs: f64,
) -> Result<Stats, String> {
    if got.len() != want.len() || want.len() != scale.len() {
        return Err(format!(
            "length mismatch: got {} values, reference {} values, {} scales",
            got.len(),
            want.len(),
            scale.len()
        ));
    }
    let mut stats = Stats::default();
    let mut failures = 0usize;
    let mut worst: Option<(usize, f64)> = None;
    for (i, ((&g, &w), &sc)) in got.iter().zip(want).zip(scale).enumerate() {
        let err = (f64::from(g) - w).abs();
        let tol = abs + rel * sc.abs();
        if !err.is_finite() || err > tol {
            failures += 1;
        }
        let ratio = if err.is_finite() {
            err / tol
        } else {
            f64::INFINITY
        };
        if worst.is_none_or(|(_, r)| ratio > r) {
            worst = Some((i, ratio));
        }
        stats.max_abs_err = stats.max_abs_err.max(err);
        if sc > 0.0 {
            stats.max_rel_err = stats.max_rel_err.max(err / sc);
        }
    }
    if failures > 0 {
        let (i, _) = worst.expect("non-empty when failures > 0");
        return Err(format!(
            "{failures} of {} elements out of tolerance; worst at flat index {i}: \
             got {}, want {}, |err| {:.3e} > tol {:.3e} (abs {abs:e} + rel {rel:e} * {:.3e})",
            got.len(),
            got[i],
            want[i],
            (f64::from(got[i]) - want[i]).abs(),
            abs + rel * scale[i].abs(),
            scale[i]
        ));
    }
    Ok(stats)
}

/// Same, with one scale for every element (e.g. the largest |input|).
pub fn close_uniform(
    got: &[f32],
    want: &[f64],
    scale: f64,
    rel: f64,
    abs: f64,
) -> Result<Stats, String> {
    close(got, want, &vec![scale; want.len()], rel, abs)
}

/// Largest errors seen, for the test log and docs/mlx-runtime.md.
#[derive(Debug, Default, Clone, Copy)]
pub struct Stats {
    pub max_abs_err: f64,
    /// Largest `err / scale[i]`.
    pub max_rel_err: f64,
}
