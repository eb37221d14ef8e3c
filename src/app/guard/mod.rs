//! The guarded-action flow in the console, as data: a key starts an action (or the
//! action menu); the plan is shown while the server checks run (access review, dry
//! run); the person confirms with `y` — or, in a protected namespace or context, by
//! typing the target's name — and only then is the intent audited and the request
//! sent; the effect is then watched in state until it is observed or times out, and
//! the outcome is audited. Refusals and cancellations are audited too. Read-only
//! contexts and actions the person may not perform are disabled with the reason.
//! Some actions ask first: a count, a revision, a key, a container, an image.

use std::collections::HashMap;
use std::sync::Arc;

use tui_textarea::TextArea;

use super::command::Command;
use super::effect::Effect;
use super::input::{Edit, LineInput};
use super::lists::Target;
use super::state::State;
use super::transitions::Transition;
use crate::actions::run::{Access, Executed};
use crate::actions::{self, Plan, Progress, Request};
use crate::audit::{Outcome, Phase, Preflight, Record};
use crate::cluster::kinds::ResKind;
use crate::cluster::kinds::Ts;
use crate::cluster::msg::CtxId;
use crate::config::keymap::{Code, Key};
use crate::fleet::history::RevisionRow;
use crate::fleet::workloads::WorkloadKind;
use crate::probe::HealthState;

mod access;
mod exec;
mod image;
mod keys;
mod outcome;

use access::traffic_service;
pub use access::{access_answered, disabled, needs, protected, readonly, want_access};
pub use exec::Then;
pub use keys::key;
pub use outcome::{
    abandon_send, audited, check_progress, executed, preflighted, push_record, quitting,
    shell_ended,
};
use outcome::{audit_effect, record};

/// How long an access review answer is trusted.
pub const ACCESS_TTL: Ts = 60;
/// How long after an access review got no answer it is asked again.
pub const ACCESS_RETRY: Ts = 15;
/// Audit records kept in state for the audit view and undo.
pub const KEEP_RECORDS: usize = 1000;

/// Where a flow is.
pub enum Stage {
    /// Choosing an action for the selected row.
    Menu {
        items: Vec<MenuItem>,
        selected: usize,
        /// The row the menu is for.
        target: Target,
    },
    /// Typing a replica count (scale) or HPA bounds.
    Count {
        target: Target,
        /// Starts empty (a prefilled box turned a typed 0 into 180); `now` says
        /// what it is.
        input: LineInput,
        now: String,
        error: Option<String>,
        hpa: bool,
    },
    /// Picking a revision to roll back to.
    Pick {
        target: Target,
        revisions: Vec<RevisionRow>,
        selected: usize,
    },
    /// Picking which key of a Secret to reveal: (key, size in bytes).
    PickKey {
        target: Target,
        keys: Vec<(String, u32)>,
        selected: usize,
    },
    /// The plan is shown; the server checks run.
    Checking,
    /// Waiting for `y` (or the typed name).
    Confirm {
        typed: Option<Box<TextArea<'static>>>,
        mismatch: bool,
    },
    /// Refused (by the plan, the checks, RBAC or read-only): any key closes.
    Refused(String),
    /// The intent is being written and the request sent.
    Sending,
    /// Sent; watching for the effect.
    Verifying {
        progress: String,
        since: Ts,
    },
    Finished {
        outcome: Outcome,
        detail: String,
    },
    /// A revealed secret value, shown until esc (then wiped).
    Revealed {
        key: String,
        value: crate::actions::reveal::Revealed,
        scroll: usize,
    },
    /// Picking the container of `pod` an exec goes to (or, for a set image, of the
    /// target's pod template; `pod` is then empty).
    PickContainer {
        target: Target,
        pod: String,
        containers: Vec<String>,
        selected: usize,
        then: exec::Then,
    },
    /// Typing the image of `container` (prefilled with the one it runs, `now`).
    Image {
        target: Target,
        container: String,
        input: LineInput,
        now: String,
        error: Option<String>,
    },
    /// Typing the command to run (up/down: this workload's recent ones).
    CommandLine {
        target: Target,
        pod: String,
        container: String,
        input: LineInput,
        recent: Vec<String>,
        pick: Option<usize>,
        error: Option<String>,
    },
    /// Picking the port to forward.
    PickPort {
        namespace: String,
        via: String,
        ports: Vec<(u16, String)>,
        selected: usize,
    },
    /// Typing the local port (or address:port).
    LocalPort {
        namespace: String,
        via: String,
        port: Option<u16>,
        input: LineInput,
        error: Option<String>,
    },
    /// A command's output (inert), its exit code and bytes; never recorded.
    Output {
        lines: Vec<String>,
        exit: Option<i32>,
        summary: String,
        scroll: usize,
    },
    /// The shell has the terminal.
    Shell,
    /// Picking which action to undo: (its audit action id, what it was, what undoing
    /// it would send — or why it cannot be undone now).
    PickUndo {
        items: Vec<(String, String, Result<String, String>)>,
        selected: usize,
    },
}

