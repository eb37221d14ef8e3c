//! Defaulting, as the API server applies it on every write: pod template fields,
//! workload strategies, Job selectors, Service cluster IPs and node ports. Stable
//! defaults matter: rollback compares templates, so both sides must be defaulted alike.

use serde_json::{Value, json};

use super::kinds::Kind;
use super::obj;
use super::store::Store;

fn default(v: &mut Value, path: &[&str], val: Value) {
    if obj::at(v, path).is_null() {
        obj::set(v, path, val);
    }
}

fn default_probe(p: &mut Value) {
    if !p.is_object() {
        return;
    }
    default(p, &["timeoutSeconds"], json!(1));
    default(p, &["periodSeconds"], json!(10));
    default(p, &["successThreshold"], json!(1));
    default(p, &["failureThreshold"], json!(3));
    if p.get("httpGet").is_some() {
        default(p, &["httpGet", "scheme"], json!("HTTP"));
    }
}

fn default_container(c: &mut Value) {
    let image = c["image"].as_str().unwrap_or("").to_string();
    let latest =
        !image.rsplit('/').next().unwrap_or("").contains(':') || image.ends_with(":latest");
    default(
        c,
        &["imagePullPolicy"],
        json!(if latest { "Always" } else { "IfNotPresent" }),
    );
    default(
        c,
        &["terminationMessagePath"],
        json!("/dev/termination-log"),
    );
    default(c, &["terminationMessagePolicy"], json!("File"));
    default(c, &["resources"], json!({}));
    for kind in ["requests", "limits"] {
        if let Some(m) = c["resources"].get_mut(kind).and_then(Value::as_object_mut) {
            for q in m.values_mut() {
                if let Some(s) = q.as_str() {
                    *q = json!(obj::canonical_quantity(s));
                } else if let Some(n) = q.as_f64() {
                    *q = json!(obj::canonical_quantity(&n.to_string()));
                }
            }
        }
    }
    if let Some(ports) = c.get_mut("ports").and_then(Value::as_array_mut) {
        for p in ports {
            default(p, &["protocol"], json!("TCP"));
        }
    }
    for probe in ["livenessProbe", "readinessProbe", "startupProbe"] {
        if let Some(p) = c.get_mut(probe) {
            default_probe(p);
        }
    }
}

/// Defaults a pod spec (in a Pod or a template).
pub fn pod_spec(spec: &mut Value) {
    if !spec.is_object() {
        return;
    }
    default(spec, &["restartPolicy"], json!("Always"));
    default(spec, &["dnsPolicy"], json!("ClusterFirst"));
    default(spec, &["schedulerName"], json!("default-scheduler"));
    default(spec, &["securityContext"], json!({}));
    default(spec, &["terminationGracePeriodSeconds"], json!(30));
    for list in ["containers", "initContainers"] {
        if let Some(cs) = spec.get_mut(list).and_then(Value::as_array_mut) {
            for c in cs {
                default_container(c);
            }
        }
    }
}

fn template(v: &mut Value, path: &[&str]) {
    let mut p: Vec<&str> = path.to_vec();
    p.push("spec");
    if let Some(spec) = pointer_mut(v, &p) {
        pod_spec(spec);
    }
}

fn pointer_mut<'a>(v: &'a mut Value, path: &[&str]) -> Option<&'a mut Value> {
    let mut cur = v;
    for p in path {
        cur = cur.get_mut(*p)?;
    }
    Some(cur)
}

