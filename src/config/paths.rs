//! Where kdeck keeps things: config (themes, keymaps, config.toml), data (the audit
//! log, recordings) and state (logs, the simulated cluster's kubeconfig), from the
//! platform's conventions via `directories`, each overridable by an environment
//! variable (`KDECK_CONFIG_DIR`, `KDECK_DATA_DIR`, `KDECK_STATE_DIR`).

use std::path::PathBuf;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Paths {
    pub config_dir: PathBuf,
    pub data_dir: PathBuf,
    pub state_dir: PathBuf,
}

fn env_dir(var: &str) -> Option<PathBuf> {
    std::env::var_os(var)
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
}

impl Paths {
    /// Resolves the directories (nothing is created).
    pub fn resolve() -> Paths {
        let dirs = directories::ProjectDirs::from("io", "kdeck", "kdeck");
        let fallback = std::env::temp_dir().join("kdeck");
        let config_dir = env_dir("KDECK_CONFIG_DIR")
            .or_else(|| dirs.as_ref().map(|d| d.config_dir().to_path_buf()))
            .unwrap_or_else(|| fallback.join("config"));
        let data_dir = env_dir("KDECK_DATA_DIR")
            .or_else(|| dirs.as_ref().map(|d| d.data_dir().to_path_buf()))
            .unwrap_or_else(|| fallback.join("data"));
        let state_dir = env_dir("KDECK_STATE_DIR")
            .or_else(|| {
                dirs.as_ref()
                    .and_then(|d| d.state_dir().map(|p| p.to_path_buf()))
            })
            .or_else(|| dirs.as_ref().map(|d| d.data_local_dir().join("state")))
            .unwrap_or_else(|| fallback.join("state"));
        Paths {
            config_dir,
            data_dir,
            state_dir,
        }
    }

    pub fn config_file(&self) -> PathBuf {
        self.config_dir.join("config.toml")
    }

    pub fn themes_dir(&self) -> PathBuf {
        self.config_dir.join("themes")
    }

    pub fn keymap_file(&self) -> PathBuf {
        self.config_dir.join("keymap.toml")
    }

    pub fn audit_dir(&self) -> PathBuf {
        self.data_dir.join("audit")
    }

    pub fn log_file(&self) -> PathBuf {
        self.state_dir.join("kdeck.log")
    }

    pub fn sim_kubeconfig(&self) -> PathBuf {
        self.state_dir.join("sim-kubeconfig.yaml")
    }
}
