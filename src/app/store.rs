//! What the console knows of one context: the compact records of every watched kind,
//! keyed by (namespace, name), plus the health of each watch. Relists replace (all,
//! or one namespace); applies and deletes change one object. Events are bounded.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use super::msg::{Applied, ContainerUsage, Feed, FeedStatus, PodUsage, ResKind};
use crate::cluster::model::*;

/// (namespace, name); namespace is empty for cluster-scoped kinds.
pub type Key = (Arc<str>, Arc<str>);

/// Most events kept per context; the oldest (by last occurrence) go first.
pub const MAX_EVENTS: usize = 5000;

pub trait Keyed {
    fn key(&self) -> Key;
}

macro_rules! keyed_meta {
    ($($t:ty),*) => {$(
        impl Keyed for $t {
            fn key(&self) -> Key {
                (self.meta.namespace.clone(), self.meta.name.clone())
            }
        }
    )*};
}
keyed_meta!(
    DeploymentRec,
    ReplicaSetRec,
    StatefulSetRec,
    HpaRec,
    CronJobRec,
    JobRec,
    ServiceRec,
    PdbRec
);

impl Keyed for PodRec {
    fn key(&self) -> Key {
        (self.namespace.clone(), self.name.clone())
    }
}
impl Keyed for EndpointsRec {
    fn key(&self) -> Key {
        (self.namespace.clone(), self.name.clone())
    }
}
impl Keyed for EventRec {
    fn key(&self) -> Key {
        (self.namespace.clone(), self.name.clone())
    }
}
impl Keyed for NamespaceRec {
    fn key(&self) -> Key {
        (Arc::from(""), self.name.clone())
    }
}

fn relist<T: Keyed>(map: &mut BTreeMap<Key, T>, scope: Option<&str>, items: Vec<T>) {
    match scope {
        None => {
            map.clear();
        }
        Some(ns) => map.retain(|(n, _), _| n.as_ref() != ns),
    }
    for it in items {
        map.insert(it.key(), it);
    }
}

fn put<T: Keyed>(map: &mut BTreeMap<Key, T>, it: T) {
    map.insert(it.key(), it);
}

#[derive(Default, Debug)]
pub struct ClusterData {
    pub namespaces: BTreeMap<Key, NamespaceRec>,
    pub pods: BTreeMap<Key, PodRec>,
    pub deployments: BTreeMap<Key, DeploymentRec>,
    pub replicasets: BTreeMap<Key, ReplicaSetRec>,
    pub statefulsets: BTreeMap<Key, StatefulSetRec>,
    pub hpas: BTreeMap<Key, HpaRec>,
    pub cronjobs: BTreeMap<Key, CronJobRec>,
    pub jobs: BTreeMap<Key, JobRec>,
    pub services: BTreeMap<Key, ServiceRec>,
    pub endpoints: BTreeMap<Key, EndpointsRec>,
    pub events: BTreeMap<Key, EventRec>,
    pub pdbs: BTreeMap<Key, PdbRec>,
    /// Pod resource use from metrics.k8s.io, by pod.
    pub usage: HashMap<Key, Box<[ContainerUsage]>>,
    pub metrics_error: Option<String>,
    pub snapshots: SnapshotState,
    pub feeds: BTreeMap<ResKind, FeedStatus>,
    /// Kinds that have been listed at least once.
    pub listed: std::collections::BTreeSet<ResKind>,
    /// Bumped on every change (derived rows are rebuilt when it moves).
    pub rev: u64,
}

/// VolumeSnapshots as far as known: whether the cluster serves them (`None`: not yet
/// known), the set, and the watch's last error.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct SnapshotState {
    pub served: Option<bool>,
    pub list: Vec<crate::cluster::model::SnapshotRec>,
    pub error: Option<String>,
}

