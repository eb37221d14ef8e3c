//! Console test helpers: build the console from a simulated cluster over HTTP (with
//! the console's own kube-rs code), drive it through its step, and render it to text.
#![allow(dead_code)]

use kdeck::app::state::{ContextState, Screen, State};
use kdeck::app::{Console, Event};
use kdeck::cluster::contexts::ContextSpec;
use kdeck::cluster::kinds::{ResKind, Ts};
use kdeck::cluster::msg::Msg;
use kdeck::cluster::{metrics, watch};
use kdeck::config::keymap::Keymap;
use kdeck::config::theme::Theme;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::layout::Rect;

use super::{Cluster, kube_client};

pub fn spec(c: &Cluster) -> ContextSpec {
    ContextSpec {
        name: "kdeck-sim".into(),
        cluster: "kdeck-sim".into(),
        server: c.sim.server_url(),
        user: "kdeck-sim".into(),
        namespace: None,
    }
}

/// The console as it would be after listing everything once: each listing, the
/// metrics, the snapshots and a ping are fed through its step as the watchers and
/// pollers would send them.
pub async fn state_from(c: &Cluster, now: Ts) -> Console {
    let client = kube_client(&c.kubeconfig).await;
    let (listings, errors) = watch::list_all(&client, None).await;
    assert!(errors.is_empty(), "{errors:?}");
    let ctx = ContextState::new(spec(c), false);
    let s = State::new(vec![ctx], Keymap::builtin("default").expect("keymap"), now);
    let mut console = Console::new(s);
    let mut msgs: Vec<Msg> = listings
        .into_iter()
        .map(|listing| Msg::Relisted {
            ctx: 0,
            scope: None,
            listing,
        })
        .collect();
    msgs.push(Msg::Metrics {
        ctx: 0,
        pods: metrics::fetch_usage(&client, &[]).await,
    });
    msgs.push(Msg::Snapshots {
        ctx: 0,
        result: kdeck::cluster::snapshots::list_once(&client).await,
    });
    msgs.push(Msg::Reachable {
        ctx: 0,
        ok: Ok(()),
        skew: None,
    });
    for m in msgs {
        let _ = console.step(Event::Cluster(m));
    }
    let _ = console.step(Event::Refresh);
    console
}

/// One round of health probes and alert reads against the cluster, fed to `update`
/// as the prober's messages. Latencies are set to 5 ms so screens are the same on
/// every run (they are real answers otherwise).
pub async fn probe_round(c: &Cluster, s: &mut Console) {
    let client = kube_client(&c.kubeconfig).await;
    let clients = kdeck::probe::http::Clients {
        kube: kdeck::cluster::link::Links::from_vec(vec![kdeck::cluster::link::Link::ready(
            client,
        )]),
        direct: kdeck::probe::http::direct_client().expect("http client"),
    };
    let msgs = kdeck::probe::once::round(
        &s.fleet.probe_targets,
        &s.fleet.alert_sources,
        &clients,
        &s.watching.probes,
    )
    .await;
    assert!(!msgs.is_empty(), "nothing probed");
    for mut m in msgs {
        if let kdeck::probe::Msg::Probed { verdict, .. } = &mut m {
            verdict.latency_ms = 5;
        }
        let _ = s.step(Event::Probe(m));
    }
    let _ = s.step(Event::Refresh);
}

/// Renders `s` at `w`×`h` (after telling it the page size) and returns the screen text.
pub fn render_text(s: &mut Console, w: u16, h: u16, theme: &Theme) -> String {
    let rows = kdeck::ui::render::page_rows(Rect::new(0, 0, w, h), s);
    let _ = s.step(Event::Size(w, h));
    let _ = s.step(Event::Page(rows));
    let mut term = Terminal::new(TestBackend::new(w, h)).expect("test terminal");
    term.draw(|f| kdeck::ui::render::render(f, s, theme))
        .expect("draw");
    buffer_text(term.backend().buffer())
}

pub fn buffer_text(buf: &ratatui::buffer::Buffer) -> String {
    let mut out = String::new();
    for y in 0..buf.area.height {
        let mut line = String::new();
        // As a terminal shows it: the cells a wide character covers are not drawn
        // (ratatui's diff skips them too).
        let mut x = 0;
        while x < buf.area.width {
            let sym = buf[(x, y)].symbol();
            line.push_str(sym);
            x += (unicode_width::UnicodeWidthStr::width(sym) as u16).max(1);
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

/// Every drawn symbol is free of control characters.
pub fn assert_inert(buf: &ratatui::buffer::Buffer) {
    for y in 0..buf.area.height {
        for x in 0..buf.area.width {
            let sym = buf[(x, y)].symbol();
            assert!(
                !sym.chars().any(|c| c.is_control()),
                "control character drawn at {x},{y}: {sym:?}"
            );
        }
    }
}

pub fn target(kind: ResKind, ns: &str, name: &str) -> kdeck::app::lists::Target {
    kdeck::app::lists::Target {
        ctx: 0,
        kind,
        namespace: ns.into(),
        name: name.into(),
    }
}

/// Opens a screen directly (a detail screen for an object the test names).
pub fn show(s: &mut Console, screen: Screen) {
    s.state.screens.push(screen);
}

/// Types `text` as keys (a `:` command, a filter), then Enter, through the step.
pub fn type_line(s: &mut Console, text: &str) -> Vec<kdeck::app::Effect> {
    use kdeck::config::keymap::{Code, Key};
    let mut fx = Vec::new();
    for c in text.chars() {
        let k = if c == ' ' {
            Key::plain(Code::Space)
        } else {
            Key::char(c)
        };
        fx.extend(s.step(Event::Key(k)));
    }
    fx.extend(s.step(Event::Key(Key::plain(Code::Enter))));
    fx
}

/// Runs what browsing asks for, once, as the runtime would: discovery, and the first
/// list of each browsed resource (from the same `cluster::table` source the runtime
/// starts), fed back through the step.
pub async fn run_browse(c: &Cluster, s: &mut Console, fx: Vec<kdeck::app::Effect>) {
    use kdeck::app::Effect;
    let client = kube_client(&c.kubeconfig).await;
    let mut todo = fx;
    let mut rounds = 0;
    while !todo.is_empty() {
        rounds += 1;
        assert!(rounds < 10, "browse effects never settle");
        let mut next = Vec::new();
        for e in todo {
            match e {
                Effect::Discover { ctx } => {
                    let result = kdeck::cluster::discovery::discover(&client).await;
                    next.extend(s.step(Event::Cluster(Msg::Discovered { ctx, result })));
                }
                Effect::Browse { id, ctx, res } => {
                    let (tx, mut rx) = tokio::sync::mpsc::channel::<Event>(64);
                    let cancel = tokio_util::sync::CancellationToken::new();
                    let task = tokio::spawn(kdeck::cluster::table::run(
                        kdeck::cluster::link::Link::ready(client.clone()),
                        ctx,
                        id,
                        res,
                        None,
                        tx,
                        cancel.clone(),
                    ));
                    let first = tokio::time::timeout(std::time::Duration::from_secs(10), rx.recv())
                        .await
                        .expect("a list within 10 s")
                        .expect("a message");
                    cancel.cancel();
                    let _ = task.await;
                    next.extend(s.step(first));
                }
                _ => {}
            }
        }
        todo = next;
    }
    let _ = s.step(Event::Refresh);
}
