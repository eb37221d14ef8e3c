//! VolumeSnapshots, where the cluster serves `snapshot.storage.k8s.io/v1`: a watcher
//! whose known set is sent whole (they are few) at most every two seconds. Where the
//! API group is not served, that is said once and checked again every five minutes —
//! it is not an error and does not make the context stale.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use futures::StreamExt;
use kube::Api;
use kube::runtime::watcher;
use tokio::sync::mpsc::Sender;
use tokio_util::sync::CancellationToken;

use k8s_openapi::apimachinery::pkg::apis::meta::v1::{ObjectMeta, Time};
use serde::Deserialize;

use super::kinds::{Info, Interner, Key, Kind, Record, Ts, object_name, resource, slim_meta, ts};
use super::link::{Link, OwnBackoff};
use super::msg::{CtxId, Msg};
use crate::util::sanitize;

#[derive(Deserialize, Clone, Debug, Default)]
#[serde(rename_all = "camelCase")]
pub struct SnapshotSource {
    pub persistent_volume_claim_name: Option<String>,
    pub volume_snapshot_content_name: Option<String>,
}

#[derive(Deserialize, Clone, Debug, Default)]
pub struct SnapshotSpec {
    #[serde(default)]
    pub source: SnapshotSource,
}

#[derive(Deserialize, Clone, Debug, Default)]
pub struct SnapshotError {
    pub message: Option<String>,
    pub time: Option<Time>,
}

#[derive(Deserialize, Clone, Debug, Default)]
#[serde(rename_all = "camelCase")]
pub struct SnapshotStatus {
    pub ready_to_use: Option<bool>,
    pub creation_time: Option<Time>,
    pub restore_size: Option<String>,
    pub error: Option<SnapshotError>,
}

/// `snapshot.storage.k8s.io/v1` VolumeSnapshot (served only where the CSI snapshot
/// CRDs are installed).
#[derive(Deserialize, Clone, Debug, Default)]
pub struct VolumeSnapshot {
    #[serde(deserialize_with = "slim_meta", default)]
    pub metadata: ObjectMeta,
    #[serde(default)]
    pub spec: SnapshotSpec,
    #[serde(default)]
    pub status: SnapshotStatus,
}

/// A VolumeSnapshot: its source PVC, readiness, when it was taken, and any error.
#[derive(Clone, Debug, PartialEq)]
pub struct SnapshotRec {
    pub namespace: Arc<str>,
    pub name: Arc<str>,
    pub pvc: Arc<str>,
    pub ready: bool,
    pub created: Ts,
    pub size: Option<Box<str>>,
    pub error: Option<Box<str>>,
}

impl SnapshotRec {
    pub fn from(v: &VolumeSnapshot, names: &mut Interner) -> SnapshotRec {
        let m = &v.metadata;
        let created = ts(&v.status.creation_time)
            .or(ts(&m.creation_timestamp))
            .unwrap_or(0);
        SnapshotRec {
            namespace: names.clean(m.namespace.as_deref().unwrap_or(""), 253),
            name: object_name(m.name.as_deref().unwrap_or("")),
            pvc: names.clean(
                v.spec
                    .source
                    .persistent_volume_claim_name
                    .as_deref()
                    .or(v.spec.source.volume_snapshot_content_name.as_deref())
                    .unwrap_or("?"),
                253,
            ),
            ready: v.status.ready_to_use.unwrap_or(false),
            created,
            size: v
                .status
                .restore_size
                .as_deref()
                .map(|s| Box::from(sanitize::line(s, 20).as_str())),
            error: v
                .status
                .error
                .as_ref()
                .and_then(|e| e.message.as_deref())
                .map(|s| Box::from(sanitize::line(s, 300).as_str())),
        }
    }
}

impl Record for SnapshotRec {
    fn key(&self) -> Key {
        (self.namespace.clone(), self.name.clone())
    }
    fn created(&self) -> Ts {
        self.created
    }
}

/// Not in the registry (the group is optional, and its absence is no error): watched
/// by `run` below.
impl Kind for VolumeSnapshot {
    type Rec = SnapshotRec;
    const INFO: Info = Info {
        kind: "VolumeSnapshot",
        group: "snapshot.storage.k8s.io",
        version: "v1",
        plural: "volumesnapshots",
        singular: "volumesnapshot",
        short: &["vs"],
        namespaced: true,
        title: "VolumeSnapshots",
    };

    fn record(&self, names: &mut Interner) -> SnapshotRec {
        SnapshotRec::from(self, names)
    }
}
resource!(VolumeSnapshot, Namespaced);

const RECHECK: Duration = Duration::from_secs(300);
const BATCH: Duration = Duration::from_secs(2);

