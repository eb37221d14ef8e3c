//! The HorizontalPodAutoscaler controller (autoscaling/v2): every 15 simulated
//! seconds it reads resource utilisation from the load model (or an external
//! metric), proposes a replica count with the 10 % tolerance, applies the default
//! scale-up rate (double or +4) and the 5-minute scale-down stabilisation, clamps to
//! min/max, scales the target and reports metrics and conditions.

use std::collections::{HashMap, VecDeque};

use jiff::Timestamp;
use serde_json::{Value, json};

use super::{Cx, pod_ready, set_condition};
use crate::sim::apps::load;
use crate::sim::clock::fmt_ts;
use crate::sim::kinds::Kind;
use crate::sim::obj;
use crate::sim::selectors::{FromValue, LabelSelector, MatchValue};
use crate::sim::store::{Key, key_of};

pub const SYNC_SECONDS: i64 = 15;
const STABILIZATION_SECONDS: i64 = 300;
const TOLERANCE: f64 = 0.1;

#[derive(Default)]
pub struct HpaMemory {
    recs: HashMap<Key, VecDeque<(Timestamp, i64)>>,
}

pub fn sync_all(cx: &mut Cx, mem: &mut HpaMemory) {
    for h in cx.store.list(Kind::Hpa, None) {
        sync(cx, Some(mem), &key_of(&h));
    }
}

/// Refreshes one HPA's status right away (after it is created or changed), without
/// scaling; scaling happens on the periodic sync.
pub fn sync_status(cx: &mut Cx, k: &Key) {
    let Some(h) = cx.store.get(Kind::Hpa, &k.0, &k.1) else {
        return;
    };
    if h["status"]["currentMetrics"].is_null()
        || h["metadata"]["generation"] != h["status"]["observedGeneration"]
    {
        sync(cx, None, k);
    }
}

fn target_kind(kind: &str) -> Option<Kind> {
    match kind {
        "Deployment" => Some(Kind::Deployment),
        "StatefulSet" => Some(Kind::StatefulSet),
        "ReplicaSet" => Some(Kind::ReplicaSet),
        _ => None,
    }
}

fn milli(cores: f64) -> String {
    format!("{}m", (cores * 1000.0).round() as i64)
}

fn mebi(bytes: f64) -> String {
    format!("{}Mi", (bytes / 1048576.0).round() as i64)
}

