//! Collects what the format parsers find in one completion — calls, notes,
//! and what broke — and turns it into a verdict.

use super::code_mode;
use super::json_call::RawCall;
use super::profile::Profile;
use super::shell_advice;
use super::verdict::{Call, CallFormat, Verdict, VerdictKind};
use crate::schema::{ArgError, Fault, Toolset};
use serde_json::{Map, Value};

pub(crate) struct Collector<'t> {
    pub toolset: &'t Toolset,
    pub profile: Profile,
    pub calls: Vec<Call>,
    pub notes: Vec<String>,
    /// What broke the format; any entry makes the verdict `malformed_call`.
    pub broken: Vec<String>,
}

impl<'t> Collector<'t> {
    pub fn new(toolset: &'t Toolset, profile: Profile) -> Self {
        Collector {
            toolset,
            profile,
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
        if let Some(why) = raw.rejected {
            // Strict: a call whose arguments cannot be read is broken.
            // Lenient: kept, as an invalid call (the engines pass it on).
            if self.profile.is_strict() {
                self.broken.push(why);
            } else {
                self.notes.push(format!("lenient: kept the call; {why}"));
                let errors = vec![ArgError::new(
                    Fault::UnreadableArguments,
                    format!("/: {why}"),
                )];
                self.add_checked(raw.name, Map::new(), raw.format, &[], errors, Vec::new());
            }
            return;
        }
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
        mut errors: Vec<ArgError>,
        result_fields: Vec<String>,
    ) {
        // A call by an alias (`math_factorial` for `math.factorial`) is a
        // call to the tool.
        let mut name = name;
        if let Some(tool) = self.toolset.get(&name).filter(|t| t.name() != name) {
            self.notes.push(format!(
                "{name} is an alias of {}; read as a call to it",
                tool.name()
            ));
            name = tool.name().to_string();
        }
        let arguments = match self.toolset.get(&name) {
            None => {
                // First: the unknown name is what a report counts.
                errors.insert(
                    0,
                    ArgError::new(
                        Fault::UnknownTool,
                        format!("unknown tool {name}; known: {}", self.toolset.known_names()),
                    ),
                );
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
            fault: errors.first().map(|e| e.fault),
            errors: errors.into_iter().map(|e| e.message).collect(),
            format,
            result_fields,
        });
    }

    /// A format break the lenient profile recovers from by parsing on:
    /// broken under strict, a note under lenient. Returns whether to parse
    /// on.
    pub fn recoverable(&mut self, what: String, recovery: &str) -> bool {
        if self.profile.is_strict() {
            self.broken.push(what);
            false
        } else {
            self.notes.push(format!("{what}; lenient: {recovery}"));
            true
        }
    }

    pub fn finish(self, thinking: Option<String>) -> Verdict {
        // Lenient keeps the calls that parsed beside what broke, as the
        // serving engines do; strict never hides a broken call.
        let keep_calls = !self.profile.is_strict() && !self.calls.is_empty();
        let kind = if !self.broken.is_empty() && !keep_calls {
            VerdictKind::MalformedCall
        } else if !self.calls.is_empty() {
            VerdictKind::ToolCall
        } else {
            VerdictKind::Direct
        };
        let mut notes: Vec<String> = if keep_calls {
            self.broken
                .into_iter()
                .map(|b| {
                    format!("lenient: dropped a broken call beside the calls that parsed: {b}")
                })
                .collect()
        } else {
            self.broken
        };
        notes.extend(self.notes);
        Verdict {
            kind,
            calls: self.calls,
            notes,
            thinking,
            profile: self.profile,
        }
    }
}
