//! Keymaps: TOML files of `"key" = "action"` per mode (`global`, `list`, `logs`,
//! `detail`). The shipped `default` and `vim` maps are embedded; a user keymap
//! (`keymap.toml` in the config dir) merges over the chosen base, and `"none"`
//! unbinds. One table drives dispatch, help and footer hints. Unknown keys or actions
//! and duplicate bindings are reported with file and line.
//!
//! Key syntax: a single character (`q`, `?`, `G` — uppercase means shift), or a name
//! (`esc`, `enter`, `tab`, `backspace`, `space`, `up`, `down`, `left`, `right`,
//! `pageup`, `pagedown`, `home`, `end`, `delete`, `insert`, `f1`…`f12`), optionally
//! prefixed by `ctrl-`, `alt-` (and `shift-` for named keys only: `shift-tab`).

use std::collections::BTreeMap;
use std::fmt;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use super::diag::Diag;

/// What keys can be bound to: a closed set of named commands, each with a
/// description (help is generated from them). The app defines its commands; the
/// keymap only needs their names.
pub trait Bindable: Copy + Ord + fmt::Debug + 'static {
    fn from_name(name: &str) -> Option<Self>;
    fn name(self) -> &'static str;
    /// Every name accepted in keymap files (for error messages).
    fn names() -> Vec<&'static str>;
    /// The command ctrl-c always means (it cannot be rebound).
    fn quit() -> Self;
    /// Commands that must keep a key in every mode (quit, the command line, help),
    /// or the console could only be stopped from outside.
    fn essentials() -> Vec<Self>;
}

pub const DEFAULT: &str = include_str!("../../keymaps/default.toml");
pub const VIM: &str = include_str!("../../keymaps/vim.toml");

/// Where a binding applies.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Mode {
    Global,
    List,
    Logs,
    Detail,
}

impl Mode {
    pub const ALL: [Mode; 4] = [Mode::Global, Mode::List, Mode::Logs, Mode::Detail];

    pub fn name(self) -> &'static str {
        match self {
            Mode::Global => "global",
            Mode::List => "list",
            Mode::Logs => "logs",
            Mode::Detail => "detail",
        }
    }

    fn parse(s: &str) -> Option<Mode> {
        Mode::ALL.into_iter().find(|m| m.name() == s)
    }
}

#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Code {
    Char(char),
    Esc,
    Enter,
    Tab,
    Backspace,
    Space,
    Up,
    Down,
    Left,
    Right,
    PageUp,
    PageDown,
    Home,
    End,
    Delete,
    Insert,
    F(u8),
}

/// A key with modifiers, in a canonical form (an uppercase letter carries no shift).
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Key {
    pub code: Code,
    pub ctrl: bool,
    pub alt: bool,
    pub shift: bool,
}

const NAMED: &[(&str, Code)] = &[
    ("esc", Code::Esc),
    ("enter", Code::Enter),
    ("tab", Code::Tab),
    ("backspace", Code::Backspace),
    ("space", Code::Space),
    ("up", Code::Up),
    ("down", Code::Down),
    ("left", Code::Left),
    ("right", Code::Right),
    ("pageup", Code::PageUp),
    ("pagedown", Code::PageDown),
    ("home", Code::Home),
    ("end", Code::End),
    ("delete", Code::Delete),
    ("insert", Code::Insert),
];

impl Key {
    pub fn plain(code: Code) -> Key {
        Key {
            code,
            ctrl: false,
            alt: false,
            shift: false,
        }
    }

    pub fn char(c: char) -> Key {
        Key::plain(Code::Char(c))
    }

    pub fn ctrl(c: char) -> Key {
        Key {
            ctrl: true,
            ..Key::char(c)
        }
    }

    pub fn parse(s: &str) -> Result<Key, String> {
        let mut rest = s;
        let (mut ctrl, mut alt, mut shift) = (false, false, false);
        loop {
            let lower = rest.to_ascii_lowercase();
            if rest.chars().count() > 1 && lower.starts_with("ctrl-") {
                ctrl = true;
                rest = &rest[5..];
            } else if rest.chars().count() > 1 && lower.starts_with("alt-") {
                alt = true;
                rest = &rest[4..];
            } else if rest.chars().count() > 1 && lower.starts_with("shift-") {
                shift = true;
                rest = &rest[6..];
            } else {
                break;
            }
        }
        let mut chars = rest.chars();
        let code = match (chars.next(), chars.next()) {
            (Some(c), None) if !c.is_control() && c != ' ' => {
                if shift {
                    return Err(format!(
                        "write {:?} instead of {s:?}: an uppercase letter or the symbol itself means shift",
                        c.to_uppercase().to_string()
                    ));
                }
                Code::Char(if ctrl { c.to_ascii_lowercase() } else { c })
            }
            _ => {
                let lower = rest.to_ascii_lowercase();
                if let Some((_, c)) = NAMED.iter().find(|(n, _)| *n == lower) {
                    *c
                } else if let Some(n) = lower
                    .strip_prefix('f')
                    .and_then(|n| n.parse::<u8>().ok())
                    .filter(|n| (1..=12).contains(n))
                {
                    Code::F(n)
                } else {
                    return Err(format!(
                        "unknown key {s:?}: expected a single character, a key name (esc, enter, tab, backspace, space, up, down, left, right, pageup, pagedown, home, end, delete, insert, f1-f12), optionally prefixed by ctrl-, alt- or shift-"
                    ));
                }
            }
        };
        Ok(Key {
            code,
            ctrl,
            alt,
            shift,
        })
    }

