//! One tool: its argument schema, compiled once, plus what code mode and the
//! XML parser need to know (positional order, declared property types).

use super::error::Issue;
use super::fault::{ArgError, Fault};
use super::rules::{self, Floats, Integers, Rules};
use jsonschema::error::ValidationErrorKind;
use serde_json::{json, Map, Value};
use std::collections::HashMap;

const DRAFT_2020_12: &str = "https://json-schema.org/draft/2020-12/schema";

/// A JSON Schema primitive type, as declared by a property's `type`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JsonType {
    String,
    Integer,
    Number,
    Boolean,
    Object,
    Array,
    Null,
}

impl JsonType {
    pub(crate) fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "string" => JsonType::String,
            "integer" => JsonType::Integer,
            "number" => JsonType::Number,
            "boolean" => JsonType::Boolean,
            "object" => JsonType::Object,
            "array" => JsonType::Array,
            "null" => JsonType::Null,
            _ => return None,
        })
    }
}

/// The schema arguments are validated against: each parameter named in
/// `x-also-valid` also accepts that schema (an imported checker's looser
/// rule: BFCL takes a string for an integer where its answer is one). What
/// the model is shown is unchanged (`x-` keys are not shown).
fn widened(schema: &Value) -> Value {
    let mut s = schema.clone();
    let Some(Value::Object(also)) = schema.get("x-also-valid") else {
        return s;
    };
    if let Some(Value::Object(props)) = s.get_mut("properties") {
        for (p, extra) in also {
            if let Some(sub) = props.get_mut(p) {
                *sub = json!({ "anyOf": [sub.take(), extra] });
            }
        }
    }
    s
}

/// A compiled tool schema. Immutable; share it freely across threads.
#[derive(Debug)]
pub struct ToolSchema {
    name: String,
    origin: String,
    schema: Value,
    positional: Vec<String>,
    types: HashMap<String, Vec<JsonType>>,
    result_fields: Option<Vec<String>>,
    warnings: Vec<Issue>,
    /// Other names a model may call the tool by (`x-aliases`).
    aliases: Vec<String>,
    validator: jsonschema::Validator,
    /// The type rules `validator` was compiled under.
    rules: Rules,
}

/// Non-standard `type` names used by BFCL's data, Gorilla and mlx-lm's
/// examples (Python type names), and JSON Schema names in other cases,
/// mapped to JSON Schema. `None`: any type (the `type` keyword is dropped).
fn standard_type(t: &str) -> Option<Option<&'static str>> {
    Some(Some(match t.to_ascii_lowercase().as_str() {
        "string" | "str" => "string",
        "integer" | "int" | "long" => "integer",
        "number" | "float" | "double" => "number",
        "boolean" | "bool" => "boolean",
        "object" | "dict" => "object",
        "array" | "list" | "tuple" => "array",
        "null" | "none" | "nonetype" => "null",
        "any" => return Some(None),
        _ => return None,
    }))
}

/// Keywords whose value is one subschema, a map of subschemas, or an array
/// of subschemas (JSON Schema 2020-12 applicators, plus `definitions`).
const ONE_SCHEMA: &[&str] = &[
    "additionalProperties",
    "items",
    "not",
    "contains",
    "if",
    "then",
    "else",
    "propertyNames",
    "unevaluatedProperties",
    "unevaluatedItems",
];
const SCHEMA_MAPS: &[&str] = &[
    "properties",
    "patternProperties",
    "$defs",
    "definitions",
    "dependentSchemas",
];
const SCHEMA_LISTS: &[&str] = &["anyOf", "oneOf", "allOf", "prefixItems", "items"];

