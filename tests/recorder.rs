//! The flight recorder and replay (issue 14): the incident's way out performed
//! through the console's own loop against the simulated cluster over HTTPS, recorded
//! to a file, then replayed headless through the same step — the screen at chosen
//! moments is the screen the live console drew then; seeking is exact however the
//! moment is reached; a recording cut mid-entry replays up to its last complete
//! entry and says so; no secret of the scenario is in the file.

mod common;

use std::io::Read;
use std::time::Duration;

use common::Cluster;
use common::driver::Driver;
use kdeck::app::Event;
use kdeck::app::record::read;
use kdeck::app::record::replay::Replay;
use kdeck::audit::Outcome;
use kdeck::config::keymap::{Code, Keymap};
use kdeck::config::theme::Theme;
use kdeck::sim::{Scenario, SimConfig};

const LONG: Duration = Duration::from_secs(90);

/// Confirms the open prompt (the typed name where asked); the action succeeds.
async fn succeeded(d: &mut Driver, name: &str) {
    let (o, detail) = d.confirm(name).await;
    assert_eq!(o, Outcome::Succeeded, "{name}: {detail}");
}

/// The bad release (v2.4.0) is rolling out and its row is the first: there is a
/// previous revision to roll back to.
fn bad_release_on_top(s: &kdeck::app::State) -> bool {
    s.fleet
        .workloads
        .first()
        .is_some_and(|w| &*w.name == "flextime-api")
        && s.contexts[0].data.kinds.deployments.values().any(|x| {
            x.meta.name.as_ref() == "flextime-api"
                && x.template.images().contains(&"flextime/api:v2.4.0")
        })
}

/// The list body of a screen (the header says live or replay; the footer its keys).
fn body(text: &str) -> String {
    let lines: Vec<&str> = text.lines().collect();
    lines[1..lines.len().saturating_sub(1)].join("\n")
}

