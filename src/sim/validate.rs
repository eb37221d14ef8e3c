//! Validation of writes, answering 422 Invalid with causes shaped like the real API
//! server's. Deliberately more permissive in one place: label *values* are not
//! checked, so tests can plant hostile strings that a console must draw inert.

use serde_json::Value;

use super::kinds::Kind;
use super::obj;
use super::selectors::{FromValue, LabelSelector, MatchValue};
use super::status::Cause;

const SUBDOMAIN_MSG: &str = "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";
const LABEL_MSG: &str = "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')";

pub fn is_dns_label(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 63
        && s.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && !s.starts_with('-')
        && !s.ends_with('-')
}

pub fn is_dns_subdomain(s: &str) -> bool {
    !s.is_empty() && s.len() <= 253 && s.split('.').all(is_dns_label)
}

fn quoted(s: &str) -> String {
    format!("\"{s}\"")
}

fn check_name(kind: Kind, v: &Value, causes: &mut Vec<Cause>) {
    let name = obj::name(v);
    if name.is_empty() {
        if obj::str_at(v, &["metadata", "generateName"]).is_none() {
            causes.push(Cause::required("metadata.name"));
        }
        return;
    }
    let label_only = matches!(kind, Kind::Namespace | Kind::Service);
    let ok = if label_only {
        is_dns_label(name)
    } else {
        is_dns_subdomain(name)
    };
    if !ok {
        causes.push(Cause::invalid(
            "metadata.name",
            quoted(name),
            if label_only { LABEL_MSG } else { SUBDOMAIN_MSG },
        ));
    }
}

fn check_label_keys(v: &Value, causes: &mut Vec<Cause>) {
    if let Some(m) = obj::at(v, &["metadata", "labels"]).as_object() {
        for (k, val) in m {
            let name = k.rsplit('/').next().unwrap_or("");
            if name.is_empty() || name.len() > 63 || k.len() > 316 {
                causes.push(Cause::invalid(
                    "metadata.labels",
                    quoted(k),
                    "name part must be no more than 63 characters",
                ));
            }
            if !val.is_string() {
                causes.push(Cause::invalid(
                    &format!("metadata.labels[{k}]"),
                    val,
                    "must be a string",
                ));
            }
        }
    }
}

fn check_int_min(v: &Value, path: &[&str], min: i64, causes: &mut Vec<Cause>) {
    let field = path.join(".");
    match obj::at(v, path) {
        Value::Null => {}
        Value::Number(n) => match n.as_i64() {
            Some(i) if i < min => causes.push(Cause::invalid(
                &field,
                i,
                &format!("must be greater than or equal to {min}"),
            )),
            Some(_) => {}
            None => causes.push(Cause::invalid(&field, n, "must be an integer")),
        },
        other => causes.push(Cause::invalid(&field, other, "must be an integer")),
    }
}

fn check_pod_spec(spec: &Value, prefix: &str, causes: &mut Vec<Cause>) {
    let containers = spec.get("containers").and_then(Value::as_array);
    match containers {
        None => causes.push(Cause::required(&format!("{prefix}.containers"))),
        Some(cs) if cs.is_empty() => causes.push(Cause::required(&format!("{prefix}.containers"))),
        Some(cs) => {
            let mut seen = std::collections::HashSet::new();
            for (i, c) in cs.iter().enumerate() {
                let f = format!("{prefix}.containers[{i}]");
                match c["name"].as_str() {
                    None | Some("") => causes.push(Cause::required(&format!("{f}.name"))),
                    Some(n) if !is_dns_label(n) => {
                        causes.push(Cause::invalid(&format!("{f}.name"), quoted(n), LABEL_MSG))
                    }
                    Some(n) => {
                        if !seen.insert(n.to_string()) {
                            causes.push(Cause {
                                kind: "FieldValueDuplicate",
                                field: format!("{f}.name"),
                                message: format!("Duplicate value: {}", quoted(n)),
                            });
                        }
                    }
                }
                match c["image"].as_str() {
                    None | Some("") => causes.push(Cause::required(&format!("{f}.image"))),
                    Some(img) if img.trim() != img => causes.push(Cause::invalid(
                        &format!("{f}.image"),
                        quoted(img),
                        "must not have leading or trailing whitespace",
                    )),
                    _ => {}
                }
                if let Some(ports) = c["ports"].as_array() {
                    for (j, p) in ports.iter().enumerate() {
                        let port = p["containerPort"].as_i64().unwrap_or(0);
                        if !(1..=65535).contains(&port) {
                            causes.push(Cause::invalid(
                                &format!("{f}.ports[{j}].containerPort"),
                                &p["containerPort"],
                                "must be between 1 and 65535, inclusive",
                            ));
                        }
                    }
                }
            }
        }
    }
    if let Some(rp) = spec["restartPolicy"].as_str()
        && !["Always", "OnFailure", "Never"].contains(&rp)
    {
        causes.push(Cause::unsupported(
            &format!("{prefix}.restartPolicy"),
            rp,
            &["Always", "OnFailure", "Never"],
        ));
    }
}

