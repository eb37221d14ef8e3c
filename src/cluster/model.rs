//! Compact records of watched objects: what the console keeps per context. Built from
//! the slim watch types with namespaces and node names interned, timestamps as Unix
//! seconds and resource quantities as numbers; free text from the cluster (event
//! messages) is sanitised and bounded here, at ingestion.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use k8s_openapi::apimachinery::pkg::apis::meta::v1::{
    LabelSelector as K8sSelector, ObjectMeta, Time,
};
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;

use super::slim;
use crate::util::sanitize;
use crate::util::selector::{LabelSelector, Req};

/// Unix seconds.
pub type Ts = i64;

fn ts(t: &Option<Time>) -> Option<Ts> {
    t.as_ref().map(|t| t.0.as_second())
}

/// Shares one allocation per distinct string (namespaces, nodes, label keys and values,
/// images, reasons). A watcher keeps one for its lifetime, so strings no record uses
/// any more (the labels of Jobs long gone) are dropped whenever the table has doubled.
#[derive(Default)]
pub struct Interner {
    table: HashMap<Box<str>, Arc<str>>,
    /// The table's size after the last pruning.
    kept: usize,
}

impl Interner {
    /// The interned, sanitised form of untrusted text.
    pub fn clean(&mut self, s: &str, max: usize) -> Arc<str> {
        if s.len() <= max
            && !s
                .chars()
                .any(|c| c.is_control() || ('\u{202a}'..='\u{2069}').contains(&c))
        {
            self.get(s)
        } else {
            self.get(&sanitize::line(s, max))
        }
    }

    pub fn get(&mut self, s: &str) -> Arc<str> {
        if let Some(a) = self.table.get(s) {
            return a.clone();
        }
        if self.table.len() >= 2 * self.kept + 1024 {
            self.table.retain(|_, a| Arc::strong_count(a) > 1);
            self.kept = self.table.len();
        }
        let a: Arc<str> = Arc::from(s);
        self.table.insert(Box::from(s), a.clone());
        a
    }

    pub fn len(&self) -> usize {
        self.table.len()
    }

    pub fn is_empty(&self) -> bool {
        self.table.is_empty()
    }
}

/// An object's name as the console keeps it. A real API server only admits DNS-style
/// names, but a hostile or broken one can send anything: a name with control or
/// direction-changing characters is sanitised here, the same way everywhere a name
/// is read (so records, deletions and metrics still meet under one key).
pub fn object_name(s: &str) -> Arc<str> {
    if s.len() <= 253 && s.bytes().all(|b| b.is_ascii_graphic()) {
        Arc::from(s)
    } else {
        Arc::from(sanitize::line(s, 253).as_str())
    }
}

/// Labels, sorted by key; keys and values are interned (the same few strings repeat
/// across thousands of pods) and sanitised (label values can carry anything a hostile
/// server sends).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Labels(Box<[(Arc<str>, Arc<str>)]>);

