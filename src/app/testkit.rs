//! Test fixtures: records built the way watchers build them (from API-shaped JSON),
//! and a state over them, so `update` and the fleet can be tested without a cluster.
#![cfg(test)]

use std::sync::Arc;

use serde_json::{Value, json};

use super::console::Console;
use super::state::{ContextState, State};
use crate::cluster::contexts::ContextSpec;
use crate::cluster::kinds::*;
use crate::cluster::msg::Msg;
use crate::cluster::store::ClusterData;
use crate::config::keymap::Keymap;

pub const NOW: Ts = 1_795_334_400; // 2026-11-22T08:00:00Z

pub fn ts(secs_ago: i64) -> String {
    jiff::Timestamp::from_second(NOW - secs_ago)
        .map(|t| t.to_string())
        .unwrap_or_default()
}

fn rec<T: serde::de::DeserializeOwned>(v: Value) -> T {
    serde_json::from_value(v).expect("fixture JSON matches the slim type")
}

/// A pod of ReplicaSet `rs` (`<deploy>-<hash>`), ready or in `waiting` state.
pub fn pod(ns: &str, name: &str, rs: &str, waiting: Option<&str>, restarts: i32) -> PodRec {
    let ready = waiting.is_none();
    let state = match waiting {
        Some(r) => json!({"waiting": {"reason": r}}),
        None => json!({"running": {"startedAt": ts(3600)}}),
    };
    let p: Pod = rec(json!({
        "metadata": {"name": name, "namespace": ns, "creationTimestamp": ts(3600), "labels": {"app": rs.rsplit_once('-').map(|(d, _)| d).unwrap_or(rs)},
            "ownerReferences": [{"apiVersion": "apps/v1", "kind": "ReplicaSet", "name": rs, "uid": "u", "controller": true}]},
        "spec": {"containers": [{"name": "app", "image": "img:1"}]},
        "status": {"phase": "Running", "podIP": "10.0.0.1", "conditions": [{"type": "Ready", "status": if ready { "True" } else { "False" }}],
            "containerStatuses": [{"name": "app", "ready": ready, "restartCount": restarts, "state": state,
                "lastState": if restarts > 0 { json!({"terminated": {"reason": "Error", "exitCode": 1, "finishedAt": ts(60)}}) } else { json!({}) }}]}
    }));
    PodRec::from(&p, &mut Interner::default())
}

pub fn deployment(
    ns: &str,
    name: &str,
    desired: i32,
    ready: i32,
    revision: i64,
    progressing: (&str, &str),
) -> DeploymentRec {
    let d: Deployment = rec(json!({
        "metadata": {"name": name, "namespace": ns, "generation": 2, "creationTimestamp": ts(86400),
            "annotations": {"deployment.kubernetes.io/revision": revision.to_string()}},
        "spec": {"replicas": desired, "selector": {"matchLabels": {"app": name}},
            "template": {"metadata": {"labels": {"app": name}}, "spec": {"containers": [{"name": "app", "image": format!("img:{revision}")}]}}},
        "status": {"observedGeneration": 2, "replicas": desired, "updatedReplicas": if progressing.1 == "NewReplicaSetAvailable" { desired } else { 1 },
            "readyReplicas": ready, "availableReplicas": ready,
            "conditions": [{"type": "Progressing", "status": progressing.0, "reason": progressing.1}]}
    }));
    DeploymentRec::from(&d, &mut Interner::default())
}

pub fn replicaset(
    ns: &str,
    name: &str,
    deploy: &str,
    revision: i64,
    replicas: i32,
) -> ReplicaSetRec {
    let r: ReplicaSet = rec(json!({
        "metadata": {"name": name, "namespace": ns, "creationTimestamp": ts(7200),
            "annotations": {"deployment.kubernetes.io/revision": revision.to_string(), "kubernetes.io/change-cause": format!("rev {revision}")},
            "ownerReferences": [{"apiVersion": "apps/v1", "kind": "Deployment", "name": deploy, "uid": "d", "controller": true}]},
        "spec": {"replicas": replicas, "template": {"spec": {"containers": [{"name": "app", "image": format!("img:{revision}")}]}}},
        "status": {"replicas": replicas, "readyReplicas": replicas}
    }));
    ReplicaSetRec::from(&r, &mut Interner::default())
}

