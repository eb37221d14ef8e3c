//! Pod resource use from `metrics.k8s.io` (it cannot be watched): read every 15 s,
//! decoding only the usage figures (a list of 50,000 pods).

use std::time::Duration;

use tokio::sync::mpsc::Sender;
use tokio_util::sync::CancellationToken;

use super::kinds::{Interner, object_name, parse_quantity};
use super::link::Link;
use super::msg::{ContainerUsage, CtxId, Msg, PodUsage};

pub const METRICS_EVERY: Duration = Duration::from_secs(15);

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
                pod: object_name(&m.metadata.name),
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

pub async fn run<E: From<Msg> + Send + 'static>(
    link: Link,
    ctx: CtxId,
    namespaces: Vec<String>,
    tx: Sender<E>,
    cancel: CancellationToken,
) {
    let Some(client) = link.client() else { return };
    let mut tick = tokio::time::interval(METRICS_EVERY);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            _ = cancel.cancelled() => return,
            _ = tick.tick() => {}
        }
        // While the server does not answer, nothing is asked (the last reading stays).
        if !link.is_up() {
            continue;
        }
        let pods =
            match tokio::time::timeout(Duration::from_secs(20), fetch_usage(&client, &namespaces))
                .await
            {
                Ok(r) => r,
                Err(_) => Err("metrics request timed out".into()),
            };
        if tx.send(Msg::Metrics { ctx, pods }.into()).await.is_err() {
            return;
        }
    }
}
