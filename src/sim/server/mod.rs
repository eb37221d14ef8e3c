//! The simulated API server's HTTP side: accepts connections (closing them all on
//! shutdown), authenticates bearer tokens, reads bounded bodies, routes Kubernetes
//! paths, enforces access rules, and writes JSON, Table and Status responses.

mod crud;
mod exec;
mod forward;
mod metrics;
mod portforward;
mod proxy;
mod route;
mod spdy;
mod stream;
mod watch;

use std::convert::Infallible;
use std::sync::Arc;
use std::sync::atomic::Ordering;

use bytes::Bytes;
use http::{HeaderMap, Method, Request, Response, StatusCode};
use http_body_util::combinators::BoxBody;
use http_body_util::{BodyExt, Full, Limited, StreamBody};
use hyper::body::{Frame, Incoming};
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use serde_json::{Value, json};

use super::access::Attributes;
use super::discovery;
use super::status::ApiError;
use super::{RequestClass, Shared, WriteRecord};
use route::Route;

pub type Body = BoxBody<Bytes, Infallible>;

/// Accepts connections until cancelled; every connection is dropped on cancel.
pub async fn serve(listener: tokio::net::TcpListener, shared: Arc<Shared>) {
    let configs = shared
        .tls
        .as_ref()
        .map(|id| (id.server_config(false), id.server_config(true)));
    loop {
        let accepted = tokio::select! {
            _ = shared.cancel.cancelled() => break,
            a = listener.accept() => a,
        };
        let Ok((stream, _)) = accepted else { continue };
        let _ = stream.set_nodelay(true);
        let shared = shared.clone();
        let tls = match &configs {
            None => None,
            Some((good, expired)) => {
                let cfg = if shared.faults.expired_cert.load(Ordering::SeqCst) {
                    expired
                } else {
                    good
                };
                match cfg {
                    Ok(c) => Some(tokio_rustls::TlsAcceptor::from(c.clone())),
                    Err(e) => {
                        tracing::warn!("sim: no TLS configuration: {e}");
                        continue;
                    }
                }
            }
        };
        tokio::spawn(async move {
            let cancel = shared.cancel.clone();
            match tls {
                None => serve_one(shared, TokioIo::new(stream), None, cancel).await,
                Some(acceptor) => {
                    let accepted = tokio::select! {
                        a = acceptor.accept(stream) => a,
                        _ = cancel.cancelled() => return,
                        _ = tokio::time::sleep(std::time::Duration::from_secs(10)) => return,
                    };
                    let Ok(tls) = accepted else { return };
                    let peer: Option<Arc<str>> = {
                        let (_, conn) = tls.get_ref();
                        let id = shared.tls.as_ref();
                        conn.peer_certificates()
                            .and_then(|c| c.first())
                            .filter(|c| id.is_some_and(|id| id.is_client(c)))
                            .map(|_| Arc::from(super::DEFAULT_USER))
                    };
                    serve_one(shared, TokioIo::new(tls), peer, cancel).await;
                }
            }
        });
    }
}

async fn serve_one<I>(
    shared: Arc<Shared>,
    io: TokioIo<I>,
    peer: Option<Arc<str>>,
    cancel: tokio_util::sync::CancellationToken,
) where
    I: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin + Send + 'static,
{
    let svc = service_fn(move |req| {
        let shared = shared.clone();
        let peer = peer.clone();
        async move { Ok::<_, Infallible>(handle(shared, req, peer).await) }
    });
    let conn = hyper::server::conn::http1::Builder::new()
        .keep_alive(true)
        .serve_connection(io, svc)
        .with_upgrades();
    tokio::select! {
        _ = conn => {}
        _ = cancel.cancelled() => {}
    }
}

/// Parsed query parameters (empty names and values tolerated).
#[derive(Default, Debug)]
pub struct Query(Vec<(String, String)>);

impl Query {
    fn parse(q: &str) -> Query {
        Query(
            form_urlencoded::parse(q.as_bytes())
                .filter(|(k, _)| !k.is_empty())
                .map(|(k, v)| (k.into_owned(), v.into_owned()))
                .collect(),
        )
    }

    pub fn get(&self, k: &str) -> Option<&str> {
        self.0.iter().find(|(n, _)| n == k).map(|(_, v)| v.as_str())
    }