impl ClusterData {
    /// Takes a snapshot update (see `Msg::Snapshots`).
    pub fn set_snapshots(
        &mut self,
        result: Option<Result<Vec<crate::cluster::model::SnapshotRec>, String>>,
    ) {
        self.rev += 1;
        match result {
            None => {
                self.snapshots = SnapshotState {
                    served: Some(false),
                    ..SnapshotState::default()
                }
            }
            Some(Ok(list)) => {
                self.snapshots = SnapshotState {
                    served: Some(true),
                    list,
                    error: None,
                }
            }
            Some(Err(e)) => {
                self.snapshots.served = Some(true);
                self.snapshots.error = Some(e);
            }
        }
    }

    pub fn relist(&mut self, scope: Option<&str>, feed: Feed) {
        self.rev += 1;
        let kind = match feed {
            Feed::Namespaces(v) => {
                relist(&mut self.namespaces, None, v);
                ResKind::Namespace
            }
            Feed::Pods(v) => {
                relist(&mut self.pods, scope, v);
                ResKind::Pod
            }
            Feed::Deployments(v) => {
                relist(&mut self.deployments, scope, v);
                ResKind::Deployment
            }
            Feed::ReplicaSets(v) => {
                relist(&mut self.replicasets, scope, v);
                ResKind::ReplicaSet
            }
            Feed::StatefulSets(v) => {
                relist(&mut self.statefulsets, scope, v);
                ResKind::StatefulSet
            }
            Feed::Hpas(v) => {
                relist(&mut self.hpas, scope, v);
                ResKind::Hpa
            }
            Feed::CronJobs(v) => {
                relist(&mut self.cronjobs, scope, v);
                ResKind::CronJob
            }
            Feed::Jobs(v) => {
                relist(&mut self.jobs, scope, v);
                ResKind::Job
            }
            Feed::Services(v) => {
                relist(&mut self.services, scope, v);
                ResKind::Service
            }
            Feed::Endpoints(v) => {
                relist(&mut self.endpoints, scope, v);
                ResKind::Endpoints
            }
            Feed::Events(v) => {
                relist(&mut self.events, scope, v);
                self.bound_events();
                ResKind::Event
            }
            Feed::Pdbs(v) => {
                relist(&mut self.pdbs, scope, v);
                ResKind::Pdb
            }
        };
        self.listed.insert(kind);
        self.feeds.insert(kind, FeedStatus::Live);
    }

    pub fn apply(&mut self, a: Applied) {
        self.rev += 1;
        match a {
            Applied::Namespace(r) => put(&mut self.namespaces, r),
            Applied::Pod(r) => put(&mut self.pods, r),
            Applied::Deployment(r) => put(&mut self.deployments, r),
            Applied::ReplicaSet(r) => put(&mut self.replicasets, r),
            Applied::StatefulSet(r) => put(&mut self.statefulsets, r),
            Applied::Hpa(r) => put(&mut self.hpas, r),
            Applied::CronJob(r) => put(&mut self.cronjobs, r),
            Applied::Job(r) => put(&mut self.jobs, r),
            Applied::Service(r) => put(&mut self.services, r),
            Applied::Endpoints(r) => put(&mut self.endpoints, r),
            Applied::Event(r) => {
                put(&mut self.events, r);
                self.bound_events();
            }
            Applied::Pdb(r) => put(&mut self.pdbs, r),
        }
    }

    pub fn delete(&mut self, kind: ResKind, ns: &Arc<str>, name: &Arc<str>) {
        self.rev += 1;
        let k = (ns.clone(), name.clone());
        match kind {
            ResKind::Namespace => {
                self.namespaces.remove(&(Arc::from(""), name.clone()));
            }
            ResKind::Pod => {
                self.pods.remove(&k);
                self.usage.remove(&k);
            }
            ResKind::Deployment => {
                self.deployments.remove(&k);
            }
            ResKind::ReplicaSet => {
                self.replicasets.remove(&k);
            }
            ResKind::StatefulSet => {
                self.statefulsets.remove(&k);
            }
            ResKind::Hpa => {
                self.hpas.remove(&k);
            }
            ResKind::CronJob => {
                self.cronjobs.remove(&k);
            }
            ResKind::Job => {
                self.jobs.remove(&k);
            }
            ResKind::Service => {
                self.services.remove(&k);
            }
            ResKind::Endpoints => {
                self.endpoints.remove(&k);
            }
            ResKind::Event => {
                self.events.remove(&k);
            }
            ResKind::Pdb => {
                self.pdbs.remove(&k);
            }
        }
    }

