//! Materialises workloads in a lived-in steady state, as if the cluster had been
//! running for weeks: nodes, Deployments with their ReplicaSet history and running
//! pods, StatefulSets, and finished Jobs with their pods.

use jiff::{SignedDuration, Timestamp};
use serde_json::{Value, json};

use crate::sim::clock::fmt_ts;
use crate::sim::controllers::{cronjob, deployment, pod};
use crate::sim::defaults;
use crate::sim::kinds::Kind;
use crate::sim::obj;
use crate::sim::store::Store;

fn err(e: impl std::fmt::Display) -> anyhow::Error {
    anyhow::anyhow!("{e}")
}

/// A Ready node `sim-node-{i+1}`.
pub fn node(i: usize, created: Timestamp) -> Value {
    let t = fmt_ts(created);
    json!({
        "metadata": {"name": format!("sim-node-{}", i + 1), "creationTimestamp": t,
            "labels": {"kubernetes.io/hostname": format!("sim-node-{}", i + 1), "kubernetes.io/os": "linux",
                "node.kubernetes.io/instance-type": "m6i.2xlarge", "topology.kubernetes.io/zone": format!("eu-west-1{}", ["a", "b", "c"][i % 3])}},
        "spec": {"podCIDR": format!("10.244.{i}.0/24")},
        "status": {
            "capacity": {"cpu": "8", "memory": "32734548Ki", "pods": "110"},
            "allocatable": {"cpu": "7910m", "memory": "31584212Ki", "pods": "110"},
            "conditions": [
                {"type": "MemoryPressure", "status": "False", "reason": "KubeletHasSufficientMemory", "lastHeartbeatTime": t, "lastTransitionTime": t},
                {"type": "DiskPressure", "status": "False", "reason": "KubeletHasNoDiskPressure", "lastHeartbeatTime": t, "lastTransitionTime": t},
                {"type": "PIDPressure", "status": "False", "reason": "KubeletHasSufficientPID", "lastHeartbeatTime": t, "lastTransitionTime": t},
                {"type": "Ready", "status": "True", "reason": "KubeletReady", "message": "kubelet is posting ready status", "lastHeartbeatTime": t, "lastTransitionTime": t}
            ],
            "addresses": [{"type": "InternalIP", "address": format!("192.168.49.{}", i + 2)}, {"type": "Hostname", "address": format!("sim-node-{}", i + 1)}],
            "nodeInfo": {"kubeletVersion": "v1.32.4", "kubeProxyVersion": "v1.32.4", "osImage": "Bottlerocket OS 1.26.1",
                "kernelVersion": "6.1.112", "containerRuntimeVersion": "containerd://1.7.22", "operatingSystem": "linux", "architecture": "amd64"}
        }
    })
}

fn image_id(image: &str) -> String {
    let h = image.bytes().fold(0xcbf29ce484222325u64, |a, b| {
        (a ^ b as u64).wrapping_mul(0x100000001b3)
    });
    format!(
        "docker.io/{}@sha256:{h:016x}{:016x}{:016x}{:016x}",
        image.split(':').next().unwrap_or(image),
        h.rotate_left(9),
        h.rotate_left(21),
        h.rotate_left(40)
    )
}

/// A running, ready pod from `template`, owned by `owner`, started at `started`.
pub fn running_pod(
    store: &mut Store,
    template: &Value,
    owner: &Value,
    name: &str,
    node_idx: usize,
    started: Timestamp,
) -> Value {
    let mut p = pod::from_template(
        template,
        owner,
        name,
        Some(&format!("{}-", obj::name(owner))),
    );
    let t = fmt_ts(started);
    let ready_at = fmt_ts(started + SignedDuration::from_secs(8));
    let ip = format!("10.244.{}.{}", node_idx, 2 + store.rng_u32() % 250);
    let statuses: Vec<Value> = obj::at(template, &["spec", "containers"])
        .as_array()
        .into_iter()
        .flatten()
        .map(|c| {
            let image = c["image"].as_str().unwrap_or("");
            let cid = format!("containerd://{}{}", store.new_uid().replace('-', ""), store.new_uid().replace('-', ""));
            json!({"name": c["name"], "image": image, "imageID": image_id(image), "containerID": cid,
                "ready": true, "started": true, "restartCount": 0,
                "state": {"running": {"startedAt": t}}, "lastState": {}})
        })
        .collect();
    let node = format!("sim-node-{}", node_idx + 1);
    p["metadata"]["creationTimestamp"] = json!(t);
    p["spec"]["nodeName"] = json!(node);
    p["status"] = json!({
        "phase": "Running",
        "qosClass": p["status"]["qosClass"],
        "hostIP": format!("192.168.49.{}", node_idx + 2),
        "hostIPs": [{"ip": format!("192.168.49.{}", node_idx + 2)}],
        "podIP": ip, "podIPs": [{"ip": ip}],
        "startTime": t,
        "conditions": [
            {"type": "PodReadyToStartContainers", "status": "True", "lastProbeTime": null, "lastTransitionTime": t},
            {"type": "Initialized", "status": "True", "lastProbeTime": null, "lastTransitionTime": t},
            {"type": "Ready", "status": "True", "lastProbeTime": null, "lastTransitionTime": ready_at},
            {"type": "ContainersReady", "status": "True", "lastProbeTime": null, "lastTransitionTime": ready_at},
            {"type": "PodScheduled", "status": "True", "lastProbeTime": null, "lastTransitionTime": t}
        ],
        "containerStatuses": statuses,
    });
    defaults::apply(store, Kind::Pod, &mut p, None);
    p
}