fn sync(cx: &mut Cx, mem: Option<&mut HpaMemory>, k: &Key) {
    let Some(hpa) = cx.store.get(Kind::Hpa, &k.0, &k.1) else {
        return;
    };
    let now = cx.now;
    let now_s = fmt_ts(now);
    let tref = &hpa["spec"]["scaleTargetRef"];
    let tname = tref["name"].as_str().unwrap_or("").to_string();
    let tkind_s = tref["kind"].as_str().unwrap_or("").to_string();
    let min = obj::i64_at(&hpa, &["spec", "minReplicas"]).unwrap_or(1);
    let max = obj::i64_at(&hpa, &["spec", "maxReplicas"]).unwrap_or(min);
    let target =
        target_kind(&tkind_s).and_then(|tk| cx.store.get(tk, &k.0, &tname).map(|t| (tk, t)));
    let Some((tkind, target)) = target else {
        let msg = format!(
            "the HPA controller was unable to get the target's current scale: {}.apps \"{}\" not found",
            tkind_s.to_lowercase() + "s",
            tname
        );
        cx.store.modify(Kind::Hpa, &k.0, &k.1, |h| {
            set_condition(&mut h["status"]["conditions"], json!({"type": "AbleToScale", "status": "False", "reason": "FailedGetScale", "message": msg}), &now_s);
            h["status"]["observedGeneration"] = h["metadata"]["generation"].clone();
        });
        cx.event(
            &hpa,
            true,
            "FailedGetScale",
            &msg,
            "horizontal-pod-autoscaler",
        );
        return;
    };
    let current = obj::i64_at(&target, &["spec", "replicas"]).unwrap_or(1);
    let selector = LabelSelector::from_value(obj::at(&target, &["spec", "selector"]));
    let pods: Vec<_> = cx
        .store
        .list(Kind::Pod, Some(&k.0))
        .into_iter()
        .filter(|p| selector.matches(p) && pod_ready(p) && !obj::is_terminating(p))
        .collect();
    let mut proposals: Vec<(i64, String)> = Vec::new();
    let mut current_metrics: Vec<Value> = Vec::new();
    for m in obj::at(&hpa, &["spec", "metrics"])
        .as_array()
        .cloned()
        .unwrap_or_default()
    {
        match m["type"].as_str() {
            Some("Resource") => {
                let rname = m["resource"]["name"].as_str().unwrap_or("cpu");
                let t = &m["resource"]["target"];
                let mut used = 0.0;
                let mut requested = 0.0;
                for p in &pods {
                    for c in p["spec"]["containers"].as_array().into_iter().flatten() {
                        let u = load::usage(cx.world, p, c, now);
                        used += if rname == "cpu" {
                            u.cpu_cores
                        } else {
                            u.mem_bytes
                        };
                        requested +=
                            obj::quantity_value(&c["resources"]["requests"][rname]).unwrap_or(0.0);
                    }
                }
                if pods.is_empty() {
                    continue;
                }
                let avg = used / pods.len() as f64;
                let fmt = |v: f64| if rname == "cpu" { milli(v) } else { mebi(v) };
                if t["type"] == "Utilization" {
                    if requested <= 0.0 {
                        continue;
                    }
                    let util = (used / requested * 100.0).round();
                    let goal = t["averageUtilization"].as_f64().unwrap_or(80.0);
                    let ratio = util / goal;
                    let proposed = if (ratio - 1.0).abs() <= TOLERANCE {
                        current
                    } else {
                        (pods.len() as f64 * ratio).ceil() as i64
                    };
                    proposals.push((
                        proposed,
                        format!("{rname} resource utilization (percentage of request)"),
                    ));
                    current_metrics.push(json!({"type": "Resource", "resource": {"name": rname, "current": {"averageUtilization": util as i64, "averageValue": fmt(avg)}}}));
                } else if let Some(goal) = obj::quantity_value(&t["averageValue"]) {
                    let ratio = avg / goal;
                    let proposed = if (ratio - 1.0).abs() <= TOLERANCE {
                        current
                    } else {
                        (pods.len() as f64 * ratio).ceil() as i64
                    };
                    proposals.push((proposed, format!("{rname} resource")));
                    current_metrics.push(json!({"type": "Resource", "resource": {"name": rname, "current": {"averageValue": fmt(avg)}}}));
                }
            }
            Some("External") => {
                let name = m["external"]["metric"]["name"].as_str().unwrap_or("");
                let Some(value) = load::external_metric(cx.world, name, &k.0, now) else {
                    continue;
                };
                let t = &m["external"]["target"];
                if let Some(goal) = obj::quantity_value(&t["averageValue"]) {
                    let proposed = (value / goal).ceil() as i64;
                    let per = value / current.max(1) as f64;
                    proposals.push((proposed, format!("external metric {name}")));
                    current_metrics.push(json!({"type": "External", "external": {"metric": {"name": name}, "current": {"averageValue": format!("{}m", (per * 1000.0).round() as i64)}}}));
                } else if let Some(goal) = obj::quantity_value(&t["value"]) {
                    let ratio = value / goal;
                    proposals.push((
                        (current as f64 * ratio).ceil() as i64,
                        format!("external metric {name}"),
                    ));
                    current_metrics.push(json!({"type": "External", "external": {"metric": {"name": name}, "current": {"value": format!("{}", value as i64)}}}));
                }
            }
            _ => {}
        }
    }
    let (mut desired, reason) = proposals
        .iter()
        .max_by_key(|(n, _)| *n)
        .cloned()
        .unwrap_or((current, String::new()));
    if current == 0 {
        desired = 0;
    }
    // Scale-up rate: at most double or +4 per sync.
    let up_limit = (current * 2).max(current + 4);
    if desired > up_limit {
        desired = up_limit;
    }
    let periodic = mem.is_some();
    if let Some(mem) = mem {
        let recs = mem.recs.entry(k.clone()).or_default();
        recs.push_back((now, desired));
        while recs
            .front()
            .is_some_and(|(t, _)| now.duration_since(*t).as_secs() > STABILIZATION_SECONDS)
        {
            recs.pop_front();
        }
        if desired < current {
            let highest = recs.iter().map(|(_, d)| *d).max().unwrap_or(desired);
            desired = highest.min(current);
        }
    } else {
        desired = current;
    }
    let unclamped = desired;
    desired = desired.clamp(min, max);
    let limited = if current == 0 {
        None
    } else if unclamped > max || (desired == max && proposals.iter().any(|(n, _)| *n > max)) {
        Some((
            "True",
            "TooManyReplicas",
            "the desired replica count is more than the maximum replica count",
        ))
    } else if unclamped < min {
        Some((
            "True",
            "TooFewReplicas",
            "the desired replica count is less than the minimum replica count",
        ))
    } else {
        Some((
            "False",
            "DesiredWithinRange",
            "the desired count is within the acceptable range",
        ))
    };
    let rescale = periodic && current > 0 && desired != current;
    if rescale {
        cx.store.modify(tkind, &k.0, &tname, |t| {
            t["spec"]["replicas"] = json!(desired)
        });
        let why = if desired > current {
            format!("{reason} above target")
        } else {
            "All metrics below target".to_string()
        };
        cx.event(
            &hpa,
            false,
            "SuccessfulRescale",
            &format!("New size: {desired}; reason: {why}"),
            "horizontal-pod-autoscaler",
        );
    }
    let status_replicas = obj::i64_at(&target, &["status", "replicas"]).unwrap_or(current);
    cx.store.modify(Kind::Hpa, &k.0, &k.1, |h| {
        let conds = &mut h["status"]["conditions"];
        set_condition(
            conds,
            if rescale {
                json!({"type": "AbleToScale", "status": "True", "reason": "SucceededRescale", "message": format!("the HPA controller was able to update the target scale to {desired}")})
            } else {
                json!({"type": "AbleToScale", "status": "True", "reason": "ReadyForNewScale", "message": "recommended size matches current size"})
            },
            &now_s,
        );
        if current == 0 {
            set_condition(conds, json!({"type": "ScalingActive", "status": "False", "reason": "ScalingDisabled", "message": "scaling is disabled since the replica count of the target is zero"}), &now_s);
        } else if current_metrics.is_empty() {
            set_condition(conds, json!({"type": "ScalingActive", "status": "False", "reason": "FailedGetResourceMetric", "message": "the HPA was unable to compute the replica count: no ready pods to read metrics from"}), &now_s);
        } else {
            set_condition(conds, json!({"type": "ScalingActive", "status": "True", "reason": "ValidMetricFound", "message": format!("the HPA was able to successfully calculate a replica count from {reason}")}), &now_s);
        }
        if let Some((st, r, m)) = limited {
            set_condition(conds, json!({"type": "ScalingLimited", "status": st, "reason": r, "message": m}), &now_s);
        }
        h["status"]["currentReplicas"] = json!(status_replicas);
        h["status"]["desiredReplicas"] = json!(desired);
        h["status"]["observedGeneration"] = h["metadata"]["generation"].clone();
        if !current_metrics.is_empty() {
            h["status"]["currentMetrics"] = json!(current_metrics);
        }
        if rescale {
            h["status"]["lastScaleTime"] = json!(now_s.clone());
        }
    });
}
