//! BFCL possible answers → expectations, following BFCL's AST checker
//! (`bfcl_eval/eval_checker/ast_eval/ast_checker.py`, bfcl-eval 2026.3.23):
//!
//! - every ground-truth call is one expected call (`match = "all"`,
//!   `calls = "exactly"`), matched in any order;
//! - an argument's list of acceptable values: `""` in it means "may be
//!   absent" (`optional = true`), the rest are the values;
//! - strings (a `string` or `any` parameter whose first answer is a string)
//!   are compared after BFCL's standardisation (`normalized`; several
//!   acceptable strings: `any_of` them);
//! - `dict` parameters: key-wise (`keys`), a key may be absent when its list
//!   holds `""`; lists: element-wise (`each`) with strings normalised, lists
//!   of dicts element- and key-wise; several acceptable objects or lists:
//!   `any_of` them;
//! - an answer whose type is not the declared one (BFCL's "variable" case:
//!   `None`, or a string for an integer), at the top or as array elements,
//!   is compared exactly, and the tool schema's `x-also-valid` accepts that
//!   type for the parameter, as BFCL's type check does;
//! - a declared parameter the ground truth does not list must be absent.

use super::schema::bfcl_type;
use super::{At, BfclError};
use serde_json::{json, Map, Value};

/// One entry's expectation, or why the entry cannot be a query.
#[derive(Debug, Clone, PartialEq)]
pub enum Converted {
    /// The `expect` value and the answer types the functions' schemas
    /// must also accept.
    Expect(Value, Vec<Widening>),
    /// The entry is left out, for this reason.
    Skip(String),
}

/// An answer of another type than the declared one: BFCL accepts a value
/// of the answer's type for that parameter, so the query's tool schema
/// does too (`x-also-valid`), without changing what the model is shown.
#[derive(Debug, Clone, PartialEq)]
pub struct Widening {
    pub function: String,
    pub parameter: String,
    /// The JSON Schema the parameter also accepts.
    pub schema: Value,
}

/// BFCL's `standardize_string` is the `normalized` matcher's own
/// normalisation: the importer dedups alternatives with the same function.
pub use crate::suite::normalized as standardize;

/// Python's type name of a JSON value, as `type()` would see it after `json.loads`.
fn py_type(v: &Value) -> &'static str {
    match v {
        Value::Null => "NoneType",
        Value::Bool(_) => "bool",
        Value::Number(n) if n.is_f64() => "float",
        Value::Number(_) => "int",
        Value::String(_) => "str",
        Value::Array(_) => "list",
        Value::Object(_) => "dict",
    }
}

/// BFCL's `PYTHON_TYPE_MAPPING`.
fn expected_py_type(bfcl: &str) -> &'static str {
    match bfcl {
        "integer" => "int",
        "float" => "float",
        "boolean" => "bool",
        "array" | "tuple" => "list",
        "dict" => "dict",
        _ => "str",
    }
}

/// JSON Schema's type of a JSON value.
fn json_type(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(n) if n.is_f64() => "number",
        Value::Number(_) => "integer",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

/// Whether BFCL's type check takes a value of Python type `got` for a
/// parameter of BFCL type `declared` without its "variable" rule.
fn declared_type_takes(declared: &str, got: &str) -> bool {
    declared == "any" || got == expected_py_type(declared) || (declared == "float" && got == "int")
}

/// `{"type": T}` or `{"type": [T, …]}` for the types of `values`.
fn type_schema<'v>(values: impl Iterator<Item = &'v Value>) -> Value {
    let mut types: Vec<&str> = Vec::new();
    for v in values {
        let t = json_type(v);
        if !types.contains(&t) {
            types.push(t);
        }
    }
    match types.as_slice() {
        [one] => json!({ "type": one }),
        _ => json!({ "type": types }),
    }
}

fn is_blank(v: &Value) -> bool {
    v.as_str() == Some("")
}

/// Exact comparison (JSON equality: `3` equals `3.0`, as in Python).
fn exact(alts: &[&Value]) -> Value {
    match alts {
        [one] => json!({ "equals": one }),
        many => json!({ "one_of": many }),
    }
}

/// Strings compared as BFCL's `string_checker` does; alternatives that
/// standardise alike are one.
fn strings(alts: &[&str]) -> Value {
    let mut seen: Vec<String> = Vec::new();
    let mut first: Vec<Value> = Vec::new();
    for a in alts {
        let s = standardize(a);
        if !seen.contains(&s) {
            seen.push(s);
            first.push(json!({ "normalized": a }));
        }
    }
    any_of(first)
}

/// One matcher, or a choice between several.
fn any_of(mut matchers: Vec<Value>) -> Value {
    if matchers.len() == 1 {
        matchers.remove(0)
    } else {
        json!({ "any_of": matchers })
    }
}

