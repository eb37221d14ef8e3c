//! An exec (or attach) session over the binary channel protocol: stdin arrives on
//! channel 0, stdout and stderr leave on 1 and 2 (stderr folds into stdout on a
//! TTY), resizes on 4, and the end is a `Status` on channel 3 — `Success`, or
//! `NonZeroExitCode` with the code as kubectl reads it. v5 adds stdin's close (255).
//! The command runs in the simulated shell; what it reaches (`curl localhost:PORT`,
//! Services, DNS, the env) is the simulated cluster itself, through [`SimHost`].

use std::collections::VecDeque;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use futures::{SinkExt, StreamExt};
use serde_json::{Value, json};
use tokio_tungstenite::tungstenite::Message;

use super::stream::{Channels, ExecRequest, Ws};
use crate::sim::apps::HttpResp;
use crate::sim::apps::shell::{Host, Out, Shell};
use crate::sim::kinds::Kind;
use crate::sim::{Shared, obj};

const STDIN: u8 = 0;
const STDOUT: u8 = 1;
const STDERR: u8 = 2;
const ERROR: u8 = 3;
const RESIZE: u8 = 4;
const CLOSE: u8 = 255;

/// Largest piece of output in one message.
const CHUNK: usize = 32 * 1024;

/// The simulated cluster as seen from inside one container.
pub struct SimHost {
    pub shared: Arc<Shared>,
    pub namespace: String,
    pub pod: String,
    pub container: String,
}

impl SimHost {
    fn pod(&self) -> Option<Arc<Value>> {
        self.shared
            .lock()
            .store
            .get(Kind::Pod, &self.namespace, &self.pod)
    }

    fn spec(&self) -> Value {
        let Some(pod) = self.pod() else {
            return Value::Null;
        };
        ["containers", "initContainers"]
            .iter()
            .filter_map(|f| obj::at(&pod, &["spec", f]).as_array())
            .flatten()
            .find(|c| c["name"] == self.container.as_str())
            .cloned()
            .unwrap_or(Value::Null)
    }

    /// `name`, `name.ns`, `name.ns.svc[.cluster.local]` → (namespace, Service).
    fn service_of(&self, host: &str) -> (String, String) {
        let host = host.trim_end_matches('.');
        let host = host
            .strip_suffix(".svc.cluster.local")
            .or_else(|| host.strip_suffix(".svc"))
            .unwrap_or(host);
        match host.split_once('.') {
            Some((name, ns)) => (ns.to_string(), name.to_string()),
            None => (self.namespace.clone(), host.to_string()),
        }
    }
}

fn secret_value(store: &crate::sim::store::Store, ns: &str, r: &Value) -> Option<String> {
    let s = store.get(Kind::Secret, ns, r["name"].as_str()?)?;
    let key = r["key"].as_str()?;
    if let Some(v) = s["stringData"][key].as_str() {
        return Some(v.to_string());
    }
    use base64::Engine;
    let raw = base64::engine::general_purpose::STANDARD
        .decode(s["data"][key].as_str()?)
        .ok()?;
    Some(String::from_utf8_lossy(&raw).into_owned())
}

impl Host for SimHost {
    fn local_http(
        &mut self,
        port: u16,
        method: &str,
        path: &str,
        query: &str,
        body: &[u8],
    ) -> Option<HttpResp> {
        let mut st = self.shared.lock();
        let pod = st.store.get(Kind::Pod, &self.namespace, &self.pod)?;
        let body = Bytes::copy_from_slice(body);
        super::proxy::pod_http(&mut st, &pod, i64::from(port), method, path, query, &body).ok()
    }

    fn service_http(
        &mut self,
        host: &str,
        port: u16,
        method: &str,
        path: &str,
        query: &str,
        body: &[u8],
    ) -> Result<HttpResp, String> {
        let (ns, name) = self.service_of(host);
        let mut st = self.shared.lock();
        let port_s = port.to_string();
        let (pod, target) = super::proxy::service_backend(&mut st, &ns, &name, Some(&port_s))
            .map_err(|e| {
                if e.code == 404 {
                    format!("Could not resolve host: {host}")
                } else {
                    format!("Failed to connect to {host} port {port}: Connection refused")
                }
            })?;
        let body = Bytes::copy_from_slice(body);
        super::proxy::pod_http(&mut st, &pod, target, method, path, query, &body).map_err(|_| {
            format!(
                "Failed to connect to {host} port {port} after 0 ms: Couldn't connect to server"
            )
        })
    }

