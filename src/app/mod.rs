//! The console's state machine: messages from sources and actions from keys go
//! through `update(&mut State, …)`, which returns effects to run; `render` (in `ui`)
//! only reads the state.

pub mod action;
pub mod msg;
pub mod store;
