//! The guarded-action flow in the console, as data: a key starts an action (or the
//! action menu); the plan is shown while the server checks run (access review, dry
//! run); the person confirms with `y` — or, in a protected namespace or context, by
//! typing the target's name — and only then is the intent audited and the request
//! sent; the effect is then watched in state until it is observed or times out, and
//! the outcome is audited. Refusals and cancellations are audited too. Read-only
//! contexts and actions the person may not perform are disabled with the reason.

use std::collections::HashMap;
use std::sync::Arc;

use tui_textarea::TextArea;

use super::action::Action;
use super::effect::Effect;
use super::input::{Edit, LineInput};
use super::lists::Target;
use super::msg::{CtxId, ResKind};
use super::state::State;
use super::transitions::Transition;
use crate::actions::run::{Access, Executed};
use crate::actions::{self, Plan, Progress, Request};
use crate::audit::{Actor, Outcome, Phase, Preflight, Record};
use crate::cluster::model::Ts;
use crate::config::keymap::{Code, Key};
use crate::fleet::history::RevisionRow;
use crate::fleet::workloads::WorkloadKind;
use crate::probe::HealthState;

/// How long an access review answer is trusted.
pub const ACCESS_TTL: Ts = 60;
/// Audit records kept in state for the audit view and undo.
pub const KEEP_RECORDS: usize = 1000;

/// Where a flow is.
pub enum Stage {
    /// Choosing an action for the selected row.
    Menu {
        items: Vec<MenuItem>,
        selected: usize,
    },
    /// Typing a replica count (scale) or HPA bounds.
    Count {
        target: Target,
        input: LineInput,
        error: Option<String>,
        hpa: bool,
    },
    /// Picking a revision to roll back to.
    Pick {
        target: Target,
        revisions: Vec<RevisionRow>,
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
}

#[derive(Clone, Debug, PartialEq)]
pub struct MenuItem {
    pub action: Action,
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
            Stage::Sending | Stage::Verifying { .. } | Stage::Checking
        )
    }
}

/// Access review answers: (context, access) → (why denied, when asked).
pub type AccessCache = HashMap<(CtxId, Access), (Option<String>, Ts)>;

/// The actions a key can start, with the label the menu shows.
pub const ACTIONS: &[(Action, &str)] = &[
    (Action::ActScale, "scale"),
    (Action::ActRollback, "roll back"),
    (Action::ActRestart, "restart rollout"),
    (Action::ActPause, "pause / resume rollout"),
    (Action::ActBreaker, "reset circuit breaker"),
    (Action::ActTraffic, "switch blue/green traffic"),
    (Action::ActBackup, "trigger a backup"),
    (Action::ActUndo, "undo the last action"),
];

fn access(
    verb: &'static str,
    group: &'static str,
    resource: &'static str,
    sub: &'static str,
    t: &Target,
    name: &str,
) -> Access {
    Access::new(verb, group, resource, sub, &*t.namespace, name)
}

/// What `a` on `t` needs permission for (known before any plan), if it applies.
pub fn needs(s: &State, a: Action, t: &Target) -> Result<Vec<Access>, String> {
    let wl = |plural: &'static str| match a {
        Action::ActScale => Ok(vec![access("patch", "apps", plural, "scale", t, &t.name)]),
        Action::ActBreaker => Ok(vec![access("create", "", "pods", "proxy", t, "")]),
        _ => Ok(vec![access("patch", "apps", plural, "", t, &t.name)]),
    };
    match (t.kind, a) {
        (_, Action::ActUndo) => Ok(Vec::new()),
        (ResKind::Deployment, Action::ActBackup) => Err("only a CronJob runs a backup".into()),
        (ResKind::Deployment, Action::ActTraffic) => match traffic_service(s, t) {
            Some(svc) => Ok(vec![access("patch", "", "services", "", t, &svc)]),
            None => Err(format!(
                "no Service selects deploy/{} by a {} key",
                t.name, s.config.actions.traffic_key
            )),
        },
        (ResKind::Deployment, _) => wl("deployments"),
        (ResKind::StatefulSet, Action::ActScale | Action::ActBreaker) => wl("statefulsets"),
        (ResKind::StatefulSet, _) => Err("this works on Deployments only".into()),
        (ResKind::CronJob, Action::ActBackup) => {
            Ok(vec![access("create", "batch", "jobs", "", t, "")])
        }
        (ResKind::Service, Action::ActTraffic) => {
            Ok(vec![access("patch", "", "services", "", t, &t.name)])
        }
        (ResKind::Hpa, Action::ActScale) => Ok(vec![access(
            "patch",
            "autoscaling",
            "horizontalpodautoscalers",
            "",
            t,
            &t.name,
        )]),
        _ => Err(format!("not available on {}", t.kind.plural())),
    }
}

fn traffic_service(s: &State, t: &Target) -> Option<String> {
    let c = s.contexts.get(t.ctx)?;
    actions::traffic::service_for(
        &c.data,
        &t.namespace,
        &t.name,
        &s.config.actions.traffic_key,
    )
}

/// Why `a` cannot run on `t` now, if it cannot: read-only, not applicable, or denied
/// by RBAC (as far as the access reviews have answered).
pub fn disabled(s: &State, a: Action, t: &Target) -> Option<String> {
    if let Some(why) = readonly(s, t.ctx) {
        return Some(why);
    }
    let needed = match needs(s, a, t) {
        Ok(n) => n,
        Err(e) => return Some(e),
    };
    needed.iter().find_map(|acc| {
        s.access
            .get(&(t.ctx, acc.clone()))
            .and_then(|(why, _)| why.clone())
    })
}

