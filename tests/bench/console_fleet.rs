//! Benchmark: the real `kdeck` binary, as a person runs it — in a terminal (tmux,
//! 120×40 by default), over HTTPS with a token — against a separate `kdeck sim
//! --scenario large` process (50,000 pods in 2,000 namespaces, 50 pod updates a
//! second, by default). It prints:
//! - time to the first complete screen: the pods view saying every pod, live;
//! - resident memory after a minute;
//! - CPU % of one core over the steady window;
//! - bytes per second written to the terminal over that window;
//! - API requests per minute over that window, split into lists and gets, watches,
//!   probes (pod proxy) and access reviews (counted by the simulated cluster);
//! - probe freshness for the workloads on screen (the sim's record of when each
//!   pod's health path was last reached);
//! - the flight recorder's bytes per hour, and the peak memory of a replay of what
//!   it recorded against the live console's peak.
//!
//! `cargo bench --bench console_fleet` (release). Knobs: BENCH_NAMESPACES,
//! BENCH_PODS_PER_NAMESPACE, BENCH_CHURN, BENCH_SECONDS (total run, default 60),
//! BENCH_SIZE (`120x40`), BENCH_PROBES=0 (probing off), BENCH_RECORD=0 (the flight
//! recorder off), BENCH_KDECK_ENV (`NAME=value …` for the console), BENCH_LIST_SEMANTICS
//! (`full`, `no-watch-list`, `paged`: what the sim offers).

use std::collections::HashMap;
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use kdeck::ui::header::thousands;

fn env_or<T: std::str::FromStr>(k: &str, d: T) -> T {
    std::env::var(k)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(d)
}

struct Tmux {
    socket: String,
}

impl Tmux {
    fn run(&self, args: &[&str]) -> String {
        let out = Command::new("tmux")
            .arg("-L")
            .arg(&self.socket)
            .args(args)
            .output()
            .expect("tmux runs");
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    fn screen(&self) -> String {
        self.run(&["capture-pane", "-p", "-t", "m"])
    }

    fn keys(&self, k: &str) {
        self.run(&["send-keys", "-t", "m", k]);
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        let _ = Command::new("tmux")
            .args(["-L", &self.socket, "kill-server"])
            .output();
    }
}

/// (user + system CPU seconds, resident KiB) of a process.
fn usage(pid: u32) -> (f64, u64) {
    let tck: f64 = Command::new("getconf")
        .arg("CLK_TCK")
        .output()
        .ok()
        .and_then(|o| String::from_utf8_lossy(&o.stdout).trim().parse().ok())
        .unwrap_or(100.0);
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
    // Fields after the command name (which is in parentheses and may hold spaces).
    let rest = stat.rsplit_once(')').map_or("", |(_, r)| r);
    let f: Vec<&str> = rest.split_whitespace().collect();
    let ticks: f64 = f.get(11).and_then(|v| v.parse::<f64>().ok()).unwrap_or(0.0)
        + f.get(12).and_then(|v| v.parse::<f64>().ok()).unwrap_or(0.0);
    let rss = std::fs::read_to_string(format!("/proc/{pid}/status"))
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmRSS:"))
                .and_then(|l| l.split_whitespace().nth(1)?.parse().ok())
        })
        .unwrap_or(0);
    (ticks / tck, rss)
}

fn file_len(p: &Path) -> u64 {
    std::fs::metadata(p).map(|m| m.len()).unwrap_or(0)
}

/// The simulated cluster's counters, read through the API (TLS and token from the
/// kubeconfig, as any client).
async fn stats(client: &kube::Client, probes: bool) -> serde_json::Value {
    let path = if probes {
        "/kdeck-sim/stats?probes=true"
    } else {
        "/kdeck-sim/stats"
    };
    let req = http::Request::get(path)
        .body(Vec::new())
        .expect("stats request");
    let text = client.request_text(req).await.expect("sim stats");
    serde_json::from_str(&text).expect("stats json")
}

fn class(v: &serde_json::Value, c: &str) -> u64 {
    v["byClass"][c].as_u64().unwrap_or(0)
}

