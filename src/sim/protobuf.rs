//! Protobuf request bodies, as kubectl ≥ 1.32 sends them for `create job`,
//! `create configmap`, `create secret`, `create serviceaccount`, `create namespace`
//! and `auth can-i`: the `k8s\0` envelope with a `runtime.Unknown`, decoded with
//! k8s-pb and mapped to the JSON the rest of the server works with. Jobs map the
//! pod-spec fields kubectl and CronJob templates use; unmapped fields are dropped.

use std::collections::BTreeMap;

use k8s_pb::api::authorization::v1 as authz;
use k8s_pb::api::batch::v1 as batch;
use k8s_pb::api::core::v1 as core;
use k8s_pb::apimachinery::pkg::apis::meta::v1 as meta;
use k8s_pb::apimachinery::pkg::runtime::Unknown;
use k8s_pb::apimachinery::pkg::util::intstr::IntOrString;
use prost::Message;
use serde_json::{Map, Value, json};

pub const MAGIC: &[u8] = b"k8s\0";

fn put<T: Into<Value>>(m: &mut Map<String, Value>, k: &str, v: Option<T>) {
    if let Some(v) = v {
        m.insert(k.to_string(), v.into());
    }
}

fn put_list(m: &mut Map<String, Value>, k: &str, v: Vec<Value>) {
    if !v.is_empty() {
        m.insert(k.to_string(), Value::Array(v));
    }
}

fn put_map(m: &mut Map<String, Value>, k: &str, v: &BTreeMap<String, String>) {
    if !v.is_empty() {
        m.insert(k.to_string(), json!(v));
    }
}

fn strings(v: &[String]) -> Vec<Value> {
    v.iter().map(|s| json!(s)).collect()
}

fn time(t: &meta::Time) -> Option<Value> {
    let secs = t.seconds?;
    jiff::Timestamp::from_second(secs)
        .ok()
        .map(|ts| json!(crate::sim::clock::fmt_ts(ts)))
}

fn object_meta(m: &meta::ObjectMeta) -> Value {
    let mut o = Map::new();
    put(&mut o, "name", m.name.clone());
    put(&mut o, "generateName", m.generate_name.clone());
    put(&mut o, "namespace", m.namespace.clone());
    put(&mut o, "uid", m.uid.clone());
    put(&mut o, "resourceVersion", m.resource_version.clone());
    put(
        &mut o,
        "creationTimestamp",
        m.creation_timestamp.as_ref().and_then(time),
    );
    put_map(&mut o, "labels", &m.labels);
    put_map(&mut o, "annotations", &m.annotations);
    put_list(
        &mut o,
        "ownerReferences",
        m.owner_references
            .iter()
            .map(|r| {
                let mut x = Map::new();
                put(&mut x, "apiVersion", r.api_version.clone());
                put(&mut x, "kind", r.kind.clone());
                put(&mut x, "name", r.name.clone());
                put(&mut x, "uid", r.uid.clone());
                put(&mut x, "controller", r.controller);
                put(&mut x, "blockOwnerDeletion", r.block_owner_deletion);
                Value::Object(x)
            })
            .collect(),
    );
    put_list(&mut o, "finalizers", strings(&m.finalizers));
    Value::Object(o)
}

fn label_selector(s: &meta::LabelSelector) -> Value {
    let mut o = Map::new();
    put_map(&mut o, "matchLabels", &s.match_labels);
    put_list(
        &mut o,
        "matchExpressions",
        s.match_expressions
            .iter()
            .map(|e| json!({"key": e.key, "operator": e.operator, "values": e.values}))
            .collect(),
    );
    Value::Object(o)
}

fn int_or_string(i: &IntOrString) -> Value {
    match (&i.int_val, &i.str_val) {
        (_, Some(s)) if !s.is_empty() => json!(s),
        (Some(n), _) => json!(n),
        _ => json!(0),
    }
}

fn quantities(m: &BTreeMap<String, k8s_pb::apimachinery::pkg::api::resource::Quantity>) -> Value {
    json!(
        m.iter()
            .map(|(k, q)| (k.clone(), json!(q.string.clone().unwrap_or_default())))
            .collect::<Map<String, Value>>()
    )
}

