//! A headless console: the real watchers, `update` and runtime (access reviews,
//! preflight, execution, audit appends) against a simulated cluster over HTTP — the
//! app loop without a terminal — driven by keys.
#![allow(dead_code)]

use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use kdeck::app::msg::Msg;
use kdeck::app::state::{ContextState, State};
use kdeck::app::{Event, update};
use kdeck::config::keymap::{Code, Key, Keymap};
use kdeck::ui::runtime::Runtime;
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

use super::console::spec;
use super::{Cluster, kube_client};

pub struct Driver {
    pub s: State,
    rt: Runtime,
    rx: mpsc::Receiver<Msg>,
    cancel: CancellationToken,
}

impl Drop for Driver {
    fn drop(&mut self) {
        self.cancel.cancel();
    }
}

fn now() -> i64 {
    jiff::Timestamp::now().as_second()
}

impl Driver {
    /// Watches everything in the cluster, with the audit log under `data_dir`, and
    /// waits until the first lists are in.
    pub async fn start(c: &Cluster, data_dir: &Path) -> Driver {
        let client = kube_client(&c.kubeconfig).await;
        let (tx, rx) = mpsc::channel(4096);
        let cancel = CancellationToken::new();
        kdeck::cluster::watch::spawn_all(&client, 0, &[], &tx, &cancel);
        let mut ctx = ContextState::new(spec(c), false);
        ctx.ping = Some(Ok(()));
        let mut s = State::new(
            vec![ctx],
            Keymap::builtin("default").expect("keymap"),
            now(),
        );
        s.session = "test".into();
        let sink = Arc::new(kdeck::audit::log::Sink::new(data_dir.join("audit")));
        let rt = Runtime::new(tx, vec![Some(client)], cancel.clone(), sink);
        let mut d = Driver { s, rt, rx, cancel };
        d.until("first lists", Duration::from_secs(20), |s| {
            s.contexts[0].data.listed.len() >= 8 && !s.contexts[0].data.deployments.is_empty()
        })
        .await;
        d
    }

    fn apply(&mut self, ev: Event) {
        let fx = update(&mut self.s, ev);
        for e in fx {
            self.rt.run(e);
        }
        self.s.refresh();
        for e in self.s.take_effects() {
            self.rt.run(e);
        }
    }

    pub fn key(&mut self, k: Key) {
        self.apply(Event::Key(k));
    }

    pub fn code(&mut self, c: Code) {
        self.key(Key::plain(c));
    }

    /// Types each character as a key.
    pub fn keys(&mut self, text: &str) {
        for c in text.chars() {
            let k = if c == ' ' {
                Key::plain(Code::Space)
            } else {
                Key::char(c)
            };
            self.key(k);
        }
    }

    /// Waits for the workload row `name`, then narrows the list to it.
    pub async fn pick(&mut self, name: &str) {
        let want = name.to_string();
        self.until(&format!("the row {name}"), Duration::from_secs(30), |s| {
            s.fleet.workloads.iter().any(|w| w.name.as_ref() == want)
        })
        .await;
        self.select(name);
    }

    /// Narrows the current list to rows matching `name` (the first row is selected).
    pub fn select(&mut self, name: &str) {
        self.code(Code::Esc);
        self.keys("/");
        self.keys(name);
        self.code(Code::Enter);
    }

    /// Runs the loop (messages, a tick a second) until `done(state)` or `timeout`.
    pub async fn until(&mut self, what: &str, timeout: Duration, done: impl Fn(&State) -> bool) {
        let start = Instant::now();
        let mut last_tick = Instant::now();
        loop {
            if done(&self.s) {
                return;
            }
            assert!(
                start.elapsed() < timeout,
                "{what}: not reached within {timeout:?}; notice: {:?}; flow: {:?}",
                self.s.notice,
                self.s.flow.as_ref().map(|f| (
                    f.plan.as_ref().map(|p| p.target.clone()),
                    stage_name(&f.stage)
                ))
            );
            if let Ok(Some(m)) =
                tokio::time::timeout(Duration::from_millis(100), self.rx.recv()).await
            {
                self.apply(Event::Msg(m));
                while let Ok(m) = self.rx.try_recv() {
                    self.apply(Event::Msg(m));
                }
            }
            if last_tick.elapsed() >= Duration::from_secs(1) {
                last_tick = Instant::now();
                self.apply(Event::Tick(now()));
            }
        }
    }

    /// Runs the loop for `d` (messages and ticks), whatever happens.
    pub async fn run_for(&mut self, d: Duration) {
        let end = Instant::now() + d;
        while Instant::now() < end {
            if let Ok(Some(m)) =
                tokio::time::timeout(Duration::from_millis(100), self.rx.recv()).await
            {
                self.apply(Event::Msg(m));
            }
        }
        self.apply(Event::Tick(now()));
    }

    /// Runs the loop until the flow reaches one of `stages` (by name).
    pub async fn until_stage(&mut self, stages: &[&str]) {
        let want: Vec<String> = stages.iter().map(|s| s.to_string()).collect();
        self.until(&format!("stage {stages:?}"), Duration::from_secs(90), |s| {
            s.flow
                .as_ref()
                .is_some_and(|f| want.iter().any(|w| w == stage_name(&f.stage)))
        })
        .await;
    }

    /// The flow's stage, by name.
    pub fn stage(&self) -> &'static str {
        self.s
            .flow
            .as_ref()
            .map_or("none", |f| stage_name(&f.stage))
    }
}

pub fn stage_name(s: &kdeck::app::guard::Stage) -> &'static str {
    use kdeck::app::guard::Stage;
    match s {
        Stage::Menu { .. } => "menu",
        Stage::Count { .. } => "count",
        Stage::Pick { .. } => "pick",
        Stage::Checking => "checking",
        Stage::Confirm { .. } => "confirm",
        Stage::Refused(_) => "refused",
        Stage::Sending => "sending",
        Stage::Verifying { .. } => "verifying",
        Stage::Finished { .. } => "finished",
    }
}