/// The (namespace, workload) of each overview row on screen.
fn rows_on_screen(screen: &str) -> Vec<(String, String)> {
    screen
        .lines()
        .skip_while(|l| !l.starts_with("SEV"))
        .skip(1)
        .filter_map(|l| {
            let mut t = l.split_whitespace();
            let sev = t.next()?;
            if !matches!(sev, "ok" | "WARN" | "CRIT" | "INFO") {
                return None;
            }
            Some((t.next()?.to_string(), t.next()?.to_string()))
        })
        .filter(|(ns, w)| !ns.contains('…') && !w.contains('…') && !w.contains('/'))
        .collect()
}

/// A Deployment pod's workload: `api-7f9c4d-x2k9q` → `api`.
fn workload_of(pod: &str) -> Option<&str> {
    let (rest, _) = pod.rsplit_once('-')?;
    let (w, _) = rest.rsplit_once('-')?;
    Some(w)
}

fn pct(v: &mut [f64], p: f64) -> f64 {
    if v.is_empty() {
        return 0.0;
    }
    v.sort_by(|a, b| a.total_cmp(b));
    v[((v.len() as f64 - 1.0) * p).round() as usize]
}

fn main() {
    let namespaces: usize = env_or("BENCH_NAMESPACES", 2000);
    let per_ns: usize = env_or("BENCH_PODS_PER_NAMESPACE", 25);
    let churn: usize = env_or("BENCH_CHURN", 50);
    let secs: u64 = env_or("BENCH_SECONDS", 60);
    let probes = std::env::var("BENCH_PROBES").map_or(true, |v| v != "0");
    let lists = std::env::var("BENCH_LIST_SEMANTICS").unwrap_or_else(|_| "full".into());
    let size = std::env::var("BENCH_SIZE").unwrap_or_else(|_| "120x40".into());
    let (w, h) = size.split_once('x').unwrap_or(("120", "40"));
    let pods = namespaces * per_ns;
    let bin = env!("CARGO_BIN_EXE_kdeck");
    println!(
        "kdeck benchmark: the release binary at {size} against `kdeck sim --scenario large` \
         ({} pods in {} namespaces, {churn} pod updates/s, list semantics {lists}), probes {}",
        thousands(pods),
        thousands(namespaces),
        if probes { "on" } else { "off" }
    );
    println!(
        "  machine: {} cores, {}",
        std::thread::available_parallelism().map_or(0, |n| n.get()),
        std::fs::read_to_string("/proc/cpuinfo")
            .ok()
            .and_then(|c| c
                .lines()
                .find(|l| l.starts_with("model name"))
                .and_then(|l| l.split_once(':'))
                .map(|(_, m)| m.trim().to_string()))
            .unwrap_or_default()
    );
    let dir = tempfile::tempdir().expect("tempdir");
    let kc = dir.path().join("kubeconfig");

    // The simulated cluster, its own process (only the console is measured).
    let t = Instant::now();
    let mut sim = Command::new(bin)
        .args(["sim", "--scenario", "large", "--namespaces"])
        .arg(namespaces.to_string())
        .arg("--pods-per-namespace")
        .arg(per_ns.to_string())
        .arg("--churn")
        .arg(churn.to_string())
        .args(["--list-semantics", &lists, "--kubeconfig-out"])
        .arg(&kc)
        .env("XDG_STATE_HOME", dir.path().join("sim-state"))
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("kdeck sim starts");
    let mut lines = BufReader::new(sim.stdout.take().expect("stdout")).lines();
    for line in lines.by_ref() {
        if line.expect("sim output").starts_with("server: ") {
            break;
        }
    }
    // Keep reading so the sim never blocks on a full pipe.
    std::thread::spawn(move || for _ in lines {});
    println!(
        "  simulated cluster ready after {:.1} s",
        t.elapsed().as_secs_f64()
    );

    let rt = tokio::runtime::Runtime::new().expect("runtime");
    let _ = rustls::crypto::ring::default_provider().install_default();
    let client = rt.block_on(async {
        let k = kube::config::Kubeconfig::read_from(&kc).expect("kubeconfig");
        let ctx = k.current_context.clone().expect("context");
        kdeck::cluster::contexts::client(&k, &ctx, kdeck::config::file::EXEC_TIMEOUT)
            .await
            .expect("client")
            .client
    });

    // The console in a terminal, its output also copied to a file to count it.
    let config = dir.path().join("config");
    std::fs::create_dir_all(config.join("kdeck")).expect("config dir");
    std::fs::write(
        config.join("kdeck/config.toml"),
        format!(
            "[probes]\nenabled = {probes}\n[recorder]\nenabled = {}\n",
            env_or("BENCH_RECORD", 1) != 0
        ),
    )
    .expect("config");
    let pidfile = dir.path().join("kdeck.pid");
    let tty = dir.path().join("tty.out");
    let cmd = format!(
        "sh -c 'echo $$ > {pid}; exec env {extra} XDG_CONFIG_HOME={cfg} XDG_STATE_HOME={state} KDECK_DATA_DIR={data} {bin} --kubeconfig {kc} -A'; sleep 600",
        extra = std::env::var("BENCH_KDECK_ENV").unwrap_or_default(),
        pid = pidfile.display(),
        cfg = config.display(),
        state = dir.path().join("state").display(),
        data = dir.path().join("data").display(),
        kc = kc.display(),
    );
    let tmux = Tmux {
        socket: format!("kdeck-bench-{}", std::process::id()),
    };
    let t0 = Instant::now();
    tmux.run(&["new-session", "-d", "-s", "m", "-x", w, "-y", h, &cmd]);
    tmux.run(&[
        "pipe-pane",
        "-t",
        "m",
        "-o",
        &format!("cat >> {}", tty.display()),
    ]);
    let pid: u32 = loop {
        if let Some(p) = std::fs::read_to_string(&pidfile)
            .ok()
            .and_then(|s| s.trim().parse().ok())
        {
            break p;
        }
        assert!(
            t0.elapsed() < Duration::from_secs(10),
            "kdeck did not start"
        );
        std::thread::sleep(Duration::from_millis(5));
    };
    // The pods view, at once: complete when it says every pod and the context is live.
    tmux.keys("2");
    let want = format!("Pods {}", thousands(pods));
    let mut peak = 0;
    let first = loop {
        let head = tmux.screen().lines().next().unwrap_or("").to_string();
        peak = peak.max(usage(pid).1);
        if head.contains("● live") && head.contains(&want) && !head.contains('…') {
            break t0.elapsed();
        }
        assert!(
            t0.elapsed() < Duration::from_secs(120),
            "no complete screen within 2 minutes; last header: {head}"
        );
        std::thread::sleep(Duration::from_millis(20));
    };
    println!(
        "  first complete screen (the pods view listing all {} pods, live): {:.2} s",
        thousands(pods),
        first.as_secs_f64()
    );
    // The overview for the rest of the run, as on a page.
    tmux.keys("1");

    // The steady window: from 20 s after start (or the first screen, if later) to the end.
    let from = first.max(Duration::from_secs(20));
    let end = Duration::from_secs(secs).max(from + Duration::from_secs(20));
    while t0.elapsed() < from {
        peak = peak.max(usage(pid).1);
        std::thread::sleep(Duration::from_millis(200));
    }
    let (cpu0, _) = usage(pid);
    let bytes0 = file_len(&tty);
    let s0 = rt.block_on(stats(&client, false));
    let w0 = Instant::now();
    while t0.elapsed() < end {
        peak = peak.max(usage(pid).1);
        std::thread::sleep(Duration::from_millis(200));
    }
    let window = w0.elapsed().as_secs_f64();
    let (cpu1, rss) = usage(pid);
    let bytes1 = file_len(&tty);
    let s1 = rt.block_on(stats(&client, true));
    let screen = tmux.screen();
    println!(
        "  resident memory after {} s: {:.0} MB (peak {:.0} MB)",
        end.as_secs(),
        rss as f64 / 1024.0,
        peak.max(rss) as f64 / 1024.0
    );
    println!(
        "  CPU over the steady window ({:.0} s): {:.1} % of one core",
        window,
        (cpu1 - cpu0) / window * 100.0
    );
    println!(
        "  written to the terminal: {:.0} bytes/s",
        (bytes1 - bytes0) as f64 / window
    );
    let per_min = |c: &str| (class(&s1, c) - class(&s0, c)) as f64 / window * 60.0;
    println!(
        "  API requests per minute: lists and gets {:.1} (discovery {:.1}), watches {:.1}, probes {:.0}, access reviews {:.1}",
        per_min("list") + per_min("get") + per_min("discovery"),
        per_min("discovery"),
        per_min("watch"),
        per_min("proxy"),
        per_min("review"),
    );

    // Freshness of the workloads on screen: each of a workload's health paths, as
    // last reached on any of its pods.
    let rows = rows_on_screen(&screen);
    let mut newest: HashMap<(String, String, String), f64> = HashMap::new();
    for p in s1["probes"].as_array().into_iter().flatten() {
        let (Some(ns), Some(pod), Some(path), Some(age)) = (
            p["namespace"].as_str(),
            p["pod"].as_str(),
            p["path"].as_str(),
            p["ageSeconds"].as_f64(),
        ) else {
            continue;
        };
        let Some(w) = workload_of(pod) else { continue };
        let e = newest
            .entry((ns.to_string(), w.to_string(), path.to_string()))
            .or_insert(f64::MAX);
        *e = e.min(age);
    }
    let mut ages: Vec<f64> = rows
        .iter()
        .map(|(ns, w)| {
            newest
                .iter()
                .filter(|((n, wl, _), _)| n == ns && wl == w)
                .map(|(_, a)| *a)
                .fold(None, |m: Option<f64>, a| Some(m.map_or(a, |m| m.max(a))))
                .unwrap_or(f64::INFINITY)
        })
        .collect();
    let never = ages.iter().filter(|a| a.is_infinite()).count();
    let unprobed: Vec<String> = rows
        .iter()
        .zip(&ages)
        .filter(|(_, a)| a.is_infinite())
        .map(|((ns, w), _)| format!("{ns}/{w}"))
        .collect();
    let over = ages.iter().filter(|a| **a > 30.0).count();
    let all_targets = newest.len();
    if probes {
        println!(
            "  probe freshness of the {} workloads on screen: p50 {:.1} s, max {:.1} s, {} older than 30 s ({} never probed); {} health paths probed in all",
            rows.len(),
            pct(&mut ages, 0.5),
            pct(&mut ages, 1.0),
            over,
            never,
            thousands(all_targets)
        );
        if !unprobed.is_empty() {
            println!("    never probed: {}", unprobed.join(", "));
        }
    }

    tmux.keys("q");
    let t = Instant::now();
    while std::fs::metadata(format!("/proc/{pid}")).is_ok() && t.elapsed() < Duration::from_secs(10)
    {
        std::thread::sleep(Duration::from_millis(50));
    }
    let ran = t0.elapsed().as_secs_f64();
    let _ = sim.kill();
    let _ = sim.wait();
    recording(Path::new(bin), dir.path(), ran, peak.max(rss));
}

