//! Server-side printing: `meta.k8s.io/v1 Table` responses with the column sets of
//! Kubernetes' internal printers, so `kubectl get` shows realistic output, and the
//! `PartialObjectMetadata` each row carries.

use jiff::Timestamp;
use serde_json::{Value, json};

use super::clock::human_duration;
use super::kinds::{Cell, Kind, Surface};
use super::obj;

struct Col {
    name: &'static str,
    ty: &'static str,
    priority: u8,
}

const fn c(name: &'static str, ty: &'static str, priority: u8) -> Col {
    Col { name, ty, priority }
}

fn columns(kind: Option<Kind>) -> Vec<Col> {
    match kind {
        Some(Kind::Pod) => vec![
            c("Name", "string", 0),
            c("Ready", "string", 0),
            c("Status", "string", 0),
            c("Restarts", "string", 0),
            c("Age", "string", 0),
            c("IP", "string", 1),
            c("Node", "string", 1),
            c("Nominated Node", "string", 1),
            c("Readiness Gates", "string", 1),
        ],
        Some(Kind::Deployment) => vec![
            c("Name", "string", 0),
            c("Ready", "string", 0),
            c("Up-to-date", "integer", 0),
            c("Available", "integer", 0),
            c("Age", "string", 0),
            c("Containers", "string", 1),
            c("Images", "string", 1),
            c("Selector", "string", 1),
        ],
        Some(Kind::ReplicaSet) => vec![
            c("Name", "string", 0),
            c("Desired", "integer", 0),
            c("Current", "integer", 0),
            c("Ready", "integer", 0),
            c("Age", "string", 0),
            c("Containers", "string", 1),
            c("Images", "string", 1),
            c("Selector", "string", 1),
        ],
        Some(Kind::StatefulSet) => vec![
            c("Name", "string", 0),
            c("Ready", "string", 0),
            c("Age", "string", 0),
            c("Containers", "string", 1),
            c("Images", "string", 1),
        ],
        Some(Kind::Service) => vec![
            c("Name", "string", 0),
            c("Type", "string", 0),
            c("Cluster-IP", "string", 0),
            c("External-IP", "string", 0),
            c("Port(s)", "string", 0),
            c("Age", "string", 0),
            c("Selector", "string", 1),
        ],
        Some(Kind::Hpa) => vec![
            c("Name", "string", 0),
            c("Reference", "string", 0),
            c("Targets", "string", 0),
            c("MinPods", "string", 0),
            c("MaxPods", "integer", 0),
            c("Replicas", "integer", 0),
            c("Age", "string", 0),
        ],
        Some(Kind::CronJob) => vec![
            c("Name", "string", 0),
            c("Schedule", "string", 0),
            c("Timezone", "string", 0),
            c("Suspend", "boolean", 0),
            c("Active", "integer", 0),
            c("Last Schedule", "string", 0),
            c("Age", "string", 0),
            c("Containers", "string", 1),
            c("Images", "string", 1),
            c("Selector", "string", 1),
        ],
        Some(Kind::Job) => vec![
            c("Name", "string", 0),
            c("Status", "string", 0),
            c("Completions", "string", 0),
            c("Duration", "string", 0),
            c("Age", "string", 0),
            c("Containers", "string", 1),
            c("Images", "string", 1),
            c("Selector", "string", 1),
        ],
        Some(Kind::Event) => vec![
            c("Last Seen", "string", 0),
            c("Type", "string", 0),
            c("Reason", "string", 0),
            c("Object", "string", 0),
            c("Subobject", "string", 1),
            c("Source", "string", 1),
            c("Message", "string", 0),
            c("First Seen", "string", 1),
            c("Count", "string", 1),
            c("Name", "string", 1),
        ],
        Some(Kind::Pdb) => vec![
            c("Name", "string", 0),
            c("Min Available", "string", 0),
            c("Max Unavailable", "string", 0),
            c("Allowed Disruptions", "integer", 0),
            c("Age", "string", 0),
        ],
        Some(Kind::Namespace) => vec![
            c("Name", "string", 0),
            c("Status", "string", 0),
            c("Age", "string", 0),
        ],
        Some(Kind::Endpoints) => vec![
            c("Name", "string", 0),
            c("Endpoints", "string", 0),
            c("Age", "string", 0),
        ],
        Some(Kind::Node) => vec![
            c("Name", "string", 0),
            c("Status", "string", 0),
            c("Roles", "string", 0),
            c("Age", "string", 0),
            c("Version", "string", 0),
            c("Internal-IP", "string", 1),
            c("External-IP", "string", 1),
            c("OS-Image", "string", 1),
            c("Kernel-Version", "string", 1),
            c("Container-Runtime", "string", 1),
        ],
        Some(Kind::VolumeSnapshot) => vec![
            c("Name", "string", 0),
            c("ReadyToUse", "boolean", 0),
            c("SourcePVC", "string", 0),
            c("SourceSnapshotContent", "string", 0),
            c("RestoreSize", "string", 0),
            c("SnapshotClass", "string", 0),
            c("SnapshotContent", "string", 0),
            c("CreationTime", "string", 0),
            c("Age", "string", 0),
        ],
        // Kinds with a declared printer (and anything else): name and creation.
        _ => vec![c("Name", "string", 0), c("Created At", "date", 0)],
    }
}

