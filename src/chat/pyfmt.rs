//! Python's `str()`, `repr()` and `json.dumps()` for template values.
//!
//! transformers renders chat templates with Python jinja2, so whatever a
//! template prints goes through Python's formatting: `{{ true }}` is `True`,
//! `{{ none }}` is `None`, a list prints as `['a', 'b']`, floats use Python's
//! shortest repr (`1e-07`, `1e+21`), and its `tojson` filter is `json.dumps`
//! (", " and ": " separators, keys in insertion order, non-ASCII kept).
//! minijinja formats all of these differently, and a prompt that differs by
//! one byte is not the prompt the model was trained on.

use minijinja::value::{Value, ValueKind};
use minijinja::{Error, ErrorKind};
use std::fmt::Write;

/// Python `str(value)` as jinja2 prints it (`Undefined` prints as nothing).
pub fn py_str(value: &Value) -> String {
    match value.kind() {
        ValueKind::Undefined => String::new(),
        ValueKind::String => value.as_str().unwrap_or_default().to_string(),
        _ => py_repr(value),
    }
}

/// Python `repr(value)`: what `str()` shows for containers and their items.
pub fn py_repr(value: &Value) -> String {
    let mut out = String::new();
    write_repr(&mut out, value);
    out
}

fn write_repr(out: &mut String, value: &Value) {
    match value.kind() {
        ValueKind::Undefined => {}
        ValueKind::None => out.push_str("None"),
        ValueKind::Bool => out.push_str(if value.is_true() { "True" } else { "False" }),
        ValueKind::Number => out.push_str(&number_str(value, false)),
        ValueKind::String => write_str_repr(out, value.as_str().unwrap_or_default()),
        ValueKind::Seq => {
            out.push('[');
            if let Ok(items) = value.try_iter() {
                for (i, item) in items.enumerate() {
                    if i > 0 {
                        out.push_str(", ");
                    }
                    write_repr(out, &item);
                }
            }
            out.push(']');
        }
        ValueKind::Map => {
            out.push('{');
            if let Ok(keys) = value.try_iter() {
                for (i, key) in keys.enumerate() {
                    if i > 0 {
                        out.push_str(", ");
                    }
                    write_repr(out, &key);
                    out.push_str(": ");
                    write_repr(out, &value.get_item(&key).unwrap_or_default());
                }
            }
            out.push('}');
        }
        // Namespaces, loops, macros: no Python counterpart a template prints.
        _ => {
            let _ = write!(out, "{value}");
        }
    }
}

/// Python's repr of a str: single quotes unless the text has `'` and no `"`;
/// non-printable characters escaped. Printability outside Latin-1 follows
/// Python for the format characters and separators that occur in practice.
fn write_str_repr(out: &mut String, s: &str) {
    let quote = if s.contains('\'') && !s.contains('"') {
        '"'
    } else {
        '\''
    };
    out.push(quote);
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if c == quote => {
                out.push('\\');
                out.push(c);
            }
            c if !py_printable(c) => {
                let n = c as u32;
                let _ = match n {
                    0..=0xff => write!(out, "\\x{n:02x}"),
                    0x100..=0xffff => write!(out, "\\u{n:04x}"),
                    _ => write!(out, "\\U{n:08x}"),
                };
            }
            c => out.push(c),
        }
    }
    out.push(quote);
}

fn py_printable(c: char) -> bool {
    !matches!(c as u32,
        0x00..=0x1f | 0x7f..=0xa0 | 0xad
        | 0x1680 | 0x2000..=0x200f | 0x2028..=0x202f | 0x205f..=0x2064
        | 0x3000 | 0xd800..=0xf8ff | 0xfeff | 0xfff9..=0xfffb)
}

/// A number as Python prints it; `json` spells the non-finite floats the way
/// `json.dumps` does (`Infinity`, `NaN`).
fn number_str(value: &Value, json: bool) -> String {
    if value.is_integer() {
        return value.to_string();
    }
    match f64::try_from(value.clone()) {
        Ok(f) => float_repr(f, json),
        Err(_) => value.to_string(),
    }
}

