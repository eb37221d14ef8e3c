//! What the console knows of one context: every watched kind's records (the
//! registry's tables), pod resource use, VolumeSnapshots, and the health of each
//! watch. Relists replace (all, or one namespace); applies and deletes change one
//! object; `rev` moves on every change so derived rows know when to rebuild.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use super::kinds::{
    Key, Listing, Object, PodRec, ResKind, Tables, Ts, in_namespace, selector_matches,
};
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
    /// The last records of objects deleted lately, newest last, with when (the
    /// console's clock): the timeline opens an object that no longer exists from
    /// them. At most [`GONE_KEPT`]; Secrets are never kept.
    pub gone: std::collections::VecDeque<(Ts, Object)>,
}

/// Deleted objects whose last record is kept.
pub const GONE_KEPT: usize = 256;

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

    /// Removes an object (deleted at `at`, the console's clock), keeping its last
    /// record among the [`gone`](Self::gone).
    pub fn delete(&mut self, kind: ResKind, ns: &Arc<str>, name: &Arc<str>, at: Ts) {
        self.rev += 1;
        let k = if kind.info().namespaced {
            (ns.clone(), name.clone())
        } else {
            (Arc::from(""), name.clone())
        };
        if let Some(o) = self.kinds.delete(kind, &k)
            && !matches!(o, Object::Secret(_) | Object::Event(_))
        {
            if self.gone.len() >= GONE_KEPT {
                self.gone.pop_front();
            }
            self.gone.push_back((at, o));
        }
        if kind == ResKind::Pod {
            self.usage.remove(&k);
        }
    }

    /// The last record of a deleted object, and when it was deleted.
    pub fn last_record(&self, kind: ResKind, key: &Key) -> Option<(Ts, &Object)> {
        self.gone
            .iter()
            .rev()
            .find(|(_, o)| o.kind() == kind && o.key() == *key)
            .map(|(t, o)| (*t, o))
    }

    pub fn set_usage(&mut self, pods: Vec<PodUsage>) {
        self.rev += 1;
        // Keyed by the pod records' own names where the pod is known, so the
        // metrics' copies of 50,000 names are dropped here instead of kept.
        let pods_table = &self.kinds.pods;
        self.usage = pods
            .into_iter()
            .map(|u| {
                let key = (u.namespace, u.pod);
                let key = match pods_table.get_key_value(&key) {
                    Some((k, _)) => k.clone(),
                    None => key,
                };
                (key, u.containers)
            })
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
        d.relist(
            None,
            Listing::Event(vec![
                std::sync::Arc::new(ev("a", "1", 1)),
                ev("b", "2", 2).into(),
            ]),
        );
        d.relist(
            Some("a"),
            Listing::Event(vec![std::sync::Arc::new(ev("a", "3", 3))]),
        );
        let names: Vec<&str> = d.kinds.events.values().map(|e| e.name.as_ref()).collect();
        assert_eq!(names, vec!["3", "2"]);
        d.relist(
            None,
            Listing::Namespace(vec![std::sync::Arc::new(ns_rec("x"))]),
        );
        assert_eq!(d.kinds.namespaces.len(), 1);
        assert_eq!(d.feeds.get(&ResKind::Namespace), Some(&FeedStatus::Live));
        assert!(d.listed().contains(&ResKind::Event));
        assert!(!d.listed().contains(&ResKind::Pod));
    }

    #[test]
    fn a_cluster_scoped_kind_ignores_a_namespace_scope() {
        let mut d = ClusterData::default();
        d.relist(
            None,
            Listing::Namespace(vec![std::sync::Arc::new(ns_rec("x")), ns_rec("y").into()]),
        );
        // A watcher scoped to one namespace still lists namespaces whole.
        d.relist(
            Some("x"),
            Listing::Namespace(vec![std::sync::Arc::new(ns_rec("x"))]),
        );
        assert_eq!(d.kinds.namespaces.len(), 1);
        d.delete(
            ResKind::Namespace,
            &Arc::from("ignored"),
            &Arc::from("x"),
            50,
        );
        assert!(d.kinds.namespaces.is_empty());
        // Its last record is kept, to open it from the timeline.
        let key = (Arc::from(""), Arc::from("x"));
        let (at, o) = d
            .last_record(ResKind::Namespace, &key)
            .expect("kept after deletion");
        assert_eq!((at, o.kind()), (50, ResKind::Namespace));
        assert!(d.last_record(ResKind::Pod, &key).is_none());
    }

    #[test]
    fn deleted_records_are_bounded_and_events_are_not_kept() {
        let mut d = ClusterData::default();
        let many: Vec<_> = (0..GONE_KEPT + 5)
            .map(|i| std::sync::Arc::new(ns_rec(&format!("n{i}"))))
            .collect();
        d.relist(None, Listing::Namespace(many));
        d.relist(
            None,
            Listing::Event(vec![std::sync::Arc::new(ev("a", "1", 1))]),
        );
        for i in 0..GONE_KEPT + 5 {
            let n: Arc<str> = Arc::from(format!("n{i}").as_str());
            d.delete(ResKind::Namespace, &Arc::from(""), &n, i as Ts);
        }
        d.delete(ResKind::Event, &Arc::from("a"), &Arc::from("1"), 9);
        assert_eq!(d.gone.len(), GONE_KEPT);
        let first = (Arc::from(""), Arc::from("n0"));
        assert!(
            d.last_record(ResKind::Namespace, &first).is_none(),
            "oldest dropped"
        );
        assert!(d.gone.iter().all(|(_, o)| o.kind() == ResKind::Namespace));
    }

    #[test]
    fn events_are_bounded_oldest_first() {
        let mut d = ClusterData::default();
        let many = (0..MAX_EVENTS + 10)
            .map(|i| std::sync::Arc::new(ev("ns", &format!("e{i}"), i as Ts)))
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
