//! Punie's code mode: `execute_code` whose `code` is Python calling the
//! tools. Parsed with a real Python parser; every call to a known tool
//! anywhere in the module is extracted, positional arguments bound by the
//! tool's `x-positional-order`, literals turned into JSON, anything else
//! marked as an expression. Attribute reads on results are recorded.

use super::collect::Collector;
use super::depth;
use super::verdict::CallFormat;
use crate::schema::{ArgError, Fault, Toolset};
use ruff_python_ast::visitor::{self, Visitor};
use ruff_python_ast::{self as ast, Expr, Stmt};
use ruff_text_size::Ranged;
use rustc_hash::{FxHashMap, FxHashSet};
use serde_json::{Map, Number, Value};

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
    // The parser, the walker and the tree's drop recurse once per level:
    // refuse pathological nesting before any of them sees the code.
    if depth::exceeds(code, depth::MAX_DEPTH) {
        out.broken
            .push(depth::too_deep_note(&format!("{wrapper}: the code")));
        return;
    }
    let parsed = match ruff_python_parser::parse_module(code) {
        Ok(p) => p,
        Err(e) => {
            let offset = usize::from(e.location.start()).min(code.len());
            let (line, column) = line_col(code, offset);
            out.broken.push(format!(
                "{wrapper}: Python syntax error at line {line}, column {column}: {}",
                e.error
            ));
            return;
        }
    };
    let mut walker = Walker::new(code, out.toolset);
    walker.visit_body(&parsed.syntax().body);
    if walker.too_deep {
        out.broken
            .push(depth::too_deep_note(&format!("{wrapper}: the code")));
        return;
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
        if f.unknown && defined.contains(f.name.as_str()) {
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
        out.calls.push(wrapper_call(wrapper, code));
    }
    out.notes.append(&mut notes);
}

/// Why a Python snippet was not read.
pub(crate) enum Unread {
    /// It does not parse.
    Syntax,
    /// It nests deeper than [`depth::MAX_DEPTH`]; not handed to the parser.
    TooDeep,
}

/// The tools (and the code-mode wrapper) a Python snippet calls. Used on
/// ```python fences and on Python straight inside `<tool_call>`.
pub(crate) fn called_tools(code: &str, toolset: &Toolset) -> Result<Vec<String>, Unread> {
    if depth::exceeds(code, depth::MAX_DEPTH) {
        return Err(Unread::TooDeep);
    }
    let parsed = ruff_python_parser::parse_module(code).map_err(|_| Unread::Syntax)?;
    let mut walker = Walker::new(code, toolset);
    walker.visit_body(&parsed.syntax().body);
    if walker.too_deep {
        return Err(Unread::TooDeep);
    }
    let wrapper = toolset.code_mode().map(|c| c.tool.as_str());
    let Walker { found, defined, .. } = walker;
    Ok(found
        .into_iter()
        .filter(|f| {
            (!f.unknown || Some(f.name.as_str()) == wrapper) && !defined.contains(f.name.as_str())
        })
        .map(|f| f.name)
        .collect())
}

/// The wrapper itself as the call, when its code calls no tool.
fn wrapper_call(wrapper: String, code: &str) -> super::verdict::Call {
    let mut arguments = Map::new();
    arguments.insert("code".to_string(), Value::String(code.to_string()));
    super::verdict::Call {
        name: wrapper,
        arguments,
        valid: true,
        errors: Vec::new(),
        fault: None,
        format: CallFormat::CodeMode,
        result_fields: Vec::new(),
    }
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
    errors: Vec<ArgError>,
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
    /// Names borrow from the AST: no allocation per assignment.
    /// Fx: the walker hashes every name it meets; SipHash's resistance to
    /// chosen collisions costs more here than it buys (names are short).
    bound: FxHashMap<&'a str, usize>,
    defined: FxHashSet<&'a str>,
    notes: Vec<String>,
    /// Statements and expressions entered and not yet left.
    depth: usize,
    /// The tree is deeper than [`WALK_LIMIT`]; the walk stopped there.
    too_deep: bool,
}

/// How deep the walker recurses, in statements and expressions. Code past
/// [`depth::MAX_DEPTH`] never reaches it, and that estimate bounds the tree
/// within a small factor (it counts each bracket once, while a subscript
/// may hold a tuple of slices), so this only backs it up: deeper trees
/// are not walked, and the code is reported as too deep.
const WALK_LIMIT: usize = 4 * depth::MAX_DEPTH;