fn age(v: &Value, now: Timestamp) -> String {
    ts_age(obj::at(v, &["metadata", "creationTimestamp"]), now)
}

fn ts_age(t: &Value, now: Timestamp) -> String {
    match t.as_str().and_then(|s| s.parse::<Timestamp>().ok()) {
        Some(t) => human_duration(now.duration_since(t)),
        None => "<unknown>".into(),
    }
}

fn containers_images(tmpl_spec: &Value) -> (String, String) {
    let cs = tmpl_spec["containers"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    let names: Vec<&str> = cs.iter().filter_map(|c| c["name"].as_str()).collect();
    let images: Vec<&str> = cs.iter().filter_map(|c| c["image"].as_str()).collect();
    (names.join(","), images.join(","))
}

fn selector_string(sel: &Value) -> String {
    let s = <super::selectors::LabelSelector as super::selectors::FromValue>::from_value(sel)
        .to_query();
    if s.is_empty() { "<none>".into() } else { s }
}

fn pod_status(p: &Value) -> String {
    let mut reason = obj::str_at(p, &["status", "phase"])
        .unwrap_or("Unknown")
        .to_string();
    if let Some(r) = obj::str_at(p, &["status", "reason"]) {
        reason = r.to_string();
    }
    let mut has_running = false;
    let statuses = obj::at(p, &["status", "containerStatuses"])
        .as_array()
        .cloned()
        .unwrap_or_default();
    for cs in statuses.iter().rev() {
        let st = &cs["state"];
        if let Some(r) = st["waiting"]["reason"].as_str().filter(|r| !r.is_empty()) {
            reason = r.to_string();
        } else if let Some(r) = st["terminated"]["reason"]
            .as_str()
            .filter(|r| !r.is_empty())
        {
            reason = r.to_string();
        } else if !st["terminated"].is_null() {
            reason = format!("ExitCode:{}", st["terminated"]["exitCode"]);
        } else if !st["running"].is_null() && cs["ready"] == true {
            has_running = true;
        }
    }
    if reason == "Completed" && has_running {
        reason = "Running".into();
    }
    if obj::is_terminating(p) {
        reason = "Terminating".into();
    }
    reason
}

fn pod_restarts(p: &Value, now: Timestamp) -> String {
    let statuses = obj::at(p, &["status", "containerStatuses"])
        .as_array()
        .cloned()
        .unwrap_or_default();
    let total: i64 = statuses
        .iter()
        .filter_map(|c| c["restartCount"].as_i64())
        .sum();
    let last = statuses
        .iter()
        .filter_map(|c| c["lastState"]["terminated"]["finishedAt"].as_str())
        .filter_map(|s| s.parse::<Timestamp>().ok())
        .max();
    match last {
        Some(t) if total > 0 => format!("{total} ({} ago)", human_duration(now.duration_since(t))),
        _ => total.to_string(),
    }
}

fn service_ports(s: &Value) -> String {
    let ports = obj::at(s, &["spec", "ports"])
        .as_array()
        .cloned()
        .unwrap_or_default();
    if ports.is_empty() {
        return "<none>".into();
    }
    ports
        .iter()
        .map(|p| {
            let proto = p["protocol"].as_str().unwrap_or("TCP");
            match p["nodePort"].as_i64() {
                Some(np) => format!("{}:{}/{}", p["port"], np, proto),
                None => format!("{}/{}", p["port"], proto),
            }
        })
        .collect::<Vec<_>>()
        .join(",")
}

fn external_ip(s: &Value) -> String {
    match obj::str_at(s, &["spec", "type"]) {
        Some("LoadBalancer") => {
            let ing = obj::at(s, &["status", "loadBalancer", "ingress"])
                .as_array()
                .cloned()
                .unwrap_or_default();
            let list: Vec<String> = ing
                .iter()
                .filter_map(|i| {
                    i["ip"]
                        .as_str()
                        .or(i["hostname"].as_str())
                        .map(String::from)
                })
                .collect();
            if list.is_empty() {
                "<pending>".into()
            } else {
                list.join(",")
            }
        }
        Some("ExternalName") => obj::str_at(s, &["spec", "externalName"])
            .unwrap_or("")
            .into(),
        _ => "<none>".into(),
    }
}

pub fn hpa_targets(h: &Value) -> String {
    let specs = obj::at(h, &["spec", "metrics"])
        .as_array()
        .cloned()
        .unwrap_or_default();
    let current = obj::at(h, &["status", "currentMetrics"])
        .as_array()
        .cloned()
        .unwrap_or_default();
    if specs.is_empty() {
        return "<none>".into();
    }
    let parts: Vec<String> = specs
        .iter()
        .map(|m| match m["type"].as_str() {
            Some("Resource") => {
                let name = m["resource"]["name"].as_str().unwrap_or("");
                let cur = current
                    .iter()
                    .find(|c| c["type"] == "Resource" && c["resource"]["name"] == name)
                    .map(|c| &c["resource"]["current"]);
                let t = &m["resource"]["target"];
                if let Some(goal) = t["averageUtilization"].as_i64() {
                    let now = cur
                        .and_then(|c| c["averageUtilization"].as_i64())
                        .map(|u| format!("{u}%"))
                        .unwrap_or_else(|| "<unknown>".into());
                    format!("{name}: {now}/{goal}%")
                } else {
                    let now = cur
                        .and_then(|c| c["averageValue"].as_str())
                        .unwrap_or("<unknown>");
                    format!(
                        "{name}: {now}/{}",
                        t["averageValue"].as_str().unwrap_or("?")
                    )
                }
            }
            Some("External") => {
                let name = m["external"]["metric"]["name"].as_str().unwrap_or("");
                let cur = current
                    .iter()
                    .find(|c| c["type"] == "External" && c["external"]["metric"]["name"] == name)
                    .map(|c| &c["external"]["current"]);
                let t = &m["external"]["target"];
                let (now, goal, avg) = match t["averageValue"].as_str() {
                    Some(g) => (
                        cur.and_then(|c| c["averageValue"].as_str()),
                        g.to_string(),
                        " (avg)",
                    ),
                    None => (
                        cur.and_then(|c| c["value"].as_str()),
                        t["value"].as_str().unwrap_or("?").to_string(),
                        "",
                    ),
                };
                format!("{name}: {}/{goal}{avg}", now.unwrap_or("<unknown>"))
            }
            _ => "<unknown>".into(),
        })
        .collect();
    parts.join(", ")
}

fn job_status(j: &Value) -> &'static str {
    let conds = obj::at(j, &["status", "conditions"])
        .as_array()
        .cloned()
        .unwrap_or_default();
    let has = |t: &str| {
        conds
            .iter()
            .any(|c| c["type"] == t && c["status"] == "True")
    };
    if has("Complete") {
        "Complete"
    } else if has("Failed") {
        "Failed"
    } else if has("FailureTarget") {
        "FailureTarget"
    } else if has("SuccessCriteriaMet") {
        "SuccessCriteriaMet"
    } else if obj::at(j, &["spec", "suspend"]).as_bool() == Some(true) {
        "Suspended"
    } else {
        "Running"
    }
}

