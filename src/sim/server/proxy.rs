//! The pod and service proxy (`…/pods/[scheme:]name[:port]/proxy/path`, same for
//! services) into the simulated applications, and the pod `log` subresource with
//! container selection, previous instances, tail, since, timestamps and follow.

use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use http::Response;
use serde_json::Value;
use tokio::sync::mpsc;

use super::route::Target;
use super::{Body, Req, bytes_response, error_response, stream_response};
use crate::sim::apps::{self, Ctx, HttpReq};
use crate::sim::controllers::endpoints::resolve_target_port;
use crate::sim::kinds::Kind;
use crate::sim::status::ApiError;
use crate::sim::{Shared, SimState, obj};

/// `[scheme:]name[:port]`.
fn parse_id(id: &str) -> (Option<String>, String, Option<String>) {
    let parts: Vec<&str> = id.split(':').collect();
    match parts.as_slice() {
        [name] => (None, name.to_string(), None),
        [a, b] if *a == "http" || *a == "https" => (Some(a.to_string()), b.to_string(), None),
        [name, port] => (None, name.to_string(), Some(port.to_string())),
        [scheme, name, port, ..] => (
            Some(scheme.to_string()),
            name.to_string(),
            Some(port.to_string()),
        ),
        [] => (None, String::new(), None),
    }
}

fn unreachable(ip: &str, port: i64, why: &str) -> ApiError {
    ApiError::service_unavailable(format!(
        "error trying to reach service: dial tcp {ip}:{port}: {why}"
    ))
}

/// Sends a request into `pod` on `port`.
fn call_pod(
    st: &mut SimState,
    pod: &Value,
    port: i64,
    scheme: Option<&str>,
    r: &Req,
    rest: &str,
) -> Result<Response<Body>, ApiError> {
    if scheme == Some("https") {
        let ip = obj::str_at(pod, &["status", "podIP"]).unwrap_or("");
        if ip.is_empty() || obj::str_at(pod, &["status", "phase"]) != Some("Running") {
            return Err(ApiError::service_unavailable(format!(
                "error trying to reach service: pod {} is not running",
                obj::name(pod)
            )));
        }
        if listener(pod, port).is_none() {
            return Err(unreachable(ip, port, "connect: connection refused"));
        }
        return Err(ApiError::service_unavailable(
            "error trying to reach service: tls: first record does not look like a TLS handshake",
        ));
    }
    let path = if rest.is_empty() { "/" } else { rest };
    let resp = pod_http(
        st,
        pod,
        port,
        r.method.as_str(),
        path,
        &r.raw_query,
        &r.body,
    )?;
    let body = if r.method == http::Method::HEAD {
        Vec::new()
    } else {
        resp.body
    };
    Ok(bytes_response(resp.status, resp.content_type, body))
}

/// One HTTP request to `pod` on `port`, as anything inside the cluster would send
/// it (the proxy, `curl` in an exec, a port-forward): answered by the app of the
/// container that listens there, or refused.
pub fn pod_http(
    st: &mut SimState,
    pod: &Value,
    port: i64,
    method: &str,
    path: &str,
    query: &str,
    body: &Bytes,
) -> Result<apps::HttpResp, ApiError> {
    let ip = obj::str_at(pod, &["status", "podIP"])
        .unwrap_or("")
        .to_string();
    if ip.is_empty() || obj::str_at(pod, &["status", "phase"]) != Some("Running") {
        return Err(ApiError::service_unavailable(format!(
            "error trying to reach service: pod {} is not running",
            obj::name(pod)
        )));
    }
    let Some(container) = listener(pod, port) else {
        return Err(unreachable(&ip, port, "connect: connection refused"));
    };
    let req = HttpReq {
        method,
        path,
        query,
        body,
    };
    let SimState { store, world, .. } = st;
    let mut ctx = Ctx {
        store,
        world,
        pod,
        container: &container,
    };
    apps::serve(&mut ctx, port as u16, &req)
        .ok_or_else(|| unreachable(&ip, port, "connect: connection refused"))
}