    fn lookup(&self, name: &str) -> Option<(String, String)> {
        let (ns, svc) = self.service_of(name);
        let s = self.shared.lock().store.get(Kind::Service, &ns, &svc)?;
        let ip = obj::str_at(&s, &["spec", "clusterIP"])
            .filter(|ip| !ip.is_empty() && *ip != "None")
            .unwrap_or("10.96.0.100")
            .to_string();
        Some((format!("{svc}.{ns}.svc.cluster.local"), ip))
    }

    fn env(&self) -> Vec<(String, String)> {
        let spec = self.spec();
        let st = self.shared.lock();
        let pod = st.store.get(Kind::Pod, &self.namespace, &self.pod);
        spec["env"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|e| {
                let name = e["name"].as_str()?.to_string();
                let from = &e["valueFrom"];
                let value = if let Some(v) = e["value"].as_str() {
                    v.to_string()
                } else if from["secretKeyRef"].is_object() {
                    secret_value(&st.store, &self.namespace, &from["secretKeyRef"])
                        .unwrap_or_default()
                } else if from["configMapKeyRef"].is_object() {
                    let r = &from["configMapKeyRef"];
                    st.store
                        .get(Kind::ConfigMap, &self.namespace, r["name"].as_str()?)
                        .and_then(|c| c["data"][r["key"].as_str()?].as_str().map(String::from))
                        .unwrap_or_default()
                } else if let Some(path) = from["fieldRef"]["fieldPath"].as_str() {
                    let p = pod.as_deref().unwrap_or(&Value::Null);
                    match path {
                        "metadata.name" => obj::name(p).to_string(),
                        "metadata.namespace" => self.namespace.clone(),
                        "status.podIP" => obj::str_at(p, &["status", "podIP"])
                            .unwrap_or("")
                            .to_string(),
                        "spec.nodeName" => obj::str_at(p, &["spec", "nodeName"])
                            .unwrap_or("")
                            .to_string(),
                        _ => String::new(),
                    }
                } else {
                    String::new()
                };
                Some((name, value))
            })
            .collect()
    }

    fn hostname(&self) -> String {
        self.pod.clone()
    }

    fn namespace(&self) -> String {
        self.namespace.clone()
    }

    fn image(&self) -> String {
        self.spec()["image"].as_str().unwrap_or("").to_string()
    }
}

fn status(code: i32) -> Value {
    if code == 0 {
        json!({"metadata": {}, "status": "Success"})
    } else {
        json!({
            "metadata": {},
            "status": "Failure",
            "message": format!("command terminated with non-zero exit code: error executing command, exit code {code}"),
            "reason": "NonZeroExitCode",
            "details": {"causes": [{"reason": "ExitCode", "message": code.to_string()}]},
        })
    }
}

async fn send(ws: &mut Ws, ch: u8, data: &[u8]) -> bool {
    for part in data.chunks(CHUNK) {
        let mut m = Vec::with_capacity(part.len() + 1);
        m.push(ch);
        m.extend_from_slice(part);
        if ws.send(Message::binary(m)).await.is_err() {
            return false;
        }
    }
    true
}

/// Waits `d` while still reading the stream (pings are answered, input is kept
/// for after the sleep, as a terminal buffers what is typed meanwhile).
async fn pause(ws: &mut Ws, d: Duration, pending: &mut VecDeque<Message>) -> Result<(), ()> {
    let deadline = tokio::time::sleep(d.min(Duration::from_secs(600)));
    tokio::pin!(deadline);
    loop {
        tokio::select! {
            _ = &mut deadline => return Ok(()),
            m = ws.next() => match m {
                Some(Ok(Message::Close(_))) | None | Some(Err(_)) => return Err(()),
                Some(Ok(m @ Message::Binary(_))) if pending.len() < 1024 => pending.push_back(m),
                Some(Ok(_)) => {}
            },
        }
    }
}

/// Sends a shell's outputs; `Some(code)` once it exited.
async fn emit(
    ws: &mut Ws,
    outs: Vec<Out>,
    tty: bool,
    pending: &mut VecDeque<Message>,
) -> Result<Option<i32>, ()> {
    for o in outs {
        match o {
            Out::Stdout(b) if !b.is_empty() && !send(ws, STDOUT, &b).await => return Err(()),
            Out::Stderr(b)
                if !b.is_empty() && !send(ws, if tty { STDOUT } else { STDERR }, &b).await =>
            {
                return Err(());
            }
            Out::Sleep(d) => pause(ws, d, pending).await?,
            Out::Exit(code) => return Ok(Some(code)),
            _ => {}
        }
    }
    Ok(None)
}

