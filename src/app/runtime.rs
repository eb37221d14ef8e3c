//! Runs effects: each becomes a task (a log stream, a fetch, an access review, an
//! action's checks or execution, an audit append) that reports back on the event
//! channel; log streams are cancelled by id. Also starts the prober and the alert
//! reader. The only place effects touch the world; not part of the UI.

use std::collections::HashMap;
use std::sync::Arc;

use tokio::sync::mpsc::Sender;
use tokio::sync::watch;
use tokio_util::sync::CancellationToken;

use super::effect::{Effect, FetchAs};
use super::event::{Done, Event};
use crate::cluster::msg::Msg;
use crate::cluster::{fetch, logs};
use crate::fleet::Watching;
use crate::probe::alerts::AlertSource;
use crate::probe::targets::ProbeTarget;

pub struct Runtime {
    tx: Sender<Event>,
    clients: crate::cluster::link::Links,
    streams: HashMap<u64, CancellationToken>,
    /// Browsed resources' watches, by browse id.
    browses: HashMap<u64, CancellationToken>,
    /// Port-forwards, by the id of the flow that started them.
    forwards: HashMap<u64, CancellationToken>,
    /// The namespaces each context's session is scoped to (empty: all).
    scopes: Vec<Vec<String>>,
    cancel: CancellationToken,
    probe_targets: Option<watch::Sender<Arc<Vec<ProbeTarget>>>>,
    probe_focus: Option<watch::Sender<Arc<crate::probe::scheduler::Focus>>>,
    alert_sources: Option<watch::Sender<Arc<Vec<AlertSource>>>>,
    audit: Arc<crate::audit::log::Sink>,
    /// The person at this terminal (OS user and host) for audit records.
    who: crate::audit::Actor,
    /// Contexts whose finished actions are not published as Events (config).
    unpublished: std::collections::HashSet<usize>,
}

impl Runtime {
    pub fn new(
        tx: Sender<Event>,
        clients: crate::cluster::link::Links,
        cancel: CancellationToken,
        audit: Arc<crate::audit::log::Sink>,
    ) -> Runtime {
        Runtime {
            tx,
            clients,
            streams: HashMap::new(),
            browses: HashMap::new(),
            forwards: HashMap::new(),
            scopes: Vec::new(),
            cancel,
            probe_targets: None,
            probe_focus: None,
            alert_sources: None,
            audit,
            who: crate::audit::Actor::here("", "", ""),
            unpublished: std::collections::HashSet::new(),
        }
    }

    /// The namespaces each context's session watches (browsing follows them).
    pub fn set_scopes(&mut self, scopes: Vec<Vec<String>>) {
        self.scopes = scopes;
    }

    fn stamp(&self, mut r: crate::audit::Record) -> crate::audit::Record {
        r.actor.os_user = self.who.os_user.clone();
        r.actor.host = self.who.host.clone();
        r
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
        let (ftx, frx) = watch::channel(Arc::new(crate::probe::scheduler::Focus::new()));
        tokio::spawn(crate::probe::scheduler::run(
            clients.clone(),
            watching.probes.clone(),
            trx,
            frx,
            self.tx.clone(),
            self.cancel.clone(),
        ));
        let every = watching.alerts.interval.0;
        tokio::spawn(crate::probe::alerts::run(
            clients,
            every,
            srx,
            self.tx.clone(),
            self.cancel.clone(),
        ));
        self.probe_targets = Some(ttx);
        self.probe_focus = Some(ftx);
        self.alert_sources = Some(stx);
    }

    /// The context's client, whether or not its server answers now (what the
    /// person asked for is tried; it fails fast when the server is down).
    fn publisher(&self, ctx: usize) -> Option<Publisher> {
        if self.unpublished.contains(&ctx) {
            return None;
        }
        Some(Publisher {
            client: self.client(ctx)?,
            tx: self.tx.clone(),
            ctx,
            log_id: crate::audit::log::log_id(self.audit.dir()),
        })
    }