pub fn readonly(s: &State, ctx: CtxId) -> Option<String> {
    if s.readonly {
        return Some(
            "read-only session (--readonly or readonly = true): actions are disabled".into(),
        );
    }
    if s.contexts.get(ctx).is_some_and(|c| c.readonly) {
        return Some(format!(
            "context {} is read-only in config: actions are disabled",
            s.context_name(ctx)
        ));
    }
    None
}

/// Access reviews to ask for the selected row (those not answered recently).
pub fn want_access(s: &mut State, t: Option<&Target>) -> Vec<Effect> {
    let Some(t) = t else { return Vec::new() };
    if readonly(s, t.ctx).is_some() {
        return Vec::new();
    }
    let mut ask = Vec::new();
    for (a, _) in ACTIONS {
        if let Ok(list) = needs(s, *a, t) {
            for acc in list {
                let key = (t.ctx, acc.clone());
                let fresh = s
                    .access
                    .get(&key)
                    .is_some_and(|(_, at)| s.now - at < ACCESS_TTL);
                if !fresh && !s.access_pending.contains(&key) && !ask.contains(&acc) {
                    ask.push(acc);
                }
            }
        }
    }
    if ask.is_empty() {
        return Vec::new();
    }
    for a in &ask {
        s.access_pending.insert((t.ctx, a.clone()));
    }
    vec![Effect::CheckAccess {
        ctx: t.ctx,
        checks: ask,
    }]
}

/// Takes access review answers.
pub fn access_answered(
    s: &mut State,
    ctx: CtxId,
    results: Vec<(Access, Result<Option<String>, String>)>,
) {
    for (a, r) in results {
        s.access_pending.remove(&(ctx, a.clone()));
        match r {
            Ok(why) => {
                s.access.insert((ctx, a), (why, s.now));
            }
            Err(e) => tracing::debug!("access review failed: {e}"),
        }
    }
}

/// What the health probes say about `workload` (`deploy/name`) in `namespace`.
fn health_of(s: &State, ctx: CtxId, namespace: &str, workload: &str) -> Option<HealthState> {
    let rank = |h: HealthState| match h {
        HealthState::Unknown => 0,
        HealthState::Ok => 1,
        HealthState::Degraded => 2,
        HealthState::Down => 3,
    };
    s.health
        .endpoints
        .iter()
        .filter(|(k, _)| {
            k.ctx == Some(ctx)
                && k.namespace.as_ref() == namespace
                && k.workload.as_ref() == workload
        })
        .map(|(_, e)| e.state)
        .filter(|h| *h != HealthState::Unknown)
        .max_by_key(|h| rank(*h))
}

fn new_flow(s: &mut State, ctx: CtxId, stage: Stage) -> Flow {
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
    }
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
    let Some(t) = t else {
        s.notify("select a workload, Service or CronJob first", false);
        return Vec::new();
    };
    let items: Vec<MenuItem> = ACTIONS
        .iter()
        .filter(|(a, _)| {
            *a == Action::ActUndo || needs(s, *a, &t).is_ok() || readonly(s, t.ctx).is_some()
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
            disabled: if *a == Action::ActUndo {
                readonly(s, t.ctx).or_else(|| undo_blocker(s))
            } else {
                disabled(s, *a, &t)
            },
        })
        .collect();
    let fx = want_access(s, Some(&t));
    let mut f = new_flow(s, t.ctx, Stage::Menu { items, selected: 0 });
    f.logs_of = Some(t);
    s.flow = Some(f);
    fx
}

fn undo_blocker(s: &State) -> Option<String> {
    actions::undo::last(&s.audit).err()
}