/// Applies defaults for `kind`. `old` is the stored object on updates (allocated
/// fields such as a Service's clusterIP are kept from it).
pub fn apply(store: &mut Store, kind: Kind, v: &mut Value, old: Option<&Value>) {
    match kind {
        Kind::Namespace => {
            let name = obj::name(v).to_string();
            default(
                v,
                &["metadata", "labels", "kubernetes.io/metadata.name"],
                json!(name),
            );
            default(v, &["spec", "finalizers"], json!(["kubernetes"]));
            default(v, &["status", "phase"], json!("Active"));
        }
        Kind::Pod => {
            if let Some(spec) = v.get_mut("spec") {
                pod_spec(spec);
            }
            default(v, &["spec", "serviceAccountName"], json!("default"));
            default(v, &["spec", "enableServiceLinks"], json!(true));
            default(v, &["spec", "priority"], json!(0));
            default(v, &["status", "phase"], json!("Pending"));
            default(v, &["status", "qosClass"], json!("BestEffort"));
        }
        Kind::Deployment => {
            default(v, &["spec", "replicas"], json!(1));
            default(v, &["spec", "revisionHistoryLimit"], json!(10));
            default(v, &["spec", "progressDeadlineSeconds"], json!(600));
            default(v, &["spec", "strategy", "type"], json!("RollingUpdate"));
            if obj::str_at(v, &["spec", "strategy", "type"]) == Some("RollingUpdate") {
                default(
                    v,
                    &["spec", "strategy", "rollingUpdate", "maxSurge"],
                    json!("25%"),
                );
                default(
                    v,
                    &["spec", "strategy", "rollingUpdate", "maxUnavailable"],
                    json!("25%"),
                );
            }
            template(v, &["spec", "template"]);
        }
        Kind::ReplicaSet => {
            default(v, &["spec", "replicas"], json!(1));
            template(v, &["spec", "template"]);
        }
        Kind::StatefulSet => {
            default(v, &["spec", "replicas"], json!(1));
            default(v, &["spec", "podManagementPolicy"], json!("OrderedReady"));
            default(v, &["spec", "revisionHistoryLimit"], json!(10));
            default(
                v,
                &["spec", "updateStrategy"],
                json!({"type": "RollingUpdate", "rollingUpdate": {"partition": 0}}),
            );
            template(v, &["spec", "template"]);
        }
        Kind::Job => job(store, v, old),
        Kind::CronJob => {
            default(v, &["spec", "concurrencyPolicy"], json!("Allow"));
            default(v, &["spec", "suspend"], json!(false));
            default(v, &["spec", "successfulJobsHistoryLimit"], json!(3));
            default(v, &["spec", "failedJobsHistoryLimit"], json!(1));
            template(v, &["spec", "jobTemplate", "spec", "template"]);
        }
        Kind::Service => service(store, v, old),
        Kind::Hpa => {
            default(v, &["spec", "minReplicas"], json!(1));
        }
        Kind::Secret => {
            default(v, &["type"], json!("Opaque"));
            // stringData is write-only: merged into data (base64), never stored.
            if let Some(sd) = v.get_mut("stringData").map(Value::take)
                && let Some(m) = sd.as_object()
            {
                for (k, s) in m {
                    let enc = base64(s.as_str().unwrap_or("").as_bytes());
                    obj::set(v, &["data", k], json!(enc));
                }
            }
            if let Some(m) = v.as_object_mut() {
                m.remove("stringData");
            }
        }
        Kind::DaemonSet => {
            default(v, &["spec", "revisionHistoryLimit"], json!(10));
            default(
                v,
                &["spec", "updateStrategy"],
                json!({"type": "RollingUpdate", "rollingUpdate": {"maxSurge": 0, "maxUnavailable": 1}}),
            );
            template(v, &["spec", "template"]);
        }
        Kind::Pvc => {
            default(v, &["spec", "volumeMode"], json!("Filesystem"));
            default(v, &["status", "phase"], json!("Pending"));
        }
        Kind::Pv => {
            default(v, &["spec", "volumeMode"], json!("Filesystem"));
            default(
                v,
                &["spec", "persistentVolumeReclaimPolicy"],
                json!("Retain"),
            );
            default(v, &["status", "phase"], json!("Available"));
        }
        Kind::Crd => {
            if let Some(vs) = v["spec"]["versions"].as_array_mut() {
                for ver in vs {
                    default(ver, &["served"], json!(true));
                }
            }
            let kind = obj::str_at(v, &["spec", "names", "kind"])
                .unwrap_or("")
                .to_string();
            default(
                v,
                &["spec", "names", "singular"],
                json!(kind.to_lowercase()),
            );
            default(
                v,
                &["spec", "names", "listKind"],
                json!(format!("{kind}List")),
            );
            default(v, &["spec", "scope"], json!("Namespaced"));
        }
        _ => {}
    }
}

