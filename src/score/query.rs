//! One query: expectation × verdict → soft and strict pass/fail with a
//! reason a person can act on ("expected a call to typecheck; got a direct
//! answer").

use super::failure::Failure;
use super::matching;
use crate::parse::{Call, Verdict, VerdictKind};
use crate::schema::Fault;
use crate::suite::{ArgExpect, Expect, ExpectKind, ExpectedTool, MatchMode, Order, ToolExpect};
use serde::{Deserialize, Serialize};

/// What the model did, as the confusion matrix's columns see it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Observed {
    ToolCall,
    Direct,
    MalformedCall,
    Promise,
    /// The backend produced nothing for this query (e.g. no transcript).
    NoCompletion,
}

impl Observed {
    pub const ALL: [Observed; 5] = [
        Self::ToolCall,
        Self::Direct,
        Self::MalformedCall,
        Self::Promise,
        Self::NoCompletion,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::ToolCall => "tool_call",
            Self::Direct => "direct",
            Self::MalformedCall => "malformed_call",
            Self::Promise => "promise",
            Self::NoCompletion => "no_completion",
        }
    }

    /// The model decided a tool was needed: it called one, broke the call's
    /// format, or announced one in prose. None of these is an abstention.
    pub fn wants_tool(self) -> Option<bool> {
        match self {
            Self::ToolCall | Self::MalformedCall | Self::Promise => Some(true),
            Self::Direct => Some(false),
            Self::NoCompletion => None,
        }
    }
}

impl From<VerdictKind> for Observed {
    fn from(k: VerdictKind) -> Self {
        match k {
            VerdictKind::ToolCall => Self::ToolCall,
            VerdictKind::Direct => Self::Direct,
            VerdictKind::MalformedCall => Self::MalformedCall,
            VerdictKind::Promise => Self::Promise,
        }
    }
}

/// What the backend returned for a query.
#[derive(Debug, Clone, Copy)]
pub enum Response<'a> {
    /// A completion and its verdict.
    Completed { verdict: &'a Verdict, text: &'a str },
    /// No completion, and why.
    Missing(&'a str),
}

/// The score of one query.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct QueryScore {
    pub expected: ExpectKind,
    pub observed: Observed,
    /// Names of the tools called, in call order.
    #[serde(default)]
    pub called: Vec<String>,
    /// The call-or-not decision was right (malformed calls and promises count
    /// as deciding to call; they never count as abstaining).
    pub discrimination: bool,
    /// The behaviour kind was right: a parsed call where a tool was expected,
    /// a direct answer where a direct answer or a question was expected.
    pub soft: bool,
    /// Soft, and the right tool(s) with valid arguments meeting every argument
    /// expectation (or, for `ask`, an actual question).
    pub strict: bool,
    /// For `tool` expectations answered with a call: were the right tools called?
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tool_name_correct: Option<bool>,
    pub calls: u64,
    pub valid_calls: u64,
    /// Calls to tools that are not in the toolset (hallucinated names).
    #[serde(default)]
    pub unknown_tool_calls: u64,
    pub reason: String,
    /// Why the query failed, as a class (absent when it passed).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub failure: Option<Failure>,
}