/// Python's `repr(float)`: the shortest digits that round-trip, in fixed
/// notation for decimal exponents -5 < e < 16 and scientific otherwise.
pub fn float_repr(f: f64, json: bool) -> String {
    if f.is_nan() {
        return if json { "NaN" } else { "nan" }.to_string();
    }
    if f.is_infinite() {
        let s = if json { "Infinity" } else { "inf" };
        return if f < 0.0 {
            format!("-{s}")
        } else {
            s.to_string()
        };
    }
    // Rust's `{:e}` gives the same shortest round-trip digits as Python.
    let sci = format!("{f:e}");
    let (mantissa, exp) = sci.split_once('e').unwrap_or((&sci, "0"));
    let exp: i32 = exp.parse().unwrap_or(0);
    let (sign, mantissa) = match mantissa.strip_prefix('-') {
        Some(m) => ("-", m),
        None => ("", mantissa),
    };
    let digits: String = mantissa.chars().filter(|c| *c != '.').collect();
    let mut out = String::from(sign);
    if !(-4..16).contains(&exp) {
        out.push_str(&digits[..1]);
        if digits.len() > 1 {
            out.push('.');
            out.push_str(&digits[1..]);
        }
        let _ = write!(out, "e{}{:02}", if exp < 0 { '-' } else { '+' }, exp.abs());
    } else if exp < 0 {
        out.push_str("0.");
        out.push_str(&"0".repeat((-exp - 1) as usize));
        out.push_str(&digits);
    } else {
        let point = exp as usize + 1;
        if digits.len() > point {
            out.push_str(&digits[..point]);
            out.push('.');
            out.push_str(&digits[point..]);
        } else {
            out.push_str(&digits);
            out.push_str(&"0".repeat(point - digits.len()));
            out.push_str(".0");
        }
    }
    out
}

/// The options of Python's `json.dumps` that transformers' `tojson` exposes.
#[derive(Debug, Clone, Default)]
pub struct DumpOptions {
    pub ensure_ascii: bool,
    /// `None`: one line. `Some(s)`: one item per line, `s` per nesting level.
    pub indent: Option<String>,
    /// `(item_separator, key_separator)`; `None` picks json.dumps' defaults.
    pub separators: Option<(String, String)>,
    pub sort_keys: bool,
}

/// Python `json.dumps(value, ...)`.
pub fn json_dumps(value: &Value, opts: &DumpOptions) -> Result<String, Error> {
    let (item_sep, key_sep) = match &opts.separators {
        Some((i, k)) => (i.as_str(), k.as_str()),
        None if opts.indent.is_some() => (",", ": "),
        None => (", ", ": "),
    };
    let mut out = String::new();
    let mut w = JsonWriter {
        out: &mut out,
        opts,
        item_sep,
        key_sep,
    };
    w.value(value, 0)?;
    Ok(out)
}

struct JsonWriter<'a> {
    out: &'a mut String,
    opts: &'a DumpOptions,
    item_sep: &'a str,
    key_sep: &'a str,
}

