//! The liveness probe of a context (one per context, the only thing sent while its
//! server is down): `GET /version` every few seconds with a short timeout while it
//! answers, so a hung API server shows as stale instead of a silent "live", and the
//! server's clock (from `Date`) so ages are computed on it. While it does not answer:
//! a TCP connect each second while connections are refused (nothing reaches the
//! server), and `GET /version` with a backoff capped at 5 s once a connection is
//! taken — at most 12 requests a minute — at once when the port opens again.

use std::time::{Duration, Instant};

use tokio::sync::mpsc::Sender;
use tokio_util::sync::CancellationToken;

use super::link::{Backoff, Link, TCP_EVERY, retry_after};
use super::msg::{CtxId, Msg};

pub const PING_EVERY: Duration = Duration::from_secs(5);
pub const PING_TIMEOUT: Duration = Duration::from_secs(4);

/// Where a TCP connect tells whether the server's port is open: the server's own
/// host and port, unless a proxy stands between (then only HTTP tells).
pub fn tcp_target(cfg: &kube::Config) -> Option<(String, u16)> {
    if cfg.proxy_url.is_some() {
        return None;
    }
    let uri = &cfg.cluster_url;
    let host = uri.host()?.trim_start_matches('[').trim_end_matches(']');
    let port = uri.port_u16().unwrap_or(match uri.scheme_str() {
        Some("http") => 80,
        _ => 443,
    });
    Some((host.to_string(), port))
}

async fn port_open(addr: &(String, u16)) -> Result<(), String> {
    match tokio::time::timeout(
        Duration::from_secs(1),
        tokio::net::TcpStream::connect((addr.0.as_str(), addr.1)),
    )
    .await
    {
        Ok(Ok(_)) => Ok(()),
        Ok(Err(e)) => Err(e.to_string()),
        Err(_) => Err("no TCP answer within 1 s".into()),
    }
}

/// Probes `link`'s server until `cancel`, telling the link and the app.
pub async fn run<E: From<Msg> + Send + 'static>(
    link: Link,
    tcp: Option<(String, u16)>,
    ctx: CtxId,
    tx: Sender<E>,
    cancel: CancellationToken,
) {
    let Some(client) = link.client() else {
        return;
    };
    tracing::debug!(ctx, "asking the server");
    let mut backoff = Backoff::default();
    let mut http_due = Instant::now();
    let mut port_was_open = true;
    let mut first = true;
    let say = |ok: Result<(), String>, skew: Option<i64>| {
        let tx = tx.clone();
        async move {
            tx.send(Msg::Reachable { ctx, ok, skew }.into())
                .await
                .is_ok()
        }
    };
    loop {
        let up = link.is_up();
        let wait = if first {
            Duration::ZERO
        } else if up {
            PING_EVERY
        } else {
            let until_http = http_due.saturating_duration_since(Instant::now());
            if tcp.is_some() {
                TCP_EVERY.min(until_http.max(Duration::from_millis(50)))
            } else {
                until_http
            }
        };
        first = false;
        tokio::select! {
            _ = cancel.cancelled() => return,
            _ = tokio::time::sleep(wait) => {}
            // A failure elsewhere: look now (while up; while down the schedule holds).
            _ = link.nudged(Duration::from_secs(3600)), if up => {}
        }
        if !link.is_up()
            && let Some(addr) = &tcp
        {
            match port_open(addr).await {
                Err(e) => {
                    if port_was_open {
                        port_was_open = false;
                        link.unanswered();
                        if !say(Err(crate::util::sanitize::line(&e, 200)), None).await {
                            return;
                        }
                    }
                    continue;
                }
                Ok(()) => {
                    if !port_was_open {
                        // The port opened again: ask at once, whatever the backoff.
                        port_was_open = true;
                        http_due = Instant::now();
                    }
                    if Instant::now() < http_due {
                        continue;
                    }
                }
            }
        }
        let (ok, server_time) = match tokio::time::timeout(PING_TIMEOUT, version(&client)).await {
            Ok(Ok(t)) => (Ok(()), t),
            Ok(Err((e, after))) => {
                http_due = Instant::now() + backoff.failed(after);
                (Err(crate::util::sanitize::line(&e, 200)), None)
            }
            Err(_) => {
                http_due = Instant::now() + backoff.failed(None);
                (
                    Err(format!("no answer within {}s", PING_TIMEOUT.as_secs())),
                    None,
                )
            }
        };
        match &ok {
            Ok(()) => {
                backoff.reset();
                port_was_open = true;
                if !link.is_up() {
                    tracing::debug!(ctx, "the server answers");
                }
                link.answered();
            }
            Err(_) => link.unanswered(),
        }
        let skew = server_time.map(|t| t - jiff::Timestamp::now().as_second());
        if !say(ok, skew).await {
            return;
        }
    }
}

/// Parses an HTTP `Date` header (`Sun, 22 Nov 2026 08:01:03 GMT`) to Unix seconds.
pub fn http_date(v: &str) -> Option<i64> {
    jiff::fmt::rfc2822::parse(v)
        .ok()
        .map(|z| z.timestamp().as_second())
}

/// `GET path` on the API server, the answer unread (errors in a few words).
pub async fn get(
    client: &kube::Client,
    path: &str,
) -> Result<http::Response<kube::client::Body>, String> {
    let req = http::Request::get(path)
        .body(kube::client::Body::empty())
        .map_err(|e| e.to_string())?;
    client
        .send(req)
        .await
        .map_err(|e| super::watch::short_error(&e))
}

/// `GET /version`: whether the server answers, and its clock (from `Date`); a
/// refusal says when to ask again if the server said (`Retry-After`).
async fn version(client: &kube::Client) -> Result<Option<i64>, (String, Option<Duration>)> {
    let resp = get(client, "/version").await.map_err(|e| (e, None))?;
    if !resp.status().is_success() {
        let after = resp
            .headers()
            .get(http::header::RETRY_AFTER)
            .and_then(|v| v.to_str().ok())
            .and_then(retry_after);
        return Err((format!("/version answered {}", resp.status()), after));
    }
    Ok(resp
        .headers()
        .get(http::header::DATE)
        .and_then(|d| d.to_str().ok())
        .and_then(http_date))
}

#[cfg(test)]
mod tests {
    #[test]
    fn http_dates() {
        assert_eq!(
            super::http_date("Sun, 22 Nov 2026 08:01:03 GMT"),
            Some(1795334463)
        );
        assert_eq!(super::http_date("yesterday"), None);
    }
}
