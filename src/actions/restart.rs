//! Restart a rollout (`kubectl rollout restart`): the pod template gets a new
//! `kubectl.kubernetes.io/restartedAt`, so every pod is replaced under the rollout
//! strategy. Refused on a paused Deployment (nothing would roll).

use std::sync::Arc;

use serde_json::json;

use super::run::{self, Stop, Write};
use super::{Plan, Progress, Request, Risk, Workload};
use crate::cluster::msg::CtxId;
use crate::cluster::store::ClusterData;

pub fn plan(
    d: &ClusterData,
    ctx: CtxId,
    namespace: &str,
    name: &str,
    now_rfc3339: &str,
) -> Result<Plan, String> {
    let dep = d
        .kinds
        .deployments
        .get(&(Arc::from(namespace), Arc::from(name)))
        .ok_or_else(|| format!("deploy/{name} is gone"))?;
    let mut p = Plan::new("restart", ctx, namespace, format!("deploy/{name}"));
    p.risk = Risk::Medium;
    p.before = match &dep.template.restarted_at {
        Some(t) => format!("last restarted {t}"),
        None => "never restarted by kubectl".into(),
    };
    p.after = format!("restartedAt {now_rfc3339}");
    p.blast = format!(
        "{} pod{} will be replaced, {} unavailable at a time at most",
        dep.desired,
        if dep.desired == 1 { "" } else { "s" },
        dep.rollout.max_unavailable.as_deref().unwrap_or("25%")
    );
    p.params = json!({"restartedAt": now_rfc3339});
    p.request = Some(Request::Restart {
        workload: Workload::Deployment,
        namespace: namespace.to_string(),
        name: name.to_string(),
        at: now_rfc3339.to_string(),
        previous: dep.template.restarted_at.as_deref().map(String::from),
    });
    if dep.conditions.iter().any(|c| {
        c.type_.as_ref() == "Progressing" && c.reason.as_ref() == "ProgressDeadlineExceeded"
    }) {
        p.warnings.push(format!(
            "deploy/{name}'s rollout is stalled: a restart brings back the same template — to undo a bad release, roll back"
        ));
    }
    if dep.desired == 0 {
        p.refused = Some(format!("deploy/{name} has no replicas to restart"));
    }
    if dep.paused {
        p.refused = Some(format!("deploy/{name} is paused: resume it first"));
    }
    Ok(p)
}

const RESTARTED_AT: &str = "kubectl.kubernetes.io/restartedAt";

/// The strategic merge patch `kubectl rollout restart` sends.
pub async fn writes(client: &kube::Client, req: &Request) -> Result<Vec<Write>, Stop> {
    let Request::Restart {
        workload,
        namespace,
        name,
        at,
        previous,
    } = req
    else {
        return Err(Stop::Failed("not a restart request".into()));
    };
    let path = format!(
        "/apis/apps/v1/namespaces/{namespace}/{}/{name}",
        workload.plural()
    );
    let live = run::get_json(client, &path).await?;
    let now = run::str_at(
        &live,
        &["spec", "template", "metadata", "annotations", RESTARTED_AT],
    );
    if now != previous.as_deref() {
        return Err(Stop::Conflict(format!(
            "{}/{name} was restarted at {} since the plan",
            workload.short(),
            now.unwrap_or("?")
        )));
    }
    if live["spec"]["paused"].as_bool() == Some(true) {
        return Err(Stop::Failed(format!(
            "{}/{name} is paused",
            workload.short()
        )));
    }
    let rv = run::str_at(&live, &["metadata", "resourceVersion"]).unwrap_or("");
    let patch = json!({
        "metadata": {"resourceVersion": rv},
        "spec": {"template": {"metadata": {"annotations": {RESTARTED_AT: at}}}},
    });
    Ok(vec![Write {
        method: http::Method::PATCH,
        path,
        content_type: "application/strategic-merge-patch+json",
        body: serde_json::to_vec(&patch).unwrap_or_default(),
        access: req.access(),
        dry_run: true,
        what: format!("PATCH {}/{name} (restartedAt)", workload.short()),
    }])
}

/// Done when the template carries the new restartedAt and the rollout is complete.
pub fn verify(d: &ClusterData, req: &Request) -> Progress {
    let Request::Restart {
        namespace,
        name,
        at,
        ..
    } = req
    else {
        return Progress::Failed("not a restart request".into());
    };
    let Some(dep) = d
        .kinds
        .deployments
        .get(&(Arc::from(namespace.as_str()), Arc::from(name.as_str())))
    else {
        return Progress::Failed(format!("deploy/{name} is gone"));
    };
    if dep.template.restarted_at.as_deref() != Some(at.as_str()) {
        return Progress::Waiting("the restart is not in the template yet".into());
    }
    super::rollout_progress(dep)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::app::testkit::deployment;
    use crate::cluster::kinds::Object;

    #[test]
    fn restart_replaces_every_pod_and_is_refused_when_paused() {
        let mut d = ClusterData::default();
        let mut dep = deployment("ns", "web", 3, 3, 1, ("True", "NewReplicaSetAvailable"));
        d.apply(Object::Deployment(std::sync::Arc::new(dep.clone())));
        let p = plan(&d, 0, "ns", "web", "2026-11-22T03:00:00Z").unwrap();
        assert_eq!(
            p.blast,
            "3 pods will be replaced, 25% unavailable at a time at most"
        );
        assert_eq!(p.params["restartedAt"], "2026-11-22T03:00:00Z");
        assert_eq!(p.refused, None);
        assert!(p.warnings.is_empty(), "{:?}", p.warnings);
        let stalled = deployment("ns", "web", 3, 1, 2, ("False", "ProgressDeadlineExceeded"));
        d.apply(Object::Deployment(std::sync::Arc::new(stalled)));
        let p = plan(&d, 0, "ns", "web", "2026-11-22T03:00:00Z").unwrap();
        assert!(p.warnings[0].contains("roll back"), "{:?}", p.warnings);
        dep.paused = true;
        d.apply(Object::Deployment(std::sync::Arc::new(dep)));
        let p = plan(&d, 0, "ns", "web", "2026-11-22T03:00:00Z").unwrap();
        assert!(p.refused.unwrap().contains("paused"));
    }
}
