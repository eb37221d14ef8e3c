//! Application logs of simulated containers: a bounded book of lines per container
//! instance, written as simulated time passes, read by the pod `log` endpoint.

use std::collections::{HashMap, VecDeque};

use jiff::Timestamp;
use serde_json::Value;

use super::world::{World, is_ready};
use super::{App, app_for_image};
use crate::sim::obj;

const LINES_PER_CONTAINER: usize = 2000;

#[derive(Clone, Debug)]
pub struct LogLine {
    pub seq: u64,
    pub ts: Timestamp,
    /// The container's restart count when the line was written.
    pub instance: i64,
    pub text: String,
}

#[derive(Debug, Default)]
pub struct LogBook {
    lines: HashMap<String, VecDeque<LogLine>>,
    instances: HashMap<String, i64>,
    next_at: HashMap<String, Timestamp>,
    seq: u64,
}

fn key(pod_key: &str, container: &str) -> String {
    format!("{pod_key}/{container}")
}

impl LogBook {
    /// Appends a line for the container's current instance.
    pub fn push(&mut self, pod_key: &str, container: &str, ts: Timestamp, text: String) {
        let k = key(pod_key, container);
        let instance = self.instances.get(&k).copied().unwrap_or(0);
        self.seq += 1;
        let q = self.lines.entry(k).or_default();
        q.push_back(LogLine {
            seq: self.seq,
            ts,
            instance,
            text,
        });
        while q.len() > LINES_PER_CONTAINER {
            q.pop_front();
        }
    }

    /// Marks that the container restarted (lines after this belong to a new instance).
    pub fn set_instance(&mut self, pod_key: &str, container: &str, instance: i64) {
        self.instances.insert(key(pod_key, container), instance);
    }

    /// Lines of one instance (`previous` = the one before the current) after `after_seq`.
    pub fn read(
        &self,
        pod_key: &str,
        container: &str,
        previous: bool,
        after_seq: u64,
    ) -> Vec<LogLine> {
        let k = key(pod_key, container);
        let current = self.instances.get(&k).copied().unwrap_or(0);
        let want = if previous { current - 1 } else { current };
        self.lines
            .get(&k)
            .map(|q| {
                q.iter()
                    .filter(|l| l.instance == want && l.seq > after_seq)
                    .cloned()
                    .collect()
            })
            .unwrap_or_default()
    }

    pub fn has_previous(&self, pod_key: &str, container: &str) -> bool {
        self.instances
            .get(&key(pod_key, container))
            .copied()
            .unwrap_or(0)
            > 0
    }

    pub fn forget_pod(&mut self, pod_key: &str) {
        let prefix = format!("{pod_key}/");
        self.lines.retain(|k, _| !k.starts_with(&prefix));
        self.instances.retain(|k, _| !k.starts_with(&prefix));
        self.next_at.retain(|k, _| !k.starts_with(&prefix));
    }
}

fn hash(s: &str, n: u64) -> u64 {
    let mut h: u64 = 0xcbf29ce484222325 ^ n.wrapping_mul(0x9E3779B97F4A7C15);
    for b in s.bytes() {
        h ^= b as u64;
        h = h.wrapping_mul(0x100000001b3);
    }
    h
}

const PATHS: &[&str] = &[
    "/api/schedules",
    "/api/schedules/2026-w47",
    "/api/constraints/evaluate",
    "/api/teams",
    "/api/venues",
];

