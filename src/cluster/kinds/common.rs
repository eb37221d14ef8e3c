//! What every kind's file shares: the slim serde parts of objects (metadata with
//! annotations filtered while parsing, pod templates, conditions) and the compact
//! forms records keep (interned strings, labels and selectors, owners, templates,
//! conditions, resource quantities). Free text from the cluster is sanitised and
//! bounded here, at ingestion.

use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap, HashSet};

/// The interner's table: hit for every name on the watch path, so a fast (still
/// seeded) hasher.
type Fast = foldhash::quality::RandomState;
use std::sync::Arc;

use k8s_openapi::apimachinery::pkg::apis::meta::v1::{
    LabelSelector as K8sSelector, ObjectMeta, OwnerReference, Time,
};
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;
use serde::de::{IgnoredAny, MapAccess, Visitor};
use serde::{Deserialize, Deserializer};

use crate::util::sanitize;
use crate::util::selector::{LabelSelector, Req};

/// Unix seconds.
pub type Ts = i64;

pub fn ts(t: &Option<Time>) -> Option<Ts> {
    t.as_ref().map(|t| t.0.as_second())
}

/// Shares one allocation per distinct string (namespaces, nodes, label keys and values,
/// images, reasons). A watcher keeps one for its lifetime, so strings no record uses
/// any more (the labels of Jobs long gone) are dropped whenever the table has doubled.
#[derive(Default)]
pub struct Interner {
    table: HashMap<Box<str>, Arc<str>, Fast>,
    /// The table's size after the last pruning.
    kept: usize,
    /// Whole label sets: the pods of one ReplicaSet carry the same one.
    sets: HashSet<LabelSet, Fast>,
    sets_kept: usize,
}

/// Whether a table has doubled (and more) since it was last pruned of entries no
/// record uses any more.
fn grown(len: usize, kept: usize) -> bool {
    len >= 2 * kept + 1024
}

/// One object's labels, in the order of their keys as the server sent them.
type LabelSet = Arc<[(Arc<str>, Arc<str>)]>;

impl Interner {
    /// The interned, sanitised form of untrusted text.
    pub fn clean(&mut self, s: &str, max: usize) -> Arc<str> {
        if sanitize::is_clean(s, max) {
            self.get(s)
        } else {
            self.get(&sanitize::line(s, max))
        }
    }

    pub fn get(&mut self, s: &str) -> Arc<str> {
        if let Some(a) = self.table.get(s) {
            return a.clone();
        }
        if grown(self.table.len(), self.kept) {
            self.table.retain(|_, a| Arc::strong_count(a) > 1);
            self.kept = self.table.len();
        }
        let a: Arc<str> = Arc::from(s);
        self.table.insert(Box::from(s), a.clone());
        a
    }

    /// The shared form of a label set.
    fn set(&mut self, pairs: Vec<(Arc<str>, Arc<str>)>) -> LabelSet {
        if let Some(a) = self.sets.get(pairs.as_slice()) {
            return a.clone();
        }
        if grown(self.sets.len(), self.sets_kept) {
            self.sets.retain(|a| Arc::strong_count(a) > 1);
            self.sets_kept = self.sets.len();
        }
        let a: LabelSet = Arc::from(pairs);
        self.sets.insert(a.clone());
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
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Labels(LabelSet);

impl Labels {
    /// Interned as a whole set too (one allocation for all the pods of a template).
    pub fn from_map(m: &Option<BTreeMap<String, String>>, names: &mut Interner) -> Labels {
        let pairs: Vec<_> = m
            .iter()
            .flatten()
            .map(|(k, v)| (names.clean(k, 253), names.clean(v, 253)))
            .collect();
        Labels(names.set(pairs))
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

#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub enum OwnerKind {
    ReplicaSet,
    Deployment,
    StatefulSet,
    Job,
    CronJob,
    DaemonSet,
    Other,
}

#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Owner {
    pub kind: OwnerKind,
    pub name: Arc<str>,
}

pub fn owner_of(m: &ObjectMeta, names: &mut Interner) -> Option<Owner> {
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
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
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
#[derive(Copy, Clone, Debug, serde::Serialize, serde::Deserialize)]
pub struct Res {
    #[serde(with = "nan_as_null")]
    cpu_m: f32,
    #[serde(with = "nan_as_null")]
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

    pub fn plus(self, o: Res) -> Res {
        let add = |a: Option<f64>, b: Option<f64>| match (a, b) {
            (None, None) => None,
            (a, b) => Some(a.unwrap_or(0.0) + b.unwrap_or(0.0)),
        };
        Res::new(add(self.cpu_m(), o.cpu_m()), add(self.mem(), o.mem()))
    }
}

pub use crate::util::quantity::parse as parse_quantity;

#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub enum PortRef {
    Number(u16),
    Name(Box<str>),
}

pub fn port_ref(p: &Option<IntOrString>) -> Option<PortRef> {
    match p.as_ref()? {
        IntOrString::Int(n) => u16::try_from(*n).ok().map(PortRef::Number),
        IntOrString::String(s) => Some(match s.parse::<u16>() {
            Ok(n) => PortRef::Number(n),
            Err(_) => PortRef::Name(Box::from(s.as_str())),
        }),
    }
}

#[derive(Copy, Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum ProbeKind {
    Readiness,
    Liveness,
    Startup,
}

/// An HTTP probe declared in a pod template.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct HttpProbe {
    pub kind: ProbeKind,
    pub path: Box<str>,
    pub port: PortRef,
    pub https: bool,
}