    /// Publishes a written record of a finished action as a Kubernetes Event.
    fn publish(&self, ctx: usize, r: &crate::audit::Record) {
        if let Some(p) = self.publisher(ctx) {
            p.send(r);
        }
    }

    /// Which contexts publish their finished actions as Events (by id; see
    /// `State::publishing`).
    pub fn set_publishing(&mut self, publishing: &[bool]) {
        self.unpublished = (0..publishing.len()).filter(|i| !publishing[*i]).collect();
    }

    pub fn client(&self, ctx: usize) -> Option<kube::Client> {
        self.clients.client(ctx)
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
                since,
                timestamps,
            } => {
                let Some(client) = self.client(ctx) else {
                    let _ = self.tx.try_send(
                        Msg::LogEnded {
                            stream,
                            pod,
                            error: Some("context not connected".into()),
                        }
                        .into(),
                    );
                    return;
                };
                let token = self.cancel.child_token();
                self.streams.insert(stream, token.clone());
                tokio::spawn(logs::follow(
                    client,
                    namespace,
                    pod,
                    container,
                    logs::Options {
                        tail,
                        previous,
                        since,
                        timestamps,
                    },
                    stream,
                    self.tx.clone(),
                    token,
                ));
            }
            Effect::SaveLogs { path, text } => {
                let tx = self.tx.clone();
                tokio::spawn(async move {
                    let p = path.clone();
                    let result = tokio::task::spawn_blocking(move || {
                        crate::util::fs::write_private(&p, text.as_bytes())
                    })
                    .await
                    .unwrap_or_else(|e| Err(e.to_string()));
                    let _ = tx.send(Done::LogsSaved { path, result }.into()).await;
                });
            }
            Effect::StopLogs { stream } => {
                if let Some(t) = self.streams.remove(&stream) {
                    t.cancel();
                }
            }
            Effect::Fetch {
                request,
                ctx,
                res,
                namespace,
                name,
                as_,
            } => {
                let tx = self.tx.clone();
                let client = self.client(ctx);
                tokio::spawn(async move {
                    let result = match client {
                        Some(c) => {
                            match tokio::time::timeout(std::time::Duration::from_secs(15), async {
                                if as_ == FetchAs::PodDetail {
                                    fetch::pod_detail(c, &namespace, &name).await
                                } else {
                                    fetch::text(
                                        c,
                                        &res,
                                        &namespace,
                                        &name,
                                        as_ == FetchAs::Describe,
                                    )
                                    .await
                                }
                            })
                            .await
                            {
                                Ok(r) => r,
                                Err(_) => Err("the API server did not answer within 15 s".into()),
                            }
                        }
                        None => Err("context not connected".into()),
                    };
                    let _ = tx.send(Done::Fetched { request, result }.into()).await;
                });
            }
            Effect::Discover { ctx } => {
                let tx = self.tx.clone();
                let client = self.client(ctx);
                tokio::spawn(async move {
                    let result = match client {
                        Some(c) => match tokio::time::timeout(
                            std::time::Duration::from_secs(30),
                            crate::cluster::discovery::discover(&c),
                        )
                        .await
                        {
                            Ok(r) => r,
                            Err(_) => Err("API discovery did not answer within 30 s".into()),
                        },
                        None => Err("context not connected".into()),
                    };
                    let _ = tx.send(Msg::Discovered { ctx, result }.into()).await;
                });
            }
            Effect::Browse { id, ctx, res } => {
                let Some(link) = self.clients.get(ctx).cloned() else {
                    return;
                };
                let token = self
                    .browses
                    .entry(id)
                    .or_insert_with(|| self.cancel.child_token())
                    .clone();
                let scopes: Vec<Option<String>> = match self.scopes.get(ctx) {
                    Some(ns) if !ns.is_empty() && res.namespaced => {
                        ns.iter().cloned().map(Some).collect()
                    }
                    _ => vec![None],
                };
                for ns in scopes {
                    tokio::spawn(crate::cluster::table::run(
                        link.clone(),
                        ctx,
                        id,
                        res.clone(),
                        ns,
                        self.tx.clone(),
                        token.clone(),
                    ));
                }
            }
            Effect::ProbeFocus(focus) => {
                if let Some(f) = &self.probe_focus {
                    let _ = f.send(focus);
                }
            }
            Effect::StopBrowse { id } => {
                if let Some(t) = self.browses.remove(&id) {
                    t.cancel();
                }
            }
            Effect::Probe { targets, sources } => {
                if let Some(t) = &self.probe_targets {
                    let _ = t.send(targets);
                }
                if let Some(s) = &self.alert_sources {
                    let _ = s.send(sources);
                }
            }
            Effect::CheckAccess { ctx, checks } => {
                let tx = self.tx.clone();
                let client = self.client(ctx);
                tokio::spawn(async move {
                    let mut results = Vec::new();
                    for a in checks {
                        let r = match &client {
                            Some(c) => crate::actions::run::review(c, &a).await,
                            None => Err("context not connected".into()),
                        };
                        results.push((a, r));
                    }
                    let _ = tx.send(Done::Access { ctx, results }.into()).await;
                });
            }
            Effect::Preflight { flow, ctx, request } => {
                let tx = self.tx.clone();
                let client = self.client(ctx);
                tokio::spawn(async move {
                    let checks = match client {
                        Some(c) => crate::actions::run::preflight(&c, &request).await,
                        None => vec![crate::actions::run::check(
                            "connection",
                            false,
                            "context not connected",
                        )],
                    };
                    let _ = tx.send(Done::Preflighted { flow, checks }.into()).await;
                });
            }
            Effect::Execute {
                flow,
                ctx,
                request,
                intent,
            } => {
                let tx = self.tx.clone();
                let client = self.client(ctx);
                let sink = self.audit.clone();
                let intent = self.stamp(intent);
                if let crate::actions::Request::PortForward { .. } = &request {
                    let token = self.cancel.child_token();
                    self.forwards.insert(flow, token.clone());
                    tokio::spawn(start_forward(
                        client, sink, intent, request, flow, ctx, tx, token,
                    ));
                    return;
                }
                tokio::spawn(async move {
                    let executed = match client {
                        Some(c) => crate::actions::run::execute(&c, sink, intent, &request).await,
                        None => {
                            crate::actions::run::Executed::not_run("not run: context not connected")
                        }
                    };
                    let _ = tx.send(Done::Executed { flow, executed }.into()).await;
                });
            }
            // On the way out the record is written before returning, so quitting
            // cannot lose it (one small fsynced append).
            Effect::Audit {
                flow,
                record,
                ctx,
                now: true,
            } => {
                let result = self.audit.append(self.stamp(record));
                if let Ok(r) = &result {
                    self.publish(ctx, r);
                }
                let _ = self.tx.try_send(Done::Audited { flow, result }.into());
            }
            Effect::Audit {
                flow, record, ctx, ..
            } => {
                let tx = self.tx.clone();
                let sink = self.audit.clone();
                let record = self.stamp(record);
                let publish = self.publisher(ctx);
                tokio::spawn(async move {
                    let result = tokio::task::spawn_blocking(move || sink.append(record))
                        .await
                        .unwrap_or_else(|e| Err(format!("audit log: {e}")));
                    if let (Ok(r), Some(p)) = (&result, publish) {
                        p.send(r);
                    }
                    let _ = tx.send(Done::Audited { flow, result }.into()).await;
                });
            }
            Effect::StopForward { id } => {
                if let Some(t) = self.forwards.remove(&id) {
                    t.cancel();
                }
            }
            // Only a front end with a terminal opens a shell (the engine hands it
            // there); without one, the shell ends at once and says why.
            Effect::Shell { flow, .. } => {
                let ran = crate::cluster::exec::Ran {
                    error: Some("no terminal to open a shell in".into()),
                    ..Default::default()
                };
                let tx = self.tx.clone();
                tokio::spawn(async move {
                    let _ = tx.send(Done::ShellEnded { flow, ran }.into()).await;
                });
            }
            Effect::Quit => self.cancel.cancel(),
        }
    }
}