fn job_duration(j: &Value, now: Timestamp) -> String {
    let start = obj::str_at(j, &["status", "startTime"]).and_then(|s| s.parse::<Timestamp>().ok());
    let end =
        obj::str_at(j, &["status", "completionTime"]).and_then(|s| s.parse::<Timestamp>().ok());
    match (start, end) {
        (Some(s), Some(e)) => human_duration(e.duration_since(s)),
        (Some(s), None) => human_duration(now.duration_since(s)),
        _ => "".into(),
    }
}

fn endpoints_string(e: &Value) -> String {
    let mut list = Vec::new();
    for s in obj::at(e, &["subsets"])
        .as_array()
        .cloned()
        .unwrap_or_default()
    {
        let ports: Vec<i64> = s["ports"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|p| p["port"].as_i64())
            .collect();
        for a in s["addresses"].as_array().into_iter().flatten() {
            let ip = a["ip"].as_str().unwrap_or("");
            if ports.is_empty() {
                list.push(ip.to_string());
            }
            for p in &ports {
                list.push(format!("{ip}:{p}"));
            }
        }
    }
    if list.is_empty() {
        return "<none>".into();
    }
    let more = list.len().saturating_sub(3);
    let shown = list.into_iter().take(3).collect::<Vec<_>>().join(",");
    if more > 0 {
        format!("{shown} + {more} more...")
    } else {
        shown
    }
}