/// Rewrites non-standard `type` names in every subschema to JSON Schema,
/// one warning per rewrite naming the tool and the property; names with no
/// standard equivalent are left for the meta-schema check to refuse.
fn normalize_types(
    node: &mut Value,
    at: &mut Vec<String>,
    tool: &str,
    origin: &str,
    warnings: &mut Vec<Issue>,
) {
    let Some(obj) = node.as_object_mut() else {
        return;
    };
    let mut drop_type = false;
    match obj.get_mut("type") {
        Some(Value::String(t)) => match standard_type(t) {
            Some(Some(std)) if t != std => {
                warnings.push(type_warning(at, tool, origin, t, Some(std)));
                *t = std.to_string();
            }
            Some(None) => {
                warnings.push(type_warning(at, tool, origin, t, None));
                drop_type = true;
            }
            _ => {}
        },
        Some(Value::Array(ts)) => {
            let mut mapped = Vec::with_capacity(ts.len());
            for t in ts.iter() {
                match t.as_str().map(|s| (s, standard_type(s))) {
                    Some((s, Some(Some(std)))) => {
                        if s != std {
                            warnings.push(type_warning(at, tool, origin, s, Some(std)));
                        }
                        mapped.push(Value::String(std.to_string()));
                    }
                    Some((s, Some(None))) => {
                        warnings.push(type_warning(at, tool, origin, s, None));
                        drop_type = true;
                    }
                    _ => mapped.push(t.clone()),
                }
            }
            // A repeat ("float", "number") would fail `uniqueItems`.
            let mut unique: Vec<Value> = Vec::with_capacity(mapped.len());
            for m in mapped {
                if !unique.contains(&m) {
                    unique.push(m);
                }
            }
            *ts = unique;
        }
        _ => {}
    }
    if drop_type {
        obj.remove("type");
    }
    for (key, value) in obj.iter_mut() {
        let key = key.as_str();
        if SCHEMA_MAPS.contains(&key) {
            if let Value::Object(map) = value {
                for (name, sub) in map.iter_mut() {
                    at.push(key.to_string());
                    at.push(name.clone());
                    normalize_types(sub, at, tool, origin, warnings);
                    at.truncate(at.len() - 2);
                }
            }
        } else if SCHEMA_LISTS.contains(&key) && value.is_array() {
            if let Value::Array(list) = value {
                for (i, sub) in list.iter_mut().enumerate() {
                    at.push(key.to_string());
                    at.push(i.to_string());
                    normalize_types(sub, at, tool, origin, warnings);
                    at.truncate(at.len() - 2);
                }
            }
        } else if ONE_SCHEMA.contains(&key) {
            at.push(key.to_string());
            normalize_types(value, at, tool, origin, warnings);
            at.pop();
        }
    }
}

fn type_warning(
    at: &[String],
    tool: &str,
    origin: &str,
    found: &str,
    mapped: Option<&str>,
) -> Issue {
    let mut parts: Vec<&str> = at.iter().map(String::as_str).collect();
    parts.push("type");
    let pointer = ptr(&parts);
    let whom = match at {
        [props, name, ..] if props == "properties" => format!("property {name:?}"),
        [] => "the arguments object".to_string(),
        _ => format!("the subschema at {}", ptr(&parts[..parts.len() - 1])),
    };
    let tool = if tool.is_empty() { "?" } else { tool };
    let read = match mapped {
        Some(m) => format!("read as JSON Schema \"{m}\""),
        None => "dropped: any type is accepted".to_string(),
    };
    Issue::new(
        origin,
        pointer,
        format!("tool {tool}, {whom}: non-standard type {found:?} {read}"),
    )
}

/// The JSON types a property schema admits: its `type`, and those of its
/// `anyOf` / `oneOf` / `allOf` branches and local `$ref` targets (what
/// Pydantic and most MCP servers emit for `Optional[int]` or a union of an
/// object and null); failing all of those, the types of its `enum` /
/// `const` values. In declaration order, without repeats.
fn collect_types(sub: &Value, root: &Value, depth: usize, out: &mut Vec<JsonType>) {
    let Some(obj) = sub.as_object() else {
        return;
    };
    if depth > 16 {
        return;
    }
    let before = out.len();
    let declared: Vec<JsonType> = match obj.get("type") {
        Some(Value::String(t)) => JsonType::parse(t).into_iter().collect(),
        Some(Value::Array(ts)) => ts
            .iter()
            .filter_map(Value::as_str)
            .filter_map(JsonType::parse)
            .collect(),
        _ => Vec::new(),
    };
    for t in declared {
        if !out.contains(&t) {
            out.push(t);
        }
    }
    for key in ["anyOf", "oneOf", "allOf"] {
        if let Some(Value::Array(branches)) = obj.get(key) {
            for branch in branches {
                collect_types(branch, root, depth + 1, out);
            }
        }
    }
    if let Some(target) = obj
        .get("$ref")
        .and_then(Value::as_str)
        .and_then(|r| r.strip_prefix('#'))
        .and_then(|p| root.pointer(p))
    {
        collect_types(target, root, depth + 1, out);
    }
    if out.len() == before {
        let values = obj
            .get("enum")
            .and_then(Value::as_array)
            .map(|v| v.iter().collect::<Vec<_>>())
            .or_else(|| obj.get("const").map(|c| vec![c]))
            .unwrap_or_default();
        for v in values {
            let t = match v {
                Value::Null => JsonType::Null,
                Value::Bool(_) => JsonType::Boolean,
                Value::Number(n) if n.is_f64() => JsonType::Number,
                Value::Number(_) => JsonType::Integer,
                Value::String(_) => JsonType::String,
                Value::Array(_) => JsonType::Array,
                Value::Object(_) => JsonType::Object,
            };
            if !out.contains(&t) {
                out.push(t);
            }
        }
    }
}

