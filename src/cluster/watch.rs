//! kube-runtime watchers, one task per kind and scope (all namespaces, or one), that
//! turn slim objects into compact records and send them to the app: a relist as one
//! batch (replacing what was known), then single applies and deletes; and the state
//! of each watch (live, failing with the reason, forbidden).

use std::fmt::Debug;
use std::sync::Arc;

use futures::StreamExt;
use kube::Api;
use kube::runtime::{WatchStreamExt, watcher};
use serde::de::DeserializeOwned;
use tokio::sync::mpsc::Sender;
use tokio_util::sync::CancellationToken;

use super::model::*;
use super::slim;
use crate::app::msg::{Applied, CtxId, Feed, FeedStatus, Msg, ResKind};

/// A watched slim kind and how it becomes a record.
pub trait Watched:
    kube::Resource<DynamicType = ()> + Clone + Debug + DeserializeOwned + Send + Sync + 'static
{
    type Rec: Send + 'static;
    const KIND: ResKind;
    const NAMESPACED: bool = true;
    fn record(&self, names: &mut Interner) -> Self::Rec;
    /// The API for `namespace` (or all namespaces).
    fn api(client: kube::Client, namespace: Option<&str>) -> Api<Self>;
    fn many(v: Vec<Self::Rec>) -> Feed;
    fn one(r: Self::Rec) -> Applied;
}

macro_rules! watched {
    ($slim:ty, $rec:ty, $kind:ident, $feed:ident, $applied:ident, |$o:ident, $n:ident| $conv:expr) => {
        impl Watched for $slim {
            type Rec = $rec;
            const KIND: ResKind = ResKind::$kind;
            fn record(&self, $n: &mut Interner) -> $rec {
                let $o = self;
                $conv
            }
            fn api(client: kube::Client, namespace: Option<&str>) -> Api<Self> {
                match namespace {
                    Some(ns) => Api::namespaced(client, ns),
                    None => Api::all(client),
                }
            }
            fn many(v: Vec<$rec>) -> Feed {
                Feed::$feed(v)
            }
            fn one(r: $rec) -> Applied {
                Applied::$applied(r)
            }
        }
    };
}

impl Watched for slim::Namespace {
    type Rec = NamespaceRec;
    const KIND: ResKind = ResKind::Namespace;
    const NAMESPACED: bool = false;
    fn record(&self, names: &mut Interner) -> NamespaceRec {
        NamespaceRec::from(self, names)
    }
    fn api(client: kube::Client, _: Option<&str>) -> Api<Self> {
        Api::all(client)
    }
    fn many(v: Vec<NamespaceRec>) -> Feed {
        Feed::Namespaces(v)
    }
    fn one(r: NamespaceRec) -> Applied {
        Applied::Namespace(r)
    }
}
watched!(slim::Pod, PodRec, Pod, Pods, Pod, |o, n| PodRec::from(o, n));
watched!(
    slim::Deployment,
    DeploymentRec,
    Deployment,
    Deployments,
    Deployment,
    |o, n| DeploymentRec::from(o, n)
);
watched!(
    slim::ReplicaSet,
    ReplicaSetRec,
    ReplicaSet,
    ReplicaSets,
    ReplicaSet,
    |o, n| ReplicaSetRec::from(o, n)
);
watched!(
    slim::StatefulSet,
    StatefulSetRec,
    StatefulSet,
    StatefulSets,
    StatefulSet,
    |o, n| StatefulSetRec::from(o, n)
);
watched!(slim::Hpa, HpaRec, Hpa, Hpas, Hpa, |o, n| HpaRec::from(o, n));
watched!(
    slim::CronJob,
    CronJobRec,
    CronJob,
    CronJobs,
    CronJob,
    |o, n| CronJobRec::from(o, n)
);
watched!(slim::Job, JobRec, Job, Jobs, Job, |o, n| JobRec::from(o, n));
watched!(
    slim::Service,
    ServiceRec,
    Service,
    Services,
    Service,
    |o, n| ServiceRec::from(o, n)
);
watched!(
    slim::Endpoints,
    EndpointsRec,
    Endpoints,
    Endpoints,
    Endpoints,
    |o, n| EndpointsRec::from(o, n)
);
watched!(slim::Event, EventRec, Event, Events, Event, |o, n| {
    EventRec::from(o, n)
});
watched!(slim::Pdb, PdbRec, Pdb, Pdbs, Pdb, |o, n| PdbRec::from(o, n));

