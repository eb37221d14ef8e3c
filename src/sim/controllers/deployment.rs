//! The Deployment controller: one ReplicaSet per pod template (`<name>-<hash>`,
//! revision annotations, reuse of a matching old ReplicaSet with its revision bumped,
//! exactly as `kubectl rollout undo` expects), rolling updates within maxSurge and
//! maxUnavailable, proportional scaling mid-rollout, Recreate, pause, history
//! clean-up, and the Available/Progressing conditions including
//! `ProgressDeadlineExceeded`.

use std::sync::Arc;

use jiff::{SignedDuration, Timestamp};
use serde_json::{Value, json};

use super::{Cx, Work, int_or_percent, set_condition};
use crate::sim::clock::fmt_ts;
use crate::sim::kinds::Kind;
use crate::sim::obj;
use crate::sim::store::Key;

pub const REVISION: &str = "deployment.kubernetes.io/revision";
const REVISION_HISTORY: &str = "deployment.kubernetes.io/revision-history";
const DESIRED: &str = "deployment.kubernetes.io/desired-replicas";
const MAX_REPLICAS: &str = "deployment.kubernetes.io/max-replicas";
const HASH_LABEL: &str = "pod-template-hash";

const SAFE: &[u8] = b"bcdfghjklmnpqrstvwxz2456789";

/// The pod-template-hash of a template (FNV-1a over its normalised JSON, encoded
/// with Kubernetes' safe alphabet).
pub fn template_hash(template: &Value) -> String {
    let mut t = obj::normalized(template);
    obj::remove(&mut t, &["metadata", "labels", HASH_LABEL]);
    let s = serde_json::to_string(&t).unwrap_or_default();
    let mut h: u32 = 2166136261;
    for b in s.bytes() {
        h ^= b as u32;
        h = h.wrapping_mul(16777619);
    }
    h.to_string()
        .bytes()
        .map(|b| SAFE[(b as usize) % SAFE.len()] as char)
        .collect()
}

/// Templates equal up to nulls, empty values and the hash label.
pub fn same_template(a: &Value, b: &Value) -> bool {
    let strip = |v: &Value| {
        let mut t = obj::normalized(v);
        obj::remove(&mut t, &["metadata", "labels", HASH_LABEL]);
        obj::normalized(&t)
    };
    strip(a) == strip(b)
}

pub fn revision(rs: &Value) -> i64 {
    obj::annotation(rs, REVISION)
        .and_then(|r| r.parse().ok())
        .unwrap_or(0)
}

fn copyable(k: &str) -> bool {
    !k.starts_with("deployment.kubernetes.io/")
        && k != "kubectl.kubernetes.io/last-applied-configuration"
}

/// A new ReplicaSet for `dep` at `revision` (not yet stored).
pub fn new_replicaset(dep: &Value, revision: i64, replicas: i64, name_suffix: &str) -> Value {
    let hash = template_hash(&dep["spec"]["template"]);
    let mut template = dep["spec"]["template"].clone();
    obj::set(
        &mut template,
        &["metadata", "labels", HASH_LABEL],
        json!(hash),
    );
    let mut selector = dep["spec"]["selector"].clone();
    obj::set(&mut selector, &["matchLabels", HASH_LABEL], json!(hash));
    let mut labels = dep["spec"]["template"]["metadata"]["labels"].clone();
    obj::set(&mut labels, &[HASH_LABEL], json!(hash));
    let mut annotations = serde_json::Map::new();
    if let Some(a) = obj::at(dep, &["metadata", "annotations"]).as_object() {
        for (k, v) in a {
            if copyable(k) {
                annotations.insert(k.clone(), v.clone());
            }
        }
    }
    let desired = obj::i64_at(dep, &["spec", "replicas"]).unwrap_or(1);
    let (surge, _) = surge_unavailable(dep, desired);
    annotations.insert(REVISION.into(), json!(revision.to_string()));
    annotations.insert(DESIRED.into(), json!(desired.to_string()));
    annotations.insert(MAX_REPLICAS.into(), json!((desired + surge).to_string()));
    let mut spec = json!({"replicas": replicas, "selector": selector, "template": template});
    if let Some(m) = dep["spec"]["minReadySeconds"].as_i64() {
        spec["minReadySeconds"] = json!(m);
    }
    json!({
        "metadata": {
            "name": format!("{}-{}{}", obj::name(dep), hash, name_suffix),
            "namespace": obj::namespace(dep),
            "labels": labels,
            "annotations": annotations,
            "ownerReferences": [obj::owner_ref(dep)],
        },
        "spec": spec,
    })
}