/// Whether the group is served (`GET /apis/snapshot.storage.k8s.io/v1`).
async fn served(client: &kube::Client) -> Result<bool, String> {
    let resp = super::ping::get(client, "/apis/snapshot.storage.k8s.io/v1").await?;
    Ok(resp.status().is_success())
}

/// Lists VolumeSnapshots once: `None` when the cluster does not serve them.
pub async fn list_once(client: &kube::Client) -> Option<Result<Vec<SnapshotRec>, String>> {
    let api: Api<VolumeSnapshot> = Api::all(client.clone());
    match api
        .list(&kube::api::ListParams::default().limit(5000))
        .await
    {
        Ok(list) => {
            let mut names = Interner::default();
            Some(Ok(list
                .items
                .iter()
                .map(|v| SnapshotRec::from(v, &mut names))
                .collect()))
        }
        Err(kube::Error::Api(e)) if e.code == 404 => None,
        Err(e) => Some(Err(super::watch::short_error(&e))),
    }
}

pub async fn run<E: From<Msg> + Send + 'static>(
    link: Link,
    ctx: CtxId,
    namespaces: Vec<String>,
    tx: Sender<E>,
    cancel: CancellationToken,
) {
    let Some(client) = link.client() else { return };
    loop {
        tokio::select! {
            _ = cancel.cancelled() => return,
            _ = link.wait_up() => {}
        }
        match tokio::time::timeout(Duration::from_secs(10), served(&client)).await {
            Ok(Ok(true)) => break,
            Ok(Ok(false)) => {
                let _ = tx.send(Msg::Snapshots { ctx, result: None }.into()).await;
            }
            _ => {}
        }
        tokio::select! {
            _ = cancel.cancelled() => return,
            _ = tokio::time::sleep(RECHECK) => {}
        }
    }
    let apis: Vec<Api<VolumeSnapshot>> = if namespaces.is_empty() {
        vec![Api::all(client)]
    } else {
        namespaces
            .iter()
            .map(|n| Api::namespaced(client.clone(), n))
            .collect()
    };
    let streams = apis.into_iter().map(|api| {
        // No backoff of its own: after a failure the link says when to go on.
        watcher(api, watcher::Config::default()).boxed()
    });
    let mut stream = futures::stream::select_all(streams);
    let mut names = Interner::default();
    let mut known: BTreeMap<(Arc<str>, Arc<str>), SnapshotRec> = BTreeMap::new();
    let mut pending: BTreeMap<(Arc<str>, Arc<str>), SnapshotRec> = BTreeMap::new();
    let mut dirty = false;
    let mut tick = tokio::time::interval(BATCH);
    let mut own = OwnBackoff::new(Duration::from_secs(60));
    loop {
        tokio::select! {
            _ = cancel.cancelled() => return,
            _ = tick.tick() => {
                if dirty {
                    dirty = false;
                    let list: Vec<SnapshotRec> = known.values().cloned().collect();
                    if tx.send(Msg::Snapshots { ctx, result: Some(Ok(list)) }.into()).await.is_err() {
                        return;
                    }
                }
            }
            item = stream.next() => {
                let Some(item) = item else { return };
                match item {
                    Ok(watcher::Event::Init) => pending.clear(),
                    Ok(watcher::Event::InitApply(o)) => {
                        let r = SnapshotRec::from(&o, &mut names);
                        pending.insert((r.namespace.clone(), r.name.clone()), r);
                    }
                    Ok(watcher::Event::InitDone) => {
                        // One scope relisted: replace what that scope held.
                        let scopes: std::collections::HashSet<Arc<str>> =
                            pending.keys().map(|k| k.0.clone()).collect();
                        if namespaces.is_empty() {
                            known = std::mem::take(&mut pending);
                        } else {
                            known.retain(|k, _| !scopes.contains(&k.0));
                            known.append(&mut pending);
                        }
                        dirty = true;
                    }
                    Ok(watcher::Event::Apply(o)) => {
                        let r = SnapshotRec::from(&o, &mut names);
                        known.insert((r.namespace.clone(), r.name.clone()), r);
                        dirty = true;
                    }
                    Ok(watcher::Event::Delete(o)) => {
                        let r = SnapshotRec::from(&o, &mut names);
                        known.remove(&(r.namespace.clone(), r.name.clone()));
                        dirty = true;
                    }
                    Err(e) => {
                        let msg = crate::util::sanitize::line(&super::watch::short_error(&e), 200);
                        if tx.send(Msg::Snapshots { ctx, result: Some(Err(msg)) }.into()).await.is_err() {
                            return;
                        }
                        if !link.settle(&mut own, &cancel).await {
                            return;
                        }
                    }
                }
            }
        }
    }
}
