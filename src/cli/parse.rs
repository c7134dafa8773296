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
            .map_err(|e| format!("not UTF-8 (invalid byte at column {})", e.valid_up_to() + 1))
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

fn completion_of(line: &str) -> Result<String, String> {
    let value: Value = serde_json::from_str(line).map_err(|e| format!("not JSON ({e})"))?;
    let Value::Object(mut obj) = value else {
        return Err(format!("found {}", kind(&value)));
    };
    match obj.remove("completion") {
        Some(Value::String(s)) => Ok(s),
        Some(other) => Err(format!("\"completion\" is {}", kind(&other))),
        None => Err("no \"completion\" field".to_string()),
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