fn int_or_na(v: &Value) -> Value {
    match v {
        Value::Null => json!("N/A"),
        Value::Number(n) => json!(n.to_string()),
        other => other.clone(),
    }
}

/// The cells of one row.
fn cells(kind: Option<Kind>, v: &Value, now: Timestamp) -> Vec<Value> {
    let name = json!(obj::name(v));
    match kind {
        Some(Kind::Pod) => {
            let total = obj::at(v, &["spec", "containers"])
                .as_array()
                .map_or(0, |a| a.len());
            let ready = obj::at(v, &["status", "containerStatuses"])
                .as_array()
                .map_or(0, |a| a.iter().filter(|c| c["ready"] == true).count());
            vec![
                name,
                json!(format!("{ready}/{total}")),
                json!(pod_status(v)),
                json!(pod_restarts(v, now)),
                json!(age(v, now)),
                json!(obj::str_at(v, &["status", "podIP"]).unwrap_or("<none>")),
                json!(obj::str_at(v, &["spec", "nodeName"]).unwrap_or("<none>")),
                json!("<none>"),
                json!("<none>"),
            ]
        }
        Some(Kind::Deployment) => {
            let (cs, is) = containers_images(obj::at(v, &["spec", "template", "spec"]));
            let desired = obj::i64_at(v, &["spec", "replicas"]).unwrap_or(0);
            let ready = obj::i64_at(v, &["status", "readyReplicas"]).unwrap_or(0);
            vec![
                name,
                json!(format!("{ready}/{desired}")),
                json!(obj::i64_at(v, &["status", "updatedReplicas"]).unwrap_or(0)),
                json!(obj::i64_at(v, &["status", "availableReplicas"]).unwrap_or(0)),
                json!(age(v, now)),
                json!(cs),
                json!(is),
                json!(selector_string(obj::at(v, &["spec", "selector"]))),
            ]
        }
        Some(Kind::ReplicaSet) => {
            let (cs, is) = containers_images(obj::at(v, &["spec", "template", "spec"]));
            vec![
                name,
                json!(obj::i64_at(v, &["spec", "replicas"]).unwrap_or(0)),
                json!(obj::i64_at(v, &["status", "replicas"]).unwrap_or(0)),
                json!(obj::i64_at(v, &["status", "readyReplicas"]).unwrap_or(0)),
                json!(age(v, now)),
                json!(cs),
                json!(is),
                json!(selector_string(obj::at(v, &["spec", "selector"]))),
            ]
        }
        Some(Kind::StatefulSet) => {
            let (cs, is) = containers_images(obj::at(v, &["spec", "template", "spec"]));
            vec![
                name,
                json!(format!(
                    "{}/{}",
                    obj::i64_at(v, &["status", "readyReplicas"]).unwrap_or(0),
                    obj::i64_at(v, &["spec", "replicas"]).unwrap_or(0)
                )),
                json!(age(v, now)),
                json!(cs),
                json!(is),
            ]
        }
        Some(Kind::Service) => vec![
            name,
            json!(obj::str_at(v, &["spec", "type"]).unwrap_or("ClusterIP")),
            json!(obj::str_at(v, &["spec", "clusterIP"]).unwrap_or("<none>")),
            json!(external_ip(v)),
            json!(service_ports(v)),
            json!(age(v, now)),
            json!(match obj::at(v, &["spec", "selector"]) {
                Value::Null => "<none>".to_string(),
                s => selector_string(s),
            }),
        ],
        Some(Kind::Hpa) => {
            let r = obj::at(v, &["spec", "scaleTargetRef"]);
            vec![
                name,
                json!(format!(
                    "{}/{}",
                    r["kind"].as_str().unwrap_or(""),
                    r["name"].as_str().unwrap_or("")
                )),
                json!(hpa_targets(v)),
                json!(
                    obj::i64_at(v, &["spec", "minReplicas"])
                        .unwrap_or(1)
                        .to_string()
                ),
                json!(obj::i64_at(v, &["spec", "maxReplicas"]).unwrap_or(0)),
                json!(obj::i64_at(v, &["status", "currentReplicas"]).unwrap_or(0)),
                json!(age(v, now)),
            ]
        }
        Some(Kind::CronJob) => {
            let (cs, is) = containers_images(obj::at(
                v,
                &["spec", "jobTemplate", "spec", "template", "spec"],
            ));
            let last = obj::at(v, &["status", "lastScheduleTime"]);
            vec![
                name,
                json!(obj::str_at(v, &["spec", "schedule"]).unwrap_or("")),
                json!(obj::str_at(v, &["spec", "timeZone"]).unwrap_or("<none>")),
                json!(obj::at(v, &["spec", "suspend"]).as_bool().unwrap_or(false)),
                json!(
                    obj::at(v, &["status", "active"])
                        .as_array()
                        .map_or(0, |a| a.len())
                ),
                json!(if last.is_null() {
                    "<none>".to_string()
                } else {
                    ts_age(last, now)
                }),
                json!(age(v, now)),
                json!(cs),
                json!(is),
                json!(
                    match obj::at(v, &["spec", "jobTemplate", "spec", "selector"]) {
                        Value::Null => "<none>".to_string(),
                        s => selector_string(s),
                    }
                ),
            ]
        }
        Some(Kind::Job) => {
            let (cs, is) = containers_images(obj::at(v, &["spec", "template", "spec"]));
            vec![
                name,
                json!(job_status(v)),
                json!(format!(
                    "{}/{}",
                    obj::i64_at(v, &["status", "succeeded"]).unwrap_or(0),
                    obj::i64_at(v, &["spec", "completions"]).unwrap_or(1)
                )),
                json!(job_duration(v, now)),
                json!(age(v, now)),
                json!(cs),
                json!(is),
                json!(selector_string(obj::at(v, &["spec", "selector"]))),
            ]
        }
        Some(Kind::Event) => {
            let io = &v["involvedObject"];
            let last = if v["lastTimestamp"].is_null() {
                &v["eventTime"]
            } else {
                &v["lastTimestamp"]
            };
            let first = if v["firstTimestamp"].is_null() {
                &v["eventTime"]
            } else {
                &v["firstTimestamp"]
            };
            let source = match (
                v["source"]["component"].as_str(),
                v["source"]["host"].as_str(),
            ) {
                (Some(c), Some(h)) => format!("{c}, {h}"),
                (Some(c), None) => c.to_string(),
                _ => v["reportingComponent"].as_str().unwrap_or("").to_string(),
            };
            vec![
                json!(ts_age(last, now)),
                v["type"].clone(),
                v["reason"].clone(),
                json!(format!(
                    "{}/{}",
                    io["kind"].as_str().unwrap_or("").to_lowercase(),
                    io["name"].as_str().unwrap_or("")
                )),
                json!(io["fieldPath"].as_str().unwrap_or("")),
                json!(source),
                v["message"].clone(),
                json!(ts_age(first, now)),
                json!(v["count"].as_i64().unwrap_or(1).to_string()),
                name,
            ]
        }
        Some(Kind::Pdb) => vec![
            name,
            int_or_na(obj::at(v, &["spec", "minAvailable"])),
            int_or_na(obj::at(v, &["spec", "maxUnavailable"])),
            json!(obj::i64_at(v, &["status", "disruptionsAllowed"]).unwrap_or(0)),
            json!(age(v, now)),
        ],
        Some(Kind::Namespace) => vec![
            name,
            json!(obj::str_at(v, &["status", "phase"]).unwrap_or("Active")),
            json!(age(v, now)),
        ],
        Some(Kind::Endpoints) => vec![name, json!(endpoints_string(v)), json!(age(v, now))],
        Some(Kind::Node) => {
            let ready = obj::at(v, &["status", "conditions"])
                .as_array()
                .is_some_and(|cs| {
                    cs.iter()
                        .any(|c| c["type"] == "Ready" && c["status"] == "True")
                });
            let info = obj::at(v, &["status", "nodeInfo"]);
            let internal = obj::at(v, &["status", "addresses"])
                .as_array()
                .and_then(|a| a.iter().find(|x| x["type"] == "InternalIP"))
                .and_then(|x| x["address"].as_str())
                .unwrap_or("<none>");
            vec![
                name,
                json!(if ready { "Ready" } else { "NotReady" }),
                json!("<none>"),
                json!(age(v, now)),
                info["kubeletVersion"].clone(),
                json!(internal),
                json!("<none>"),
                info["osImage"].clone(),
                info["kernelVersion"].clone(),
                info["containerRuntimeVersion"].clone(),
            ]
        }
        Some(Kind::VolumeSnapshot) => vec![
            name,
            obj::at(v, &["status", "readyToUse"]).clone(),
            json!(obj::str_at(v, &["spec", "source", "persistentVolumeClaimName"]).unwrap_or("")),
            json!(""),
            json!(obj::str_at(v, &["status", "restoreSize"]).unwrap_or("")),
            json!(obj::str_at(v, &["spec", "volumeSnapshotClassName"]).unwrap_or("")),
            json!(obj::str_at(v, &["status", "boundVolumeSnapshotContentName"]).unwrap_or("")),
            json!(ts_age(obj::at(v, &["status", "creationTime"]), now)),
            json!(age(v, now)),
        ],
        _ => vec![name, v["metadata"]["creationTimestamp"].clone()],
    }
}

