//! Pause or resume a Deployment's rollout (`kubectl rollout pause|resume`).

use std::sync::Arc;

use serde_json::json;

use super::run::{self, Stop, Write};
use super::{Plan, Progress, Request, Risk};
use crate::cluster::msg::CtxId;
use crate::cluster::store::ClusterData;

/// `pause`: true to pause, false to resume.
pub fn plan(
    d: &ClusterData,
    ctx: CtxId,
    namespace: &str,
    name: &str,
    pause: bool,
) -> Result<Plan, String> {
    let dep = d
        .kinds
        .deployments
        .get(&(Arc::from(namespace), Arc::from(name)))
        .ok_or_else(|| format!("deploy/{name} is gone"))?;
    let action = if pause { "pause" } else { "resume" };
    let mut p = Plan::new(action, ctx, namespace, format!("deploy/{name}"));
    p.risk = Risk::Low;
    p.before = if dep.paused { "paused" } else { "rolling" }.into();
    p.after = if pause { "paused" } else { "rolling" }.into();
    p.params = json!({"paused": pause});
    p.request = Some(Request::Pause {
        namespace: namespace.to_string(),
        name: name.to_string(),
        paused: pause,
    });
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

/// The merge patch `kubectl rollout pause|resume` sends.
pub async fn writes(client: &kube::Client, req: &Request) -> Result<Vec<Write>, Stop> {
    let Request::Pause {
        namespace,
        name,
        paused,
    } = req
    else {
        return Err(Stop::Failed("not a pause request".into()));
    };
    let path = format!("/apis/apps/v1/namespaces/{namespace}/deployments/{name}");
    let live = run::get_json(client, &path).await?;
    let now = live["spec"]["paused"].as_bool().unwrap_or(false);
    if now == *paused {
        return Err(Stop::Conflict(format!(
            "deploy/{name} is already {}",
            if now { "paused" } else { "rolling" }
        )));
    }
    let rv = run::str_at(&live, &["metadata", "resourceVersion"]).unwrap_or("");
    let value = if *paused { json!(true) } else { json!(null) };
    Ok(vec![run::merge_patch(
        path,
        rv,
        json!({"spec": {"paused": value}}),
        req.access(),
        format!("PATCH deploy/{name} (paused)"),
    )])
}

pub fn verify(d: &ClusterData, req: &Request) -> Progress {
    let Request::Pause {
        namespace,
        name,
        paused,
    } = req
    else {
        return Progress::Failed("not a pause request".into());
    };
    match d
        .kinds
        .deployments
        .get(&(Arc::from(namespace.as_str()), Arc::from(name.as_str())))
    {
        None => Progress::Failed(format!("deploy/{name} is gone")),
        Some(dep) if dep.paused == *paused && dep.observed_generation >= dep.meta.generation => {
            Progress::Done(if *paused { "paused" } else { "rolling" }.into())
        }
        Some(_) => Progress::Waiting("the controller has not seen the change yet".into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::app::testkit::deployment;
    use crate::cluster::kinds::Object;

    #[test]
    fn pause_and_resume_say_what_waits() {
        let mut d = ClusterData::default();
        let mut dep = deployment("ns", "api", 4, 3, 2, ("True", "ReplicaSetUpdated"));
        d.apply(Object::Deployment(std::sync::Arc::new(dep.clone())));
        let p = plan(&d, 0, "ns", "api", true).unwrap();
        assert_eq!(
            (p.before.as_str(), p.after.as_str(), p.refused.as_deref()),
            ("rolling", "paused", None)
        );
        assert!(plan(&d, 0, "ns", "api", false).unwrap().refused.is_some());
        dep.paused = true;
        d.apply(Object::Deployment(std::sync::Arc::new(dep)));
        let r = plan(&d, 0, "ns", "api", false).unwrap();
        assert_eq!(
            r.blast,
            "the waiting rollout continues: 3 of 4 pods to update"
        );
        assert_eq!(r.undo.as_deref(), Some("pause deploy/api"));
    }
}
