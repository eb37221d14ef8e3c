//! Guarded actions, planned from state: what will change (target, before → after),
//! how far it reaches (blast radius), how risky it is, what to watch out for, and
//! whether it may run at all. Plans are pure: the preflight (RBAC, server dry-run),
//! confirmation, audit and execution steps build on them. One file per action.
//!
//! Each action file holds the three parts that differ between actions: `plan` (pure,
//! from state, producing a [`Request`]), `writes` (async: read the live objects, check
//! that what the plan was based on still holds — else a conflict — and build the
//! exact API writes, each with a resourceVersion precondition) and `verify` (pure:
//! has the effect been observed in state yet). The common steps — access review,
//! server dry-run, the audit intent before anything is sent, sending — live in
//! [`run`]; the dialog and the flow between the steps in `app::guard`.

pub mod backup;
pub mod breaker;
pub mod exec;
pub mod forward;
pub mod hpa;
pub mod pause;
pub mod pdb;
pub mod restart;
pub mod reveal;
pub mod rollback;
pub mod run;
pub mod scale;
pub mod set_image;
pub mod traffic;
pub mod undo;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::cluster::msg::CtxId;
use crate::cluster::store::ClusterData;
use crate::probe::HealthState;

/// A workload an action can scale or restart.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Workload {
    Deployment,
    StatefulSet,
}

impl Workload {
    pub fn short(self) -> &'static str {
        match self {
            Workload::Deployment => "deploy",
            Workload::StatefulSet => "sts",
        }
    }

    pub fn plural(self) -> &'static str {
        match self {
            Workload::Deployment => "deployments",
            Workload::StatefulSet => "statefulsets",
        }
    }
}

/// Exactly what an action will do, as planned: enough to send it, verify it, record
/// it and (where it can be) undo it. Serialised into the audit record's parameters.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "do", rename_all = "kebab-case")]
pub enum Request {
    Scale {
        workload: Workload,
        namespace: String,
        name: String,
        replicas: i32,
        /// The count the plan saw (another one at execution is a conflict).
        from: i32,
    },
    ScaleHpa {
        namespace: String,
        name: String,
        min: i32,
        max: i32,
        from_min: i32,
        from_max: i32,
    },
    Rollback {
        namespace: String,
        name: String,
        to_revision: i64,
        from_revision: Option<i64>,
        /// The images of the revision rolled back to (what verify waits for).
        images: String,
    },
    Restart {
        workload: Workload,
        namespace: String,
        name: String,
        at: String,
        /// The restartedAt the plan saw.
        previous: Option<String>,
    },
    Pause {
        namespace: String,
        name: String,
        paused: bool,
    },
    /// One container's image (`kubectl set image`).
    SetImage {
        workload: Workload,
        namespace: String,
        name: String,
        container: String,
        image: String,
        /// The image the plan saw (another one at execution is a conflict).
        from: String,
        /// The revision current when planned (what undo rolls back to).
        from_revision: Option<i64>,
    },
    BreakerReset {
        namespace: String,
        workload: String,
        pods: Vec<String>,
        port: u16,
        path: String,
        /// Probed on each pod after the reset (verification).
        health_path: Option<String>,
    },
    SwitchTraffic {
        namespace: String,
        service: String,
        key: String,
        from: String,
        to: String,
    },
    TriggerBackup {
        namespace: String,
        cronjob: String,
        job: String,
    },
    /// Show one key of a Secret (a read; the value is never part of any record).
    RevealSecret {
        namespace: String,
        name: String,
        key: String,
    },
    /// One command in a container (its output is shown, never recorded).
    Exec {
        namespace: String,
        pod: String,
        container: String,
        command: Vec<String>,
    },
    /// An interactive shell in a container: the first of `shells` that starts.
    Shell {
        namespace: String,
        pod: String,
        container: String,
        shells: Vec<String>,
    },
    /// A local port carried to a pod's port (`via`: `pod/NAME` or `svc/NAME`; for a
    /// Service, `port` is the Service's port).
    PortForward {
        namespace: String,
        via: String,
        port: u16,
        local: String,
    },
}

impl Request {
    /// Whether it changes nothing undo could reverse (a read, an exec, a forward).
    pub fn changes_nothing(&self) -> bool {
        matches!(
            self,
            Request::RevealSecret { .. }
                | Request::Exec { .. }
                | Request::Shell { .. }
                | Request::PortForward { .. }
        )
    }

    pub fn namespace(&self) -> &str {
        match self {
            Request::Scale { namespace, .. }
            | Request::ScaleHpa { namespace, .. }
            | Request::Rollback { namespace, .. }
            | Request::Restart { namespace, .. }
            | Request::Pause { namespace, .. }
            | Request::SetImage { namespace, .. }
            | Request::BreakerReset { namespace, .. }
            | Request::SwitchTraffic { namespace, .. }
            | Request::TriggerBackup { namespace, .. }
            | Request::RevealSecret { namespace, .. }
            | Request::Exec { namespace, .. }
            | Request::Shell { namespace, .. }
            | Request::PortForward { namespace, .. } => namespace,
        }
    }

