//! ReplicaSets: the revisions of a Deployment (revision number, change cause, the
//! template rolled back to) and their replicas. Listed in their own view; Enter
//! shows their pods.

use super::prelude::*;

#[derive(Deserialize, Clone, Debug, Default)]
#[serde(rename_all = "camelCase")]
pub struct ReplicaSetSpec {
    pub replicas: Option<i32>,
    #[serde(default)]
    pub template: PodTemplate,
}
#[derive(Deserialize, Clone, Debug, Default)]
#[serde(rename_all = "camelCase")]
pub struct ReplicaSetStatus {
    pub replicas: Option<i32>,
    pub ready_replicas: Option<i32>,
    pub available_replicas: Option<i32>,
}
#[derive(Deserialize, Clone, Debug, Default)]
pub struct ReplicaSet {
    #[serde(deserialize_with = "slim_meta", default)]
    pub metadata: ObjectMeta,
    #[serde(default)]
    pub spec: ReplicaSetSpec,
    #[serde(default)]
    pub status: ReplicaSetStatus,
}

#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct ReplicaSetRec {
    pub meta: Meta,
    pub revision: i64,
    pub change_cause: Option<Box<str>>,
    pub desired: i32,
    pub replicas: i32,
    pub ready: i32,
    pub available: i32,
    pub template: Template,
}

impl ReplicaSetRec {
    pub fn from(r: &ReplicaSet, names: &mut Interner) -> ReplicaSetRec {
        let meta = Meta::from(&r.metadata, names);
        ReplicaSetRec {
            revision: meta
                .annotation("deployment.kubernetes.io/revision")
                .and_then(|v| v.parse().ok())
                .unwrap_or(0),
            change_cause: meta.annotation("kubernetes.io/change-cause").map(Box::from),
            meta,
            desired: r.spec.replicas.unwrap_or(0),
            replicas: r.status.replicas.unwrap_or(0),
            ready: r.status.ready_replicas.unwrap_or(0),
            available: r.status.available_replicas.unwrap_or(0),
            template: Template::from(&r.spec.template, names),
        }
    }
}

impl Record for ReplicaSetRec {
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

impl Kind for ReplicaSet {
    type Rec = ReplicaSetRec;
    const INFO: Info = Info {
        kind: "ReplicaSet",
        group: "apps",
        version: "v1",
        plural: "replicasets",
        singular: "replicaset",
        short: &["rs"],
        namespaced: true,
        title: "ReplicaSets",
    };

    fn record(&self, names: &mut Interner) -> ReplicaSetRec {
        ReplicaSetRec::from(self, names)
    }

    fn columns() -> Vec<Column<ReplicaSetRec>> {
        vec![
            Column { title: "DESIRED", width: Width::Fixed(7), cell: |r, _| r.desired.to_string() },
            Column { title: "CURRENT", width: Width::Fixed(7), cell: |r, _| r.replicas.to_string() },
            Column { title: "READY", width: Width::Fixed(5), cell: |r, _| r.ready.to_string() },
            Column { title: "REV", width: Width::Fixed(4), cell: |r, _| r.revision.to_string() },
            Column { title: "AGE", width: Width::Fixed(5), cell: |r, j| age(j.now, r.meta.created) },
            Column {
                title: "OWNER",
                width: Width::Name,
                cell: |r, _| r.meta.owner.as_ref().map_or("-".into(), |o| o.name.to_string()),
            },
            Column { title: "IMAGES", width: Width::Fill, cell: |r, _| r.template.images().join(",") },
        ]
    }

    fn assess(r: &ReplicaSetRec, _: &Join) -> Option<(Severity, String)> {
        (r.desired > 0 && r.ready < r.desired)
            .then(|| (Severity::Warning, format!("{}/{} ready", r.ready, r.desired)))
    }

    fn describe(r: &ReplicaSetRec, _: &Join, out: &mut Vec<Field>) {
        out.push(("Revision".into(), r.revision.to_string()));
        if let Some(c) = &r.change_cause {
            out.push(("Change cause".into(), c.to_string()));
        }
        out.push((
            "Replicas".into(),
            format!("{} desired, {} current, {} ready, {} available", r.desired, r.replicas, r.ready, r.available),
        ));
        template_fields(&r.template, out);
    }

    fn drill(r: &ReplicaSetRec) -> Option<Drill> {
        Some(Drill::Pods {
            selector: selector_of_map(&r.template.labels),
            title: format!("rs/{}", r.meta.name),
        })
    }
}
resource!(ReplicaSet, Namespaced);
