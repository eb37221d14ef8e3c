//! Watches: a chunked stream of one JSON event per line. Resumes from a
//! resourceVersion (retained history, or an in-stream 410 Expired then close),
//! honours label and field selectors (objects moving in or out of a selector become
//! ADDED/DELETED), sends BOOKMARKs when asked, serves Tables for `kubectl get -w`, and
//! stays open until `timeoutSeconds`, the client leaving, or shutdown.

use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Duration;

use bytes::Bytes;
use http::Response;
use serde_json::{Value, json};
use tokio::sync::broadcast::error::RecvError;
use tokio::sync::mpsc;

use super::crud::{Filters, to_served};
use super::route::Target;
use super::{Body, Req, error_response, stream_response};
use crate::sim::Shared;
use crate::sim::kinds::Kind;
use crate::sim::status::ApiError;
use crate::sim::store::{Change, ChangeType};
use crate::sim::table::{Include, table};

struct Encoder {
    surface: &'static crate::sim::kinds::Surface,
    table: bool,
    include: Include,
    sent_columns: bool,
}

impl Encoder {
    fn line(&mut self, ty: &str, obj: &Value, now: jiff::Timestamp) -> Bytes {
        let served = to_served(self.surface, obj);
        let object = if self.table && ty != "BOOKMARK" && ty != "ERROR" {
            let rv = crate::sim::obj::resource_version(obj).to_string();
            let t = table(
                self.surface,
                &[served],
                &rv,
                None,
                now,
                self.include,
                !self.sent_columns,
            );
            self.sent_columns = true;
            t
        } else {
            served
        };
        let mut s = serde_json::to_vec(&json!({"type": ty, "object": object})).unwrap_or_default();
        s.push(b'\n');
        Bytes::from(s)
    }
}

