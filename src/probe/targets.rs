//! What a probe target is: an endpoint (per context, namespace, workload and name),
//! how the request reaches it (pod proxy, service proxy, direct URL) and what the
//! answer must be; the HTTP probes a pod template declares, and the deep-health path
//! they imply (`/health/ready` → `/health`). Which targets to probe is the fleet's
//! decision (`fleet::probing`).

use std::sync::Arc;
use std::time::Duration;

use super::evaluate::Expectation;
use crate::cluster::kinds::Template;
use crate::cluster::msg::CtxId;
use crate::config::file::{HeaderFromEnv, ProbeSettings};

/// An endpoint whose health is tracked: per context (or none, for a direct URL),
/// namespace, the workload it belongs to (`deploy/flextime-api`, or empty) and a name
/// (`api:3005/health`, or the configured name).
#[derive(
    Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
pub struct EndpointKey {
    pub ctx: Option<CtxId>,
    pub namespace: Arc<str>,
    pub workload: Arc<str>,
    pub name: Arc<str>,
}

/// How a request reaches the endpoint.
#[derive(Clone, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
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

/// One request to make, repeatedly: where (the endpoint, the pod, the way there)
/// and what (the shared [`Request`]).
#[derive(Clone, Debug, PartialEq)]
pub struct ProbeTarget {
    pub key: EndpointKey,
    /// The pod probed (pod-proxy targets).
    pub pod: Option<Arc<str>>,
    pub via: Via,
    /// Shared by every pod's target of one endpoint (thousands at scale).
    pub req: Arc<Request>,
}

/// What is asked and what the answer must be: the same for every pod of one
/// endpoint, so held once.
#[derive(Clone, Debug, PartialEq)]
pub struct Request {
    pub path: String,
    pub method: String,
    pub headers: Vec<(String, HeaderFromEnv)>,
    pub expect: Expectation,
    pub interval: Duration,
    pub timeout: Duration,
}

impl Request {
    /// A GET of `path` with no headers.
    pub fn get(path: &str, expect: Expectation, interval: Duration, timeout: Duration) -> Self {
        Request {
            path: path.to_string(),
            method: "GET".to_string(),
            headers: Vec::new(),
            expect,
            interval,
            timeout,
        }
    }
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
                self.req.method,
                if *https { "https " } else { "" },
                port,
                self.req.path
            ),
            Via::ServiceProxy {
                namespace,
                service,
                port,
                ..
            } => format!(
                "{} svc/{namespace}/{service}:{port}{}",
                self.req.method, self.req.path
            ),
            Via::Direct { url } => format!("{} {url}", self.req.method),
        }
    }
}

/// Probe settings in the units the scheduler uses.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
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

impl Settings {
    pub fn from(p: &ProbeSettings) -> Settings {
        Settings {
            enabled: p.enabled,
            sample: p.sample,
            interval: p.interval.0,
            timeout: p.timeout.0,
            slo: p.latency_slo.0,
            deep_health: p.deep_health,
            budget: p.budget,
            concurrency: p.concurrency,
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

/// What a probe expects by default: an answer within the latency objective.
pub fn expect(slo: Duration, proxied: bool) -> Expectation {
    Expectation {
        slo_ms: slo.as_millis().min(u32::MAX as u128) as u32,
        proxied,
        ..Expectation::default()
    }
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