/// The running container of `pod` that listens on `port`.
pub fn listener(pod: &Value, port: i64) -> Option<Value> {
    let containers = obj::at(pod, &["spec", "containers"]).as_array()?;
    let container = containers.iter().find(|c| {
        c["ports"]
            .as_array()
            .is_some_and(|ps| ps.iter().any(|p| p["containerPort"].as_i64() == Some(port)))
    })?;
    let cname = container["name"].as_str().unwrap_or("");
    let running = obj::at(pod, &["status", "containerStatuses"])
        .as_array()
        .and_then(|a| a.iter().find(|s| s["name"] == cname))
        .is_some_and(|s| s["state"].get("running").is_some());
    running.then(|| container.clone())
}

/// The pod a request to Service `name` (on its port `port`: a name or a number; the
/// first when absent) goes to, round robin over its ready endpoints, and the pod's
/// port it reaches. A missing Service is a 404.
pub fn service_backend(
    st: &mut SimState,
    ns: &str,
    name: &str,
    port: Option<&str>,
) -> Result<(Arc<Value>, i64), ApiError> {
    let svc = st
        .store
        .get(Kind::Service, ns, name)
        .ok_or_else(|| ApiError::new(404, "NotFound", format!("services \"{name}\" not found")))?;
    let ports = obj::at(&svc, &["spec", "ports"])
        .as_array()
        .cloned()
        .unwrap_or_default();
    let sp = match port {
        None => ports.first().cloned(),
        Some(p) => ports
            .iter()
            .find(|sp| {
                sp["name"] == p || sp["port"].as_i64().map(|n| n.to_string()).as_deref() == Some(p)
            })
            .cloned(),
    }
    .ok_or_else(|| {
        ApiError::service_unavailable(format!("no endpoints available for service \"{name}\""))
    })?;
    let ep = st.store.get(Kind::Endpoints, ns, name);
    let backends: Vec<String> = ep
        .as_ref()
        .and_then(|e| e["subsets"].as_array().cloned())
        .unwrap_or_default()
        .iter()
        .flat_map(|s| s["addresses"].as_array().cloned().unwrap_or_default())
        .filter_map(|a| a["targetRef"]["name"].as_str().map(String::from))
        .collect();
    if backends.is_empty() {
        return Err(ApiError::service_unavailable(format!(
            "no endpoints available for service \"{name}\""
        )));
    }
    st.world.rr = st.world.rr.wrapping_add(1);
    let pick = &backends[(st.world.rr as usize) % backends.len()];
    let pod = st.store.get(Kind::Pod, ns, pick).ok_or_else(|| {
        ApiError::service_unavailable(format!("no endpoints available for service \"{name}\""))
    })?;
    let target_port = resolve_target_port(&pod, &sp["targetPort"])
        .or_else(|| sp["port"].as_i64())
        .unwrap_or(80);
    Ok((pod, target_port))
}

fn named_port(pod: &Value, port: &str) -> Option<i64> {
    resolve_target_port(pod, &Value::String(port.to_string()))
}

pub async fn handle(shared: &Arc<Shared>, r: &Req, t: &Target) -> Response<Body> {
    let res = (|| {
        let ns = t.namespace.clone().unwrap_or_default();
        let id = t.name.clone().unwrap_or_default();
        let (scheme, name, port) = parse_id(&id);
        let mut st = shared.lock();
        match t.surface.stored {
            Some(Kind::Pod) => {
                let pod = st
                    .store
                    .get(Kind::Pod, &ns, &name)
                    .ok_or_else(|| ApiError::not_found(t.surface, &name))?;
                let port = match port {
                    None => 80,
                    Some(p) => p.parse().ok().or_else(|| named_port(&pod, &p)).ok_or_else(
                        || {
                            ApiError::service_unavailable(format!(
                                "error trying to reach service: no port named {p:?} on pod {name}"
                            ))
                        },
                    )?,
                };
                shared
                    .stats
                    .record_probe(&ns, &name, &format!("{port}{}", t.rest));
                call_pod(&mut st, &pod, port, scheme.as_deref(), r, &t.rest)
            }
            Some(Kind::Service) => {
                let (pod, target_port) = service_backend(&mut st, &ns, &name, port.as_deref())
                    .map_err(|e| {
                        if e.code == 404 {
                            ApiError::not_found(t.surface, &name)
                        } else {
                            e
                        }
                    })?;
                call_pod(&mut st, &pod, target_port, scheme.as_deref(), r, &t.rest)
            }
            _ => Err(ApiError::no_route()),
        }
    })();
    match res {
        Ok(resp) => resp,
        Err(e) => error_response(&e),
    }
}

