//! One round of probes and alert reads, for one-shot use (`kdeck status`, tests): the
//! same requests and verdicts as the scheduler, as the messages it would send, with
//! at most ten seconds' worth of the request budget.

use futures::StreamExt;

use super::Msg;
use super::alerts::{self, AlertSource};
use super::evaluate::evaluate;
use super::http::{Clients, probe};
use super::targets::{ProbeTarget, Settings};

pub async fn round(
    targets: &[ProbeTarget],
    sources: &[AlertSource],
    clients: &Clients,
    s: &Settings,
) -> Vec<Msg> {
    let at = jiff::Timestamp::now().as_second();
    let limit = (s.budget as usize * 10).max(1);
    let mut out: Vec<Msg> = futures::stream::iter(targets.iter().take(limit))
        .map(|t| {
            let clients = clients.clone();
            async move {
                let (answer, ms) = probe(&clients, t).await;
                Msg::Probed {
                    id: t.id(),
                    request: t.describe(),
                    verdict: evaluate(&t.req.expect, answer, ms),
                    at,
                }
            }
        })
        .buffer_unordered(s.concurrency)
        .collect()
        .await;
    for src in sources {
        out.push(Msg::Alerts {
            source: src.clone(),
            result: alerts::read(clients, src).await,
            at,
        });
    }
    out
}
