//! Scenarios: the FlexTime demo fleet (`incident`, `calm`) materialised in a lived-in
//! steady state — old revisions, pods running for days, 30 days of backup Jobs, a
//! volume snapshot whose last two runs failed — and the scripted incident; and the
//! `large` fleet for benchmarks, with steady churn.

mod large;
mod steady;

use std::time::Instant;

use jiff::{SignedDuration, Timestamp};
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use serde_json::{Value, json};

use super::apps::World;
use super::apps::logs;
use super::kinds::Kind;
use super::obj;
use super::store::Store;

pub use steady::{node, running_pod};

const FLEET: &str = include_str!("fleet.yaml");

/// Which world to build.
#[derive(Clone, Debug, PartialEq)]
pub enum Scenario {
    /// The demo fleet with the scripted incident (the default).
    Incident,
    /// The same fleet, nothing failing.
    Calm,
    /// Many namespaces of the same shape, with churn, for benchmarks.
    Large {
        namespaces: usize,
        pods_per_namespace: usize,
        churn_per_sec: f64,
    },
}

impl Scenario {
    pub fn incident(&self) -> bool {
        matches!(self, Scenario::Incident)
    }

    pub fn generate_logs(&self) -> bool {
        !matches!(self, Scenario::Large { .. })
    }

    pub fn name(&self) -> &'static str {
        match self {
            Scenario::Incident => "incident",
            Scenario::Calm => "calm",
            Scenario::Large { .. } => "large",
        }
    }
}

/// When the bad release starts rolling out, in simulated seconds after start.
pub const INCIDENT_ROLLOUT_AT: i64 = 30;
pub const BAD_IMAGE: &str = "flextime/api:v2.4.0";

/// Revision history of a Deployment: (image of its first container, change-cause,
/// age in days) oldest first; the last entry is current.
fn history(ns: &str, name: &str) -> Vec<(&'static str, &'static str, i64)> {
    match (ns, name) {
        ("flextime-production", "flextime-api") => vec![
            (
                "flextime/api:v2.2.1",
                "deploy v2.2.1 (release 2026.10.2)",
                34,
            ),
            (
                "flextime/api:v2.3.0",
                "deploy v2.3.0: configurable worker scaling",
                5,
            ),
        ],
        ("flagwise", "flagwise-api") => vec![
            ("flagwise/api:v0.9.4", "", 41),
            (
                "flagwise/api:v1.0.0",
                "kubectl set image deployment/flagwise-api api=flagwise/api:v1.0.0",
                12,
            ),
        ],
        ("team-dashboard-prod", "dashboard-green") => vec![
            ("team-dashboard/dashboard:v1.0.0", "blue/green: v1.0.0", 20),
            (
                "team-dashboard/dashboard:v1.1.0",
                "blue/green: stage v1.1.0 on green",
                1,
            ),
        ],
        _ => Vec::new(),
    }
}

fn days_for(name: &str) -> i64 {
    let h = name
        .bytes()
        .fold(7u64, |a, b| a.wrapping_mul(31).wrapping_add(b as u64));
    20 + (h % 40) as i64
}

/// Builds the scenario's objects into `store`.
pub fn build(scenario: &Scenario, store: &mut Store, world: &mut World) -> anyhow::Result<()> {
    match scenario {
        Scenario::Large {
            namespaces,
            pods_per_namespace,
            ..
        } => large::build(store, *namespaces, *pods_per_namespace),
        // `calm` is the same fleet with nothing failing: its backups are fresh too.
        other => fleet(store, world, matches!(other, Scenario::Incident)),
    }
}