/// A port-forward: the intent written (else nothing), the local end bound (else a
/// failure), then the forwarder runs until its token is cancelled.
#[allow(clippy::too_many_arguments)]
async fn start_forward(
    client: Option<kube::Client>,
    sink: Arc<crate::audit::log::Sink>,
    intent: crate::audit::Record,
    request: crate::actions::Request,
    flow: u64,
    ctx: usize,
    tx: Sender<Event>,
    token: CancellationToken,
) {
    use crate::cluster::forward::{Spec, Via};
    let crate::actions::Request::PortForward {
        namespace,
        via,
        port,
        local,
    } = request
    else {
        return;
    };
    let Some(client) = client else {
        let executed = crate::actions::run::Executed::not_run("not run: context not connected");
        let _ = tx.send(Done::Executed { flow, executed }.into()).await;
        return;
    };
    let mut executed = match crate::actions::run::write_intent(sink, intent).await {
        Ok(d) => d,
        Err(not_run) => {
            let _ = tx
                .send(
                    Done::Executed {
                        flow,
                        executed: not_run,
                    }
                    .into(),
                )
                .await;
            return;
        }
    };
    let addr = match local.parse::<std::net::SocketAddr>() {
        Ok(a) => a,
        Err(e) => {
            executed.outcome = crate::audit::Outcome::Failed;
            executed.detail = format!("bad local address {local}: {e}");
            let _ = tx.send(Done::Executed { flow, executed }.into()).await;
            return;
        }
    };
    let listener = match crate::cluster::forward::bind(addr).await {
        Ok(l) => l,
        Err(e) => {
            executed.outcome = crate::audit::Outcome::Failed;
            executed.detail = e;
            let _ = tx.send(Done::Executed { flow, executed }.into()).await;
            return;
        }
    };
    let bound = listener
        .local_addr()
        .map_or(local.clone(), |a| a.to_string());
    executed.detail = format!("forwarding {bound} → {via}:{port}");
    let _ = tx.send(Done::Executed { flow, executed }.into()).await;
    let via = match via.split_once('/') {
        Some(("svc", name)) => Via::Service(name.to_string()),
        Some((_, name)) => Via::Pod(name.to_string()),
        None => Via::Pod(via.clone()),
    };
    let spec = Spec {
        id: flow,
        ctx,
        namespace,
        via,
        port,
    };
    crate::cluster::forward::run(client, spec, listener, tx, token).await;
}

