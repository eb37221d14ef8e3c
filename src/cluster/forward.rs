//! Port-forwards: a local listener (127.0.0.1 unless configured) whose every
//! connection is carried to a pod's port through the API server's
//! `pods/portforward` (kube-rs over a WebSocket). A Service forward resolves a
//! ready endpoint pod and, when that pod goes away, moves to another and says so.
//! Reports (started, each connection's bytes, moves, the end) go to the app.

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use k8s_openapi::api::core::v1::{Endpoints, Pod, Service};
use kube::api::Api;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::mpsc::Sender;
use tokio_util::sync::CancellationToken;

use super::msg::{CtxId, Msg};

/// What a forward reaches.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Via {
    Pod(String),
    /// A Service and the Service port asked for.
    Service(String),
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Spec {
    pub id: u64,
    pub ctx: CtxId,
    pub namespace: String,
    pub via: Via,
    /// The pod port (for a Service: the Service port, resolved to its target).
    pub port: u16,
}

/// What a forward reports.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Report {
    /// Listening; connections go to `pod`.
    Started {
        pod: String,
        port: u16,
    },
    /// A connection ended: its bytes each way.
    Connection {
        bytes_in: u64,
        bytes_out: u64,
        error: Option<String>,
    },
    /// The pod it used went away: now `to`.
    Moved {
        from: String,
        to: String,
    },
    /// No pod to forward to (for now): connections are refused until one is ready.
    NoPod(String),
    Ended {
        why: String,
    },
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Forwarded {
    pub ctx: CtxId,
    pub id: u64,
    pub report: Report,
}

/// Binds the local end (before anything is reported as started).
pub async fn bind(addr: SocketAddr) -> Result<TcpListener, String> {
    TcpListener::bind(addr)
        .await
        .map_err(|e| format!("cannot listen on {addr}: {e}"))
}

fn short(e: &kube::Error) -> String {
    match e {
        kube::Error::Api(s) => crate::util::sanitize::line(&s.message, 300),
        other => crate::util::sanitize::line(&other.to_string(), 300),
    }
}

fn ready(p: &Pod) -> bool {
    p.metadata.deletion_timestamp.is_none()
        && p.status.as_ref().is_some_and(|s| {
            s.phase.as_deref() == Some("Running")
                && s.conditions
                    .iter()
                    .flatten()
                    .any(|c| c.type_ == "Ready" && c.status == "True")
        })
}

/// A ready pod behind Service `name` and the pod port its `port` reaches.
pub async fn service_pod(
    client: &kube::Client,
    namespace: &str,
    name: &str,
    port: u16,
    avoid: Option<&str>,
) -> Result<(String, u16), String> {
    let svcs: Api<Service> = Api::namespaced(client.clone(), namespace);
    let svc = svcs.get(name).await.map_err(|e| short(&e))?;
    let sp = svc
        .spec
        .as_ref()
        .and_then(|s| s.ports.as_ref())
        .and_then(|ps| ps.iter().find(|p| p.port == i32::from(port)).cloned())
        .ok_or_else(|| format!("svc/{name} has no port {port}"))?;
    let eps: Api<Endpoints> = Api::namespaced(client.clone(), namespace);
    let ep = eps.get(name).await.map_err(|e| short(&e))?;
    for subset in ep.subsets.iter().flatten() {
        let target = subset.ports.iter().flatten().find(|p| p.name == sp.name);
        let Some(target) = target else { continue };
        let pods = subset
            .addresses
            .iter()
            .flatten()
            .filter_map(|a| a.target_ref.as_ref().and_then(|r| r.name.clone()));
        let mut fallback = None;
        for p in pods {
            if Some(p.as_str()) == avoid {
                fallback = Some(p);
                continue;
            }
            return Ok((p, target.port as u16));
        }
        if let Some(p) = fallback {
            return Ok((p, target.port as u16));
        }
    }
    Err(format!("svc/{name} has no ready endpoints"))
}

async fn still_ready(client: &kube::Client, namespace: &str, pod: &str) -> bool {
    let api: Api<Pod> = Api::namespaced(client.clone(), namespace);
    matches!(api.get(pod).await, Ok(p) if ready(&p))
}