/// Starts action `a` on the selected row `t`.
pub fn start(s: &mut State, a: Action, t: Option<Target>) -> Vec<Effect> {
    if let Some(why) = busy(s) {
        s.notify(why, true);
        return Vec::new();
    }
    if a == Action::ActUndo {
        if s.readonly {
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
        Action::ActScale => {
            let hpa = t.kind == ResKind::Hpa;
            let current = s.contexts.get(t.ctx).and_then(|c| {
                let k = (t.namespace.clone(), t.name.clone());
                match t.kind {
                    ResKind::Deployment => {
                        c.data.deployments.get(&k).map(|d| d.desired.to_string())
                    }
                    ResKind::StatefulSet => {
                        c.data.statefulsets.get(&k).map(|d| d.desired.to_string())
                    }
                    ResKind::Hpa => c.data.hpas.get(&k).map(|h| format!("{} {}", h.min, h.max)),
                    _ => None,
                }
            });
            let f = new_flow(
                s,
                t.ctx,
                Stage::Count {
                    input: LineInput::with(&current.unwrap_or_default()),
                    target: t,
                    error: None,
                    hpa,
                },
            );
            s.flow = Some(f);
            Vec::new()
        }
        Action::ActRollback => {
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
fn plan_for(s: &State, a: Action, t: &Target) -> Result<Plan, String> {
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
        Action::ActRestart => {
            let at = jiff::Timestamp::from_second(now)
                .map(|t| t.to_string())
                .unwrap_or_default();
            actions::restart::plan(d, t.ctx, &t.namespace, &t.name, &at)
        }
        Action::ActPause => {
            let paused = d
                .deployments
                .get(&(t.namespace.clone(), t.name.clone()))
                .is_some_and(|x| x.paused);
            actions::pause::plan(d, t.ctx, &t.namespace, &t.name, !paused)
        }
        Action::ActBreaker => {
            let (port, path) = s.config.breaker_for(&t.namespace, &t.name);
            let at = actions::breaker::BreakerAt { port, path };
            actions::breaker::plan(d, t.ctx, kind, &t.namespace, &t.name, &at, &health)
        }
        Action::ActTraffic => {
            let key = s.config.actions.traffic_key.clone();
            let svc = if t.kind == ResKind::Service {
                t.name.to_string()
            } else {
                traffic_service(s, t).ok_or("no Service to switch")?
            };
            actions::traffic::plan(d, t.ctx, &t.namespace, &svc, &key, &health)
        }
        Action::ActBackup => actions::backup::plan(d, t.ctx, &t.namespace, &t.name, now),
        _ => Err("not an action".into()),
    }
}

fn start_undo(s: &mut State) -> Vec<Effect> {
    let last = match actions::undo::last(&s.audit) {
        Ok(l) => l,
        Err(e) => {
            s.notify(e, true);
            return Vec::new();
        }
    };
    let ctx_name = last.record.actor.context.clone();
    let Some(ctx) = s.contexts.iter().position(|c| c.spec.name == ctx_name) else {
        s.notify(
            format!("the last action ran in context {ctx_name}, which is not open"),
            true,
        );
        return Vec::new();
    };
    if let Some(why) = readonly(s, ctx) {
        s.notify(why, true);
        return Vec::new();
    }
    let ns = last.request.namespace().to_string();
    let health = |w: &str| health_of(s, ctx, &ns, w);
    let planned = actions::undo::plan(&s.contexts[ctx].data, ctx, &last, &health);
    begin(s, ctx, planned)
}

/// Shows a plan: refused ones are audited and shown; others go to the server checks.
fn begin(s: &mut State, ctx: CtxId, planned: Result<Plan, String>) -> Vec<Effect> {
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
                    c.data.deployments.get(&k).map(|d| &d.template.labels)
                }
                actions::Workload::StatefulSet => {
                    c.data.statefulsets.get(&k).map(|d| &d.template.labels)
                }
            };
            (l, Some(*replicas))
        }
        Some(Request::Rollback { name, .. }) | Some(Request::Restart { name, .. }) => {
            let k = (Arc::from(p.namespace.as_str()), Arc::from(name.as_str()));
            (c.data.deployments.get(&k).map(|d| &d.template.labels), None)
        }
        _ => (None, None),
    };
    if let Some(l) = labels {
        p.warnings
            .extend(actions::pdb::effect(&c.data, &p.namespace, l, after));
    }
}

/// An audit record for flow `f`.
fn record(
    s: &State,
    f: &Flow,
    phase: Phase,
    outcome: Option<Outcome>,
    error: Option<String>,
) -> Record {
    let c = s.contexts.get(f.ctx);
    let actor = Actor {
        kube_user: c.map(|c| c.spec.user.clone()).unwrap_or_default(),
        context: c.map(|c| c.spec.name.clone()).unwrap_or_default(),
        server: c.map(|c| c.spec.server.clone()).unwrap_or_default(),
        ..Actor::default()
    };
    let (action, target) = f
        .plan
        .as_ref()
        .map(|p| (p.action, p.target.clone()))
        .unwrap_or(("?", String::new()));
    let mut r = Record::new(&f.action_id, phase, actor, action, &target);
    if let Some(p) = &f.plan {
        r.namespace = p.namespace.clone();
        r.params = serde_json::json!({"request": p.request, "plan": p.params, "risk": p.risk, "blast": p.blast, "warnings": p.warnings});
        if let Some(u) = p.params.get("undoes") {
            r.params["undoes"] = u.clone();
        }
        r.before = serde_json::json!(p.before);
        r.after = serde_json::json!(p.after);
    }
    r.preflight = f.checks.clone();
    r.outcome = outcome;
    r.error = error;
    if phase == Phase::Outcome {
        r.duration_ms = Some(((s.now - f.started).max(0) as u64) * 1000);
        if !f.results.is_empty() {
            r.params["results"] = serde_json::json!(f.results);
        }
    }
    r
}

fn audit_effect(flow: u64, ctx: CtxId, record: Record) -> Effect {
    Effect::Audit {
        flow,
        ctx,
        record,
        now: false,
    }
}

/// Labels that mark a namespace as production (`environment: production`…).
const PRODUCTION_LABELS: &[&str] = &["environment", "env", "tier"];

/// Whether acting in `namespace` needs the typed name: a protected glob (config,
/// default `*prod*`) matches the namespace or context, or the namespace is labelled
/// as production.
pub fn protected(s: &State, ctx: CtxId, namespace: &str) -> bool {
    if s.config.is_protected(s.context_name(ctx), namespace) {
        return true;
    }
    s.contexts
        .get(ctx)
        .and_then(|c| {
            c.data
                .namespaces
                .get(&(Arc::from(""), Arc::from(namespace)))
        })
        .is_some_and(|n| {
            PRODUCTION_LABELS
                .iter()
                .any(|k| matches!(n.labels.get(k), Some("production" | "prod")))
        })
}