#[derive(Clone, Debug, PartialEq)]
pub struct MenuItem {
    pub action: Command,
    pub key: String,
    pub label: &'static str,
    pub disabled: Option<String>,
}

pub struct Flow {
    pub id: u64,
    pub action_id: String,
    pub ctx: CtxId,
    pub plan: Option<Plan>,
    pub checks: Vec<Preflight>,
    pub results: Vec<String>,
    pub stage: Stage,
    pub started: Ts,
    /// Hidden while it runs (esc): a toast reports the end.
    pub hidden: bool,
    /// For a failed backup run: the Job whose logs `l` shows.
    pub logs_of: Option<Target>,
    /// The request got no answer (recorded as unknown): the watch decides.
    pub unanswered: bool,
}

impl Flow {
    /// The name the person must type to confirm (`flextime-api` of `deploy/flextime-api`).
    pub fn confirm_name(&self) -> String {
        self.plan
            .as_ref()
            .map(|p| p.target.rsplit('/').next().unwrap_or("").to_string())
            .unwrap_or_default()
    }

    pub fn running(&self) -> bool {
        matches!(
            self.stage,
            Stage::Sending | Stage::Verifying { .. } | Stage::Checking | Stage::Shell
        )
    }
}

/// Access review answers: (context, access) → (why denied, when asked).
pub type AccessCache = HashMap<(CtxId, Access), (Option<String>, Ts)>;

/// The actions a key can start, with the label the menu shows.
pub const ACTIONS: &[(Command, &str)] = &[
    (Command::ActScale, "scale"),
    (Command::ActRollback, "roll back"),
    (Command::ActSetImage, "set image"),
    (Command::ActRestart, "restart rollout"),
    (Command::ActPause, "pause / resume rollout"),
    (Command::ActBreaker, "reset circuit breaker"),
    (Command::ActTraffic, "switch blue/green traffic"),
    (Command::ActBackup, "trigger a backup"),
    (Command::ActReveal, "reveal a key's value"),
    (Command::ActShell, "open a shell in a container"),
    (Command::ActExec, "run a command in a container"),
    (Command::ActForward, "port-forward"),
    (Command::ActUndo, "undo an action"),
];

/// What the health probes say about `workload` (`deploy/name`) in `namespace`.
pub(super) fn health_of(
    s: &State,
    ctx: CtxId,
    namespace: &str,
    workload: &str,
) -> Option<HealthState> {
    let rank = |h: HealthState| match h {
        HealthState::Unknown => 0,
        HealthState::Ok => 1,
        HealthState::Degraded => 2,
        HealthState::Down => 3,
    };
    endpoints_of(s, ctx, namespace, workload)
        .map(|e| e.state)
        .filter(|h| *h != HealthState::Unknown)
        .max_by_key(|h| rank(*h))
}