struct LogRequest {
    pod_key: String,
    container: String,
    previous: bool,
    follow: bool,
    timestamps: bool,
    tail: Option<usize>,
    since: Option<jiff::Timestamp>,
    limit_bytes: Option<usize>,
}

fn format_line(l: &apps::logs::LogLine, timestamps: bool) -> String {
    if timestamps {
        format!("{} {}\n", l.ts.strftime("%Y-%m-%dT%H:%M:%S%.9fZ"), l.text)
    } else {
        format!("{}\n", l.text)
    }
}

fn prepare_logs(
    shared: &Arc<Shared>,
    r: &Req,
    t: &Target,
) -> Result<(LogRequest, Vec<apps::logs::LogLine>, u64), ApiError> {
    let ns = t.namespace.clone().unwrap_or_default();
    let name = t.name.clone().unwrap_or_default();
    let st = shared.lock();
    let pod = st
        .store
        .get(Kind::Pod, &ns, &name)
        .ok_or_else(|| ApiError::not_found(t.surface, &name))?;
    let names: Vec<String> = obj::at(&pod, &["spec", "containers"])
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|c| c["name"].as_str().map(String::from))
        .collect();
    let container = match r.query.get("container").filter(|c| !c.is_empty()) {
        Some(c) => {
            if !names.iter().any(|n| n == c) {
                return Err(ApiError::bad_request(format!(
                    "container {c} is not valid for pod {name}"
                )));
            }
            c.to_string()
        }
        None => match (
            names.len(),
            obj::annotation(&pod, "kubectl.kubernetes.io/default-container"),
        ) {
            (1, _) => names[0].clone(),
            (_, Some(d)) if names.iter().any(|n| n == d) => d.to_string(),
            _ => {
                return Err(ApiError::bad_request(format!(
                    "a container name must be specified for pod {name}, choose one of: [{}]",
                    names.join(" ")
                )));
            }
        },
    };
    let cs = obj::at(&pod, &["status", "containerStatuses"])
        .as_array()
        .and_then(|a| a.iter().find(|s| s["name"] == container.as_str()).cloned());
    let previous = r.query.flag("previous");
    let pod_key = format!("{ns}/{name}");
    if previous && !st.world.logs.has_previous(&pod_key, &container) {
        return Err(ApiError::bad_request(format!(
            "previous terminated container \"{container}\" in pod \"{name}\" not found"
        )));
    }
    let started = cs.as_ref().is_some_and(|s| {
        s["state"].get("running").is_some()
            || s["state"].get("terminated").is_some()
            || !s["lastState"]["terminated"].is_null()
    });
    if !previous && !started {
        let reason = cs
            .as_ref()
            .and_then(|s| s["state"]["waiting"]["reason"].as_str().map(String::from))
            .unwrap_or_else(|| "ContainerCreating".into());
        return Err(ApiError::bad_request(format!(
            "container \"{container}\" in pod \"{name}\" is waiting to start: {reason}"
        )));
    }
    let now = st.store.now();
    let since = r
        .query
        .get("sinceSeconds")
        .and_then(|s| s.parse::<i64>().ok())
        .map(|s| now - jiff::SignedDuration::from_secs(s))
        .or_else(|| r.query.get("sinceTime").and_then(|s| s.parse().ok()));
    let lr = LogRequest {
        pod_key,
        container,
        previous,
        follow: r.query.flag("follow") && !previous,
        timestamps: r.query.flag("timestamps"),
        tail: r.query.get("tailLines").and_then(|t| t.parse().ok()),
        since,
        limit_bytes: r.query.get("limitBytes").and_then(|t| t.parse().ok()),
    };
    let mut lines = st
        .world
        .logs
        .read(&lr.pod_key, &lr.container, lr.previous, 0);
    if let Some(s) = lr.since {
        lines.retain(|l| l.ts >= s);
    }
    if let Some(n) = lr.tail {
        let skip = lines.len().saturating_sub(n);
        lines.drain(..skip);
    }
    let last_seq = lines.last().map(|l| l.seq).unwrap_or_else(|| {
        st.world
            .logs
            .read(&lr.pod_key, &lr.container, lr.previous, 0)
            .last()
            .map_or(0, |l| l.seq)
    });
    Ok((lr, lines, last_seq))
}