fn screen(c: &mut kdeck::app::Console, theme: &Theme) -> String {
    let _ = c.step(Event::Refresh);
    common::console::render_text(c, 80, 24, theme)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_way_out_recorded_replays_as_it_was_seen() {
    let c = Cluster::start_with(SimConfig {
        scenario: Scenario::Incident,
        speed: 20.0,
        ..SimConfig::default()
    })
    .await;
    let data = tempfile::tempdir().expect("tempdir");
    let file = data.path().join("incident.kdrec");
    let mut d = Driver::start_recorded(&[(&c, None)], data.path(), |_| {}, Some(&file)).await;
    let theme = Theme::builtin("default").expect("theme");
    d.until(
        "the bad release rolling out, on top",
        LONG,
        bad_release_on_top,
    )
    .await;
    d.run_for(Duration::from_millis(1500)).await;
    // Each moment: when, the live screen, and the filter the person had typed (the
    // viewer's own, not part of what was received).
    let mut moments: Vec<(i64, String, String)> = Vec::new();
    let mut capture = |d: &mut Driver| {
        let text = screen(&mut d.engine.console, &theme);
        let filter = d.s().list().map(|l| l.filter.clone()).unwrap_or_default();
        moments.push((jiff::Timestamp::now().as_millisecond(), text, filter));
    };
    capture(&mut d);
    // Roll back, reset the breaker, switch dashboard to green, run the snapshot.
    d.pick("flextime-api").await;
    d.keys("R");
    d.until_stage(&["pick"]).await;
    d.code(Code::Enter);
    succeeded(&mut d, "flextime-api").await;
    d.keys("B");
    succeeded(&mut d, "flextime-api").await;
    capture(&mut d);
    // The person marks the second half of the way out as a span.
    d.keys("M");
    d.pick("dashboard-blue").await;
    d.keys("T");
    succeeded(&mut d, "dashboard").await;
    d.pick("volume-snapshot").await;
    d.keys("b");
    succeeded(&mut d, "volume-snapshot").await;
    // Its outcome's audit record is written a moment after the box says so.
    d.until("the backup's outcome in the audit log", LONG, |s| {
        s.audit
            .iter()
            .any(|r| r.action == "trigger-backup" && r.phase == kdeck::audit::Phase::Outcome)
    })
    .await;
    d.run_for(Duration::from_millis(1100)).await;
    d.keys("M");
    d.run_for(Duration::from_millis(1200)).await;
    capture(&mut d);
    d.engine.stop_recording();
    drop(d);

    let rec = read::read(&file).expect("the recording reads");
    assert!(!rec.cut, "a finished recording is whole");
    assert_eq!(rec.skipped, 0);
    let header = rec.header.clone().expect("a header");
    assert_eq!(header.format, "kdeck-recording");
    assert_eq!(header.contexts.len(), 1);
    let actions: Vec<&kdeck::audit::Record> = rec
        .entries
        .iter()
        .filter_map(|t| match &t.e {
            kdeck::app::record::Entry::Action { record } => Some(&**record),
            _ => None,
        })
        .collect();
    assert!(
        actions
            .iter()
            .filter(|r| r.outcome == Some(Outcome::Succeeded))
            .count()
            >= 4,
        "every action's outcome, with its hash: {actions:#?}"
    );
    assert!(actions.iter().all(|r| r.hash.len() == 64));

    // Replayed: each moment's screen is the live one.
    let keymap = Keymap::builtin("default").expect("keymap");
    let mut r = Replay::new(&rec, keymap.clone());
    for (at, live, filter) in &moments {
        r.seek(*at);
        if let Some(l) = r.console.state.list_mut() {
            l.filter = filter.clone();
        }
        r.console.state.refresh_lists();
        let replayed = screen(&mut r.console, &theme);
        assert_eq!(
            body(&replayed),
            body(live),
            "at {at}:\nreplayed:\n{replayed}\nlive:\n{live}"
        );
    }
    let last = &moments[2].1;
    assert!(
        last.contains("▶ backup run"),
        "the row says what was done:\n{last}"
    );
    assert!(moments[1].1.contains("⟲ breaker reset"), "{}", moments[1].1);

    // Exact seeking: straight to a moment, or there by way of later and earlier ones.
    let (start, end) = r.span();
    let mid = start + (end - start) / 2;
    let mut direct = Replay::new(&rec, keymap.clone());
    direct.seek(mid);
    let mut roundabout = Replay::new(&rec, keymap.clone());
    roundabout.seek(end);
    roundabout.seek(start + (end - start) / 4);
    roundabout.seek(mid);
    assert_eq!(
        direct.console.state.transitions.items,
        roundabout.console.state.transitions.items
    );
    assert_eq!(
        screen(&mut direct.console, &theme),
        screen(&mut roundabout.console, &theme)
    );

    // No secret of the scenario is in the file (decompressed).
    let mut raw = Vec::new();
    flate2::read::MultiGzDecoder::new(std::fs::File::open(&file).expect("open"))
        .read_to_end(&mut raw)
        .expect("decompress");
    let raw = String::from_utf8_lossy(&raw);
    for secret in ["fake-db-pass", "fake-redis-pass", "cG9zdGdyZXM6Ly9"] {
        assert!(!raw.contains(secret), "{secret} in the recording");
    }

    // The postmortem export, from the binary: what was seen and what was done, each
    // action by whom, with its outcome and the start of its audit hash.
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_kdeck"))
        .args(["timeline", "--from"])
        .arg(&file)
        .args(["--format", "md"])
        .output()
        .expect("kdeck timeline");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let md = String::from_utf8_lossy(&out.stdout).to_string();
    assert!(md.starts_with("## Incident timeline"), "{md}");
    assert!(md.contains("| UTC | Local | Context | Kind | What | By | Outcome | Audit |"));
    for r in actions
        .iter()
        .filter(|r| r.phase == kdeck::audit::Phase::Outcome)
    {
        assert!(
            md.contains(&format!("`{}`", &r.hash[..12])),
            "{} missing:\n{md}",
            r.action
        );
    }
    assert!(
        md.contains("| backup |"),
        "what was seen (the snapshot going stale → running → fresh):\n{md}"
    );
    // What the console noticed on its own, beyond health, backups and alerts: the
    // roll back as a revision change with what it changed in the template, the
    // crash loop of the bad release ending, and its warnings, once per group.
    let line = |kind: &str, has: &str| {
        md.lines()
            .any(|l| l.contains(&format!("| {kind} |")) && l.contains(has))
    };
    assert!(
        line(
            "rollout",
            "rollout flextime-production/deploy/flextime-api: revision"
        ),
        "the roll back as a revision change:\n{md}"
    );
    assert!(
        line(
            "crash",
            "crash loop ended: flextime-production/deploy/flextime-api"
        ),
        "the bad release's crash loop ending:\n{md}"
    );
    assert!(
        line("warning", "flextime-production/deploy/flextime-api"),
        "its warnings, grouped on the workload:\n{md}"
    );
    assert!(
        md.contains("### Template changes") && md.contains("+ api image flextime/api:v2.3.0"),
        "the revision's template diff under the table:\n{md}"
    );
    let done: Vec<&str> = md.lines().filter(|l| l.contains("| action |")).collect();
    // The actions, then what the roll back changed in the template.
    let changes = md
        .split_once("### Template changes")
        .map(|(_, c)| c.trim())
        .unwrap_or_default();
    insta::with_settings!({
        filters => vec![
            (r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}", "[utc]"),
            (r"\| \d{2}:\d{2}:\d{2} [A-Z+0-9-]+ \|", "| [local] |"),
            (r"`[0-9a-f]{12}`", "`[hash]`"),
            (r"\| [^|@]+@[^| ]+ as [^|]+ \|", "| [who] |"),
            (r"manual-[a-z0-9]+", "manual-[id]"),
        ],
        omit_expression => true,
    }, {
        insta::assert_snapshot!(
            "timeline_of_the_way_out",
            format!("{}\n\n### Template changes\n\n{changes}", done.join("\n"))
        );
    });
    let json = std::process::Command::new(env!("CARGO_BIN_EXE_kdeck"))
        .args(["timeline", "--from"])
        .arg(&file)
        .args(["--format", "json"])
        .output()
        .expect("kdeck timeline json");
    let items: serde_json::Value = serde_json::from_slice(&json.stdout).expect("json");
    let actions_in_json = items
        .as_array()
        .map(|a| a.iter().filter(|i| i["kind"] == "action").count())
        .unwrap_or(0);
    assert_eq!(actions_in_json, done.len());

    // The marked span alone: the traffic switch and the backup (and the roll back's
    // outcome, which came after the mark), not the crash loop's start before it.
    let marked = std::process::Command::new(env!("CARGO_BIN_EXE_kdeck"))
        .args(["timeline", "--marked", "--from"])
        .arg(&file)
        .output()
        .expect("kdeck timeline --marked");
    let marked = String::from_utf8_lossy(&marked.stdout).to_string();
    assert!(
        marked.contains("mark: started a marked span")
            && marked.contains("mark: ended the marked span")
            && marked.contains("switch-traffic svc/dashboard")
            && marked.contains("trigger-backup cronjob/volume-snapshot")
            && !marked.contains("crash loop started")
            && marked.contains("Only the marked spans."),
        "{marked}"
    );
    // A filter, as the console's: the rollouts of flextime-api only.
    let rollouts = std::process::Command::new(env!("CARGO_BIN_EXE_kdeck"))
        .args([
            "timeline",
            "--filter",
            "kind:rollout obj:flextime-api",
            "--from",
        ])
        .arg(&file)
        .output()
        .expect("kdeck timeline --filter");
    let rollouts = String::from_utf8_lossy(&rollouts.stdout).to_string();
    let rows: Vec<&str> = rollouts.lines().filter(|l| l.starts_with("| 20")).collect();
    assert!(
        !rows.is_empty() && rows.iter().all(|l| l.contains("| rollout |")),
        "{rollouts}"
    );

    // Cut mid-entry (a SIGKILL while writing): it replays up to the last whole one.
    let bytes = std::fs::read(&file).expect("read");
    let cut = data.path().join("cut.kdrec");
    std::fs::write(&cut, &bytes[..bytes.len() * 3 / 4]).expect("write");
    let partial = read::read(&cut).expect("a cut recording still reads");
    assert!(partial.cut, "it says it was cut");
    assert!(!partial.entries.is_empty() && partial.entries.len() < rec.entries.len());
    assert_eq!(partial.entries[..], rec.entries[..partial.entries.len()]);
    c.sim.shutdown().await;
}

/// Two consoles on one cluster (issue 14 item 5): an action by one reaches the
/// other through the cluster itself — a `KdeckAction` event — within 2 s, on its
/// row (`↺ rolled back … by USER@HOST`) and in its timeline; `kubectl get events`
/// shows it too.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_action_by_one_console_is_seen_by_another_within_2s() {
    let c = Cluster::start_with(SimConfig {
        scenario: Scenario::Incident,
        speed: 20.0,
        ..SimConfig::default()
    })
    .await;
    let a_dir = tempfile::tempdir().expect("tempdir");
    let b_dir = tempfile::tempdir().expect("tempdir");
    let mut a = Driver::start(&c, a_dir.path()).await;
    let mut b = Driver::start(&c, b_dir.path()).await;
    a.until(
        "the bad release rolling out, on top",
        LONG,
        bad_release_on_top,
    )
    .await;
    a.pick("flextime-api").await;
    a.keys("R");
    a.until_stage(&["pick"]).await;
    a.code(Code::Enter);
    succeeded(&mut a, "flextime-api").await;
    let done = std::time::Instant::now();
    let row_says = |s: &kdeck::app::State| {
        s.fleet.workloads.iter().any(|w| {
            &*w.name == "flextime-api"
                && w.published.as_ref().is_some_and(|p| p.action == "rollback")
        })
    };
    // The other console has not acted: it learns of it from the cluster.
    b.until("the other console's row", Duration::from_secs(5), row_says)
        .await;
    let took = done.elapsed();
    eprintln!("the other console saw the roll back {took:?} after it ended");
    assert!(took <= Duration::from_secs(2), "{took:?}");
    let theme = Theme::builtin("default").expect("theme");
    let text = common::console::render_text(&mut b.engine.console, 200, 40, &theme);
    let row = text
        .lines()
        .find(|l| l.contains("flextime-api") && l.contains("rolled back"))
        .unwrap_or_default();
    assert!(row.contains("ago by "), "the other console's row:\n{text}");
    assert!(!row.contains("by you"), "{row}");
    let items = b.s().timeline();
    assert!(
        items.iter().any(|i| i.kind == "action"
            && i.what.starts_with("rollback deploy/flextime-api")
            && i.by.is_some()),
        "{items:#?}"
    );
    // The console that acted lists it once (its own record, with its hash).
    let mine: Vec<_> = a
        .s()
        .timeline()
        .into_iter()
        .filter(|i| i.what.starts_with("rollback deploy/flextime-api"))
        .collect();
    assert_eq!(mine.len(), 1, "{mine:#?}");
    assert!(mine[0].audit.is_some());
    let events = c
        .kubectl("1.33")
        .run(&[
            "get",
            "events",
            "-n",
            "flextime-production",
            "--field-selector",
            "reason=KdeckAction",
        ])
        .await;
    assert!(
        events.out().contains("rollback deploy/flextime-api"),
        "{}",
        events.out()
    );
    drop((a, b));
    c.sim.shutdown().await;
}

