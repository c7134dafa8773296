//! Suite metrics: Wilson intervals against published values, the confusion
//! matrix, precision/recall/F1, and the per-tool and per-tag breakdowns.

use punie_eval::score::{metrics, wilson, Confusion, Observed, QueryScore, Rate, Scored, Z95};
use punie_eval::suite::ExpectKind;

fn close(a: f64, b: f64) {
    assert!((a - b).abs() < 5e-5, "{a} != {b}");
}

#[test]
fn wilson_matches_newcombe_1998() {
    // Newcombe, "Two-sided confidence intervals for the single proportion:
    // comparison of seven methods", Stat. Med. 1998, Table II, method 3.
    for (k, n, lo, hi) in [
        (81, 263, 0.2553, 0.3662),
        (15, 148, 0.0624, 0.1605),
        (0, 20, 0.0, 0.1611),
        (1, 29, 0.0061, 0.1718),
    ] {
        let [l, h] = wilson(k, n, Z95).unwrap();
        close(l, lo);
        close(h, hi);
    }
}

#[test]
fn wilson_edges() {
    assert_eq!(wilson(0, 0, Z95), None);
    let [l, h] = wilson(10, 10, Z95).unwrap();
    close(l, 0.7225);
    assert_eq!(h, 1.0);
    let [l, h] = wilson(5, 10, Z95).unwrap();
    close(l, 0.2366);
    close(h, 0.7634);
    assert!((l + h - 1.0).abs() < 1e-12, "symmetric at p = 0.5");
    let r = Rate::new(0, 0);
    assert_eq!((r.value, r.ci95), (None, None));
    assert_eq!(r.display(), "n/a (0)");
    assert_eq!(Rate::new(1, 4).display(), "25.0% [4.6–69.9] (1/4)");
}

fn qs(expected: ExpectKind, observed: Observed) -> QueryScore {
    let wants = observed.wants_tool();
    let soft = match expected {
        ExpectKind::Tool | ExpectKind::AnyTool => observed == Observed::ToolCall,
        _ => observed == Observed::Direct,
    };
    QueryScore {
        expected,
        observed,
        called: vec![],
        discrimination: wants == Some(expected.wants_tool()),
        soft,
        strict: soft,
        tool_name_correct: None,
        calls: 0,
        valid_calls: 0,
        unknown_tool_calls: 0,
        reason: String::new(),
        failure: None,
    }
}

#[test]
fn confusion_counts_every_cell_and_serializes_in_order() {
    let mut c = Confusion::default();
    c.add(ExpectKind::Tool, Observed::ToolCall);
    c.add(ExpectKind::Tool, Observed::ToolCall);
    c.add(ExpectKind::Direct, Observed::MalformedCall);
    c.add(ExpectKind::Ask, Observed::NoCompletion);
    assert_eq!(c.get(ExpectKind::Tool, Observed::ToolCall), 2);
    assert_eq!(c.get(ExpectKind::Direct, Observed::MalformedCall), 1);
    assert_eq!(c.get(ExpectKind::Direct, Observed::Direct), 0);
    assert_eq!(c.row_total(ExpectKind::Tool), 2);
    assert_eq!(c.total(), 4);
    let json = serde_json::to_string(&c).unwrap();
    assert!(json.starts_with(
        r#"{"tool":{"tool_call":2,"direct":0,"malformed_call":0,"promise":0,"no_completion":0},"any_tool":"#
    ), "{json}");
    let back: Confusion = serde_json::from_str(&json).unwrap();
    assert_eq!(back, c);
}

