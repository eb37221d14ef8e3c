//! Making untrusted text safe to draw: every string from a cluster or an endpoint
//! (names, labels, event messages, log lines, health bodies) goes through here before
//! it reaches the terminal. Escape sequences are removed whole (CSI, OSC, DCS, …),
//! other control characters and bidi overrides become visible placeholders,
//! invisible zero-width characters (ZWSP, ZWJ, word joiner, BOM, variation
//! selectors…) are removed — terminals disagree on their width, so a row holding
//! one would be drawn wider than it was measured — and length is bounded in
//! graphemes (a cut never splits a character from its combining marks).

/// Placeholder for a removed control character.
pub const REPLACEMENT: char = '\u{fffd}';

fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' | '\u{200e}' | '\u{200f}' | '\u{061c}')
}

/// Characters drawn as nothing, whose width terminals disagree on: removed.
fn is_invisible(c: char) -> bool {
    matches!(c,
        '\u{00ad}' | '\u{180e}' | '\u{200b}'..='\u{200d}' | '\u{2060}'..='\u{2064}'
        | '\u{feff}' | '\u{fe00}'..='\u{fe0f}' | '\u{115f}' | '\u{1160}' | '\u{3164}'
        | '\u{ffa0}' | '\u{e0000}'..='\u{e007f}' | '\u{e0100}'..='\u{e01ef}')
}

/// Whether `c` is drawn as it is (no escape, control, bidi or invisible character).
fn is_plain(c: char) -> bool {
    if c.is_ascii() {
        return !c.is_ascii_control();
    }
    !(c.is_control() || is_bidi_control(c) || is_invisible(c))
}

/// Whether `s` is already drawable and within `max` graphemes (`line` would return
/// it unchanged): the cheap check for text seen again and again.
pub fn is_clean(s: &str, max: usize) -> bool {
    s.chars().all(is_plain)
        && (s.len() <= max
            || unicode_segmentation::UnicodeSegmentation::graphemes(s, true)
                .nth(max)
                .is_none())
}

/// One line of drawable text: escape sequences dropped, tabs to spaces, newlines and
/// other controls to `�`, invisible characters removed, at most `max` graphemes (an
/// ellipsis marks a cut).
pub fn line(s: &str, max: usize) -> String {
    if s.len() <= max && s.chars().all(is_plain) {
        return s.to_string();
    }
    let out = strip(s, max);
    match unicode_segmentation::UnicodeSegmentation::grapheme_indices(out.as_str(), true).nth(max) {
        Some((at, _)) => {
            let mut cut = out[..at].to_string();
            cut.push('…');
            cut
        }
        None => out,
    }
}

/// Escapes, controls and invisibles out; at most a little more than `max`
/// graphemes' worth of characters kept (the cut is made by grapheme afterwards).
fn strip(s: &str, max: usize) -> String {
    // A grapheme is rarely more than a few characters; this bounds the work on a
    // huge input without cutting a short grapheme apart.
    let keep = max.saturating_mul(8).saturating_add(8);
    let mut out = String::with_capacity(s.len().min(max * 4 + 4));
    let mut n = 0usize;
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        if n >= keep {
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
            c if is_invisible(c) => {}
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
    fn invisible_characters_are_removed_and_cuts_keep_graphemes_whole() {
        assert_eq!(line("a\u{200b}b\u{2060}c\u{feff}d", 100), "abcd");
        // A ZWJ family becomes its three people: as wide to us as to any terminal.
        assert_eq!(line("👩\u{200d}👩\u{200d}👧", 100), "👩👩👧");
        assert_eq!(line("\u{2764}\u{fe0f}", 100), "\u{2764}");
        // e + combining acute is one grapheme: never cut apart.
        assert_eq!(line("e\u{301}e\u{301}e\u{301}", 2), "e\u{301}e\u{301}…");
        assert_eq!(line("漢字漢字", 2), "漢字…");
        assert!(is_clean("plain-name-7d9c", 100));
        assert!(!is_clean("a\u{200d}b", 100));
        assert!(!is_clean("abc", 2));
        assert!(is_clean("漢字", 2));
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
