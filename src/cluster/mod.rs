//! Talking to clusters: kubeconfig contexts and clients, kube-runtime watchers that
//! turn API objects into compact records, liveness pings, metrics polling, log
//! streams and on-demand fetches. Everything here runs as background tasks that send
//! typed messages to the app; nothing here touches UI state.

pub mod contexts;
pub mod fetch;
pub mod logs;
pub mod model;
pub mod probes;
pub mod slim;
pub mod snapshots;
pub mod watch;
