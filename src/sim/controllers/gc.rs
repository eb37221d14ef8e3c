//! Garbage collection: dependents of a deleted owner are deleted (background
//! propagation), and a terminating namespace is emptied and then removed.

use super::{Cx, pod};
use crate::sim::kinds::Kind;
use crate::sim::obj;

/// Deletes objects whose owner `uid` no longer exists.
pub fn dependents(cx: &mut Cx, uid: &str) {
    for (kind, (ns, name)) in cx.store.dependents(uid) {
        let Some(v) = cx.store.get(kind, &ns, &name) else {
            continue;
        };
        // Only if no remaining owner still exists.
        let owners = obj::owner_uids(&v);
        let alive = owners.iter().any(|u| *u != uid && owner_exists(cx, u));
        if alive {
            continue;
        }
        if kind == Kind::Pod {
            pod::mark_terminating(cx, &ns, &name, 0);
        } else {
            cx.store.remove(kind, &ns, &name);
        }
    }
}

fn owner_exists(cx: &Cx, uid: &str) -> bool {
    [
        Kind::Deployment,
        Kind::ReplicaSet,
        Kind::StatefulSet,
        Kind::Job,
        Kind::CronJob,
    ]
    .iter()
    .any(|k| cx.store.list(*k, None).iter().any(|o| obj::uid(o) == uid))
}

/// Empties a terminating namespace, then removes it.
pub fn namespace(cx: &mut Cx, ns: &str) {
    let mut remaining = 0;
    for kind in cx.store.kinds() {
        if !kind.namespaced() {
            continue;
        }
        for v in cx.store.list(kind, Some(ns)) {
            remaining += 1;
            cx.store.remove(kind, ns, obj::name(&v));
        }
    }
    let _ = remaining;
    cx.store.remove(Kind::Namespace, "", ns);
}
