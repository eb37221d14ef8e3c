//! The liveness ping of a context: `/version` every few seconds with a short timeout,
//! so a hung API server shows as stale instead of a silent "live", and the server's
//! clock (from `Date`) so ages are computed on it.

use std::time::Duration;

use tokio::sync::mpsc::Sender;
use tokio_util::sync::CancellationToken;

use super::msg::{CtxId, Msg};

pub const PING_EVERY: Duration = Duration::from_secs(5);
pub const PING_TIMEOUT: Duration = Duration::from_secs(4);

pub async fn ping<E: From<Msg> + Send + 'static>(
    client: kube::Client,
    ctx: CtxId,
    tx: Sender<E>,
    cancel: CancellationToken,
) {
    let mut tick = tokio::time::interval(PING_EVERY);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            _ = cancel.cancelled() => return,
            _ = tick.tick() => {}
        }
        let (ok, server_time) = match tokio::time::timeout(PING_TIMEOUT, version(&client)).await {
            Ok(Ok(t)) => (Ok(()), t),
            Ok(Err(e)) => (Err(crate::util::sanitize::line(&e, 200)), None),
            Err(_) => (
                Err(format!("no answer within {}s", PING_TIMEOUT.as_secs())),
                None,
            ),
        };
        let skew = server_time.map(|t| t - jiff::Timestamp::now().as_second());
        if tx
            .send(Msg::Reachable { ctx, ok, skew }.into())
            .await
            .is_err()
        {
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

/// `GET /version`: whether the server answers, and its clock (from `Date`).
async fn version(client: &kube::Client) -> Result<Option<i64>, String> {
    let resp = get(client, "/version").await?;
    if !resp.status().is_success() {
        return Err(format!("/version answered {}", resp.status()));
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
