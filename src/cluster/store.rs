//! What the console knows of one context: every watched kind's records (the
//! registry's tables), pod resource use, VolumeSnapshots, and the health of each
//! watch. Relists replace (all, or one namespace); applies and deletes change one
//! object; `rev` moves on every change so derived rows know when to rebuild.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use super::kinds::{Key, Listing, Object, PodRec, ResKind, Tables, in_namespace, selector_matches};
use super::msg::{ContainerUsage, FeedStatus, PodUsage};
use super::snapshots::SnapshotRec;

#[derive(Default, Debug)]
pub struct ClusterData {
    /// The records of every watched kind.
    pub kinds: Tables,
    /// Pod resource use from metrics.k8s.io, by pod.
    pub usage: HashMap<Key, Box<[ContainerUsage]>>,
    pub metrics_error: Option<String>,
    pub snapshots: SnapshotState,
    pub feeds: BTreeMap<ResKind, FeedStatus>,
    /// Bumped on every change (derived rows are rebuilt when it moves).
    pub rev: u64,
}

/// VolumeSnapshots as far as known: whether the cluster serves them (`None`: not yet
/// known), the set, and the watch's last error.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct SnapshotState {
    pub served: Option<bool>,
    pub list: Vec<SnapshotRec>,
    pub error: Option<String>,
}

impl ClusterData {
    /// Takes a snapshot update (see `Msg::Snapshots`).
    pub fn set_snapshots(&mut self, result: Option<Result<Vec<SnapshotRec>, String>>) {
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

    /// Kinds listed at least once.
    pub fn listed(&self) -> &std::collections::BTreeSet<ResKind> {
        &self.kinds.listed
    }

    pub fn relist(&mut self, scope: Option<&str>, l: Listing) {
        self.rev += 1;
        let kind = self.kinds.relist(scope, l);
        self.feeds.insert(kind, FeedStatus::Live);
    }

    pub fn apply(&mut self, o: Object) {
        self.rev += 1;
        self.kinds.apply(o);
    }

    pub fn delete(&mut self, kind: ResKind, ns: &Arc<str>, name: &Arc<str>) {
        self.rev += 1;
        let k = if kind.info().namespaced {
            (ns.clone(), name.clone())
        } else {
            (Arc::from(""), name.clone())
        };
        self.kinds.delete(kind, &k);
        if kind == ResKind::Pod {
            self.usage.remove(&k);
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
        in_namespace(&self.kinds.pods, ns)
            .filter(move |p| !sel.is_empty() && selector_matches(sel, &p.labels))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cluster::kinds::{EventRec, Labels, MAX_EVENTS, NamespaceRec, Ts};

    fn ns_rec(name: &str) -> NamespaceRec {
        NamespaceRec {
            name: Arc::from(name),
            terminating: false,
            labels: Labels::default(),
            created: 0,
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
        d.relist(None, Listing::Event(vec![ev("a", "1", 1), ev("b", "2", 2)]));
        d.relist(Some("a"), Listing::Event(vec![ev("a", "3", 3)]));
        let names: Vec<&str> = d.kinds.events.values().map(|e| e.name.as_ref()).collect();
        assert_eq!(names, vec!["3", "2"]);
        d.relist(None, Listing::Namespace(vec![ns_rec("x")]));
        assert_eq!(d.kinds.namespaces.len(), 1);
        assert_eq!(d.feeds.get(&ResKind::Namespace), Some(&FeedStatus::Live));
        assert!(d.listed().contains(&ResKind::Event));
        assert!(!d.listed().contains(&ResKind::Pod));
    }

    #[test]
    fn a_cluster_scoped_kind_ignores_a_namespace_scope() {
        let mut d = ClusterData::default();
        d.relist(None, Listing::Namespace(vec![ns_rec("x"), ns_rec("y")]));
        // A watcher scoped to one namespace still lists namespaces whole.
        d.relist(Some("x"), Listing::Namespace(vec![ns_rec("x")]));
        assert_eq!(d.kinds.namespaces.len(), 1);
        d.delete(ResKind::Namespace, &Arc::from("ignored"), &Arc::from("x"));
        assert!(d.kinds.namespaces.is_empty());
    }

    #[test]
    fn events_are_bounded_oldest_first() {
        let mut d = ClusterData::default();
        let many = (0..MAX_EVENTS + 10)
            .map(|i| ev("ns", &format!("e{i}"), i as Ts))
            .collect();
        d.relist(None, Listing::Event(many));
        assert_eq!(d.kinds.events.len(), MAX_EVENTS);
        assert!(
            !d.kinds
                .events
                .contains_key(&(Arc::from("ns"), Arc::from("e0")))
        );
        assert!(
            d.kinds
                .events
                .contains_key(&(Arc::from("ns"), Arc::from("e10")))
        );
    }
}
