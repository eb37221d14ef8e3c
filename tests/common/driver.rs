//! A headless console: the binary's own engine — the real watchers, `Console::step`
//! and the runtime (access reviews, preflight, execution, audit appends) — against a
//! simulated cluster over HTTP, without a terminal, driven by keys. Nothing here runs
//! an effect or rebuilds a row itself: the engine does, exactly as in the binary.
#![allow(dead_code)]

use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use kdeck::app::engine::{Engine, Input};
use kdeck::app::guard::Stage;
use kdeck::app::state::{ContextState, State};
use kdeck::app::{Console, Event};
use kdeck::audit::{Outcome, Phase};
use kdeck::config::keymap::{Code, Key, Keymap};
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

use super::Cluster;
use super::console::spec;

pub struct Driver {
    pub engine: Engine,
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
        Self::start_with(c, data_dir, |_| {}).await
    }

    /// As `start`, with the state adjusted first (read-only, config).
    pub async fn start_with(
        c: &Cluster,
        data_dir: &Path,
        adjust: impl FnOnce(&mut State),
    ) -> Driver {
        Self::start_many(&[(c, None)], data_dir, adjust).await
    }

    /// One console over several clusters, one context each (named as given, or as
    /// its kubeconfig names it), connected exactly as the binary connects them; waits
    /// until every context's first lists are in.
    pub async fn start_many(
        clusters: &[(&Cluster, Option<&str>)],
        data_dir: &Path,
        adjust: impl FnOnce(&mut State),
    ) -> Driver {
        Self::start_recorded(clusters, data_dir, adjust, None).await
    }

    /// As `start_many`, recording everything from the first event to `record` (as
    /// the binary's `--record FILE` does).
    pub async fn start_recorded(
        clusters: &[(&Cluster, Option<&str>)],
        data_dir: &Path,
        adjust: impl FnOnce(&mut State),
        record: Option<&Path>,
    ) -> Driver {
        let _ = rustls::crypto::ring::default_provider().install_default();
        let (tx, rx) = mpsc::channel::<Event>(4096);
        let cancel = CancellationToken::new();
        let links = kdeck::cluster::link::Links::new(clusters.len());
        let mut contexts = Vec::new();
        for (id, (c, name)) in clusters.iter().enumerate() {
            let kc = kube::config::Kubeconfig::read_from(&c.kubeconfig).expect("kubeconfig parses");
            let current = kc.current_context.clone().expect("a current context");
            tokio::spawn(kdeck::cluster::contexts::connect(
                kc,
                current,
                kdeck::cluster::contexts::Session {
                    id,
                    exec_timeout: kdeck::config::file::EXEC_TIMEOUT,
                    namespaces: Vec::new(),
                    link: links.get(id).expect("a link").clone(),
                    tx: tx.clone(),
                    cancel: cancel.clone(),
                },
            ));
            let mut sp = spec(c);
            if let Some(n) = name {
                sp.name = (*n).to_string();
            }
            contexts.push(ContextState::new(sp, false));
        }
        let n = contexts.len();
        let mut s = State::new(contexts, Keymap::builtin("default").expect("keymap"), now());
        s.session = "test".into();
        adjust(&mut s);
        let sink = Arc::new(kdeck::audit::log::Sink::new(data_dir.join("audit")));
        let mut rt = kdeck::app::runtime::Runtime::new(tx.clone(), links, cancel.clone(), sink);
        rt.set_publishing(&s.publishing());
        let header = kdeck::app::record::Header::new(
            s.contexts
                .iter()
                .map(|c| kdeck::app::record::HeaderContext {
                    name: c.spec.name.clone(),
                    server: c.spec.server.clone(),
                })
                .collect(),
            Vec::new(),
            now(),
        );
        let mut engine = Engine::new(Console::new(s), rt, rx, None);
        if let Some(f) = record {
            let r = kdeck::app::record::write::Recorder::start(
                kdeck::app::record::write::Target::File(f.to_path_buf()),
                header,
            )
            .expect("recorder starts");
            engine.record_to(r);
        }
        engine.feed(Event::Page(20));
        let mut d = Driver { engine, cancel };
        d.until("first lists", Duration::from_secs(20), |s| {
            (0..n).all(|c| {
                s.contexts[c].data.listed().len() >= 8
                    && !s.contexts[c].data.kinds.deployments.is_empty()
            })
        })
        .await;
        d
    }

    /// The console's state (read-only: it changes only through events).
    pub fn s(&self) -> &State {
        &self.engine.console.state
    }

    /// Changes the state directly, as a configuration would (read-only, protection):
    /// for a test's setup only.
    pub fn setup(&mut self, f: impl FnOnce(&mut State)) {
        f(&mut self.engine.console.state);
    }

    /// Feeds one event through the console's step (effects run).
    pub fn feed(&mut self, ev: Event) {
        self.engine.feed(ev);
    }

    pub fn key(&mut self, k: Key) {
        self.engine.feed(Event::Key(k));
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

    /// Runs the engine (reports, the clock, due rebuilds) until `done(state)` or
    /// `timeout`; then, as a person would see it, until the rows have caught up with
    /// the data (the engine's next due rebuild).
    pub async fn until(&mut self, what: &str, timeout: Duration, done: impl Fn(&State) -> bool) {
        let start = Instant::now();
        loop {
            if done(self.s()) {
                while self.s().stale() && start.elapsed() < timeout {
                    self.turn().await;
                }
                return;
            }
            let s = self.s();
            assert!(
                start.elapsed() < timeout,
                "{what}: not reached within {timeout:?}; notice: {:?}; flow: {:?}",
                s.notice,
                s.flow.as_ref().map(|f| (
                    f.plan.as_ref().map(|p| p.target.clone()),
                    stage_name(&f.stage)
                ))
            );
            self.turn().await;
        }
    }

    /// One turn of the engine (at most 100 ms of waiting).
    async fn turn(&mut self) {
        let idle = async {
            tokio::time::sleep(Duration::from_millis(100)).await;
            Input::Idle
        };
        self.engine.turn(idle).await;
    }

    /// Runs the engine for `d`, whatever happens.
    pub async fn run_for(&mut self, d: Duration) {
        let end = Instant::now() + d;
        while Instant::now() < end {
            self.turn().await;
        }
    }

    /// Runs the engine until the flow reaches one of `stages` (by name).
    pub async fn until_stage(&mut self, stages: &[&str]) {
        let want: Vec<String> = stages.iter().map(|s| s.to_string()).collect();
        self.until(&format!("stage {stages:?}"), Duration::from_secs(90), |s| {
            s.flow
                .as_ref()
                .is_some_and(|f| want.iter().any(|w| w == stage_name(&f.stage)))
        })
        .await;
    }

    /// The flow's end as shown: its outcome and detail (a refusal's reason).
    pub fn finished(&self) -> Option<(Outcome, String)> {
        match &self.s().flow.as_ref()?.stage {
            Stage::Finished { outcome, detail } => Some((*outcome, detail.clone())),
            Stage::Refused(why) => Some((Outcome::Refused, why.clone())),
            _ => None,
        }
    }

    /// Runs the engine until the open flow's outcome is in the audit log (the console's
    /// list holds what was written to disk).
    pub async fn until_outcome_recorded(&mut self, timeout: Duration) {
        let id = self
            .s()
            .flow
            .as_ref()
            .map(|f| f.action_id.clone())
            .unwrap_or_default();
        self.until("the outcome recorded", timeout, |s| {
            s.audit
                .iter()
                .any(|r| r.action_id == id && r.phase == Phase::Outcome)
        })
        .await;
    }

    /// Waits for the prompt, confirms (typing the name where protected) unless the
    /// checks refused it, and waits for the end; returns the outcome and its detail
    /// once it is on record, and closes the dialog.
    pub async fn confirm(&mut self, name: &str) -> (Outcome, String) {
        self.until_stage(&["confirm", "refused"]).await;
        if self.stage() == "confirm" {
            let typed = matches!(
                self.s().flow.as_ref().map(|f| &f.stage),
                Some(Stage::Confirm { typed: Some(_), .. })
            );
            if typed {
                self.keys(name);
                self.code(Code::Enter);
            } else {
                self.keys("y");
            }
        }
        self.until_stage(&["finished", "refused"]).await;
        let out = self.finished().expect("finished");
        // The outcome is on disk once it is in the console's audit list (unless
        // nothing could be written at all).
        if !out.1.contains("audit record could not be written") {
            self.until_outcome_recorded(Duration::from_secs(90)).await;
        }
        self.code(Code::Esc);
        out
    }

    /// The flow's stage, by name.
    pub fn stage(&self) -> &'static str {
        self.s()
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
        Stage::PickKey { .. } => "pick-key",
        Stage::Revealed { .. } => "revealed",
        Stage::Checking => "checking",
        Stage::Confirm { .. } => "confirm",
        Stage::Refused(_) => "refused",
        Stage::Sending => "sending",
        Stage::Verifying { .. } => "verifying",
        Stage::Finished { .. } => "finished",
        Stage::PickContainer { .. } => "pick-container",
        Stage::Image { .. } => "image",
        Stage::CommandLine { .. } => "command-line",
        Stage::PickPort { .. } => "pick-port",
        Stage::LocalPort { .. } => "local-port",
        Stage::Output { .. } => "output",
        Stage::Shell => "shell",
        Stage::PickUndo { .. } => "pick-undo",
    }
}
