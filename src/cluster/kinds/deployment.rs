//! Deployments: desired and observed replicas, rollout strategy and conditions, the
//! pod template (images, probes, resources) and revision. Shown by the fleet's
//! workload views.

use super::prelude::*;

#[derive(Deserialize, Clone, Debug, Default)]
#[serde(rename_all = "camelCase")]
pub struct RollingUpdate {
    pub max_surge: Option<IntOrString>,
    pub max_unavailable: Option<IntOrString>,
}
#[derive(Deserialize, Clone, Debug, Default)]
#[serde(rename_all = "camelCase")]
pub struct Strategy {
    #[serde(rename = "type")]
    pub type_: Option<String>,
    pub rolling_update: Option<RollingUpdate>,
}
#[derive(Deserialize, Clone, Debug, Default)]
#[serde(rename_all = "camelCase")]
pub struct DeploymentSpec {
    pub replicas: Option<i32>,
    pub selector: Option<K8sSelector>,
    #[serde(default)]
    pub template: PodTemplate,
    pub strategy: Option<Strategy>,
    pub paused: Option<bool>,
    pub progress_deadline_seconds: Option<i32>,
}
#[derive(Deserialize, Clone, Debug, Default)]
#[serde(rename_all = "camelCase")]
pub struct DeploymentStatus {
    pub observed_generation: Option<i64>,
    pub replicas: Option<i32>,
    pub updated_replicas: Option<i32>,
    pub ready_replicas: Option<i32>,
    pub available_replicas: Option<i32>,
    pub unavailable_replicas: Option<i32>,
    #[serde(default)]
    pub conditions: Vec<Condition>,
}
#[derive(Deserialize, Clone, Debug, Default)]
pub struct Deployment {
    #[serde(deserialize_with = "slim_meta", default)]
    pub metadata: ObjectMeta,
    #[serde(default)]
    pub spec: DeploymentSpec,
    #[serde(default)]
    pub status: DeploymentStatus,
}

#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Rollout {
    pub strategy: Box<str>,
    pub max_surge: Option<Box<str>>,
    pub max_unavailable: Option<Box<str>>,
    pub progress_deadline: Option<i32>,
}

#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct DeploymentRec {
    pub meta: Meta,
    pub desired: i32,
    pub paused: bool,
    pub selector: LabelSelector,
    pub template: Template,
    pub rollout: Rollout,
    pub observed_generation: i64,
    pub replicas: i32,
    pub updated: i32,
    pub ready: i32,
    pub available: i32,
    pub conditions: Box<[Cond]>,
}

fn ios(v: &Option<IntOrString>) -> Option<Box<str>> {
    v.as_ref().map(|v| match v {
        IntOrString::Int(n) => Box::from(n.to_string().as_str()),
        IntOrString::String(s) => Box::from(s.as_str()),
    })
}

impl DeploymentRec {
    pub fn from(d: &Deployment, names: &mut Interner) -> DeploymentRec {
        let st = d.spec.strategy.clone().unwrap_or_default();
        DeploymentRec {
            meta: Meta::from(&d.metadata, names),
            desired: d.spec.replicas.unwrap_or(1),
            paused: d.spec.paused.unwrap_or(false),
            selector: selector_of(&d.spec.selector),
            template: Template::from(&d.spec.template, names),
            rollout: Rollout {
                strategy: Box::from(st.type_.as_deref().unwrap_or("RollingUpdate")),
                max_surge: st.rolling_update.as_ref().and_then(|r| ios(&r.max_surge)),
                max_unavailable: st
                    .rolling_update
                    .as_ref()
                    .and_then(|r| ios(&r.max_unavailable)),
                progress_deadline: d.spec.progress_deadline_seconds,
            },
            observed_generation: d.status.observed_generation.unwrap_or(0),
            replicas: d.status.replicas.unwrap_or(0),
            updated: d.status.updated_replicas.unwrap_or(0),
            ready: d.status.ready_replicas.unwrap_or(0),
            available: d.status.available_replicas.unwrap_or(0),
            conditions: conds(&d.status.conditions),
        }
    }

    pub fn revision(&self) -> Option<i64> {
        self.meta
            .annotation("deployment.kubernetes.io/revision")?
            .parse()
            .ok()
    }
}

impl Record for DeploymentRec {
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

impl Kind for Deployment {
    type Rec = DeploymentRec;
    const INFO: Info = Info {
        kind: "Deployment",
        group: "apps",
        version: "v1",
        plural: "deployments",
        singular: "deployment",
        short: &["deploy"],
        namespaced: true,
        title: "Deployments",
    };

    fn record(&self, names: &mut Interner) -> DeploymentRec {
        DeploymentRec::from(self, names)
    }
}
resource!(Deployment, Namespaced);
