//! Diagnostics for configuration files: an error or warning that names the file, the
//! line and column, and what is wrong — never a panic.

use std::fmt;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Diag {
    pub file: String,
    pub line: usize,
    pub col: usize,
    pub message: String,
    pub warning: bool,
}

impl fmt::Display for Diag {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}:{}:{}: {}{}",
            self.file,
            self.line,
            self.col,
            if self.warning { "warning: " } else { "error: " },
            self.message
        )
    }
}

impl Diag {
    pub fn error(file: &str, text: &str, offset: usize, message: impl Into<String>) -> Diag {
        let (line, col) = line_col(text, offset);
        Diag {
            file: file.to_string(),
            line,
            col,
            message: message.into(),
            warning: false,
        }
    }

    pub fn warning(file: &str, text: &str, offset: usize, message: impl Into<String>) -> Diag {
        Diag {
            warning: true,
            ..Diag::error(file, text, offset, message)
        }
    }

    /// From a TOML parse or type error (its span, when it has one). A bad value is
    /// named by its key (`interval: "often" is not a duration`).
    pub fn from_toml(file: &str, text: &str, e: &toml::de::Error) -> Diag {
        let offset = e.span().map(|s| s.start).unwrap_or(0);
        let message = e.message().trim().to_string();
        let message = match key_at(text, offset) {
            Some(k) if !message.contains(k) => format!("{k}: {message}"),
            _ => message,
        };
        Diag::error(file, text, offset, message)
    }
}

/// The key of the `key = value` line holding `offset`, if it is one.
fn key_at(text: &str, offset: usize) -> Option<&str> {
    let offset = text.floor_char_boundary(offset.min(text.len()));
    let start = text[..offset].rfind('\n').map_or(0, |i| i + 1);
    let line = &text[start..];
    let (key, _) = line.split_once('=')?;
    let key = key.trim().trim_matches('"');
    (!key.is_empty() && !key.contains(['[', ' ', '\n']) && start + line.find('=')? < offset)
        .then_some(key)
}

/// 1-based line and column of a byte offset.
pub fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let offset = offset.min(text.len());
    let before = &text[..text.floor_char_boundary(offset)];
    let line = before.matches('\n').count() + 1;
    let col = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, col)
}

/// The byte offset where `key` is assigned in `section` (`""` for the top level),
/// found by scanning the text; `0` when not found.
pub fn key_offset(text: &str, section: &str, key: &str) -> usize {
    let mut current = String::new();
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        let t = line.trim();
        if let Some(h) = t.strip_prefix('[') {
            current = h
                .trim_start_matches('[')
                .split(']')
                .next()
                .unwrap_or("")
                .trim()
                .to_string();
        } else if current == section {
            let name = t.split('=').next().unwrap_or("").trim().trim_matches('"');
            if t.contains('=') && name == key {
                return offset + (line.len() - line.trim_start().len());
            }
        }
        offset += line.len();
    }
    if section.is_empty() {
        0
    } else {
        text.find(&format!("[{section}]")).unwrap_or(0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions() {
        let t = "a = 1\n[x]\n  b = 2\n";
        assert_eq!(line_col(t, 0), (1, 1));
        assert_eq!(line_col(t, t.find('b').unwrap()), (3, 3));
        assert_eq!(line_col(t, key_offset(t, "x", "b")), (3, 3));
        assert_eq!(line_col(t, key_offset(t, "", "a")), (1, 1));
        let e = toml::from_str::<toml::Table>("a = \n").unwrap_err();
        let d = Diag::from_toml("f.toml", "a = \n", &e);
        assert_eq!((d.line, d.file.as_str()), (1, "f.toml"));
        assert!(d.to_string().starts_with("f.toml:1:"));
    }
}
