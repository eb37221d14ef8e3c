//! A context's link to its API server: the client (set once credentials have been
//! obtained, which can take a while and must never hold up the screen) and whether
//! the server answers, as one cheap liveness probe per context sees it.
//!
//! Everything that talks to the server asks the link first. While the server is
//! down nothing is sent but the probe: watchers wait for it (`confirm`), periodic
//! readers skip a round, health probes through the API proxy say "unknown". The
//! probe itself is polite: while the server refuses connections it only tries a TCP
//! connect each second (no request reaches anything); once a connection is taken it
//! sends `GET /version` with a backoff capped at `HTTP_BACKOFF_MAX`, honouring
//! `Retry-After`. Watchers resume the moment it answers.

use std::sync::atomic::{AtomicU8, Ordering};
use std::sync::{Arc, OnceLock};
use std::time::{Duration, Instant};

use tokio::sync::{Notify, watch};

/// What the probe last concluded.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Health {
    /// The server answered the last probe.
    pub up: bool,
    /// Answers so far (a watcher waits for one newer than its failure).
    pub answers: u64,
    /// Probes that got no answer so far (a watch open across one is restarted).
    pub outages: u64,
}

struct Inner {
    client: OnceLock<kube::Client>,
    health: watch::Sender<Health>,
    /// A watcher or reader failed: probe now rather than at the next interval.
    check: Notify,
    /// How this server's initial lists are read (learned: starts at the fastest).
    list_mode: AtomicU8,
}

/// How a watcher reads the initial state, fastest first. A watcher starts with what
/// the link has learned and steps down when the server refuses; every other kind
/// on the same server then starts there.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum ListMode {
    /// A streaming list (WatchList: a watch with `sendInitialEvents=true`, the state
    /// as events up to a bookmark marked `k8s.io/initial-events-end`): one request,
    /// decoded as it arrives, never held whole.
    Streaming = 0,
    /// One `resourceVersion=0` list, answered from the server's watch cache (no
    /// pages), as client-go's informers do.
    Cached = 1,
    /// Pages of 500 (consistent reads from storage): for servers without either.
    Paged = 2,
}

impl ListMode {
    fn from_u8(v: u8) -> ListMode {
        match v {
            0 => ListMode::Streaming,
            1 => ListMode::Cached,
            _ => ListMode::Paged,
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            ListMode::Streaming => "streaming list",
            ListMode::Cached => "cached list",
            ListMode::Paged => "paged list",
        }
    }
}

/// One context's link (cheap to clone; all clones share it).
#[derive(Clone)]
pub struct Link {
    inner: Arc<Inner>,
}

impl Default for Link {
    fn default() -> Self {
        Link::new()
    }
}

impl std::fmt::Debug for Link {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Link")
            .field("client", &self.inner.client.get().is_some())
            .field("health", &*self.inner.health.borrow())
            .finish()
    }
}

impl Link {
    /// A link with no client yet, its server not yet known to answer.
    pub fn new() -> Link {
        let (health, _) = watch::channel(Health {
            up: false,
            answers: 0,
            outages: 0,
        });
        Link {
            inner: Arc::new(Inner {
                client: OnceLock::new(),
                health,
                check: Notify::new(),
                list_mode: AtomicU8::new(ListMode::Streaming as u8),
            }),
        }
    }

    /// A link whose client is ready and whose server is taken to answer (tests and
    /// one-shot commands that probed it themselves).
    pub fn ready(client: kube::Client) -> Link {
        let l = Link::new();
        l.set_client(client);
        l.answered();
        l
    }

    pub fn set_client(&self, client: kube::Client) {
        let _ = self.inner.client.set(client);
    }

    pub fn client(&self) -> Option<kube::Client> {
        self.inner.client.get().cloned()
    }

    /// How initial lists are read from this server now.
    pub fn list_mode(&self) -> ListMode {
        ListMode::from_u8(self.inner.list_mode.load(Ordering::Relaxed))
    }

    /// The server refused `mode`: from now on use the next slower one (never back
    /// up: a server does not gain features while kdeck runs).
    pub fn list_refused(&self, mode: ListMode) {
        let next = (mode as u8 + 1).min(ListMode::Paged as u8);
        self.inner.list_mode.fetch_max(next, Ordering::Relaxed);
    }

