//! What a query expects the model to do: call a tool (which one, with which
//! arguments), call any tool, answer directly, or ask a clarifying question.
//!
//! Deserialized through a `serde_json::Value` so TOML and JSON packs share one
//! set of rules and one set of error messages; the TOML front end adds the
//! line of the offending `expect` value to whatever message this module gives.

use super::error::ExpectError;
use regex::Regex;
use serde::de::Error as _;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::{json, Map, Value};

/// The behaviour a query expects.
#[derive(Debug, Clone, PartialEq)]
pub enum Expect {
    /// A call to specific tool(s).
    Tool(ToolExpect),
    /// A call to any tool of the toolset (the decision matters, not which).
    AnyTool,
    /// A direct answer, no tool call.
    Direct,
    /// A clarifying question back to the user, no tool call.
    Ask,
}

/// The coarse kind of an expectation, used for rows of the confusion matrix.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ExpectKind {
    Tool,
    AnyTool,
    Direct,
    Ask,
}

impl ExpectKind {
    pub const ALL: [ExpectKind; 4] = [Self::Tool, Self::AnyTool, Self::Direct, Self::Ask];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Tool => "tool",
            Self::AnyTool => "any_tool",
            Self::Direct => "direct",
            Self::Ask => "ask",
        }
    }

    /// Whether the right behaviour is to call a tool.
    pub fn wants_tool(self) -> bool {
        matches!(self, Self::Tool | Self::AnyTool)
    }
}

/// Expected tool calls: one or more tools and how they must be matched.
#[derive(Debug, Clone, PartialEq)]
pub struct ToolExpect {
    /// With `match = "all"` a tool may be listed several times: each entry
    /// is one expected call, matched to its own actual call.
    pub tools: Vec<ExpectedTool>,
    pub mode: MatchMode,
    pub calls: CallCount,
    pub order: Order,
}

/// How many calls the completion may make in all.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum CallCount {
    /// Any number: calls to tools that were not expected are allowed.
    #[default]
    Any,
    /// As many as the expectation lists (`match = "all"`), or one (`any`).
    Exactly,
    /// Exactly this many.
    Number(u64),
}

/// Whether expected calls must come in the listed order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Order {
    /// Matched one-to-one in any order.
    #[default]
    Any,
    /// Matched in the listed order (other calls may come between).
    Given,
}

impl ToolExpect {
    /// The number of calls `calls` asks for, if it asks.
    pub fn required_calls(&self) -> Option<u64> {
        match (self.calls, self.mode) {
            (CallCount::Any, _) => None,
            (CallCount::Exactly, MatchMode::All) => Some(self.tools.len() as u64),
            (CallCount::Exactly, MatchMode::Any) => Some(1),
            (CallCount::Number(n), _) => Some(n),
        }
    }
}

/// `any`: one call to any listed tool suffices; `all`: every listed tool must be called.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MatchMode {
    #[default]
    Any,
    All,
}

/// One expected tool with optional expectations on its arguments.
#[derive(Debug, Clone, PartialEq)]
pub struct ExpectedTool {
    pub name: String,
    /// In file order: reasons list failures in the order the author wrote them.
    pub args: Vec<(String, ArgExpect)>,
}

/// An expectation on one argument of a call.
#[derive(Debug, Clone)]
pub enum ArgExpect {
    /// Equal as JSON values (an integer equals the same float).
    Equals(Value),
    /// Equal to one of these values.
    OneOf(Vec<Value>),
    /// The pattern is found in the value (strings as-is, other scalars as JSON text).
    Regex(Regex),
    /// Present (`true`) or absent (`false`).
    Present(bool),
    /// A string equal after BFCL's normalisation of both sides.
    Normalized(String),
    /// An array with one element per matcher, element i meeting matcher i.
    Each(Vec<ArgExpect>),
    /// An object whose every key meets its matcher; keys not listed fail.
    Keys(Vec<(String, ArgExpect)>),
    /// Absent, or meeting the matcher.
    Optional(Box<ArgExpect>),
    /// Meeting at least one of the matchers (several acceptable lists or
    /// objects, strings beside numbers).
    AnyOf(Vec<ArgExpect>),
}