/// Sends finished actions to the cluster as Events carrying the audit chain's head
/// (`cluster::publish`); a failure is said, never a reason to undo anything.
struct Publisher {
    client: kube::Client,
    tx: Sender<Event>,
    ctx: usize,
    log_id: String,
}

impl Publisher {
    fn send(self, r: &crate::audit::Record) {
        use crate::audit::{Outcome, Phase};
        // What was done or tried on the cluster: cancelled and refused actions sent
        // nothing, and stay local.
        let Some(outcome) = r.outcome.filter(|o| {
            r.phase == Phase::Outcome && !matches!(o, Outcome::Cancelled | Outcome::Refused)
        }) else {
            return;
        };
        let p = crate::cluster::publish::Published {
            namespace: r.namespace.clone(),
            target: r.target.clone(),
            message: format!(
                "kdeck {} {}: {} (by {}@{} as {})",
                r.action,
                r.target,
                outcome.label(),
                r.actor.os_user,
                r.actor.host,
                r.actor.kube_user
            ),
            action_id: r.action_id.clone(),
            log_id: self.log_id,
            seq: r.seq,
            hash: r.hash.clone(),
            warning: outcome != Outcome::Succeeded,
        };
        let (client, tx, ctx) = (self.client, self.tx, self.ctx);
        tokio::spawn(async move {
            if let Err(text) = crate::cluster::publish::publish(&client, &p).await {
                tracing::warn!("{text}");
                let _ = tx
                    .send(Event::Cluster(crate::cluster::msg::Msg::Warned {
                        ctx,
                        text,
                    }))
                    .await;
            }
        });
    }
}
