//! Reveal one key of a Secret: a read, but of a secret, so it is guarded like a
//! change — `get secrets` is checked first, the name is typed in protected scopes,
//! the intent is recorded before the value is fetched, and the outcome says "revealed
//! key K of secret S" — never the value. The value lives only in the dialog that
//! shows it, is never written anywhere, and is wiped from memory when the dialog
//! closes.

use std::sync::Arc;

use serde_json::json;

use super::run::{self, Access, Executed, Write};
use super::{Plan, Progress, Request, Risk};
use crate::audit::{Outcome, Preflight};
use crate::cluster::msg::CtxId;
use crate::cluster::store::ClusterData;

/// Longest value shown (a larger one is cut, and the dialog says so).
pub const SHOWN_MAX: usize = 64 * 1024;

/// A revealed value: wiped from memory when dropped; its `Debug` never shows it, so
/// a state dump or a log line cannot carry it.
#[derive(Clone, PartialEq, Eq)]
pub struct Revealed {
    bytes: Vec<u8>,
    /// The value's full size (it may have been cut to `SHOWN_MAX`).
    pub size: usize,
}

impl Revealed {
    pub fn new(mut bytes: Vec<u8>) -> Revealed {
        let size = bytes.len();
        if bytes.len() > SHOWN_MAX {
            for b in &mut bytes[SHOWN_MAX..] {
                *b = 0;
            }
            bytes.truncate(SHOWN_MAX);
        }
        Revealed { bytes, size }
    }

    /// The value as lines for the screen: text made inert (control characters shown,
    /// never sent to the terminal), binary as hex.
    pub fn lines(&self) -> Vec<String> {
        match std::str::from_utf8(&self.bytes) {
            Ok(text) => text
                .lines()
                .map(|l| crate::util::sanitize::line(l, 4096))
                .collect(),
            Err(_) => self
                .bytes
                .chunks(16)
                .map(|c| {
                    c.iter()
                        .map(|b| format!("{b:02x}"))
                        .collect::<Vec<_>>()
                        .join(" ")
                })
                .collect(),
        }
    }

    pub fn is_text(&self) -> bool {
        std::str::from_utf8(&self.bytes).is_ok()
    }
}

impl Drop for Revealed {
    fn drop(&mut self) {
        for b in self.bytes.iter_mut() {
            // A volatile write, so the wipe is not optimised away.
            unsafe { std::ptr::write_volatile(b, 0) };
        }
    }
}

impl std::fmt::Debug for Revealed {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Revealed(<{} bytes, not shown>)", self.size)
    }
}

pub fn plan(
    d: &ClusterData,
    ctx: CtxId,
    namespace: &str,
    name: &str,
    key: &str,
) -> Result<Plan, String> {
    let s = d
        .kinds
        .secrets
        .get(&(Arc::from(namespace), Arc::from(name)))
        .ok_or_else(|| format!("secret/{name} is gone"))?;
    let size = s
        .keys
        .iter()
        .find(|(k, _)| k.as_ref() == key)
        .map(|(_, n)| *n)
        .ok_or_else(|| format!("secret/{name} has no key {key:?}"))?;
    let mut p = Plan::new("reveal", ctx, namespace, format!("secret/{name}"));
    p.risk = Risk::High;
    p.before = format!("key {key} hidden ({size} bytes)");
    p.after = format!("key {key} shown on this screen until esc");
    p.blast =
        "the value is shown on this terminal, to anyone who can see it; it is not recorded".into();
    p.params = json!({"key": key});
    p.warnings
        .push("the audit log records that you revealed the key, never its value".into());
    p.request = Some(Request::RevealSecret {
        namespace: namespace.to_string(),
        name: name.to_string(),
        key: key.to_string(),
    });
    Ok(p)
}

fn path(namespace: &str, name: &str) -> String {
    format!("/api/v1/namespaces/{namespace}/secrets/{name}")
}

/// The one request: a read (nothing to dry-run).
pub fn writes(req: &Request) -> Vec<Write> {
    let Request::RevealSecret {
        namespace, name, ..
    } = req
    else {
        return Vec::new();
    };
    vec![Write {
        method: http::Method::GET,
        path: path(namespace, name),
        content_type: "application/json",
        body: Vec::new(),
        access: req.access(),
        dry_run: false,
        what: format!("GET secret/{name}"),
    }]
}