fn with_image(template: &Value, image: &str) -> Value {
    let mut t = template.clone();
    if !image.is_empty()
        && let Some(c) = t["spec"]["containers"].get_mut(0)
    {
        c["image"] = json!(image);
    }
    t
}

/// A Deployment with one ReplicaSet per revision (`revs`: image, change-cause, age
/// in days; oldest first) and running pods for the current one.
pub fn deployment(
    store: &mut Store,
    mut d: Value,
    revs: &[(&str, &str, i64)],
    now: Timestamp,
    node_rr: &mut usize,
) -> anyhow::Result<()> {
    let first_age = revs.first().map_or(30, |r| r.2);
    let created = now - SignedDuration::from_hours(24 * first_age) - SignedDuration::from_mins(37);
    d["metadata"]["creationTimestamp"] = json!(fmt_ts(created));
    defaults::apply(store, Kind::Deployment, &mut d, None);
    let base_template = d["spec"]["template"].clone();
    let (cur_image, cur_cause, _) = revs.last().copied().unwrap_or(("", "", first_age));
    d["spec"]["template"] = with_image(&base_template, cur_image);
    if !cur_cause.is_empty() {
        obj::set_annotation(&mut d, "kubernetes.io/change-cause", cur_cause);
    }
    obj::set_annotation(&mut d, deployment::REVISION, &revs.len().to_string());
    let dep = store.create(Kind::Deployment, d).map_err(err)?;
    let desired = obj::i64_at(&dep, &["spec", "replicas"]).unwrap_or(1);
    let mut current_rs = None;
    for (i, (image, cause, age)) in revs.iter().enumerate() {
        let mut di = (*dep).clone();
        di["spec"]["template"] = with_image(&base_template, image);
        if let Some(a) = di["metadata"]["annotations"].as_object_mut() {
            a.remove("kubernetes.io/change-cause");
        }
        if !cause.is_empty() {
            obj::set_annotation(&mut di, "kubernetes.io/change-cause", cause);
        }
        let last = i + 1 == revs.len();
        let mut rs =
            deployment::new_replicaset(&di, i as i64 + 1, if last { desired } else { 0 }, "");
        let at = now - SignedDuration::from_hours(24 * age) - SignedDuration::from_mins(12);
        rs["metadata"]["creationTimestamp"] = json!(fmt_ts(at));
        rs["status"] = if last {
            json!({"replicas": desired, "fullyLabeledReplicas": desired, "readyReplicas": desired, "availableReplicas": desired, "observedGeneration": 1})
        } else {
            json!({"replicas": 0, "observedGeneration": 2})
        };
        defaults::apply(store, Kind::ReplicaSet, &mut rs, None);
        let rs = store.create(Kind::ReplicaSet, rs).map_err(err)?;
        if last {
            current_rs = Some((rs, at));
        }
    }
    let Some((rs, at)) = current_rs else {
        return Ok(());
    };
    for k in 0..desired {
        let name = format!("{}-{}", obj::name(&rs), store.suffix(5));
        let started = at + SignedDuration::from_secs(20 + 7 * k);
        let idx = *node_rr % store.count(Kind::Node).max(1);
        *node_rr += 1;
        let p = running_pod(store, &rs["spec"]["template"], &rs, &name, idx, started);
        store.create(Kind::Pod, p).map_err(err)?;
    }
    let avail_at = fmt_ts(at + SignedDuration::from_secs(40));
    let rs_name = obj::name(&rs).to_string();
    store.modify(Kind::Deployment, obj::namespace(&dep), obj::name(&dep), |d| {
        d["status"] = json!({
            "observedGeneration": d["metadata"]["generation"],
            "replicas": desired, "updatedReplicas": desired, "readyReplicas": desired, "availableReplicas": desired,
            "conditions": [
                {"type": "Available", "status": "True", "reason": "MinimumReplicasAvailable", "message": "Deployment has minimum availability.", "lastUpdateTime": avail_at, "lastTransitionTime": avail_at},
                {"type": "Progressing", "status": "True", "reason": "NewReplicaSetAvailable", "message": format!("ReplicaSet \"{rs_name}\" has successfully progressed."), "lastUpdateTime": avail_at, "lastTransitionTime": fmt_ts(created)}
            ]
        });
    });
    Ok(())
}