impl Encoder {
    /// Appends one event line to `buf`, writing the stored object as is where it is
    /// served unchanged (no copy of it), as `line` would say it otherwise.
    fn append(
        &mut self,
        ty: &str,
        obj: &Arc<Value>,
        now: jiff::Timestamp,
        buf: &mut Vec<u8>,
        json: &crate::sim::jsoncache::JsonCache,
    ) {
        let plain = !self.table
            && self.surface.repr != crate::sim::kinds::Repr::EventsV1
            && !matches!(self.surface.stored, Some(Kind::Custom(_)));
        if plain {
            buf.extend_from_slice(br#"{"type":""#);
            buf.extend_from_slice(ty.as_bytes());
            buf.extend_from_slice(br#"","object":"#);
            json.write(obj, buf);
            buf.extend_from_slice(b"}\n");
        } else {
            buf.extend_from_slice(&self.line(ty, obj, now));
        }
    }
}

/// Initial events are sent in chunks of about this size (not one write per object).
const CHUNK: usize = 256 * 1024;

fn expired_line(e: &ApiError) -> Bytes {
    let mut s =
        serde_json::to_vec(&json!({"type": "ERROR", "object": e.to_status()})).unwrap_or_default();
    s.push(b'\n');
    Bytes::from(s)
}

fn in_scope(t: &Target, v: &Value) -> bool {
    match &t.namespace {
        Some(ns) => crate::sim::obj::namespace(v) == ns,
        None => true,
    }
}

pub fn handle(shared: &Arc<Shared>, r: &Req, t: &Target) -> Response<Body> {
    let Some(kind) = t.surface.stored else {
        return error_response(&ApiError::method_not_allowed(
            "watch is not supported on this resource",
        ));
    };
    let filters = match Filters::from_query(r) {
        Ok(f) => f,
        Err(e) => return error_response(&e),
    };
    let rv_param = r.query.get("resourceVersion").unwrap_or("").to_string();
    let timeout = r
        .query
        .get("timeoutSeconds")
        .and_then(|s| s.parse::<u64>().ok())
        .map(Duration::from_secs);
    let bookmarks = r.query.flag("allowWatchBookmarks");
    // Streaming lists (WatchList): the current state as ADDED events, then a
    // BOOKMARK marked `k8s.io/initial-events-end`, then changes. An older server
    // does not know `sendInitialEvents` and refuses `resourceVersionMatch` on a
    // watch, which is how clients learn to fall back.
    let rvm = r.query.get("resourceVersionMatch").unwrap_or("");
    let streaming =
        shared.cfg.lists == crate::sim::ListSemantics::Full && r.query.flag("sendInitialEvents");
    if streaming {
        if rvm != "NotOlderThan" {
            return error_response(&ApiError::new(
                422,
                "Invalid",
                format!(
                    "{} is invalid: resourceVersionMatch: Forbidden: sendInitialEvents requires setting resourceVersionMatch to NotOlderThan",
                    t.surface.kind
                ),
            ));
        }
        if !bookmarks {
            return error_response(&ApiError::new(
                422,
                "Invalid",
                format!(
                    "{} is invalid: allowWatchBookmarks: Forbidden: sendInitialEvents requires allowWatchBookmarks=true",
                    t.surface.kind
                ),
            ));
        }
    } else if !rvm.is_empty() && shared.cfg.lists != crate::sim::ListSemantics::IgnoresWatchList {
        return error_response(&ApiError::bad_request(
            "resourceVersionMatch is forbidden for watch unless sendInitialEvents is provided",
        ));
    }
    let mut enc = Encoder {
        surface: t.surface,
        table: r.wants_table(),
        include: Include::parse(r.query.get("includeObject")),
        sent_columns: false,
    };
    let (tx, rx) = mpsc::channel::<Bytes>(256);
    let ct = if enc.table {
        "application/json;as=Table;v=v1;g=meta.k8s.io"
    } else {
        "application/json"
    };
    // Initial state and the live receiver, taken under the lock so nothing is missed.
    let (initial, mut live, current_rv, now) = {
        let st = shared.lock();
        let now = st.store.now();
        if streaming || rv_param.is_empty() || rv_param == "0" {
            let items: Vec<Arc<Value>> = st
                .store
                .list(kind, t.namespace.as_deref())
                .into_iter()
                .filter(|v| filters.matches(t.surface, v))
                .collect();
            let initial: Vec<(ChangeType, Arc<Value>)> =
                items.into_iter().map(|v| (ChangeType::Added, v)).collect();
            match st.store.watch_from(kind, st.store.current_rv()) {
                Ok((_, rx)) => (initial, rx, st.store.current_rv(), now),
                Err(e) => return error_response(&e),
            }
        } else {
            let Ok(from) = rv_param.parse::<u64>() else {
                return error_response(&ApiError::bad_request(format!(
                    "invalid resource version: {rv_param}"
                )));
            };
            match st.store.watch_from(kind, from) {
                Ok((backlog, rx)) => {
                    let initial: Vec<(ChangeType, Arc<Value>)> = backlog
                        .iter()
                        .filter_map(|c| classify(t, &filters, c).map(|ty| (ty, c.obj.clone())))
                        .collect();
                    (initial, rx, st.store.current_rv(), now)
                }
                Err(e) => {
                    let line = expired_line(&e);
                    tokio::spawn(async move {
                        let _ = tx.send(line).await;
                    });
                    return stream_response(ct, rx);
                }
            }
        }
    };
    let shared = shared.clone();
    let target = t.clone();
    let interval = shared.cfg.bookmark_interval;
    let mut expire = shared.expire.subscribe();
    expire.mark_unchanged();
    let mut drops = shared.faults.drops.subscribe();
    drops.mark_unchanged();
    tokio::spawn(async move {
        shared.stats.watches_open.fetch_add(1, Ordering::Relaxed);
        let mut last_rv = current_rv;
        let mut buf: Vec<u8> = Vec::with_capacity(CHUNK + 8192);
        for (ty, obj) in initial {
            enc.append(ty.as_str(), &obj, now, &mut buf, &shared.json);
            if buf.len() >= CHUNK {
                let chunk = Bytes::from(std::mem::replace(
                    &mut buf,
                    Vec::with_capacity(CHUNK + 8192),
                ));
                if tx.send(chunk).await.is_err() {
                    shared.stats.watches_open.fetch_sub(1, Ordering::Relaxed);
                    return;
                }
            }
        }
        if !buf.is_empty() && tx.send(Bytes::from(buf)).await.is_err() {
            shared.stats.watches_open.fetch_sub(1, Ordering::Relaxed);
            return;
        }
        if streaming {
            let end = json!({
                "kind": target.surface.kind,
                "apiVersion": target.surface.api_version(),
                "metadata": {
                    "resourceVersion": current_rv.to_string(),
                    "annotations": {"k8s.io/initial-events-end": "true"},
                },
            });
            if tx.send(enc.line("BOOKMARK", &end, now)).await.is_err() {
                shared.stats.watches_open.fetch_sub(1, Ordering::Relaxed);
                return;
            }
        }
        let deadline = timeout.map(|d| tokio::time::Instant::now() + d);
        let mut ticker = tokio::time::interval(interval);
        ticker.tick().await;
        loop {
            let sleep_until = deadline
                .unwrap_or_else(|| tokio::time::Instant::now() + Duration::from_secs(3600 * 24));
            let line = tokio::select! {
                _ = shared.cancel.cancelled() => break,
                _ = tx.closed() => break,
                _ = tokio::time::sleep_until(sleep_until) => break,
                // A dropped stream: it just ends, as when a load balancer cuts it.
                _ = drops.changed() => break,
                _ = expire.changed() => {
                    let _ = tx.send(expired_line(&ApiError::expired(format!("too old resource version: {last_rv}")))).await;
                    break;
                }
                _ = ticker.tick(), if bookmarks => {
                    let bm = json!({"kind": target.surface.kind, "apiVersion": target.surface.api_version(), "metadata": {"resourceVersion": last_rv.to_string()}});
                    Some(enc.line("BOOKMARK", &bm, jiff::Timestamp::now()))
                }
                msg = live.recv() => match msg {
                    Ok(c) => {
                        if c.kind != kind {
                            continue;
                        }
                        last_rv = c.rv;
                        let now = shared.lock().store.now();
                        classify(&target, &filters, &c).map(|ty| enc.line(ty.as_str(), &c.obj, now))
                    }
                    Err(RecvError::Lagged(_)) => {
                        let _ = tx.send(expired_line(&ApiError::expired("too old resource version: the watch fell behind"))).await;
                        break;
                    }
                    Err(RecvError::Closed) => break,
                }
            };
            if let Some(l) = line
                && tx.send(l).await.is_err()
            {
                break;
            }
        }
        shared.stats.watches_open.fetch_sub(1, Ordering::Relaxed);
    });
    stream_response(ct, rx)
}

/// How a change appears to a watcher with these filters (None: not at all).
fn classify(t: &Target, f: &Filters, c: &Change) -> Option<ChangeType> {
    if c.kind == Kind::Event && t.surface.stored != Some(Kind::Event) {
        return None;
    }
    if !in_scope(t, &c.obj) {
        return None;
    }
    let now_match = f.matches(t.surface, &c.obj);
    let was_match = c.old.as_ref().is_some_and(|o| f.matches(t.surface, o));
    match c.ty {
        ChangeType::Added => now_match.then_some(ChangeType::Added),
        ChangeType::Deleted => (now_match || was_match).then_some(ChangeType::Deleted),
        ChangeType::Modified => match (was_match, now_match) {
            (true, true) => Some(ChangeType::Modified),
            (false, true) => Some(ChangeType::Added),
            (true, false) => Some(ChangeType::Deleted),
            (false, false) => None,
        },
    }
}