/// The server checks: may the person read the secret?
pub async fn preflight(client: &kube::Client, req: &Request) -> Vec<Preflight> {
    let a: Access = req.access();
    let name = format!("access: {}", a.describe());
    let mut out = vec![match run::review(client, &a).await {
        Ok(None) => run::check(&name, true, "allowed"),
        Ok(Some(why)) => run::check(&name, false, why),
        Err(e) => run::check(&name, false, format!("could not ask: {e}")),
    }];
    out.push(run::check("dry run", true, "a read: nothing is changed"));
    out
}

/// Reads the secret and decodes the key (the intent is already on record).
pub async fn fetch(client: &kube::Client, req: &Request, mut done: Executed) -> Executed {
    let Request::RevealSecret {
        namespace,
        name,
        key,
    } = req
    else {
        done.outcome = Outcome::Failed;
        done.detail = "not a reveal request".into();
        return done;
    };
    let text = match run::request(
        client,
        http::Method::GET,
        &path(namespace, name),
        None,
        Vec::new(),
    )
    .await
    {
        Ok(t) => t,
        Err(e) => {
            done.outcome = Outcome::Failed;
            done.detail = format!("reading secret/{name}: {}", e.message);
            return done;
        }
    };
    done.sent = 1;
    let v: serde_json::Value = match serde_json::from_str(&text) {
        Ok(v) => v,
        Err(e) => {
            done.outcome = Outcome::Failed;
            done.detail = format!("reading secret/{name}: {e}");
            return done;
        }
    };
    let encoded = v["data"][key.as_str()].as_str().unwrap_or("");
    match decode_base64(encoded) {
        Some(bytes) if v["data"].get(key.as_str()).is_some() => {
            done.detail =
                format!("revealed key {key} of secret {name} (the value is not recorded)");
            done.revealed = Some(Revealed::new(bytes));
        }
        Some(_) => {
            done.outcome = Outcome::Failed;
            done.detail = format!("secret/{name} no longer has a key {key:?}");
        }
        None => {
            done.outcome = Outcome::Failed;
            done.detail = format!("key {key} of secret/{name} is not valid base64");
        }
    }
    done
}

/// Standard base64 (padding optional).
pub fn decode_base64(s: &str) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(s.len() / 4 * 3);
    let mut acc = 0u32;
    let mut bits = 0;
    for c in s.bytes() {
        let v = match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'+' => 62,
            b'/' => 63,
            b'=' => break,
            b'\n' | b'\r' => continue,
            _ => return None,
        };
        acc = (acc << 6) | v as u32;
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
            acc &= (1 << bits) - 1;
        }
    }
    Some(out)
}

/// Shown as soon as it is read: nothing to wait for.
pub fn verify(_: &ClusterData, _: &Request) -> Progress {
    Progress::Done("shown".into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_and_a_value_that_never_prints() {
        assert_eq!(
            decode_base64("aHVudGVyMg==").as_deref(),
            Some(&b"hunter2"[..])
        );
        assert_eq!(decode_base64("YWJj").as_deref(), Some(&b"abc"[..]));
        assert_eq!(decode_base64("").as_deref(), Some(&b""[..]));
        assert!(decode_base64("a*b").is_none());
        let r = Revealed::new(b"hunter2\n\x1b[31mline two".to_vec());
        assert_eq!(r.size, 21);
        let dump = format!("{r:?}");
        assert!(!dump.contains("hunter2"), "{dump}");
        let lines = r.lines();
        assert_eq!(lines[0], "hunter2");
        assert!(!lines[1].contains('\u{1b}'), "{lines:?}");
        let bin = Revealed::new(vec![0xff, 0x00, 0x10]);
        assert!(!bin.is_text());
        assert_eq!(bin.lines(), vec!["ff 00 10"]);
        let big = Revealed::new(vec![b'a'; SHOWN_MAX + 10]);
        assert_eq!(big.size, SHOWN_MAX + 10);
        // A long line is cut (with a marker) rather than sent whole to the terminal.
        let first = &big.lines()[0];
        assert!(first.ends_with('…'), "{}", first.len());
        assert_eq!(first.chars().count(), 4096.min(SHOWN_MAX) + 1);
    }
}