fn surge_unavailable(dep: &Value, desired: i64) -> (i64, i64) {
    if obj::str_at(dep, &["spec", "strategy", "type"]) == Some("Recreate") {
        return (0, desired);
    }
    let ru = obj::at(dep, &["spec", "strategy", "rollingUpdate"]);
    let surge = int_or_percent(&ru["maxSurge"], desired, true);
    let mut unavail = int_or_percent(&ru["maxUnavailable"], desired, false);
    if surge == 0 && unavail == 0 {
        unavail = 1;
    }
    (surge, unavail)
}

fn replicas(rs: &Value) -> i64 {
    obj::i64_at(rs, &["spec", "replicas"]).unwrap_or(0)
}

fn status_i(rs: &Value, f: &str) -> i64 {
    obj::i64_at(rs, &["status", f]).unwrap_or(0)
}

fn scale_rs(
    cx: &mut Cx,
    dep: &Value,
    rs: &Value,
    to: i64,
    desired: i64,
    surge: i64,
) -> Option<Arc<Value>> {
    let from = replicas(rs);
    let updated = cx
        .store
        .modify(Kind::ReplicaSet, obj::namespace(rs), obj::name(rs), |r| {
            r["spec"]["replicas"] = json!(to);
            obj::set_annotation(r, DESIRED, &desired.to_string());
            obj::set_annotation(r, MAX_REPLICAS, &(desired + surge).to_string());
        });
    if from != to {
        let verb = if to > from { "up" } else { "down" };
        cx.event(
            dep,
            false,
            "ScalingReplicaSet",
            &format!(
                "Scaled {verb} replica set {} from {from} to {to}",
                obj::name(rs)
            ),
            "deployment-controller",
        );
    }
    updated
}

