//! The console's real client against the simulated cluster on a bad day: every TLS
//! path a kubeconfig can ask for (CA data, client certificates, tls-server-name,
//! insecure-skip-tls-verify with its warning; an expired or foreign certificate
//! refused, named), and injected faults — error storms with Retry-After, requests
//! never answered, dropped watch streams, 410 storms, credentials rejected mid-session,
//! a namespace turning forbidden, a restart on the same address. Each phase prints its
//! figures (time to stale, time to live again, requests a minute while failing).

mod common;

use std::collections::BTreeSet;
use std::time::{Duration, Instant};

use common::Cluster;
use common::driver::Driver;
use kdeck::app::state::{Reach, State};
use kdeck::sim::{self, Scenario};

fn kdeck_status(kubeconfig: &std::path::Path, dir: &std::path::Path) -> (i32, String, String) {
    let o = std::process::Command::new(env!("CARGO_BIN_EXE_kdeck"))
        .env("KDECK_CONFIG_DIR", dir.join("config"))
        .env("KDECK_DATA_DIR", dir.join("data"))
        .env("KDECK_STATE_DIR", dir.join("state"))
        .env_remove("KUBECONFIG")
        .args(["status", "-o", "json", "--kubeconfig"])
        .arg(kubeconfig)
        .output()
        .expect("kdeck runs");
    (
        o.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&o.stdout).into_owned(),
        String::from_utf8_lossy(&o.stderr).into_owned(),
    )
}