async fn carry(
    client: kube::Client,
    namespace: String,
    pod: String,
    port: u16,
    mut local: TcpStream,
) -> Report {
    let api: Api<Pod> = Api::namespaced(client, &namespace);
    let mut pf = match api.portforward(&pod, &[port]).await {
        Ok(pf) => pf,
        Err(e) => {
            return Report::Connection {
                bytes_in: 0,
                bytes_out: 0,
                error: Some(short(&e)),
            };
        }
    };
    let Some(mut remote) = pf.take_stream(port) else {
        return Report::Connection {
            bytes_in: 0,
            bytes_out: 0,
            error: Some("no stream for the port".into()),
        };
    };
    let copied = tokio::io::copy_bidirectional(&mut local, &mut remote).await;
    drop(remote);
    let error = pf
        .take_error(port)
        .and_then(|e| futures::FutureExt::now_or_never(e).flatten())
        .map(|e| crate::util::sanitize::line(&e, 300));
    let _ = tokio::time::timeout(Duration::from_secs(2), pf.join()).await;
    match copied {
        Ok((to_pod, from_pod)) => Report::Connection {
            bytes_in: to_pod,
            bytes_out: from_pod,
            error,
        },
        Err(e) => Report::Connection {
            bytes_in: 0,
            bytes_out: 0,
            error: Some(error.unwrap_or_else(|| e.to_string())),
        },
    }
}

/// Serves the forward until cancelled.
pub async fn run<E: From<Msg> + Send + 'static>(
    client: kube::Client,
    spec: Spec,
    listener: TcpListener,
    tx: Sender<E>,
    cancel: CancellationToken,
) {
    let say = |report: Report| {
        let tx = tx.clone();
        let (ctx, id) = (spec.ctx, spec.id);
        async move {
            let _ = tx
                .send(Msg::Forward(Forwarded { ctx, id, report }).into())
                .await;
        }
    };
    let (mut pod, mut port) = match &spec.via {
        Via::Pod(p) => (Some(p.clone()), spec.port),
        Via::Service(s) => match service_pod(&client, &spec.namespace, s, spec.port, None).await {
            Ok((p, port)) => (Some(p), port),
            Err(e) => {
                say(Report::NoPod(e)).await;
                (None, spec.port)
            }
        },
    };
    if let Some(p) = &pod {
        say(Report::Started {
            pod: p.clone(),
            port,
        })
        .await;
    }
    let open = Arc::new(AtomicU64::new(0));
    loop {
        let accepted = tokio::select! {
            _ = cancel.cancelled() => break,
            a = listener.accept() => a,
        };
        let Ok((local, _)) = accepted else {
            tokio::time::sleep(Duration::from_millis(100)).await;
            continue;
        };
        // A Service forward checks its pod at each connection and moves on when it
        // is gone or no longer ready.
        if let Via::Service(s) = &spec.via {
            let gone = match &pod {
                Some(p) => !still_ready(&client, &spec.namespace, p).await,
                None => true,
            };
            if gone {
                match service_pod(&client, &spec.namespace, s, spec.port, pod.as_deref()).await {
                    Ok((p, pt)) => {
                        let from = pod.replace(p.clone()).unwrap_or_default();
                        port = pt;
                        if from != p {
                            say(Report::Moved { from, to: p }).await;
                        }
                    }
                    Err(e) => {
                        pod = None;
                        say(Report::NoPod(e)).await;
                    }
                }
            }
        }
        let Some(target) = pod.clone() else {
            drop(local);
            continue;
        };
        let (client, ns, tx2) = (client.clone(), spec.namespace.clone(), tx.clone());
        let (ctx, id, open) = (spec.ctx, spec.id, open.clone());
        let cancel = cancel.clone();
        open.fetch_add(1, Ordering::Relaxed);
        tokio::spawn(async move {
            let report = tokio::select! {
                r = carry(client, ns, target, port, local) => r,
                _ = cancel.cancelled() => Report::Connection { bytes_in: 0, bytes_out: 0, error: Some("forward stopped".into()) },
            };
            open.fetch_sub(1, Ordering::Relaxed);
            let _ = tx2
                .send(Msg::Forward(Forwarded { ctx, id, report }).into())
                .await;
        });
    }
    say(Report::Ended {
        why: "stopped".into(),
    })
    .await;
}
