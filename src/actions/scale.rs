//! Scale a Deployment or StatefulSet to a typed replica count. HPA-aware: when an HPA
//! targets the workload, the plan says the HPA will set the count back and names the
//! min/max change that would hold instead. Scaling to zero is the highest risk.

use std::sync::Arc;

use serde_json::json;

use super::run::{self, Stop, Write};
use super::{Plan, Progress, Request, Risk, Workload};
use crate::cluster::msg::CtxId;
use crate::cluster::store::ClusterData;
use crate::fleet::workloads::WorkloadKind;

/// Most replicas a typed count may ask for.
pub const MAX_REPLICAS: i32 = 1000;

/// Parses what the person typed.
pub fn parse_count(typed: &str) -> Result<i32, String> {
    let t = typed.trim();
    let n: i32 = t
        .parse()
        .map_err(|_| format!("{t:?} is not a number of replicas"))?;
    if !(0..=MAX_REPLICAS).contains(&n) {
        return Err(format!("replicas must be between 0 and {MAX_REPLICAS}"));
    }
    Ok(n)
}

pub fn plan(
    d: &ClusterData,
    ctx: CtxId,
    kind: WorkloadKind,
    namespace: &str,
    name: &str,
    replicas: i32,
) -> Result<Plan, String> {
    let key = (Arc::from(namespace), Arc::from(name));
    let (current, kind_name) = match kind {
        WorkloadKind::Deployment => (
            d.kinds.deployments.get(&key).map(|x| x.desired),
            "Deployment",
        ),
        WorkloadKind::StatefulSet => (
            d.kinds.statefulsets.get(&key).map(|x| x.desired),
            "StatefulSet",
        ),
        WorkloadKind::CronJob => return Err("a CronJob cannot be scaled".into()),
        WorkloadKind::Ingress => return Err("an Ingress cannot be scaled".into()),
    };
    let current = current.ok_or_else(|| format!("{}/{name} is gone", kind.short()))?;
    let workload = match kind {
        WorkloadKind::StatefulSet => Workload::StatefulSet,
        _ => Workload::Deployment,
    };
    let mut p = Plan::new("scale", ctx, namespace, format!("{}/{name}", kind.short()));
    p.before = format!("{current} replicas");
    p.after = format!("{replicas} replicas");
    p.params = json!({"replicas": replicas, "from": current});
    p.request = Some(Request::Scale {
        workload,
        namespace: namespace.to_string(),
        name: name.to_string(),
        replicas,
        from: current,
    });
    p.undo = Some(format!("scale {}/{name} back to {current}", kind.short()));
    let delta = replicas - current;
    p.blast = match delta {
        0 => "nothing changes".into(),
        n if n > 0 => format!("{n} pod{} will start", if n == 1 { "" } else { "s" }),
        n => format!(
            "{} pod{} will terminate",
            -n,
            if n == -1 { "" } else { "s" }
        ),
    };
    p.risk = if replicas == 0 && current > 0 {
        Risk::Critical
    } else if delta < 0 {
        Risk::High
    } else {
        Risk::Medium
    };
    if replicas == 0 && current > 0 {
        p.warnings.push(format!(
            "scaling to 0 stops {name} entirely: nothing will serve"
        ));
    }
    if delta == 0 {
        p.refused = Some(format!("{name} already has {current} replicas"));
    }
    let hpa = d.kinds.hpas.values().find(|h| {
        h.meta.namespace.as_ref() == namespace
            && h.target_kind.as_ref() == kind_name
            && h.target_name.as_ref() == name
    });
    if let Some(h) = hpa {
        let clamped = replicas.clamp(h.min, h.max);
        p.warnings.push(format!(
            "HPA {} manages {name} ({}–{}): it will set replicas back to about {} on its next sync",
            h.meta.name,
            h.min,
            h.max,
            if replicas < h.min || replicas > h.max {
                clamped
            } else {
                h.desired.max(h.min)
            }
        ));
        let (min, max) = if replicas > h.max {
            (h.min, replicas)
        } else if replicas < h.min {
            (replicas.max(1), h.max)
        } else {
            (replicas, h.max)
        };
        p.warnings.push(format!(
            "to hold {replicas}, change the HPA instead: min {} → {min}, max {} → {max}",
            h.min, h.max
        ));
        p.params["hpa"] = json!({"name": &*h.meta.name, "min": h.min, "max": h.max, "suggestMin": min, "suggestMax": max});
    }
    Ok(p)
}

/// `PATCH …/scale` as `kubectl scale` sends it, if the count is still what the plan saw.
pub async fn writes(client: &kube::Client, req: &Request) -> Result<Vec<Write>, Stop> {
    let Request::Scale {
        workload,
        namespace,
        name,
        replicas,
        from,
    } = req
    else {
        return Err(Stop::Failed("not a scale request".into()));
    };
    let path = format!(
        "/apis/apps/v1/namespaces/{namespace}/{}/{name}/scale",
        workload.plural()
    );
    let live = run::get_json(client, &path).await?;
    let now = live["spec"]["replicas"].as_i64().unwrap_or(0);
    if now != i64::from(*from) {
        return Err(Stop::Conflict(format!(
            "{}/{name} now has {now} replicas (the plan saw {from})",
            workload.short()
        )));
    }
    let rv = run::str_at(&live, &["metadata", "resourceVersion"]).unwrap_or("");
    Ok(vec![run::merge_patch(
        path,
        rv,
        json!({"spec": {"replicas": replicas}}),
        req.access(),
        format!("PATCH {}/{name}/scale", workload.short()),
    )])
}

