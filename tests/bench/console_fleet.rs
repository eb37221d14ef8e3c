//! Benchmark: the console against a large simulated fleet (default 50,000 pods in
//! 2,000 namespaces with steady churn), run as a separate `kdeck sim` process so only
//! the console is measured here. Prints: raw list download time, time to the first
//! complete overview, resident memory, frame time (p50/p99) and bytes written to the
//! terminal per second when idle and under churn, at 80×24 and 160×48.
//!
//! `cargo bench --bench console_fleet` (release). Size with BENCH_NAMESPACES,
//! BENCH_PODS_PER_NAMESPACE, BENCH_CHURN, BENCH_SECONDS.

use std::io::{BufRead, BufReader, Write};
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use futures::StreamExt;
use kdeck::app::engine::{Engine, Input};
use kdeck::app::state::{ContextState, State};
use kdeck::app::{Console, Event};
use kdeck::cluster::contexts;
use kdeck::cluster::kinds::ResKind;
use kdeck::config::keymap::{Code, Key, Keymap};
use kdeck::config::theme::Theme;
use ratatui::backend::CrosstermBackend;
use ratatui::layout::Rect;
use ratatui::{Terminal, TerminalOptions, Viewport};
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

/// Counts live heap bytes (to tell data from allocator retention), over the same
/// allocator the kdeck binary uses.
struct Counting;
static LIVE: AtomicU64 = AtomicU64::new(0);

unsafe impl std::alloc::GlobalAlloc for Counting {
    unsafe fn alloc(&self, l: std::alloc::Layout) -> *mut u8 {
        LIVE.fetch_add(l.size() as u64, Ordering::Relaxed);
        unsafe { mimalloc::MiMalloc.alloc(l) }
    }
    unsafe fn dealloc(&self, p: *mut u8, l: std::alloc::Layout) {
        LIVE.fetch_sub(l.size() as u64, Ordering::Relaxed);
        unsafe { mimalloc::MiMalloc.dealloc(p, l) }
    }
    unsafe fn realloc(&self, p: *mut u8, l: std::alloc::Layout, n: usize) -> *mut u8 {
        LIVE.fetch_add(n as u64, Ordering::Relaxed);
        LIVE.fetch_sub(l.size() as u64, Ordering::Relaxed);
        unsafe { mimalloc::MiMalloc.realloc(p, l, n) }
    }
}

#[global_allocator]
static ALLOC: Counting = Counting;
kdeck::tune_allocator_at_load!();

fn live_mb() -> f64 {
    LIVE.load(Ordering::Relaxed) as f64 / 1048576.0
}

fn env_or(k: &str, d: usize) -> usize {
    std::env::var(k)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(d)
}

/// A terminal sink that counts the bytes a frame writes.
#[derive(Clone)]
struct Counter(Arc<AtomicU64>);

impl Write for Counter {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.fetch_add(buf.len() as u64, Ordering::Relaxed);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

fn rss_kib(field: &str) -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with(field))
                .and_then(|l| l.split_whitespace().nth(1)?.parse().ok())
        })
        .unwrap_or(0)
}

fn pct(v: &mut [f64], p: f64) -> f64 {
    if v.is_empty() {
        return 0.0;
    }
    v.sort_by(|a, b| a.total_cmp(b));
    v[((v.len() as f64 - 1.0) * p).round() as usize]
}

struct Screen {
    term: Terminal<CrosstermBackend<Counter>>,
    bytes: Arc<AtomicU64>,
    w: u16,
    h: u16,
}

impl Screen {
    fn new(w: u16, h: u16) -> Screen {
        let bytes = Arc::new(AtomicU64::new(0));
        let term = Terminal::with_options(
            CrosstermBackend::new(Counter(bytes.clone())),
            TerminalOptions {
                viewport: Viewport::Fixed(Rect::new(0, 0, w, h)),
            },
        )
        .expect("terminal");
        Screen { term, bytes, w, h }
    }

    /// Draws one frame (after telling the engine the page size, as the terminal
    /// front end does); returns (milliseconds, bytes written).
    fn draw(&mut self, e: &mut Engine, theme: &Theme) -> (f64, u64) {
        let rows = kdeck::ui::render::page_rows(Rect::new(0, 0, self.w, self.h), &e.console);
        if rows != e.console.page {
            e.feed(Event::Page(rows));
        }
        let before = self.bytes.load(Ordering::Relaxed);
        let t = Instant::now();
        let s: &State = &e.console;
        self.term
            .draw(|f| kdeck::ui::render::render(f, s, theme))
            .expect("draw");
        (
            t.elapsed().as_secs_f64() * 1000.0,
            self.bytes.load(Ordering::Relaxed) - before,
        )
    }
}

