//! Jobs: completions, successes and failures, the terminal condition and whether a
//! person started it (`kubectl create job --from`). Listed in their own view.

use super::prelude::*;

#[derive(Deserialize, Clone, Debug, Default)]
#[serde(rename_all = "camelCase")]
pub struct JobSpec {
    pub completions: Option<i32>,
    #[serde(default)]
    pub template: PodTemplate,
}
#[derive(Deserialize, Clone, Debug, Default)]
#[serde(rename_all = "camelCase")]
pub struct JobStatus {
    pub start_time: Option<Time>,
    pub completion_time: Option<Time>,
    pub succeeded: Option<i32>,
    pub failed: Option<i32>,
    pub active: Option<i32>,
    #[serde(default)]
    pub conditions: Vec<Condition>,
}
#[derive(Deserialize, Clone, Debug, Default)]
pub struct Job {
    #[serde(deserialize_with = "slim_meta", default)]
    pub metadata: ObjectMeta,
    #[serde(default)]
    pub spec: JobSpec,
    #[serde(default)]
    pub status: JobStatus,
}

#[derive(Copy, Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum JobOutcome {
    Running,
    Complete,
    Failed,
}

#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct JobRec {
    pub meta: Meta,
    pub manual: bool,
    pub completions: i32,
    pub start: Option<Ts>,
    pub completion: Option<Ts>,
    pub succeeded: i32,
    pub failed: i32,
    pub active: i32,
    pub outcome: JobOutcome,
    /// Reason and message of the terminal condition.
    pub reason: Option<Box<str>>,
    pub message: Option<Box<str>>,
    pub finished_at: Option<Ts>,
}

impl JobRec {
    pub fn from(j: &Job, names: &mut Interner) -> JobRec {
        let meta = Meta::from(&j.metadata, names);
        let cs = conds(&j.status.conditions);
        let done = cs.iter().find(|c| {
            c.status.as_ref() == "True" && matches!(c.type_.as_ref(), "Complete" | "Failed")
        });
        let outcome = match done.map(|c| c.type_.as_ref()) {
            Some("Complete") => JobOutcome::Complete,
            Some("Failed") => JobOutcome::Failed,
            _ => JobOutcome::Running,
        };
        JobRec {
            manual: meta.annotation("cronjob.kubernetes.io/instantiate") == Some("manual"),
            meta,
            completions: j.spec.completions.unwrap_or(1),
            start: ts(&j.status.start_time),
            completion: ts(&j.status.completion_time),
            succeeded: j.status.succeeded.unwrap_or(0),
            failed: j.status.failed.unwrap_or(0),
            active: j.status.active.unwrap_or(0),
            outcome,
            reason: done.map(|c| c.reason.clone()),
            message: done.map(|c| c.message.clone()),
            finished_at: done
                .and_then(|c| c.last_transition)
                .or(ts(&j.status.completion_time)),
        }
    }
}

impl Record for JobRec {
    fn key(&self) -> Key {
        (self.meta.namespace.clone(), self.meta.name.clone())
    }
    fn created(&self) -> Ts {
        self.meta.created
    }
    fn labels(&self) -> Option<&Labels> {
        Some(&self.meta.labels)
    }
}

impl Kind for Job {
    type Rec = JobRec;
    const INFO: Info = Info {
        kind: "Job",
        group: "batch",
        version: "v1",
        plural: "jobs",
        singular: "job",
        short: &[],
        namespaced: true,
        title: "Jobs",
    };

    fn record(&self, names: &mut Interner) -> JobRec {
        JobRec::from(self, names)
    }

    fn columns() -> Vec<Column<JobRec>> {
        vec![
            Column {
                title: "STATUS",
                width: Width::Fixed(8),
                cell: |r, _| match r.outcome {
                    JobOutcome::Running => "Running",
                    JobOutcome::Complete => "Complete",
                    JobOutcome::Failed => "Failed",
                }
                .into(),
            },
            Column {
                title: "COMPLETIONS",
                width: Width::Fixed(11),
                cell: |r, _| format!("{}/{}", r.succeeded, r.completions),
            },
            Column {
                title: "DURATION",
                width: Width::Fixed(8),
                cell: |r, j| match r.start {
                    Some(s) => crate::util::age::age(r.completion.unwrap_or(j.now), s),
                    None => "-".into(),
                },
            },
            Column { title: "AGE", width: Width::Fixed(5), cell: |r, j| age(j.now, r.meta.created) },
            Column {
                title: "OWNER",
                width: Width::Fill,
                cell: |r, _| r.meta.owner.as_ref().map_or("-".into(), |o| o.name.to_string()),
            },
        ]
    }

    fn assess(r: &JobRec, _: &Join) -> Option<(Severity, String)> {
        (r.outcome == JobOutcome::Failed).then(|| {
            (
                Severity::Warning,
                format!("failed: {}", r.reason.as_deref().unwrap_or("")),
            )
        })
    }

    fn drill(r: &JobRec) -> Option<Drill> {
        let mut sel = LabelSelector::default();
        sel.reqs.push(crate::util::selector::Req::Eq(
            "job-name".into(),
            r.meta.name.to_string(),
        ));
        Some(Drill::Pods {
            selector: sel,
            title: format!("job/{}", r.meta.name),
        })
    }
}
resource!(Job, Namespaced);
