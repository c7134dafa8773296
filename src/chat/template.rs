//! One chat template, compiled by minijinja configured the way transformers
//! configures jinja2 (`ImmutableSandboxedEnvironment(trim_blocks=True,
//! lstrip_blocks=True)`, loop controls, `raise_exception`, `strftime_now`,
//! its `tojson`), plus what Python gives templates for free: str methods
//! (`.startswith`, `.split`, …) and Python's way of printing values.
//!
//! Known difference: the `~` operator formats its operands the minijinja way
//! (`true`, `none`), where Python prints `True`, `None`; templates we know
//! only concatenate strings with it.

use super::error::ChatError;
use super::pyfmt::{json_dumps, py_str, DumpOptions};
use minijinja::value::{Kwargs, Rest, Value, ValueKind};
use minijinja::{AutoEscape, Environment, Error, ErrorKind, UndefinedBehavior};

const NAME: &str = "chat_template";

pub struct ChatTemplate {
    env: Environment<'static>,
    origin: String,
    source: String,
}

impl std::fmt::Debug for ChatTemplate {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ChatTemplate")
            .field("origin", &self.origin)
            .finish_non_exhaustive()
    }
}

impl ChatTemplate {
    /// Compiles `source`; `origin` names where it came from in error messages
    /// (a file, or a file and key).
    pub fn new(source: impl Into<String>, origin: impl Into<String>) -> Result<Self, ChatError> {
        let source = source.into();
        let origin = origin.into();
        let mut env = transformers_environment();
        env.add_template_owned(NAME, source.clone())
            .map_err(|e| syntax_error(&origin, &source, &e))?;
        Ok(ChatTemplate {
            env,
            origin,
            source,
        })
    }

    pub fn origin(&self) -> &str {
        &self.origin
    }

    pub fn source(&self) -> &str {
        &self.source
    }

    /// Renders with `context` (the template's variables).
    pub fn render(&self, context: &Value) -> Result<String, ChatError> {
        let template = self
            .env
            .get_template(NAME)
            .map_err(|e| syntax_error(&self.origin, &self.source, &e))?;
        template
            .render(context)
            .map_err(|e| ChatError::TemplateRender {
                origin: self.origin.clone(),
                line: e.line().unwrap_or(0),
                message: error_message(&e),
            })
    }
}

fn syntax_error(origin: &str, source: &str, e: &Error) -> ChatError {
    let line = e.line().unwrap_or(0);
    let column = e
        .range()
        .and_then(|r| {
            let before = source.get(..r.start)?;
            let line_start = before.rfind('\n').map_or(0, |i| i + 1);
            Some(before[line_start..].chars().count() + 1)
        })
        .unwrap_or(1);
    ChatError::TemplateSyntax {
        origin: origin.to_string(),
        line,
        column,
        message: error_message(e),
    }
}

fn error_message(e: &Error) -> String {
    match e.detail() {
        Some(d) => format!("{}: {d}", e.kind()),
        None => e.kind().to_string(),
    }
}

fn transformers_environment() -> Environment<'static> {
    let mut env = Environment::new();
    env.set_trim_blocks(true);
    env.set_lstrip_blocks(true);
    env.set_keep_trailing_newline(false);
    env.set_undefined_behavior(UndefinedBehavior::Lenient);
    env.set_auto_escape_callback(|_| AutoEscape::None);
    env.set_debug(false);
    env.set_unknown_method_callback(minijinja_contrib::pycompat::unknown_method_callback);
    // jinja2 prints with str(): True, None, ['a'], 1e-07.
    env.set_formatter(|out, _state, value| out.write_str(&py_str(value)).map_err(Error::from));
    env.add_filter("string", |value: Value| py_str(&value));
    // jinja2's tests ask Python: None is not iterable, a dict or str is a
    // sequence (len + getitem), Undefined is both, and a bool is a number.
    env.add_test("iterable", |v: Value| {
        matches!(
            v.kind(),
            ValueKind::String
                | ValueKind::Bytes
                | ValueKind::Seq
                | ValueKind::Map
                | ValueKind::Iterable
                | ValueKind::Undefined
        )
    });
    env.add_test("sequence", |v: Value| {
        matches!(
            v.kind(),
            ValueKind::String
                | ValueKind::Bytes
                | ValueKind::Seq
                | ValueKind::Map
                | ValueKind::Undefined
        )
    });
    env.add_test("number", |v: Value| {
        matches!(v.kind(), ValueKind::Number | ValueKind::Bool)
    });
    env.add_filter("tojson", tojson);
    env.add_function("raise_exception", raise_exception);
    env.add_function("strftime_now", strftime_now);
    env
}

