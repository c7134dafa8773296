//! Promises: prose that announces a tool action ("I'll run the type
//! checker.", "Let me check the git status") without making a call.
//!
//! Built for precision: a sentence counts only if it is a first-person
//! intent ("I'll", "I will", "I'm going to", "Let me", "Let's", "We'll"),
//! a subjectless one ("Will run…", "Going to check…"), or a short verbless
//! progressive or gerund announcement ("Running the tests now.", "I'm
//! checking the git status…") whose verb is
//! a tool action, and — for verbs that are also everyday words (check,
//! look, get, use…) — whose object names something in the workspace (a
//! file, the tests, git, a symbol, a tool). Only the opening two sentences
//! and the closing one are considered: that is where an answer announces
//! what it is about to do. Mentioning a tool ("goto_definition finds where
//! a symbol is defined") is not a promise; neither is an offer ("If you
//! want, I can run…") or a request ("I will need the data set").

use regex::Regex;
use std::sync::LazyLock;

static INTENT: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?ix)^
        (?:(?:sure|ok|okay|alright|certainly|of\s+course|absolutely|great|got\s+it|yes|no\s+problem|understood|right|now|first|next|then|so)\b[\s,!:;-]*)*
        (?:i['’]ll|i\s+will|i['’]m\s+going\s+to|i\s+am\s+going\s+to|i['’]m\s+gonna|let\s+me|let['’]s|let\s+us|i\s+need\s+to|i['’]d\s+like\s+to|allow\s+me\s+to
          |we['’]ll|we\s+will|we['’]re\s+going\s+to|we\s+are\s+going\s+to|we\s+need\s+to
          # subjectless: Will run the tests. Going to check the git status.
          |will|going\s+to|gonna|about\s+to|time\s+to)
        \s+
        (?:(?:now|first|quickly|also|then|just|go\s+ahead\s+and|start\s+by|begin\s+by|try\s+to|take\s+a)\s+)*
        ([a-z][a-z-]*)",
    )
    .expect("static regex")
});

/// A progressive or gerund opening: "Running the tests now.", "Checking
/// the git status…", "I'm running pytest on src/." The captured word is the
/// `-ing` form; [`base_verb`] maps it back to a verb of the lists below.
static PROGRESSIVE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?ix)^
        (?:(?:sure|ok|okay|alright|certainly|of\s+course|absolutely|great|got\s+it|yes|no\s+problem|understood|right|now|first|next|then|so)\b[\s,!:;-]*)*
        (?:(?:i['’]m|i\s+am|we['’]re|we\s+are)\s+(?:now\s+|just\s+|currently\s+|also\s+|first\s+)*)?
        ([a-z][a-z-]*ing)\b",
    )
    .expect("static regex")
});

/// Words that make a gerund the subject of a statement ("Running the tests
/// requires pytest.", "Checking types is cheap.") rather than an announcement.
const FINITE: &[&str] = &[
    "is", "are", "was", "were", "be", "been", "isn't", "aren't", "can", "can't", "cannot", "could",
    "will", "won't", "would", "should", "may", "might", "must", "does", "doesn't", "do", "did",
    "has", "have", "had", "requires", "needs", "shows", "reports", "returns", "gives", "tells",
    "helps", "lets", "means", "takes", "makes", "finds", "works", "runs", "checks", "lists",
    "produces", "prints", "outputs", "catches", "detects", "verifies", "ensures", "uses",
    "involves", "depends", "allows", "keeps", "saves", "costs", "seems", "looks", "becomes",
    "fails", "passes", "i", "you", "we", "it", "they",
];

/// The verb of an `-ing` form, if it is one of ours: running → run,
/// executing → execute, checking → check, querying → query.
fn base_verb(gerund: &str) -> Option<&'static str> {
    let stem = gerund.strip_suffix("ing")?;
    let mut candidates = vec![stem.to_string(), format!("{stem}e")];
    let b = stem.as_bytes();
    if b.len() >= 2 && b[b.len() - 1] == b[b.len() - 2] {
        candidates.push(stem[..stem.len() - 1].to_string());
    }
    candidates.iter().find_map(|c| {
        STRONG
            .iter()
            .chain(WEAK.iter())
            .find(|v| **v == c.as_str())
            .copied()
    })
}