impl PartialEq for ArgExpect {
    fn eq(&self, other: &Self) -> bool {
        match (self, other) {
            (Self::Equals(a), Self::Equals(b)) => a == b,
            (Self::OneOf(a), Self::OneOf(b)) => a == b,
            (Self::Regex(a), Self::Regex(b)) => a.as_str() == b.as_str(),
            (Self::Present(a), Self::Present(b)) => a == b,
            (Self::Normalized(a), Self::Normalized(b)) => a == b,
            (Self::Each(a), Self::Each(b)) => a == b,
            (Self::Keys(a), Self::Keys(b)) => a == b,
            (Self::Optional(a), Self::Optional(b)) => a == b,
            (Self::AnyOf(a), Self::AnyOf(b)) => a == b,
            _ => false,
        }
    }
}

impl Expect {
    pub fn kind(&self) -> ExpectKind {
        match self {
            Self::Tool(_) => ExpectKind::Tool,
            Self::AnyTool => ExpectKind::AnyTool,
            Self::Direct => ExpectKind::Direct,
            Self::Ask => ExpectKind::Ask,
        }
    }

    /// Names of the expected tools (empty unless `Tool`).
    pub fn tool_names(&self) -> Vec<&str> {
        match self {
            Self::Tool(t) => t.tools.iter().map(|t| t.name.as_str()).collect(),
            _ => Vec::new(),
        }
    }

    /// Builds an expectation from its JSON form; errors name the key inside
    /// `expect` and say how to fix it.
    pub fn from_value(v: &Value) -> Result<Self, ExpectError> {
        const FORMS: &str = "use \"direct\", \"any_tool\", \"ask\" or a table { tool = \"NAME\" }";
        match v {
            Value::String(s) => match s.as_str() {
                "direct" => Ok(Self::Direct),
                "any_tool" => Ok(Self::AnyTool),
                "ask" => Ok(Self::Ask),
                "tool" => Err(ExpectError::new(
                    "expect",
                    "expect = \"tool\" does not say which tool",
                    "write expect = { tool = \"NAME\" } (or a list of names), or \"any_tool\"",
                )),
                other => Err(ExpectError::new(
                    "expect",
                    format!("expect = {other:?} is not an expectation"),
                    FORMS,
                )),
            },
            Value::Object(map) => ToolExpect::from_map(map).map(Self::Tool),
            other => Err(ExpectError::new(
                "expect",
                format!("expect is a {}", type_name(other)),
                FORMS,
            )),
        }
    }

    /// The canonical JSON form (what `from_value` reads back).
    pub fn to_value(&self) -> Value {
        match self {
            Self::Direct => json!("direct"),
            Self::AnyTool => json!("any_tool"),
            Self::Ask => json!("ask"),
            Self::Tool(t) => {
                let tools: Vec<Value> = t
                    .tools
                    .iter()
                    .map(|tool| {
                        let mut m = Map::new();
                        m.insert("name".into(), json!(tool.name));
                        if !tool.args.is_empty() {
                            let args: Map<String, Value> = tool
                                .args
                                .iter()
                                .map(|(k, a)| (k.clone(), a.to_value()))
                                .collect();
                            m.insert("args".into(), Value::Object(args));
                        }
                        Value::Object(m)
                    })
                    .collect();
                let mut m = json!({ "tool": tools, "match": t.mode });
                match t.calls {
                    CallCount::Any => {}
                    CallCount::Exactly => m["calls"] = json!("exactly"),
                    CallCount::Number(n) => m["calls"] = json!(n),
                }
                if t.order == Order::Given {
                    m["order"] = json!("given");
                }
                m
            }
        }
    }
}

