//! Shared test helpers: start a simulated cluster in-process, write its kubeconfig,
//! run the real versioned kubectl binaries against it, and wait for conditions.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::Output;
use std::time::{Duration, Instant};

use kdeck::sim::{self, Scenario, SimConfig, SimHandle};

/// The directory holding `kubectl.1.NN`: beside the file `kubectl` on PATH resolves to.
pub fn kubectl_dir() -> PathBuf {
    let path = std::env::var_os("PATH").expect("PATH is set");
    for dir in std::env::split_paths(&path) {
        let candidate = dir.join("kubectl");
        if candidate.is_file() {
            let real = std::fs::canonicalize(&candidate).expect("kubectl resolves");
            return real
                .parent()
                .expect("kubectl has a parent dir")
                .to_path_buf();
        }
    }
    panic!("kubectl is not on PATH; the versioned kubectl binaries are required for these tests");
}

pub fn kubectl_binary(version: &str) -> PathBuf {
    let p = kubectl_dir().join(format!("kubectl.{version}"));
    assert!(p.is_file(), "missing {}", p.display());
    p
}

/// A running simulated cluster with a kubeconfig on disk.
pub struct Cluster {
    pub sim: SimHandle,
    pub dir: tempfile::TempDir,
    pub kubeconfig: PathBuf,
}

impl Cluster {
    pub async fn start(scenario: Scenario, speed: f64) -> Cluster {
        Self::start_with(SimConfig {
            scenario,
            speed,
            ..SimConfig::default()
        })
        .await
    }

    /// The same cluster back on `addr` after a shutdown, with the certificates it
    /// had (`tls` from `SimHandle::tls` before it stopped), so clients trust it.
    pub async fn start_again(addr: std::net::SocketAddr, tls: sim::Tls) -> sim::SimHandle {
        sim::start(SimConfig {
            addr,
            scenario: Scenario::Calm,
            tls,
            ..SimConfig::default()
        })
        .await
        .expect("restart on the same address")
    }

    pub async fn start_with(cfg: SimConfig) -> Cluster {
        let sim = sim::start(cfg).await.expect("simulated cluster starts");
        let dir = tempfile::tempdir().expect("tempdir");
        let kubeconfig = dir.path().join("kubeconfig");
        sim.write_kubeconfig(&kubeconfig).expect("write kubeconfig");
        Cluster {
            sim,
            dir,
            kubeconfig,
        }
    }

    /// kubectl of `version` with its own fresh discovery cache.
    pub fn kubectl(&self, version: &str) -> Kubectl {
        let cache = self.dir.path().join(format!("cache-{version}"));
        Kubectl {
            bin: kubectl_binary(version),
            kubeconfig: self.kubeconfig.clone(),
            cache,
        }
    }
}

pub struct Kubectl {
    pub bin: PathBuf,
    pub kubeconfig: PathBuf,
    pub cache: PathBuf,
}

/// What a kubectl run printed.
#[derive(Debug)]
pub struct Run {
    pub ok: bool,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    fn from(o: Output) -> Run {
        Run {
            ok: o.status.success(),
            stdout: String::from_utf8_lossy(&o.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&o.stderr).into_owned(),
        }
    }

    /// Asserts success and returns stdout.
    pub fn out(&self) -> &str {
        assert!(
            self.ok,
            "kubectl failed:\nstdout: {}\nstderr: {}",
            self.stdout, self.stderr
        );
        &self.stdout
    }

    /// Asserts failure and returns stderr.
    pub fn err(&self) -> &str {
        assert!(!self.ok, "kubectl unexpectedly succeeded:\n{}", self.stdout);
        &self.stderr
    }
}

impl Kubectl {
    pub fn command(&self, args: &[&str]) -> tokio::process::Command {
        let mut c = tokio::process::Command::new(&self.bin);
        c.arg("--kubeconfig")
            .arg(&self.kubeconfig)
            .arg("--cache-dir")
            .arg(&self.cache)
            .args(args)
            .env_remove("KUBECONFIG")
            .kill_on_drop(true);
        c
    }

    pub async fn run(&self, args: &[&str]) -> Run {
        let out = tokio::time::timeout(Duration::from_secs(60), self.command(args).output())
            .await
            .unwrap_or_else(|_| panic!("kubectl {args:?} timed out"))
            .expect("kubectl runs");
        Run::from(out)
    }

    pub async fn run_stdin(&self, args: &[&str], stdin: &[u8]) -> Run {
        use tokio::io::AsyncWriteExt;
        let mut child = self
            .command(args)
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .expect("kubectl spawns");
        let mut input = child.stdin.take().expect("stdin");
        input.write_all(stdin).await.expect("write stdin");
        drop(input);
        let out = tokio::time::timeout(Duration::from_secs(60), child.wait_with_output())
            .await
            .expect("kubectl finishes")
            .expect("kubectl output");
        Run::from(out)
    }

    /// Runs until `check(stdout)` holds or `timeout` passes; returns the last stdout.
    pub async fn until(
        &self,
        args: &[&str],
        timeout: Duration,
        check: impl Fn(&str) -> bool,
    ) -> String {
        let start = Instant::now();
        loop {
            let r = self.run(args).await;
            if r.ok && check(&r.stdout) {
                return r.stdout;
            }
            if start.elapsed() > timeout {
                panic!(
                    "condition not met within {timeout:?} for kubectl {args:?}\nlast stdout:\n{}\nlast stderr:\n{}",
                    r.stdout, r.stderr
                );
            }
            tokio::time::sleep(Duration::from_millis(300)).await;
        }
    }
}

/// Polls `check` until it returns true or `timeout` passes.
pub async fn eventually<F, Fut>(what: &str, timeout: Duration, mut check: F)
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let start = Instant::now();
    while !check().await {
        assert!(
            start.elapsed() < timeout,
            "timed out after {timeout:?} waiting for: {what}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

pub fn write(dir: &Path, name: &str, content: &str) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, content).expect("write file");
    p
}

/// A kube-rs client for the cluster, through its kubeconfig file (as the console
/// connects).
/// The console's own client for the kubeconfig's current context (built exactly as
/// the console builds it).
pub async fn kube_client(kubeconfig: &Path) -> kube::Client {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let kc = kube::config::Kubeconfig::read_from(kubeconfig).expect("kubeconfig parses");
    let ctx = kc.current_context.clone().expect("a current context");
    kdeck::cluster::contexts::client(&kc, &ctx, kdeck::config::file::EXEC_TIMEOUT)
        .await
        .expect("kube client")
        .client
}

/// A plain HTTP client (for raw requests).
pub fn http() -> reqwest::Client {
    let _ = rustls::crypto::ring::default_provider().install_default();
    reqwest::Client::builder()
        .timeout(Duration::from_secs(20))
        .build()
        .expect("http client")
}
pub mod console;
pub mod driver;
pub mod hostile;
pub mod tmux;