/// Standard base64 (with padding), as the API server encodes bytes.
pub fn base64(b: &[u8]) -> String {
    const T: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(b.len().div_ceil(3) * 4);
    for c in b.chunks(3) {
        let n = (c[0] as u32) << 16
            | (*c.get(1).unwrap_or(&0) as u32) << 8
            | *c.get(2).unwrap_or(&0) as u32;
        out.push(T[(n >> 18) as usize & 63] as char);
        out.push(T[(n >> 12) as usize & 63] as char);
        out.push(if c.len() > 1 {
            T[(n >> 6) as usize & 63] as char
        } else {
            '='
        });
        out.push(if c.len() > 2 {
            T[n as usize & 63] as char
        } else {
            '='
        });
    }
    out
}

fn job(store: &mut Store, v: &mut Value, old: Option<&Value>) {
    if obj::uid(v).is_empty() {
        let uid = match old {
            Some(o) => obj::uid(o).to_string(),
            None => store.new_uid(),
        };
        obj::set(v, &["metadata", "uid"], json!(uid));
    }
    let uid = obj::uid(v).to_string();
    let name = obj::name(v).to_string();
    default(v, &["spec", "parallelism"], json!(1));
    default(v, &["spec", "completions"], json!(1));
    default(v, &["spec", "backoffLimit"], json!(6));
    default(v, &["spec", "completionMode"], json!("NonIndexed"));
    default(v, &["spec", "suspend"], json!(false));
    default(
        v,
        &["spec", "podReplacementPolicy"],
        json!("TerminatingOrFailed"),
    );
    let manual = obj::at(v, &["spec", "manualSelector"]).as_bool() == Some(true);
    if !manual {
        default(
            v,
            &["spec", "selector"],
            json!({"matchLabels": {"batch.kubernetes.io/controller-uid": uid}}),
        );
        for (k, val) in [
            ("batch.kubernetes.io/controller-uid", uid.as_str()),
            ("batch.kubernetes.io/job-name", name.as_str()),
            ("controller-uid", uid.as_str()),
            ("job-name", name.as_str()),
        ] {
            default(
                v,
                &["spec", "template", "metadata", "labels", k],
                json!(val),
            );
        }
    }
    if obj::at(v, &["metadata", "labels"]).is_null() {
        let labels = obj::at(v, &["spec", "template", "metadata", "labels"]).clone();
        obj::set(v, &["metadata", "labels"], labels);
    }
    template(v, &["spec", "template"]);
}