/// A StatefulSet with its ordinal pods running.
/// A DaemonSet with a running pod on every node, as if it had run for weeks.
pub fn daemonset(store: &mut Store, mut d: Value, created: Timestamp) -> anyhow::Result<()> {
    d["metadata"]["creationTimestamp"] = json!(fmt_ts(created));
    defaults::apply(store, Kind::DaemonSet, &mut d, None);
    let ds = store.create(Kind::DaemonSet, d).map_err(err)?;
    let name = obj::name(&ds).to_string();
    let hash = deployment::template_hash(&ds["spec"]["template"]);
    let nodes: Vec<String> = store
        .list(Kind::Node, None)
        .iter()
        .map(|n| obj::name(n).to_string())
        .collect();
    for (idx, node) in nodes.iter().enumerate() {
        let mut t = ds["spec"]["template"].clone();
        obj::set(
            &mut t,
            &["metadata", "labels", "controller-revision-hash"],
            json!(hash),
        );
        let pname = format!("{name}-{}", store.suffix(5));
        let mut p = running_pod(
            store,
            &t,
            &ds,
            &pname,
            idx,
            created + SignedDuration::from_secs(20 + idx as i64 * 7),
        );
        p["spec"]["nodeName"] = json!(node);
        store.create(Kind::Pod, p).map_err(err)?;
    }
    let n = nodes.len();
    store.modify(Kind::DaemonSet, obj::namespace(&ds), &name, |d| {
        d["status"] = json!({"observedGeneration": 1, "desiredNumberScheduled": n, "currentNumberScheduled": n,
            "numberReady": n, "numberAvailable": n, "updatedNumberScheduled": n, "numberMisscheduled": 0, "numberUnavailable": 0});
    });
    Ok(())
}

pub fn statefulset(
    store: &mut Store,
    mut s: Value,
    created: Timestamp,
    node_rr: &mut usize,
) -> anyhow::Result<()> {
    s["metadata"]["creationTimestamp"] = json!(fmt_ts(created));
    defaults::apply(store, Kind::StatefulSet, &mut s, None);
    let sts = store.create(Kind::StatefulSet, s).map_err(err)?;
    let name = obj::name(&sts).to_string();
    let revision = format!(
        "{name}-{}",
        deployment::template_hash(&sts["spec"]["template"])
    );
    let n = obj::i64_at(&sts, &["spec", "replicas"]).unwrap_or(1);
    for i in 0..n {
        let mut t = sts["spec"]["template"].clone();
        let pname = format!("{name}-{i}");
        obj::set(
            &mut t,
            &["metadata", "labels", "controller-revision-hash"],
            json!(revision),
        );
        obj::set(
            &mut t,
            &["metadata", "labels", "statefulset.kubernetes.io/pod-name"],
            json!(pname),
        );
        obj::set(
            &mut t,
            &["metadata", "labels", "apps.kubernetes.io/pod-index"],
            json!(i.to_string()),
        );
        let idx = *node_rr % store.count(Kind::Node).max(1);
        *node_rr += 1;
        let mut p = running_pod(
            store,
            &t,
            &sts,
            &pname,
            idx,
            created + SignedDuration::from_secs(30 + i * 40),
        );
        obj::remove(&mut p, &["metadata", "generateName"]);
        p["spec"]["hostname"] = json!(pname);
        store.create(Kind::Pod, p).map_err(err)?;
    }
    store.modify(Kind::StatefulSet, obj::namespace(&sts), &name, |s| {
        s["status"] = json!({"observedGeneration": 1, "replicas": n, "readyReplicas": n, "availableReplicas": n,
            "currentReplicas": n, "updatedReplicas": n, "currentRevision": revision, "updateRevision": revision, "collisionCount": 0});
    });
    Ok(())
}

