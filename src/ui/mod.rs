//! The terminal UI: the app loop (events in, `update`, effects out, draw at most ~30
//! times a second when something changed), terminal setup and restoration, and one
//! file per view.

pub mod alerts;
pub mod ansi16;
pub mod app;
pub mod audit;
pub mod backups;
pub mod describe;
pub mod dialog;
pub mod dialog_exec;
pub mod entry;
pub mod events;
pub mod footer;
pub mod forwards;
pub mod header;
pub mod health;
pub mod help;
pub mod hpas;
pub mod input;
pub mod kinds;
pub mod logs;
pub mod overview;
pub mod pods;
pub mod quiet;
pub mod render;
pub mod replay;
pub mod resources;
pub mod scope;
pub mod services;
pub mod shell;
pub mod table;
pub mod terminal;
pub mod timeline;
pub mod widgets;
pub mod workloads;
pub mod yaml;
