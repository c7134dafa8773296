//! Parse profiles: how much format breakage a verdict forgives.
//!
//! `strict` is the evaluator's own rule: a completion that breaks the call
//! format anywhere is `malformed_call`, whatever else it holds. `lenient`
//! recovers what the serving engines recover (vLLM, SGLang, Ollama,
//! mlx-lm): it parses an unclosed `<tool_call>` or `<function=` to the end
//! of the text, keeps the calls that parsed beside broken ones, reads
//! Python written straight into `<tool_call>` as code mode, and keeps a call
//! whose arguments are not an object (as an invalid call). Scoring both
//! tells a user how much of a score is format rather than decision.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Profile {
    #[default]
    Strict,
    Lenient,
}

impl Profile {
    pub const ALL: [Profile; 2] = [Profile::Strict, Profile::Lenient];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Strict => "strict",
            Self::Lenient => "lenient",
        }
    }

    pub fn is_strict(self) -> bool {
        self == Self::Strict
    }
}

impl fmt::Display for Profile {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Profile {
    // A String because clap's value parser wants a Display error; there is
    // no place or fix to keep apart.
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "strict" => Ok(Self::Strict),
            "lenient" => Ok(Self::Lenient),
            other => Err(format!(
                "unknown parse profile {other:?}; use strict or lenient"
            )),
        }
    }
}
