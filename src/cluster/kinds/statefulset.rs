//! StatefulSets: replicas, revisions and the pod template. Shown by the fleet's
//! workload views.

use super::prelude::*;

#[derive(Deserialize, Clone, Debug, Default)]
#[serde(rename_all = "camelCase")]
pub struct StatefulSetSpec {
    pub replicas: Option<i32>,
    pub selector: Option<K8sSelector>,
    #[serde(default)]
    pub template: PodTemplate,
}
#[derive(Deserialize, Clone, Debug, Default)]
#[serde(rename_all = "camelCase")]
pub struct StatefulSetStatus {
    pub observed_generation: Option<i64>,
    pub replicas: Option<i32>,
    pub ready_replicas: Option<i32>,
    pub updated_replicas: Option<i32>,
    pub current_revision: Option<String>,
    pub update_revision: Option<String>,
}
#[derive(Deserialize, Clone, Debug, Default)]
pub struct StatefulSet {
    #[serde(deserialize_with = "slim_meta", default)]
    pub metadata: ObjectMeta,
    #[serde(default)]
    pub spec: StatefulSetSpec,
    #[serde(default)]
    pub status: StatefulSetStatus,
}

#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct StatefulSetRec {
    pub meta: Meta,
    pub desired: i32,
    pub selector: LabelSelector,
    pub template: Template,
    pub replicas: i32,
    pub ready: i32,
    pub updated: i32,
    pub current_revision: Option<Box<str>>,
    pub update_revision: Option<Box<str>>,
    pub observed_generation: i64,
}

impl StatefulSetRec {
    pub fn from(s: &StatefulSet, names: &mut Interner) -> StatefulSetRec {
        StatefulSetRec {
            meta: Meta::from(&s.metadata, names),
            desired: s.spec.replicas.unwrap_or(1),
            selector: selector_of(&s.spec.selector),
            template: Template::from(&s.spec.template, names),
            replicas: s.status.replicas.unwrap_or(0),
            ready: s.status.ready_replicas.unwrap_or(0),
            updated: s.status.updated_replicas.unwrap_or(0),
            current_revision: s.status.current_revision.as_deref().map(Box::from),
            update_revision: s.status.update_revision.as_deref().map(Box::from),
            observed_generation: s.status.observed_generation.unwrap_or(0),
        }
    }
}

impl Record for StatefulSetRec {
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

impl Kind for StatefulSet {
    type Rec = StatefulSetRec;
    const INFO: Info = Info {
        kind: "StatefulSet",
        group: "apps",
        version: "v1",
        plural: "statefulsets",
        singular: "statefulset",
        short: &["sts"],
        namespaced: true,
        title: "StatefulSets",
    };

    fn record(&self, names: &mut Interner) -> StatefulSetRec {
        StatefulSetRec::from(self, names)
    }
}
resource!(StatefulSet, Namespaced);
