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

/// What describe shows of a pod beyond the console's slim record, fetched when the
/// page opens: its conditions, and per container the environment (names and plain
/// values; a value from a Secret is never shown, only where it comes from) and the
/// mounts, then the volumes.
pub async fn pod_detail(
    client: kube::Client,
    namespace: &str,
    name: &str,
) -> Result<String, String> {
    let api: Api<DynamicObject> = Api::namespaced_with(
        client,
        namespace,
        &api_resource(crate::cluster::kinds::ResKind::Pod.info()),
    );
    let obj = api
        .get(name)
        .await
        .map_err(|e| super::watch::short_error(&e))?;
    let v = serde_json::to_value(&obj).map_err(|e| format!("cannot render: {e}"))?;
    Ok(pod_page(&v))
}

/// [`pod_detail`]'s page from the pod's JSON.
pub fn pod_page(v: &serde_json::Value) -> String {
    // Every value one line, inert and bounded: a newline inside one cannot forge a
    // line of the page.
    let s = |x: &serde_json::Value| crate::util::sanitize::line(x.as_str().unwrap_or(""), 300);
    let mut out = String::new();
    let conds = v["status"]["conditions"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    out.push_str("Conditions:\n");
    if conds.is_empty() {
        out.push_str("  <none>\n");
    }
    for c in &conds {
        let mut why = s(&c["reason"]);
        let msg = s(&c["message"]);
        if !msg.is_empty() {
            why = if why.is_empty() {
                msg
            } else {
                format!("{why}: {msg}")
            };
        }
        out.push_str(&format!(
            "  {:<16} {:<6} {why}\n",
            s(&c["type"]),
            s(&c["status"])
        ));
    }
    let spec = &v["spec"];
    for (section, list) in [
        ("Init container", &spec["initContainers"]),
        ("Container", &spec["containers"]),
    ] {
        for c in list.as_array().into_iter().flatten() {
            out.push_str(&format!("{section} {}:\n", s(&c["name"])));
            out.push_str("  Environment:\n");
            let env = c["env"].as_array().cloned().unwrap_or_default();
            let from = c["envFrom"].as_array().cloned().unwrap_or_default();
            if env.is_empty() && from.is_empty() {
                out.push_str("    <none>\n");
            }
            for e in &env {
                let vf = &e["valueFrom"];
                let value = if let Some(r) = vf.get("secretKeyRef") {
                    format!("<secret {}/{}: hidden>", s(&r["name"]), s(&r["key"]))
                } else if let Some(r) = vf.get("configMapKeyRef") {
                    format!("<configmap {}/{}>", s(&r["name"]), s(&r["key"]))
                } else if let Some(r) = vf.get("fieldRef") {
                    format!("<field {}>", s(&r["fieldPath"]))
                } else if let Some(r) = vf.get("resourceFieldRef") {
                    format!("<resource {}>", s(&r["resource"]))
                } else {
                    s(&e["value"])
                };
                let value = crate::util::sanitize::line(&value, 300);
                out.push_str(&format!("    {:<24} {value}\n", s(&e["name"])));
            }
            for f in &from {
                let (kind, r) = match (f.get("secretRef"), f.get("configMapRef")) {
                    (Some(r), _) => ("secret", r),
                    (_, Some(r)) => ("configmap", r),
                    _ => continue,
                };
                out.push_str(&format!("    <every key of {kind} {}>\n", s(&r["name"])));
            }
            out.push_str("  Mounts:\n");
            let mounts = c["volumeMounts"].as_array().cloned().unwrap_or_default();
            if mounts.is_empty() {
                out.push_str("    <none>\n");
            }
            for m in &mounts {
                let ro = if m["readOnly"].as_bool() == Some(true) {
                    "ro"
                } else {
                    "rw"
                };
                let sub = s(&m["subPath"]);
                let sub = if sub.is_empty() {
                    String::new()
                } else {
                    format!(", path {sub}")
                };
                out.push_str(&format!(
                    "    {} from {} ({ro}{sub})\n",
                    s(&m["mountPath"]),
                    s(&m["name"])
                ));
            }
        }
    }
    let vols = spec["volumes"].as_array().cloned().unwrap_or_default();
    if !vols.is_empty() {
        out.push_str("Volumes:\n");
    }
    for vol in &vols {
        let what = vol
            .as_object()
            .and_then(|o| o.iter().find(|(k, _)| *k != "name"))
            .map(|(k, x)| {
                let target = ["claimName", "secretName", "name", "path"]
                    .iter()
                    .find_map(|f| x[*f].as_str())
                    .unwrap_or("");
                format!("{k} {target}").trim_end().to_string()
            })
            .unwrap_or_default();
        out.push_str(&format!("  {:<24} {what}\n", s(&vol["name"])));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_pods_page_names_env_and_mounts_where_a_secret_is_only_named() {
        let pod = serde_json::json!({
            "spec": {
                "containers": [{
                    "name": "api",
                    "env": [
                        {"name": "LOG_LEVEL", "value": "info"},
                        {"name": "FORGED", "value": "x\nDB_PASSWORD <secret db/password: hidden>\u{001b}[2J"},
                        {"name": "DB_PASSWORD", "valueFrom": {"secretKeyRef": {"name": "db", "key": "password"}}},
                        {"name": "POD_IP", "valueFrom": {"fieldRef": {"fieldPath": "status.podIP"}}}
                    ],
                    "envFrom": [{"secretRef": {"name": "api-secrets"}}],
                    "volumeMounts": [{"name": "config", "mountPath": "/etc/api", "readOnly": true}]
                }],
                "volumes": [{"name": "config", "configMap": {"name": "api-config"}}]
            },
            "status": {"conditions": [
                {"type": "Ready", "status": "False", "reason": "ContainersNotReady", "message": "containers with unready status: [api]"}
            ]}
        });
        let page = pod_page(&pod);
        // A value cannot forge a line, nor carry an escape.
        let starts = page
            .lines()
            .filter(|l| l.trim_start().starts_with("DB_PASSWORD"))
            .count();
        assert_eq!(starts, 1, "{page}");
        assert!(!page.contains('\u{1b}'), "{page}");
        assert!(
            page.contains(
                "Ready            False  ContainersNotReady: containers with unready status: [api]"
            ),
            "{page}"
        );
        assert!(page.contains("LOG_LEVEL                info"), "{page}");
        assert!(
            page.contains("DB_PASSWORD              <secret db/password: hidden>"),
            "{page}"
        );
        assert!(
            page.contains("POD_IP                   <field status.podIP>"),
            "{page}"
        );
        assert!(page.contains("<every key of secret api-secrets>"), "{page}");
        assert!(page.contains("/etc/api from config (ro)"), "{page}");
        assert!(
            page.contains("config                   configMap api-config"),
            "{page}"
        );
    }

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
