//! `punie-eval parse`: JSONL completions on stdin → JSONL verdicts on stdout,
//! one per line, same order. The debugging tool for pack authors and the
//! contract the other commands rely on.

use super::{CliResult, Outcome};
use punie_eval::parse::{classify_with, Profile};
use punie_eval::schema::Toolset;
use serde_json::Value;
use std::io::{BufRead, BufWriter, Write};

#[derive(clap::Args)]
pub struct Args {
    /// Toolset: a JSON file, or a built-in name (punie-phase27, punie-phase33).
    #[arg(long, value_name = "FILE", default_value = "punie-phase27")]
    toolset: String,
    /// Parse profile: strict (a call format broken anywhere is malformed)
    /// or lenient (recover what the serving engines recover); recorded in
    /// every verdict.
    #[arg(long, value_name = "PROFILE", default_value = "strict")]
    parse_profile: Profile,
}

pub fn run(args: Args) -> CliResult {
    let toolset = Toolset::open(&args.toolset)?;
    let stdin = std::io::stdin().lock();
    let mut out = BufWriter::new(std::io::stdout().lock());
    let mut bad = 0usize;
    // Lines as bytes: one line that is not UTF-8 is an error line in its
    // place, and the stream goes on (docs/parse.md).
    for (i, line) in stdin.split(b'\n').enumerate() {
        let mut line = line.map_err(|e| format!("stdin line {}: cannot read: {e}", i + 1))?;
        if line.last() == Some(&b'\r') {
            line.pop();
        }
        let parsed = std::str::from_utf8(&line)
            .map_err(|e| BadLine::NotUtf8 {
                column: e.valid_up_to() + 1,
            })
            .and_then(completion_of);
        let json = match parsed {
            Ok(completion) => {
                serde_json::to_string(&classify_with(&completion, &toolset, args.parse_profile))?
            }
            Err(why) => {
                bad += 1;
                serde_json::json!({ "error": format!("line {}: expected JSON object with string field \"completion\": {why}", i + 1) })
                    .to_string()
            }
        };
        if out
            .write_all(json.as_bytes())
            .and_then(|()| out.write_all(b"\n"))
            .is_err()
        {
            super::output::closed();
        }
    }
    if out.flush().is_err() {
        super::output::closed();
    }
    if bad > 0 {
        eprintln!("error: {bad} input line(s) were not {{\"completion\": \"…\"}} objects; see the \"error\" lines in the output");
        return Ok(Outcome::InputProblems);
    }
    Ok(Outcome::Ok)
}

/// Why an input line holds no completion (shown in its "error" line).
#[derive(Debug, thiserror::Error)]
enum BadLine {
    #[error("not UTF-8 (invalid byte at column {column})")]
    NotUtf8 { column: usize },
    #[error("not JSON ({0})")]
    NotJson(serde_json::Error),
    #[error("found {0}")]
    NotAnObject(&'static str),
    #[error("\"completion\" is {0}")]
    NotAString(&'static str),
    #[error("no \"completion\" field")]
    NoCompletion,
}

fn completion_of(line: &str) -> Result<String, BadLine> {
    let value: Value = serde_json::from_str(line).map_err(BadLine::NotJson)?;
    let Value::Object(mut obj) = value else {
        return Err(BadLine::NotAnObject(kind(&value)));
    };
    match obj.remove("completion") {
        Some(Value::String(s)) => Ok(s),
        Some(other) => Err(BadLine::NotAString(kind(&other))),
        None => Err(BadLine::NoCompletion),
    }
}

fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}
