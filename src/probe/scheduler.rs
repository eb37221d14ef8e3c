//! The probe scheduler: a task that owns the current target list (replaced whenever
//! the fleet changes) and what the person is looking at, and sends each target's
//! request when it is due — never more than each context's budget (requests per
//! second, a token bucket per API server) and the concurrency limit allow, so a
//! 50,000-pod fleet cannot flood an API server. When the budget cannot cover every
//! target it goes, in order, to: workloads on screen, targets whose last verdict was
//! not ok, configured endpoints, then everything else oldest-due first. Verdicts go
//! back to the app as messages.

use std::collections::{BTreeSet, HashMap, HashSet};
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::{mpsc, watch};
use tokio::time::Instant;
use tokio_util::sync::CancellationToken;

use super::evaluate::evaluate;
use super::http::{Clients, probe};
use super::targets::{ProbeTarget, Settings, TargetId};
use super::{HealthState, Msg};
use crate::cluster::msg::CtxId;

/// The workloads on screen: (context, namespace, workload as `deploy/name`).
pub type Focus = HashSet<(CtxId, Arc<str>, Arc<str>)>;

/// Which comes first when the budget is short (lower first).
#[derive(
    Copy, Clone, Debug, PartialEq, Eq, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
pub enum Priority {
    OnScreen = 0,
    NotOk = 1,
    Configured = 2,
    Rest = 3,
}

struct Slot {
    id: TargetId,
    ctx: Option<CtxId>,
    /// Milliseconds after the scheduler's start when the next probe is due.
    due: u64,
    busy: bool,
    /// The last verdict's state (none yet: unknown).
    last: Option<HealthState>,
    priority: Priority,
}

/// A deterministic spread of first probes over the first seconds (so a new target
/// list does not arrive as one burst).
fn stagger(id: &TargetId, over: Duration) -> Duration {
    use std::hash::{Hash, Hasher};
    let mut h = std::collections::hash_map::DefaultHasher::new();
    id.hash(&mut h);
    let ms = over.as_millis().max(1) as u64;
    Duration::from_millis(h.finish() % ms)
}

/// A target's priority, from what is on screen and its last verdict.
pub fn priority(t: &ProbeTarget, last: Option<HealthState>, focus: &Focus) -> Priority {
    let on_screen = t
        .key
        .ctx
        .is_some_and(|c| focus.contains(&(c, t.key.namespace.clone(), t.key.workload.clone())));
    if on_screen {
        Priority::OnScreen
    } else if last.is_some_and(|s| s != HealthState::Ok) {
        Priority::NotOk
    } else if t.pod.is_none() {
        Priority::Configured
    } else {
        Priority::Rest
    }
}

/// The targets and their schedule: the idle ones in a queue ordered by
/// (priority, due), so picking the next few is a walk from its front, not a pass
/// over every target.
struct Book {
    base: Instant,
    list: Arc<Vec<ProbeTarget>>,
    slots: Vec<Slot>,
    index: HashMap<TargetId, usize>,
    queue: BTreeSet<(Priority, u64, usize)>,
    focus: Arc<Focus>,
}

impl Book {
    fn new(base: Instant) -> Book {
        Book {
            base,
            list: Arc::new(Vec::new()),
            slots: Vec::new(),
            index: HashMap::new(),
            queue: BTreeSet::new(),
            focus: Arc::new(Focus::new()),
        }
    }

    fn ms(&self, t: Instant) -> u64 {
        t.saturating_duration_since(self.base).as_millis() as u64
    }

    fn replace(&mut self, list: Arc<Vec<ProbeTarget>>, now: Instant) {
        let mut old: HashMap<TargetId, Slot> = std::mem::take(&mut self.slots)
            .into_iter()
            .map(|s| (s.id.clone(), s))
            .collect();
        let now_ms = self.ms(now);
        self.slots = list
            .iter()
            .map(|t| {
                let id = t.id();
                match old.remove(&id) {
                    Some(mut s) => {
                        s.priority = priority(t, s.last, &self.focus);
                        s
                    }
                    None => Slot {
                        due: now_ms
                            + stagger(&id, t.req.interval.min(Duration::from_secs(2))).as_millis()
                                as u64,
                        ctx: t.key.ctx,
                        busy: false,
                        last: None,
                        priority: priority(t, None, &self.focus),
                        id,
                    },
                }
            })
            .collect();
        self.list = list;
        self.reindex();
    }

