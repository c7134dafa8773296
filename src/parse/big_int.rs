//! Integers past 64 bits in JSON text (issue 13, class 7).
//!
//! serde_json reads an integer that fits neither `i64` nor `u64` as the
//! nearest `f64`. Its `arbitrary_precision` feature would keep the digits,
//! but a Cargo feature is one for the whole crate graph, and there it breaks
//! the chat templates: minijinja renders every number of a tool schema as
//! `{"$serde_json::private::Number": "1"}` (docs/parse.md, "Large
//! integers"). So the loss stays, and is never silent: each such literal in
//! a JSON call body is noted with the value it became.

/// The integer literals of `json` (outside its strings) that fit in
/// neither `i64` nor `u64`. Text that is not JSON is scanned the same way
/// and never makes it panic.
pub(crate) fn oversized(json: &str) -> Vec<&str> {
    let b = json.as_bytes();
    let mut found = Vec::new();
    let (mut i, mut in_string) = (0, false);
    while i < b.len() {
        let c = b[i];
        if in_string {
            match c {
                b'\\' => i += 2,
                b'"' => {
                    in_string = false;
                    i += 1;
                }
                _ => i += 1,
            }
            continue;
        }
        let starts_token =
            i == 0 || !(b[i - 1].is_ascii_alphanumeric() || b"._".contains(&b[i - 1]));
        match c {
            b'"' => {
                in_string = true;
                i += 1;
            }
            b'-' | b'0'..=b'9' if starts_token => {
                let start = i;
                i += usize::from(c == b'-');
                let digits = i;
                while i < b.len() && b[i].is_ascii_digit() {
                    i += 1;
                }
                let float = i < b.len() && matches!(b[i], b'.' | b'e' | b'E');
                let literal = &json[start..i];
                if i > digits
                    && !float
                    && literal.parse::<i64>().is_err()
                    && literal.parse::<u64>().is_err()
                {
                    found.push(literal);
                }
            }
            _ => i += 1,
        }
    }
    found
}

/// A note for each integer of `json` past 64 bits: what it was read as.
pub(crate) fn note(json: &str, notes: &mut Vec<String>) {
    for literal in oversized(json) {
        let read = literal.parse::<f64>().unwrap_or(f64::NAN);
        notes.push(format!(
            "integer {literal} does not fit in 64 bits; read as {read:e} (precision lost)"
        ));
    }
}

#[cfg(test)]
mod tests {
    use super::oversized;

    #[test]
    fn finds_integers_past_64_bits_outside_strings() {
        let big = "123456789012345678901234567890";
        let text = format!(
            r#"{{"a": {big}, "b": -{big}, "c": 18446744073709551615, "d": -9223372036854775808,
                "e": "{big}", "f": 1.5e300, "g": {big}.0, "h": "x\"{big}", "i": [{big}]}}"#
        );
        let neg = format!("-{big}");
        assert_eq!(oversized(&text), [big, neg.as_str(), big]);
        // Limits: exact 64-bit bounds are not oversized; one past them is.
        assert!(oversized("[18446744073709551615, -9223372036854775808]").is_empty());
        assert_eq!(
            oversized("[18446744073709551616, -9223372036854775809]"),
            ["18446744073709551616", "-9223372036854775809"]
        );
        // Not JSON, cut short, unbalanced: no panic.
        for text in [
            "\"",
            "\\",
            "-",
            "[1, \"\\",
            "12345678901234567890123\u{e9}",
            "é-",
        ] {
            let _ = oversized(text);
        }
    }
}