/// The server checks answered.
pub fn preflighted(s: &mut State, flow: u64, checks: Vec<Preflight>) -> Vec<Effect> {
    let protected = s.flow.as_ref().is_some_and(|f| {
        f.plan
            .as_ref()
            .is_some_and(|p| protected(s, f.ctx, &p.namespace))
    });
    let Some(f) = s
        .flow
        .as_mut()
        .filter(|f| f.id == flow && matches!(f.stage, Stage::Checking))
    else {
        return Vec::new();
    };
    f.checks = checks;
    if let Some(bad) = f.checks.iter().find(|c| !c.ok) {
        let why = format!("{}: {}", bad.check, bad.detail);
        f.stage = Stage::Refused(why.clone());
        let (ctx, id) = (f.ctx, f.id);
        let rec = match s.flow.as_ref() {
            Some(f) => record(s, f, Phase::Outcome, Some(Outcome::Refused), Some(why)),
            None => return Vec::new(),
        };
        return vec![audit_effect(id, ctx, rec)];
    }
    f.stage = Stage::Confirm {
        typed: protected.then(|| {
            let mut t = TextArea::default();
            t.set_placeholder_text("type the name to confirm");
            Box::new(t)
        }),
        mismatch: false,
    };
    Vec::new()
}

fn cancel(s: &mut State) -> Vec<Effect> {
    let Some(f) = s.flow.take() else {
        return Vec::new();
    };
    if f.plan.is_some() && matches!(f.stage, Stage::Checking | Stage::Confirm { .. }) {
        let rec = record(
            s,
            &f,
            Phase::Outcome,
            Some(Outcome::Cancelled),
            Some("cancelled at the prompt".into()),
        );
        s.notify(format!("cancelled: nothing was sent{}", ""), false);
        return vec![audit_effect(f.id, f.ctx, rec)];
    }
    Vec::new()
}

fn confirmed(s: &mut State) -> Vec<Effect> {
    let Some(f) = s.flow.as_ref() else {
        return Vec::new();
    };
    let Some(request) = f.plan.as_ref().and_then(|p| p.request.clone()) else {
        return Vec::new();
    };
    let intent = record(s, f, Phase::Intent, None, None);
    let (id, ctx) = (f.id, f.ctx);
    if let Some(f) = s.flow.as_mut() {
        f.stage = Stage::Sending;
    }
    vec![Effect::Execute {
        flow: id,
        ctx,
        request,
        intent,
    }]
}

/// A key while a flow's dialog is open (`None`: the dialog did not take it).
pub fn key(s: &mut State, k: &Key) -> Option<Vec<Effect>> {
    let f = s.flow.as_mut().filter(|f| !f.hidden)?;
    let esc = k.code == Code::Esc;
    let want = f.confirm_name();
    match &mut f.stage {
        Stage::Menu { items, selected } => {
            match k.code {
                Code::Esc => s.flow = None,
                Code::Up => *selected = selected.saturating_sub(1),
                Code::Down => *selected = (*selected + 1).min(items.len().saturating_sub(1)),
                Code::Enter => {
                    let a = items.get(*selected).map(|i| i.action);
                    let t = f.logs_of.clone();
                    s.flow = None;
                    if let Some(a) = a {
                        return Some(start(s, a, t));
                    }
                }
                _ => {
                    // An action's own key starts it from the menu.
                    let a = s
                        .keymap
                        .action(crate::config::keymap::Mode::List, k)
                        .filter(|a| ACTIONS.iter().any(|(x, _)| x == a));
                    let t = f.logs_of.clone();
                    if let Some(a) = a {
                        s.flow = None;
                        return Some(start(s, a, t));
                    }
                }
            }
            Some(Vec::new())
        }
        Stage::Count {
            target,
            input,
            error,
            hpa,
        } => {
            match input.key(k) {
                Edit::Cancel => s.flow = None,
                Edit::Submit => {
                    let (t, hpa) = (target.clone(), *hpa);
                    let text = input.text.clone();
                    match plan_count(s, &t, &text, hpa) {
                        Ok(p) => {
                            s.flow = None;
                            return Some(begin(s, t.ctx, Ok(p)));
                        }
                        Err(e) => {
                            if let Some(Stage::Count { error, .. }) =
                                s.flow.as_mut().map(|f| &mut f.stage)
                            {
                                *error = Some(e);
                            }
                        }
                    }
                }
                _ => *error = None,
            }
            Some(Vec::new())
        }
        Stage::Pick {
            target,
            revisions,
            selected,
        } => {
            match k.code {
                Code::Esc => s.flow = None,
                Code::Up => *selected = selected.saturating_sub(1),
                Code::Down => *selected = (*selected + 1).min(revisions.len().saturating_sub(1)),
                Code::Enter => {
                    let t = target.clone();
                    let rev = revisions.get(*selected).map(|r| r.revision);
                    let planned = s
                        .contexts
                        .get(t.ctx)
                        .ok_or("unknown context".to_string())
                        .and_then(|c| {
                            actions::rollback::plan(&c.data, t.ctx, &t.namespace, &t.name, rev)
                        });
                    s.flow = None;
                    return Some(begin(s, t.ctx, planned));
                }
                _ => {}
            }
            Some(Vec::new())
        }
        Stage::Checking => Some(if esc { cancel(s) } else { Vec::new() }),
        Stage::Confirm { typed, mismatch } => {
            if esc {
                return Some(cancel(s));
            }
            if k.code == Code::Tab {
                return Some(switch_to_hpa(s));
            }
            match typed {
                Some(area) => {
                    if k.code == Code::Enter {
                        let got = area.lines().join("");
                        if got.trim() == want {
                            return Some(confirmed(s));
                        }
                        *mismatch = true;
                    } else {
                        area.input(textarea_input(k));
                        *mismatch = false;
                    }
                    Some(Vec::new())
                }
                None => Some(match k.code {
                    Code::Char('y') | Code::Char('Y') => confirmed(s),
                    // No is the default: n, enter, anything else.
                    _ => cancel(s),
                }),
            }
        }
        Stage::Refused(_) | Stage::Finished { .. } => {
            if k.code == Code::Char('l')
                && let Some(t) = f.logs_of.clone().filter(|t| t.kind == ResKind::Job)
            {
                s.flow = None;
                return Some(super::update::open_logs(s, &t, false));
            }
            s.flow = None;
            Some(Vec::new())
        }
        Stage::Sending | Stage::Verifying { .. } => {
            if esc {
                f.hidden = true;
                s.notify("the action goes on; its result will show here", false);
            }
            // Quitting still quits (and records the outcome as not verified).
            if s.keymap.action(s.mode(), k) == Some(Action::Quit) {
                return None;
            }
            Some(Vec::new())
        }
    }
}