    /// From a terminal key event.
    pub fn from_event(e: &KeyEvent) -> Option<Key> {
        let m = e.modifiers;
        let ctrl = m.contains(KeyModifiers::CONTROL);
        let alt = m.contains(KeyModifiers::ALT);
        let mut shift = m.contains(KeyModifiers::SHIFT);
        let code = match e.code {
            KeyCode::Char(' ') => Code::Space,
            KeyCode::Char(c) => {
                shift = false;
                Code::Char(if ctrl { c.to_ascii_lowercase() } else { c })
            }
            KeyCode::Esc => Code::Esc,
            KeyCode::Enter => Code::Enter,
            KeyCode::Tab => Code::Tab,
            KeyCode::BackTab => {
                shift = true;
                Code::Tab
            }
            KeyCode::Backspace => Code::Backspace,
            KeyCode::Up => Code::Up,
            KeyCode::Down => Code::Down,
            KeyCode::Left => Code::Left,
            KeyCode::Right => Code::Right,
            KeyCode::PageUp => Code::PageUp,
            KeyCode::PageDown => Code::PageDown,
            KeyCode::Home => Code::Home,
            KeyCode::End => Code::End,
            KeyCode::Delete => Code::Delete,
            KeyCode::Insert => Code::Insert,
            KeyCode::F(n) => Code::F(n),
            _ => return None,
        };
        Some(Key {
            code,
            ctrl,
            alt,
            shift,
        })
    }
}

impl fmt::Display for Key {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.ctrl {
            f.write_str("ctrl-")?;
        }
        if self.alt {
            f.write_str("alt-")?;
        }
        if self.shift {
            f.write_str("shift-")?;
        }
        match self.code {
            Code::Char(c) => write!(f, "{c}"),
            Code::F(n) => write!(f, "f{n}"),
            other => {
                let name = NAMED
                    .iter()
                    .find(|(_, c)| *c == other)
                    .map(|(n, _)| *n)
                    .unwrap_or("?");
                f.write_str(name)
            }
        }
    }
}

/// The active keymap: what each key means, per mode.
#[derive(Clone, Debug, PartialEq)]
pub struct Keymap<C> {
    bindings: BTreeMap<(Mode, Key), C>,
}

impl<C> Default for Keymap<C> {
    fn default() -> Self {
        Keymap {
            bindings: BTreeMap::new(),
        }
    }
}

impl<C: Bindable> Keymap<C> {
    /// What `key` means in `mode` (falling back to the global section).
    pub fn command(&self, mode: Mode, key: &Key) -> Option<C> {
        if *key == Key::ctrl('c') {
            return Some(C::quit());
        }
        self.bindings
            .get(&(mode, *key))
            .or_else(|| self.bindings.get(&(Mode::Global, *key)))
            .copied()
    }

    /// Keys bound to `command` in `mode` or globally, in display order.
    pub fn keys_for(&self, mode: Mode, command: C) -> Vec<Key> {
        let mut out: Vec<Key> = self
            .bindings
            .iter()
            .filter(|((m, _), a)| (*m == mode || *m == Mode::Global) && **a == command)
            .filter(|((m, k), _)| *m == mode || !self.bindings.contains_key(&(mode, *k)))
            .map(|((_, k), _)| *k)
            .collect();
        out.sort_by_key(|k| {
            (
                k.ctrl || k.alt || k.shift,
                matches!(k.code, Code::Char(_)).then_some(0).unwrap_or(1),
            )
        });
        out.dedup();
        out
    }

    /// Every binding of a mode section, grouped by command (for help).
    pub fn section(&self, mode: Mode) -> Vec<(C, Vec<Key>)> {
        let mut by: BTreeMap<C, Vec<Key>> = BTreeMap::new();
        for ((m, k), a) in &self.bindings {
            if *m == mode {
                by.entry(*a).or_default().push(*k);
            }
        }
        by.into_iter().collect()
    }

