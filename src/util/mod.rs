//! Small pure helpers shared by the console and the simulated cluster.

pub mod glob;