/// In the confirm dialog of an HPA-managed scale, tab plans the HPA change instead.
fn switch_to_hpa(s: &mut State) -> Vec<Effect> {
    let Some(f) = s.flow.as_ref() else {
        return Vec::new();
    };
    let Some(p) = &f.plan else { return Vec::new() };
    let Some(h) = p.params.get("hpa") else {
        return Vec::new();
    };
    let (name, min, max) = (
        h["name"].as_str().unwrap_or("").to_string(),
        h["suggestMin"].as_i64().unwrap_or(1) as i32,
        h["suggestMax"].as_i64().unwrap_or(1) as i32,
    );
    let (ctx, ns) = (f.ctx, p.namespace.clone());
    // The scale plan is dropped unconfirmed: that is a cancellation, recorded.
    let mut fx = cancel(s);
    let planned = s
        .contexts
        .get(ctx)
        .ok_or("unknown context".to_string())
        .and_then(|c| actions::hpa::plan(&c.data, ctx, &ns, &name, min, max));
    fx.extend(begin(s, ctx, planned));
    fx
}

fn plan_count(s: &State, t: &Target, text: &str, hpa: bool) -> Result<Plan, String> {
    let c = s.contexts.get(t.ctx).ok_or("unknown context")?;
    if hpa {
        let mut it = text.split_whitespace().map(actions::scale::parse_count);
        let (Some(min), Some(max), None) = (it.next(), it.next(), it.next()) else {
            return Err("type the HPA's min and max, e.g. \"4 20\"".into());
        };
        return actions::hpa::plan(&c.data, t.ctx, &t.namespace, &t.name, min?, max?);
    }
    let n = actions::scale::parse_count(text)?;
    let kind = if t.kind == ResKind::StatefulSet {
        WorkloadKind::StatefulSet
    } else {
        WorkloadKind::Deployment
    };
    actions::scale::plan(&c.data, t.ctx, kind, &t.namespace, &t.name, n)
}

fn textarea_input(k: &Key) -> tui_textarea::Input {
    use tui_textarea::Key as T;
    let key = match k.code {
        Code::Char(c) => T::Char(c),
        Code::Space => T::Char(' '),
        Code::Backspace => T::Backspace,
        Code::Delete => T::Delete,
        Code::Left => T::Left,
        Code::Right => T::Right,
        Code::Home => T::Home,
        Code::End => T::End,
        _ => T::Null,
    };
    tui_textarea::Input {
        key,
        ctrl: k.ctrl,
        alt: k.alt,
        shift: k.shift,
    }
}

/// The intent was written (or not) and the request sent (or not).
pub fn executed(s: &mut State, flow: u64, ex: Executed) -> Vec<Effect> {
    let Some(f) = s.flow.as_mut().filter(|f| f.id == flow) else {
        return Vec::new();
    };
    f.results = ex.results;
    if let Some(r) = &ex.intent {
        push_record(&mut s.audit, r.clone());
    }
    let Some(f) = s.flow.as_mut() else {
        return Vec::new();
    };
    if ex.intent.is_none() {
        // Nothing was sent and nothing could be recorded: say so, loudly.
        f.stage = Stage::Finished {
            outcome: Outcome::Failed,
            detail: ex.detail.clone(),
        };
        f.hidden = false;
        s.notify(ex.detail, true);
        return Vec::new();
    }
    if ex.outcome != Outcome::Succeeded {
        return finish(s, ex.outcome, ex.detail);
    }
    f.stage = Stage::Verifying {
        progress: "sent; waiting for the effect".into(),
        since: s.now,
    };
    check_progress(s)
}

/// Re-checks a flow that is verifying (after new data or a tick).
pub fn check_progress(s: &mut State) -> Vec<Effect> {
    let Some(f) = s.flow.as_ref() else {
        return Vec::new();
    };
    let Stage::Verifying { since, .. } = f.stage else {
        return Vec::new();
    };
    let Some(req) = f.plan.as_ref().and_then(|p| p.request.clone()) else {
        return Vec::new();
    };
    let Some(c) = s.contexts.get(f.ctx) else {
        return Vec::new();
    };
    let progress = actions::verify(&c.data, &req);
    let breaker_failed = matches!(req, Request::BreakerReset { .. })
        && f.results.iter().any(|r| r.contains(": failed"));
    match progress {
        Progress::Done(line) if breaker_failed => finish(
            s,
            Outcome::Failed,
            format!("some pods did not reset {line}"),
        ),
        Progress::Done(line) => finish(s, Outcome::Succeeded, line),
        Progress::Failed(why) => {
            if let Request::TriggerBackup { namespace, job, .. } = &req
                && let Some(f) = s.flow.as_mut()
            {
                f.logs_of = Some(Target {
                    ctx: f.ctx,
                    kind: ResKind::Job,
                    namespace: Arc::from(namespace.as_str()),
                    name: Arc::from(job.as_str()),
                });
            }
            finish(s, Outcome::Failed, why)
        }
        Progress::Waiting(line) => {
            if s.now - since > req.verify_timeout() {
                return finish(
                    s,
                    Outcome::Failed,
                    format!("not observed within {} s: {line}", req.verify_timeout()),
                );
            }
            if let Some(f) = s.flow.as_mut() {
                f.stage = Stage::Verifying {
                    progress: line,
                    since,
                };
            }
            Vec::new()
        }
    }
}

