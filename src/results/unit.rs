//! Units of the numbers in a results file: how each is shown and
//! differenced. Typed at the source (`BenchMetrics::measurements`), never
//! guessed from a key's spelling.

use serde::Serialize;

/// How a metric's numbers are shown and differenced.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Unit {
    /// A fraction 0..1 shown as a percentage; deltas in percentage points.
    Rate,
    Seconds,
    /// Shown in GB (10^9 bytes), as Punie's baseline does.
    Bytes,
    PerSecond,
    Plain,
}

impl Unit {
    pub fn show(self, v: f64) -> String {
        match self {
            Self::Rate => format!("{:.1}%", v * 100.0),
            Self::Seconds => format!("{v:.2}s"),
            Self::Bytes => format!("{:.2} GB", v / 1e9),
            Self::PerSecond => format!("{v:.1}/s"),
            Self::Plain => trim_float(v),
        }
    }

    /// Punie's delta: "+1.60s / +24.8%" (the relative part only when the
    /// baseline is not zero).
    pub fn delta(self, base: f64, new: f64) -> String {
        let d = new - base;
        let abs = match self {
            Self::Rate => format!("{:+.1} pp", d * 100.0),
            Self::Seconds => format!("{d:+.2}s"),
            Self::Bytes => format!("{:+.2} GB", d / 1e9),
            Self::PerSecond => format!("{d:+.1}/s"),
            Self::Plain => {
                let s = trim_float(d);
                if d >= 0.0 {
                    format!("+{s}")
                } else {
                    s
                }
            }
        };
        if base == 0.0 {
            abs
        } else {
            format!("{abs} / {:+.1}%", d / base.abs() * 100.0)
        }
    }
}

fn trim_float(v: f64) -> String {
    if v.fract() == 0.0 && v.abs() < 1e15 {
        format!("{v:.0}")
    } else {
        format!("{v:.3}")
    }
}
