//! Console test helpers: build the console's state from a simulated cluster over
//! HTTP (with the console's own kube-rs code), and render it to text.
#![allow(dead_code)]

use kdeck::app::msg::ResKind;
use kdeck::app::state::{ContextState, Screen, State};
use kdeck::app::{Event, update};
use kdeck::cluster::contexts::ContextSpec;
use kdeck::cluster::model::Ts;
use kdeck::cluster::{probes, watch};
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

/// The state the console would have after listing everything once.
pub async fn state_from(c: &Cluster, now: Ts) -> State {
    let client = kube_client(&c.kubeconfig).await;
    let (feeds, errors) = watch::list_all(&client, None).await;
    assert!(errors.is_empty(), "{errors:?}");
    let mut ctx = ContextState::new(spec(c), false);
    for f in feeds {
        ctx.data.relist(None, f);
    }
    if let Ok(u) = probes::fetch_usage(&client, &[]).await {
        ctx.data.set_usage(u);
    }
    ctx.data
        .set_snapshots(kdeck::cluster::snapshots::list_once(&client).await);
    ctx.ping = Some(Ok(()));
    let mut s = State::new(vec![ctx], Keymap::builtin("default").expect("keymap"), now);
    s.refresh();
    s
}

/// One round of health probes and alert reads against the cluster, fed to `update`
/// as the prober's messages. Latencies are set to 5 ms so screens are the same on
/// every run (they are real answers otherwise).
pub async fn probe_round(c: &Cluster, s: &mut State) {
    let client = kube_client(&c.kubeconfig).await;
    let clients = kdeck::probe::http::Clients {
        kube: vec![Some(client)],
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
        if let kdeck::app::msg::Msg::Probed { verdict, .. } = &mut m {
            verdict.latency_ms = 5;
        }
        update(s, Event::Msg(m));
    }
    s.refresh();
}

/// Renders `s` at `w`×`h` (after telling it the page size) and returns the screen text.
pub fn render_text(s: &mut State, w: u16, h: u16, theme: &Theme) -> String {
    let rows = kdeck::ui::render::page_rows(Rect::new(0, 0, w, h), s);
    update(s, Event::Page(rows));
    let mut term = Terminal::new(TestBackend::new(w, h)).expect("test terminal");
    term.draw(|f| kdeck::ui::render::render(f, s, theme))
        .expect("draw");
    buffer_text(term.backend().buffer())
}

pub fn buffer_text(buf: &ratatui::buffer::Buffer) -> String {
    let mut out = String::new();
    for y in 0..buf.area.height {
        let mut line = String::new();
        for x in 0..buf.area.width {
            line.push_str(buf[(x, y)].symbol());
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

pub fn show(s: &mut State, screen: Screen) {
    s.screens.push(screen);
}
