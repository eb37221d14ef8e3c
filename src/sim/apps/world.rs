//! The state of the simulated applications that is not a Kubernetes object: per-pod
//! circuit breakers, the FlexTime database's health, fleet-wide conditions with the
//! time they began (alerts are derived from them), and application logs.

use std::collections::{BTreeMap, HashMap};

use jiff::{SignedDuration, Timestamp};

use super::logs::LogBook;
use super::{App, Behaviour, app_for_image, behaviour};
use crate::sim::kinds::Kind;
use crate::sim::obj;
use crate::sim::store::Store;

/// The namespace and app whose bad release drives the scripted incident.
pub const FLEX_NS: &str = "flextime-production";

/// Seconds of bad pods before the database degrades, and after they are gone
/// before it recovers.
const DB_DEGRADE_AFTER: i64 = 15;
const DB_RECOVER_AFTER: i64 = 15;
/// Seconds of a degraded database before a pod's breaker opens.
const BREAKER_OPEN_AFTER: i64 = 20;

#[derive(Clone, Debug, Default)]
pub struct Breaker {
    pub open: bool,
    pub opened_at: Option<Timestamp>,
    pub last_reset: Option<Timestamp>,
    pub failures: u32,
}

#[derive(Debug, Default)]
pub struct World {
    pub breakers: HashMap<String, Breaker>,
    /// Active conditions and since when: `flextime/db-degraded`, …
    pub conditions: BTreeMap<String, Timestamp>,
    bad_cleared_at: Option<Timestamp>,
    pub logs: LogBook,
    /// Round-robin counter for service proxy backends.
    pub rr: u64,
    pub seed: u64,
    /// Ready pods per (namespace, app label), refreshed every tick (the load model
    /// spreads a workload's demand over them).
    pub ready_by_app: HashMap<(String, String), usize>,
    /// The replica count a workload's demand is sized for (its HPA's minimum), per
    /// (namespace, app label).
    pub nominal_by_app: HashMap<(String, String), f64>,
    /// Whether to write periodic application log lines (off for the large fleet).
    pub generate_logs: bool,
    /// Whether the incident's physics run (off for `calm`).
    pub incident: bool,
    /// Requests served per pod, by status, for `/metrics` counters.
    pub requests: HashMap<String, (u64, u64)>,
    /// When (simulated time) the fleet-wide readiness map was last rebuilt: it scans
    /// every pod, so at most once a simulated second.
    last_scan: Option<Timestamp>,
}

impl World {
    pub fn new(seed: u64, incident: bool, generate_logs: bool) -> Self {
        World {
            seed,
            incident,
            generate_logs,
            ..Default::default()
        }
    }

    pub fn since(&self, cond: &str) -> Option<Timestamp> {
        self.conditions.get(cond).copied()
    }

    pub fn active_for(&self, cond: &str, now: Timestamp) -> Option<SignedDuration> {
        self.since(cond).map(|s| now.duration_since(s))
    }

    fn set_condition(&mut self, cond: &str, on: bool, now: Timestamp) {
        if on {
            self.conditions.entry(cond.to_string()).or_insert(now);
        } else {
            self.conditions.remove(cond);
        }
    }

    pub fn db_degraded(&self) -> bool {
        self.conditions.contains_key("flextime/db-degraded")
    }

    pub fn breaker(&self, pod_key: &str) -> Breaker {
        self.breakers.get(pod_key).cloned().unwrap_or_default()
    }

    /// Closes a pod's breaker (the reset endpoint); returns whether it was open.
    pub fn reset_breaker(&mut self, pod_key: &str, now: Timestamp) -> bool {
        let b = self.breakers.entry(pod_key.to_string()).or_default();
        let was = b.open;
        b.open = false;
        b.opened_at = None;
        b.failures = 0;
        b.last_reset = Some(now);
        was
    }

