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
    text(client, ar, namespace, name, false).await
}

/// The object as YAML, or (`describe`) as a describe page of its fields.
pub async fn text(
    client: kube::Client,
    ar: &ApiResource,
    namespace: &str,
    name: &str,
    describe: bool,
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
    if describe {
        return Ok(describe_page(&v));
    }
    serde_saphyr::to_string(&v).map_err(|e| format!("cannot render YAML: {e}"))
}

/// `creationTimestamp` → `Creation Timestamp`, as kubectl's generic describer
/// titles fields.
fn title(key: &str) -> String {
    let mut out = String::new();
    let mut prev_lower = false;
    for (i, c) in key.chars().enumerate() {
        if i == 0 {
            out.extend(c.to_uppercase());
        } else if c.is_uppercase() && prev_lower {
            out.push(' ');
            out.push(c);
        } else {
            out.push(c);
        }
        prev_lower = c.is_lowercase() || c.is_ascii_digit();
    }
    out
}

/// Fields whose keys are data (label keys, selector keys), printed as they are.
const MAPS: &[&str] = &[
    "labels",
    "annotations",
    "matchLabels",
    "selector",
    "nodeSelector",
    "data",
    "stringData",
    "binaryData",
];

fn field(out: &mut String, depth: usize, key: &str, v: &serde_json::Value) {
    field_in(out, depth, key, v, false)
}

fn field_in(out: &mut String, depth: usize, key: &str, v: &serde_json::Value, raw_key: bool) {
    use serde_json::Value;
    let pad = "  ".repeat(depth);
    let title = |k: &str| if raw_key { k.to_string() } else { title(k) };
    match v {
        Value::Object(m) if m.is_empty() => {
            out.push_str(&format!("{pad}{}:  <none>\n", title(key)))
        }
        Value::Object(m) => {
            out.push_str(&format!("{pad}{}:\n", title(key)));
            let data = MAPS.contains(&key);
            for (k, x) in m {
                field_in(out, depth + 1, k, x, data);
            }
        }
        Value::Array(a) if a.is_empty() => out.push_str(&format!("{pad}{}:  <none>\n", title(key))),
        Value::Array(a) => {
            out.push_str(&format!("{pad}{}:\n", title(key)));
            for x in a {
                match x {
                    Value::Object(m) => {
                        let mut first = true;
                        for (k, y) in m {
                            let lead = if first { "- " } else { "  " };
                            first = false;
                            let mut sub = String::new();
                            field(&mut sub, 0, k, y);
                            for (n, l) in sub.lines().enumerate() {
                                let p = if n == 0 { lead } else { "  " };
                                out.push_str(&format!("{pad}  {p}{l}\n"));
                            }
                        }
                    }
                    other => out.push_str(&format!("{pad}  {}\n", scalar(other))),
                }
            }
        }
        other => out.push_str(&format!("{pad}{}:  {}\n", title(key), scalar(other))),
    }
}

fn scalar(v: &serde_json::Value) -> String {
    match v {
        serde_json::Value::String(s) => s.clone(),
        serde_json::Value::Null => "<nil>".into(),
        other => other.to_string(),
    }
}

/// A describe page of any object: identity first, then every other field, nested.
pub fn describe_page(v: &serde_json::Value) -> String {
    let meta = &v["metadata"];
    let map = |m: &serde_json::Value| -> String {
        match m.as_object() {
            Some(m) if !m.is_empty() => m
                .iter()
                .map(|(k, x)| format!("{k}={}", scalar(x)))
                .collect::<Vec<_>>()
                .join("\n              "),
            _ => "<none>".into(),
        }
    };
    let mut out = format!(
        "Name:         {}\nNamespace:    {}\nLabels:       {}\nAnnotations:  {}\nAPI Version:  {}\nKind:         {}\n",
        scalar(&meta["name"]),
        meta["namespace"].as_str().unwrap_or(""),
        map(&meta["labels"]),
        map(&meta["annotations"]),
        scalar(&v["apiVersion"]),
        scalar(&v["kind"]),
    );
    if let Some(m) = v.as_object() {
        for (k, x) in m {
            if k == "apiVersion" || k == "kind" {
                continue;
            }
            if k == "metadata" {
                let mut rest = x.clone();
                if let Some(r) = rest.as_object_mut() {
                    for drop in [
                        "name",
                        "namespace",
                        "labels",
                        "annotations",
                        "managedFields",
                    ] {
                        r.remove(drop);
                    }
                }
                field(&mut out, 0, k, &rest);
            } else {
                field(&mut out, 0, k, x);
            }
        }
    }
    out
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
