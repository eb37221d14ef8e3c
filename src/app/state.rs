//! The console's state: contexts and what is known of them, the derived fleet, the
//! screen stack and inputs, logs and YAML buffers. Plain data; `update` changes it,
//! `render` reads it.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use super::effect::Effect;
use super::input::LineInput;
use super::lists::{self, Filters, ListState, ListView, Target};
use super::logs::LogsState;
use super::transitions::Transitions;
use crate::cluster::contexts::ContextSpec;
use crate::cluster::kinds::{ResKind, Ts};
use crate::cluster::msg::CtxId;
use crate::cluster::store::ClusterData;
use crate::config::diag::Diag;
use crate::config::keymap::{Keymap, Mode};
use crate::fleet::alerts::AlertFeed;
use crate::fleet::{Ctx, Extras, Fleet, Needs, Watching};
use crate::probe::book::Book;

/// How a context's connection is doing.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Reach {
    Connecting,
    Live,
    Stale { since: Ts, reason: String },
    Failed(String),
}

#[derive(Debug)]
pub struct ContextState {
    pub spec: ContextSpec,
    pub data: ClusterData,
    pub readonly: bool,
    /// The last liveness ping: `None` before the first answer.
    pub ping: Option<Result<(), String>>,
    pub stale_since: Option<Ts>,
    pub setup_error: Option<String>,
    /// The API server's clock minus ours (seconds): ages are computed on its clock.
    pub skew: i64,
    /// What the server serves (its API discovery), once asked and answered.
    pub discovered: Option<Result<Vec<Arc<crate::cluster::discovery::ApiRes>>, String>>,
    /// When discovery was last asked.
    pub discovery_asked: Option<Ts>,
    /// What the person should know about how it is reached (TLS unverified…).
    pub warnings: Vec<String>,
}

impl ContextState {
    pub fn new(spec: ContextSpec, readonly: bool) -> ContextState {
        ContextState {
            spec,
            data: ClusterData::default(),
            readonly,
            ping: None,
            stale_since: None,
            setup_error: None,
            skew: 0,
            discovered: None,
            discovery_asked: None,
            warnings: Vec::new(),
        }
    }

    /// Why the context is not fully live, if it is not.
    fn problem(&self) -> Option<String> {
        if let Some(Err(e)) = &self.ping {
            return Some(format!("API server: {e}"));
        }
        self.data.feeds.iter().find_map(|(k, s)| match s {
            crate::cluster::msg::FeedStatus::Failing(e) => Some(format!("{}: {e}", k.plural())),
            _ => None,
        })
    }

    pub fn reach(&self) -> Reach {
        if let Some(e) = &self.setup_error {
            return Reach::Failed(e.clone());
        }
        if let Some(reason) = self.problem() {
            return Reach::Stale {
                since: self.stale_since.unwrap_or(0),
                reason,
            };
        }
        if self.data.listed().is_empty() {
            return Reach::Connecting;
        }
        Reach::Live
    }

    /// While the first answers are still coming: (kinds answered, kinds watched).
    /// A kind has answered once its state arrived or it failed, was forbidden or is
    /// not served here.
    pub fn loading(&self) -> Option<(usize, usize)> {
        // Not loading but connecting, stale or failed: those say so themselves.
        if self.setup_error.is_some() || self.problem().is_some() || self.data.listed().is_empty() {
            return None;
        }
        let total = ResKind::ALL.len();
        let answered = self.data.feeds.len();
        (answered < total).then_some((answered, total))
    }

    /// Kinds the person may not list here.
    pub fn forbidden(&self) -> Vec<&'static str> {
        self.data
            .feeds
            .iter()
            .filter(|(_, s)| matches!(s, crate::cluster::msg::FeedStatus::Forbidden(_)))
            .map(|(k, _)| k.plural())
            .collect()
    }

    /// Records when the context went stale (and clears it when it recovers).
    pub fn note_reach(&mut self, now: Ts) {
        match (self.problem().is_some(), self.stale_since) {
            (true, None) => self.stale_since = Some(now),
            (false, Some(_)) => self.stale_since = None,
            _ => {}
        }
    }
}