    /// Advances the applications to `now`: database health, breakers, conditions
    /// and periodic log lines.
    pub fn tick(&mut self, store: &Store, now: Timestamp) {
        // The readiness map scans every pod: at most once a simulated second (the HPA
        // reads it every 15 simulated seconds; metrics on request).
        if self.readiness_due(now) {
            self.scan_readiness(store, now);
        }
        let mut bad_pods = false;
        let mut api_pods: Vec<(String, Timestamp)> = Vec::new();
        let flex_pods = if self.incident {
            store.list(Kind::Pod, Some(FLEX_NS))
        } else {
            Vec::new()
        };
        for p in &flex_pods {
            let phase = obj::str_at(p, &["status", "phase"]).unwrap_or("");
            let ns = obj::namespace(p);
            if obj::is_terminating(p) {
                continue;
            }
            for c in obj::at(p, &["spec", "containers"])
                .as_array()
                .into_iter()
                .flatten()
            {
                let image = c["image"].as_str().unwrap_or("");
                if app_for_image(image) != App::FlexApi {
                    continue;
                }
                if behaviour(image) == Behaviour::CrashLoop {
                    bad_pods = true;
                } else if phase == "Running" {
                    let started = obj::str_at(p, &["status", "startTime"])
                        .and_then(|s| s.parse().ok())
                        .unwrap_or(now);
                    api_pods.push((format!("{ns}/{}", obj::name(p)), started));
                }
            }
        }
        if self.incident {
            self.set_condition("flextime/bad-pods", bad_pods, now);
            let degraded_now = match (bad_pods, self.since("flextime/bad-pods")) {
                (true, Some(s)) => {
                    now.duration_since(s).as_secs() >= DB_DEGRADE_AFTER || self.db_degraded()
                }
                _ => {
                    if self.db_degraded() {
                        let cleared = *self.bad_cleared_at.get_or_insert(now);
                        now.duration_since(cleared).as_secs() < DB_RECOVER_AFTER
                    } else {
                        false
                    }
                }
            };
            if bad_pods {
                self.bad_cleared_at = None;
            }
            self.set_condition("flextime/db-degraded", degraded_now, now);
            let degraded_since = self.since("flextime/db-degraded");
            let mut open = 0usize;
            for (key, started) in &api_pods {
                let b = self.breakers.entry(key.clone()).or_default();
                if !b.open
                    && let Some(ds) = degraded_since
                {
                    let from = [Some(ds), b.last_reset, Some(*started)]
                        .into_iter()
                        .flatten()
                        .max()
                        .unwrap_or(ds);
                    let secs = now.duration_since(from).as_secs();
                    b.failures = (secs / 4).clamp(0, 5) as u32;
                    if secs >= BREAKER_OPEN_AFTER {
                        b.open = true;
                        b.opened_at = Some(now);
                        b.failures = 5;
                        self.logs.push(
                            key,
                            "api",
                            now,
                            r#"{"level":"error","msg":"circuit breaker OPEN after 5 consecutive failures (database)","breaker":"open"}"#.into(),
                        );
                    }
                }
                if self.breakers.get(key).is_some_and(|b| b.open) {
                    open += 1;
                }
            }
            self.breakers
                .retain(|k, _| api_pods.iter().any(|(p, _)| p == k));
            let total = api_pods.len().max(1);
            let majority_open = open * 2 > total;
            self.set_condition("flextime/breakers-open", majority_open, now);
            let error_pct = self.flex_error_percent(open, total);
            self.set_condition("flextime/error-rate-high", error_pct > 5.0, now);
            self.set_condition("flextime/slow", degraded_now, now);
        }
        if self.generate_logs {
            let pods = store.list(Kind::Pod, None);
            super::logs::generate(self, &pods, now);
        }
    }

    /// Rebuilds ready pods per (namespace, app) and the demand each app is sized for.
    fn scan_readiness(&mut self, store: &Store, now: Timestamp) {
        let input = ReadinessInput::take(store);
        self.set_readiness(input.compute(&mut ReadyCache::default()), now);
    }

    /// Installs a readiness map computed elsewhere (outside the state lock) from the
    /// store as it was at simulated time `at`.
    pub fn set_readiness(&mut self, r: Readiness, at: Timestamp) {
        self.ready_by_app = r.ready;
        self.nominal_by_app = r.nominal;
        self.last_scan = Some(at);
    }

    /// Whether the readiness map is due for a rebuild at simulated time `now`.
    pub fn readiness_due(&self, now: Timestamp) -> bool {
        self.last_scan
            .is_none_or(|t| now.as_millisecond() - t.as_millisecond() >= 1000)
    }

    pub fn flex_error_percent(&self, open: usize, total: usize) -> f64 {
        let base = if self.db_degraded() { 3.5 } else { 0.2 };
        base + 96.0 * open as f64 / total.max(1) as f64
    }

    /// Error percentage of the FlexTime API right now (for metrics and health bodies).
    pub fn flex_error_now(&self) -> f64 {
        let open = self.breakers.values().filter(|b| b.open).count();
        self.flex_error_percent(open, self.breakers.len())
    }
}

/// What the readiness map is computed from: a snapshot of object handles, cheap to
/// take under the lock.
pub struct ReadinessInput {
    pods: Vec<std::sync::Arc<serde_json::Value>>,
    /// (namespace, app label of the target's template, HPA minimum).
    targets: Vec<(String, String, f64)>,
}

/// Ready pods and sized-for replicas per (namespace, app).
pub struct Readiness {
    pub ready: HashMap<(String, String), usize>,
    pub nominal: HashMap<(String, String), f64>,
}