fn ptr(parts: &[&str]) -> String {
    parts
        .iter()
        .map(|p| format!("/{}", p.replace('~', "~0").replace('/', "~1")))
        .collect()
}

fn is_identifier(s: &str) -> bool {
    let mut chars = s.chars();
    matches!(chars.next(), Some(c) if c == '_' || c.is_alphabetic())
        && chars.all(|c| c == '_' || c.is_alphanumeric())
}

/// A tool name: identifiers joined by dots (`math.factorial`, as BFCL's
/// functions are named), or with hyphens inside (`get-weather`).
fn is_tool_name(s: &str) -> bool {
    s.split('.')
        .all(|part| is_identifier(&part.replace('-', "_")) && !part.ends_with('-'))
}

/// Reads an optional array-of-strings keyword, reporting non-strings.
fn string_list(
    doc: &Map<String, Value>,
    key: &str,
    origin: &str,
    issues: &mut Vec<Issue>,
) -> Option<Vec<String>> {
    let value = doc.get(key)?;
    let Some(items) = value.as_array() else {
        issues.push(Issue::new(
            origin,
            ptr(&[key]),
            format!("`{key}` must be an array of strings"),
        ));
        return None;
    };
    let mut out = Vec::with_capacity(items.len());
    for (i, item) in items.iter().enumerate() {
        match item.as_str() {
            Some(s) => out.push(s.to_string()),
            None => issues.push(Issue::new(
                origin,
                ptr(&[key, &i.to_string()]),
                format!("`{key}` entries must be strings, found {item}"),
            )),
        }
    }
    Some(out)
}