#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
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

#[derive(Clone, Debug, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Template {
    pub labels: Labels,
    pub restarted_at: Option<Box<str>>,
    pub containers: Box<[TemplateContainer]>,
}

impl Template {
    pub fn from(t: &PodTemplate, names: &mut Interner) -> Template {
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

fn template_container(c: &Container, names: &mut Interner) -> TemplateContainer {
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
        requests: c
            .resources
            .as_ref()
            .map_or_else(Res::default, |r| r.requests),
        limits: c.resources.as_ref().map_or_else(Res::default, |r| r.limits),
    }
}

#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Cond {
    pub type_: Box<str>,
    pub status: Box<str>,
    pub reason: Box<str>,
    pub message: Box<str>,
    pub last_update: Option<Ts>,
    pub last_transition: Option<Ts>,
}

pub fn conds(c: &[Condition]) -> Box<[Cond]> {
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

/// A template's containers as describe lines: image, requests, limits, HTTP probes.
pub fn template_fields(t: &Template, out: &mut Vec<(String, String)>) {
    use crate::util::quantity::{cpu, mem};
    let mut kv = |k: String, v: String| out.push((k, v));
    kv("Containers".into(), String::new());
    for c in t.containers.iter() {
        kv(format!("  {}", c.name), c.image.to_string());
        let q = |r: &Res| {
            format!(
                "cpu {} mem {}",
                r.cpu_m().map(cpu).unwrap_or("-".into()),
                r.mem().map(mem).unwrap_or("-".into())
            )
        };
        kv("    Requests".into(), q(&c.requests));
        kv("    Limits".into(), q(&c.limits));
        for p in c.probes.iter() {
            let port = match &p.port {
                PortRef::Number(n) => n.to_string(),
                PortRef::Name(n) => n.to_string(),
            };
            kv(
                format!("    {:?} probe", p.kind),
                format!("http{} :{}{}", if p.https { "s" } else { "" }, port, p.path),
            );
        }
    }
}

pub fn cond<'a>(cs: &'a [Cond], type_: &str) -> Option<&'a Cond> {
    cs.iter().find(|c| c.type_.as_ref() == type_)
}

// ---------------------------------------------------------------- slim parts

/// Annotations the console uses; every other annotation is dropped at the source.
pub const KEPT_ANNOTATIONS: &[&str] = &[
    "deployment.kubernetes.io/revision",
    "kubernetes.io/change-cause",
    "kubectl.kubernetes.io/default-container",
    "kubectl.kubernetes.io/restartedAt",
    "cronjob.kubernetes.io/instantiate",
    "batch.kubernetes.io/cronjob-scheduled-timestamp",
];

fn kept(k: &str) -> bool {
    KEPT_ANNOTATIONS.contains(&k) || k.starts_with("kdeck.io/")
}

struct AnnotationVisitor;

