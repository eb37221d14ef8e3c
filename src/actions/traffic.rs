//! Switch blue/green traffic: a Service whose selector has a colour key (`slot` by
//! default) is pointed at the other colour. The plan checks the target colour first —
//! its Deployment fully rolled out, every pod ready, its health endpoints ok — and
//! offers the switch back as its undo.

use std::sync::Arc;

use serde_json::json;

use super::{Plan, Risk};
use crate::app::msg::CtxId;
use crate::app::store::{ClusterData, in_namespace};
use crate::cluster::model::selector_matches;
use crate::probe::HealthState;
use crate::util::selector::{LabelSelector, Req};

pub const DEFAULT_KEY: &str = "slot";

/// What the health probes say about the target colour's workload, if anything.
pub type HealthOf<'a> = &'a dyn Fn(&str) -> Option<HealthState>;

pub fn plan(
    d: &ClusterData,
    ctx: CtxId,
    namespace: &str,
    service: &str,
    key: &str,
    health: HealthOf,
) -> Result<Plan, String> {
    let svc = d
        .services
        .get(&(Arc::from(namespace), Arc::from(service)))
        .ok_or_else(|| format!("svc/{service} is gone"))?;
    let selector = svc
        .selector
        .as_ref()
        .ok_or_else(|| format!("svc/{service} has no selector"))?;
    let from = selector
        .get(key)
        .ok_or_else(|| format!("svc/{service}'s selector has no {key:?} key"))?
        .to_string();
    // The other colour: a Deployment whose pods carry the same selector but another
    // value of the key.
    let mut colours: Vec<(String, &crate::cluster::model::DeploymentRec)> =
        in_namespace(&d.deployments, namespace)
            .filter_map(|dep| {
                let labels = &dep.template.labels;
                let c = labels.get(key)?;
                let rest_matches = selector
                    .iter()
                    .all(|(k, v)| k == key || labels.get(k) == Some(v));
                (rest_matches && c != from).then(|| (c.to_string(), dep))
            })
            .collect();
    colours.sort_by(|a, b| a.0.cmp(&b.0));
    let Some((to, dep)) = colours.first() else {
        return Err(format!(
            "no Deployment in {namespace} serves svc/{service} with another {key} than {from:?}"
        ));
    };
    let mut p = Plan::new("switch-traffic", ctx, namespace, format!("svc/{service}"));
    p.risk = Risk::High;
    p.before = format!("{key}={from}");
    p.after = format!("{key}={to}");
    p.params = json!({"key": key, "from": from, "to": to, "deployment": &*dep.meta.name});
    p.undo = Some(format!("switch svc/{service} back to {key}={from}"));
    let want = LabelSelector {
        reqs: selector
            .iter()
            .map(|(k, v)| {
                let v: &str = if k == key { to.as_str() } else { v };
                Req::Eq(k.to_string(), v.to_string())
            })
            .collect(),
    };
    let pods: Vec<_> = in_namespace(&d.pods, namespace)
        .filter(|p| !p.deleting && selector_matches(&want, &p.labels))
        .collect();
    let ready = pods.iter().filter(|p| p.ready).count();
    p.blast = format!(
        "all traffic of svc/{service} moves to {ready} {to} pod{}",
        if ready == 1 { "" } else { "s" }
    );
    let mut problems = Vec::new();
    if dep.updated < dep.desired || dep.available < dep.desired || dep.replicas > dep.desired {
        problems.push(format!(
            "deploy/{} is not fully rolled out ({}/{} updated, {} available)",
            dep.meta.name, dep.updated, dep.desired, dep.available
        ));
    }
    if ready < pods.len() || pods.is_empty() {
        problems.push(format!("{ready}/{} {to} pods ready", pods.len()));
    }
    match health(&format!("deploy/{}", dep.meta.name)) {
        Some(HealthState::Ok) => {}
        Some(s) => problems.push(format!(
            "deploy/{}'s health is {}",
            dep.meta.name,
            s.label()
        )),
        None => p.warnings.push(format!(
            "no health verdict for deploy/{} yet",
            dep.meta.name
        )),
    }
    if !problems.is_empty() {
        p.refused = Some(format!(
            "the {to} side is not ready: {}",
            problems.join("; ")
        ));
    }
    Ok(p)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::app::msg::Applied;
    use crate::cluster::model::{DeploymentRec, Interner, PodRec, ServiceRec};

    fn dep(colour: &str, ready: i32) -> DeploymentRec {
        let d: crate::cluster::slim::Deployment = serde_json::from_value(json!({
            "metadata": {"name": format!("dashboard-{colour}"), "namespace": "ns", "generation": 1},
            "spec": {"replicas": 3, "selector": {"matchLabels": {"app": "dashboard", "slot": colour}},
                "template": {"metadata": {"labels": {"app": "dashboard", "slot": colour}},
                    "spec": {"containers": [{"name": "c", "image": "i"}]}}},
            "status": {"observedGeneration": 1, "replicas": 3, "updatedReplicas": 3, "readyReplicas": ready, "availableReplicas": ready}
        }))
        .expect("deployment");
        DeploymentRec::from(&d, &mut Interner::default())
    }

    fn pod(colour: &str, i: usize, ready: bool) -> PodRec {
        let p: crate::cluster::slim::Pod = serde_json::from_value(json!({
            "metadata": {"name": format!("dashboard-{colour}-{i}"), "namespace": "ns", "labels": {"app": "dashboard", "slot": colour}},
            "spec": {"containers": [{"name": "c"}]},
            "status": {"phase": "Running", "conditions": [{"type": "Ready", "status": if ready { "True" } else { "False" }}],
                "containerStatuses": [{"name": "c", "ready": ready, "restartCount": 0, "state": {"running": {}}}]}
        }))
        .expect("pod");
        PodRec::from(&p, &mut Interner::default())
    }

    fn data(green_ready: usize) -> ClusterData {
        let mut d = ClusterData::default();
        let s: crate::cluster::slim::Service = serde_json::from_value(json!({
            "metadata": {"name": "dashboard", "namespace": "ns"},
            "spec": {"selector": {"app": "dashboard", "slot": "blue"}, "ports": [{"port": 80}]}
        }))
        .expect("service");
        d.apply(Applied::Service(ServiceRec::from(
            &s,
            &mut Interner::default(),
        )));
        d.apply(Applied::Deployment(dep("blue", 3)));
        d.apply(Applied::Deployment(dep("green", green_ready as i32)));
        for i in 0..3 {
            d.apply(Applied::Pod(pod("blue", i, true)));
            d.apply(Applied::Pod(pod("green", i, i < green_ready)));
        }
        d
    }

    #[test]
    fn switching_to_a_ready_healthy_colour_and_back() {
        let ok = |_: &str| Some(HealthState::Ok);
        let p = plan(&data(3), 0, "ns", "dashboard", DEFAULT_KEY, &ok).unwrap();
        assert_eq!(
            (p.before.as_str(), p.after.as_str()),
            ("slot=blue", "slot=green")
        );
        assert_eq!(
            p.blast,
            "all traffic of svc/dashboard moves to 3 green pods"
        );
        assert_eq!(p.refused, None, "{p:?}");
        assert_eq!(
            p.undo.as_deref(),
            Some("switch svc/dashboard back to slot=blue")
        );
    }

    #[test]
    fn an_unready_or_unhealthy_target_is_refused() {
        let ok = |_: &str| Some(HealthState::Ok);
        let p = plan(&data(1), 0, "ns", "dashboard", DEFAULT_KEY, &ok).unwrap();
        let why = p.refused.expect("refused");
        assert!(why.contains("1/3 green pods ready"), "{why}");
        assert!(why.contains("not fully rolled out"), "{why}");
        let down = |_: &str| Some(HealthState::Down);
        let p = plan(&data(3), 0, "ns", "dashboard", DEFAULT_KEY, &down).unwrap();
        assert!(p.refused.expect("refused").contains("health is down"));
        assert!(plan(&data(3), 0, "ns", "dashboard", "colour", &ok).is_err());
    }
}
