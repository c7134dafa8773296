//! The nesting limit for Python code, checked on tokens *before* the
//! recursive parser, our AST walker and the AST's own drop see the code.
//!
//! Counting brackets is not enough: `f()()()…` and `a.b().c()…` have no
//! nesting brackets, yet each `()` or `.x` wraps the whole expression so
//! far in one more AST node, and everything that walks or drops the tree
//! recurses once per node (issue #15: 10,000 `()` overflowed the 8 MiB main
//! thread). So the depth is estimated from Ruff's lexer (iterative, exact
//! about strings, f-strings and comments) as an upper bound of the AST
//! depth: along one path, every indented block, every bracket (a call,
//! subscript, list, tuple, dict, set, group or f-string field), and every
//! operator, `.`, `:`, keyword and `lambda` counts one level. Commas (and `;`,
//! and line ends) separate siblings, so a long argument list, a long list
//! literal or a long module stays shallow.

use ruff_python_ast::token::TokenKind;
use ruff_python_parser::{lexer, Mode};

/// The deepest Python nesting analysed, in the levels described above.
/// CPython's own tokenizer refuses more than 200 nested brackets
/// ("too many nested parentheses"); real code stays far below (the deepest
/// of the 2,108 code-mode blocks in Punie's data counts 15). At the limit,
/// parsing, walking and dropping the worst construct measured (nested
/// tuples in a call) needs under 300 KiB of stack in a debug build: far
/// inside a 2 MiB test thread and the 8 MiB main thread.
pub(crate) const MAX_DEPTH: usize = 200;

/// The note for code past [`MAX_DEPTH`]; `what` names the code.
pub(crate) fn too_deep_note(what: &str) -> String {
    format!(
        "{what} nests deeper than the parse limit of {MAX_DEPTH} levels (blocks, brackets, calls, \
         attributes, subscripts and operators along one expression): not parsed"
    )
}

/// One bracket (or `lambda` parameter list) being read: the levels counted
/// in its current element, the deepest bracket inside that element, the
/// deepest element so far. A path through the tree passes the nodes of one
/// element per bracket, then a leaf: its depth is at most the sum of those
/// counts, plus the leaf and the statement.
#[derive(Default)]
struct Group {
    count: usize,
    child: usize,
    deepest: usize,
    /// A `lambda` parameter list: ends at its `:`.
    lambda: bool,
}

impl Group {
    fn end_element(&mut self) {
        self.deepest = self.deepest.max(self.count + self.child);
        self.count = 0;
        self.child = 0;
    }

    fn depth(mut self) -> usize {
        self.end_element();
        self.deepest
    }
}

/// Whether `code` nests deeper than `limit` levels. Linear in the code and
/// never recursive; code that does not lex is measured as far as it lexes
/// (the parser reports the error).
/// An upper bound on the levels [`exceeds`] counts: punctuation bytes,
/// words and lines (each level is at least one of them).
fn token_bound(code: &str) -> usize {
    let (mut n, mut in_word) = (1, false);
    for &b in code.as_bytes() {
        // Branch-light: one table lookup per byte.
        let class = BYTE_CLASS[usize::from(b)];
        let word = class == WORD;
        n += usize::from(class == MARK) + usize::from(word & !in_word);
        in_word = word;
    }
    n
}

const BLANK: u8 = 0;
const WORD: u8 = 1;
/// Punctuation and line ends: each may be a level of its own.
const MARK: u8 = 2;

static BYTE_CLASS: [u8; 256] = {
    let mut t = [MARK; 256];
    let mut b = 0;
    while b < 256 {
        let c = b as u8;
        if c.is_ascii_alphanumeric() || c == b'_' || c >= 0x80 {
            t[b] = WORD;
        } else if c.is_ascii_whitespace() && c != b'\n' {
            t[b] = BLANK;
        }
        b += 1;
    }
    t
};

