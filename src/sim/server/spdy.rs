//! SPDY/3.1 framing, the part kubectl's port-forward speaks: control frames
//! (SYN_STREAM, SYN_REPLY, RST_STREAM, SETTINGS, PING, GOAWAY, HEADERS,
//! WINDOW_UPDATE) and data frames, parsed from a byte buffer as they arrive and
//! written to bytes. Header blocks are zlib streams with SPDY's preset dictionary,
//! one stream per direction for the whole connection (so the (de)compressors live
//! as long as the connection).

use std::sync::OnceLock;

use flate2::{Compress, Compression, Decompress, FlushCompress, FlushDecompress, Status};

pub const SYN_STREAM: u16 = 1;
pub const SYN_REPLY: u16 = 2;
pub const RST_STREAM: u16 = 3;
pub const PING: u16 = 6;
pub const GOAWAY: u16 = 7;
pub const FLAG_FIN: u8 = 0x01;

/// Largest frame accepted (SPDY allows 16 MiB; a port-forward never needs it).
const MAX_FRAME: usize = 1 << 20;
/// Largest decompressed header block.
const MAX_HEADERS: usize = 64 * 1024;

/// The words SPDY/3's header dictionary lists (each length-prefixed), then its tail.
const WORDS: &[&str] = &[
    "options",
    "head",
    "post",
    "put",
    "delete",
    "trace",
    "accept",
    "accept-charset",
    "accept-encoding",
    "accept-language",
    "accept-ranges",
    "age",
    "allow",
    "authorization",
    "cache-control",
    "connection",
    "content-base",
    "content-encoding",
    "content-language",
    "content-length",
    "content-location",
    "content-md5",
    "content-range",
    "content-type",
    "date",
    "etag",
    "expect",
    "expires",
    "from",
    "host",
    "if-match",
    "if-modified-since",
    "if-none-match",
    "if-range",
    "if-unmodified-since",
    "last-modified",
    "location",
    "max-forwards",
    "pragma",
    "proxy-authenticate",
    "proxy-authorization",
    "range",
    "referer",
    "retry-after",
    "server",
    "te",
    "trailer",
    "transfer-encoding",
    "upgrade",
    "user-agent",
    "vary",
    "via",
    "warning",
    "www-authenticate",
    "method",
    "get",
    "status",
    "200 OK",
    "version",
    "HTTP/1.1",
    "url",
    "public",
    "set-cookie",
    "keep-alive",
    "origin",
];

const TAIL: &str = concat!(
    "100101201202205206300302303304305306307402405406407408409410411412413414415416417",
    "502504505203 Non-Authoritative Information204 No Content301 Moved Permanently",
    "400 Bad Request401 Unauthorized403 Forbidden404 Not Found500 Internal Server Error",
    "501 Not Implemented503 Service UnavailableJan Feb Mar Apr May Jun Jul Aug Sept Oct ",
    "Nov Dec 00:00:00 Mon, Tue, Wed, Thu, Fri, Sat, Sun, GMTchunked,text/html,image/png,",
    "image/jpg,image/gif,application/xml,application/xhtml+xml,text/plain,",
    "text/javascript,publicprivatemax-age=gzip,deflate,sdchcharset=utf-8",
    "charset=iso-8859-1,utf-,*,enq=0.",
);

/// SPDY/3's preset zlib dictionary for header blocks.
pub fn dictionary() -> &'static [u8] {
    static DICT: OnceLock<Vec<u8>> = OnceLock::new();
    DICT.get_or_init(|| {
        let mut d = Vec::with_capacity(1423);
        for w in WORDS {
            d.extend_from_slice(&(w.len() as u32).to_be_bytes());
            d.extend_from_slice(w.as_bytes());
        }
        d.extend_from_slice(TAIL.as_bytes());
        d
    })
}

/// One frame, as read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Frame {
    Control {
        kind: u16,
        flags: u8,
        /// The body after the frame header (header blocks still compressed).
        body: Vec<u8>,
    },
    Data {
        stream: u32,
        flags: u8,
        data: Vec<u8>,
    },
}

/// Takes the next complete frame off the front of `buf`: `Ok(None)` until one is
/// complete, `Err` for a stream that is not SPDY/3 or a frame too large.
pub fn next_frame(buf: &mut Vec<u8>) -> Result<Option<Frame>, String> {
    if buf.len() < 8 {
        return Ok(None);
    }
    let len = (usize::from(buf[5]) << 16) | (usize::from(buf[6]) << 8) | usize::from(buf[7]);
    if len > MAX_FRAME {
        return Err(format!("frame of {len} bytes is too large"));
    }
    if buf.len() < 8 + len {
        return Ok(None);
    }
    let flags = buf[4];
    let body: Vec<u8> = buf[8..8 + len].to_vec();
    let control = buf[0] & 0x80 != 0;
    let head = [buf[0], buf[1], buf[2], buf[3]];
    buf.drain(..8 + len);
    if control {
        let version = u16::from_be_bytes([head[0] & 0x7f, head[1]]);
        if version != 3 {
            return Err(format!("SPDY version {version} is not spoken"));
        }
        Ok(Some(Frame::Control {
            kind: u16::from_be_bytes([head[2], head[3]]),
            flags,
            body,
        }))
    } else {
        Ok(Some(Frame::Data {
            stream: u32::from_be_bytes(head) & 0x7fff_ffff,
            flags,
            data: body,
        }))
    }
}