impl ToolSchema {
    /// Compiles and lints one tool schema document. `origin` names the file
    /// (or in-memory source) in every issue.
    pub fn from_value(mut schema: Value, origin: &str) -> Result<Self, Vec<Issue>> {
        let mut issues = Vec::new();
        let mut warnings = Vec::new();
        let tool_name = schema
            .get("x-tool-name")
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_string();
        normalize_types(
            &mut schema,
            &mut Vec::new(),
            &tool_name,
            origin,
            &mut warnings,
        );
        let Some(doc) = schema.as_object() else {
            return Err(vec![Issue::new(
                origin,
                "",
                "a tool schema must be a JSON object",
            )]);
        };
        for err in jsonschema::draft202012::meta::validator().iter_errors(&schema) {
            issues.push(Issue::new(
                origin,
                err.instance_path().as_str().to_string(),
                format!("not a valid JSON Schema 2020-12: {err}"),
            ));
        }
        if let Some(declared) = doc.get("$schema") {
            if declared.as_str() != Some(DRAFT_2020_12) {
                issues.push(Issue::new(
                    origin,
                    "/$schema",
                    format!("declares {declared}; tool schemas must be JSON Schema 2020-12 (\"{DRAFT_2020_12}\")"),
                ));
            }
        }
        if doc.get("type").and_then(Value::as_str) != Some("object") {
            issues.push(Issue::new(
                origin,
                "/type",
                "a tool's arguments schema must have \"type\": \"object\"",
            ));
        }
        let name = match doc.get("x-tool-name").and_then(Value::as_str) {
            Some(n) if is_tool_name(n) => n.to_string(),
            Some(n) => {
                issues.push(Issue::new(
                    origin,
                    "/x-tool-name",
                    format!("tool name {n:?} must be identifiers (letters, digits, _, -) joined by dots"),
                ));
                n.to_string()
            }
            None => {
                issues.push(Issue::new(
                    origin,
                    "/x-tool-name",
                    "missing \"x-tool-name\": the name the model calls the tool by",
                ));
                String::new()
            }
        };
        let empty = Map::new();
        let properties = match doc.get("properties") {
            None => &empty,
            Some(Value::Object(p)) => p,
            Some(_) => {
                issues.push(Issue::new(
                    origin,
                    "/properties",
                    "`properties` must be an object",
                ));
                &empty
            }
        };
        let mut types = HashMap::new();
        for (prop, sub) in properties {
            let mut declared = Vec::new();
            collect_types(sub, &schema, 0, &mut declared);
            types.insert(prop.clone(), declared);
        }
        if let Some(required) = string_list(doc, "required", origin, &mut issues) {
            for (i, r) in required.iter().enumerate() {
                if !properties.contains_key(r) {
                    issues.push(Issue::new(
                        origin,
                        ptr(&["required", &i.to_string()]),
                        format!("required property {r:?} is not declared in `properties`"),
                    ));
                }
            }
        }
        let positional =
            string_list(doc, "x-positional-order", origin, &mut issues).unwrap_or_default();
        for (i, p) in positional.iter().enumerate() {
            let at = ptr(&["x-positional-order", &i.to_string()]);
            if !properties.contains_key(p) {
                issues.push(Issue::new(
                    origin,
                    at.clone(),
                    format!("positional parameter {p:?} is not declared in `properties`"),
                ));
            }
            if positional[..i].contains(p) {
                issues.push(Issue::new(
                    origin,
                    at,
                    format!("positional parameter {p:?} is listed twice"),
                ));
            }
        }
        let result_fields = string_list(doc, "x-result-fields", origin, &mut issues);
        let aliases = string_list(doc, "x-aliases", origin, &mut issues).unwrap_or_default();
        for (i, a) in aliases.iter().enumerate() {
            if !is_tool_name(a) || *a == name || aliases[..i].contains(a) {
                issues.push(Issue::new(
                    origin,
                    ptr(&["x-aliases", &i.to_string()]),
                    format!(
                        "alias {a:?} must be a tool name, not the tool's own name, listed once"
                    ),
                ));
            }
        }
        match doc.get("x-also-valid") {
            None => {}
            Some(Value::Object(also)) => {
                for (p, extra) in also {
                    if !properties.contains_key(p) {
                        issues.push(Issue::new(
                            origin,
                            ptr(&["x-also-valid", p]),
                            format!("x-also-valid names {p:?}, which is not declared in `properties`"),
                        ));
                    }
                    if !extra.is_object() && !extra.is_boolean() {
                        issues.push(Issue::new(
                            origin,
                            ptr(&["x-also-valid", p]),
                            "each x-also-valid entry is a JSON Schema the parameter also accepts, e.g. {\"type\": \"string\"}",
                        ));
                    }
                }
            }
            Some(_) => issues.push(Issue::new(
                origin,
                "/x-also-valid",
                "x-also-valid maps parameter names to schemas they also accept: {\"line\": {\"type\": \"string\"}}",
            )),
        }
        let validator = match jsonschema::draft202012::new(&widened(&schema)) {
            Ok(v) => Some(v),
            Err(e) => {
                // The meta-schema pass usually reports the same problem with a
                // better pointer; only add this one if nothing else explains it.
                if issues.is_empty() {
                    issues.push(Issue::new(
                        origin,
                        e.instance_path().as_str().to_string(),
                        format!("schema does not compile: {e}"),
                    ));
                }
                None
            }
        };
        match validator {
            Some(validator) if issues.is_empty() => Ok(ToolSchema {
                name,
                origin: origin.to_string(),
                schema,
                positional,
                types,
                result_fields,
                warnings,
                aliases,
                validator,
                rules: Rules::default(),
            }),
            _ => Err(issues),
        }
    }

    /// The same tool validated under other type rules (the schema shown
    /// to the model is unchanged).
    pub fn with_rules(&self, rules: Rules) -> Result<Self, Vec<Issue>> {
        let validator =
            jsonschema::draft202012::new(&rules.validation_schema(&widened(&self.schema)))
                .map_err(|e| {
                    vec![Issue::new(
                        &self.origin,
                        e.instance_path().as_str().to_string(),
                        format!("schema does not compile under the pack's type rules: {e}"),
                    )]
                })?;
        Ok(Self {
            name: self.name.clone(),
            origin: self.origin.clone(),
            schema: self.schema.clone(),
            positional: self.positional.clone(),
            types: self.types.clone(),
            result_fields: self.result_fields.clone(),
            warnings: self.warnings.clone(),
            aliases: self.aliases.clone(),
            validator,
            rules,
        })
    }

    /// The type rules arguments are validated under.
    pub fn rules(&self) -> Rules {
        self.rules
    }