impl<'de> Visitor<'de> for AnnotationVisitor {
    type Value = Option<BTreeMap<String, String>>;
    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("a map of annotations")
    }
    fn visit_none<E>(self) -> Result<Self::Value, E> {
        Ok(None)
    }
    fn visit_unit<E>(self) -> Result<Self::Value, E> {
        Ok(None)
    }
    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_map(AnnotationVisitor)
    }
    fn visit_map<A: MapAccess<'de>>(self, mut m: A) -> Result<Self::Value, A::Error> {
        let mut out = BTreeMap::new();
        while let Some(k) = m.next_key::<Cow<'de, str>>()? {
            if kept(&k) {
                let v: String = m.next_value()?;
                out.insert(k.into_owned(), v);
            } else {
                m.next_value::<IgnoredAny>()?;
            }
        }
        Ok((!out.is_empty()).then_some(out))
    }
}

pub fn filtered_annotations<'de, D: Deserializer<'de>>(
    d: D,
) -> Result<Option<BTreeMap<String, String>>, D::Error> {
    d.deserialize_option(AnnotationVisitor)
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase")]
struct RawMeta {
    name: Option<String>,
    namespace: Option<String>,
    uid: Option<String>,
    resource_version: Option<String>,
    generation: Option<i64>,
    creation_timestamp: Option<Time>,
    deletion_timestamp: Option<Time>,
    labels: Option<BTreeMap<String, String>>,
    #[serde(default, deserialize_with = "filtered_annotations")]
    annotations: Option<BTreeMap<String, String>>,
    owner_references: Option<Vec<OwnerReference>>,
    // managedFields and everything else: ignored without being built.
}

pub fn slim_meta<'de, D: Deserializer<'de>>(d: D) -> Result<ObjectMeta, D::Error> {
    let r = RawMeta::deserialize(d)?;
    Ok(ObjectMeta {
        name: r.name,
        namespace: r.namespace,
        uid: r.uid,
        resource_version: r.resource_version,
        generation: r.generation,
        creation_timestamp: r.creation_timestamp,
        deletion_timestamp: r.deletion_timestamp,
        labels: r.labels,
        annotations: r.annotations,
        owner_references: r.owner_references,
        ..ObjectMeta::default()
    })
}

// ---------------------------------------------------------------- shared parts

#[derive(Deserialize, Clone, Debug, Default)]
#[serde(rename_all = "camelCase")]
pub struct Condition {
    #[serde(rename = "type")]
    pub type_: String,
    pub status: String,
    pub reason: Option<String>,
    pub message: Option<String>,
    pub last_update_time: Option<Time>,
    pub last_transition_time: Option<Time>,
}

/// A container's `resources`: the CPU and memory of its requests and limits, read
/// straight from the quantities while parsing (a map of JSON values per container of
/// every pod was built, cloned and dropped before).
#[derive(Deserialize, Clone, Debug, Default)]
pub struct Resources {
    #[serde(default, deserialize_with = "res_of_map")]
    pub requests: Res,
    #[serde(default, deserialize_with = "res_of_map")]
    pub limits: Res,
}

/// Text borrowed from the input where it holds no escapes (a copy where it does).
struct Text<'de>(Cow<'de, str>);

impl<'de: 'a, 'a> Deserialize<'de> for Text<'a> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V<'a>(std::marker::PhantomData<&'a ()>);
        impl<'de: 'a, 'a> Visitor<'de> for V<'a> {
            type Value = Text<'a>;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a string")
            }
            fn visit_borrowed_str<E>(self, s: &'de str) -> Result<Text<'a>, E> {
                Ok(Text(Cow::Borrowed(s)))
            }
            fn visit_str<E>(self, s: &str) -> Result<Text<'a>, E> {
                Ok(Text(Cow::Owned(s.to_string())))
            }
            fn visit_string<E>(self, s: String) -> Result<Text<'a>, E> {
                Ok(Text(Cow::Owned(s)))
            }
        }
        d.deserialize_str(V(std::marker::PhantomData))
    }
}

/// A quantity as a number: `"250m"`, `"1Gi"`, or a bare JSON number; `None` when
/// it is neither.
struct Qty(Option<f64>);

