//! Runs effects: each becomes a task (a log stream, a fetch) that reports back on the
//! message channel; log streams are cancelled by id.

use std::collections::HashMap;
use std::sync::Arc;

use tokio::sync::mpsc::Sender;
use tokio::sync::watch;
use tokio_util::sync::CancellationToken;

use crate::app::Effect;
use crate::app::msg::Msg;
use crate::cluster::{fetch, logs};
use crate::fleet::Watching;
use crate::probe::alerts::AlertSource;
use crate::probe::targets::ProbeTarget;

pub struct Runtime {
    tx: Sender<Msg>,
    clients: Vec<Option<kube::Client>>,
    streams: HashMap<u64, CancellationToken>,
    cancel: CancellationToken,
    probe_targets: Option<watch::Sender<Arc<Vec<ProbeTarget>>>>,
    alert_sources: Option<watch::Sender<Arc<Vec<AlertSource>>>>,
}

impl Runtime {
    pub fn new(
        tx: Sender<Msg>,
        clients: Vec<Option<kube::Client>>,
        cancel: CancellationToken,
    ) -> Runtime {
        Runtime {
            tx,
            clients,
            streams: HashMap::new(),
            cancel,
            probe_targets: None,
            alert_sources: None,
        }
    }

    /// Starts the health prober and the alert reader (they wait for targets).
    pub fn start_probes(&mut self, watching: &Watching) {
        let direct = match crate::probe::http::direct_client() {
            Ok(c) => c,
            Err(e) => {
                tracing::error!("health probes disabled: {e}");
                return;
            }
        };
        let clients = crate::probe::http::Clients {
            kube: self.clients.clone(),
            direct,
        };
        let (ttx, trx) = watch::channel(Arc::new(Vec::new()));
        let (stx, srx) = watch::channel(Arc::new(Vec::new()));
        tokio::spawn(crate::probe::scheduler::run(
            clients.clone(),
            watching.probes.clone(),
            trx,
            self.tx.clone(),
            self.cancel.clone(),
        ));
        let every = crate::util::duration::parse(&watching.alerts.interval)
            .unwrap_or(std::time::Duration::from_secs(30))
            .max(std::time::Duration::from_secs(5));
        tokio::spawn(crate::probe::alerts::run(
            clients,
            every,
            srx,
            self.tx.clone(),
            self.cancel.clone(),
        ));
        self.probe_targets = Some(ttx);
        self.alert_sources = Some(stx);
    }

    fn client(&self, ctx: usize) -> Option<kube::Client> {
        self.clients.get(ctx).cloned().flatten()
    }

    pub fn run(&mut self, fx: Effect) {
        match fx {
            Effect::StartLogs {
                stream,
                ctx,
                namespace,
                pod,
                container,
                tail,
                previous,
            } => {
                let Some(client) = self.client(ctx) else {
                    let _ = self.tx.try_send(Msg::LogEnded {
                        stream,
                        pod,
                        error: Some("context not connected".into()),
                    });
                    return;
                };
                let token = self.cancel.child_token();
                self.streams.insert(stream, token.clone());
                tokio::spawn(logs::follow(
                    client,
                    namespace,
                    pod,
                    container,
                    tail,
                    previous,
                    stream,
                    self.tx.clone(),
                    token,
                ));
            }
            Effect::StopLogs { stream } => {
                if let Some(t) = self.streams.remove(&stream) {
                    t.cancel();
                }
            }
            Effect::FetchYaml {
                request,
                ctx,
                kind,
                namespace,
                name,
            } => {
                let tx = self.tx.clone();
                let client = self.client(ctx);
                tokio::spawn(async move {
                    let result = match client {
                        Some(c) => match tokio::time::timeout(
                            std::time::Duration::from_secs(15),
                            fetch::yaml(c, kind, &namespace, &name),
                        )
                        .await
                        {
                            Ok(r) => r,
                            Err(_) => Err("the API server did not answer within 15 s".into()),
                        },
                        None => Err("context not connected".into()),
                    };
                    let _ = tx.send(Msg::Fetched { request, result }).await;
                });
            }
            Effect::Probe { targets, sources } => {
                if let Some(t) = &self.probe_targets {
                    let _ = t.send(targets);
                }
                if let Some(s) = &self.alert_sources {
                    let _ = s.send(sources);
                }
            }
            Effect::Quit => self.cancel.cancel(),
        }
    }
}
