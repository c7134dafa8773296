//! Reading a text file people write (packs, transcripts, targets, the
//! config file): a byte that is not UTF-8 is reported at its line and
//! column, so the author finds it, instead of "stream did not contain
//! valid UTF-8".

use std::fmt;
use std::path::Path;

#[derive(Debug)]
pub enum ReadError {
    Io(std::io::Error),
    /// 1-based line and column (in characters) of the first bad byte.
    NotUtf8 {
        line: usize,
        column: usize,
        byte: u8,
    },
}

impl fmt::Display for ReadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Io(e) => write!(f, "{e}"),
            Self::NotUtf8 { line, column, byte } => write!(
                f,
                "line {line}, column {column}: byte 0x{byte:02X} is not UTF-8 (save the file as UTF-8)"
            ),
        }
    }
}

impl std::error::Error for ReadError {}

/// The file's text, or where it stops being UTF-8.
pub fn read_utf8(path: &Path) -> Result<String, ReadError> {
    let bytes = std::fs::read(path).map_err(ReadError::Io)?;
    String::from_utf8(bytes).map_err(|e| {
        let bytes = e.as_bytes();
        let at = e.utf8_error().valid_up_to();
        let valid = std::str::from_utf8(&bytes[..at]).unwrap_or_default();
        let line = valid.matches('\n').count() + 1;
        let column = valid.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
        ReadError::NotUtf8 {
            line,
            column,
            byte: bytes[at],
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_the_line_and_column_of_the_bad_byte() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("a.toml");
        std::fs::write(&p, b"id = \"a\"\nuser = \"caf\xe9\"\n").unwrap();
        let e = read_utf8(&p).unwrap_err().to_string();
        assert_eq!(
            e,
            "line 2, column 12: byte 0xE9 is not UTF-8 (save the file as UTF-8)"
        );
        std::fs::write(&p, "ünï\n").unwrap();
        assert_eq!(read_utf8(&p).unwrap(), "ünï\n");
    }
}