pub fn reconcile(cx: &mut Cx, k: &Key) {
    let Some(dep) = cx.store.get(Kind::Deployment, &k.0, &k.1) else {
        return;
    };
    if obj::is_terminating(&dep) {
        return;
    }
    let uid = obj::uid(&dep).to_string();
    let owned = |cx: &Cx| -> Vec<Arc<Value>> {
        let mut v: Vec<_> = cx
            .store
            .owned(&uid, Kind::ReplicaSet)
            .into_iter()
            .filter(|r| obj::controller_uid(r) == Some(uid.as_str()))
            .collect();
        v.sort_by_key(|r| revision(r));
        v
    };
    let mut rss = owned(cx);
    let desired = obj::i64_at(&dep, &["spec", "replicas"]).unwrap_or(1).max(0);
    let (surge, unavail) = surge_unavailable(&dep, desired);
    let paused = obj::at(&dep, &["spec", "paused"]).as_bool() == Some(true);
    let template = dep["spec"]["template"].clone();
    let max_rev = rss.iter().map(|r| revision(r)).max().unwrap_or(0);
    let mut created_new: Option<String> = None;
    let mut new_rs = rss
        .iter()
        .find(|r| same_template(&r["spec"]["template"], &template))
        .cloned();

    if !paused {
        match &new_rs {
            None => {
                let others_active = rss.iter().any(|r| replicas(r) > 0);
                let start = if others_active { 0 } else { desired };
                let mut suffix = String::new();
                let mut attempt = 0;
                loop {
                    let rs = new_replicaset(&dep, max_rev + 1, start, &suffix);
                    match cx.store.create(Kind::ReplicaSet, rs) {
                        Ok(r) => {
                            created_new = Some(obj::name(&r).to_string());
                            if start > 0 {
                                cx.event(
                                    &dep,
                                    false,
                                    "ScalingReplicaSet",
                                    &format!(
                                        "Scaled up replica set {} from 0 to {start}",
                                        obj::name(&r)
                                    ),
                                    "deployment-controller",
                                );
                            }
                            new_rs = Some(r);
                            break;
                        }
                        Err(_) if attempt < 5 => {
                            attempt += 1;
                            suffix = format!("-{attempt}");
                        }
                        Err(_) => break,
                    }
                }
            }
            Some(rs) if revision(rs) < max_rev => {
                let old_rev = revision(rs);
                let annotations = obj::at(&dep, &["metadata", "annotations"]).clone();
                new_rs =
                    cx.store
                        .modify(Kind::ReplicaSet, obj::namespace(rs), obj::name(rs), |r| {
                            let hist = obj::annotation(r, REVISION_HISTORY)
                                .map(|h| format!("{h},{old_rev}"))
                                .unwrap_or_else(|| old_rev.to_string());
                            obj::set_annotation(r, REVISION, &(max_rev + 1).to_string());
                            obj::set_annotation(r, REVISION_HISTORY, &hist);
                            if let Some(cc) = annotations
                                .get("kubernetes.io/change-cause")
                                .and_then(Value::as_str)
                            {
                                obj::set_annotation(r, "kubernetes.io/change-cause", cc);
                            }
                        });
            }
            _ => {}
        }
    }
    // The Deployment carries its current revision (undo replaces all annotations).
    if let Some(rs) = &new_rs {
        let rev = revision(rs).to_string();
        if obj::annotation(&dep, REVISION) != Some(rev.as_str()) {
            cx.store.modify(Kind::Deployment, &k.0, &k.1, |d| {
                obj::set_annotation(d, REVISION, &rev)
            });
        }
    }
    rss = owned(cx);
    let new_name = new_rs.as_ref().map(|r| obj::name(r).to_string());
    let is_new = |r: &Value| Some(obj::name(r)) == new_name.as_deref();
    let active: Vec<Arc<Value>> = rss
        .iter()
        .filter(|r| replicas(r) > 0 || is_new(r))
        .cloned()
        .collect();

    // Proportional scaling when the desired count changed (HPA, kubectl scale).
    let scaling_event = active
        .iter()
        .any(|r| obj::annotation(r, DESIRED).and_then(|d| d.parse::<i64>().ok()) != Some(desired));
    let olds_active = rss.iter().any(|r| !is_new(r) && replicas(r) > 0);
    if scaling_event && olds_active && !paused_or_recreate(&dep, paused) {
        let allowed = desired + surge;
        let total: i64 = active.iter().map(|r| replicas(r)).sum();
        let mut diff = allowed - total;
        if diff != 0 && total > 0 {
            let mut sorted = active.clone();
            sorted.sort_by_key(|r| std::cmp::Reverse(replicas(r)));
            let mut plan: Vec<(Arc<Value>, i64)> = Vec::new();
            let n = sorted.len();
            for (i, r) in sorted.iter().enumerate() {
                let share = if i + 1 == n {
                    diff
                } else {
                    let s = (replicas(r) as f64 * (allowed - total) as f64 / total as f64).round()
                        as i64;
                    if diff > 0 { s.min(diff) } else { s.max(diff) }
                };
                diff -= share;
                plan.push((r.clone(), (replicas(r) + share).max(0)));
            }
            for (r, to) in plan {
                scale_rs(cx, &dep, &r, to, desired, surge);
            }
        } else {
            for r in &active {
                scale_rs(cx, &dep, r, replicas(r), desired, surge);
            }
        }
        rss = owned(cx);
    } else if scaling_event {
        for r in &active {
            if !is_new(r) {
                scale_rs(cx, &dep, r, replicas(r), desired, surge);
            }
        }
    }

    if !paused && let Some(new_name) = new_name.clone() {
        let get_new = |rss: &[Arc<Value>]| rss.iter().find(|r| obj::name(r) == new_name).cloned();
        let recreate = obj::str_at(&dep, &["spec", "strategy", "type"]) == Some("Recreate");
        if recreate {
            let olds: Vec<_> = rss
                .iter()
                .filter(|r| obj::name(r) != new_name)
                .cloned()
                .collect();
            let mut old_pods = 0;
            for r in &olds {
                if replicas(r) > 0 {
                    scale_rs(cx, &dep, r, 0, desired, surge);
                }
                old_pods += cx.store.owned(obj::uid(r), Kind::Pod).len();
            }
            if old_pods == 0
                && let Some(n) = get_new(&rss)
                && replicas(&n) != desired
            {
                scale_rs(cx, &dep, &n, desired, desired, surge);
            }
        } else if let Some(n) = get_new(&rss) {
            let olds: Vec<_> = rss
                .iter()
                .filter(|r| obj::name(r) != new_name)
                .cloned()
                .collect();
            let old_total: i64 = olds.iter().map(|r| replicas(r)).sum();
            if old_total == 0 {
                if replicas(&n) != desired {
                    scale_rs(cx, &dep, &n, desired, desired, surge);
                }
            } else {
                // Scale up the new ReplicaSet within maxSurge.
                let all_total: i64 = old_total + replicas(&n);
                let max_total = desired + surge;
                let mut new_count = replicas(&n);
                if new_count < desired {
                    let up = (max_total - all_total).min(desired - new_count);
                    if up > 0 {
                        new_count += up;
                        scale_rs(cx, &dep, &n, new_count, desired, surge);
                    }
                } else if new_count > desired {
                    new_count = desired;
                    scale_rs(cx, &dep, &n, new_count, desired, surge);
                }
                // Scale down old ReplicaSets within maxUnavailable.
                let min_available = desired - unavail;
                let new_unavailable = (new_count - status_i(&n, "availableReplicas")).max(0);
                let all_pods = old_total + new_count;
                let mut budget = all_pods - min_available - new_unavailable;
                let mut olds_sorted = olds.clone();
                olds_sorted.sort_by_key(|r| revision(r));
                let mut remaining: Vec<(Arc<Value>, i64)> = olds_sorted
                    .iter()
                    .map(|r| (r.clone(), replicas(r)))
                    .collect();
                if budget > 0 {
                    // First drop old pods that are not available anyway.
                    for (r, count) in remaining.iter_mut() {
                        if budget <= 0 {
                            break;
                        }
                        let unhealthy = (*count - status_i(r, "availableReplicas")).max(0);
                        let cut = unhealthy.min(budget);
                        *count -= cut;
                        budget -= cut;
                    }
                    // Then scale down available old pods while enough stay available.
                    let available: i64 = rss.iter().map(|r| status_i(r, "availableReplicas")).sum();
                    let mut can_remove = (available - min_available).max(0);
                    for (r, count) in remaining.iter_mut() {
                        if can_remove <= 0 {
                            break;
                        }
                        let avail = status_i(r, "availableReplicas").min(*count);
                        let cut = avail.min(can_remove);
                        *count -= cut;
                        can_remove -= cut;
                    }
                }
                for (r, count) in remaining {
                    if count != replicas(&r) {
                        scale_rs(cx, &dep, &r, count.max(0), desired, surge);
                    }
                }
            }
        }
        cleanup_history(cx, &dep, &new_name);
    }
    update_status(cx, k, created_new);
}