    fn bound_events(&mut self) {
        if self.events.len() <= MAX_EVENTS {
            return;
        }
        let mut by_age: Vec<(Ts, Key)> = self
            .events
            .iter()
            .map(|(k, e)| (e.last, k.clone()))
            .collect();
        by_age.sort();
        let excess = self.events.len() - MAX_EVENTS;
        for (_, k) in by_age.into_iter().take(excess) {
            self.events.remove(&k);
        }
    }

    pub fn set_usage(&mut self, pods: Vec<PodUsage>) {
        self.rev += 1;
        self.usage = pods
            .into_iter()
            .map(|u| ((u.namespace, u.pod), u.containers))
            .collect();
        self.metrics_error = None;
    }

    /// Pods a selector picks in a namespace.
    pub fn pods_matching<'a>(
        &'a self,
        ns: &'a Arc<str>,
        sel: &'a crate::util::selector::LabelSelector,
    ) -> impl Iterator<Item = &'a PodRec> + 'a {
        in_namespace(&self.pods, ns)
            .filter(move |p| !sel.is_empty() && selector_matches(sel, &p.labels))
    }
}

/// The records of one namespace (a range of the ordered store, not a scan of it).
pub fn in_namespace<'a, V>(m: &'a BTreeMap<Key, V>, ns: &str) -> impl Iterator<Item = &'a V> + 'a {
    let ns: Arc<str> = Arc::from(ns);
    m.range((ns.clone(), Arc::from(""))..)
        .take_while(move |((n, _), _)| *n == ns)
        .map(|(_, v)| v)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ns_rec(name: &str) -> NamespaceRec {
        NamespaceRec {
            name: Arc::from(name),
            terminating: false,
            labels: Labels::default(),
        }
    }

    fn ev(ns: &str, name: &str, last: Ts) -> EventRec {
        EventRec {
            name: Arc::from(name),
            namespace: Arc::from(ns),
            object_kind: "Pod".into(),
            object_name: "p".into(),
            field_path: None,
            reason: "R".into(),
            message: "m".into(),
            warning: false,
            count: 1,
            first: last,
            last,
            source: "kubelet".into(),
        }
    }

    #[test]
    fn relist_replaces_within_scope() {
        let mut d = ClusterData::default();
        d.relist(None, Feed::Events(vec![ev("a", "1", 1), ev("b", "2", 2)]));
        d.relist(Some("a"), Feed::Events(vec![ev("a", "3", 3)]));
        let names: Vec<&str> = d.events.values().map(|e| e.name.as_ref()).collect();
        assert_eq!(names, vec!["3", "2"]);
        d.relist(None, Feed::Namespaces(vec![ns_rec("x")]));
        assert_eq!(d.namespaces.len(), 1);
        assert_eq!(d.feeds.get(&ResKind::Namespace), Some(&FeedStatus::Live));
    }

    #[test]
    fn events_are_bounded_oldest_first() {
        let mut d = ClusterData::default();
        let many = (0..MAX_EVENTS + 10)
            .map(|i| ev("ns", &format!("e{i}"), i as Ts))
            .collect();
        d.relist(None, Feed::Events(many));
        assert_eq!(d.events.len(), MAX_EVENTS);
        assert!(!d.events.contains_key(&(Arc::from("ns"), Arc::from("e0"))));
        assert!(d.events.contains_key(&(Arc::from("ns"), Arc::from("e10"))));
    }
}
