//! Every console view as text on ratatui's TestBackend, at 80×24 and 160×48, fed from
//! the simulated cluster's `calm` and `incident` scenarios over HTTP. The simulator
//! runs on a manual clock with a fixed seed, so names, ages and numbers are the same
//! on every run; only resourceVersions (which start at the wall clock) are filtered.

mod common;

use common::Cluster;
use common::console::{
    assert_inert, probe_round, render_text, run_browse, state_from, target, type_line,
};
use kdeck::app::command::Command;
use kdeck::app::state::{Screen, YamlDoc};
use kdeck::app::{Console, Done, Event};
use kdeck::cluster::kinds::ResKind;
use kdeck::cluster::msg::Msg;
use kdeck::config::theme::Theme;
use kdeck::sim::{Scenario, SimConfig};

const SIZES: [(u16, u16); 3] = [(80, 24), (120, 40), (160, 48)];
const START: &str = "2026-11-22T10:00:00Z";

async fn cluster(scenario: Scenario, seconds: f64) -> (Cluster, i64) {
    let start: jiff::Timestamp = START.parse().expect("timestamp");
    let c = Cluster::start_with(SimConfig {
        scenario,
        manual_clock: Some(start),
        ..SimConfig::default()
    })
    .await;
    c.sim.advance(seconds, 1.0);
    let now = c.sim.clock().now().as_second();
    (c, now)
}