#[allow(clippy::too_many_arguments)]
pub fn event(
    ns: &str,
    name: &str,
    kind: &str,
    object: &str,
    reason: &str,
    message: &str,
    warning: bool,
    secs_ago: i64,
) -> EventRec {
    let e: Event = rec(json!({
        "metadata": {"name": name, "namespace": ns},
        "involvedObject": {"kind": kind, "name": object, "namespace": ns},
        "reason": reason, "message": message, "type": if warning { "Warning" } else { "Normal" }, "count": 1,
        "firstTimestamp": ts(secs_ago), "lastTimestamp": ts(secs_ago)
    }));
    EventRec::from(&e, &mut Interner::default())
}

pub fn spec(name: &str) -> ContextSpec {
    ContextSpec {
        name: name.into(),
        cluster: name.into(),
        server: "http://127.0.0.1:1".into(),
        user: "u".into(),
        namespace: None,
    }
}

/// A healthy web deployment, a crash-looping api rollout, and some events.
pub fn fleet_data() -> ClusterData {
    let mut d = ClusterData::default();
    d.relist(
        None,
        Listing::Deployment(vec![
            std::sync::Arc::new(deployment(
                "shop",
                "web",
                2,
                2,
                1,
                ("True", "NewReplicaSetAvailable"),
            )),
            std::sync::Arc::new(deployment(
                "shop",
                "api",
                3,
                2,
                2,
                ("True", "ReplicaSetUpdated"),
            )),
            std::sync::Arc::new(deployment(
                "ops",
                "batch",
                1,
                1,
                1,
                ("True", "NewReplicaSetAvailable"),
            )),
        ]),
    );
    d.relist(
        None,
        Listing::ReplicaSet(vec![
            std::sync::Arc::new(replicaset("shop", "web-aaa", "web", 1, 2)),
            std::sync::Arc::new(replicaset("shop", "api-old", "api", 1, 2)),
            std::sync::Arc::new(replicaset("shop", "api-new", "api", 2, 1)),
            std::sync::Arc::new(replicaset("ops", "batch-zzz", "batch", 1, 1)),
        ]),
    );
    d.relist(
        None,
        Listing::Pod(vec![
            std::sync::Arc::new(pod("shop", "web-aaa-1", "web-aaa", None, 0)),
            std::sync::Arc::new(pod("shop", "web-aaa-2", "web-aaa", None, 0)),
            std::sync::Arc::new(pod("shop", "api-old-1", "api-old", None, 0)),
            std::sync::Arc::new(pod("shop", "api-old-2", "api-old", None, 0)),
            pod("shop", "api-new-1", "api-new", Some("CrashLoopBackOff"), 4).into(),
            pod("ops", "batch-zzz-1", "batch-zzz", None, 0).into(),
        ]),
    );
    d.relist(
        None,
        Listing::Event(vec![
            std::sync::Arc::new(event(
                "shop",
                "e1",
                "Pod",
                "api-new-1",
                "BackOff",
                "Back-off restarting failed container",
                true,
                30,
            )),
            std::sync::Arc::new(event(
                "shop",
                "e2",
                "Pod",
                "web-aaa-1",
                "Pulled",
                "Pulled image",
                false,
                600,
            )),
            std::sync::Arc::new(event(
                "ops",
                "e3",
                "Pod",
                "batch-zzz-1",
                "Unhealthy",
                "old probe failure",
                true,
                5000,
            )),
        ]),
    );
    d
}

/// The state over the fixture fleet, its rows built.
pub fn plain_state() -> State {
    let mut c = ContextState::new(spec("test"), false);
    c.data = fleet_data();
    let mut s = State::new(
        vec![c],
        Keymap::builtin("default").expect("shipped keymap"),
        NOW,
    );
    s.page = 10;
    s.refresh();
    s
}

/// The console over the fixture fleet, driven through `step` as the binary drives it.
/// The console on the test fleet, settled as after its first turn (the prober has
/// been told what is on screen), so a test sees only what its own events cause.
pub fn state() -> Console {
    let mut c = Console::new(plain_state());
    let _ = c.step(crate::app::Event::Refresh);
    c
}

pub fn relist(ctx: usize, listing: Listing) -> Msg {
    Msg::Relisted {
        ctx,
        scope: None,
        listing,
    }
}

pub fn name(s: &Arc<str>) -> &str {
    s
}