    fn reindex(&mut self) {
        self.index = self
            .slots
            .iter()
            .enumerate()
            .map(|(i, s)| (s.id.clone(), i))
            .collect();
        self.queue = self
            .slots
            .iter()
            .enumerate()
            .filter(|(_, s)| !s.busy)
            .map(|(i, s)| (s.priority, s.due, i))
            .collect();
    }

    fn refocus(&mut self, focus: Arc<Focus>) {
        self.focus = focus;
        for (s, t) in self.slots.iter_mut().zip(self.list.iter()) {
            s.priority = priority(t, s.last, &self.focus);
        }
        self.reindex();
    }

    fn finished(&mut self, id: &TargetId, state: HealthState, now: Instant) {
        let now_ms = self.ms(now);
        let Some(&i) = self.index.get(id) else { return };
        let (Some(s), Some(t)) = (self.slots.get_mut(i), self.list.get(i)) else {
            return;
        };
        // A probe of a target that left the list and came back as a fresh, queued
        // slot: that slot is not waiting for it (queueing it again would probe it
        // twice per interval).
        if !s.busy {
            return;
        }
        s.busy = false;
        s.last = Some(state);
        s.due = now_ms + t.req.interval.as_millis() as u64;
        s.priority = priority(t, s.last, &self.focus);
        self.queue.insert((s.priority, s.due, i));
    }

    /// Takes up to `room` due targets, most important first, that `tokens` (per
    /// context, `None` for endpoints outside any cluster) still allow; marks them
    /// busy and spends their tokens. Returns their indices into the list.
    fn take(
        &mut self,
        now: Instant,
        room: usize,
        tokens: &mut HashMap<Option<CtxId>, f64>,
    ) -> Vec<usize> {
        let now_ms = self.ms(now);
        let mut out = Vec::new();
        // A context whose budget is spent is passed over, not waited for: every
        // other context's due targets are still reached (one walk over the due
        // entries at most; the walk ends once no context has a token left).
        let mut spent: HashSet<Option<CtxId>> = HashSet::new();
        let with_tokens = tokens.values().filter(|t| **t >= 1.0).count();
        for p in [
            Priority::OnScreen,
            Priority::NotOk,
            Priority::Configured,
            Priority::Rest,
        ] {
            let mut taken = Vec::new();
            for k in self.queue.range((p, 0, 0)..=(p, now_ms, usize::MAX)) {
                if out.len() + taken.len() == room || spent.len() >= with_tokens {
                    break;
                }
                let Some(s) = self.slots.get(k.2) else {
                    continue;
                };
                if s.busy || spent.contains(&s.ctx) {
                    continue;
                }
                match tokens.get_mut(&s.ctx).filter(|t| **t >= 1.0) {
                    Some(left) => {
                        *left -= 1.0;
                        if *left < 1.0 {
                            spent.insert(s.ctx);
                        }
                        taken.push(*k);
                    }
                    None => {
                        spent.insert(s.ctx);
                    }
                }
            }
            for k in taken {
                self.queue.remove(&k);
                if let Some(s) = self.slots.get_mut(k.2) {
                    s.busy = true;
                }
                out.push(k.2);
            }
            if out.len() == room || spent.len() >= with_tokens {
                break;
            }
        }
        out
    }
}

