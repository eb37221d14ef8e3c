//! Small pure helpers shared by the console and the simulated cluster, and the
//! process-level plumbing every layer may use (logging, signals): the ground floor.

pub mod age;
pub mod cron;
pub mod duration;
pub mod fs;
pub mod glob;
pub mod logging;
pub mod quantity;
pub mod sanitize;
pub mod selector;
pub mod severity;
pub mod signals;
pub mod thread;
