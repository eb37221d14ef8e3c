//! Small pure helpers shared by the console and the simulated cluster.

pub mod age;
pub mod duration;
pub mod glob;
pub mod quantity;
pub mod sanitize;
pub mod selector;
