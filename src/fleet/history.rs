//! Rollout history of a Deployment, as `kubectl rollout history` computes it: its
//! ReplicaSets by revision, with images, change-cause and age.

use std::sync::Arc;

use crate::cluster::kinds::*;
use crate::cluster::store::ClusterData;

#[derive(Clone, Debug, PartialEq)]
pub struct RevisionRow {
    pub revision: i64,
    pub replicaset: Arc<str>,
    pub images: String,
    pub change_cause: String,
    pub created: Ts,
    pub replicas: i32,
    pub ready: i32,
    pub current: bool,
}

/// Newest revision first.
pub fn of(d: &ClusterData, namespace: &str, deployment: &str) -> Vec<RevisionRow> {
    let current = d
        .kinds
        .deployments
        .get(&(Arc::from(namespace), Arc::from(deployment)))
        .and_then(|d| d.revision());
    let mut rows: Vec<RevisionRow> =
        crate::cluster::kinds::in_namespace(&d.kinds.replicasets, namespace)
            .filter(|r| {
                r.meta.owner.as_ref().is_some_and(|o| {
                    o.kind == OwnerKind::Deployment && o.name.as_ref() == deployment
                })
            })
            .map(|r| RevisionRow {
                revision: r.revision,
                replicaset: r.meta.name.clone(),
                images: crate::util::sanitize::line(&r.template.images().join(","), 200),
                change_cause: crate::util::sanitize::line(
                    r.change_cause.as_deref().unwrap_or("<none>"),
                    200,
                ),
                created: r.meta.created,
                replicas: r.replicas,
                ready: r.ready,
                current: Some(r.revision) == current,
            })
            .collect();
    rows.sort_by_key(|r| std::cmp::Reverse(r.revision));
    rows
}
