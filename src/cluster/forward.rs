//! Port-forwards: a local listener (127.0.0.1 unless configured) whose every
//! connection is carried to a pod's port through the API server's
//! `pods/portforward` (kube-rs over a WebSocket). A Service forward resolves a
//! ready endpoint pod and, when that pod goes away, moves to another and says so.
//! Reports (started, each connection's bytes, moves, the end) go to the app.

use std::net::SocketAddr;
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
    /// Listening; connections go to `pod` (on its `port`).
    Started {
        pod: String,
        port: u16,
    },
    /// A connection was accepted.
    Opened,
    /// A connection ended (or was cut by the stop): its bytes each way.
    Connection {
        bytes_in: u64,
        bytes_out: u64,
        error: Option<String>,
    },
    /// The pod it used went away: now `to` (on its `port`).
    Moved {
        from: String,
        to: String,
        port: u16,
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

/// Whether `pod` is still there and ready: `None` when the server could not say in
/// time (then the forward stays where it is — a slow API is no reason to move).
async fn still_ready(client: &kube::Client, namespace: &str, pod: &str) -> Option<bool> {
    let api: Api<Pod> = Api::namespaced(client.clone(), namespace);
    match tokio::time::timeout(ASK, api.get(pod)).await {
        Ok(Ok(p)) => Some(ready(&p)),
        Ok(Err(kube::Error::Api(s))) if s.code == 404 => Some(false),
        _ => None,
    }
}

/// Longest wait for the API when a connection arrives.
const ASK: Duration = Duration::from_secs(5);

/// Copies `r` to `w`, counting, until `r` ends (then `w` is shut down).
async fn pump<R, W>(mut r: R, mut w: W, n: &AtomicU64) -> std::io::Result<()>
where
    R: tokio::io::AsyncRead + Unpin,
    W: tokio::io::AsyncWrite + Unpin,
{
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut buf = vec![0u8; 16 * 1024];
    loop {
        let k = r.read(&mut buf).await?;
        if k == 0 {
            let _ = w.shutdown().await;
            return Ok(());
        }
        w.write_all(&buf[..k]).await?;
        n.fetch_add(k as u64, Ordering::Relaxed);
    }
}

/// Carries one local connection to the pod; its bytes are counted as they pass,
/// so a connection cut by the stop still reports what it carried.
async fn carry(
    client: kube::Client,
    namespace: String,
    pod: String,
    port: u16,
    local: TcpStream,
    cancel: CancellationToken,
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
    let Some(remote) = pf.take_stream(port) else {
        return Report::Connection {
            bytes_in: 0,
            bytes_out: 0,
            error: Some("no stream for the port".into()),
        };
    };
    let (to_pod, from_pod) = (AtomicU64::new(0), AtomicU64::new(0));
    let (lr, lw) = local.into_split();
    let (rr, rw) = tokio::io::split(remote);
    let both = async { tokio::join!(pump(lr, rw, &to_pod), pump(rr, lw, &from_pod)) };
    let mut error = tokio::select! {
        (a, b) = both => a.err().or(b.err()).map(|e| e.to_string()),
        _ = cancel.cancelled() => Some("forward stopped".into()),
    };
    if let Some(e) = pf
        .take_error(port)
        .and_then(|e| futures::FutureExt::now_or_never(e).flatten())
    {
        error = Some(crate::util::sanitize::line(&e, 300));
    }
    pf.abort();
    Report::Connection {
        bytes_in: to_pod.load(Ordering::Relaxed),
        bytes_out: from_pod.load(Ordering::Relaxed),
        error,
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
            let check = async {
                match &pod {
                    // Moved only when the server says it is gone or not ready.
                    Some(p) => still_ready(&client, &spec.namespace, p).await == Some(false),
                    None => true,
                }
            };
            // A stop while the API is asked is not held up by it.
            let gone = tokio::select! {
                g = check => g,
                _ = cancel.cancelled() => break,
            };
            if gone {
                let found = tokio::select! {
                    f = tokio::time::timeout(
                        ASK,
                        service_pod(&client, &spec.namespace, s, spec.port, pod.as_deref()),
                    ) => f.unwrap_or_else(|_| Err("the API server did not answer in time".into())),
                    _ = cancel.cancelled() => break,
                };
                match found {
                    Ok((p, pt)) => {
                        port = pt;
                        match pod.replace(p.clone()) {
                            Some(from) if from != p => {
                                say(Report::Moved { from, to: p, port }).await;
                            }
                            Some(_) => {}
                            // Back from having no pod: started again.
                            None => say(Report::Started { pod: p, port }).await,
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
        let (ctx, id) = (spec.ctx, spec.id);
        let cancel = cancel.clone();
        say(Report::Opened).await;
        tokio::spawn(async move {
            let report = carry(client, ns, target, port, local, cancel).await;
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