impl ToolExpect {
    fn from_map(map: &Map<String, Value>) -> Result<Self, ExpectError> {
        for key in map.keys() {
            if !["tool", "match", "args", "calls", "order"].contains(&key.as_str()) {
                return Err(ExpectError::new(
                    format!("expect.{key}"),
                    format!("expect has an unknown key `{key}`"),
                    "an expectation table takes only `tool`, `match`, `args`, `calls` and \
                     `order` (or write expect = \"direct\" / \"any_tool\" / \"ask\")",
                ));
            }
        }
        let tool = map.get("tool").ok_or_else(|| {
            ExpectError::new(
                "expect",
                "expect table has no `tool` key",
                "add tool = \"NAME\" (or a list), or use expect = \"direct\" / \"any_tool\" / \
                 \"ask\"",
            )
        })?;
        let mode = match map.get("match") {
            None => MatchMode::Any,
            Some(Value::String(s)) if s == "any" => MatchMode::Any,
            Some(Value::String(s)) if s == "all" => MatchMode::All,
            Some(other) => {
                return Err(ExpectError::new(
                    "expect.match",
                    format!("expect.match is {other}"),
                    "use \"any\" (one listed tool suffices) or \"all\" (every listed tool \
                     must be called)",
                ))
            }
        };
        let calls = match map.get("calls") {
            None => CallCount::Any,
            Some(Value::String(s)) if s == "exactly" => CallCount::Exactly,
            Some(Value::String(s)) if s == "any" => CallCount::Any,
            Some(Value::Number(n)) if n.as_u64().is_some() => {
                CallCount::Number(n.as_u64().unwrap_or_default())
            }
            Some(other) => {
                return Err(ExpectError::new(
                    "expect.calls",
                    format!("expect.calls is {other}"),
                    "use \"exactly\" (no calls beyond the expected ones), a number of calls, \
                     or \"any\" (the default)",
                ))
            }
        };
        let order = match map.get("order") {
            None => Order::Any,
            Some(Value::String(s)) if s == "any" => Order::Any,
            Some(Value::String(s)) if s == "given" => Order::Given,
            Some(other) => {
                return Err(ExpectError::new(
                    "expect.order",
                    format!("expect.order is {other}"),
                    "use \"any\" (the default: matched in any order) or \"given\" (in the \
                     listed order)",
                ))
            }
        };
        let mut tools = match tool {
            Value::String(name) => vec![ExpectedTool::named(name, "expect.tool")?],
            Value::Array(items) if items.is_empty() => {
                return Err(ExpectError::new(
                    "expect.tool",
                    "expect.tool is an empty list",
                    "name at least one tool, or use expect = \"any_tool\"",
                ))
            }
            Value::Array(items) => items
                .iter()
                .enumerate()
                .map(|(i, item)| ExpectedTool::from_value(item, &format!("expect.tool[{i}]")))
                .collect::<Result<Vec<_>, _>>()?,
            other => {
                return Err(ExpectError::new(
                    "expect.tool",
                    format!("expect.tool is a {}", type_name(other)),
                    "a tool name, a list of names, or a list of tables \
                     { name = \"NAME\", args = { … } }",
                ))
            }
        };
        if let Some(args) = map.get("args") {
            if tools.len() != 1 {
                return Err(ExpectError::new(
                    "expect.args",
                    "expect.args is ambiguous with several tools",
                    "give each tool its own args: tool = [{ name = \"A\", args = { … } }, …]",
                ));
            }
            if !tools[0].args.is_empty() {
                return Err(ExpectError::new(
                    "expect.args",
                    "arguments are expected twice (expect.args and expect.tool[0].args)",
                    "keep one of them",
                ));
            }
            tools[0].args = parse_args(args, "expect.args")?;
        }
        // With `all`, a tool listed twice is two expected calls of it; with
        // `any`, a repeat says nothing new and is likely a slip.
        if mode == MatchMode::Any {
            for (i, t) in tools.iter().enumerate() {
                if tools[..i].iter().any(|o| o.name == t.name) {
                    return Err(ExpectError::new(
                        "expect.tool",
                        format!("expect.tool names `{}` twice", t.name),
                        "list each tool once, or use match = \"all\" to expect several \
                         calls of it",
                    ));
                }
            }
        }
        if order == Order::Given && mode == MatchMode::Any {
            return Err(ExpectError::new(
                "expect.order",
                "expect.order = \"given\" with match = \"any\" orders nothing",
                "use match = \"all\" with order = \"given\"",
            ));
        }
        if let CallCount::Number(n) = calls {
            let least = if mode == MatchMode::All {
                tools.len() as u64
            } else {
                1
            };
            if n < least {
                return Err(ExpectError::new(
                    "expect.calls",
                    format!("expect.calls = {n}, but {least} call(s) are expected"),
                    format!("use calls = {least} or more, or \"exactly\""),
                ));
            }
        }
        Ok(Self {
            tools,
            mode,
            calls,
            order,
        })
    }
}