impl<'a> Walker<'a> {
    fn new(src: &'a str, toolset: &'a Toolset) -> Self {
        Walker {
            src,
            toolset,
            found: Vec::new(),
            bound: FxHashMap::default(),
            defined: FxHashSet::default(),
            notes: Vec::new(),
            depth: 0,
            too_deep: false,
        }
    }

    fn source(&self, node: &impl Ranged) -> &'a str {
        let r = node.range();
        let src: &'a str = self.src;
        src.get(usize::from(r.start())..usize::from(r.end()))
            .unwrap_or("?")
    }

    /// The callee name if `expr` is a call this walker records.
    fn recorded_callee(&self, expr: &Expr) -> bool {
        match expr {
            Expr::Call(c) => {
                matches!(&*c.func, Expr::Name(n) if !is_builtin(n.id.as_str()))
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
        let Expr::Name(callee) = &*call.func else {
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
        let args = &call.arguments.args;
        for (i, arg) in args.iter().enumerate() {
            if let Expr::Starred(_) = arg {
                errors.push(ArgError::new(
                    Fault::UnreadableArguments,
                    format!(
                        "*{} cannot be bound to parameters before run time",
                        self.source(arg).trim_start_matches('*')
                    ),
                ));
                continue;
            }
            let param = match tool {
                Some(t) => match t.positional_order().get(i) {
                    Some(p) => p.clone(),
                    None => {
                        errors.push(ArgError::new(
                            Fault::UnknownArgument,
                            format!(
                                "{name}() takes {} positional argument(s) but {} were given",
                                t.positional_order().len(),
                                args.len()
                            ),
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
        for kw in call.arguments.keywords.iter() {
            let Some(key) = &kw.arg else {
                errors.push(ArgError::new(
                    Fault::UnreadableArguments,
                    format!(
                        "**{} cannot be bound to parameters before run time",
                        self.source(&kw.value)
                    ),
                ));
                continue;
            };
            let key = key.as_str().to_string();
            if arguments.contains_key(&key) {
                errors.push(ArgError::new(
                    Fault::UnreadableArguments,
                    format!("{name}() got multiple values for argument '{key}'"),
                ));
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
    fn value(&self, expr: &Expr, opaque: &mut Vec<String>, param: &str) -> Value {
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

    fn define_target(&mut self, target: &Expr) {
        if let Expr::Name(n) = target {
            self.bound.remove(n.id.as_str());
        }
    }
}

/// A whole text that is one Python literal (`{'k': 'v'}`, `True`, `None`,
/// `['a', 'b']`, tuples) → JSON; `None` when it is anything else.
pub(crate) fn python_literal(text: &str) -> Option<Value> {
    if depth::exceeds(text, depth::MAX_DEPTH) {
        return None;
    }
    let parsed = ruff_python_parser::parse_expression(text.trim()).ok()?;
    literal(parsed.expr())
}

/// Python literal → JSON; `None` when it is not a literal.
fn literal(expr: &Expr) -> Option<Value> {
    match expr {
        Expr::StringLiteral(s) => Some(Value::String(s.value.to_str().to_string())),
        Expr::BooleanLiteral(b) => Some(Value::Bool(b.value)),
        Expr::NoneLiteral(_) => Some(Value::Null),
        Expr::NumberLiteral(n) => match &n.value {
            // Exact up to u64::MAX; only larger integers become floats.
            ast::Number::Int(i) => match (i.as_i64(), i.as_u64()) {
                (Some(v), _) => Some(Value::from(v)),
                (None, Some(v)) => Some(Value::from(v)),
                _ => Number::from_f64(i.to_string().replace('_', "").parse::<f64>().ok()?)
                    .map(Value::Number),
            },
            ast::Number::Float(f) => Number::from_f64(*f).map(Value::Number),
            ast::Number::Complex { .. } => None,
        },
        Expr::UnaryOp(u) => {
            let inner = literal(&u.operand)?;
            match u.op {
                ast::UnaryOp::USub => match inner.as_number()? {
                    n if n.is_i64() || n.is_u64() => {
                        let v = n
                            .as_i64()
                            .map_or_else(|| n.as_u64().map(i128::from), |v| Some(i128::from(v)))?;
                        match i64::try_from(-v) {
                            Ok(neg) => Some(Value::from(neg)),
                            Err(_) => Number::from_f64(-(v as f64)).map(Value::Number),
                        }
                    }
                    n => Number::from_f64(-n.as_f64()?).map(Value::Number),
                },
                ast::UnaryOp::UAdd if inner.is_number() => Some(inner),
                _ => None,
            }
        }
        Expr::List(l) => l
            .elts
            .iter()
            .map(literal)
            .collect::<Option<Vec<_>>>()
            .map(Value::Array),
        Expr::Tuple(t) => t
            .elts
            .iter()
            .map(literal)
            .collect::<Option<Vec<_>>>()
            .map(Value::Array),
        Expr::Dict(d) => {
            let mut m = Map::new();
            for item in &d.items {
                let key = match item.key.as_ref().and_then(literal)? {
                    Value::String(s) => s,
                    _ => return None,
                };
                m.insert(key, literal(&item.value)?);
            }
            Some(Value::Object(m))
        }
        _ => None,
    }
}

impl<'a> Walker<'a> {
    /// Enters one level; `false` (and the walk marked too deep) past
    /// [`WALK_LIMIT`].
    fn enter(&mut self) -> bool {
        if self.depth >= WALK_LIMIT {
            self.too_deep = true;
            return false;
        }
        self.depth += 1;
        true
    }
}

impl<'a> Visitor<'a> for Walker<'a> {
    fn visit_stmt(&mut self, stmt: &'a Stmt) {
        if self.enter() {
            self.stmt(stmt);
            self.depth -= 1;
        }
    }

    fn visit_expr(&mut self, expr: &'a Expr) {
        if self.enter() {
            self.expr(expr);
            self.depth -= 1;
        }
    }

    fn visit_parameter(&mut self, parameter: &'a ast::Parameter) {
        self.defined.insert(parameter.name.as_str());
        visitor::walk_parameter(self, parameter);
    }

    fn visit_alias(&mut self, alias: &'a ast::Alias) {
        let local = alias.asname.as_ref().unwrap_or(&alias.name).as_str();
        // `import a.b` binds `a`.
        self.defined
            .insert(local.split('.').next().unwrap_or(local));
    }

    fn visit_except_handler(&mut self, handler: &'a ast::ExceptHandler) {
        let ast::ExceptHandler::ExceptHandler(h) = handler;
        if let Some(n) = &h.name {
            self.defined.insert(n.as_str());
        }
        visitor::walk_except_handler(self, handler);
    }
}

impl<'a> Walker<'a> {
    fn stmt(&mut self, stmt: &'a Stmt) {
        match stmt {
            Stmt::Assign(node) => {
                let binds = self.recorded_callee(&node.value);
                let index = self.found.len();
                for t in &node.targets {
                    self.define_target(t);
                }
                visitor::walk_stmt(self, stmt);
                if binds && index < self.found.len() {
                    for t in &node.targets {
                        if let Expr::Name(n) = t {
                            self.bound.insert(n.id.as_str(), index);
                        }
                    }
                }
            }
            Stmt::AnnAssign(node) => {
                let binds = node
                    .value
                    .as_deref()
                    .is_some_and(|v| self.recorded_callee(v));
                let index = self.found.len();
                self.define_target(&node.target);
                visitor::walk_stmt(self, stmt);
                if let (true, Expr::Name(n)) = (binds && index < self.found.len(), &*node.target) {
                    self.bound.insert(n.id.as_str(), index);
                }
            }
            Stmt::FunctionDef(node) => {
                self.defined.insert(node.name.as_str());
                visitor::walk_stmt(self, stmt);
            }
            Stmt::ClassDef(node) => {
                self.defined.insert(node.name.as_str());
                visitor::walk_stmt(self, stmt);
            }
            _ => visitor::walk_stmt(self, stmt),
        }
    }

    fn expr(&mut self, expr: &'a Expr) {
        match expr {
            Expr::Call(call) => {
                self.record_call(call);
                visitor::walk_expr(self, expr);
            }
            Expr::Attribute(node) => {
                let attr = node.attr.as_str();
                match &*node.value {
                    Expr::Name(n) => {
                        if let Some(&i) = self.bound.get(n.id.as_str()) {
                            self.record_field(i, attr);
                        }
                        visitor::walk_expr(self, expr);
                    }
                    // `typecheck("src/").error_count`
                    value if self.recorded_callee(value) => {
                        let index = self.found.len();
                        visitor::walk_expr(self, expr);
                        if index < self.found.len() {
                            self.record_field(index, attr);
                        }
                    }
                    _ => visitor::walk_expr(self, expr),
                }
            }
            Expr::Name(n) => {
                if n.ctx == ast::ExprContext::Store {
                    self.defined.insert(n.id.as_str());
                }
            }
            _ => visitor::walk_expr(self, expr),
        }
    }
}