fn probe(p: &core::Probe) -> Value {
    let mut o = Map::new();
    if let Some(h) = &p.handler {
        if let Some(g) = &h.http_get {
            let mut x = Map::new();
            put(&mut x, "path", g.path.clone());
            put(&mut x, "port", g.port.as_ref().map(int_or_string));
            put(&mut x, "host", g.host.clone());
            put(&mut x, "scheme", g.scheme.clone());
            o.insert("httpGet".into(), Value::Object(x));
        }
        if let Some(t) = &h.tcp_socket {
            o.insert(
                "tcpSocket".into(),
                json!({"port": t.port.as_ref().map(int_or_string)}),
            );
        }
        if let Some(e) = &h.exec {
            o.insert("exec".into(), json!({"command": e.command}));
        }
    }
    put(&mut o, "initialDelaySeconds", p.initial_delay_seconds);
    put(&mut o, "timeoutSeconds", p.timeout_seconds);
    put(&mut o, "periodSeconds", p.period_seconds);
    put(&mut o, "successThreshold", p.success_threshold);
    put(&mut o, "failureThreshold", p.failure_threshold);
    Value::Object(o)
}

fn env_var(e: &core::EnvVar) -> Value {
    let mut o = Map::new();
    put(&mut o, "name", e.name.clone());
    put(&mut o, "value", e.value.clone());
    if let Some(f) = &e.value_from {
        let mut x = Map::new();
        if let Some(s) = &f.secret_key_ref {
            x.insert(
                "secretKeyRef".into(),
                json!({"name": s.local_object_reference.as_ref().and_then(|l| l.name.clone()), "key": s.key, "optional": s.optional}),
            );
        }
        if let Some(s) = &f.config_map_key_ref {
            x.insert(
                "configMapKeyRef".into(),
                json!({"name": s.local_object_reference.as_ref().and_then(|l| l.name.clone()), "key": s.key, "optional": s.optional}),
            );
        }
        if let Some(s) = &f.field_ref {
            x.insert(
                "fieldRef".into(),
                json!({"apiVersion": s.api_version, "fieldPath": s.field_path}),
            );
        }
        o.insert("valueFrom".into(), Value::Object(x));
    }
    Value::Object(o)
}

fn container(c: &core::Container) -> Value {
    let mut o = Map::new();
    put(&mut o, "name", c.name.clone());
    put(&mut o, "image", c.image.clone());
    put_list(&mut o, "command", strings(&c.command));
    put_list(&mut o, "args", strings(&c.args));
    put(&mut o, "workingDir", c.working_dir.clone());
    put_list(
        &mut o,
        "ports",
        c.ports
            .iter()
            .map(|p| {
                let mut x = Map::new();
                put(&mut x, "name", p.name.clone());
                put(&mut x, "containerPort", p.container_port);
                put(&mut x, "protocol", p.protocol.clone());
                Value::Object(x)
            })
            .collect(),
    );
    put_list(&mut o, "env", c.env.iter().map(env_var).collect());
    if let Some(r) = &c.resources {
        let mut x = Map::new();
        if !r.limits.is_empty() {
            x.insert("limits".into(), quantities(&r.limits));
        }
        if !r.requests.is_empty() {
            x.insert("requests".into(), quantities(&r.requests));
        }
        o.insert("resources".into(), Value::Object(x));
    }
    put_list(
        &mut o,
        "volumeMounts",
        c.volume_mounts
            .iter()
            .map(|m| {
                let mut x = Map::new();
                put(&mut x, "name", m.name.clone());
                put(&mut x, "mountPath", m.mount_path.clone());
                put(&mut x, "readOnly", m.read_only);
                put(&mut x, "subPath", m.sub_path.clone());
                Value::Object(x)
            })
            .collect(),
    );
    put(
        &mut o,
        "livenessProbe",
        c.liveness_probe.as_ref().map(probe),
    );
    put(
        &mut o,
        "readinessProbe",
        c.readiness_probe.as_ref().map(probe),
    );
    put(&mut o, "startupProbe", c.startup_probe.as_ref().map(probe));
    put(
        &mut o,
        "terminationMessagePath",
        c.termination_message_path.clone(),
    );
    put(
        &mut o,
        "terminationMessagePolicy",
        c.termination_message_policy.clone(),
    );
    put(&mut o, "imagePullPolicy", c.image_pull_policy.clone());
    Value::Object(o)
}

