//! The reliability report and the soak, ignored by default (they take minutes):
//!
//! ```sh
//! cargo nextest run --release --test reliability_report --run-ignored only report --no-capture
//! KDECK_SOAK_SECS=1800 cargo nextest run --release --test reliability_report --run-ignored only soak --no-capture
//! ```
//!
//! The report injects each fault several times (`KDECK_REPORT_ROUNDS`, default 3)
//! into the simulated cluster while the console's engine runs against it, and prints:
//! each fault and how often it was injected, time to detect and to recover (p50 and
//! max), requests a minute while failing, the slowest answer to a key meanwhile, each
//! fuzzed parser with its inputs and time (`KDECK_FUZZ_CASES`, default 5000), crashes
//! found, and audit records checked. The soak runs the `large` scenario with faults
//! for `KDECK_SOAK_SECS` (default 120) and reports resident memory over time.

mod common;

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use common::Cluster;
use common::driver::Driver;
use kdeck::app::state::{Reach, State};
use kdeck::config::keymap::Code;
use kdeck::sim::{self, Scenario, SimConfig};
use proptest::test_runner::{Config as RunnerConfig, TestRunner};

fn env_num(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn live(s: &State) -> bool {
    s.contexts[0].reach() == Reach::Live
}

fn p50_max(v: &mut [Duration]) -> String {
    v.sort();
    match (v.get(v.len() / 2), v.last()) {
        (Some(p), Some(m)) => format!("p50 {p:>7.2?}  max {m:>7.2?}"),
        _ => "-".into(),
    }
}

#[derive(Default)]
struct Figures {
    detect: BTreeMap<&'static str, Vec<Duration>>,
    recover: BTreeMap<&'static str, Vec<Duration>>,
    per_min: BTreeMap<&'static str, Vec<f64>>,
    slowest_key: Duration,
    injected: BTreeMap<String, u64>,
}

/// Runs the engine until `cond`, pressing a harmless key every 250 ms and timing
/// how long the console takes to take it (input answered throughout a fault).
async fn until_keyed(
    d: &mut Driver,
    f: &mut Figures,
    what: &str,
    timeout: Duration,
    cond: impl Fn(&State) -> bool,
) -> Duration {
    let start = Instant::now();
    while !cond(d.s()) {
        assert!(start.elapsed() < timeout, "{what}: not within {timeout:?}");
        let t = Instant::now();
        d.code(Code::Down);
        f.slowest_key = f.slowest_key.max(t.elapsed());
        d.run_for(Duration::from_millis(250)).await;
    }
    start.elapsed()
}

async fn fault_round(c: &mut Cluster, d: &mut Driver, f: &mut Figures) {
    let stale = |s: &State| !live(s);
    // 503 with Retry-After.
    c.sim.faults().fail(503, u64::MAX, 2);
    let t = until_keyed(d, f, "stale (503)", Duration::from_secs(20), stale).await;
    f.detect.entry("503 + Retry-After").or_default().push(t);
    d.run_for(Duration::from_secs(5)).await;
    let from = Instant::now();
    d.run_for(Duration::from_secs(15)).await;
    let n = c.sim.stats().requests_since(from).len();
    f.per_min
        .entry("503 + Retry-After")
        .or_default()
        .push(n as f64 * 60.0 / from.elapsed().as_secs_f64());
    c.sim.faults().fail(0, 0, 0);
    let t = until_keyed(d, f, "live (503)", Duration::from_secs(20), live).await;
    f.recover.entry("503 + Retry-After").or_default().push(t);
    // 429 without Retry-After.
    c.sim.faults().fail(429, u64::MAX, 0);
    let t = until_keyed(d, f, "stale (429)", Duration::from_secs(20), stale).await;
    f.detect.entry("429").or_default().push(t);
    c.sim.faults().fail(0, 0, 0);
    let t = until_keyed(d, f, "live (429)", Duration::from_secs(20), live).await;
    f.recover.entry("429").or_default().push(t);
    // Never answered.
    c.sim.faults().set_hang(true);
    let t = until_keyed(d, f, "stale (hang)", Duration::from_secs(20), stale).await;
    f.detect.entry("never answered").or_default().push(t);
    let from = Instant::now();
    d.run_for(Duration::from_secs(10)).await;
    let n = c.sim.stats().requests_since(from).len();
    f.per_min
        .entry("never answered")
        .or_default()
        .push(n as f64 * 60.0 / from.elapsed().as_secs_f64());
    c.sim.faults().set_hang(false);
    let t = until_keyed(d, f, "live (hang)", Duration::from_secs(20), live).await;
    f.recover.entry("never answered").or_default().push(t);
    // 401 mid-session.
    c.sim.faults().set_unauthorized(true);
    let t = until_keyed(d, f, "stale (401)", Duration::from_secs(20), stale).await;
    f.detect.entry("401 mid-session").or_default().push(t);
    c.sim.faults().set_unauthorized(false);
    let t = until_keyed(d, f, "live (401)", Duration::from_secs(20), live).await;
    f.recover.entry("401 mid-session").or_default().push(t);
    // Latency of 300 ms on every request: still live.
    c.sim.faults().set_latency(300);
    d.run_for(Duration::from_secs(3)).await;
    assert!(live(d.s()), "300 ms of latency is not an outage");
    c.sim.faults().set_latency(0);
    // Dropped watches and a 410 storm: the rows match the server.
    for _ in 0..3 {
        c.sim.faults().drop_watches();
        c.sim.expire_watches();
        d.run_for(Duration::from_millis(200)).await;
    }
    let want = c
        .sim
        .with_state(|st| st.store.list(sim::kinds::Kind::Pod, None).len());
    until_keyed(
        d,
        f,
        "rows match after 410s",
        Duration::from_secs(20),
        |s| s.contexts[0].data.kinds.pods.len() == want && live(s),
    )
    .await;
    for (k, v) in c.sim.faults().injected() {
        *f.injected.entry(k).or_default() += v;
    }
    // Killed, back on the same address after 5 s.
    let addr = c.sim.addr;
    let tls = c.sim.tls().map_or(sim::Tls::Plain, sim::Tls::Given);
    let old = std::mem::replace(
        &mut c.sim,
        sim::start(SimConfig {
            addr: "127.0.0.1:0".parse().expect("addr"),
            scenario: Scenario::Calm,
            ..SimConfig::default()
        })
        .await
        .expect("placeholder"),
    );
    old.shutdown().await;
    let t = until_keyed(d, f, "stale (killed)", Duration::from_secs(20), stale).await;
    f.detect.entry("server killed").or_default().push(t);
    d.run_for(Duration::from_secs(5)).await;
    let placeholder = std::mem::replace(
        &mut c.sim,
        sim::start(SimConfig {
            addr,
            scenario: Scenario::Calm,
            tls,
            ..SimConfig::default()
        })
        .await
        .expect("restart on the same address"),
    );
    placeholder.shutdown().await;
    let t = until_keyed(d, f, "live (restart)", Duration::from_secs(20), live).await;
    f.recover.entry("server killed").or_default().push(t);
}

fn fuzz<T: std::fmt::Debug>(
    name: &str,
    cases: u32,
    strategy: impl proptest::strategy::Strategy<Value = T>,
    test: impl Fn(T) -> Result<(), proptest::test_runner::TestCaseError>,
) -> usize {
    let mut runner = TestRunner::new(RunnerConfig {
        cases,
        failure_persistence: None,
        ..RunnerConfig::default()
    });
    let t = Instant::now();
    let result = runner.run(&strategy, test);
    let crashed = usize::from(result.is_err());
    println!(
        "  {name:<44} {cases:>7} inputs  {:>8.2?}  {}",
        t.elapsed(),
        match &result {
            Ok(()) => "ok".to_string(),
            Err(e) => format!("FOUND: {e}"),
        }
    );
    crashed
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "the reliability report: minutes; run with --run-ignored only"]
async fn report() {
    use common::hostile::*;
    use proptest::prelude::*;
    let rounds = env_num("KDECK_REPORT_ROUNDS", 3);
    let mut c = Cluster::start(Scenario::Calm, 1.0).await;
    let data = tempfile::tempdir().expect("tempdir");
    let mut d = Driver::start(&c, data.path()).await;
    d.until("live", Duration::from_secs(20), live).await;
    let mut f = Figures::default();
    for round in 0..rounds {
        // An action per round, so its records are among those checked.
        d.pick("redis").await;
        d.keys("S");
        d.code(Code::Backspace);
        d.keys(&format!("{}", 2 + round % 2));
        d.code(Code::Enter);
        d.until_stage(&["confirm"]).await;
        d.keys("redis");
        d.code(Code::Enter);
        d.until_stage(&["finished", "refused"]).await;
        d.code(Code::Esc);
        fault_round(&mut c, &mut d, &mut f).await;
    }
    let mut injected = std::mem::take(&mut f.injected);
    *injected
        .entry("server killed and restarted".into())
        .or_default() += rounds;
    *injected.entry("410 storms (3 each)".into()).or_default() += rounds;
    *injected.entry("300 ms latency".into()).or_default() += rounds;
    println!("\n# kdeck reliability report ({rounds} rounds)\n");
    println!("faults injected:");
    for (k, v) in &injected {
        println!("  {k:<40} {v:>8}");
    }
    println!("\ntime to detect (stale shown) / to recover (live again after the fault cleared):");
    for (k, v) in f.detect.iter_mut() {
        let mut r = f.recover.get(k).cloned().unwrap_or_default();
        println!(
            "  {k:<20} detect {}   recover {}",
            p50_max(v),
            p50_max(&mut r)
        );
    }
    println!("\nrequests a minute to the API server while failing:");
    for (k, v) in &f.per_min {
        let max = v.iter().cloned().fold(0.0, f64::max);
        println!("  {k:<20} max {max:.1}/min");
    }
    println!(
        "\nslowest answer to a key during the faults: {:.2?}",
        f.slowest_key
    );
    let audit = kdeck::audit::verify::verify(&data.path().join("audit")).expect("verify");
    println!("\nfuzzed parsers:");
    let cases = env_num("KDECK_FUZZ_CASES", 5000) as u32;
    let mut crashes = 0;
    crashes += fuzz(
        "config / keymap / theme files",
        cases,
        hostile(TOML),
        common::hostile::config_files_never_panic_and_name_real_lines,
    );
    crashes += fuzz(
        "kubeconfigs",
        cases,
        hostile(YAML),
        common::hostile::kubeconfigs_never_panic,
    );
    crashes += fuzz(
        "health bodies (JSON, Prometheus), alerts",
        cases,
        (hostile(BODY), any::<bool>()),
        |(t, j)| common::hostile::health_bodies_and_alerts_never_panic(t, j),
    );
    crashes += fuzz(
        "the text sanitiser",
        cases,
        (hostile(TOML), 0usize..50),
        |(s, m)| common::hostile::sanitised_text_is_inert_and_measures_as_drawn(s, m),
    );
    let audit_cases = (cases / 10).max(100);
    crashes += fuzz(
        "the audit log reader (damaged logs)",
        audit_cases,
        (1u32..6, any::<prop::sample::Index>(), hostile(BODY)),
        |(n, i, j)| {
            common::hostile::the_audit_reader_never_panics_and_never_calls_a_damaged_log_intact(
                n, i, j,
            )
        },
    );
    println!("\ncrashes found: {crashes}");
    let fuzzed_records: u64 = u64::from(audit_cases) * 3;
    println!(
        "audit records checked: {} in the session's log ({}), about {fuzzed_records} in damaged logs",
        audit.records,
        if audit.bad.is_none() { "intact" } else { "BAD" }
    );
    assert_eq!(crashes, 0);
    assert!(audit.bad.is_none());
    drop(d);
    c.sim.shutdown().await;
}

fn rss_mib() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmRSS:"))
                .and_then(|l| l.split_whitespace().nth(1)?.parse::<f64>().ok())
        })
        .map_or(0.0, |kb| kb / 1024.0)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "the soak: 2 minutes by default, KDECK_SOAK_SECS=1800 for the 30-minute one"]
