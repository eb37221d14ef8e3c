//! The probe scheduler: a task that owns the current target list (replaced whenever
//! the fleet changes), and sends each target's request when it is due — never more
//! than the global budget (requests per second, a token bucket) and the concurrency
//! limit allow, oldest-due first, so a 50,000-pod fleet cannot flood the API server.
//! Verdicts go back to the app as messages.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::{mpsc, watch};
use tokio::time::Instant;
use tokio_util::sync::CancellationToken;

use super::Msg;
use super::evaluate::evaluate;
use super::http::{Clients, probe};
use super::targets::{ProbeTarget, Settings, TargetId};

struct Slot {
    target: Arc<ProbeTarget>,
    due: Instant,
    busy: bool,
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

fn replace(slots: &mut HashMap<TargetId, Slot>, targets: &[ProbeTarget], now: Instant) {
    let mut next: HashMap<TargetId, Slot> = HashMap::with_capacity(targets.len());
    for t in targets {
        let id = t.id();
        let slot = match slots.remove(&id) {
            Some(mut s) => {
                s.target = Arc::new(t.clone());
                s
            }
            None => Slot {
                due: now + stagger(&id, t.interval.min(Duration::from_secs(2))),
                target: Arc::new(t.clone()),
                busy: false,
            },
        };
        next.insert(id, slot);
    }
    *slots = next;
}

/// Runs until `cancel`: probes what `targets` holds, within `settings`' budget.
pub async fn run<E: From<Msg> + Send + 'static>(
    clients: Clients,
    settings: Settings,
    mut targets: watch::Receiver<Arc<Vec<ProbeTarget>>>,
    tx: mpsc::Sender<E>,
    cancel: CancellationToken,
) {
    let mut slots: HashMap<TargetId, Slot> = HashMap::new();
    let (done_tx, mut done_rx) = mpsc::channel::<TargetId>(1024);
    let rate = settings.budget as f64;
    let mut tokens = rate;
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
                replace(&mut slots, &list, Instant::now());
            }
            Some(id) = done_rx.recv() => {
                in_flight = in_flight.saturating_sub(1);
                if let Some(s) = slots.get_mut(&id) {
                    s.busy = false;
                    s.due = Instant::now() + s.target.interval;
                }
            }
            _ = tick.tick() => {}
        }
        let now = Instant::now();
        tokens = (tokens + now.duration_since(last_refill).as_secs_f64() * rate).min(rate);
        last_refill = now;
        if tokens < 1.0 || in_flight >= settings.concurrency {
            continue;
        }
        let mut due: Vec<(&TargetId, Instant)> = slots
            .iter()
            .filter(|(_, s)| !s.busy && s.due <= now)
            .map(|(id, s)| (id, s.due))
            .collect();
        due.sort_by_key(|(_, d)| *d);
        let take = due
            .len()
            .min(tokens as usize)
            .min(settings.concurrency - in_flight);
        let ids: Vec<TargetId> = due
            .into_iter()
            .take(take)
            .map(|(id, _)| id.clone())
            .collect();
        for id in ids {
            let Some(slot) = slots.get_mut(&id) else {
                continue;
            };
            slot.busy = true;
            tokens -= 1.0;
            in_flight += 1;
            let target = slot.target.clone();
            let clients = clients.clone();
            let tx = tx.clone();
            let done = done_tx.clone();
            tokio::spawn(async move {
                let (answer, ms) = probe(&clients, &target).await;
                let verdict = evaluate(&target.expect, answer, ms);
                tracing::debug!(
                    endpoint = %target.key.name,
                    pod = target.pod.as_deref().unwrap_or(""),
                    state = verdict.state.label(),
                    ms,
                    "probe"
                );
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
                let _ = done.send(target.id()).await;
            });
        }
    }
}
