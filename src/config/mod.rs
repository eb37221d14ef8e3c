//! Configuration: paths, the config file, themes and keymaps (parsed, merged over the
//! embedded defaults, errors reported with file and line).

pub mod diag;
pub mod file;
pub mod keymap;
pub mod paths;
pub mod theme;

pub use paths::Paths;

use std::path::Path;

use diag::Diag;
use file::Config;
use keymap::{Bindable, Keymap};
use theme::Theme;

/// Everything read from the config directory, with every problem found. Errors leave
/// the defaults in place (the person can continue); they are never panics.
pub struct Loaded<C> {
    pub config: Config,
    pub theme: Theme,
    pub keymap: Keymap<C>,
    pub diagnostics: Vec<Diag>,
    /// config.toml could not be read or parsed: the console starts read-only (fail
    /// closed: whatever locks the file asked for are at least this strict), with this
    /// error in its header, until the file is fixed.
    pub locked: Option<Diag>,
}

impl<C> Loaded<C> {
    pub fn errors(&self) -> impl Iterator<Item = &Diag> {
        self.diagnostics.iter().filter(|d| !d.warning)
    }
}

/// Loads config.toml, the theme and the keymap (of the app's commands `C`) from `paths`.
pub fn load<C: Bindable>(paths: &Paths, no_color: bool) -> Loaded<C> {
    let mut diagnostics = Vec::new();
    let mut locked = None;
    let config_file = paths.config_file();
    let config = match Config::load(&config_file) {
        Ok((c, w)) => {
            diagnostics.extend(w);
            c
        }
        Err(e) => {
            locked = e.first().cloned();
            diagnostics.extend(e);
            Config::default()
        }
    };
    let file = config_file.display().to_string();
    let (theme, d) = Theme::resolve_for(
        config.theme.as_deref().unwrap_or("default"),
        &paths.themes_dir(),
        no_color,
        Some((&file, config.theme_line)),
    );
    diagnostics.extend(d);
    let mut keymap =
        Keymap::builtin(config.keymap.as_deref().unwrap_or("default")).unwrap_or_default();
    diagnostics.extend(merge_user_keymap(&mut keymap, &paths.keymap_file()));
    Loaded {
        config,
        theme,
        keymap,
        diagnostics,
        locked,
    }
}

/// The text of a config, theme or keymap file (`None`: there is none), read only if
/// it is a regular file of at most 1 MiB.
pub fn read_file(path: &Path) -> Result<Option<String>, Diag> {
    crate::util::fs::read_bounded(path, crate::util::fs::CONFIG_MAX).map_err(|message| Diag {
        file: path.display().to_string(),
        line: 0,
        col: 0,
        message,
        warning: false,
    })
}

/// Merges the person's keymap file over `keymap` (all of it, or nothing on an error).
pub fn merge_user_keymap<C: Bindable>(keymap: &mut Keymap<C>, path: &Path) -> Vec<Diag> {
    match read_file(path) {
        Ok(Some(text)) => match keymap.merge(&path.display().to_string(), &text) {
            Ok(w) => w,
            Err(e) => e,
        },
        Ok(None) => Vec::new(),
        Err(d) => vec![d],
    }
}

/// Whether `NO_COLOR` asks for no colour (set and non-empty).
pub fn no_color() -> bool {
    std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty())
}