impl<'de> Deserialize<'de> for Qty {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Qty;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a quantity")
            }
            fn visit_str<E>(self, s: &str) -> Result<Qty, E> {
                Ok(Qty(parse_quantity(s)))
            }
            fn visit_f64<E>(self, v: f64) -> Result<Qty, E> {
                Ok(Qty(Some(v)))
            }
            fn visit_u64<E>(self, v: u64) -> Result<Qty, E> {
                Ok(Qty(Some(v as f64)))
            }
            fn visit_i64<E>(self, v: i64) -> Result<Qty, E> {
                Ok(Qty(Some(v as f64)))
            }
            fn visit_unit<E>(self) -> Result<Qty, E> {
                Ok(Qty(None))
            }
            fn visit_bool<E>(self, _: bool) -> Result<Qty, E> {
                Ok(Qty(None))
            }
            fn visit_map<A: MapAccess<'de>>(self, mut m: A) -> Result<Qty, A::Error> {
                while m.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
                Ok(Qty(None))
            }
            fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut s: A) -> Result<Qty, A::Error> {
                while s.next_element::<IgnoredAny>()?.is_some() {}
                Ok(Qty(None))
            }
        }
        d.deserialize_any(V)
    }
}

struct ResVisitor;

impl<'de> Visitor<'de> for ResVisitor {
    type Value = Res;
    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("a map of resource quantities")
    }
    fn visit_none<E>(self) -> Result<Res, E> {
        Ok(Res::default())
    }
    fn visit_unit<E>(self) -> Result<Res, E> {
        Ok(Res::default())
    }
    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Res, D::Error> {
        d.deserialize_map(ResVisitor)
    }
    fn visit_map<A: MapAccess<'de>>(self, mut m: A) -> Result<Res, A::Error> {
        let (mut cpu, mut mem) = (None, None);
        while let Some(Text(k)) = m.next_key::<Text<'de>>()? {
            match k.as_ref() {
                "cpu" => cpu = m.next_value::<Qty>()?.0,
                "memory" => mem = m.next_value::<Qty>()?.0,
                _ => {
                    m.next_value::<IgnoredAny>()?;
                }
            }
        }
        Ok(Res::new(cpu.map(|c| c * 1000.0), mem))
    }
}

/// A `requests`, `limits` or `allocatable` map as CPU and memory.
pub fn res_of_map<'de, D: Deserializer<'de>>(d: D) -> Result<Res, D::Error> {
    d.deserialize_option(ResVisitor)
}

/// Whether a pod's conditions hold `Ready=True`, read without building them (five
/// conditions with two timestamps each, for every pod of a fleet).
pub fn ready_condition<'de, D: Deserializer<'de>>(d: D) -> Result<bool, D::Error> {
    #[derive(Deserialize)]
    struct C<'a> {
        #[serde(rename = "type", borrow)]
        type_: Option<Text<'a>>,
        #[serde(borrow)]
        status: Option<Text<'a>>,
    }
    struct V;
    impl<'de> Visitor<'de> for V {
        type Value = bool;
        fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
            f.write_str("a list of conditions")
        }
        fn visit_none<E>(self) -> Result<bool, E> {
            Ok(false)
        }
        fn visit_unit<E>(self) -> Result<bool, E> {
            Ok(false)
        }
        fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<bool, D::Error> {
            d.deserialize_seq(V)
        }
        fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut s: A) -> Result<bool, A::Error> {
            let mut ready = false;
            while let Some(c) = s.next_element::<C<'de>>()? {
                ready |= c.type_.is_some_and(|t| t.0 == "Ready")
                    && c.status.is_some_and(|t| t.0 == "True");
            }
            Ok(ready)
        }
    }
    d.deserialize_option(V)
}

#[derive(Deserialize, Clone, Debug, Default)]
#[serde(rename_all = "camelCase")]
pub struct HttpGet {
    pub path: Option<String>,
    pub port: Option<IntOrString>,
    pub scheme: Option<String>,
}

#[derive(Deserialize, Clone, Debug, Default)]
#[serde(rename_all = "camelCase")]
pub struct Probe {
    pub http_get: Option<HttpGet>,
}

#[derive(Deserialize, Clone, Debug, Default)]
#[serde(rename_all = "camelCase")]
pub struct Port {
    pub name: Option<String>,
    pub container_port: Option<i32>,
}

#[derive(Deserialize, Clone, Debug, Default)]
#[serde(rename_all = "camelCase")]
pub struct Container {
    pub name: String,
    pub image: Option<String>,
    #[serde(default)]
    pub ports: Vec<Port>,
    pub resources: Option<Resources>,
    pub readiness_probe: Option<Probe>,
    pub liveness_probe: Option<Probe>,
    pub startup_probe: Option<Probe>,
}

#[derive(Deserialize, Clone, Debug, Default)]
#[serde(rename_all = "camelCase")]
pub struct PodSpec {
    #[serde(default)]
    pub containers: Vec<Container>,
    pub node_name: Option<String>,
    #[serde(default)]
    pub volumes: Vec<Volume>,
}