/// The probed endpoints of `workload` (`deploy/name`) in `namespace`.
fn endpoints_of<'a>(
    s: &'a State,
    ctx: CtxId,
    namespace: &'a str,
    workload: &'a str,
) -> impl Iterator<Item = &'a crate::probe::book::EndpointHealth> + 'a {
    s.health
        .endpoints
        .iter()
        .filter(move |(k, _)| {
            k.ctx == Some(ctx)
                && k.namespace.as_ref() == namespace
                && k.workload.as_ref() == workload
        })
        .map(|(_, e)| e)
}

/// How long ago `workload`'s health was last checked (its freshest endpoint).
pub(super) fn health_age(s: &State, ctx: CtxId, namespace: &str, workload: &str) -> Option<Ts> {
    endpoints_of(s, ctx, namespace, workload)
        .map(|e| (s.now - e.last_at).max(0))
        .min()
}

pub(super) fn new_flow(s: &mut State, ctx: CtxId, stage: Stage) -> Flow {
    let id = s.next_id();
    Flow {
        id,
        action_id: format!("{}-{id}", s.session),
        ctx,
        plan: None,
        checks: Vec::new(),
        results: Vec::new(),
        stage,
        started: s.now,
        hidden: false,
        logs_of: None,
        unanswered: false,
    }
}

/// The smallest terminal a confirmation dialog fits in (its plan, question and
/// verdict readable). Below it, actions are refused rather than confirmed unseen.
pub const MIN_SIZE: (u16, u16) = (40, 10);

/// Why the terminal is too small for an action's dialog (said in a line that fits).
pub(super) fn too_small(s: &State) -> Option<String> {
    let (w, h) = s.size?;
    (w < MIN_SIZE.0 || h < MIN_SIZE.1).then(|| {
        let need = format!("{}×{}", MIN_SIZE.0, MIN_SIZE.1);
        if w >= 28 {
            format!("too small: actions need {need}")
        } else {
            format!("need {need}")
        }
    })
}

fn busy(s: &State) -> Option<String> {
    s.flow.as_ref().filter(|f| f.running()).map(|f| {
        format!(
            "{} is still running: wait for it to finish",
            f.plan
                .as_ref()
                .map_or("an action".into(), |p| format!("{} {}", p.action, p.target))
        )
    })
}

/// The action menu for the selected row.
pub fn open_menu(s: &mut State, t: Option<Target>) -> Vec<Effect> {
    // A running action (hidden with esc) keeps its flow: its outcome is still due.
    if let Some(why) = busy(s).or_else(|| too_small(s)) {
        s.notify(why, true);
        return Vec::new();
    }
    let Some(t) = t else {
        s.notify("select a workload, Service or CronJob first", false);
        return Vec::new();
    };
    let items: Vec<MenuItem> = ACTIONS
        .iter()
        .filter(|(a, _)| {
            *a == Command::ActUndo || needs(s, *a, &t).is_ok() || readonly(s, t.ctx).is_some()
        })
        .map(|(a, label)| MenuItem {
            action: *a,
            key: s
                .keymap
                .keys_for(crate::config::keymap::Mode::List, *a)
                .first()
                .map(|k| k.to_string())
                .unwrap_or_default(),
            label,
            disabled: if *a == Command::ActUndo {
                readonly(s, t.ctx).or_else(|| undo_blocker(s))
            } else {
                disabled(s, *a, &t)
            },
        })
        .collect();
    let fx = want_access(s, Some(&t));
    let f = new_flow(
        s,
        t.ctx,
        Stage::Menu {
            items,
            selected: 0,
            target: t,
        },
    );
    s.flow = Some(f);
    fx
}

fn undo_blocker(s: &State) -> Option<String> {
    actions::undo::last(&s.audit).err()
}

