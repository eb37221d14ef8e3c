//! What to probe, derived purely from state: the HTTP probes each workload's pod
//! template declares (and the deep-health paths they imply), on a sample of its ready
//! pods (or all of them, when asked), through the API server's pod proxy; and the
//! endpoints configured in `config.toml` (a direct URL, or a Service through the
//! service proxy).

use std::collections::HashSet;
use std::sync::Arc;

use super::Ctx;
use super::workloads::{Index, WorkloadKind};
use crate::cluster::kinds::PodRec;
use crate::cluster::msg::CtxId;
use crate::config::file::{EndpointConfig, Expect, Statuses};
use crate::probe::targets::{
    EndpointKey, ProbeTarget, Request, Settings, Via, expect, template_endpoints,
};

/// Pod-proxy targets for one context's workloads.
pub fn derive(
    c: &Ctx,
    ix: &Index,
    s: &Settings,
    all_pods: &HashSet<(CtxId, Arc<str>, Arc<str>)>,
) -> Vec<ProbeTarget> {
    let mut out = Vec::new();
    if !s.enabled {
        return out;
    }
    let workloads = c
        .data
        .kinds
        .deployments
        .values()
        .map(|d| (WorkloadKind::Deployment, &d.meta, &d.template))
        .chain(
            c.data
                .kinds
                .statefulsets
                .values()
                .map(|d| (WorkloadKind::StatefulSet, &d.meta, &d.template)),
        );
    for (kind, meta, template) in workloads {
        let endpoints = template_endpoints(template, s.deep_health);
        if endpoints.is_empty() {
            continue;
        }
        let ns = meta.namespace.as_ref();
        let mut ready: Vec<&PodRec> = ix
            .pods
            .get(&(ns, kind, meta.name.as_ref()))
            .into_iter()
            .flatten()
            .filter(|p| p.ready && !p.deleting)
            .copied()
            .collect();
        ready.sort_by(|a, b| a.name.cmp(&b.name));
        let workload: Arc<str> = Arc::from(format!("{}/{}", kind.short(), meta.name));
        if !all_pods.contains(&(c.id, meta.namespace.clone(), workload.clone())) {
            ready.truncate(s.sample);
        }
        for (container, port, path, https) in &endpoints {
            let req = Arc::new(Request::get(
                path,
                expect(s.slo, true),
                s.interval,
                s.timeout,
            ));
            let key = EndpointKey {
                ctx: Some(c.id),
                namespace: meta.namespace.clone(),
                workload: workload.clone(),
                name: Arc::from(format!("{container}:{port}{path}")),
            };
            for p in &ready {
                out.push(ProbeTarget {
                    key: key.clone(),
                    pod: Some(p.name.clone()),
                    via: Via::PodProxy {
                        ctx: c.id,
                        namespace: meta.namespace.clone(),
                        pod: p.name.clone(),
                        port: *port,
                        https: *https,
                    },
                    req: req.clone(),
                });
            }
        }
    }
    out
}

fn to_json(v: &toml::Value) -> serde_json::Value {
    serde_json::to_value(v).unwrap_or(serde_json::Value::Null)
}

/// Targets for the configured endpoints, given the contexts (a `service` endpoint is
/// probed in each context that has the Service, or in the one it names).
pub fn configured(
    endpoints: &[EndpointConfig],
    s: &Settings,
    contexts: &[Ctx],
) -> Vec<ProbeTarget> {
    let mut out = Vec::new();
    for e in endpoints {
        let mut exp = expect(e.latency_slo.map_or(s.slo, |d| d.0), false);
        exp.statuses = match &e.expect_status {
            Some(Statuses::One(n)) => vec![*n],
            Some(Statuses::Many(v)) => v.clone(),
            None => Vec::new(),
        };
        exp.checks = e
            .checks
            .iter()
            .map(|(k, v)| {
                let want = match v {
                    Expect::One(x) => vec![to_json(x)],
                    Expect::AnyOf(xs) => xs.iter().map(to_json).collect(),
                };
                (k.clone(), want)
            })
            .collect();
        let (ns, workload) = match e.workload.as_deref().and_then(|w| w.split_once('/')) {
            Some((ns, name)) => (ns.to_string(), format!("deploy/{name}")),
            None => (String::new(), String::new()),
        };
        let base = ProbeTarget {
            key: EndpointKey {
                ctx: None,
                namespace: Arc::from(ns.as_str()),
                workload: Arc::from(workload.as_str()),
                name: Arc::from(e.name.as_str()),
            },
            pod: None,
            via: Via::Direct { url: String::new() },
            req: Arc::new(Request {
                path: String::new(),
                method: e.method.clone(),
                headers: e
                    .headers
                    .iter()
                    .map(|(k, v)| (k.clone(), v.clone()))
                    .collect(),
                expect: exp,
                interval: e.interval.map_or(s.interval, |d| d.0),
                timeout: e.timeout.map_or(s.timeout, |d| d.0),
            }),
        };
        if let Some(url) = &e.url {
            out.push(ProbeTarget {
                via: Via::Direct { url: url.clone() },
                ..base
            });
        } else if let Some((sns, svc, port)) = e
            .service
            .as_deref()
            .and_then(crate::config::file::parse_service)
        {
            for c in contexts {
                let has = c
                    .data
                    .kinds
                    .services
                    .keys()
                    .any(|(n, v)| n.as_ref() == sns && v.as_ref() == svc);
                if e.context.as_deref().is_some_and(|want| want != c.name) || !has {
                    continue;
                }
                let mut t = base.clone();
                t.key.ctx = Some(c.id);
                if t.key.namespace.is_empty() {
                    t.key.namespace = Arc::from(sns.as_str());
                }
                t.via = Via::ServiceProxy {
                    ctx: c.id,
                    namespace: Arc::from(sns.as_str()),
                    service: Arc::from(svc.as_str()),
                    port,
                };
                let req = Arc::make_mut(&mut t.req);
                req.path = e.path.as_deref().unwrap_or("/health").to_string();
                req.expect.proxied = true;
                out.push(t);
            }
        }
    }
    out
}