/// One periodic line for a running container of `app`.
fn periodic_line(world: &World, app: App, pod_key: &str, n: u64, pod: &Value) -> Option<String> {
    let h = hash(pod_key, n);
    let path = PATHS[(h % PATHS.len() as u64) as usize];
    let rid = format!("{:08x}", h as u32);
    Some(match app {
        App::FlexApi => {
            let breaker = world.breaker(pod_key);
            if breaker.open {
                format!(r#"{{"level":"error","msg":"circuit breaker open: rejecting request","path":"{path}","status":503,"request_id":"{rid}"}}"#)
            } else if world.db_degraded() {
                if h.is_multiple_of(3) {
                    format!(r#"{{"level":"error","msg":"database query failed: timeout acquiring connection from pool (98/100 in use)","path":"{path}","status":500,"request_id":"{rid}"}}"#)
                } else {
                    format!(r#"{{"level":"warn","msg":"slow database query","path":"{path}","duration_ms":{},"request_id":"{rid}"}}"#, 2100 + h % 900)
                }
            } else {
                format!(r#"{{"level":"info","msg":"GET {path} 200","duration_ms":{},"request_id":"{rid}"}}"#, 20 + h % 60)
            }
        }
        App::HealthSidecar => format!("health probe: api /health -> {}", if world.breaker(pod_key).open { "503" } else { "200" }),
        App::Constraints => format!("[constraints] evaluated {} constraints in {}ms", 40 + h % 200, 5 + h % 40),
        App::FleetQ => {
            let leader = is_ready(pod) && h.is_multiple_of(2);
            format!(r#"{{"level":"INFO","logger":"fleet_q.scheduler","msg":"{}","pending_steps":{}}}"#, if leader { "dispatched step batch" } else { "heartbeat ok" }, 8 + h % 10)
        }
        App::FlagwiseApi => format!(r#"INFO:     10.244.0.{}:0 - "GET /api/flags HTTP/1.1" 200 OK"#, h % 250),
        App::FlagwiseWeb => format!(r#"10.244.1.{} - - "GET / HTTP/1.1" 200 1432"#, h % 250),
        App::FlagwiseConsumer => format!("consumed {} flag evaluation events from kafka topic flag-events", h % 50),
        App::Dashboard | App::TeamService => format!(r#"{{"level":"info","msg":"request completed","path":"/api/health","status":200,"ms":{}}}"#, 3 + h % 20),
        App::Prometheus => "level=info component=tsdb msg=\"Head GC completed\"".into(),
        App::Grafana => "logger=context t=now level=info msg=\"Request Completed\" method=GET path=/api/health status=200".into(),
        App::Alertmanager => "level=info component=dispatcher msg=\"Notify success\" receiver=slack-critical".into(),
        App::Redis => "1:M * Background saving terminated with success".into(),
        App::Postgres => "LOG:  checkpoint complete: wrote 42 buffers (0.3%)".into(),
        App::BackupTool | App::Generic => return None,
    })
}

/// Writes periodic lines for every running container whose next line is due.
pub fn generate(world: &mut World, pods: &[std::sync::Arc<Value>], now: Timestamp) {
    for p in pods {
        if obj::str_at(p, &["status", "phase"]) != Some("Running") {
            continue;
        }
        let pod_key = format!("{}/{}", obj::namespace(p), obj::name(p));
        let statuses = obj::at(p, &["status", "containerStatuses"]);
        for c in obj::at(p, &["spec", "containers"])
            .as_array()
            .into_iter()
            .flatten()
        {
            let cname = c["name"].as_str().unwrap_or("");
            let running = statuses
                .as_array()
                .and_then(|a| a.iter().find(|s| s["name"] == cname))
                .is_some_and(|s| s["state"].get("running").is_some());
            if !running {
                continue;
            }
            let app = app_for_image(c["image"].as_str().unwrap_or(""));
            let k = key(&pod_key, cname);
            let due = world.logs.next_at.get(&k).copied();
            if due.is_some_and(|d| d > now) {
                continue;
            }
            let n = world.logs.seq;
            if let Some(line) = periodic_line(world, app, &pod_key, n, p) {
                world.logs.push(&pod_key, cname, now, line);
            }
            let gap = 2 + (hash(&k, n) % 5) as i64;
            world
                .logs
                .next_at
                .insert(k, now + jiff::SignedDuration::from_secs(gap));
        }
    }
}

/// Lines a crash-looping FlexTime API container prints before it exits.
pub fn crash_lines(image: &str) -> Vec<String> {
    let version = image.rsplit(':').next().unwrap_or("");
    vec![
        format!(r#"{{"level":"info","msg":"Starting flextime-api {version}","workers_per_task":15}}"#),
        r#"{"level":"info","msg":"Running database migrations (3 pending)"}"#.into(),
        r#"{"level":"error","msg":"migration 0042_add_schedule_constraints failed: canceling statement due to lock timeout on relation \"schedules\""}"#.into(),
        r#"{"level":"fatal","msg":"Error: migrations failed, refusing to start","exit_code":1}"#.into(),
    ]
}

/// Lines a backup Job prints, by CronJob and outcome.
pub fn backup_lines(pod_name: &str, ok: bool, stamp: &str) -> Vec<String> {
    if pod_name.starts_with("volume-snapshot") {
        let mut l = vec![
            format!(
                "[{stamp}] Creating VolumeSnapshot flextime-data-{stamp} of PVC flextime-data (class csi-aws-vsc)"
            ),
            "Waiting for snapshot to become ready...".to_string(),
        ];
        if ok {
            l.push(format!(
                "VolumeSnapshot flextime-data-{stamp} ready (restoreSize 50Gi)"
            ));
            l.push("Pruning snapshots older than 4 weeks: 1 deleted".into());
        } else {
            l.push(format!("ERROR: snapshot flextime-data-{stamp} not ready after 600s: rpc error: code = DeadlineExceeded desc = context deadline exceeded"));
            l.push("snapshot failed; exiting with status 1".into());
        }
        l
    } else if pod_name.starts_with("application-backup") {
        vec![
            format!("[{stamp}] Exporting Kubernetes resources of namespace flextime-production"),
            "exported 42 objects (deployments, services, configmaps, hpa)".into(),
            format!(
                "uploaded s3://flextime-production-backups/kubernetes/flextime_k8s_backup_{stamp}.tar.gz"
            ),
            "Backup completed".into(),
        ]
    } else {
        vec![
            format!("[{stamp}] Starting PostgreSQL backup of database flextime"),
            "pg_dump: dumping contents of 118 tables".into(),
            format!(
                "uploaded s3://flextime-production-backups/database/flextime_{stamp}.sql.gz (2.3 GiB)"
            ),
            "Removing backups older than 30 days: 1 deleted".into(),
            "Backup completed".into(),
        ]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn instances_separate_previous_and_current() {
        let mut b = LogBook::default();
        let t = Timestamp::UNIX_EPOCH;
        b.push("ns/p", "api", t, "first run".into());
        b.set_instance("ns/p", "api", 1);
        b.push("ns/p", "api", t, "second run".into());
        assert_eq!(b.read("ns/p", "api", false, 0)[0].text, "second run");
        assert_eq!(b.read("ns/p", "api", true, 0)[0].text, "first run");
        assert!(b.has_previous("ns/p", "api"));
        let last = b.read("ns/p", "api", false, 0)[0].seq;
        assert!(b.read("ns/p", "api", false, last).is_empty());
        b.forget_pod("ns/p");
        assert!(b.read("ns/p", "api", false, 0).is_empty());
    }
}
