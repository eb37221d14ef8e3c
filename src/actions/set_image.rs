//! Set one container's image in a Deployment, as `kubectl set image
//! deployment/NAME CONTAINER=IMAGE` does: the plan names the container's image before
//! → after with the pod template's diff (the rollback picker's), and warns of what the
//! rollout will meet (a pause, an HPA, a rollout already under way or stalled, a
//! `latest` or missing tag, a change-cause the new revision inherits; PodDisruption-
//! Budgets are added by the flow, as for every rollout). The write is a JSON patch
//! that tests the container's name and old image and carries the resourceVersion.
//! Like kubectl without `--record`, it records no change-cause. Undone by rolling
//! back to the revision that was current before it.

use std::sync::Arc;

use serde_json::{Value, json};

use super::run::{self, Stop, Write};
use super::{Plan, Progress, Request, Risk, Workload};
use crate::cluster::kinds::{DeploymentRec, PodRec, Template};
use crate::cluster::msg::CtxId;
use crate::cluster::store::ClusterData;
use crate::fleet::workloads::WorkloadKind;

/// Longest image reference accepted (the registry's limit on a repository name).
pub const MAX_IMAGE: usize = 255;

const CHANGE_CAUSE: &str = "kubernetes.io/change-cause";

/// An image reference, as typed: `[registry[:port]/]path[:tag][@digest]`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ImageRef {
    pub repository: String,
    pub tag: Option<String>,
    pub digest: Option<String>,
}

fn alnum_lower(c: char) -> bool {
    c.is_ascii_lowercase() || c.is_ascii_digit()
}

/// A path component: lowercase letters and digits, joined by `.`, `_`, `__` or dashes.
fn path_component(p: &str) -> Result<(), String> {
    let b: Vec<char> = p.chars().collect();
    let (Some(first), Some(last)) = (b.first(), b.last()) else {
        return Err("an empty path component (`//` or a trailing `/`)".into());
    };
    if b.iter().any(|c| c.is_ascii_uppercase()) {
        return Err(format!("{p:?}: the repository path must be lowercase"));
    }
    if !alnum_lower(*first) || !alnum_lower(*last) {
        return Err(format!(
            "{p:?}: a path component starts and ends with a letter or digit"
        ));
    }
    let mut i = 0;
    while i < b.len() {
        if alnum_lower(b[i]) {
            i += 1;
            continue;
        }
        // A separator: `.`, `_`, `__` or any run of `-`.
        let start = i;
        while i < b.len() && !alnum_lower(b[i]) {
            i += 1;
        }
        let sep: String = b[start..i].iter().collect();
        if !(sep == "." || sep == "_" || sep == "__" || sep.chars().all(|c| c == '-')) {
            return Err(format!(
                "{p:?}: {sep:?} is not allowed in a repository path"
            ));
        }
    }
    Ok(())
}

/// A registry host (`registry.example.com`, `localhost:5000`).
fn domain(d: &str) -> Result<(), String> {
    let (host, port) = match d.rsplit_once(':') {
        Some((h, p)) => (h, Some(p)),
        None => (d, None),
    };
    if let Some(p) = port
        && (p.is_empty() || !p.chars().all(|c| c.is_ascii_digit()))
    {
        return Err(format!("{d:?}: the registry's port is not a number"));
    }
    let ok = |c: &str| {
        !c.is_empty()
            && !c.starts_with('-')
            && !c.ends_with('-')
            && c.chars().all(|x| x.is_ascii_alphanumeric() || x == '-')
    };
    if host.split('.').all(ok) {
        Ok(())
    } else {
        Err(format!("{d:?} is not a registry host name"))
    }
}