/// A value as BFCL's checkers compare it inside lists and dicts: a string
/// standardised, anything else equal.
fn element(v: &Value) -> Value {
    match v {
        Value::String(s) => json!({ "normalized": s }),
        other => json!({ "equals": other }),
    }
}

fn optional(mut m: Value, optional: bool) -> Value {
    if optional {
        if let Value::Object(o) = &mut m {
            o.insert("optional".into(), Value::Bool(true));
        }
    }
    m
}

struct Ctx<'a> {
    at: &'a At,
    /// The function whose arguments are being read.
    function: String,
    widen: Vec<Widening>,
}

impl Ctx<'_> {
    fn widen(&mut self, parameter: &str, schema: Value) {
        self.widen.push(Widening {
            function: self.function.clone(),
            parameter: parameter.to_string(),
            schema,
        });
    }

    fn values<'v>(&self, v: &'v Value, what: &str) -> Result<&'v Vec<Value>, BfclError> {
        v.as_array().ok_or_else(|| {
            self.at.err(
                format!("the acceptable values of {what} are {v}, not a list"),
                "possible answers list every acceptable value: \"x\": [1, \"\"]",
            )
        })
    }

    /// One argument's list of acceptable values → a matcher.
    fn argument(
        &mut self,
        name: &str,
        vals: &[Value],
        prop: &Value,
        required: bool,
    ) -> Result<Value, BfclError> {
        let may_be_absent = vals.iter().any(is_blank);
        let alts: Vec<&Value> = vals.iter().filter(|v| !is_blank(v)).collect();
        if alts.is_empty() {
            return Ok(json!({ "present": false }));
        }
        let t = bfcl_type(prop).unwrap_or("any");
        let expected = expected_py_type(t);
        let first = py_type(alts[0]);
        // Answers of another type (`None` too, where `optional_null` does
        // not already take it: a required argument) are valid here as there.
        let other: Vec<&Value> = alts
            .iter()
            .copied()
            .filter(|v| !declared_type_takes(t, py_type(v)) && (required || !v.is_null()))
            .collect();
        if !other.is_empty() {
            self.widen(name, type_schema(other.into_iter()));
        }
        let variable = first != expected;
        let m = if variable {
            exact(&alts)
        } else {
            match t {
                "dict" => any_of(
                    alts.iter()
                        .map(|a| self.keys(name, a))
                        .collect::<Result<Vec<_>, _>>()?,
                ),
                "array" | "tuple" => {
                    let items = prop.get("items").and_then(bfcl_type).unwrap_or("any");
                    if items == "dict" {
                        let mut lists = Vec::new();
                        for a in &alts {
                            lists.push(match a {
                                Value::Array(dicts) => json!({ "each": dicts
                                    .iter()
                                    .map(|d| self.keys(name, d))
                                    .collect::<Result<Vec<_>, _>>()? }),
                                other => json!({ "equals": other }),
                            });
                        }
                        any_of(lists)
                    } else {
                        // BFCL's nested type check reads the element type
                        // from the answer too: strings for an integer array
                        // pass there, so they pass here; integers in a float
                        // array pass where an answer starts with one (the
                        // pack's `floats = "python"` fails them elsewhere).
                        let elements = || alts.iter().filter_map(|a| a.as_array()).flatten();
                        let int_first = items == "float"
                            && alts.iter().any(|a| {
                                a.as_array()
                                    .and_then(|l| l.first())
                                    .is_some_and(|e| py_type(e) == "int")
                            });
                        if int_first || elements().any(|e| !declared_type_takes(items, py_type(e)))
                        {
                            let schema =
                                json!({ "type": "array", "items": type_schema(elements()) });
                            self.widen(name, schema);
                        }
                        self.list(&alts)
                    }
                }
                "string" | "any" => {
                    let mut s: Vec<&str> = alts.iter().filter_map(|v| v.as_str()).collect();
                    if may_be_absent {
                        // BFCL compares a given "" (or " ", ".") with the
                        // standardised answers, "" among them: it passes.
                        s.push("");
                    }
                    strings(&s)
                }
                _ => exact(&alts),
            }
        };
        Ok(optional(m, may_be_absent))
    }

    /// BFCL's `list_checker`: top-level string elements normalised, the
    /// rest equal; lists without strings compared as a whole.
    fn list(&mut self, alts: &[&Value]) -> Value {
        let has_strings = |v: &Value| v.as_array().is_some_and(|a| a.iter().any(Value::is_string));
        if !alts.iter().any(|v| has_strings(v)) {
            return exact(alts);
        }
        any_of(
            alts.iter()
                .map(|a| match a {
                    Value::Array(items) => {
                        json!({ "each": items.iter().map(element).collect::<Vec<_>>() })
                    }
                    other => json!({ "equals": other }),
                })
                .collect(),
        )
    }

    /// BFCL's `dict_checker` for one acceptable object: every key of the
    /// model's object must be listed, each value one of the key's values
    /// (strings normalised), a key may be missing when its list holds `""`.
    fn keys(&mut self, name: &str, answer: &Value) -> Result<Value, BfclError> {
        let Some(map) = answer.as_object() else {
            return Ok(json!({ "equals": answer }));
        };
        let mut keys = Map::new();
        for (k, v) in map {
            let vals = self.values(v, &format!("{name}.{k}"))?;
            let may_be_absent = vals.iter().any(is_blank);
            let alts: Vec<&Value> = vals.iter().filter(|v| !is_blank(v)).collect();
            let m = if alts.is_empty() {
                json!({ "present": false })
            } else if alts.iter().all(|v| v.is_string()) {
                let mut s: Vec<&str> = alts.iter().filter_map(|v| v.as_str()).collect();
                if may_be_absent {
                    s.push("");
                }
                optional(strings(&s), may_be_absent)
            } else if alts.iter().any(|v| v.is_string()) {
                optional(
                    any_of(alts.iter().map(|v| element(v)).collect()),
                    may_be_absent,
                )
            } else {
                optional(exact(&alts), may_be_absent)
            };
            keys.insert(k.clone(), m);
        }
        Ok(json!({ "keys": keys }))
    }
}

