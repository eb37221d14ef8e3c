//! Trigger a backup: a Job created from a CronJob as `kubectl create job --from=…`
//! does (its job template, an owner reference to the CronJob, the annotation
//! `cronjob.kubernetes.io/instantiate: manual`, named `<cronjob>-manual-<time>`).

use std::sync::Arc;

use serde_json::json;

use super::run::{self, Stop, Write};
use super::{Plan, Progress, Request, Risk};
use crate::cluster::msg::CtxId;
use crate::cluster::store::ClusterData;

/// The Job name: `<cronjob>-manual-<unix seconds>`, cut so it stays a valid name.
pub fn job_name(cronjob: &str, now: i64) -> String {
    let suffix = format!("-manual-{now}");
    let keep = 63usize.saturating_sub(suffix.len());
    let base: String = cronjob.chars().take(keep).collect();
    format!("{}{suffix}", base.trim_end_matches('-'))
}

pub fn plan(
    d: &ClusterData,
    ctx: CtxId,
    namespace: &str,
    cronjob: &str,
    now: i64,
) -> Result<Plan, String> {
    let cj = d
        .kinds
        .cronjobs
        .get(&(Arc::from(namespace), Arc::from(cronjob)))
        .ok_or_else(|| format!("cronjob/{cronjob} is gone"))?;
    let name = job_name(cronjob, now);
    let mut p = Plan::new(
        "trigger-backup",
        ctx,
        namespace,
        format!("cronjob/{cronjob}"),
    );
    p.risk = Risk::Low;
    p.before = format!(
        "{} active run{}",
        cj.active,
        if cj.active == 1 { "" } else { "s" }
    );
    p.after = format!("job/{name} started");
    p.blast = format!("one Job runs {} now", cj.template.images().join(","));
    p.params = json!({"job": name, "annotations": {"cronjob.kubernetes.io/instantiate": "manual"}});
    p.request = Some(Request::TriggerBackup {
        namespace: namespace.to_string(),
        cronjob: cronjob.to_string(),
        job: name.clone(),
    });
    if cj.active > 0 {
        p.warnings.push(format!(
            "cronjob/{cronjob} already has {} run{} in progress",
            cj.active,
            if cj.active == 1 { "" } else { "s" }
        ));
    }
    if cj.suspend {
        p.warnings.push(format!(
            "cronjob/{cronjob} is suspended: this runs once, the schedule stays off"
        ));
    }
    Ok(p)
}

/// The Job `kubectl create job --from=cronjob/…` creates: the CronJob's job template,
/// its labels, its annotations plus `cronjob.kubernetes.io/instantiate: manual`, and
/// a controller reference to the CronJob.
pub fn job_from(cronjob: &serde_json::Value, job: &str) -> serde_json::Value {
    let tmpl = &cronjob["spec"]["jobTemplate"];
    let mut annotations = tmpl["metadata"]["annotations"]
        .as_object()
        .cloned()
        .unwrap_or_default();
    annotations.insert("cronjob.kubernetes.io/instantiate".into(), json!("manual"));
    let mut meta = json!({
        "name": job,
        "annotations": annotations,
        "ownerReferences": [{
            "apiVersion": "batch/v1",
            "kind": "CronJob",
            "name": cronjob["metadata"]["name"],
            "uid": cronjob["metadata"]["uid"],
            "controller": true,
            "blockOwnerDeletion": true,
        }],
    });
    if let Some(l) = tmpl["metadata"].get("labels") {
        meta["labels"] = l.clone();
    }
    json!({
        "apiVersion": "batch/v1",
        "kind": "Job",
        "metadata": meta,
        "spec": tmpl["spec"],
    })
}

pub async fn writes(client: &kube::Client, req: &Request) -> Result<Vec<Write>, Stop> {
    let Request::TriggerBackup {
        namespace,
        cronjob,
        job,
    } = req
    else {
        return Err(Stop::Failed("not a backup request".into()));
    };
    let cj = run::get_json(
        client,
        &format!("/apis/batch/v1/namespaces/{namespace}/cronjobs/{cronjob}"),
    )
    .await?;
    let body = job_from(&cj, job);
    Ok(vec![Write {
        method: http::Method::POST,
        path: format!("/apis/batch/v1/namespaces/{namespace}/jobs"),
        content_type: "application/json",
        body: serde_json::to_vec(&body).unwrap_or_default(),
        access: req.access(),
        dry_run: true,
        what: format!("POST job/{job}"),
    }])
}