/// Parses what the person typed as an image reference (surrounding spaces dropped).
pub fn parse_image(typed: &str) -> Result<ImageRef, String> {
    let t = typed.trim();
    if t.is_empty() {
        return Err("type an image, e.g. flagwise/api:v1.1.0".into());
    }
    if t.chars().any(|c| c.is_control()) {
        return Err("an image has no control characters".into());
    }
    if t.chars().any(char::is_whitespace) {
        return Err("an image has no spaces".into());
    }
    if t.len() > MAX_IMAGE {
        return Err(format!("an image is at most {MAX_IMAGE} characters"));
    }
    let (rest, digest) = match t.split_once('@') {
        Some((r, d)) => (r, Some(d)),
        None => (t, None),
    };
    if let Some(d) = digest {
        let Some((algo, hex)) = d.split_once(':') else {
            return Err(format!("{d:?} is not a digest (algorithm:hex)"));
        };
        let algo_ok = algo.chars().next().is_some_and(|c| c.is_ascii_alphabetic())
            && algo
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "+._-".contains(c));
        if !algo_ok || hex.len() < 32 || !hex.chars().all(|c| c.is_ascii_hexdigit()) {
            return Err(format!("{d:?} is not a digest (algorithm:hex)"));
        }
    }
    // A tag is after the last `:` that follows the last `/` (else it is a port).
    let slash = rest.rfind('/').map_or(0, |i| i + 1);
    let (name, tag) = match rest[slash..].rfind(':') {
        Some(i) => (&rest[..slash + i], Some(&rest[slash + i + 1..])),
        None => (rest, None),
    };
    if let Some(tag) = tag {
        let ok = tag.len() <= 128
            && tag
                .chars()
                .next()
                .is_some_and(|c| c.is_ascii_alphanumeric() || c == '_')
            && tag
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "_.-".contains(c));
        if !ok {
            return Err(format!("{tag:?} is not a tag"));
        }
    }
    let parts: Vec<&str> = name.split('/').collect();
    // The first part names a registry when it looks like a host. (Docker also takes
    // a first part with capitals as a host; `Flagwise/api` is far likelier a typo of
    // a repository than a registry named so, and is refused as not lowercase.)
    let path = match parts.as_slice() {
        [first, rest @ ..]
            if !rest.is_empty()
                && (first.contains('.') || first.contains(':') || *first == "localhost") =>
        {
            domain(first)?;
            rest
        }
        all => all,
    };
    for p in path {
        path_component(p)?;
    }
    Ok(ImageRef {
        repository: name.to_string(),
        tag: tag.map(String::from),
        digest: digest.map(String::from),
    })
}

fn deployment<'a>(d: &'a ClusterData, namespace: &str, name: &str) -> Option<&'a DeploymentRec> {
    d.kinds
        .deployments
        .get(&(Arc::from(namespace), Arc::from(name)))
        .map(|d| &**d)
}

/// The names of the containers in a Deployment's pod template.
pub fn containers(d: &ClusterData, namespace: &str, name: &str) -> Vec<(String, String)> {
    deployment(d, namespace, name)
        .map(|dep| {
            dep.template
                .containers
                .iter()
                .map(|c| (c.name.to_string(), c.image.to_string()))
                .collect()
        })
        .unwrap_or_default()
}

