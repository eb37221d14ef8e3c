//! A watch answer read as the API server writes it, one JSON event per line: each
//! line is decoded in place from the bytes received (kube's reader copied every line
//! into a `String` first, and set no bound on a line), a line is bounded (a server that never ends one is an
//! error, not memory without end), the read buffer is given back after a burst (the
//! streaming list of 50,000 pods), and an error answer is read bounded into the
//! server's `Status`. The same requests and the same errors as `kube::Api::watch`.

use bytes::Bytes;
use futures::Stream;
use http_body_util::BodyExt;
use kube::api::{WatchEvent, WatchParams};
use kube::core::Status;
use serde::de::DeserializeOwned;

/// The longest line (one object) accepted: far above what an API server stores
/// (etcd's default limit is 1.5 MiB per object).
pub const MAX_LINE: usize = 64 << 20;
/// The most of an error answer read.
const MAX_ERROR_BODY: usize = 1 << 20;
/// A read buffer grown past this in a burst is shrunk once it has drained.
const KEEP_BUFFER: usize = 64 << 10;

/// Opens a watch on `url` (a resource's collection, as `Api::resource_url` gives).
pub async fn open<K: DeserializeOwned>(
    client: &kube::Client,
    url: &str,
    wp: &WatchParams,
    version: &str,
) -> Result<impl Stream<Item = Result<WatchEvent<K>, kube::Error>> + use<K>, kube::Error> {
    let mut req = kube::core::Request::new(url)
        .watch(wp, version)
        .map_err(kube::Error::BuildRequest)?;
    req.extensions_mut().insert("watch");
    // One gzip member per event would not be decoded past the first (as in kube).
    req.headers_mut()
        .entry(http::header::ACCEPT_ENCODING)
        .or_insert(http::HeaderValue::from_static("identity"));
    let res = client.send(req.map(kube::client::Body::from)).await?;
    let status = res.status();
    if status.is_client_error() || status.is_server_error() {
        return Err(error_answer(status, res.into_body()).await);
    }
    let reader = Lines {
        body: res.into_body(),
        buf: Vec::new(),
        start: 0,
        scanned: 0,
        ended: false,
    };
    Ok(futures::stream::unfold(reader, |mut r| async move {
        let ev = r.next::<K>().await?;
        Some((ev, r))
    }))
}

/// The server's `Status` from an error answer, or one made from its first bytes
/// (a proxy's HTML page, say).
async fn error_answer(status: http::StatusCode, mut body: kube::client::Body) -> kube::Error {
    let mut text = Vec::new();
    while let Some(Ok(frame)) = body.frame().await {
        if let Some(d) = frame.data_ref() {
            let room = MAX_ERROR_BODY.saturating_sub(text.len());
            text.extend_from_slice(&d[..d.len().min(room)]);
            if room <= d.len() {
                break;
            }
        }
    }
    match serde_json::from_slice::<Status>(&text) {
        Ok(s) => kube::Error::Api(s.boxed()),
        Err(_) => {
            let text = String::from_utf8_lossy(&text);
            kube::Error::Api(
                Status::failure(text.trim(), "Failed to parse error data")
                    .with_code(status.as_u16())
                    .boxed(),
            )
        }
    }
}

struct Lines {
    body: kube::client::Body,
    buf: Vec<u8>,
    /// Where the next line starts.
    start: usize,
    /// How far past `start` is known to hold no newline.
    scanned: usize,
    ended: bool,
}

impl Lines {
    /// The next event; `None` when the answer has ended (the watch is resumed).
    async fn next<K: DeserializeOwned>(&mut self) -> Option<Result<WatchEvent<K>, kube::Error>> {
        loop {
            if let Some(i) = memchr::memchr(b'\n', &self.buf[self.scanned..]) {
                let end = self.scanned + i;
                let line = &self.buf[self.start..end];
                self.start = end + 1;
                self.scanned = self.start;
                if let Some(ev) = decode::<K>(line) {
                    return Some(ev);
                }
                continue;
            }
            self.scanned = self.buf.len();
            if self.buf.len() - self.start > MAX_LINE {
                self.ended = true;
                self.buf = Vec::new();
                (self.start, self.scanned) = (0, 0);
                return Some(Err(kube::Error::LinesCodecMaxLineLengthExceeded));
            }
            if self.ended {
                // What is left is an unfinished line: dropped, as kube does.
                return None;
            }
            self.compact();
            match self.read().await {
                Ok(Some(data)) => self.buf.extend_from_slice(&data),
                Ok(None) => self.ended = true,
                Err(e) => {
                    self.ended = true;
                    return e.map(Err);
                }
            }
        }
    }

