//! `metrics.k8s.io/v1beta1`: PodMetrics and NodeMetrics computed from the load model
//! at request time, as metrics-server would report them (what `kubectl top` reads).

use std::sync::Arc;

use http::{Method, Response};
use serde_json::{Value, json};

use super::crud::Filters;
use super::route::Target;
use super::{Body, Req, json_response};
use crate::sim::apps::load;
use crate::sim::clock::fmt_ts;
use crate::sim::kinds::{Kind, Repr};
use crate::sim::selectors::MatchValue;
use crate::sim::status::{ApiError, ApiResult};
use crate::sim::{Shared, SimState, obj};

fn pod_metrics(st: &SimState, pod: &Value, now: jiff::Timestamp) -> Value {
    let containers: Vec<Value> = obj::at(pod, &["spec", "containers"])
        .as_array()
        .into_iter()
        .flatten()
        .map(|c| {
            let u = load::usage(&st.world, pod, c, now);
            json!({"name": c["name"], "usage": {"cpu": load::fmt_cpu(u.cpu_cores), "memory": load::fmt_mem(u.mem_bytes)}})
        })
        .collect();
    json!({
        "kind": "PodMetrics",
        "apiVersion": "metrics.k8s.io/v1beta1",
        "metadata": {"name": obj::name(pod), "namespace": obj::namespace(pod), "labels": pod["metadata"]["labels"], "creationTimestamp": fmt_ts(now)},
        "timestamp": fmt_ts(now),
        "window": "30s",
        "containers": containers,
    })
}

fn running(p: &Value) -> bool {
    obj::str_at(p, &["status", "phase"]) == Some("Running") && !obj::is_terminating(p)
}

fn node_metrics(st: &SimState, node: &Value, now: jiff::Timestamp) -> Value {
    let name = obj::name(node);
    let (mut cpu, mut mem) = (0.25, 1.2 * 1024f64.powi(3));
    for p in st.store.list(Kind::Pod, None) {
        if running(&p) && obj::str_at(&p, &["spec", "nodeName"]) == Some(name) {
            let u = load::pod_usage(&st.world, &p, now);
            cpu += u.cpu_cores;
            mem += u.mem_bytes;
        }
    }
    json!({
        "kind": "NodeMetrics",
        "apiVersion": "metrics.k8s.io/v1beta1",
        "metadata": {"name": name, "labels": node["metadata"]["labels"], "creationTimestamp": fmt_ts(now)},
        "timestamp": fmt_ts(now),
        "window": "20s",
        "usage": {"cpu": load::fmt_cpu(cpu), "memory": load::fmt_mem(mem)},
    })
}

pub fn handle(shared: &Arc<Shared>, r: &Req, t: &Target) -> ApiResult<Response<Body>> {
    if r.method != Method::GET {
        return Err(ApiError::method_not_allowed("metrics are read-only"));
    }
    let filters = Filters::from_query(r)?;
    let st = shared.lock();
    let now = st.store.now();
    let pods = t.surface.repr == Repr::PodMetrics;
    let source = if pods { Kind::Pod } else { Kind::Node };
    let what = if pods { "podmetrics" } else { "nodemetrics" };
    match &t.name {
        Some(name) => {
            let obj = st
                .store
                .get(source, t.namespace.as_deref().unwrap_or(""), name)
                .filter(|p| !pods || running(p))
                .ok_or_else(|| {
                    ApiError::new(
                        404,
                        "NotFound",
                        format!("{what}.metrics.k8s.io \"{name}\" not found"),
                    )
                })?;
            let m = if pods {
                pod_metrics(&st, &obj, now)
            } else {
                node_metrics(&st, &obj, now)
            };
            Ok(json_response(200, &m))
        }
        None => {
            let items: Vec<Value> = st
                .store
                .list(source, t.namespace.as_deref())
                .iter()
                .filter(|p| filters.labels.matches(p) && (!pods || running(p)))
                .map(|p| {
                    if pods {
                        pod_metrics(&st, p, now)
                    } else {
                        node_metrics(&st, p, now)
                    }
                })
                .collect();
            Ok(json_response(
                200,
                &json!({
                    "kind": if pods { "PodMetricsList" } else { "NodeMetricsList" },
                    "apiVersion": "metrics.k8s.io/v1beta1",
                    "metadata": {"resourceVersion": ""},
                    "items": items,
                }),
            ))
        }
    }
}