pub fn score_query(expect: &Expect, response: Response<'_>) -> QueryScore {
    let expected = expect.kind();
    let (observed, calls, text) = match response {
        Response::Completed { verdict, text } => {
            (Observed::from(verdict.kind), verdict.calls.as_slice(), text)
        }
        Response::Missing(_) => (Observed::NoCompletion, &[][..], ""),
    };
    let called: Vec<String> = calls.iter().map(|c| c.name.clone()).collect();
    let valid_calls = calls.iter().filter(|c| c.valid).count() as u64;
    let discrimination = observed.wants_tool() == Some(expected.wants_tool());
    let soft = match expected {
        ExpectKind::Tool | ExpectKind::AnyTool => observed == Observed::ToolCall,
        ExpectKind::Direct | ExpectKind::Ask => observed == Observed::Direct,
    };
    let got = describe_observed(observed, calls, response);
    let mut tool_name_correct = None;
    let wants_tool = expected.wants_tool();
    let (strict, reason, failure) = match (expect, observed) {
        (Expect::Tool(t), Observed::ToolCall) => {
            let m = match_tools(t, calls);
            tool_name_correct = Some(m.names_ok);
            (m.strict, m.reason, m.failure)
        }
        (Expect::AnyTool, Observed::ToolCall) => match calls.iter().find(|c| c.valid) {
            Some(c) => (
                true,
                format!("called {} with valid arguments", c.name),
                None,
            ),
            None => match calls.first() {
                Some(c) => (false, invalid_reason(c), Some(call_failure(c))),
                None => (
                    false,
                    "a tool call verdict without calls".to_string(),
                    Some(Failure::UnparseableCall),
                ),
            },
        },
        (Expect::Direct, Observed::Direct) => (true, "answered directly, as expected".into(), None),
        (Expect::Ask, Observed::Direct) => {
            if asks_question(text) {
                (
                    true,
                    "asked a clarifying question, as expected".into(),
                    None,
                )
            } else {
                (
                    false,
                    "expected a clarifying question; answered directly without asking one".into(),
                    Some(Failure::NoQuestion),
                )
            }
        }
        (e, Observed::MalformedCall) if !wants_tool => (
            false,
            format!(
                "expected {}; {got} — a broken call is never an abstention",
                describe_expect(e)
            ),
            Some(Failure::UnwantedCall),
        ),
        (e, o) => {
            let failure = match o {
                Observed::NoCompletion => Failure::NoCompletion,
                Observed::MalformedCall => Failure::UnparseableCall,
                Observed::Promise if wants_tool => Failure::Promise,
                Observed::Direct => Failure::NoCall,
                Observed::ToolCall | Observed::Promise => Failure::UnwantedCall,
            };
            (
                false,
                format!("expected {}; {got}", describe_expect(e)),
                Some(failure),
            )
        }
    };
    let strict = strict && soft;
    QueryScore {
        expected,
        observed,
        called,
        discrimination,
        soft,
        strict,
        tool_name_correct,
        calls: calls.len() as u64,
        valid_calls,
        unknown_tool_calls: calls
            .iter()
            .filter(|c| c.fault == Some(Fault::UnknownTool))
            .count() as u64,
        reason,
        failure: if strict { None } else { failure },
    }
}

/// The class of an invalid call: its first error's.
fn call_failure(c: &Call) -> Failure {
    c.fault.map_or(Failure::WrongValue, Failure::from)
}

/// A question outside any `<think>` block: what the user actually reads.
fn asks_question(text: &str) -> bool {
    let visible = text
        .rsplit_once("</think>")
        .map_or(text, |(_, after)| after);
    visible.contains('?')
}

fn describe_expect(e: &Expect) -> String {
    match e {
        Expect::Direct => "a direct answer".into(),
        Expect::Ask => "a clarifying question".into(),
        Expect::AnyTool => "a tool call".into(),
        Expect::Tool(t) => describe_tools(t),
    }
}

fn describe_tools(t: &ToolExpect) -> String {
    let names: Vec<&str> = t.tools.iter().map(|t| t.name.as_str()).collect();
    match (names.len(), t.mode) {
        (1, _) => format!("a call to {}", names[0]),
        (_, MatchMode::Any) => format!("a call to one of {}", names.join(", ")),
        (_, MatchMode::All) => format!("calls to all of {}", names.join(", ")),
    }
}

