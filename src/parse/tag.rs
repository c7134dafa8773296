//! The fixed tags of the call formats, found with memchr's SIMD substring
//! search and a searcher built once per tag: `str::find` builds a new
//! Two-Way searcher on every call, and these searches run several times
//! over every completion (a tenth of `classify`'s time before this).

use memchr::memmem::Finder;
use std::sync::LazyLock;

pub(crate) struct Tag {
    pub text: &'static str,
    finder: LazyLock<Finder<'static>>,
}

impl Tag {
    /// Byte offset of the first occurrence in `hay`.
    pub fn find(&self, hay: &str) -> Option<usize> {
        self.finder.find(hay.as_bytes())
    }

    pub fn is_in(&self, hay: &str) -> bool {
        self.find(hay).is_some()
    }
}

macro_rules! tags {
    ($($name:ident = $text:literal;)*) => {$(
        pub(crate) static $name: Tag = Tag {
            text: $text,
            finder: LazyLock::new(|| Finder::new($text)),
        };
    )*};
}

tags! {
    THINK = "<think>";
    THINK_END = "</think>";
    TOOL_CALL = "<tool_call>";
    TOOL_CALL_END = "</tool_call>";
    FUNCTION = "<function=";
    FUNCTION_END = "</function>";
    PARAMETER = "<parameter";
    PARAMETER_END = "</parameter>";
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_like_str_find() {
        for hay in [
            "",
            "<function",
            "x<function=a>",
            "é<function=<function=",
            "</function>",
        ] {
            assert_eq!(FUNCTION.find(hay), hay.find("<function="), "{hay:?}");
            assert_eq!(
                FUNCTION_END.is_in(hay),
                hay.contains("</function>"),
                "{hay:?}"
            );
        }
    }
}
