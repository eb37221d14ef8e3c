//! The CronJob controller: creates `<name>-<minutes>` Jobs on schedule (honouring
//! suspend, concurrencyPolicy and startingDeadlineSeconds), tracks active Jobs and
//! `lastScheduleTime`/`lastSuccessfulTime`, and keeps the history limits.

use jiff::{SignedDuration, Timestamp};
use serde_json::{Value, json};

use super::Cx;
use super::job::finished;
use crate::sim::clock::fmt_ts;
use crate::sim::kinds::Kind;
use crate::sim::obj;
use crate::sim::store::{Key, key_of};
use crate::util::cron::Schedule;

fn ts(v: &Value) -> Option<Timestamp> {
    v.as_str()?.parse().ok()
}

/// A Job for `cj` as the controller (or `kubectl create job --from`) makes it.
pub fn job_from(cj: &Value, name: &str) -> Value {
    let tmpl = &cj["spec"]["jobTemplate"];
    let mut meta = json!({
        "name": name,
        "namespace": obj::namespace(cj),
        "ownerReferences": [obj::owner_ref(cj)],
    });
    if let Some(l) = tmpl["metadata"]["labels"].as_object() {
        meta["labels"] = json!(l);
    }
    if let Some(a) = tmpl["metadata"]["annotations"].as_object() {
        meta["annotations"] = json!(a);
    }
    json!({"metadata": meta, "spec": tmpl["spec"]})
}

pub fn schedule_all(cx: &mut Cx) {
    for cj in cx.store.list(Kind::CronJob, None) {
        schedule_one(cx, &cj);
    }
}

fn schedule_one(cx: &mut Cx, cj: &Value) {
    if obj::at(cj, &["spec", "suspend"]).as_bool() == Some(true) || obj::is_terminating(cj) {
        return;
    }
    let Some(expr) = obj::str_at(cj, &["spec", "schedule"]) else {
        return;
    };
    let Ok(schedule) = Schedule::parse_in(expr, obj::str_at(cj, &["spec", "timeZone"])) else {
        return;
    };
    let last = ts(&cj["status"]["lastScheduleTime"])
        .or_else(|| ts(&cj["metadata"]["creationTimestamp"]))
        .unwrap_or(cx.now);
    let Some(mut t) = schedule.next_after(last) else {
        return;
    };
    if t > cx.now {
        return;
    }
    for _ in 0..100 {
        match schedule.next_after(t) {
            Some(n) if n <= cx.now => t = n,
            _ => break,
        }
    }
    let (ns, name) = key_of(cj);
    if let Some(deadline) = obj::i64_at(cj, &["spec", "startingDeadlineSeconds"])
        && cx.now.duration_since(t) > SignedDuration::from_secs(deadline)
    {
        let msg = format!("Missed scheduled time to start a job: {}", fmt_ts(t));
        cx.event(cj, true, "MissSchedule", &msg, "cronjob-controller");
        cx.store.modify(Kind::CronJob, &ns, &name, |c| {
            c["status"]["lastScheduleTime"] = json!(fmt_ts(t))
        });
        return;
    }
    let active: Vec<_> = cx
        .store
        .owned(obj::uid(cj), Kind::Job)
        .into_iter()
        .filter(|j| finished(j).is_none())
        .collect();
    match obj::str_at(cj, &["spec", "concurrencyPolicy"]) {
        Some("Forbid") if !active.is_empty() => {
            cx.event(cj, false, "JobAlreadyActive", "Not starting job because prior execution is running and concurrency policy is Forbid", "cronjob-controller");
            cx.store.modify(Kind::CronJob, &ns, &name, |c| {
                c["status"]["lastScheduleTime"] = json!(fmt_ts(t))
            });
            return;
        }
        Some("Replace") => {
            for j in &active {
                cx.store.remove(Kind::Job, &ns, obj::name(j));
                cx.event(
                    cj,
                    false,
                    "SuccessfulDelete",
                    &format!("Deleted job {}", obj::name(j)),
                    "cronjob-controller",
                );
            }
        }
        _ => {}
    }
    let job_name = format!("{}-{}", name, t.as_second() / 60);
    let mut job = job_from(cj, &job_name);
    obj::set_annotation(
        &mut job,
        "batch.kubernetes.io/cronjob-scheduled-timestamp",
        &fmt_ts(t),
    );
    crate::sim::defaults::apply(cx.store, Kind::Job, &mut job, None);
    match cx.store.create(Kind::Job, job) {
        Ok(j) => {
            cx.event(
                cj,
                false,
                "SuccessfulCreate",
                &format!("Created job {}", obj::name(&j)),
                "cronjob-controller",
            );
        }
        Err(e) => {
            cx.event(
                cj,
                true,
                "FailedCreate",
                &format!("Error creating job: {}", e.message),
                "cronjob-controller",
            );
        }
    }
    cx.store.modify(Kind::CronJob, &ns, &name, |c| {
        c["status"]["lastScheduleTime"] = json!(fmt_ts(t))
    });
    reconcile(cx, &(ns, name));
}

