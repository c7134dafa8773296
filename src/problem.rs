//! A problem for a person: what is wrong (naming the file and the place)
//! and how to fix it, kept as two parts until it is shown, so no layer has
//! to split a string back apart. Shown as `message; fix: fix`.

use std::fmt;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub message: String,
    pub fix: Option<String>,
}

impl Problem {
    pub fn new(message: impl Into<String>) -> Self {
        let mut message = message.into();
        // Parser messages (toml, serde) often end in a newline.
        message.truncate(message.trim_end().len());
        Self { message, fix: None }
    }

    pub fn fix(mut self, fix: impl Into<String>) -> Self {
        self.fix = Some(fix.into());
        self
    }
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.fix {
            Some(fix) => write!(f, "{}; fix: {fix}", self.message),
            None => f.write_str(&self.message),
        }
    }
}

impl std::error::Error for Problem {}

#[cfg(test)]
mod tests {
    use super::Problem;

    #[test]
    fn shows_message_then_fix() {
        let p = Problem::new("a.toml:3: bad key\n").fix("remove it");
        assert_eq!(p.to_string(), "a.toml:3: bad key; fix: remove it");
        assert_eq!(Problem::new("plain").to_string(), "plain");
    }
}
