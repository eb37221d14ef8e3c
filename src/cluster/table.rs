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
    /// A full list (replaces the rows of its scope).
    Listed {
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
    client: kube::Client,
    ctx: CtxId,
    browse: u64,
    res: Arc<ApiRes>,
    namespace: Option<String>,
    tx: Sender<E>,
    cancel: CancellationToken,
) {
    let base = res.path(namespace.as_deref());
    let say = |m: TableMsg| {
        Msg::Table {
            ctx,
            browse,
            msg: m,
        }
        .into()
    };
    let mut backoff = Duration::from_millis(500);
    'relist: loop {
        let listed = tokio::select! {
            _ = cancel.cancelled() => return,
            l = tokio::time::timeout(Duration::from_secs(30), list(&client, &base)) => l,
        };
        let (t, mut rv) = match listed {
            Ok(Ok(x)) => x,
            Ok(Err(e)) => {
                if tx.send(say(TableMsg::Failed(e))).await.is_err() {
                    return;
                }
                tokio::select! {
                    _ = cancel.cancelled() => return,
                    _ = tokio::time::sleep(backoff) => {}
                }
                backoff = (backoff * 2).min(Duration::from_secs(30));
                continue;
            }
            Err(_) => {
                if tx
                    .send(say(TableMsg::Failed(
                        "the list did not complete within 30 s".into(),
                    )))
                    .await
                    .is_err()
                {
                    return;
                }
                continue;
            }
        };
        backoff = Duration::from_millis(500);
        let cols = columns(&t);
        let all = rows(&t, cols.len());
        let truncated =
            all.len() >= MAX_ROWS || !t["metadata"]["continue"].as_str().unwrap_or("").is_empty();
        let n = cols.len();
        if tx
            .send(say(TableMsg::Listed {
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
            let uri = format!(
                "{base}?watch=1&allowWatchBookmarks=true&includeObject=Metadata&timeoutSeconds=290&resourceVersion={rv}"
            );
            let resp = tokio::select! {
                _ = cancel.cancelled() => return,
                r = send_json(&client, &uri) => r,
            };
            let Ok(resp) = resp else {
                tokio::select! {
                    _ = cancel.cancelled() => return,
                    _ = tokio::time::sleep(Duration::from_secs(2)) => {}
                }
                continue 'relist;
            };
            let mut body = resp.into_body();
            let mut buf: Vec<u8> = Vec::new();
            loop {
                let frame = tokio::select! {
                    _ = cancel.cancelled() => return,
                    f = body.frame() => f,
                };
                let Some(Ok(frame)) = frame else {
                    // The watch ended (timeout, server restart): resume from `rv`.
                    break;
                };
                let Some(chunk) = frame.data_ref() else {
                    continue;
                };
                buf.extend_from_slice(chunk);
                if buf.len() > 32 << 20 {
                    continue 'relist;
                }
                while let Some(i) = buf.iter().position(|b| *b == b'\n') {
                    let line: Vec<u8> = buf.drain(..=i).collect();
                    let Ok(ev) = serde_json::from_slice::<Value>(&line) else {
                        continue;
                    };
                    let obj = &ev["object"];
                    match ev["type"].as_str().unwrap_or("") {
                        "ERROR" => continue 'relist,
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
            }
        }
    }
}
