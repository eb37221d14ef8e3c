//! The DaemonSet controller: one pod per ready node, bound to it; pods on nodes that
//! are gone are removed; a template change replaces one pod at a time; status counts
//! as the real controller reports them.

use serde_json::json;

use super::deployment::template_hash;
use super::{Cx, pod, pod_active, pod_ready};
use crate::sim::kinds::Kind;
use crate::sim::obj;
use crate::sim::store::Key;

fn node_ready(n: &serde_json::Value) -> bool {
    obj::at(n, &["status", "conditions"])
        .as_array()
        .is_some_and(|cs| {
            cs.iter()
                .any(|c| c["type"] == "Ready" && c["status"] == "True")
        })
        && obj::at(n, &["spec", "unschedulable"]).as_bool() != Some(true)
}

pub fn reconcile(cx: &mut Cx, k: &Key) {
    let Some(ds) = cx.store.get(Kind::DaemonSet, &k.0, &k.1) else {
        return;
    };
    if obj::is_terminating(&ds) {
        return;
    }
    let name = obj::name(&ds).to_string();
    let uid = obj::uid(&ds).to_string();
    let hash = template_hash(&ds["spec"]["template"]);
    let nodes: Vec<String> = cx
        .store
        .list(Kind::Node, None)
        .iter()
        .filter(|n| node_ready(n))
        .map(|n| obj::name(n).to_string())
        .collect();
    let pods: Vec<_> = cx
        .store
        .owned(&uid, Kind::Pod)
        .into_iter()
        .filter(|p| obj::controller_uid(p) == Some(uid.as_str()) && pod_active(p))
        .collect();
    let on = |node: &str| {
        pods.iter()
            .filter(|p| obj::str_at(p, &["spec", "nodeName"]) == Some(node))
            .collect::<Vec<_>>()
    };
    for node in &nodes {
        if on(node).is_empty() {
            let mut template = ds["spec"]["template"].clone();
            obj::set(
                &mut template,
                &["metadata", "labels", "controller-revision-hash"],
                json!(hash),
            );
            let pname = format!("{name}-{}", cx.store.suffix(5));
            let mut p = pod::from_template(&template, &ds, &pname, Some(&format!("{name}-")));
            p["spec"]["nodeName"] = json!(node);
            if pod::create(cx, p).is_some() {
                cx.event(
                    &ds,
                    false,
                    "SuccessfulCreate",
                    &format!("Created pod on node {node}"),
                    "daemonset-controller",
                );
            }
        }
    }
    // Pods on nodes that are gone, then one outdated pod at a time.
    for p in &pods {
        let node = obj::str_at(p, &["spec", "nodeName"]).unwrap_or("");
        if !nodes.iter().any(|n| n == node) {
            pod::mark_terminating(cx, &k.0, obj::name(p), 10);
        }
    }
    let busy = pods.iter().any(|p| !pod_ready(p));
    if !busy
        && let Some(stale) = pods
            .iter()
            .find(|p| obj::label(p, "controller-revision-hash") != Some(hash.as_str()))
    {
        pod::mark_terminating(cx, &k.0, obj::name(stale), 10);
    }
    let scheduled = nodes.iter().filter(|n| !on(n).is_empty()).count();
    let ready = nodes
        .iter()
        .filter(|n| on(n).iter().any(|p| pod_ready(p)))
        .count();
    let updated = pods
        .iter()
        .filter(|p| obj::label(p, "controller-revision-hash") == Some(hash.as_str()))
        .count();
    let generation = ds["metadata"]["generation"].clone();
    cx.store.modify(Kind::DaemonSet, &k.0, &k.1, |d| {
        d["status"] = json!({
            "observedGeneration": generation,
            "desiredNumberScheduled": nodes.len(),
            "currentNumberScheduled": scheduled,
            "numberReady": ready,
            "numberAvailable": ready,
            "numberUnavailable": nodes.len().saturating_sub(ready),
            "updatedNumberScheduled": updated,
            "numberMisscheduled": 0,
        });
    });
}

/// A new namespace gets what a real control plane gives it: the `default`
/// ServiceAccount and the `kube-root-ca.crt` ConfigMap.
pub fn namespace_setup(cx: &mut Cx, ns: &str) {
    let Some(n) = cx.store.get(Kind::Namespace, "", ns) else {
        return;
    };
    let created = n["metadata"]["creationTimestamp"].clone();
    if !cx.store.exists(Kind::ServiceAccount, ns, "default") {
        let _ = cx.store.create(
            Kind::ServiceAccount,
            json!({"metadata": {"name": "default", "namespace": ns, "creationTimestamp": created}}),
        );
    }
    if !cx.store.exists(Kind::ConfigMap, ns, "kube-root-ca.crt") {
        let _ = cx.store.create(
            Kind::ConfigMap,
            json!({"metadata": {"name": "kube-root-ca.crt", "namespace": ns, "creationTimestamp": created,
                "annotations": {"kubernetes.io/description": "Contains a CA bundle that can be used to verify the kube-apiserver when using internal endpoints such as the internal service IP or kubernetes.default.svc. No other usage is guaranteed across distributions of Kubernetes clusters."}},
                "data": {"ca.crt": "-----BEGIN CERTIFICATE-----\nMIIBdzCCAR2gAwIBAgIBADAKBggqhkjOPQQDAjAjMSEwHwYDVQQDDBhrZGVjay1z\naW0tY2FAMTc5NTMzNDQwMDAeFw0yNjExMjIwODAwMDBaFw0zNjExMjAwODAwMDBa\n-----END CERTIFICATE-----\n"}}),
        );
    }
}