/// A screen on the stack.
#[derive(Clone, Debug, PartialEq)]
pub enum Screen {
    List(ListState),
    Describe {
        target: Target,
        scroll: usize,
    },
    /// A fetched document: an object's YAML, or the describe page of one kdeck has
    /// no record of (a browsed resource's).
    Yaml {
        target: Option<Target>,
        title: String,
        request: u64,
        scroll: usize,
    },
    Logs,
    /// The audit log, newest first.
    Audit {
        scroll: usize,
    },
    /// What was seen and done this session, newest first, narrowed by `filter`
    /// (`kind:rollout ns:… ctx:… obj:…` and free words).
    Timeline {
        scroll: usize,
        filter: String,
    },
    /// One timeline entry opened: all it says, a revision's template diff, and the
    /// object it is about (from its last record when it no longer exists).
    Entry {
        item: Box<crate::app::record::timeline::Item>,
        scroll: usize,
    },
    /// This session's port-forwards.
    Forwards {
        selected: usize,
    },
}

/// Which text input is open.
#[derive(Clone, Debug, PartialEq)]
pub enum Input {
    None,
    Filter(LineInput),
    Command(LineInput),
    Search(LineInput),
}

#[derive(Clone, Debug, PartialEq)]
pub struct Notice {
    pub text: String,
    pub error: bool,
    pub until: Ts,
}

#[derive(Clone, Debug, PartialEq)]
pub struct YamlDoc {
    pub request: u64,
    pub lines: Option<Result<Vec<String>, String>>,
    /// For a describe page: the object (kind, namespace, name) whose events follow.
    pub events_of: Option<(String, Arc<str>, Arc<str>)>,
}

/// A replay's time cursor, as the header says it.
#[derive(Clone, Debug, PartialEq)]
pub struct ReplayBar {
    /// Unix milliseconds: the cursor, and the recording's first and last moments.
    pub at: i64,
    pub start: i64,
    pub end: i64,
    pub speed: u32,
    pub playing: bool,
    /// The recording was cut short (a crash while it was written).
    pub cut: bool,
    /// A time being typed to seek to (`@`).
    pub prompt: Option<String>,
}