/// `[context.NAME] publish = false` keeps that context's actions local: the action
/// runs and is audited as ever, and no `KdeckAction` event reaches the cluster.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn publishing_turned_off_for_a_context_sends_no_event() {
    let c = Cluster::start_with(SimConfig {
        scenario: Scenario::Incident,
        speed: 20.0,
        ..SimConfig::default()
    })
    .await;
    let dir = tempfile::tempdir().expect("tempdir");
    let mut d = Driver::start_with(&c, dir.path(), |s| {
        let name = s.contexts[0].spec.name.clone();
        let (config, diags) = kdeck::config::file::Config::parse(
            "config.toml",
            &format!("[context.{name}]\npublish = false\n"),
        )
        .expect("the config parses");
        assert!(diags.is_empty(), "{diags:?}");
        s.config = config;
    })
    .await;
    assert_eq!(d.s().publishing(), vec![false]);
    d.pick("flextime-api").await;
    d.keys("B");
    succeeded(&mut d, "flextime-api").await;
    assert!(
        d.s()
            .audit
            .iter()
            .any(|r| r.action == "reset-breaker" && r.phase == kdeck::audit::Phase::Outcome),
        "audited as ever"
    );
    d.run_for(Duration::from_millis(1500)).await;
    let events = c
        .kubectl("1.33")
        .run(&[
            "get",
            "events",
            "-A",
            "--field-selector",
            "reason=KdeckAction",
        ])
        .await;
    assert!(
        !events.out().contains("reset-breaker"),
        "nothing published: {}",
        events.out()
    );
    assert!(
        events.out().contains("No resources found") || events.out().trim().is_empty(),
        "{}",
        events.out()
    );
    drop(d);
    c.sim.shutdown().await;
}
