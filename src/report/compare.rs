//! Comparing result files: one row per metric (accuracy rates always; query
//! timings and `bench` measurements when at least two files have them), each
//! later file paired with the first (the baseline) for deltas, the exact
//! McNemar test over shared queries and the queries that flipped.

use crate::parse::Profile;
pub use crate::results::{LoadError, Unit};
use crate::results::{QueryResult, RunResults};
use crate::score::Rate;
use crate::stats::mcnemar::{fmt_p, min_detectable, McNemar, MinDetectable};
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write;
use std::path::Path;

/// One results file, read and checked.
#[derive(Debug, Clone)]
pub struct Loaded {
    pub path: String,
    pub results: RunResults,
}

impl Loaded {
    pub fn read(path: &Path) -> Result<Self, LoadError> {
        Ok(Self {
            path: path.display().to_string(),
            results: RunResults::read(path)?,
        })
    }

    pub fn parse(text: &str, path: &str) -> Result<Self, LoadError> {
        Ok(Self {
            path: path.to_string(),
            results: RunResults::parse(text, path)?,
        })
    }
}

/// A cell: the number and, for rates, the counts behind it.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Cell {
    pub value: f64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub successes: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub trials: Option<u64>,
}

impl Cell {
    fn rate(r: &Rate) -> Option<Self> {
        r.value.map(|value| Self {
            value,
            successes: Some(r.successes),
            trials: Some(r.trials),
        })
    }
    fn number(value: f64) -> Self {
        Self {
            value,
            successes: None,
            trials: None,
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct MetricRow {
    pub key: String,
    pub label: String,
    pub unit: Unit,
    /// One per file, in file order; `None` where the file lacks it.
    pub values: Vec<Option<Cell>>,
}

impl MetricRow {
    /// "75.0% (6/8)", "8.06s", or "n/a".
    pub fn show(&self, i: usize) -> String {
        match self.values.get(i).copied().flatten() {
            None => "n/a".to_string(),
            Some(c) => match (c.successes, c.trials) {
                (Some(k), Some(n)) => format!("{} ({k}/{n})", self.unit.show(c.value)),
                _ => self.unit.show(c.value),
            },
        }
    }

    /// The delta of file `i` against file `base`, when both have the metric.
    pub fn delta(&self, base: usize, i: usize) -> Option<String> {
        let a = self.values.get(base).copied().flatten()?;
        let b = self.values.get(i).copied().flatten()?;
        Some(self.unit.delta(a.value, b.value))
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct FileInfo {
    pub path: String,
    /// "model/backend description", for column headings.
    pub label: String,
    pub backend: String,
    pub created: String,
    /// "id@version" of each suite.
    pub suites: Vec<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum FlipDirection {
    PassToFail,
    FailToPass,
}

impl FlipDirection {
    pub fn arrow(self) -> &'static str {
        match self {
            Self::PassToFail => "pass→fail",
            Self::FailToPass => "fail→pass",
        }
    }
}

/// A shared query whose strict outcome differs between two files.
#[derive(Debug, Clone, Serialize)]
pub struct Flip {
    pub suite: String,
    pub query: String,
    pub direction: FlipDirection,
    /// Why it failed on the failing side.
    pub reason: String,
}

/// A later file against the baseline (file 0).
#[derive(Debug, Clone, Serialize)]
pub struct Pair {
    pub baseline: usize,
    pub other: usize,
    /// Queries (suite + id) scored in both.
    pub shared: u64,
    pub only_baseline: u64,
    pub only_other: u64,
    /// Exact McNemar on strict pass/fail; `None` without shared queries.
    pub strict: Option<McNemar>,
    /// The same on the call-or-not decision.
    pub discrimination: Option<McNemar>,
    /// The smallest strict-accuracy difference `shared` queries can detect.
    pub min_detectable: Option<MinDetectable>,
    pub verdict: String,
    pub flips: Vec<Flip>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Comparison {
    pub files: Vec<FileInfo>,
    pub metrics: Vec<MetricRow>,
    pub pairs: Vec<Pair>,
    pub warnings: Vec<String>,
}

/// Compares two or more loaded files as each was scored; the first is the
/// baseline.
pub fn compare(files: &[Loaded]) -> Comparison {
    compare_with(files, None)
}

/// [`compare`], with every file's queries passed or failed under one parse
/// profile (`None`: the profile each file was scored under). Check first
/// with [`profile_problem`] that every file has that profile's passes.
pub fn compare_with(files: &[Loaded], profile: Option<Profile>) -> Comparison {
    let infos: Vec<FileInfo> = files.iter().enumerate().map(file_info).collect();
    let mut warnings = suite_warnings(files);
    if profile.is_none() {
        warnings.extend(profile_warning(files));
    }
    let mut metrics = accuracy_rows(files, profile);
    metrics.extend(repeat_rows(files, &mut warnings));
    metrics.extend(optional_rows(files));
    let pairs = (1..files.len())
        .map(|i| pair(files, 0, i, profile, &mut warnings))
        .collect();
    Comparison {
        files: infos,
        metrics,
        pairs,
        warnings,
    }
}

/// Why `files` cannot all be compared under `profile`: a file scored under
/// the other profile that has no per-query passes under both (written
/// before parse profiles existed).
pub fn profile_problem(files: &[Loaded], profile: Profile) -> Option<String> {
    let missing: Vec<&str> = files
        .iter()
        .filter(|f| f.results.parse_profile != profile)
        .filter(|f| queries(f).any(|q| q.verdict.is_some() && q.profiles.is_none()))
        .map(|f| f.path.as_str())
        .collect();
    (!missing.is_empty()).then(|| {
        format!(
            "{} scored under the {} parse profile only, not under {profile}; fix: score the \
             transcripts again with `run --replay TRANSCRIPTS --parse-profile {profile}`",
            missing.join(", "),
            match profile {
                Profile::Strict => Profile::Lenient,
                Profile::Lenient => Profile::Strict,
            }
        )
    })
}

/// Files scored under different profiles compare format rules as well as
/// models: say so.
fn profile_warning(files: &[Loaded]) -> Option<String> {
    let first = files.first()?.results.parse_profile;
    files
        .iter()
        .any(|f| f.results.parse_profile != first)
        .then(|| {
            let shown: Vec<String> = files
                .iter()
                .enumerate()
                .map(|(i, f)| format!("{}: {}", letter(i), f.results.parse_profile))
                .collect();
            format!(
                "parse profiles differ ({}): pass --parse-profile strict or lenient to score \
                 every file under one",
                shown.join(", ")
            )
        })
}

/// A query's strict pass under `profile` (`None`: as the file scored it).
fn passed(f: &Loaded, q: &QueryResult, profile: Option<Profile>) -> bool {
    match (profile, q.profiles) {
        (Some(p), Some(pp)) if p != f.results.parse_profile => match p {
            Profile::Strict => pp.strict_profile,
            Profile::Lenient => pp.lenient_profile,
        },
        _ => q.score.strict,
    }
}

fn file_info((i, f): (usize, &Loaded)) -> FileInfo {
    let b = &f.results.backend;
    FileInfo {
        path: f.path.clone(),
        label: format!("{}: {} {}", letter(i), b.kind, b.description),
        backend: b.kind.clone(),
        created: f.results.created.clone(),
        suites: f
            .results
            .suites
            .iter()
            .map(|s| format!("{}@{}", s.pack.id, s.pack.version))
            .collect(),
    }
}

/// A, B, C, … Z, then F27, F28, …
pub fn letter(i: usize) -> String {
    if i < 26 {
        char::from(b'A' + i as u8).to_string()
    } else {
        format!("F{}", i + 1)
    }
}

fn suite_warnings(files: &[Loaded]) -> Vec<String> {
    let mut out = Vec::new();
    let Some(first) = files.first() else {
        return out;
    };
    let suites = |f: &Loaded| -> BTreeMap<String, String> {
        f.results
            .suites
            .iter()
            .map(|s| (s.pack.id.clone(), s.pack.version.clone()))
            .collect()
    };
    let base = suites(first);
    for (i, f) in files.iter().enumerate().skip(1) {
        let other = suites(f);
        let ids = |m: &BTreeMap<String, String>| m.keys().cloned().collect::<BTreeSet<_>>();
        if ids(&base) != ids(&other) {
            out.push(format!(
                "suites differ: {} ({}) ran [{}], {} ({}) ran [{}]; accuracy rates cover \
                 different queries, the paired test only the shared ones",
                letter(0),
                first.path,
                join(base.keys()),
                letter(i),
                f.path,
                join(other.keys())
            ));
        }
        for (id, v) in &base {
            if let Some(w) = other.get(id).filter(|w| *w != v) {
                out.push(format!(
                    "suite {id}: version {v} in {} but {w} in {} ({}); its queries may have \
                     changed between the runs",
                    letter(0),
                    letter(i),
                    f.path
                ));
            }
        }
    }
    out
}

fn join<'a>(it: impl Iterator<Item = &'a String>) -> String {
    it.map(String::as_str).collect::<Vec<_>>().join(", ")
}

fn accuracy_rows(files: &[Loaded], profile: Option<Profile>) -> Vec<MetricRow> {
    type Pick = fn(&crate::score::Metrics) -> &Rate;
    let rows: [(&str, &str, Pick); 5] = [
        ("strict", "Accuracy (strict)", |m| &m.strict),
        ("soft", "Accuracy (soft)", |m| &m.soft),
        ("discrimination_accuracy", "Tool discrimination", |m| {
            &m.discrimination_accuracy
        }),
        ("tool_name_accuracy", "Tool names right", |m| {
            &m.tool_name_accuracy
        }),
        ("argument_validity", "Arguments valid", |m| {
            &m.argument_validity
        }),
    ];
    let mut out: Vec<MetricRow> = rows
        .iter()
        .map(|(key, label, pick)| MetricRow {
            key: key.to_string(),
            label: label.to_string(),
            unit: Unit::Rate,
            values: files
                .iter()
                .map(|f| Cell::rate(pick(&f.results.overall)))
                .collect(),
        })
        .collect();
    if let Some(p) = profile {
        // The headline accuracy under the chosen profile.
        out[0].label = format!("Accuracy (strict, {p} parse profile)");
        out[0].values = files
            .iter()
            .map(|f| {
                let (n, k) = queries(f).fold((0, 0), |(n, k), q| {
                    (n + 1, k + u64::from(passed(f, q, profile)))
                });
                Cell::rate(&Rate::new(k, n))
            })
            .collect();
    }
    type PickOpt = fn(&crate::score::Metrics) -> Option<Rate>;
    let extra: [(&str, &str, PickOpt); 4] = [
        ("tool_hallucination", "Calls to unknown tools", |m| {
            Some(m.tool_hallucination)
        }),
        (
            "profiles.accuracy_strict_profile",
            "Accuracy, strict parse profile",
            |m| m.profiles.as_ref().map(|p| p.accuracy_strict_profile),
        ),
        (
            "profiles.accuracy_lenient_profile",
            "Accuracy, lenient parse profile",
            |m| m.profiles.as_ref().map(|p| p.accuracy_lenient_profile),
        ),
        (
            "profiles.format_errors",
            "Format errors (fail only under strict)",
            |m| {
                m.profiles
                    .as_ref()
                    .map(|p| Rate::new(p.format_errors, p.queries))
            },
        ),
    ];
    for (key, label, pick) in extra {
        let values: Vec<Option<Cell>> = files
            .iter()
            .map(|f| pick(&f.results.overall).and_then(|r| Cell::rate(&r)))
            .collect();
        if values.iter().any(Option::is_some) {
            out.push(MetricRow {
                key: key.to_string(),
                label: label.to_string(),
                unit: Unit::Rate,
                values,
            });
        }
    }
    out
}

/// `--repeats` results: pass^k, pass@k, mean per run and stable queries,
/// when any file has them. Files with different K are flagged: pass^k falls
/// as K grows, so only equal K compare.
fn repeat_rows(files: &[Loaded], warnings: &mut Vec<String>) -> Vec<MetricRow> {
    let ks: Vec<Option<u32>> = files
        .iter()
        .map(|f| f.results.repeats.as_ref().map(|r| r.k))
        .collect();
    let Some(k) = ks.iter().flatten().next().copied() else {
        return Vec::new();
    };
    if ks.iter().flatten().any(|&x| x != k) || ks.iter().any(Option::is_none) {
        let shown: Vec<String> = ks
            .iter()
            .enumerate()
            .map(|(i, k)| {
                format!(
                    "{}: {}",
                    letter(i),
                    k.map_or("none".into(), |k| k.to_string())
                )
            })
            .collect();
        warnings.push(format!(
            "repeats differ ({}): pass^k falls as k grows, compare files run with the same --repeats",
            shown.join(", ")
        ));
    }
    type Pick = fn(&crate::score::Repeats) -> &Rate;
    let rows: [(&str, String, Pick); 4] = [
        ("pass_hat_k", format!("pass^{k} (every run)"), |r| {
            &r.pass_hat_k
        }),
        ("pass_at_k", format!("pass@{k} (any run)"), |r| &r.pass_at_k),
        ("mean_pass", "Mean pass per run".into(), |r| &r.mean_pass),
        ("stable", "Stable queries".into(), |r| &r.stable),
    ];
    rows.into_iter()
        .map(|(key, label, pick)| MetricRow {
            key: format!("repeats.{key}"),
            label,
            unit: Unit::Rate,
            values: files
                .iter()
                .map(|f| f.results.repeats.as_ref().and_then(|r| Cell::rate(pick(r))))
                .collect(),
        })
        .collect()
}

/// Per-query timing means and every numeric `bench` measurement, kept when
/// at least two files have them (one value alone compares with nothing).
fn optional_rows(files: &[Loaded]) -> Vec<MetricRow> {
    let mut rows: Vec<MetricRow> = Vec::new();
    let timing =
        |key: &str, label: &str, unit: Unit, f: &dyn Fn(&Loaded) -> Option<f64>| MetricRow {
            key: key.to_string(),
            label: label.to_string(),
            unit,
            values: files.iter().map(|l| f(l).map(Cell::number)).collect(),
        };
    rows.push(timing(
        "query_total_mean_s",
        "Mean query time",
        Unit::Seconds,
        &|l| mean(queries(l).filter_map(|q| q.timings.total_s)),
    ));
    rows.push(timing(
        "first_token_mean_s",
        "Mean time to first token",
        Unit::Seconds,
        &|l| mean(queries(l).filter_map(|q| q.timings.first_token_s)),
    ));
    rows.push(timing(
        "generation_tok_per_s",
        "Generation speed (tokens)",
        Unit::PerSecond,
        &|l| {
            let (tokens, secs) = queries(l)
                .filter_map(|q| Some((q.generated_tokens? as f64, q.timings.generation_s?)))
                .fold((0.0, 0.0), |(t, s), (a, b)| (t + a, s + b));
            (secs > 0.0).then(|| tokens / secs)
        },
    ));

    // Bench measurements in first-seen order across files, each with the
    // unit its producer gave it.
    let mut keys: Vec<(String, Unit)> = Vec::new();
    let leaves: Vec<BTreeMap<String, f64>> = files
        .iter()
        .map(|f| {
            let m = f
                .results
                .bench
                .as_ref()
                .map(|b| b.measurements())
                .unwrap_or_default();
            for x in &m {
                if !keys.iter().any(|(k, _)| *k == x.key) {
                    keys.push((x.key.clone(), x.unit));
                }
            }
            m.into_iter().map(|x| (x.key, x.value)).collect()
        })
        .collect();
    for (key, unit) in keys {
        rows.push(MetricRow {
            label: humanize(&key),
            unit,
            values: leaves
                .iter()
                .map(|m| m.get(&key).copied().map(Cell::number))
                .collect(),
            key: format!("bench.{key}"),
        });
    }
    rows.retain(|r| r.values.iter().filter(|v| v.is_some()).count() >= 2);
    rows
}

fn queries(l: &Loaded) -> impl Iterator<Item = &QueryResult> {
    l.results.suites.iter().flat_map(|s| s.queries.iter())
}

fn mean(it: impl Iterator<Item = f64>) -> Option<f64> {
    let (sum, n) = it.fold((0.0, 0u64), |(s, n), x| (s + x, n + 1));
    (n > 0).then(|| sum / n as f64)
}

/// "memory.peak_bytes" → "Memory peak", "load_s" → "Load".
fn humanize(key: &str) -> String {
    let words: Vec<String> = key
        .split('.')
        .map(|seg| {
            ["_per_s", "_bytes", "_s"]
                .iter()
                .find_map(|suf| seg.strip_suffix(suf))
                .unwrap_or(seg)
                .replace('_', " ")
        })
        .collect();
    let s = words.join(" ");
    let mut c = s.chars();
    c.next()
        .map(|f| f.to_uppercase().collect::<String>() + c.as_str())
        .unwrap_or_default()
}

type Key = (String, String);

fn outcomes(f: &Loaded) -> BTreeMap<Key, &QueryResult> {
    f.results
        .suites
        .iter()
        .flat_map(|s| {
            s.queries
                .iter()
                .map(|q| ((s.pack.id.clone(), q.id.clone()), q))
        })
        .collect()
}

fn pair(
    files: &[Loaded],
    a: usize,
    b: usize,
    profile: Option<Profile>,
    warnings: &mut Vec<String>,
) -> Pair {
    let qa = outcomes(&files[a]);
    let qb = outcomes(&files[b]);
    let mut flips = Vec::new();
    let (mut shared, mut sb, mut sc, mut db, mut dc) = (0u64, 0u64, 0u64, 0u64, 0u64);
    for (key, x) in &qa {
        let Some(y) = qb.get(key) else { continue };
        shared += 1;
        let (xs, ys) = (passed(&files[a], x, profile), passed(&files[b], y, profile));
        sb += u64::from(xs && !ys);
        sc += u64::from(!xs && ys);
        db += u64::from(x.score.discrimination && !y.score.discrimination);
        dc += u64::from(!x.score.discrimination && y.score.discrimination);
        if xs != ys {
            let (direction, reason) = if xs {
                (FlipDirection::PassToFail, y.score.reason.clone())
            } else {
                (FlipDirection::FailToPass, x.score.reason.clone())
            };
            flips.push(Flip {
                suite: key.0.clone(),
                query: key.1.clone(),
                direction,
                reason,
            });
        }
    }
    let only_baseline = qa.len() as u64 - shared;
    let only_other = qb.len() as u64 - shared;
    if (only_baseline > 0 || only_other > 0) && shared > 0 {
        warnings.push(format!(
            "{} and {}: {shared} shared queries; {only_baseline} only in {}, {only_other} only \
             in {} (left out of the paired test)",
            letter(a),
            letter(b),
            letter(a),
            letter(b)
        ));
    }
    let strict = (shared > 0).then(|| McNemar::new(shared, sb, sc));
    let verdict = match &strict {
        None => format!(
            "no shared queries between {} and {}: the paired test needs the same suite and \
             query ids",
            letter(a),
            letter(b)
        ),
        Some(m) => m.verdict(&letter(a), &letter(b)),
    };
    Pair {
        baseline: a,
        other: b,
        shared,
        only_baseline,
        only_other,
        strict,
        discrimination: (shared > 0).then(|| McNemar::new(shared, db, dc)),
        min_detectable: min_detectable(shared),
        verdict,
        flips,
    }
}

/// "6 queries (10.0 pp) of 60", or why nothing is detectable.
pub fn detectable_text(p: &Pair) -> String {
    match p.min_detectable {
        Some(d) => format!(
            "{:.1} pp ({} discordant queries, all one way, of {} shared: p = {} < 0.05)",
            d.rate * 100.0,
            d.discordant,
            p.shared,
            fmt_p(crate::stats::mcnemar::exact_p(d.discordant, 0))
        ),
        None => format!(
            "none: {} shared queries cannot reach p < 0.05 however they split (needs at least 6)",
            p.shared
        ),
    }
}

/// The terminal rendering: deltas for two files, a side-by-side table for
/// more, then each pair's test and flips.
pub fn text(c: &Comparison) -> String {
    let mut out = String::new();
    for f in &c.files {
        let _ = writeln!(out, "{} — {} ({})", f.label, f.path, f.created);
    }
    let _ = writeln!(out);
    let width = c.metrics.iter().map(|m| m.label.len()).max().unwrap_or(0) + 1;
    if c.files.len() == 2 {
        for m in &c.metrics {
            let delta = m
                .delta(0, 1)
                .map(|d| format!("  ({d})"))
                .unwrap_or_default();
            let _ = writeln!(
                out,
                "{:<width$} {} → {}{delta}",
                format!("{}:", m.label),
                m.show(0),
                m.show(1)
            );
        }
    } else {
        let cols: Vec<usize> = (0..c.files.len())
            .map(|i| {
                c.metrics
                    .iter()
                    .map(|m| m.show(i).chars().count())
                    .max()
                    .unwrap_or(0)
                    .max(letter(i).len())
            })
            .collect();
        let _ = write!(out, "{:<width$}", "metric");
        for (i, w) in cols.iter().enumerate() {
            let _ = write!(out, "  {:>w$}", letter(i));
        }
        let _ = writeln!(out);
        for m in &c.metrics {
            let _ = write!(out, "{:<width$}", m.label);
            for (i, w) in cols.iter().enumerate() {
                let _ = write!(out, "  {:>w$}", m.show(i));
            }
            let _ = writeln!(out);
        }
    }
    for p in &c.pairs {
        let (a, b) = (letter(p.baseline), letter(p.other));
        let _ = writeln!(out, "\n{b} vs {a} (paired by suite + query id):");
        if let Some(m) = &p.strict {
            let _ = writeln!(
                out,
                "  McNemar exact, strict: {} shared, {} pass→fail, {} fail→pass, p = {}",
                m.shared,
                m.b,
                m.c,
                fmt_p(m.p_value)
            );
        }
        if let Some(m) = &p.discrimination {
            let _ = writeln!(
                out,
                "  McNemar exact, discrimination: {} pass→fail, {} fail→pass, p = {}",
                m.b,
                m.c,
                fmt_p(m.p_value)
            );
        }
        let _ = writeln!(out, "  verdict: {}", p.verdict);
        let _ = writeln!(
            out,
            "  smallest detectable difference: {}",
            detectable_text(p)
        );
        if !p.flips.is_empty() {
            let _ = writeln!(out, "  flipped ({}):", p.flips.len());
            for f in &p.flips {
                let _ = writeln!(
                    out,
                    "    {} {}/{}: {}",
                    f.direction.arrow(),
                    f.suite,
                    f.query,
                    f.reason
                );
            }
        }
    }
    out
}
