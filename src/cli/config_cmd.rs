//! `kdeck config paths` prints every path kdeck reads or writes; `kdeck config check`
//! validates config.toml, every theme in the themes dir and keymap.toml, printing each
//! problem as `file:line:col: …` (exit 1 if any is an error).

use std::process::ExitCode;

use super::ConfigCommand;
use crate::config::diag::Diag;
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
    // What the console itself would load (config, the theme it names, the keymap),
    // with every problem the console would have, grouped by file.
    let loaded = config::load::<crate::app::command::Command>(paths, false);
    let of = |p: &std::path::Path| -> Vec<Diag> {
        let name = p.display().to_string();
        loaded
            .diagnostics
            .iter()
            .filter(|d| d.file == name)
            .cloned()
            .collect()
    };
    let cfg_path = paths.config_file();
    match config::read_file(&cfg_path) {
        Ok(None) => println!("absent  {} (defaults apply)", cfg_path.display()),
        _ => report(&cfg_path, &of(&cfg_path), &mut errors),
    }
    if loaded.locked.is_some() {
        println!("        the console would start read-only until this file is fixed");
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
        let (_, diags) = Theme::resolve(&name, &themes, false);
        report(&p, &diags, &mut errors);
    }
    let km = paths.keymap_file();
    match config::read_file(&km) {
        Ok(None) => println!("absent  {} (the default keymap applies)", km.display()),
        _ => report(&km, &of(&km), &mut errors),
    }
    // Anything else the load found (an unknown theme is named where it was asked for,
    // in config.toml, and counted there).
    if errors > 0 {
        println!("{errors} error(s)");
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}