fn fleet(store: &mut Store, world: &mut World, broken: bool) -> anyhow::Result<()> {
    let docs: Vec<Value> = serde_saphyr::from_multiple(FLEET)?;
    let now = store.now();
    for i in 0..3 {
        store
            .create(
                Kind::Node,
                node(i, now - SignedDuration::from_hours(24 * 90)),
            )
            .map_err(|e| anyhow::anyhow!("node: {e}"))?;
    }
    for d in &docs {
        if d["kind"] == "Namespace" {
            let mut v = d.clone();
            obj::set(
                &mut v,
                &["metadata", "creationTimestamp"],
                json!(super::clock::fmt_ts(
                    now - SignedDuration::from_hours(24 * 90)
                )),
            );
            super::defaults::apply(store, Kind::Namespace, &mut v, None);
            store
                .create(Kind::Namespace, v)
                .map_err(|e| anyhow::anyhow!("{e}"))?;
        }
    }
    // Definitions before the custom resources they define.
    for d in docs
        .iter()
        .filter(|d| d["kind"] == "CustomResourceDefinition")
    {
        store
            .create(Kind::Crd, d.clone())
            .map_err(|e| anyhow::anyhow!("CustomResourceDefinition {}: {e}", obj::name(d)))?;
    }
    let mut node_rr = 0usize;
    for d in &docs {
        let kind = d["kind"].as_str().unwrap_or("");
        let ns = obj::namespace(d).to_string();
        let name = obj::name(d).to_string();
        match kind {
            "Namespace" | "CustomResourceDefinition" => {}
            "Deployment" => {
                let mut revs = history(&ns, &name);
                if revs.is_empty() {
                    // One revision: the manifest as it is.
                    revs.push(("", "", days_for(&name)));
                }
                steady::deployment(store, d.clone(), &revs, now, &mut node_rr)?;
            }
            "DaemonSet" => steady::daemonset(
                store,
                d.clone(),
                now - SignedDuration::from_hours(24 * days_for(&name)),
            )?,
            "StatefulSet" => steady::statefulset(
                store,
                d.clone(),
                now - SignedDuration::from_hours(24 * days_for(&name)),
                &mut node_rr,
            )?,
            "CronJob" => backups(store, world, d.clone(), now, broken)?,
            other => {
                let api_version = d["apiVersion"].as_str().unwrap_or("");
                let k = Kind::from_kind_name(other)
                    .or_else(|| store.apis().kind_of(api_version, other))
                    .ok_or_else(|| anyhow::anyhow!("fleet.yaml: unknown kind {other}"))?;
                let mut v = d.clone();
                let created = now - SignedDuration::from_hours(24 * days_for(&name));
                obj::set(
                    &mut v,
                    &["metadata", "creationTimestamp"],
                    json!(super::clock::fmt_ts(created)),
                );
                super::defaults::apply(store, k, &mut v, None);
                store
                    .create(k, v)
                    .map_err(|e| anyhow::anyhow!("{other} {ns}/{name}: {e}"))?;
            }
        }
    }
    snapshots(store, now, broken)?;
    Ok(())
}

/// A CronJob with its Job history: daily jobs succeed; the weekly volume snapshot
/// failed on its last two runs (so its last success is older than the schedule
/// allows).
fn backups(
    store: &mut Store,
    world: &mut World,
    mut cj: Value,
    now: Timestamp,
    broken: bool,
) -> anyhow::Result<()> {
    let name = obj::name(&cj).to_string();
    let ns = obj::namespace(&cj).to_string();
    let schedule =
        crate::util::cron::Schedule::parse(obj::str_at(&cj, &["spec", "schedule"]).unwrap_or(""))?;
    let keep_ok = obj::i64_at(&cj, &["spec", "successfulJobsHistoryLimit"]).unwrap_or(3) as usize;
    let created = now - SignedDuration::from_hours(24 * 120);
    obj::set(
        &mut cj,
        &["metadata", "creationTimestamp"],
        json!(super::clock::fmt_ts(created)),
    );
    super::defaults::apply(store, Kind::CronJob, &mut cj, None);
    let cj = store
        .create(Kind::CronJob, cj)
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    // Scheduled times, newest first.
    let mut times = Vec::new();
    let mut t = schedule.prev_at_or_before(now);
    while let Some(at) = t {
        if times.len() >= keep_ok + 2 {
            break;
        }
        times.push(at);
        t = schedule.prev_at_or_before(at - SignedDuration::from_secs(60));
    }
    let weekly_snapshot = broken && name == "volume-snapshot";
    let runs: Vec<(Timestamp, bool)> = times
        .iter()
        .enumerate()
        .map(|(i, at)| (*at, !(weekly_snapshot && i < 2)))
        .collect();
    let ok_runs: Vec<_> = runs
        .iter()
        .filter(|(_, ok)| *ok)
        .take(keep_ok)
        .cloned()
        .collect();
    let failed_runs: Vec<_> = runs
        .iter()
        .filter(|(_, ok)| !*ok)
        .take(3)
        .cloned()
        .collect();
    let mut last_success: Option<Timestamp> = None;
    for (at, ok) in ok_runs.iter().chain(failed_runs.iter()) {
        let (secs, _) = super::apps::job_run("flextime/backup-tools:1.4.2", &name);
        let secs = if *ok { secs } else { 600.0 };
        let end = *at + SignedDuration::from_secs_f64(secs + 4.0);
        if *ok && last_success.is_none_or(|l| end > l) {
            last_success = Some(end);
        }
        steady::finished_job(store, &cj, *at, end, *ok, |pod_key, container, stamp| {
            for l in logs::backup_lines(&name, *ok, stamp) {
                world.logs.push(pod_key, container, end, l);
            }
        })?;
    }
    let last_sched = times.first().copied();
    store.modify(Kind::CronJob, &ns, &name, |c| {
        if let Some(t) = last_sched {
            c["status"]["lastScheduleTime"] = json!(super::clock::fmt_ts(t));
        }
        if let Some(t) = last_success {
            c["status"]["lastSuccessfulTime"] = json!(super::clock::fmt_ts(t));
        }
    });
    Ok(())
}