    /// Other names the model may call this tool by.
    pub fn aliases(&self) -> &[String] {
        &self.aliases
    }

    /// Whether code mode can call it as a Python function.
    pub fn callable_in_code(&self) -> bool {
        is_identifier(&self.name)
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    /// The file (or in-memory source) this schema came from.
    pub fn origin(&self) -> &str {
        &self.origin
    }

    pub fn schema(&self) -> &Value {
        &self.schema
    }

    /// Parameter names in Python call order (`x-positional-order`).
    pub fn positional_order(&self) -> &[String] {
        &self.positional
    }

    /// Non-standard schema types mapped to JSON Schema when the tool was
    /// loaded (`"float"` → `"number"`), one per rewrite, naming the tool
    /// and the property.
    pub fn warnings(&self) -> &[Issue] {
        &self.warnings
    }

    /// The declared types of a property (from `type`, `anyOf` / `oneOf` /
    /// `allOf` branches, local `$ref`s, or `enum` / `const` values);
    /// `None` for an undeclared property.
    pub fn property_types(&self, property: &str) -> Option<&[JsonType]> {
        self.types.get(property).map(Vec::as_slice)
    }

    pub fn has_property(&self, property: &str) -> bool {
        self.types.contains_key(property)
    }

    /// Top-level fields of the tool's result model (`x-result-fields`), if declared.
    pub fn result_fields(&self) -> Option<&[String]> {
        self.result_fields.as_deref()
    }

    /// Validates an arguments object; returns human-readable errors, each
    /// starting with the JSON pointer of the offending value. Properties
    /// named in `opaque` hold values only known at run time (code-mode
    /// expressions such as `loc.file`): errors under them are dropped.
    pub fn validate(&self, arguments: &Value, opaque: &[String]) -> Vec<ArgError> {
        let mut errors = Vec::new();
        if self.rules.integers == Integers::Python {
            let integer_only = |p: &str| {
                let only_int = |ts: &[JsonType]| ts == [JsonType::Integer];
                let whole = self.types.get(p).is_some_and(|t| only_int(t));
                let items = self
                    .schema
                    .pointer(&format!(
                        "/properties/{}/items/type",
                        p.replace('~', "~0").replace('/', "~1")
                    ))
                    .and_then(Value::as_str)
                    == Some("integer");
                (whole, items)
            };
            for (at, v) in rules::fractional_integers(arguments, &integer_only) {
                errors.push(ArgError::new(
                    Fault::WrongType,
                    format!(
                        "{at}: {v} is a float, not an integer (the pack's integers = \"python\")"
                    ),
                ));
            }
        }
        if self.rules.floats == Floats::Python {
            // An x-also-valid entry says the answer itself holds such
            // elements: BFCL's check then takes them (its "variable" rule).
            let float_items = |p: &str| {
                let escaped = p.replace('~', "~0").replace('/', "~1");
                self.schema
                    .pointer(&format!("/properties/{escaped}/items/type"))
                    .and_then(Value::as_str)
                    == Some("number")
                    && self
                        .schema
                        .pointer(&format!("/x-also-valid/{escaped}"))
                        .is_none()
            };
            for (at, v) in rules::integer_floats(arguments, &float_items) {
                errors.push(ArgError::new(
                    Fault::WrongType,
                    format!(
                        "{at}: {v} is an integer, not a float (the pack's floats = \"python\": write {v}.0)"
                    ),
                ));
            }
        }
        if self.validator.is_valid(arguments) {
            return errors;
        }
        errors.extend(self.validator.iter_errors(arguments).filter_map(|e| {
            let at = e.instance_path().as_str();
            let first = at.split('/').nth(1).unwrap_or("");
            if !first.is_empty() && opaque.iter().any(|o| o == first) {
                return None;
            }
            let message = format!("{}: {e}", if at.is_empty() { "/" } else { at });
            Some(ArgError::new(fault_of(e.kind()), message))
        }));
        errors
    }
}

/// The class of a JSON Schema error.
fn fault_of(kind: &ValidationErrorKind) -> Fault {
    match kind {
        ValidationErrorKind::Required { .. } => Fault::MissingArgument,
        ValidationErrorKind::AdditionalProperties { .. }
        | ValidationErrorKind::UnevaluatedProperties { .. } => Fault::UnknownArgument,
        ValidationErrorKind::Type { .. } => Fault::WrongType,
        _ => Fault::WrongValue,
    }
}
