//! DaemonSets: pods desired, scheduled, ready, updated and available across nodes,
//! and the pod template. Enter shows their pods.

use super::prelude::*;

#[derive(Deserialize, Clone, Debug, Default)]
#[serde(rename_all = "camelCase")]
pub struct DaemonSetSpec {
    pub selector: Option<K8sSelector>,
    #[serde(default)]
    pub template: PodTemplate,
}
#[derive(Deserialize, Clone, Debug, Default)]
#[serde(rename_all = "camelCase")]
pub struct DaemonSetStatus {
    pub desired_number_scheduled: Option<i32>,
    pub current_number_scheduled: Option<i32>,
    pub number_ready: Option<i32>,
    pub updated_number_scheduled: Option<i32>,
    pub number_available: Option<i32>,
    pub number_misscheduled: Option<i32>,
    pub observed_generation: Option<i64>,
}
#[derive(Deserialize, Clone, Debug, Default)]
pub struct DaemonSet {
    #[serde(deserialize_with = "slim_meta", default)]
    pub metadata: ObjectMeta,
    #[serde(default)]
    pub spec: DaemonSetSpec,
    #[serde(default)]
    pub status: DaemonSetStatus,
}

#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct DaemonSetRec {
    pub meta: Meta,
    pub selector: LabelSelector,
    pub template: Template,
    pub desired: i32,
    pub current: i32,
    pub ready: i32,
    pub updated: i32,
    pub available: i32,
    pub misscheduled: i32,
    pub observed_generation: i64,
}

impl Record for DaemonSetRec {
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

impl Kind for DaemonSet {
    type Rec = DaemonSetRec;
    const INFO: Info = Info {
        kind: "DaemonSet",
        group: "apps",
        version: "v1",
        plural: "daemonsets",
        singular: "daemonset",
        short: &["ds"],
        namespaced: true,
        title: "DaemonSets",
    };

    fn record(&self, names: &mut Interner) -> DaemonSetRec {
        let s = &self.status;
        DaemonSetRec {
            meta: Meta::from(&self.metadata, names),
            selector: selector_of(&self.spec.selector),
            template: Template::from(&self.spec.template, names),
            desired: s.desired_number_scheduled.unwrap_or(0),
            current: s.current_number_scheduled.unwrap_or(0),
            ready: s.number_ready.unwrap_or(0),
            updated: s.updated_number_scheduled.unwrap_or(0),
            available: s.number_available.unwrap_or(0),
            misscheduled: s.number_misscheduled.unwrap_or(0),
            observed_generation: s.observed_generation.unwrap_or(0),
        }
    }

    fn columns() -> Vec<Column<DaemonSetRec>> {
        vec![
            Column { title: "DESIRED", width: Width::Fixed(7), cell: |r, _| r.desired.to_string() },
            Column { title: "CURRENT", width: Width::Fixed(7), cell: |r, _| r.current.to_string() },
            Column { title: "READY", width: Width::Fixed(5), cell: |r, _| r.ready.to_string() },
            Column { title: "UP-TO-DATE", width: Width::Fixed(10), cell: |r, _| r.updated.to_string() },
            Column { title: "AVAILABLE", width: Width::Fixed(9), cell: |r, _| r.available.to_string() },
            Column { title: "AGE", width: Width::Fixed(5), cell: |r, j| age(j.now, r.meta.created) },
            Column { title: "IMAGES", width: Width::Fill, cell: |r, _| r.template.images().join(",") },
        ]
    }

    fn assess(r: &DaemonSetRec, _: &Join) -> Option<(Severity, String)> {
        if r.desired > 0 && r.ready == 0 {
            Some((Severity::Critical, format!("0/{} ready", r.desired)))
        } else if r.ready < r.desired {
            Some((Severity::Warning, format!("{}/{} ready", r.ready, r.desired)))
        } else if r.updated < r.desired {
            Some((Severity::Info, format!("rolling {}/{}", r.updated, r.desired)))
        } else {
            None
        }
    }

    fn describe(r: &DaemonSetRec, _: &Join, out: &mut Vec<Field>) {
        out.push(("Selector".into(), r.selector.to_string()));
        out.push((
            "Pods".into(),
            format!(
                "{} desired, {} scheduled, {} ready, {} up to date, {} available, {} misscheduled",
                r.desired, r.current, r.ready, r.updated, r.available, r.misscheduled
            ),
        ));
        template_fields(&r.template, out);
    }

    fn drill(r: &DaemonSetRec) -> Option<Drill> {
        Some(Drill::Pods {
            selector: r.selector.clone(),
            title: format!("ds/{}", r.meta.name),
        })
    }
}
resource!(DaemonSet, Namespaced);