pub struct State {
    pub now: Ts,
    pub contexts: Vec<ContextState>,
    pub fleet: Fleet,
    fleet_rev: Option<u64>,
    pub screens: Vec<Screen>,
    /// Top-level lists as they were left (filter, selection).
    pub saved: HashMap<ListView, ListState>,
    pub input: Input,
    pub help: bool,
    pub help_scroll: usize,
    /// Replaying a recording: the time cursor the header shows.
    pub replay: Option<ReplayBar>,
    pub show_completed: bool,
    pub scope_namespace: Option<String>,
    /// A marked span is open (`M`).
    pub marking: bool,
    pub scope_context: Option<CtxId>,
    pub keymap: Keymap<super::command::Command>,
    pub readonly: bool,
    /// config.toml is broken: every action is refused until it is fixed (this error).
    pub locked: Option<Diag>,
    pub notice: Option<Notice>,
    pub should_quit: bool,
    pub logs: Option<LogsState>,
    pub yaml: Option<YamlDoc>,
    /// Rows the current list has room for (set from the terminal size).
    pub page: usize,
    /// The terminal's size, once known (a headless console has none).
    pub size: Option<(u16, u16)>,
    pub diagnostics: Vec<Diag>,
    /// Health verdicts per endpoint.
    pub health: Book,
    /// The last read of each Alertmanager.
    pub alert_feeds: Vec<AlertFeed>,
    /// State changes noticed (health, backups, alerts).
    pub transitions: Transitions,
    pub watching: Watching,
    /// Workloads probed on every ready pod: (context, namespace, `kind/name`).
    pub probe_all: HashSet<(CtxId, Arc<str>, Arc<str>)>,
    /// Bumped when probes, alerts or the clock change what rows say.
    pub extras_rev: u64,
    /// Contexts whose API server did not answer the last liveness probe.
    pub api_down: std::collections::HashSet<crate::cluster::msg::CtxId>,
    /// What the prober and the alert reader were last given.
    sent_targets: Arc<Vec<crate::probe::targets::ProbeTarget>>,
    sent_sources: Arc<Vec<crate::probe::alerts::AlertSource>>,
    /// What the rows last said, to notice what changed (for transitions).
    noticed: super::noticed::Seen,
    /// Bumped on every rebuild of the fleet; `reconciled` is the build last
    /// reconciled with the background tasks.
    fleet_gen: u64,
    reconciled: u64,
    /// Stopping, once a request in flight has been answered.
    pub quitting: Option<super::quit::Quitting>,
    /// The resource browsed through the servers' Table output, if any.
    pub browse: Option<super::browse::Browse>,
    /// A `:NAME` waiting for discovery to answer.
    pub pending_browse: Option<(String, Option<Option<String>>)>,
    /// The guarded action in progress (its dialog), if any.
    pub flow: Option<super::guard::Flow>,
    /// Access review answers, and the questions asked but not answered.
    pub access: super::guard::AccessCache,
    pub access_pending: HashSet<(CtxId, crate::actions::run::Access)>,
    /// Reviews that failed (no answer): not asked again before this time.
    pub access_retry: HashMap<(CtxId, crate::actions::run::Access), Ts>,
    /// The newest audit records (oldest first): the audit view and undo read them.
    pub audit: Vec<crate::audit::Record>,
    /// What `kdeck audit verify` would say about the log at start-up.
    pub audit_status: Option<String>,
    /// Tells this session's action ids apart from other sessions'.
    pub session: String,
    pub config: crate::config::file::Config,
    /// This session's port-forwards (active and ended).
    pub forwards: Vec<super::forwards::Forward>,
    /// Where saved logs go (`logs/` under it).
    pub state_dir: Option<std::path::PathBuf>,
    /// Walking the command line's candidates: what was typed, and which one is shown.
    pub pick: Option<(String, usize)>,
    /// Commands run per workload (`ctx/namespace/workload`), newest first.
    pub recent_commands: HashMap<String, Vec<String>>,
    next_id: u64,
}

impl State {
    pub fn new(
        contexts: Vec<ContextState>,
        keymap: Keymap<super::command::Command>,
        now: Ts,
    ) -> State {
        let mut s = State {
            now,
            contexts,
            fleet: Fleet::default(),
            fleet_rev: None,
            screens: vec![Screen::List(ListState::new(ListView::Overview, None))],
            saved: HashMap::new(),
            input: Input::None,
            help: false,
            help_scroll: 0,
            replay: None,
            show_completed: false,
            scope_namespace: None,
            marking: false,
            scope_context: None,
            keymap,
            readonly: false,
            notice: None,
            should_quit: false,
            logs: None,
            yaml: None,
            page: 20,
            diagnostics: Vec::new(),
            locked: None,
            size: None,
            health: Book::default(),
            alert_feeds: Vec::new(),
            transitions: Transitions::default(),
            watching: Watching::default(),
            probe_all: HashSet::new(),
            extras_rev: 0,
            api_down: std::collections::HashSet::new(),
            sent_targets: Arc::new(Vec::new()),
            sent_sources: Arc::new(Vec::new()),
            noticed: super::noticed::Seen::default(),
            fleet_gen: 0,
            reconciled: u64::MAX,
            quitting: None,
            browse: None,
            pending_browse: None,
            flow: None,
            access: HashMap::new(),
            access_pending: HashSet::new(),
            access_retry: HashMap::new(),
            audit: Vec::new(),
            audit_status: None,
            session: "s".into(),
            config: crate::config::file::Config::default(),
            forwards: Vec::new(),
            pick: None,
            state_dir: None,
            recent_commands: HashMap::new(),
            next_id: 1,
        };
        s.refresh();
        s
    }