/// The flight recorder's cost: bytes written per hour of this run, and the memory a
/// replay of it takes (`kdeck timeline` replays the whole recording headless through
/// the console's step) against the live console's peak.
fn recording(bin: &Path, dir: &Path, ran: f64, live_peak_kb: u64) {
    let recordings = dir.join("state").join("kdeck").join("recordings");
    let bytes: u64 = std::fs::read_dir(&recordings)
        .into_iter()
        .flatten()
        .flatten()
        .map(|e| file_len(&e.path()))
        .sum();
    if bytes == 0 {
        println!("  flight recorder: nothing under {}", recordings.display());
        return;
    }
    println!(
        "  flight recorder: {:.1} MB in {:.0} s = {:.0} MB per hour",
        bytes as f64 / 1e6,
        ran,
        bytes as f64 / 1e6 / ran * 3600.0
    );
    let t = Instant::now();
    let mut child = Command::new(bin)
        .args(["timeline", "--format", "json", "--from"])
        .arg(&recordings)
        .env("XDG_STATE_HOME", dir.join("state"))
        .env("XDG_CONFIG_HOME", dir.join("config"))
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("kdeck timeline runs");
    let mut hwm = 0u64;
    let status = loop {
        if let Some(v) = std::fs::read_to_string(format!("/proc/{}/status", child.id()))
            .ok()
            .and_then(|s| {
                s.lines()
                    .find(|l| l.starts_with("VmHWM:"))
                    .and_then(|l| l.split_whitespace().nth(1)?.parse::<u64>().ok())
            })
        {
            hwm = hwm.max(v);
        }
        if let Ok(Some(st)) = child.try_wait() {
            break st;
        }
        std::thread::sleep(Duration::from_millis(10));
    };
    println!(
        "  replay of it (kdeck timeline, the whole recording through the step): peak {:.0} MB in {:.1} s ({}), {:.2}× the live console's peak {:.0} MB",
        hwm as f64 / 1024.0,
        t.elapsed().as_secs_f64(),
        if status.success() { "ok" } else { "failed" },
        hwm as f64 / live_peak_kb.max(1) as f64,
        live_peak_kb as f64 / 1024.0
    );
}