/// Describes a watcher error for the person: forbidden, or failing with why.
pub fn classify(e: &watcher::Error) -> FeedStatus {
    let client_err = match e {
        watcher::Error::InitialListFailed(c)
        | watcher::Error::WatchStartFailed(c)
        | watcher::Error::WatchFailed(c) => Some(c),
        _ => None,
    };
    if let Some(kube::Error::Api(s)) = client_err {
        if s.code == 403 {
            return FeedStatus::Forbidden(crate::util::sanitize::line(&s.message, 200));
        }
        return FeedStatus::Failing(crate::util::sanitize::line(
            &format!("{} ({})", s.message, s.code),
            200,
        ));
    }
    if let watcher::Error::WatchError(s) = e {
        return FeedStatus::Failing(crate::util::sanitize::line(
            &format!("{} ({})", s.message, s.code),
            200,
        ));
    }
    FeedStatus::Failing(crate::util::sanitize::line(&short_error(e), 200))
}

/// The innermost cause of an error chain ("connection refused", not three layers of
/// wrapping).
pub fn short_error(e: &(dyn std::error::Error + 'static)) -> String {
    let mut msg = e.to_string();
    let mut cur = e.source();
    while let Some(s) = cur {
        msg = s.to_string();
        cur = s.source();
    }
    msg
}

/// The outer message with its root cause appended when the outer one does not
/// already say it ("auth error: unable to run auth exec: No such file or directory").
pub fn describe_error(e: &(dyn std::error::Error + 'static)) -> String {
    let outer = e.to_string();
    let inner = short_error(e);
    if outer.contains(&inner) {
        outer
    } else {
        format!("{outer}: {inner}")
    }
}

/// Watches `K` in `namespace` (or everywhere) until `cancel`.
pub async fn run<K: Watched>(
    client: kube::Client,
    ctx: CtxId,
    namespace: Option<String>,
    tx: Sender<Msg>,
    cancel: CancellationToken,
) {
    let api = K::api(client, namespace.as_deref());
    let scope: Option<Arc<str>> = if K::NAMESPACED {
        namespace.as_deref().map(Arc::from)
    } else {
        None
    };
    let mut stream = watcher(api, watcher::Config::default().page_size(500))
        .default_backoff()
        .boxed();
    let mut names = Interner::default();
    let mut batch: Vec<K::Rec> = Vec::new();
    let mut healthy = false;
    loop {
        let item = tokio::select! {
            _ = cancel.cancelled() => return,
            item = stream.next() => item,
        };
        let Some(item) = item else { return };
        let msg = match item {
            Ok(watcher::Event::Init) => {
                batch.clear();
                None
            }
            Ok(watcher::Event::InitApply(o)) => {
                batch.push(o.record(&mut names));
                None
            }
            Ok(watcher::Event::InitDone) => {
                healthy = true;
                Some(Msg::Relisted {
                    ctx,
                    scope: scope.clone(),
                    feed: K::many(std::mem::take(&mut batch)),
                })
            }
            Ok(watcher::Event::Apply(o)) => {
                if !healthy {
                    healthy = true;
                    let _ = tx
                        .send(Msg::Feed {
                            ctx,
                            kind: K::KIND,
                            status: FeedStatus::Live,
                        })
                        .await;
                }
                Some(Msg::Applied {
                    ctx,
                    obj: K::one(o.record(&mut names)),
                })
            }
            Ok(watcher::Event::Delete(o)) => {
                let m = o.meta();
                Some(Msg::Deleted {
                    ctx,
                    kind: K::KIND,
                    namespace: names.clean(m.namespace.as_deref().unwrap_or(""), 253),
                    name: object_name(m.name.as_deref().unwrap_or("")),
                })
            }
            Err(e) => {
                healthy = false;
                tracing::debug!(ctx, kind = ?K::KIND, error = %e, "watch error");
                Some(Msg::Feed {
                    ctx,
                    kind: K::KIND,
                    status: classify(&e),
                })
            }
        };
        if let Some(m) = msg
            && tx.send(m).await.is_err()
        {
            return;
        }
    }
}

/// Lists `K` once (paged), as records (for one-shot commands such as `kdeck status`).
pub async fn list_once<K: Watched>(
    client: &kube::Client,
    namespace: Option<&str>,
) -> Result<Feed, String> {
    let api = K::api(client.clone(), if K::NAMESPACED { namespace } else { None });
    let mut names = Interner::default();
    let mut out = Vec::new();
    let mut params = kube::api::ListParams::default().limit(500);
    loop {
        let page = api.list(&params).await.map_err(|e| match &e {
            kube::Error::Api(s) if s.code == 403 => {
                format!("forbidden to list {}: {}", K::KIND.plural(), s.message)
            }
            _ => format!("listing {}: {}", K::KIND.plural(), short_error(&e)),
        })?;
        out.extend(page.items.iter().map(|o| o.record(&mut names)));
        match page.metadata.continue_.filter(|c| !c.is_empty()) {
            Some(c) => params = params.continue_token(&c),
            None => break,
        }
    }
    Ok(K::many(out))
}

/// Lists every watched kind once into records (snapshots, `kdeck status`): the feeds
/// and the errors of those that failed.
pub async fn list_all(client: &kube::Client, namespace: Option<&str>) -> (Vec<Feed>, Vec<String>) {
    let (a, b, c, d, e, f, g, h, i, j, k, l) = futures::join!(
        list_once::<slim::Namespace>(client, None),
        list_once::<slim::Pod>(client, namespace),
        list_once::<slim::Deployment>(client, namespace),
        list_once::<slim::ReplicaSet>(client, namespace),
        list_once::<slim::StatefulSet>(client, namespace),
        list_once::<slim::Hpa>(client, namespace),
        list_once::<slim::CronJob>(client, namespace),
        list_once::<slim::Job>(client, namespace),
        list_once::<slim::Service>(client, namespace),
        list_once::<slim::Endpoints>(client, namespace),
        list_once::<slim::Event>(client, namespace),
        list_once::<slim::Pdb>(client, namespace),
    );
    let mut feeds = Vec::new();
    let mut errors = Vec::new();
    for r in [a, b, c, d, e, f, g, h, i, j, k, l] {
        match r {
            Ok(feed) => feeds.push(feed),
            Err(e) => errors.push(e),
        }
    }
    (feeds, errors)
}

/// Starts every watcher of one context.
pub fn spawn_all(
    client: &kube::Client,
    ctx: CtxId,
    namespaces: &[String],
    tx: &Sender<Msg>,
    cancel: &CancellationToken,
) {
    let scopes: Vec<Option<String>> = if namespaces.is_empty() {
        vec![None]
    } else {
        namespaces.iter().cloned().map(Some).collect()
    };
    macro_rules! spawn {
        ($t:ty, $scope:expr) => {
            tokio::spawn(run::<$t>(
                client.clone(),
                ctx,
                $scope,
                tx.clone(),
                cancel.clone(),
            ));
        };
    }
    spawn!(slim::Namespace, None);
    for scope in scopes {
        spawn!(slim::Pod, scope.clone());
        spawn!(slim::Deployment, scope.clone());
        spawn!(slim::ReplicaSet, scope.clone());
        spawn!(slim::StatefulSet, scope.clone());
        spawn!(slim::Hpa, scope.clone());
        spawn!(slim::CronJob, scope.clone());
        spawn!(slim::Job, scope.clone());
        spawn!(slim::Service, scope.clone());
        spawn!(slim::Endpoints, scope.clone());
        spawn!(slim::Event, scope.clone());
        spawn!(slim::Pdb, scope.clone());
    }
}