pub(crate) fn exceeds(code: &str, limit: usize) -> bool {
    // Every level takes at least one byte, and at least one token: a
    // punctuation byte, a word or a line. Counting those is one cheap pass
    // that clears real code (a few hundred tokens) without lexing it twice.
    if code.len() + 2 <= limit || token_bound(code) + 2 <= limit {
        return false;
    }
    let mut lexer = lexer::lex(code, Mode::Module);
    let mut stack = vec![Group::default()];
    let mut indent = 0usize;
    // Pops the innermost group into its parent; never the outermost one.
    fn pop(stack: &mut Vec<Group>) {
        if stack.len() > 1 {
            let depth = stack.pop().map_or(0, Group::depth);
            if let Some(parent) = stack.last_mut() {
                parent.child = parent.child.max(depth);
            }
        }
    }
    loop {
        let kind = lexer.next_token();
        let top = stack.len() - 1;
        match kind {
            TokenKind::EndOfFile | TokenKind::Newline => {
                while stack.len() > 1 {
                    pop(&mut stack);
                }
                // The statement and the leaf.
                let line = std::mem::take(&mut stack[0]).depth() + 2;
                if indent + line > limit {
                    return true;
                }
                if kind == TokenKind::EndOfFile {
                    return false;
                }
            }
            TokenKind::Indent => indent += 1,
            TokenKind::Dedent => indent = indent.saturating_sub(1),
            TokenKind::Lpar
            | TokenKind::Lsqb
            | TokenKind::Lbrace
            | TokenKind::FStringStart
            | TokenKind::TStringStart
            | TokenKind::Lambda => {
                stack[top].count += 1;
                stack.push(Group {
                    lambda: kind == TokenKind::Lambda,
                    ..Group::default()
                });
                // The levels open at once are a lower bound of the depth.
                if indent + stack.len() > limit {
                    return true;
                }
            }
            TokenKind::Rpar
            | TokenKind::Rsqb
            | TokenKind::Rbrace
            | TokenKind::FStringEnd
            | TokenKind::TStringEnd => {
                while stack.len() > 1 && stack[stack.len() - 1].lambda {
                    pop(&mut stack);
                }
                pop(&mut stack);
            }
            TokenKind::Colon if stack[top].lambda => pop(&mut stack),
            TokenKind::Comma | TokenKind::Semi => stack[top].end_element(),
            TokenKind::Name
            | TokenKind::Int
            | TokenKind::Float
            | TokenKind::Complex
            | TokenKind::String
            | TokenKind::FStringMiddle
            | TokenKind::TStringMiddle
            | TokenKind::True
            | TokenKind::False
            | TokenKind::None
            | TokenKind::Comment
            | TokenKind::NonLogicalNewline
            | TokenKind::IpyEscapeCommand
            | TokenKind::Unknown => {}
            // Operators, `.`, keywords: each may wrap what it touches.
            _ => {
                stack[top].count += 1;
                if stack[top].count > limit {
                    return true;
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn depth(code: &str) -> usize {
        (0..1000).find(|&l| !exceeds(code, l)).unwrap()
    }

    #[test]
    fn chains_count_like_brackets() {
        assert!(exceeds(&format!("f{}", "()".repeat(300)), MAX_DEPTH));
        assert!(exceeds(&format!("a{}", ".x()".repeat(150)), MAX_DEPTH));
        assert!(exceeds(&format!("a{}", "[0]".repeat(300)), MAX_DEPTH));
        assert!(exceeds(&format!("x = {}a", "not ".repeat(300)), MAX_DEPTH));
        assert!(exceeds(&format!("x = {}1", "-".repeat(300)), MAX_DEPTH));
        assert!(exceeds(&"a+".repeat(300), MAX_DEPTH));
        assert!(exceeds(
            &format!("x = {}1", "lambda a, b=".repeat(150)),
            MAX_DEPTH
        ));
        assert!(exceeds(
            &format!("x = {}a{}", "f\"{".repeat(150), "}\"".repeat(150)),
            MAX_DEPTH
        ));
        // Blocks count too.
        let mut nested = String::new();
        for i in 0..250 {
            nested.push_str(&" ".repeat(i));
            nested.push_str("if x:\n");
        }
        nested.push_str(&" ".repeat(250));
        nested.push_str("pass\n");
        assert!(exceeds(&nested, MAX_DEPTH));
    }

    #[test]
    fn siblings_do_not_add_up() {
        let args = format!("f({})", vec!["a.b.c"; 5000].join(", "));
        assert!(depth(&args) < 10, "{}", depth(&args));
        let lines = "x = typecheck('src/').errors[0].line\n".repeat(5000);
        assert!(depth(&lines) < 10);
        // Operators inside strings and comments are text.
        let text = format!("print('{}')  # {}", ". - ".repeat(1000), "+".repeat(1000));
        assert!(depth(&text) < 10);
        let fstring = format!("print(f'{} {{x.y}}')", "a.b-c ".repeat(1000));
        assert!(depth(&fstring) < 10);
    }

    #[test]
    fn typical_code_is_shallow() {
        let code = "result = typecheck(\"src/\")\nif result.error_count > 0:\n    for e in result.errors:\n        print(f\"{e.file}:{e.line} {e.message}\")\n";
        assert!(depth(code) < 20, "{}", depth(code));
    }
}