/// The 31-bit stream id at the start of a control frame's body.
pub fn stream_id(body: &[u8]) -> Option<u32> {
    let b: [u8; 4] = body.get(..4)?.try_into().ok()?;
    Some(u32::from_be_bytes(b) & 0x7fff_ffff)
}

fn control(kind: u16, flags: u8, body: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(8 + body.len());
    out.extend_from_slice(&[0x80, 0x03]);
    out.extend_from_slice(&kind.to_be_bytes());
    out.push(flags);
    let len = body.len() as u32;
    out.extend_from_slice(&len.to_be_bytes()[1..]);
    out.extend_from_slice(body);
    out
}

/// A data frame (cut into frames the reader accepts).
pub fn data(stream: u32, flags: u8, payload: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(payload.len() + 8);
    let chunks: Vec<&[u8]> = if payload.is_empty() {
        vec![payload]
    } else {
        payload.chunks(64 * 1024).collect()
    };
    let last = chunks.len() - 1;
    for (i, c) in chunks.into_iter().enumerate() {
        out.extend_from_slice(&(stream & 0x7fff_ffff).to_be_bytes());
        out.push(if i == last { flags } else { 0 });
        out.extend_from_slice(&(c.len() as u32).to_be_bytes()[1..]);
        out.extend_from_slice(c);
    }
    out
}

pub fn rst_stream(stream: u32, status: u32) -> Vec<u8> {
    let mut b = (stream & 0x7fff_ffff).to_be_bytes().to_vec();
    b.extend_from_slice(&status.to_be_bytes());
    control(RST_STREAM, 0, &b)
}

/// A PING answered: the same id back.
pub fn ping(body: &[u8]) -> Vec<u8> {
    control(PING, 0, body)
}

/// The header compressors of one connection.
pub struct Headers {
    inflate: Decompress,
    deflate: Compress,
    dict_set: bool,
}

impl Default for Headers {
    fn default() -> Self {
        let mut deflate = Compress::new(Compression::default(), true);
        let _ = deflate.set_dictionary(dictionary());
        Headers {
            inflate: Decompress::new(true),
            deflate,
            dict_set: false,
        }
    }
}

impl Headers {
    /// Decompresses one frame's header block and parses its name/value pairs.
    pub fn read(&mut self, block: &[u8]) -> Result<Vec<(String, String)>, String> {
        let mut out = Vec::with_capacity(256);
        let mut input = block;
        loop {
            let before_in = self.inflate.total_in();
            if out.capacity() - out.len() < 256 {
                out.reserve(1024);
            }
            let r = self
                .inflate
                .decompress_vec(input, &mut out, FlushDecompress::Sync);
            let used = (self.inflate.total_in() - before_in) as usize;
            input = &input[used.min(input.len())..];
            match r {
                Ok(Status::StreamEnd) => break,
                Ok(_) if input.is_empty() && out.len() < out.capacity() => break,
                Ok(_) => {}
                Err(e) if e.needs_dictionary().is_some() && !self.dict_set => {
                    self.inflate
                        .set_dictionary(dictionary())
                        .map_err(|e| format!("header dictionary: {e}"))?;
                    self.dict_set = true;
                }
                Err(e) => return Err(format!("header block: {e}")),
            }
            if out.len() > MAX_HEADERS {
                return Err("header block too large".into());
            }
        }
        parse_pairs(&out)
    }

    /// Compresses `pairs` into a header block.
    pub fn write(&mut self, pairs: &[(&str, &str)]) -> Vec<u8> {
        let mut raw = (pairs.len() as u32).to_be_bytes().to_vec();
        for (k, v) in pairs {
            raw.extend_from_slice(&(k.len() as u32).to_be_bytes());
            raw.extend_from_slice(k.as_bytes());
            raw.extend_from_slice(&(v.len() as u32).to_be_bytes());
            raw.extend_from_slice(v.as_bytes());
        }
        let mut out = Vec::with_capacity(raw.len() + 64);
        let mut input = &raw[..];
        loop {
            out.reserve(256);
            let before = self.deflate.total_in();
            let r = self
                .deflate
                .compress_vec(input, &mut out, FlushCompress::Sync);
            let used = (self.deflate.total_in() - before) as usize;
            input = &input[used.min(input.len())..];
            if r.is_err() || (input.is_empty() && out.len() < out.capacity()) {
                break;
            }
        }
        out
    }