/// Done when the workload runs the new count, every replica ready.
pub fn verify(d: &ClusterData, req: &Request) -> Progress {
    let Request::Scale {
        workload,
        namespace,
        name,
        replicas,
        ..
    } = req
    else {
        return Progress::Failed("not a scale request".into());
    };
    let key = (Arc::from(namespace.as_str()), Arc::from(name.as_str()));
    let (desired, total, ready) = match workload {
        Workload::Deployment => match d.kinds.deployments.get(&key) {
            Some(x) => (x.desired, x.replicas, x.available),
            None => return Progress::Failed(format!("deploy/{name} is gone")),
        },
        Workload::StatefulSet => match d.kinds.statefulsets.get(&key) {
            Some(x) => (x.desired, x.replicas, x.ready),
            None => return Progress::Failed(format!("sts/{name} is gone")),
        },
    };
    let line = format!("{ready}/{replicas} ready, {total} running (spec {desired})");
    if desired != *replicas {
        return Progress::Waiting(format!("spec.replicas is {desired}; {line}"));
    }
    if total == *replicas && ready == *replicas {
        Progress::Done(line)
    } else {
        Progress::Waiting(line)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::app::testkit::deployment;
    use crate::cluster::kinds::Object;
    use crate::cluster::kinds::{HpaRec, Interner};

    fn hpa(ns: &str, target: &str, min: i32, max: i32, desired: i32) -> HpaRec {
        let h: crate::cluster::kinds::Hpa = serde_json::from_value(serde_json::json!({
            "metadata": {"name": target, "namespace": ns},
            "spec": {"scaleTargetRef": {"kind": "Deployment", "name": target, "apiVersion": "apps/v1"},
                "minReplicas": min, "maxReplicas": max},
            "status": {"currentReplicas": desired, "desiredReplicas": desired}
        }))
        .expect("hpa fixture");
        HpaRec::from(&h, &mut Interner::default())
    }

    fn data() -> ClusterData {
        let mut d = ClusterData::default();
        d.apply(Object::Deployment(std::sync::Arc::new(deployment(
            "ns",
            "web",
            4,
            4,
            1,
            ("True", "NewReplicaSetAvailable"),
        ))));
        d.apply(Object::Deployment(std::sync::Arc::new(deployment(
            "ns",
            "api",
            4,
            4,
            1,
            ("True", "NewReplicaSetAvailable"),
        ))));
        d.apply(Object::Hpa(std::sync::Arc::new(hpa("ns", "api", 4, 20, 6))));
        d
    }

    #[test]
    fn scaling_down_names_the_pods_that_go_and_zero_is_critical() {
        let d = data();
        let p = plan(&d, 0, WorkloadKind::Deployment, "ns", "web", 1).unwrap();
        assert_eq!(
            (p.before.as_str(), p.after.as_str()),
            ("4 replicas", "1 replicas")
        );
        assert_eq!(p.blast, "3 pods will terminate");
        assert_eq!(p.risk, Risk::High);
        assert_eq!(p.undo.as_deref(), Some("scale deploy/web back to 4"));
        let z = plan(&d, 0, WorkloadKind::Deployment, "ns", "web", 0).unwrap();
        assert_eq!(z.risk, Risk::Critical);
        assert!(z.warnings[0].contains("nothing will serve"));
        let up = plan(&d, 0, WorkloadKind::Deployment, "ns", "web", 6).unwrap();
        assert_eq!(
            (up.blast.as_str(), up.risk),
            ("2 pods will start", Risk::Medium)
        );
        assert!(
            plan(&d, 0, WorkloadKind::Deployment, "ns", "web", 4)
                .unwrap()
                .refused
                .is_some()
        );
        assert!(plan(&d, 0, WorkloadKind::Deployment, "ns", "gone", 4).is_err());
    }

    #[test]
    fn an_hpa_managed_workload_says_the_hpa_will_override() {
        let d = data();
        let p = plan(&d, 0, WorkloadKind::Deployment, "ns", "api", 2).unwrap();
        assert!(
            p.warnings[0].contains("HPA api manages api (4–20)"),
            "{:?}",
            p.warnings
        );
        assert!(
            p.warnings[0].contains("back to about 4"),
            "{:?}",
            p.warnings
        );
        assert!(
            p.warnings[1].contains("min 4 → 2, max 20 → 20"),
            "{:?}",
            p.warnings
        );
        assert_eq!(p.params["hpa"]["suggestMin"], 2);
        let big = plan(&d, 0, WorkloadKind::Deployment, "ns", "api", 30).unwrap();
        assert!(
            big.warnings[1].contains("max 20 → 30"),
            "{:?}",
            big.warnings
        );
    }

    #[test]
    fn typed_counts_are_validated() {
        assert_eq!(parse_count(" 3 "), Ok(3));
        assert!(parse_count("-1").is_err());
        assert!(parse_count("three").is_err());
        assert!(parse_count("100000").is_err());
    }
}
