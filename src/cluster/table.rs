//! A live list of any resource, from the server's own Table output (`Accept:
//! application/json;as=Table;v=v1;g=meta.k8s.io`, rows carrying their object's
//! metadata): a list, then a watch of Table rows from its resourceVersion; a 410 or a
//! dropped watch lists again. Cells are sanitised and bounded here. What kdeck shows
//! for kinds it has no view of its own for (custom resources, leases…).

use std::sync::Arc;
use std::time::Duration;

use http_body_util::BodyExt;
use serde_json::Value;
use tokio::sync::mpsc::Sender;
use tokio_util::sync::CancellationToken;

use super::discovery::ApiRes;
use super::kinds::{Key, Ts, object_name};
use super::link::{Link, OwnBackoff};
use super::msg::{CtxId, Msg};

pub const ACCEPT: &str = "application/json;as=Table;v=v1;g=meta.k8s.io,application/json";

/// Longest cell kept.
const CELL_MAX: usize = 200;
/// Most rows kept per list (a list beyond this is cut, and says so).
pub const MAX_ROWS: usize = 20_000;

/// A column the server prints.
#[derive(Clone, Debug, PartialEq)]
pub struct TableCol {
    pub name: String,
    /// `string`, `integer`, `date`…
    pub ty: String,
    /// 0: shown; higher: `-o wide` only.
    pub priority: i64,
}

/// One row: its object's identity, the printed cells, and when it was created (ages
/// are computed again as time passes).
#[derive(Clone, Debug, PartialEq)]
pub struct TableRow {
    pub key: Key,
    pub cells: Vec<String>,
    pub created: Option<Ts>,
}

#[derive(Debug)]
pub enum TableMsg {
    /// A full list (replaces the rows of its scope: one namespace, or all).
    Listed {
        scope: Option<String>,
        columns: Vec<TableCol>,
        rows: Vec<TableRow>,
        truncated: bool,
    },
    Upsert(TableRow),
    Removed(Key),
    /// Listing or watching failed (it is tried again).
    Failed(String),
}

fn cell(v: &Value) -> String {
    match v {
        Value::Null => "<none>".into(),
        Value::String(s) => crate::util::sanitize::line(s, CELL_MAX),
        Value::Number(n) => n.to_string(),
        Value::Bool(b) => b.to_string(),
        other => crate::util::sanitize::line(&other.to_string(), CELL_MAX),
    }
}

fn columns(t: &Value) -> Vec<TableCol> {
    t["columnDefinitions"]
        .as_array()
        .into_iter()
        .flatten()
        .take(40)
        .map(|c| TableCol {
            name: crate::util::sanitize::line(c["name"].as_str().unwrap_or(""), 60),
            ty: crate::util::sanitize::line(c["type"].as_str().unwrap_or("string"), 20),
            priority: c["priority"].as_i64().unwrap_or(0),
        })
        .collect()
}

fn rows(t: &Value, ncols: usize) -> Vec<TableRow> {
    t["rows"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|r| {
            let meta = &r["object"]["metadata"];
            let cells: Vec<String> = r["cells"]
                .as_array()
                .into_iter()
                .flatten()
                .take(ncols.max(1))
                .map(cell)
                .collect();
            let name = meta["name"]
                .as_str()
                .map(object_name)
                .unwrap_or_else(|| object_name(cells.first().map_or("", String::as_str)));
            TableRow {
                key: (
                    Arc::from(crate::util::sanitize::line(
                        meta["namespace"].as_str().unwrap_or(""),
                        253,
                    )),
                    name,
                ),
                created: meta["creationTimestamp"]
                    .as_str()
                    .and_then(|s| s.parse::<jiff::Timestamp>().ok())
                    .map(|t| t.as_second()),
                cells,
            }
        })
        .collect()
}

async fn send_json(
    client: &kube::Client,
    uri: &str,
) -> Result<http::Response<kube::client::Body>, String> {
    super::raw::send(client, uri, ACCEPT).await
}

/// Lists once: the table, its resourceVersion.
async fn list(client: &kube::Client, base: &str) -> Result<(Value, String), String> {
    let resp = send_json(
        client,
        &format!("{base}?includeObject=Metadata&limit={MAX_ROWS}"),
    )
    .await?;
    let bytes = super::raw::read(resp.into_body(), 256 << 20)
        .await
        .map_err(|e| format!("the list is {e}"))?;
    let t: Value = serde_json::from_slice(&bytes).map_err(|e| format!("not a Table: {e}"))?;
    if t["kind"] != "Table" {
        return Err("the server does not print this resource as a Table".into());
    }
    let rv = t["metadata"]["resourceVersion"]
        .as_str()
        .unwrap_or("")
        .to_string();
    Ok((t, rv))
}