fn describe_observed(observed: Observed, calls: &[Call], response: Response<'_>) -> String {
    match (observed, response) {
        (Observed::ToolCall, _) => format!("called {}", names_of(calls)),
        (Observed::Direct, _) => "got a direct answer".into(),
        (Observed::MalformedCall, Response::Completed { verdict, .. }) => {
            if verdict.notes.is_empty() {
                "tried to call a tool but broke the format".into()
            } else {
                format!(
                    "tried to call a tool but broke the format ({})",
                    verdict.notes.join("; ")
                )
            }
        }
        (Observed::MalformedCall, _) => "tried to call a tool but broke the format".into(),
        (Observed::Promise, _) => "promised a tool action in prose without calling one".into(),
        (Observed::NoCompletion, Response::Missing(why)) => format!("no completion ({why})"),
        (Observed::NoCompletion, _) => "no completion".into(),
    }
}

fn names_of(calls: &[Call]) -> String {
    if calls.is_empty() {
        return "no tool".into();
    }
    calls
        .iter()
        .map(|c| c.name.as_str())
        .collect::<Vec<_>>()
        .join(", ")
}

fn invalid_reason(c: &Call) -> String {
    if c.errors.is_empty() {
        format!("called {} but its arguments are invalid", c.name)
    } else {
        format!(
            "called {} but its arguments are invalid: {}",
            c.name,
            c.errors.join("; ")
        )
    }
}

struct ToolMatch {
    names_ok: bool,
    strict: bool,
    reason: String,
    failure: Option<Failure>,
}

/// Matches calls to the expected calls. Each expected entry needs its own
/// actual call (one-to-one, in any order or in the listed order) that is
/// valid and meets every argument expectation; with `calls`, the number of
/// calls must be right too. Calls to other tools are otherwise allowed but
/// named in the reason.
fn match_tools(t: &ToolExpect, calls: &[Call]) -> ToolMatch {
    // For each (entry, call): None = another tool, Some(Ok) = fits,
    // Some(Err(why, class)) = the entry's tool, but it does not fit.
    let grid: Vec<Vec<Option<Fit>>> = t
        .tools
        .iter()
        .map(|e| calls.iter().map(|c| fit(e, c)).collect())
        .collect();
    let (n, m) = (t.tools.len(), calls.len());
    let same_name = |i: usize, j: usize| grid[i][j].is_some();
    let fits = |i: usize, j: usize| matches!(grid[i][j], Some(Ok(())));
    let by_name = matching::any_order(n, m, &same_name);
    let assigned = match t.order {
        Order::Any => matching::any_order(n, m, &fits),
        Order::Given => matching::in_order(n, m, &fits),
    };
    let extra: Vec<&str> = calls
        .iter()
        .map(|c| c.name.as_str())
        .filter(|n| !t.tools.iter().any(|e| e.name == *n))
        .collect();
    let extra_note = if extra.is_empty() {
        String::new()
    } else {
        format!(" (also called {})", extra.join(", "))
    };
    let expected = describe_tools(t);
    let named = by_name.iter().filter(|a| a.is_some()).count();
    let names_ok = match t.mode {
        MatchMode::Any => named > 0,
        MatchMode::All => named == n,
    };
    if !names_ok {
        let reason = match t.mode {
            MatchMode::All if named > 0 => {
                let missing: Vec<&str> = t
                    .tools
                    .iter()
                    .zip(&by_name)
                    .filter(|(_, a)| a.is_none())
                    .map(|(t, _)| t.name.as_str())
                    .collect();
                format!(
                    "expected {expected}; missing {} (called {})",
                    missing.join(", "),
                    names_of(calls)
                )
            }
            _ => format!("expected {expected}; called {}", names_of(calls)),
        };
        let failure = if t.mode == MatchMode::All && named > 0 {
            Failure::WrongCallCount
        } else if calls.iter().any(|c| c.fault == Some(Fault::UnknownTool)) {
            Failure::UnknownTool
        } else {
            Failure::WrongTool
        };
        return ToolMatch {
            names_ok,
            strict: false,
            reason,
            failure: Some(failure),
        };
    }
    let matched = assigned.iter().filter(|a| a.is_some()).count();
    let strict_match = match t.mode {
        MatchMode::Any => matched > 0,
        MatchMode::All => matched == n,
    };
    if !strict_match {
        // In the given order, the calls may all fit but come in another.
        let unordered = matching::any_order(n, m, &fits);
        if t.order == Order::Given && unordered.iter().all(Option::is_some) {
            return ToolMatch {
                names_ok,
                strict: false,
                reason: format!(
                    "expected {expected} in the listed order; called {}",
                    names_of(calls)
                ),
                failure: Some(Failure::WrongOrder),
            };
        }
        // Each unmatched entry's first failure, preferring calls no other
        // entry took.
        let taken: Vec<usize> = assigned.iter().flatten().copied().collect();
        let why: Vec<(String, Failure)> = (0..n)
            .filter(|&i| assigned[i].is_none())
            .filter_map(|i| {
                let failing = |j: &usize| grid[i][*j].as_ref().and_then(|r| r.as_ref().err());
                (0..m)
                    .filter(|j| !taken.contains(j))
                    .find_map(|j| failing(&j))
                    .or_else(|| (0..m).find_map(|j| failing(&j)))
                    .cloned()
                    .or_else(|| {
                        // Every call of the tool fits another entry already.
                        Some((
                            format!(
                                "called {} too few times (each expected call needs its own)",
                                t.tools[i].name
                            ),
                            Failure::WrongCallCount,
                        ))
                    })
            })
            .collect();
        let mut reasons: Vec<String> = Vec::new();
        for (r, _) in &why {
            if !reasons.contains(r) {
                reasons.push(r.clone());
            }
        }
        return ToolMatch {
            names_ok,
            strict: false,
            reason: format!("{}{extra_note}", reasons.join("; ")),
            failure: Some(why.first().map_or(Failure::WrongValue, |(_, f)| *f)),
        };
    }
    if let Some(want) = t.required_calls() {
        if m as u64 != want {
            return ToolMatch {
                names_ok,
                strict: false,
                reason: format!(
                    "expected exactly {want} call(s); made {m} ({})",
                    names_of(calls)
                ),
                failure: Some(Failure::WrongCallCount),
            };
        }
    }
    let mut ok: Vec<&str> = Vec::new();
    for (e, a) in t.tools.iter().zip(&assigned) {
        if a.is_some() && !ok.contains(&e.name.as_str()) {
            ok.push(&e.name);
        }
    }
    let has_arg_expectations = t.tools.iter().any(|t| !t.args.is_empty());
    let reason = format!(
        "called {} with valid arguments{}{extra_note}",
        ok.join(", "),
        if has_arg_expectations {
            " meeting the argument expectations"
        } else {
            ""
        }
    );
    ToolMatch {
        names_ok,
        strict: true,
        reason,
        failure: None,
    }
}

