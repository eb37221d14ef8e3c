//! Themes: TOML files of named semantic slots (`severity.crit`, `table.selected`, …),
//! with a `[palette]` of named colours and `inherits` for small overrides. The shipped
//! themes (`default`, `light`, `high-contrast`, `mono`) are embedded; user themes live
//! in the config dir's `themes/`. `NO_COLOR` selects `mono` (bold and reverse only).
//! Colours are the 16 terminal colours by name, `ansi(N)`, or `#rrggbb` (reduced to
//! the nearest of the 16 unless the terminal says it has truecolor).

use std::collections::BTreeMap;
use std::path::Path;

use ratatui::style::{Color, Modifier, Style};

use super::diag::Diag;

pub const BUILTIN: &[(&str, &str)] = &[
    ("default", include_str!("../../themes/default.toml")),
    ("light", include_str!("../../themes/light.toml")),
    (
        "high-contrast",
        include_str!("../../themes/high-contrast.toml"),
    ),
    ("mono", include_str!("../../themes/mono.toml")),
];

/// Every slot the UI draws with.
pub const SLOTS: &[&str] = &[
    "text",
    "text.dim",
    "title",
    "border",
    "header",
    "header.context.live",
    "header.context.stale",
    "header.context.connecting",
    "header.context.forbidden",
    "header.readonly",
    "table.header",
    "table.selected",
    "table.completed",
    "table.stale",
    "severity.crit",
    "severity.warn",
    "severity.info",
    "severity.ok",
    "footer",
    "footer.key",
    "input",
    "input.prompt",
    "input.completion",
    "help.key",
    "help.section",
    "log.prefix",
    "log.match",
    "log.paused",
    "dialog",
    "dialog.danger",
    "toast.ok",
    "toast.error",
];