/// Plans setting `container`'s image to `image` (typed) in `deploy/name`. An error is
/// for the person to correct where they typed (no such container, not an image, the
/// image it already runs).
pub fn plan(
    d: &ClusterData,
    ctx: CtxId,
    namespace: &str,
    name: &str,
    container: &str,
    image: &str,
) -> Result<Plan, String> {
    let dep = deployment(d, namespace, name).ok_or_else(|| format!("deploy/{name} is gone"))?;
    let c = dep
        .template
        .containers
        .iter()
        .find(|c| c.name.as_ref() == container)
        .ok_or_else(|| format!("deploy/{name} has no container {container:?}"))?;
    let parsed = parse_image(image)?;
    let image = image.trim();
    let from = c.image.to_string();
    if from == image {
        return Err(format!(
            "{container} already runs {image}: type the new image"
        ));
    }
    let revision = dep.revision();
    let mut p = Plan::new("set-image", ctx, namespace, format!("deploy/{name}"));
    // New code in production, like a roll back: the typed name where protected.
    p.risk = Risk::High;
    p.before = match revision {
        Some(r) => format!("{container}={from} (revision {r})"),
        None => format!("{container}={from}"),
    };
    p.after = format!("{container}={image} (a new revision)");
    let pods = format!(
        "{} pod{} will be replaced, {} unavailable at a time at most",
        dep.desired,
        if dep.desired == 1 { "" } else { "s" },
        dep.rollout.max_unavailable.as_deref().unwrap_or("25%")
    );
    p.blast = if dep.paused {
        format!("nothing rolls out while paused; once resumed, {pods}")
    } else {
        pods
    };
    let mut next: Template = dep.template.clone();
    for x in next.containers.iter_mut() {
        if x.name.as_ref() == container {
            x.image = Arc::from(image);
        }
    }
    p.diff = super::rollback::diff_templates(&dep.template, &next);
    p.params =
        json!({"container": container, "image": image, "from": &from, "fromRevision": revision});
    p.request = Some(Request::SetImage {
        workload: Workload::Deployment,
        namespace: namespace.to_string(),
        name: name.to_string(),
        container: container.to_string(),
        image: image.to_string(),
        from,
        from_revision: revision,
    });
    p.undo = revision.map(|r| format!("roll deploy/{name} back to revision {r}"));
    p.warnings = warnings(d, dep, &parsed);
    Ok(p)
}

/// What the rollout of a new image will meet.
fn warnings(d: &ClusterData, dep: &DeploymentRec, image: &ImageRef) -> Vec<String> {
    let name = &dep.meta.name;
    let mut w = Vec::new();
    if dep.paused {
        w.push(format!(
            "deploy/{name} is paused: the new image will not roll out until it is resumed"
        ));
    }
    if dep.conditions.iter().any(|c| {
        c.type_.as_ref() == "Progressing" && c.reason.as_ref() == "ProgressDeadlineExceeded"
    }) {
        w.push(format!(
            "deploy/{name}'s rollout is stalled (ProgressDeadlineExceeded): this starts another over it"
        ));
    } else if let Progress::Waiting(line) = super::rollout_progress(dep) {
        w.push(format!(
            "deploy/{name} is still rolling out ({line}): this replaces that rollout's template"
        ));
    }
    if let Some(h) = d.kinds.hpas.values().find(|h| {
        h.meta.namespace == dep.meta.namespace
            && h.target_kind.as_ref() == "Deployment"
            && h.target_name.as_ref() == name.as_ref()
    }) {
        w.push(format!(
            "HPA {} ({}–{}) scales it: the replica count is unaffected",
            h.meta.name, h.min, h.max
        ));
    }
    match (&image.tag, &image.digest) {
        (_, Some(_)) => {}
        (Some(t), None) if t == "latest" => w.push(
            "the tag is latest: which image runs can change under the same name (pin a version)"
                .into(),
        ),
        (None, None) => w.push(
            "no tag: it means latest, which can change under the same name (pin a version)".into(),
        ),
        _ => {}
    }
    if let Some(cc) = dep.meta.annotation(CHANGE_CAUSE) {
        w.push(format!(
            "the new revision's change-cause stays {:?} (kubectl set image does not update it)",
            crate::util::sanitize::line(cc, 80)
        ));
    }
    w
}

/// Where `container` is in the live Deployment's template, if it still runs `from`
/// (else the conflict: what is there now).
pub fn check_live(live: &Value, name: &str, container: &str, from: &str) -> Result<usize, Stop> {
    let list = live["spec"]["template"]["spec"]["containers"]
        .as_array()
        .map(Vec::as_slice)
        .unwrap_or_default();
    let Some(i) = list
        .iter()
        .position(|c| c["name"].as_str() == Some(container))
    else {
        return Err(Stop::Conflict(format!(
            "deploy/{name} no longer has a container {container:?}"
        )));
    };
    let now = list[i]["image"].as_str().unwrap_or("");
    if now != from {
        return Err(Stop::Conflict(format!(
            "{container} of deploy/{name} now runs {} (the plan saw {from})",
            crate::util::sanitize::line(now, 200)
        )));
    }
    Ok(i)
}

