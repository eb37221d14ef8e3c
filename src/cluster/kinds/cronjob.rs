//! CronJobs: schedule, time zone, suspension, last schedule and success, and the
//! job template. Backups are CronJobs: the fleet's backup view judges them.

use super::prelude::*;

#[derive(Deserialize, Clone, Debug, Default)]
#[serde(rename_all = "camelCase")]
pub struct JobTemplateSpec {
    #[serde(default)]
    pub template: PodTemplate,
}
#[derive(Deserialize, Clone, Debug, Default)]
pub struct JobTemplate {
    #[serde(default)]
    pub spec: JobTemplateSpec,
}
#[derive(Deserialize, Clone, Debug, Default)]
#[serde(rename_all = "camelCase")]
pub struct CronJobSpec {
    #[serde(default)]
    pub schedule: String,
    pub time_zone: Option<String>,
    pub suspend: Option<bool>,
    #[serde(default)]
    pub job_template: JobTemplate,
}
#[derive(Deserialize, Clone, Debug, Default)]
pub struct ObjectRef {
    pub name: Option<String>,
}
#[derive(Deserialize, Clone, Debug, Default)]
#[serde(rename_all = "camelCase")]
pub struct CronJobStatus {
    pub last_schedule_time: Option<Time>,
    pub last_successful_time: Option<Time>,
    #[serde(default)]
    pub active: Vec<ObjectRef>,
}
#[derive(Deserialize, Clone, Debug, Default)]
pub struct CronJob {
    #[serde(deserialize_with = "slim_meta", default)]
    pub metadata: ObjectMeta,
    #[serde(default)]
    pub spec: CronJobSpec,
    #[serde(default)]
    pub status: CronJobStatus,
}

#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct CronJobRec {
    pub meta: Meta,
    pub schedule: Box<str>,
    pub time_zone: Option<Box<str>>,
    pub suspend: bool,
    pub last_schedule: Option<Ts>,
    pub last_success: Option<Ts>,
    pub active: u32,
    pub template: Template,
}

impl CronJobRec {
    pub fn from(c: &CronJob, names: &mut Interner) -> CronJobRec {
        CronJobRec {
            meta: Meta::from(&c.metadata, names),
            schedule: Box::from(c.spec.schedule.as_str()),
            time_zone: c.spec.time_zone.as_deref().map(Box::from),
            suspend: c.spec.suspend.unwrap_or(false),
            last_schedule: ts(&c.status.last_schedule_time),
            last_success: ts(&c.status.last_successful_time),
            active: c.status.active.len() as u32,
            template: Template::from(&c.spec.job_template.spec.template, names),
        }
    }
}

impl Record for CronJobRec {
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

impl Kind for CronJob {
    type Rec = CronJobRec;
    const INFO: Info = Info {
        kind: "CronJob",
        group: "batch",
        version: "v1",
        plural: "cronjobs",
        singular: "cronjob",
        short: &["cj"],
        namespaced: true,
        title: "CronJobs",
    };

    fn record(&self, names: &mut Interner) -> CronJobRec {
        CronJobRec::from(self, names)
    }

    fn columns() -> Vec<Column<CronJobRec>> {
        vec![
            Column { title: "SCHEDULE", width: Width::Fixed(16), cell: |r, _| r.schedule.to_string() },
            Column { title: "SUSPEND", width: Width::Fixed(7), cell: |r, _| r.suspend.to_string() },
            Column { title: "ACTIVE", width: Width::Fixed(6), cell: |r, _| r.active.to_string() },
            Column {
                title: "LAST SCHEDULE",
                width: Width::Fixed(13),
                cell: |r, j| r.last_schedule.map_or("-".into(), |t| age(j.now, t)),
            },
            Column {
                title: "LAST SUCCESS",
                width: Width::Fixed(12),
                cell: |r, j| r.last_success.map_or("-".into(), |t| age(j.now, t)),
            },
            Column { title: "AGE", width: Width::Fixed(5), cell: |r, j| age(j.now, r.meta.created) },
        ]
    }
}
resource!(CronJob, Namespaced);
