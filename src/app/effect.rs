//! Effects: work `update` asks the runtime to do (start or stop a log stream, fetch
//! an object, ask what a server serves, browse a resource, check access, run an
//! action's steps, append to the audit log, quit). The runtime runs each as a task
//! that reports back as an event.

use std::sync::Arc;

use crate::cluster::msg::CtxId;

/// What a fetched object becomes.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum FetchAs {
    Yaml,
    /// A describe page of its fields (kinds without one of their own).
    Describe,
    /// A pod's conditions, environment and mounts, under its own describe page.
    PodDetail,
}

#[derive(Clone, Debug, PartialEq)]
pub enum Effect {
    StartLogs {
        stream: u64,
        ctx: CtxId,
        namespace: String,
        pod: Arc<str>,
        container: String,
        tail: i64,
        previous: bool,
        /// Only lines newer than this many seconds (then `tail` is not used).
        since: Option<i64>,
        /// The server's timestamp before each line.
        timestamps: bool,
    },
    /// Write a log buffer to a file (the person asked: `ctrl-s` in the log view).
    SaveLogs {
        path: std::path::PathBuf,
        text: String,
    },
    StopLogs {
        stream: u64,
    },
    /// One object, as YAML or as a describe page.
    Fetch {
        request: u64,
        ctx: CtxId,
        res: kube::discovery::ApiResource,
        namespace: String,
        name: String,
        as_: FetchAs,
    },
    /// Ask what the server serves.
    Discover {
        ctx: CtxId,
    },
    /// List and watch a resource through the server's Table output.
    Browse {
        id: u64,
        ctx: CtxId,
        res: Arc<crate::cluster::discovery::ApiRes>,
    },
    StopBrowse {
        id: u64,
    },
    /// What to probe and where to read alerts from (replacing what was given before).
    Probe {
        targets: Arc<Vec<crate::probe::targets::ProbeTarget>>,
        sources: Arc<Vec<crate::probe::alerts::AlertSource>>,
    },
    /// The workloads now on screen: probed first.
    ProbeFocus(Arc<crate::probe::scheduler::Focus>),
    /// Access reviews for what the selected row's actions need.
    CheckAccess {
        ctx: CtxId,
        checks: Vec<crate::actions::run::Access>,
    },
    /// A plan's server checks: access review and dry run.
    Preflight {
        flow: u64,
        ctx: CtxId,
        request: crate::actions::Request,
    },
    /// Write the intent (fsynced), then send: nothing is sent if the intent fails.
    Execute {
        flow: u64,
        ctx: CtxId,
        request: crate::actions::Request,
        intent: crate::audit::Record,
    },
    /// Append a record (an outcome, a refusal, a cancellation); `now`: before
    /// anything else happens (on the way out), rather than in a task.
    Audit {
        flow: u64,
        ctx: CtxId,
        record: crate::audit::Record,
        now: bool,
    },
    /// Open a shell in the terminal (only the front end can: it owns the terminal);
    /// the intent is on record. Its end comes back as `Done::ShellEnded`.
    Shell {
        flow: u64,
        ctx: CtxId,
        namespace: String,
        pod: String,
        container: String,
        shells: Vec<String>,
    },
    /// Stop a port-forward (its listener and connections).
    StopForward {
        id: u64,
    },
    Quit,
}
