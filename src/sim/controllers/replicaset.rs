//! The ReplicaSet controller: keeps `spec.replicas` pods of the template alive,
//! deleting the least useful first (unscheduled, pending, unready, most restarted,
//! newest), and reports replicas, ready and available counts.

use serde_json::{Value, json};

use super::{Cx, pod, pod_active, pod_ready};
use crate::sim::kinds::Kind;
use crate::sim::obj;
use crate::sim::store::Key;

fn deletion_rank(p: &Value) -> (u8, i64, std::cmp::Reverse<String>) {
    let stage = if obj::str_at(p, &["spec", "nodeName"]).is_none() {
        0
    } else if obj::str_at(p, &["status", "phase"]) == Some("Pending") {
        1
    } else if !pod_ready(p) {
        2
    } else {
        3
    };
    let restarts: i64 = obj::at(p, &["status", "containerStatuses"])
        .as_array()
        .map(|a| a.iter().filter_map(|c| c["restartCount"].as_i64()).sum())
        .unwrap_or(0);
    let created = obj::str_at(p, &["metadata", "creationTimestamp"])
        .unwrap_or("")
        .to_string();
    (stage, -restarts, std::cmp::Reverse(created))
}

pub fn reconcile(cx: &mut Cx, k: &Key) {
    let Some(rs) = cx.store.get(Kind::ReplicaSet, &k.0, &k.1) else {
        return;
    };
    if obj::is_terminating(&rs) {
        return;
    }
    let uid = obj::uid(&rs).to_string();
    let pods: Vec<_> = cx
        .store
        .owned(&uid, Kind::Pod)
        .into_iter()
        .filter(|p| obj::controller_uid(p) == Some(uid.as_str()))
        .collect();
    let active: Vec<_> = pods.iter().filter(|p| pod_active(p)).cloned().collect();
    let want = obj::i64_at(&rs, &["spec", "replicas"]).unwrap_or(1).max(0) as usize;
    if active.len() < want {
        let template = rs["spec"]["template"].clone();
        for _ in 0..(want - active.len()).min(500) {
            let name = format!("{}-{}", obj::name(&rs), cx.store.suffix(5));
            let p =
                pod::from_template(&template, &rs, &name, Some(&format!("{}-", obj::name(&rs))));
            if let Some(n) = pod::create(cx, p) {
                cx.event(
                    &rs,
                    false,
                    "SuccessfulCreate",
                    &format!("Created pod: {n}"),
                    "replicaset-controller",
                );
            }
        }
    } else if active.len() > want {
        let mut victims = active.clone();
        victims.sort_by_key(|p| deletion_rank(p));
        for p in victims.iter().take(active.len() - want) {
            let grace = obj::i64_at(p, &["spec", "terminationGracePeriodSeconds"]).unwrap_or(30);
            pod::mark_terminating(cx, obj::namespace(p), obj::name(p), grace);
            cx.event(
                &rs,
                false,
                "SuccessfulDelete",
                &format!("Deleted pod: {}", obj::name(p)),
                "replicaset-controller",
            );
        }
    }
    // Status from the pods as they are now.
    let pods: Vec<_> = cx
        .store
        .owned(&uid, Kind::Pod)
        .into_iter()
        .filter(|p| obj::controller_uid(p) == Some(uid.as_str()) && pod_active(p))
        .collect();
    let ready = pods.iter().filter(|p| pod_ready(p)).count();
    let generation = rs["metadata"]["generation"].clone();
    cx.store.modify(Kind::ReplicaSet, &k.0, &k.1, |r| {
        let mut st = json!({
            "replicas": pods.len(),
            "fullyLabeledReplicas": pods.len(),
            "observedGeneration": generation,
        });
        if ready > 0 {
            st["readyReplicas"] = json!(ready);
            st["availableReplicas"] = json!(ready);
        }
        r["status"] = st;
    });
}
