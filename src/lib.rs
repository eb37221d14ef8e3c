//! kdeck: a terminal operations console for on-call engineers. Live views of a fleet
//! across namespaces and contexts, HTTP health, backups and alerts, and guarded,
//! audited actions. The library holds everything; `main.rs` only parses the command
//! line and dispatches.

pub mod actions;
pub mod alloc;
pub mod app;
pub mod audit;
pub mod cli;
pub mod cluster;
pub mod config;
pub mod fleet;
pub mod probe;
pub mod sim;
pub mod ui;
pub mod util;