/// The JSON patch: the container at `i` is still `container` running `from`, the
/// object is still at `rv`, and only that image changes.
pub fn patch(rv: &str, i: usize, container: &str, from: &str, image: &str) -> Value {
    let at = format!("/spec/template/spec/containers/{i}");
    json!([
        {"op": "test", "path": format!("{at}/name"), "value": container},
        {"op": "test", "path": format!("{at}/image"), "value": from},
        {"op": "replace", "path": "/metadata/resourceVersion", "value": rv},
        {"op": "replace", "path": format!("{at}/image"), "value": image},
    ])
}

/// Re-reads the Deployment and builds the patch, if its container still runs `from`.
pub async fn writes(client: &kube::Client, req: &Request) -> Result<Vec<Write>, Stop> {
    let Request::SetImage {
        workload,
        namespace,
        name,
        container,
        image,
        from,
        ..
    } = req
    else {
        return Err(Stop::Failed("not a set-image request".into()));
    };
    let path = format!(
        "/apis/apps/v1/namespaces/{namespace}/{}/{name}",
        workload.plural()
    );
    let live = run::get_json(client, &path).await?;
    let i = check_live(&live, name, container, from)?;
    let rv = run::str_at(&live, &["metadata", "resourceVersion"]).unwrap_or("");
    Ok(vec![Write {
        method: http::Method::PATCH,
        path,
        content_type: "application/json-patch+json",
        body: serde_json::to_vec(&patch(rv, i, container, from, image)).unwrap_or_default(),
        access: req.access(),
        dry_run: true,
        what: format!("PATCH {}/{name} ({container} image)", workload.short()),
    }])
}