fn check_selector_matches_template(v: &Value, causes: &mut Vec<Cause>) {
    let sel = obj::at(v, &["spec", "selector"]);
    if sel.is_null() {
        causes.push(Cause::required("spec.selector"));
        return;
    }
    let selector = LabelSelector::from_value(sel);
    if selector.is_empty() {
        causes.push(Cause::invalid(
            "spec.selector",
            "{}",
            "empty selector is invalid for deployment",
        ));
        return;
    }
    let labels = obj::at(v, &["spec", "template", "metadata", "labels"]);
    if !selector.matches_map(labels) {
        causes.push(Cause::invalid(
            "spec.template.metadata.labels",
            format!("map[string]string{labels}"),
            "`selector` does not match template `labels`",
        ));
    }
}

fn immutable(old: &Value, new: &Value, path: &[&str], causes: &mut Vec<Cause>) {
    let (o, n) = (obj::at(old, path), obj::at(new, path));
    if obj::normalized(o) != obj::normalized(n) {
        causes.push(Cause::invalid(&path.join("."), n, "field is immutable"));
    }
}

/// Whether `s` is standard base64 (how a Secret's data travels).
fn is_base64(s: &str) -> bool {
    s.len().is_multiple_of(4)
        && s.trim_end_matches('=').len() + 2 >= s.len()
        && s.trim_end_matches('=')
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'+' || b == b'/')
}

/// ConfigMap and Secret keys: `[-._a-zA-Z0-9]+`, at most 253 characters.
fn check_data_keys(v: &Value, field: &str, causes: &mut Vec<Cause>) {
    if let Some(m) = v[field].as_object() {
        for k in m.keys() {
            let ok = !k.is_empty()
                && k.len() <= 253
                && k != "."
                && k != ".."
                && k.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_'));
            if !ok {
                causes.push(Cause::invalid(
                    &format!("{field}[{k}]"),
                    quoted(k),
                    "a valid config key must consist of alphanumeric characters, '-', '_' or '.' (e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', regex used for validation is '[-._a-zA-Z0-9]+')",
                ));
            }
        }
    }
}

