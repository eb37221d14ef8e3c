//! Making one probe request safely: through the API server's pod or service proxy
//! (kube-rs client, so the kubeconfig's auth applies) or to a direct URL (reqwest,
//! rustls). A total deadline covers connect, headers and body (a server that drips
//! one byte a second is cut at the deadline); bodies are capped at 64 KiB and marked
//! when cut; redirects are never followed through the proxy and at most a few times
//! for direct URLs; header values come from the environment at request time.

use std::time::{Duration, Instant};

use http_body_util::BodyExt;

use super::ErrorClass;
use super::classify;
use super::evaluate::Raw;
use super::targets::{ProbeTarget, Via};

/// Largest body read.
pub const BODY_CAP: usize = 64 * 1024;
/// Redirects followed for direct URLs.
pub const MAX_REDIRECTS: usize = 3;

pub type Answer = Result<Raw, (ErrorClass, String)>;

/// Clients probes are made with.
#[derive(Clone)]
pub struct Clients {
    /// Each context's link (its client, and whether its API server answers).
    pub kube: crate::cluster::link::Links,
    pub direct: reqwest::Client,
}

/// The HTTP client for direct URLs: rustls, a redirect limit, no cookies, no proxy
/// surprises from the environment beyond the standard variables.
pub fn direct_client() -> Result<reqwest::Client, String> {
    // reqwest is built without a default crypto provider (one TLS stack: ring);
    // installing it twice is harmless.
    let _ = rustls::crypto::ring::default_provider().install_default();
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::limited(MAX_REDIRECTS))
        .connect_timeout(Duration::from_secs(5))
        .user_agent(concat!(
            "kdeck/",
            env!("CARGO_PKG_VERSION"),
            " (health probe)"
        ))
        .build()
        .map_err(|e| format!("cannot build the HTTP client: {e}"))
}

/// Percent-encodes what must not appear raw in a path (a path from a pod template is
/// cluster input: it may hold spaces, `?`, control characters).
fn clean_path(p: &str) -> String {
    const SET: &percent_encoding::AsciiSet = &percent_encoding::CONTROLS
        .add(b' ')
        .add(b'"')
        .add(b'#')
        .add(b'<')
        .add(b'>')
        .add(b'`')
        .add(b'{')
        .add(b'}')
        .add(b'%');
    let p = if p.starts_with('/') {
        p.to_string()
    } else {
        format!("/{p}")
    };
    let (path, query) = match p.split_once('?') {
        Some((a, b)) => (a, Some(b)),
        None => (p.as_str(), None),
    };
    let mut out = percent_encoding::utf8_percent_encode(path, SET).to_string();
    if let Some(q) = query {
        out.push('?');
        out.push_str(&percent_encoding::utf8_percent_encode(q, SET).to_string());
    }
    out
}

fn seg(s: &str) -> String {
    const SEG: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC
        .remove(b'-')
        .remove(b'.')
        .remove(b'_');
    percent_encoding::utf8_percent_encode(s, SEG).to_string()
}

/// The proxy path for a target (`/api/v1/namespaces/ns/pods/pod:3005/proxy/health`).
pub fn proxy_path(via: &Via, path: &str) -> Option<String> {
    match via {
        Via::PodProxy {
            namespace,
            pod,
            port,
            https,
            ..
        } => Some(format!(
            "/api/v1/namespaces/{}/pods/{}{}:{port}/proxy{}",
            seg(namespace),
            if *https { "https:" } else { "" },
            seg(pod),
            clean_path(path)
        )),
        Via::ServiceProxy {
            namespace,
            service,
            port,
            ..
        } => Some(format!(
            "/api/v1/namespaces/{}/services/{}:{port}/proxy{}",
            seg(namespace),
            seg(service),
            clean_path(path)
        )),
        Via::Direct { .. } => None,
    }
}

fn headers(t: &ProbeTarget) -> Vec<(http::HeaderName, http::HeaderValue)> {
    t.req
        .headers
        .iter()
        .filter_map(|(name, from)| {
            let v = std::env::var(&from.env).ok()?;
            let name = http::HeaderName::from_bytes(name.as_bytes()).ok()?;
            let mut value = http::HeaderValue::from_str(&format!("{}{v}", from.prefix)).ok()?;
            value.set_sensitive(true);
            Some((name, value))
        })
        .collect()
}

/// Reads a body up to `cap` bytes: the bytes and whether it was cut.
async fn read_capped<S, E>(mut chunks: S, cap: usize) -> Result<(Vec<u8>, bool), String>
where
    S: futures::Stream<Item = Result<bytes::Bytes, E>> + Unpin,
    E: std::error::Error + 'static,
{
    use futures::StreamExt;
    let mut out = Vec::new();
    while let Some(chunk) = chunks.next().await {
        let data = chunk.map_err(|e| crate::cluster::watch::describe_error(&e))?;
        let room = cap - out.len();
        if data.len() > room {
            out.extend_from_slice(&data[..room]);
            return Ok((out, true));
        }
        out.extend_from_slice(&data);
    }
    Ok((out, false))
}