#[derive(Deserialize, Clone, Debug, Default)]
#[serde(rename_all = "camelCase")]
pub struct Volume {
    pub persistent_volume_claim: Option<ClaimSource>,
}

#[derive(Deserialize, Clone, Debug, Default)]
#[serde(rename_all = "camelCase")]
pub struct ClaimSource {
    pub claim_name: String,
}

#[derive(Deserialize, Clone, Debug, Default)]
pub struct TemplateMeta {
    pub labels: Option<BTreeMap<String, String>>,
    #[serde(default, deserialize_with = "filtered_annotations")]
    pub annotations: Option<BTreeMap<String, String>>,
}

#[derive(Deserialize, Clone, Debug, Default)]
pub struct PodTemplate {
    #[serde(default)]
    pub metadata: TemplateMeta,
    #[serde(default)]
    pub spec: PodSpec,
}

/// An int-or-string as text (`25%`, `1`).
pub fn ios(v: &Option<IntOrString>) -> Option<Box<str>> {
    v.as_ref().map(|v| match v {
        IntOrString::Int(n) => Box::from(n.to_string().as_str()),
        IntOrString::String(s) => Box::from(s.as_str()),
    })
}

// ---------------------------------------------------------------- values measured, not kept

/// A string value's size, read without keeping the value (`base64`: its decoded size).
struct Measured<const BASE64: bool>(u32);

impl<'de, const BASE64: bool> Deserialize<'de> for Measured<BASE64> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V<const B: bool>;
        impl<'de, const B: bool> Visitor<'de> for V<B> {
            type Value = Measured<B>;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a string")
            }
            fn visit_str<E: serde::de::Error>(self, s: &str) -> Result<Self::Value, E> {
                let n = if B {
                    let pad = s.bytes().rev().take_while(|b| *b == b'=').count();
                    (s.len() / 4 * 3 + (s.len() % 4) * 3 / 4).saturating_sub(pad)
                } else {
                    s.len()
                };
                Ok(Measured(u32::try_from(n).unwrap_or(u32::MAX)))
            }
            fn visit_unit<E>(self) -> Result<Self::Value, E> {
                Ok(Measured(0))
            }
        }
        d.deserialize_str(V::<BASE64>)
    }
}

struct SizesVisitor<const BASE64: bool>;

impl<'de, const BASE64: bool> Visitor<'de> for SizesVisitor<BASE64> {
    type Value = Vec<(String, u32)>;
    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("a map of strings")
    }
    fn visit_none<E>(self) -> Result<Self::Value, E> {
        Ok(Vec::new())
    }
    fn visit_unit<E>(self) -> Result<Self::Value, E> {
        Ok(Vec::new())
    }
    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_map(self)
    }
    fn visit_map<A: MapAccess<'de>>(self, mut m: A) -> Result<Self::Value, A::Error> {
        let mut out = Vec::new();
        while let Some(k) = m.next_key::<String>()? {
            let Measured(n) = m.next_value::<Measured<BASE64>>()?;
            out.push((k, n));
        }
        Ok(out)
    }
}

/// A map of string values as (key, size): the values are measured and dropped.
pub fn value_sizes<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<(String, u32)>, D::Error> {
    d.deserialize_option(SizesVisitor::<false>)
}

/// A map of base64 values (a Secret's `data`) as (key, decoded size).
pub fn base64_sizes<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<(String, u32)>, D::Error> {
    d.deserialize_option(SizesVisitor::<true>)
}

/// Keys (sanitised, bounded) with their sizes, sorted by key.
pub fn key_sizes<'a>(it: impl Iterator<Item = &'a (String, u32)>) -> Box<[(Box<str>, u32)]> {
    let mut v: Vec<(Box<str>, u32)> = it
        .take(1000)
        .map(|(k, n)| (Box::from(sanitize::line(k, 253).as_str()), *n))
        .collect();
    v.sort();
    v.into()
}

/// The sum of the sizes.
pub fn total(keys: &[(Box<str>, u32)]) -> u64 {
    keys.iter().map(|(_, n)| *n as u64).sum()
}

/// `a, b, c` (the keys, in order).
pub fn key_list(keys: &[(Box<str>, u32)]) -> String {
    keys.iter()
        .map(|(k, _)| k.as_ref())
        .collect::<Vec<_>>()
        .join(", ")
}

