//! Reset the circuit breaker on a workload's pods: a POST to the breaker path (default
//! `/health/circuit-breaker/reset`, on the port of the workload's health endpoint;
//! configurable per workload) through the API server's pod proxy, on every ready pod,
//! with a result per pod — then each pod's health is probed again.

use std::sync::Arc;

use http::Method;
use serde_json::json;

use super::run::{self, Stop, Write};
use super::{HealthOf, Plan, Request, Risk};
use crate::cluster::msg::CtxId;
use crate::cluster::store::ClusterData;
use crate::fleet::workloads::{WorkloadKind, pods_of};
use crate::probe::HealthState;
use crate::probe::targets::{Via, template_endpoints};

pub const DEFAULT_PATH: &str = "/health/circuit-breaker/reset";

/// Where a workload's breaker is reset, when config says so (port, path).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct BreakerAt {
    pub port: Option<u16>,
    pub path: Option<String>,
}

pub fn plan(
    d: &ClusterData,
    ctx: CtxId,
    kind: WorkloadKind,
    namespace: &str,
    name: &str,
    at: &BreakerAt,
    health: HealthOf,
) -> Result<Plan, String> {
    let template = match kind {
        WorkloadKind::Deployment => d
            .kinds
            .deployments
            .get(&(Arc::from(namespace), Arc::from(name)))
            .map(|x| &x.template),
        WorkloadKind::StatefulSet => d
            .kinds
            .statefulsets
            .get(&(Arc::from(namespace), Arc::from(name)))
            .map(|x| &x.template),
        WorkloadKind::CronJob => return Err("a CronJob has no circuit breaker".into()),
        WorkloadKind::Ingress => return Err("an Ingress has no circuit breaker".into()),
    }
    .ok_or_else(|| format!("{}/{name} is gone", kind.short()))?;
    let endpoints = template_endpoints(template, true);
    // The health endpoint: the shortest /health path (the deep one), else any probe.
    let health_ep = endpoints
        .iter()
        .filter(|(_, _, p, _)| p.starts_with("/health"))
        .min_by_key(|(_, _, p, _)| p.len())
        .or(endpoints.first());
    let port = at
        .port
        .or(health_ep.map(|(_, port, _, _)| *port))
        .ok_or_else(|| {
            format!(
                "{}/{name} declares no HTTP health probe: set its breaker port in config ([[actions.breaker]])",
                kind.short()
            )
        })?;
    let path = at.path.clone().unwrap_or_else(|| DEFAULT_PATH.to_string());
    let health_path = health_ep
        .filter(|(_, p, _, _)| *p == port)
        .map(|(_, _, p, _)| p.clone());
    let mut pods: Vec<&str> = pods_of(d, kind, namespace, name)
        .into_iter()
        .filter(|p| p.ready && !p.deleting)
        .map(|p| p.name.as_ref())
        .collect();
    pods.sort_unstable();
    let target = format!("{}/{name}", kind.short());
    let mut p = Plan::new("reset-breaker", ctx, namespace, target.clone());
    p.risk = Risk::Medium;
    p.before = match health(&target) {
        Some(s) => format!("health {}", s.label()),
        None => "health not probed yet".into(),
    };
    p.after = "breaker closed on every ready pod".into();
    p.blast = format!(
        "POST :{port}{path} on {} ready pod{}; traffic is let through again",
        pods.len(),
        if pods.len() == 1 { "" } else { "s" }
    );
    p.params = json!({"port": port, "path": path, "pods": pods});
    if matches!(health(&target), Some(HealthState::Ok)) {
        p.warnings.push(format!(
            "{target} reports healthy: its breakers are probably closed"
        ));
    }
    if pods.is_empty() {
        p.refused = Some(format!("{target} has no ready pods to reset"));
    }
    p.request = Some(Request::BreakerReset {
        namespace: namespace.to_string(),
        workload: target,
        pods: pods.iter().map(|s| s.to_string()).collect(),
        port,
        path,
        health_path,
    });
    Ok(p)
}

fn via(namespace: &str, pod: &str, port: u16) -> Via {
    Via::PodProxy {
        ctx: 0,
        namespace: Arc::from(namespace),
        pod: Arc::from(pod),
        port,
        https: false,
    }
}

