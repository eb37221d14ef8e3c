//! On-demand reads: the full YAML of one object (for the YAML view), without
//! `managedFields`. A Secret's values and its last-applied annotation never leave
//! this module: they are replaced by their sizes before anything is returned.

use kube::api::{Api, DynamicObject};
use kube::discovery::ApiResource;

use super::kinds::Info;

/// The kube-rs resource for a kind's identity.
pub fn api_resource(i: &Info) -> ApiResource {
    ApiResource {
        group: i.group.into(),
        version: i.version.into(),
        api_version: i.api_version(),
        kind: i.kind.into(),
        plural: i.plural.into(),
    }
}

/// Replaces a Secret's values by their sizes, and drops annotations that may hold
/// them (`last-applied-configuration` carries the whole object as applied).
pub fn redact_secret(obj: &mut serde_json::Value) {
    for field in ["data", "stringData"] {
        if let Some(m) = obj.get_mut(field).and_then(|d| d.as_object_mut()) {
            for v in m.values_mut() {
                let n = v.as_str().map_or(0, |s| {
                    let pad = s.bytes().rev().take_while(|b| *b == b'=').count();
                    (s.len() / 4 * 3 + (s.len() % 4) * 3 / 4).saturating_sub(pad)
                });
                *v = serde_json::Value::String(format!("<hidden: {n} bytes>"));
            }
        }
    }
    if let Some(a) = obj
        .pointer_mut("/metadata/annotations")
        .and_then(|a| a.as_object_mut())
    {
        a.remove("kubectl.kubernetes.io/last-applied-configuration");
    }
}

/// Whether objects of this resource hold secret values.
pub fn is_secret(ar: &ApiResource) -> bool {
    ar.group.is_empty() && ar.plural == "secrets"
}

/// The object as YAML (managedFields removed, secret values replaced by sizes).
pub async fn yaml(
    client: kube::Client,
    ar: &ApiResource,
    namespace: &str,
    name: &str,
) -> Result<String, String> {
    let api: Api<DynamicObject> = if namespace.is_empty() {
        Api::all_with(client, ar)
    } else {
        Api::namespaced_with(client, namespace, ar)
    };
    let mut obj = api
        .get(name)
        .await
        .map_err(|e| super::watch::short_error(&e))?;
    obj.metadata.managed_fields = None;
    let mut v = serde_json::to_value(&obj).map_err(|e| format!("cannot render: {e}"))?;
    if is_secret(ar) {
        redact_secret(&mut v);
    }
    serde_saphyr::to_string(&v).map_err(|e| format!("cannot render YAML: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secret_values_are_replaced_by_sizes() {
        let mut v = serde_json::json!({
            "metadata": {"name": "s", "annotations": {
                "kubectl.kubernetes.io/last-applied-configuration": "{\"data\":{\"k\":\"aHVudGVyMg==\"}}",
                "team": "payments"}},
            "data": {"k": "aHVudGVyMg==", "empty": ""},
            "type": "Opaque"
        });
        redact_secret(&mut v);
        let text = v.to_string();
        assert!(!text.contains("aHVudGVyMg"), "{text}");
        assert_eq!(v["data"]["k"], "<hidden: 7 bytes>");
        assert_eq!(v["data"]["empty"], "<hidden: 0 bytes>");
        assert_eq!(v["metadata"]["annotations"]["team"], "payments");
    }
}