/// Keeps `res` (in `namespace`, or everywhere) listed and watched, sending what
/// changes, until `cancel`.
#[allow(clippy::too_many_arguments)]
pub async fn run<E: From<Msg> + Send + 'static>(
    link: Link,
    ctx: CtxId,
    browse: u64,
    res: Arc<ApiRes>,
    namespace: Option<String>,
    tx: Sender<E>,
    cancel: CancellationToken,
) {
    let Some(client) = link.client() else { return };
    let base = res.path(namespace.as_deref());
    let scope = namespace.clone().filter(|_| res.namespaced);
    let say = |m: TableMsg| {
        Msg::Table {
            ctx,
            browse,
            msg: m,
        }
        .into()
    };
    let mut own = OwnBackoff::new(Duration::from_secs(30));
    // After a failure: on at once when it was the server's outage, else a growing
    // wait (a watch that keeps erroring must not become a tight list loop).
    macro_rules! failed {
        ($l:lifetime, $why:expr) => {{
            if tx.send(say(TableMsg::Failed($why))).await.is_err() {
                return;
            }
            if !link.settle(&mut own, &cancel).await {
                return;
            }
            continue $l;
        }};
    }
    tokio::select! {
        _ = cancel.cancelled() => return,
        _ = link.wait_up() => {}
    }
    'relist: loop {
        let listed = tokio::select! {
            _ = cancel.cancelled() => return,
            l = tokio::time::timeout(Duration::from_secs(30), list(&client, &base)) => l,
        };
        let (t, mut rv) = match listed {
            Ok(Ok(x)) => x,
            Ok(Err(e)) => failed!('relist, e),
            Err(_) => failed!('relist, "the list did not complete within 30 s".into()),
        };
        let cols = columns(&t);
        let mut all = rows(&t, cols.len());
        let truncated =
            all.len() > MAX_ROWS || !t["metadata"]["continue"].as_str().unwrap_or("").is_empty();
        all.truncate(MAX_ROWS);
        let n = cols.len();
        if tx
            .send(say(TableMsg::Listed {
                scope: scope.clone(),
                columns: cols,
                rows: all,
                truncated,
            }))
            .await
            .is_err()
        {
            return;
        }
        loop {
            let outages = link.health().outages;
            let uri = format!(
                "{base}?watch=1&allowWatchBookmarks=true&includeObject=Metadata&timeoutSeconds=290&resourceVersion={rv}"
            );
            let resp = tokio::select! {
                _ = cancel.cancelled() => return,
                r = send_json(&client, &uri) => r,
            };
            let resp = match resp {
                Ok(r) => r,
                Err(e) => failed!('relist, e),
            };
            own.reset();
            let mut body = resp.into_body();
            let mut buf: Vec<u8> = Vec::new();
            loop {
                let frame = tokio::select! {
                    _ = cancel.cancelled() => return,
                    // Open across an outage: it may never deliver again.
                    _ = link.outage_after(outages) => break,
                    f = body.frame() => f,
                };
                let Some(Ok(frame)) = frame else {
                    // The watch ended (timeout, server restart): resume from `rv`.
                    break;
                };
                let Some(chunk) = frame.data_ref() else {
                    continue;
                };
                // Only the new bytes are searched for line ends.
                let searched = buf.len();
                buf.extend_from_slice(chunk);
                if buf.len() > 32 << 20 {
                    failed!('relist, "a watch event larger than 32 MB".into());
                }
                let mut start = 0;
                let mut from = searched;
                while let Some(off) = buf[from..].iter().position(|b| *b == b'\n') {
                    let end = from + off;
                    let line = &buf[start..end];
                    start = end + 1;
                    from = start;
                    let Ok(ev) = serde_json::from_slice::<Value>(line) else {
                        continue;
                    };
                    let obj = &ev["object"];
                    match ev["type"].as_str().unwrap_or("") {
                        "ERROR" => {
                            if obj["code"].as_i64() == Some(410) {
                                // Too old: list again at once.
                                continue 'relist;
                            }
                            failed!('relist, crate::util::sanitize::line(
                                obj["message"].as_str().unwrap_or("the watch failed"),
                                200
                            ));
                        }
                        "BOOKMARK" => {
                            if let Some(r) = obj["metadata"]["resourceVersion"].as_str() {
                                rv = r.to_string();
                            }
                        }
                        ty => {
                            if let Some(r) = obj["metadata"]["resourceVersion"]
                                .as_str()
                                .or(obj["rows"][0]["object"]["metadata"]["resourceVersion"]
                                    .as_str())
                            {
                                rv = r.to_string();
                            }
                            for row in rows(obj, n) {
                                let m = if ty == "DELETED" {
                                    TableMsg::Removed(row.key)
                                } else {
                                    TableMsg::Upsert(row)
                                };
                                if tx.send(say(m)).await.is_err() {
                                    return;
                                }
                            }
                        }
                    }
                }
                buf.drain(..start);
            }
        }
    }
}