async fn soak() {
    let secs = env_num("KDECK_SOAK_SECS", 120);
    let c = Cluster::start_with(SimConfig {
        scenario: Scenario::Large {
            namespaces: 200,
            pods_per_namespace: 25,
            churn_per_sec: 50.0,
        },
        ..SimConfig::default()
    })
    .await;
    let data = tempfile::tempdir().expect("tempdir");
    let mut d = Driver::start(&c, data.path()).await;
    d.until("live", Duration::from_secs(60), live).await;
    let start = Instant::now();
    let base = rss_mib();
    println!("soak: {secs} s of the large scenario (5,000 pods, 50 updates/s) with faults");
    println!(
        "  t={:>5}s  rss {base:.0} MiB (test process: console and sim)",
        0
    );
    let mut n = 0u64;
    while start.elapsed() < Duration::from_secs(secs) {
        // A fault every 20 s, in turn.
        match n % 4 {
            0 => c.sim.faults().fail(503, 10, 1),
            1 => c.sim.expire_watches(),
            2 => c.sim.faults().drop_watches(),
            _ => c.sim.faults().set_latency(200),
        }
        d.run_for(Duration::from_secs(5)).await;
        c.sim.faults().set_latency(0);
        d.run_for(Duration::from_secs(15)).await;
        n += 1;
        if n.is_multiple_of(3) {
            println!(
                "  t={:>5}s  rss {:.0} MiB",
                start.elapsed().as_secs(),
                rss_mib()
            );
        }
    }
    let end = rss_mib();
    println!(
        "soak: rss {base:.0} → {end:.0} MiB ({:+.1} MiB) over {} faults; live at the end: {}",
        end - base,
        n,
        live(d.s())
    );
    d.until("live at the end", Duration::from_secs(30), live)
        .await;
}