    pub fn next_id(&mut self) -> u64 {
        self.next_id += 1;
        self.next_id
    }

    pub fn screen(&self) -> &Screen {
        self.screens.last().expect("the stack is never empty")
    }

    pub fn screen_mut(&mut self) -> &mut Screen {
        self.screens.last_mut().expect("the stack is never empty")
    }

    pub fn list(&self) -> Option<&ListState> {
        match self.screen() {
            Screen::List(l) => Some(l),
            _ => None,
        }
    }

    pub fn list_mut(&mut self) -> Option<&mut ListState> {
        match self.screen_mut() {
            Screen::List(l) => Some(l),
            _ => None,
        }
    }

    /// The list nearest the top of the stack (under a describe or logs screen).
    pub fn nearest_list(&self) -> Option<&ListState> {
        self.screens.iter().rev().find_map(|sc| match sc {
            Screen::List(l) => Some(l),
            _ => None,
        })
    }

    /// Whether any context is still waiting for its first answers.
    pub fn loading(&self) -> bool {
        self.contexts.iter().any(|c| c.loading().is_some())
    }

    /// The top-level view (the bottom of the stack).
    pub fn top_view(&self) -> ListView {
        match &self.screens[0] {
            Screen::List(l) => l.view,
            _ => ListView::Overview,
        }
    }

    /// The keymap mode of the current screen.
    pub fn mode(&self) -> Mode {
        match self.screen() {
            Screen::List(_) => Mode::List,
            Screen::Logs => Mode::Logs,
            Screen::Describe { .. }
            | Screen::Yaml { .. }
            | Screen::Audit { .. }
            | Screen::Timeline { .. }
            | Screen::Entry { .. }
            | Screen::Forwards { .. } => Mode::Detail,
        }
    }

    pub fn multi_context(&self) -> bool {
        self.contexts.len() > 1
    }

    /// "Now" on a context's API server clock.
    pub fn ctx_now(&self, ctx: CtxId) -> Ts {
        self.now + self.contexts.get(ctx).map_or(0, |c| c.skew)
    }

    /// Who acts in context `ctx`, for an audit record (the runtime adds the OS user
    /// and host).
    pub fn actor(&self, ctx: CtxId) -> crate::audit::Actor {
        let c = self.contexts.get(ctx);
        crate::audit::Actor {
            kube_user: c.map(|c| c.spec.user.clone()).unwrap_or_default(),
            context: c.map(|c| c.spec.name.clone()).unwrap_or_default(),
            server: c.map(|c| c.spec.server.clone()).unwrap_or_default(),
            ..crate::audit::Actor::default()
        }
    }

    pub fn context_name(&self, ctx: CtxId) -> &str {
        self.contexts.get(ctx).map_or("?", |c| c.spec.name.as_str())
    }

    /// This session's timeline: what the console noticed, and the actions audited
    /// this session (with their hashes), oldest first.
    pub fn timeline(&self) -> Vec<crate::app::record::timeline::Item> {
        let session = format!("{}-", self.session);
        let done: Vec<crate::audit::Record> = self
            .audit
            .iter()
            .filter(|r| r.action_id.starts_with(&session))
            .cloned()
            .collect();
        let seen: Vec<_> = self.transitions.items.iter().cloned().collect();
        let names: Vec<String> = self.contexts.iter().map(|c| c.spec.name.clone()).collect();
        let tz = jiff::tz::TimeZone::system();
        let mut items = crate::app::record::timeline::items(&seen, &done, &names, &tz);
        // Other people's actions, as the cluster's events tell them (one of mine
        // within a few seconds on the same target is mine, already listed).
        for (id, c) in self.contexts.iter().enumerate() {
            for e in c.data.kinds.events.values() {
                let Some(p) = crate::fleet::published::parse(e) else {
                    continue;
                };
                let mine = done.iter().any(|r| {
                    r.target == p.target
                        && r.action == p.action
                        && r.time
                            .parse::<jiff::Timestamp>()
                            .is_ok_and(|t| (t.as_second() - p.at).abs() <= 5)
                });
                if !mine {
                    items.push(crate::app::record::timeline::published(
                        &p,
                        id,
                        &c.spec.name,
                        &tz,
                    ));
                }
            }
        }
        crate::app::record::timeline::sort(&mut items);
        items
    }

