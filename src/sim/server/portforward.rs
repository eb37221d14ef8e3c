//! Port-forward sessions into a simulated pod, in the two framings clients use:
//! - channels (kube-rs, the kubelet's WebSocket protocol): per port a data channel
//!   2n and an error channel 2n+1, each opened by a frame holding the port;
//! - SPDY tunnelled through the WebSocket (kubectl 1.31+): the client opens an
//!   error stream and a data stream per local connection (`streamtype`, `port`,
//!   `requestid` headers); each is answered with SYN_REPLY, the data stream carries
//!   the connection, and a refused port is said on the error stream.
//!
//! Either way each connection is an HTTP conversation with the pod's app
//! ([`super::forward::Conn`]).

use std::collections::HashMap;
use std::sync::Arc;

use futures::{SinkExt, StreamExt};
use tokio_tungstenite::tungstenite::Message;

use super::forward::{Conn, listening};
use super::spdy::{self, Frame};
use super::stream::Ws;
use crate::sim::Shared;

fn refused(pod: &str, port: u16) -> String {
    format!(
        "error forwarding port {port} to pod {pod}, uid : failed to connect to localhost:{port} inside namespace of pod {pod}: connection refused"
    )
}

async fn send(ws: &mut Ws, bytes: Vec<u8>) -> bool {
    ws.send(Message::binary(bytes)).await.is_ok()
}

/// The channel protocol.
pub async fn channels(mut ws: Ws, shared: Arc<Shared>, namespace: &str, pod: &str, ports: &[u16]) {
    let mut conns: Vec<Option<Conn>> = Vec::with_capacity(ports.len());
    for (i, port) in ports.iter().enumerate() {
        let ch = (2 * i) as u8;
        let [lo, hi] = port.to_le_bytes();
        if !send(&mut ws, vec![ch, lo, hi]).await || !send(&mut ws, vec![ch + 1, lo, hi]).await {
            return;
        }
        if listening(&shared, namespace, pod, *port) {
            conns.push(Some(Conn::new(shared.clone(), namespace, pod, *port)));
        } else {
            let mut m = vec![ch + 1];
            m.extend_from_slice(refused(pod, *port).as_bytes());
            if !send(&mut ws, m).await {
                return;
            }
            conns.push(None);
        }
    }
    while let Some(Ok(msg)) = ws.next().await {
        match msg {
            Message::Binary(b) if b.len() > 1 => {
                let ch = usize::from(b[0]);
                if ch % 2 != 0 {
                    continue;
                }
                let Some(Some(conn)) = conns.get_mut(ch / 2) else {
                    continue;
                };
                let out = conn.feed(&b[1..]);
                if !out.is_empty() {
                    let mut m = Vec::with_capacity(out.len() + 1);
                    m.push(ch as u8);
                    m.extend(out);
                    if !send(&mut ws, m).await {
                        return;
                    }
                }
                if conns.iter().all(|c| c.as_ref().is_none_or(|c| c.closed)) {
                    super::stream::close(&mut ws).await;
                    return;
                }
            }
            Message::Close(_) => {
                // The close is answered, as the handshake asks.
                super::stream::close(&mut ws).await;
                return;
            }
            _ => {}
        }
    }
}

/// One forwarded connection's pair of SPDY streams.
#[derive(Default)]
struct Pair {
    error: Option<u32>,
    data: Option<u32>,
    port: u16,
    conn: Option<Conn>,
    /// Said on the error stream (the port refused).
    failed: bool,
    done: bool,
}

