//! Telling the cluster what was done: each finished action becomes a Kubernetes Event
//! on its target (reason `KdeckAction`), so the whole team sees it in `kubectl get
//! events`, and the event carries the local audit log's chain head
//! (`kdeck.io/audit-head: SEQ:HASH`, `kdeck.io/audit-log: ID`). The head lives where
//! the person who writes the local log cannot silently rewrite it along with the
//! file: `kdeck audit verify --cluster` reads the heads back and checks that each
//! one is still in the local chain (deleting the newest records, or rewriting the
//! whole chain, no longer goes unnoticed).

use std::collections::BTreeMap;

use k8s_openapi::api::core::v1::{Event, ObjectReference};
use kube::api::{Api, ListParams, PostParams};

/// The event reason kdeck's action events carry.
pub const REASON: &str = "KdeckAction";
pub const HEAD: &str = "kdeck.io/audit-head";
pub const LOG: &str = "kdeck.io/audit-log";
pub const ACTION: &str = "kdeck.io/action-id";

/// One action to publish.
#[derive(Clone, Debug, PartialEq)]
pub struct Published {
    pub namespace: String,
    /// `deploy/api`, `svc/dashboard`, `cronjob/backup`…
    pub target: String,
    pub message: String,
    pub action_id: String,
    pub log_id: String,
    pub seq: u64,
    pub hash: String,
    /// Whether the action failed or was refused (a Warning event).
    pub warning: bool,
}

/// A head read back from the cluster.
#[derive(Clone, Debug, PartialEq)]
pub struct Head {
    pub seq: u64,
    pub hash: String,
    /// `namespace/event-name`, to say where it was found.
    pub event: String,
}

/// The object an action's target names.
fn involved(namespace: &str, target: &str) -> ObjectReference {
    let (short, name) = target.split_once('/').unwrap_or(("", target));
    let (api_version, kind) = match short {
        "deploy" | "deployment" => ("apps/v1", "Deployment"),
        "sts" | "statefulset" => ("apps/v1", "StatefulSet"),
        "ds" | "daemonset" => ("apps/v1", "DaemonSet"),
        "svc" | "service" => ("v1", "Service"),
        "cronjob" | "cj" => ("batch/v1", "CronJob"),
        "job" => ("batch/v1", "Job"),
        "secret" => ("v1", "Secret"),
        "hpa" => ("autoscaling/v2", "HorizontalPodAutoscaler"),
        "pod" | "po" => ("v1", "Pod"),
        _ => ("v1", "Namespace"),
    };
    let (namespace, name) = if kind == "Namespace" {
        (None, namespace.to_string())
    } else {
        (Some(namespace.to_string()), name.to_string())
    };
    ObjectReference {
        api_version: Some(api_version.into()),
        kind: Some(kind.into()),
        namespace,
        name: Some(name),
        ..ObjectReference::default()
    }
}

/// Creates the action's Event in its namespace.
pub async fn publish(client: &kube::Client, p: &Published) -> Result<(), String> {
    let now = k8s_openapi::apimachinery::pkg::apis::meta::v1::Time(jiff::Timestamp::now());
    let name: String = format!("kdeck.{}.{}", p.action_id, p.seq)
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '.' || c == '-' {
                c.to_ascii_lowercase()
            } else {
                '-'
            }
        })
        .take(253)
        .collect();
    let ev = Event {
        metadata: kube::api::ObjectMeta {
            name: Some(name),
            namespace: Some(p.namespace.clone()),
            annotations: Some(BTreeMap::from([
                (HEAD.to_string(), format!("{}:{}", p.seq, p.hash)),
                (LOG.to_string(), p.log_id.clone()),
                (ACTION.to_string(), p.action_id.clone()),
            ])),
            ..Default::default()
        },
        involved_object: involved(&p.namespace, &p.target),
        reason: Some(REASON.into()),
        message: Some(p.message.chars().take(1024).collect()),
        type_: Some(if p.warning { "Warning" } else { "Normal" }.into()),
        source: Some(k8s_openapi::api::core::v1::EventSource {
            component: Some("kdeck".into()),
            host: None,
        }),
        reporting_component: Some("kdeck".into()),
        reporting_instance: Some(p.log_id.clone()),
        first_timestamp: Some(now.clone()),
        last_timestamp: Some(now),
        count: Some(1),
        ..Event::default()
    };
    Api::<Event>::namespaced(client.clone(), &p.namespace)
        .create(&PostParams::default(), &ev)
        .await
        .map(|_| ())
        .map_err(|e| {
            format!(
                "publishing the action as an event: {}",
                super::watch::short_error(&e)
            )
        })
}

/// The heads published for log `log_id`, from every namespace the client may list
/// events in (`namespaces` empty: all).
pub async fn heads(
    client: &kube::Client,
    log_id: &str,
    namespaces: &[String],
) -> Result<Vec<Head>, String> {
    let apis: Vec<Api<Event>> = if namespaces.is_empty() {
        vec![Api::all(client.clone())]
    } else {
        namespaces
            .iter()
            .map(|n| Api::namespaced(client.clone(), n))
            .collect()
    };
    let mut out = Vec::new();
    for api in apis {
        let list = api
            .list(&ListParams::default())
            .await
            .map_err(|e| format!("reading events: {}", super::watch::short_error(&e)))?;
        for ev in list.items {
            if ev.reason.as_deref() != Some(REASON) {
                continue;
            }
            let ann = ev.metadata.annotations.clone().unwrap_or_default();
            if ann.get(LOG).map(String::as_str) != Some(log_id) {
                continue;
            }
            let Some((seq, hash)) = ann.get(HEAD).and_then(|h| h.split_once(':')) else {
                continue;
            };
            let Ok(seq) = seq.parse::<u64>() else {
                continue;
            };
            out.push(Head {
                seq,
                hash: hash.to_string(),
                event: format!(
                    "{}/{}",
                    ev.metadata.namespace.unwrap_or_default(),
                    ev.metadata.name.unwrap_or_default()
                ),
            });
        }
    }
    out.sort_by_key(|h| h.seq);
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_event_points_at_the_actions_target() {
        let r = involved("shop", "deploy/api");
        assert_eq!(
            (r.kind.as_deref(), r.name.as_deref(), r.namespace.as_deref()),
            (Some("Deployment"), Some("api"), Some("shop"))
        );
        let r = involved("shop", "weird");
        assert_eq!(
            (r.kind.as_deref(), r.name.as_deref()),
            (Some("Namespace"), Some("shop"))
        );
    }
}
