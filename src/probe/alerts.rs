//! Firing alerts from Alertmanager's v2 API (`/api/v2/alerts`): from a configured URL,
//! or by default a Service named `alertmanager` reached through each context's
//! service proxy. Parsed into bounded, sanitised records linked to the workload their
//! labels name; fetched at an interval by a task, with the same deadline and body cap
//! discipline as health probes.

use std::sync::Arc;
use std::time::Duration;

use serde_json::Value;
use tokio::sync::{mpsc, watch};
use tokio_util::sync::CancellationToken;

use super::Msg;
use super::evaluate::Expectation;
use super::http::{Clients, fetch};
use super::targets::{EndpointKey, ProbeTarget, Request, Via};
use crate::cluster::kinds::Ts;
use crate::cluster::msg::CtxId;
use crate::util::sanitize;

/// Most alerts kept from one answer.
pub const MAX_ALERTS: usize = 1000;
const ALERTS_CAP: usize = 4 * 1024 * 1024;

/// Where alerts are read from.
#[derive(Clone, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub struct AlertSource {
    /// The context the alerts belong to (`None`: a URL, linked to every context).
    pub ctx: Option<CtxId>,
    pub via: Via,
    /// For the person: `svc/flextime-monitoring/alertmanager` or the URL.
    pub label: String,
}

/// One firing alert.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Alert {
    pub name: String,
    pub severity: String,
    pub namespace: Option<String>,
    /// `deploy/name`, `sts/name`, `cj/name` (a CronJob) or `pod/name`, from the labels.
    pub workload: Option<String>,
    pub summary: String,
    pub starts: Option<Ts>,
    pub fingerprint: String,
    pub labels: Vec<(String, String)>,
}

impl Alert {
    pub fn is_critical(&self) -> bool {
        matches!(self.severity.as_str(), "critical" | "page" | "error")
    }
}

fn s(v: &Value, max: usize) -> Option<String> {
    v.as_str()
        .map(|x| sanitize::line(x, max))
        .filter(|x| !x.is_empty())
}

/// Parses `/api/v2/alerts`: active (not silenced or inhibited) alerts only.
pub fn parse(body: &[u8]) -> Result<Vec<Alert>, String> {
    let v: Value = serde_json::from_slice(body).map_err(|e| format!("not JSON: {e}"))?;
    let items = v
        .as_array()
        .ok_or("expected a JSON list of alerts (is this Alertmanager's /api/v2/alerts?)")?;
    let mut out = Vec::new();
    for a in items.iter() {
        let state = a["status"]["state"].as_str().unwrap_or("active");
        if state != "active" {
            continue;
        }
        let l = &a["labels"];
        let label = |k: &str| s(&l[k], 253);
        let workload = if let Some(d) = label("deployment") {
            Some(format!("deploy/{d}"))
        } else if let Some(st) = label("statefulset") {
            Some(format!("sts/{st}"))
        } else if let Some(c) = label("cronjob") {
            Some(format!("cj/{c}"))
        } else {
            label("pod").map(|p| format!("pod/{p}"))
        };
        let mut labels: Vec<(String, String)> = l
            .as_object()
            .map(|m| {
                m.iter()
                    .take(40)
                    .filter_map(|(k, v)| Some((sanitize::line(k, 60), s(v, 120)?)))
                    .collect()
            })
            .unwrap_or_default();
        labels.sort();
        out.push(Alert {
            name: label("alertname").unwrap_or_else(|| "unnamed".into()),
            severity: label("severity").unwrap_or_else(|| "none".into()),
            namespace: label("namespace"),
            workload,
            summary: s(&a["annotations"]["summary"], 200)
                .or_else(|| s(&a["annotations"]["description"], 200))
                .unwrap_or_default(),
            starts: a["startsAt"]
                .as_str()
                .and_then(|t| t.parse::<jiff::Timestamp>().ok())
                .map(|t| t.as_second()),
            fingerprint: s(&a["fingerprint"], 64).unwrap_or_default(),
            labels,
        });
        if out.len() >= MAX_ALERTS {
            break;
        }
    }
    Ok(out)
}

fn request(src: &AlertSource) -> ProbeTarget {
    let (via, path) = match &src.via {
        Via::Direct { url } => (
            Via::Direct {
                url: format!("{}/api/v2/alerts", url.trim_end_matches('/')),
            },
            String::new(),
        ),
        other => (other.clone(), "/api/v2/alerts".to_string()),
    };
    ProbeTarget {
        key: EndpointKey {
            ctx: src.ctx,
            namespace: Arc::from(""),
            workload: Arc::from(""),
            name: Arc::from(src.label.as_str()),
        },
        pod: None,
        via,
        req: Arc::new(Request::get(
            &path,
            Expectation::default(),
            Duration::from_secs(30),
            Duration::from_secs(10),
        )),
    }
}

/// One read of one source.
pub async fn read(clients: &Clients, src: &AlertSource) -> Result<Vec<Alert>, String> {
    let (answer, _) = fetch(clients, &request(src), ALERTS_CAP).await;
    let raw = answer.map_err(|(c, m)| format!("{c}: {m}"))?;
    if raw.truncated {
        return Err(format!("answer over {} MiB", ALERTS_CAP >> 20));
    }
    if !(200..300).contains(&raw.status) {
        return Err(format!(
            "Alertmanager answered {}: {}",
            raw.status,
            sanitize::line(&String::from_utf8_lossy(&raw.body), 120)
        ));
    }
    parse(&raw.body)
}

/// Reads every source each `interval` until `cancel`.
pub async fn run<E: From<Msg> + Send + 'static>(
    clients: Clients,
    interval: Duration,
    mut sources: watch::Receiver<Arc<Vec<AlertSource>>>,
    tx: mpsc::Sender<E>,
    cancel: CancellationToken,
) {
    let mut tick = tokio::time::interval(interval);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            _ = cancel.cancelled() => return,
            c = sources.changed() => if c.is_err() { return },
            _ = tick.tick() => {}
        }
        let list = sources.borrow_and_update().clone();
        let reads = list.iter().map(|src| {
            let clients = clients.clone();
            async move { (src.clone(), read(&clients, src).await) }
        });
        for (source, result) in futures::future::join_all(reads).await {
            let msg = Msg::Alerts {
                source,
                result,
                at: jiff::Timestamp::now().as_second(),
            };
            if tx.send(msg.into()).await.is_err() {
                return;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn alertmanager_v2_alerts_are_parsed_linked_and_bounded() {
        let body = br#"[
          {"labels":{"alertname":"FlexTimeAPIDown","severity":"critical","namespace":"flextime-production","deployment":"flextime-api"},
           "annotations":{"summary":"FlexTime API is down"},"startsAt":"2026-11-22T03:01:00Z","fingerprint":"abc","status":{"state":"active"}},
          {"labels":{"alertname":"KubePodCrashLooping","severity":"warning","namespace":"x","pod":"p-1\u001b[2J"},
           "annotations":{"description":"Pod is crash looping."},"status":{"state":"active"}},
          {"labels":{"alertname":"Silenced"},"status":{"state":"suppressed"}}
        ]"#;
        let a = parse(body).unwrap();
        assert_eq!(a.len(), 2);
        assert_eq!(a[0].workload.as_deref(), Some("deploy/flextime-api"));
        assert!(a[0].is_critical());
        assert_eq!(a[0].starts, Some(1795316460));
        assert_eq!(a[1].summary, "Pod is crash looping.");
        assert!(!a[1].workload.as_deref().unwrap().contains('\u{1b}'));
        assert!(parse(b"{}").is_err());
        assert!(parse(b"garbage").is_err());
    }
}
