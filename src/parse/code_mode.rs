//! Punie's code mode: `execute_code` whose `code` is Python calling the
//! tools. Parsed with a real Python parser; every call to a known tool
//! anywhere in the module is extracted, positional arguments bound by the
//! tool's `x-positional-order`, literals turned into JSON, anything else
//! marked as an expression. Attribute reads on results are recorded.

use super::collect::Collector;
use super::verdict::CallFormat;
use crate::schema::Toolset;
use rustpython_ast::{self as ast, Ranged, Visitor};
use rustpython_parser::Parse;
use serde_json::{Map, Number, Value};
use std::collections::{HashMap, HashSet};

/// The key marking an argument whose value is a Python expression, not a
/// literal: `{"$expr": "loc.file"}`.
pub const EXPR_KEY: &str = "$expr";

/// Names a sandboxed Python module may call without defining them.
const BUILTINS: &[&str] = &[
    "abs",
    "aiter",
    "all",
    "anext",
    "any",
    "ascii",
    "bin",
    "bool",
    "breakpoint",
    "bytearray",
    "bytes",
    "callable",
    "chr",
    "classmethod",
    "compile",
    "complex",
    "delattr",
    "dict",
    "dir",
    "divmod",
    "enumerate",
    "eval",
    "exec",
    "filter",
    "float",
    "format",
    "frozenset",
    "getattr",
    "globals",
    "hasattr",
    "hash",
    "help",
    "hex",
    "id",
    "input",
    "int",
    "isinstance",
    "issubclass",
    "iter",
    "len",
    "list",
    "locals",
    "map",
    "max",
    "memoryview",
    "min",
    "next",
    "object",
    "oct",
    "open",
    "ord",
    "pow",
    "print",
    "property",
    "range",
    "repr",
    "reversed",
    "round",
    "set",
    "setattr",
    "slice",
    "sorted",
    "staticmethod",
    "str",
    "sum",
    "super",
    "tuple",
    "type",
    "vars",
    "zip",
    "__import__",
];

fn is_builtin(name: &str) -> bool {
    BUILTINS.contains(&name)
        || name.ends_with("Error")
        || name.ends_with("Exception")
        || name.ends_with("Warning")
        || matches!(
            name,
            "BaseException" | "StopIteration" | "KeyboardInterrupt" | "SystemExit"
        )
}

/// Parses `code` and adds the calls it makes to `out`; a syntax error makes
/// the completion malformed.
pub(crate) fn extract(code: &str, out: &mut Collector<'_>) {
    let wrapper = out
        .toolset
        .code_mode()
        .map(|c| c.tool.clone())
        .unwrap_or_default();
    let suite = match ast::Suite::parse(code, "<execute_code>") {
        Ok(s) => s,
        Err(e) => {
            let offset = usize::from(e.offset).min(code.len());
            let (line, column) = line_col(code, offset);
            out.broken.push(format!(
                "{wrapper}: Python syntax error at line {line}, column {column}: {}",
                e.error
            ));
            return;
        }
    };
    let mut walker = Walker::new(code, out.toolset);
    for stmt in suite {
        walker.visit_stmt(stmt);
    }
    let Walker {
        found,
        defined,
        mut notes,
        ..
    } = walker;
    let mut any = false;
    for f in found {
        // A call to a name the module defines is a local helper, not a tool.
        if f.unknown && defined.contains(&f.name) {
            continue;
        }
        any = true;
        if let Some(tool) = out.toolset.get(&f.name) {
            if let Some(fields) = tool.result_fields() {
                for field in &f.result_fields {
                    if !fields.contains(field) {
                        notes.push(format!(
                            "{}: result has no field `{field}` (fields: {})",
                            f.name,
                            fields.join(", ")
                        ));
                    }
                }
            }
        }
        out.add_checked(
            f.name,
            f.arguments,
            CallFormat::CodeMode,
            &f.opaque,
            f.errors,
            f.result_fields,
        );
    }
    if !any {
        notes.push(format!("{wrapper} code calls none of the toolset's tools"));
        let mut arguments = Map::new();
        arguments.insert("code".to_string(), Value::String(code.to_string()));
        out.calls.push(super::verdict::Call {
            name: wrapper,
            arguments,
            valid: true,
            errors: Vec::new(),
            format: CallFormat::CodeMode,
            result_fields: Vec::new(),
        });
    }
    out.notes.append(&mut notes);
}