    /// Whether the server answered the last probe.
    pub fn is_up(&self) -> bool {
        self.inner.health.borrow().up
    }

    pub fn health(&self) -> Health {
        *self.inner.health.borrow()
    }

    /// The probe got an answer.
    pub fn answered(&self) {
        self.inner.health.send_modify(|h| {
            h.up = true;
            h.answers += 1;
        });
    }

    /// The probe got no answer.
    pub fn unanswered(&self) {
        self.inner.health.send_modify(|h| {
            h.up = false;
            h.outages += 1;
        });
    }

    /// Asks the probe to look now (something failed).
    pub fn nudge(&self) {
        self.inner.check.notify_one();
    }

    /// Waits for the probe to be asked (or `max`).
    pub async fn nudged(&self, max: Duration) {
        let _ = tokio::time::timeout(max, self.inner.check.notified()).await;
    }

    /// After a failure: asks the probe to look now and waits until the server has
    /// answered a probe made since. Returns whether the server was down meanwhile
    /// (the failure was the outage's, not the request's own).
    pub async fn confirm(&self) -> bool {
        let mut rx = self.inner.health.subscribe();
        let before = *rx.borrow();
        self.nudge();
        let _ = rx.wait_for(|h| h.up && h.answers > before.answers).await;
        let after = *rx.borrow();
        !before.up || after.outages > before.outages
    }

    /// After a failure of a background loop: waits for the server to answer again
    /// (`confirm`), then — when the server was up all along, so the failure was the
    /// loop's own — for `own`'s next backoff step. `false` when cancelled meanwhile.
    pub async fn settle(
        &self,
        own: &mut OwnBackoff,
        cancel: &tokio_util::sync::CancellationToken,
    ) -> bool {
        let outage = tokio::select! {
            _ = cancel.cancelled() => return false,
            o = self.confirm() => o,
        };
        if !outage {
            let wait = own.failed();
            tokio::select! {
                _ = cancel.cancelled() => return false,
                _ = tokio::time::sleep(wait) => {}
            }
        }
        true
    }

    /// Resolves when a probe made after `seen` outages gets no answer (a watch
    /// stream open across an outage may never deliver again: it is restarted).
    pub async fn outage_after(&self, seen: u64) {
        let mut rx = self.inner.health.subscribe();
        let _ = rx.wait_for(|h| h.outages > seen).await;
    }

    /// Waits until the server answers (at once if it does).
    pub async fn wait_up(&self) {
        let mut rx = self.inner.health.subscribe();
        let _ = rx.wait_for(|h| h.up).await;
    }
}

/// Every context's link, by context id.
#[derive(Clone, Debug, Default)]
pub struct Links(Arc<[Link]>);

impl Links {
    pub fn new(n: usize) -> Links {
        Links((0..n).map(|_| Link::new()).collect())
    }

    pub fn from_vec(v: Vec<Link>) -> Links {
        Links(v.into())
    }

    pub fn get(&self, ctx: usize) -> Option<&Link> {
        self.0.get(ctx)
    }

    /// The context's client, if it has one and its server answers.
    pub fn usable(&self, ctx: usize) -> Option<kube::Client> {
        self.get(ctx).filter(|l| l.is_up()).and_then(Link::client)
    }