/// transformers' `tojson(x, ensure_ascii=False, indent=None, separators=None,
/// sort_keys=False)`, positional or keyword.
fn tojson(value: Value, args: Rest<Value>, kwargs: Kwargs) -> Result<Value, Error> {
    const NAMES: [&str; 4] = ["ensure_ascii", "indent", "separators", "sort_keys"];
    if args.len() > NAMES.len() {
        return Err(Error::new(
            ErrorKind::TooManyArguments,
            "tojson takes at most 4 arguments",
        ));
    }
    let arg = |i: usize| -> Result<Option<Value>, Error> {
        let kw: Option<Value> = kwargs.get(NAMES[i])?;
        Ok(kw.or_else(|| args.get(i).cloned()))
    };
    let mut opts = DumpOptions::default();
    if let Some(v) = arg(0)? {
        opts.ensure_ascii = v.is_true();
    }
    if let Some(v) = arg(1)? {
        opts.indent = match v.kind() {
            ValueKind::None | ValueKind::Undefined => None,
            ValueKind::String => Some(v.as_str().unwrap_or_default().to_string()),
            // Python: an int indent of n is n spaces; 0 or less is "".
            ValueKind::Number if v.is_integer() => {
                Some(" ".repeat(i64::try_from(v)?.max(0) as usize))
            }
            kind => {
                return Err(Error::new(
                    ErrorKind::InvalidOperation,
                    format!("tojson: indent must be an int or a string, not {kind}"),
                ))
            }
        };
    }
    if let Some(v) = arg(2)? {
        if !v.is_none() && !v.is_undefined() {
            let parts: Vec<Value> = v.try_iter()?.collect();
            match parts.as_slice() {
                [item, key] if item.as_str().is_some() && key.as_str().is_some() => {
                    opts.separators = Some((
                        item.as_str().unwrap_or_default().to_string(),
                        key.as_str().unwrap_or_default().to_string(),
                    ));
                }
                _ => {
                    return Err(Error::new(
                        ErrorKind::InvalidOperation,
                        "tojson: separators must be a pair of strings",
                    ))
                }
            }
        }
    }
    if let Some(v) = arg(3)? {
        opts.sort_keys = v.is_true();
    }
    kwargs.assert_all_used()?;
    json_dumps(&value, &opts).map(Value::from)
}

fn raise_exception(message: String) -> Result<Value, Error> {
    Err(Error::new(ErrorKind::InvalidOperation, message))
}

/// `datetime.now().strftime(format)` in local time.
fn strftime_now(format: String) -> Result<Value, Error> {
    use chrono::format::{Item, StrftimeItems};
    use std::fmt::Write;
    let items: Vec<Item> = StrftimeItems::new(&format).collect();
    if items.iter().any(|i| matches!(i, Item::Error)) {
        return Err(Error::new(
            ErrorKind::InvalidOperation,
            format!("strftime_now: unsupported format {format:?}"),
        ));
    }
    let mut out = String::new();
    write!(
        out,
        "{}",
        chrono::Local::now().format_with_items(items.into_iter())
    )
    .map_err(|_| {
        Error::new(
            ErrorKind::InvalidOperation,
            format!("strftime_now: cannot format {format:?}"),
        )
    })?;
    Ok(Value::from(out))
}

