//! Messages from background sources (watchers, pings, pollers, log streams, fetches)
//! to `update`: plain data, one channel.

use std::sync::Arc;

use crate::cluster::model::*;

/// Index of a context in the session (its order on the command line).
pub type CtxId = usize;

/// The kinds the console watches.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ResKind {
    Namespace,
    Pod,
    Deployment,
    ReplicaSet,
    StatefulSet,
    Hpa,
    CronJob,
    Job,
    Service,
    Endpoints,
    Event,
    Pdb,
}

impl ResKind {
    pub const ALL: [ResKind; 12] = [
        ResKind::Namespace,
        ResKind::Pod,
        ResKind::Deployment,
        ResKind::ReplicaSet,
        ResKind::StatefulSet,
        ResKind::Hpa,
        ResKind::CronJob,
        ResKind::Job,
        ResKind::Service,
        ResKind::Endpoints,
        ResKind::Event,
        ResKind::Pdb,
    ];

    pub fn plural(self) -> &'static str {
        match self {
            ResKind::Namespace => "namespaces",
            ResKind::Pod => "pods",
            ResKind::Deployment => "deployments",
            ResKind::ReplicaSet => "replicasets",
            ResKind::StatefulSet => "statefulsets",
            ResKind::Hpa => "horizontalpodautoscalers",
            ResKind::CronJob => "cronjobs",
            ResKind::Job => "jobs",
            ResKind::Service => "services",
            ResKind::Endpoints => "endpoints",
            ResKind::Event => "events",
            ResKind::Pdb => "poddisruptionbudgets",
        }
    }
}

/// A full listing of one kind (a relist replaces what was known).
#[derive(Debug)]
pub enum Feed {
    Namespaces(Vec<NamespaceRec>),
    Pods(Vec<PodRec>),
    Deployments(Vec<DeploymentRec>),
    ReplicaSets(Vec<ReplicaSetRec>),
    StatefulSets(Vec<StatefulSetRec>),
    Hpas(Vec<HpaRec>),
    CronJobs(Vec<CronJobRec>),
    Jobs(Vec<JobRec>),
    Services(Vec<ServiceRec>),
    Endpoints(Vec<EndpointsRec>),
    Events(Vec<EventRec>),
    Pdbs(Vec<PdbRec>),
}

/// One object added or changed.
#[derive(Debug)]
pub enum Applied {
    Namespace(NamespaceRec),
    Pod(PodRec),
    Deployment(DeploymentRec),
    ReplicaSet(ReplicaSetRec),
    StatefulSet(StatefulSetRec),
    Hpa(HpaRec),
    CronJob(CronJobRec),
    Job(JobRec),
    Service(ServiceRec),
    Endpoints(EndpointsRec),
    Event(EventRec),
    Pdb(PdbRec),
}

/// How a watch of one kind is doing.
#[derive(Clone, Debug, PartialEq)]
pub enum FeedStatus {
    Live,
    Failing(String),
    Forbidden(String),
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
#[allow(clippy::large_enum_variant)] // moved once through the channel; boxing would add an allocation each
pub enum Msg {
    /// A (re)list of `kind`, scoped to one namespace or all (`None`).
    Relisted {
        ctx: CtxId,
        scope: Option<Arc<str>>,
        feed: Feed,
    },
    Applied {
        ctx: CtxId,
        obj: Applied,
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
    /// The result of an on-demand fetch (the YAML of an object).
    Fetched {
        request: u64,
        result: Result<String, String>,
    },
    /// One health probe's verdict (`at`: Unix seconds, local clock).
    Probed {
        id: crate::probe::targets::TargetId,
        request: String,
        verdict: crate::probe::evaluate::Verdict,
        at: Ts,
    },
    /// The VolumeSnapshots known in a context: `None` when the cluster does not serve
    /// them, else the whole set or the watch's error.
    Snapshots {
        ctx: CtxId,
        result: Option<Result<Vec<SnapshotRec>, String>>,
    },
    /// One read of an Alertmanager.
    Alerts {
        source: crate::probe::alerts::AlertSource,
        result: Result<Vec<crate::probe::alerts::Alert>, String>,
        at: Ts,
    },
    /// Access review answers: `Ok(None)` allowed, `Ok(Some(why))` denied.
    Access {
        ctx: CtxId,
        results: Vec<(crate::actions::run::Access, Result<Option<String>, String>)>,
    },
    Preflighted {
        flow: u64,
        checks: Vec<crate::audit::Preflight>,
    },
    Executed {
        flow: u64,
        executed: crate::actions::run::Executed,
    },
    Audited {
        flow: u64,
        result: Result<crate::audit::Record, String>,
    },
}
