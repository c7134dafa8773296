//! Issue 14's pack language: several expected calls of one tool matched
//! one-to-one (any order, or the given order), call counts, and the new
//! matchers (optional, normalized, each, keys) — scored, and refused with a
//! clear reason when written wrong.

use punie_eval::parse::{Call, CallFormat, Profile, Verdict, VerdictKind};
use punie_eval::score::{score_query, Failure, QueryScore, Response};
use punie_eval::suite::Expect;
use serde_json::{json, Value};

fn call(name: &str, args: Value) -> Call {
    Call {
        name: name.into(),
        arguments: args.as_object().cloned().unwrap_or_default(),
        valid: true,
        errors: vec![],
        fault: None,
        format: CallFormat::QwenJson,
        result_fields: vec![],
    }
}

fn score(expect: &Value, calls: Vec<Call>) -> QueryScore {
    let e = Expect::from_value(expect).unwrap_or_else(|e| panic!("{expect}: {e}"));
    let v = Verdict {
        kind: VerdictKind::ToolCall,
        calls,
        notes: vec![],
        thinking: None,
        profile: Profile::Strict,
    };
    score_query(
        &e,
        Response::Completed {
            verdict: &v,
            text: "",
        },
    )
}

fn songs(calls: &str, order: &str) -> Value {
    json!({"match": "all", "calls": calls, "order": order, "tool": [
        {"name": "play", "args": {"artist": {"normalized": "Taylor Swift"}, "minutes": 20}},
        {"name": "play", "args": {"artist": {"normalized": "Maroon 5"}, "minutes": 15}},
    ]})
}

fn play(artist: &str, minutes: u64) -> Call {
    call("play", json!({"artist": artist, "minutes": minutes}))
}

#[test]
fn parallel_calls_of_one_tool_each_need_their_own_call() {
    let e = songs("exactly", "any");
    let right = score(&e, vec![play("Taylor Swift", 20), play("Maroon 5", 15)]);
    assert!(right.strict, "{}", right.reason);
    // In the other order: still right.
    let swapped_order = score(&e, vec![play("Maroon 5", 15), play("Taylor Swift", 20)]);
    assert!(swapped_order.strict, "{}", swapped_order.reason);
    // One call for two songs.
    let one = score(&e, vec![play("Taylor Swift", 20)]);
    assert!(!one.strict);
    assert_eq!(one.failure, Some(Failure::WrongCallCount), "{}", one.reason);
    // The same call twice.
    let twice = score(&e, vec![play("Taylor Swift", 20), play("Taylor Swift", 20)]);
    assert!(!twice.strict);
    assert_eq!(twice.failure, Some(Failure::WrongValue), "{}", twice.reason);
    assert!(
        twice.reason.contains("\"Taylor Swift\""),
        "{}",
        twice.reason
    );
    // The pairs swapped between the calls.
    let crossed = score(&e, vec![play("Taylor Swift", 15), play("Maroon 5", 20)]);
    assert!(!crossed.strict);
    assert_eq!(crossed.failure, Some(Failure::WrongValue));
    assert!(
        crossed
            .reason
            .contains("argument `minutes` is 15, expected 20"),
        "{}",
        crossed.reason
    );
}

#[test]
fn given_order_fails_calls_in_another_order() {
    let e = songs("exactly", "given");
    assert!(score(&e, vec![play("Taylor Swift", 20), play("Maroon 5", 15)]).strict);
    let s = score(&e, vec![play("Maroon 5", 15), play("Taylor Swift", 20)]);
    assert!(!s.strict);
    assert_eq!(s.failure, Some(Failure::WrongOrder));
    assert!(s.reason.contains("in the listed order"), "{}", s.reason);
}

#[test]
fn matching_is_one_to_one_where_a_greedy_matcher_fails() {
    // Entry 0 accepts either artist; entry 1 only Taylor Swift. A greedy
    // pass gives the first call (Taylor Swift) to entry 0 and fails.
    let e = json!({"match": "all", "tool": [
        {"name": "play", "args": {"artist": {"one_of": ["Taylor Swift", "Maroon 5"]}}},
        {"name": "play", "args": {"artist": "Taylor Swift"}},
    ]});
    let s = score(&e, vec![play("Taylor Swift", 1), play("Maroon 5", 1)]);
    assert!(s.strict, "{}", s.reason);
}

#[test]
fn call_counts_refuse_unrequested_calls_only_when_asked() {
    let calls = || {
        vec![
            call("read_file", json!({"path": "a.py"})),
            call("git_status", json!({"path": "."})),
        ]
    };
    let lax = json!({"tool": "read_file", "args": {"path": "a.py"}});
    let s = score(&lax, calls());
    assert!(s.strict);
    assert!(
        s.reason.contains("(also called git_status)"),
        "{}",
        s.reason
    );
    let exact = json!({"tool": "read_file", "args": {"path": "a.py"}, "calls": "exactly"});
    let s = score(&exact, calls());
    assert!(!s.strict);
    assert_eq!(s.failure, Some(Failure::WrongCallCount));
    assert_eq!(
        s.reason,
        "expected exactly 1 call(s); made 2 (read_file, git_status)"
    );
    let two = json!({"tool": "read_file", "calls": 2});
    assert!(score(&two, calls()).strict);
}

