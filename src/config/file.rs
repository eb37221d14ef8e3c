//! `config.toml`: default contexts and namespaces, theme and keymap, safety settings
//! (read-only, protected globs) and per-context overrides. Parse errors name file,
//! line and column; unknown keys are warnings (with their line), never silence.
//!
//! ```toml
//! theme = "default"          # default, light, high-contrast, mono, or a file in themes/
//! keymap = "default"         # default or vim (keymap.toml merges over it)
//! contexts = ["prod-eks"]    # watched when no --context is given
//! namespaces = []            # watched when no -n/-A is given (empty: all)
//! readonly = false           # true: no action can run
//! protected = ["*prod*"]     # namespace/context globs that need the typed name to confirm
//!
//! [context.prod-eks]
//! readonly = true
//! protected = true
//! namespaces = ["payments"]
//! ```

use std::collections::BTreeMap;
use std::path::Path;

use serde::Deserialize;

use super::diag::{Diag, key_offset};
use crate::util::glob;

/// Protected globs when the config names none.
pub const DEFAULT_PROTECTED: &[&str] = &["*prod*"];

#[derive(Deserialize, Debug, Clone, Default, PartialEq)]
pub struct ContextSettings {
    pub readonly: Option<bool>,
    pub protected: Option<bool>,
    pub namespaces: Option<Vec<String>>,
}

#[derive(Deserialize, Debug, Clone, Default, PartialEq)]
pub struct Config {
    pub theme: Option<String>,
    pub keymap: Option<String>,
    #[serde(default)]
    pub contexts: Vec<String>,
    #[serde(default)]
    pub namespaces: Vec<String>,
    #[serde(default)]
    pub readonly: bool,
    pub protected: Option<Vec<String>>,
    #[serde(default)]
    pub context: BTreeMap<String, ContextSettings>,
}

impl Config {
    /// Parses `text` (from `file`): the config and warnings, or errors.
    pub fn parse(file: &str, text: &str) -> Result<(Config, Vec<Diag>), Vec<Diag>> {
        let de =
            toml::Deserializer::parse(text).map_err(|e| vec![Diag::from_toml(file, text, &e)])?;
        let mut unknown: Vec<String> = Vec::new();
        let cfg: Config = serde_ignored::deserialize(de, |path| unknown.push(path.to_string()))
            .map_err(|e| vec![Diag::from_toml(file, text, &e)])?;
        let mut warnings: Vec<Diag> = unknown
            .into_iter()
            .map(|path| {
                let (section, key) = match path.rsplit_once('.') {
                    Some((s, k)) => (s.to_string(), k.to_string()),
                    None => (String::new(), path.clone()),
                };
                Diag::warning(
                    file,
                    text,
                    key_offset(text, &section, &key),
                    format!("unknown setting {path:?} is ignored"),
                )
            })
            .collect();
        for (name, c) in &cfg.context {
            if c.namespaces.as_ref().is_some_and(|n| n.is_empty()) {
                warnings.push(Diag::warning(
                    file,
                    text,
                    key_offset(text, &format!("context.{name}"), "namespaces"),
                    "an empty namespaces list means all namespaces",
                ));
            }
        }
        if let Some(k) = &cfg.keymap
            && !["default", "vim"].contains(&k.as_str())
        {
            return Err(vec![Diag::error(
                file,
                text,
                key_offset(text, "", "keymap"),
                format!(
                    "unknown keymap {k:?}: use \"default\" or \"vim\" (and keymap.toml for your own bindings)"
                ),
            )]);
        }
        Ok((cfg, warnings))
    }