/// One POST per pod through the pod proxy (pods cannot be dry-run).
pub async fn writes(_client: &kube::Client, req: &Request) -> Result<Vec<Write>, Stop> {
    let Request::BreakerReset {
        namespace,
        pods,
        port,
        path,
        ..
    } = req
    else {
        return Err(Stop::Failed("not a breaker reset".into()));
    };
    pods.iter()
        .map(|pod| {
            let p = crate::probe::http::proxy_path(&via(namespace, pod, *port), path)
                .ok_or_else(|| Stop::Failed("no proxy path".into()))?;
            Ok(Write {
                method: Method::POST,
                path: p,
                content_type: "application/json",
                body: Vec::new(),
                access: req.access(),
                dry_run: false,
                what: format!("pod/{pod}"),
            })
        })
        .collect()
}

/// Probes each pod's health endpoint once more, after the resets: one line per pod.
pub async fn reprobe(client: &kube::Client, req: &Request) -> Vec<String> {
    let Request::BreakerReset {
        namespace,
        pods,
        port,
        health_path: Some(hp),
        ..
    } = req
    else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for pod in pods {
        let Some(p) = crate::probe::http::proxy_path(&via(namespace, pod, *port), hp) else {
            continue;
        };
        let line = match run::request(client, Method::GET, &p, None, Vec::new()).await {
            Ok(body) => format!("pod/{pod}: {hp} ok {}", summary(&body)),
            Err(e) => format!(
                "pod/{pod}: {hp} {} {}",
                if e.code == 0 {
                    String::new()
                } else {
                    e.code.to_string()
                },
                summary(&e.message)
            ),
        };
        out.push(line.trim_end().to_string());
    }
    out
}

/// The breaker and status fields of a deep-health body, or a short excerpt.
fn summary(body: &str) -> String {
    match serde_json::from_str::<serde_json::Value>(body) {
        Ok(v) if v.is_object() => {
            let pick = |k: &str| v[k].as_str().map(|s| format!("{k}={}", run_clean(s)));
            [pick("status"), pick("circuit_breaker")]
                .into_iter()
                .flatten()
                .collect::<Vec<_>>()
                .join(" ")
        }
        _ => crate::util::sanitize::line(body.trim(), 80),
    }
}

fn run_clean(s: &str) -> String {
    crate::util::sanitize::line(s, 40)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::app::testkit::{deployment, replicaset};
    use crate::cluster::kinds::Object;
    use crate::cluster::kinds::{Interner, PodRec};

    fn pod(name: &str, rs: &str, ready: bool) -> PodRec {
        let p: crate::cluster::kinds::Pod = serde_json::from_value(json!({
            "metadata": {"name": name, "namespace": "ns", "labels": {"app": "api"},
                "ownerReferences": [{"kind": "ReplicaSet", "name": rs, "uid": "x", "controller": true, "apiVersion": "apps/v1"}]},
            "spec": {"containers": [{"name": "c"}]},
            "status": {"phase": "Running", "conditions": [{"type": "Ready", "status": if ready { "True" } else { "False" }}],
                "containerStatuses": [{"name": "c", "ready": ready, "restartCount": 0, "state": {"running": {}}}]}
        }))
        .expect("pod");
        PodRec::from(&p, &mut Interner::default())
    }

    #[test]
    fn every_ready_pod_is_reset_on_the_configured_port() {
        let mut d = ClusterData::default();
        d.apply(Object::Deployment(std::sync::Arc::new(deployment(
            "ns",
            "api",
            3,
            3,
            1,
            ("True", "NewReplicaSetAvailable"),
        ))));
        d.apply(Object::ReplicaSet(std::sync::Arc::new(replicaset(
            "ns", "api-a", "api", 1, 3,
        ))));
        d.apply(Object::Pod(std::sync::Arc::new(pod(
            "api-a-1", "api-a", true,
        ))));
        d.apply(Object::Pod(std::sync::Arc::new(pod(
            "api-a-2", "api-a", true,
        ))));
        d.apply(Object::Pod(std::sync::Arc::new(pod(
            "api-a-3", "api-a", false,
        ))));
        let down = |_: &str| Some(HealthState::Down);
        let at = BreakerAt {
            port: Some(3005),
            path: None,
        };
        let p = plan(&d, 0, WorkloadKind::Deployment, "ns", "api", &at, &down).unwrap();
        assert_eq!(
            p.blast,
            "POST :3005/health/circuit-breaker/reset on 2 ready pods; traffic is let through again"
        );
        assert_eq!(p.before, "health down");
        assert_eq!(p.refused, None);
        let Some(Request::BreakerReset { pods, .. }) = &p.request else {
            panic!("{p:?}")
        };
        assert_eq!(pods, &["api-a-1", "api-a-2"]);
        // Without a probe in the template or a configured port there is nowhere to POST.
        assert!(
            plan(
                &d,
                0,
                WorkloadKind::Deployment,
                "ns",
                "api",
                &BreakerAt::default(),
                &down
            )
            .is_err()
        );
    }
}