fn service(store: &mut Store, v: &mut Value, old: Option<&Value>) {
    default(v, &["spec", "type"], json!("ClusterIP"));
    default(v, &["spec", "sessionAffinity"], json!("None"));
    let ty = obj::str_at(v, &["spec", "type"])
        .unwrap_or("ClusterIP")
        .to_string();
    if ty == "ExternalName" {
        return;
    }
    if obj::str_at(v, &["spec", "clusterIP"]).is_none() {
        let ip = old
            .and_then(|o| obj::str_at(o, &["spec", "clusterIP"]).map(String::from))
            .unwrap_or_else(|| {
                let n = store.count(Kind::Service) as u32 + 10;
                format!("10.96.{}.{}", (n / 250) % 250, n % 250 + 1)
            });
        obj::set(v, &["spec", "clusterIP"], json!(ip.clone()));
        obj::set(v, &["spec", "clusterIPs"], json!([ip]));
    }
    default(v, &["spec", "ipFamilies"], json!(["IPv4"]));
    default(v, &["spec", "ipFamilyPolicy"], json!("SingleStack"));
    default(v, &["spec", "internalTrafficPolicy"], json!("Cluster"));
    let wants_node_port = ty == "NodePort" || ty == "LoadBalancer";
    let old_ports = old
        .map(|o| obj::at(o, &["spec", "ports"]).clone())
        .unwrap_or(Value::Null);
    if let Some(ports) = v.pointer_mut("/spec/ports").and_then(Value::as_array_mut) {
        for (i, p) in ports.iter_mut().enumerate() {
            default(p, &["protocol"], json!("TCP"));
            if p.get("targetPort").is_none() {
                let port = p["port"].clone();
                p["targetPort"] = port;
            }
            if wants_node_port && p.get("nodePort").is_none() {
                let np = old_ports
                    .get(i)
                    .and_then(|o| o.get("nodePort"))
                    .cloned()
                    .unwrap_or_else(|| json!(30000 + (store.rng_u32() % 2767)));
                p["nodePort"] = np;
            }
        }
    }
    if ty == "LoadBalancer" {
        default(v, &["spec", "externalTrafficPolicy"], json!("Cluster"));
        default(v, &["spec", "allocateLoadBalancerNodePorts"], json!(true));
        if obj::at(v, &["status", "loadBalancer", "ingress"]).is_null() {
            let host = old
                .and_then(|o| {
                    obj::at(o, &["status", "loadBalancer", "ingress"])
                        .as_array()
                        .cloned()
                })
                .unwrap_or_else(|| {
                    let id = store.suffix(10);
                    vec![json!({"hostname": format!("a{id}.elb.sim.kdeck.local")})]
                });
            obj::set(v, &["status", "loadBalancer", "ingress"], json!(host));
        }
    } else {
        default(v, &["status", "loadBalancer"], json!({}));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::clock::SimClock;

    #[test]
    fn deployment_and_template_defaults() {
        let mut s = Store::new(SimClock::new(1.0), 1, 64);
        let mut d = json!({"metadata": {"name": "d"}, "spec": {"template": {"spec": {"containers": [
            {"name": "c", "image": "x:1.0", "ports": [{"containerPort": 80}],
             "readinessProbe": {"httpGet": {"path": "/", "port": 80}}}
        ]}}}});
        apply(&mut s, Kind::Deployment, &mut d, None);
        assert_eq!(d["spec"]["replicas"], 1);
        assert_eq!(d["spec"]["strategy"]["rollingUpdate"]["maxSurge"], "25%");
        let c = &d["spec"]["template"]["spec"]["containers"][0];
        assert_eq!(c["imagePullPolicy"], "IfNotPresent");
        assert_eq!(c["ports"][0]["protocol"], "TCP");
        assert_eq!(c["readinessProbe"]["httpGet"]["scheme"], "HTTP");
        assert_eq!(c["readinessProbe"]["periodSeconds"], 10);
        // Defaulting twice changes nothing (rollback compares defaulted templates).
        let once = d.clone();
        apply(&mut s, Kind::Deployment, &mut d, None);
        assert_eq!(once, d);
    }

    #[test]
    fn job_gets_selector_from_uid() {
        let mut s = Store::new(SimClock::new(1.0), 1, 64);
        let mut j = json!({"metadata": {"name": "j"}, "spec": {"template": {"spec": {"restartPolicy": "Never", "containers": [{"name": "c", "image": "x"}]}}}});
        apply(&mut s, Kind::Job, &mut j, None);
        let uid = obj::uid(&j).to_string();
        assert!(!uid.is_empty());
        assert_eq!(
            j["spec"]["selector"]["matchLabels"]["batch.kubernetes.io/controller-uid"],
            uid
        );
        assert_eq!(j["spec"]["template"]["metadata"]["labels"]["job-name"], "j");
        assert_eq!(j["metadata"]["labels"]["job-name"], "j");
    }

    #[test]
    fn service_allocations_survive_updates() {
        let mut s = Store::new(SimClock::new(1.0), 1, 64);
        let mut svc = json!({"metadata": {"name": "s"}, "spec": {"type": "LoadBalancer", "ports": [{"port": 80}]}});
        apply(&mut s, Kind::Service, &mut svc, None);
        assert_eq!(svc["spec"]["ports"][0]["targetPort"], 80);
        assert!(svc["spec"]["ports"][0]["nodePort"].is_number());
        let mut upd = json!({"metadata": {"name": "s"}, "spec": {"type": "LoadBalancer", "ports": [{"port": 80}]}});
        apply(&mut s, Kind::Service, &mut upd, Some(&svc));
        assert_eq!(upd["spec"]["clusterIP"], svc["spec"]["clusterIP"]);
        assert_eq!(
            upd["spec"]["ports"][0]["nodePort"],
            svc["spec"]["ports"][0]["nodePort"]
        );
        assert_eq!(upd["status"], svc["status"]);
    }
}
