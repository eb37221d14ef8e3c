//! PodDisruptionBudgets: what they require and allow now (an action that would
//! break one warns). Listed in their own view.

use super::prelude::*;

#[derive(Deserialize, Clone, Debug, Default)]
#[serde(rename_all = "camelCase")]
pub struct PdbSpec {
    pub min_available: Option<IntOrString>,
    pub max_unavailable: Option<IntOrString>,
    pub selector: Option<K8sSelector>,
}
#[derive(Deserialize, Clone, Debug, Default)]
#[serde(rename_all = "camelCase")]
pub struct PdbStatus {
    pub current_healthy: Option<i32>,
    pub desired_healthy: Option<i32>,
    pub disruptions_allowed: Option<i32>,
    pub expected_pods: Option<i32>,
}
#[derive(Deserialize, Clone, Debug, Default)]
pub struct Pdb {
    #[serde(deserialize_with = "slim_meta", default)]
    pub metadata: ObjectMeta,
    #[serde(default)]
    pub spec: PdbSpec,
    #[serde(default)]
    pub status: PdbStatus,
}

#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct PdbRec {
    pub meta: Meta,
    pub min_available: Option<Box<str>>,
    pub max_unavailable: Option<Box<str>>,
    pub selector: LabelSelector,
    pub current_healthy: i32,
    pub desired_healthy: i32,
    pub disruptions_allowed: i32,
    pub expected: i32,
}

impl PdbRec {
    pub fn from(p: &Pdb, names: &mut Interner) -> PdbRec {
        PdbRec {
            meta: Meta::from(&p.metadata, names),
            min_available: ios(&p.spec.min_available),
            max_unavailable: ios(&p.spec.max_unavailable),
            selector: selector_of(&p.spec.selector),
            current_healthy: p.status.current_healthy.unwrap_or(0),
            desired_healthy: p.status.desired_healthy.unwrap_or(0),
            disruptions_allowed: p.status.disruptions_allowed.unwrap_or(0),
            expected: p.status.expected_pods.unwrap_or(0),
        }
    }
}

impl Record for PdbRec {
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

impl Kind for Pdb {
    type Rec = PdbRec;
    const INFO: Info = Info {
        kind: "PodDisruptionBudget",
        group: "policy",
        version: "v1",
        plural: "poddisruptionbudgets",
        singular: "poddisruptionbudget",
        short: &["pdb"],
        namespaced: true,
        title: "PodDisruptionBudgets",
    };

    fn record(&self, names: &mut Interner) -> PdbRec {
        PdbRec::from(self, names)
    }

    fn columns() -> Vec<Column<PdbRec>> {
        vec![
            Column {
                title: "MIN AVAILABLE",
                width: Width::Fixed(13),
                cell: |r, _| r.min_available.as_deref().unwrap_or("N/A").to_string(),
            },
            Column {
                title: "MAX UNAVAILABLE",
                width: Width::Fixed(15),
                cell: |r, _| r.max_unavailable.as_deref().unwrap_or("N/A").to_string(),
            },
            Column {
                title: "ALLOWED",
                width: Width::Fixed(7),
                cell: |r, _| r.disruptions_allowed.to_string(),
            },
            Column {
                title: "HEALTHY",
                width: Width::Fixed(7),
                cell: |r, _| format!("{}/{}", r.current_healthy, r.expected),
            },
            Column { title: "AGE", width: Width::Fixed(5), cell: |r, j| age(j.now, r.meta.created) },
        ]
    }

    fn assess(r: &PdbRec, _: &Join) -> Option<(Severity, String)> {
        (r.expected > 0 && r.disruptions_allowed == 0).then(|| {
            (
                Severity::Info,
                "no disruption allowed now".to_string(),
            )
        })
    }

    fn drill(r: &PdbRec) -> Option<Drill> {
        Some(Drill::Pods {
            selector: r.selector.clone(),
            title: format!("pdb/{}", r.meta.name),
        })
    }
}
resource!(Pdb, Namespaced);
