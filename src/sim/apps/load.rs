//! The load model: CPU and memory each simulated container uses (what the HPA
//! controller and `metrics.k8s.io` read), and external metrics such as FLEET-Q's
//! pending steps. A workload's demand is spread over its ready pods, so scaling out
//! lowers per-pod utilisation as in a real service.

use jiff::Timestamp;
use serde_json::Value;

use super::world::{FLEX_NS, World};
use super::{App, app_for_image};
use crate::sim::obj;

/// Usage of one container.
#[derive(Copy, Clone, Debug, Default, PartialEq)]
pub struct Usage {
    pub cpu_cores: f64,
    pub mem_bytes: f64,
}

struct Profile {
    /// Fraction of the CPU request used at nominal size.
    cpu: f64,
    /// Fraction of the memory request (or limit, without one) used.
    mem: f64,
    /// Whether the workload's demand is shared by its ready pods (sized for its HPA's
    /// minimum), rather than constant per pod.
    shared: bool,
}

fn profile(app: App) -> Profile {
    let p = |cpu, mem, shared: Option<f64>| Profile {
        cpu,
        mem,
        shared: shared.is_some(),
    };
    match app {
        App::FlexApi => p(0.45, 0.55, Some(4.0)),
        App::HealthSidecar => p(0.10, 0.20, None),
        App::Constraints => p(0.40, 0.45, Some(3.0)),
        App::FleetQ => p(0.35, 0.50, Some(3.0)),
        App::FlagwiseApi => p(0.30, 0.40, Some(3.0)),
        App::FlagwiseWeb => p(0.05, 0.15, None),
        App::Dashboard => p(0.42, 0.50, Some(3.0)),
        App::TeamService => p(0.30, 0.40, Some(2.0)),
        App::Prometheus => p(0.60, 0.70, None),
        App::Grafana | App::Alertmanager => p(0.10, 0.25, None),
        App::Redis => p(0.10, 0.30, None),
        App::Postgres => p(0.35, 0.60, None),
        App::BackupTool => p(0.80, 0.30, None),
        App::FlagwiseConsumer | App::Generic => p(0.20, 0.30, None),
    }
}

fn noise(key: &str, now: Timestamp, seed: u64) -> f64 {
    let minute = (now.as_second() / 60) as u64;
    let mut h: u64 = 0xcbf29ce484222325 ^ seed ^ minute.wrapping_mul(0x9E3779B97F4A7C15);
    for b in key.bytes() {
        h ^= b as u64;
        h = h.wrapping_mul(0x100000001b3);
    }
    // ±6 %
    ((h % 1000) as f64 / 1000.0 - 0.5) * 0.12
}

fn resource(c: &Value, kind: &str, name: &str) -> Option<f64> {
    obj::quantity_value(&c["resources"][kind][name])
}

/// How much harder the FlexTime API works during the incident (retry storms while
/// the database is degraded and breakers are open).
fn surge(world: &World, app: App, ns: &str) -> f64 {
    if app != App::FlexApi || ns != FLEX_NS {
        return 1.0;
    }
    if world.db_degraded() {
        7.0
    } else if world.breakers.values().any(|b| b.open) {
        3.0
    } else {
        1.0
    }
}

/// Current usage of `container` in `pod`.
pub fn usage(world: &World, pod: &Value, container: &Value, now: Timestamp) -> Usage {
    let app = app_for_image(container["image"].as_str().unwrap_or(""));
    let prof = profile(app);
    let ns = obj::namespace(pod);
    let cpu_req = resource(container, "requests", "cpu")
        .or_else(|| resource(container, "limits", "cpu"))
        .unwrap_or(0.1);
    let mem_base = resource(container, "requests", "memory")
        .or_else(|| resource(container, "limits", "memory"))
        .unwrap_or(256.0 * 1024.0 * 1024.0);
    let mem_cap = resource(container, "limits", "memory").unwrap_or(mem_base * 2.0);
    let spread = match (prof.shared, obj::label(pod, "app")) {
        (true, Some(a)) => {
            let key = (ns.to_string(), a.to_string());
            match world.nominal_by_app.get(&key) {
                Some(n) => {
                    let ready = world
                        .ready_by_app
                        .get(&key)
                        .copied()
                        .unwrap_or(*n as usize)
                        .max(1);
                    n / ready as f64
                }
                None => 1.0,
            }
        }
        _ => 1.0,
    };
    let key = format!(
        "{}/{}/{}",
        ns,
        obj::name(pod),
        container["name"].as_str().unwrap_or("")
    );
    let jitter = 1.0 + noise(&key, now, world.seed);
    let cpu = cpu_req * prof.cpu * spread * surge(world, app, ns) * jitter;
    let mem_factor = if surge(world, app, ns) > 1.0 {
        1.25
    } else {
        1.0
    };
    let mem = mem_base * prof.mem * mem_factor * (1.0 + noise(&key, now, world.seed ^ 7) / 2.0);
    Usage {
        cpu_cores: cpu.max(0.001),
        mem_bytes: mem.min(mem_cap * 0.98),
    }
}

/// Sum over a pod's containers.
pub fn pod_usage(world: &World, pod: &Value, now: Timestamp) -> Usage {
    obj::at(pod, &["spec", "containers"])
        .as_array()
        .into_iter()
        .flatten()
        .map(|c| usage(world, pod, c, now))
        .fold(Usage::default(), |a, u| Usage {
            cpu_cores: a.cpu_cores + u.cpu_cores,
            mem_bytes: a.mem_bytes + u.mem_bytes,
        })
}

/// An external metric's current value (HPA `type: External`).
pub fn external_metric(world: &World, name: &str, ns: &str, now: Timestamp) -> Option<f64> {
    match name {
        "fleet_q_pending_steps" => {
            let base = 24.0 * (1.0 + noise(ns, now, world.seed) * 2.0);
            Some(base.round())
        }
        _ => None,
    }
}

/// `250m`, `1.2` style CPU quantity as metrics-server writes it (nanocores).
pub fn fmt_cpu(cores: f64) -> String {
    format!("{}n", (cores * 1e9).round() as u64)
}

/// Memory as metrics-server writes it (Ki).
pub fn fmt_mem(bytes: f64) -> String {
    format!("{}Ki", (bytes / 1024.0).round() as u64)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn demand_spreads_over_ready_pods_and_surges() {
        let mut w = World::new(1, true, false);
        let pod = json!({"metadata": {"name": "flextime-api-x", "namespace": FLEX_NS, "labels": {"app": "flextime"}}});
        let c = json!({"name": "api", "image": "flextime/api:v2.3.0", "resources": {"requests": {"cpu": "500m", "memory": "1Gi"}, "limits": {"memory": "4Gi"}}});
        let now = Timestamp::UNIX_EPOCH;
        w.nominal_by_app
            .insert((FLEX_NS.into(), "flextime".into()), 4.0);
        w.ready_by_app
            .insert((FLEX_NS.into(), "flextime".into()), 4);
        let at4 = usage(&w, &pod, &c, now).cpu_cores;
        assert!((0.2..0.25).contains(&at4), "{at4}");
        w.ready_by_app
            .insert((FLEX_NS.into(), "flextime".into()), 8);
        let at8 = usage(&w, &pod, &c, now).cpu_cores;
        assert!((at8 * 2.0 - at4).abs() < 1e-9);
        w.conditions.insert("flextime/db-degraded".into(), now);
        assert!(usage(&w, &pod, &c, now).cpu_cores > at8 * 6.0);
        assert_eq!(fmt_cpu(0.25), "250000000n");
    }
}