#[test]
fn optional_normalized_each_and_keys_matchers() {
    let e = json!({"tool": "search", "args": {
        "query": {"normalized": "New York"},
        "limit": {"equals": 10, "optional": true},
        "filters": {"keys": {"lang": "en", "year": {"one_of": [2024, 2025], "optional": true}}},
        "ids": {"each": [1, {"one_of": [2, 3]}]},
    }});
    let args = |extra: Value| {
        let mut a = json!({"query": "new-york", "filters": {"lang": "en"}, "ids": [1, 3]});
        for (k, v) in extra.as_object().unwrap() {
            a[k] = v.clone();
        }
        vec![call("search", a)]
    };
    let ok = score(&e, args(json!({})));
    assert!(ok.strict, "{}", ok.reason);
    assert!(score(&e, args(json!({"limit": 10}))).strict);
    let cases = [
        (json!({"limit": 5}), "argument `limit` is 5, expected 10"),
        (json!({"query": "Boston"}), "argument `query` is \"Boston\""),
        (
            json!({"ids": [1]}),
            "argument `ids` is [1], expected an array of 2 element(s)",
        ),
        (
            json!({"ids": [1, 4]}),
            "argument `ids[1]` is 4, expected one of 2, 3",
        ),
        (
            json!({"filters": {"lang": "en", "color": "red"}}),
            "argument `filters` has key `color`, which is not expected",
        ),
        (json!({"filters": {}}), "argument `filters.lang` is missing"),
        (
            json!({"filters": {"lang": "en", "year": 1999}}),
            "argument `filters.year` is 1999, expected one of 2024, 2025",
        ),
    ];
    for (extra, why) in cases {
        let s = score(&e, args(extra.clone()));
        assert!(!s.strict, "{extra}");
        assert!(s.reason.contains(why), "{extra}: {}", s.reason);
        assert_eq!(s.failure, Some(Failure::WrongValue), "{extra}");
    }
}

#[test]
fn new_forms_round_trip_through_their_canonical_json() {
    for e in [
        songs("exactly", "given"),
        json!({"tool": "t", "calls": 3, "args": {"a": {"normalized": "X", "optional": true},
            "b": {"each": [1, {"regex": "^x"}]}, "c": {"keys": {"k": {"present": true}}}}}),
    ] {
        let parsed = Expect::from_value(&e).unwrap();
        let again = Expect::from_value(&parsed.to_value()).unwrap();
        assert_eq!(parsed, again, "{e}");
    }
}

#[test]
fn wrong_new_forms_are_refused_with_a_fix() {
    let cases = [
        (
            json!({"tool": "t", "calls": "some"}),
            "expect.calls",
            "\"exactly\"",
        ),
        (
            json!({"tool": ["a", "b"], "order": "given"}),
            "expect.order",
            "match = \"all\"",
        ),
        (
            json!({"tool": ["a", "a"]}),
            "names `a` twice",
            "match = \"all\"",
        ),
        (
            json!({"tool": ["a", "b"], "match": "all", "calls": 1}),
            "expect.calls = 1",
            "calls = 2",
        ),
        (
            json!({"tool": "t", "args": {"x": {"optional": true}}}),
            "has `optional` but no matcher",
            "put a matcher",
        ),
        (
            json!({"tool": "t", "args": {"x": {"optional": "yes"}}}),
            "optional is \"yes\"",
            "optional = true",
        ),
        (
            json!({"tool": "t", "args": {"x": {"present": true, "optional": true}}}),
            "combines present with optional",
            "use one",
        ),
        (
            json!({"tool": "t", "args": {"x": {"each": 3}}}),
            "each is a number",
            "one matcher (or value) per element",
        ),
        (
            json!({"tool": "t", "args": {"x": {"keys": [1]}}}),
            "keys is a list",
            "one matcher (or value) per key",
        ),
        (
            json!({"tool": "t", "args": {"x": {"normalized": 3}}}),
            "normalized is a number",
            "as a string",
        ),
        (
            json!({"tool": "t", "args": {"x": {"each": [{"regex": "("}]}}}),
            "x.each[0].regex",
            "correct the pattern",
        ),
    ];
    for (e, message, fix) in cases {
        let err = Expect::from_value(&e)
            .expect_err(&e.to_string())
            .to_string();
        assert!(err.contains(message), "{e}: {err}");
        assert!(err.contains(fix), "{e}: {err}");
    }
    // Repeats are fine with match = "all".
    assert!(Expect::from_value(&json!({"tool": ["a", "a"], "match": "all"})).is_ok());
}