fn volume(v: &core::Volume) -> Value {
    let mut o = Map::new();
    put(&mut o, "name", v.name.clone());
    if let Some(s) = &v.volume_source {
        if s.empty_dir.is_some() {
            o.insert("emptyDir".into(), json!({}));
        }
        if let Some(c) = &s.config_map {
            o.insert(
                "configMap".into(),
                json!({"name": c.local_object_reference.as_ref().and_then(|l| l.name.clone())}),
            );
        }
        if let Some(c) = &s.secret {
            o.insert("secret".into(), json!({"secretName": c.secret_name}));
        }
        if let Some(c) = &s.persistent_volume_claim {
            o.insert(
                "persistentVolumeClaim".into(),
                json!({"claimName": c.claim_name}),
            );
        }
    }
    Value::Object(o)
}

fn pod_spec(s: &core::PodSpec) -> Value {
    let mut o = Map::new();
    put_list(&mut o, "volumes", s.volumes.iter().map(volume).collect());
    put_list(
        &mut o,
        "initContainers",
        s.init_containers.iter().map(container).collect(),
    );
    o.insert(
        "containers".into(),
        Value::Array(s.containers.iter().map(container).collect()),
    );
    put(&mut o, "restartPolicy", s.restart_policy.clone());
    put(
        &mut o,
        "terminationGracePeriodSeconds",
        s.termination_grace_period_seconds,
    );
    put(&mut o, "activeDeadlineSeconds", s.active_deadline_seconds);
    put(&mut o, "dnsPolicy", s.dns_policy.clone());
    put_map(&mut o, "nodeSelector", &s.node_selector);
    put(&mut o, "serviceAccountName", s.service_account_name.clone());
    put(&mut o, "schedulerName", s.scheduler_name.clone());
    put(&mut o, "priorityClassName", s.priority_class_name.clone());
    if let Some(sc) = &s.security_context {
        let mut x = Map::new();
        put(&mut x, "runAsUser", sc.run_as_user);
        put(&mut x, "runAsGroup", sc.run_as_group);
        put(&mut x, "runAsNonRoot", sc.run_as_non_root);
        put(&mut x, "fsGroup", sc.fs_group);
        o.insert("securityContext".into(), Value::Object(x));
    }
    put_list(
        &mut o,
        "imagePullSecrets",
        s.image_pull_secrets
            .iter()
            .map(|l| json!({"name": l.name}))
            .collect(),
    );
    Value::Object(o)
}

fn pod_template(t: &core::PodTemplateSpec) -> Value {
    json!({
        "metadata": t.metadata.as_ref().map(object_meta).unwrap_or(json!({})),
        "spec": t.spec.as_ref().map(pod_spec).unwrap_or(json!({})),
    })
}

fn job(j: &batch::Job) -> Value {
    let mut spec = Map::new();
    if let Some(s) = &j.spec {
        put(&mut spec, "parallelism", s.parallelism);
        put(&mut spec, "completions", s.completions);
        put(
            &mut spec,
            "activeDeadlineSeconds",
            s.active_deadline_seconds,
        );
        put(&mut spec, "backoffLimit", s.backoff_limit);
        put(
            &mut spec,
            "selector",
            s.selector.as_ref().map(label_selector),
        );
        put(&mut spec, "manualSelector", s.manual_selector);
        put(&mut spec, "template", s.template.as_ref().map(pod_template));
        put(
            &mut spec,
            "ttlSecondsAfterFinished",
            s.ttl_seconds_after_finished,
        );
        put(&mut spec, "completionMode", s.completion_mode.clone());
        put(&mut spec, "suspend", s.suspend);
        put(
            &mut spec,
            "podReplacementPolicy",
            s.pod_replacement_policy.clone(),
        );
    }
    json!({
        "apiVersion": "batch/v1",
        "kind": "Job",
        "metadata": j.metadata.as_ref().map(object_meta).unwrap_or(json!({})),
        "spec": spec,
    })
}

