//! Background pollers that are not watches: a liveness ping per context (`/version`
//! with a short timeout, so a hung API server shows as stale instead of a silent
//! "live"), and `metrics.k8s.io` pod usage (it cannot be watched), both at a fixed
//! interval.

use std::sync::Arc;
use std::time::Duration;

use kube::api::{Api, DynamicObject, ListParams};
use kube::discovery::ApiResource;
use tokio::sync::mpsc::Sender;
use tokio_util::sync::CancellationToken;

use super::model::{Interner, parse_quantity};
use crate::app::msg::{CtxId, Msg, PodUsage};

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

/// `GET /version`: whether the server answers, and its clock (from `Date`).
async fn version(client: &kube::Client) -> Result<Option<i64>, String> {
    let req = http::Request::get("/version")
        .body(kube::client::Body::empty())
        .map_err(|e| e.to_string())?;
    let resp = client
        .send(req)
        .await
        .map_err(|e| super::watch::short_error(&e))?;
    if !resp.status().is_success() {
        return Err(format!("/version answered {}", resp.status()));
    }
    Ok(resp
        .headers()
        .get(http::header::DATE)
        .and_then(|d| d.to_str().ok())
        .and_then(http_date))
}

fn pod_metrics_resource() -> ApiResource {
    ApiResource {
        group: "metrics.k8s.io".into(),
        version: "v1beta1".into(),
        api_version: "metrics.k8s.io/v1beta1".into(),
        kind: "PodMetrics".into(),
        plural: "pods".into(),
    }
}

pub async fn fetch_usage(
    client: &kube::Client,
    namespaces: &[String],
) -> Result<Vec<PodUsage>, String> {
    let ar = pod_metrics_resource();
    let scopes: Vec<Option<&String>> = if namespaces.is_empty() {
        vec![None]
    } else {
        namespaces.iter().map(Some).collect()
    };
    let mut names = Interner::default();
    let mut out = Vec::new();
    for ns in scopes {
        let api: Api<DynamicObject> = match ns {
            Some(n) => Api::namespaced_with(client.clone(), n, &ar),
            None => Api::all_with(client.clone(), &ar),
        };
        let list = api
            .list(&ListParams::default())
            .await
            .map_err(|e| match &e {
                kube::Error::Api(s) if s.code == 404 => {
                    "metrics.k8s.io is not served by this cluster".to_string()
                }
                _ => super::watch::short_error(&e),
            })?;
        for item in list.items {
            let ns = item.metadata.namespace.clone().unwrap_or_default();
            let pod = item.metadata.name.clone().unwrap_or_default();
            let containers = item.data["containers"]
                .as_array()
                .map(|cs| {
                    cs.iter()
                        .map(|c| {
                            let cpu = c["usage"]["cpu"]
                                .as_str()
                                .and_then(parse_quantity)
                                .unwrap_or(0.0)
                                * 1000.0;
                            let mem = c["usage"]["memory"]
                                .as_str()
                                .and_then(parse_quantity)
                                .unwrap_or(0.0);
                            (Box::from(c["name"].as_str().unwrap_or("")), cpu, mem)
                        })
                        .collect()
                })
                .unwrap_or_default();
            out.push(PodUsage {
                namespace: names.get(&ns),
                pod: Arc::from(pod.as_str()),
                containers,
            });
        }
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
