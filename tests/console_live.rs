//! The console's live pipeline against the simulated cluster over HTTP: real kube-rs
//! watchers and pings feed `update`, exactly as in the running console (only the
//! terminal is missing). Checks agreement with kubectl, latency of a kubectl change,
//! stale/live across a server restart, and hostile strings drawn inert.

mod common;

use std::collections::BTreeSet;
use std::time::{Duration, Instant};

use common::Cluster;
use common::console::{assert_inert, buffer_text};
use common::driver::Driver;
use kdeck::app::Event;
use kdeck::app::command::Command;
use kdeck::app::state::{Reach, Screen, State};
use kdeck::sim::{self, Scenario};

/// The binary's engine, headless (see `common::driver`).
struct Live {
    d: Driver,
    _data: tempfile::TempDir,
}

impl Live {
    async fn start(c: &Cluster) -> Live {
        let data = tempfile::tempdir().expect("tempdir");
        let d = Driver::start(c, data.path()).await;
        Live { d, _data: data }
    }

    fn state(&self) -> &State {
        self.d.s()
    }

    /// Runs the engine until `cond` holds; returns how long it took.
    async fn until(
        &mut self,
        what: &str,
        timeout: Duration,
        cond: impl Fn(&State) -> bool,
    ) -> Duration {
        let start = Instant::now();
        self.d.until(what, timeout, cond).await;
        start.elapsed()
    }

