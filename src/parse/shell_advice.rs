//! Flags `run_command` used for something a typed tool does: the typed tool
//! returns structured results, the shell string does not (Punie's training
//! goal). Text search (`grep`, `rg`, `find`) has no typed tool and is fine.

use crate::schema::Toolset;
use serde_json::Value;

/// Command prefixes (after `uv run` / `python -m`) → the typed tool.
const TYPED: &[(&str, &str)] = &[
    ("git status", "git_status"),
    ("git diff", "git_diff"),
    ("git log", "git_log"),
    ("ruff check", "ruff_check"),
    ("ruff", "ruff_check"),
    ("ty check", "typecheck"),
    ("ty", "typecheck"),
    ("mypy", "typecheck"),
    ("pyright", "typecheck"),
    ("pytest", "pytest_run"),
    ("cat", "read_file"),
];

/// A note when `run_command` runs something a typed tool in `toolset` does.
pub(crate) fn check(tool: &str, arguments: &Value, toolset: &Toolset) -> Option<String> {
    if tool != "run_command" {
        return None;
    }
    let command = arguments.get("command")?.as_str()?;
    let mut rest = command.trim();
    // `cd dir && pytest` still runs pytest.
    if let Some((_, after)) = rest.rsplit_once("&&") {
        rest = after.trim();
    }
    for wrapper in ["uv run ", "python -m ", "python3 -m "] {
        if let Some(r) = rest.strip_prefix(wrapper) {
            rest = r.trim_start();
        }
    }
    // `ruff format` is not linting; `cat a | grep` is a search.
    if rest.starts_with("ruff format") || (rest.starts_with("cat") && rest.contains('|')) {
        return None;
    }
    let (prefix, typed) = TYPED.iter().find(|(p, _)| {
        rest.strip_prefix(p)
            .is_some_and(|after| after.is_empty() || after.starts_with(char::is_whitespace))
    })?;
    toolset.contains(typed).then(|| {
        format!("run_command({command:?}) runs `{prefix}` where the typed tool {typed} exists (structured result)")
    })
}
