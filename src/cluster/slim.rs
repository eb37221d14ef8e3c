//! Slim projections of the watched kinds: serde types that implement
//! `kube::Resource`, so kube-runtime watchers deserialise the API's JSON straight
//! into them. Only fields the console shows or acts on exist; `managedFields` is
//! never materialised and annotations are filtered while parsing (a 100 KB
//! last-applied-configuration is skipped, not allocated).

use std::borrow::Cow;
use std::collections::BTreeMap;

use k8s_openapi::apimachinery::pkg::apis::meta::v1::{
    LabelSelector, ObjectMeta, OwnerReference, Time,
};
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;
use k8s_openapi::{ClusterResourceScope, NamespaceResourceScope};
use serde::de::{IgnoredAny, MapAccess, Visitor};
use serde::{Deserialize, Deserializer};

/// Annotations the console uses; every other annotation is dropped at the source.
pub const KEPT_ANNOTATIONS: &[&str] = &[
    "deployment.kubernetes.io/revision",
    "kubernetes.io/change-cause",
    "kubectl.kubernetes.io/default-container",
    "kubectl.kubernetes.io/restartedAt",
    "cronjob.kubernetes.io/instantiate",
    "batch.kubernetes.io/cronjob-scheduled-timestamp",
];

fn kept(k: &str) -> bool {
    KEPT_ANNOTATIONS.contains(&k) || k.starts_with("kdeck.io/")
}

struct AnnotationVisitor;

impl<'de> Visitor<'de> for AnnotationVisitor {
    type Value = Option<BTreeMap<String, String>>;
    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("a map of annotations")
    }
    fn visit_none<E>(self) -> Result<Self::Value, E> {
        Ok(None)
    }
    fn visit_unit<E>(self) -> Result<Self::Value, E> {
        Ok(None)
    }
    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_map(AnnotationVisitor)
    }
    fn visit_map<A: MapAccess<'de>>(self, mut m: A) -> Result<Self::Value, A::Error> {
        let mut out = BTreeMap::new();
        while let Some(k) = m.next_key::<Cow<'de, str>>()? {
            if kept(&k) {
                let v: String = m.next_value()?;
                out.insert(k.into_owned(), v);
            } else {
                m.next_value::<IgnoredAny>()?;
            }
        }
        Ok((!out.is_empty()).then_some(out))
    }
}

fn filtered_annotations<'de, D: Deserializer<'de>>(
    d: D,
) -> Result<Option<BTreeMap<String, String>>, D::Error> {
    d.deserialize_option(AnnotationVisitor)
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase")]
struct RawMeta {
    name: Option<String>,
    namespace: Option<String>,
    uid: Option<String>,
    resource_version: Option<String>,
    generation: Option<i64>,
    creation_timestamp: Option<Time>,
    deletion_timestamp: Option<Time>,
    labels: Option<BTreeMap<String, String>>,
    #[serde(default, deserialize_with = "filtered_annotations")]
    annotations: Option<BTreeMap<String, String>>,
    owner_references: Option<Vec<OwnerReference>>,
    // managedFields and everything else: ignored without being built.
}

fn slim_meta<'de, D: Deserializer<'de>>(d: D) -> Result<ObjectMeta, D::Error> {
    let r = RawMeta::deserialize(d)?;
    Ok(ObjectMeta {
        name: r.name,
        namespace: r.namespace,
        uid: r.uid,
        resource_version: r.resource_version,
        generation: r.generation,
        creation_timestamp: r.creation_timestamp,
        deletion_timestamp: r.deletion_timestamp,
        labels: r.labels,
        annotations: r.annotations,
        owner_references: r.owner_references,
        ..ObjectMeta::default()
    })
}

macro_rules! slim_resource {
    ($t:ident, $kind:literal, $group:literal, $version:literal, $plural:literal, $scope:ty) => {
        impl kube::Resource for $t {
            type DynamicType = ();
            type Scope = $scope;
            fn kind(_: &()) -> Cow<'_, str> {
                Cow::Borrowed($kind)
            }
            fn group(_: &()) -> Cow<'_, str> {
                Cow::Borrowed($group)
            }
            fn version(_: &()) -> Cow<'_, str> {
                Cow::Borrowed($version)
            }
            fn plural(_: &()) -> Cow<'_, str> {
                Cow::Borrowed($plural)
            }
            fn meta(&self) -> &ObjectMeta {
                &self.metadata
            }
            fn meta_mut(&mut self) -> &mut ObjectMeta {
                &mut self.metadata
            }
        }
    };
}

