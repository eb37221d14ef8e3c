//! HorizontalPodAutoscalers (`autoscaling/v2`): bounds, current and desired
//! replicas, each metric against its target, conditions. Shown by the fleet's HPA
//! view.

use super::prelude::*;

#[derive(Deserialize, Clone, Debug, Default)]
#[serde(rename_all = "camelCase")]
pub struct ScaleTargetRef {
    pub kind: String,
    pub name: String,
}
#[derive(Deserialize, Clone, Debug, Default)]
#[serde(rename_all = "camelCase")]
pub struct MetricTarget {
    #[serde(rename = "type")]
    pub type_: Option<String>,
    pub average_utilization: Option<i32>,
    pub average_value: Option<serde_json::Value>,
    pub value: Option<serde_json::Value>,
}
#[derive(Deserialize, Clone, Debug, Default)]
#[serde(rename_all = "camelCase")]
pub struct MetricValue {
    pub average_utilization: Option<i32>,
    pub average_value: Option<serde_json::Value>,
    pub value: Option<serde_json::Value>,
}
#[derive(Deserialize, Clone, Debug, Default)]
pub struct ResourceMetric {
    pub name: String,
    pub target: Option<MetricTarget>,
    pub current: Option<MetricValue>,
}
#[derive(Deserialize, Clone, Debug, Default)]
pub struct MetricIdentifier {
    pub name: String,
}
#[derive(Deserialize, Clone, Debug, Default)]
pub struct ExternalMetric {
    pub metric: MetricIdentifier,
    pub target: Option<MetricTarget>,
    pub current: Option<MetricValue>,
}
#[derive(Deserialize, Clone, Debug, Default)]
pub struct Metric {
    #[serde(rename = "type")]
    pub type_: String,
    pub resource: Option<ResourceMetric>,
    pub external: Option<ExternalMetric>,
}
#[derive(Deserialize, Clone, Debug, Default)]
#[serde(rename_all = "camelCase")]
pub struct HpaSpec {
    #[serde(default)]
    pub scale_target_ref: ScaleTargetRef,
    pub min_replicas: Option<i32>,
    #[serde(default)]
    pub max_replicas: i32,
    #[serde(default)]
    pub metrics: Vec<Metric>,
}
#[derive(Deserialize, Clone, Debug, Default)]
#[serde(rename_all = "camelCase")]
pub struct HpaStatus {
    pub current_replicas: Option<i32>,
    pub desired_replicas: Option<i32>,
    pub last_scale_time: Option<Time>,
    #[serde(default)]
    pub current_metrics: Vec<Metric>,
    #[serde(default)]
    pub conditions: Vec<Condition>,
}
#[derive(Deserialize, Clone, Debug, Default)]
pub struct Hpa {
    #[serde(deserialize_with = "slim_meta", default)]
    pub metadata: ObjectMeta,
    #[serde(default)]
    pub spec: HpaSpec,
    #[serde(default)]
    pub status: HpaStatus,
}

#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct HpaMetric {
    pub name: Box<str>,
    pub target: Box<str>,
    pub current: Option<Box<str>>,
    /// Current and target utilisation in percent, when the metric is a utilisation.
    pub utilization: Option<(i32, i32)>,
}

fn quantity_text(v: &Option<serde_json::Value>) -> Option<String> {
    match v.as_ref()? {
        serde_json::Value::String(s) => Some(s.clone()),
        serde_json::Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct HpaRec {
    pub meta: Meta,
    pub target_kind: Box<str>,
    pub target_name: Box<str>,
    pub min: i32,
    pub max: i32,
    pub current: i32,
    pub desired: i32,
    pub metrics: Box<[HpaMetric]>,
    pub conditions: Box<[Cond]>,
    pub last_scale: Option<Ts>,
}

impl HpaRec {
    pub fn from(h: &Hpa, names: &mut Interner) -> HpaRec {
        let metrics = h
            .spec
            .metrics
            .iter()
            .filter_map(|m| match m.type_.as_str() {
                "Resource" => {
                    let r = m.resource.as_ref()?;
                    let cur = h
                        .status
                        .current_metrics
                        .iter()
                        .filter_map(|c| c.resource.as_ref())
                        .find(|c| c.name == r.name)
                        .and_then(|c| c.current.clone());
                    let t = r.target.clone().unwrap_or_default();
                    let (target, current, util) = match t.average_utilization {
                        Some(goal) => {
                            let now = cur.as_ref().and_then(|c| c.average_utilization);
                            (
                                format!("{goal}%"),
                                now.map(|n| format!("{n}%")),
                                now.map(|n| (n, goal)),
                            )
                        }
                        None => (
                            quantity_text(&t.average_value).unwrap_or_default(),
                            cur.as_ref().and_then(|c| quantity_text(&c.average_value)),
                            None,
                        ),
                    };
                    Some(HpaMetric {
                        name: Box::from(r.name.as_str()),
                        target: Box::from(target.as_str()),
                        current: current.map(|c| Box::from(c.as_str())),
                        utilization: util,
                    })
                }
                "External" => {
                    let e = m.external.as_ref()?;
                    let cur = h
                        .status
                        .current_metrics
                        .iter()
                        .filter_map(|c| c.external.as_ref())
                        .find(|c| c.metric.name == e.metric.name)
                        .and_then(|c| c.current.clone());
                    let t = e.target.clone().unwrap_or_default();
                    let target = quantity_text(&t.average_value)
                        .or_else(|| quantity_text(&t.value))
                        .unwrap_or_default();
                    let current = cur.and_then(|c| {
                        quantity_text(&c.average_value).or_else(|| quantity_text(&c.value))
                    });
                    Some(HpaMetric {
                        name: Box::from(sanitize::line(&e.metric.name, 60).as_str()),
                        target: Box::from(target.as_str()),
                        current: current.map(|c| Box::from(c.as_str())),
                        utilization: None,
                    })
                }
                _ => None,
            })
            .collect();
        HpaRec {
            meta: Meta::from(&h.metadata, names),
            target_kind: Box::from(h.spec.scale_target_ref.kind.as_str()),
            target_name: Box::from(h.spec.scale_target_ref.name.as_str()),
            min: h.spec.min_replicas.unwrap_or(1),
            max: h.spec.max_replicas,
            current: h.status.current_replicas.unwrap_or(0),
            desired: h.status.desired_replicas.unwrap_or(0),
            metrics,
            conditions: conds(&h.status.conditions),
            last_scale: ts(&h.status.last_scale_time),
        }
    }

    pub fn at_max(&self) -> bool {
        self.max > 0 && self.desired >= self.max
    }
}

impl Record for HpaRec {
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

impl Kind for Hpa {
    type Rec = HpaRec;
    const INFO: Info = Info {
        kind: "HorizontalPodAutoscaler",
        group: "autoscaling",
        version: "v2",
        plural: "horizontalpodautoscalers",
        singular: "horizontalpodautoscaler",
        short: &["hpa"],
        namespaced: true,
        title: "HPAs",
    };

    fn record(&self, names: &mut Interner) -> HpaRec {
        HpaRec::from(self, names)
    }
}
resource!(Hpa, Namespaced);
