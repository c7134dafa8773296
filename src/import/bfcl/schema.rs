//! BFCL function docs → tool schemas (JSON Schema objects with
//! `x-tool-name`, as `schemas/tools/` holds them and per-query `tools` take).

use super::At;
use serde_json::{Map, Value};

/// BFCL's type names → JSON Schema. `Some(None)`: any type (no `type`).
fn json_type(bfcl: &str) -> Option<Option<&'static str>> {
    Some(Some(match bfcl {
        "dict" | "object" => "object",
        "float" | "number" => "number",
        "string" => "string",
        "integer" => "integer",
        "boolean" => "boolean",
        "array" | "tuple" => "array",
        "any" => return Some(None),
        _ => return None,
    }))
}

/// The underscore form of a dotted name (`math.factorial` → `math_factorial`),
/// the name OpenAI-style APIs use; `None` when the name has no dot.
pub fn underscore_alias(name: &str) -> Option<String> {
    name.contains('.').then(|| name.replace('.', "_"))
}

/// One function doc → one tool schema. `others` are the names of the other
/// functions of the entry (an alias that equals one of them is left out).
pub fn tool_schema(f: &Value, others: &[&str], at: &At) -> Result<Value, super::BfclError> {
    let Some(doc) = f.as_object() else {
        return Err(at.err(
            "a function is not an object",
            "each entry of `function` must be {\"name\", \"description\", \"parameters\"}",
        ));
    };
    let name = match doc.get("name") {
        Some(Value::String(n)) if !n.trim().is_empty() => n.clone(),
        _ => {
            return Err(at.err(
                "a function has no `name` string",
                "give every function a name",
            ))
        }
    };
    let at = at.with(format!("function {name:?}"));
    let no_parameters = Map::new();
    let params =
        match doc.get("parameters") {
            Some(Value::Object(p)) => p,
            None => &no_parameters,
            Some(_) => return Err(at.err(
                "`parameters` is not an object",
                "write parameters as {\"type\": \"dict\", \"properties\": {…}, \"required\": […]}",
            )),
        };
    let mut out = Map::new();
    out.insert("x-tool-name".into(), Value::String(name.clone()));
    if let Some(alias) = underscore_alias(&name).filter(|a| !others.contains(&a.as_str())) {
        out.insert("x-aliases".into(), Value::Array(vec![Value::String(alias)]));
    }
    if let Some(d) = doc.get("description") {
        out.insert("description".into(), d.clone());
    }
    out.insert("type".into(), Value::String("object".into()));
    let mut props = Map::new();
    match params.get("properties") {
        None => {}
        Some(Value::Object(p)) => {
            for (k, v) in p {
                props.insert(
                    k.clone(),
                    property(v, &at.with(format!("parameter {k:?}")))?,
                );
            }
        }
        Some(_) => {
            return Err(at.err(
                "`parameters.properties` is not an object",
                "map each parameter name to its description",
            ))
        }
    }
    let required = match params.get("required") {
        None => Vec::new(),
        Some(Value::Array(r)) => r.clone(),
        Some(_) => {
            return Err(at.err(
                "`parameters.required` is not a list",
                "list the required parameter names",
            ))
        }
    };
    for r in &required {
        if !r.as_str().is_some_and(|r| props.contains_key(r)) {
            return Err(at.err(
                format!("required parameter {r} is not among the parameters"),
                "declare it in `properties` or drop it from `required`",
            ));
        }
    }
    out.insert("properties".into(), Value::Object(props));
    out.insert("required".into(), Value::Array(required));
    // BFCL's checker fails any parameter the function does not declare.
    out.insert("additionalProperties".into(), Value::Bool(false));
    Ok(Value::Object(out))
}

/// One parameter (or nested) description: the same keys, `type` in JSON
/// Schema's names, `properties` and `items` converted too.
fn property(v: &Value, at: &At) -> Result<Value, super::BfclError> {
    let Some(m) = v.as_object() else {
        return Err(at.err(
            format!("the description is {v}, not an object"),
            "describe the parameter as {\"type\": …, \"description\": …}",
        ));
    };
    let mut out = Map::new();
    for (k, val) in m {
        match k.as_str() {
            "type" => {
                let Some(t) = val.as_str() else {
                    return Err(at.err(
                        format!("`type` is {val}, not a string"),
                        "use one of BFCL's types: string, integer, float, boolean, array, tuple, dict, any",
                    ));
                };
                match json_type(t) {
                    Some(Some(js)) => {
                        out.insert("type".into(), Value::String(js.into()));
                    }
                    Some(None) => {}
                    None => {
                        return Err(at.err(
                            format!("unknown type {t:?}"),
                            "BFCL's Python categories use string, integer, float, boolean, \
                             array, tuple, dict, any; add the type to src/import/bfcl/schema.rs \
                             or leave this category out (--categories)",
                        ))
                    }
                }
            }
            "properties" => {
                let Some(p) = val.as_object() else {
                    return Err(at.err(
                        "`properties` is not an object",
                        "map each key to its description",
                    ));
                };
                let mut conv = Map::new();
                for (pk, pv) in p {
                    conv.insert(pk.clone(), property(pv, &at.with(format!("key {pk:?}")))?);
                }
                out.insert(k.clone(), Value::Object(conv));
            }
            "items" => {
                out.insert(k.clone(), property(val, &at.with("items"))?);
            }
            // BFCL's non-standard per-parameter `required`/`optional` flags
            // (booleans or strings) are not JSON Schema: kept as annotations.
            "required" if !val.is_array() => {
                out.insert("x-bfcl-required".into(), val.clone());
            }
            _ => {
                out.insert(k.clone(), val.clone());
            }
        }
    }
    Ok(Value::Object(out))
}

/// The BFCL type of a parameter description (`None` when it has none).
pub fn bfcl_type(prop: &Value) -> Option<&str> {
    prop.get("type").and_then(Value::as_str)
}