// ---------------------------------------------------------------- shared parts

#[derive(Deserialize, Clone, Debug, Default)]
#[serde(rename_all = "camelCase")]
pub struct Condition {
    #[serde(rename = "type")]
    pub type_: String,
    pub status: String,
    pub reason: Option<String>,
    pub message: Option<String>,
    pub last_update_time: Option<Time>,
    pub last_transition_time: Option<Time>,
}

#[derive(Deserialize, Clone, Debug, Default)]
pub struct Resources {
    pub requests: Option<BTreeMap<String, serde_json::Value>>,
    pub limits: Option<BTreeMap<String, serde_json::Value>>,
}

#[derive(Deserialize, Clone, Debug, Default)]
#[serde(rename_all = "camelCase")]
pub struct HttpGet {
    pub path: Option<String>,
    pub port: Option<IntOrString>,
    pub scheme: Option<String>,
}

#[derive(Deserialize, Clone, Debug, Default)]
#[serde(rename_all = "camelCase")]
pub struct Probe {
    pub http_get: Option<HttpGet>,
}

#[derive(Deserialize, Clone, Debug, Default)]
#[serde(rename_all = "camelCase")]
pub struct Port {
    pub name: Option<String>,
    pub container_port: Option<i32>,
}

#[derive(Deserialize, Clone, Debug, Default)]
#[serde(rename_all = "camelCase")]
pub struct Container {
    pub name: String,
    pub image: Option<String>,
    #[serde(default)]
    pub ports: Vec<Port>,
    pub resources: Option<Resources>,
    pub readiness_probe: Option<Probe>,
    pub liveness_probe: Option<Probe>,
    pub startup_probe: Option<Probe>,
}

#[derive(Deserialize, Clone, Debug, Default)]
#[serde(rename_all = "camelCase")]
pub struct PodSpec {
    #[serde(default)]
    pub containers: Vec<Container>,
    pub node_name: Option<String>,
}

#[derive(Deserialize, Clone, Debug, Default)]
pub struct TemplateMeta {
    pub labels: Option<BTreeMap<String, String>>,
    #[serde(default, deserialize_with = "filtered_annotations")]
    pub annotations: Option<BTreeMap<String, String>>,
}

#[derive(Deserialize, Clone, Debug, Default)]
pub struct PodTemplate {
    #[serde(default)]
    pub metadata: TemplateMeta,
    #[serde(default)]
    pub spec: PodSpec,
}

// ---------------------------------------------------------------- kinds

#[derive(Deserialize, Clone, Debug, Default)]
pub struct Namespace {
    #[serde(deserialize_with = "slim_meta", default)]
    pub metadata: ObjectMeta,
    pub status: Option<NamespaceStatus>,
}
#[derive(Deserialize, Clone, Debug, Default)]
pub struct NamespaceStatus {
    pub phase: Option<String>,
}
slim_resource!(
    Namespace,
    "Namespace",
    "",
    "v1",
    "namespaces",
    ClusterResourceScope
);

#[derive(Deserialize, Clone, Debug, Default)]
#[serde(rename_all = "camelCase")]
pub struct ContainerStateWaiting {
    pub reason: Option<String>,
    pub message: Option<String>,
}
#[derive(Deserialize, Clone, Debug, Default)]
#[serde(rename_all = "camelCase")]
pub struct ContainerStateRunning {
    pub started_at: Option<Time>,
}
#[derive(Deserialize, Clone, Debug, Default)]
#[serde(rename_all = "camelCase")]
pub struct ContainerStateTerminated {
    pub reason: Option<String>,
    pub exit_code: Option<i32>,
    pub finished_at: Option<Time>,
}
#[derive(Deserialize, Clone, Debug, Default)]
pub struct ContainerState {
    pub waiting: Option<ContainerStateWaiting>,
    pub running: Option<ContainerStateRunning>,
    pub terminated: Option<ContainerStateTerminated>,
}
#[derive(Deserialize, Clone, Debug, Default)]
#[serde(rename_all = "camelCase")]
pub struct ContainerStatus {
    pub name: String,
    #[serde(default)]
    pub ready: bool,
    #[serde(default)]
    pub restart_count: i32,
    pub state: Option<ContainerState>,
    pub last_state: Option<ContainerState>,
}
#[derive(Deserialize, Clone, Debug, Default)]
#[serde(rename_all = "camelCase")]
pub struct PodStatus {
    pub phase: Option<String>,
    pub reason: Option<String>,
    #[serde(rename = "podIP")]
    pub pod_ip: Option<String>,
    pub start_time: Option<Time>,
    #[serde(default)]
    pub conditions: Vec<Condition>,
    #[serde(default)]
    pub container_statuses: Vec<ContainerStatus>,
}
#[derive(Deserialize, Clone, Debug, Default)]
pub struct Pod {
    #[serde(deserialize_with = "slim_meta", default)]
    pub metadata: ObjectMeta,
    #[serde(default)]
    pub spec: PodSpec,
    #[serde(default)]
    pub status: PodStatus,
}
slim_resource!(Pod, "Pod", "", "v1", "pods", NamespaceResourceScope);

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
    pub selector: Option<LabelSelector>,
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
slim_resource!(
    Deployment,
    "Deployment",
    "apps",
    "v1",
    "deployments",
    NamespaceResourceScope
);

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
slim_resource!(
    ReplicaSet,
    "ReplicaSet",
    "apps",
    "v1",
    "replicasets",
    NamespaceResourceScope
);

