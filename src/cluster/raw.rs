//! Raw GETs through a context's kube client, for what kube-rs has no typed call
//! for (discovery documents, Table output): the request with its `Accept`, a short
//! error naming the path, and a body read whole up to a bound.

use http_body_util::BodyExt;

/// Sends a GET; a status other than success is an error naming the path.
pub async fn send(
    client: &kube::Client,
    uri: &str,
    accept: &str,
) -> Result<http::Response<kube::client::Body>, String> {
    let req = http::Request::get(uri)
        .header(http::header::ACCEPT, accept)
        .body(kube::client::Body::empty())
        .map_err(|e| e.to_string())?;
    let resp = client
        .send(req)
        .await
        .map_err(|e| super::watch::short_error(&e))?;
    if !resp.status().is_success() {
        return Err(format!(
            "{} answered {}",
            uri.split('?').next().unwrap_or(uri),
            resp.status()
        ));
    }
    Ok(resp)
}

/// Reads a body whole, refusing one larger than `max` bytes.
pub async fn read(mut body: kube::client::Body, max: usize) -> Result<Vec<u8>, String> {
    let mut bytes = Vec::new();
    while let Some(frame) = body.frame().await {
        let frame = frame.map_err(|e| e.to_string())?;
        if let Some(d) = frame.data_ref() {
            if bytes.len() + d.len() > max {
                return Err(format!("larger than {} MB", max >> 20));
            }
            bytes.extend_from_slice(d);
        }
    }
    Ok(bytes)
}

/// A GET read whole: its content type and body.
pub async fn get(
    client: &kube::Client,
    uri: &str,
    accept: &str,
    max: usize,
) -> Result<(String, Vec<u8>), String> {
    let resp = send(client, uri, accept).await?;
    let ct = resp
        .headers()
        .get(http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string();
    let path = uri.split('?').next().unwrap_or(uri);
    let body = read(resp.into_body(), max)
        .await
        .map_err(|e| format!("{path}: {e}"))?;
    Ok((ct, body))
}
