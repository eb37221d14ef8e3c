//! The StatefulSet controller: ordinal pods `<name>-0..n-1`, created in order once
//! the previous is ready, removed from the highest ordinal, replaced one at a time
//! (highest first) when the template changes; revision hashes and status counts.

use serde_json::json;

use super::deployment::template_hash;
use super::{Cx, pod, pod_active, pod_ready};
use crate::sim::kinds::Kind;
use crate::sim::obj;
use crate::sim::store::Key;

pub fn reconcile(cx: &mut Cx, k: &Key) {
    let Some(sts) = cx.store.get(Kind::StatefulSet, &k.0, &k.1) else {
        return;
    };
    if obj::is_terminating(&sts) {
        return;
    }
    let name = obj::name(&sts).to_string();
    let want = obj::i64_at(&sts, &["spec", "replicas"]).unwrap_or(1).max(0);
    let revision = format!("{name}-{}", template_hash(&sts["spec"]["template"]));
    let uid = obj::uid(&sts).to_string();
    let pods: Vec<_> = cx
        .store
        .owned(&uid, Kind::Pod)
        .into_iter()
        .filter(|p| obj::controller_uid(p) == Some(uid.as_str()))
        .collect();
    let ordinal = |p: &serde_json::Value| -> i64 {
        obj::name(p)
            .rsplit('-')
            .next()
            .and_then(|o| o.parse().ok())
            .unwrap_or(-1)
    };
    let busy = pods
        .iter()
        .any(|p| obj::is_terminating(p) || (pod_active(p) && !pod_ready(p)));
    // Create the lowest missing ordinal when every existing pod is ready.
    if !busy {
        for i in 0..want {
            if pods.iter().any(|p| ordinal(p) == i) {
                continue;
            }
            let mut template = sts["spec"]["template"].clone();
            let pname = format!("{name}-{i}");
            for (lk, lv) in [
                ("controller-revision-hash", revision.clone()),
                ("statefulset.kubernetes.io/pod-name", pname.clone()),
                ("apps.kubernetes.io/pod-index", i.to_string()),
            ] {
                obj::set(&mut template, &["metadata", "labels", lk], json!(lv));
            }
            let mut p = pod::from_template(&template, &sts, &pname, None);
            obj::set(&mut p, &["spec", "hostname"], json!(pname));
            if let Some(svc) = obj::str_at(&sts, &["spec", "serviceName"]) {
                obj::set(&mut p, &["spec", "subdomain"], json!(svc));
            }
            if pod::create(cx, p).is_some() {
                cx.event(
                    &sts,
                    false,
                    "SuccessfulCreate",
                    &format!("create Pod {pname} in StatefulSet {name} successful"),
                    "statefulset-controller",
                );
            }
            break;
        }
        // Scale down from the highest ordinal, or replace the highest outdated pod.
        let mut sorted: Vec<_> = pods.iter().filter(|p| pod_active(p)).cloned().collect();
        sorted.sort_by_key(|p| std::cmp::Reverse(ordinal(p)));
        if let Some(top) = sorted.iter().find(|p| ordinal(p) >= want) {
            pod::mark_terminating(cx, &k.0, obj::name(top), 10);
            cx.event(
                &sts,
                false,
                "SuccessfulDelete",
                &format!(
                    "delete Pod {} in StatefulSet {name} successful",
                    obj::name(top)
                ),
                "statefulset-controller",
            );
        } else if let Some(stale) = sorted
            .iter()
            .find(|p| obj::label(p, "controller-revision-hash") != Some(revision.as_str()))
        {
            pod::mark_terminating(cx, &k.0, obj::name(stale), 10);
        }
    }
    let pods: Vec<_> = cx
        .store
        .owned(&uid, Kind::Pod)
        .into_iter()
        .filter(|p| pod_active(p))
        .collect();
    let ready = pods.iter().filter(|p| pod_ready(p)).count();
    let updated = pods
        .iter()
        .filter(|p| obj::label(p, "controller-revision-hash") == Some(revision.as_str()))
        .count();
    let generation = sts["metadata"]["generation"].clone();
    cx.store.modify(Kind::StatefulSet, &k.0, &k.1, |s| {
        let current = if updated == pods.len() {
            revision.clone()
        } else {
            s["status"]["currentRevision"].as_str().unwrap_or(&revision).to_string()
        };
        s["status"] = json!({
            "observedGeneration": generation,
            "replicas": pods.len(),
            "readyReplicas": ready,
            "availableReplicas": ready,
            "currentReplicas": if updated == pods.len() { pods.len() } else { pods.len() - updated },
            "updatedReplicas": updated,
            "currentRevision": current,
            "updateRevision": revision,
            "collisionCount": 0,
        });
    });
}
