//! What the cluster's sources (watchers, pings, metrics, log streams, fetches,
//! discovery) report: plain data, sent on the app's channel (the app wraps it in its
//! own event type).

use std::sync::Arc;

use super::kinds::{Listing, Object, ResKind};
use super::snapshots::SnapshotRec;

/// Index of a context in the session (its order on the command line).
pub type CtxId = usize;

/// How a watch of one kind is doing.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub enum FeedStatus {
    Live,
    Failing(String),
    Forbidden(String),
    /// The server does not serve this kind (an older or trimmed API server): not a
    /// fault of the connection.
    Absent(String),
}

/// CPU (millicores) and memory (bytes) one pod uses, by container.
#[derive(Clone, Debug, PartialEq)]
pub struct PodUsage {
    pub namespace: Arc<str>,
    pub pod: Arc<str>,
    pub containers: Box<[ContainerUsage]>,
}

/// One container's reading (`f32`: one is kept per container of every pod).
#[derive(Clone, Debug, PartialEq)]
pub struct ContainerUsage {
    pub name: Arc<str>,
    pub cpu_m: f32,
    pub mem: f32,
}

/// A pod's total over its containers: (millicores, bytes).
pub fn usage_total(c: &[ContainerUsage]) -> (f64, f64) {
    c.iter().fold((0.0, 0.0), |(a, b), u| {
        (a + u.cpu_m as f64, b + u.mem as f64)
    })
}

#[derive(Debug)]
pub enum Msg {
    /// A port-forward's report.
    Forward(super::forward::Forwarded),
    /// A (re)list of one kind, scoped to one namespace or all (`None`).
    Relisted {
        ctx: CtxId,
        scope: Option<Arc<str>>,
        listing: Listing,
    },
    Applied {
        ctx: CtxId,
        obj: Box<Object>,
    },
    Deleted {
        ctx: CtxId,
        kind: ResKind,
        namespace: Arc<str>,
        name: Arc<str>,
    },
    Feed {
        ctx: CtxId,
        kind: ResKind,
        status: FeedStatus,
    },
    /// The API server answered (or not) a liveness ping.
    /// `skew`: the server's clock minus ours, in seconds, when it said.
    /// Something the person should know about the connection (credentials not sent
    /// over http, TLS not verified).
    Warned {
        ctx: CtxId,
        text: String,
    },
    Reachable {
        ctx: CtxId,
        ok: Result<(), String>,
        skew: Option<i64>,
    },
    /// The context could not be set up at all (bad kubeconfig entry, exec plugin).
    ContextFailed {
        ctx: CtxId,
        error: String,
    },
    Metrics {
        ctx: CtxId,
        pods: Result<Vec<PodUsage>, String>,
    },
    Log {
        stream: u64,
        pod: Arc<str>,
        container: Box<str>,
        line: String,
    },
    LogEnded {
        stream: u64,
        pod: Arc<str>,
        error: Option<String>,
    },
    /// What the server serves (discovery), or why it could not be read.
    Discovered {
        ctx: CtxId,
        result: Result<Vec<Arc<super::discovery::ApiRes>>, String>,
    },
    /// A change in a browsed list (`browse`: which browsing of it).
    Table {
        ctx: CtxId,
        browse: u64,
        msg: super::table::TableMsg,
    },
    /// The VolumeSnapshots known in a context: `None` when the cluster does not serve
    /// them, else the whole set or the watch's error.
    Snapshots {
        ctx: CtxId,
        result: Option<Result<Vec<SnapshotRec>, String>>,
    },
}
