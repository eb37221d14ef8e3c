//! Pod resource use from `metrics.k8s.io` (it cannot be watched): read every 15 s,
//! decoding only the usage figures (a list of 50,000 pods).

use std::time::Duration;

use tokio::sync::mpsc::Sender;
use tokio_util::sync::CancellationToken;

use super::kinds::{Interner, object_name, parse_quantity};
use super::link::Link;
use super::msg::{ContainerUsage, CtxId, Msg, PodUsage};

pub const METRICS_EVERY: Duration = Duration::from_secs(15);

/// The figures of one container, borrowed from the response's text.
#[derive(serde::Deserialize, Default)]
struct Usage<'a> {
    #[serde(borrow)]
    cpu: Option<std::borrow::Cow<'a, str>>,
    #[serde(borrow)]
    memory: Option<std::borrow::Cow<'a, str>>,
}

#[derive(serde::Deserialize)]
struct SlimMeta<'a> {
    #[serde(default, borrow)]
    name: std::borrow::Cow<'a, str>,
    #[serde(default, borrow)]
    namespace: std::borrow::Cow<'a, str>,
}

#[derive(serde::Deserialize)]
struct SlimContainer<'a> {
    #[serde(default, borrow)]
    name: std::borrow::Cow<'a, str>,
    #[serde(default, borrow)]
    usage: Usage<'a>,
}

/// Only what resource use needs (a PodMetrics list of 50,000 pods is read every 15 s).
#[derive(serde::Deserialize)]
struct SlimPodMetrics<'a> {
    #[serde(borrow)]
    metadata: SlimMeta<'a>,
    #[serde(default, borrow)]
    containers: Vec<SlimContainer<'a>>,
}

impl SlimPodMetrics<'_> {
    fn usage(&self, names: &mut Interner) -> PodUsage {
        PodUsage {
            namespace: names.clean(&self.metadata.namespace, 253),
            pod: object_name(&self.metadata.name),
            containers: self
                .containers
                .iter()
                .map(|c| {
                    let q = |v: &Option<std::borrow::Cow<'_, str>>| {
                        v.as_deref().and_then(parse_quantity).unwrap_or(0.0)
                    };
                    ContainerUsage {
                        name: names.clean(&c.name, 63),
                        cpu_m: (q(&c.usage.cpu) * 1000.0) as f32,
                        mem: q(&c.usage.memory) as f32,
                    }
                })
                .collect(),
        }
    }
}

/// Decodes a PodMetricsList's items one by one into usage (no list of decoded items,
/// no copied strings: each item borrows from the text and is turned into figures
/// before the next is read).
struct Items<'n> {
    names: &'n mut Interner,
    out: &'n mut Vec<PodUsage>,
}

impl<'de> serde::de::DeserializeSeed<'de> for Items<'_> {
    type Value = ();
    fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_seq(self)
    }
}

impl<'de> serde::de::Visitor<'de> for Items<'_> {
    type Value = ();
    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("a list of PodMetrics")
    }
    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        while let Some(m) = seq.next_element::<SlimPodMetrics<'de>>()? {
            self.out.push(m.usage(self.names));
        }
        Ok(())
    }
}

/// A PodMetricsList: its `items`, everything else skipped.
struct List<'n>(Items<'n>);

impl<'de> serde::de::DeserializeSeed<'de> for List<'_> {
    type Value = ();
    fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de> serde::de::Visitor<'de> for List<'_> {
    type Value = ();
    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("a PodMetricsList")
    }
    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let mut items = Some(self.0);
        while let Some(k) = map.next_key::<std::borrow::Cow<'de, str>>()? {
            match (k.as_ref(), items.take()) {
                ("items", Some(seed)) => map.next_value_seed(seed)?,
                (_, seed) => {
                    items = seed;
                    map.next_value::<serde::de::IgnoredAny>()?;
                }
            }
        }
        Ok(())
    }
}

/// Usage from one PodMetricsList's text.
fn decode(text: &str, names: &mut Interner, out: &mut Vec<PodUsage>) -> Result<(), String> {
    use serde::de::DeserializeSeed;
    let mut de = serde_json::Deserializer::from_str(text);
    List(Items { names, out })
        .deserialize(&mut de)
        .map_err(|e| format!("reading pod metrics: {e}"))
}

/// Most bytes of one metrics answer (50,000 pods are about 18 MB).
const MAX_BODY: usize = 256 << 20;

/// The answer's body in one buffer, sized from its length when it says it: kube's
/// `request_text` holds the chunks, a joined copy and a String of it at once (three
/// times 18 MB every 15 s at 50,000 pods).
async fn read_body(client: &kube::Client, req: http::Request<Vec<u8>>) -> Result<Vec<u8>, String> {
    use http_body_util::BodyExt;
    let res = client
        .send(req.map(kube::client::Body::from))
        .await
        .map_err(|e| super::watch::short_error(&e))?;
    let status = res.status();
    if status == http::StatusCode::NOT_FOUND {
        return Err("metrics.k8s.io is not served by this cluster".into());
    }
    if !status.is_success() {
        return Err(format!("metrics.k8s.io answered {status}"));
    }
    let size = res
        .headers()
        .get(http::header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<usize>().ok())
        .unwrap_or(0)
        .min(MAX_BODY);
    let mut out = Vec::with_capacity(size);
    let mut body = res.into_body();
    while let Some(frame) = body.frame().await {
        let frame = frame.map_err(|e| super::watch::short_error(&e))?;
        if let Some(data) = frame.data_ref() {
            if out.len() + data.len() > MAX_BODY {
                return Err(format!("pod metrics larger than {} MiB", MAX_BODY >> 20));
            }
            out.extend_from_slice(data);
        }
    }
    Ok(out)
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
        let body = read_body(client, req).await?;
        let text = std::str::from_utf8(&body).map_err(|e| format!("reading pod metrics: {e}"))?;
        decode(text, &mut names, &mut out)?;
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_metrics_list_is_read_into_usage_item_by_item() {
        let text = r#"{"kind":"PodMetricsList","apiVersion":"metrics.k8s.io/v1beta1","metadata":{},"items":[
            {"metadata":{"name":"api-1","namespace":"shop","labels":{"a":"b"}},"timestamp":"x","window":"30s",
             "containers":[{"name":"api","usage":{"cpu":"250m","memory":"64Mi"}},{"name":"side\u0063ar","usage":{"cpu":"1"}}]},
            {"metadata":{"name":"db-0","namespace":"shop"},"containers":[]}
        ],"extra":{"items":"not these"}}"#;
        let mut names = Interner::default();
        let mut out = Vec::new();
        decode(text, &mut names, &mut out).expect("decodes");
        assert_eq!(out.len(), 2);
        assert_eq!((&*out[0].namespace, &*out[0].pod), ("shop", "api-1"));
        let c = &out[0].containers;
        assert_eq!(
            (&*c[0].name, c[0].cpu_m, c[0].mem),
            ("api", 250.0, 64.0 * 1024.0 * 1024.0)
        );
        // An escaped name is decoded (owned), and a missing figure is 0.
        assert_eq!(
            (&*c[1].name, c[1].cpu_m, c[1].mem),
            ("sidecar", 1000.0, 0.0)
        );
        assert!(out[1].containers.is_empty());
        assert!(decode("{\"items\": 3}", &mut names, &mut Vec::new()).is_err());
    }
}