impl ExpectedTool {
    fn named(name: &str, at: &str) -> Result<Self, ExpectError> {
        if name.trim().is_empty() {
            return Err(ExpectError::new(
                at,
                format!("{at} is an empty tool name"),
                "name a tool of the toolset",
            ));
        }
        Ok(Self {
            name: name.to_string(),
            args: Vec::new(),
        })
    }

    fn from_value(v: &Value, at: &str) -> Result<Self, ExpectError> {
        match v {
            Value::String(name) => Self::named(name, at),
            Value::Object(m) => {
                for key in m.keys() {
                    if key != "name" && key != "args" {
                        return Err(ExpectError::new(
                            format!("{at}.{key}"),
                            format!("{at} has an unknown key `{key}`"),
                            "a tool entry takes only `name` and `args`",
                        ));
                    }
                }
                let name = match m.get("name") {
                    Some(Value::String(s)) => s,
                    Some(other) => {
                        return Err(ExpectError::new(
                            format!("{at}.name"),
                            format!("{at}.name is a {}", type_name(other)),
                            "write the tool name as a string",
                        ))
                    }
                    None => {
                        return Err(ExpectError::new(
                            at,
                            format!("{at} has no `name`"),
                            "add name = \"TOOL\"",
                        ))
                    }
                };
                let mut tool = Self::named(name, &format!("{at}.name"))?;
                if let Some(args) = m.get("args") {
                    tool.args = parse_args(args, &format!("{at}.args"))?;
                }
                Ok(tool)
            }
            other => Err(ExpectError::new(
                at,
                format!("{at} is a {}", type_name(other)),
                "a tool name or a table { name = \"NAME\", args = { … } }",
            )),
        }
    }
}

fn parse_args(v: &Value, at: &str) -> Result<Vec<(String, ArgExpect)>, ExpectError> {
    let Value::Object(m) = v else {
        return Err(ExpectError::new(
            at,
            format!("{at} is a {}", type_name(v)),
            "a table mapping argument names to expectations, e.g. args = { path = \"src/a.py\" }",
        ));
    };
    m.iter()
        .map(|(k, v)| Ok((k.clone(), ArgExpect::from_value(v, &format!("{at}.{k}"))?)))
        .collect()
}

impl ArgExpect {
    const FORMS: &'static str = "a value (exact match), or a table with one of \
         equals = V, one_of = [V, …], regex = \"PATTERN\", present = true|false, \
         normalized = \"TEXT\", each = [M, …], keys = { K = M, … }, any_of = [M, …] (and \
         optional = true beside it)";

