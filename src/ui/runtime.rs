//! Runs effects: each becomes a task (a log stream, a fetch) that reports back on the
//! message channel; log streams are cancelled by id.

use std::collections::HashMap;

use tokio::sync::mpsc::Sender;
use tokio_util::sync::CancellationToken;

use crate::app::Effect;
use crate::app::msg::Msg;
use crate::cluster::{fetch, logs};

pub struct Runtime {
    tx: Sender<Msg>,
    clients: Vec<Option<kube::Client>>,
    streams: HashMap<u64, CancellationToken>,
    cancel: CancellationToken,
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
        }
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
            Effect::Quit => self.cancel.cancel(),
        }
    }
}