/// Validates `v` (and, on update, its change from `old`).
pub fn check(kind: Kind, v: &Value, old: Option<&Value>) -> Vec<Cause> {
    let mut causes = Vec::new();
    check_name(kind, v, &mut causes);
    check_label_keys(v, &mut causes);
    match kind {
        Kind::ConfigMap => {
            check_data_keys(v, "data", &mut causes);
            check_data_keys(v, "binaryData", &mut causes);
        }
        Kind::Secret => {
            check_data_keys(v, "data", &mut causes);
            for (k, d) in v["data"].as_object().into_iter().flatten() {
                if !d.as_str().is_some_and(is_base64) {
                    causes.push(Cause::invalid(
                        &format!("data[{k}]"),
                        "<hidden>",
                        "illegal base64 data",
                    ));
                }
            }
            if let Some(o) = old
                && o["type"] != v["type"]
            {
                causes.push(Cause::invalid(
                    "type",
                    v["type"].to_string(),
                    "field is immutable",
                ));
            }
        }
        Kind::DaemonSet => {
            check_selector_matches_template(v, &mut causes);
            check_pod_spec(
                obj::at(v, &["spec", "template", "spec"]),
                "spec.template.spec",
                &mut causes,
            );
        }
        Kind::Deployment | Kind::ReplicaSet | Kind::StatefulSet => {
            check_int_min(v, &["spec", "replicas"], 0, &mut causes);
            check_selector_matches_template(v, &mut causes);
            check_pod_spec(
                obj::at(v, &["spec", "template", "spec"]),
                "spec.template.spec",
                &mut causes,
            );
            if kind == Kind::Deployment
                && let Some(t) = obj::str_at(v, &["spec", "strategy", "type"])
                && !["Recreate", "RollingUpdate"].contains(&t)
            {
                causes.push(Cause::unsupported(
                    "spec.strategy.type",
                    t,
                    &["Recreate", "RollingUpdate"],
                ));
            }
            if let Some(o) = old {
                immutable(o, v, &["spec", "selector"], &mut causes);
            }
        }
        Kind::Pod => {
            check_pod_spec(obj::at(v, &["spec"]), "spec", &mut causes);
            if let Some(o) = old {
                let strip = |x: &Value| {
                    let mut s = obj::at(x, &["spec"]).clone();
                    if let Some(cs) = s.get_mut("containers").and_then(Value::as_array_mut) {
                        for c in cs {
                            if let Some(m) = c.as_object_mut() {
                                m.remove("image");
                            }
                        }
                    }
                    if let Some(m) = s.as_object_mut() {
                        for k in [
                            "activeDeadlineSeconds",
                            "tolerations",
                            "nodeName",
                            "terminationGracePeriodSeconds",
                        ] {
                            m.remove(k);
                        }
                    }
                    obj::normalized(&s)
                };
                if strip(o) != strip(v) {
                    causes.push(Cause::forbidden(
                        "spec",
                        "pod updates may not change fields other than `spec.containers[*].image`,`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`,`spec.tolerations` (only additions to existing tolerations),`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)",
                    ));
                }
            }
        }
        Kind::Job => {
            let tmpl = obj::at(v, &["spec", "template", "spec"]);
            check_pod_spec(tmpl, "spec.template.spec", &mut causes);
            match tmpl["restartPolicy"].as_str() {
                Some("OnFailure") | Some("Never") => {}
                _ => causes.push(Cause {
                    kind: "FieldValueRequired",
                    field: "spec.template.spec.restartPolicy".into(),
                    message: "Required value: valid values: \"OnFailure\", \"Never\"".into(),
                }),
            }
            for f in ["parallelism", "completions", "backoffLimit"] {
                check_int_min(v, &["spec", f], 0, &mut causes);
            }
            if let Some(o) = old {
                immutable(o, v, &["spec", "selector"], &mut causes);
                immutable(o, v, &["spec", "template"], &mut causes);
            }
        }
        Kind::CronJob => {
            match obj::str_at(v, &["spec", "schedule"]) {
                None | Some("") => causes.push(Cause::required("spec.schedule")),
                Some(s) => {
                    let tz = obj::str_at(v, &["spec", "timeZone"]);
                    if let Err(e) = crate::util::cron::Schedule::parse_in(s, tz) {
                        causes.push(Cause::invalid("spec.schedule", quoted(s), &e.0));
                    }
                }
            }
            check_pod_spec(
                obj::at(v, &["spec", "jobTemplate", "spec", "template", "spec"]),
                "spec.jobTemplate.spec.template.spec",
                &mut causes,
            );
            if let Some(p) = obj::str_at(v, &["spec", "concurrencyPolicy"])
                && !["Allow", "Forbid", "Replace"].contains(&p)
            {
                causes.push(Cause::unsupported(
                    "spec.concurrencyPolicy",
                    p,
                    &["Allow", "Forbid", "Replace"],
                ));
            }
        }
        Kind::Service => {
            if let Some(t) = obj::str_at(v, &["spec", "type"])
                && !["ClusterIP", "NodePort", "LoadBalancer", "ExternalName"].contains(&t)
            {
                causes.push(Cause::unsupported(
                    "spec.type",
                    t,
                    &["ClusterIP", "ExternalName", "LoadBalancer", "NodePort"],
                ));
            }
            if let Some(ports) = obj::at(v, &["spec", "ports"]).as_array() {
                for (i, p) in ports.iter().enumerate() {
                    let port = p["port"].as_i64().unwrap_or(0);
                    if !(1..=65535).contains(&port) {
                        causes.push(Cause::invalid(
                            &format!("spec.ports[{i}].port"),
                            &p["port"],
                            "must be between 1 and 65535, inclusive",
                        ));
                    }
                }
            }
            let sel = obj::at(v, &["spec", "selector"]);
            if !sel.is_null()
                && !sel
                    .as_object()
                    .is_some_and(|m| m.values().all(Value::is_string))
            {
                causes.push(Cause::invalid(
                    "spec.selector",
                    sel,
                    "must be a map of strings",
                ));
            }
        }
        Kind::Hpa => {
            check_int_min(v, &["spec", "minReplicas"], 1, &mut causes);
            let min = obj::i64_at(v, &["spec", "minReplicas"]).unwrap_or(1);
            match obj::i64_at(v, &["spec", "maxReplicas"]) {
                None => causes.push(Cause::required("spec.maxReplicas")),
                Some(max) if max < min => causes.push(Cause::invalid(
                    "spec.maxReplicas",
                    max,
                    "must be greater than or equal to `minReplicas`",
                )),
                _ => {}
            }
            for f in ["kind", "name"] {
                if obj::str_at(v, &["spec", "scaleTargetRef", f])
                    .unwrap_or("")
                    .is_empty()
                {
                    causes.push(Cause::required(&format!("spec.scaleTargetRef.{f}")));
                }
            }
        }
        Kind::Pdb => {
            let min = obj::at(v, &["spec", "minAvailable"]);
            let max = obj::at(v, &["spec", "maxUnavailable"]);
            if !min.is_null() && !max.is_null() {
                causes.push(Cause::invalid(
                    "spec",
                    "{...}",
                    "minAvailable and maxUnavailable cannot be both set",
                ));
            }
        }
        _ => {}
    }
    causes
}

