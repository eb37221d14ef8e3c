//! The console's state machine and the loop around it. Events (keys, reports from
//! sources, the clock, signals) enter through `Console::step`, which applies them
//! (`update`), rebuilds derived rows and returns the effects to run; the `Engine`
//! waits for events and hands effects to the `Runtime`. `render` (in `ui`) only reads
//! the state.

pub mod apply;
pub mod browse;
pub mod command;
pub mod console;
pub mod effect;
pub mod engine;
pub mod event;
pub mod focus;
pub mod forwards;
pub mod guard;
pub mod ingest;
pub mod input;
pub mod keys;
pub mod lists;
pub mod logs;
pub mod nav;
pub mod noticed;
pub mod quit;
pub mod record;
pub mod runtime;
pub mod sort;
pub mod state;
pub mod testkit;
pub mod transitions;
pub mod typed;
mod update;

pub use console::Console;
pub use effect::Effect;
pub use event::{Done, Event};
pub use state::State;

#[cfg(test)]
mod tests;
