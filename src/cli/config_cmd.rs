//! `kdeck config paths` prints every path kdeck reads or writes; `kdeck config check`
//! validates config.toml, every theme in the themes dir and keymap.toml, printing each
//! problem as `file:line:col: …` (exit 1 if any is an error).

use std::process::ExitCode;

use super::ConfigCommand;
use crate::config::diag::Diag;
use crate::config::file::Config;
use crate::config::keymap::Keymap;
use crate::config::theme::Theme;
use crate::config::{self, Paths};

pub fn run(cmd: &ConfigCommand, data_dir: Option<&std::path::Path>) -> ExitCode {
    let mut paths = Paths::resolve();
    if let Some(d) = data_dir {
        paths.data_dir = d.to_path_buf();
    }
    match cmd {
        ConfigCommand::Paths => {
            let rows = [
                ("config dir", paths.config_dir.clone()),
                ("config file", paths.config_file()),
                ("themes dir", paths.themes_dir()),
                ("keymap file", paths.keymap_file()),
                ("data dir", paths.data_dir.clone()),
                ("audit log dir", paths.audit_dir()),
                ("state dir", paths.state_dir.clone()),
                ("log file", paths.log_file()),
                ("sim kubeconfig", paths.sim_kubeconfig()),
                (
                    "demo kubeconfig",
                    paths.state_dir.join("demo-kubeconfig.yaml"),
                ),
            ];
            for (what, p) in rows {
                let exists = if p.exists() {
                    ""
                } else {
                    "  (not created yet)"
                };
                println!("{what:<16} {}{exists}", p.display());
            }
            ExitCode::SUCCESS
        }
        ConfigCommand::Check => check(&paths),
    }
}

fn report(file: &std::path::Path, diags: &[Diag], errors: &mut usize) {
    if diags.is_empty() {
        println!("ok      {}", file.display());
    }
    for d in diags {
        if !d.warning {
            *errors += 1;
        }
        println!("{d}");
    }
}

fn check(paths: &Paths) -> ExitCode {
    let mut errors = 0usize;
    let cfg_path = paths.config_file();
    if cfg_path.exists() {
        let diags = match Config::load(&cfg_path) {
            Ok((_, w)) => w,
            Err(e) => e,
        };
        report(&cfg_path, &diags, &mut errors);
    } else {
        println!("absent  {} (defaults apply)", cfg_path.display());
    }
    let themes = paths.themes_dir();
    let mut names: Vec<std::path::PathBuf> = std::fs::read_dir(&themes)
        .map(|d| {
            d.filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| p.extension().is_some_and(|x| x == "toml"))
                .collect()
        })
        .unwrap_or_default();
    names.sort();
    for p in names {
        let name = p
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default();
        let diags = match std::fs::read_to_string(&p) {
            Ok(text) => {
                let dir = themes.clone();
                let lookup = move |n: &str| -> Option<Theme> {
                    let t = std::fs::read_to_string(dir.join(format!("{n}.toml"))).ok()?;
                    Theme::parse(n, &t, n, &|_| None, false)
                        .ok()
                        .map(|(t, _)| t)
                };
                match Theme::parse(&p.display().to_string(), &text, &name, &lookup, false) {
                    Ok((_, w)) => w,
                    Err(e) => e,
                }
            }
            Err(e) => vec![Diag {
                file: p.display().to_string(),
                line: 0,
                col: 0,
                message: format!("cannot read: {e}"),
                warning: false,
            }],
        };
        report(&p, &diags, &mut errors);
    }
    let km = paths.keymap_file();
    if km.exists() {
        let loaded = config::load::<crate::app::command::Command>(paths, false);
        let base = loaded
            .config
            .keymap
            .clone()
            .unwrap_or_else(|| "default".into());
        let mut k = Keymap::<crate::app::command::Command>::builtin(&base).unwrap_or_default();
        let diags = match std::fs::read_to_string(&km) {
            Ok(text) => match k.merge(&km.display().to_string(), &text) {
                Ok(w) => w,
                Err(e) => e,
            },
            Err(e) => vec![Diag {
                file: km.display().to_string(),
                line: 0,
                col: 0,
                message: format!("cannot read: {e}"),
                warning: false,
            }],
        };
        report(&km, &diags, &mut errors);
    } else {
        println!("absent  {} (the default keymap applies)", km.display());
    }
    if errors > 0 {
        println!("{errors} error(s)");
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}