    /// The context's client, if it has one (whether or not the server answers).
    pub fn client(&self, ctx: usize) -> Option<kube::Client> {
        self.get(ctx).and_then(Link::client)
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

/// Longest wait between `GET /version` attempts while the server is down.
pub const HTTP_BACKOFF_MAX: Duration = Duration::from_secs(5);
/// Between TCP connect attempts while the server refuses connections.
pub const TCP_EVERY: Duration = Duration::from_secs(1);
/// The longest `Retry-After` honoured.
pub const RETRY_AFTER_MAX: Duration = Duration::from_secs(30);

/// When the next HTTP attempt is due while the server does not answer: doubling
/// from 1 s to `HTTP_BACKOFF_MAX`, or the server's `Retry-After` (bounded).
#[derive(Debug, Clone)]
pub struct Backoff {
    next: Duration,
}

impl Default for Backoff {
    fn default() -> Self {
        Backoff {
            next: Duration::from_secs(1),
        }
    }
}

impl Backoff {
    /// The wait before the next attempt after a failure.
    pub fn failed(&mut self, retry_after: Option<Duration>) -> Duration {
        // The server's Retry-After is a floor, never a reason to ask more often
        // than the backoff would.
        let wait = match retry_after {
            Some(r) => r.min(RETRY_AFTER_MAX).max(self.next),
            None => self.next,
        };
        self.next = (self.next * 2).min(HTTP_BACKOFF_MAX);
        wait
    }

    pub fn reset(&mut self) {
        self.next = Duration::from_secs(1);
    }
}

/// A watcher's own backoff for failures the server's liveness does not explain (a
/// kind the server keeps refusing while answering everything else).
#[derive(Debug, Clone)]
pub struct OwnBackoff {
    next: Duration,
    max: Duration,
    last_fail: Option<Instant>,
}

impl OwnBackoff {
    pub fn new(max: Duration) -> OwnBackoff {
        OwnBackoff {
            next: Duration::from_secs(1),
            max,
            last_fail: None,
        }
    }

    /// The wait after a failure of its own; a failure long after the last starts
    /// again from 1 s.
    pub fn failed(&mut self) -> Duration {
        if self.last_fail.is_some_and(|t| t.elapsed() > self.max * 4) {
            self.next = Duration::from_secs(1);
        }
        self.last_fail = Some(Instant::now());
        let wait = self.next;
        self.next = (self.next * 2).min(self.max);
        wait
    }

    pub fn reset(&mut self) {
        self.next = Duration::from_secs(1);
        self.last_fail = None;
    }
}

/// Parses `Retry-After` in seconds (the HTTP-date form is rare from API servers).
pub fn retry_after(v: &str) -> Option<Duration> {
    v.trim().parse::<u64>().ok().map(Duration::from_secs)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn http_backoff_doubles_to_its_cap_and_honours_retry_after() {
        let mut b = Backoff::default();
        let waits: Vec<u64> = (0..6).map(|_| b.failed(None).as_secs()).collect();
        assert_eq!(waits, vec![1, 2, 4, 5, 5, 5]);
        // At the cap: at most 12 attempts a minute.
        assert!(60 / HTTP_BACKOFF_MAX.as_secs() <= 12);
        assert_eq!(b.failed(Some(Duration::from_secs(7))).as_secs(), 7);
        assert_eq!(
            b.failed(Some(Duration::from_secs(3600))),
            RETRY_AFTER_MAX,
            "a huge Retry-After is bounded"
        );
        b.reset();
        assert_eq!(b.failed(None).as_secs(), 1);
        assert_eq!(retry_after(" 12 "), Some(Duration::from_secs(12)));
        assert_eq!(retry_after("Wed, 21 Oct 2015 07:28:00 GMT"), None);
    }

    #[test]
    fn own_backoff_grows_and_resets() {
        let mut b = OwnBackoff::new(Duration::from_secs(8));
        let waits: Vec<u64> = (0..5).map(|_| b.failed().as_secs()).collect();
        assert_eq!(waits, vec![1, 2, 4, 8, 8]);
        b.reset();
        assert_eq!(b.failed().as_secs(), 1);
    }

    #[tokio::test]
    async fn confirm_waits_for_an_answer_after_the_failure_and_says_if_it_was_down() {
        let l = Link::new();
        l.answered();
        // The server answers the probe made after the failure: not an outage.
        let probe = {
            let l = l.clone();
            tokio::spawn(async move {
                l.nudged(Duration::from_secs(5)).await;
                l.answered();
            })
        };
        assert!(!l.confirm().await);
        probe.await.expect("probe");
        // An outage: down, then up again.
        let probe = {
            let l = l.clone();
            tokio::spawn(async move {
                l.nudged(Duration::from_secs(5)).await;
                l.unanswered();
                tokio::time::sleep(Duration::from_millis(20)).await;
                l.answered();
            })
        };
        assert!(l.confirm().await);
        probe.await.expect("probe");
        assert!(l.is_up());
    }
}
