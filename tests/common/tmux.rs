//! Driving the real binary in tmux: a private tmux server per test, keys in,
//! screen text out.
#![allow(dead_code)]

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

pub struct Tmux {
    socket: String,
}

impl Tmux {
    /// Starts `cmd` (a shell command line) in a `w`×`h` pane.
    pub fn start(cmd: &str, w: u16, h: u16) -> Tmux {
        let socket = format!("kdeck-test-{}-{}", std::process::id(), rand_suffix());
        let t = Tmux { socket };
        let ok = t
            .tmux(&[
                "new-session",
                "-d",
                "-s",
                "main",
                "-x",
                &w.to_string(),
                "-y",
                &h.to_string(),
                cmd,
            ])
            .status
            .success();
        assert!(ok, "tmux new-session failed");
        t
    }

    fn tmux(&self, args: &[&str]) -> std::process::Output {
        Command::new("tmux")
            .arg("-L")
            .arg(&self.socket)
            .arg("-f")
            .arg("/dev/null")
            .args(args)
            .output()
            .expect("tmux runs")
    }

    pub fn screen(&self) -> String {
        String::from_utf8_lossy(&self.tmux(&["capture-pane", "-p", "-t", "main"]).stdout)
            .into_owned()
    }

    /// Resizes the window (the program gets SIGWINCH, as from a terminal emulator).
    pub fn resize(&self, w: u16, h: u16) {
        let ok = self
            .tmux(&[
                "resize-window",
                "-t",
                "main",
                "-x",
                &w.to_string(),
                "-y",
                &h.to_string(),
            ])
            .status
            .success();
        assert!(ok, "tmux resize-window failed");
    }

    /// Sends tmux key names (`Enter`, `Escape`, `l`, `C-c`), one at a time.
    pub fn keys(&self, keys: &[&str]) {
        for k in keys {
            self.tmux(&["send-keys", "-t", "main", k]);
            std::thread::sleep(Duration::from_millis(150));
        }
    }

    /// Sends one key and returns at once (no pause after it).
    pub fn key_now(&self, k: &str) {
        self.tmux(&["send-keys", "-t", "main", k]);
    }

    /// Types literal text.
    pub fn text(&self, s: &str) {
        self.tmux(&["send-keys", "-t", "main", "-l", s]);
        std::thread::sleep(Duration::from_millis(150));
    }

    pub fn alternate_screen(&self) -> bool {
        String::from_utf8_lossy(
            &self
                .tmux(&["display", "-p", "-t", "main", "#{alternate_on}"])
                .stdout,
        )
        .trim()
            == "1"
    }

    /// Waits until the screen satisfies `check`; panics with the screen otherwise.
    pub fn wait(&self, what: &str, timeout: Duration, check: impl Fn(&str) -> bool) -> String {
        let start = Instant::now();
        loop {
            let s = self.screen();
            if check(&s) {
                return s;
            }
            assert!(
                start.elapsed() < timeout,
                "timed out after {timeout:?} waiting for {what}; screen:\n{s}"
            );
            std::thread::sleep(Duration::from_millis(200));
        }
    }

    pub fn kill(&self) {
        self.tmux(&["kill-server"]);
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        self.kill();
    }
}

fn rand_suffix() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos() as u64)
        .unwrap_or(0)
}

/// A shell command running `kdeck <args>` with its own config, data and state dirs
/// under `dir`, then printing its exit status and lingering so the pane stays.
pub fn kdeck_cmd(dir: &Path, args: &str, extra_env: &str) -> String {
    let bin = env!("CARGO_BIN_EXE_kdeck");
    let d = dir.display();
    format!(
        "env KDECK_CONFIG_DIR={d}/config KDECK_DATA_DIR={d}/data KDECK_STATE_DIR={d}/state {extra_env} {bin} {args}; echo KDECK_EXIT=$?; sleep 120"
    )
}

/// The pid of the kdeck running with state under `dir` (found by its environment).
pub fn kdeck_pid(dir: &Path) -> Option<u32> {
    let want = format!("KDECK_STATE_DIR={}/state", dir.display());
    let out = Command::new("pgrep")
        .arg("-f")
        .arg(env!("CARGO_BIN_EXE_kdeck"))
        .output()
        .ok()?;
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter_map(|l| l.trim().parse::<u32>().ok())
        .find(|pid| {
            std::fs::read(format!("/proc/{pid}/environ"))
                .map(|e| e.split(|b| *b == 0).any(|v| v == want.as_bytes()))
                .unwrap_or(false)
        })
}

/// kubectl (1.33) against the cluster `kdeck demo` started, via the kubeconfig it wrote.
pub fn demo_kubectl(dir: &std::path::Path, args: &[&str]) -> String {
    let out = std::process::Command::new(super::kubectl_binary("1.33"))
        .arg("--kubeconfig")
        .arg(dir.join("state").join("demo-kubeconfig.yaml"))
        .arg("--cache-dir")
        .arg(dir.join("kubectl-cache"))
        .args(args)
        .env_remove("KUBECONFIG")
        .output()
        .expect("kubectl runs");
    assert!(
        out.status.success(),
        "kubectl {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}
