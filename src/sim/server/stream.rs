//! The streaming pod subresources — `exec`, `attach`, `portforward` — as an API
//! server serves them to kubectl 1.31+ and to kube-rs: a WebSocket upgrade with the
//! channel subprotocols (`v5.channel.k8s.io`, `v4.channel.k8s.io` for exec and
//! attach; `SPDY/3.1+portforward.k8s.io` — SPDY tunnelled through the WebSocket —
//! and the channel protocol for port-forward). The pod and container are checked
//! before the upgrade, as a real server does, so a bad request is a Status, not a
//! broken stream.

use std::sync::Arc;

use http::{Response, StatusCode};
use hyper_util::rt::TokioIo;
use serde_json::Value;
use tokio_tungstenite::WebSocketStream;
use tokio_tungstenite::tungstenite::protocol::Role;

use super::route::Target;
use super::{Body, Req, error_response};
use crate::sim::kinds::Kind;
use crate::sim::status::ApiError;
use crate::sim::{Shared, obj};

/// The subresources served as streams.
pub fn is_stream(sub: &str) -> bool {
    matches!(sub, "exec" | "attach" | "portforward")
}

/// The upgraded connection a stream runs over.
pub type Ws = WebSocketStream<TokioIo<hyper::upgrade::Upgraded>>;

/// Ends a stream with a normal close (1000): clients read anything else — even a
/// close without a code — as a broken stream.
pub async fn close(ws: &mut Ws) {
    use tokio_tungstenite::tungstenite::protocol::CloseFrame;
    use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;
    let _ = ws
        .close(Some(CloseFrame {
            code: CloseCode::Normal,
            reason: "".into(),
        }))
        .await;
}

/// The binary channel protocol version negotiated for exec and attach.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum Channels {
    V4,
    /// v4 plus a close signal (channel 255) for stdin.
    V5,
}

/// What was negotiated.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
enum Proto {
    Exec(Channels),
    /// kube-rs and the kubelet's WebSocket port-forward: channels 2n / 2n+1 per port.
    ForwardChannels,
    /// kubectl 1.31+: SPDY/3.1 framing carried in binary WebSocket messages.
    ForwardSpdy,
}

const FORWARD_SPDY: &str = "SPDY/3.1+portforward.k8s.io";

fn offered(r: &Req) -> Vec<String> {
    r.headers
        .get_all(http::header::SEC_WEBSOCKET_PROTOCOL)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(|p| p.trim().to_string())
        .filter(|p| !p.is_empty())
        .collect()
}

/// The first protocol the client offers that this server speaks for `sub`.
fn negotiate(sub: &str, offered: &[String]) -> Option<(Proto, String)> {
    offered.iter().find_map(|p| {
        let proto = match (sub, p.as_str()) {
            ("portforward", FORWARD_SPDY) => Proto::ForwardSpdy,
            ("portforward", "portforward.k8s.io" | "v4.channel.k8s.io" | "v5.channel.k8s.io") => {
                Proto::ForwardChannels
            }
            (_, "v5.channel.k8s.io") => Proto::Exec(Channels::V5),
            (_, "v4.channel.k8s.io") => Proto::Exec(Channels::V4),
            _ => return None,
        };
        Some((proto, p.clone()))
    })
}

/// What an exec or attach asked for (the query of the request).
#[derive(Clone, Debug)]
pub struct ExecRequest {
    pub namespace: String,
    pub pod: String,
    pub container: String,
    pub command: Vec<String>,
    pub stdin: bool,
    pub tty: bool,
    pub attach: bool,
}

fn container_names(pod: &Value, field: &str) -> Vec<String> {
    obj::at(pod, &["spec", field])
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|c| c["name"].as_str().map(String::from))
        .collect()
}

/// Checks the pod and picks the container, as the API server does before it
/// upgrades (a completed pod, an unknown container, several without a choice).
fn container_for(pod: &Value, asked: Option<&str>) -> Result<String, ApiError> {
    let name = obj::name(pod);
    let names = container_names(pod, "containers");
    let inits = container_names(pod, "initContainers");
    let phase = obj::str_at(pod, &["status", "phase"]).unwrap_or("");
    if matches!(phase, "Succeeded" | "Failed") {
        return Err(ApiError::bad_request(format!(
            "cannot exec into a container in a completed pod; current phase is {phase}"
        )));
    }
    let container = match asked.filter(|c| !c.is_empty()) {
        Some(c) if names.iter().chain(&inits).any(|n| n == c) => c.to_string(),
        Some(c) => {
            return Err(ApiError::bad_request(format!(
                "container {c} is not valid for pod {name}"
            )));
        }
        None if names.len() == 1 => names[0].clone(),
        None => {
            return Err(ApiError::bad_request(format!(
                "a container name must be specified for pod {name}, choose one of: [{}]{}",
                names.join(" "),
                if inits.is_empty() {
                    String::new()
                } else {
                    format!(" or one of the init containers: [{}]", inits.join(" "))
                }
            )));
        }
    };
    let running = ["containerStatuses", "initContainerStatuses"]
        .iter()
        .filter_map(|f| obj::at(pod, &["status", f]).as_array())
        .flatten()
        .find(|s| s["name"] == container.as_str())
        .is_some_and(|s| s["state"].get("running").is_some());
    if !running {
        return Err(ApiError::bad_request(format!(
            "unable to upgrade connection: container not found (\"{container}\")"
        )));
    }
    Ok(container)
}

