//! The monitoring stack in `flextime-monitoring`: Prometheus and Grafana health, and
//! Alertmanager's v2 API serving alerts that follow the incident (API down, error rate
//! above 5 %, slow responses) and the cluster's own trouble (crash loops, stuck
//! rollouts, failed Jobs), as the first runbook's alert rules would fire them.

use jiff::{SignedDuration, Timestamp};
use serde_json::{Value, json};

use super::world::World;
use super::{App, Ctx, HttpReq, HttpResp};
use crate::sim::clock::fmt_micro;
use crate::sim::kinds::Kind;
use crate::sim::obj;
use crate::sim::store::Store;

pub fn serve(app: App, ctx: &mut Ctx, req: &HttpReq) -> Option<HttpResp> {
    let path = req.path.trim_end_matches('/');
    let get = matches!(req.method, "GET" | "HEAD");
    let resp = match (app, path) {
        (App::Prometheus, "/-/healthy") if get => {
            HttpResp::text(200, "Prometheus Server is Healthy.\n")
        }
        (App::Prometheus, "/-/ready") if get => {
            HttpResp::text(200, "Prometheus Server is Ready.\n")
        }
        (App::Grafana, "/api/health") if get => HttpResp::json(
            200,
            &json!({"database": "ok", "version": "10.2.0", "commit": "895fbafb7a"}),
        ),
        (App::Alertmanager, "/-/healthy" | "/-/ready") if get => HttpResp::text(200, "OK"),
        (App::Alertmanager, "/api/v2/alerts") if get => {
            let alerts = firing_alerts(ctx.store, ctx.world, ctx.store.now());
            HttpResp::json(200, &Value::Array(alerts))
        }
        (App::Alertmanager, "/api/v2/status") if get => HttpResp::json(
            200,
            &json!({
                "cluster": {"status": "ready", "peers": []},
                "versionInfo": {"version": "0.27.0"},
                "uptime": "2026-11-01T00:00:00.000Z",
            }),
        ),
        (_, _) if !get => HttpResp::method_not_allowed(),
        _ => HttpResp::not_found(),
    };
    Some(resp)
}

fn fingerprint(labels: &Value) -> String {
    let mut h: u64 = 0xcbf29ce484222325;
    for b in labels.to_string().bytes() {
        h ^= b as u64;
        h = h.wrapping_mul(0x100000001b3);
    }
    format!("{h:016x}")
}

fn alert(
    labels: Value,
    summary: String,
    description: String,
    starts: Timestamp,
    now: Timestamp,
) -> Value {
    json!({
        "labels": labels,
        "annotations": {"summary": summary, "description": description},
        "startsAt": fmt_micro(starts),
        "endsAt": fmt_micro(now + SignedDuration::from_secs(240)),
        "updatedAt": fmt_micro(now),
        "generatorURL": "http://prometheus.flextime-monitoring:9090/graph",
        "fingerprint": fingerprint(&labels),
        "receivers": [{"name": if labels["severity"] == "critical" { "slack-critical" } else { "slack-warning" }}],
        "status": {"state": "active", "silencedBy": [], "inhibitedBy": [], "mutedBy": []},
    })
}

fn owner_workload(pod: &Value) -> Option<String> {
    let owner = obj::at(pod, &["metadata", "ownerReferences"]).get(0)?;
    let name = owner["name"].as_str()?;
    if owner["kind"] == "ReplicaSet" {
        name.rsplit_once('-').map(|(d, _)| d.to_string())
    } else {
        Some(name.to_string())
    }
}

