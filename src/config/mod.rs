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
}

impl<C> Loaded<C> {
    pub fn errors(&self) -> impl Iterator<Item = &Diag> {
        self.diagnostics.iter().filter(|d| !d.warning)
    }
}

/// Loads config.toml, the theme and the keymap (of the app's commands `C`) from `paths`.
pub fn load<C: Bindable>(paths: &Paths, no_color: bool) -> Loaded<C> {
    let mut diagnostics = Vec::new();
    let config = match Config::load(&paths.config_file()) {
        Ok((c, w)) => {
            diagnostics.extend(w);
            c
        }
        Err(e) => {
            diagnostics.extend(e);
            Config::default()
        }
    };
    let (theme, d) = Theme::resolve(
        config.theme.as_deref().unwrap_or("default"),
        &paths.themes_dir(),
        no_color,
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
    }
}

fn merge_user_keymap<C: Bindable>(keymap: &mut Keymap<C>, path: &Path) -> Vec<Diag> {
    match std::fs::read_to_string(path) {
        Ok(text) => match keymap.merge(&path.display().to_string(), &text) {
            Ok(w) => w,
            Err(e) => e,
        },
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Vec::new(),
        Err(e) => vec![Diag {
            file: path.display().to_string(),
            line: 0,
            col: 0,
            message: format!("cannot read: {e}"),
            warning: false,
        }],
    }
}

/// Whether `NO_COLOR` asks for no colour (set and non-empty).
pub fn no_color() -> bool {
    std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty())
}
