//! What to probe, derived purely from state: the HTTP probes each workload's pod
//! template declares (plus the deep-health path they imply: `/health/ready` →
//! `/health`), on a sample of its ready pods, through the API server's pod proxy; and
//! the endpoints configured in `config.toml` (a direct URL, or a Service through the
//! service proxy).

use std::collections::HashSet;
use std::sync::Arc;
use std::time::Duration;

use super::evaluate::Expectation;
use crate::app::msg::CtxId;
use crate::cluster::model::{PodRec, Template};
use crate::config::file::{EndpointConfig, Expect, HeaderFromEnv, ProbeSettings, Statuses};
use crate::fleet::Ctx;
use crate::fleet::workloads::{Index, WorkloadKind};

/// An endpoint whose health is tracked: per context (or none, for a direct URL),
/// namespace, the workload it belongs to (`deploy/flextime-api`, or empty) and a name
/// (`api:3005/health`, or the configured name).
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct EndpointKey {
    pub ctx: Option<CtxId>,
    pub namespace: Arc<str>,
    pub workload: Arc<str>,
    pub name: Arc<str>,
}

/// How a request reaches the endpoint.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Via {
    PodProxy {
        ctx: CtxId,
        namespace: Arc<str>,
        pod: Arc<str>,
        port: u16,
        https: bool,
    },
    ServiceProxy {
        ctx: CtxId,
        namespace: Arc<str>,
        service: Arc<str>,
        port: u16,
    },
    Direct {
        url: String,
    },
}

/// One request to make, repeatedly.
#[derive(Clone, Debug, PartialEq)]
pub struct ProbeTarget {
    pub key: EndpointKey,
    /// The pod probed (pod-proxy targets).
    pub pod: Option<Arc<str>>,
    pub via: Via,
    pub path: String,
    pub method: String,
    pub headers: Vec<(String, HeaderFromEnv)>,
    pub expect: Expectation,
    pub interval: Duration,
    pub timeout: Duration,
}

pub type TargetId = (EndpointKey, Option<Arc<str>>);

impl ProbeTarget {
    pub fn id(&self) -> TargetId {
        (self.key.clone(), self.pod.clone())
    }

    /// What the request is, for the person (`GET :3005/health`).
    pub fn describe(&self) -> String {
        match &self.via {
            Via::PodProxy { port, https, .. } => format!(
                "{} {}:{}{}",
                self.method,
                if *https { "https " } else { "" },
                port,
                self.path
            ),
            Via::ServiceProxy {
                namespace,
                service,
                port,
                ..
            } => format!(
                "{} svc/{namespace}/{service}:{port}{}",
                self.method, self.path
            ),
            Via::Direct { url } => format!("{} {url}", self.method),
        }
    }
}

/// Probe settings in the units the scheduler uses.
#[derive(Clone, Debug, PartialEq)]
pub struct Settings {
    pub enabled: bool,
    pub sample: usize,
    pub interval: Duration,
    pub timeout: Duration,
    pub slo: Duration,
    pub deep_health: bool,
    pub budget: u32,
    pub concurrency: usize,
}

fn dur(s: &str, default: Duration) -> Duration {
    crate::util::duration::parse(s).unwrap_or(default)
}

impl Settings {
    pub fn from(p: &ProbeSettings) -> Settings {
        Settings {
            enabled: p.enabled,
            sample: p.sample,
            interval: dur(&p.interval, Duration::from_secs(15)).max(Duration::from_secs(1)),
            timeout: dur(&p.timeout, Duration::from_secs(5)),
            slo: dur(&p.latency_slo, Duration::from_secs(2)),
            deep_health: p.deep_health,
            budget: p.budget.max(1),
            concurrency: p.concurrency.max(1),
        }
    }
}

impl Default for Settings {
    fn default() -> Self {
        Settings::from(&ProbeSettings::default())
    }
}

/// The deep-health path a liveness/readiness path implies (`/health/ready` →
/// `/health`).
pub fn deep_path(path: &str) -> Option<&str> {
    let (parent, last) = path.trim_end_matches('/').rsplit_once('/')?;
    let leaf = matches!(
        last,
        "live" | "ready" | "liveness" | "readiness" | "startup" | "started" | "livez" | "readyz"
    );
    let named = parent
        .rsplit('/')
        .next()
        .is_some_and(|seg| seg.chars().any(|c| c.is_ascii_alphanumeric()));
    (leaf && named).then_some(parent)
}

/// (container, port, path, https) of every HTTP probe in a template, plus implied
/// deep-health paths, without repeats.
pub fn template_endpoints(t: &Template, deep: bool) -> Vec<(Arc<str>, u16, String, bool)> {
    type Endpoint = (Arc<str>, u16, String, bool);
    fn push(out: &mut Vec<Endpoint>, c: &Arc<str>, port: u16, path: &str, https: bool) {
        if !out.iter().any(|(_, p, q, _)| *p == port && q == path) {
            out.push((c.clone(), port, path.to_string(), https));
        }
    }
    let mut out: Vec<Endpoint> = Vec::new();
    for c in t.containers.iter() {
        for p in c.probes.iter() {
            if let Some(port) = c.resolve_port(&p.port) {
                push(&mut out, &c.name, port, &p.path, p.https);
            }
        }
    }
    if deep {
        let declared = out.clone();
        for (c, port, path, https) in declared {
            if let Some(d) = deep_path(&path) {
                push(&mut out, &c, port, d, https);
            }
        }
    }
    out
}

fn expect(slo: Duration, proxied: bool) -> Expectation {
    Expectation {
        slo_ms: slo.as_millis().min(u32::MAX as u128) as u32,
        proxied,
        ..Expectation::default()
    }
}

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
        .deployments
        .values()
        .map(|d| (WorkloadKind::Deployment, &d.meta, &d.template))
        .chain(
            c.data
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
                    path: path.clone(),
                    method: "GET".into(),
                    headers: Vec::new(),
                    expect: expect(s.slo, true),
                    interval: s.interval,
                    timeout: s.timeout,
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
        let mut exp = expect(
            e.latency_slo
                .as_deref()
                .map(|v| dur(v, s.slo))
                .unwrap_or(s.slo),
            false,
        );
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
            path: String::new(),
            method: e.method.clone(),
            headers: e
                .headers
                .iter()
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect(),
            expect: exp,
            interval: e
                .interval
                .as_deref()
                .map(|v| dur(v, s.interval))
                .unwrap_or(s.interval),
            timeout: e
                .timeout
                .as_deref()
                .map(|v| dur(v, s.timeout))
                .unwrap_or(s.timeout),
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
                t.path = e.path.clone().unwrap_or_else(|| "/health".into());
                t.expect.proxied = true;
                out.push(t);
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deep_health_paths_are_implied_by_leaf_probes() {
        assert_eq!(deep_path("/health/ready"), Some("/health"));
        assert_eq!(deep_path("/health/live/"), Some("/health"));
        assert_eq!(deep_path("/api/v1/readyz"), Some("/api/v1"));
        assert_eq!(deep_path("/ready"), None);
        assert_eq!(deep_path("/api/health"), None);
        assert_eq!(
            deep_path("/-/ready"),
            None,
            "Prometheus' /-/ready has no deep path"
        );
    }
}
