//! Roll a Deployment back to an earlier revision, as `kubectl rollout undo` does: the
//! plan names the revision (default: the one before the current), its images against
//! the current ones, and the pods that will be replaced; a paused Deployment is
//! refused with the reason (kubectl refuses it too).

use std::sync::Arc;

use serde_json::json;

use super::{Plan, Risk};
use crate::app::msg::CtxId;
use crate::app::store::ClusterData;
use crate::fleet::history;

pub fn plan(
    d: &ClusterData,
    ctx: CtxId,
    namespace: &str,
    name: &str,
    to_revision: Option<i64>,
) -> Result<Plan, String> {
    let dep = d
        .deployments
        .get(&(Arc::from(namespace), Arc::from(name)))
        .ok_or_else(|| format!("deploy/{name} is gone"))?;
    let revs = history::of(d, namespace, name);
    let current = revs.iter().find(|r| r.current);
    let mut p = Plan::new("rollback", ctx, namespace, format!("deploy/{name}"));
    p.risk = Risk::High;
    let target = match to_revision {
        Some(n) => revs.iter().find(|r| r.revision == n),
        None => revs.iter().find(|r| !r.current),
    };
    let Some(target) = target else {
        return Err(match to_revision {
            Some(n) => format!("deploy/{name} has no revision {n}"),
            None => format!("deploy/{name} has no earlier revision to roll back to"),
        });
    };
    p.before = match current {
        Some(c) => format!("revision {} ({})", c.revision, c.images),
        None => format!("current template ({})", dep.template.images().join(",")),
    };
    p.after = format!(
        "revision {} ({}) — {}",
        target.revision, target.images, target.change_cause
    );
    p.blast = format!(
        "{} pod{} will be replaced, {} at a time at most",
        dep.desired,
        if dep.desired == 1 { "" } else { "s" },
        dep.rollout.max_unavailable.as_deref().unwrap_or("25%")
    );
    p.params = json!({"toRevision": target.revision, "replicaset": &*target.replicaset});
    if let Some(c) = current {
        p.undo = Some(format!(
            "roll deploy/{name} back to revision {}",
            c.revision
        ));
        if c.images == target.images {
            p.warnings.push(format!(
                "revision {} runs the same images as the current one: only other template changes are undone",
                target.revision
            ));
        }
    }
    if target.current {
        p.refused = Some(format!("revision {} is already current", target.revision));
    }
    if dep.paused {
        p.refused = Some(format!(
            "deploy/{name} is paused: resume it first (a paused Deployment does not roll out)"
        ));
    }
    Ok(p)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::app::msg::Applied;
    use crate::app::testkit::{deployment, replicaset};

    fn data(paused: bool) -> ClusterData {
        let mut d = ClusterData::default();
        let mut dep = deployment("ns", "api", 4, 3, 3, ("False", "ProgressDeadlineExceeded"));
        dep.paused = paused;
        d.apply(Applied::Deployment(dep));
        for (rev, rs) in [(1, "api-a"), (2, "api-b"), (3, "api-c")] {
            d.apply(Applied::ReplicaSet(replicaset("ns", rs, "api", rev, 1)));
        }
        d
    }

    #[test]
    fn undo_goes_to_the_previous_revision_and_names_what_changes() {
        let p = plan(&data(false), 0, "ns", "api", None).unwrap();
        assert_eq!(p.before, "revision 3 (img:3)");
        assert_eq!(p.after, "revision 2 (img:2) — rev 2");
        assert_eq!(p.blast, "4 pods will be replaced, 25% at a time at most");
        assert_eq!(p.params["toRevision"], 2);
        assert_eq!(
            p.undo.as_deref(),
            Some("roll deploy/api back to revision 3")
        );
        assert_eq!(p.refused, None);
        let one = plan(&data(false), 0, "ns", "api", Some(1)).unwrap();
        assert_eq!(one.params["replicaset"], "api-a");
        assert!(plan(&data(false), 0, "ns", "api", Some(9)).is_err());
        assert!(
            plan(&data(false), 0, "ns", "api", Some(3))
                .unwrap()
                .refused
                .is_some()
        );
    }

    #[test]
    fn a_paused_deployment_is_refused_with_the_reason() {
        let p = plan(&data(true), 0, "ns", "api", None).unwrap();
        assert!(p.refused.as_deref().unwrap().contains("is paused"), "{p:?}");
    }
}
