//! Type rules a pack may switch (`[pack] integers`, `floats`, `enums`,
//! `optional_null`): the field's checkers differ from JSON Schema on these,
//! and a pack imported from them (BFCL) scores as they do. The rules change
//! how arguments are validated, never the schema the model is shown.

use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

/// Whether `3.0` is an integer.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Integers {
    /// JSON Schema: a number with no fractional part is an integer.
    #[default]
    JsonSchema,
    /// Python (BFCL's checker): a number written with a fraction is a
    /// float, whatever its value.
    Python,
}

/// Whether `1` is a float inside an array of floats.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Floats {
    /// JSON Schema: an integer is a number.
    #[default]
    JsonSchema,
    /// Python (BFCL's nested type check): an element written without a
    /// fraction is an `int`, not a `float`. Top-level arguments are not
    /// affected (BFCL converts an `int` there).
    Python,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Enums {
    #[default]
    Enforce,
    /// `enum` lists in the tool schemas are not checked.
    Ignore,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Rules {
    pub integers: Integers,
    pub floats: Floats,
    pub enums: Enums,
    /// `null` is accepted for an argument that is not required.
    pub optional_null: bool,
}

impl Rules {
    pub fn is_default(&self) -> bool {
        *self == Self::default()
    }

    /// The schema arguments are validated against under these rules.
    pub(crate) fn validation_schema(&self, schema: &Value) -> Value {
        let mut s = schema.clone();
        if self.enums == Enums::Ignore {
            strip_enums(&mut s);
        }
        if self.optional_null {
            let required: Vec<String> = s
                .get("required")
                .and_then(Value::as_array)
                .map(|r| {
                    r.iter()
                        .filter_map(Value::as_str)
                        .map(String::from)
                        .collect()
                })
                .unwrap_or_default();
            if let Some(Value::Object(props)) = s.get_mut("properties") {
                for (name, sub) in props.iter_mut() {
                    if !required.contains(name) {
                        *sub = json!({ "anyOf": [sub.take(), { "type": "null" }] });
                    }
                }
            }
        }
        s
    }
}

fn strip_enums(v: &mut Value) {
    match v {
        Value::Object(m) => {
            m.remove("enum");
            m.values_mut().for_each(strip_enums);
        }
        Value::Array(items) => items.iter_mut().for_each(strip_enums),
        _ => {}
    }
}

/// Under [`Floats::Python`]: the elements written without a fraction of
/// the array arguments for which `float_items(name)` (elements declared
/// only as numbers). `(pointer, value)`.
pub(crate) fn integer_floats(
    arguments: &Value,
    float_items: &dyn Fn(&str) -> bool,
) -> Vec<(String, Value)> {
    let mut out = Vec::new();
    let Some(args) = arguments.as_object() else {
        return out;
    };
    for (name, v) in args {
        if let Value::Array(xs) = v {
            if float_items(name) {
                for (i, x) in xs.iter().enumerate() {
                    if x.is_i64() || x.is_u64() {
                        out.push((format!("/{name}/{i}"), x.clone()));
                    }
                }
            }
        }
    }
    out
}

/// Under [`Integers::Python`]: the top-level arguments (and the elements of
/// array arguments) declared only as integers that were written with a
/// fraction (`3.0`). `(pointer, value)`.
pub(crate) fn fractional_integers(
    arguments: &Value,
    integer_only: &dyn Fn(&str) -> (bool, bool),
) -> Vec<(String, Value)> {
    let mut out = Vec::new();
    let Some(args) = arguments.as_object() else {
        return out;
    };
    for (name, v) in args {
        let (whole, items) = integer_only(name);
        match v {
            Value::Number(n) if whole && n.is_f64() => out.push((format!("/{name}"), v.clone())),
            Value::Array(xs) if items => {
                for (i, x) in xs.iter().enumerate() {
                    if x.as_f64().is_some() && x.is_f64() {
                        out.push((format!("/{name}/{i}"), x.clone()));
                    }
                }
            }
            _ => {}
        }
    }
    out
}
