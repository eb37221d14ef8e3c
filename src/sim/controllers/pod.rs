//! The scheduler and kubelet of the simulated cluster: binds pods to nodes, starts
//! containers (Pending → ContainerCreating → Running → Ready), crash-loops bad images
//! with rising back-off, fails image pulls, runs batch containers to completion, and
//! removes terminating pods after their (shortened) grace period.

use jiff::{SignedDuration, Timestamp};
use serde_json::{Value, json};

use super::{Cx, Work};
use crate::sim::apps::{self, Behaviour, logs};
use crate::sim::clock::fmt_ts;
use crate::sim::kinds::Kind;
use crate::sim::obj;
use crate::sim::store::{Key, Store};

/// Seconds a crash-looping container runs before it exits.
const CRASH_AFTER: f64 = 3.0;
/// Longest time the simulated kubelet waits before removing a terminating pod.
const KILL_WITHIN: f64 = 2.0;

fn ts(v: &Value) -> Option<Timestamp> {
    v.as_str()?.parse().ok()
}

fn qos_class(spec: &Value) -> &'static str {
    let cs = spec["containers"].as_array().cloned().unwrap_or_default();
    let any = cs.iter().any(|c| {
        c["resources"]["requests"]
            .as_object()
            .is_some_and(|m| !m.is_empty())
            || c["resources"]["limits"]
                .as_object()
                .is_some_and(|m| !m.is_empty())
    });
    if !any {
        return "BestEffort";
    }
    let guaranteed = cs.iter().all(|c| {
        let lim = &c["resources"]["limits"];
        let req = &c["resources"]["requests"];
        ["cpu", "memory"].iter().all(|r| {
            !lim[*r].is_null()
                && (req[*r].is_null()
                    || obj::quantity_value(&req[*r]) == obj::quantity_value(&lim[*r]))
        })
    });
    if guaranteed {
        "Guaranteed"
    } else {
        "Burstable"
    }
}

/// A new pod from a template, owned by `owner` (not yet stored).
pub fn from_template(
    template: &Value,
    owner: &Value,
    name: &str,
    generate_prefix: Option<&str>,
) -> Value {
    let mut meta = json!({
        "name": name,
        "namespace": obj::namespace(owner),
        "labels": template["metadata"]["labels"],
        "ownerReferences": [obj::owner_ref(owner)],
    });
    if let Some(a) = template["metadata"]["annotations"].as_object()
        && !a.is_empty()
    {
        meta["annotations"] = json!(a);
    }
    if let Some(p) = generate_prefix {
        meta["generateName"] = json!(p);
    }
    let spec = template["spec"].clone();
    json!({
        "metadata": meta,
        "status": {"phase": "Pending", "qosClass": qos_class(&spec)},
        "spec": spec,
    })
}

/// Creates a pod through defaulting, returning its name.
pub fn create(cx: &mut Cx, mut pod: Value) -> Option<String> {
    crate::sim::defaults::apply(cx.store, Kind::Pod, &mut pod, None);
    let created = cx.store.create(Kind::Pod, pod).ok()?;
    Some(obj::name(&created).to_string())
}

fn container_id(store: &mut Store) -> String {
    let a = store.new_uid().replace('-', "");
    let b = store.new_uid().replace('-', "");
    format!("containerd://{a}{b}")
}

fn image_id(image: &str) -> String {
    let mut h: u64 = 0xcbf29ce484222325;
    for b in image.bytes() {
        h ^= b as u64;
        h = h.wrapping_mul(0x100000001b3);
    }
    let repo = image.split(':').next().unwrap_or(image);
    format!(
        "docker.io/{repo}@sha256:{h:016x}{:016x}{h:016x}{:016x}",
        h.rotate_left(17),
        h.rotate_left(33)
    )
}

fn node_for(store: &Store, pod_name: &str) -> Option<(usize, String)> {
    let nodes = store.list(Kind::Node, None);
    if nodes.is_empty() {
        return None;
    }
    let mut h: u64 = 1469598103934665603;
    for b in pod_name.bytes() {
        h ^= b as u64;
        h = h.wrapping_mul(1099511628211);
    }
    let i = (h % nodes.len() as u64) as usize;
    Some((i, obj::name(&nodes[i]).to_string()))
}

fn readiness_delay(c: &Value) -> f64 {
    let p = &c["readinessProbe"];
    if p.is_null() {
        return 1.0;
    }
    (p["initialDelaySeconds"].as_f64().unwrap_or(0.0)).min(10.0) + 1.0
}