/// Ends a flow: the outcome is audited, a toast says it and a transition keeps it.
fn finish(s: &mut State, outcome: Outcome, detail: String) -> Vec<Effect> {
    let Some(f) = s.flow.as_mut() else {
        return Vec::new();
    };
    f.stage = Stage::Finished {
        outcome,
        detail: detail.clone(),
    };
    let Some(f) = s.flow.as_ref() else {
        return Vec::new();
    };
    let error = (outcome != Outcome::Succeeded).then(|| detail.clone());
    let mut rec = record(s, f, Phase::Outcome, Some(outcome), error);
    if outcome == Outcome::Succeeded {
        rec.after = serde_json::json!({"planned": f.plan.as_ref().map(|p| p.after.clone()), "observed": detail});
    }
    let (what, target, ns, ctx, id) = (
        f.plan.as_ref().map_or("", |p| p.action),
        f.plan
            .as_ref()
            .map(|p| p.target.clone())
            .unwrap_or_default(),
        f.plan
            .as_ref()
            .map(|p| p.namespace.clone())
            .unwrap_or_default(),
        f.ctx,
        f.id,
    );
    s.transitions.push(
        s.now,
        Transition::Action {
            ctx,
            namespace: ns,
            action: what.to_string(),
            target: target.clone(),
            outcome,
            detail: crate::util::sanitize::line(&detail, 200),
        },
    );
    s.notify(
        format!("{what} {target}: {} — {detail}", outcome.label()),
        outcome != Outcome::Succeeded,
    );
    vec![audit_effect(id, ctx, rec)]
}

/// Quitting while an action's effect is being watched: its outcome is recorded as not
/// verified (the request was sent; what happened next is for the person to check).
pub fn quitting(s: &mut State) -> Vec<Effect> {
    let progress = match s.flow.as_ref().map(|f| &f.stage) {
        Some(Stage::Verifying { progress, .. }) => progress.clone(),
        _ => return Vec::new(),
    };
    let mut fx = finish(
        s,
        Outcome::Failed,
        format!("not verified: kdeck quit while waiting for the effect (last seen: {progress})"),
    );
    for e in fx.iter_mut() {
        if let Effect::Audit { now, .. } = e {
            *now = true;
        }
    }
    fx
}

/// An audit append answered.
pub fn audited(s: &mut State, result: Result<Record, String>) {
    match result {
        Ok(r) => push_record(&mut s.audit, r),
        Err(e) => s.notify(format!("AUDIT LOG NOT WRITTEN: {e}"), true),
    }
}