#[cfg(test)]
mod tests {
    use super::*;
    use minijinja::context;

    fn render(src: &str, ctx: Value) -> Result<String, ChatError> {
        ChatTemplate::new(src, "test.jinja")?.render(&ctx)
    }

    #[test]
    fn whitespace_control_matches_transformers() {
        let src = "{% for m in messages %}\n    {{ m }}\n{% endfor %}\n";
        let out = render(src, context! { messages => vec!["a", "b"] }).unwrap();
        assert_eq!(out, "    a\n    b\n");
    }

    #[test]
    fn python_formatting_and_methods() {
        let src = "{{ x }}|{{ n }}|{{ l }}|{{ l | string }}|{{ 'a,b'.split(',') }}|{{ ' s '.strip() }}|{{ 'abc'.startswith('ab') }}";
        let out = render(
            src,
            context! { x => true, n => (), l => vec![Value::from("a"), Value::from(1.5)] },
        )
        .unwrap();
        assert_eq!(out, "True|None|['a', 1.5]|['a', 1.5]|['a', 'b']|s|True");
    }

    #[test]
    fn type_tests_follow_python() {
        let src = "{{ n is iterable }} {{ u is iterable }} {{ d is sequence }} {{ s is sequence }} {{ b is number }} {{ l is iterable }}";
        let out = render(
            src,
            context! { n => (), d => context! { a => 1 }, s => "x", b => true, l => vec![1] },
        )
        .unwrap();
        assert_eq!(out, "False True True True True True");
    }

    #[test]
    fn tojson_is_python_json_dumps() {
        let v = serde_json::json!({"b": 1, "a": ["é", null]});
        let ctx = context! { v => Value::from_serialize(&v) };
        assert_eq!(
            render("{{ v | tojson }}", ctx.clone()).unwrap(),
            r#"{"b": 1, "a": ["é", null]}"#
        );
        assert_eq!(
            render("{{ v | tojson(indent=2, sort_keys=true) }}", ctx.clone()).unwrap(),
            "{\n  \"a\": [\n    \"é\",\n    null\n  ],\n  \"b\": 1\n}"
        );
        assert_eq!(
            render("{{ v | tojson(separators=(',', ':')) }}", ctx.clone()).unwrap(),
            r#"{"b":1,"a":["é",null]}"#
        );
        assert_eq!(
            render("{{ v | tojson(true) }}", ctx).unwrap(),
            r#"{"b": 1, "a": ["\u00e9", null]}"#
        );
    }

    #[test]
    fn loop_controls_and_raise_exception() {
        let src =
            "{% for i in [1,2,3] %}{% if i == 2 %}{% continue %}{% endif %}{{ i }}{% endfor %}";
        assert_eq!(render(src, context! {}).unwrap(), "13");
        let err = render(
            "line one\n{{ raise_exception('roles must alternate') }}",
            context! {},
        )
        .unwrap_err();
        let msg = err.to_string();
        assert!(msg.contains("test.jinja:2"), "{msg}");
        assert!(msg.contains("roles must alternate"), "{msg}");
    }

    #[test]
    fn strftime_now_formats_local_time() {
        let year = render("{{ strftime_now('%Y') }}", context! {}).unwrap();
        assert_eq!(year.len(), 4);
        assert!(year.chars().all(|c| c.is_ascii_digit()), "{year}");
        assert!(render("{{ strftime_now('%Q') }}", context! {}).is_err());
    }

    #[test]
    fn syntax_error_names_line_and_column() {
        let err = render("ok\n  {% if x %}\n{{ y }", context! {}).unwrap_err();
        match &err {
            ChatError::TemplateSyntax {
                origin,
                line,
                column,
                ..
            } => {
                assert_eq!(origin, "test.jinja");
                assert_eq!(*line, 3);
                assert!(*column >= 1);
            }
            other => panic!("expected a syntax error, got {other:?}"),
        }
        assert!(err.to_string().starts_with("test.jinja:3:"), "{err}");
    }
}