/// Starts action `a` on the selected row `t`.
pub fn start(s: &mut State, a: Command, t: Option<Target>) -> Vec<Effect> {
    // The row acted on stays selected as the list re-sorts under the action (the
    // next step of a way out starts from it).
    let fleet = &s.fleet;
    if let Some(l) = match s.screens.last_mut() {
        Some(crate::app::state::Screen::List(l)) => Some(l),
        _ => None,
    } {
        l.pin(fleet);
    }
    if let Some(why) = busy(s).or_else(|| too_small(s)) {
        s.notify(why, true);
        return Vec::new();
    }
    if a == Command::ActUndo {
        if s.readonly || s.locked.is_some() {
            let why = readonly(s, 0).unwrap_or_default();
            s.notify(why, true);
            return Vec::new();
        }
        return start_undo(s);
    }
    let Some(t) = t else {
        s.notify("select a workload, Service or CronJob first", false);
        return Vec::new();
    };
    if let Some(why) = readonly(s, t.ctx) {
        s.notify(why, true);
        return Vec::new();
    }
    if let Err(e) = needs(s, a, &t) {
        s.notify(e, true);
        return Vec::new();
    }
    match a {
        Command::ActExec => return exec::start(s, exec::Then::Command, t),
        Command::ActShell => return exec::start(s, exec::Then::Shell, t),
        Command::ActForward => return exec::start_forward(s, t),
        Command::ActSetImage => return image::start(s, t),
        _ => {}
    }
    match a {
        Command::ActScale => {
            let hpa = t.kind == ResKind::Hpa;
            let current = s.contexts.get(t.ctx).and_then(|c| {
                let k = (t.namespace.clone(), t.name.clone());
                match t.kind {
                    ResKind::Deployment => c
                        .data
                        .kinds
                        .deployments
                        .get(&k)
                        .map(|d| d.desired.to_string()),
                    ResKind::StatefulSet => c
                        .data
                        .kinds
                        .statefulsets
                        .get(&k)
                        .map(|d| d.desired.to_string()),
                    ResKind::Hpa => c
                        .data
                        .kinds
                        .hpas
                        .get(&k)
                        .map(|h| format!("{} {}", h.min, h.max)),
                    _ => None,
                }
            });
            let f = new_flow(
                s,
                t.ctx,
                Stage::Count {
                    input: LineInput::with(""),
                    now: current.unwrap_or_default(),
                    target: t,
                    error: None,
                    hpa,
                },
            );
            s.flow = Some(f);
            Vec::new()
        }
        Command::ActReveal => {
            let keys: Vec<(String, u32)> = s
                .contexts
                .get(t.ctx)
                .and_then(|c| {
                    c.data
                        .kinds
                        .secrets
                        .get(&(t.namespace.clone(), t.name.clone()))
                })
                .map(|sec| sec.keys.iter().map(|(k, n)| (k.to_string(), *n)).collect())
                .unwrap_or_default();
            if keys.is_empty() {
                s.notify(format!("secret/{} has no keys to reveal", t.name), true);
                return Vec::new();
            }
            let f = new_flow(
                s,
                t.ctx,
                Stage::PickKey {
                    target: t,
                    keys,
                    selected: 0,
                },
            );
            s.flow = Some(f);
            Vec::new()
        }
        Command::ActRollback => {
            let revisions = s
                .contexts
                .get(t.ctx)
                .map(|c| crate::fleet::history::of(&c.data, &t.namespace, &t.name))
                .unwrap_or_default();
            if revisions.iter().all(|r| r.current) {
                s.notify(
                    format!("deploy/{} has no earlier revision to roll back to", t.name),
                    true,
                );
                return Vec::new();
            }
            let selected = revisions.iter().position(|r| !r.current).unwrap_or(0);
            let f = new_flow(
                s,
                t.ctx,
                Stage::Pick {
                    target: t,
                    revisions,
                    selected,
                },
            );
            s.flow = Some(f);
            Vec::new()
        }
        _ => {
            let planned = plan_for(s, a, &t);
            begin(s, t.ctx, planned)
        }
    }
}

