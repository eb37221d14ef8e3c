//! Pause or resume a Deployment's rollout (`kubectl rollout pause|resume`).

use std::sync::Arc;

use serde_json::json;

use super::{Plan, Risk};
use crate::app::msg::CtxId;
use crate::app::store::ClusterData;

/// `pause`: true to pause, false to resume.
pub fn plan(
    d: &ClusterData,
    ctx: CtxId,
    namespace: &str,
    name: &str,
    pause: bool,
) -> Result<Plan, String> {
    let dep = d
        .deployments
        .get(&(Arc::from(namespace), Arc::from(name)))
        .ok_or_else(|| format!("deploy/{name} is gone"))?;
    let action = if pause { "pause" } else { "resume" };
    let mut p = Plan::new(action, ctx, namespace, format!("deploy/{name}"));
    p.risk = Risk::Low;
    p.before = if dep.paused { "paused" } else { "rolling" }.into();
    p.after = if pause { "paused" } else { "rolling" }.into();
    p.params = json!({"paused": pause});
    p.blast = if pause {
        "no pod changes; template changes wait until resumed".into()
    } else if dep.updated < dep.desired {
        format!(
            "the waiting rollout continues: {} of {} pods to update",
            dep.desired - dep.updated,
            dep.desired
        )
    } else {
        "no pod changes".into()
    };
    p.undo = Some(format!(
        "{} deploy/{name}",
        if pause { "resume" } else { "pause" }
    ));
    if dep.paused == pause {
        p.refused = Some(format!("deploy/{name} is already {}", p.after));
    }
    Ok(p)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::app::msg::Applied;
    use crate::app::testkit::deployment;

    #[test]
    fn pause_and_resume_say_what_waits() {
        let mut d = ClusterData::default();
        let mut dep = deployment("ns", "api", 4, 3, 2, ("True", "ReplicaSetUpdated"));
        d.apply(Applied::Deployment(dep.clone()));
        let p = plan(&d, 0, "ns", "api", true).unwrap();
        assert_eq!(
            (p.before.as_str(), p.after.as_str(), p.refused.as_deref()),
            ("rolling", "paused", None)
        );
        assert!(plan(&d, 0, "ns", "api", false).unwrap().refused.is_some());
        dep.paused = true;
        d.apply(Applied::Deployment(dep));
        let r = plan(&d, 0, "ns", "api", false).unwrap();
        assert_eq!(
            r.blast,
            "the waiting rollout continues: 3 of 4 pods to update"
        );
        assert_eq!(r.undo.as_deref(), Some("pause deploy/api"));
    }
}
