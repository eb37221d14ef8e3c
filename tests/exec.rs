//! Exec and port-forward against the simulated cluster: real kubectl 1.31–1.33
//! (WebSocket v5 exec, SPDY tunnelled port-forward), and kdeck's own client path
//! (kube-rs exec and the forwarder, with a Service forward moving off a deleted
//! pod).

mod common;

use std::time::Duration;

use common::Cluster;
use common::tmux::Tmux;
use kdeck::sim::Scenario;

const VERSIONS: &[&str] = &["1.31", "1.32", "1.33"];
const NS: &str = "flextime-production";

async fn api_pod(c: &Cluster) -> String {
    let out = c
        .kubectl("1.33")
        .until(
            &[
                "get",
                "pods",
                "-n",
                NS,
                "-l",
                "app=flextime,component=api",
                "-o",
                "jsonpath={.items[0].metadata.name}",
            ],
            Duration::from_secs(20),
            |s| !s.trim().is_empty(),
        )
        .await;
    out.trim().to_string()
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kubectl_exec_reaches_the_simulated_apps() {
    let c = Cluster::start(Scenario::Calm, 1.0).await;
    let pod = api_pod(&c).await;
    for v in VERSIONS {
        let k = c.kubectl(v);
        let health = k
            .run(&[
                "exec",
                "-n",
                NS,
                &pod,
                "-c",
                "api",
                "--",
                "curl",
                "-s",
                "localhost:3005/health",
            ])
            .await;
        let body = health.out();
        let v_json: serde_json::Value =
            serde_json::from_str(body).unwrap_or_else(|e| panic!("kubectl {v}: {e}: {body}"));
        assert!(
            v_json["checks"]["database"].is_object() && v_json["checks"]["redis"].is_object(),
            "kubectl {v}: deep health expected, got {body}"
        );
        let ping = k
            .run(&["exec", "-n", NS, "deploy/redis", "--", "redis-cli", "ping"])
            .await;
        assert_eq!(ping.out().trim(), "PONG", "kubectl {v}");
        let f = k
            .run(&["exec", "-n", NS, &pod, "-c", "api", "--", "false"])
            .await;
        assert!(
            f.err().contains("command terminated with exit code 1"),
            "kubectl {v}: {}",
            f.stderr
        );
        let missing = k
            .run(&["exec", "-n", NS, &pod, "-c", "api", "--", "no-such-tool"])
            .await;
        assert!(
            missing.err().contains("exit code 127"),
            "kubectl {v}: {}",
            missing.stderr
        );
        let bad = k
            .run(&[
                "exec",
                "-n",
                NS,
                &pod,
                "-c",
                "no-such-container",
                "--",
                "true",
            ])
            .await;
        assert!(
            bad.err().contains("no-such-container"),
            "kubectl {v}: {}",
            bad.stderr
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kubectl_port_forward_to_a_service_then_curl() {
    use tokio::io::AsyncBufReadExt;
    let c = Cluster::start(Scenario::Calm, 1.0).await;
    let http = common::http();
    for v in VERSIONS {
        let port = free_port();
        let mut child = c
            .kubectl(v)
            .command(&[
                "port-forward",
                "-n",
                "flextime-monitoring",
                "svc/prometheus",
                &format!("{port}:9090"),
            ])
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .expect("kubectl port-forward starts");
        let stdout = child.stdout.take().expect("stdout");
        let mut lines = tokio::io::BufReader::new(stdout).lines();
        let first = tokio::time::timeout(Duration::from_secs(20), lines.next_line())
            .await
            .unwrap_or_else(|_| panic!("kubectl {v}: no output from port-forward"))
            .ok()
            .flatten()
            .unwrap_or_default();
        assert!(
            first.contains(&format!("Forwarding from 127.0.0.1:{port} -> 9090")),
            "kubectl {v}: {first}"
        );
        for _ in 0..2 {
            let body = http
                .get(format!("http://127.0.0.1:{port}/-/healthy"))
                .send()
                .await
                .unwrap_or_else(|e| panic!("kubectl {v}: curl through the forward: {e}"))
                .text()
                .await
                .unwrap_or_default();
            assert!(body.contains("Healthy"), "kubectl {v}: {body}");
        }
        let _ = child.kill().await;
    }
}

#[test]
fn kubectl_exec_it_shell_in_tmux() {
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    let c = rt.block_on(Cluster::start(Scenario::Calm, 1.0));
    let pod = rt.block_on(api_pod(&c));
    for v in VERSIONS {
        let k = c.kubectl(v);
        let cmd = format!(
            "{} --kubeconfig {} --cache-dir {} exec -it -n {NS} {pod} -c api -- sh; echo KUBECTL_EXIT=$?; sleep 60",
            k.bin.display(),
            k.kubeconfig.display(),
            k.cache.display()
        );
        let t = Tmux::start(&cmd, 80, 24);
        t.wait(
            &format!("kubectl {v}: a prompt"),
            Duration::from_secs(20),
            |s| s.contains("/ #"),
        );
        t.text("echo hi");
        t.keys(&["Enter"]);
        t.wait(&format!("kubectl {v}: hi"), Duration::from_secs(10), |s| {
            s.lines().any(|l| l.trim() == "hi")
        });
        t.text("exit 4");
        t.keys(&["Enter"]);
        t.wait(
            &format!("kubectl {v}: the shell's exit"),
            Duration::from_secs(10),
            |s| s.contains("KUBECTL_EXIT=4"),
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kdecks_client_runs_commands_and_forwards_through_a_service() {
    let c = Cluster::start(Scenario::Calm, 1.0).await;
    let client = common::kube_client(&c.kubeconfig).await;
    let pod = api_pod(&c).await;
    let cmd = |w: &[&str]| w.iter().map(|s| s.to_string()).collect::<Vec<_>>();
    let ran = kdeck::cluster::exec::run(
        client.clone(),
        NS,
        &pod,
        "api",
        &cmd(&["curl", "-s", "localhost:3005/health"]),
        Duration::from_secs(20),
    )
    .await;
    assert_eq!(ran.exit, Some(0), "{ran:?}");
    assert!(
        String::from_utf8_lossy(&ran.stdout).contains("\"checks\""),
        "{ran:?}"
    );
    assert_eq!(ran.bytes_out as usize, ran.stdout.len() + ran.stderr.len());
    let failed = kdeck::cluster::exec::run(
        client.clone(),
        NS,
        &pod,
        "api",
        &cmd(&["sh", "-c", "echo oops >&2; exit 3"]),
        Duration::from_secs(20),
    )
    .await;
    assert_eq!(failed.exit, Some(3), "{failed:?}");

    // A Service forward: through kube-rs's port-forward, to one ready pod.
    use kdeck::cluster::forward::{Forwarded, Report, Spec, Via};
    let listener = kdeck::cluster::forward::bind("127.0.0.1:0".parse().expect("addr"))
        .await
        .expect("bind");
    let local = listener.local_addr().expect("local addr");
    let (tx, mut rx) = tokio::sync::mpsc::channel::<kdeck::cluster::msg::Msg>(64);
    let cancel = tokio_util::sync::CancellationToken::new();
    let spec = Spec {
        id: 7,
        ctx: 0,
        namespace: NS.into(),
        via: Via::Service("flextime-api-service".into()),
        port: 80,
    };
    tokio::spawn(kdeck::cluster::forward::run(
        client.clone(),
        spec,
        listener,
        tx,
        cancel.clone(),
    ));
    async fn next(rx: &mut tokio::sync::mpsc::Receiver<kdeck::cluster::msg::Msg>) -> Report {
        match tokio::time::timeout(Duration::from_secs(20), rx.recv()).await {
            Ok(Some(kdeck::cluster::msg::Msg::Forward(Forwarded { report, .. }))) => report,
            other => panic!("no forward report: {other:?}"),
        }
    }
    let Report::Started { pod: first, .. } = next(&mut rx).await else {
        panic!("the forward did not start")
    };
    let http = common::http();
    let body = http
        .get(format!("http://{local}/health"))
        .header("Connection", "close")
        .send()
        .await
        .expect("through the forward")
        .text()
        .await
        .unwrap_or_default();
    assert!(body.contains("\"checks\""), "{body}");
    assert_eq!(next(&mut rx).await, Report::Opened);
    let Report::Connection { bytes_out, .. } = next(&mut rx).await else {
        panic!("no connection report")
    };
    assert!(
        bytes_out as usize >= body.len(),
        "{bytes_out} < {}",
        body.len()
    );
    // The pod it uses goes away: the next connection moves, and says so.
    let k = c.kubectl("1.33");
    k.run(&["delete", "pod", "-n", NS, &first, "--wait=false"])
        .await
        .out();
    let body = http
        .get(format!("http://{local}/health"))
        .header("Connection", "close")
        .send()
        .await
        .expect("through the forward after the move")
        .text()
        .await
        .unwrap_or_default();
    assert!(body.contains("\"checks\""), "{body}");
    let mut moved = None;
    for _ in 0..3 {
        if let Report::Moved { from, to, .. } = next(&mut rx).await {
            moved = Some((from, to));
            break;
        }
    }
    let (from, to) = moved.expect("a move was reported");
    assert_eq!(from, first);
    assert_ne!(to, first);
    cancel.cancel();
}
