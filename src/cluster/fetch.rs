//! On-demand reads: the full YAML of one object (for the YAML view), without
//! `managedFields`, sanitised line by line.

use kube::api::{Api, DynamicObject};
use kube::discovery::ApiResource;

use crate::app::msg::ResKind;

pub fn api_resource(kind: ResKind) -> ApiResource {
    let (group, version, k) = match kind {
        ResKind::Namespace => ("", "v1", "Namespace"),
        ResKind::Pod => ("", "v1", "Pod"),
        ResKind::Deployment => ("apps", "v1", "Deployment"),
        ResKind::ReplicaSet => ("apps", "v1", "ReplicaSet"),
        ResKind::StatefulSet => ("apps", "v1", "StatefulSet"),
        ResKind::Hpa => ("autoscaling", "v2", "HorizontalPodAutoscaler"),
        ResKind::CronJob => ("batch", "v1", "CronJob"),
        ResKind::Job => ("batch", "v1", "Job"),
        ResKind::Service => ("", "v1", "Service"),
        ResKind::Endpoints => ("", "v1", "Endpoints"),
        ResKind::Event => ("", "v1", "Event"),
        ResKind::Pdb => ("policy", "v1", "PodDisruptionBudget"),
    };
    ApiResource {
        group: group.into(),
        version: version.into(),
        api_version: if group.is_empty() {
            version.into()
        } else {
            format!("{group}/{version}")
        },
        kind: k.into(),
        plural: kind.plural().into(),
    }
}

/// The object as YAML (managedFields removed).
pub async fn yaml(
    client: kube::Client,
    kind: ResKind,
    namespace: &str,
    name: &str,
) -> Result<String, String> {
    let ar = api_resource(kind);
    let api: Api<DynamicObject> = if namespace.is_empty() {
        Api::all_with(client, &ar)
    } else {
        Api::namespaced_with(client, namespace, &ar)
    };
    let mut obj = api
        .get(name)
        .await
        .map_err(|e| super::watch::short_error(&e))?;
    obj.metadata.managed_fields = None;
    serde_saphyr::to_string(&obj).map_err(|e| format!("cannot render YAML: {e}"))
}