/// A printer column's cell.
fn printed(col: &super::kinds::Col, v: &Value, now: Timestamp) -> Value {
    match &col.cell {
        Cell::Name => json!(obj::name(v)),
        Cell::Age => json!(age(v, now)),
        Cell::Path(p) => match obj::at(v, p) {
            Value::Null => json!("<none>"),
            Value::String(s) if s.is_empty() => json!("<none>"),
            other => other.clone(),
        },
        Cell::Count(paths) => json!(
            paths
                .iter()
                .map(|p| match obj::at(v, p) {
                    Value::Object(m) => m.len(),
                    Value::Array(a) => a.len(),
                    _ => 0,
                })
                .sum::<usize>()
        ),
        // A custom resource's date column reads as an age, as the real server's
        // convertor formats it.
        Cell::JsonPath(p) => match json_path(v, p) {
            Some(Value::String(s)) if col.ty == "date" => json!(ts_age(&json!(s), now)),
            Some(x) => x,
            None => Value::Null,
        },
        Cell::Func(f) => f(v, now),
    }
}

/// The value at a printer column's JSONPath: `.spec.replicas`, `.items[0].name`,
/// `.status.conditions[?(@.type=="Ready")].status` (the forms CRDs use).
pub fn json_path(v: &Value, path: &str) -> Option<Value> {
    let p = path.trim().trim_start_matches('{').trim_end_matches('}');
    let p = p.strip_prefix('$').unwrap_or(p);
    let mut cur = v.clone();
    let mut rest = p;
    while !rest.is_empty() {
        if let Some(r) = rest.strip_prefix('.') {
            let end = r.find(['.', '[']).unwrap_or(r.len());
            let key = &r[..end];
            cur = cur.get(key)?.clone();
            rest = &r[end..];
        } else if let Some(r) = rest.strip_prefix('[') {
            let end = r.find(']')?;
            let inner = &r[..end];
            rest = &r[end + 1..];
            if let Ok(i) = inner.parse::<usize>() {
                cur = cur.get(i)?.clone();
            } else if let Some(f) = inner.strip_prefix("?(@.").and_then(|f| f.strip_suffix(')')) {
                let (field, want) = f.split_once("==")?;
                let want = want.trim().trim_matches(|c| c == '"' || c == '\'');
                cur = cur
                    .as_array()?
                    .iter()
                    .find(|x| x.get(field.trim()).and_then(|y| y.as_str()) == Some(want))?
                    .clone();
            } else if inner == "*" {
                continue;
            } else {
                return None;
            }
        } else {
            return None;
        }
    }
    Some(cur)
}