/// A finished Job of `cj` scheduled at `at`, ended at `end`, with its pod(s);
/// `log` receives (pod key, container, timestamp stamp) to write the pod's logs.
pub fn finished_job(
    store: &mut Store,
    cj: &Value,
    at: Timestamp,
    end: Timestamp,
    ok: bool,
    mut log: impl FnMut(&str, &str, &str),
) -> anyhow::Result<()> {
    let name = format!("{}-{}", obj::name(cj), at.as_second() / 60);
    let mut job = cronjob::job_from(cj, &name);
    obj::set_annotation(
        &mut job,
        "batch.kubernetes.io/cronjob-scheduled-timestamp",
        &fmt_ts(at),
    );
    job["metadata"]["creationTimestamp"] = json!(fmt_ts(at));
    defaults::apply(store, Kind::Job, &mut job, None);
    let start = at + SignedDuration::from_secs(1);
    let (s, e) = (fmt_ts(start), fmt_ts(end));
    job["status"] = if ok {
        json!({"startTime": s, "completionTime": e, "succeeded": 1, "ready": 0, "terminating": 0, "uncountedTerminatedPods": {},
            "conditions": [
                {"type": "SuccessCriteriaMet", "status": "True", "reason": "CompletionsReached", "message": "Reached expected number of succeeded pods", "lastProbeTime": e, "lastTransitionTime": e},
                {"type": "Complete", "status": "True", "reason": "CompletionsReached", "message": "Reached expected number of succeeded pods", "lastProbeTime": e, "lastTransitionTime": e}]})
    } else {
        json!({"startTime": s, "failed": 1, "ready": 0, "terminating": 0, "uncountedTerminatedPods": {},
            "conditions": [
                {"type": "FailureTarget", "status": "True", "reason": "BackoffLimitExceeded", "message": "Job has reached the specified backoff limit", "lastProbeTime": e, "lastTransitionTime": e},
                {"type": "Failed", "status": "True", "reason": "BackoffLimitExceeded", "message": "Job has reached the specified backoff limit", "lastProbeTime": e, "lastTransitionTime": e}]})
    };
    let job = store.create(Kind::Job, job).map_err(err)?;
    let pname = format!("{name}-{}", store.suffix(5));
    let mut p = running_pod(
        store,
        &job["spec"]["template"],
        &job,
        &pname,
        (at.as_second() as usize / 60) % 3,
        start,
    );
    let cname = job["spec"]["template"]["spec"]["containers"][0]["name"]
        .as_str()
        .unwrap_or("backup")
        .to_string();
    if let Some(cs) = p["status"]["containerStatuses"].as_array_mut() {
        for c in cs {
            c["ready"] = json!(false);
            c["started"] = json!(false);
            c["state"] = json!({"terminated": {"exitCode": if ok { 0 } else { 1 }, "reason": if ok { "Completed" } else { "Error" },
                "startedAt": s, "finishedAt": e, "containerID": c["containerID"]}});
        }
    }
    p["status"]["phase"] = json!(if ok { "Succeeded" } else { "Failed" });
    p["status"]["conditions"] = json!([
        {"type": "PodReadyToStartContainers", "status": "False", "lastProbeTime": null, "lastTransitionTime": e},
        {"type": "Initialized", "status": "True", "lastProbeTime": null, "lastTransitionTime": s},
        {"type": "Ready", "status": "False", "reason": "PodCompleted", "lastProbeTime": null, "lastTransitionTime": e},
        {"type": "ContainersReady", "status": "False", "reason": "PodCompleted", "lastProbeTime": null, "lastTransitionTime": e},
        {"type": "PodScheduled", "status": "True", "lastProbeTime": null, "lastTransitionTime": s}
    ]);
    store.create(Kind::Pod, p).map_err(err)?;
    let stamp = at.strftime("%Y%m%d_%H%M%S").to_string();
    log(
        &format!("{}/{}", obj::namespace(&job), pname),
        &cname,
        &stamp,
    );
    Ok(())
}