    /// Moves the unfinished line to the front, and gives back a buffer a burst
    /// grew once little of it is in use.
    fn compact(&mut self) {
        if self.start > 0 {
            self.buf.drain(..self.start);
            self.scanned -= self.start;
            self.start = 0;
        }
        if self.buf.capacity() > KEEP_BUFFER && self.buf.len() < KEEP_BUFFER / 4 {
            self.buf.shrink_to(self.buf.len().max(KEEP_BUFFER / 4));
        }
    }

    /// The next bytes of the body: `Ok(None)` at its end; an error that is the
    /// connection ending mid-answer ends the stream quietly (resumed from the last
    /// version seen, as kube does), any other is returned.
    async fn read(&mut self) -> Result<Option<Bytes>, Option<kube::Error>> {
        loop {
            match self.body.frame().await {
                None => return Ok(None),
                Some(Ok(frame)) => {
                    if let Ok(data) = frame.into_data() {
                        return Ok(Some(data));
                    }
                }
                Some(Err(e)) => {
                    if ends_quietly(&e) {
                        tracing::debug!(error = %e, "watch answer cut");
                        return Err(None);
                    }
                    return Err(Some(kube::Error::ReadEvents(std::io::Error::other(e))));
                }
            }
        }
    }
}

/// A watch cut by the connection: the client's own timeout, or an end of file
/// somewhere down the chain (TLS, the chunked decoder).
fn ends_quietly(e: &kube::Error) -> bool {
    if e.to_string().contains("unexpected EOF during chunk") {
        return true;
    }
    let mut cur: Option<&(dyn std::error::Error + 'static)> = Some(e);
    for _ in 0..16 {
        let Some(err) = cur else { return false };
        if let Some(io) = err.downcast_ref::<std::io::Error>()
            && matches!(
                io.kind(),
                std::io::ErrorKind::UnexpectedEof | std::io::ErrorKind::TimedOut
            )
        {
            return true;
        }
        cur = err.source();
    }
    false
}

/// One line as an event; `None` for a blank line.
fn decode<K: DeserializeOwned>(line: &[u8]) -> Option<Result<WatchEvent<K>, kube::Error>> {
    if line.iter().all(u8::is_ascii_whitespace) {
        return None;
    }
    // Checked whole first (a fast pass), the line parses as text: serde_json reads
    // text faster than bytes, whose every string it checks again.
    let line = match std::str::from_utf8(line) {
        Ok(l) => l,
        Err(e) => {
            return Some(Err(kube::Error::ReadEvents(std::io::Error::new(
                std::io::ErrorKind::InvalidData,
                e,
            ))));
        }
    };
    Some(match serde_json::from_str::<WatchEvent<K>>(line) {
        Ok(ev) => Ok(ev),
        Err(e) => match serde_json::from_str::<Status>(line) {
            Ok(s) if s.is_failure() => Err(kube::Error::Api(s.boxed())),
            _ => Err(kube::Error::SerdeError(e)),
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(serde::Deserialize, Clone, Debug, PartialEq)]
    struct Obj {
        #[serde(default)]
        n: u32,
    }

    use futures::StreamExt;
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    /// A one-answer HTTP server: reads a request, writes `head`, then each chunk of
    /// `chunks` as a chunk of a chunked body, then the last chunk.
    async fn serve(head: &'static str, chunks: Vec<Vec<u8>>) -> kube::Client {
        let l = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let addr = l.local_addr().expect("addr");
        tokio::spawn(async move {
            let (mut s, _) = l.accept().await.expect("accept");
            let mut req = Vec::new();
            let mut b = [0u8; 4096];
            while !req.windows(4).any(|w| w == b"\r\n\r\n") {
                let n = s.read(&mut b).await.expect("read");
                if n == 0 {
                    return;
                }
                req.extend_from_slice(&b[..n]);
            }
            if s.write_all(head.as_bytes()).await.is_err() {
                return;
            }
            for c in chunks {
                let mut out = format!("{:x}\r\n", c.len()).into_bytes();
                out.extend_from_slice(&c);
                out.extend_from_slice(b"\r\n");
                if s.write_all(&out).await.is_err() {
                    return;
                }
            }
            let _ = s.write_all(b"0\r\n\r\n").await;
        });
        let url: http::Uri = format!("http://{addr}").parse().expect("url");
        kube::Client::try_from(kube::Config::new(url)).expect("client")
    }

    const OK: &str =
        "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n";

    #[tokio::test]
    async fn events_split_across_reads_arrive_whole_and_in_order() {
        let text: String = (0..300)
            .map(|n| format!("{{\"type\":\"ADDED\",\"object\":{{\"n\":{n}}}}}\n"))
            .collect();
        // Chunks that cut lines anywhere, one of them bigger than the kept buffer.
        let bytes = text.into_bytes();
        let mut chunks: Vec<Vec<u8>> = bytes[..5000].chunks(7).map(<[u8]>::to_vec).collect();
        chunks.push(bytes[5000..].to_vec());
        let client = serve(OK, chunks).await;
        let s = open::<Obj>(&client, "/api/v1/things", &WatchParams::default(), "0")
            .await
            .expect("open");
        let got: Vec<u32> = s
            .map(|e| match e {
                Ok(WatchEvent::Added(o)) => o.n,
                other => panic!("{other:?}"),
            })
            .collect()
            .await;
        assert_eq!(got, (0..300).collect::<Vec<u32>>());
    }

    #[tokio::test]
    async fn a_line_that_never_ends_is_an_error_not_memory_without_end() {
        let mut chunks = vec![
            br#"{"type":"ADDED","object":{"n":1}}"#.to_vec(),
            b"\n".to_vec(),
        ];
        chunks.push(br#"{"type":"ADDED","object":{"pad":""#.to_vec());
        chunks.extend((0..(MAX_LINE >> 20) + 2).map(|_| vec![b'a'; 1 << 20]));
        let client = serve(OK, chunks).await;
        let mut s = Box::pin(
            open::<Obj>(&client, "/api/v1/things", &WatchParams::default(), "0")
                .await
                .expect("open"),
        );
        assert!(matches!(
            s.next().await,
            Some(Ok(WatchEvent::Added(Obj { n: 1 })))
        ));
        assert!(matches!(
            s.next().await,
            Some(Err(kube::Error::LinesCodecMaxLineLengthExceeded))
        ));
        assert!(s.next().await.is_none());
    }

    #[tokio::test]
    async fn an_error_answer_is_the_servers_status() {
        let status = br#"{"kind":"Status","apiVersion":"v1","status":"Failure","message":"pods is forbidden","reason":"Forbidden","code":403}"#;
        let client = serve(
            "HTTP/1.1 403 Forbidden\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n",
            vec![status.to_vec()],
        )
        .await;
        match open::<Obj>(&client, "/api/v1/pods", &WatchParams::default(), "0").await {
            Err(kube::Error::Api(s)) => {
                assert_eq!(s.code, 403);
                assert_eq!(s.message, "pods is forbidden");
            }
            Err(e) => panic!("{e}"),
            Ok(_) => panic!("a 403 opened a watch"),
        }
        // A proxy's page instead of a Status: its text, with the HTTP code.
        let client = serve(
            "HTTP/1.1 502 Bad Gateway\r\nContent-Type: text/html\r\nTransfer-Encoding: chunked\r\n\r\n",
            vec![b"<html>bad gateway</html>".to_vec()],
        )
        .await;
        match open::<Obj>(&client, "/api/v1/pods", &WatchParams::default(), "0").await {
            Err(kube::Error::Api(s)) => {
                assert_eq!(s.code, 502);
                assert!(s.message.contains("bad gateway"), "{}", s.message);
            }
            Err(e) => panic!("{e}"),
            Ok(_) => panic!("a 502 opened a watch"),
        }
    }

    #[test]
    fn lines_decode_in_place_blank_lines_are_skipped_and_errors_are_the_servers() {
        assert!(decode::<Obj>(b"  \r").is_none());
        match decode::<Obj>(br#"{"type":"ADDED","object":{"n":7}}"#) {
            Some(Ok(WatchEvent::Added(o))) => assert_eq!(o, Obj { n: 7 }),
            other => panic!("{other:?}"),
        }
        let gone = br#"{"kind":"Status","apiVersion":"v1","status":"Failure","message":"too old resource version: 5","reason":"Expired","code":410}"#;
        match decode::<Obj>(gone) {
            Some(Err(kube::Error::Api(s))) => assert_eq!(s.code, 410),
            other => panic!("{other:?}"),
        }
        assert!(matches!(
            decode::<Obj>(b"{not json"),
            Some(Err(kube::Error::SerdeError(_)))
        ));
        assert!(matches!(
            decode::<Obj>(b"{\"type\":\"ADDED\",\"object\":{\"n\":1,\"x\":\"\xff\"}}"),
            Some(Err(kube::Error::ReadEvents(_)))
        ));
    }
}
