//! Making untrusted text safe to draw: every string from a cluster or an endpoint
//! (names, labels, event messages, log lines, health bodies) goes through here before
//! it reaches the terminal. Escape sequences are removed whole (CSI, OSC, DCS, …),
//! other control characters and bidi overrides become visible placeholders, and
//! length is bounded.

/// Placeholder for a removed control character.
pub const REPLACEMENT: char = '\u{fffd}';

fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' | '\u{200e}' | '\u{200f}' | '\u{061c}')
}

/// One line of drawable text: escape sequences dropped, tabs to spaces, newlines and
/// other controls to `�`, at most `max` characters (an ellipsis marks a cut).
pub fn line(s: &str, max: usize) -> String {
    let mut out = String::with_capacity(s.len().min(max * 4 + 4));
    let mut n = 0usize;
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        if n >= max {
            out.push('…');
            return out;
        }
        match c {
            '\u{1b}' => skip_escape(&mut chars),
            '\u{9b}' => skip_csi(&mut chars),
            '\u{90}' | '\u{9d}' | '\u{9e}' | '\u{9f}' | '\u{98}' => skip_string(&mut chars),
            '\t' => {
                out.push(' ');
                n += 1;
            }
            c if c.is_control() || is_bidi_control(c) => {
                out.push(REPLACEMENT);
                n += 1;
            }
            c => {
                out.push(c);
                n += 1;
            }
        }
    }
    out
}

/// Multi-line text (log lines, bodies): each line sanitised, at most `max_lines` lines
/// of `max_cols` characters.
pub fn lines(s: &str, max_lines: usize, max_cols: usize) -> Vec<String> {
    let mut out: Vec<String> = s
        .lines()
        .take(max_lines)
        .map(|l| line(l, max_cols))
        .collect();
    if s.lines().nth(max_lines).is_some() {
        out.push("…".into());
    }
    out
}

fn skip_csi(chars: &mut std::iter::Peekable<std::str::Chars>) {
    // Parameters and intermediates until a final byte in 0x40..=0x7e.
    for c in chars.by_ref() {
        if ('\u{40}'..='\u{7e}').contains(&c) {
            break;
        }
    }
}

fn skip_string(chars: &mut std::iter::Peekable<std::str::Chars>) {
    // Until BEL or ST (ESC \ or 0x9c).
    while let Some(c) = chars.next() {
        match c {
            '\u{7}' | '\u{9c}' => break,
            '\u{1b}' => {
                if chars.peek() == Some(&'\\') {
                    chars.next();
                }
                break;
            }
            _ => {}
        }
    }
}

fn skip_escape(chars: &mut std::iter::Peekable<std::str::Chars>) {
    match chars.next() {
        Some('[') => skip_csi(chars),
        Some(']') | Some('P') | Some('X') | Some('^') | Some('_') => skip_string(chars),
        // Two-character sequences with an intermediate (ESC ( B, ESC # 8 …).
        Some(c) if (' '..='/').contains(&c) => {
            chars.next();
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escape_sequences_are_removed_whole() {
        assert_eq!(line("\u{1b}[31mred\u{1b}[0m", 100), "red");
        assert_eq!(line("a\u{1b}]0;pwned title\u{7}b", 100), "ab");
        assert_eq!(
            line("a\u{1b}]8;;http://evil\u{1b}\\link\u{1b}]8;;\u{1b}\\b", 100),
            "alinkb"
        );
        assert_eq!(line("x\u{1b}P+q\u{1b}\\y", 100), "xy");
        assert_eq!(line("\u{9b}2Jclear", 100), "clear");
        assert_eq!(line("\u{1b}(Bok", 100), "ok");
        assert_eq!(line("bell\u{7}", 100), "bell\u{fffd}");
    }

    #[test]
    fn controls_and_bidi_become_visible() {
        assert_eq!(line("a\rb\nc", 100), "a\u{fffd}b\u{fffd}c");
        assert_eq!(line("user\u{202e}gnp.exe", 100), "user\u{fffd}gnp.exe");
        assert_eq!(line("tab\there", 100), "tab here");
    }

    #[test]
    fn length_is_bounded() {
        assert_eq!(line("abcdef", 3), "abc…");
        assert_eq!(line(&"x".repeat(1_000_000), 10).chars().count(), 11);
        let l = lines("a\nb\nc", 2, 10);
        assert_eq!(l, vec!["a", "b", "…"]);
        // An unterminated escape cannot swallow past the end.
        assert_eq!(line("\u{1b}]never ends", 100), "");
    }
}