impl Labels {
    pub fn from_map(m: &Option<BTreeMap<String, String>>, names: &mut Interner) -> Labels {
        Labels(
            m.iter()
                .flatten()
                .map(|(k, v)| (names.clean(k, 253), names.clean(v, 253)))
                .collect(),
        )
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn get(&self, k: &str) -> Option<&str> {
        self.0
            .binary_search_by(|(key, _)| key.as_ref().cmp(k))
            .ok()
            .map(|i| self.0[i].1.as_ref())
    }

    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> {
        self.0.iter().map(|(k, v)| (k.as_ref(), v.as_ref()))
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// `a=b,c=d`.
    pub fn join(&self) -> String {
        self.iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join(",")
    }
}

pub fn selector_matches(sel: &LabelSelector, labels: &Labels) -> bool {
    sel.matches_labels(|k| labels.get(k).map(String::from))
}

/// A selector from a Kubernetes `LabelSelector`.
pub fn selector_of(s: &Option<K8sSelector>) -> LabelSelector {
    let mut reqs = Vec::new();
    if let Some(s) = s {
        for (k, v) in s.match_labels.iter().flatten() {
            reqs.push(Req::Eq(k.clone(), v.clone()));
        }
        for e in s.match_expressions.iter().flatten() {
            let vals = e.values.clone().unwrap_or_default();
            match e.operator.as_str() {
                "In" => reqs.push(Req::In(e.key.clone(), vals)),
                "NotIn" => reqs.push(Req::NotIn(e.key.clone(), vals)),
                "Exists" => reqs.push(Req::Exists(e.key.clone())),
                "DoesNotExist" => reqs.push(Req::NotExists(e.key.clone())),
                _ => {}
            }
        }
    }
    LabelSelector { reqs }
}

/// A selector from a plain label map (a Service's selector).
pub fn selector_of_map(m: &Labels) -> LabelSelector {
    LabelSelector {
        reqs: m
            .iter()
            .map(|(k, v)| Req::Eq(k.to_string(), v.to_string()))
            .collect(),
    }
}

#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum OwnerKind {
    ReplicaSet,
    Deployment,
    StatefulSet,
    Job,
    CronJob,
    DaemonSet,
    Other,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Owner {
    pub kind: OwnerKind,
    pub name: Arc<str>,
}

fn owner_of(m: &ObjectMeta, names: &mut Interner) -> Option<Owner> {
    let refs = m.owner_references.as_ref()?;
    let r = refs
        .iter()
        .find(|r| r.controller == Some(true))
        .or(refs.first())?;
    let kind = match r.kind.as_str() {
        "ReplicaSet" => OwnerKind::ReplicaSet,
        "Deployment" => OwnerKind::Deployment,
        "StatefulSet" => OwnerKind::StatefulSet,
        "Job" => OwnerKind::Job,
        "CronJob" => OwnerKind::CronJob,
        "DaemonSet" => OwnerKind::DaemonSet,
        _ => OwnerKind::Other,
    };
    Some(Owner {
        kind,
        name: names.clean(&r.name, 253),
    })
}

/// Identity and bookkeeping every record carries.
#[derive(Clone, Debug, PartialEq)]
pub struct Meta {
    pub name: Arc<str>,
    pub namespace: Arc<str>,
    pub uid: Box<str>,
    pub resource_version: Box<str>,
    pub generation: i64,
    pub created: Ts,
    pub deleting: bool,
    pub labels: Labels,
    pub owner: Option<Owner>,
    pub annotations: Box<[(Box<str>, Box<str>)]>,
}

impl Meta {
    pub fn from(m: &ObjectMeta, names: &mut Interner) -> Meta {
        Meta {
            name: object_name(m.name.as_deref().unwrap_or("")),
            namespace: names.clean(m.namespace.as_deref().unwrap_or(""), 253),
            uid: Box::from(m.uid.as_deref().unwrap_or("")),
            resource_version: Box::from(m.resource_version.as_deref().unwrap_or("")),
            generation: m.generation.unwrap_or(0),
            created: ts(&m.creation_timestamp).unwrap_or(0),
            deleting: m.deletion_timestamp.is_some(),
            labels: Labels::from_map(&m.labels, names),
            owner: owner_of(m, names),
            annotations: m
                .annotations
                .iter()
                .flatten()
                .map(|(k, v)| {
                    (
                        Box::from(k.as_str()),
                        Box::from(sanitize::line(v, 300).as_str()),
                    )
                })
                .collect(),
        }
    }

    pub fn annotation(&self, k: &str) -> Option<&str> {
        self.annotations
            .iter()
            .find(|(a, _)| a.as_ref() == k)
            .map(|(_, v)| v.as_ref())
    }
}

/// CPU in millicores and memory in bytes, each absent when not set. Held as `f32`
/// with NaN for "absent": eight bytes where two `Option<f64>` took thirty-two, and one
/// is kept per container of every pod (a 1-in-16-million rounding is invisible in a
/// figure shown with three digits).
#[derive(Copy, Clone, Debug)]
pub struct Res {
    cpu_m: f32,
    mem: f32,
}

impl PartialEq for Res {
    fn eq(&self, o: &Res) -> bool {
        self.cpu_m() == o.cpu_m() && self.mem() == o.mem()
    }
}

impl Default for Res {
    fn default() -> Res {
        Res::new(None, None)
    }
}

impl Res {
    pub fn new(cpu_m: Option<f64>, mem: Option<f64>) -> Res {
        Res {
            cpu_m: cpu_m.map_or(f32::NAN, |v| v as f32),
            mem: mem.map_or(f32::NAN, |v| v as f32),
        }
    }

    pub fn cpu_m(&self) -> Option<f64> {
        (!self.cpu_m.is_nan()).then_some(self.cpu_m as f64)
    }

    pub fn mem(&self) -> Option<f64> {
        (!self.mem.is_nan()).then_some(self.mem as f64)
    }

    fn from(m: &Option<BTreeMap<String, serde_json::Value>>) -> Res {
        let q = |k: &str| {
            m.as_ref().and_then(|m| m.get(k)).and_then(|v| match v {
                serde_json::Value::String(s) => parse_quantity(s),
                serde_json::Value::Number(n) => n.as_f64(),
                _ => None,
            })
        };
        Res::new(q("cpu").map(|c| c * 1000.0), q("memory"))
    }

    pub fn plus(self, o: Res) -> Res {
        let add = |a: Option<f64>, b: Option<f64>| match (a, b) {
            (None, None) => None,
            (a, b) => Some(a.unwrap_or(0.0) + b.unwrap_or(0.0)),
        };
        Res::new(add(self.cpu_m(), o.cpu_m()), add(self.mem(), o.mem()))
    }
}

pub use crate::util::quantity::parse as parse_quantity;

#[derive(Clone, Debug, PartialEq)]
pub enum PortRef {
    Number(u16),
    Name(Box<str>),
}

fn port_ref(p: &Option<IntOrString>) -> Option<PortRef> {
    match p.as_ref()? {
        IntOrString::Int(n) => u16::try_from(*n).ok().map(PortRef::Number),
        IntOrString::String(s) => Some(match s.parse::<u16>() {
            Ok(n) => PortRef::Number(n),
            Err(_) => PortRef::Name(Box::from(s.as_str())),
        }),
    }
}

#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum ProbeKind {
    Readiness,
    Liveness,
    Startup,
}

/// An HTTP probe declared in a pod template.
#[derive(Clone, Debug, PartialEq)]
pub struct HttpProbe {
    pub kind: ProbeKind,
    pub path: Box<str>,
    pub port: PortRef,
    pub https: bool,
}

#[derive(Clone, Debug, PartialEq)]
pub struct TemplateContainer {
    pub name: Arc<str>,
    pub image: Arc<str>,
    pub ports: Box<[(Option<Box<str>>, u16)]>,
    pub probes: Box<[HttpProbe]>,
    pub requests: Res,
    pub limits: Res,
}

impl TemplateContainer {
    /// The number of a port given by number or name.
    pub fn resolve_port(&self, p: &PortRef) -> Option<u16> {
        match p {
            PortRef::Number(n) => Some(*n),
            PortRef::Name(name) => self
                .ports
                .iter()
                .find(|(n, _)| n.as_deref() == Some(name.as_ref()))
                .map(|(_, p)| *p),
        }
    }
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct Template {
    pub labels: Labels,
    pub restarted_at: Option<Box<str>>,
    pub containers: Box<[TemplateContainer]>,
}

impl Template {
    pub fn from(t: &slim::PodTemplate, names: &mut Interner) -> Template {
        Template {
            labels: Labels::from_map(&t.metadata.labels, names),
            restarted_at: t
                .metadata
                .annotations
                .as_ref()
                .and_then(|a| a.get("kubectl.kubernetes.io/restartedAt"))
                .map(|s| Box::from(s.as_str())),
            containers: t
                .spec
                .containers
                .iter()
                .map(|c| template_container(c, names))
                .collect(),
        }
    }

