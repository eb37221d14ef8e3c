//! Configuration: paths, the config file, themes and keymaps (parsed, merged over the
//! embedded defaults, errors reported with file and line).

pub mod diag;
pub mod file;
pub mod keymap;
pub mod paths;
pub mod theme;

pub use paths::Paths;