    pub fn flag(&self, k: &str) -> bool {
        matches!(self.get(k), Some("true") | Some("1"))
    }

    /// Every (name, value), in order (repeated names kept).
    pub fn pairs(&self) -> impl Iterator<Item = (&str, &str)> {
        self.0.iter().map(|(k, v)| (k.as_str(), v.as_str()))
    }

    pub fn dry_run(&self) -> bool {
        self.0.iter().any(|(k, v)| k == "dryRun" && v == "All")
    }
}

/// Everything a handler needs about the request.
pub struct Req {
    pub method: Method,
    pub path: String,
    pub query: Query,
    pub raw_query: String,
    pub headers: HeaderMap,
    pub body: Bytes,
    pub user: String,
    /// The connection, once answered with 101 (exec, attach, portforward).
    pub upgrade: std::sync::Mutex<Option<hyper::upgrade::OnUpgrade>>,
}

impl Req {
    pub fn accept(&self) -> &str {
        self.headers
            .get(http::header::ACCEPT)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
    }

    pub fn content_type(&self) -> &str {
        self.headers
            .get(http::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
    }

    pub fn wants_table(&self) -> bool {
        self.accept().contains("as=Table")
    }
}

pub fn json_response(code: u16, v: &Value) -> Response<Body> {
    bytes_response(
        code,
        "application/json",
        serde_json::to_vec(v).unwrap_or_default(),
    )
}

pub fn table_response(v: &Value) -> Response<Body> {
    bytes_response(
        200,
        "application/json;as=Table;v=v1;g=meta.k8s.io",
        serde_json::to_vec(v).unwrap_or_default(),
    )
}

pub fn bytes_response(code: u16, ct: &str, body: Vec<u8>) -> Response<Body> {
    let mut r = Response::new(Full::new(Bytes::from(body)).boxed());
    *r.status_mut() = StatusCode::from_u16(code).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    if let Ok(v) = http::HeaderValue::from_str(ct) {
        r.headers_mut().insert(http::header::CONTENT_TYPE, v);
    }
    r
}

pub fn empty_body() -> Body {
    Full::new(Bytes::new()).boxed()
}

pub fn error_response(e: &ApiError) -> Response<Body> {
    json_response(e.code, &e.to_status())
}

/// A streaming response fed from a channel of chunks.
pub fn stream_response(ct: &str, rx: tokio::sync::mpsc::Receiver<Bytes>) -> Response<Body> {
    let stream = futures::stream::unfold(rx, |mut rx| async move {
        rx.recv()
            .await
            .map(|b| (Ok::<_, Infallible>(Frame::data(b)), rx))
    });
    let mut r = Response::new(StreamBody::new(stream).boxed());
    if let Ok(v) = http::HeaderValue::from_str(ct) {
        r.headers_mut().insert(http::header::CONTENT_TYPE, v);
    }
    r.headers_mut().insert(
        http::header::CACHE_CONTROL,
        http::HeaderValue::from_static("no-cache, private"),
    );
    r
}

/// The user a request acts as. client-go never sends bearer tokens over plain HTTP,
/// so a request without credentials acts as the kubeconfig's user (as the API
/// server's old insecure port did); a token that is not known is refused.
fn authenticate(
    shared: &Shared,
    headers: &HeaderMap,
    peer: Option<&str>,
    public: bool,
) -> Result<String, ApiError> {
    let Some(auth) = headers.get(http::header::AUTHORIZATION) else {
        // A client certificate the cluster's CA issued names its user. Over HTTPS a
        // request with no credentials at all is refused, as by a real API server
        // without anonymous access (over plain HTTP clients send none: the old
        // insecure port's behaviour).
        return match (peer, shared.tls.is_some(), public) {
            (Some(u), _, _) => Ok(u.into()),
            (None, true, false) => Err(ApiError::new(401, "Unauthorized", "Unauthorized")),
            (None, _, _) => Ok(super::DEFAULT_USER.into()),
        };
    };
    let token = auth
        .to_str()
        .ok()
        .and_then(|s| s.strip_prefix("Bearer "))
        .map(str::trim)
        .unwrap_or("");
    shared
        .cfg
        .tokens
        .get(token)
        .cloned()
        .ok_or_else(|| ApiError::new(401, "Unauthorized", "Unauthorized"))
}

fn verb_for(method: &Method, route: &Route, query: &Query) -> &'static str {
    // A stream is a create, whichever method opened it (as the API server checks
    // WebSocket upgrades since 1.31).
    if let Route::Resource { sub: Some(sub), .. } = route
        && stream::is_stream(sub)
    {
        return "create";
    }
    match (method.as_str(), route) {
        ("GET" | "HEAD", Route::Resource { name: None, .. }) if query.flag("watch") => "watch",
        ("GET" | "HEAD", Route::Resource { name: None, .. }) => "list",
        ("GET" | "HEAD", _) => "get",
        ("POST", _) => "create",
        ("PUT", _) => "update",
        ("PATCH", _) => "patch",
        ("DELETE", Route::Resource { name: None, .. }) => "deletecollection",
        ("DELETE", _) => "delete",
        _ => "get",
    }
}