fn paused_or_recreate(dep: &Value, paused: bool) -> bool {
    paused || obj::str_at(dep, &["spec", "strategy", "type"]) == Some("Recreate")
}

fn cleanup_history(cx: &mut Cx, dep: &Value, new_name: &str) {
    let limit = obj::i64_at(dep, &["spec", "revisionHistoryLimit"])
        .unwrap_or(10)
        .max(0) as usize;
    let uid = obj::uid(dep).to_string();
    let mut old: Vec<_> = cx
        .store
        .owned(&uid, Kind::ReplicaSet)
        .into_iter()
        .filter(|r| obj::name(r) != new_name && replicas(r) == 0 && status_i(r, "replicas") == 0)
        .collect();
    if old.len() <= limit {
        return;
    }
    old.sort_by_key(|r| revision(r));
    let excess = old.len() - limit;
    for r in old.into_iter().take(excess) {
        cx.store
            .remove(Kind::ReplicaSet, obj::namespace(&r), obj::name(&r));
    }
}

fn cond<'a>(dep: &'a Value, ty: &str) -> Option<&'a Value> {
    obj::at(dep, &["status", "conditions"])
        .as_array()?
        .iter()
        .find(|c| c["type"] == ty)
}

fn update_status(cx: &mut Cx, k: &Key, created_new: Option<String>) {
    let Some(dep) = cx.store.get(Kind::Deployment, &k.0, &k.1) else {
        return;
    };
    let uid = obj::uid(&dep).to_string();
    let rss: Vec<_> = cx
        .store
        .owned(&uid, Kind::ReplicaSet)
        .into_iter()
        .filter(|r| obj::controller_uid(r) == Some(uid.as_str()))
        .collect();
    let template = dep["spec"]["template"].clone();
    let new_rs = rss
        .iter()
        .find(|r| same_template(&r["spec"]["template"], &template))
        .cloned();
    let desired = obj::i64_at(&dep, &["spec", "replicas"]).unwrap_or(1).max(0);
    let (_, unavail) = surge_unavailable(&dep, desired);
    let total: i64 = rss.iter().map(|r| status_i(r, "replicas")).sum();
    let ready: i64 = rss.iter().map(|r| status_i(r, "readyReplicas")).sum();
    let available: i64 = rss.iter().map(|r| status_i(r, "availableReplicas")).sum();
    let updated = new_rs.as_ref().map_or(0, |r| status_i(r, "replicas"));
    let new_name = new_rs
        .as_ref()
        .map(|r| obj::name(r).to_string())
        .unwrap_or_default();
    let paused = obj::at(&dep, &["spec", "paused"]).as_bool() == Some(true);
    let now = cx.now;
    let now_s = fmt_ts(now);
    let old = dep["status"].clone();
    let old_i = |f: &str| old[f].as_i64().unwrap_or(0);
    let deadline = obj::i64_at(&dep, &["spec", "progressDeadlineSeconds"]).unwrap_or(600);
    let complete = updated == desired
        && total == desired
        && available == desired
        && new_rs.as_ref().is_some_and(|r| replicas(r) == desired);
    let progressed = updated > old_i("updatedReplicas")
        || ready > old_i("readyReplicas")
        || available > old_i("availableReplicas")
        || (total - updated) < (old_i("replicas") - old_i("updatedReplicas"));
    let prev = cond(&dep, "Progressing").cloned();
    let prev_reason = prev
        .as_ref()
        .and_then(|c| c["reason"].as_str())
        .unwrap_or("")
        .to_string();
    let prev_update: Option<Timestamp> = prev
        .as_ref()
        .and_then(|c| c["lastUpdateTime"].as_str())
        .and_then(|s| s.parse().ok());
    let mk = |status: &str, reason: &str, message: String, update: &str| json!({"type": "Progressing", "status": status, "reason": reason, "message": message, "lastUpdateTime": update});
    let progressing = if paused {
        Some(mk(
            "Unknown",
            "DeploymentPaused",
            "Deployment is paused".into(),
            &now_s,
        ))
    } else if complete {
        if prev_reason == "NewReplicaSetAvailable" {
            prev.clone()
        } else {
            Some(mk(
                "True",
                "NewReplicaSetAvailable",
                format!("ReplicaSet \"{new_name}\" has successfully progressed."),
                &now_s,
            ))
        }
    } else if let Some(n) = created_new {
        Some(mk(
            "True",
            "NewReplicaSetCreated",
            format!("Created new replica set \"{n}\""),
            &now_s,
        ))
    } else if prev_reason == "DeploymentPaused" {
        Some(mk(
            "Unknown",
            "DeploymentResumed",
            "Deployment is resumed".into(),
            &now_s,
        ))
    } else if progressed
        || prev.is_none()
        || prev_reason == "NewReplicaSetAvailable"
        || prev_reason == "DeploymentResumed"
    {
        Some(mk(
            "True",
            "ReplicaSetUpdated",
            format!("ReplicaSet \"{new_name}\" is progressing."),
            &now_s,
        ))
    } else if prev_reason == "ProgressDeadlineExceeded" {
        prev.clone()
    } else {
        let since = prev_update.unwrap_or(now);
        let expires = since + SignedDuration::from_secs(deadline);
        if now >= expires {
            Some(json!({
                "type": "Progressing", "status": "False", "reason": "ProgressDeadlineExceeded",
                "message": format!("ReplicaSet \"{new_name}\" has timed out progressing."),
                "lastUpdateTime": now_s,
            }))
        } else {
            cx.timers.at(
                expires + SignedDuration::from_millis(50),
                Work::Deployment(k.clone()),
            );
            prev.clone()
        }
    };
    if let Some(p) = &progressing
        && p["status"] == "True"
        && !complete
    {
        let from = p["lastUpdateTime"]
            .as_str()
            .and_then(|s| s.parse::<Timestamp>().ok())
            .unwrap_or(now);
        cx.timers.at(
            from + SignedDuration::from_secs(deadline) + SignedDuration::from_millis(50),
            Work::Deployment(k.clone()),
        );
    }
    let available_ok = available >= desired - unavail;
    let available_cond = if available_ok {
        json!({"type": "Available", "status": "True", "reason": "MinimumReplicasAvailable", "message": "Deployment has minimum availability.", "lastUpdateTime": now_s})
    } else {
        json!({"type": "Available", "status": "False", "reason": "MinimumReplicasUnavailable", "message": "Deployment does not have minimum availability.", "lastUpdateTime": now_s})
    };
    let generation = dep["metadata"]["generation"].clone();
    cx.store.modify(Kind::Deployment, &k.0, &k.1, |d| {
        let mut conds = d["status"]["conditions"].clone();
        // Keep lastUpdateTime stable when nothing about a condition changed.
        let keep_or = |conds: &Value, mut c: Value| {
            if let Some(prev) = conds
                .as_array()
                .and_then(|a| a.iter().find(|x| x["type"] == c["type"]))
                && prev["status"] == c["status"]
                && prev["reason"] == c["reason"]
                && prev["message"] == c["message"]
            {
                c["lastUpdateTime"] = prev["lastUpdateTime"].clone();
            }
            c
        };
        let a = keep_or(&conds, available_cond);
        set_condition(&mut conds, a, &now_s);
        if let Some(p) = progressing {
            let p = if p["reason"] == "ReplicaSetUpdated" && progressed {
                p
            } else {
                keep_or(&conds, p)
            };
            set_condition(&mut conds, p, &now_s);
        }
        let mut st = json!({
            "observedGeneration": generation,
            "replicas": total,
            "updatedReplicas": updated,
            "conditions": conds,
        });
        if ready > 0 {
            st["readyReplicas"] = json!(ready);
        }
        if available > 0 {
            st["availableReplicas"] = json!(available);
        }
        let unavailable = (desired.max(total) - available).max(0);
        if unavailable > 0 {
            st["unavailableReplicas"] = json!(unavailable);
        }
        d["status"] = st;
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hash_ignores_nulls_and_its_own_label() {
        let a = json!({"metadata": {"labels": {"app": "x"}, "creationTimestamp": null}, "spec": {"containers": [{"name": "c", "image": "i:1"}]}});
        let mut b = a.clone();
        obj::remove(&mut b, &["metadata", "creationTimestamp"]);
        obj::set(&mut b, &["metadata", "labels", HASH_LABEL], json!("zzz"));
        assert_eq!(template_hash(&a), template_hash(&b));
        assert!(same_template(&a, &b));
        let mut c = a.clone();
        c["spec"]["containers"][0]["image"] = json!("i:2");
        assert_ne!(template_hash(&a), template_hash(&c));
        assert!(template_hash(&a).bytes().all(|ch| SAFE.contains(&ch)));
    }

    #[test]
    fn surge_and_unavailable_round_like_kubernetes() {
        let d = json!({"spec": {"strategy": {"type": "RollingUpdate", "rollingUpdate": {"maxSurge": "25%", "maxUnavailable": "25%"}}}});
        assert_eq!(surge_unavailable(&d, 4), (1, 1));
        assert_eq!(surge_unavailable(&d, 3), (1, 0));
        let z =
            json!({"spec": {"strategy": {"rollingUpdate": {"maxSurge": 0, "maxUnavailable": 0}}}});
        assert_eq!(surge_unavailable(&z, 3), (0, 1));
    }
}
