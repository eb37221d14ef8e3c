//! The pod's end of one port-forwarded connection: the bytes a client sends through
//! a forward are an HTTP/1.1 conversation with the simulated app listening on that
//! port (the same app the proxy and `curl` in an exec reach). Requests are parsed
//! as they arrive (keep-alive, `Content-Length` bodies, several in one read); a
//! request too large or not HTTP is answered 400 and the connection closes.

use std::sync::Arc;

use bytes::Bytes;

use super::proxy::pod_http;
use crate::sim::Shared;
use crate::sim::kinds::Kind;

/// Largest request head plus body one connection buffers.
const MAX_REQUEST: usize = 1 << 20;

/// One forwarded connection to `port` of a pod.
pub struct Conn {
    shared: Arc<Shared>,
    namespace: String,
    pod: String,
    port: u16,
    buf: Vec<u8>,
    /// The client asked to close, or sent garbage: nothing more is answered.
    pub closed: bool,
}

/// Whether anything listens on `port` of the pod (a running container declaring it).
pub fn listening(shared: &Shared, namespace: &str, pod: &str, port: u16) -> bool {
    let st = shared.lock();
    st.store
        .get(Kind::Pod, namespace, pod)
        .is_some_and(|p| super::proxy::listener(&p, i64::from(port)).is_some())
}

fn reason(code: u16) -> &'static str {
    match code {
        200 => "OK",
        201 => "Created",
        202 => "Accepted",
        204 => "No Content",
        400 => "Bad Request",
        404 => "Not Found",
        405 => "Method Not Allowed",
        500 => "Internal Server Error",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        _ => "",
    }
}

fn response(code: u16, content_type: &str, body: &[u8], close: bool) -> Vec<u8> {
    let mut out = format!(
        "HTTP/1.1 {code} {}\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\n{}\r\n",
        reason(code),
        body.len(),
        if close { "Connection: close\r\n" } else { "" }
    )
    .into_bytes();
    out.extend_from_slice(body);
    out
}

impl Conn {
    pub fn new(shared: Arc<Shared>, namespace: &str, pod: &str, port: u16) -> Conn {
        Conn {
            shared,
            namespace: namespace.to_string(),
            pod: pod.to_string(),
            port,
            buf: Vec::new(),
            closed: false,
        }
    }

    /// Bytes from the client; returns the bytes the pod answers with.
    pub fn feed(&mut self, data: &[u8]) -> Vec<u8> {
        let mut out = Vec::new();
        if self.closed {
            return out;
        }
        self.buf.extend_from_slice(data);
        loop {
            let Some(head_end) = find(&self.buf, b"\r\n\r\n") else {
                if self.buf.len() > MAX_REQUEST {
                    out.extend(self.refuse("request header too large"));
                }
                return out;
            };
            let head = String::from_utf8_lossy(&self.buf[..head_end]).into_owned();
            let mut lines = head.split("\r\n");
            let first = lines.next().unwrap_or("");
            let mut parts = first.split(' ');
            let (Some(method), Some(target), Some(version)) =
                (parts.next(), parts.next(), parts.next())
            else {
                out.extend(self.refuse("malformed request line"));
                return out;
            };
            if !version.starts_with("HTTP/1.") || method.is_empty() {
                out.extend(self.refuse("not an HTTP/1.x request"));
                return out;
            }
            let mut length = 0usize;
            let mut close = version == "HTTP/1.0";
            for l in lines {
                let Some((k, v)) = l.split_once(':') else {
                    continue;
                };
                let (k, v) = (k.trim().to_ascii_lowercase(), v.trim());
                if k == "content-length" {
                    match v.parse::<usize>() {
                        Ok(n) if n <= MAX_REQUEST => length = n,
                        _ => {
                            out.extend(self.refuse("bad Content-Length"));
                            return out;
                        }
                    }
                } else if k == "connection" {
                    close = v.eq_ignore_ascii_case("close");
                }
            }
            let total = head_end + 4 + length;
            if self.buf.len() < total {
                return out;
            }
            let body = Bytes::copy_from_slice(&self.buf[head_end + 4..total]);
            let (method, target) = (method.to_string(), target.to_string());
            self.buf.drain(..total);
            out.extend(self.answer(&method, &target, &body, close));
            if close {
                self.closed = true;
                return out;
            }
        }
    }

    fn refuse(&mut self, why: &str) -> Vec<u8> {
        self.closed = true;
        self.buf.clear();
        response(400, "text/plain; charset=utf-8", why.as_bytes(), true)
    }

    fn answer(&mut self, method: &str, target: &str, body: &Bytes, close: bool) -> Vec<u8> {
        let (path, query) = target.split_once('?').unwrap_or((target, ""));
        let mut st = self.shared.lock();
        let Some(pod) = st.store.get(Kind::Pod, &self.namespace, &self.pod) else {
            return response(502, "text/plain", b"the pod is gone\n", true);
        };
        match pod_http(
            &mut st,
            &pod,
            i64::from(self.port),
            method,
            path,
            query,
            body,
        ) {
            Ok(r) => {
                let body: &[u8] = if method == "HEAD" { &[] } else { &r.body };
                response(r.status, r.content_type, body, close)
            }
            Err(e) => response(502, "text/plain", e.message.as_bytes(), true),
        }
    }
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn responses_say_their_length_and_close() {
        let r = String::from_utf8(response(200, "text/plain", b"hi", false)).unwrap_or_default();
        assert!(r.starts_with("HTTP/1.1 200 OK\r\n"), "{r}");
        assert!(r.contains("Content-Length: 2\r\n"), "{r}");
        assert!(!r.contains("Connection: close"), "{r}");
        assert!(r.ends_with("\r\n\r\nhi"), "{r}");
        let c = String::from_utf8(response(404, "text/plain", b"", true)).unwrap_or_default();
        assert!(c.contains("Connection: close\r\n"), "{c}");
        assert_eq!(find(b"ab\r\n\r\ncd", b"\r\n\r\n"), Some(2));
        assert_eq!(find(b"ab", b"\r\n\r\n"), None);
    }
}