fn is_batch(pod: &Value) -> bool {
    matches!(
        obj::str_at(pod, &["spec", "restartPolicy"]),
        Some("Never") | Some("OnFailure")
    )
}

fn pod_key(pod: &Value) -> String {
    format!("{}/{}", obj::namespace(pod), obj::name(pod))
}

fn key(pod: &Value) -> Key {
    (obj::namespace(pod).to_string(), obj::name(pod).to_string())
}

pub fn reconcile(cx: &mut Cx, k: &Key) {
    let Some(pod) = cx.store.get(Kind::Pod, &k.0, &k.1) else {
        return;
    };
    if obj::is_terminating(&pod) {
        terminate(cx, &pod);
        return;
    }
    match obj::str_at(&pod, &["status", "phase"]) {
        Some("Succeeded") | Some("Failed") => return,
        _ => {}
    }
    if obj::str_at(&pod, &["spec", "nodeName"]).is_none() {
        schedule(cx, &pod);
        return;
    }
    if obj::at(&pod, &["status", "containerStatuses"]).is_null() {
        begin_creating(cx, &pod);
        return;
    }
    if obj::str_at(&pod, &["status", "phase"]) == Some("Pending") {
        start(cx, &pod);
    } else {
        run(cx, &pod);
    }
}

fn schedule(cx: &mut Cx, pod: &Value) {
    let Some((idx, node)) = node_for(cx.store, obj::name(pod)) else {
        cx.event(
            pod,
            true,
            "FailedScheduling",
            "0/0 nodes are available: no nodes registered.",
            "default-scheduler",
        );
        cx.timers.after(cx.now, 10.0, Work::Pod(key(pod)));
        return;
    };
    let now = fmt_ts(cx.now);
    let host_ip = format!("192.168.49.{}", idx + 2);
    let updated = cx.store.modify(Kind::Pod, obj::namespace(pod), obj::name(pod), |p| {
        p["spec"]["nodeName"] = json!(node);
        p["status"]["hostIP"] = json!(host_ip.clone());
        p["status"]["hostIPs"] = json!([{"ip": host_ip}]);
        p["status"]["conditions"] = json!([
            {"type": "PodScheduled", "status": "True", "lastProbeTime": null, "lastTransitionTime": now}
        ]);
    });
    if let Some(p) = updated {
        let msg = format!(
            "Successfully assigned {}/{} to {}",
            obj::namespace(&p),
            obj::name(&p),
            node
        );
        cx.event(&p, false, "Scheduled", &msg, "default-scheduler");
    }
    cx.timers.after(cx.now, 0.4, Work::Pod(key(pod)));
}

fn begin_creating(cx: &mut Cx, pod: &Value) {
    let statuses: Vec<Value> = obj::at(pod, &["spec", "containers"])
        .as_array()
        .into_iter()
        .flatten()
        .map(|c| {
            json!({
                "name": c["name"], "image": c["image"], "imageID": "", "ready": false,
                "restartCount": 0, "started": false,
                "state": {"waiting": {"reason": "ContainerCreating"}}, "lastState": {},
            })
        })
        .collect();
    let now = fmt_ts(cx.now);
    cx.store.modify(Kind::Pod, obj::namespace(pod), obj::name(pod), |p| {
        p["status"]["containerStatuses"] = json!(statuses);
        super::set_condition(
            &mut p["status"]["conditions"],
            json!({"type": "Initialized", "status": "True", "lastProbeTime": null}),
            &now,
        );
        super::set_condition(
            &mut p["status"]["conditions"],
            json!({"type": "Ready", "status": "False", "reason": "ContainersNotReady", "message": "containers with unready status", "lastProbeTime": null}),
            &now,
        );
        super::set_condition(
            &mut p["status"]["conditions"],
            json!({"type": "ContainersReady", "status": "False", "reason": "ContainersNotReady", "lastProbeTime": null}),
            &now,
        );
    });
    for c in obj::at(pod, &["spec", "containers"])
        .as_array()
        .into_iter()
        .flatten()
    {
        let fp = format!("spec.containers{{{}}}", c["name"].as_str().unwrap_or(""));
        let msg = format!("Pulling image \"{}\"", c["image"].as_str().unwrap_or(""));
        cx.events.record(
            cx.store,
            pod,
            Some(&fp),
            "Normal",
            "Pulling",
            &msg,
            "kubelet",
        );
    }
    cx.timers.after(cx.now, 1.2, Work::Pod(key(pod)));
}