/// One call against one expected entry: fits, or why not (and its class).
type Fit = Result<(), (String, Failure)>;

/// Whether one call fits one expected entry: `None` for a call to another
/// tool, else `Ok` or why not (and its class).
fn fit(e: &ExpectedTool, c: &Call) -> Option<Fit> {
    if c.name != e.name {
        return None;
    }
    if !c.valid {
        return Some(Err((invalid_reason(c), call_failure(c))));
    }
    let mut class = None;
    let misses: Vec<String> = e
        .args
        .iter()
        .filter_map(|(name, exp)| {
            let actual = c.arguments.get(name);
            let why = exp.check(name, actual).err()?;
            class.get_or_insert(expectation_failure(exp, actual.is_some()));
            Some(why)
        })
        .collect();
    Some(match class {
        None => Ok(()),
        Some(class) => Err((
            format!("called {} but {}", c.name, misses.join("; ")),
            class,
        )),
    })
}

/// The class of an argument expectation that was not met.
fn expectation_failure(exp: &ArgExpect, given: bool) -> Failure {
    match (exp, given) {
        (ArgExpect::Optional(_), false) => Failure::WrongValue,
        (_, false) => Failure::MissingArgument,
        (ArgExpect::Present(false), true) => Failure::UnknownArgument,
        (_, true) => Failure::WrongValue,
    }
}
