//! Restart a rollout (`kubectl rollout restart`): the pod template gets a new
//! `kubectl.kubernetes.io/restartedAt`, so every pod is replaced under the rollout
//! strategy. Refused on a paused Deployment (nothing would roll).

use std::sync::Arc;

use serde_json::json;

use super::{Plan, Risk};
use crate::app::msg::CtxId;
use crate::app::store::ClusterData;

pub fn plan(
    d: &ClusterData,
    ctx: CtxId,
    namespace: &str,
    name: &str,
    now_rfc3339: &str,
) -> Result<Plan, String> {
    let dep = d
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
    if dep.desired == 0 {
        p.refused = Some(format!("deploy/{name} has no replicas to restart"));
    }
    if dep.paused {
        p.refused = Some(format!("deploy/{name} is paused: resume it first"));
    }
    Ok(p)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::app::msg::Applied;
    use crate::app::testkit::deployment;

    #[test]
    fn restart_replaces_every_pod_and_is_refused_when_paused() {
        let mut d = ClusterData::default();
        let mut dep = deployment("ns", "web", 3, 3, 1, ("True", "NewReplicaSetAvailable"));
        d.apply(Applied::Deployment(dep.clone()));
        let p = plan(&d, 0, "ns", "web", "2026-11-22T03:00:00Z").unwrap();
        assert_eq!(
            p.blast,
            "3 pods will be replaced, 25% unavailable at a time at most"
        );
        assert_eq!(p.params["restartedAt"], "2026-11-22T03:00:00Z");
        assert_eq!(p.refused, None);
        dep.paused = true;
        d.apply(Applied::Deployment(dep));
        let p = plan(&d, 0, "ns", "web", "2026-11-22T03:00:00Z").unwrap();
        assert!(p.refused.unwrap().contains("paused"));
    }
}
