//! Health rows: one per probed endpoint (derived from pod templates or configured),
//! from the health book — state, why, failures in a row, since when — worst first.
//! The view reads latency, p95 and the sparkline live from the book by key.

use std::collections::HashMap;
use std::sync::Arc;

use crate::cluster::kinds::Ts;
use crate::cluster::msg::CtxId;
use crate::probe::HealthState;
use crate::probe::book::Book;
use crate::probe::targets::EndpointKey;
use crate::util::severity::{Assessment, Severity};

#[derive(Clone, Debug, PartialEq)]
pub struct HealthRow {
    pub key: EndpointKey,
    pub state: HealthState,
    pub request: String,
    pub reason: String,
    pub failures: u32,
    pub since: Ts,
    pub pods: usize,
    pub assessment: Assessment,
}

/// The rows. An endpoint reached through a context whose API server does not
/// answer is "unknown: API unreachable" (with what it last said, and how long ago):
/// the outage of the path is not the service's, and no severity rises from it.
pub fn build(
    book: &Book,
    api_down: &std::collections::HashSet<CtxId>,
    now_of: impl Fn(CtxId) -> Option<Ts>,
) -> Vec<HealthRow> {
    book.endpoints
        .iter()
        .map(|(k, e)| {
            if let Some(ctx) = k.ctx.filter(|c| api_down.contains(c)) {
                let last = match now_of(ctx) {
                    Some(_) if e.state != HealthState::Unknown => format!(
                        " · last {} {} ago",
                        e.state.label(),
                        crate::util::age::ago(e.last_at)
                    ),
                    _ => String::new(),
                };
                return HealthRow {
                    key: k.clone(),
                    state: HealthState::Unknown,
                    request: e.request.clone(),
                    reason: format!("API unreachable{last}"),
                    failures: 0,
                    since: e.since,
                    pods: e.pods.len(),
                    assessment: Assessment::default(),
                };
            }
            let reason = e.reason();
            let mut a = Assessment::default();
            if e.state > HealthState::Ok {
                a.add(
                    e.state.severity(),
                    format!("{} {}: {}", k.name, e.state.label(), reason),
                );
            }
            HealthRow {
                key: k.clone(),
                state: e.state,
                request: e.request.clone(),
                reason,
                failures: e.consecutive_failures,
                since: e.since,
                pods: e.pods.len(),
                assessment: a,
            }
        })
        .collect()
}

/// What a workload's endpoints say, worst first: state and a reason.
pub type WorkloadHealth = HashMap<(Option<CtxId>, Arc<str>, Arc<str>), (HealthState, String)>;

pub fn by_workload(rows: &[HealthRow]) -> WorkloadHealth {
    let mut m: WorkloadHealth = HashMap::new();
    for r in rows {
        if r.key.workload.is_empty() || r.state == HealthState::Unknown {
            continue;
        }
        let k = (r.key.ctx, r.key.namespace.clone(), r.key.workload.clone());
        let why = if r.reason.is_empty() {
            format!("{} {}", r.key.name, r.state.label())
        } else {
            format!("{} {}: {}", r.key.name, r.state.label(), r.reason)
        };
        match m.get(&k) {
            Some((s, _)) if *s >= r.state => {}
            _ => {
                m.insert(k, (r.state, why));
            }
        }
    }
    m
}

/// The severity a health state adds to its workload.
pub fn severity(s: HealthState) -> Severity {
    s.severity()
}