fn config_map(c: &core::ConfigMap) -> Value {
    let mut o = Map::new();
    o.insert("apiVersion".into(), json!("v1"));
    o.insert("kind".into(), json!("ConfigMap"));
    o.insert(
        "metadata".into(),
        c.metadata.as_ref().map(object_meta).unwrap_or(json!({})),
    );
    put_map(&mut o, "data", &c.data);
    let binary: BTreeMap<String, String> = c
        .binary_data
        .iter()
        .map(|(k, v)| (k.clone(), crate::sim::defaults::base64(v)))
        .collect();
    put_map(&mut o, "binaryData", &binary);
    put(&mut o, "immutable", c.immutable);
    Value::Object(o)
}

fn secret(s: &core::Secret) -> Value {
    let mut o = Map::new();
    o.insert("apiVersion".into(), json!("v1"));
    o.insert("kind".into(), json!("Secret"));
    o.insert(
        "metadata".into(),
        s.metadata.as_ref().map(object_meta).unwrap_or(json!({})),
    );
    let data: BTreeMap<String, String> = s
        .data
        .iter()
        .map(|(k, v)| (k.clone(), crate::sim::defaults::base64(v)))
        .collect();
    put_map(&mut o, "data", &data);
    put_map(&mut o, "stringData", &s.string_data);
    put(&mut o, "type", s.r#type.clone());
    put(&mut o, "immutable", s.immutable);
    Value::Object(o)
}

fn service_account(s: &core::ServiceAccount) -> Value {
    let mut o = Map::new();
    o.insert("apiVersion".into(), json!("v1"));
    o.insert("kind".into(), json!("ServiceAccount"));
    o.insert(
        "metadata".into(),
        s.metadata.as_ref().map(object_meta).unwrap_or(json!({})),
    );
    put_list(
        &mut o,
        "imagePullSecrets",
        s.image_pull_secrets
            .iter()
            .map(|r| json!({"name": r.name}))
            .collect(),
    );
    put(
        &mut o,
        "automountServiceAccountToken",
        s.automount_service_account_token,
    );
    Value::Object(o)
}

fn namespace(n: &core::Namespace) -> Value {
    json!({
        "apiVersion": "v1",
        "kind": "Namespace",
        "metadata": n.metadata.as_ref().map(object_meta).unwrap_or(json!({})),
    })
}

fn access_review(r: &authz::SelfSubjectAccessReview) -> Value {
    let mut spec = Map::new();
    if let Some(s) = &r.spec {
        if let Some(a) = &s.resource_attributes {
            let mut x = Map::new();
            put(&mut x, "namespace", a.namespace.clone());
            put(&mut x, "verb", a.verb.clone());
            put(&mut x, "group", a.group.clone());
            put(&mut x, "version", a.version.clone());
            put(&mut x, "resource", a.resource.clone());
            put(&mut x, "subresource", a.subresource.clone());
            put(&mut x, "name", a.name.clone());
            spec.insert("resourceAttributes".into(), Value::Object(x));
        }
        if let Some(a) = &s.non_resource_attributes {
            spec.insert(
                "nonResourceAttributes".into(),
                json!({"path": a.path, "verb": a.verb}),
            );
        }
    }
    json!({
        "apiVersion": "authorization.k8s.io/v1",
        "kind": "SelfSubjectAccessReview",
        "metadata": r.metadata.as_ref().map(object_meta).unwrap_or(json!({})),
        "spec": spec,
    })
}

/// Decodes a protobuf body into JSON. Errors name what could not be decoded.
pub fn decode(body: &[u8]) -> Result<Value, String> {
    let raw = body
        .strip_prefix(MAGIC)
        .ok_or("protobuf body does not start with the k8s magic number")?;
    let unknown = Unknown::decode(raw).map_err(|e| format!("invalid protobuf envelope: {e}"))?;
    let tm = unknown.type_meta.unwrap_or_default();
    let kind = tm.kind.unwrap_or_default();
    let api_version = tm.api_version.unwrap_or_default();
    let inner = unknown.raw.unwrap_or_default();
    match (api_version.as_str(), kind.as_str()) {
        ("batch/v1", "Job") => batch::Job::decode(inner.as_slice())
            .map(|j| job(&j))
            .map_err(|e| format!("invalid protobuf Job: {e}")),
        ("v1", "ConfigMap") => core::ConfigMap::decode(inner.as_slice())
            .map(|c| config_map(&c))
            .map_err(|e| format!("invalid protobuf ConfigMap: {e}")),
        ("v1", "Secret") => core::Secret::decode(inner.as_slice())
            .map(|s| secret(&s))
            .map_err(|e| format!("invalid protobuf Secret: {e}")),
        ("v1", "ServiceAccount") => core::ServiceAccount::decode(inner.as_slice())
            .map(|s| service_account(&s))
            .map_err(|e| format!("invalid protobuf ServiceAccount: {e}")),
        ("v1", "Namespace") => core::Namespace::decode(inner.as_slice())
            .map(|n| namespace(&n))
            .map_err(|e| format!("invalid protobuf Namespace: {e}")),
        ("authorization.k8s.io/v1", "SelfSubjectAccessReview") => {
            authz::SelfSubjectAccessReview::decode(inner.as_slice())
                .map(|r| access_review(&r))
                .map_err(|e| format!("invalid protobuf SelfSubjectAccessReview: {e}"))
        }
        _ => Err(format!(
            "protobuf bodies of {api_version} {kind} are not supported by this server; send JSON"
        )),
    }
}

/// Encodes a body the way kubectl does (used by tests).
pub fn encode_job_for_test(name: &str, ns: &str, image: &str) -> Vec<u8> {
    let j = batch::Job {
        metadata: Some(meta::ObjectMeta {
            name: Some(name.into()),
            namespace: Some(ns.into()),
            ..Default::default()
        }),
        spec: Some(batch::JobSpec {
            template: Some(core::PodTemplateSpec {
                metadata: None,
                spec: Some(core::PodSpec {
                    containers: vec![core::Container {
                        name: Some("c".into()),
                        image: Some(image.into()),
                        ..Default::default()
                    }],
                    restart_policy: Some("Never".into()),
                    ..Default::default()
                }),
            }),
            ..Default::default()
        }),
        status: None,
    };
    let env = Unknown {
        type_meta: Some(k8s_pb::apimachinery::pkg::runtime::TypeMeta {
            api_version: Some("batch/v1".into()),
            kind: Some("Job".into()),
        }),
        raw: Some(j.encode_to_vec()),
        content_encoding: Some(String::new()),
        content_type: Some(String::new()),
    };
    let mut out = MAGIC.to_vec();
    out.extend(env.encode_to_vec());
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_a_job_envelope() {
        let body = encode_job_for_test("manual-1", "flextime-backup", "flextime/backup-tools:1.4");
        let v = decode(&body).unwrap();
        assert_eq!(v["metadata"]["name"], "manual-1");
        assert_eq!(
            v["spec"]["template"]["spec"]["containers"][0]["image"],
            "flextime/backup-tools:1.4"
        );
        assert_eq!(v["spec"]["template"]["spec"]["restartPolicy"], "Never");
    }

    #[test]
    fn rejects_garbage_and_unknown_kinds() {
        assert!(decode(b"nope").is_err());
        assert!(decode(b"k8s\0\xff\xff\xff").is_err());
        let env = Unknown {
            type_meta: Some(k8s_pb::apimachinery::pkg::runtime::TypeMeta {
                api_version: Some("v1".into()),
                kind: Some("Pod".into()),
            }),
            raw: Some(Vec::new()),
            content_encoding: None,
            content_type: None,
        };
        let mut b = MAGIC.to_vec();
        b.extend(env.encode_to_vec());
        assert!(decode(&b).unwrap_err().contains("not supported"));
    }
}