/// The tools (and the code-mode wrapper) a Python snippet calls, or `None`
/// if it does not parse. Used on ```python fences.
pub(crate) fn called_tools(code: &str, toolset: &Toolset) -> Option<Vec<String>> {
    let suite = ast::Suite::parse(code, "<fence>").ok()?;
    let mut walker = Walker::new(code, toolset);
    for stmt in suite {
        walker.visit_stmt(stmt);
    }
    let wrapper = toolset.code_mode().map(|c| c.tool.as_str());
    let Walker { found, defined, .. } = walker;
    Some(
        found
            .into_iter()
            .filter(|f| {
                (!f.unknown || Some(f.name.as_str()) == wrapper) && !defined.contains(&f.name)
            })
            .map(|f| f.name)
            .collect(),
    )
}

fn line_col(src: &str, offset: usize) -> (usize, usize) {
    let mut cut = offset;
    while !src.is_char_boundary(cut) {
        cut -= 1;
    }
    let before = &src[..cut];
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, column)
}

struct Found {
    name: String,
    arguments: Map<String, Value>,
    opaque: Vec<String>,
    errors: Vec<String>,
    result_fields: Vec<String>,
    /// Not a tool and not a builtin: a tool the model made up, unless the
    /// module defines it.
    unknown: bool,
}

struct Walker<'a> {
    src: &'a str,
    toolset: &'a Toolset,
    found: Vec<Found>,
    /// Variable → index in `found` of the tool call whose result it holds.
    bound: HashMap<String, usize>,
    defined: HashSet<String>,
    notes: Vec<String>,
}

impl<'a> Walker<'a> {
    fn new(src: &'a str, toolset: &'a Toolset) -> Self {
        Walker {
            src,
            toolset,
            found: Vec::new(),
            bound: HashMap::new(),
            defined: HashSet::new(),
            notes: Vec::new(),
        }
    }

    fn source(&self, node: &impl Ranged) -> &str {
        let r = node.range();
        self.src
            .get(usize::from(r.start())..usize::from(r.end()))
            .unwrap_or("?")
    }

    /// The callee name if `expr` is a call this walker records.
    fn recorded_callee(&self, expr: &ast::Expr) -> bool {
        match expr {
            ast::Expr::Call(c) => {
                matches!(&*c.func, ast::Expr::Name(n) if !is_builtin(n.id.as_str()))
            }
            _ => false,
        }
    }

    fn record_field(&mut self, index: usize, attr: &str) {
        let fields = &mut self.found[index].result_fields;
        if !fields.iter().any(|f| f == attr) {
            fields.push(attr.to_string());
        }
    }