fn strings_at(v: &Value, path: &[&str]) -> Vec<String> {
    obj::at(v, path)
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|x| x.as_str().map(String::from))
        .collect()
}

fn short_modes(modes: &[String]) -> String {
    modes
        .iter()
        .map(|m| match m.as_str() {
            "ReadWriteOnce" => "RWO",
            "ReadOnlyMany" => "ROX",
            "ReadWriteMany" => "RWX",
            "ReadWriteOncePod" => "RWOP",
            other => other,
        })
        .collect::<Vec<_>>()
        .join(",")
}

pub fn pv_access_modes(v: &Value, _: Timestamp) -> Value {
    json!(short_modes(&strings_at(v, &["spec", "accessModes"])))
}

pub fn pvc_access_modes(v: &Value, _: Timestamp) -> Value {
    json!(short_modes(&strings_at(v, &["status", "accessModes"])))
}

pub fn pv_claim(v: &Value, _: Timestamp) -> Value {
    let c = obj::at(v, &["spec", "claimRef"]);
    match (c["namespace"].as_str(), c["name"].as_str()) {
        (Some(ns), Some(n)) => json!(format!("{ns}/{n}")),
        _ => json!(""),
    }
}

pub fn node_selector(v: &Value, _: Timestamp) -> Value {
    match obj::at(v, &["spec", "template", "spec", "nodeSelector"]).as_object() {
        Some(m) if !m.is_empty() => json!(
            m.iter()
                .map(|(k, x)| format!("{k}={}", x.as_str().unwrap_or("")))
                .collect::<Vec<_>>()
                .join(",")
        ),
        _ => json!("<none>"),
    }
}