/// Validates a Scale write.
pub fn check_scale(v: &Value) -> Vec<Cause> {
    let mut causes = Vec::new();
    check_int_min(v, &["spec", "replicas"], 0, &mut causes);
    causes
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn deploy() -> Value {
        json!({"metadata": {"name": "web"}, "spec": {"replicas": 2,
            "selector": {"matchLabels": {"app": "web"}},
            "template": {"metadata": {"labels": {"app": "web"}}, "spec": {"containers": [{"name": "c", "image": "x:1"}]}}}})
    }

    #[test]
    fn valid_deployment_passes_and_negative_replicas_fail() {
        assert!(check(Kind::Deployment, &deploy(), None).is_empty());
        let mut d = deploy();
        d["spec"]["replicas"] = json!(-1);
        let c = check(Kind::Deployment, &d, None);
        assert_eq!(c[0].field, "spec.replicas");
        assert!(c[0].message.contains("greater than or equal to 0"));
    }

    #[test]
    fn selector_mismatch_and_immutability() {
        let mut d = deploy();
        d["spec"]["template"]["metadata"]["labels"]["app"] = json!("other");
        assert!(!check(Kind::Deployment, &d, None).is_empty());
        let mut d2 = deploy();
        d2["spec"]["selector"]["matchLabels"]["app"] = json!("x");
        d2["spec"]["template"]["metadata"]["labels"]["app"] = json!("x");
        let c = check(Kind::Deployment, &d2, Some(&deploy()));
        assert!(c.iter().any(|c| c.message.contains("immutable")));
    }

    #[test]
    fn names_and_schedules() {
        let mut d = deploy();
        d["metadata"]["name"] = json!("Bad_Name");
        assert_eq!(check(Kind::Deployment, &d, None)[0].field, "metadata.name");
        let cj = json!({"metadata": {"name": "b"}, "spec": {"schedule": "nope",
            "jobTemplate": {"spec": {"template": {"spec": {"containers": [{"name": "c", "image": "i"}]}}}}}});
        assert_eq!(check(Kind::CronJob, &cj, None)[0].field, "spec.schedule");
        let hpa = json!({"metadata": {"name": "h"}, "spec": {"minReplicas": 5, "maxReplicas": 2, "scaleTargetRef": {"kind": "Deployment", "name": "x"}}});
        assert_eq!(check(Kind::Hpa, &hpa, None)[0].field, "spec.maxReplicas");
        assert!(
            check(
                Kind::Hpa,
                &json!({"metadata": {"name": "h"}, "spec": {"maxReplicas": 2}}),
                None
            )
            .len()
                == 2
        );
    }

    #[test]
    fn hostile_label_values_are_accepted() {
        let mut d = deploy();
        d["metadata"]["labels"] = json!({"note": "\u{1b}[31mred\u{1b}[0m"});
        assert!(check(Kind::Deployment, &d, None).is_empty());
    }
}