/// Done when the Job completes; failed when it fails.
pub fn verify(d: &ClusterData, req: &Request) -> Progress {
    let Request::TriggerBackup { namespace, job, .. } = req else {
        return Progress::Failed("not a backup request".into());
    };
    match d
        .kinds
        .jobs
        .get(&(Arc::from(namespace.as_str()), Arc::from(job.as_str())))
    {
        None => Progress::Waiting(format!("job/{job} not seen yet")),
        Some(j) => match j.outcome {
            crate::cluster::kinds::JobOutcome::Complete => {
                Progress::Done(format!("job/{job} completed"))
            }
            crate::cluster::kinds::JobOutcome::Failed => Progress::Failed(format!(
                "job/{job} failed: {}",
                j.message
                    .as_deref()
                    .or(j.reason.as_deref())
                    .unwrap_or("no reason given")
            )),
            crate::cluster::kinds::JobOutcome::Running => Progress::Waiting(format!(
                "job/{job}: {} active, {} failed",
                j.active, j.failed
            )),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_job_is_the_cronjobs_template_owned_by_it_and_marked_manual() {
        let cj = serde_json::json!({
            "metadata": {"name": "volume-snapshot", "uid": "u-1"},
            "spec": {"jobTemplate": {"metadata": {"labels": {"app": "snap"}, "annotations": {"team": "data"}},
                "spec": {"backoffLimit": 2, "template": {"spec": {"containers": [{"name": "c", "image": "i"}]}}}}}
        });
        let j = job_from(&cj, "volume-snapshot-manual-1");
        assert_eq!(
            j["metadata"]["annotations"]["cronjob.kubernetes.io/instantiate"],
            "manual"
        );
        assert_eq!(j["metadata"]["annotations"]["team"], "data");
        assert_eq!(j["metadata"]["labels"]["app"], "snap");
        assert_eq!(j["metadata"]["ownerReferences"][0]["uid"], "u-1");
        assert_eq!(j["metadata"]["ownerReferences"][0]["controller"], true);
        assert_eq!(j["spec"]["backoffLimit"], 2);
    }

    fn job(status: serde_json::Value) -> crate::cluster::kinds::JobRec {
        let j: crate::cluster::kinds::Job = serde_json::from_value(serde_json::json!({
            "metadata": {"name": "snap-manual-1", "namespace": "ns"},
            "spec": {"template": {"spec": {"containers": [{"name": "c", "image": "i"}]}}},
            "status": status
        }))
        .expect("job");
        crate::cluster::kinds::JobRec::from(&j, &mut crate::cluster::kinds::Interner::default())
    }

    #[test]
    fn verify_waits_for_the_job_and_reports_its_failure() {
        use crate::cluster::kinds::Object;
        let req = Request::TriggerBackup {
            namespace: "ns".into(),
            cronjob: "snap".into(),
            job: "snap-manual-1".into(),
        };
        let mut d = ClusterData::default();
        assert!(matches!(verify(&d, &req), Progress::Waiting(w) if w.contains("not seen yet")));
        d.apply(Object::Job(std::sync::Arc::new(job(
            serde_json::json!({"active": 1}),
        ))));
        assert!(matches!(verify(&d, &req), Progress::Waiting(w) if w.contains("1 active")));
        d.apply(Object::Job(std::sync::Arc::new(job(serde_json::json!({"failed": 3, "conditions": [
            {"type": "Failed", "status": "True", "reason": "BackoffLimitExceeded", "message": "Job has reached the specified backoff limit"}]})))));
        assert!(
            matches!(verify(&d, &req), Progress::Failed(w) if w.contains("backoff limit")),
            "{:?}",
            verify(&d, &req)
        );
        d.apply(Object::Job(std::sync::Arc::new(job(
            serde_json::json!({"succeeded": 1, "conditions": [
            {"type": "Complete", "status": "True"}]}),
        ))));
        assert!(matches!(verify(&d, &req), Progress::Done(_)));
    }

    #[test]
    fn job_names_follow_kubectl_and_stay_valid() {
        assert_eq!(
            job_name("volume-snapshot", 1795334400),
            "volume-snapshot-manual-1795334400"
        );
        let long = "a".repeat(80);
        let n = job_name(&long, 1795334400);
        assert!(n.len() <= 63 && n.ends_with("-manual-1795334400"), "{n}");
    }
}