pub fn template_containers(v: &Value, _: Timestamp) -> Value {
    json!(containers_images(obj::at(v, &["spec", "template", "spec"])).0)
}

pub fn template_images(v: &Value, _: Timestamp) -> Value {
    json!(containers_images(obj::at(v, &["spec", "template", "spec"])).1)
}

pub fn spec_selector(v: &Value, _: Timestamp) -> Value {
    json!(selector_string(obj::at(v, &["spec", "selector"])))
}

pub fn pod_selector(v: &Value, _: Timestamp) -> Value {
    json!(selector_string(obj::at(v, &["spec", "podSelector"])))
}

pub fn ingress_hosts(v: &Value, _: Timestamp) -> Value {
    let hosts: Vec<String> = obj::at(v, &["spec", "rules"])
        .as_array()
        .into_iter()
        .flatten()
        .map(|r| r["host"].as_str().unwrap_or("*").to_string())
        .collect();
    json!(if hosts.is_empty() {
        "*".to_string()
    } else {
        hosts.join(",")
    })
}

pub fn ingress_address(v: &Value, _: Timestamp) -> Value {
    let a: Vec<&str> = obj::at(v, &["status", "loadBalancer", "ingress"])
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|i| i["ip"].as_str().or(i["hostname"].as_str()))
        .collect();
    json!(a.join(","))
}

pub fn ingress_ports(v: &Value, _: Timestamp) -> Value {
    let tls = obj::at(v, &["spec", "tls"])
        .as_array()
        .is_some_and(|a| !a.is_empty());
    json!(if tls { "80, 443" } else { "80" })
}

pub fn role_ref(v: &Value, _: Timestamp) -> Value {
    let r = &v["roleRef"];
    json!(format!(
        "{}/{}",
        r["kind"].as_str().unwrap_or(""),
        r["name"].as_str().unwrap_or("")
    ))
}

fn subjects(v: &Value, kind: &str) -> Value {
    let s: Vec<String> = v["subjects"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|s| s["kind"] == kind)
        .map(|s| match (kind, s["namespace"].as_str()) {
            ("ServiceAccount", Some(ns)) => format!("{ns}/{}", s["name"].as_str().unwrap_or("")),
            _ => s["name"].as_str().unwrap_or("").to_string(),
        })
        .collect();
    json!(s.join(", "))
}

pub fn subject_users(v: &Value, _: Timestamp) -> Value {
    subjects(v, "User")
}

pub fn subject_groups(v: &Value, _: Timestamp) -> Value {
    subjects(v, "Group")
}

pub fn subject_service_accounts(v: &Value, _: Timestamp) -> Value {
    subjects(v, "ServiceAccount")
}

pub fn storage_class_name(v: &Value, _: Timestamp) -> Value {
    let default =
        v["metadata"]["annotations"]["storageclass.kubernetes.io/is-default-class"] == "true";
    json!(if default {
        format!("{} (default)", obj::name(v))
    } else {
        obj::name(v).to_string()
    })
}

fn partial_metadata(v: &Value) -> Value {
    let mut meta = v["metadata"].clone();
    if let Some(m) = meta.as_object_mut() {
        m.remove("managedFields");
    }
    json!({"kind": "PartialObjectMetadata", "apiVersion": "meta.k8s.io/v1", "metadata": meta})
}

/// `includeObject`: what each row carries.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum Include {
    None,
    Metadata,
    Object,
}

