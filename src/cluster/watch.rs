//! Watchers, one task per kind and scope (all namespaces, or one), that
//! turn slim objects into compact records and send them to the app: a relist as one
//! batch (replacing what was known), then single applies and deletes; and the state
//! of each watch (live, failing with the reason, forbidden). Generic over the kind
//! (any registry kind) and over the app's event type.

use std::sync::Arc;

use futures::StreamExt;
use kube::Api;
use kube::api::WatchEvent;
use tokio::sync::mpsc::Sender;
use tokio_util::sync::CancellationToken;

use super::kinds::{Interner, Listing, ResKind, Stored, Visit, object_name};
use super::link::{Link, ListMode, OwnBackoff};
use super::msg::{CtxId, FeedStatus, Msg};

fn api<K: Stored>(client: kube::Client, namespace: Option<&str>) -> Api<K> {
    K::api(client, namespace)
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

/// Why a list or watch failed, and what to do about it.
struct Failure {
    status: FeedStatus,
    /// 410: the resourceVersion is too old; list again at once.
    gone: bool,
}

fn failure(e: &kube::Error) -> Failure {
    match e {
        kube::Error::Api(s) => Failure {
            status: match s.code {
                403 => FeedStatus::Forbidden(crate::util::sanitize::line(&s.message, 200)),
                404 => FeedStatus::Absent(crate::util::sanitize::line(&s.message, 200)),
                _ => FeedStatus::Failing(crate::util::sanitize::line(
                    &format!("{} ({})", s.message, s.code),
                    200,
                )),
            },
            gone: s.code == 410,
        },
        _ => Failure {
            status: FeedStatus::Failing(crate::util::sanitize::line(&short_error(e), 200)),
            gone: false,
        },
    }
}

/// Longest wait between retries of a kind the server keeps refusing while it
/// answers everything else (a kind it does not serve: longer).
const OWN_BACKOFF_MAX: std::time::Duration = std::time::Duration::from_secs(60);
const ABSENT_BACKOFF_MAX: std::time::Duration = std::time::Duration::from_secs(300);

/// The list, as `mode` says (one cached response, or pages), and the
/// resourceVersion to watch from. A server that pages anyway is followed page by page.
async fn list_initial<K: Stored>(
    api: &Api<K>,
    names: &mut Interner,
    mode: ListMode,
) -> Result<(Vec<Arc<K::Rec>>, String), kube::Error> {
    let mut out = Vec::new();
    let mut params = match mode {
        ListMode::Cached => kube::api::ListParams::default().match_any(),
        _ => kube::api::ListParams::default().limit(500),
    };
    loop {
        let page = api.list(&params).await?;
        out.extend(page.items.iter().map(|o| Arc::new(o.record(names))));
        match page.metadata.continue_.filter(|c| !c.is_empty()) {
            // A continue token carries its own resourceVersion (none may be given).
            Some(c) => {
                params = kube::api::ListParams::default()
                    .limit(500)
                    .continue_token(&c)
            }
            None => {
                return Ok((out, page.metadata.resource_version.unwrap_or_default()));
            }
        }
    }
}

/// The server does not offer what was asked (an older server refusing
/// `sendInitialEvents`/`resourceVersionMatch`): step down, not back off.
fn refuses_mode(e: &kube::Error) -> bool {
    matches!(e, kube::Error::Api(s) if s.code == 400 || s.code == 422)
}

/// How long a streaming list may go quiet before the bookmark that ends its initial
/// events (a server that ignored `sendInitialEvents` never sends it).
const STREAMING_QUIET: std::time::Duration = std::time::Duration::from_secs(5);

/// The annotation on the bookmark that ends a streaming list's initial events.
const INITIAL_EVENTS_END: &str = "k8s.io/initial-events-end";

/// Watches `K` in `namespace` (or everywhere) until `cancel`: a list, then a watch
/// from its resourceVersion, resumed from the last one seen whenever it ends or
/// fails (listed again only on 410). Nothing is asked while the link's server does
/// not answer; a watch open across an outage is restarted when it answers again.
pub async fn run<K: Stored, E: From<Msg> + Send + 'static>(
    link: Link,
    ctx: CtxId,
    namespace: Option<String>,
    tx: Sender<E>,
    cancel: CancellationToken,
) {
    let Some(client) = link.client() else { return };
    let api = api::<K>(client.clone(), namespace.as_deref());
    let scope: Option<Arc<str>> = if K::INFO.namespaced {
        namespace.as_deref().map(Arc::from)
    } else {
        None
    };
    let say = |m: Msg| {
        let tx = tx.clone();
        async move { tx.send(m.into()).await.is_ok() }
    };
    let feed = |status: FeedStatus| Msg::Feed {
        ctx,
        kind: K::ID,
        status,
    };
    let mut names = Interner::default();
    let mut rv: Option<String> = None;
    let mut own = OwnBackoff::new(OWN_BACKOFF_MAX);
    let mut absent = OwnBackoff::new(ABSENT_BACKOFF_MAX);
    // Nothing is asked before the server answers the liveness probe.
    tokio::select! {
        _ = cancel.cancelled() => return,
        _ = link.wait_up() => {}
    }
    loop {
        // Restarted after an outage, or failed in one: nothing is asked of a server
        // that is not answering; the moment it does, the watch resumes.
        if !link.is_up() {
            tokio::select! {
                _ = cancel.cancelled() => return,
                _ = link.wait_up() => {}
            }
        }
        let outages = link.health().outages;
        // A stream that ends at once having delivered nothing (a proxy cutting it)
        // must not become a loop of requests.
        let mut empty_quick_end = false;
        // The server refused this way of listing: try the next one at once.
        let mut stepped_down = false;
        let result: Result<(), kube::Error> = async {
            // Where the watch starts: from a known resourceVersion, as a streaming
            // list (the state arrives on the watch itself), or after a list.
            let mode = link.list_mode();
            let streaming = rv.is_none() && mode == ListMode::Streaming;
            let from = match rv.clone() {
                Some(v) => v,
                None if streaming => "0".to_string(),
                None => {
                    let (records, v) = match list_initial::<K>(&api, &mut names, mode).await {
                        Err(e) if mode == ListMode::Cached && refuses_mode(&e) => {
                            link.list_refused(mode);
                            stepped_down = true;
                            return Ok(());
                        }
                        r => r?,
                    };
                    if !say(Msg::Relisted {
                        ctx,
                        scope: scope.clone(),
                        listing: K::listing(records),
                    })
                    .await
                    {
                        return Ok(());
                    }
                    rv = Some(v.clone());
                    v
                }
            };
            let wp = if streaming {
                kube::api::WatchParams::default().timeout(290).initial_events()
            } else {
                kube::api::WatchParams::default().timeout(290)
            };
            let stream = match super::watch_stream::open::<K>(&client, api.resource_url(), &wp, &from).await {
                Err(e) if streaming && refuses_mode(&e) => {
                    tracing::debug!(ctx, kind = ?K::ID, error = %e, "no streaming lists; listing instead");
                    link.list_refused(mode);
                    stepped_down = true;
                    return Ok(());
                }
                r => r?,
            };
            tracing::debug!(ctx, kind = ?K::ID, streaming, "watch open");
            // The watch is (again) established: the kind is live once its state is
            // known (at once after a list; at the end of a streaming list's initial
            // events). Its own backoff resets once the stream has delivered.
            absent.reset();
            // A streaming list's state, gathered until the bookmark that ends it.
            // Each record is shared from the start (the table and the recorder hold
            // the same one), and the list grows by pointers, not by records.
            let mut initial: Option<Vec<Arc<K::Rec>>> = streaming.then(Vec::new);
            if initial.is_none() && !say(feed(FeedStatus::Live)).await {
                return Ok(());
            }
            let mut stream = std::pin::pin!(stream);
            let opened = std::time::Instant::now();
            let mut delivered = false;
            loop {
                // A streaming list's initial events come back to back; a server that
                // goes quiet before the bookmark ending them ignored the request
                // (sent the old synthetic ADDED events, then only changes).
                let quiet = async {
                    if initial.is_some() {
                        tokio::time::sleep(STREAMING_QUIET).await
                    } else {
                        std::future::pending().await
                    }
                };
                let ev = tokio::select! {
                    _ = cancel.cancelled() => return Ok(()),
                    // Open across an outage: it may never deliver again.
                    _ = link.outage_after(outages) => return Ok(()),
                    _ = quiet => {
                        tracing::debug!(ctx, kind = ?K::ID, "a streaming list never ended; listing instead");
                        link.list_refused(ListMode::Streaming);
                        stepped_down = true;
                        return Ok(());
                    }
                    ev = stream.next() => ev,
                };
                let Some(ev) = ev else {
                    // Ended (the server's timeout, a restart): resume from `rv`.
                    empty_quick_end =
                        !delivered && opened.elapsed() < std::time::Duration::from_secs(1);
                    // (A streaming list cut before its end is asked for again.)
                    return Ok(());
                };
                if !delivered {
                    delivered = true;
                    own.reset();
                }
                let ev = ev?;
                if let Some(pending) = initial.as_mut() {
                    match ev {
                        WatchEvent::Added(o) => {
                            pending.push(Arc::new(o.record(&mut names)));
                        }
                        // A streaming list's initial events are all ADDED, ended by
                        // its bookmark: anything else first means the server ignored
                        // the request (a busy cluster never goes quiet to show it).
                        WatchEvent::Modified(_) | WatchEvent::Deleted(_) => {
                            tracing::debug!(ctx, kind = ?K::ID, "a streaming list was ignored; listing instead");
                            link.list_refused(ListMode::Streaming);
                            stepped_down = true;
                            return Ok(());
                        }
                        WatchEvent::Bookmark(b) => {
                            let end = b
                                .metadata
                                .annotations
                                .get(INITIAL_EVENTS_END)
                                .is_some_and(|v| v == "true");
                            if !end {
                                link.list_refused(ListMode::Streaming);
                                stepped_down = true;
                                return Ok(());
                            }
                            if end {
                                rv = Some(b.metadata.resource_version);
                                let records = initial.take().unwrap_or_default();
                                if !say(Msg::Relisted {
                                    ctx,
                                    scope: scope.clone(),
                                    listing: K::listing(records),
                                })
                                .await
                                    || !say(feed(FeedStatus::Live)).await
                                {
                                    return Ok(());
                                }
                            }
                        }
                        WatchEvent::Error(e) => return Err(kube::Error::Api(e.boxed())),
                    }
                    continue;
                }
                let m = match ev {
                    WatchEvent::Added(o) | WatchEvent::Modified(o) => {
                        if let Some(v) = kube::Resource::meta(&o).resource_version.clone() {
                            rv = Some(v);
                        }
                        Msg::Applied {
                            ctx,
                            obj: Box::new(K::object(o.record(&mut names))),
                        }
                    }
                    WatchEvent::Deleted(o) => {
                        let m = kube::Resource::meta(&o);
                        if let Some(v) = m.resource_version.clone() {
                            rv = Some(v);
                        }
                        Msg::Deleted {
                            ctx,
                            kind: K::ID,
                            namespace: names.clean(m.namespace.as_deref().unwrap_or(""), 253),
                            name: object_name(m.name.as_deref().unwrap_or("")),
                        }
                    }
                    WatchEvent::Bookmark(b) => {
                        rv = Some(b.metadata.resource_version);
                        continue;
                    }
                    WatchEvent::Error(e) => {
                        return Err(kube::Error::Api(e.boxed()));
                    }
                };
                if !say(m).await {
                    return Ok(());
                }
            }
        }
        .await;
        if cancel.is_cancelled() || tx.is_closed() {
            return;
        }
        let Err(e) = result else {
            if stepped_down {
                continue;
            }
            if empty_quick_end {
                tokio::select! {
                    _ = cancel.cancelled() => return,
                    _ = tokio::time::sleep(own.failed()) => {}
                }
            }
            continue;
        };
        let f = failure(&e);
        tracing::debug!(ctx, kind = ?K::ID, error = %e, "watch failed");
        if f.gone {
            // Too old: list again, at once (no backoff step).
            rv = None;
            continue;
        }
        if !say(feed(f.status.clone())).await {
            return;
        }
        // Was it the server (down meanwhile: go on the moment it answers) or this
        // kind's own trouble (wait, growing)?
        let backoff = match f.status {
            FeedStatus::Absent(_) => &mut absent,
            _ => &mut own,
        };
        if !link.settle(backoff, &cancel).await {
            return;
        }
    }
}