/// A size for people: `512 B`, `3.4 KiB`, `1.2 MiB`.
pub fn bytes(n: u64) -> String {
    match n {
        0..1024 => format!("{n} B"),
        1024..1_048_576 => format!("{:.1} KiB", n as f64 / 1024.0),
        _ => format!("{:.1} MiB", n as f64 / 1_048_576.0),
    }
}

/// An absent quantity (NaN) as JSON `null` and back (JSON has no NaN).
mod nan_as_null {
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(v: &f32, s: S) -> Result<S::Ok, S::Error> {
        if v.is_nan() {
            s.serialize_none()
        } else {
            s.serialize_f32(*v)
        }
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<f32, D::Error> {
        Ok(Option::<f32>::deserialize(d)?.unwrap_or(f32::NAN))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn equal_label_sets_share_one_allocation_and_read_as_before() {
        let mut names = Interner::default();
        let m = |pairs: &[(&str, &str)]| {
            Some(
                pairs
                    .iter()
                    .map(|(k, v)| (k.to_string(), v.to_string()))
                    .collect::<BTreeMap<_, _>>(),
            )
        };
        let a = Labels::from_map(
            &m(&[("app", "api"), ("pod-template-hash", "7d9f")]),
            &mut names,
        );
        let b = Labels::from_map(
            &m(&[("pod-template-hash", "7d9f"), ("app", "api")]),
            &mut names,
        );
        let c = Labels::from_map(
            &m(&[("app", "api"), ("pod-template-hash", "5c4b")]),
            &mut names,
        );
        assert!(Arc::ptr_eq(&a.0, &b.0), "one set for equal labels");
        assert!(!Arc::ptr_eq(&a.0, &c.0));
        assert_eq!(a.get("app"), Some("api"));
        assert_eq!(c.get("pod-template-hash"), Some("5c4b"));
        assert_eq!(a.join(), "app=api,pod-template-hash=7d9f");
        // Hostile values are still cleaned.
        let d = Labels::from_map(&m(&[("app", "a\u{1b}[2Jb")]), &mut names);
        assert!(!d.join().contains('\u{1b}'), "{}", d.join());
        // Recorded and read back (a recording's form is unchanged).
        let text = serde_json::to_string(&a).expect("serialises");
        assert_eq!(text, r#"[["app","api"],["pod-template-hash","7d9f"]]"#);
        let back: Labels = serde_json::from_str(&text).expect("reads back");
        assert_eq!(back, a);
    }

    #[test]
    fn quantity_maps_read_as_figures_and_ready_as_one_condition() {
        #[derive(Deserialize)]
        struct R {
            #[serde(default, deserialize_with = "res_of_map")]
            r: Res,
        }
        let r = |j: &str| serde_json::from_str::<R>(j).expect("parses").r;
        let a =
            r(r#"{"r":{"cpu":"250m","memory":"1Gi","pods":"110","ephemeral-storage":{"x":1}}}"#);
        assert_eq!(a.cpu_m(), Some(250.0));
        assert_eq!(a.mem(), Some(1073741824.0));
        let b = r(r#"{"r":{"cpu":2,"memory":null}}"#);
        assert_eq!((b.cpu_m(), b.mem()), (Some(2000.0), None));
        assert_eq!(r(r#"{"r":null}"#), Res::default());
        assert_eq!(r("{}"), Res::default());
        assert!(serde_json::from_str::<R>(r#"{"r":"cpu"}"#).is_err());

        #[derive(Deserialize)]
        struct S {
            #[serde(default, deserialize_with = "ready_condition")]
            c: bool,
        }
        let c = |j: &str| serde_json::from_str::<S>(j).expect("parses").c;
        assert!(c(
            r#"{"c":[{"type":"Initialized","status":"True"},{"type":"Ready","status":"True","lastTransitionTime":"2026-01-01T00:00:00Z"}]}"#
        ));
        assert!(!c(
            r#"{"c":[{"type":"Ready","status":"False"},{"type":"PodScheduled","status":"True"}]}"#
        ));
        // Escaped text is read too (a copy, not a borrow).
        assert!(c(r#"{"c":[{"type":"Re\u0061dy","status":"True"}]}"#));
        assert!(!c(r#"{"c":null}"#));
        assert!(!c("{}"));
    }
}