/// VolumeSnapshots in `flextime-backup`: weekly snapshots of `flextime-data` (the
/// newest successful one is three weeks old, the last attempt never became ready)
/// and daily snapshots of `redis-data`.
fn snapshots(store: &mut Store, now: Timestamp, broken: bool) -> anyhow::Result<()> {
    let week = SignedDuration::from_hours(24 * 7);
    let day = SignedDuration::from_hours(24);
    let mut add = |name: String, pvc: &str, at: Timestamp, ready: bool| -> anyhow::Result<()> {
        let stamp = at.strftime("%Y%m%d").to_string();
        let mut v = json!({
            "metadata": {"name": format!("{name}-{stamp}"), "namespace": "flextime-backup",
                "creationTimestamp": super::clock::fmt_ts(at), "labels": {"app": "backup", "pvc": pvc}},
            "spec": {"source": {"persistentVolumeClaimName": pvc}, "volumeSnapshotClassName": "csi-aws-vsc"},
            "status": {"readyToUse": ready, "creationTime": super::clock::fmt_ts(at),
                "boundVolumeSnapshotContentName": format!("snapcontent-{pvc}-{stamp}")},
        });
        if ready {
            v["status"]["restoreSize"] = json!(if pvc == "flextime-data" {
                "50Gi"
            } else {
                "8Gi"
            });
        } else {
            v["status"]["error"] = json!({"time": super::clock::fmt_ts(at + SignedDuration::from_secs(600)),
                "message": "Failed to check and update snapshot content: rpc error: code = DeadlineExceeded desc = context deadline exceeded"});
        }
        store
            .create(Kind::VolumeSnapshot, v)
            .map_err(|e| anyhow::anyhow!("{e}"))?;
        Ok(())
    };
    let weekly = crate::util::cron::Schedule::parse("0 1 * * 0")?;
    let last_run = weekly.prev_at_or_before(now).unwrap_or(now);
    add("flextime-data".into(), "flextime-data", last_run, !broken)?;
    for k in if broken { 2..5 } else { 1..4 } {
        add(
            "flextime-data".into(),
            "flextime-data",
            last_run - week * k,
            true,
        )?;
    }
    for k in 0..3 {
        add(
            "redis-data".into(),
            "redis-data",
            now - day * k - SignedDuration::from_hours(3),
            true,
        )?;
    }
    Ok(())
}

/// Time-driven behaviour of a scenario: the incident's bad release, the large
/// fleet's churn.
pub struct Script {
    scenario: Scenario,
    rolled_out: bool,
    rng: ChaCha8Rng,
    last: Instant,
    churn_debt: f64,
    /// No churn while set (`PUT /kdeck-sim/churn?paused=true`).
    pub churn_paused: bool,
}

impl Script {
    pub fn new(scenario: &Scenario) -> Self {
        Script {
            scenario: scenario.clone(),
            rolled_out: false,
            rng: ChaCha8Rng::seed_from_u64(7),
            last: Instant::now(),
            churn_debt: 0.0,
            churn_paused: false,
        }
    }

    pub fn step(&mut self, store: &mut Store, _world: &mut World, now: Timestamp) {
        match &self.scenario {
            Scenario::Incident if !self.rolled_out => {
                let elapsed = now.duration_since(store.clock().start()).as_secs();
                if elapsed >= INCIDENT_ROLLOUT_AT {
                    self.rolled_out = true;
                    store.modify(
                        Kind::Deployment,
                        "flextime-production",
                        "flextime-api",
                        |d| {
                            if let Some(cs) =
                                d["spec"]["template"]["spec"]["containers"].as_array_mut()
                            {
                                for c in cs {
                                    if c["name"] == "api" {
                                        c["image"] = json!(BAD_IMAGE);
                                    }
                                }
                            }
                            obj::set_annotation(
                                d,
                                "kubernetes.io/change-cause",
                                "deploy v2.4.0: schedule constraint indexes (release 2026.11.3)",
                            );
                        },
                    );
                }
            }
            Scenario::Large { churn_per_sec, .. } => {
                let dt = self.last.elapsed().as_secs_f64();
                self.last = Instant::now();
                if self.churn_paused {
                    return;
                }
                self.churn_debt += churn_per_sec * dt;
                let n = self.churn_debt.floor() as usize;
                self.churn_debt -= n as f64;
                if n > 0 {
                    large::churn(store, &mut self.rng, n);
                }
            }
            _ => {}
        }
    }
}