impl JsonWriter<'_> {
    fn value(&mut self, value: &Value, level: usize) -> Result<(), Error> {
        match value.kind() {
            ValueKind::None => self.out.push_str("null"),
            ValueKind::Bool => self
                .out
                .push_str(if value.is_true() { "true" } else { "false" }),
            ValueKind::Number => self.out.push_str(&number_str(value, true)),
            ValueKind::String => self.string(value.as_str().unwrap_or_default()),
            ValueKind::Seq | ValueKind::Iterable => {
                let items: Vec<Value> = value.try_iter()?.collect();
                if items.is_empty() {
                    self.out.push_str("[]");
                    return Ok(());
                }
                self.out.push('[');
                for (i, item) in items.iter().enumerate() {
                    self.separator(i, level + 1);
                    self.value(item, level + 1)?;
                }
                self.close(level, ']');
            }
            ValueKind::Map => {
                let mut entries = Vec::new();
                for key in value.try_iter()? {
                    let item = value.get_item(&key)?;
                    entries.push((self.key(&key)?, item));
                }
                if self.opts.sort_keys {
                    entries.sort_by(|a, b| a.0.cmp(&b.0));
                }
                if entries.is_empty() {
                    self.out.push_str("{}");
                    return Ok(());
                }
                self.out.push('{');
                for (i, (key, item)) in entries.iter().enumerate() {
                    self.separator(i, level + 1);
                    self.string(key);
                    self.out.push_str(self.key_sep);
                    self.value(item, level + 1)?;
                }
                self.close(level, '}');
            }
            kind => {
                return Err(Error::new(
                    ErrorKind::InvalidOperation,
                    format!("tojson: object of type {kind} is not JSON serializable"),
                ))
            }
        }
        Ok(())
    }

    /// json.dumps turns bool/None/number keys into strings; others fail.
    fn key(&self, key: &Value) -> Result<String, Error> {
        Ok(match key.kind() {
            ValueKind::String => key.as_str().unwrap_or_default().to_string(),
            ValueKind::Bool => if key.is_true() { "true" } else { "false" }.to_string(),
            ValueKind::None => "null".to_string(),
            ValueKind::Number => number_str(key, true),
            kind => {
                return Err(Error::new(
                    ErrorKind::InvalidOperation,
                    format!("tojson: keys must be str, int, float, bool or None, not {kind}"),
                ))
            }
        })
    }

    fn separator(&mut self, index: usize, level: usize) {
        if index > 0 {
            self.out.push_str(self.item_sep);
        }
        if let Some(indent) = &self.opts.indent {
            self.out.push('\n');
            self.out.push_str(&indent.repeat(level));
        }
    }

    fn close(&mut self, level: usize, bracket: char) {
        if let Some(indent) = &self.opts.indent {
            self.out.push('\n');
            self.out.push_str(&indent.repeat(level));
        }
        self.out.push(bracket);
    }

    fn string(&mut self, s: &str) {
        let out = &mut *self.out;
        out.push('"');
        for c in s.chars() {
            match c {
                '"' => out.push_str("\\\""),
                '\\' => out.push_str("\\\\"),
                '\n' => out.push_str("\\n"),
                '\r' => out.push_str("\\r"),
                '\t' => out.push_str("\\t"),
                '\u{8}' => out.push_str("\\b"),
                '\u{c}' => out.push_str("\\f"),
                c if (c as u32) < 0x20 => {
                    let _ = write!(out, "\\u{:04x}", c as u32);
                }
                c if self.opts.ensure_ascii && !c.is_ascii() => {
                    let mut units = [0u16; 2];
                    for unit in c.encode_utf16(&mut units) {
                        let _ = write!(out, "\\u{unit:04x}");
                    }
                }
                c => out.push(c),
            }
        }
        out.push('"');
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn floats_print_like_python_repr() {
        let cases = [
            (0.5, "0.5"),
            (1.0, "1.0"),
            (-0.0, "-0.0"),
            (1e16, "1e+16"),
            (1.5e16, "1.5e+16"),
            (123456789012345.6, "123456789012345.6"),
            (1e15, "1000000000000000.0"),
            (0.0001, "0.0001"),
            (1e-5, "1e-05"),
            (1.25e-7, "1.25e-07"),
            (1e100, "1e+100"),
            (0.1 + 0.2, "0.30000000000000004"),
        ];
        for (f, want) in cases {
            assert_eq!(float_repr(f, false), want, "{f:?}");
        }
        assert_eq!(float_repr(f64::NEG_INFINITY, true), "-Infinity");
        assert_eq!(float_repr(f64::NAN, false), "nan");
    }

    #[test]
    fn str_and_repr_match_python() {
        let v = Value::from_serialize(serde_json::json!({
            "a": [true, null, 1, 2.5, "it's", "say \"hi\"", "x'y\"z", "\u{1}\n"],
        }));
        assert_eq!(
            py_str(&v),
            r#"{'a': [True, None, 1, 2.5, "it's", 'say "hi"', 'x\'y"z', '\x01\n']}"#
        );
        assert_eq!(py_str(&Value::from("plain")), "plain");
        assert_eq!(py_str(&Value::UNDEFINED), "");
    }

    #[test]
    fn json_dumps_matches_python() {
        let v = Value::from_serialize(serde_json::json!({
            "z": 1, "a": [1.0, "é\u{7}\"/", {}, []], "n": null, "t": true
        }));
        let default = DumpOptions::default();
        assert_eq!(
            json_dumps(&v, &default).unwrap(),
            r#"{"z": 1, "a": [1.0, "é\u0007\"/", {}, []], "n": null, "t": true}"#
        );
        let ascii_sorted = DumpOptions {
            ensure_ascii: true,
            sort_keys: true,
            ..Default::default()
        };
        assert_eq!(
            json_dumps(&v, &ascii_sorted).unwrap(),
            r#"{"a": [1.0, "\u00e9\u0007\"/", {}, []], "n": null, "t": true, "z": 1}"#
        );
        let indented = DumpOptions {
            indent: Some("  ".into()),
            ..Default::default()
        };
        assert_eq!(
            json_dumps(
                &Value::from_serialize(serde_json::json!({"a": [1, 2], "b": {}})),
                &indented
            )
            .unwrap(),
            "{\n  \"a\": [\n    1,\n    2\n  ],\n  \"b\": {}\n}"
        );
        let emoji = Value::from("🚀");
        assert_eq!(
            json_dumps(&emoji, &ascii_sorted).unwrap(),
            r#""\ud83d\ude80""#
        );
        assert!(json_dumps(&Value::UNDEFINED, &default).is_err());
    }
}