pub fn reconcile(cx: &mut Cx, k: &Key) {
    let Some(cj) = cx.store.get(Kind::CronJob, &k.0, &k.1) else {
        return;
    };
    let mut jobs = cx.store.owned(obj::uid(&cj), Kind::Job);
    jobs.sort_by(|a, b| {
        obj::str_at(a, &["metadata", "creationTimestamp"])
            .cmp(&obj::str_at(b, &["metadata", "creationTimestamp"]))
    });
    let was_active: Vec<String> = obj::at(&cj, &["status", "active"])
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|r| r["name"].as_str().map(String::from))
                .collect()
        })
        .unwrap_or_default();
    let mut last_success = ts(&cj["status"]["lastSuccessfulTime"]);
    let mut active_refs = Vec::new();
    let mut saw = Vec::new();
    for j in &jobs {
        match finished(j) {
            None => active_refs.push(json!({
                "kind": "Job", "namespace": obj::namespace(j), "name": obj::name(j),
                "uid": obj::uid(j), "apiVersion": "batch/v1", "resourceVersion": obj::resource_version(j),
            })),
            Some(ok) => {
                if ok && let Some(t) = ts(&j["status"]["completionTime"])
                    && last_success.is_none_or(|l| t > l)
                {
                    last_success = Some(t);
                }
                if was_active.iter().any(|n| n == obj::name(j)) {
                    saw.push((obj::name(j).to_string(), ok));
                }
            }
        }
    }
    for (n, ok) in saw {
        cx.event(
            &cj,
            false,
            "SawCompletedJob",
            &format!(
                "Saw completed job: {n}, condition: {}",
                if ok { "Complete" } else { "Failed" }
            ),
            "cronjob-controller",
        );
    }
    // History limits.
    let keep_ok = obj::i64_at(&cj, &["spec", "successfulJobsHistoryLimit"])
        .unwrap_or(3)
        .max(0) as usize;
    let keep_failed = obj::i64_at(&cj, &["spec", "failedJobsHistoryLimit"])
        .unwrap_or(1)
        .max(0) as usize;
    for (want_ok, keep) in [(true, keep_ok), (false, keep_failed)] {
        let done: Vec<_> = jobs
            .iter()
            .filter(|j| finished(j) == Some(want_ok))
            .collect();
        if done.len() > keep {
            for j in done.iter().take(done.len() - keep) {
                cx.store.remove(Kind::Job, &k.0, obj::name(j));
                cx.event(
                    &cj,
                    false,
                    "SuccessfulDelete",
                    &format!("Deleted job {}", obj::name(j)),
                    "cronjob-controller",
                );
            }
        }
    }
    cx.store.modify(Kind::CronJob, &k.0, &k.1, |c| {
        if active_refs.is_empty() {
            if let Some(m) = c["status"].as_object_mut() {
                m.remove("active");
            }
        } else {
            c["status"]["active"] = json!(active_refs);
        }
        if let Some(t) = last_success {
            c["status"]["lastSuccessfulTime"] = json!(fmt_ts(t));
        }
        if c["status"].is_null() {
            c["status"] = json!({});
        }
    });
}