#[test]
fn suite_metrics_by_hand() {
    use ExpectKind::{AnyTool, Ask, Tool};
    use Observed::{MalformedCall, NoCompletion, Promise, ToolCall};
    #[allow(non_upper_case_globals)]
    const Direct: ExpectKind = ExpectKind::Direct;
    const DIRECT: Observed = Observed::Direct;
    // 10 queries: 6 expect a tool, 4 expect no tool.
    let mut scores = vec![
        qs(Tool, ToolCall),        // TP, soft
        qs(Tool, ToolCall),        // TP, soft (wrong tool below)
        qs(Tool, ToolCall),        // TP, soft (invalid args below)
        qs(Tool, Promise),         // TP (decision), not soft
        qs(Tool, DIRECT),          // FN
        qs(AnyTool, NoCompletion), // excluded from P/R
        qs(Direct, DIRECT),        // TN
        qs(Direct, MalformedCall), // FP: never an abstention
        qs(Direct, ToolCall),      // FP
        qs(Ask, DIRECT),           // TN
    ];
    scores[0].tool_name_correct = Some(true);
    scores[0].calls = 1;
    scores[0].valid_calls = 1;
    scores[1].tool_name_correct = Some(false);
    scores[1].strict = false;
    scores[1].calls = 1;
    scores[1].valid_calls = 1;
    scores[2].tool_name_correct = Some(true);
    scores[2].strict = false;
    scores[2].calls = 2;
    scores[2].valid_calls = 1;
    scores[8].calls = 1;
    scores[8].valid_calls = 1;
    let tags: Vec<Vec<String>> = (0..10)
        .map(|i| {
            if i < 3 {
                vec!["typecheck".to_string()]
            } else {
                vec![]
            }
        })
        .collect();
    let expected_tools: Vec<Vec<&str>> = (0..10)
        .map(|i| if i < 5 { vec!["typecheck"] } else { vec![] })
        .collect();
    let calls: Vec<Vec<(String, bool)>> = (0..10)
        .map(|i| match i {
            0 => vec![("typecheck".to_string(), true)],
            1 => vec![("ruff_check".to_string(), true)],
            2 => vec![
                ("typecheck".to_string(), false),
                ("typecheck".to_string(), true),
            ],
            8 => vec![("ruff_check".to_string(), true)],
            _ => vec![],
        })
        .collect();
    let m = metrics((0..10).map(|i| Scored {
        score: &scores[i],
        tags: &tags[i],
        expected_tools: &expected_tools[i],
        calls: &calls[i],
        profiles: None,
    }));

    assert_eq!(m.queries, 10);
    assert_eq!(m.no_completion, 1);
    // Decision right: 4 TP + 2 TN = 6 of 10 (no completion counts as wrong).
    assert_eq!(
        (
            m.discrimination_accuracy.successes,
            m.discrimination_accuracy.trials
        ),
        (6, 10)
    );
    // Soft: 3 tool calls + Direct/Direct + Ask/Direct = 5.
    assert_eq!(m.soft.successes, 5);
    assert_eq!(m.strict.successes, 3);
    let b = &m.calls_tool;
    assert_eq!(
        (
            b.true_positive,
            b.false_positive,
            b.false_negative,
            b.true_negative
        ),
        (4, 2, 1, 2)
    );
    assert_eq!((b.precision.successes, b.precision.trials), (4, 6));
    assert_eq!((b.recall.successes, b.recall.trials), (4, 5));
    close(b.f1.unwrap(), 8.0 / 11.0);
    assert_eq!(
        (m.tool_name_accuracy.successes, m.tool_name_accuracy.trials),
        (2, 3)
    );
    assert_eq!(
        (m.argument_validity.successes, m.argument_validity.trials),
        (4, 5)
    );
    assert_eq!(m.confusion.get(Direct, MalformedCall), 1);
    assert_eq!(m.confusion.get(AnyTool, NoCompletion), 1);

    let tc = &m.per_tool["typecheck"];
    assert_eq!(tc.expected_in.queries, 5);
    assert_eq!(tc.expected_in.soft.successes, 3);
    assert_eq!(tc.calls, 3);
    assert_eq!(tc.argument_validity.successes, 2);
    assert_eq!(tc.spurious_calls, 0);
    let ruff = &m.per_tool["ruff_check"];
    assert_eq!(ruff.expected_in.queries, 0);
    assert_eq!(ruff.calls, 2);
    assert_eq!(ruff.spurious_calls, 1, "the call on a direct query");

    let tag = &m.per_tag["typecheck"];
    assert_eq!(tag.queries, 3);
    assert_eq!(tag.strict.successes, 1);
    let ci = m.strict.ci95.unwrap();
    let expect = wilson(3, 10, Z95).unwrap();
    assert_eq!(ci, expect);
}

#[test]
fn empty_suite_has_no_rates() {
    let m = metrics(std::iter::empty());
    assert_eq!(m.queries, 0);
    assert_eq!(m.strict.value, None);
    assert_eq!(m.calls_tool.f1, None);
}