    /// Per context (by id): whether its finished actions are published as
    /// `KdeckAction` events, as the config says.
    pub fn publishing(&self) -> Vec<bool> {
        self.contexts
            .iter()
            .map(|c| self.config.publishes(&c.spec.name))
            .collect()
    }

    /// The timeline as the view shows it: newest first, within the console's scope
    /// (context, namespace) and `filter`.
    pub fn timeline_shown(&self, filter: &str) -> Vec<crate::app::record::timeline::Item> {
        let ctx = self.scope_context.map(|c| self.context_name(c).to_string());
        let mut items: Vec<_> = self
            .timeline()
            .into_iter()
            .filter(|i| {
                ctx.as_ref()
                    .is_none_or(|c| i.context == *c || i.ctx.is_none())
            })
            .filter(|i| {
                self.scope_namespace
                    .as_deref()
                    .is_none_or(|n| i.namespace.is_empty() || i.namespace == n)
            })
            .filter(|i| crate::app::record::timeline::matches(i, filter))
            .collect();
        items.reverse();
        items
    }

    /// Since when context `ctx`'s API server has not been answering (its rows are as
    /// old as that). One kind's failing watch is not this: the header says it, and
    /// the rest of the cluster is live.
    pub fn stale_since(&self, ctx: CtxId) -> Option<Ts> {
        let c = self.contexts.get(ctx)?;
        if !self.api_down.contains(&ctx) && !matches!(c.ping, Some(Err(_))) {
            return None;
        }
        match c.reach() {
            Reach::Stale { since, .. } => Some(since),
            _ => None,
        }
    }

    fn data_rev(&self) -> u64 {
        self.contexts.iter().fold(
            (self.contexts.len() as u64).wrapping_add(self.extras_rev.wrapping_mul(1_000_003)),
            |a, c| a.wrapping_mul(31).wrapping_add(c.data.rev),
        )
    }

    /// After a rebuild: hands changed targets to the prober (and forgets endpoints no
    /// longer probed), and notes what changed in the rows (`noticed`). Cheap when the
    /// fleet has not been rebuilt since the last call.
    #[must_use]
    pub fn reconcile(&mut self) -> Vec<Effect> {
        if self.reconciled == self.fleet_gen {
            return Vec::new();
        }
        self.reconciled = self.fleet_gen;
        let mut fx = Vec::new();
        if *self.sent_targets != *self.fleet.probe_targets
            || *self.sent_sources != self.fleet.alert_sources
        {
            self.sent_targets = self.fleet.probe_targets.clone();
            self.sent_sources = Arc::new(self.fleet.alert_sources.clone());
            self.health.retain(&self.fleet.probe_targets);
            fx.push(Effect::Probe {
                targets: self.sent_targets.clone(),
                sources: self.sent_sources.clone(),
            });
        }
        let contexts = &self.contexts;
        let data = |ctx: CtxId| contexts.get(ctx).map(|c| &c.data);
        let now = self.now;
        let ctx_now = |ctx: CtxId| now + contexts.get(ctx).map_or(0, |c| c.skew);
        self.noticed
            .rebuilt(&self.fleet, &data, now, &ctx_now, &mut self.transitions);
        fx
    }

