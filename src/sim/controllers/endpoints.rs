//! The endpoints controller: each Service with a selector gets an Endpoints object
//! listing its matching pods, ready ones as addresses and the rest as
//! notReadyAddresses, with ports resolved from the Service's targetPort.

use serde_json::{Value, json};

use super::{Cx, pod_ready};
use crate::sim::kinds::Kind;
use crate::sim::obj;
use crate::sim::selectors::{FromValue, LabelSelector, MatchValue};
use crate::sim::store::Key;

/// The container port a Service targetPort names on `pod`.
pub fn resolve_target_port(pod: &Value, target: &Value) -> Option<i64> {
    match target {
        Value::Number(n) => n.as_i64(),
        Value::String(s) => {
            if let Ok(n) = s.parse() {
                return Some(n);
            }
            obj::at(pod, &["spec", "containers"])
                .as_array()?
                .iter()
                .flat_map(|c| c["ports"].as_array().cloned().unwrap_or_default())
                .find(|p| p["name"] == s.as_str())
                .and_then(|p| p["containerPort"].as_i64())
        }
        _ => None,
    }
}

pub fn reconcile(cx: &mut Cx, k: &Key) {
    let Some(svc) = cx.store.get(Kind::Service, &k.0, &k.1) else {
        cx.store.remove(Kind::Endpoints, &k.0, &k.1);
        return;
    };
    let sel = obj::at(&svc, &["spec", "selector"]);
    if sel.is_null() || sel.as_object().is_some_and(|m| m.is_empty()) {
        return;
    }
    let selector = LabelSelector::from_value(sel);
    let mut pods: Vec<_> = cx
        .store
        .list(Kind::Pod, Some(&k.0))
        .into_iter()
        .filter(|p| selector.matches(p) && !obj::is_terminating(p))
        .filter(|p| obj::str_at(p, &["status", "podIP"]).is_some())
        .filter(|p| {
            !matches!(
                obj::str_at(p, &["status", "phase"]),
                Some("Succeeded") | Some("Failed")
            )
        })
        .collect();
    pods.sort_by(|a, b| {
        obj::str_at(a, &["status", "podIP"]).cmp(&obj::str_at(b, &["status", "podIP"]))
    });
    let svc_ports = obj::at(&svc, &["spec", "ports"])
        .as_array()
        .cloned()
        .unwrap_or_default();
    let addr = |p: &Value| {
        json!({
            "ip": p["status"]["podIP"],
            "nodeName": p["spec"]["nodeName"],
            "targetRef": {"kind": "Pod", "namespace": obj::namespace(p), "name": obj::name(p), "uid": obj::uid(p)},
        })
    };
    let ready: Vec<Value> = pods
        .iter()
        .filter(|p| pod_ready(p))
        .map(|p| addr(p))
        .collect();
    let not_ready: Vec<Value> = pods
        .iter()
        .filter(|p| !pod_ready(p))
        .map(|p| addr(p))
        .collect();
    let ports: Vec<Value> = svc_ports
        .iter()
        .map(|sp| {
            let target = pods
                .first()
                .and_then(|p| resolve_target_port(p, &sp["targetPort"]))
                .or_else(|| sp["targetPort"].as_i64())
                .unwrap_or_else(|| sp["port"].as_i64().unwrap_or(0));
            let mut port =
                json!({"port": target, "protocol": sp["protocol"].as_str().unwrap_or("TCP")});
            if let Some(n) = sp["name"].as_str() {
                port["name"] = json!(n);
            }
            port
        })
        .collect();
    let subsets = if pods.is_empty() {
        json!([])
    } else {
        let mut s = json!({"ports": ports});
        if !ready.is_empty() {
            s["addresses"] = json!(ready);
        }
        if !not_ready.is_empty() {
            s["notReadyAddresses"] = json!(not_ready);
        }
        json!([s])
    };
    let labels = obj::at(&svc, &["metadata", "labels"]).clone();
    match cx.store.get(Kind::Endpoints, &k.0, &k.1) {
        Some(_) => {
            cx.store.modify(Kind::Endpoints, &k.0, &k.1, |e| {
                e["subsets"] = subsets;
                if !labels.is_null() {
                    e["metadata"]["labels"] = labels;
                }
            });
        }
        None => {
            let mut e = json!({"metadata": {"name": k.1, "namespace": k.0}, "subsets": subsets});
            if !labels.is_null() {
                e["metadata"]["labels"] = labels;
            }
            let _ = cx.store.create(Kind::Endpoints, e);
        }
    }
}