fn kubeconfig(server: &str, cluster: &str, user: &str) -> String {
    format!(
        "apiVersion: v1\nkind: Config\nclusters:\n- name: c\n  cluster:\n    server: {server}\n{cluster}contexts:\n- name: c\n  context: {{cluster: c, user: u}}\ncurrent-context: c\nusers:\n- name: u\n  user:\n{user}"
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_tls_path_a_kubeconfig_asks_for() {
    let c = Cluster::start(Scenario::Calm, 1.0).await;
    let id = c.sim.tls().expect("the sim serves TLS by default");
    let dir = tempfile::tempdir().expect("tempdir");
    let url = c.sim.server_url();
    assert!(url.starts_with("https://"), "{url}");
    let ca = format!("    certificate-authority-data: {}\n", id.ca_data());
    let token = "    token: kdeck-sim-token\n".to_string();
    let cert = format!(
        "    client-certificate-data: {}\n    client-key-data: {}\n",
        id.client_cert_data(),
        id.client_key_data()
    );
    let cases: Vec<(&str, String, bool, &str)> = vec![
        (
            "CA data and a token",
            kubeconfig(&url, &ca, &token),
            true,
            "",
        ),
        (
            "a client certificate",
            kubeconfig(&url, &ca, &cert),
            true,
            "",
        ),
        (
            "tls-server-name",
            kubeconfig(
                &url,
                &format!("{ca}    tls-server-name: {}\n", sim::tls::SERVER_NAME),
                &token,
            ),
            true,
            "",
        ),
        (
            "insecure-skip-tls-verify",
            kubeconfig(&url, "    insecure-skip-tls-verify: true\n", &token),
            true,
            "insecure-skip-tls-verify",
        ),
        (
            "a tls-server-name the certificate does not hold",
            kubeconfig(
                &url,
                &format!("{ca}    tls-server-name: elsewhere.example\n"),
                &token,
            ),
            false,
            "certificate",
        ),
        (
            "no credentials",
            kubeconfig(&url, &ca, "    {}\n"),
            false,
            "unauthorized",
        ),
        (
            "no CA for a private one",
            kubeconfig(&url, "", &token),
            false,
            "certificate",
        ),
    ];
    for (what, text, ok, says) in cases {
        let p = dir.path().join("kc.yaml");
        std::fs::write(&p, &text).expect("kubeconfig");
        let (code, out, err) = kdeck_status(&p, dir.path());
        if ok {
            assert!(code == 0 || code == 1, "{what}: exit {code}\n{out}\n{err}");
            assert!(out.contains("\"workloads\""), "{what}: {out}");
        } else {
            assert_eq!(code, 2, "{what}: refused\n{out}\n{err}");
        }
        assert!(
            err.to_lowercase().contains(says),
            "{what}: says {says:?}:\n{err}"
        );
        eprintln!("tls: {what}: exit {code}");
    }
    // kubectl takes the client certificate too (the sim's mTLS is a real one).
    let p = c.dir.path().join("cert.yaml");
    std::fs::write(&p, kubeconfig(&url, &ca, &cert)).expect("kubeconfig");
    let k = common::Kubectl {
        kubeconfig: p.clone(),
        ..c.kubectl("1.33")
    };
    let got = k.run(&["get", "namespaces", "-o", "name"]).await;
    assert!(got.out().contains("namespace/production"), "{got:?}");
    // An expired serving certificate is refused, and said.
    c.sim.faults().set_expired_cert(true);
    let p = dir.path().join("kc.yaml");
    std::fs::write(&p, kubeconfig(&url, &ca, &token)).expect("kubeconfig");
    let (code, out, err) = kdeck_status(&p, dir.path());
    assert_eq!(code, 2, "{out}\n{err}");
    assert!(err.to_lowercase().contains("expired"), "{err}");
}

/// Requests the sim answered (not counting the test's own control calls).
fn live(s: &State) -> bool {
    s.contexts[0].reach() == Reach::Live
}

fn stale(s: &State) -> bool {
    !live(s)
}

/// The pods the console shows, as namespace/name.
fn pods(s: &State) -> BTreeSet<String> {
    s.contexts[0]
        .data
        .kinds
        .pods
        .values()
        .map(|p| format!("{}/{}", p.namespace, p.name))
        .collect()
}

fn sim_pods(c: &Cluster) -> BTreeSet<String> {
    c.sim.with_state(|st| {
        st.store
            .list(sim::kinds::Kind::Pod, None)
            .iter()
            .map(|o| {
                format!(
                    "{}/{}",
                    o["metadata"]["namespace"].as_str().unwrap_or(""),
                    o["metadata"]["name"].as_str().unwrap_or("")
                )
            })
            .collect()
    })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn faults_are_survived_with_figures() {
    let c = Cluster::start(Scenario::Calm, 1.0).await;
    let data = tempfile::tempdir().expect("tempdir");
    let mut d = Driver::start(&c, data.path()).await;
    d.until("live", Duration::from_secs(20), live).await;

    // Error storm: every request answered 503 with Retry-After: 2.
    let t = Instant::now();
    c.sim.faults().fail(503, u64::MAX, 2);
    d.until("stale under a 503 storm", Duration::from_secs(15), stale)
        .await;
    let to_stale = t.elapsed();
    // Once the backoff has grown: the steady rate.
    d.run_for(Duration::from_secs(5)).await;
    let from = Instant::now();
    d.run_for(Duration::from_secs(15)).await;
    let sent = c.sim.stats().requests_since(from);
    let per_min = sent.len() as f64 * 60.0 / from.elapsed().as_secs_f64();
    c.sim.faults().fail(0, 0, 0);
    let t = Instant::now();
    d.until("live after the storm", Duration::from_secs(10), live)
        .await;
    let to_live = t.elapsed();
    eprintln!(
        "fault 503+Retry-After: stale after {to_stale:.1?}, {per_min:.1} requests/min while failing ({sent:?}), live {to_live:.1?} after it cleared"
    );
    assert!(to_stale <= Duration::from_secs(10), "{to_stale:?}");
    assert!(
        per_min <= 12.0,
        "polite while failing: {per_min:.1}/min: {sent:?}"
    );
    // The server answers errors all along: only the next probe (≤ 5 s) can tell.
    assert!(to_live <= Duration::from_secs(6), "{to_live:?}");

    // Accepted, never answered.
    c.sim.faults().set_hang(true);
    let t = Instant::now();
    d.until("stale while hung", Duration::from_secs(15), stale)
        .await;
    let to_stale = t.elapsed();
    c.sim.faults().set_hang(false);
    let t = Instant::now();
    d.until("live after the hang", Duration::from_secs(10), live)
        .await;
    let to_live = t.elapsed();
    eprintln!("fault never answered: stale after {to_stale:?}, live {to_live:?} after it cleared");
    assert!(to_stale <= Duration::from_secs(10), "{to_stale:?}");
    assert!(to_live <= Duration::from_secs(5), "{to_live:?}");

    // Dropped watch streams, then a 410 storm: no ghost or missing rows afterwards.
    for _ in 0..3 {
        c.sim.faults().drop_watches();
        d.run_for(Duration::from_millis(300)).await;
    }
    for _ in 0..5 {
        c.sim.expire_watches();
        d.run_for(Duration::from_millis(300)).await;
    }
    let want = sim_pods(&c);
    d.until(
        "the same pods as the server",
        Duration::from_secs(10),
        |s| pods(s) == want,
    )
    .await;
    assert!(live(d.s()));
    eprintln!(
        "fault 3 dropped watches + 5× 410: {} pods, none missing or extra, live",
        want.len()
    );

    // Credentials rejected mid-session: said, and back once accepted again.
    c.sim.faults().set_unauthorized(true);
    let t = Instant::now();
    d.until(
        "stale when credentials are rejected",
        Duration::from_secs(15),
        stale,
    )
    .await;
    let to_stale = t.elapsed();
    c.sim.faults().set_unauthorized(false);
    let t = Instant::now();
    d.until("live when accepted again", Duration::from_secs(10), live)
        .await;
    eprintln!(
        "fault 401: stale after {to_stale:?}, live {:?} after it cleared",
        t.elapsed()
    );

    // A kind turning forbidden mid-session (RBAC changed): said for that kind, the
    // rest stays live; allowed again, it comes back.
    c.sim.set_rules(vec![
        sim::access::Rule::parse("list:secrets:*", false).expect("rule"),
        sim::access::Rule::parse("watch:secrets:*", false).expect("rule"),
    ]);
    c.sim.faults().drop_watches();
    let t = Instant::now();
    d.until("secrets forbidden", Duration::from_secs(15), |s| {
        s.contexts[0].forbidden().contains(&"secrets")
    })
    .await;
    let to_forbidden = t.elapsed();
    assert!(live(d.s()), "one forbidden kind is not an outage");
    c.sim.set_rules(Vec::new());
    let t = Instant::now();
    d.until("secrets allowed again", Duration::from_secs(30), |s| {
        s.contexts[0].forbidden().is_empty()
    })
    .await;
    eprintln!(
        "fault 403 on secrets mid-session: forbidden shown after {to_forbidden:.1?} (others live), back {:.1?} after it was allowed",
        t.elapsed()
    );

    // A restart on the same address after a 10 s outage.
    let addr = c.sim.addr;
    let tls = c.sim.tls().map_or(sim::Tls::Plain, sim::Tls::Given);
    let Cluster {
        sim,
        dir,
        kubeconfig,
    } = c;
    sim.shutdown().await;
    d.until(
        "stale when the server is gone",
        Duration::from_secs(15),
        stale,
    )
    .await;
    d.run_for(Duration::from_secs(10)).await;
    let again = Cluster::start_again(addr, tls).await;
    let t = Instant::now();
    d.until("live after the restart", Duration::from_secs(10), live)
        .await;
    let to_live = t.elapsed();
    eprintln!("fault restart after a 10 s outage: live {to_live:?} after the server answered");
    assert!(to_live <= Duration::from_secs(3), "{to_live:?}");
    drop(d);
    again.shutdown().await;
    drop((dir, kubeconfig));
}

/// One of two clusters killed mid-session (issue 12): none of its rows pages — no
/// CRIT from it, in the state or on the screen — its rows are marked with how long
/// ago it last answered, and the header at 80×24 still names the view and its count.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_cluster_that_goes_away_does_not_page() {
    use kdeck::util::severity::Severity;
    let eu = Cluster::start(Scenario::Calm, 1.0).await;
    // Fast enough for the bad rollout to have stalled within seconds.
    let us = Cluster::start(Scenario::Incident, 30.0).await;
    let data = tempfile::tempdir().expect("tempdir");
    let mut d = Driver::start_many(
        &[(&eu, Some("prod-eu")), (&us, Some("prod-us"))],
        data.path(),
        |_| {},
    )
    .await;
    let crit_from_us = |s: &State| {
        s.fleet
            .workloads
            .iter()
            .filter(|w| w.ctx == 1 && w.assessment.severity == Severity::Critical)
            .count()
    };
    d.until(
        "the incident pages while it answers",
        Duration::from_secs(20),
        |s| crit_from_us(s) > 0,
    )
    .await;
    let Cluster {
        sim,
        dir,
        kubeconfig,
    } = us;
    sim.shutdown().await;
    d.until("prod-us stale", Duration::from_secs(20), |s| {
        s.stale_since(1).is_some() && !s.stale()
    })
    .await;
    // Long enough for its probes to be refused too.
    d.run_for(Duration::from_secs(4)).await;
    let s = d.s();
    assert_eq!(
        crit_from_us(s),
        0,
        "{:#?}",
        s.fleet
            .workloads
            .iter()
            .filter(|w| w.ctx == 1)
            .map(|w| (&w.name, w.assessment.severity))
            .collect::<Vec<_>>()
    );
    assert!(
        s.fleet
            .health
            .iter()
            .filter(|h| h.key.ctx == Some(1))
            .all(|h| h.state.severity() < Severity::Critical),
        "health verdicts of a cluster that is gone"
    );
    let theme = kdeck::config::theme::Theme::builtin("default").expect("theme");
    let text = common::console::render_text(&mut d.engine.console, 80, 24, &theme);
    let lines: Vec<&str> = text.lines().collect();
    assert!(lines[0].contains("Overview"), "header:\n{text}");
    assert!(
        lines[0].contains("prod-us ◐"),
        "the stale context, short:\n{text}"
    );
    assert!(!text.lines().any(|l| l.starts_with("CRIT")), "{text}");
    assert!(
        lines
            .iter()
            .any(|l| l.starts_with('◐') && l.contains("prod-us")),
        "rows from prod-us are marked with their age:\n{text}"
    );
    drop(d);
    eu.sim.shutdown().await;
    drop((dir, kubeconfig));
}