/// Plans `a` (other than scale and roll back, which ask first) on `t`.
fn plan_for(s: &State, a: Command, t: &Target) -> Result<Plan, String> {
    let c = s.contexts.get(t.ctx).ok_or("unknown context")?;
    let d = &c.data;
    let kind = match t.kind {
        ResKind::StatefulSet => WorkloadKind::StatefulSet,
        ResKind::CronJob => WorkloadKind::CronJob,
        _ => WorkloadKind::Deployment,
    };
    let health = |w: &str| health_of(s, t.ctx, &t.namespace, w);
    let now = s.ctx_now(t.ctx);
    match a {
        Command::ActRestart => {
            let at = jiff::Timestamp::from_second(now)
                .map(|t| t.to_string())
                .unwrap_or_default();
            actions::restart::plan(d, t.ctx, &t.namespace, &t.name, &at)
        }
        Command::ActPause => {
            let paused = d
                .kinds
                .deployments
                .get(&(t.namespace.clone(), t.name.clone()))
                .is_some_and(|x| x.paused);
            actions::pause::plan(d, t.ctx, &t.namespace, &t.name, !paused)
        }
        Command::ActBreaker => {
            let (port, path) = s.config.breaker_for(&t.namespace, &t.name);
            let at = actions::breaker::BreakerAt { port, path };
            actions::breaker::plan(d, t.ctx, kind, &t.namespace, &t.name, &at, &health)
        }
        Command::ActTraffic => {
            let key = s.config.actions.traffic_key.clone();
            let svc = if t.kind == ResKind::Service {
                t.name.to_string()
            } else {
                traffic_service(s, t).ok_or("no Service to switch")?
            };
            let mut p = actions::traffic::plan(d, t.ctx, &t.namespace, &svc, &key, &health)?;
            // The health line says how fresh its verdict is.
            if let Some(w) = p.params.get("deployment").and_then(|v| v.as_str())
                && let Some(age) = health_age(s, t.ctx, &t.namespace, &format!("deploy/{w}"))
                && let Some(line) = p.gate.iter_mut().find(|(_, l)| l.contains(" health "))
            {
                line.1.push_str(&format!(
                    ", checked {}",
                    crate::util::age::age(now, now - age)
                ));
                line.1.push_str(" ago");
            }
            Ok(p)
        }
        Command::ActBackup => actions::backup::plan(d, t.ctx, &t.namespace, &t.name, now),
        _ => Err("not an action".into()),
    }
}

/// The context an audit record's action ran in, if it is open here.
fn ctx_of(s: &State, r: &Record) -> Option<CtxId> {
    s.contexts
        .iter()
        .position(|c| c.spec.name == r.actor.context)
}

/// Plans undoing `l` (an error: why it cannot be undone now).
fn plan_undo(s: &State, l: &actions::undo::Last) -> Result<Plan, String> {
    let ctx = ctx_of(s, l.record).ok_or_else(|| {
        format!(
            "it ran in context {}, which is not open",
            l.record.actor.context
        )
    })?;
    let ns = l.request.namespace().to_string();
    let health = |w: &str| health_of(s, ctx, &ns, w);
    actions::undo::plan(&s.contexts[ctx].data, ctx, l, &health)
}

/// `U`: a list of the actions that can be undone, newest first, each with what
/// undoing it would send.
fn start_undo(s: &mut State) -> Vec<Effect> {
    let list = actions::undo::undoable(&s.audit);
    if list.is_empty() {
        s.notify("no succeeded action to undo in the audit log", true);
        return Vec::new();
    }
    let items: Vec<(String, String, Result<String, String>)> = list
        .iter()
        .take(20)
        .map(|l| {
            let when = l.record.time.get(11..19).unwrap_or("").to_string();
            let what = format!("{when} {} {}", l.record.action, l.record.target);
            let undo = plan_undo(s, l).and_then(|p| match &p.refused {
                Some(why) => Err(why.clone()),
                None => Ok(format!("{}: {} → {}", p.action, p.before, p.after)),
            });
            (l.record.action_id.clone(), what, undo)
        })
        .collect();
    let f = new_flow(s, 0, Stage::PickUndo { items, selected: 0 });
    s.flow = Some(f);
    Vec::new()
}