/// Done when the template runs the new image, the rollout is complete and every pod
/// left runs it, ready (for a paused Deployment: once the controller has seen the
/// template; it rolls out when resumed).
pub fn verify(d: &ClusterData, req: &Request) -> Progress {
    let Request::SetImage {
        namespace,
        name,
        container,
        image,
        ..
    } = req
    else {
        return Progress::Failed("not a set-image request".into());
    };
    let Some(dep) = deployment(d, namespace, name) else {
        return Progress::Failed(format!("deploy/{name} is gone"));
    };
    let now = dep
        .template
        .containers
        .iter()
        .find(|c| c.name.as_ref() == container.as_str())
        .map(|c| c.image.to_string());
    if now.as_deref() != Some(image.as_str()) {
        return Progress::Waiting(format!(
            "the template still runs {container}={}",
            now.unwrap_or_else(|| "?".into())
        ));
    }
    if dep.paused {
        return if dep.observed_generation >= dep.meta.generation {
            Progress::Done(format!(
                "in the template; it rolls out when deploy/{name} is resumed"
            ))
        } else {
            Progress::Waiting("the controller has not seen the change yet".into())
        };
    }
    let line = match super::rollout_progress(dep) {
        Progress::Done(line) => line,
        other => return other,
    };
    let runs = |p: &PodRec| {
        p.containers
            .iter()
            .any(|c| c.name.as_ref() == container.as_str() && c.image.as_ref() == image.as_str())
    };
    let live: Vec<&PodRec> =
        crate::fleet::workloads::pods_of(d, WorkloadKind::Deployment, namespace, name)
            .into_iter()
            // Terminating and finished (evicted) pods are no longer part of it.
            .filter(|p| !p.deleting && !matches!(p.phase.as_ref(), "Succeeded" | "Failed"))
            .collect();
    let new_ready = live.iter().filter(|p| runs(p) && p.ready).count();
    let old = live.iter().filter(|p| !runs(p)).count();
    if old > 0 || new_ready < usize::try_from(dep.desired).unwrap_or(0) {
        return Progress::Waiting(format!(
            "{line}; pods: {new_ready} ready on the new image, {old} on another"
        ));
    }
    Progress::Done(format!("{line}; every pod runs {image}"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::app::testkit::{deployment as dep_fixture, pod, replicaset};
    use crate::cluster::kinds::{HpaRec, Interner, Object};

    fn data() -> ClusterData {
        let mut d = ClusterData::default();
        d.apply(Object::Deployment(std::sync::Arc::new(dep_fixture(
            "ns",
            "api",
            2,
            2,
            2,
            ("True", "NewReplicaSetAvailable"),
        ))));
        d.apply(Object::ReplicaSet(std::sync::Arc::new(replicaset(
            "ns", "api-b", "api", 2, 2,
        ))));
        d
    }

    fn two_containers() -> ClusterData {
        let mut d = ClusterData::default();
        let x: crate::cluster::kinds::Deployment = serde_json::from_value(json!({
            "metadata": {"name": "web", "namespace": "ns", "generation": 3,
                "annotations": {"deployment.kubernetes.io/revision": "4", CHANGE_CAUSE: "kubectl set image deployment/web app=web:v1"}},
            "spec": {"replicas": 3, "paused": true, "selector": {"matchLabels": {"app": "web"}},
                "template": {"metadata": {"labels": {"app": "web"}}, "spec": {"containers": [
                    {"name": "app", "image": "web:v1", "ports": [{"containerPort": 80}]},
                    {"name": "proxy", "image": "envoy:1.30"}]}}},
            "status": {"observedGeneration": 3, "replicas": 3, "updatedReplicas": 3, "readyReplicas": 3, "availableReplicas": 3,
                "conditions": [{"type": "Progressing", "status": "True", "reason": "NewReplicaSetAvailable"}]}
        }))
        .expect("deployment");
        d.apply(Object::Deployment(std::sync::Arc::new(
            DeploymentRec::from(&x, &mut Interner::default()),
        )));
        let h: crate::cluster::kinds::Hpa = serde_json::from_value(json!({
            "metadata": {"name": "web", "namespace": "ns"},
            "spec": {"scaleTargetRef": {"kind": "Deployment", "name": "web", "apiVersion": "apps/v1"},
                "minReplicas": 3, "maxReplicas": 9},
            "status": {"currentReplicas": 3, "desiredReplicas": 3}
        }))
        .expect("hpa");
        d.apply(Object::Hpa(std::sync::Arc::new(HpaRec::from(
            &h,
            &mut Interner::default(),
        ))));
        d
    }

    #[test]
    fn image_references_are_checked_before_anything_is_planned() {
        for ok in [
            "flagwise/api:v1.1.0",
            "nginx",
            "registry.example.com:5000/team/app:1.2_rc-3",
            "localhost/app@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
            "ghcr.io/my-org/app:v1",
            "Registry.Example.com/app:v1",
            "a__b/c-d--e/f.g:T1",
            "  web:v2  ",
        ] {
            assert!(parse_image(ok).is_ok(), "{ok}: {:?}", parse_image(ok));
        }
        let r = parse_image("registry.example.com:5000/team/app").unwrap();
        assert_eq!(
            (r.repository.as_str(), r.tag),
            ("registry.example.com:5000/team/app", None)
        );
        let r = parse_image("web:v2@sha256:0123456789abcdef0123456789abcdef").unwrap();
        assert_eq!(r.tag.as_deref(), Some("v2"));
        assert!(r.digest.is_some());
        for (bad, why) in [
            ("", "type an image"),
            ("   ", "type an image"),
            ("web :v2", "no spaces"),
            ("web:v2\u{1b}[31m", "control"),
            ("web\tv2", "control"),
            ("Flagwise/api:v1", "lowercase"),
            ("flagwise/API:v1", "lowercase"),
            ("web:", "not a tag"),
            ("web:-x", "not a tag"),
            ("web:v1:v2", "not allowed"),
            ("ghcr.io/My-Org/app:v1", "lowercase"),
            ("web@sha256:abc", "not a digest"),
            ("web@v1", "not a digest"),
            ("team//web:v1", "empty path component"),
            ("web/:v1", "empty path component"),
            ("-web:v1", "starts and ends"),
            ("we%b:v1", "not allowed"),
            ("my_reg.io:port/web", "port is not a number"),
        ] {
            let e = parse_image(bad).expect_err(bad);
            assert!(e.contains(why), "{bad:?}: {e}");
        }
        let long = format!("{}:v1", "a".repeat(MAX_IMAGE));
        assert!(parse_image(&long).unwrap_err().contains("at most 255"));
        let max = "a".repeat(MAX_IMAGE);
        assert!(parse_image(&max).is_ok());
    }

    #[test]
    fn a_plan_names_the_container_its_images_and_the_template_diff() {
        let d = data();
        let p = plan(&d, 0, "ns", "api", "app", " img:3 ").unwrap();
        assert_eq!(p.action, "set-image");
        assert_eq!(p.target, "deploy/api");
        assert_eq!(p.before, "app=img:2 (revision 2)");
        assert_eq!(p.after, "app=img:3 (a new revision)");
        assert_eq!(
            p.blast,
            "2 pods will be replaced, 25% unavailable at a time at most"
        );
        assert_eq!(p.risk, Risk::High);
        // The same lines as the rollback picker's diff, and nothing else.
        assert_eq!(p.diff, vec!["- app image img:2", "+ app image img:3"]);
        assert_eq!(
            p.undo.as_deref(),
            Some("roll deploy/api back to revision 2")
        );
        assert!(p.warnings.is_empty(), "{:?}", p.warnings);
        assert_eq!(p.refused, None);
        assert_eq!(
            p.request,
            Some(Request::SetImage {
                workload: Workload::Deployment,
                namespace: "ns".into(),
                name: "api".into(),
                container: "app".into(),
                image: "img:3".into(),
                from: "img:2".into(),
                from_revision: Some(2),
            })
        );
        assert_eq!(
            p.request.as_ref().map(|r| r.access().describe()),
            Some("patch deployments".into())
        );
    }

    #[test]
    fn what_cannot_be_planned_says_why() {
        let d = data();
        let e = plan(&d, 0, "ns", "api", "sidecar", "img:3").unwrap_err();
        assert!(e.contains("no container \"sidecar\""), "{e}");
        let e = plan(&d, 0, "ns", "api", "app", "img:2").unwrap_err();
        assert!(e.contains("already runs img:2"), "{e}");
        let e = plan(&d, 0, "ns", "api", "app", "IMG:3").unwrap_err();
        assert!(e.contains("lowercase"), "{e}");
        assert!(plan(&d, 0, "ns", "gone", "app", "img:3").is_err());
    }

    #[test]
    fn the_warnings_say_what_the_rollout_will_meet() {
        let d = two_containers();
        let p = plan(&d, 0, "ns", "web", "proxy", "envoy").unwrap();
        let all = p.warnings.join("\n");
        assert!(all.contains("deploy/web is paused"), "{all}");
        assert!(
            p.blast.starts_with("nothing rolls out while paused"),
            "{}",
            p.blast
        );
        assert!(
            all.contains("HPA web (3–9) scales it: the replica count is unaffected"),
            "{all}"
        );
        assert!(all.contains("no tag: it means latest"), "{all}");
        assert!(
            all.contains("change-cause stays \"kubectl set image deployment/web app=web:v1\""),
            "{all}"
        );
        // Only the chosen container's line changes.
        assert_eq!(
            p.diff,
            vec!["- proxy image envoy:1.30", "+ proxy image envoy"]
        );
        let latest = plan(&d, 0, "ns", "web", "proxy", "envoy:latest").unwrap();
        assert!(latest.warnings.iter().any(|w| w.contains("tag is latest")));
        let pinned = plan(
            &d,
            0,
            "ns",
            "web",
            "proxy",
            "envoy@sha256:0123456789abcdef0123456789abcdef",
        )
        .unwrap();
        assert!(!pinned.warnings.iter().any(|w| w.contains("latest")));
        // A stalled and a progressing rollout, each said.
        let mut d = ClusterData::default();
        d.apply(Object::Deployment(std::sync::Arc::new(dep_fixture(
            "ns",
            "api",
            4,
            2,
            3,
            ("False", "ProgressDeadlineExceeded"),
        ))));
        let p = plan(&d, 0, "ns", "api", "app", "img:4").unwrap();
        assert!(
            p.warnings.iter().any(|w| w.contains("stalled")),
            "{:?}",
            p.warnings
        );
        d.apply(Object::Deployment(std::sync::Arc::new(dep_fixture(
            "ns",
            "api",
            4,
            2,
            3,
            ("True", "ReplicaSetUpdated"),
        ))));
        let p = plan(&d, 0, "ns", "api", "app", "img:4").unwrap();
        assert!(
            p.warnings
                .iter()
                .any(|w| w.contains("still rolling out (1/4 updated")),
            "{:?}",
            p.warnings
        );
    }

    #[test]
    fn the_live_object_must_still_run_what_the_plan_saw() {
        let live = json!({"metadata": {"resourceVersion": "7"}, "spec": {"template": {"spec": {"containers": [
            {"name": "proxy", "image": "envoy:1.30"}, {"name": "app", "image": "web:v1"}]}}}});
        assert_eq!(check_live(&live, "web", "app", "web:v1"), Ok(1));
        match check_live(&live, "web", "app", "web:v0") {
            Err(Stop::Conflict(why)) => {
                assert!(
                    why.contains("now runs web:v1 (the plan saw web:v0)"),
                    "{why}"
                )
            }
            other => panic!("{other:?}"),
        }
        assert!(matches!(
            check_live(&live, "web", "gone", "x"),
            Err(Stop::Conflict(w)) if w.contains("no longer has a container")
        ));
        // The patch tests what the plan saw and changes one image, at that rv.
        let ops = patch("7", 1, "app", "web:v1", "web:v2");
        let mut doc = live.clone();
        crate::sim::patch::json_patch(&mut doc, &ops).expect("applies");
        assert_eq!(
            doc["spec"]["template"]["spec"]["containers"][1]["image"],
            "web:v2"
        );
        assert_eq!(
            doc["spec"]["template"]["spec"]["containers"][0]["image"],
            "envoy:1.30"
        );
        let mut moved = live.clone();
        moved["spec"]["template"]["spec"]["containers"][1]["image"] = json!("web:v9");
        assert!(crate::sim::patch::json_patch(&mut moved, &ops).is_err());
    }

    #[test]
    fn verified_once_every_pod_runs_the_new_image_ready() {
        let set = |name: &str, image: &str| Request::SetImage {
            workload: Workload::Deployment,
            namespace: "shop".into(),
            name: name.into(),
            container: "app".into(),
            image: image.into(),
            from: "img:0".into(),
            from_revision: Some(0),
        };
        let req = set("web", "img:1");
        let mut d = crate::app::testkit::fleet_data();
        // deploy/web runs img:1, 2/2 rolled out, both pods on img:1 and ready.
        assert!(
            matches!(verify(&d, &req), Progress::Done(ref l) if l.contains("every pod runs img:1")),
            "{:?}",
            verify(&d, &req)
        );
        // An evicted pod on the old image does not hold it back.
        let mut evicted = pod("shop", "web-aaa-0", "web-aaa", None, 0);
        evicted.containers[0].image = Arc::from("img:0");
        evicted.phase = Arc::from("Failed");
        d.apply(Object::Pod(std::sync::Arc::new(evicted)));
        assert!(matches!(verify(&d, &req), Progress::Done(_)));
        // A pod still on another image: not yet.
        let mut p = pod("shop", "web-aaa-3", "web-aaa", None, 0);
        p.containers[0].image = Arc::from("img:0");
        d.apply(Object::Pod(std::sync::Arc::new(p)));
        assert!(
            matches!(verify(&d, &req), Progress::Waiting(ref l) if l.contains("1 on another")),
            "{:?}",
            verify(&d, &req)
        );
        // The template not changed yet.
        let other = set("web", "img:9");
        assert!(
            matches!(verify(&d, &other), Progress::Waiting(ref l) if l.contains("still runs app=img:1"))
        );
        let gone = set("nope", "img:1");
        assert!(matches!(verify(&d, &gone), Progress::Failed(_)));
    }
}