/// Runs the terminal front end's pattern for `secs`: the engine's turns (reports in
/// batches, the clock, rebuilds at most every 250 ms), a frame at most every 33 ms.
/// Returns frame times (ms), bytes written and reports applied.
async fn run_loop(
    e: &mut Engine,
    scr: &mut Screen,
    theme: &Theme,
    secs: u64,
) -> (Vec<f64>, u64, usize) {
    let start = Instant::now();
    let mut frames = Vec::new();
    let mut bytes = 0;
    let reports = e.reports();
    while start.elapsed() < Duration::from_secs(secs) {
        let frame = async {
            tokio::time::sleep(Duration::from_millis(33)).await;
            Input::Idle
        };
        e.turn(frame).await;
        let (ms, b) = scr.draw(e, theme);
        frames.push(ms);
        bytes += b;
    }
    (frames, bytes, (e.reports() - reports) as usize)
}

/// Pauses or resumes the simulated cluster's churn.
async fn set_churn(server: &str, paused: bool) {
    reqwest::Client::new()
        .put(format!("{server}/kdeck-sim/churn?paused={paused}"))
        .send()
        .await
        .expect("churn control");
}

/// Live heap by store and by row set (each measured by cloning it).
fn stores(s: &State) {
    let d = &s.contexts[0].data.kinds;
    let usage = &s.contexts[0].data.usage;
    println!(
        "  records: {} pods, {} deployments, {} replicasets, {} services, {} endpoints, {} hpas, {} events, {} usage",
        d.pods.len(),
        d.deployments.len(),
        d.replicasets.len(),
        d.services.len(),
        d.endpoints.len(),
        d.hpas.len(),
        d.events.len(),
        usage.len()
    );
    fn cost<T: Clone>(v: &T) -> f64 {
        let before = live_mb();
        let c = v.clone();
        let after = live_mb();
        drop(c);
        after - before
    }
    println!(
        "  live MB by store: pods {:.1}, deployments {:.1}, replicasets {:.1}, services {:.1}, endpoints {:.1}, hpas {:.1}, events {:.1}, usage {:.1}, fleet rows {:.1} (workloads {:.1}, pods {:.1}, usage {:.1})",
        cost(&d.pods),
        cost(&d.deployments),
        cost(&d.replicasets),
        cost(&d.services),
        cost(&d.endpoints),
        cost(&d.hpas),
        cost(&d.events),
        cost(usage),
        cost(&s.fleet),
        cost(&s.fleet.workloads),
        cost(&s.fleet.pods),
        cost(&s.fleet.usage)
    );
}

/// The baseline download (run in a child process): prints seconds and bytes.
async fn raw_download(server: &str) {
    let http = reqwest::Client::new();
    let t = Instant::now();
    let mut bytes = 0usize;
    let mut cont = String::new();
    loop {
        let url = format!(
            "{server}/api/v1/pods?limit=500{}",
            if cont.is_empty() {
                String::new()
            } else {
                format!("&continue={cont}")
            }
        );
        let resp = http.get(url).send().await.expect("list");
        let mut body = Vec::new();
        let mut stream = resp.bytes_stream();
        while let Some(chunk) = stream.next().await {
            body.extend_from_slice(&chunk.expect("chunk"));
        }
        bytes += body.len();
        let v: serde_json::Value = serde_json::from_slice(&body).expect("json");
        match v["metadata"]["continue"].as_str() {
            Some(c) if !c.is_empty() => cont = c.to_string(),
            _ => break,
        }
    }
    println!("{} {bytes}", t.elapsed().as_secs_f64());
}

fn main() {
    // As the kdeck binary does, before any thread starts.
    kdeck::alloc::tune();
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime")
        .block_on(bench());
}

