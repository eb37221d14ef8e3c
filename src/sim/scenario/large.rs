//! The `large` scenario: `N` namespaces `team-0001…`, each with the same shape of
//! Deployments (up to 8 replicas each), Services and an HPA, sized to a number of
//! pods per namespace; and churn: restarts of random pods at a steady rate.

use jiff::SignedDuration;
use rand::Rng;
use rand_chacha::ChaCha8Rng;
use serde_json::json;

use super::steady;
use crate::sim::clock::fmt_ts;
use crate::sim::defaults;
use crate::sim::kinds::Kind;
use crate::sim::obj;
use crate::sim::store::Store;

const SERVICES: &[&str] = &[
    "api",
    "web",
    "worker",
    "scheduler",
    "cache",
    "auth",
    "search",
    "billing",
    "notify",
    "gateway",
];
const PODS_PER_NODE: usize = 110;

pub fn build(store: &mut Store, namespaces: usize, pods_per_ns: usize) -> anyhow::Result<()> {
    let now = store.now();
    let total = namespaces * pods_per_ns;
    let nodes = total.div_ceil(PODS_PER_NODE).max(1);
    for i in 0..nodes {
        store
            .create(
                Kind::Node,
                steady::node(i, now - SignedDuration::from_hours(24 * 60)),
            )
            .map_err(|e| anyhow::anyhow!("{e}"))?;
    }
    let mut node_rr = 0usize;
    for n in 0..namespaces {
        let ns = format!("team-{:04}", n + 1);
        let mut nsv = json!({"metadata": {"name": ns, "labels": {"environment": if n % 5 == 0 { "production" } else { "staging" }},
            "creationTimestamp": fmt_ts(now - SignedDuration::from_hours(24 * 60))}});
        defaults::apply(store, Kind::Namespace, &mut nsv, None);
        store
            .create(Kind::Namespace, nsv)
            .map_err(|e| anyhow::anyhow!("{e}"))?;
        let mut remaining = pods_per_ns;
        let mut idx = 0;
        while remaining > 0 {
            let replicas = remaining.min(8);
            remaining -= replicas;
            let svc = SERVICES[idx % SERVICES.len()];
            let name = if idx < SERVICES.len() {
                svc.to_string()
            } else {
                format!("{svc}-{}", idx / SERVICES.len())
            };
            idx += 1;
            let d = json!({
                "apiVersion": "apps/v1", "kind": "Deployment",
                "metadata": {"name": name, "namespace": ns, "labels": {"app": name}},
                "spec": {"replicas": replicas, "selector": {"matchLabels": {"app": name}},
                    "template": {"metadata": {"labels": {"app": name}}, "spec": {"containers": [{
                        "name": svc, "image": format!("team/{svc}:1.{}.{}", n % 7, idx % 4),
                        "ports": [{"containerPort": 8080, "name": "http"}],
                        "resources": {"requests": {"cpu": "100m", "memory": "128Mi"}, "limits": {"memory": "256Mi"}},
                        "readinessProbe": {"httpGet": {"path": "/healthz", "port": 8080}}
                    }]}}}
            });
            steady::deployment(store, d, &[("", "", 30)], now, &mut node_rr)?;
            let mut s = json!({"metadata": {"name": name, "namespace": ns}, "spec": {"selector": {"app": name}, "ports": [{"name": "http", "port": 80, "targetPort": 8080}]}});
            defaults::apply(store, Kind::Service, &mut s, None);
            store
                .create(Kind::Service, s)
                .map_err(|e| anyhow::anyhow!("{e}"))?;
            if svc == "api" {
                let mut h = json!({"metadata": {"name": name, "namespace": ns}, "spec": {
                    "scaleTargetRef": {"apiVersion": "apps/v1", "kind": "Deployment", "name": name},
                    "minReplicas": replicas.max(1), "maxReplicas": (replicas * 2).max(2),
                    "metrics": [{"type": "Resource", "resource": {"name": "cpu", "target": {"type": "Utilization", "averageUtilization": 80}}}]}});
                defaults::apply(store, Kind::Hpa, &mut h, None);
                store
                    .create(Kind::Hpa, h)
                    .map_err(|e| anyhow::anyhow!("{e}"))?;
            }
        }
    }
    Ok(())
}

/// `n` churn events: a random running pod's first container restarts (as after an
/// OOM kill) and is running again.
pub fn churn(store: &mut Store, rng: &mut ChaCha8Rng, n: usize) {
    let namespaces = store.count(Kind::Namespace);
    if namespaces == 0 {
        return;
    }
    let now = store.now_str();
    for _ in 0..n {
        let ns = format!("team-{:04}", rng.random_range(1..=namespaces));
        let (page, _) = store.list_from(Kind::Pod, Some(&ns), None, 256);
        if page.is_empty() {
            continue;
        }
        let p = page[rng.random_range(0..page.len())].clone();
        store.modify(Kind::Pod, obj::namespace(&p), obj::name(&p), |p| {
            if let Some(c) = p["status"]["containerStatuses"].get_mut(0) {
                let r = c["restartCount"].as_i64().unwrap_or(0) + 1;
                c["restartCount"] = json!(r);
                c["lastState"] = json!({"terminated": {"exitCode": 137, "reason": "OOMKilled", "startedAt": c["state"]["running"]["startedAt"], "finishedAt": now}});
                c["state"] = json!({"running": {"startedAt": now}});
            }
        });
    }
}