    fn record_call(&mut self, call: &ast::ExprCall) {
        let ast::Expr::Name(callee) = &*call.func else {
            return;
        };
        let name = callee.id.as_str();
        if is_builtin(name) {
            return;
        }
        let tool = self.toolset.get(name);
        let mut arguments = Map::new();
        let mut opaque = Vec::new();
        let mut errors = Vec::new();
        let mut extra = Vec::new();
        for (i, arg) in call.args.iter().enumerate() {
            if let ast::Expr::Starred(_) = arg {
                errors.push(format!(
                    "*{} cannot be bound to parameters before run time",
                    self.source(arg).trim_start_matches('*')
                ));
                continue;
            }
            let param = match tool {
                Some(t) => match t.positional_order().get(i) {
                    Some(p) => p.clone(),
                    None => {
                        errors.push(format!(
                            "{name}() takes {} positional argument(s) but {} were given",
                            t.positional_order().len(),
                            call.args.len()
                        ));
                        break;
                    }
                },
                None => {
                    extra.push(self.value(arg, &mut opaque, "$args"));
                    continue;
                }
            };
            let v = self.value(arg, &mut opaque, &param);
            arguments.insert(param, v);
        }
        if !extra.is_empty() {
            arguments.insert("$args".to_string(), Value::Array(extra));
        }
        for kw in &call.keywords {
            let Some(key) = &kw.arg else {
                errors.push(format!(
                    "**{} cannot be bound to parameters before run time",
                    self.source(&kw.value)
                ));
                continue;
            };
            let key = key.as_str().to_string();
            if arguments.contains_key(&key) {
                errors.push(format!("{name}() got multiple values for argument '{key}'"));
                continue;
            }
            let v = self.value(&kw.value, &mut opaque, &key);
            arguments.insert(key, v);
        }
        for o in &opaque {
            if let Some(Value::Object(e)) = arguments.get(o) {
                if let Some(Value::String(expr)) = e.get(EXPR_KEY) {
                    self.notes.push(format!(
                        "{name}: argument `{o}` is the expression `{expr}`, not checked"
                    ));
                }
            }
        }
        self.found.push(Found {
            name: name.to_string(),
            arguments,
            opaque,
            errors,
            result_fields: Vec::new(),
            unknown: tool.is_none(),
        });
    }

    /// A literal as JSON, or `{"$expr": source}` (and `param` marked opaque).
    fn value(&self, expr: &ast::Expr, opaque: &mut Vec<String>, param: &str) -> Value {
        literal(expr).unwrap_or_else(|| {
            if !opaque.iter().any(|o| o == param) {
                opaque.push(param.to_string());
            }
            let mut m = Map::new();
            m.insert(
                EXPR_KEY.to_string(),
                Value::String(self.source(expr).to_string()),
            );
            Value::Object(m)
        })
    }

    fn define_target(&mut self, target: &ast::Expr) {
        if let ast::Expr::Name(n) = target {
            self.bound.remove(n.id.as_str());
        }
    }
}

/// Python literal → JSON; `None` when it is not a literal.
fn literal(expr: &ast::Expr) -> Option<Value> {
    match expr {
        ast::Expr::Constant(c) => constant(&c.value),
        ast::Expr::UnaryOp(u) => {
            let inner = literal(&u.operand)?;
            match u.op {
                ast::UnaryOp::USub => match inner.as_number()? {
                    n if n.is_i64() => Some(Value::from(-n.as_i64()?)),
                    n => Number::from_f64(-n.as_f64()?).map(Value::Number),
                },
                ast::UnaryOp::UAdd if inner.is_number() => Some(inner),
                _ => None,
            }
        }
        ast::Expr::List(l) => l
            .elts
            .iter()
            .map(literal)
            .collect::<Option<Vec<_>>>()
            .map(Value::Array),
        ast::Expr::Tuple(t) => t
            .elts
            .iter()
            .map(literal)
            .collect::<Option<Vec<_>>>()
            .map(Value::Array),
        ast::Expr::Dict(d) => {
            let mut m = Map::new();
            for (k, v) in d.keys.iter().zip(&d.values) {
                let key = match k.as_ref().and_then(literal)? {
                    Value::String(s) => s,
                    _ => return None,
                };
                m.insert(key, literal(v)?);
            }
            Some(Value::Object(m))
        }
        _ => None,
    }
}

fn constant(c: &ast::Constant) -> Option<Value> {
    Some(match c {
        ast::Constant::None => Value::Null,
        ast::Constant::Bool(b) => Value::Bool(*b),
        ast::Constant::Str(s) => Value::String(s.clone()),
        ast::Constant::Int(i) => {
            let text = i.to_string();
            match text.parse::<i64>() {
                Ok(n) => Value::from(n),
                Err(_) => Value::Number(Number::from_f64(text.parse::<f64>().ok()?)?),
            }
        }
        ast::Constant::Float(f) => Value::Number(Number::from_f64(*f)?),
        ast::Constant::Tuple(items) => {
            Value::Array(items.iter().map(constant).collect::<Option<_>>()?)
        }
        ast::Constant::Bytes(_) | ast::Constant::Complex { .. } | ast::Constant::Ellipsis => {
            return None
        }
    })
}