    /// The permission its requests need (what the access review asks).
    pub fn access(&self) -> run::Access {
        use run::Access;
        match self {
            Request::Scale {
                workload,
                namespace,
                name,
                ..
            } => Access::new("patch", "apps", workload.plural(), "scale", namespace, name),
            Request::ScaleHpa {
                namespace, name, ..
            } => Access::new(
                "patch",
                "autoscaling",
                "horizontalpodautoscalers",
                "",
                namespace,
                name,
            ),
            Request::Rollback {
                namespace, name, ..
            }
            | Request::Pause {
                namespace, name, ..
            } => Access::new("patch", "apps", "deployments", "", namespace, name),
            Request::Restart {
                workload,
                namespace,
                name,
                ..
            }
            | Request::SetImage {
                workload,
                namespace,
                name,
                ..
            } => Access::new("patch", "apps", workload.plural(), "", namespace, name),
            Request::BreakerReset { namespace, .. } => {
                Access::new("create", "", "pods", "proxy", namespace, "")
            }
            Request::SwitchTraffic {
                namespace, service, ..
            } => Access::new("patch", "", "services", "", namespace, service),
            Request::TriggerBackup { namespace, .. } => {
                Access::new("create", "batch", "jobs", "", namespace, "")
            }
            Request::RevealSecret {
                namespace, name, ..
            } => Access::new("get", "", "secrets", "", namespace, name),
            Request::Exec { namespace, pod, .. } | Request::Shell { namespace, pod, .. } => {
                Access::new("create", "", "pods", "exec", namespace, pod)
            }
            Request::PortForward { namespace, via, .. } => Access::new(
                "create",
                "",
                "pods",
                "portforward",
                namespace,
                via.strip_prefix("pod/").unwrap_or(""),
            ),
        }
    }

    /// How long verification may take before the action is reported as not observed.
    pub fn verify_timeout(&self) -> i64 {
        match self {
            Request::Rollback { .. } | Request::Restart { .. } | Request::SetImage { .. } => 300,
            Request::Scale { .. } | Request::TriggerBackup { .. } => 180,
            _ => 60,
        }
    }
}

/// How far verification has got.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Progress {
    /// Not observed yet: what is seen so far.
    Waiting(String),
    Done(String),
    Failed(String),
}

/// What the health probes say about a workload (`deploy/name` in a namespace).
pub type HealthOf<'a> = &'a dyn Fn(&str) -> Option<HealthState>;

/// Has the effect of `req` been observed in `d`? (Pure: the watchers keep `d` live.)
pub fn verify(d: &ClusterData, req: &Request) -> Progress {
    match req {
        Request::Scale { .. } => scale::verify(d, req),
        Request::ScaleHpa { .. } => hpa::verify(d, req),
        Request::Rollback { .. } => rollback::verify(d, req),
        Request::Restart { .. } => restart::verify(d, req),
        Request::Pause { .. } => pause::verify(d, req),
        Request::SetImage { .. } => set_image::verify(d, req),
        // Verified when sent: each pod's health is probed again after its reset.
        Request::BreakerReset { .. } => Progress::Done(String::new()),
        Request::SwitchTraffic { .. } => traffic::verify(d, req),
        Request::TriggerBackup { .. } => backup::verify(d, req),
        Request::RevealSecret { .. } => reveal::verify(d, req),
        Request::Exec { .. } | Request::Shell { .. } | Request::PortForward { .. } => {
            exec::verify(d, req)
        }
    }
}

/// How a Deployment's rollout is going, for verify: done when every replica is
/// updated and available and nothing old is left.
pub fn rollout_progress(dep: &crate::cluster::kinds::DeploymentRec) -> Progress {
    let done = dep.observed_generation >= dep.meta.generation
        && dep.updated == dep.desired
        && dep.available == dep.desired
        && dep.replicas == dep.desired;
    let line = format!(
        "{}/{} updated, {} available, {} total",
        dep.updated, dep.desired, dep.available, dep.replicas
    );
    if done {
        Progress::Done(line)
    } else {
        Progress::Waiting(line)
    }
}

#[derive(Copy, Clone, Debug, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Risk {
    Low,
    Medium,
    High,
    Critical,
}

/// A plan for one action.
#[derive(Clone, Debug, PartialEq)]
pub struct Plan {
    pub action: &'static str,
    pub ctx: CtxId,
    pub namespace: String,
    /// `deploy/flextime-api`, `svc/dashboard`…
    pub target: String,
    pub before: String,
    pub after: String,
    /// "4 pods will terminate", "traffic of svc/dashboard moves to 3 green pods".
    pub blast: String,
    /// The pod template's lines that change (`- `/`+ `), as the rollback picker
    /// shows them (empty for actions that do not change a template).
    pub diff: Vec<String>,
    pub risk: Risk,
    pub warnings: Vec<String>,
    /// The conditions the plan checked against what is on screen (a traffic
    /// switch's gate), each passed or not: shown as ✓/✗ lines and recorded.
    pub gate: Vec<(bool, String)>,
    /// Why the action must not run as planned (the person sees it; nothing is sent).
    pub refused: Option<String>,
    /// What the action sends, for the audit record.
    pub params: Value,
    /// A plan that would undo this one, described.
    pub undo: Option<String>,
    /// What will be sent (absent only for plans that cannot run at all).
    pub request: Option<Request>,
}

impl Plan {
    pub fn new(action: &'static str, ctx: CtxId, namespace: &str, target: String) -> Plan {
        Plan {
            action,
            ctx,
            namespace: namespace.to_string(),
            target,
            before: String::new(),
            after: String::new(),
            blast: String::new(),
            diff: Vec::new(),
            risk: Risk::Low,
            warnings: Vec::new(),
            gate: Vec::new(),
            refused: None,
            params: Value::Null,
            undo: None,
            request: None,
        }
    }
}