    fn from_value(v: &Value, at: &str) -> Result<Self, ExpectError> {
        let Value::Object(m) = v else {
            return Ok(Self::Equals(v.clone()));
        };
        let optional = match m.get("optional") {
            None => false,
            Some(Value::Bool(b)) => *b,
            Some(other) => {
                return Err(ExpectError::new(
                    format!("{at}.optional"),
                    format!("{at}.optional is {other}"),
                    "optional = true (may be absent; when given, must match) or leave it out",
                ))
            }
        };
        let matchers: Vec<(&String, &Value)> = m.iter().filter(|(k, _)| *k != "optional").collect();
        let [(key, val)] = matchers.as_slice() else {
            let (message, fix) = if matchers.is_empty() {
                (
                    format!("{at} has `optional` but no matcher"),
                    format!("put a matcher beside it: {}", Self::FORMS),
                )
            } else {
                (
                    format!("{at} is a table with {} matchers", matchers.len()),
                    format!("use {}", Self::FORMS),
                )
            };
            return Err(ExpectError::new(at, message, fix));
        };
        let inner = Self::matcher(key, val, at)?;
        if !optional {
            return Ok(inner);
        }
        if let Self::Present(_) = inner {
            return Err(ExpectError::new(
                format!("{at}.optional"),
                format!("{at} combines present with optional"),
                "use one: present = true|false, or a value matcher with optional = true",
            ));
        }
        Ok(Self::Optional(Box::new(inner)))
    }

    fn matcher(key: &str, val: &Value, at: &str) -> Result<Self, ExpectError> {
        let sub = |k: &str| format!("{at}.{k}");
        match (key, val) {
            ("equals", v) => Ok(Self::Equals(v.clone())),
            ("one_of", Value::Array(items)) if !items.is_empty() => Ok(Self::OneOf(items.clone())),
            ("one_of", _) => Err(ExpectError::new(
                sub("one_of"),
                format!("{at}.one_of must be a non-empty list"),
                "one_of = [\"a\", \"b\"]",
            )),
            ("regex", Value::String(p)) => Regex::new(p).map(Self::Regex).map_err(|e| {
                let first = e.to_string().lines().last().unwrap_or_default().to_string();
                ExpectError::new(
                    sub("regex"),
                    format!(
                        "{at}.regex {p:?} is not a valid regular expression ({})",
                        first.trim()
                    ),
                    "correct the pattern (Rust regex syntax; escape literal dots as \\\\.)",
                )
            }),
            ("regex", other) => Err(ExpectError::new(
                sub("regex"),
                format!("{at}.regex is a {}", type_name(other)),
                "write the pattern as a string",
            )),
            ("present", Value::Bool(b)) => Ok(Self::Present(*b)),
            ("present", other) => Err(ExpectError::new(
                sub("present"),
                format!("{at}.present is {other}"),
                "present = true (must be given) or false (must be omitted)",
            )),
            ("normalized", Value::String(s)) => Ok(Self::Normalized(s.clone())),
            ("normalized", other) => Err(ExpectError::new(
                sub("normalized"),
                format!("{at}.normalized is a {}", type_name(other)),
                "write the expected text as a string: normalized = \"Taylor Swift\"",
            )),
            ("each", Value::Array(items)) => items
                .iter()
                .enumerate()
                .map(|(i, item)| Self::from_value(item, &format!("{at}.each[{i}]")))
                .collect::<Result<Vec<_>, _>>()
                .map(Self::Each),
            ("each", other) => Err(ExpectError::new(
                sub("each"),
                format!("{at}.each is a {}", type_name(other)),
                "a list with one matcher (or value) per element: each = [1, { one_of = [2, 3] }]",
            )),
            ("keys", Value::Object(keys)) => keys
                .iter()
                .map(|(k, v)| Ok((k.clone(), Self::from_value(v, &format!("{at}.keys.{k}"))?)))
                .collect::<Result<Vec<_>, ExpectError>>()
                .map(Self::Keys),
            ("any_of", Value::Array(items)) if !items.is_empty() => items
                .iter()
                .enumerate()
                .map(|(i, item)| Self::from_value(item, &format!("{at}.any_of[{i}]")))
                .collect::<Result<Vec<_>, _>>()
                .map(Self::AnyOf),
            ("any_of", _) => Err(ExpectError::new(
                sub("any_of"),
                format!("{at}.any_of must be a non-empty list of matchers"),
                "any_of = [{ each = [\"a\", \"b\"] }, { each = [\"b\", \"a\"] }]",
            )),
            ("keys", other) => Err(ExpectError::new(
                sub("keys"),
                format!("{at}.keys is a {}", type_name(other)),
                "a table with one matcher (or value) per key: keys = { lang = \"en\" }",
            )),
            (other, _) => Err(ExpectError::new(
                sub(other),
                format!("{at} has an unknown matcher `{other}`"),
                format!("use {}", Self::FORMS),
            )),
        }
    }