#[derive(Deserialize, Clone, Debug, Default)]
#[serde(rename_all = "camelCase")]
pub struct StatefulSetSpec {
    pub replicas: Option<i32>,
    pub selector: Option<LabelSelector>,
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
slim_resource!(
    StatefulSet,
    "StatefulSet",
    "apps",
    "v1",
    "statefulsets",
    NamespaceResourceScope
);

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
slim_resource!(
    Hpa,
    "HorizontalPodAutoscaler",
    "autoscaling",
    "v2",
    "horizontalpodautoscalers",
    NamespaceResourceScope
);

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
slim_resource!(
    CronJob,
    "CronJob",
    "batch",
    "v1",
    "cronjobs",
    NamespaceResourceScope
);

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
slim_resource!(Job, "Job", "batch", "v1", "jobs", NamespaceResourceScope);

#[derive(Deserialize, Clone, Debug, Default)]
#[serde(rename_all = "camelCase")]
pub struct ServicePort {
    pub name: Option<String>,
    pub port: i32,
    pub target_port: Option<IntOrString>,
    pub node_port: Option<i32>,
    pub protocol: Option<String>,
}
#[derive(Deserialize, Clone, Debug, Default)]
#[serde(rename_all = "camelCase")]
pub struct ServiceSpec {
    #[serde(rename = "type")]
    pub type_: Option<String>,
    #[serde(rename = "clusterIP")]
    pub cluster_ip: Option<String>,
    pub selector: Option<BTreeMap<String, String>>,
    #[serde(default)]
    pub ports: Vec<ServicePort>,
}
#[derive(Deserialize, Clone, Debug, Default)]
pub struct Service {
    #[serde(deserialize_with = "slim_meta", default)]
    pub metadata: ObjectMeta,
    #[serde(default)]
    pub spec: ServiceSpec,
}
slim_resource!(
    Service,
    "Service",
    "",
    "v1",
    "services",
    NamespaceResourceScope
);

#[derive(Deserialize, Clone, Debug, Default)]
#[serde(rename_all = "camelCase")]
pub struct TargetRef {
    pub name: Option<String>,
}
#[derive(Deserialize, Clone, Debug, Default)]
#[serde(rename_all = "camelCase")]
pub struct EndpointAddress {
    pub ip: String,
    pub target_ref: Option<TargetRef>,
}
#[derive(Deserialize, Clone, Debug, Default)]
#[serde(rename_all = "camelCase")]
pub struct EndpointSubset {
    #[serde(default)]
    pub addresses: Vec<EndpointAddress>,
    #[serde(default)]
    pub not_ready_addresses: Vec<EndpointAddress>,
}
#[derive(Deserialize, Clone, Debug, Default)]
pub struct Endpoints {
    #[serde(deserialize_with = "slim_meta", default)]
    pub metadata: ObjectMeta,
    #[serde(default)]
    pub subsets: Vec<EndpointSubset>,
}
slim_resource!(
    Endpoints,
    "Endpoints",
    "",
    "v1",
    "endpoints",
    NamespaceResourceScope
);

#[derive(Deserialize, Clone, Debug, Default)]
#[serde(rename_all = "camelCase")]
pub struct InvolvedObject {
    pub kind: Option<String>,
    pub name: Option<String>,
    pub namespace: Option<String>,
    pub field_path: Option<String>,
}
#[derive(Deserialize, Clone, Debug, Default)]
pub struct EventSource {
    pub component: Option<String>,
}
#[derive(Deserialize, Clone, Debug, Default)]
#[serde(rename_all = "camelCase")]
pub struct Event {
    #[serde(deserialize_with = "slim_meta", default)]
    pub metadata: ObjectMeta,
    #[serde(default)]
    pub involved_object: InvolvedObject,
    pub reason: Option<String>,
    pub message: Option<String>,
    #[serde(rename = "type")]
    pub type_: Option<String>,
    pub count: Option<i32>,
    pub first_timestamp: Option<Time>,
    pub last_timestamp: Option<Time>,
    pub event_time: Option<serde_json::Value>,
    pub source: Option<EventSource>,
}
slim_resource!(Event, "Event", "", "v1", "events", NamespaceResourceScope);

#[derive(Deserialize, Clone, Debug, Default)]
#[serde(rename_all = "camelCase")]
pub struct PdbSpec {
    pub min_available: Option<IntOrString>,
    pub max_unavailable: Option<IntOrString>,
    pub selector: Option<LabelSelector>,
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
slim_resource!(
    Pdb,
    "PodDisruptionBudget",
    "policy",
    "v1",
    "poddisruptionbudgets",
    NamespaceResourceScope
);

// ---------------------------------------------------------------- volume snapshots

#[derive(Deserialize, Clone, Debug, Default)]
#[serde(rename_all = "camelCase")]
pub struct SnapshotSource {
    pub persistent_volume_claim_name: Option<String>,
    pub volume_snapshot_content_name: Option<String>,
}

#[derive(Deserialize, Clone, Debug, Default)]
pub struct SnapshotSpec {
    #[serde(default)]
    pub source: SnapshotSource,
}

#[derive(Deserialize, Clone, Debug, Default)]
pub struct SnapshotError {
    pub message: Option<String>,
    pub time: Option<Time>,
}

#[derive(Deserialize, Clone, Debug, Default)]
#[serde(rename_all = "camelCase")]
pub struct SnapshotStatus {
    pub ready_to_use: Option<bool>,
    pub creation_time: Option<Time>,
    pub restore_size: Option<String>,
    pub error: Option<SnapshotError>,
}

/// `snapshot.storage.k8s.io/v1` VolumeSnapshot (served only where the CSI snapshot
/// CRDs are installed).
#[derive(Deserialize, Clone, Debug, Default)]
pub struct VolumeSnapshot {
    #[serde(deserialize_with = "slim_meta", default)]
    pub metadata: ObjectMeta,
    #[serde(default)]
    pub spec: SnapshotSpec,
    #[serde(default)]
    pub status: SnapshotStatus,
}
slim_resource!(
    VolumeSnapshot,
    "VolumeSnapshot",
    "snapshot.storage.k8s.io",
    "v1",
    "volumesnapshots",
    NamespaceResourceScope
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn managed_fields_and_big_annotations_are_dropped_at_the_source() {
        let big = "x".repeat(200_000);
        let json = serde_json::json!({
            "metadata": {
                "name": "web", "namespace": "ns", "resourceVersion": "7",
                "managedFields": [{"manager": "kubectl", "fieldsV1": {"f:spec": {}}}],
                "annotations": {
                    "kubectl.kubernetes.io/last-applied-configuration": big,
                    "deployment.kubernetes.io/revision": "3",
                    "kubernetes.io/change-cause": "deploy v2"
                }
            },
            "spec": {"replicas": 2, "template": {"metadata": {"labels": {"app": "web"}, "annotations": {"noise": "y", "kubectl.kubernetes.io/restartedAt": "t"}},
                "spec": {"containers": [{"name": "c", "image": "i:1", "readinessProbe": {"httpGet": {"path": "/ready", "port": 8080}}}]}}},
            "status": {"replicas": 2}
        });
        let d: Deployment = serde_json::from_value(json).unwrap();
        let a = d.metadata.annotations.unwrap();
        assert_eq!(a.len(), 2);
        assert_eq!(a["deployment.kubernetes.io/revision"], "3");
        assert!(d.metadata.managed_fields.is_none());
        let ta = d.spec.template.metadata.annotations.unwrap();
        assert_eq!(
            ta.keys().collect::<Vec<_>>(),
            vec!["kubectl.kubernetes.io/restartedAt"]
        );
        let probe = d.spec.template.spec.containers[0]
            .readiness_probe
            .as_ref()
            .unwrap();
        assert_eq!(
            probe.http_get.as_ref().unwrap().path.as_deref(),
            Some("/ready")
        );
        assert_eq!(<Deployment as kube::Resource>::plural(&()), "deployments");
    }
}
