//! Switch blue/green traffic: a Service whose selector has a colour key (`slot` by
//! default) is pointed at the other colour. The plan checks the target colour first —
//! its Deployment fully rolled out, every pod ready, its health endpoints ok — and
//! offers the switch back as its undo.

use std::sync::Arc;

use serde_json::json;

use super::run::{self, Stop, Write};
use super::{Plan, Progress, Request, Risk};
use crate::cluster::kinds::in_namespace;
use crate::cluster::kinds::selector_matches;
use crate::cluster::msg::CtxId;
use crate::cluster::store::ClusterData;
use crate::probe::HealthState;
use crate::util::selector::{LabelSelector, Req};

pub const DEFAULT_KEY: &str = "slot";

pub use super::HealthOf;

/// The Service whose selector has `key` and picks `deployment`'s pods (whatever the
/// colour), so a traffic switch can start from either colour's Deployment.
pub fn service_for(
    d: &ClusterData,
    namespace: &str,
    deployment: &str,
    key: &str,
) -> Option<String> {
    let dep = d
        .kinds
        .deployments
        .get(&(Arc::from(namespace), Arc::from(deployment)))?;
    let labels = &dep.template.labels;
    labels.get(key)?;
    // The shared Service (`dashboard`), not a per-colour one (`dashboard-blue`): the
    // shortest name among those selecting by the key.
    in_namespace(&d.kinds.services, namespace)
        .filter(|s| {
            s.selector.as_ref().is_some_and(|sel| {
                sel.get(key).is_some()
                    && sel
                        .iter()
                        .all(|(k, v)| k == key || labels.get(k) == Some(v))
            })
        })
        .min_by_key(|s| (s.meta.name.len(), s.meta.name.clone()))
        .map(|s| s.meta.name.to_string())
}