async fn handle(
    shared: Arc<Shared>,
    mut req: Request<Incoming>,
    peer: Option<Arc<str>>,
) -> Response<Body> {
    shared.stats.requests.fetch_add(1, Ordering::Relaxed);
    let arrived = super::clock::fmt_micro(jiff::Timestamp::now());
    let control = req.uri().path().starts_with("/kdeck-sim/");
    if !control {
        shared
            .stats
            .record_request(format!("{} {}", req.method(), req.uri().path()));
        if let Some(d) = shared.faults.latency() {
            tokio::time::sleep(d).await;
        }
        if shared.faults.hanging() {
            // Accepted, never answered (until the fault is cleared or shutdown).
            while shared.faults.hang.load(Ordering::SeqCst) && !shared.cancel.is_cancelled() {
                tokio::time::sleep(std::time::Duration::from_millis(50)).await;
            }
        }
        if let Some((status, retry)) = shared.faults.take_status() {
            let reason = match status {
                429 => "TooManyRequests",
                503 => "ServiceUnavailable",
                _ => "InternalError",
            };
            let mut resp = error_response(&ApiError::new(status, reason, "injected fault"));
            if retry > 0
                && let Ok(v) = http::HeaderValue::from_str(&retry.to_string())
            {
                resp.headers_mut().insert(http::header::RETRY_AFTER, v);
            }
            return resp;
        }
    }
    let upgrade = req
        .headers()
        .contains_key(http::header::UPGRADE)
        .then(|| hyper::upgrade::on(&mut req));
    let (parts, body) = req.into_parts();
    // What a real server shows anyone (system:public-info-viewer).
    let public = matches!(
        parts.uri.path(),
        "/version" | "/healthz" | "/livez" | "/readyz"
    ) || parts.uri.path().starts_with("/kdeck-sim/");
    // Every credential rejected (the control endpoint stays reachable, so the fault
    // can be cleared).
    if !control && shared.faults.unauthorized() {
        return error_response(&ApiError::new(401, "Unauthorized", "Unauthorized"));
    }
    let user = match authenticate(&shared, &parts.headers, peer.as_deref(), public) {
        Ok(u) => u,
        Err(e) => return error_response(&e),
    };
    let limit = shared.cfg.max_body;
    let body = match Limited::new(body, limit).collect().await {
        Ok(b) => b.to_bytes(),
        Err(e) => {
            let err = if e
                .downcast_ref::<http_body_util::LengthLimitError>()
                .is_some()
            {
                ApiError::too_large(limit)
            } else {
                ApiError::bad_request(format!("error reading request body: {e}"))
            };
            // The rest of the body is never read, so this connection cannot carry
            // another request: say so, or the client reuses it and loses its next one.
            let mut resp = error_response(&err);
            resp.headers_mut().insert(
                http::header::CONNECTION,
                http::HeaderValue::from_static("close"),
            );
            return resp;
        }
    };
    let path = parts.uri.path().to_string();
    let raw_query = parts.uri.query().unwrap_or("").to_string();
    let r = Req {
        method: parts.method.clone(),
        query: Query::parse(&raw_query),
        raw_query,
        path: path.clone(),
        headers: parts.headers,
        body,
        user: user.clone(),
        upgrade: std::sync::Mutex::new(upgrade),
    };
    let route = route::parse_with(&path, &|g, v, p| {
        crate::sim::kinds::surface(g, v, p).or_else(|| shared.lock().store.apis().surface(g, v, p))
    });
    if !control {
        shared.stats.record_class(class_of(&route, &r));
    }
    let mut resp = dispatch(&shared, &r, route).await;
    // The Date header carries the simulated clock, as a real server sends its own.
    let sim_now = shared.lock().store.now();
    if let Ok(v) =
        http::HeaderValue::from_str(&sim_now.strftime("%a, %d %b %Y %H:%M:%S GMT").to_string())
    {
        resp.headers_mut().insert(http::header::DATE, v);
    }
    let mutating = !matches!(r.method, Method::GET | Method::HEAD | Method::OPTIONS);
    let is_review = path.contains("selfsubjectaccessreviews");
    if mutating && !r.query.dry_run() && !is_review && !path.starts_with("/kdeck-sim/") {
        shared.stats.record_write(WriteRecord {
            at: arrived,
            method: r.method.to_string(),
            path,
            user,
            status: resp.status().as_u16(),
        });
    }
    resp
}