async fn bench() {
    let _ = rustls::crypto::ring::default_provider().install_default();
    if let Ok(server) = std::env::var("BENCH_RAW_DOWNLOAD") {
        raw_download(&server).await;
        return;
    }
    let namespaces = env_or("BENCH_NAMESPACES", 2000);
    let per_ns = env_or("BENCH_PODS_PER_NAMESPACE", 25);
    let churn = env_or("BENCH_CHURN", 100);
    let secs = env_or("BENCH_SECONDS", 10) as u64;
    let dir = tempfile::tempdir().expect("tempdir");
    let kc_path = dir.path().join("kubeconfig");
    println!(
        "kdeck console benchmark: {} pods in {namespaces} namespaces, churn {churn} pod updates/s",
        namespaces * per_ns
    );
    let t0 = Instant::now();
    let mut sim = Command::new(env!("CARGO_BIN_EXE_kdeck"))
        .args([
            "sim",
            "--scenario",
            "large",
            "--namespaces",
            &namespaces.to_string(),
            "--pods-per-namespace",
            &per_ns.to_string(),
        ])
        .args(["--churn", &churn.to_string(), "--kubeconfig-out"])
        .arg(&kc_path)
        .env("KDECK_STATE_DIR", dir.path().join("state"))
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("kdeck sim starts");
    let mut server = String::new();
    for line in BufReader::new(sim.stdout.take().expect("stdout")).lines() {
        let line = line.expect("line");
        if let Some(s) = line.strip_prefix("server: ") {
            server = s.to_string();
            break;
        }
    }
    println!(
        "  simulated cluster ready after {:.1} s ({server})",
        t0.elapsed().as_secs_f64()
    );

    // Baseline: downloading the pod list (paged like kube-rs, 500 a page), in a child
    // process so its buffers do not count against the console's memory.
    let out = Command::new(std::env::current_exe().expect("bench binary"))
        .env("BENCH_RAW_DOWNLOAD", &server)
        .output()
        .expect("download child");
    let text = String::from_utf8_lossy(&out.stdout);
    let mut parts = text.split_whitespace();
    let raw: f64 = parts
        .next()
        .and_then(|v| v.parse().ok())
        .expect("download time");
    let bytes: usize = parts
        .next()
        .and_then(|v| v.parse().ok())
        .expect("download size");
    println!(
        "  raw pod list download: {:.2} s for {:.0} MB (paged, 500 per request)",
        raw,
        bytes as f64 / 1e6
    );
    let rss_before = rss_kib("VmRSS:");

    // The console's sources and state, as in `kdeck`.
    let kc = contexts::load(Some(&kc_path)).expect("kubeconfig");
    let spec = contexts::select(&kc, &[], &[]).expect("context").remove(0);
    let (tx, rx) = mpsc::channel::<Event>(4096);
    let cancel = CancellationToken::new();
    let t = Instant::now();
    // Connected exactly as `kdeck` connects a context.
    let links = kdeck::cluster::link::Links::new(1);
    tokio::spawn(contexts::connect(
        kc.clone(),
        spec.name.clone(),
        contexts::Session {
            id: 0,
            exec_timeout: kdeck::config::file::EXEC_TIMEOUT,
            namespaces: Vec::new(),
            link: links.get(0).expect("link").clone(),
            tx: tx.clone(),
            cancel: cancel.clone(),
        },
    ));
    let s = State::new(
        vec![ContextState::new(spec, false)],
        Keymap::builtin("default").expect("keymap"),
        jiff::Timestamp::now().as_second(),
    );
    let sink = Arc::new(kdeck::audit::log::Sink::new(dir.path().join("audit")));
    let mut rt = kdeck::app::runtime::Runtime::new(tx, links, cancel.clone(), sink);
    if std::env::var_os("BENCH_NO_PROBES").is_none() {
        rt.start_probes(&s.watching);
    }
    let mut e = Engine::new(Console::new(s), rt, rx, None);
    let theme = Theme::builtin("default").expect("theme");
    let mut small = Screen::new(80, 24);
    let mut large = Screen::new(160, 48);
    let mut frames_during_load = Vec::new();
    loop {
        let frame = async {
            tokio::time::sleep(Duration::from_millis(33)).await;
            Input::Idle
        };
        e.turn(frame).await;
        let listed = e.console.contexts[0].data.listed().len() == ResKind::ALL.len();
        if listed && e.console.stale() {
            e.feed(Event::Refresh);
        }
        frames_during_load.push(small.draw(&mut e, &theme).0);
        if listed && !e.console.stale() {
            break;
        }
        assert!(
            t.elapsed() < Duration::from_secs(300),
            "no complete overview after 5 minutes"
        );
    }
    let first = t.elapsed().as_secs_f64();
    let rss_after = rss_kib("VmRSS:");
    println!("  live heap after first paint: {:.0} MB", live_mb());
    stores(&e.console);
    let peak = rss_kib("VmHWM:");
    let d = &e.console.contexts[0].data.kinds;
    println!(
        "  first complete overview: {:.2} s ({:.2}× the raw pod download) — {} pods, {} workloads, {} rows",
        first,
        first / raw,
        d.pods.len(),
        e.console.fleet.workloads.len(),
        e.console.fleet.workloads.len() + e.console.fleet.pods.len()
    );

    let mut report = Vec::new();
    for (name, scr) in [("80x24", &mut small), ("160x48", &mut large)] {
        // The first frame paints the whole screen; idle is measured after it.
        let (_, full) = scr.draw(&mut e, &theme);
        println!("  first frame at {name} (after any earlier frames at that size): {full} bytes");
        // Idle: the cluster's churn paused; nothing on screen changes but the clock.
        set_churn(&server, true).await;
        let (mut idle_frames, idle_bytes, _) = run_loop(&mut e, scr, &theme, secs).await;
        // Churn: every change applied as it arrives.
        set_churn(&server, false).await;
        let (mut churn_frames, churn_bytes, msgs) = run_loop(&mut e, scr, &theme, secs).await;
        let mut all = idle_frames.clone();
        all.extend(churn_frames.iter().copied());
        report.push((
            name,
            pct(&mut all.clone(), 0.5),
            pct(&mut all, 0.99),
            idle_bytes as f64 / secs as f64,
            churn_bytes as f64 / secs as f64,
            msgs as f64 / secs as f64,
            pct(&mut churn_frames, 0.99),
            pct(&mut idle_frames, 0.5),
        ));
    }
    let rss_overview = rss_kib("VmRSS:");
    let heap_overview = live_mb();

    // The pods view: every pod a row (built only while a screen shows it).
    let t = Instant::now();
    for c in [
        Code::Char(':'),
        Code::Char('p'),
        Code::Char('o'),
        Code::Char('d'),
        Code::Char('s'),
        Code::Enter,
    ] {
        e.feed(Event::Key(Key::plain(c)));
    }
    let open_ms = t.elapsed().as_secs_f64() * 1000.0;
    let (pods_frames, _, _) = run_loop(&mut e, &mut small, &theme, secs).await;
    println!(
        "  pods view: {} rows, opened in {:.0} ms; frame p50 {:.2} ms, p99 {:.2} ms at 80x24 under churn; live heap {:.0} MB, resident {:.0} MB",
        e.console.fleet.pods.len(),
        open_ms,
        pct(&mut pods_frames.clone(), 0.5),
        pct(&mut pods_frames.clone(), 0.99),
        live_mb(),
        rss_kib("VmRSS:") as f64 / 1024.0
    );
    for c in [
        Code::Char(':'),
        Code::Char('o'),
        Code::Char('v'),
        Code::Enter,
    ] {
        e.feed(Event::Key(Key::plain(c)));
    }
    let (_, _, _) = run_loop(&mut e, &mut small, &theme, 2).await;

    let rss_end = rss_kib("VmRSS:");
    println!(
        "  overview after the runs: live heap {heap_overview:.0} MB, resident {:.0} MB",
        rss_overview as f64 / 1024.0
    );
    println!(
        "  live heap at the end (back on the overview): {:.0} MB",
        live_mb()
    );
    stores(&e.console);
    if let Ok(r) = std::fs::read_to_string("/proc/self/smaps_rollup") {
        let get = |k: &str| {
            r.lines()
                .find(|l| l.starts_with(k))
                .and_then(|l| l.split_whitespace().nth(1)?.parse::<u64>().ok())
                .unwrap_or(0)
        };
        println!(
            "  resident: {:.0} MB anonymous, {:.0} MB file-backed",
            get("Anonymous:") as f64 / 1024.0,
            (get("Rss:") - get("Anonymous:")) as f64 / 1024.0
        );
    }
    println!(
        "  resident memory: {:.0} MB after first paint ({:.0} MB before sources), {:.0} MB at the end, peak {:.0} MB",
        rss_after as f64 / 1024.0,
        rss_before as f64 / 1024.0,
        rss_end as f64 / 1024.0,
        peak.max(rss_kib("VmHWM:")) as f64 / 1024.0
    );
    println!(
        "  frame time while loading (80x24): p50 {:.2} ms, p99 {:.2} ms over {} frames",
        pct(&mut frames_during_load.clone(), 0.5),
        pct(&mut frames_during_load, 0.99),
        frames_during_load.len()
    );
    println!(
        "  {:<8} {:>10} {:>10} {:>14} {:>14} {:>12}",
        "size", "frame p50", "frame p99", "idle B/s", "churn B/s", "changes/s"
    );
    for (name, p50, p99, idle, churn_b, msgs, _, _) in &report {
        println!("  {name:<8} {p50:>8.2}ms {p99:>8.2}ms {idle:>14.0} {churn_b:>14.0} {msgs:>12.0}");
    }
    println!(
        "  aims: first paint ≤ 1.5× raw download, < 150 MB resident, frame p99 < 8 ms, ~0 bytes idle"
    );
    cancel.cancel();
    let _ = sim.kill();
    let _ = sim.wait();
}