fn snap(name: &str, text: &str) {
    insta::with_settings!({
        filters => vec![(r#"resourceVersion: ['"]?\d+['"]?"#, "resourceVersion: [rv]")],
        omit_expression => true,
    }, {
        insta::assert_snapshot!(name, text);
    });
}

/// The text of column `title` on each table row of a list screen (the header row is
/// the screen's second line; rows run until the detail strip, a pane or the footer).
fn column(text: &str, title: &str) -> Vec<String> {
    let lines: Vec<Vec<char>> = text.lines().map(|l| l.chars().collect()).collect();
    let Some(header) = lines.get(1) else {
        return Vec::new();
    };
    let h: String = header.iter().collect();
    let Some(start) = h
        .split(' ')
        .scan(0usize, |at, word| {
            let here = *at;
            *at += word.chars().count() + 1;
            Some((here, word))
        })
        .find(|(_, w)| *w == title)
        .map(|(i, _)| i)
    else {
        return Vec::new();
    };
    // The next title starts after the spaces that follow this one.
    let mut end = start + title.chars().count();
    while end < header.len() && header[end] == ' ' {
        end += 1;
    }
    let end = if end >= header.len() { usize::MAX } else { end };
    lines[2..lines.len().saturating_sub(1)]
        .iter()
        .take_while(|l| {
            let first = l.first().copied().unwrap_or(' ');
            !l.is_empty() && first != '▸' && first != '─'
        })
        .map(|l| {
            let to = end.min(l.len());
            l.get(start.min(to)..to)
                .map(|c| c.iter().collect::<String>().trim().to_string())
                .unwrap_or_default()
        })
        .collect()
}

/// Whether a drawn cell (`…` stands for what was cut) can only be `name`.
fn could_be(cell: &str, name: &str) -> bool {
    match cell.split_once('…') {
        None => cell == name,
        Some((head, tail)) => {
            name.len() >= head.len() + tail.len() && name.starts_with(head) && name.ends_with(tail)
        }
    }
}

/// Every namespace, context and (in the pods view) pod name drawn on the screen
/// tells its object apart: it can be only one of the names there are, and a pod
/// keeps its random suffix.
fn assert_names_tell_apart(s: &Console, text: &str, what: &str) {
    let f = &s.fleet;
    let mut namespaces: std::collections::BTreeSet<String> = Default::default();
    namespaces.extend(f.workloads.iter().map(|r| r.namespace.to_string()));
    namespaces.extend(f.pods.iter().map(|r| r.namespace.to_string()));
    namespaces.extend(f.services.iter().map(|r| r.namespace.to_string()));
    namespaces.extend(f.events.iter().map(|r| r.namespace.to_string()));
    namespaces.extend(f.hpas.iter().map(|r| r.namespace.to_string()));
    namespaces.extend(f.alerts.iter().map(|r| r.namespace.to_string()));
    namespaces.extend(f.health.iter().map(|r| r.key.namespace.to_string()));
    let contexts: Vec<String> = s.contexts.iter().map(|c| c.spec.name.clone()).collect();
    // By name: the same name in two namespaces or contexts is one name here.
    let pods: std::collections::BTreeSet<String> =
        f.pods.iter().map(|p| p.name.to_string()).collect();
    let mut checked = 0;
    for (title, names) in [
        ("NAMESPACE", namespaces.iter().cloned().collect::<Vec<_>>()),
        ("CONTEXT", contexts),
    ] {
        for cell in column(text, title) {
            if cell.is_empty() || cell == "-" {
                continue;
            }
            let n = names.iter().filter(|n| could_be(&cell, n)).count();
            assert_eq!(n, 1, "{what}: {title} {cell:?} could be {n} names:\n{text}");
            checked += 1;
        }
    }
    if text.lines().next().is_some_and(|l| l.contains("Pods")) {
        for cell in column(text, "NAME") {
            let matches: Vec<&String> = pods.iter().filter(|n| could_be(&cell, n)).collect();
            assert_eq!(
                matches.len(),
                1,
                "{what}: pod {cell:?} is {matches:?}:\n{text}"
            );
            let suffix = matches[0].rsplit('-').next().unwrap_or_default();
            assert!(cell.ends_with(suffix), "{what}: {cell:?} lost {suffix:?}");
            checked += 1;
        }
    }
    assert!(
        checked > 0 || !text.contains("NAMESPACE"),
        "{what}: no names checked:\n{text}"
    );
}

fn views(s: &mut Console, prefix: &str, theme: &Theme) {
    let all = [
        (Command::ViewOverview, "overview"),
        (Command::ViewPods, "pods"),
        (Command::ViewWorkloads, "workloads"),
        (Command::ViewHpas, "hpas"),
        (Command::ViewEvents, "events"),
        (Command::ViewServices, "services"),
        (Command::ViewResources, "resources"),
        (Command::ViewHealth, "health"),
        (Command::ViewBackups, "backups"),
        (Command::ViewAlerts, "alerts"),
    ];
    for (a, name) in all {
        let _ = s.step(Event::Command(a));
        for (w, h) in SIZES {
            let text = render_text(s, w, h, theme);
            assert_names_tell_apart(s, &text, &format!("{prefix} {name} {w}x{h}"));
            snap(&format!("{prefix}_{name}_{w}x{h}"), &text);
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn calm_scenario_views() {
    let (c, now) = cluster(Scenario::Calm, 5.0).await;
    let mut s = state_from(&c, now).await;
    probe_round(&c, &mut s).await;
    let theme = Theme::builtin("default").expect("theme");
    views(&mut s, "calm", &theme);
    // Calm means nothing needs attention.
    assert!(
        !s.fleet.worst().needs_attention(),
        "{:?}",
        s.fleet
            .workloads
            .iter()
            .filter(|w| w.assessment.severity.needs_attention())
            .map(|w| (&w.name, w.assessment.summary()))
            .collect::<Vec<_>>()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn incident_scenario_views() {
    let (c, now) = cluster(Scenario::Incident, 240.0).await;
    let mut s = state_from(&c, now).await;
    probe_round(&c, &mut s).await;
    let theme = Theme::builtin("default").expect("theme");
    views(&mut s, "incident", &theme);
    // The deep checks the runbooks ask about are readable at 80×24.
    let _ = s.step(Event::Command(Command::ViewHealth));
    let health = render_text(&mut s, 80, 24, &theme);
    assert!(
        health.contains("database") && health.contains("redis") && health.contains("breaker"),
        "{health}"
    );
    // What kubectl cannot show, on the first screen: the API's deep health down with
    // its breaker open, the stale weekly snapshot, and the alerts that paged.
    let _ = s.step(Event::Command(Command::ViewOverview));
    let first_screen = render_text(&mut s, 80, 24, &theme);
    assert!(first_screen.contains("volume-snapshot"), "{first_screen}");
    let api = &s.fleet.workloads[0];
    let (state, why) = api.health.clone().expect("flextime-api probed");
    assert_eq!(state, kdeck::probe::HealthState::Down, "{why}");
    assert!(why.contains("circuit breaker open"), "{why}");
    assert!(why.contains("database degraded"), "{why}");
    assert!(
        api.alerts.iter().any(|(n, _)| n == "FlexTimeAPIDown"),
        "{:?}",
        api.alerts
    );
    let snapshot = s
        .fleet
        .backups
        .iter()
        .find(|b| &*b.name == "volume-snapshot")
        .expect("backup row");
    assert_eq!(snapshot.freshness, kdeck::fleet::backups::Freshness::Stale);
    // The probe paths came from the pod template (and the deep path they imply).
    let names: Vec<&str> = s
        .fleet
        .health
        .iter()
        .filter(|h| &*h.key.workload == "deploy/flextime-api")
        .map(|h| &*h.key.name)
        .collect();
    for want in [
        "api:3005/health/ready",
        "api:3005/health/live",
        "api:3005/health",
    ] {
        assert!(names.contains(&want), "{names:?}");
    }
    // From the stale backup, one key shows its failed run's logs.
    let _ = s.step(Event::Command(Command::ViewBackups));
    let row = s
        .list()
        .expect("backups list")
        .visible
        .iter()
        .position(|&i| &*s.fleet.backups[i].name == "volume-snapshot")
        .expect("volume-snapshot listed");
    s.state.list_mut().expect("list").selected = row;
    let fx = s.step(Event::Command(Command::Logs));
    let failed_run = s
        .fleet
        .backups
        .iter()
        .find(|b| &*b.name == "volume-snapshot")
        .and_then(|b| {
            b.runs
                .iter()
                .find(|r| r.outcome == kdeck::cluster::kinds::JobOutcome::Failed)
                .map(|r| r.name.to_string())
        });
    let failed_run = failed_run.expect("a failed run");
    assert!(
        fx.iter().any(|e| matches!(e,
            kdeck::app::Effect::StartLogs { pod, namespace, .. }
                if namespace == "flextime-backup" && pod.starts_with(&failed_run))),
        "{fx:?}"
    );
    // Transitions were kept: endpoints became known, alerts fired.
    assert!(s.transitions.items.iter().any(|t| matches!(
        &t.what,
        kdeck::app::transitions::Transition::AlertFired { name, .. } if name == "FlexTimeAPIDown"
    )));
    // The failing rollout is the first row of the first screen.
    let _ = s.step(Event::Command(Command::ViewOverview));
    let first = &s.fleet.workloads[0];
    assert_eq!(
        (&*first.namespace, &*first.name),
        ("flextime-production", "flextime-api")
    );
    assert!(
        first.assessment.summary().contains("stalled"),
        "{}",
        first.assessment.summary()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn incident_detail_views() {
    let (c, now) = cluster(Scenario::Incident, 240.0).await;
    let mut s = state_from(&c, now).await;
    let theme = Theme::builtin("default").expect("theme");
    // Describe the failing Deployment and one of its crashing pods.
    let crashing = s.contexts[0]
        .data
        .kinds
        .pods
        .values()
        .find(|p| p.status() == "CrashLoopBackOff")
        .map(|p| p.name.to_string())
        .expect("a crash-looping pod");
    s.state.screens.push(Screen::Describe {
        target: target(ResKind::Deployment, "flextime-production", "flextime-api"),
        scroll: 0,
    });
    for (w, h) in SIZES {
        common::console::assert_inert(&ratatui::buffer::Buffer::empty(ratatui::layout::Rect::new(
            0, 0, 1, 1,
        )));
        snap(
            &format!("incident_describe_deployment_{w}x{h}"),
            &render_text(&mut s, w, h, &theme),
        );
    }
    s.state.screens.pop();
    s.state.screens.push(Screen::Describe {
        target: target(ResKind::Pod, "flextime-production", &crashing),
        scroll: 0,
    });
    let pod_text = render_text(&mut s, 80, 24, &theme);
    assert!(pod_text.contains("CrashLoopBackOff"), "{pod_text}");
    s.state.screens.pop();
    // A pod's conditions, environment and mounts, fetched as the page opens (as the
    // runtime does): a value from a Secret never shows, only where it comes from.
    let fleet_q = s.contexts[0]
        .data
        .kinds
        .pods
        .values()
        .find(|p| p.name.starts_with("fleet-q-"))
        .map(|p| p.name.to_string())
        .expect("a fleet-q pod");
    let detail = kdeck::cluster::fetch::pod_detail(
        common::kube_client(&c.kubeconfig).await,
        "fleet-q",
        &fleet_q,
    )
    .await;
    s.state.yaml = Some(YamlDoc {
        request: 9_999,
        lines: None,
        events_of: None,
    });
    let _ = s.step(Event::Done(Done::Fetched {
        request: 9_999,
        result: detail,
    }));
    let pod = target(ResKind::Pod, "fleet-q", &fleet_q);
    s.state.screens.push(Screen::Describe {
        target: pod.clone(),
        scroll: 0,
    });
    let page: Vec<String> = kdeck::ui::describe::lines(&s.state, &pod, 80)
        .into_iter()
        .map(|(k, v)| format!("{k} {v}"))
        .collect();
    let page = page.join("\n");
    for want in [
        "Conditions:",
        "Ready",
        "Environment:",
        "FLEET_Q_LOG_LEVEL",
        "<secret fleet-q-secrets/snowflake-account: hidden>",
        "Mounts:",
    ] {
        assert!(page.contains(want), "{want}:\n{page}");
    }
    for secret in ["postgres://", "fake-db-pass", "fake-redis-pass"] {
        assert!(
            !page.contains(secret),
            "a secret's value on the page:\n{page}"
        );
    }
    let at = page
        .lines()
        .position(|l| l.contains("Environment:"))
        .unwrap_or(0);
    if let Some(Screen::Describe { scroll, .. }) = s.state.screens.last_mut() {
        *scroll = at.saturating_sub(2);
    }
    snap(
        "incident_describe_pod_env_80x24",
        &render_text(&mut s, 80, 24, &theme),
    );
    s.state.screens.pop();
    // YAML, fetched over HTTP the way the runtime does.
    let client = common::kube_client(&c.kubeconfig).await;
    let yaml = kdeck::cluster::fetch::yaml(
        client.clone(),
        &kdeck::cluster::fetch::api_resource(ResKind::Deployment.info()),
        "flextime-production",
        "flextime-api",
    )
    .await
    .expect("yaml");
    s.state.yaml = Some(YamlDoc {
        request: 7,
        lines: None,
        events_of: None,
    });
    let _ = s.step(Event::Done(Done::Fetched {
        request: 7,
        result: Ok(yaml),
    }));
    s.state.screens.push(Screen::Yaml {
        target: Some(target(
            ResKind::Deployment,
            "flextime-production",
            "flextime-api",
        )),
        title: "yaml deployments/flextime-api".into(),
        request: 7,
        scroll: 0,
    });
    for (w, h) in SIZES {
        let text = render_text(&mut s, w, h, &theme);
        assert!(!text.contains("managedFields"));
        snap(&format!("incident_yaml_{w}x{h}"), &text);
    }
    s.state.screens.pop();
    // Logs of the crashing pod (its previous container), as the log view shows them.
    let pods: kube::Api<k8s_openapi::api::core::v1::Pod> =
        kube::Api::namespaced(client, "flextime-production");
    let text = pods
        .logs(
            &crashing,
            &kube::api::LogParams {
                container: Some("api".into()),
                previous: true,
                ..Default::default()
            },
        )
        .await
        .expect("logs");
    let _ = s.step(Event::Command(Command::ViewPods));
    let fx = s.step(Event::Command(Command::Logs));
    let stream = match fx.as_slice() {
        [kdeck::app::Effect::StartLogs { stream, .. }] => *stream,
        other => panic!("{other:?}"),
    };
    for line in text.lines() {
        let _ = s.step(Event::Cluster(Msg::Log {
            stream,
            pod: crashing.as_str().into(),
            container: "api".into(),
            line: line.to_string(),
        }));
    }
    for (w, h) in SIZES {
        snap(
            &format!("incident_logs_{w}x{h}"),
            &render_text(&mut s, w, h, &theme),
        );
    }
    // Help overlay, generated from the keymap.
    let _ = s.step(Event::Command(Command::Help));
    for (w, h) in SIZES {
        snap(&format!("help_{w}x{h}"), &render_text(&mut s, w, h, &theme));
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn severity_carries_its_style() {
    let (c, now) = cluster(Scenario::Incident, 240.0).await;
    let mut s = state_from(&c, now).await;
    let theme = Theme::builtin("default").expect("theme");
    let rows = kdeck::ui::render::page_rows(ratatui::layout::Rect::new(0, 0, 80, 24), &s);
    let _ = s.step(Event::Page(rows));
    // Move the selection off the first row so its own style shows.
    let _ = s.step(Event::Command(Command::Down));
    let mut term =
        ratatui::Terminal::new(ratatui::backend::TestBackend::new(80, 24)).expect("terminal");
    term.draw(|f| kdeck::ui::render::render(f, &s, &theme))
        .expect("draw");
    let buf = term.backend().buffer();
    assert_inert(buf);
    // Row 2 (below header and column titles) is the critical rollout: its SEV cell is
    // drawn in the critical style, in colour and in bold.
    let crit = theme.style("severity.crit");
    assert_eq!(buf[(0, 2)].symbol(), "C");
    assert_eq!(buf[(0, 2)].fg, crit.fg.expect("crit has a colour"));
    assert!(
        buf[(0, 2)]
            .modifier
            .contains(ratatui::style::Modifier::BOLD)
    );
    // In the mono theme the same cell is marked by reverse video, not colour.
    let mono = Theme::builtin("mono").expect("mono");
    term.draw(|f| kdeck::ui::render::render(f, &s, &mono))
        .expect("draw");
    let buf = term.backend().buffer();
    assert!(
        buf[(0, 2)]
            .modifier
            .contains(ratatui::style::Modifier::REVERSED)
    );
    assert_eq!(buf[(0, 2)].fg, ratatui::style::Color::Reset);
}

/// Keys into `update`, as the terminal would send them.
fn press(s: &mut Console, keys: &[kdeck::config::keymap::Key]) -> Vec<kdeck::app::Effect> {
    keys.iter().flat_map(|k| s.step(Event::Key(*k))).collect()
}

fn chars(text: &str) -> Vec<kdeck::config::keymap::Key> {
    text.chars().map(kdeck::config::keymap::Key::char).collect()
}

fn code(c: kdeck::config::keymap::Code) -> kdeck::config::keymap::Key {
    kdeck::config::keymap::Key::plain(c)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn action_dialogs_and_the_audit_view() {
    use kdeck::config::keymap::Code;
    let (c, now) = cluster(Scenario::Incident, 240.0).await;
    let mut s = state_from(&c, now).await;
    s.state.session = "snap".into();
    probe_round(&c, &mut s).await;
    let theme = Theme::builtin("default").expect("theme");
    let shot = |s: &mut Console, name: &str| {
        for (w, h) in SIZES {
            let text = render_text(s, w, h, &theme);
            snap(&format!("action_{name}_{w}x{h}"), &text);
        }
    };
    // The actions menu on the failing rollout.
    press(&mut s, &[code(Code::Char('/'))]);
    press(&mut s, &chars("flextime-api"));
    press(&mut s, &[code(Code::Enter), code(Code::Char('x'))]);
    shot(&mut s, "menu");
    // At 40×10 the menu does not fit: whichever entry is selected stays in sight, so
    // enter never starts an action that is not on screen.
    let entries = match &s.flow.as_ref().expect("menu").stage {
        kdeck::app::guard::Stage::Menu { items, .. } => items.len(),
        _ => panic!("the menu"),
    };
    for i in 0..entries {
        let text = render_text(&mut s, 40, 10, &theme);
        let selected = match &s.flow.as_ref().expect("menu").stage {
            kdeck::app::guard::Stage::Menu {
                items, selected, ..
            } => items[*selected].label,
            _ => panic!("the menu"),
        };
        let row = text
            .lines()
            .find(|l| l.contains('▶'))
            .unwrap_or_else(|| panic!("entry {i} selected but not drawn:\n{text}"));
        let shown: String = selected.chars().take(8).collect();
        assert!(
            row.contains(&shown),
            "{shown:?} is selected; the marked row is {row:?}\n{text}"
        );
        if i == entries - 1 {
            snap("action_menu_last_entry_40x10", &text);
        }
        press(&mut s, &[code(Code::Down)]);
    }
    press(&mut s, &[code(Code::Esc)]);
    // The revision picker with the template diff.
    press(&mut s, &[code(Code::Char('R'))]);
    let picker = render_text(&mut s, 80, 24, &theme);
    assert!(
        picker.contains("- api image flextime/api:v2.4.0"),
        "{picker}"
    );
    assert!(
        picker.contains("+ api image flextime/api:v2.3.0"),
        "{picker}"
    );
    shot(&mut s, "rollback_picker");
    // The plan, with the API server's own checks, waiting for the typed name.
    let fx = press(&mut s, &[code(Code::Enter)]);
    let (flow, request) = fx
        .iter()
        .find_map(|e| match e {
            kdeck::app::Effect::Preflight { flow, request, .. } => Some((*flow, request.clone())),
            _ => None,
        })
        .expect("preflight asked");
    let client = common::kube_client(&c.kubeconfig).await;
    let checks = kdeck::actions::run::preflight(&client, &request).await;
    assert!(checks.iter().all(|c| c.ok), "{checks:?}");
    let _ = s.step(Event::Done(Done::Preflighted { flow, checks }));
    press(&mut s, &chars("flextime-ap"));
    let confirm = render_text(&mut s, 80, 24, &theme);
    assert!(
        confirm.contains("type flextime-api and press enter"),
        "{confirm}"
    );
    assert!(
        confirm.contains("✓ dry run: PATCH deploy/flextime-api"),
        "{confirm}"
    );
    assert!(confirm.contains("[HIGH]"), "{confirm}");
    shot(&mut s, "rollback_confirm");
    // Set image as the runbook does (flagwise-api api=flagwise/api:v1.1.0): the line,
    // then the plan with the template diff and the server's checks.
    press(
        &mut s,
        &[code(Code::Esc), code(Code::Esc), code(Code::Char('/'))],
    );
    press(&mut s, &chars("flagwise-api"));
    press(&mut s, &[code(Code::Enter), code(Code::Char('i'))]);
    press(&mut s, &[kdeck::config::keymap::Key::ctrl('u')]);
    press(&mut s, &chars("flagwise/api:v1.1.0"));
    shot(&mut s, "set_image_line");
    let fx = press(&mut s, &[code(Code::Enter)]);
    let (flow, request) = fx
        .iter()
        .find_map(|e| match e {
            kdeck::app::Effect::Preflight { flow, request, .. } => Some((*flow, request.clone())),
            _ => None,
        })
        .expect("preflight asked");
    let checks = kdeck::actions::run::preflight(&client, &request).await;
    assert!(checks.iter().all(|c| c.ok), "{checks:?}");
    let _ = s.step(Event::Done(Done::Preflighted { flow, checks }));
    press(&mut s, &chars("flagwise-a"));
    let confirm = render_text(&mut s, 80, 24, &theme);
    for want in [
        "set-image deploy/flagwise-api",
        "[HIGH]",
        "- api image flagwise/api:v1.0.0",
        "+ api image flagwise/api:v1.1.0",
        "HPA flagwise-api-hpa (3–10) scales it: the replica count is unaffected",
        "✓ dry run: PATCH deploy/flagwise-api (api image)",
        "type flagwise-api and press enter",
    ] {
        assert!(confirm.contains(want), "{want}:\n{confirm}");
    }
    shot(&mut s, "set_image_confirm");
    press(
        &mut s,
        &[code(Code::Esc), code(Code::Esc), code(Code::Char('/'))],
    );
    press(&mut s, &chars("flextime-api"));
    press(&mut s, &[code(Code::Enter)]);
    // The audit view, after a cancellation and a refusal.
    let mut log = kdeck::audit::AuditLog::open(&c.dir.path().join("audit")).expect("log");
    for (i, (action, outcome)) in [
        ("rollback", kdeck::audit::Outcome::Cancelled),
        ("scale", kdeck::audit::Outcome::Refused),
    ]
    .into_iter()
    .enumerate()
    {
        let mut r = kdeck::audit::Record::new(
            &format!("{}-snap-{i}", s.state.session),
            kdeck::audit::Phase::Outcome,
            kdeck::audit::Actor {
                os_user: "oncall".into(),
                context: "kdeck-sim".into(),
                ..Default::default()
            },
            action,
            "deploy/flextime-api",
        );
        r.namespace = "flextime-production".into();
        r.outcome = Some(outcome);
        r.error = Some("not allowed to patch deployments/scale".into());
        let mut written = log.append(r).expect("append");
        written.time = format!("2026-11-22T10:0{i}:00.000000Z");
        // Its hash covers the real append time: a fixed one for the snapshots.
        written.hash = format!("{:064x}", 0xab00 + i);
        s.state.audit.push(written);
    }
    s.state.audit_status = Some("audit log: 2 records, chain verified".into());
    let _ = s.step(Event::Command(Command::ViewAudit));
    shot(&mut s, "audit_view");
    // The timeline: what was seen (the probes' verdicts) and done this session.
    let _ = s.step(Event::Command(Command::ViewTimeline));
    let text = render_text(&mut s, 80, 24, &theme);
    assert!(
        text.contains("│ timeline") && text.contains("health  team-dashboard"),
        "{text}"
    );
    shot(&mut s, "timeline_view");
    // `/kind:roll` keeps the rollouts; Enter opens one: what it says, then the
    // Deployment's page; esc goes back to the narrowed list, esc again clears it.
    press(&mut s, &chars("/"));
    type_line(&mut s, "kind:roll flextime-api");
    let text = render_text(&mut s, 80, 24, &theme);
    assert!(
        text.contains("timeline /kind:roll flextime-api")
            && text.contains("rollout flextime-production/deploy/flextime-a")
            && !text.contains("health "),
        "{text}"
    );
    let _ = s.step(Event::Command(Command::Select));
    let text = render_text(&mut s, 120, 40, &theme);
    for want in [
        "When",
        "UTC (",
        "stalled: ProgressDeadlineExceeded",
        "deployment/flextime-api now",
        "Replicas",
    ] {
        assert!(text.contains(want), "{want}: {text}");
    }
    shot(&mut s, "timeline_entry");
    let _ = s.step(Event::Command(Command::Back));
    let _ = s.step(Event::Command(Command::Back));
    let text = render_text(&mut s, 80, 24, &theme);
    assert!(
        text.contains("│ timeline │") && text.contains("health  team-dashboard"),
        "the filter is cleared: {text}"
    );
    // The oldest at the bottom: the actions, with their outcome.
    let _ = s.step(Event::Command(Command::Bottom));
    let text = render_text(&mut s, 80, 24, &theme);
    assert!(
        text.contains("cancelled") && text.contains("refused"),
        "{text}"
    );
    // `E`: the same, as Markdown for a postmortem, written under the state directory.
    s.state.state_dir = Some(c.dir.path().to_path_buf());
    let fx = s.step(Event::Command(Command::ExportTimeline));
    let md = fx
        .iter()
        .find_map(|e| match e {
            kdeck::app::Effect::SaveLogs { path, text } => {
                assert!(path.starts_with(c.dir.path().join("timelines")), "{path:?}");
                Some(text.clone())
            }
            _ => None,
        })
        .expect("the export is written");
    assert!(
        md.contains("| action | rollback deploy/flextime-api in flextime-production"),
        "{md}"
    );
    assert!(
        md.contains("| cancelled |") && md.contains("| refused |"),
        "{md}"
    );
}

/// The views of the kinds every cluster serves, and the generic list of a resource
/// kdeck has no view of its own for (a CRD's, and leases), from the server's Table.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kind_views_and_browsed_resources() {
    let (c, now) = cluster(Scenario::Calm, 5.0).await;
    let mut s = state_from(&c, now).await;
    let theme = Theme::builtin("default").expect("theme");
    for (cmd, name) in [
        ("cm", "configmaps"),
        ("secrets", "secrets"),
        ("pvc", "pvcs"),
        ("pv", "pvs"),
        ("ds", "daemonsets"),
        ("rs", "replicasets"),
        ("ing", "ingresses"),
        ("no", "nodes"),
        ("netpol", "networkpolicies"),
        ("sa", "serviceaccounts"),
        ("namespaces", "namespaces"),
    ] {
        let fx = type_line(&mut s, &format!(":{cmd}"));
        assert!(
            fx.iter()
                .all(|e| !matches!(e, kdeck::app::Effect::Browse { .. })),
            "{cmd}: its own view"
        );
        for (w, h) in SIZES {
            let text = render_text(&mut s, w, h, &theme);
            snap(&format!("kind_{name}_{w}x{h}"), &text);
        }
    }
    for (cmd, name) in [("rollouts.argoproj.io", "rollouts"), ("leases", "leases")] {
        let fx = type_line(&mut s, &format!(":{cmd}"));
        run_browse(&c, &mut s, fx).await;
        for (w, h) in SIZES {
            let text = render_text(&mut s, w, h, &theme);
            snap(&format!("browse_{name}_{w}x{h}"), &text);
        }
    }
    // A name no server serves says so; it is not an empty list.
    let fx = type_line(&mut s, ":frobnicators");
    run_browse(&c, &mut s, fx).await;
    let msg = s
        .notice
        .as_ref()
        .map(|n| n.text.clone())
        .unwrap_or_default();
    assert!(
        msg.contains("the server doesn't have a resource type \"frobnicators\""),
        "{msg}"
    );
    // Details: an Ingress's backends, and a Secret as keys and sizes only.
    for (kind, ns, name, snapname) in [
        (
            ResKind::Ingress,
            "team-dashboard-prod",
            "dashboard-ingress",
            "describe_ingress",
        ),
        (
            ResKind::Secret,
            "flextime-production",
            "flextime-secrets",
            "describe_secret",
        ),
        (
            ResKind::Pvc,
            "flextime-backup",
            "flextime-data",
            "describe_pvc",
        ),
    ] {
        s.state.screens.push(Screen::Describe {
            target: target(kind, ns, name),
            scroll: 0,
        });
        for (w, h) in SIZES {
            snap(
                &format!("{snapname}_{w}x{h}"),
                &render_text(&mut s, w, h, &theme),
            );
        }
        s.state.screens.pop();
    }
}

/// Wide (CJK), joined (ZWJ emoji) and invisible characters from the cluster: shown as
/// the data holds them (`漢字`, not `漢 字`), invisible ones gone, and every row
/// exactly as wide as it was measured, in lists, describe and YAML.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn wide_joined_and_invisible_text_is_drawn_as_measured() {
    let (c, now) = cluster(Scenario::Calm, 5.0).await;
    let client = common::kube_client(&c.kubeconfig).await;
    let cm: k8s_openapi::api::core::v1::ConfigMap = serde_json::from_value(serde_json::json!({
        "metadata": {
            "name": "cjk",
            "namespace": "production",
            "labels": {"team": "漢字"},
            "annotations": {"note": "漢字 and 👩\u{200d}👩\u{200d}👧 and a\u{200b}b\u{feff}c\u{2060}d"}
        },
        "data": {"greeting": "漢字漢字"}
    }))
    .expect("configmap");
    kube::Api::<k8s_openapi::api::core::v1::ConfigMap>::namespaced(client.clone(), "production")
        .create(&Default::default(), &cm)
        .await
        .expect("create");
    let mut s = state_from(&c, now).await;
    let theme = Theme::builtin("default").expect("theme");
    let check = |text: &str, w: u16, what: &str| {
        for l in text.lines() {
            assert!(
                unicode_width::UnicodeWidthStr::width(l) <= w as usize,
                "{what}: a row wider than the screen: {l:?}"
            );
            assert!(
                !l.contains(['\u{200b}', '\u{200d}', '\u{2060}', '\u{feff}']),
                "{what}: an invisible character drawn: {l:?}"
            );
        }
    };
    s.state.screens.push(Screen::Describe {
        target: target(ResKind::ConfigMap, "production", "cjk"),
        scroll: 0,
    });
    for (w, h) in SIZES {
        let text = render_text(&mut s, w, h, &theme);
        check(&text, w, "describe");
        assert!(text.contains("team=漢字"), "{text}");
    }
    s.state.screens.pop();
    let yaml = kdeck::cluster::fetch::yaml(
        client.clone(),
        &kdeck::cluster::fetch::api_resource(ResKind::ConfigMap.info()),
        "production",
        "cjk",
    )
    .await
    .expect("yaml");
    s.state.yaml = Some(YamlDoc {
        request: 9,
        lines: None,
        events_of: None,
    });
    let _ = s.step(Event::Done(Done::Fetched {
        request: 9,
        result: Ok(yaml),
    }));
    s.state.screens.push(Screen::Yaml {
        target: Some(target(ResKind::ConfigMap, "production", "cjk")),
        title: "yaml configmaps/cjk".into(),
        request: 9,
        scroll: 0,
    });
    for (w, h) in SIZES {
        let text = render_text(&mut s, w, h, &theme);
        check(&text, w, "yaml");
        assert!(text.contains("greeting: 漢字漢字"), "{text}");
        assert!(text.contains("👩👩👧 and ab"), "{text}");
    }
}

/// Two clusters' consoles: every list says which context each row is from.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn with_two_contexts_every_list_has_a_context_column() {
    let (c, now) = cluster(Scenario::Incident, 240.0).await;
    // The same cluster twice, as two contexts (prod-eu, prod-us): every record and
    // report of the first is given to the second too.
    let client = common::kube_client(&c.kubeconfig).await;
    let spec = |name: &str| {
        let mut sp = common::console::spec(&c);
        sp.name = name.into();
        sp
    };
    let contexts = vec![
        kdeck::app::state::ContextState::new(spec("prod-eu"), false),
        kdeck::app::state::ContextState::new(spec("prod-us"), false),
    ];
    let st = kdeck::app::State::new(
        contexts,
        kdeck::config::keymap::Keymap::builtin("default").expect("keymap"),
        now,
    );
    let mut s = Console::new(st);
    for ctx in 0..2 {
        let (listings, _) = kdeck::cluster::watch::list_all(&client, None).await;
        for l in listings {
            let _ = s.step(Event::Cluster(Msg::Relisted {
                ctx,
                scope: None,
                listing: l,
            }));
        }
        let _ = s.step(Event::Cluster(Msg::Metrics {
            ctx,
            pods: kdeck::cluster::metrics::fetch_usage(&client, &[]).await,
        }));
        let _ = s.step(Event::Cluster(Msg::Reachable {
            ctx,
            ok: Ok(()),
            skew: None,
        }));
    }
    let _ = s.step(Event::Refresh);
    let theme = Theme::builtin("default").expect("theme");
    // Every list, at the three sizes, as snapshots; names tell their objects apart.
    views(&mut s, "two_contexts", &theme);
    for (a, name) in [
        (Command::ViewHpas, "hpas"),
        (Command::ViewEvents, "events"),
        (Command::ViewServices, "services"),
        (Command::ViewResources, "resources"),
        (Command::ViewPods, "pods"),
        (Command::ViewOverview, "overview"),
    ] {
        let _ = s.step(Event::Command(a));
        for (w, h) in [(80u16, 24u16), (200, 50)] {
            let text = render_text(&mut s, w, h, &theme);
            assert!(text.contains("CONTEXT"), "{name} {w}x{h}:\n{text}");
            if w == 200 {
                assert!(
                    text.contains("prod-eu") && text.contains("prod-us"),
                    "{name} {w}x{h}: both contexts' rows:\n{text}"
                );
            }
        }
    }
}

/// An object that no longer exists opens from its last record (issue 14: the
/// crashed pod of the bad rollout, after it was replaced), under a line saying so.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_deleted_pod_opens_from_its_last_record() {
    let (c, now) = cluster(Scenario::Incident, 240.0).await;
    let mut s = state_from(&c, now).await;
    let theme = Theme::builtin("default").expect("theme");
    let pod = s.state.contexts[0]
        .data
        .kinds
        .pods
        .values()
        .find(|p| p.name.starts_with("flextime-api-") && p.status() == "CrashLoopBackOff")
        .map(|p| (p.namespace.clone(), p.name.clone()))
        .expect("a crash-looping pod of the bad release");
    let _ = s.step(Event::Cluster(Msg::Deleted {
        ctx: 0,
        kind: ResKind::Pod,
        namespace: pod.0.clone(),
        name: pod.1.clone(),
    }));
    s.state.screens.push(Screen::Describe {
        target: target(ResKind::Pod, &pod.0, &pod.1),
        scroll: 0,
    });
    let text = render_text(&mut s, 120, 40, &theme);
    for want in [
        "deleted 0s ago; below is its last recorded state",
        "CrashLoopBackOff",
        "flextime/api:v2.4.0",
    ] {
        assert!(text.contains(want), "{want}: {text}");
    }
    assert!(
        !s.state.contexts[0]
            .data
            .kinds
            .pods
            .contains_key(&(pod.0.clone(), pod.1.clone())),
        "it is gone from the live records"
    );
}
