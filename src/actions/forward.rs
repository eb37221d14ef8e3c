//! Port-forward from a pod's or a Service's port to a local port: guarded like the
//! other actions (`create pods/portforward` checked, disabled in read-only,
//! confirmed, the intent recorded before the listener opens). The local address is
//! loopback unless the configuration allows another; the forward's start and its
//! stop are both audited (the stop by the forwards view).

use std::net::SocketAddr;

use serde_json::json;

use super::{Plan, Request, Risk};
use crate::cluster::msg::CtxId;
use crate::cluster::store::ClusterData;

/// Parses what the person typed for the local end: `19090`, `:19090`,
/// `127.0.0.1:19090` (a bare port binds `default_host`).
pub fn local_addr(typed: &str, default_host: &str) -> Result<SocketAddr, String> {
    let t = typed.trim();
    let full = if let Some(p) = t.strip_prefix(':') {
        format!("{default_host}:{p}")
    } else if t.chars().all(|c| c.is_ascii_digit()) && !t.is_empty() {
        format!("{default_host}:{t}")
    } else {
        t.to_string()
    };
    full.parse::<SocketAddr>()
        .map_err(|_| format!("{t:?} is not a local port or address:port"))
}

fn key(namespace: &str, name: &str) -> (std::sync::Arc<str>, std::sync::Arc<str>) {
    (std::sync::Arc::from(namespace), std::sync::Arc::from(name))
}

/// Plans a forward of `port` of `via` (`pod/NAME` or `svc/NAME`) to `local`.
pub fn plan(
    d: &ClusterData,
    ctx: CtxId,
    namespace: &str,
    via: &str,
    port: u16,
    local: SocketAddr,
    allow_non_loopback: bool,
) -> Result<Plan, String> {
    let exists = match via.split_once('/') {
        Some(("pod", name)) => d.kinds.pods.contains_key(&key(namespace, name)),
        Some(("svc", name)) => d.kinds.services.contains_key(&key(namespace, name)),
        _ => false,
    };
    if !exists {
        return Err(format!("{via} is gone"));
    }
    let mut p = Plan::new("port-forward", ctx, namespace, via.to_string());
    p.risk = Risk::Low;
    p.before = "not forwarded".into();
    p.after = format!("{local} → {via}:{port}");
    p.blast = if local.ip().is_loopback() {
        "reachable from this machine only".into()
    } else {
        format!("reachable by anyone who can reach {}", local.ip())
    };
    p.params = json!({"local": local.to_string(), "port": port});
    if via.starts_with("svc/") {
        p.warnings.push(
            "goes to one ready pod behind the Service, and moves to another if that one goes away"
                .into(),
        );
    }
    if !local.ip().is_loopback() && !allow_non_loopback {
        p.refused = Some(format!(
            "{} is not a loopback address: set [forward] allow_non_loopback = true in config.toml to allow it",
            local.ip()
        ));
    }
    p.request = Some(Request::PortForward {
        namespace: namespace.to_string(),
        via: via.to_string(),
        port,
        local: local.to_string(),
    });
    Ok(p)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn local_ends_default_to_loopback() {
        assert_eq!(
            local_addr("19090", "127.0.0.1").map(|a| a.to_string()),
            Ok("127.0.0.1:19090".into())
        );
        assert_eq!(
            local_addr(":8080", "127.0.0.1").map(|a| a.to_string()),
            Ok("127.0.0.1:8080".into())
        );
        assert_eq!(
            local_addr("0.0.0.0:9000", "127.0.0.1").map(|a| a.to_string()),
            Ok("0.0.0.0:9000".into())
        );
        assert!(local_addr("nine", "127.0.0.1").is_err());
        assert!(local_addr("70000", "127.0.0.1").is_err());
        assert!(local_addr("", "127.0.0.1").is_err());
    }
}