/// SPDY/3.1 tunnelled in binary WebSocket messages.
pub async fn spdy(mut ws: Ws, shared: Arc<Shared>, namespace: &str, pod: &str) {
    let mut buf: Vec<u8> = Vec::new();
    let mut headers = spdy::Headers::default();
    let mut pairs: HashMap<String, Pair> = HashMap::new();
    // stream id → request id
    let mut streams: HashMap<u32, String> = HashMap::new();
    while let Some(Ok(msg)) = ws.next().await {
        let bytes = match msg {
            Message::Binary(b) => b,
            Message::Close(_) => {
                // The close is answered, as the handshake asks.
                super::stream::close(&mut ws).await;
                return;
            }
            _ => continue,
        };
        buf.extend_from_slice(&bytes);
        loop {
            let frame = match spdy::next_frame(&mut buf) {
                Ok(Some(f)) => f,
                Ok(None) => break,
                Err(e) => {
                    tracing::debug!("sim: port-forward: {e}");
                    super::stream::close(&mut ws).await;
                    return;
                }
            };
            let mut out: Vec<u8> = Vec::new();
            match frame {
                Frame::Control { kind, body, .. } if kind == spdy::SYN_STREAM => {
                    let Some(id) = spdy::stream_id(&body) else {
                        continue;
                    };
                    let Ok(h) = headers.read(body.get(10..).unwrap_or(&[])) else {
                        // The header stream is one zlib stream: a broken block
                        // breaks every later one too.
                        send_all(&mut ws, spdy::rst_stream(id, 1)).await;
                        super::stream::close(&mut ws).await;
                        return;
                    };
                    let get = |k: &str| {
                        h.iter()
                            .find(|(n, _)| n.eq_ignore_ascii_case(k))
                            .map(|(_, v)| v.clone())
                            .unwrap_or_default()
                    };
                    let (kind, port, request) = (get("streamtype"), get("port"), get("requestid"));
                    out.extend(headers.syn_reply(id, 0));
                    let pair = pairs.entry(request.clone()).or_default();
                    streams.insert(id, request);
                    let Ok(port) = port.parse::<u16>() else {
                        out.extend(spdy::rst_stream(id, 1));
                        send_all(&mut ws, out).await;
                        continue;
                    };
                    pair.port = port;
                    match kind.as_str() {
                        "error" => pair.error = Some(id),
                        "data" => {
                            pair.data = Some(id);
                            if listening(&shared, namespace, pod, port) {
                                pair.conn = Some(Conn::new(shared.clone(), namespace, pod, port));
                            } else {
                                pair.failed = true;
                            }
                        }
                        _ => out.extend(spdy::rst_stream(id, 1)),
                    }
                    out.extend(settle(pair, pod));
                }
                Frame::Control { kind, body, .. } if kind == spdy::PING => {
                    out.extend(spdy::ping(&body));
                }
                Frame::Control { kind, .. } if kind == spdy::GOAWAY => {
                    super::stream::close(&mut ws).await;
                    return;
                }
                Frame::Control { kind, body, .. } if kind == spdy::RST_STREAM => {
                    if let Some(req) = spdy::stream_id(&body).and_then(|id| streams.get(&id))
                        && let Some(p) = pairs.get_mut(req)
                    {
                        p.done = true;
                    }
                }
                Frame::Control { .. } => {}
                Frame::Data {
                    stream,
                    flags,
                    data,
                } => {
                    let Some(p) = streams.get(&stream).and_then(|r| pairs.get_mut(r)) else {
                        continue;
                    };
                    if p.data == Some(stream) && !p.done {
                        if let Some(c) = p.conn.as_mut() {
                            let answer = c.feed(&data);
                            if !answer.is_empty() {
                                out.extend(spdy::data(stream, 0, &answer));
                            }
                            if c.closed {
                                out.extend(finish(p));
                            }
                        }
                        if flags & spdy::FLAG_FIN != 0 && !p.done {
                            out.extend(finish(p));
                        }
                    }
                }
            }
            // Connections that are over are forgotten (a long forward serves many).
            let over: Vec<String> = pairs
                .iter()
                .filter(|(_, p)| p.done)
                .map(|(k, _)| k.clone())
                .collect();
            for k in over {
                pairs.remove(&k);
                streams.retain(|_, r| *r != k);
            }
            if !out.is_empty() && !send(&mut ws, out).await {
                return;
            }
        }
    }
}

async fn send_all(ws: &mut Ws, out: Vec<u8>) {
    if !out.is_empty() {
        let _ = send(ws, out).await;
    }
}

/// Once both streams of a refused connection exist: the error said, both closed.
fn settle(p: &mut Pair, pod: &str) -> Vec<u8> {
    let (Some(err), Some(_)) = (p.error, p.data) else {
        return Vec::new();
    };
    if !p.failed || p.done {
        return Vec::new();
    }
    let mut out = spdy::data(err, 0, refused(pod, p.port).as_bytes());
    out.extend(finish(p));
    out
}

/// Ends a connection: FIN on its data stream and on its error stream.
fn finish(p: &mut Pair) -> Vec<u8> {
    if p.done {
        return Vec::new();
    }
    p.done = true;
    let mut out = Vec::new();
    if let Some(d) = p.data {
        out.extend(spdy::data(d, spdy::FLAG_FIN, &[]));
    }
    if let Some(e) = p.error {
        out.extend(spdy::data(e, spdy::FLAG_FIN, &[]));
    }
    out
}