/// The ground truth of one entry (`[{"fn": {"arg": [values…]}}, …]`) with
/// the entry's functions → the query's expectation.
pub fn expectation(
    ground_truth: &Value,
    functions: &[Value],
    at: &At,
) -> Result<Converted, BfclError> {
    let Some(calls) = ground_truth.as_array().filter(|c| !c.is_empty()) else {
        return Err(at.err(
            "`ground_truth` is not a non-empty list of calls",
            "possible answers look like {\"id\": …, \"ground_truth\": [{\"fn\": {\"arg\": [1]}}]}",
        ));
    };
    let mut ctx = Ctx {
        at,
        function: String::new(),
        widen: Vec::new(),
    };
    let mut tools = Vec::new();
    for call in calls {
        let Some((fname, args)) = call
            .as_object()
            .filter(|o| o.len() == 1)
            .and_then(|o| o.iter().next())
        else {
            return Err(at.err(
                format!("a ground-truth call is {call}, not an object with one function name"),
                "each call is {\"function_name\": {\"argument\": [acceptable values]}}",
            ));
        };
        let Some(function) = functions
            .iter()
            .find(|f| f.get("name").and_then(Value::as_str) == Some(fname))
        else {
            return Err(at.err(
                format!(
                    "the ground truth calls {fname:?}, which the entry's functions do not declare"
                ),
                "the entry's `function` list must hold every function its answer calls",
            ));
        };
        let Some(args) = args.as_object() else {
            return Err(at.err(
                format!("the arguments of {fname:?} are {args}, not an object"),
                "write them as {\"argument\": [acceptable values]}",
            ));
        };
        ctx.function = fname.clone();
        let params = function.get("parameters");
        let props = params
            .and_then(|p| p.get("properties"))
            .and_then(Value::as_object)
            .cloned()
            .unwrap_or_default();
        let required: Vec<&str> = params
            .and_then(|p| p.get("required"))
            .and_then(Value::as_array)
            .map(|r| r.iter().filter_map(Value::as_str).collect())
            .unwrap_or_default();
        let mut out = Map::new();
        for (arg, vals) in args {
            let vals = ctx.values(vals, &format!("{fname}.{arg}"))?;
            let Some(prop) = props.get(arg) else {
                if vals.iter().any(is_blank) {
                    // May be absent, and BFCL fails it when given: the tool
                    // schema (additionalProperties: false) says the same.
                    continue;
                }
                return Ok(Converted::Skip(format!(
                    "the ground truth needs argument {arg:?}, which {fname:?} does not declare \
                     (BFCL's checker can never pass it)"
                )));
            };
            let m = ctx.argument(arg, vals, prop, required.contains(&arg.as_str()))?;
            out.insert(arg.clone(), m);
        }
        for p in props.keys() {
            if !args.contains_key(p) {
                out.insert(p.clone(), json!({ "present": false }));
            }
        }
        let mut tool = Map::new();
        tool.insert("name".into(), Value::String(fname.clone()));
        if !out.is_empty() {
            tool.insert("args".into(), Value::Object(out));
        }
        tools.push(Value::Object(tool));
    }
    Ok(Converted::Expect(
        json!({ "tool": tools, "match": "all", "calls": "exactly" }),
        ctx.widen,
    ))
}
