//! Background pollers that are not watches: a liveness ping per context (`/version`
//! with a short timeout, so a hung API server shows as stale instead of a silent
//! "live"), and `metrics.k8s.io` pod usage (it cannot be watched), both at a fixed
//! interval.

use std::time::Duration;

use tokio::sync::mpsc::Sender;
use tokio_util::sync::CancellationToken;

use super::model::{Interner, parse_quantity};
use crate::app::msg::{ContainerUsage, CtxId, Msg, PodUsage};

pub const PING_EVERY: Duration = Duration::from_secs(5);
pub const PING_TIMEOUT: Duration = Duration::from_secs(4);
pub const METRICS_EVERY: Duration = Duration::from_secs(15);

pub async fn ping(client: kube::Client, ctx: CtxId, tx: Sender<Msg>, cancel: CancellationToken) {
    let mut tick = tokio::time::interval(PING_EVERY);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            _ = cancel.cancelled() => return,
            _ = tick.tick() => {}
        }
        let (ok, server_time) = match tokio::time::timeout(PING_TIMEOUT, version(&client)).await {
            Ok(Ok(t)) => (Ok(()), t),
            Ok(Err(e)) => (Err(crate::util::sanitize::line(&e, 200)), None),
            Err(_) => (
                Err(format!("no answer within {}s", PING_TIMEOUT.as_secs())),
                None,
            ),
        };
        let skew = server_time.map(|t| t - jiff::Timestamp::now().as_second());
        if tx.send(Msg::Reachable { ctx, ok, skew }).await.is_err() {
            return;
        }
    }
}

/// Parses an HTTP `Date` header (`Sun, 22 Nov 2026 08:01:03 GMT`) to Unix seconds.
pub fn http_date(v: &str) -> Option<i64> {
    jiff::fmt::rfc2822::parse(v)
        .ok()
        .map(|z| z.timestamp().as_second())
}

/// `GET path` on the API server, the answer unread (errors in a few words).
pub async fn get(
    client: &kube::Client,
    path: &str,
) -> Result<http::Response<kube::client::Body>, String> {
    let req = http::Request::get(path)
        .body(kube::client::Body::empty())
        .map_err(|e| e.to_string())?;
    client
        .send(req)
        .await
        .map_err(|e| super::watch::short_error(&e))
}

/// `GET /version`: whether the server answers, and its clock (from `Date`).
async fn version(client: &kube::Client) -> Result<Option<i64>, String> {
    let resp = get(client, "/version").await?;
    if !resp.status().is_success() {
        return Err(format!("/version answered {}", resp.status()));
    }
    Ok(resp
        .headers()
        .get(http::header::DATE)
        .and_then(|d| d.to_str().ok())
        .and_then(http_date))
}

#[derive(serde::Deserialize)]
struct MetricsList {
    #[serde(default)]
    items: Vec<SlimPodMetrics>,
}

#[derive(serde::Deserialize)]
struct SlimMeta {
    #[serde(default)]
    name: String,
    #[serde(default)]
    namespace: String,
}

#[derive(serde::Deserialize, Default)]
struct Usage {
    cpu: Option<String>,
    memory: Option<String>,
}

#[derive(serde::Deserialize)]
struct SlimContainer {
    #[serde(default)]
    name: String,
    #[serde(default)]
    usage: Usage,
}

/// Only what resource use needs (a PodMetrics list of 50,000 pods is read every 15 s).
#[derive(serde::Deserialize)]
struct SlimPodMetrics {
    metadata: SlimMeta,
    #[serde(default)]
    containers: Vec<SlimContainer>,
}

/// One reading of pod usage from metrics.k8s.io (all namespaces when `namespaces` is empty).
pub async fn fetch_usage(
    client: &kube::Client,
    namespaces: &[String],
) -> Result<Vec<PodUsage>, String> {
    let paths: Vec<String> = if namespaces.is_empty() {
        vec!["/apis/metrics.k8s.io/v1beta1/pods".into()]
    } else {
        namespaces
            .iter()
            .map(|n| format!("/apis/metrics.k8s.io/v1beta1/namespaces/{n}/pods"))
            .collect()
    };
    let mut names = Interner::default();
    let mut out = Vec::new();
    for path in paths {
        let req = http::Request::get(path)
            .body(Vec::new())
            .map_err(|e| e.to_string())?;
        let list: MetricsList = client.request(req).await.map_err(|e| match &e {
            kube::Error::Api(s) if s.code == 404 => {
                "metrics.k8s.io is not served by this cluster".to_string()
            }
            _ => super::watch::short_error(&e),
        })?;
        out.extend(list.items.into_iter().map(|m| {
            PodUsage {
                namespace: names.clean(&m.metadata.namespace, 253),
                pod: crate::cluster::model::object_name(&m.metadata.name),
                containers: m
                    .containers
                    .into_iter()
                    .map(|c| {
                        let cpu = c
                            .usage
                            .cpu
                            .as_deref()
                            .and_then(parse_quantity)
                            .unwrap_or(0.0)
                            * 1000.0;
                        let mem = c
                            .usage
                            .memory
                            .as_deref()
                            .and_then(parse_quantity)
                            .unwrap_or(0.0);
                        ContainerUsage {
                            name: names.clean(&c.name, 63),
                            cpu_m: cpu as f32,
                            mem: mem as f32,
                        }
                    })
                    .collect(),
            }
        }));
    }
    Ok(out)
}

pub async fn metrics(
    client: kube::Client,
    ctx: CtxId,
    namespaces: Vec<String>,
    tx: Sender<Msg>,
    cancel: CancellationToken,
) {
    let mut tick = tokio::time::interval(METRICS_EVERY);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            _ = cancel.cancelled() => return,
            _ = tick.tick() => {}
        }
        let pods =
            match tokio::time::timeout(Duration::from_secs(20), fetch_usage(&client, &namespaces))
                .await
            {
                Ok(r) => r,
                Err(_) => Err("metrics request timed out".into()),
            };
        if tx.send(Msg::Metrics { ctx, pods }).await.is_err() {
            return;
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn http_dates() {
        assert_eq!(
            super::http_date("Sun, 22 Nov 2026 08:01:03 GMT"),
            Some(1795334463)
        );
        assert_eq!(super::http_date("yesterday"), None);
    }
}
