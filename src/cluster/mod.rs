//! Talking to clusters: kubeconfig contexts and clients, the kinds the console
//! watches (declared once, in `kinds`), the per-context store of their records,
//! kube-runtime watchers that fill it, liveness pings, metrics polling, log streams
//! and on-demand fetches. Everything here runs as background tasks that send typed
//! messages (`msg::Msg`) to the app; nothing here knows the app or touches UI state.

pub mod contexts;
pub mod credentials;
pub mod discovery;
pub mod exec;
pub mod fetch;
pub mod forward;
pub mod http_client;
pub mod kinds;
pub mod link;
pub mod logs;
pub mod metrics;
pub mod msg;
pub mod ping;
pub mod publish;
pub mod raw;
pub mod snapshots;
pub mod store;
pub mod table;
pub mod watch;
pub mod watch_stream;
