//! Trigger a backup: a Job created from a CronJob as `kubectl create job --from=…`
//! does (its job template, an owner reference to the CronJob, the annotation
//! `cronjob.kubernetes.io/instantiate: manual`, named `<cronjob>-manual-<time>`).

use std::sync::Arc;

use serde_json::json;

use super::{Plan, Risk};
use crate::app::msg::CtxId;
use crate::app::store::ClusterData;

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

#[cfg(test)]
mod tests {
    use super::*;

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