impl ReadinessInput {
    pub fn take(store: &Store) -> ReadinessInput {
        let mut targets = Vec::new();
        for h in store.list(Kind::Hpa, None) {
            let ns = obj::namespace(&h);
            let target = obj::str_at(&h, &["spec", "scaleTargetRef", "name"]).unwrap_or("");
            let min = obj::i64_at(&h, &["spec", "minReplicas"]).unwrap_or(1) as f64;
            if let Some(d) = store.get(Kind::Deployment, ns, target)
                && let Some(app) =
                    obj::str_at(&d, &["spec", "template", "metadata", "labels", "app"])
            {
                targets.push((ns.to_string(), app.to_string(), min));
            }
        }
        ReadinessInput {
            pods: store.list(Kind::Pod, None),
            targets,
        }
    }

    /// Counts ready pods, reading only the pods stored anew since the last scan
    /// (`cache`): at 50,000 pods a full read of every pod's JSON each second took
    /// half a core and, on a runtime worker, held up the requests queued behind it.
    pub fn compute(&self, cache: &mut ReadyCache) -> Readiness {
        let mut next = HashMap::with_capacity(self.pods.len());
        for p in &self.pods {
            let id = std::sync::Arc::as_ptr(p) as usize;
            let counted = match cache.by_object.remove(&id) {
                Some((_, c)) => c,
                None => ready_app(p),
            };
            next.insert(id, (p.clone(), counted));
        }
        cache.by_object = next;
        // Count with borrowed keys; allocate once per distinct (namespace, app).
        let mut counts: HashMap<(&str, &str), usize> = HashMap::new();
        for (ns, app) in cache.by_object.values().filter_map(|(_, c)| c.as_ref()) {
            *counts.entry((ns.as_str(), app.as_str())).or_default() += 1;
        }
        Readiness {
            ready: counts
                .into_iter()
                .map(|((ns, app), n)| ((ns.to_string(), app.to_string()), n))
                .collect(),
            nominal: self
                .targets
                .iter()
                .map(|(ns, app, min)| ((ns.clone(), app.clone()), *min))
                .collect(),
        }
    }
}

/// The (namespace, app) a running, ready pod counts for.
fn ready_app(p: &serde_json::Value) -> Option<(String, String)> {
    if obj::str_at(p, &["status", "phase"]) == Some("Running") && is_ready(p) {
        let app = obj::label(p, "app")?;
        Some((obj::namespace(p).to_string(), app.to_string()))
    } else {
        None
    }
}

/// The (namespace, app) a pod counts a ready pod for, if it does.
type Counted = Option<(String, String)>;

/// What each stored pod counted for at the last scan, by the identity of the stored
/// version: the store replaces an object on every change and never edits one in
/// place, and the handle kept here keeps the address from being reused.
#[derive(Default)]
pub struct ReadyCache {
    by_object: HashMap<usize, (std::sync::Arc<serde_json::Value>, Counted)>,
}

pub fn is_ready(pod: &serde_json::Value) -> bool {
    obj::at(pod, &["status", "conditions"])
        .as_array()
        .is_some_and(|cs| {
            cs.iter()
                .any(|c| c["type"] == "Ready" && c["status"] == "True")
        })
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use serde_json::json;

    use super::*;

    fn pod(ns: &str, app: &str, ready: bool) -> Arc<serde_json::Value> {
        Arc::new(json!({
            "metadata": {"namespace": ns, "name": format!("{app}-x"), "labels": {"app": app}},
            "status": {"phase": "Running", "conditions": [
                {"type": "Ready", "status": if ready { "True" } else { "False" }}
            ]},
        }))
    }

    fn ready_of(
        pods: &[Arc<serde_json::Value>],
        cache: &mut ReadyCache,
    ) -> Vec<((String, String), usize)> {
        let input = ReadinessInput {
            pods: pods.to_vec(),
            targets: Vec::new(),
        };
        let mut r: Vec<_> = input.compute(cache).ready.into_iter().collect();
        r.sort();
        r
    }

    #[test]
    fn a_cached_scan_counts_what_a_fresh_one_does_and_sees_replaced_pods() {
        let a = pod("n1", "api", true);
        let b = pod("n1", "api", true);
        let c = pod("n2", "web", false);
        let mut cache = ReadyCache::default();
        let first = ready_of(&[a.clone(), b.clone(), c.clone()], &mut cache);
        assert_eq!(first, vec![(("n1".into(), "api".into()), 2)]);
        assert_eq!(cache.by_object.len(), 3);
        // The web pod turns ready: a new stored version, counted anew.
        let c2 = pod("n2", "web", true);
        let second = ready_of(&[a.clone(), b.clone(), c2.clone()], &mut cache);
        assert_eq!(
            second,
            ready_of(&[a.clone(), b.clone(), c2], &mut ReadyCache::default())
        );
        assert_eq!(
            second,
            vec![
                (("n1".into(), "api".into()), 2),
                (("n2".into(), "web".into()), 1)
            ]
        );
        // A removed pod leaves the cache and the count.
        assert_eq!(
            ready_of(&[a], &mut cache),
            vec![(("n1".into(), "api".into()), 1)]
        );
        assert_eq!(cache.by_object.len(), 1);
    }
}