fn started_at(cs: &Value) -> Option<Timestamp> {
    ts(&cs["state"]["running"]["startedAt"])
}

fn start(cx: &mut Cx, pod: &Value) {
    let containers: Vec<Value> = obj::at(pod, &["spec", "containers"])
        .as_array()
        .cloned()
        .unwrap_or_default();
    let pull_errors: Vec<&Value> = containers
        .iter()
        .filter(|c| apps::behaviour(c["image"].as_str().unwrap_or("")) == Behaviour::PullError)
        .collect();
    let now_s = fmt_ts(cx.now);
    if !pull_errors.is_empty() {
        let names: Vec<String> = pull_errors
            .iter()
            .map(|c| c["name"].as_str().unwrap_or("").to_string())
            .collect();
        let mut flip_to_backoff = false;
        cx.store.modify(Kind::Pod, obj::namespace(pod), obj::name(pod), |p| {
            if let Some(sts) = p["status"]["containerStatuses"].as_array_mut() {
                for cs in sts {
                    if names.iter().any(|n| cs["name"] == *n) {
                        let image = cs["image"].as_str().unwrap_or("").to_string();
                        let was = cs["state"]["waiting"]["reason"].as_str().unwrap_or("").to_string();
                        flip_to_backoff = was == "ErrImagePull";
                        cs["state"] = if flip_to_backoff {
                            json!({"waiting": {"reason": "ImagePullBackOff", "message": format!("Back-off pulling image \"{image}\"")}})
                        } else {
                            json!({"waiting": {"reason": "ErrImagePull", "message": format!("failed to pull and unpack image \"docker.io/{image}\": not found")}})
                        };
                    }
                }
            }
        });
        for c in pull_errors {
            let fp = format!("spec.containers{{{}}}", c["name"].as_str().unwrap_or(""));
            let image = c["image"].as_str().unwrap_or("");
            if flip_to_backoff {
                cx.events.record(
                    cx.store,
                    pod,
                    Some(&fp),
                    "Normal",
                    "BackOff",
                    &format!("Back-off pulling image \"{image}\""),
                    "kubelet",
                );
            } else {
                cx.events.record(cx.store, pod, Some(&fp), "Warning", "Failed", &format!("Failed to pull image \"{image}\": rpc error: code = NotFound desc = failed to pull and unpack image \"docker.io/{image}\": not found"), "kubelet");
                cx.events.record(
                    cx.store,
                    pod,
                    Some(&fp),
                    "Warning",
                    "Failed",
                    "Error: ErrImagePull",
                    "kubelet",
                );
            }
        }
        cx.timers.after(
            cx.now,
            if flip_to_backoff { 20.0 } else { 5.0 },
            Work::Pod(key(pod)),
        );
        return;
    }
    let (node_idx, _) = node_for(cx.store, obj::name(pod)).unwrap_or((0, String::new()));
    let ip = format!("10.244.{}.{}", node_idx, 2 + cx.store.rng_u32() % 250);
    let mut ids = Vec::new();
    for _ in &containers {
        ids.push(container_id(cx.store));
    }
    let pk = pod_key(pod);
    let batch = is_batch(pod);
    let updated = cx.store.modify(Kind::Pod, obj::namespace(pod), obj::name(pod), |p| {
        p["status"]["phase"] = json!("Running");
        p["status"]["podIP"] = json!(ip.clone());
        p["status"]["podIPs"] = json!([{"ip": ip}]);
        if p["status"]["startTime"].is_null() {
            p["status"]["startTime"] = json!(now_s.clone());
        }
        let sts: Vec<Value> = containers
            .iter()
            .zip(ids.iter())
            .map(|(c, id)| {
                let image = c["image"].as_str().unwrap_or("");
                json!({
                    "name": c["name"], "image": image, "imageID": image_id(image),
                    "containerID": id, "ready": false, "restartCount": 0, "started": true,
                    "state": {"running": {"startedAt": now_s}}, "lastState": {},
                })
            })
            .collect();
        p["status"]["containerStatuses"] = json!(sts);
        super::set_condition(
            &mut p["status"]["conditions"],
            json!({"type": "PodReadyToStartContainers", "status": "True", "lastProbeTime": null}),
            &now_s,
        );
    });
    let Some(p) = updated else { return };
    let mut next = f64::MAX;
    for c in &containers {
        let name = c["name"].as_str().unwrap_or("");
        let image = c["image"].as_str().unwrap_or("");
        let fp = format!("spec.containers{{{name}}}");
        cx.events.record(cx.store, &p, Some(&fp), "Normal", "Pulled", &format!("Successfully pulled image \"{image}\" in 1.2s (1.2s including waiting). Image size: 48213532 bytes."), "kubelet");
        cx.events.record(
            cx.store,
            &p,
            Some(&fp),
            "Normal",
            "Created",
            &format!("Created container: {name}"),
            "kubelet",
        );
        cx.events.record(
            cx.store,
            &p,
            Some(&fp),
            "Normal",
            "Started",
            &format!("Started container {name}"),
            "kubelet",
        );
        cx.world.logs.set_instance(&pk, name, 0);
        next = next.min(on_container_start(cx, &p, c, 0));
    }
    let _ = batch;
    cx.timers.after(cx.now, next, Work::Pod(key(pod)));
}

