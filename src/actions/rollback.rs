//! Roll a Deployment back to an earlier revision, as `kubectl rollout undo` does: the
//! plan names the revision (default: the one before the current), its images against
//! the current ones, and the pods that will be replaced; a paused Deployment is
//! refused with the reason (kubectl refuses it too).

use std::sync::Arc;

use serde_json::{Value, json};

use super::run::{self, Stop, Write};
use super::{Plan, Progress, Request, Risk};
use crate::cluster::msg::CtxId;
use crate::cluster::store::ClusterData;
use crate::fleet::history;

pub fn plan(
    d: &ClusterData,
    ctx: CtxId,
    namespace: &str,
    name: &str,
    to_revision: Option<i64>,
) -> Result<Plan, String> {
    let dep = d
        .kinds
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
    p.request = Some(Request::Rollback {
        namespace: namespace.to_string(),
        name: name.to_string(),
        to_revision: target.revision,
        from_revision: current.map(|c| c.revision),
        images: target.images.clone(),
    });
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

/// The pod template of revision `to` against the current one, as `-`/`+` lines per
/// container (image, ports, probes, requests, limits) and for the labels; empty when
/// they are the same (as far as the console knows templates).
pub fn template_diff(d: &ClusterData, namespace: &str, name: &str, to: i64) -> Vec<String> {
    let Some(dep) = d
        .kinds
        .deployments
        .get(&(Arc::from(namespace), Arc::from(name)))
    else {
        return Vec::new();
    };
    let Some(rs) = crate::cluster::kinds::in_namespace(&d.kinds.replicasets, namespace).find(|r| {
        r.revision == to
            && r.meta
                .owner
                .as_ref()
                .is_some_and(|o| o.name.as_ref() == name)
    }) else {
        return Vec::new();
    };
    diff_templates(&dep.template, &rs.template)
}

fn describe_container(c: &crate::cluster::kinds::TemplateContainer) -> Vec<String> {
    let ports: Vec<String> = c.ports.iter().map(|(_, p)| p.to_string()).collect();
    let probes: Vec<String> = c.probes.iter().map(|p| p.path.to_string()).collect();
    vec![
        format!("{} image {}", c.name, c.image),
        format!("{} ports {}", c.name, ports.join(",")),
        format!("{} probes {}", c.name, probes.join(",")),
        format!("{} requests {:?}", c.name, c.requests),
        format!("{} limits {:?}", c.name, c.limits),
    ]
}

pub fn diff_templates(
    current: &crate::cluster::kinds::Template,
    target: &crate::cluster::kinds::Template,
) -> Vec<String> {
    let lines = |t: &crate::cluster::kinds::Template| {
        let mut v: Vec<String> = t.containers.iter().flat_map(describe_container).collect();
        let labels: Vec<String> = t
            .labels
            .iter()
            .filter(|(k, _)| *k != "pod-template-hash")
            .map(|(k, v)| format!("{k}={v}"))
            .collect();
        v.push(format!("labels {}", labels.join(",")));
        v
    };
    let (a, b) = (lines(current), lines(target));
    let mut out: Vec<String> = a
        .iter()
        .filter(|l| !b.contains(l))
        .map(|l| format!("- {}", crate::util::sanitize::line(l, 160)))
        .collect();
    out.extend(
        b.iter()
            .filter(|l| !a.contains(l))
            .map(|l| format!("+ {}", crate::util::sanitize::line(l, 160))),
    );
    out
}

/// Annotations `kubectl rollout undo` keeps from the Deployment rather than copying
/// from the ReplicaSet.
const KEEP_FROM_DEPLOYMENT: &[&str] = &[
    "kubectl.kubernetes.io/last-applied-configuration",
    "deployment.kubernetes.io/revision",
    "deployment.kubernetes.io/revision-history",
    "deployment.kubernetes.io/desired-replicas",
    "deployment.kubernetes.io/max-replicas",
    "deprecated.deployment.rollback.to",
];

/// The JSON patch `kubectl rollout undo` sends: the revision's pod template (without
/// its `pod-template-hash` label) and the annotations kubectl computes — plus the
/// Deployment's resourceVersion, so a change in between is a conflict.
pub async fn writes(client: &kube::Client, req: &Request) -> Result<Vec<Write>, Stop> {
    let Request::Rollback {
        namespace,
        name,
        to_revision,
        from_revision,
        ..
    } = req
    else {
        return Err(Stop::Failed("not a rollback request".into()));
    };
    let path = format!("/apis/apps/v1/namespaces/{namespace}/deployments/{name}");
    let dep = run::get_json(client, &path).await?;
    let now: Option<i64> = run::str_at(
        &dep,
        &[
            "metadata",
            "annotations",
            "deployment.kubernetes.io/revision",
        ],
    )
    .and_then(|r| r.parse().ok());
    if from_revision.is_some() && now != *from_revision {
        return Err(Stop::Conflict(format!(
            "deploy/{name} is now at revision {} (the plan saw {})",
            now.map_or("?".into(), |n| n.to_string()),
            from_revision.map_or("?".into(), |n| n.to_string())
        )));
    }
    if dep["spec"]["paused"].as_bool() == Some(true) {
        return Err(Stop::Failed(format!(
            "deploy/{name} is paused: resume it first"
        )));
    }
    let uid = run::str_at(&dep, &["metadata", "uid"]).unwrap_or("");
    let list = run::get_json(
        client,
        &format!("/apis/apps/v1/namespaces/{namespace}/replicasets"),
    )
    .await?;
    let owned = |rs: &&Value| {
        rs["metadata"]["ownerReferences"]
            .as_array()
            .is_some_and(|o| {
                o.iter().any(|o| {
                    o["uid"].as_str() == Some(uid) && o["controller"].as_bool() == Some(true)
                })
            })
    };
    let rs = list["items"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(owned)
        .find(|rs| {
            run::str_at(
                rs,
                &[
                    "metadata",
                    "annotations",
                    "deployment.kubernetes.io/revision",
                ],
            )
            .and_then(|r| r.parse::<i64>().ok())
                == Some(*to_revision)
        })
        .ok_or_else(|| {
            Stop::Conflict(format!("revision {to_revision} of deploy/{name} is gone"))
        })?;
    let mut template = rs["spec"]["template"].clone();
    if let Some(l) = template["metadata"]["labels"].as_object_mut() {
        l.remove("pod-template-hash");
    }
    let mut annotations = serde_json::Map::new();
    for k in KEEP_FROM_DEPLOYMENT {
        if let Some(v) = dep["metadata"]["annotations"].get(*k) {
            annotations.insert((*k).to_string(), v.clone());
        }
    }
    if let Some(a) = rs["metadata"]["annotations"].as_object() {
        for (k, v) in a {
            if !KEEP_FROM_DEPLOYMENT.contains(&k.as_str()) {
                annotations.insert(k.clone(), v.clone());
            }
        }
    }
    let rv = run::str_at(&dep, &["metadata", "resourceVersion"]).unwrap_or("");
    let patch = json!([
        {"op": "replace", "path": "/metadata/resourceVersion", "value": rv},
        {"op": "replace", "path": "/spec/template", "value": template},
        {"op": "replace", "path": "/metadata/annotations", "value": annotations},
    ]);
    Ok(vec![Write {
        method: http::Method::PATCH,
        path,
        content_type: "application/json-patch+json",
        body: serde_json::to_vec(&patch).unwrap_or_default(),
        access: req.access(),
        dry_run: true,
        what: format!("PATCH deploy/{name} (template of revision {to_revision})"),
    }])
}

/// Done when the Deployment runs the revision's images and its rollout is complete.
pub fn verify(d: &ClusterData, req: &Request) -> Progress {
    let Request::Rollback {
        namespace,
        name,
        images,
        ..
    } = req
    else {
        return Progress::Failed("not a rollback request".into());
    };
    let Some(dep) = d
        .kinds
        .deployments
        .get(&(Arc::from(namespace.as_str()), Arc::from(name.as_str())))
    else {
        return Progress::Failed(format!("deploy/{name} is gone"));
    };
    let now = crate::util::sanitize::line(&dep.template.images().join(","), 200);
    if &now != images {
        return Progress::Waiting(format!("template still runs {now}"));
    }
    super::rollout_progress(dep)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::app::testkit::{deployment, replicaset};
    use crate::cluster::kinds::Object;

    fn data(paused: bool) -> ClusterData {
        let mut d = ClusterData::default();
        let mut dep = deployment("ns", "api", 4, 3, 3, ("False", "ProgressDeadlineExceeded"));
        dep.paused = paused;
        d.apply(Object::Deployment(std::sync::Arc::new(dep)));
        for (rev, rs) in [(1, "api-a"), (2, "api-b"), (3, "api-c")] {
            d.apply(Object::ReplicaSet(std::sync::Arc::new(replicaset(
                "ns", rs, "api", rev, 1,
            ))));
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
    fn the_template_diff_names_what_the_rollback_changes() {
        let d = data(false);
        let diff = template_diff(&d, "ns", "api", 2);
        assert!(diff.contains(&"- app image img:3".to_string()), "{diff:?}");
        assert!(diff.contains(&"+ app image img:2".to_string()), "{diff:?}");
        assert!(template_diff(&d, "ns", "api", 9).is_empty());
    }

    #[test]
    fn a_paused_deployment_is_refused_with_the_reason() {
        let p = plan(&data(true), 0, "ns", "api", None).unwrap();
        assert!(p.refused.as_deref().unwrap().contains("is paused"), "{p:?}");
    }
}