/// Alerts firing now.
pub fn firing_alerts(store: &Store, world: &World, now: Timestamp) -> Vec<Value> {
    let mut out = Vec::new();
    let flex = |name: &str, severity: &str| {
        json!({
            "alertname": name,
            "severity": severity,
            "namespace": "flextime-production",
            "deployment": "flextime-api",
            "job": "flextime-api",
            "service": "flextime-api-service",
        })
    };
    let rules: [(&str, i64, &str, &str, String, String); 3] = [
        (
            "flextime/breakers-open",
            60,
            "FlexTimeAPIDown",
            "critical",
            "FlexTime API is down".into(),
            "More than half of the flextime-api pods have failed their /health check for more than 1 minute (circuit breaker open).".into(),
        ),
        (
            "flextime/error-rate-high",
            120,
            "FlexTimeHighErrorRate",
            "critical",
            "High error rate on FlexTime API".into(),
            format!("Error rate is {:.1}% (threshold 5%) for more than 2 minutes.", world.flex_error_now()),
        ),
        (
            "flextime/slow",
            180,
            "FlexTimeSlowResponses",
            "warning",
            "FlexTime API responses are slow".into(),
            "p95 response time is 2.34s (threshold 2s) for more than 3 minutes.".into(),
        ),
    ];
    for (cond, after, name, sev, summary, desc) in rules {
        if let Some(since) = world.since(cond) {
            let starts = since + SignedDuration::from_secs(after);
            if starts <= now {
                out.push(alert(flex(name, sev), summary, desc, starts, now));
            }
        }
    }
    for p in store.list(Kind::Pod, None) {
        for cs in obj::at(&p, &["status", "containerStatuses"])
            .as_array()
            .into_iter()
            .flatten()
        {
            let waiting = cs["state"]["waiting"]["reason"].as_str();
            let restarts = cs["restartCount"].as_i64().unwrap_or(0);
            if waiting == Some("CrashLoopBackOff") && restarts >= 2 {
                let started = obj::str_at(&p, &["status", "startTime"])
                    .and_then(|s| s.parse::<Timestamp>().ok())
                    .unwrap_or(now);
                let mut labels = json!({
                    "alertname": "KubePodCrashLooping",
                    "severity": "warning",
                    "namespace": obj::namespace(&p),
                    "pod": obj::name(&p),
                    "container": cs["name"],
                });
                if let Some(d) = owner_workload(&p) {
                    labels["deployment"] = json!(d);
                }
                out.push(alert(
                    labels,
                    "Pod is crash looping.".into(),
                    format!(
                        "Pod {}/{} ({}) is in waiting state (reason: \"CrashLoopBackOff\"); {} restarts.",
                        obj::namespace(&p),
                        obj::name(&p),
                        cs["name"].as_str().unwrap_or(""),
                        restarts
                    ),
                    started + SignedDuration::from_secs(60),
                    now,
                ));
            }
        }
    }
    for d in store.list(Kind::Deployment, None) {
        let stuck = obj::at(&d, &["status", "conditions"])
            .as_array()
            .and_then(|cs| {
                cs.iter()
                    .find(|c| {
                        c["type"] == "Progressing" && c["reason"] == "ProgressDeadlineExceeded"
                    })
                    .cloned()
            });
        if let Some(c) = stuck {
            let since = c["lastTransitionTime"]
                .as_str()
                .and_then(|s| s.parse().ok())
                .unwrap_or(now);
            out.push(alert(
                json!({"alertname": "KubeDeploymentRolloutStuck", "severity": "warning", "namespace": obj::namespace(&d), "deployment": obj::name(&d)}),
                "Deployment rollout is not progressing.".into(),
                format!("Rollout of deployment {}/{} is not progressing: {}", obj::namespace(&d), obj::name(&d), c["message"].as_str().unwrap_or("")),
                since,
                now,
            ));
        }
    }
    for j in store.list(Kind::Job, None) {
        let failed = obj::at(&j, &["status", "conditions"])
            .as_array()
            .and_then(|cs| {
                cs.iter()
                    .find(|c| c["type"] == "Failed" && c["status"] == "True")
                    .cloned()
            });
        if let Some(c) = failed {
            let since = c["lastTransitionTime"]
                .as_str()
                .and_then(|s| s.parse().ok())
                .unwrap_or(now);
            let cronjob = obj::at(&j, &["metadata", "ownerReferences"])
                .get(0)
                .and_then(|o| o["name"].as_str())
                .unwrap_or("");
            out.push(alert(
                json!({"alertname": "KubeJobFailed", "severity": "warning", "namespace": obj::namespace(&j), "job_name": obj::name(&j), "cronjob": cronjob}),
                "Job failed to complete.".into(),
                format!("Job {}/{} failed to complete: {}", obj::namespace(&j), obj::name(&j), c["message"].as_str().unwrap_or("")),
                since,
                now,
            ));
        }
    }
    out
}