impl Visitor for Walker<'_> {
    fn visit_expr_call(&mut self, node: ast::ExprCall) {
        self.record_call(&node);
        self.generic_visit_expr_call(node);
    }

    fn visit_expr_attribute(&mut self, node: ast::ExprAttribute) {
        let attr = node.attr.as_str().to_string();
        match &*node.value {
            ast::Expr::Name(n) => {
                if let Some(&i) = self.bound.get(n.id.as_str()) {
                    self.record_field(i, &attr);
                }
            }
            // `typecheck("src/").error_count`
            value if self.recorded_callee(value) => {
                let index = self.found.len();
                self.generic_visit_expr_attribute(node);
                if index < self.found.len() {
                    self.record_field(index, &attr);
                }
                return;
            }
            _ => {}
        }
        self.generic_visit_expr_attribute(node);
    }

    fn visit_expr_name(&mut self, node: ast::ExprName) {
        if matches!(node.ctx, ast::ExprContext::Store) {
            self.defined.insert(node.id.as_str().to_string());
        }
    }

    fn visit_stmt_assign(&mut self, node: ast::StmtAssign) {
        let binds = self.recorded_callee(&node.value);
        let index = self.found.len();
        for t in &node.targets {
            self.define_target(t);
        }
        let targets: Vec<String> = node
            .targets
            .iter()
            .filter_map(|t| match t {
                ast::Expr::Name(n) => Some(n.id.as_str().to_string()),
                _ => None,
            })
            .collect();
        self.generic_visit_stmt_assign(node);
        if binds && index < self.found.len() {
            for t in targets {
                self.bound.insert(t, index);
            }
        }
    }

    fn visit_stmt_ann_assign(&mut self, node: ast::StmtAnnAssign) {
        let binds = node
            .value
            .as_deref()
            .is_some_and(|v| self.recorded_callee(v));
        let index = self.found.len();
        self.define_target(&node.target);
        let target = match &*node.target {
            ast::Expr::Name(n) => Some(n.id.as_str().to_string()),
            _ => None,
        };
        self.generic_visit_stmt_ann_assign(node);
        if let (true, Some(t)) = (binds && index < self.found.len(), target) {
            self.bound.insert(t, index);
        }
    }

    fn visit_stmt_function_def(&mut self, node: ast::StmtFunctionDef) {
        self.defined.insert(node.name.as_str().to_string());
        self.generic_visit_stmt_function_def(node);
    }

    fn visit_stmt_async_function_def(&mut self, node: ast::StmtAsyncFunctionDef) {
        self.defined.insert(node.name.as_str().to_string());
        self.generic_visit_stmt_async_function_def(node);
    }

    fn visit_stmt_class_def(&mut self, node: ast::StmtClassDef) {
        self.defined.insert(node.name.as_str().to_string());
        self.generic_visit_stmt_class_def(node);
    }

    fn visit_arg(&mut self, node: ast::Arg) {
        self.defined.insert(node.arg.as_str().to_string());
        self.generic_visit_arg(node);
    }

    fn visit_alias(&mut self, node: ast::Alias) {
        let local = node.asname.as_ref().unwrap_or(&node.name).as_str();
        // `import a.b` binds `a`.
        let local = local.split('.').next().unwrap_or(local).to_string();
        self.defined.insert(local);
    }

    fn visit_excepthandler_except_handler(&mut self, node: ast::ExceptHandlerExceptHandler) {
        if let Some(n) = &node.name {
            self.defined.insert(n.as_str().to_string());
        }
        self.generic_visit_excepthandler_except_handler(node);
    }
}