impl Include {
    pub fn parse(s: Option<&str>) -> Include {
        match s {
            Some("None") => Include::None,
            Some("Object") => Include::Object,
            _ => Include::Metadata,
        }
    }
}

/// A Table of `items`; `with_columns` false omits the column definitions (watch
/// events after the first).
pub fn table(
    surface: &Surface,
    items: &[Value],
    rv: &str,
    cont: Option<&str>,
    now: Timestamp,
    include: Include,
    with_columns: bool,
) -> Value {
    let kind = if surface.repr == super::kinds::Repr::Native
        || surface.repr == super::kinds::Repr::EventsV1
    {
        surface.stored
    } else {
        None
    };
    let printer = surface.printer;
    let col_def = |name: &str, ty: &str, priority: u8| json!({"name": name, "type": ty, "format": if name == "Name" { "name" } else { "" }, "description": format!("{name} of the {}", surface.singular), "priority": priority});
    let cols: Vec<Value> = match (with_columns, printer.is_empty()) {
        (false, _) => Vec::new(),
        (true, false) => printer
            .iter()
            .map(|c| col_def(c.name, c.ty, c.priority))
            .collect(),
        (true, true) => columns(kind)
            .iter()
            .map(|c| col_def(c.name, c.ty, c.priority))
            .collect(),
    };
    let rows: Vec<Value> = items
        .iter()
        .map(|v| {
            let cells: Vec<Value> = if printer.is_empty() {
                cells(kind, v, now)
            } else {
                printer.iter().map(|c| printed(c, v, now)).collect()
            };
            let mut row = json!({"cells": cells});
            match include {
                Include::None => {}
                Include::Metadata => row["object"] = partial_metadata(v),
                Include::Object => row["object"] = v.clone(),
            }
            row
        })
        .collect();
    let mut meta = json!({"resourceVersion": rv});
    if let Some(c) = cont {
        meta["continue"] = json!(c);
    }
    json!({
        "kind": "Table",
        "apiVersion": "meta.k8s.io/v1",
        "metadata": meta,
        "columnDefinitions": cols,
        "rows": rows,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn crash_looping_pod_prints_like_kubectl() {
        let now: Timestamp = "2026-11-22T10:10:00Z".parse().unwrap();
        let pod = json!({
            "metadata": {"name": "p", "creationTimestamp": "2026-11-22T10:00:00Z"},
            "spec": {"containers": [{"name": "api"}, {"name": "side"}]},
            "status": {"phase": "Running", "containerStatuses": [
                {"name": "api", "ready": false, "restartCount": 3, "state": {"waiting": {"reason": "CrashLoopBackOff"}},
                 "lastState": {"terminated": {"finishedAt": "2026-11-22T10:08:00Z"}}},
                {"name": "side", "ready": true, "restartCount": 0, "state": {"running": {}}}
            ]}
        });
        let c = cells(Some(Kind::Pod), &pod, now);
        assert_eq!(c[1], "1/2");
        assert_eq!(c[2], "CrashLoopBackOff");
        assert_eq!(c[3], "3 (2m ago)");
        assert_eq!(c[4], "10m");
    }

    #[test]
    fn hpa_targets_format() {
        let h = json!({"spec": {"metrics": [
            {"type": "Resource", "resource": {"name": "cpu", "target": {"type": "Utilization", "averageUtilization": 65}}},
            {"type": "Resource", "resource": {"name": "memory", "target": {"type": "Utilization", "averageUtilization": 75}}}
        ]}, "status": {"currentMetrics": [{"type": "Resource", "resource": {"name": "cpu", "current": {"averageUtilization": 45}}}]}});
        assert_eq!(hpa_targets(&h), "cpu: 45%/65%, memory: <unknown>/75%");
    }

    #[test]
    fn service_ports_and_endpoints() {
        let s = json!({"spec": {"type": "LoadBalancer", "ports": [{"port": 80, "nodePort": 31000, "protocol": "TCP"}]},
            "status": {"loadBalancer": {"ingress": [{"hostname": "a.elb"}]}}});
        assert_eq!(service_ports(&s), "80:31000/TCP");
        assert_eq!(external_ip(&s), "a.elb");
        let e = json!({"subsets": [{"ports": [{"port": 3005}], "addresses": [{"ip": "1"}, {"ip": "2"}, {"ip": "3"}, {"ip": "4"}]}]});
        assert_eq!(endpoints_string(&e), "1:3005,2:3005,3:3005 + 1 more...");
    }
}