/// A gerund opening announces an action only as a short verbless phrase:
/// no finite verb or pronoun after it, and no main clause after a comma
/// ("Looking at the code, the bug is…").
fn announces(rest: &str) -> bool {
    let words: Vec<String> = rest
        .split(|c: char| !(c.is_alphanumeric() || c == '\'' || c == '’'))
        .filter(|w| !w.is_empty())
        .map(|w| w.to_ascii_lowercase().replace('’', "'"))
        .collect();
    if words.len() > 14 || words.iter().any(|w| FINITE.contains(&w.as_str())) {
        return false;
    }
    match rest.split_once(',') {
        None => true,
        Some((_, after)) => {
            let mut next = after.split_whitespace();
            let first = next.next().map(str::to_ascii_lowercase);
            next.next().is_none()
                || matches!(
                    first.as_deref(),
                    Some("then" | "and" | "now" | "first" | "next")
                )
        }
    }
}

/// Verbs that only name tool actions: promise whatever the object.
const STRONG: &[&str] = &[
    "run",
    "rerun",
    "execute",
    "search",
    "grep",
    "scan",
    "lint",
    "typecheck",
    "type-check",
    "invoke",
    "fetch",
    "query",
    "retrieve",
];

/// Everyday verbs: a promise only with a workspace object.
const WEAK: &[&str] = &[
    "check",
    "look",
    "find",
    "analyze",
    "analyse",
    "get",
    "use",
    "call",
    "read",
    "open",
    "inspect",
    "examine",
    "review",
    "list",
    "explore",
    "investigate",
    "locate",
    "test",
    "pull",
    "see",
    "handle",
    "verify",
    "view",
    "trace",
    "gather",
    "collect",
    "compare",
    "count",
    "dig",
    "peek",
    "navigate",
    "jump",
    "go",
    "pull",
    "identify",
    "determine",
    "figure",
    "start",
];

static OBJECT: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?ix)\b(?:
        files?|code(?:base)?|project|repo(?:sitory)?|workspace|director(?:y|ies)|folders?|src|modules?|packages?|
        tests?|test\s+suite|pytest|git|diffs?|commits?|history|status|logs?|branch(?:es)?|staged|changes?|changed|
        ruff|ty|mypy|pyright|type\s*checker|type\s+(?:errors?|information|info|hints?|check(?:ing)?)|lint(?:er|ing)?|violations?|
        errors?|warnings?|symbols?|definitions?|references?|usages?|hover|signatures?|structure|
        classes|class\s+\w+|functions?|methods?|implementation|tools?|results?|output|quality|
        [\w./-]+\.py|[\w-]+/[\w./-]*|'[^']+'|`[^`]+`|\x22[^\x22]+\x22
        )\b",
    )
    .expect("static regex")
});

static HEDGE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)\b(?:if\s+you|would\s+you|do\s+you\s+want|want\s+me\s+to|shall\s+i|should\s+i|could\s+you|can\s+you)\b")
        .expect("static regex")
});

/// The promising sentence, if the prose makes a promise.
pub(crate) fn detect(prose: &str, tool_names: &dyn Fn(&str) -> bool) -> Option<String> {
    let sentences: Vec<&str> = prose
        .split_inclusive(['.', '!', '?', '\n', ':'])
        .map(str::trim)
        .filter(|s| s.chars().any(char::is_alphanumeric))
        .collect();
    let n = sentences.len();
    sentences
        .iter()
        .enumerate()
        .filter(|(i, _)| *i < 2 || *i + 1 == n)
        .map(|(_, s)| *s)
        .find(|s| is_promise(s, tool_names))
        .map(str::to_string)
}

fn is_promise(sentence: &str, tool_names: &dyn Fn(&str) -> bool) -> bool {
    if HEDGE.is_match(sentence) {
        return false;
    }
    let (verb, object_at) = if let Some(caps) = INTENT.captures(sentence) {
        let m = caps.get(1).map_or(0..0, |m| m.range());
        (sentence[m.clone()].to_ascii_lowercase(), m.end)
    } else if let Some(caps) = PROGRESSIVE.captures(sentence) {
        let m = caps.get(1).map_or(0..0, |m| m.range());
        let Some(verb) = base_verb(&sentence[m.clone()].to_ascii_lowercase()) else {
            return false;
        };
        if !announces(&sentence[m.end..]) {
            return false;
        }
        (verb.to_string(), m.end)
    } else {
        return false;
    };
    if STRONG.contains(&verb.as_str()) {
        return true;
    }
    if !WEAK.contains(&verb.as_str()) {
        return false;
    }
    let object = &sentence[object_at..];
    OBJECT.is_match(object)
        || object
            .split(|c: char| !(c.is_alphanumeric() || c == '_'))
            .any(tool_names)
}