/// Runs until `cancel`: probes what `targets` holds, within `settings`' budget,
/// looking first at what `focus` says is on screen.
pub async fn run<E: From<Msg> + Send + 'static>(
    clients: Clients,
    settings: Settings,
    mut targets: watch::Receiver<Arc<Vec<ProbeTarget>>>,
    mut focus: watch::Receiver<Arc<Focus>>,
    tx: mpsc::Sender<E>,
    cancel: CancellationToken,
) {
    let mut book = Book::new(Instant::now());
    let mut focus_open = true;
    let (done_tx, mut done_rx) = mpsc::channel::<(TargetId, HealthState)>(1024);
    let rate = settings.budget as f64;
    let mut tokens: HashMap<Option<CtxId>, f64> = HashMap::new();
    let mut last_refill = Instant::now();
    let mut in_flight = 0usize;
    let mut tick = tokio::time::interval(Duration::from_millis(100));
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
    loop {
        tokio::select! {
            _ = cancel.cancelled() => return,
            changed = targets.changed() => {
                if changed.is_err() {
                    return;
                }
                let list = targets.borrow_and_update().clone();
                book.replace(list, Instant::now());
                let ctxs: HashSet<Option<CtxId>> = book.list.iter().map(|t| t.key.ctx).collect();
                tokens.retain(|c, _| ctxs.contains(c));
                for c in ctxs {
                    tokens.entry(c).or_insert(rate);
                }
            }
            changed = focus.changed(), if focus_open => {
                if changed.is_err() {
                    // Nobody says what is on screen any more: probe by due time.
                    focus_open = false;
                    continue;
                }
                let f = focus.borrow_and_update().clone();
                book.refocus(f);
            }
            Some((id, state)) = done_rx.recv() => {
                in_flight = in_flight.saturating_sub(1);
                book.finished(&id, state, Instant::now());
            }
            _ = tick.tick() => {}
        }
        let now = Instant::now();
        let refill = now.duration_since(last_refill).as_secs_f64() * rate;
        last_refill = now;
        for t in tokens.values_mut() {
            *t = (*t + refill).min(rate);
        }
        let room = settings.concurrency.saturating_sub(in_flight);
        if room == 0 || !tokens.values().any(|t| *t >= 1.0) {
            continue;
        }
        for idx in book.take(now, room, &mut tokens) {
            in_flight += 1;
            let list = book.list.clone();
            let clients = clients.clone();
            let tx = tx.clone();
            let done = done_tx.clone();
            tokio::spawn(async move {
                let Some(target) = list.get(idx) else { return };
                let (answer, ms) = probe(&clients, target).await;
                let verdict = evaluate(&target.req.expect, answer, ms);
                tracing::debug!(
                    endpoint = %target.key.name,
                    pod = target.pod.as_deref().unwrap_or(""),
                    state = verdict.state.label(),
                    ms,
                    "probe"
                );
                let state = verdict.state;
                let _ = tx
                    .send(
                        Msg::Probed {
                            id: target.id(),
                            request: target.describe(),
                            verdict,
                            at: jiff::Timestamp::now().as_second(),
                        }
                        .into(),
                    )
                    .await;
                let _ = done.send((target.id(), state)).await;
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::probe::targets::{EndpointKey, Request, Via};

    fn target(ctx: Option<CtxId>, ns: &str, workload: &str, pod: Option<&str>) -> ProbeTarget {
        ProbeTarget {
            key: EndpointKey {
                ctx,
                namespace: Arc::from(ns),
                workload: Arc::from(workload),
                name: Arc::from("api:8080/health"),
            },
            pod: pod.map(Arc::from),
            via: match (ctx, pod) {
                (Some(ctx), Some(p)) => Via::PodProxy {
                    ctx,
                    namespace: Arc::from(ns),
                    pod: Arc::from(p),
                    port: 8080,
                    https: false,
                },
                _ => Via::Direct {
                    url: "http://127.0.0.1:9/health".into(),
                },
            },
            req: Arc::new(Request::get(
                "/health",
                Default::default(),
                Duration::from_secs(15),
                Duration::from_secs(2),
            )),
        }
    }

    #[test]
    fn on_screen_then_not_ok_then_configured_then_the_rest() {
        let focus: Focus = [(0, Arc::from("shop"), Arc::from("deploy/web"))].into();
        let web = target(Some(0), "shop", "deploy/web", Some("web-1"));
        let api = target(Some(0), "shop", "deploy/api", Some("api-1"));
        let url = target(None, "", "status page", None);
        assert_eq!(priority(&web, None, &focus), Priority::OnScreen);
        assert_eq!(
            priority(&web, Some(HealthState::Down), &focus),
            Priority::OnScreen
        );
        assert_eq!(
            priority(&api, Some(HealthState::Degraded), &focus),
            Priority::NotOk
        );
        assert_eq!(
            priority(&url, Some(HealthState::Ok), &focus),
            Priority::Configured
        );
        assert_eq!(
            priority(&api, Some(HealthState::Ok), &focus),
            Priority::Rest
        );
        assert_eq!(priority(&api, None, &focus), Priority::Rest);
    }

    #[test]
    fn a_short_budget_goes_to_the_screen_first_and_the_oldest_next() {
        let base = Instant::now();
        // 200 workloads, every target overdue; the higher-numbered ones more so.
        let list: Vec<ProbeTarget> = (0..200)
            .map(|i| {
                target(
                    Some(0),
                    "ns",
                    &format!("deploy/w{i:03}"),
                    Some(&format!("p{i}")),
                )
            })
            .collect();
        let mut book = Book::new(base);
        book.replace(Arc::new(list), base);
        for (i, s) in book.slots.iter_mut().enumerate() {
            s.due = 1000 - i as u64;
        }
        book.refocus(Arc::new(
            [(0, Arc::from("ns"), Arc::from("deploy/w150"))].into(),
        ));
        let later = base + Duration::from_secs(60);
        let mut tokens: HashMap<Option<CtxId>, f64> = [(Some(0), 20.0)].into();
        let picked = book.take(later, 2, &mut tokens);
        let names: Vec<&str> = picked
            .iter()
            .map(|i| book.list[*i].key.workload.as_ref())
            .collect();
        // On screen first, then the most overdue of the rest.
        assert_eq!(names, ["deploy/w150", "deploy/w199"]);
        assert_eq!(tokens[&Some(0)], 18.0, "two tokens spent");
        // Taken targets are busy: not taken again until they finish.
        let again = book.take(later, 2, &mut tokens);
        assert!(!again.contains(&picked[0]) && !again.contains(&picked[1]));
        // A finished probe is due again one interval later, not before.
        let id = book.slots[picked[0]].id.clone();
        book.finished(&id, HealthState::Ok, later);
        let mut plenty: HashMap<Option<CtxId>, f64> = [(Some(0), 1000.0)].into();
        let soon = book.take(later + Duration::from_secs(1), 500, &mut plenty);
        assert!(!soon.contains(&picked[0]), "not due yet");
        let due = book.take(later + Duration::from_secs(16), 500, &mut plenty);
        assert_eq!(due.first(), Some(&picked[0]), "on screen, due again: first");
        // A second context is not held back by the first one's backlog.
        let mut two: Vec<ProbeTarget> = (0..300)
            .map(|i| {
                target(
                    Some(0),
                    "a",
                    &format!("deploy/a{i:03}"),
                    Some(&format!("a{i}")),
                )
            })
            .collect();
        two.push(target(Some(1), "b", "deploy/b", Some("b-1")));
        let mut book2 = Book::new(base);
        book2.replace(Arc::new(two), base);
        for (i, s) in book2.slots.iter_mut().enumerate() {
            // Context 1's target is the least overdue of all.
            s.due = if s.ctx == Some(1) { 900 } else { i as u64 };
        }
        book2.reindex();
        let mut budgets: HashMap<Option<CtxId>, f64> = [(Some(0), 1.0), (Some(1), 1.0)].into();
        let got = book2.take(later, 8, &mut budgets);
        assert_eq!(got.len(), 2, "one from each context: {got:?}");
        assert!(got.iter().any(|i| book2.slots[*i].ctx == Some(1)));
        // A context with no tokens left gets nothing.
        let mut none: HashMap<Option<CtxId>, f64> = [(Some(0), 0.5)].into();
        assert!(
            book.take(later + Duration::from_secs(60), 2, &mut none)
                .is_empty()
        );
    }
}