/// The ports of a port-forward (`ports=9090,8080` or repeated).
fn ports(r: &Req) -> Result<Vec<u16>, ApiError> {
    let mut out = Vec::new();
    for (k, v) in r.query.pairs() {
        if k != "ports" {
            continue;
        }
        for p in v.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            match p.parse::<u16>() {
                Ok(n) if n > 0 => out.push(n),
                _ => {
                    return Err(ApiError::bad_request(format!(
                        "invalid port \"{p}\": must be between 1 and 65535"
                    )));
                }
            }
        }
    }
    Ok(out)
}

pub fn handle(shared: &Arc<Shared>, r: &Req, t: &Target) -> Response<Body> {
    match prepare(shared, r, t) {
        Ok(resp) => resp,
        Err(e) => error_response(&e),
    }
}

fn prepare(shared: &Arc<Shared>, r: &Req, t: &Target) -> Result<Response<Body>, ApiError> {
    let sub = t.sub.clone().unwrap_or_default();
    let namespace = t.namespace.clone().unwrap_or_default();
    let name = t.name.clone().unwrap_or_default();
    let pod = shared
        .lock()
        .store
        .get(Kind::Pod, &namespace, &name)
        .ok_or_else(|| ApiError::not_found(t.surface, &name))?;
    // The pod and container are checked first: a client that falls back to SPDY
    // after a refused WebSocket upgrade then reads the same reason.
    if sub == "portforward" {
        if obj::str_at(&pod, &["status", "phase"]) != Some("Running") {
            return Err(ApiError::bad_request(format!(
                "unable to upgrade connection: pod {name} is not running"
            )));
        }
    } else {
        container_for(&pod, r.query.get("container"))?;
    }
    let wants_ws = r
        .headers
        .get(http::header::UPGRADE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.eq_ignore_ascii_case("websocket"));
    if !wants_ws {
        // SPDY (kubectl before 1.31 or with WebSockets turned off) is not served.
        return Err(ApiError::bad_request(
            "Upgrade request required: this simulated API server serves exec, attach and \
             port-forward over WebSockets only (kubectl 1.31 or newer)",
        ));
    }
    let offered = offered(r);
    let Some((proto, chosen)) = negotiate(&sub, &offered) else {
        return Err(ApiError::bad_request(format!(
            "unable to upgrade: no supported subprotocol among {offered:?}"
        )));
    };
    let key = r
        .headers
        .get(http::header::SEC_WEBSOCKET_KEY)
        .map(|k| k.as_bytes().to_vec())
        .ok_or_else(|| ApiError::bad_request("missing Sec-WebSocket-Key"))?;
    let upgrade = r
        .upgrade
        .lock()
        .ok()
        .and_then(|mut u| u.take())
        .ok_or_else(|| ApiError::bad_request("Upgrade request required"))?;
    let job: Job = if sub == "portforward" {
        let ports = ports(r)?;
        match proto {
            Proto::ForwardSpdy => Job::Spdy {
                namespace,
                pod: name,
            },
            _ if ports.is_empty() => {
                return Err(ApiError::bad_request("at least one port must be specified"));
            }
            _ => Job::Channels {
                namespace,
                pod: name,
                ports,
            },
        }
    } else {
        let Proto::Exec(ch) = proto else {
            return Err(ApiError::bad_request("unsupported subprotocol"));
        };
        let container = container_for(&pod, r.query.get("container"))?;
        let command: Vec<String> = r
            .query
            .pairs()
            .filter(|(k, _)| *k == "command")
            .map(|(_, v)| v.to_string())
            .collect();
        if sub == "exec" && command.is_empty() {
            return Err(ApiError::bad_request("you must specify at least 1 command"));
        }
        Job::Exec(
            ch,
            ExecRequest {
                namespace,
                pod: name,
                container,
                command,
                stdin: r.query.flag("stdin"),
                tty: r.query.flag("tty"),
                attach: sub == "attach",
            },
        )
    };
    let accept = tokio_tungstenite::tungstenite::handshake::derive_accept_key(&key);
    let shared = shared.clone();
    tokio::spawn(async move {
        let cancel = shared.cancel.clone();
        let upgraded = tokio::select! {
            u = upgrade => u,
            _ = cancel.cancelled() => return,
        };
        let Ok(upgraded) = upgraded else { return };
        // Messages are bounded (a client's chunks are small; nothing legitimate is
        // near 1 MiB).
        let mut config = tokio_tungstenite::tungstenite::protocol::WebSocketConfig::default();
        config.max_message_size = Some(1 << 20);
        config.max_frame_size = Some(1 << 20);
        let ws =
            WebSocketStream::from_raw_socket(TokioIo::new(upgraded), Role::Server, Some(config))
                .await;
        let run = async {
            match job {
                Job::Exec(ch, req) => super::exec::run(ws, ch, shared.clone(), req).await,
                Job::Channels {
                    namespace,
                    pod,
                    ports,
                } => {
                    super::portforward::channels(ws, shared.clone(), &namespace, &pod, &ports).await
                }
                Job::Spdy { namespace, pod } => {
                    super::portforward::spdy(ws, shared.clone(), &namespace, &pod).await
                }
            }
        };
        tokio::select! {
            _ = run => {}
            _ = cancel.cancelled() => {}
        }
    });
    let mut resp = Response::new(super::empty_body());
    *resp.status_mut() = StatusCode::SWITCHING_PROTOCOLS;
    let h = resp.headers_mut();
    h.insert(
        http::header::UPGRADE,
        http::HeaderValue::from_static("websocket"),
    );
    h.insert(
        http::header::CONNECTION,
        http::HeaderValue::from_static("Upgrade"),
    );
    if let Ok(v) = http::HeaderValue::from_str(&accept) {
        h.insert(http::header::SEC_WEBSOCKET_ACCEPT, v);
    }
    if let Ok(v) = http::HeaderValue::from_str(&chosen) {
        h.insert(http::header::SEC_WEBSOCKET_PROTOCOL, v);
    }
    Ok(resp)
}

