//! A one-line text input (filter, command line, search): the text and a cursor,
//! edited by keys; pure data, tested without a terminal.

use crate::config::keymap::{Code, Key};

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct LineInput {
    pub text: String,
    /// Cursor position in characters.
    pub cursor: usize,
}

/// What a key did to the input.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum Edit {
    Changed,
    Unchanged,
    Submit,
    Cancel,
    Complete,
}

/// Longest input accepted (a filter is not a document).
pub const MAX_LEN: usize = 256;

impl LineInput {
    pub fn with(text: &str) -> LineInput {
        LineInput {
            text: text.to_string(),
            cursor: text.chars().count(),
        }
    }

    fn byte_at(&self, chars: usize) -> usize {
        self.text
            .char_indices()
            .nth(chars)
            .map_or(self.text.len(), |(i, _)| i)
    }

    pub fn key(&mut self, k: &Key) -> Edit {
        if k.ctrl {
            return match k.code {
                Code::Char('u') => {
                    self.text.clear();
                    self.cursor = 0;
                    Edit::Changed
                }
                Code::Char('a') => {
                    self.cursor = 0;
                    Edit::Unchanged
                }
                Code::Char('e') => {
                    self.cursor = self.text.chars().count();
                    Edit::Unchanged
                }
                Code::Char('w') => {
                    let before: String = self.text.chars().take(self.cursor).collect();
                    let trimmed = before.trim_end();
                    let cut = trimmed.rfind(' ').map_or(0, |i| i + 1);
                    let keep: String = trimmed[..cut].to_string();
                    let after: String = self.text.chars().skip(self.cursor).collect();
                    self.cursor = keep.chars().count();
                    self.text = keep + &after;
                    Edit::Changed
                }
                Code::Char('c') => Edit::Cancel,
                _ => Edit::Unchanged,
            };
        }
        match k.code {
            Code::Char(c) if !c.is_control() => {
                if self.text.chars().count() >= MAX_LEN {
                    return Edit::Unchanged;
                }
                let at = self.byte_at(self.cursor);
                self.text.insert(at, c);
                self.cursor += 1;
                Edit::Changed
            }
            Code::Space => self.key(&Key::char(' ')),
            Code::Backspace => {
                if self.cursor == 0 {
                    return Edit::Unchanged;
                }
                let at = self.byte_at(self.cursor - 1);
                self.text.remove(at);
                self.cursor -= 1;
                Edit::Changed
            }
            Code::Delete => {
                if self.cursor >= self.text.chars().count() {
                    return Edit::Unchanged;
                }
                let at = self.byte_at(self.cursor);
                self.text.remove(at);
                Edit::Changed
            }
            Code::Left => {
                self.cursor = self.cursor.saturating_sub(1);
                Edit::Unchanged
            }
            Code::Right => {
                self.cursor = (self.cursor + 1).min(self.text.chars().count());
                Edit::Unchanged
            }
            Code::Home => {
                self.cursor = 0;
                Edit::Unchanged
            }
            Code::End => {
                self.cursor = self.text.chars().count();
                Edit::Unchanged
            }
            Code::Enter => Edit::Submit,
            Code::Esc => Edit::Cancel,
            Code::Tab => Edit::Complete,
            _ => Edit::Unchanged,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn editing() {
        let mut i = LineInput::default();
        for c in "flxtime".chars() {
            i.key(&Key::char(c));
        }
        i.key(&Key::plain(Code::Left));
        i.key(&Key::plain(Code::Left));
        i.key(&Key::plain(Code::Left));
        i.key(&Key::plain(Code::Left));
        i.key(&Key::plain(Code::Left));
        i.key(&Key::char('e'));
        assert_eq!(i.text, "flextime");
        assert_eq!(i.key(&Key::plain(Code::Backspace)), Edit::Changed);
        assert_eq!(i.text, "flxtime");
        assert_eq!(i.key(&Key::plain(Code::Enter)), Edit::Submit);
        assert_eq!(i.key(&Key::plain(Code::Esc)), Edit::Cancel);
        let mut w = LineInput::with("ns flex");
        w.key(&Key::ctrl('w'));
        assert_eq!(w.text, "ns ");
        w.key(&Key::ctrl('u'));
        assert_eq!(w.text, "");
        let mut long = LineInput::with(&"x".repeat(MAX_LEN));
        assert_eq!(long.key(&Key::char('y')), Edit::Unchanged);
        let mut uni = LineInput::with("żółw");
        uni.key(&Key::plain(Code::Backspace));
        assert_eq!(uni.text, "żół");
    }
}