    pub fn to_value(&self) -> Value {
        match self {
            Self::Equals(v) => json!({ "equals": v }),
            Self::OneOf(v) => json!({ "one_of": v }),
            Self::Regex(r) => json!({ "regex": r.as_str() }),
            Self::Present(b) => json!({ "present": b }),
            Self::Normalized(t) => json!({ "normalized": t }),
            Self::Each(items) => {
                json!({ "each": items.iter().map(Self::to_value).collect::<Vec<_>>() })
            }
            Self::Keys(keys) => {
                let m: Map<String, Value> = keys
                    .iter()
                    .map(|(k, a)| (k.clone(), a.to_value()))
                    .collect();
                json!({ "keys": m })
            }
            Self::Optional(inner) => {
                let mut v = inner.to_value();
                v["optional"] = json!(true);
                v
            }
            Self::AnyOf(items) => {
                json!({ "any_of": items.iter().map(Self::to_value).collect::<Vec<_>>() })
            }
        }
    }

    /// Checks an argument (absent = `None`). `Err` says what was found and
    /// what was expected, for the query's reason.
    pub fn check(&self, name: &str, actual: Option<&Value>) -> Result<(), String> {
        match (self, actual) {
            (Self::Optional(_), None) => Ok(()),
            (Self::Optional(inner), Some(_)) => inner.check(name, actual),
            (Self::Present(true), Some(_)) | (Self::Present(false), None) => Ok(()),
            (Self::Present(true), None) => Err(format!("argument `{name}` is missing")),
            (Self::Present(false), Some(v)) => {
                Err(format!("argument `{name}` is {v} but must be omitted"))
            }
            (_, None) => Err(format!(
                "argument `{name}` is missing, expected {}",
                self.describe()
            )),
            (Self::Equals(want), Some(v)) => {
                if json_eq(want, v) {
                    Ok(())
                } else {
                    Err(format!("argument `{name}` is {v}, expected {want}"))
                }
            }
            (Self::OneOf(options), Some(v)) => {
                self.expect(name, v, options.iter().any(|o| json_eq(o, v)))
            }
            (Self::Regex(re), Some(v)) => {
                let text = match v {
                    Value::String(s) => s.clone(),
                    other => other.to_string(),
                };
                self.expect(name, v, re.is_match(&text))
            }
            (Self::Normalized(want), Some(v)) => {
                let ok = v
                    .as_str()
                    .is_some_and(|s| normalized(s) == normalized(want));
                self.expect(name, v, ok)
            }
            (Self::Each(items), Some(v)) => {
                let Some(actual) = v.as_array().filter(|a| a.len() == items.len()) else {
                    return Err(format!(
                        "argument `{name}` is {v}, expected an array of {} element(s)",
                        items.len()
                    ));
                };
                items
                    .iter()
                    .zip(actual)
                    .enumerate()
                    .try_for_each(|(i, (m, a))| m.check(&format!("{name}[{i}]"), Some(a)))
            }
            (Self::AnyOf(options), Some(v)) => {
                let ok = options.iter().any(|m| m.check(name, actual).is_ok());
                self.expect(name, v, ok)
            }
            (Self::Keys(keys), Some(v)) => {
                let Some(actual) = v.as_object() else {
                    return Err(format!("argument `{name}` is {v}, expected an object"));
                };
                if let Some(extra) = actual.keys().find(|k| !keys.iter().any(|(e, _)| e == *k)) {
                    return Err(format!(
                        "argument `{name}` has key `{extra}`, which is not expected"
                    ));
                }
                keys.iter()
                    .try_for_each(|(k, m)| m.check(&format!("{name}.{k}"), actual.get(k)))
            }
        }
    }