async fn finish(ws: &mut Ws, code: i32) {
    let body = serde_json::to_vec(&status(code)).unwrap_or_default();
    let _ = send(ws, ERROR, &body).await;
    super::stream::close(ws).await;
}

/// Runs one exec (or attach) to its end.
pub async fn run(mut ws: Ws, ch: Channels, shared: Arc<Shared>, req: ExecRequest) {
    let mut host = SimHost {
        shared: shared.clone(),
        namespace: req.namespace.clone(),
        pod: req.pod.clone(),
        container: req.container.clone(),
    };
    if req.attach {
        attach(ws, &host).await;
        return;
    }
    let mut pending = VecDeque::new();
    // Direct commands run to their end (input is not needed for any of them).
    if let Some(outs) = Shell::run_argv(&mut host, &req.command, req.tty) {
        if let Ok(code) = emit(&mut ws, outs, req.tty, &mut pending).await {
            finish(&mut ws, code.unwrap_or(0)).await;
        }
        return;
    }
    let argv0 = req.command.first().cloned().unwrap_or_else(|| "sh".into());
    let mut shell = Shell::interactive(&argv0, req.tty, &host);
    let first = shell.start();
    let mut code = match emit(&mut ws, first, req.tty, &mut pending).await {
        Ok(c) => c,
        Err(()) => return,
    };
    if !req.stdin && code.is_none() {
        // A shell with nothing to read ends at once, as `sh < /dev/null` does.
        let outs = shell.eof(&mut host);
        code = emit(&mut ws, outs, req.tty, &mut pending)
            .await
            .ok()
            .flatten();
    }
    while code.is_none() {
        let msg = match pending.pop_front() {
            Some(m) => m,
            None => match ws.next().await {
                Some(Ok(m)) => m,
                _ => return,
            },
        };
        let outs = match msg {
            Message::Binary(b) if b.first() == Some(&STDIN) => shell.input(&mut host, &b[1..]),
            Message::Binary(b) if b.first() == Some(&CLOSE) && ch == Channels::V5 => {
                if b.get(1) == Some(&STDIN) {
                    shell.eof(&mut host)
                } else {
                    Vec::new()
                }
            }
            Message::Binary(b) if b.first() == Some(&RESIZE) => Vec::new(),
            Message::Close(_) => {
                // The close is answered, as the handshake asks.
                super::stream::close(&mut ws).await;
                return;
            }
            _ => Vec::new(),
        };
        code = match emit(&mut ws, outs, req.tty, &mut pending).await {
            Ok(c) => c,
            Err(()) => return,
        };
    }
    finish(&mut ws, code.unwrap_or(0)).await;
}

/// Attach: the container's output from now on (its recent lines first), until the
/// client leaves. Input is read and dropped (the simulated apps read none).
async fn attach(mut ws: Ws, host: &SimHost) {
    let key = format!("{}/{}", host.namespace, host.pod);
    let mut after = 0u64;
    let mut first = true;
    loop {
        let lines = {
            let st = host.shared.lock();
            st.world.logs.read(&key, &host.container, false, after)
        };
        let skip = if first {
            lines.len().saturating_sub(10)
        } else {
            0
        };
        first = false;
        let mut out = String::new();
        for l in lines.iter().skip(skip) {
            out.push_str(&l.text);
            out.push('\n');
        }
        if let Some(l) = lines.last() {
            after = l.seq;
        }
        if !out.is_empty() && !send(&mut ws, STDOUT, out.as_bytes()).await {
            return;
        }
        tokio::select! {
            m = ws.next() => match m {
                Some(Ok(Message::Close(_))) | None | Some(Err(_)) => return,
                _ => {}
            },
            _ = tokio::time::sleep(Duration::from_secs(1)) => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exit_codes_become_the_status_kubectl_reads() {
        assert_eq!(status(0)["status"], "Success");
        let s = status(127);
        assert_eq!(s["reason"], "NonZeroExitCode");
        assert_eq!(s["details"]["causes"][0]["reason"], "ExitCode");
        assert_eq!(s["details"]["causes"][0]["message"], "127");
    }
}