    fn all_listed(s: &State) -> bool {
        s.contexts[0].data.listed().len() == kdeck::cluster::kinds::ResKind::ALL.len()
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn console_state_matches_kubectl() {
    let c = Cluster::start(Scenario::Calm, 1.0).await;
    let mut live = Live::start(&c).await;
    live.until(
        "every kind listed",
        Duration::from_secs(20),
        Live::all_listed,
    )
    .await;
    let k = c.kubectl("1.32");
    let pods = k
        .run(&[
            "get",
            "pods",
            "-A",
            "--no-headers",
            "-o",
            "custom-columns=NS:.metadata.namespace,NAME:.metadata.name",
        ])
        .await;
    let want: BTreeSet<String> = pods
        .out()
        .lines()
        .map(|l| l.split_whitespace().collect::<Vec<_>>().join("/"))
        .collect();
    let got: BTreeSet<String> = live.state().contexts[0]
        .data
        .kinds
        .pods
        .keys()
        .map(|(ns, n)| format!("{ns}/{n}"))
        .collect();
    assert_eq!(got, want);
    // STATUS as kubectl prints it (from the server's table) equals the console's.
    let table = k.run(&["get", "pods", "-A", "--no-headers"]).await;
    for line in table.out().lines() {
        let cols: Vec<&str> = line.split_whitespace().collect();
        let (ns, name, status) = (cols[0], cols[1], cols[3]);
        let rec = &live.state().contexts[0].data.kinds.pods[&(ns.into(), name.into())];
        assert_eq!(rec.status(), status, "{ns}/{name}");
    }
    let deps = k.run(&["get", "deploy", "-A", "--no-headers"]).await;
    for line in deps.out().lines() {
        let cols: Vec<&str> = line.split_whitespace().collect();
        let row = live
            .state()
            .fleet
            .workloads
            .iter()
            .find(|w| &*w.namespace == cols[0] && &*w.name == cols[1])
            .unwrap_or_else(|| panic!("no row for {line}"));
        assert_eq!(format!("{}/{}", row.ready, row.desired), cols[2], "{line}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_kubectl_change_appears_within_a_second() {
    let c = Cluster::start(Scenario::Calm, 1.0).await;
    let mut live = Live::start(&c).await;
    live.until(
        "every kind listed",
        Duration::from_secs(20),
        Live::all_listed,
    )
    .await;
    let k = c.kubectl("1.33");
    k.run(&[
        "scale",
        "deploy",
        "flagwise-web",
        "-n",
        "flagwise",
        "--replicas=4",
    ])
    .await
    .out();
    let took = live
        .until("the new replica count", Duration::from_secs(5), |s| {
            s.fleet
                .workloads
                .iter()
                .any(|w| &*w.name == "flagwise-web" && w.desired == 4)
        })
        .await;
    println!("kubectl scale visible in the console state after {took:?}");
    assert!(took < Duration::from_secs(1), "took {took:?}");
    k.run(&[
        "annotate",
        "deploy",
        "flextime-api",
        "-n",
        "flextime-production",
        "kubernetes.io/change-cause=hotfix",
    ])
    .await
    .out();
    let took = live
        .until("the annotation", Duration::from_secs(5), |s| {
            s.contexts[0]
                .data
                .kinds
                .deployments
                .values()
                .any(|d| d.meta.annotation("kubernetes.io/change-cause") == Some("hotfix"))
        })
        .await;
    assert!(took < Duration::from_secs(1), "took {took:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_restarted_server_flips_stale_and_back_to_live() {
    let c = Cluster::start(Scenario::Calm, 1.0).await;
    let addr = c.sim.addr;
    let mut live = Live::start(&c).await;
    live.until("live", Duration::from_secs(20), |s| {
        s.contexts[0].reach() == Reach::Live && Live::all_listed(s)
    })
    .await;
    let Cluster {
        sim,
        dir,
        kubeconfig,
    } = c;
    // The same cluster comes back: same address, same certificates.
    let tls = sim.tls().map_or(sim::Tls::Plain, sim::Tls::Given);
    sim.shutdown().await;
    live.until("stale", Duration::from_secs(20), |s| {
        matches!(s.contexts[0].reach(), Reach::Stale { .. })
    })
    .await;
    if let Reach::Stale { reason, since } = live.state().contexts[0].reach() {
        assert!(since > 0);
        assert!(!reason.is_empty());
    }
    let again = Cluster::start_again(addr, tls).await;
    live.until("live again", Duration::from_secs(40), |s| {
        s.contexts[0].reach() == Reach::Live
    })
    .await;
    assert!(!live.state().fleet.workloads.is_empty());
    again.shutdown().await;
    drop((dir, kubeconfig));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hostile_strings_are_drawn_inert() {
    let c = Cluster::start(Scenario::Calm, 1.0).await;
    let k = c.kubectl("1.33");
    // A label value and an Event message carrying escape sequences (the simulator,
    // unlike a real API server, accepts such label values).
    k.run(&[
        "patch",
        "deploy",
        "flagwise-web",
        "-n",
        "flagwise",
        "--type",
        "merge",
        "-p",
        r#"{"metadata":{"labels":{"note":"\u001b[31mred\u001b]0;pwned\u0007"}}}"#,
    ])
    .await
    .out();
    k.run(&[
        "patch",
        "svc",
        "flagwise-web",
        "-n",
        "flagwise",
        "--type",
        "merge",
        "-p",
        r#"{"spec":{"selector":{"app":"flagwise-web","x":"\u001b[2J\u001b[Hcleared"}}}"#,
    ])
    .await
    .out();
    let ev = serde_json::json!({
        "apiVersion": "v1", "kind": "Event",
        "metadata": {"name": "hostile", "namespace": "flagwise"},
        "involvedObject": {"kind": "Pod", "name": "flagwise-web\u{1b}[5m", "namespace": "flagwise"},
        "reason": "Evil\u{1b}[41m", "type": "Warning", "count": 1,
        "message": "\u{1b}]8;;http://evil.example\u{7}click\u{1b}]8;;\u{7} \u{1b}[1;31mred alert\u{1b}[0m\r\nsecond line \u{202e}gnp.exe",
        "firstTimestamp": jiff::Timestamp::now().to_string(), "lastTimestamp": jiff::Timestamp::now().to_string(),
    });
    let file = common::write(c.dir.path(), "event.json", &ev.to_string());
    k.run(&[
        "create",
        "--validate=false",
        "-f",
        file.to_str().expect("path"),
    ])
    .await
    .out();
    let mut live = Live::start(&c).await;
    // Event rows are built while the events view shows them.
    live.d.feed(Event::Command(Command::ViewEvents));
    live.until("the hostile event", Duration::from_secs(20), |s| {
        Live::all_listed(s)
            && s.fleet
                .events
                .iter()
                .any(|e| e.message.contains("red alert"))
    })
    .await;
    let theme = kdeck::config::theme::Theme::builtin("default").expect("theme");
    let mut term =
        ratatui::Terminal::new(ratatui::backend::TestBackend::new(160, 48)).expect("terminal");
    for view in [Command::ViewEvents, Command::ViewServices] {
        live.d.feed(Event::Command(view));
        term.draw(|f| kdeck::ui::render::render(f, live.state(), &theme))
            .expect("draw");
        assert_inert(term.backend().buffer());
    }
    let text = buffer_text(term.backend().buffer());
    assert!(text.contains("cleared"), "{text}");
    live.d.feed(Event::Command(Command::ViewEvents));
    term.draw(|f| kdeck::ui::render::render(f, live.state(), &theme))
        .expect("draw");
    let text = buffer_text(term.backend().buffer());
    assert!(text.contains("red alert"), "{text}");
    assert!(
        !text.contains("pwned") && !text.contains("http://evil"),
        "escape payloads dropped whole: {text}"
    );
    // Describe shows the label, inert.
    let pod = live.state().contexts[0]
        .data
        .kinds
        .pods
        .keys()
        .find(|(ns, n)| &**ns == "flagwise" && n.starts_with("flagwise-web"))
        .expect("pod")
        .1
        .clone();
    live.d.setup(|s| {
        s.screens.push(Screen::Describe {
            target: common::console::target(kdeck::cluster::kinds::ResKind::Pod, "flagwise", &pod),
            scroll: 0,
        })
    });
    term.draw(|f| kdeck::ui::render::render(f, live.state(), &theme))
        .expect("draw");
    assert_inert(term.backend().buffer());
}
