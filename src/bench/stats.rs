//! Summary statistics of repeated timings.

pub use crate::results::Summary;

pub fn summarize(xs: &[f64]) -> Option<Summary> {
    if xs.is_empty() {
        return None;
    }
    let n = xs.len();
    let mean = xs.iter().sum::<f64>() / n as f64;
    let mut s = xs.to_vec();
    s.sort_by(f64::total_cmp);
    let median = if n % 2 == 1 {
        s[n / 2]
    } else {
        (s[n / 2 - 1] + s[n / 2]) / 2.0
    };
    let cv = if n > 1 && mean != 0.0 {
        let var = xs.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1) as f64;
        var.sqrt() / mean
    } else {
        0.0
    };
    Some(Summary {
        n,
        mean,
        min: s[0],
        median,
        max: s[n - 1],
        cv,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn summary_of_known_values() {
        let s = summarize(&[2.0, 4.0, 4.0, 4.0, 5.0, 5.0, 7.0, 9.0]).unwrap();
        assert_eq!(s.n, 8);
        assert!((s.mean - 5.0).abs() < 1e-12);
        assert_eq!((s.min, s.median, s.max), (2.0, 4.5, 9.0));
        // sample std = sqrt(32/7)
        assert!((s.cv - (32.0f64 / 7.0).sqrt() / 5.0).abs() < 1e-12);
        assert!(summarize(&[]).is_none());
        assert_eq!(summarize(&[3.0]).unwrap().cv, 0.0);
    }
}
