//! Collects what the format parsers find in one completion — calls, notes,
//! and what broke — and turns it into a verdict.

use super::code_mode;
use super::json_call::RawCall;
use super::shell_advice;
use super::verdict::{Call, CallFormat, Verdict, VerdictKind};
use crate::schema::Toolset;
use serde_json::{Map, Value};

pub(crate) struct Collector<'t> {
    pub toolset: &'t Toolset,
    pub calls: Vec<Call>,
    pub notes: Vec<String>,
    /// What broke the format; any entry makes the verdict `malformed_call`.
    pub broken: Vec<String>,
}

impl<'t> Collector<'t> {
    pub fn new(toolset: &'t Toolset) -> Self {
        Collector {
            toolset,
            calls: Vec::new(),
            notes: Vec::new(),
            broken: Vec::new(),
        }
    }

    /// A tool of the toolset, or its code-mode wrapper.
    pub fn known(toolset: &Toolset, name: &str) -> bool {
        toolset.contains(name) || toolset.code_mode().is_some_and(|c| c.tool == name)
    }

    /// Adds a protocol-level call. A call to the code-mode wrapper is
    /// unpacked into the calls its Python makes.
    pub fn add(&mut self, mut raw: RawCall) {
        self.notes.append(&mut raw.notes);
        if let Some(cm) = self.toolset.code_mode() {
            if raw.name == cm.tool {
                let parameter = cm.parameter.clone();
                return match raw.arguments.get(&parameter) {
                    Some(Value::String(code)) => code_mode::extract(code, self),
                    _ => {
                        let found = raw.arguments.keys().cloned().collect::<Vec<_>>().join(", ");
                        self.broken.push(format!(
                            "{} call has no string `{parameter}` parameter (found: {})",
                            raw.name,
                            if found.is_empty() { "none" } else { &found }
                        ))
                    }
                };
            }
        }
        self.add_checked(
            raw.name,
            raw.arguments,
            raw.format,
            &[],
            Vec::new(),
            Vec::new(),
        );
    }

    /// Validates a call against the toolset and records it. `opaque` names
    /// arguments only known at run time; `errors` carries binding errors
    /// found before validation.
    pub fn add_checked(
        &mut self,
        name: String,
        arguments: Map<String, Value>,
        format: CallFormat,
        opaque: &[String],
        mut errors: Vec<String>,
        result_fields: Vec<String>,
    ) {
        let arguments = match self.toolset.get(&name) {
            None => {
                errors.push(format!(
                    "unknown tool {name}; known: {}",
                    self.toolset.known_names()
                ));
                arguments
            }
            Some(tool) => {
                let instance = Value::Object(arguments);
                errors.extend(tool.validate(&instance, opaque));
                if let Some(note) = shell_advice::check(&name, &instance, self.toolset) {
                    self.notes.push(note);
                }
                match instance {
                    Value::Object(m) => m,
                    _ => Map::new(),
                }
            }
        };
        self.calls.push(Call {
            name,
            valid: errors.is_empty(),
            arguments,
            errors,
            format,
            result_fields,
        });
    }

    pub fn finish(self, thinking: Option<String>) -> Verdict {
        let kind = if !self.broken.is_empty() {
            VerdictKind::MalformedCall
        } else if !self.calls.is_empty() {
            VerdictKind::ToolCall
        } else {
            VerdictKind::Direct
        };
        let mut notes = self.broken;
        notes.extend(self.notes);
        Verdict {
            kind,
            calls: self.calls,
            notes,
            thinking,
        }
    }
}