    /// Notes a Warning event that arrived in context `ctx`.
    pub fn notice_event(&mut self, ctx: CtxId, e: &crate::cluster::kinds::EventRec) {
        if let Some(c) = self.contexts.get(ctx) {
            self.noticed
                .event(ctx, e, &c.data, self.now, c.skew, &mut self.transitions);
        }
    }

    /// Bumped on every rebuild of the derived rows.
    pub fn fleet_gen(&self) -> u64 {
        self.fleet_gen
    }

    /// Whether the derived rows are behind the data.
    pub fn stale(&self) -> bool {
        self.fleet_rev != Some(self.data_rev())
    }

    /// The optional row sets the screens on the stack show.
    fn needs(&self) -> Needs {
        let mut n = Needs::default();
        for s in &self.screens {
            if let Screen::List(l) = s {
                match l.view {
                    ListView::Pods => n.pods = true,
                    ListView::Resources => n.usage = true,
                    ListView::Hpas => n.hpas = true,
                    ListView::Events => n.events = true,
                    ListView::Services => n.services = true,
                    ListView::Kind(k) => n = n.with_kind(k),
                    _ => {}
                }
            }
        }
        n
    }

    /// Rebuilds derived rows if the data changed, then every list's visible rows.
    pub fn refresh(&mut self) {
        self.rebuild(false);
        self.refresh_lists_only();
    }

    /// Rebuilds the fleet when the data moved on (or `missing_only`: only when a screen
    /// shows rows that were not built).
    fn rebuild(&mut self, missing_only: bool) {
        let rev = self.data_rev();
        let needs = self.needs();
        let missing = !self.fleet.built.covers(needs);
        if missing || (!missing_only && self.fleet_rev != Some(rev)) {
            let ctxs: Vec<Ctx> = self
                .contexts
                .iter()
                .enumerate()
                .map(|(id, c)| Ctx {
                    id,
                    name: &c.spec.name,
                    data: &c.data,
                    now: self.now + c.skew,
                })
                .collect();
            let extras = Extras {
                health: &self.health,
                alerts: &self.alert_feeds,
                watching: &self.watching,
                probe_all: &self.probe_all,
                api_down: &self.api_down,
            };
            self.fleet = Fleet::build(&ctxs, needs, extras);
            if let Some(b) = &self.browse {
                self.fleet.table = b
                    .contexts
                    .iter()
                    .enumerate()
                    .filter_map(|(ctx, c)| Some((ctx, c.as_ref()?)))
                    .flat_map(|(ctx, c)| c.rows.keys().map(move |k| (ctx, k.clone())))
                    .collect();
            }
            self.fleet_rev = Some(rev);
            self.fleet_gen += 1;
        }
    }

    /// Recomputes visible rows (after a filter, scope or view change), building the
    /// rows a newly shown view needs.
    pub fn refresh_lists(&mut self) {
        self.rebuild(true);
        self.refresh_lists_only();
    }

    fn refresh_lists_only(&mut self) {
        let filters = Filters {
            namespace: self.scope_namespace.as_deref(),
            context: self.scope_context,
            show_completed: self.show_completed,
            browse: self.browse.as_ref(),
        };
        for s in self.screens.iter_mut() {
            if let Screen::List(l) = s {
                lists::refresh(l, &self.fleet, &filters, &self.contexts);
                l.scroll_into_view(self.page);
            }
        }
    }

    pub fn notify(&mut self, text: impl Into<String>, error: bool) {
        self.notice = Some(Notice {
            text: crate::util::sanitize::line(&text.into(), 300),
            error,
            until: self.now + if error { 10 } else { 5 },
        });
    }

    /// Known namespaces across contexts (for completion), sorted.
    pub fn namespaces(&self) -> Vec<String> {
        let mut v: Vec<String> = self
            .contexts
            .iter()
            .flat_map(|c| c.data.kinds.namespaces.values().map(|n| n.name.to_string()))
            .collect();
        v.sort();
        v.dedup();
        v
    }
}