    /// A SYN_REPLY for `stream` with no headers.
    pub fn syn_reply(&mut self, stream: u32, flags: u8) -> Vec<u8> {
        let mut b = (stream & 0x7fff_ffff).to_be_bytes().to_vec();
        b.extend(self.write(&[]));
        control(SYN_REPLY, flags, &b)
    }

    /// A SYN_STREAM (tests play the client with it).
    #[cfg(test)]
    pub fn syn_stream(&mut self, stream: u32, pairs: &[(&str, &str)]) -> Vec<u8> {
        let mut b = (stream & 0x7fff_ffff).to_be_bytes().to_vec();
        b.extend_from_slice(&[0, 0, 0, 0, 0, 0]);
        b.extend(self.write(pairs));
        control(SYN_STREAM, 0, &b)
    }
}

fn parse_pairs(raw: &[u8]) -> Result<Vec<(String, String)>, String> {
    let mut at = 0usize;
    let u32_at = |at: &mut usize| -> Result<usize, String> {
        let b: [u8; 4] = raw
            .get(*at..*at + 4)
            .and_then(|s| s.try_into().ok())
            .ok_or("header block cut short")?;
        *at += 4;
        Ok(u32::from_be_bytes(b) as usize)
    };
    let n = u32_at(&mut at)?;
    if n > 1024 {
        return Err("too many headers".into());
    }
    let mut out = Vec::with_capacity(n);
    for _ in 0..n {
        let field = |at: &mut usize| -> Result<String, String> {
            let len = u32_at(at)?;
            let s = raw.get(*at..*at + len).ok_or("header block cut short")?;
            *at += len;
            Ok(String::from_utf8_lossy(s).into_owned())
        };
        let k = field(&mut at)?;
        let v = field(&mut at)?;
        out.push((k, v));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_dictionary_is_spdy3s() {
        let d = dictionary();
        assert_eq!(d.len(), 1423);
        assert!(d.starts_with(b"\x00\x00\x00\x07options\x00\x00\x00\x04head"));
        assert!(d.ends_with(b"utf-,*,enq=0."));
    }

    #[test]
    fn frames_round_trip_through_bytes_cut_anywhere() {
        let mut client = Headers::default();
        let mut server = Headers::default();
        let mut wire = client.syn_stream(1, &[("streamtype", "error"), ("port", "9090")]);
        wire.extend(client.syn_stream(3, &[("streamtype", "data"), ("port", "9090")]));
        wire.extend(data(3, FLAG_FIN, b"GET / HTTP/1.1\r\n\r\n"));
        // Fed a byte at a time, as a slow link delivers them.
        let mut buf = Vec::new();
        let mut frames = Vec::new();
        for b in wire {
            buf.push(b);
            while let Ok(Some(f)) = next_frame(&mut buf) {
                frames.push(f);
            }
        }
        assert_eq!(frames.len(), 3);
        let Frame::Control { kind, body, .. } = &frames[1] else {
            panic!("{frames:?}")
        };
        assert_eq!(*kind, SYN_STREAM);
        assert_eq!(stream_id(body), Some(3));
        let Frame::Control { body: first, .. } = &frames[0] else {
            panic!("{frames:?}")
        };
        // The second block is only readable after the first: one zlib stream.
        assert_eq!(
            server.read(&first[10..]),
            Ok(vec![
                ("streamtype".into(), "error".into()),
                ("port".into(), "9090".into())
            ])
        );
        assert_eq!(
            server.read(&body[10..]).map(|h| h[0].1.clone()),
            Ok("data".into())
        );
        assert_eq!(
            frames[2],
            Frame::Data {
                stream: 3,
                flags: FLAG_FIN,
                data: b"GET / HTTP/1.1\r\n\r\n".to_vec()
            }
        );
        // A reply the client can read.
        let reply = server.syn_reply(3, 0);
        let mut rb = reply.clone();
        let Ok(Some(Frame::Control { kind, body, .. })) = next_frame(&mut rb) else {
            panic!("{reply:?}")
        };
        assert_eq!(kind, SYN_REPLY);
        assert_eq!(client.read(&body[4..]), Ok(vec![]));
    }

    #[test]
    fn garbage_is_an_error_not_a_panic() {
        let mut b = vec![0x80, 0x02, 0, 1, 0, 0, 0, 0];
        assert!(next_frame(&mut b).is_err());
        let mut big = vec![0, 0, 0, 1, 0, 0xff, 0xff, 0xff];
        assert!(next_frame(&mut big).is_err());
        let mut h = Headers::default();
        assert!(h.read(b"\x78\x9cnot deflate at all").is_err());
        assert!(parse_pairs(&[0, 0, 0, 5, 0]).is_err());
    }
}