    /// Loads `path` if it exists (a missing file is the default configuration).
    pub fn load(path: &Path) -> Result<(Config, Vec<Diag>), Vec<Diag>> {
        match std::fs::read_to_string(path) {
            Ok(text) => Config::parse(&path.display().to_string(), &text),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                Ok((Config::default(), Vec::new()))
            }
            Err(e) => Err(vec![Diag {
                file: path.display().to_string(),
                line: 0,
                col: 0,
                message: format!("cannot read: {e}"),
                warning: false,
            }]),
        }
    }

    pub fn protected_globs(&self) -> Vec<String> {
        self.protected
            .clone()
            .unwrap_or_else(|| DEFAULT_PROTECTED.iter().map(|s| s.to_string()).collect())
    }

    /// Whether acting in `namespace` of `context` needs the typed confirmation.
    pub fn is_protected(&self, context: &str, namespace: &str) -> bool {
        if let Some(p) = self.context.get(context).and_then(|c| c.protected) {
            return p
                || self
                    .protected_globs()
                    .iter()
                    .any(|g| glob::matches(g, namespace));
        }
        self.protected_globs()
            .iter()
            .any(|g| glob::matches(g, namespace) || glob::matches(g, context))
    }

    pub fn is_readonly(&self, context: &str) -> bool {
        self.readonly
            || self
                .context
                .get(context)
                .and_then(|c| c.readonly)
                .unwrap_or(false)
    }

    /// Namespaces to watch in `context` when the command line names none.
    pub fn namespaces_for(&self, context: &str) -> Vec<String> {
        self.context
            .get(context)
            .and_then(|c| c.namespaces.clone())
            .unwrap_or_else(|| self.namespaces.clone())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_settings_and_per_context_overrides() {
        let text = "theme = \"light\"\nkeymap = \"vim\"\nnamespaces = [\"a\"]\n[context.prod-eks]\nreadonly = true\nnamespaces = [\"payments\"]\n";
        let (c, w) = Config::parse("config.toml", text).unwrap();
        assert!(w.is_empty(), "{w:?}");
        assert_eq!(c.theme.as_deref(), Some("light"));
        assert!(c.is_readonly("prod-eks"));
        assert!(!c.is_readonly("dev"));
        assert_eq!(c.namespaces_for("prod-eks"), vec!["payments"]);
        assert_eq!(c.namespaces_for("dev"), vec!["a"]);
        assert!(c.is_protected("dev", "flextime-production"));
        // The context's name matches the default `*prod*` glob.
        assert!(c.is_protected("prod-eks", "x"));
        let off = Config::parse("c", "[context.prod-eks]\nprotected = false\n")
            .unwrap()
            .0;
        assert!(!off.is_protected("prod-eks", "x"));
        assert!(
            off.is_protected("prod-eks", "production"),
            "namespace globs still apply"
        );
        assert!(!c.is_protected("dev", "staging"));
    }

    #[test]
    fn unknown_keys_warn_with_lines_and_bad_types_error() {
        let text = "theme = \"light\"\ncolour = \"red\"\n[context.x]\nreadonyl = true\n";
        let (_, w) = Config::parse("c.toml", text).unwrap();
        let w: Vec<String> = w.iter().map(|d| d.to_string()).collect();
        assert!(
            w.iter()
                .any(|d| d.starts_with("c.toml:2:1: warning: unknown setting \"colour\"")),
            "{w:?}"
        );
        assert!(
            w.iter()
                .any(|d| d.starts_with("c.toml:4:1: warning") && d.contains("readonyl")),
            "{w:?}"
        );
        let e = Config::parse("c.toml", "readonly = \"yes\"\n").unwrap_err();
        assert_eq!(e[0].line, 1);
        assert!(e[0].to_string().contains("error"));
        let e = Config::parse("c.toml", "theme = \n").unwrap_err();
        assert_eq!(e[0].line, 1);
        let e = Config::parse("c.toml", "x = 1\nkeymap = \"emacs\"\n").unwrap_err();
        assert_eq!(
            (e[0].line, e[0].message.contains("unknown keymap")),
            (2, true)
        );
    }

    #[test]
    fn protection_defaults_to_prod_globs() {
        let c = Config::default();
        assert!(c.is_protected("kdeck-sim", "team-dashboard-prod"));
        assert!(c.is_protected("prod-cluster", "anything"));
        let custom = Config::parse("c", "protected = [\"payments\"]\n")
            .unwrap()
            .0;
        assert!(!custom.is_protected("kdeck-sim", "flextime-production"));
        assert!(custom.is_protected("kdeck-sim", "payments"));
    }
}
