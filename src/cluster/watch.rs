//! kube-runtime watchers, one task per kind and scope (all namespaces, or one), that
//! turn slim objects into compact records and send them to the app: a relist as one
//! batch (replacing what was known), then single applies and deletes; and the state
//! of each watch (live, failing with the reason, forbidden). Generic over the kind
//! (any registry kind) and over the app's event type.

use std::sync::Arc;

use futures::StreamExt;
use kube::Api;
use kube::runtime::{WatchStreamExt, watcher};
use tokio::sync::mpsc::Sender;
use tokio_util::sync::CancellationToken;

use super::kinds::{Interner, Listing, ResKind, Stored, Visit, object_name};
use super::msg::{CtxId, FeedStatus, Msg};

fn api<K: Stored>(client: kube::Client, namespace: Option<&str>) -> Api<K> {
    K::api(client, namespace)
}

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
        if s.code == 404 && matches!(e, watcher::Error::InitialListFailed(_)) {
            return FeedStatus::Absent(crate::util::sanitize::line(&s.message, 200));
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
pub async fn run<K: Stored, E: From<Msg> + Send + 'static>(
    client: kube::Client,
    ctx: CtxId,
    namespace: Option<String>,
    tx: Sender<E>,
    cancel: CancellationToken,
) {
    let api = api::<K>(client, namespace.as_deref());
    let scope: Option<Arc<str>> = if K::INFO.namespaced {
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
                    listing: K::listing(std::mem::take(&mut batch)),
                })
            }
            Ok(watcher::Event::Apply(o)) => {
                if !healthy {
                    healthy = true;
                    let live = Msg::Feed {
                        ctx,
                        kind: K::ID,
                        status: FeedStatus::Live,
                    };
                    if tx.send(live.into()).await.is_err() {
                        return;
                    }
                }
                Some(Msg::Applied {
                    ctx,
                    obj: Box::new(K::object(o.record(&mut names))),
                })
            }
            Ok(watcher::Event::Delete(o)) => {
                let m = kube::Resource::meta(&o);
                Some(Msg::Deleted {
                    ctx,
                    kind: K::ID,
                    namespace: names.clean(m.namespace.as_deref().unwrap_or(""), 253),
                    name: object_name(m.name.as_deref().unwrap_or("")),
                })
            }
            Err(e) => {
                healthy = false;
                tracing::debug!(ctx, kind = ?K::ID, error = %e, "watch error");
                Some(Msg::Feed {
                    ctx,
                    kind: K::ID,
                    status: classify(&e),
                })
            }
        };
        if let Some(m) = msg
            && tx.send(m.into()).await.is_err()
        {
            return;
        }
    }
}

/// Lists `K` once (paged), as records (for one-shot commands such as `kdeck status`).
pub async fn list_once<K: Stored>(
    client: &kube::Client,
    namespace: Option<&str>,
) -> Result<Listing, String> {
    let api = api::<K>(client.clone(), namespace);
    let mut names = Interner::default();
    let mut out = Vec::new();
    let mut params = kube::api::ListParams::default().limit(500);
    loop {
        let page = api.list(&params).await.map_err(|e| match &e {
            kube::Error::Api(s) if s.code == 403 => {
                format!("forbidden to list {}: {}", K::INFO.plural, s.message)
            }
            _ => format!("listing {}: {}", K::INFO.plural, short_error(&e)),
        })?;
        out.extend(page.items.iter().map(|o| o.record(&mut names)));
        match page.metadata.continue_.filter(|c| !c.is_empty()) {
            Some(c) => params = params.continue_token(&c),
            None => break,
        }
    }
    Ok(K::listing(out))
}

struct ListOnce<'a> {
    client: &'a kube::Client,
    namespace: Option<&'a str>,
}

impl<'a> Visit for ListOnce<'a> {
    type Out = futures::future::BoxFuture<'a, Result<Listing, String>>;
    fn visit<K: Stored>(self) -> Self::Out {
        Box::pin(list_once::<K>(self.client, self.namespace))
    }
}

/// Lists every watched kind once into records (snapshots, `kdeck status`): the
/// listings and the errors of those that failed.
pub async fn list_all(
    client: &kube::Client,
    namespace: Option<&str>,
) -> (Vec<Listing>, Vec<String>) {
    let all = ResKind::ALL
        .iter()
        .map(|k| k.visit(ListOnce { client, namespace }));
    let mut listings = Vec::new();
    let mut errors = Vec::new();
    for r in futures::future::join_all(all).await {
        match r {
            Ok(l) => listings.push(l),
            Err(e) => errors.push(e),
        }
    }
    (listings, errors)
}

struct Spawn<'a, E> {
    client: &'a kube::Client,
    ctx: CtxId,
    namespace: Option<String>,
    tx: &'a Sender<E>,
    cancel: &'a CancellationToken,
}

impl<E: From<Msg> + Send + 'static> Visit for Spawn<'_, E> {
    type Out = ();
    fn visit<K: Stored>(self) {
        tokio::spawn(run::<K, E>(
            self.client.clone(),
            self.ctx,
            self.namespace,
            self.tx.clone(),
            self.cancel.clone(),
        ));
    }
}

/// Starts every watcher of one context: one per kind, and per namespace when the
/// session is scoped to some (cluster-scoped kinds are watched once).
pub fn spawn_all<E: From<Msg> + Send + 'static>(
    client: &kube::Client,
    ctx: CtxId,
    namespaces: &[String],
    tx: &Sender<E>,
    cancel: &CancellationToken,
) {
    let scopes: Vec<Option<String>> = if namespaces.is_empty() {
        vec![None]
    } else {
        namespaces.iter().cloned().map(Some).collect()
    };
    for &kind in ResKind::ALL {
        if kind.info().namespaced {
            for scope in &scopes {
                kind.visit(Spawn {
                    client,
                    ctx,
                    namespace: scope.clone(),
                    tx,
                    cancel,
                });
            }
        } else {
            kind.visit(Spawn {
                client,
                ctx,
                namespace: None,
                tx,
                cancel,
            });
        }
    }
}