    /// `Ok` when `ok`, else the usual "is V, expected …" reason.
    fn expect(&self, name: &str, v: &Value, ok: bool) -> Result<(), String> {
        if ok {
            Ok(())
        } else {
            Err(format!(
                "argument `{name}` is {v}, expected {}",
                self.describe()
            ))
        }
    }

    fn describe(&self) -> String {
        match self {
            Self::Equals(v) => v.to_string(),
            Self::OneOf(v) => format!(
                "one of {}",
                v.iter()
                    .map(Value::to_string)
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            Self::Regex(r) => format!("a match for /{}/", r.as_str()),
            Self::Present(true) => "to be present".into(),
            Self::Present(false) => "to be omitted".into(),
            Self::Normalized(t) => format!("{t:?} (normalized: case, spaces and ,./-_*^ ignored)"),
            Self::Each(items) => format!(
                "[{}]",
                items
                    .iter()
                    .map(Self::describe)
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            Self::Keys(keys) => format!(
                "{{{}}}",
                keys.iter()
                    .map(|(k, m)| format!("{k}: {}", m.describe()))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            Self::Optional(inner) => format!("{} or absent", inner.describe()),
            Self::AnyOf(items) => format!(
                "any of ({})",
                items
                    .iter()
                    .map(Self::describe)
                    .collect::<Vec<_>>()
                    .join(" | ")
            ),
        }
    }
}

/// BFCL's string standardisation: case folded; spaces and `,./-_*^`
/// removed; single quotes read as double.
pub fn normalized(s: &str) -> String {
    s.chars()
        .filter(|c| !matches!(c, ' ' | ',' | '.' | '/' | '-' | '_' | '*' | '^'))
        .flat_map(char::to_lowercase)
        .map(|c| if c == '\'' { '"' } else { c })
        .collect()
}

/// JSON equality where 3 == 3.0 (parsers may read a number either way).
fn json_eq(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => match (x.as_f64(), y.as_f64()) {
            (Some(x), Some(y)) => x == y,
            _ => x == y,
        },
        (Value::Array(x), Value::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(a, b)| json_eq(a, b))
        }
        (Value::Object(x), Value::Object(y)) => {
            x.len() == y.len()
                && x.iter()
                    .all(|(k, v)| y.get(k).is_some_and(|w| json_eq(v, w)))
        }
        _ => a == b,
    }
}

pub(crate) fn type_name(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "list",
        Value::Object(_) => "table",
    }
}

impl<'de> Deserialize<'de> for Expect {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let v = Value::deserialize(d)?;
        Expect::from_value(&v).map_err(D::Error::custom)
    }
}

