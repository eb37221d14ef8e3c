//! The HTTP stack under a context's `kube::Client`: kube-rs's own (TLS by rustls, the
//! connect/read/write timeouts, the base URI, authentication, extra headers, the
//! optional retry of 429/503/504), built here with one setting kube-rs gives no way
//! to change: the most a connection's read buffer may grow to.
//!
//! hyper lets each connection's buffer double up to about 400 KiB while a big
//! list arrives and never gives it back; a console with a dozen watch and list
//! connections per context kept ~5 MB that way at 50,000 pods. Reading 64 KiB at a
//! time costs nothing measurable (a 118 MB list is under 2,000 reads).
//!
//! A context behind a proxy (`proxy-url`) is built by kube-rs itself: its SOCKS and
//! HTTP tunnels, with their authentication, are not reproduced here.

use http::{Request, Response};
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;
use kube::client::{Body, ClientBuilder, ConfigExt, DynBody};
use tower::{BoxError, ServiceBuilder, ServiceExt};

/// The most one connection's read buffer grows to (hyper's floor is 8 KiB; a
/// response's headers must fit in it, which they do by far).
pub const READ_BUFFER_MAX: usize = 64 * 1024;

/// The service every request of a context goes through, as kube-rs's
/// `ClientBuilder::try_from` would build it, but for the read buffer.
pub type Service = tower::util::BoxService<Request<Body>, Response<Box<DynBody>>, BoxError>;

/// The builder for a context's client. Errors are kube-rs's (a bad certificate,
/// an unreadable token file, an unknown proxy scheme).
pub fn builder(config: &kube::Config) -> Result<ClientBuilder<Service>, kube::Error> {
    if config.proxy_url.is_some() {
        return ClientBuilder::try_from(config.clone());
    }
    let mut http = HttpConnector::new();
    http.enforce_http(false);
    let https = config.rustls_https_connector_with_connector(http)?;
    let mut connector = hyper_timeout::TimeoutConnector::new(https);
    connector.set_connect_timeout(config.connect_timeout);
    connector.set_read_timeout(config.read_timeout);
    connector.set_write_timeout(config.write_timeout);
    connector.set_reset_reader_on_write(config.reset_reader_on_write);
    let client: hyper_util::client::legacy::Client<_, Body> =
        hyper_util::client::legacy::Builder::new(TokioExecutor::new())
            .http1_max_buf_size(READ_BUFFER_MAX)
            .build(connector);
    let retry = config
        .default_retry
        .then(|| tower::retry::RetryLayer::new(kube::client::retry::RetryPolicy::server_retry()));
    let service = ServiceBuilder::new()
        .layer(config.base_uri_layer())
        .option_layer(retry)
        .option_layer(config.auth_layer()?)
        .layer(config.extra_headers_layer()?)
        .map_err(BoxError::from)
        .service(client)
        .map_response(|r: Response<hyper::body::Incoming>| {
            r.map(|body| {
                Box::new(http_body_util::BodyExt::map_err(body, BoxError::from)) as Box<DynBody>
            })
        })
        .boxed();
    Ok(ClientBuilder::new(
        service,
        config.default_namespace.clone(),
    ))
}