#[derive(Clone, Debug, PartialEq)]
pub struct Theme {
    pub name: String,
    styles: BTreeMap<String, Style>,
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct StyleSpec {
    fg: Option<toml::Spanned<String>>,
    bg: Option<toml::Spanned<String>>,
    #[serde(default)]
    bold: bool,
    #[serde(default)]
    dim: bool,
    #[serde(default)]
    italic: bool,
    #[serde(default)]
    underlined: bool,
    #[serde(default)]
    reversed: bool,
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct ThemeFile {
    #[allow(dead_code)]
    name: Option<String>,
    inherits: Option<toml::Spanned<String>>,
    #[serde(default)]
    palette: BTreeMap<String, toml::Spanned<String>>,
    #[serde(default)]
    styles: BTreeMap<toml::Spanned<String>, StyleSpec>,
}

const NAMED: &[(&str, Color)] = &[
    ("reset", Color::Reset),
    ("black", Color::Black),
    ("red", Color::Red),
    ("green", Color::Green),
    ("yellow", Color::Yellow),
    ("blue", Color::Blue),
    ("magenta", Color::Magenta),
    ("cyan", Color::Cyan),
    ("gray", Color::Gray),
    ("darkgray", Color::DarkGray),
    ("lightred", Color::LightRed),
    ("lightgreen", Color::LightGreen),
    ("lightyellow", Color::LightYellow),
    ("lightblue", Color::LightBlue),
    ("lightmagenta", Color::LightMagenta),
    ("lightcyan", Color::LightCyan),
    ("white", Color::White),
];

/// Approximate RGB of the 16 colours (xterm defaults), for reducing `#rrggbb`.
const RGB16: &[(Color, (u8, u8, u8))] = &[
    (Color::Black, (0, 0, 0)),
    (Color::Red, (205, 0, 0)),
    (Color::Green, (0, 205, 0)),
    (Color::Yellow, (205, 205, 0)),
    (Color::Blue, (0, 0, 238)),
    (Color::Magenta, (205, 0, 205)),
    (Color::Cyan, (0, 205, 205)),
    (Color::Gray, (229, 229, 229)),
    (Color::DarkGray, (127, 127, 127)),
    (Color::LightRed, (255, 0, 0)),
    (Color::LightGreen, (0, 255, 0)),
    (Color::LightYellow, (255, 255, 0)),
    (Color::LightBlue, (92, 92, 255)),
    (Color::LightMagenta, (255, 0, 255)),
    (Color::LightCyan, (0, 255, 255)),
    (Color::White, (255, 255, 255)),
];

fn nearest16(r: u8, g: u8, b: u8) -> Color {
    RGB16
        .iter()
        .min_by_key(|(_, (cr, cg, cb))| {
            let d = |a: u8, b: u8| (a as i32 - b as i32).pow(2);
            d(r, *cr) + d(g, *cg) + d(b, *cb)
        })
        .map(|(c, _)| *c)
        .unwrap_or(Color::Reset)
}

/// Whether the terminal claims 24-bit colour.
pub fn truecolor() -> bool {
    std::env::var("COLORTERM").is_ok_and(|v| v == "truecolor" || v == "24bit")
}

fn parse_color(
    s: &str,
    palette: &BTreeMap<String, String>,
    truecolor: bool,
) -> Result<Color, String> {
    let s = s.trim();
    if let Some(p) = palette.get(s) {
        return parse_color(p, &BTreeMap::new(), truecolor);
    }
    let lower = s.to_ascii_lowercase();
    if let Some((_, c)) = NAMED.iter().find(|(n, _)| *n == lower) {
        return Ok(*c);
    }
    if let Some(n) = lower
        .strip_prefix("ansi(")
        .and_then(|r| r.strip_suffix(')'))
    {
        return n
            .parse::<u8>()
            .map(Color::Indexed)
            .map_err(|_| format!("invalid colour {s:?}: ansi(N) takes 0-255"));
    }
    if let Some(hex) = s.strip_prefix('#')
        && hex.len() == 6
        && let Ok(v) = u32::from_str_radix(hex, 16)
    {
        let (r, g, b) = ((v >> 16) as u8, (v >> 8) as u8, v as u8);
        return Ok(if truecolor {
            Color::Rgb(r, g, b)
        } else {
            nearest16(r, g, b)
        });
    }
    Err(format!(
        "unknown colour {s:?}: use a palette name, one of {}, ansi(N), or #rrggbb",
        NAMED.iter().map(|(n, _)| *n).collect::<Vec<_>>().join(", ")
    ))
}

impl Theme {
    /// The style of a slot (text style when the slot is unknown).
    pub fn style(&self, slot: &str) -> Style {
        self.styles
            .get(slot)
            .or_else(|| self.styles.get("text"))
            .copied()
            .unwrap_or_default()
    }

    pub fn builtin_names() -> Vec<&'static str> {
        BUILTIN.iter().map(|(n, _)| *n).collect()
    }

    /// A shipped theme.
    pub fn builtin(name: &str) -> Option<Theme> {
        let (_, text) = BUILTIN.iter().find(|(n, _)| *n == name)?;
        Theme::parse(&format!("themes/{name}.toml"), text, name, &|_| None, false)
            .ok()
            .map(|(t, _)| t)
    }

    /// Parses theme `text`; `lookup` finds a theme to inherit by name (user themes
    /// first, then the shipped ones). Returns the theme and warnings, or errors.
    pub fn parse(
        file: &str,
        text: &str,
        name: &str,
        lookup: &dyn Fn(&str) -> Option<Theme>,
        truecolor: bool,
    ) -> Result<(Theme, Vec<Diag>), Vec<Diag>> {
        let tf: ThemeFile =
            toml::from_str(text).map_err(|e| vec![Diag::from_toml(file, text, &e)])?;
        let mut errors = Vec::new();
        let mut warnings = Vec::new();
        let base = match &tf.inherits {
            Some(parent) => {
                let p = parent.get_ref();
                let found = if p == name {
                    None
                } else {
                    lookup(p).or_else(|| Theme::builtin(p))
                };
                match found {
                    Some(t) => t,
                    None => {
                        errors.push(Diag::error(
                            file,
                            text,
                            parent.span().start,
                            format!(
                                "inherits unknown theme {p:?} (shipped: {})",
                                Theme::builtin_names().join(", ")
                            ),
                        ));
                        Theme {
                            name: name.into(),
                            styles: BTreeMap::new(),
                        }
                    }
                }
            }
            None if name == "default" => Theme {
                name: name.into(),
                styles: BTreeMap::new(),
            },
            None => Theme::builtin("default").unwrap_or(Theme {
                name: name.into(),
                styles: BTreeMap::new(),
            }),
        };
        let palette: BTreeMap<String, String> = tf
            .palette
            .iter()
            .map(|(k, v)| (k.clone(), v.get_ref().clone()))
            .collect();
        for (k, v) in &tf.palette {
            if let Err(e) = parse_color(v.get_ref(), &BTreeMap::new(), truecolor) {
                errors.push(Diag::error(
                    file,
                    text,
                    v.span().start,
                    format!("palette {k:?}: {e}"),
                ));
            }
        }
        let mut styles = base.styles.clone();
        let mut entries: Vec<_> = tf.styles.iter().collect();
        entries.sort_by_key(|(k, _)| k.span().start);
        for (slot, spec) in entries {
            if !SLOTS.contains(&slot.get_ref().as_str()) {
                warnings.push(Diag::warning(
                    file,
                    text,
                    slot.span().start,
                    format!("unknown slot {:?} is ignored", slot.get_ref()),
                ));
                continue;
            }
            let mut st = Style::default();
            for (which, c) in [("fg", &spec.fg), ("bg", &spec.bg)] {
                if let Some(c) = c {
                    match parse_color(c.get_ref(), &palette, truecolor) {
                        Ok(col) => {
                            st = if which == "fg" {
                                st.fg(col)
                            } else {
                                st.bg(col)
                            };
                        }
                        Err(e) => errors.push(Diag::error(file, text, c.span().start, e)),
                    }
                }
            }
            for (on, m) in [
                (spec.bold, Modifier::BOLD),
                (spec.dim, Modifier::DIM),
                (spec.italic, Modifier::ITALIC),
                (spec.underlined, Modifier::UNDERLINED),
                (spec.reversed, Modifier::REVERSED),
            ] {
                if on {
                    st = st.add_modifier(m);
                }
            }
            styles.insert(slot.get_ref().clone(), st);
        }
        if errors.is_empty() {
            Ok((
                Theme {
                    name: name.into(),
                    styles,
                },
                warnings,
            ))
        } else {
            Err(errors)
        }
    }

    /// Resolves the theme to use: `NO_COLOR` forces `mono`; otherwise `name` from the
    /// user's themes dir, else a shipped one. Problems come back as diagnostics, with
    /// the default theme in their place.
    pub fn resolve(name: &str, themes_dir: &Path, no_color: bool) -> (Theme, Vec<Diag>) {
        Theme::resolve_for(name, themes_dir, no_color, None)
    }

    /// As `resolve`; `asked_at` (file, line) is where the name was given, named in
    /// the error when no such theme exists.
    pub fn resolve_for(
        name: &str,
        themes_dir: &Path,
        no_color: bool,
        asked_at: Option<(&str, usize)>,
    ) -> (Theme, Vec<Diag>) {
        if no_color {
            return (
                Theme::builtin("mono").unwrap_or_else(Theme::fallback),
                Vec::new(),
            );
        }
        let default = || Theme::builtin("default").unwrap_or_else(Theme::fallback);
        let tc = truecolor();
        let user = |n: &str| -> Result<Option<(String, String)>, Diag> {
            let p = themes_dir.join(format!("{n}.toml"));
            Ok(super::read_file(&p)?.map(|t| (p.display().to_string(), t)))
        };
        let lookup = |n: &str| -> Option<Theme> {
            let (f, t) = user(n).ok()??;
            Theme::parse(&f, &t, n, &|_| None, tc).ok().map(|(t, _)| t)
        };
        match user(name) {
            Ok(Some((file, text))) => {
                return match Theme::parse(&file, &text, name, &lookup, tc) {
                    Ok((t, w)) => (t, w),
                    Err(e) => (default(), e),
                };
            }
            Ok(None) => {}
            Err(d) => return (default(), vec![d]),
        }
        match Theme::builtin(name) {
            Some(t) => (t, Vec::new()),
            None => {
                let (file, line) = asked_at.map_or_else(
                    || {
                        (
                            themes_dir
                                .join(format!("{name}.toml"))
                                .display()
                                .to_string(),
                            0,
                        )
                    },
                    |(f, l)| (f.to_string(), l),
                );
                (
                    default(),
                    vec![Diag {
                        file,
                        line,
                        col: 1,
                        message: format!(
                            "theme {name:?} not found: neither {} nor a shipped theme ({}); the default theme is used",
                            themes_dir.join(format!("{name}.toml")).display(),
                            Theme::builtin_names().join(", ")
                        ),
                        warning: false,
                    }],
                )
            }
        }
    }

    fn fallback() -> Theme {
        Theme {
            name: "fallback".into(),
            styles: BTreeMap::new(),
        }
    }

    /// Whether any slot uses a colour (mono uses none).
    /// Whether every colour it uses is one of the 16 named ones (then only the 16
    /// ANSI codes need be sent, whatever the terminal announces).
    pub fn named_only(&self) -> bool {
        self.styles.values().all(|s| {
            [s.fg, s.bg]
                .iter()
                .flatten()
                .all(|c| !matches!(c, Color::Rgb(..) | Color::Indexed(_)))
        })
    }

    pub fn has_colour(&self) -> bool {
        self.styles.values().any(|s| {
            s.fg.is_some_and(|c| c != Color::Reset) || s.bg.is_some_and(|c| c != Color::Reset)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_selected_row_keeps_every_severity_readable() {
        // Saturated dark colours read badly on one another (red on blue was the
        // light theme's selected CRIT row).
        let dark = |c: Color| {
            matches!(
                c,
                Color::Red
                    | Color::Blue
                    | Color::Magenta
                    | Color::Green
                    | Color::Black
                    | Color::DarkGray
            )
        };
        for name in Theme::builtin_names() {
            let t = Theme::builtin(name).unwrap();
            let Some(bg) = t.style("table.selected").bg else {
                continue;
            };
            for sev in [
                "severity.crit",
                "severity.warn",
                "severity.info",
                "severity.ok",
            ] {
                let st = t.style(sev);
                if st.bg.is_some() {
                    continue; // it brings its own background
                }
                let Some(fg) = st.fg else { continue };
                assert!(fg != bg, "{name}: {sev} on the selected row is invisible");
                assert!(
                    !(dark(fg) && dark(bg)),
                    "{name}: {sev} ({fg:?}) on the selected row ({bg:?}) is hard to read"
                );
            }
        }
    }

    #[test]
    fn shipped_themes_parse_and_cover_every_slot() {
        for (name, text) in BUILTIN {
            let (t, warnings) =
                Theme::parse(&format!("themes/{name}.toml"), text, name, &|_| None, false)
                    .unwrap_or_else(|e| panic!("{name}: {e:?}"));
            assert!(warnings.is_empty(), "{name}: {warnings:?}");
            for slot in SLOTS {
                assert!(t.styles.contains_key(*slot), "{name} lacks slot {slot}");
            }
        }
        // The default theme is 16-colour safe; mono uses no colour at all.
        let d = Theme::builtin("default").unwrap();
        assert!(d.styles.values().all(
            |s| !matches!(s.fg, Some(Color::Rgb(..))) && !matches!(s.bg, Some(Color::Rgb(..)))
        ));
        assert!(!Theme::builtin("mono").unwrap().has_colour());
        // The default theme names its colours: only the 16 codes go out for it.
        assert!(d.named_only());
    }

    #[test]
    fn user_theme_inherits_palette_and_reports_problems() {
        let text = "inherits = \"light\"\n[palette]\nhot = \"#ff1010\"\n[styles]\n\"severity.crit\" = { fg = \"hot\", bold = true }\n\"no.such.slot\" = { fg = \"red\" }\n";
        let (t, w) = Theme::parse("mine.toml", text, "mine", &|_| None, false).unwrap();
        assert_eq!(t.style("severity.crit").fg, Some(Color::LightRed));
        assert_eq!(w.len(), 1);
        assert!(
            w[0].to_string()
                .starts_with("mine.toml:6:1: warning: unknown slot")
        );
        let light = Theme::builtin("light").unwrap();
        assert_eq!(t.style("table.header"), light.style("table.header"));
        let (tc, _) = Theme::parse("mine.toml", text, "mine", &|_| None, true).unwrap();
        assert_eq!(tc.style("severity.crit").fg, Some(Color::Rgb(255, 16, 16)));
        let bad = "[styles]\n\"text\" = { fg = \"chartreuse\" }\n";
        let e = Theme::parse("bad.toml", bad, "bad", &|_| None, false).unwrap_err();
        assert!(
            e[0].to_string().starts_with("bad.toml:2:") && e[0].message.contains("unknown colour"),
            "{e:?}"
        );
        let bad_field = "[styles]\n\"text\" = { colour = \"red\" }\n";
        let e = Theme::parse("bad.toml", bad_field, "bad", &|_| None, false).unwrap_err();
        assert_eq!(e[0].line, 2);
        let bad_parent = "inherits = \"nope\"\n";
        assert!(
            Theme::parse("p.toml", bad_parent, "p", &|_| None, false).unwrap_err()[0]
                .message
                .contains("unknown theme")
        );
    }

    #[test]
    fn no_color_forces_mono() {
        let (t, d) = Theme::resolve("default", Path::new("/nonexistent"), true);
        assert_eq!(t.name, "mono");
        assert!(d.is_empty());
        let (t, d) = Theme::resolve("nope", Path::new("/nonexistent"), false);
        assert_eq!(t.name, "default");
        assert!(d[0].message.contains("not found"));
    }
}