/// Lists `K` once, as records (for one-shot commands such as `kdeck status`): one
/// cached list, in pages where the server pages anyway or refuses it.
pub async fn list_once<K: Stored>(
    client: &kube::Client,
    namespace: Option<&str>,
) -> Result<Listing, String> {
    let api = api::<K>(client.clone(), namespace);
    let mut names = Interner::default();
    let said = |e: kube::Error| match &e {
        kube::Error::Api(s) if s.code == 403 => {
            format!("forbidden to list {}: {}", K::INFO.plural, s.message)
        }
        _ => format!("listing {}: {}", K::INFO.plural, short_error(&e)),
    };
    let out = match list_initial::<K>(&api, &mut names, ListMode::Cached).await {
        Err(e) if refuses_mode(&e) => list_initial::<K>(&api, &mut names, ListMode::Paged)
            .await
            .map_err(said)?,
        r => r.map_err(said)?,
    };
    Ok(K::listing(out.0))
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
    link: &'a Link,
    ctx: CtxId,
    namespace: Option<String>,
    tx: &'a Sender<E>,
    cancel: &'a CancellationToken,
}

impl<E: From<Msg> + Send + 'static> Visit for Spawn<'_, E> {
    type Out = ();
    fn visit<K: Stored>(self) {
        tokio::spawn(run::<K, E>(
            self.link.clone(),
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
    link: &Link,
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
                    link,
                    ctx,
                    namespace: scope.clone(),
                    tx,
                    cancel,
                });
            }
        } else {
            kind.visit(Spawn {
                link,
                ctx,
                namespace: None,
                tx,
                cancel,
            });
        }
    }
}