/// The undo picked from the list.
pub(super) fn undo_picked(s: &mut State, action_id: &str) -> Vec<Effect> {
    let list = actions::undo::undoable(&s.audit);
    let Some(l) = list.iter().find(|l| l.record.action_id == action_id) else {
        s.notify("that action is no longer undoable", true);
        return Vec::new();
    };
    let Some(ctx) = ctx_of(s, l.record) else {
        s.notify(
            format!(
                "it ran in context {}, which is not open",
                l.record.actor.context
            ),
            true,
        );
        return Vec::new();
    };
    if let Some(why) = readonly(s, ctx) {
        s.notify(why, true);
        return Vec::new();
    }
    let planned = plan_undo(s, l);
    begin(s, ctx, planned)
}

/// Shows a plan: refused ones are audited and shown; others go to the server checks.
pub(super) fn begin(s: &mut State, ctx: CtxId, planned: Result<Plan, String>) -> Vec<Effect> {
    let mut plan = match planned {
        Ok(p) => p,
        Err(e) => {
            s.notify(e, true);
            return Vec::new();
        }
    };
    add_pdb(s, &mut plan);
    let mut f = new_flow(s, ctx, Stage::Checking);
    // RBAC known to deny (a recent access review): refused before anything else.
    let denied = plan.request.as_ref().and_then(|r| {
        s.access
            .get(&(ctx, r.access()))
            .and_then(|(why, _)| why.clone())
    });
    let refused = plan.refused.clone().or(denied).or_else(|| {
        plan.request
            .is_none()
            .then(|| "nothing to send".to_string())
    });
    f.plan = Some(plan);
    if let Some(why) = refused {
        f.stage = Stage::Refused(why.clone());
        let rec = record(s, &f, Phase::Outcome, Some(Outcome::Refused), Some(why));
        let id = f.id;
        s.flow = Some(f);
        return vec![audit_effect(id, ctx, rec)];
    }
    let request = f.plan.as_ref().and_then(|p| p.request.clone());
    let id = f.id;
    s.flow = Some(f);
    match request {
        Some(request) => vec![Effect::Preflight {
            flow: id,
            ctx,
            request,
        }],
        None => Vec::new(),
    }
}

/// PodDisruptionBudgets covering the target's pods, as warnings.
fn add_pdb(s: &State, p: &mut Plan) {
    let Some(c) = s.contexts.get(p.ctx) else {
        return;
    };
    let (labels, after) = match &p.request {
        Some(Request::Scale {
            name,
            replicas,
            workload,
            ..
        }) => {
            let k = (Arc::from(p.namespace.as_str()), Arc::from(name.as_str()));
            let l = match workload {
                actions::Workload::Deployment => {
                    c.data.kinds.deployments.get(&k).map(|d| &d.template.labels)
                }
                actions::Workload::StatefulSet => c
                    .data
                    .kinds
                    .statefulsets
                    .get(&k)
                    .map(|d| &d.template.labels),
            };
            (l, Some(*replicas))
        }
        Some(
            Request::Rollback { name, .. }
            | Request::Restart { name, .. }
            | Request::SetImage { name, .. },
        ) => {
            let k = (Arc::from(p.namespace.as_str()), Arc::from(name.as_str()));
            (
                c.data.kinds.deployments.get(&k).map(|d| &d.template.labels),
                None,
            )
        }
        _ => (None, None),
    };
    if let Some(l) = labels {
        p.warnings
            .extend(actions::pdb::effect(&c.data, &p.namespace, l, after));
    }
}

#[cfg(test)]
mod tests;
#[cfg(test)]
mod tests_exec;
#[cfg(test)]
mod tests_image;