    pub fn images(&self) -> Vec<&str> {
        self.containers.iter().map(|c| c.image.as_ref()).collect()
    }

    pub fn requests(&self) -> Res {
        self.containers
            .iter()
            .fold(Res::default(), |a, c| a.plus(c.requests))
    }

    pub fn limits(&self) -> Res {
        self.containers
            .iter()
            .fold(Res::default(), |a, c| a.plus(c.limits))
    }
}

fn template_container(c: &slim::Container, names: &mut Interner) -> TemplateContainer {
    let mut probes = Vec::new();
    for (kind, p) in [
        (ProbeKind::Readiness, &c.readiness_probe),
        (ProbeKind::Liveness, &c.liveness_probe),
        (ProbeKind::Startup, &c.startup_probe),
    ] {
        if let Some(h) = p.as_ref().and_then(|p| p.http_get.as_ref())
            && let Some(port) = port_ref(&h.port)
        {
            probes.push(HttpProbe {
                kind,
                path: Box::from(h.path.as_deref().unwrap_or("/")),
                port,
                https: h.scheme.as_deref() == Some("HTTPS"),
            });
        }
    }
    TemplateContainer {
        name: names.clean(&c.name, 63),
        image: names.clean(c.image.as_deref().unwrap_or(""), 300),
        ports: c
            .ports
            .iter()
            .filter_map(|p| {
                let n = u16::try_from(p.container_port?).ok()?;
                Some((p.name.as_deref().map(Box::from), n))
            })
            .collect(),
        probes: probes.into(),
        requests: Res::from(&c.resources.as_ref().and_then(|r| r.requests.clone())),
        limits: Res::from(&c.resources.as_ref().and_then(|r| r.limits.clone())),
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct Cond {
    pub type_: Box<str>,
    pub status: Box<str>,
    pub reason: Box<str>,
    pub message: Box<str>,
    pub last_update: Option<Ts>,
    pub last_transition: Option<Ts>,
}

fn conds(c: &[slim::Condition]) -> Box<[Cond]> {
    c.iter()
        .map(|c| Cond {
            type_: Box::from(c.type_.as_str()),
            status: Box::from(c.status.as_str()),
            reason: Box::from(sanitize::line(c.reason.as_deref().unwrap_or(""), 80).as_str()),
            message: Box::from(sanitize::line(c.message.as_deref().unwrap_or(""), 300).as_str()),
            last_update: ts(&c.last_update_time),
            last_transition: ts(&c.last_transition_time),
        })
        .collect()
}

pub fn cond<'a>(cs: &'a [Cond], type_: &str) -> Option<&'a Cond> {
    cs.iter().find(|c| c.type_.as_ref() == type_)
}

// ---------------------------------------------------------------- records

#[derive(Clone, Debug, PartialEq)]
pub struct NamespaceRec {
    pub name: Arc<str>,
    pub terminating: bool,
    pub labels: Labels,
}

#[derive(Clone, Debug, PartialEq)]
pub enum CState {
    Running { since: Option<Ts> },
    Waiting { reason: Arc<str>, message: Box<str> },
    Terminated { reason: Arc<str>, code: i32 },
    Unknown,
}

#[derive(Clone, Debug, PartialEq)]
pub struct ContainerRec {
    pub name: Arc<str>,
    pub image: Arc<str>,
    pub ready: bool,
    pub restarts: u32,
    pub state: CState,
    /// The last termination: reason, exit code, when.
    pub last_exit: Option<(Arc<str>, i32, Option<Ts>)>,
    pub requests: Res,
    pub limits: Res,
}

#[derive(Clone, Debug, PartialEq)]
pub struct PodRec {
    pub name: Arc<str>,
    pub namespace: Arc<str>,
    pub owner: Option<Owner>,
    pub labels: Labels,
    pub node: Option<Arc<str>>,
    pub ip: Option<std::net::IpAddr>,
    pub phase: Arc<str>,
    pub reason: Option<Box<str>>,
    pub created: Ts,
    pub started: Option<Ts>,
    pub deleting: bool,
    pub ready: bool,
    pub containers: Box<[ContainerRec]>,
    /// Container names declared in the spec (also those without a status yet).
    pub default_container: Option<Arc<str>>,
}

fn cstate(s: &Option<slim::ContainerState>, names: &mut Interner) -> CState {
    match s {
        Some(s) if s.running.is_some() => CState::Running {
            since: s.running.as_ref().and_then(|r| ts(&r.started_at)),
        },
        Some(s) if s.waiting.is_some() => {
            let w = s.waiting.as_ref().expect("checked");
            CState::Waiting {
                reason: names.clean(w.reason.as_deref().unwrap_or("Waiting"), 60),
                message: Box::from(
                    sanitize::line(w.message.as_deref().unwrap_or(""), 300).as_str(),
                ),
            }
        }
        Some(s) if s.terminated.is_some() => {
            let t = s.terminated.as_ref().expect("checked");
            CState::Terminated {
                reason: names.clean(t.reason.as_deref().unwrap_or(""), 60),
                code: t.exit_code.unwrap_or(0),
            }
        }
        _ => CState::Unknown,
    }
}

impl PodRec {
    pub fn from(p: &slim::Pod, names: &mut Interner) -> PodRec {
        let m = &p.metadata;
        let containers: Box<[ContainerRec]> = p
            .spec
            .containers
            .iter()
            .map(|c| {
                let st = p
                    .status
                    .container_statuses
                    .iter()
                    .find(|s| s.name == c.name);
                ContainerRec {
                    name: names.clean(&c.name, 63),
                    image: names.clean(c.image.as_deref().unwrap_or(""), 300),
                    ready: st.is_some_and(|s| s.ready),
                    restarts: st.map_or(0, |s| s.restart_count.max(0) as u32),
                    state: st.map_or(CState::Unknown, |s| cstate(&s.state, names)),
                    last_exit: st.and_then(|s| {
                        let t = s.last_state.as_ref()?.terminated.as_ref()?;
                        Some((
                            names.clean(t.reason.as_deref().unwrap_or(""), 60),
                            t.exit_code.unwrap_or(0),
                            ts(&t.finished_at),
                        ))
                    }),
                    requests: Res::from(&c.resources.as_ref().and_then(|r| r.requests.clone())),
                    limits: Res::from(&c.resources.as_ref().and_then(|r| r.limits.clone())),
                }
            })
            .collect();
        PodRec {
            name: object_name(m.name.as_deref().unwrap_or("")),
            namespace: names.clean(m.namespace.as_deref().unwrap_or(""), 253),
            owner: owner_of(m, names),
            labels: Labels::from_map(&m.labels, names),
            node: p.spec.node_name.as_deref().map(|n| names.get(n)),
            ip: p.status.pod_ip.as_deref().and_then(|ip| ip.parse().ok()),
            phase: names.clean(p.status.phase.as_deref().unwrap_or("Unknown"), 30),
            reason: p
                .status
                .reason
                .as_deref()
                .map(|r| Box::from(sanitize::line(r, 60).as_str())),
            created: ts(&m.creation_timestamp).unwrap_or(0),
            started: ts(&p.status.start_time),
            deleting: m.deletion_timestamp.is_some(),
            ready: p
                .status
                .conditions
                .iter()
                .any(|c| c.type_ == "Ready" && c.status == "True"),
            containers,
            default_container: m
                .annotations
                .as_ref()
                .and_then(|a| a.get("kubectl.kubernetes.io/default-container"))
                .map(|s| names.clean(s, 63)),
        }
    }