pub fn plan(
    d: &ClusterData,
    ctx: CtxId,
    namespace: &str,
    service: &str,
    key: &str,
    health: HealthOf,
) -> Result<Plan, String> {
    let svc = d
        .kinds
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
    let mut colours: Vec<(String, &crate::cluster::kinds::DeploymentRec)> =
        in_namespace(&d.kinds.deployments, namespace)
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
    p.request = Some(Request::SwitchTraffic {
        namespace: namespace.to_string(),
        service: service.to_string(),
        key: key.to_string(),
        from: from.clone(),
        to: to.clone(),
    });
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
    let pods: Vec<_> = in_namespace(&d.kinds.pods, namespace)
        .filter(|p| !p.deleting && selector_matches(&want, &p.labels))
        .collect();
    let ready = pods.iter().filter(|p| p.ready).count();
    p.blast = format!(
        "all traffic of svc/{service} moves to {ready} {to} pod{}",
        if ready == 1 { "" } else { "s" }
    );
    let mut problems = Vec::new();
    let rolled_out =
        !(dep.updated < dep.desired || dep.available < dep.desired || dep.replicas > dep.desired);
    let rollout = format!(
        "deploy/{} rolled out ({}/{} updated, {} available)",
        dep.meta.name, dep.updated, dep.desired, dep.available
    );
    if !rolled_out {
        problems.push(format!(
            "deploy/{} is not fully rolled out ({}/{} updated, {} available)",
            dep.meta.name, dep.updated, dep.desired, dep.available
        ));
    }
    p.gate.push((rolled_out, rollout));
    let all_ready = !(ready < pods.len() || pods.is_empty());
    if !all_ready {
        problems.push(format!("{ready}/{} {to} pods ready", pods.len()));
    }
    p.gate
        .push((all_ready, format!("{ready}/{} {to} pods ready", pods.len())));
    let verdict = health(&format!("deploy/{}", dep.meta.name));
    p.gate.push((
        verdict == Some(HealthState::Ok),
        format!(
            "deploy/{} health {}",
            dep.meta.name,
            verdict.map_or("unknown", |h| h.label())
        ),
    ));
    match verdict {
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

/// A merge patch of the Service's selector, if it still selects the colour planned from.
pub async fn writes(client: &kube::Client, req: &Request) -> Result<Vec<Write>, Stop> {
    let Request::SwitchTraffic {
        namespace,
        service,
        key,
        from,
        to,
    } = req
    else {
        return Err(Stop::Failed("not a traffic switch".into()));
    };
    let path = format!("/api/v1/namespaces/{namespace}/services/{service}");
    let live = run::get_json(client, &path).await?;
    let now = live["spec"]["selector"][key.as_str()]
        .as_str()
        .unwrap_or("");
    if now != from {
        return Err(Stop::Conflict(format!(
            "svc/{service} now selects {key}={now} (the plan saw {key}={from})"
        )));
    }
    let rv = run::str_at(&live, &["metadata", "resourceVersion"]).unwrap_or("");
    Ok(vec![run::merge_patch(
        path,
        rv,
        json!({"spec": {"selector": {key.as_str(): to}}}),
        req.access(),
        format!("PATCH svc/{service} (selector {key}={to})"),
    )])
}

/// Done when the Service selects the new colour and every ready endpoint is a pod of it.
pub fn verify(d: &ClusterData, req: &Request) -> Progress {
    let Request::SwitchTraffic {
        namespace,
        service,
        key,
        to,
        ..
    } = req
    else {
        return Progress::Failed("not a traffic switch".into());
    };
    let k = (Arc::from(namespace.as_str()), Arc::from(service.as_str()));
    let Some(svc) = d.kinds.services.get(&k) else {
        return Progress::Failed(format!("svc/{service} is gone"));
    };
    if svc.selector.as_ref().and_then(|s| s.get(key)) != Some(to.as_str()) {
        return Progress::Waiting(format!("svc/{service} does not select {key}={to} yet"));
    }
    let Some(ep) = d.kinds.endpoints.get(&k) else {
        return Progress::Waiting("no endpoints yet".into());
    };
    let colour = |pod: &str| {
        d.kinds
            .pods
            .get(&(k.0.clone(), Arc::from(pod)))
            .and_then(|p| p.labels.get(key).map(str::to_string))
    };
    let (mut ours, mut other) = (0, 0);
    for a in ep.ready.iter() {
        if colour(a).as_deref() == Some(to.as_str()) {
            ours += 1;
        } else {
            other += 1;
        }
    }
    let line = format!("endpoints: {ours} {to}, {other} other");
    if ours > 0 && other == 0 {
        Progress::Done(line)
    } else {
        Progress::Waiting(line)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cluster::kinds::Object;
    use crate::cluster::kinds::{DeploymentRec, Interner, PodRec, ServiceRec};

    fn dep(colour: &str, ready: i32) -> DeploymentRec {
        let d: crate::cluster::kinds::Deployment = serde_json::from_value(json!({
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
        let p: crate::cluster::kinds::Pod = serde_json::from_value(json!({
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
        let s: crate::cluster::kinds::Service = serde_json::from_value(json!({
            "metadata": {"name": "dashboard", "namespace": "ns"},
            "spec": {"selector": {"app": "dashboard", "slot": "blue"}, "ports": [{"port": 80}]}
        }))
        .expect("service");
        d.apply(Object::Service(std::sync::Arc::new(ServiceRec::from(
            &s,
            &mut Interner::default(),
        ))));
        d.apply(Object::Deployment(std::sync::Arc::new(dep("blue", 3))));
        d.apply(Object::Deployment(std::sync::Arc::new(dep(
            "green",
            green_ready as i32,
        ))));
        for i in 0..3 {
            d.apply(Object::Pod(std::sync::Arc::new(pod("blue", i, true))));
            d.apply(Object::Pod(std::sync::Arc::new(pod(
                "green",
                i,
                i < green_ready,
            ))));
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
        // The gate that passed is shown, condition by condition.
        let gate: Vec<String> = p
            .gate
            .iter()
            .map(|(ok, l)| format!("{} {l}", if *ok { "✓" } else { "✗" }))
            .collect();
        assert_eq!(gate.len(), 3, "{gate:?}");
        assert!(
            gate[0].starts_with("✓ deploy/") && gate[0].contains("rolled out"),
            "{gate:?}"
        );
        assert_eq!(gate[1], "✓ 3/3 green pods ready");
        assert!(
            gate[2].starts_with("✓ deploy/") && gate[2].ends_with("health ok"),
            "{gate:?}"
        );
    }

    #[test]
    fn an_unready_or_unhealthy_target_is_refused() {
        let ok = |_: &str| Some(HealthState::Ok);
        let p = plan(&data(1), 0, "ns", "dashboard", DEFAULT_KEY, &ok).unwrap();
        assert!(
            p.gate
                .iter()
                .any(|(ok, l)| !ok && l == "1/3 green pods ready"),
            "{:?}",
            p.gate
        );
        let why = p.refused.expect("refused");
        assert!(why.contains("1/3 green pods ready"), "{why}");
        assert!(why.contains("not fully rolled out"), "{why}");
        let down = |_: &str| Some(HealthState::Down);
        let p = plan(&data(3), 0, "ns", "dashboard", DEFAULT_KEY, &down).unwrap();
        assert!(p.refused.expect("refused").contains("health is down"));
        assert!(plan(&data(3), 0, "ns", "dashboard", "colour", &ok).is_err());
    }
}