enum Job {
    Exec(Channels, ExecRequest),
    Channels {
        namespace: String,
        pod: String,
        ports: Vec<u16>,
    },
    Spdy {
        namespace: String,
        pod: String,
    },
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_first_offered_protocol_spoken_wins() {
        let o = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert_eq!(
            negotiate("exec", &o(&["v5.channel.k8s.io", "v4.channel.k8s.io"])).map(|p| p.0),
            Some(Proto::Exec(Channels::V5))
        );
        assert_eq!(
            negotiate("exec", &o(&["v3.channel.k8s.io", "v4.channel.k8s.io"])).map(|p| p.0),
            Some(Proto::Exec(Channels::V4))
        );
        assert_eq!(
            negotiate("portforward", &o(&[FORWARD_SPDY])).map(|p| p.0),
            Some(Proto::ForwardSpdy)
        );
        assert_eq!(
            negotiate("portforward", &o(&["v4.channel.k8s.io"])).map(|p| p.0),
            Some(Proto::ForwardChannels)
        );
        assert_eq!(negotiate("exec", &o(&[FORWARD_SPDY])), None);
        assert_eq!(negotiate("exec", &o(&["channel.k8s.io"])), None);
    }

    #[test]
    fn containers_are_checked_before_the_upgrade() {
        let pod = serde_json::json!({
            "metadata": {"name": "api-1"},
            "spec": {"containers": [{"name": "api"}, {"name": "health-sidecar"}]},
            "status": {"phase": "Running", "containerStatuses": [
                {"name": "api", "state": {"running": {}}},
                {"name": "health-sidecar", "state": {"waiting": {"reason": "CrashLoopBackOff"}}},
            ]},
        });
        assert_eq!(
            container_for(&pod, Some("api")).ok().as_deref(),
            Some("api")
        );
        let none = container_for(&pod, None)
            .err()
            .map(|e| e.message)
            .unwrap_or_default();
        assert!(
            none.contains("choose one of: [api health-sidecar]"),
            "{none}"
        );
        let bad = container_for(&pod, Some("db"))
            .err()
            .map(|e| e.message)
            .unwrap_or_default();
        assert!(bad.contains("container db is not valid"), "{bad}");
        let down = container_for(&pod, Some("health-sidecar"))
            .err()
            .map(|e| e.message)
            .unwrap_or_default();
        assert!(down.contains("container not found"), "{down}");
    }
}
