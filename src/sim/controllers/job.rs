//! The Job controller: runs pods until `completions` succeed or failures exceed
//! `backoffLimit`, then marks the Job Complete (with SuccessCriteriaMet) or Failed
//! (with FailureTarget), with counts, start and completion times.

use serde_json::json;

use super::{Cx, pod, pod_ready};
use crate::sim::clock::fmt_ts;
use crate::sim::kinds::Kind;
use crate::sim::obj;
use crate::sim::store::Key;

pub fn finished(job: &serde_json::Value) -> Option<bool> {
    let conds = obj::at(job, &["status", "conditions"]).as_array()?;
    for c in conds {
        if c["status"] == "True" {
            if c["type"] == "Complete" {
                return Some(true);
            }
            if c["type"] == "Failed" {
                return Some(false);
            }
        }
    }
    None
}

pub fn reconcile(cx: &mut Cx, k: &Key) {
    let Some(job) = cx.store.get(Kind::Job, &k.0, &k.1) else {
        return;
    };
    if obj::is_terminating(&job) || finished(&job).is_some() {
        return;
    }
    let uid = obj::uid(&job).to_string();
    let pods: Vec<_> = cx.store.owned(&uid, Kind::Pod);
    let phase = |p: &serde_json::Value| {
        obj::str_at(p, &["status", "phase"])
            .unwrap_or("")
            .to_string()
    };
    let succeeded = pods.iter().filter(|p| phase(p) == "Succeeded").count() as i64;
    let failed = pods.iter().filter(|p| phase(p) == "Failed").count() as i64;
    let active: Vec<_> = pods
        .iter()
        .filter(|p| {
            !obj::is_terminating(p) && matches!(phase(p).as_str(), "Pending" | "Running" | "")
        })
        .collect();
    let completions = obj::i64_at(&job, &["spec", "completions"]).unwrap_or(1);
    let parallelism = obj::i64_at(&job, &["spec", "parallelism"]).unwrap_or(1);
    let backoff = obj::i64_at(&job, &["spec", "backoffLimit"]).unwrap_or(6);
    let suspended = obj::at(&job, &["spec", "suspend"]).as_bool() == Some(true);
    let now_s = fmt_ts(cx.now);
    let mut created = false;
    let done = if succeeded >= completions {
        Some(true)
    } else if failed > backoff {
        Some(false)
    } else {
        None
    };
    if done.is_none() && !suspended {
        let want = parallelism.min(completions - succeeded).max(0) as usize;
        for _ in active.len()..want {
            let name = format!("{}-{}", obj::name(&job), cx.store.suffix(5));
            let p = pod::from_template(
                &job["spec"]["template"],
                &job,
                &name,
                Some(&format!("{}-", obj::name(&job))),
            );
            if let Some(n) = pod::create(cx, p) {
                created = true;
                cx.event(
                    &job,
                    false,
                    "SuccessfulCreate",
                    &format!("Created pod: {n}"),
                    "job-controller",
                );
            }
        }
    }
    let active_n = if done.is_some() {
        0
    } else {
        active.len() + usize::from(created)
    };
    let ready = active.iter().filter(|p| pod_ready(p)).count();
    cx.store.modify(Kind::Job, &k.0, &k.1, |j| {
        let st = &mut j["status"];
        if st["startTime"].is_null() && (created || !pods.is_empty()) {
            st["startTime"] = json!(now_s.clone());
        }
        st["active"] = json!(active_n);
        if active_n == 0 {
            st.as_object_mut().map(|m| m.remove("active"));
        }
        if succeeded > 0 {
            st["succeeded"] = json!(succeeded);
        }
        if failed > 0 {
            st["failed"] = json!(failed);
        }
        st["ready"] = json!(ready);
        st["terminating"] = json!(0);
        st["uncountedTerminatedPods"] = json!({});
        match done {
            Some(true) => {
                st["completionTime"] = json!(now_s.clone());
                let conds = json!([
                    {"type": "SuccessCriteriaMet", "status": "True", "reason": "CompletionsReached", "message": "Reached expected number of succeeded pods", "lastProbeTime": now_s, "lastTransitionTime": now_s},
                    {"type": "Complete", "status": "True", "reason": "CompletionsReached", "message": "Reached expected number of succeeded pods", "lastProbeTime": now_s, "lastTransitionTime": now_s},
                ]);
                st["conditions"] = conds;
            }
            Some(false) => {
                let conds = json!([
                    {"type": "FailureTarget", "status": "True", "reason": "BackoffLimitExceeded", "message": "Job has reached the specified backoff limit", "lastProbeTime": now_s, "lastTransitionTime": now_s},
                    {"type": "Failed", "status": "True", "reason": "BackoffLimitExceeded", "message": "Job has reached the specified backoff limit", "lastProbeTime": now_s, "lastTransitionTime": now_s},
                ]);
                st["conditions"] = conds;
            }
            None => {}
        }
    });
    if let Some(ok) = done
        && let Some(j) = cx.store.get(Kind::Job, &k.0, &k.1)
    {
        if ok {
            cx.event(&j, false, "Completed", "Job completed", "job-controller");
            snapshot_taken(cx, &j);
        } else {
            cx.event(
                &j,
                true,
                "BackoffLimitExceeded",
                "Job has reached the specified backoff limit",
                "job-controller",
            );
        }
    }
}

/// The scenario's volume-snapshot Job does what its logs say: a run that succeeds
/// leaves a ready VolumeSnapshot of `flextime-data` behind (as the CSI snapshotter
/// would), so the PVC's backup freshness follows any successful run, manual or not.
fn snapshot_taken(cx: &mut Cx, job: &serde_json::Value) {
    let name = obj::name(job);
    if !name.starts_with("volume-snapshot") {
        return;
    }
    let ns = obj::namespace(job).to_string();
    let at = fmt_ts(cx.now);
    let stamp = cx.now.strftime("%Y%m%d%H%M%S").to_string();
    let v = json!({
        "metadata": {"name": format!("flextime-data-{stamp}"), "namespace": ns,
            "creationTimestamp": at, "labels": {"app": "backup", "pvc": "flextime-data"}},
        "spec": {"source": {"persistentVolumeClaimName": "flextime-data"}, "volumeSnapshotClassName": "csi-aws-vsc"},
        "status": {"readyToUse": true, "creationTime": at, "restoreSize": "50Gi",
            "boundVolumeSnapshotContentName": format!("snapcontent-flextime-data-{stamp}")},
    });
    let _ = cx.store.create(Kind::VolumeSnapshot, v);
}