    /// Parses a keymap file and merges it over `self`. Errors stop the merge of that
    /// file (the caller keeps the previous keymap); warnings are returned alongside.
    pub fn merge(&mut self, file: &str, text: &str) -> Result<Vec<Diag>, Vec<Diag>> {
        type Sections = BTreeMap<
            toml::Spanned<String>,
            toml::Spanned<BTreeMap<toml::Spanned<String>, toml::Spanned<String>>>,
        >;
        let parsed: Sections =
            toml::from_str(text).map_err(|e| vec![Diag::from_toml(file, text, &e)])?;
        let mut errors = Vec::new();
        let warnings = Vec::new();
        let mut next = self.bindings.clone();
        let mut touched: Vec<(Mode, Key, usize)> = Vec::new();
        let mut sections: Vec<_> = parsed.iter().collect();
        sections.sort_by_key(|(s, _)| s.span().start);
        for (section, entries) in sections {
            let Some(mode) = Mode::parse(section.get_ref()) else {
                errors.push(Diag::error(
                    file,
                    text,
                    section.span().start,
                    format!(
                        "unknown section [{}]: expected one of global, list, logs, detail",
                        section.get_ref()
                    ),
                ));
                continue;
            };
            let mut seen: BTreeMap<Key, (usize, String)> = BTreeMap::new();
            let mut in_order: Vec<_> = entries.get_ref().iter().collect();
            in_order.sort_by_key(|(k, _)| k.span().start);
            for (k, v) in in_order {
                let key = match Key::parse(k.get_ref()) {
                    Ok(key) => key,
                    Err(e) => {
                        errors.push(Diag::error(file, text, k.span().start, e));
                        continue;
                    }
                };
                if let Some((first, name)) = seen.get(&key) {
                    let (line, _) = super::diag::line_col(text, *first);
                    errors.push(Diag::error(
                        file,
                        text,
                        k.span().start,
                        format!("duplicate binding: {:?} is the same key as {name:?} on line {line} in [{}]", k.get_ref(), mode.name()),
                    ));
                    continue;
                }
                seen.insert(key, (k.span().start, k.get_ref().clone()));
                let name = v.get_ref();
                touched.push((mode, key, k.span().start));
                if key == Key::ctrl('c') && C::from_name(name) != Some(C::quit()) {
                    errors.push(Diag::error(
                        file,
                        text,
                        k.span().start,
                        format!("ctrl-c always quits kdeck; it cannot be bound to {name:?}"),
                    ));
                    continue;
                }
                if name == "none" {
                    next.remove(&(mode, key));
                    continue;
                }
                match C::from_name(name) {
                    Some(a) => {
                        next.insert((mode, key), a);
                    }
                    None => errors.push(Diag::error(
                        file,
                        text,
                        v.span().start,
                        format!(
                            "unknown command {name:?} (known commands: {})",
                            C::names().join(", ")
                        ),
                    )),
                }
            }
        }
        // Nothing may leave a mode with no way out (ctrl-c aside) or no command line.
        let after = Keymap { bindings: next };
        for c in C::essentials() {
            let lacking: Vec<Mode> = Mode::ALL
                .into_iter()
                .filter(|m| after.keys_for(*m, c).iter().all(|k| *k == Key::ctrl('c')))
                .collect();
            let Some(first) = lacking.first() else {
                continue;
            };
            let blame = touched
                .iter()
                .find(|(m, k, _)| {
                    (*m == *first || *m == Mode::Global) && self.command(*first, k) == Some(c)
                })
                .map_or(0, |(_, _, at)| *at);
            let modes: Vec<&str> = lacking.iter().map(|m| m.name()).collect();
            errors.push(Diag::error(
                file,
                text,
                blame,
                format!(
                    "this leaves {:?} with no key (in {}); bind it to another key",
                    c.name(),
                    modes.join(", ")
                ),
            ));
        }
        let next = after.bindings;
        if errors.is_empty() {
            self.bindings = next;
            Ok(warnings)
        } else {
            Err(errors)
        }
    }

    /// The shipped keymap `name` (`default` or `vim`).
    pub fn builtin(name: &str) -> Option<Keymap<C>> {
        let mut k = Keymap::default();
        k.merge("keymaps/default.toml", DEFAULT).ok()?;
        match name {
            "default" => Some(k),
            "vim" => {
                k.merge("keymaps/vim.toml", VIM).ok()?;
                Some(k)
            }
            _ => None,
        }
    }

    pub fn len(&self) -> usize {
        self.bindings.len()
    }

    pub fn is_empty(&self) -> bool {
        self.bindings.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_syntax() {
        assert_eq!(Key::parse("q").unwrap(), Key::char('q'));
        assert_eq!(Key::parse("G").unwrap(), Key::char('G'));
        assert_eq!(Key::parse("ctrl-c").unwrap(), Key::ctrl('c'));
        assert_eq!(Key::parse("shift-tab").unwrap().to_string(), "shift-tab");
        assert_eq!(Key::parse("Esc").unwrap(), Key::plain(Code::Esc));
        assert_eq!(Key::parse("f5").unwrap(), Key::plain(Code::F(5)));
        assert!(Key::parse("shift-g").unwrap_err().contains("\"G\""));
        assert!(Key::parse("hyper-x").unwrap_err().contains("unknown key"));
        assert!(Key::parse("f13").is_err());
        let ev = KeyEvent::new(KeyCode::Char('G'), KeyModifiers::SHIFT);
        assert_eq!(Key::from_event(&ev), Some(Key::char('G')));
        let bt = KeyEvent::new(KeyCode::BackTab, KeyModifiers::SHIFT);
        assert_eq!(Key::from_event(&bt), Key::parse("shift-tab").ok());
    }
}