    pub fn restarts(&self) -> u32 {
        self.containers.iter().map(|c| c.restarts).sum()
    }

    pub fn ready_count(&self) -> usize {
        self.containers.iter().filter(|c| c.ready).count()
    }

    /// The STATUS kubectl would print.
    pub fn status(&self) -> String {
        if self.deleting {
            return "Terminating".into();
        }
        let mut reason: String = self.reason.as_deref().unwrap_or(&self.phase).to_string();
        let mut running = false;
        for c in self.containers.iter().rev() {
            match &c.state {
                CState::Waiting { reason: r, .. } if !r.is_empty() => reason = r.to_string(),
                CState::Terminated { reason: r, code } => {
                    reason = if r.is_empty() {
                        format!("ExitCode:{code}")
                    } else {
                        r.to_string()
                    }
                }
                CState::Running { .. } if c.ready => running = true,
                _ => {}
            }
        }
        if reason == "Completed" && running {
            reason = "Running".into();
        }
        reason
    }

    pub fn completed(&self) -> bool {
        matches!(self.phase.as_ref(), "Succeeded" | "Failed")
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct Rollout {
    pub strategy: Box<str>,
    pub max_surge: Option<Box<str>>,
    pub max_unavailable: Option<Box<str>>,
    pub progress_deadline: Option<i32>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct DeploymentRec {
    pub meta: Meta,
    pub desired: i32,
    pub paused: bool,
    pub selector: LabelSelector,
    pub template: Template,
    pub rollout: Rollout,
    pub observed_generation: i64,
    pub replicas: i32,
    pub updated: i32,
    pub ready: i32,
    pub available: i32,
    pub conditions: Box<[Cond]>,
}

fn ios(v: &Option<IntOrString>) -> Option<Box<str>> {
    v.as_ref().map(|v| match v {
        IntOrString::Int(n) => Box::from(n.to_string().as_str()),
        IntOrString::String(s) => Box::from(s.as_str()),
    })
}

impl DeploymentRec {
    pub fn from(d: &slim::Deployment, names: &mut Interner) -> DeploymentRec {
        let st = d.spec.strategy.clone().unwrap_or_default();
        DeploymentRec {
            meta: Meta::from(&d.metadata, names),
            desired: d.spec.replicas.unwrap_or(1),
            paused: d.spec.paused.unwrap_or(false),
            selector: selector_of(&d.spec.selector),
            template: Template::from(&d.spec.template, names),
            rollout: Rollout {
                strategy: Box::from(st.type_.as_deref().unwrap_or("RollingUpdate")),
                max_surge: st.rolling_update.as_ref().and_then(|r| ios(&r.max_surge)),
                max_unavailable: st
                    .rolling_update
                    .as_ref()
                    .and_then(|r| ios(&r.max_unavailable)),
                progress_deadline: d.spec.progress_deadline_seconds,
            },
            observed_generation: d.status.observed_generation.unwrap_or(0),
            replicas: d.status.replicas.unwrap_or(0),
            updated: d.status.updated_replicas.unwrap_or(0),
            ready: d.status.ready_replicas.unwrap_or(0),
            available: d.status.available_replicas.unwrap_or(0),
            conditions: conds(&d.status.conditions),
        }
    }

    pub fn revision(&self) -> Option<i64> {
        self.meta
            .annotation("deployment.kubernetes.io/revision")?
            .parse()
            .ok()
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct ReplicaSetRec {
    pub meta: Meta,
    pub revision: i64,
    pub change_cause: Option<Box<str>>,
    pub desired: i32,
    pub replicas: i32,
    pub ready: i32,
    pub available: i32,
    pub template: Template,
}

impl ReplicaSetRec {
    pub fn from(r: &slim::ReplicaSet, names: &mut Interner) -> ReplicaSetRec {
        let meta = Meta::from(&r.metadata, names);
        ReplicaSetRec {
            revision: meta
                .annotation("deployment.kubernetes.io/revision")
                .and_then(|v| v.parse().ok())
                .unwrap_or(0),
            change_cause: meta.annotation("kubernetes.io/change-cause").map(Box::from),
            meta,
            desired: r.spec.replicas.unwrap_or(0),
            replicas: r.status.replicas.unwrap_or(0),
            ready: r.status.ready_replicas.unwrap_or(0),
            available: r.status.available_replicas.unwrap_or(0),
            template: Template::from(&r.spec.template, names),
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct StatefulSetRec {
    pub meta: Meta,
    pub desired: i32,
    pub selector: LabelSelector,
    pub template: Template,
    pub replicas: i32,
    pub ready: i32,
    pub updated: i32,
    pub current_revision: Option<Box<str>>,
    pub update_revision: Option<Box<str>>,
    pub observed_generation: i64,
}

impl StatefulSetRec {
    pub fn from(s: &slim::StatefulSet, names: &mut Interner) -> StatefulSetRec {
        StatefulSetRec {
            meta: Meta::from(&s.metadata, names),
            desired: s.spec.replicas.unwrap_or(1),
            selector: selector_of(&s.spec.selector),
            template: Template::from(&s.spec.template, names),
            replicas: s.status.replicas.unwrap_or(0),
            ready: s.status.ready_replicas.unwrap_or(0),
            updated: s.status.updated_replicas.unwrap_or(0),
            current_revision: s.status.current_revision.as_deref().map(Box::from),
            update_revision: s.status.update_revision.as_deref().map(Box::from),
            observed_generation: s.status.observed_generation.unwrap_or(0),
        }
    }
}

/// One HPA metric: what it is, its target and its current value, as text.
#[derive(Clone, Debug, PartialEq)]
pub struct HpaMetric {
    pub name: Box<str>,
    pub target: Box<str>,
    pub current: Option<Box<str>>,
    /// Current and target utilisation in percent, when the metric is a utilisation.
    pub utilization: Option<(i32, i32)>,
}

fn quantity_text(v: &Option<serde_json::Value>) -> Option<String> {
    match v.as_ref()? {
        serde_json::Value::String(s) => Some(s.clone()),
        serde_json::Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct HpaRec {
    pub meta: Meta,
    pub target_kind: Box<str>,
    pub target_name: Box<str>,
    pub min: i32,
    pub max: i32,
    pub current: i32,
    pub desired: i32,
    pub metrics: Box<[HpaMetric]>,
    pub conditions: Box<[Cond]>,
    pub last_scale: Option<Ts>,
}

impl HpaRec {
    pub fn from(h: &slim::Hpa, names: &mut Interner) -> HpaRec {
        let metrics = h
            .spec
            .metrics
            .iter()
            .filter_map(|m| match m.type_.as_str() {
                "Resource" => {
                    let r = m.resource.as_ref()?;
                    let cur = h
                        .status
                        .current_metrics
                        .iter()
                        .filter_map(|c| c.resource.as_ref())
                        .find(|c| c.name == r.name)
                        .and_then(|c| c.current.clone());
                    let t = r.target.clone().unwrap_or_default();
                    let (target, current, util) = match t.average_utilization {
                        Some(goal) => {
                            let now = cur.as_ref().and_then(|c| c.average_utilization);
                            (
                                format!("{goal}%"),
                                now.map(|n| format!("{n}%")),
                                now.map(|n| (n, goal)),
                            )
                        }
                        None => (
                            quantity_text(&t.average_value).unwrap_or_default(),
                            cur.as_ref().and_then(|c| quantity_text(&c.average_value)),
                            None,
                        ),
                    };
                    Some(HpaMetric {
                        name: Box::from(r.name.as_str()),
                        target: Box::from(target.as_str()),
                        current: current.map(|c| Box::from(c.as_str())),
                        utilization: util,
                    })
                }
                "External" => {
                    let e = m.external.as_ref()?;
                    let cur = h
                        .status
                        .current_metrics
                        .iter()
                        .filter_map(|c| c.external.as_ref())
                        .find(|c| c.metric.name == e.metric.name)
                        .and_then(|c| c.current.clone());
                    let t = e.target.clone().unwrap_or_default();
                    let target = quantity_text(&t.average_value)
                        .or_else(|| quantity_text(&t.value))
                        .unwrap_or_default();
                    let current = cur.and_then(|c| {
                        quantity_text(&c.average_value).or_else(|| quantity_text(&c.value))
                    });
                    Some(HpaMetric {
                        name: Box::from(sanitize::line(&e.metric.name, 60).as_str()),
                        target: Box::from(target.as_str()),
                        current: current.map(|c| Box::from(c.as_str())),
                        utilization: None,
                    })
                }
                _ => None,
            })
            .collect();
        HpaRec {
            meta: Meta::from(&h.metadata, names),
            target_kind: Box::from(h.spec.scale_target_ref.kind.as_str()),
            target_name: Box::from(h.spec.scale_target_ref.name.as_str()),
            min: h.spec.min_replicas.unwrap_or(1),
            max: h.spec.max_replicas,
            current: h.status.current_replicas.unwrap_or(0),
            desired: h.status.desired_replicas.unwrap_or(0),
            metrics,
            conditions: conds(&h.status.conditions),
            last_scale: ts(&h.status.last_scale_time),
        }
    }

    pub fn at_max(&self) -> bool {
        self.max > 0 && self.desired >= self.max
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct CronJobRec {
    pub meta: Meta,
    pub schedule: Box<str>,
    pub time_zone: Option<Box<str>>,
    pub suspend: bool,
    pub last_schedule: Option<Ts>,
    pub last_success: Option<Ts>,
    pub active: u32,
    pub template: Template,
}

impl CronJobRec {
    pub fn from(c: &slim::CronJob, names: &mut Interner) -> CronJobRec {
        CronJobRec {
            meta: Meta::from(&c.metadata, names),
            schedule: Box::from(c.spec.schedule.as_str()),
            time_zone: c.spec.time_zone.as_deref().map(Box::from),
            suspend: c.spec.suspend.unwrap_or(false),
            last_schedule: ts(&c.status.last_schedule_time),
            last_success: ts(&c.status.last_successful_time),
            active: c.status.active.len() as u32,
            template: Template::from(&c.spec.job_template.spec.template, names),
        }
    }
}

#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum JobOutcome {
    Running,
    Complete,
    Failed,
}

#[derive(Clone, Debug, PartialEq)]
pub struct JobRec {
    pub meta: Meta,
    pub manual: bool,
    pub completions: i32,
    pub start: Option<Ts>,
    pub completion: Option<Ts>,
    pub succeeded: i32,
    pub failed: i32,
    pub active: i32,
    pub outcome: JobOutcome,
    /// Reason and message of the terminal condition.
    pub reason: Option<Box<str>>,
    pub message: Option<Box<str>>,
    pub finished_at: Option<Ts>,
}

impl JobRec {
    pub fn from(j: &slim::Job, names: &mut Interner) -> JobRec {
        let meta = Meta::from(&j.metadata, names);
        let cs = conds(&j.status.conditions);
        let done = cs.iter().find(|c| {
            c.status.as_ref() == "True" && matches!(c.type_.as_ref(), "Complete" | "Failed")
        });
        let outcome = match done.map(|c| c.type_.as_ref()) {
            Some("Complete") => JobOutcome::Complete,
            Some("Failed") => JobOutcome::Failed,
            _ => JobOutcome::Running,
        };
        JobRec {
            manual: meta.annotation("cronjob.kubernetes.io/instantiate") == Some("manual"),
            meta,
            completions: j.spec.completions.unwrap_or(1),
            start: ts(&j.status.start_time),
            completion: ts(&j.status.completion_time),
            succeeded: j.status.succeeded.unwrap_or(0),
            failed: j.status.failed.unwrap_or(0),
            active: j.status.active.unwrap_or(0),
            outcome,
            reason: done.map(|c| c.reason.clone()),
            message: done.map(|c| c.message.clone()),
            finished_at: done
                .and_then(|c| c.last_transition)
                .or(ts(&j.status.completion_time)),
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct SvcPort {
    pub name: Option<Box<str>>,
    pub port: i32,
    pub target: Option<PortRef>,
    pub node_port: Option<i32>,
    pub protocol: Box<str>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct ServiceRec {
    pub meta: Meta,
    pub type_: Box<str>,
    pub cluster_ip: Option<Box<str>>,
    pub selector: Option<Labels>,
    pub ports: Box<[SvcPort]>,
}

impl ServiceRec {
    pub fn from(s: &slim::Service, names: &mut Interner) -> ServiceRec {
        ServiceRec {
            meta: Meta::from(&s.metadata, names),
            type_: Box::from(s.spec.type_.as_deref().unwrap_or("ClusterIP")),
            cluster_ip: s.spec.cluster_ip.as_deref().map(Box::from),
            selector: s
                .spec
                .selector
                .as_ref()
                .map(|m| Labels::from_map(&Some(m.clone()), names)),
            ports: s
                .spec
                .ports
                .iter()
                .map(|p| SvcPort {
                    name: p.name.as_deref().map(Box::from),
                    port: p.port,
                    target: port_ref(&p.target_port),
                    node_port: p.node_port,
                    protocol: Box::from(p.protocol.as_deref().unwrap_or("TCP")),
                })
                .collect(),
        }
    }

    pub fn selector_text(&self) -> String {
        match &self.selector {
            Some(m) if !m.is_empty() => m
                .iter()
                .map(|(k, v)| format!("{k}={v}"))
                .collect::<Vec<_>>()
                .join(","),
            _ => "<none>".into(),
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct EndpointsRec {
    pub name: Arc<str>,
    pub namespace: Arc<str>,
    /// Pod names (or IPs without a target) of ready addresses.
    pub ready: Box<[Box<str>]>,
    pub not_ready: Box<[Box<str>]>,
}

impl EndpointsRec {
    pub fn from(e: &slim::Endpoints, names: &mut Interner) -> EndpointsRec {
        let pick = |a: &slim::EndpointAddress| -> Box<str> {
            Box::from(
                a.target_ref
                    .as_ref()
                    .and_then(|t| t.name.as_deref())
                    .unwrap_or(&a.ip),
            )
        };
        EndpointsRec {
            name: object_name(e.metadata.name.as_deref().unwrap_or("")),
            namespace: names.clean(e.metadata.namespace.as_deref().unwrap_or(""), 253),
            ready: e
                .subsets
                .iter()
                .flat_map(|s| s.addresses.iter().map(pick))
                .collect(),
            not_ready: e
                .subsets
                .iter()
                .flat_map(|s| s.not_ready_addresses.iter().map(pick))
                .collect(),
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct EventRec {
    pub name: Arc<str>,
    pub namespace: Arc<str>,
    pub object_kind: Box<str>,
    pub object_name: Box<str>,
    pub field_path: Option<Box<str>>,
    pub reason: Box<str>,
    pub message: Box<str>,
    pub warning: bool,
    pub count: u32,
    pub first: Ts,
    pub last: Ts,
    pub source: Box<str>,
}

/// Longest event message kept (bytes beyond are cut at ingestion).
pub const EVENT_MESSAGE_MAX: usize = 500;

impl EventRec {
    pub fn from(e: &slim::Event, names: &mut Interner) -> EventRec {
        let micro = e
            .event_time
            .as_ref()
            .and_then(|v| v.as_str())
            .and_then(|s| s.parse::<jiff::Timestamp>().ok())
            .map(|t| t.as_second());
        let created = ts(&e.metadata.creation_timestamp).unwrap_or(0);
        let first = ts(&e.first_timestamp).or(micro).unwrap_or(created);
        let last = ts(&e.last_timestamp).or(micro).unwrap_or(first);
        EventRec {
            name: object_name(e.metadata.name.as_deref().unwrap_or("")),
            namespace: names.clean(e.metadata.namespace.as_deref().unwrap_or(""), 253),
            object_kind: Box::from(
                sanitize::line(e.involved_object.kind.as_deref().unwrap_or(""), 40).as_str(),
            ),
            object_name: Box::from(
                sanitize::line(e.involved_object.name.as_deref().unwrap_or(""), 253).as_str(),
            ),
            field_path: e
                .involved_object
                .field_path
                .as_deref()
                .map(|f| Box::from(sanitize::line(f, 80).as_str())),
            reason: Box::from(sanitize::line(e.reason.as_deref().unwrap_or(""), 60).as_str()),
            message: Box::from(
                sanitize::line(e.message.as_deref().unwrap_or(""), EVENT_MESSAGE_MAX).as_str(),
            ),
            warning: e.type_.as_deref() == Some("Warning"),
            count: e.count.unwrap_or(1).max(1) as u32,
            first,
            last,
            source: Box::from(
                sanitize::line(
                    e.source
                        .as_ref()
                        .and_then(|s| s.component.as_deref())
                        .unwrap_or(""),
                    60,
                )
                .as_str(),
            ),
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct PdbRec {
    pub meta: Meta,
    pub min_available: Option<Box<str>>,
    pub max_unavailable: Option<Box<str>>,
    pub selector: LabelSelector,
    pub current_healthy: i32,
    pub desired_healthy: i32,
    pub disruptions_allowed: i32,
    pub expected: i32,
}

impl PdbRec {
    pub fn from(p: &slim::Pdb, names: &mut Interner) -> PdbRec {
        PdbRec {
            meta: Meta::from(&p.metadata, names),
            min_available: ios(&p.spec.min_available),
            max_unavailable: ios(&p.spec.max_unavailable),
            selector: selector_of(&p.spec.selector),
            current_healthy: p.status.current_healthy.unwrap_or(0),
            desired_healthy: p.status.desired_healthy.unwrap_or(0),
            disruptions_allowed: p.status.disruptions_allowed.unwrap_or(0),
            expected: p.status.expected_pods.unwrap_or(0),
        }
    }
}

impl NamespaceRec {
    pub fn from(n: &slim::Namespace, names: &mut Interner) -> NamespaceRec {
        NamespaceRec {
            name: object_name(n.metadata.name.as_deref().unwrap_or("")),
            terminating: n.status.as_ref().and_then(|s| s.phase.as_deref()) == Some("Terminating"),
            labels: Labels::from_map(&n.metadata.labels, names),
        }
    }
}

/// A VolumeSnapshot: its source PVC, readiness, when it was taken, and any error.
#[derive(Clone, Debug, PartialEq)]
pub struct SnapshotRec {
    pub namespace: Arc<str>,
    pub name: Arc<str>,
    pub pvc: Arc<str>,
    pub ready: bool,
    pub created: Ts,
    pub size: Option<Box<str>>,
    pub error: Option<Box<str>>,
}

impl SnapshotRec {
    pub fn from(v: &slim::VolumeSnapshot, names: &mut Interner) -> SnapshotRec {
        let m = &v.metadata;
        let created = ts(&v.status.creation_time)
            .or(ts(&m.creation_timestamp))
            .unwrap_or(0);
        SnapshotRec {
            namespace: names.clean(m.namespace.as_deref().unwrap_or(""), 253),
            name: object_name(m.name.as_deref().unwrap_or("")),
            pvc: names.clean(
                v.spec
                    .source
                    .persistent_volume_claim_name
                    .as_deref()
                    .or(v.spec.source.volume_snapshot_content_name.as_deref())
                    .unwrap_or("?"),
                253,
            ),
            ready: v.status.ready_to_use.unwrap_or(false),
            created,
            size: v
                .status
                .restore_size
                .as_deref()
                .map(|s| Box::from(sanitize::line(s, 20).as_str())),
            error: v
                .status
                .error
                .as_ref()
                .and_then(|e| e.message.as_deref())
                .map(|s| Box::from(sanitize::line(s, 300).as_str())),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hostile_object_names_are_sanitised_the_same_way_everywhere() {
        assert_eq!(&*object_name("flextime-api-7d9c"), "flextime-api-7d9c");
        let evil = "web\u{1b}]52;c;aGk=\u{7}\u{202e}x";
        let n = object_name(evil);
        assert!(
            !n.chars().any(|c| c.is_control() || c == '\u{202e}'),
            "{n:?}"
        );
        // The namespace path (interned) gives the same string, so keys meet.
        let mut names = Interner::default();
        assert_eq!(names.clean(evil, 253), n);
        assert_eq!(object_name(&"a".repeat(10_000)).chars().count(), 254);
    }

    #[test]
    fn interner_shares_and_forgets_strings_no_record_holds() {
        let mut names = Interner::default();
        let kept = names.get("flextime-production");
        assert!(Arc::ptr_eq(&kept, &names.get("flextime-production")));
        // Strings used once and dropped (the uid labels of Jobs long gone).
        for i in 0..10_000 {
            drop(names.get(&format!("job-uid-{i}")));
        }
        assert!(names.len() < 2_100, "table pruned, holds {}", names.len());
        assert!(Arc::ptr_eq(&kept, &names.get("flextime-production")));
    }

    #[test]
    fn labels_lookup_and_selectors() {
        let mut m = BTreeMap::new();
        m.insert("app".to_string(), "web".to_string());
        m.insert("slot".to_string(), "blue".to_string());
        let mut names = Interner::default();
        let l = Labels::from_map(&Some(m.clone()), &mut names);
        assert_eq!(l.get("slot"), Some("blue"));
        assert_eq!(l.get("nope"), None);
        assert!(selector_matches(&selector_of_map(&l), &l));
        let mut other = m.clone();
        other.insert("slot".into(), "green".into());
        let other = Labels::from_map(&Some(other), &mut names);
        assert!(!selector_matches(&selector_of_map(&other), &l));
        // Repeated strings are shared, hostile ones made inert.
        let again = Labels::from_map(&Some(m.clone()), &mut names);
        assert!(Arc::ptr_eq(&l.0[0].1, &again.0[0].1));
        let mut evil = BTreeMap::new();
        evil.insert("note".to_string(), "\u{1b}[31mred".to_string());
        assert_eq!(
            Labels::from_map(&Some(evil), &mut names).get("note"),
            Some("red")
        );
    }

    #[test]
    fn quantities_and_pod_status() {
        assert_eq!(parse_quantity("500m"), Some(0.5));
        assert_eq!(parse_quantity("1Gi"), Some(1073741824.0));
        let pod: slim::Pod = serde_json::from_value(serde_json::json!({
            "metadata": {"name": "p", "namespace": "ns", "ownerReferences": [{"apiVersion": "apps/v1", "kind": "ReplicaSet", "name": "web-abc", "uid": "u", "controller": true}]},
            "spec": {"containers": [{"name": "api", "image": "x:1", "resources": {"requests": {"cpu": "500m", "memory": "1Gi"}}}]},
            "status": {"phase": "Running", "containerStatuses": [{"name": "api", "ready": false, "restartCount": 4,
                "state": {"waiting": {"reason": "CrashLoopBackOff", "message": "back-off \u{1b}[31m"}},
                "lastState": {"terminated": {"reason": "Error", "exitCode": 1}}}]}
        }))
        .unwrap();
        let mut names = Interner::default();
        let r = PodRec::from(&pod, &mut names);
        assert_eq!(r.status(), "CrashLoopBackOff");
        assert_eq!(r.restarts(), 4);
        assert_eq!(r.owner.as_ref().unwrap().kind, OwnerKind::ReplicaSet);
        assert_eq!(r.containers[0].requests.cpu_m(), Some(500.0));
        match &r.containers[0].state {
            CState::Waiting { message, .. } => assert_eq!(message.as_ref(), "back-off "),
            other => panic!("{other:?}"),
        }
    }
}