pub async fn logs(shared: &Arc<Shared>, r: &Req, t: &Target) -> Response<Body> {
    let (lr, lines, last_seq) = match prepare_logs(shared, r, t) {
        Ok(x) => x,
        Err(e) => return error_response(&e),
    };
    let mut text = String::new();
    for l in &lines {
        text.push_str(&format_line(l, lr.timestamps));
    }
    if let Some(limit) = lr.limit_bytes
        && text.len() > limit
    {
        let mut cut = limit;
        while !text.is_char_boundary(cut) {
            cut -= 1;
        }
        text.truncate(cut);
    }
    if !lr.follow {
        return bytes_response(200, "text/plain", text.into_bytes());
    }
    let (tx, rx) = mpsc::channel::<Bytes>(64);
    let shared = shared.clone();
    tokio::spawn(async move {
        if !text.is_empty() && tx.send(Bytes::from(text)).await.is_err() {
            return;
        }
        let mut seq = last_seq;
        let (ns, name) = lr
            .pod_key
            .split_once('/')
            .map(|(a, b)| (a.to_string(), b.to_string()))
            .unwrap_or_default();
        loop {
            tokio::select! {
                _ = shared.cancel.cancelled() => break,
                _ = tx.closed() => break,
                _ = tokio::time::sleep(Duration::from_millis(250)) => {}
            }
            let (new, alive) = {
                let st = shared.lock();
                let pod = st.store.get(Kind::Pod, &ns, &name);
                let running = pod.as_ref().is_some_and(|p| {
                    obj::at(p, &["status", "containerStatuses"])
                        .as_array()
                        .and_then(|a| a.iter().find(|s| s["name"] == lr.container.as_str()))
                        .is_some_and(|s| s["state"].get("running").is_some())
                });
                (
                    st.world.logs.read(&lr.pod_key, &lr.container, false, seq),
                    running && !pod.as_ref().is_some_and(|p| obj::is_terminating(p)),
                )
            };
            for l in &new {
                seq = seq.max(l.seq);
                if tx
                    .send(Bytes::from(format_line(l, lr.timestamps)))
                    .await
                    .is_err()
                {
                    return;
                }
            }
            if !alive {
                break;
            }
        }
    });
    stream_response("text/plain", rx)
}

#[cfg(test)]
mod tests {
    use super::parse_id;

    #[test]
    fn proxy_ids() {
        assert_eq!(parse_id("web"), (None, "web".into(), None));
        assert_eq!(
            parse_id("web:8080"),
            (None, "web".into(), Some("8080".into()))
        );
        assert_eq!(
            parse_id("https:web:443"),
            (Some("https".into()), "web".into(), Some("443".into()))
        );
        assert_eq!(
            parse_id("http:web"),
            (Some("http".into()), "web".into(), None)
        );
    }
}