/// Writes a starting container's first log lines; returns seconds until its next
/// state change.
fn on_container_start(cx: &mut Cx, pod: &Value, c: &Value, instance: i64) -> f64 {
    let pk = pod_key(pod);
    let name = c["name"].as_str().unwrap_or("");
    let image = c["image"].as_str().unwrap_or("");
    cx.world.logs.set_instance(&pk, name, instance);
    if is_batch(pod) {
        let (secs, ok) = apps::job_run(image, obj::name(pod));
        if apps::app_for_image(image) == apps::App::BackupTool {
            let stamp = cx.now.strftime("%Y%m%d_%H%M%S").to_string();
            let lines = logs::backup_lines(obj::name(pod), ok, &stamp);
            if let Some(first) = lines.first() {
                cx.world.logs.push(&pk, name, cx.now, first.clone());
            }
        } else {
            cx.world
                .logs
                .push(&pk, name, cx.now, format!("job {} started", obj::name(pod)));
        }
        return secs;
    }
    match apps::behaviour(image) {
        Behaviour::CrashLoop => {
            for l in logs::crash_lines(image) {
                cx.world.logs.push(&pk, name, cx.now, l);
            }
            CRASH_AFTER
        }
        _ => {
            if apps::app_for_image(image) == apps::App::FlexApi {
                let v = image.rsplit(':').next().unwrap_or("");
                cx.world.logs.push(&pk, name, cx.now, format!(r#"{{"level":"info","msg":"Starting flextime-api {v}","workers_per_task":15}}"#));
                cx.world.logs.push(
                    &pk,
                    name,
                    cx.now,
                    r#"{"level":"info","msg":"Listening on :3005"}"#.into(),
                );
            }
            readiness_delay(c)
        }
    }
}

fn backoff_secs(restarts: i64) -> f64 {
    let exp = (restarts - 1).clamp(0, 10) as u32;
    (10.0 * 2f64.powi(exp as i32)).min(300.0)
}

fn run(cx: &mut Cx, pod: &Value) {
    let now = cx.now;
    let now_s = fmt_ts(now);
    let pk = pod_key(pod);
    let batch = is_batch(pod);
    let containers: Vec<Value> = obj::at(pod, &["spec", "containers"])
        .as_array()
        .cloned()
        .unwrap_or_default();
    let mut statuses: Vec<Value> = obj::at(pod, &["status", "containerStatuses"])
        .as_array()
        .cloned()
        .unwrap_or_default();
    let mut next: f64 = f64::MAX;
    let mut events: Vec<(String, bool, &'static str, String)> = Vec::new();
    let mut batch_done: Vec<(bool, bool)> = Vec::new();
    for cs in statuses.iter_mut() {
        let name = cs["name"].as_str().unwrap_or("").to_string();
        let Some(c) = containers.iter().find(|c| c["name"] == name.as_str()) else {
            continue;
        };
        let image = c["image"].as_str().unwrap_or("").to_string();
        let fp = format!("spec.containers{{{name}}}");
        if batch {
            if let Some(start) = started_at(cs) {
                let (secs, ok) = apps::job_run(&image, obj::name(pod));
                let end = start + SignedDuration::from_secs_f64(secs);
                if now >= end {
                    if apps::app_for_image(&image) == apps::App::BackupTool {
                        let stamp = start.strftime("%Y%m%d_%H%M%S").to_string();
                        for l in logs::backup_lines(obj::name(pod), ok, &stamp)
                            .into_iter()
                            .skip(1)
                        {
                            cx.world.logs.push(&pk, &name, now, l);
                        }
                    }
                    cs["state"] = json!({"terminated": {
                        "exitCode": if ok { 0 } else { 1 }, "reason": if ok { "Completed" } else { "Error" },
                        "startedAt": cs["state"]["running"]["startedAt"], "finishedAt": now_s, "containerID": cs["containerID"],
                    }});
                    cs["ready"] = json!(false);
                    cs["started"] = json!(false);
                    batch_done.push((true, ok));
                } else {
                    next = next.min(end.duration_since(now).as_secs_f64());
                    batch_done.push((false, ok));
                }
            } else {
                batch_done.push((
                    cs["state"].get("terminated").is_some(),
                    cs["state"]["terminated"]["exitCode"] == 0,
                ));
            }
            continue;
        }
        match apps::behaviour(&image) {
            Behaviour::CrashLoop => {
                if let Some(start) = started_at(cs) {
                    let crash_at = start + SignedDuration::from_secs_f64(CRASH_AFTER);
                    if now >= crash_at {
                        let restarts = cs["restartCount"].as_i64().unwrap_or(0) + 1;
                        let back = backoff_secs(restarts);
                        cs["lastState"] = json!({"terminated": {
                            "exitCode": 1, "reason": "Error", "startedAt": cs["state"]["running"]["startedAt"],
                            "finishedAt": now_s, "containerID": cs["containerID"],
                        }});
                        cs["restartCount"] = json!(restarts);
                        cs["ready"] = json!(false);
                        cs["started"] = json!(false);
                        cs["state"] = json!({"waiting": {"reason": "CrashLoopBackOff", "message": format!(
                            "back-off {}s restarting failed container={} pod={}_{}({})", back as i64, name, obj::name(pod), obj::namespace(pod), obj::uid(pod))}});
                        events.push((
                            fp.clone(),
                            true,
                            "BackOff",
                            format!(
                                "Back-off restarting failed container {name} in pod {}_{}({})",
                                obj::name(pod),
                                obj::namespace(pod),
                                obj::uid(pod)
                            ),
                        ));
                        next = next.min(back);
                    } else {
                        next = next.min(crash_at.duration_since(now).as_secs_f64());
                    }
                } else if cs["state"]["waiting"]["reason"] == "CrashLoopBackOff" {
                    let restarts = cs["restartCount"].as_i64().unwrap_or(1);
                    let finished = ts(&cs["lastState"]["terminated"]["finishedAt"]).unwrap_or(now);
                    let resume = finished + SignedDuration::from_secs_f64(backoff_secs(restarts));
                    if now >= resume {
                        cs["state"] = json!({"running": {"startedAt": now_s}});
                        cs["started"] = json!(true);
                        cs["containerID"] = json!(container_id(cx.store));
                        events.push((
                            fp.clone(),
                            false,
                            "Pulled",
                            format!("Container image \"{image}\" already present on machine"),
                        ));
                        events.push((
                            fp.clone(),
                            false,
                            "Started",
                            format!("Started container {name}"),
                        ));
                        next = next.min(on_container_start(cx, pod, c, restarts));
                    } else {
                        next = next.min(resume.duration_since(now).as_secs_f64());
                    }
                }
            }
            _ => {
                if cs["ready"] != true
                    && let Some(start) = started_at(cs)
                {
                    let ready_at = start + SignedDuration::from_secs_f64(readiness_delay(c));
                    if now >= ready_at {
                        cs["ready"] = json!(true);
                    } else {
                        next = next.min(ready_at.duration_since(now).as_secs_f64());
                    }
                }
            }
        }
    }
    let all_ready = !batch && statuses.iter().all(|cs| cs["ready"] == true);
    let finished = batch && !batch_done.is_empty() && batch_done.iter().all(|(done, _)| *done);
    let succeeded = finished && batch_done.iter().all(|(_, ok)| *ok);
    cx.store.modify(Kind::Pod, obj::namespace(pod), obj::name(pod), |p| {
        p["status"]["containerStatuses"] = json!(statuses);
        let conds = &mut p["status"]["conditions"];
        if finished {
            p["status"]["phase"] = json!(if succeeded { "Succeeded" } else { "Failed" });
            for t in ["Ready", "ContainersReady"] {
                super::set_condition(
                    &mut p["status"]["conditions"],
                    json!({"type": t, "status": "False", "reason": "PodCompleted", "lastProbeTime": null}),
                    &now_s,
                );
            }
            super::set_condition(
                &mut p["status"]["conditions"],
                json!({"type": "PodReadyToStartContainers", "status": "False", "lastProbeTime": null}),
                &now_s,
            );
        } else if all_ready {
            for t in ["Ready", "ContainersReady"] {
                super::set_condition(conds, json!({"type": t, "status": "True", "lastProbeTime": null}), &now_s);
            }
        } else {
            super::set_condition(
                conds,
                json!({"type": "Ready", "status": "False", "reason": "ContainersNotReady", "message": "containers with unready status", "lastProbeTime": null}),
                &now_s,
            );
            super::set_condition(
                &mut p["status"]["conditions"],
                json!({"type": "ContainersReady", "status": "False", "reason": "ContainersNotReady", "lastProbeTime": null}),
                &now_s,
            );
        }
    });
    if let Some(p) = cx.store.get(Kind::Pod, obj::namespace(pod), obj::name(pod)) {
        for (fp, warn, reason, msg) in events {
            cx.events.record(
                cx.store,
                &p,
                Some(&fp),
                if warn { "Warning" } else { "Normal" },
                reason,
                &msg,
                "kubelet",
            );
        }
    }
    if next < f64::MAX {
        cx.timers.after(now, next + 0.01, Work::Pod(key(pod)));
    }
}

/// Starts graceful deletion: the pod shows Terminating, goes unready, and is removed
/// within a couple of simulated seconds.
pub fn mark_terminating(cx: &mut Cx, ns: &str, name: &str, grace: i64) {
    let grace = grace.max(0);
    let when = fmt_ts(cx.now + SignedDuration::from_secs(grace));
    let now_s = fmt_ts(cx.now);
    let done = cx.store.modify(Kind::Pod, ns, name, |p| {
        if !p["metadata"]["deletionTimestamp"].is_null() {
            return;
        }
        p["metadata"]["deletionTimestamp"] = json!(when);
        p["metadata"]["deletionGracePeriodSeconds"] = json!(grace);
        if let Some(sts) = p["status"]["containerStatuses"].as_array_mut() {
            for cs in sts {
                cs["ready"] = json!(false);
            }
        }
        super::set_condition(
            &mut p["status"]["conditions"],
            json!({"type": "Ready", "status": "False", "reason": "PodTerminating", "lastProbeTime": null}),
            &now_s,
        );
    });
    if let Some(p) = done {
        for c in obj::at(&p, &["spec", "containers"])
            .as_array()
            .cloned()
            .unwrap_or_default()
        {
            let n = c["name"].as_str().unwrap_or("");
            let fp = format!("spec.containers{{{n}}}");
            cx.events.record(
                cx.store,
                &p,
                Some(&fp),
                "Normal",
                "Killing",
                &format!("Stopping container {n}"),
                "kubelet",
            );
        }
        cx.timers.after(
            cx.now,
            (grace as f64).min(KILL_WITHIN),
            Work::Pod((ns.to_string(), name.to_string())),
        );
    }
}

fn terminate(cx: &mut Cx, pod: &Value) {
    let grace = obj::i64_at(pod, &["metadata", "deletionGracePeriodSeconds"]).unwrap_or(0);
    let deadline = ts(&pod["metadata"]["deletionTimestamp"]).unwrap_or(cx.now);
    let requested = deadline - SignedDuration::from_secs(grace);
    let remove_at = requested + SignedDuration::from_secs_f64((grace as f64).min(KILL_WITHIN));
    if cx.now >= remove_at || obj::str_at(pod, &["spec", "nodeName"]).is_none() {
        cx.store
            .remove(Kind::Pod, obj::namespace(pod), obj::name(pod));
        cx.world.logs.forget_pod(&pod_key(pod));
    } else {
        cx.timers.at(remove_at, Work::Pod(key(pod)));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn qos_and_backoff() {
        assert_eq!(
            qos_class(&json!({"containers": [{"name": "a"}]})),
            "BestEffort"
        );
        assert_eq!(
            qos_class(&json!({"containers": [{"resources": {"requests": {"cpu": "1"}}}]})),
            "Burstable"
        );
        assert_eq!(
            qos_class(
                &json!({"containers": [{"resources": {"limits": {"cpu": "1", "memory": "1Gi"}}}]})
            ),
            "Guaranteed"
        );
        assert_eq!(backoff_secs(1), 10.0);
        assert_eq!(backoff_secs(3), 40.0);
        assert_eq!(backoff_secs(9), 300.0);
    }
}