/// What a request is, for the request counters.
fn class_of(route: &Route, r: &Req) -> RequestClass {
    match route {
        Route::Resource { sub, name, .. } => {
            if sub.as_deref() == Some("proxy") {
                RequestClass::Proxy
            } else if sub.as_deref().is_some_and(stream::is_stream) {
                RequestClass::Stream
            } else if r.path.contains("selfsubjectaccessreviews")
                || r.path.contains("selfsubjectrulesreviews")
            {
                RequestClass::Review
            } else if !matches!(r.method, Method::GET | Method::HEAD) {
                RequestClass::Write
            } else if r.query.flag("watch") {
                RequestClass::Watch
            } else if name.is_none() {
                RequestClass::List
            } else {
                RequestClass::Get
            }
        }
        _ => RequestClass::Discovery,
    }
}

async fn dispatch(shared: &Arc<Shared>, r: &Req, route: Route) -> Response<Body> {
    match route {
        Route::Version => json_response(200, &discovery::version()),
        Route::Health => bytes_response(200, "text/plain; charset=utf-8", b"ok".to_vec()),
        Route::Api => match discovery::aggregated_type(r.accept()) {
            Some(ct) => bytes_response(
                200,
                ct,
                serde_json::to_vec(&discovery::aggregated(true, ct, shared.lock().store.apis()))
                    .unwrap_or_default(),
            ),
            None => json_response(200, &discovery::api_versions(&shared.addr.to_string())),
        },
        Route::Apis => match discovery::aggregated_type(r.accept()) {
            Some(ct) => bytes_response(
                200,
                ct,
                serde_json::to_vec(&discovery::aggregated(
                    false,
                    ct,
                    shared.lock().store.apis(),
                ))
                .unwrap_or_default(),
            ),
            None => json_response(200, &discovery::group_list(shared.lock().store.apis())),
        },
        Route::Group(g) => match discovery::group(&g, shared.lock().store.apis()) {
            Some(v) => json_response(200, &v),
            None => error_response(&ApiError::no_route()),
        },
        Route::ResourceList(g, v) => {
            match discovery::resource_list(&g, &v, shared.lock().store.apis()) {
                Some(list) => json_response(200, &list),
                None => error_response(&ApiError::no_route()),
            }
        }
        Route::SimStats => json_response(
            200,
            &json!({
                "requests": shared.stats.requests.load(Ordering::Relaxed),
                "writes": shared.stats.writes.load(Ordering::SeqCst),
                "watchesOpen": shared.stats.watches_open.load(Ordering::Relaxed),
                "accessReviews": shared.stats.access_reviews.load(Ordering::Relaxed),
                "byClass": shared.stats.classes().into_iter().map(|(c, n)| (c.label().to_string(), json!(n))).collect::<serde_json::Map<String, Value>>(),
                "probes": if r.query.flag("probes") {
                    json!(shared.stats.probe_ages().into_iter().map(|(n, p, path, age)| json!({"namespace": n, "pod": p, "path": path, "ageSeconds": age})).collect::<Vec<_>>())
                } else {
                    json!(null)
                },
                "writeLog": shared.stats.write_log(),
            }),
        ),
        Route::SimChurn if r.method == Method::PUT => {
            let paused = r.query.get("paused") == Some("true");
            shared.lock().set_churn_paused(paused);
            json_response(200, &json!({ "churnPaused": paused }))
        }
        Route::SimChurn => error_response(&ApiError::method_not_allowed(
            "PUT /kdeck-sim/churn?paused=true|false",
        )),
        Route::SimControllers if r.method == Method::PUT => {
            let paused = r.query.get("paused") == Some("true");
            shared.lock().controllers_paused = paused;
            json_response(200, &json!({ "controllersPaused": paused }))
        }
        Route::SimControllers => error_response(&ApiError::method_not_allowed(
            "PUT /kdeck-sim/controllers?paused=true|false",
        )),
        Route::SimFaults if r.method == Method::POST && shared.cfg.control => {
            let Ok(Value::Object(m)) = serde_json::from_slice::<Value>(&r.body) else {
                return error_response(&ApiError::bad_request(
                    "expected a JSON object of fault names and values",
                ));
            };
            for (k, v) in m {
                let v = match v {
                    Value::String(s) => s,
                    other => other.to_string(),
                };
                if let Err(e) = shared.faults.apply(&k, &v) {
                    return error_response(&ApiError::bad_request(e));
                }
            }
            json_response(200, &json!({ "injected": shared.faults.injected() }))
        }
        Route::SimFaults => error_response(&ApiError::no_route()),
        Route::NotFound => error_response(&ApiError::no_route()),
        Route::Resource {
            surface,
            namespace,
            name,
            sub,
            rest,
        } => {
            let verb = verb_for(
                &r.method,
                &Route::Resource {
                    surface,
                    namespace: namespace.clone(),
                    name: name.clone(),
                    sub: sub.clone(),
                    rest: rest.clone(),
                },
                &r.query,
            );
            let attrs = Attributes {
                user: r.user.clone(),
                verb: verb.to_string(),
                group: surface.group.to_string(),
                resource: surface.plural.to_string(),
                subresource: sub.clone(),
                namespace: namespace.clone().unwrap_or_default(),
                name: name.clone().unwrap_or_default(),
            };
            let allowed = surface.repr == super::kinds::Repr::AccessReview
                || shared.lock().rules.allowed(&attrs);
            if !allowed {
                return error_response(&ApiError::forbidden(
                    &r.user,
                    verb,
                    surface,
                    sub.as_deref(),
                    namespace.as_deref().unwrap_or(""),
                    name.as_deref().unwrap_or(""),
                    "",
                ));
            }
            let mutating = matches!(verb, "create" | "update" | "patch" | "delete");
            if mutating
                && sub.as_deref() != Some("proxy")
                && !sub.as_deref().is_some_and(stream::is_stream)
            {
                let denied = shared
                    .lock()
                    .admission
                    .iter()
                    .find(|a| a.rule.matches(&attrs))
                    .map(|a| a.message.clone());
                if let Some(message) = denied {
                    return error_response(&ApiError::new(
                        422,
                        "Invalid",
                        format!(
                            "{}{} \"{}\" is invalid: : ValidatingAdmissionPolicy 'kdeck-sim-policy' with binding 'kdeck-sim-binding' denied request: {message}",
                            surface.kind,
                            if surface.group.is_empty() {
                                String::new()
                            } else {
                                format!(".{}", surface.group)
                            },
                            name.as_deref().unwrap_or("")
                        ),
                    ));
                }
            }
            let target = route::Target {
                surface,
                namespace,
                name,
                sub,
                rest,
            };
            match target.sub.as_deref() {
                Some("proxy") => proxy::handle(shared, r, &target).await,
                Some("log") => proxy::logs(shared, r, &target).await,
                Some(s) if stream::is_stream(s) => stream::handle(shared, r, &target),
                _ => {
                    if r.method == Method::GET && r.query.flag("watch") && target.name.is_none() {
                        watch::handle(shared, r, &target)
                    } else {
                        crud::handle(shared, r, &target)
                    }
                }
            }
        }
    }
}
