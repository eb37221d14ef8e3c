//! Configuration: paths, the config file, themes and keymaps (parsed, merged over the
//! embedded defaults, errors reported with file and line).

pub mod paths;

pub use paths::Paths;