/// The parts of an answer kept, the body read up to `cap`.
async fn answer<S, E>(
    status: http::StatusCode,
    headers: &http::HeaderMap,
    chunks: S,
    cap: usize,
) -> Answer
where
    S: futures::Stream<Item = Result<bytes::Bytes, E>> + Unpin,
    E: std::error::Error + 'static,
{
    let content_type = header(headers, http::header::CONTENT_TYPE);
    let location = header(headers, http::header::LOCATION);
    let (body, truncated) = read_capped(chunks, cap)
        .await
        .map_err(|e| (classify::from_message(&e), e))?;
    Ok(Raw {
        status: status.as_u16(),
        content_type,
        location,
        body,
        truncated,
    })
}

fn header(h: &http::HeaderMap, name: http::header::HeaderName) -> Option<String> {
    h.get(name)
        .and_then(|v| v.to_str().ok())
        .map(|s| crate::util::sanitize::line(s, 200))
}

async fn via_proxy(client: &kube::Client, t: &ProbeTarget, cap: usize) -> Answer {
    let path = proxy_path(&t.via, &t.req.path).ok_or((ErrorClass::Other, "no proxy".into()))?;
    let method = http::Method::from_bytes(t.req.method.as_bytes()).unwrap_or(http::Method::GET);
    let mut req = http::Request::builder().method(method).uri(path);
    for (k, v) in headers(t) {
        req = req.header(k, v);
    }
    let req = req
        .body(kube::client::Body::empty())
        .map_err(|e| (ErrorClass::Other, format!("bad request: {e}")))?;
    // A transport failure here is the API server's (the proxy answers for the pod
    // with a status): the path is down, not the target.
    let resp = client.send(req).await.map_err(|e| {
        let msg = crate::cluster::watch::short_error(&e);
        (ErrorClass::ApiUnreachable, msg)
    })?;
    let (parts, body) = resp.into_parts();
    answer(parts.status, &parts.headers, body.into_data_stream(), cap).await
}

async fn direct(client: &reqwest::Client, url: &str, t: &ProbeTarget, cap: usize) -> Answer {
    let method =
        reqwest::Method::from_bytes(t.req.method.as_bytes()).unwrap_or(reqwest::Method::GET);
    let mut req = client.request(method, url);
    for (k, v) in headers(t) {
        req = req.header(k, v);
    }
    let resp = req.send().await.map_err(|e| {
        let msg = crate::cluster::watch::describe_error(&e);
        let class = if e.is_timeout() {
            ErrorClass::Timeout
        } else if e.is_redirect() {
            ErrorClass::Redirects
        } else {
            classify::from_message(&msg)
        };
        (class, msg)
    })?;
    let (status, headers) = (resp.status(), resp.headers().clone());
    answer(status, &headers, resp.bytes_stream(), cap).await
}

/// Makes one request within the target's deadline; returns the answer and how long
/// it took (ms).
pub async fn probe(clients: &Clients, t: &ProbeTarget) -> (Answer, u32) {
    fetch(clients, t, BODY_CAP).await
}

/// Like [`probe`] with another body cap (Alertmanager's list can be larger).
pub async fn fetch(clients: &Clients, t: &ProbeTarget, cap: usize) -> (Answer, u32) {
    let start = Instant::now();
    let work = async {
        match &t.via {
            Via::Direct { url } => direct(&clients.direct, url, t, cap).await,
            Via::PodProxy { ctx, .. } | Via::ServiceProxy { ctx, .. } => {
                match clients.kube.get(*ctx) {
                    // Nothing is sent through a server that does not answer.
                    Some(l) if !l.is_up() => Err((
                        ErrorClass::ApiUnreachable,
                        "the API server does not answer".into(),
                    )),
                    Some(l) => match l.client() {
                        Some(c) => {
                            let a = via_proxy(&c, t, cap).await;
                            if matches!(&a, Err((ErrorClass::ApiUnreachable, _))) {
                                l.nudge();
                            }
                            a
                        }
                        None => Err((ErrorClass::ApiUnreachable, "not connected yet".into())),
                    },
                    None => Err((ErrorClass::Other, "context not connected".into())),
                }
            }
        }
    };
    let answer = match tokio::time::timeout(t.req.timeout, work).await {
        Ok(a) => a,
        Err(_) => Err((
            ErrorClass::Timeout,
            format!(
                "no complete answer within {:.1}s",
                t.req.timeout.as_secs_f64()
            ),
        )),
    };
    let ms = start.elapsed().as_millis().min(u32::MAX as u128) as u32;
    (answer, ms)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;

    #[test]
    fn proxy_paths_encode_cluster_input() {
        let via = Via::PodProxy {
            ctx: 0,
            namespace: Arc::from("flextime-production"),
            pod: Arc::from("flextime-api-7d9-abcde"),
            port: 3005,
            https: false,
        };
        assert_eq!(
            proxy_path(&via, "/health").unwrap(),
            "/api/v1/namespaces/flextime-production/pods/flextime-api-7d9-abcde:3005/proxy/health"
        );
        assert_eq!(
            proxy_path(&via, "health check\u{1b}[2J?x=a b").unwrap(),
            "/api/v1/namespaces/flextime-production/pods/flextime-api-7d9-abcde:3005/proxy/health%20check%1B[2J?x=a%20b"
        );
        let svc = Via::ServiceProxy {
            ctx: 0,
            namespace: Arc::from("m"),
            service: Arc::from("alertmanager"),
            port: 9093,
        };
        assert_eq!(
            proxy_path(&svc, "/api/v2/alerts").unwrap(),
            "/api/v1/namespaces/m/services/alertmanager:9093/proxy/api/v2/alerts"
        );
    }
}
