//! Logging to a file (never to the terminal while a UI runs): `tracing` with an
//! env-filter level, appending to a file under the state directory that only its
//! owner can read.

use std::path::Path;

/// Starts logging to `file` at `level` (`error`…`trace`, or a filter expression).
/// Returns an error message if the file cannot be opened; the caller decides whether
/// that is fatal.
pub fn init(file: &Path, level: &str) -> Result<(), String> {
    if let Some(dir) = file.parent() {
        std::fs::create_dir_all(dir)
            .map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    }
    use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
    // Only the person running kdeck may read its log (mode 0600), also when the
    // file existed with looser permissions.
    let f = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .mode(0o600)
        .open(file)
        .map_err(|e| format!("cannot open log file {}: {e}", file.display()))?;
    f.set_permissions(std::fs::Permissions::from_mode(0o600))
        .map_err(|e| format!("cannot restrict log file {}: {e}", file.display()))?;
    let filter = tracing_subscriber::EnvFilter::try_new(level)
        .map_err(|e| format!("invalid --log-level {level:?}: {e}"))?;
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::sync::Mutex::new(f))
        .with_ansi(false)
        .try_init()
        .map_err(|e| format!("logging already initialised: {e}"))
}
