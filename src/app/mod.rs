//! The console's state machine: messages from sources and actions from keys go
//! through `update(&mut State, …)`, which returns effects to run; `render` (in `ui`)
//! only reads the state.

pub mod action;
pub mod command;
pub mod effect;
pub mod guard;
pub mod input;
pub mod lists;
pub mod logs;
pub mod msg;
pub mod state;
pub mod store;
pub mod testkit;
pub mod transitions;
pub mod update;

pub use effect::Effect;
pub use state::State;
pub use update::{Event, update};