pub fn push_record(list: &mut Vec<Record>, r: Record) {
    if list.iter().any(|x| x.seq == r.seq && x.hash == r.hash) {
        return;
    }
    list.push(r);
    if list.len() > KEEP_RECORDS {
        let drop = list.len() - KEEP_RECORDS;
        list.drain(..drop);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::actions::run::Executed;
    use crate::app::msg::{Applied, Msg};
    use crate::app::testkit::{deployment, state};
    use crate::app::{Event, update};
    use crate::config::keymap::Key;

    fn press(s: &mut State, keys: &str) -> Vec<Effect> {
        keys.chars()
            .flat_map(|c| update(s, Event::Key(Key::char(c))))
            .collect()
    }

    fn key(s: &mut State, code: Code) -> Vec<Effect> {
        update(s, Event::Key(Key::plain(code)))
    }

    fn without_access(fx: Vec<Effect>) -> Vec<Effect> {
        fx.into_iter()
            .filter(|e| !matches!(e, Effect::CheckAccess { .. }))
            .collect()
    }

    fn audited(fx: &[Effect]) -> Vec<&Record> {
        fx.iter()
            .filter_map(|e| match e {
                Effect::Audit { record, .. } => Some(record),
                _ => None,
            })
            .collect()
    }

    fn checks_pass(s: &mut State) -> Vec<Effect> {
        let flow = s.flow.as_ref().map(|f| f.id).unwrap();
        update(
            s,
            Event::Msg(Msg::Preflighted {
                flow,
                checks: vec![crate::actions::run::check(
                    "access: patch deployments/scale",
                    true,
                    "allowed".into(),
                )],
            }),
        )
    }

    /// Scale the first overview row (shop/api, 3 replicas) to `n`, up to the prompt.
    fn scale_to(s: &mut State, n: &str) -> Vec<Effect> {
        assert!(without_access(press(s, "S")).is_empty());
        assert!(matches!(
            s.flow.as_ref().unwrap().stage,
            Stage::Count { .. }
        ));
        key(s, Code::Backspace);
        press(s, n);
        let fx = without_access(key(s, Code::Enter));
        assert!(
            matches!(&fx[..], [Effect::Preflight { request: Request::Scale { replicas, from: 3, .. }, .. }] if replicas.to_string() == n),
            "{fx:?}"
        );
        checks_pass(s)
    }

    #[test]
    fn nothing_is_sent_until_yes_and_no_is_the_default_and_audited() {
        let mut s = state();
        scale_to(&mut s, "2");
        assert!(matches!(
            s.flow.as_ref().unwrap().stage,
            Stage::Confirm { typed: None, .. }
        ));
        // Enter is No: cancelled, recorded, nothing sent.
        let fx = key(&mut s, Code::Enter);
        assert!(!fx.iter().any(|e| matches!(e, Effect::Execute { .. })));
        let recs = audited(&fx);
        assert_eq!(recs.len(), 1, "{fx:?}");
        assert_eq!(recs[0].outcome, Some(Outcome::Cancelled));
        assert_eq!(recs[0].action, "scale");
        assert!(s.flow.is_none());
    }

    #[test]
    fn yes_writes_the_intent_with_the_send_then_verifies_and_records_the_outcome() {
        let mut s = state();
        scale_to(&mut s, "2");
        let fx = press(&mut s, "y");
        let (flow, intent) = match &fx[..] {
            [
                Effect::Execute {
                    flow,
                    intent,
                    request: Request::Scale { replicas: 2, .. },
                    ..
                },
            ] => (*flow, intent.clone()),
            other => panic!("{other:?}"),
        };
        assert_eq!(intent.phase, Phase::Intent);
        assert_eq!(intent.before, serde_json::json!("3 replicas"));
        assert_eq!(intent.preflight.len(), 1);
        assert_eq!(intent.actor.context, "test");
        let mut written = intent.clone();
        written.seq = 1;
        let fx = update(
            &mut s,
            Event::Msg(Msg::Executed {
                flow,
                executed: Executed {
                    outcome: Outcome::Succeeded,
                    detail: String::new(),
                    results: Vec::new(),
                    intent: Some(written),
                    sent: 1,
                },
            }),
        );
        assert!(audited(&fx).is_empty(), "not observed yet: {fx:?}");
        assert!(matches!(
            s.flow.as_ref().unwrap().stage,
            Stage::Verifying { .. }
        ));
        // The watch brings the scaled Deployment: observed, the outcome is audited.
        let fx = update(
            &mut s,
            Event::Msg(Msg::Applied {
                ctx: 0,
                obj: Applied::Deployment(deployment(
                    "shop",
                    "api",
                    2,
                    2,
                    2,
                    ("True", "NewReplicaSetAvailable"),
                )),
            }),
        );
        let recs = audited(&fx);
        assert_eq!(recs.len(), 1, "{fx:?}");
        assert_eq!(
            (recs[0].phase, recs[0].outcome),
            (Phase::Outcome, Some(Outcome::Succeeded))
        );
        assert_eq!(recs[0].action_id, intent.action_id);
        assert!(matches!(
            s.transitions.items.back().map(|t| &t.what),
            Some(Transition::Action {
                outcome: Outcome::Succeeded,
                ..
            })
        ));
        assert_eq!(s.audit.len(), 1, "the intent is kept for the audit view");
    }

    #[test]
    fn quitting_while_watching_records_the_outcome_before_leaving() {
        let mut s = state();
        scale_to(&mut s, "2");
        let Some(Effect::Execute { flow, intent, .. }) = press(&mut s, "y").into_iter().next()
        else {
            panic!()
        };
        update(
            &mut s,
            Event::Msg(Msg::Executed {
                flow,
                executed: Executed {
                    outcome: Outcome::Succeeded,
                    detail: String::new(),
                    results: Vec::new(),
                    intent: Some(intent),
                    sent: 1,
                },
            }),
        );
        let fx = press(&mut s, "q");
        match &fx[..] {
            [
                Effect::Audit {
                    record, now: true, ..
                },
                Effect::Quit,
            ] => {
                assert_eq!(record.outcome, Some(Outcome::Failed));
                assert!(
                    record
                        .error
                        .as_deref()
                        .unwrap()
                        .contains("not verified: kdeck quit")
                );
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn a_conflict_is_shown_and_recorded_not_retried() {
        let mut s = state();
        scale_to(&mut s, "2");
        let fx = press(&mut s, "y");
        let Some(Effect::Execute { flow, intent, .. }) = fx.into_iter().next() else {
            panic!()
        };
        let fx = update(
            &mut s,
            Event::Msg(Msg::Executed {
                flow,
                executed: Executed {
                    outcome: Outcome::Conflict,
                    detail: "changed by someone else since the plan: deploy/api now has 5 replicas (the plan saw 3)".into(),
                    results: Vec::new(),
                    intent: Some(intent),
                    sent: 0,
                },
            }),
        );
        let recs = audited(&fx);
        assert_eq!(recs[0].outcome, Some(Outcome::Conflict));
        assert!(!fx.iter().any(|e| matches!(e, Effect::Execute { .. })));
        match &s.flow.as_ref().unwrap().stage {
            Stage::Finished {
                outcome: Outcome::Conflict,
                detail,
            } => assert!(detail.contains("now has 5")),
            _ => panic!("not finished as a conflict"),
        }
        assert!(s.notice.as_ref().is_some_and(|n| n.error));
    }

    #[test]
    fn a_failed_intent_means_nothing_was_sent_and_is_said_loudly() {
        let mut s = state();
        scale_to(&mut s, "2");
        let Some(Effect::Execute { flow, .. }) = press(&mut s, "y").into_iter().next() else {
            panic!()
        };
        let fx = update(
            &mut s,
            Event::Msg(Msg::Executed {
                flow,
                executed: Executed {
                    outcome: Outcome::Failed,
                    detail: "not run: the audit record could not be written (permission denied)"
                        .into(),
                    results: Vec::new(),
                    intent: None,
                    sent: 0,
                },
            }),
        );
        assert!(fx.is_empty(), "{fx:?}");
        assert!(s.notice.as_ref().unwrap().text.contains("not run"));
    }

    #[test]
    fn read_only_disables_every_action_and_sends_nothing() {
        let mut s = state();
        s.readonly = true;
        for k in ["S", "R", "r", "P", "B", "T", "b", "U"] {
            let fx = press(&mut s, k);
            assert!(fx.is_empty(), "{k}: {fx:?}");
            assert!(s.flow.is_none());
        }
        assert!(s.notice.as_ref().unwrap().text.contains("read-only"));
        // The menu lists them, each disabled with the reason.
        press(&mut s, "x");
        let Some(Stage::Menu { items, .. }) = s.flow.as_ref().map(|f| &f.stage) else {
            panic!()
        };
        assert!(items.len() >= 5);
        assert!(items.iter().all(|i| {
            i.disabled
                .as_deref()
                .is_some_and(|d| d.contains("read-only"))
        }));
    }

    #[test]
    fn an_rbac_denial_disables_the_action_and_refuses_it_audited() {
        let mut s = state();
        let t =
            crate::app::lists::target(crate::app::lists::ListView::Overview, &s.fleet, 0).unwrap();
        let fx = want_access(&mut s, Some(&t));
        let Some(Effect::CheckAccess { checks, .. }) = fx.into_iter().next() else {
            panic!()
        };
        let results = checks
            .into_iter()
            .map(|a| {
                let denied = a.subresource == "scale";
                (
                    a,
                    Ok(denied
                        .then(|| "not allowed to patch deployments/scale in shop".to_string())),
                )
            })
            .collect();
        update(&mut s, Event::Msg(Msg::Access { ctx: 0, results }));
        assert!(
            disabled(&s, Action::ActScale, &t)
                .unwrap()
                .contains("not allowed")
        );
        assert_eq!(disabled(&s, Action::ActRestart, &t), None);
        press(&mut s, "S");
        key(&mut s, Code::Backspace);
        press(&mut s, "2");
        let fx = key(&mut s, Code::Enter);
        assert!(
            !fx.iter()
                .any(|e| matches!(e, Effect::Preflight { .. } | Effect::Execute { .. }))
        );
        let recs = audited(&fx);
        assert_eq!(recs[0].outcome, Some(Outcome::Refused));
        assert!(recs[0].error.as_deref().unwrap().contains("not allowed"));
    }

    #[test]
    fn a_protected_namespace_needs_the_typed_name() {
        let mut s = state();
        s.config.protected = Some(vec!["shop".into()]);
        scale_to(&mut s, "2");
        assert!(matches!(
            s.flow.as_ref().unwrap().stage,
            Stage::Confirm { typed: Some(_), .. }
        ));
        // `y` is just a letter here; a wrong name sends nothing.
        press(&mut s, "y");
        let fx = key(&mut s, Code::Enter);
        assert!(fx.is_empty(), "{fx:?}");
        assert!(matches!(
            s.flow.as_ref().unwrap().stage,
            Stage::Confirm { mismatch: true, .. }
        ));
        key(&mut s, Code::Backspace);
        press(&mut s, "api");
        let fx = key(&mut s, Code::Enter);
        assert!(matches!(&fx[..], [Effect::Execute { .. }]), "{fx:?}");
    }

    #[test]
    fn a_failing_server_check_refuses_with_the_servers_message() {
        let mut s = state();
        press(&mut s, "S");
        key(&mut s, Code::Backspace);
        press(&mut s, "2");
        key(&mut s, Code::Enter);
        let flow = s.flow.as_ref().unwrap().id;
        let fx = update(
            &mut s,
            Event::Msg(Msg::Preflighted {
                flow,
                checks: vec![
                    crate::actions::run::check(
                        "access: patch deployments/scale",
                        true,
                        "allowed".into(),
                    ),
                    crate::actions::run::check(
                        "dry run: PATCH deploy/api/scale",
                        false,
                        "422 Invalid: denied by policy".into(),
                    ),
                ],
            }),
        );
        let recs = audited(&fx);
        assert_eq!(recs[0].outcome, Some(Outcome::Refused));
        assert_eq!(recs[0].preflight.len(), 2);
        assert!(
            recs[0]
                .error
                .as_deref()
                .unwrap()
                .contains("denied by policy")
        );
    }
}

#[cfg(test)]
mod protection {
    use super::*;
    use crate::app::msg::{Applied, Feed};
    use crate::cluster::model::{Interner, NamespaceRec};

    #[test]
    fn production_namespaces_are_protected_by_name_or_label() {
        let mut s = crate::app::testkit::state();
        let n: crate::cluster::slim::Namespace = serde_json::from_value(serde_json::json!({
            "metadata": {"name": "flextime-backup", "labels": {"environment": "production"}}
        }))
        .expect("namespace");
        s.contexts[0].data.relist(
            None,
            Feed::Namespaces(vec![NamespaceRec::from(&n, &mut Interner::default())]),
        );
        let _ = Applied::Namespace;
        assert!(protected(&s, 0, "flextime-backup"));
        assert!(protected(&s, 0, "team-dashboard-prod"));
        assert!(!protected(&s, 0, "shop"));
    }
}