impl Serialize for Expect {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.to_value().serialize(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keywords_and_tables_parse() {
        assert_eq!(
            Expect::from_value(&json!("direct")).unwrap(),
            Expect::Direct
        );
        assert_eq!(Expect::from_value(&json!("ask")).unwrap(), Expect::Ask);
        let e = Expect::from_value(
            &json!({"tool": ["a", {"name": "b", "args": {"x": 1}}], "match": "all"}),
        )
        .unwrap();
        let Expect::Tool(t) = &e else {
            panic!("not a tool expectation")
        };
        assert_eq!(t.mode, MatchMode::All);
        assert_eq!(
            t.tools[1].args,
            vec![("x".to_string(), ArgExpect::Equals(json!(1)))]
        );
        assert_eq!(Expect::from_value(&e.to_value()).unwrap(), e, "round trip");
    }

    #[test]
    fn bad_forms_say_how_to_fix() {
        let err = Expect::from_value(&json!("tool")).unwrap_err();
        assert!(err.message.contains("does not say which tool"), "{err}");
        assert!(err.fix.starts_with("write expect = { tool"), "{err}");
        assert_eq!(err.path, "expect");
        let err = Expect::from_value(&json!({"tool": ["a", "b"], "args": {"x": 1}})).unwrap_err();
        assert!(err.fix.contains("give each tool its own args"), "{err}");
        let err =
            Expect::from_value(&json!({"tool": "a", "args": {"x": {"regex": "("}}})).unwrap_err();
        assert!(err.message.contains("expect.args.x.regex"), "{err}");
        assert_eq!(err.path, "expect.args.x.regex");
        let err = Expect::from_value(&json!({"tool": "a", "mach": "any"})).unwrap_err();
        assert!(err.message.contains("unknown key `mach`"), "{err}");
        assert_eq!(err.path, "expect.mach");
        let err = Expect::from_value(&json!({"tool": ["a", "a"]})).unwrap_err();
        assert!(err.message.contains("names `a` twice"), "{err}");
        let err = Expect::from_value(&json!({"tool": [{"name": 3}]})).unwrap_err();
        assert_eq!(err.path, "expect.tool[0].name");
        // Shown as one line, as serde (results documents) reports it.
        assert_eq!(
            err.to_string(),
            "expect.tool[0].name is a number; fix: write the tool name as a string"
        );
    }

    #[test]
    fn argument_checks() {
        let eq = ArgExpect::Equals(json!(3));
        assert!(eq.check("line", Some(&json!(3.0))).is_ok());
        assert_eq!(
            eq.check("line", Some(&json!(4))).unwrap_err(),
            "argument `line` is 4, expected 3"
        );
        let re = ArgExpect::Regex(Regex::new(r"app\.py$").unwrap());
        assert!(re.check("path", Some(&json!("src/app.py"))).is_ok());
        assert!(re.check("path", Some(&json!("src/app.pyc"))).is_err());
        assert!(re.check("path", None).unwrap_err().contains("missing"));
        assert!(ArgExpect::Present(false).check("cwd", None).is_ok());
        assert!(ArgExpect::Present(false)
            .check("cwd", Some(&json!(".")))
            .is_err());
        let one = ArgExpect::OneOf(vec![json!("a"), json!("b")]);
        assert!(one.check("q", Some(&json!("b"))).is_ok());
        assert!(one.check("q", Some(&json!("c"))).is_err());
    }

    #[test]
    fn any_of_takes_the_first_matcher_that_passes() {
        // Two acceptable lists, strings normalised: either order passes,
        // a mix of the two does not.
        let v = json!({"any_of": [
            {"each": [{"normalized": "New York"}, {"normalized": "Paris"}]},
            {"each": [{"normalized": "Paris"}, {"normalized": "New York"}]},
            {"equals": 3}
        ], "optional": true});
        let m = ArgExpect::from_value(&v, "args.cities").unwrap();
        assert_eq!(m.to_value(), v, "round trip");
        assert!(m
            .check("cities", Some(&json!(["paris", "new york"])))
            .is_ok());
        assert!(m
            .check("cities", Some(&json!(["NEW-YORK", "Paris"])))
            .is_ok());
        assert!(m.check("cities", Some(&json!(3.0))).is_ok());
        assert!(m.check("cities", None).is_ok(), "optional");
        let why = m
            .check("cities", Some(&json!(["Paris", "Paris"])))
            .unwrap_err();
        assert_eq!(
            why,
            "argument `cities` is [\"Paris\",\"Paris\"], expected any of ([\"New York\" \
             (normalized: case, spaces and ,./-_*^ ignored), \"Paris\" (normalized: case, spaces and \
             ,./-_*^ ignored)] | [\"Paris\" (normalized: case, spaces and ,./-_*^ ignored), \
             \"New York\" (normalized: case, spaces and ,./-_*^ ignored)] | 3)"
        );
        for (bad, msg) in [
            (
                json!({"any_of": []}),
                "args.x.any_of must be a non-empty list of matchers",
            ),
            (
                json!({"any_of": 3}),
                "args.x.any_of must be a non-empty list of matchers",
            ),
            (
                json!({"any_of": [{"nope": 1}]}),
                "args.x.any_of[0] has an unknown matcher `nope`",
            ),
        ] {
            let e = ArgExpect::from_value(&bad, "args.x").unwrap_err();
            assert!(e.to_string().contains(msg), "{e}");
        }
    }
}
