//! What comes back from the server and the audit log: the checks, the execution
//! (intent written or not, sent or not, conflict), the effect as the watches show it,
//! and the outcome — audited, toasted and kept as a transition.

use super::*;

/// An audit record for flow `f`.
pub(super) fn record(
    s: &State,
    f: &Flow,
    phase: Phase,
    outcome: Option<Outcome>,
    error: Option<String>,
) -> Record {
    let actor = s.actor(f.ctx);
    let (action, target) = f
        .plan
        .as_ref()
        .map(|p| (p.action, p.target.clone()))
        .unwrap_or(("?", String::new()));
    let mut r = Record::new(&f.action_id, phase, actor, action, &target);
    if let Some(p) = &f.plan {
        r.namespace = p.namespace.clone();
        r.params = serde_json::json!({"request": p.request, "plan": p.params, "risk": p.risk, "blast": p.blast, "warnings": p.warnings});
        if !p.gate.is_empty() {
            r.params["gate"] = serde_json::json!(
                p.gate
                    .iter()
                    .map(|(ok, l)| format!("{} {l}", if *ok { "✓" } else { "✗" }))
                    .collect::<Vec<_>>()
            );
        }
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

pub(super) fn audit_effect(flow: u64, ctx: CtxId, record: Record) -> Effect {
    Effect::Audit {
        flow,
        ctx,
        record,
        now: false,
    }
}

/// An action's risk as the config ranks it.
fn level(r: actions::Risk) -> crate::config::file::RiskLevel {
    use crate::config::file::RiskLevel;
    match r {
        actions::Risk::Low => RiskLevel::Low,
        actions::Risk::Medium => RiskLevel::Medium,
        actions::Risk::High => RiskLevel::High,
        actions::Risk::Critical => RiskLevel::Critical,
    }
}

/// The server checks answered.
pub fn preflighted(s: &mut State, flow: u64, checks: Vec<Preflight>) -> Vec<Effect> {
    // In a protected scope the name is typed for a high or critical risk (`y` below
    // it, unless configured otherwise), and for an exec unless that is turned off.
    let typed_exec = s.config.exec.typed_confirm;
    let typed_from = s.config.confirm.typed_from();
    let protected = s.flow.as_ref().is_some_and(|f| {
        f.plan.as_ref().is_some_and(|p| {
            let exec = matches!(
                p.request,
                Some(Request::Exec { .. } | Request::Shell { .. })
            );
            protected(s, f.ctx, &p.namespace)
                && if exec {
                    typed_exec
                } else {
                    level(p.risk) >= typed_from
                }
        })
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
    if ex.outcome == Outcome::Unknown {
        // Recorded as unknown now; the watch then says whether it took effect, and
        // that is recorded as the action's outcome (reconciled).
        f.unanswered = true;
        f.stage = Stage::Verifying {
            progress: "no answer from the server: watching whether it was applied".into(),
            since: s.now,
        };
        let (id, ctx) = (f.id, f.ctx);
        let rec = match s.flow.as_ref() {
            Some(f) => record(
                s,
                f,
                Phase::Outcome,
                Some(Outcome::Unknown),
                Some(ex.detail.clone()),
            ),
            None => return Vec::new(),
        };
        s.notify(ex.detail, true);
        let mut fx = vec![audit_effect(id, ctx, rec)];
        fx.extend(check_progress(s));
        return fx;
    }
    if let Some(ran) = &ex.ran {
        // A command's end: recorded with its exit code and bytes; its output goes to
        // the pane only.
        let fx = finish(s, ex.outcome, ex.detail.clone());
        super::exec::show_output(s, ran);
        return fx;
    }
    if ex.outcome != Outcome::Succeeded {
        return finish(s, ex.outcome, ex.detail);
    }
    let request = f.plan.as_ref().and_then(|p| p.request.clone());
    if ex.interactive && s.quitting.is_some() {
        // The person quit while the intent was being written: the shell is not
        // opened, and that is recorded before kdeck stops.
        return now(finish(
            s,
            Outcome::Failed,
            "not opened: kdeck was quitting (nothing ran in the container)".into(),
        ));
    }
    if ex.interactive
        && let Some(Request::Shell {
            namespace,
            pod,
            container,
            shells,
        }) = request.clone()
    {
        f.stage = Stage::Shell;
        f.hidden = false;
        return vec![Effect::Shell {
            flow: f.id,
            ctx: f.ctx,
            namespace,
            pod,
            container,
            shells,
        }];
    }
    if let Some(Request::PortForward {
        namespace,
        via,
        port,
        local,
    }) = request
    {
        let (id, action_id, ctx) = (f.id, f.action_id.clone(), f.ctx);
        crate::app::forwards::add(s, id, &action_id, ctx, &namespace, &via, port, &local);
        return finish(s, Outcome::Succeeded, ex.detail);
    }
    let Some(f) = s.flow.as_mut() else {
        return Vec::new();
    };
    if let Some(value) = ex.revealed {
        // Shown now; the record says what was revealed, never the value.
        let key = match f.plan.as_ref().and_then(|p| p.request.as_ref()) {
            Some(Request::RevealSecret { key, .. }) => key.clone(),
            _ => String::new(),
        };
        let fx = finish(s, Outcome::Succeeded, ex.detail);
        if let Some(f) = s.flow.as_mut() {
            f.stage = Stage::Revealed {
                key,
                value,
                scroll: 0,
            };
            f.hidden = false;
        }
        return fx;
    }
    f.stage = Stage::Verifying {
        progress: "sent; waiting for the effect".into(),
        since: s.now,
    };
    check_progress(s)
}

/// The shell ended (the person left it, or it could not start): its exit code and
/// bytes each way are the outcome.
pub fn shell_ended(s: &mut State, flow: u64, ran: crate::cluster::exec::Ran) -> Vec<Effect> {
    if !s
        .flow
        .as_ref()
        .is_some_and(|f| f.id == flow && matches!(f.stage, Stage::Shell))
    {
        return Vec::new();
    }
    let outcome = match ran.exit {
        Some(_) if ran.error.is_none() => Outcome::Succeeded,
        Some(0) => Outcome::Succeeded,
        _ => Outcome::Failed,
    };
    let detail = match &ran.error {
        Some(e) if ran.exit.is_some() => format!("{} ({e})", ran.summary()),
        _ => ran.summary(),
    };
    finish(s, outcome, format!("shell ended: {detail}"))
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
            let limit = s
                .config
                .actions
                .verify_timeout
                .map_or(req.verify_timeout(), |d| d.0.as_secs() as i64);
            if s.now - since >= limit {
                return finish(
                    s,
                    Outcome::Failed,
                    format!("not observed within {limit} s: {line}"),
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
pub(super) fn finish(s: &mut State, outcome: Outcome, detail: String) -> Vec<Effect> {
    let Some(f) = s.flow.as_mut() else {
        return Vec::new();
    };
    let detail = if f.unanswered {
        format!("reconciled from the watch (the request got no answer): {detail}")
    } else {
        detail
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

/// Quitting (by key, signal or a closed terminal; `cause` says which) with a flow
/// open: an effect being watched is recorded as not verified (the request was sent;
/// what happened next is for the person to check), a prompt as cancelled — both
/// written at once, before kdeck exits. Also says whether a request is being sent
/// right now (its answer is worth waiting for).
pub fn quitting(s: &mut State, cause: &str) -> (Vec<Effect>, bool) {
    let stage = s.flow.as_ref().map(|f| &f.stage);
    let fx = match stage {
        Some(Stage::Verifying { progress, .. }) => {
            let progress = progress.clone();
            // An unanswered request stays unknown: nothing was reconciled.
            let unknown = s.flow.as_ref().is_some_and(|f| f.unanswered);
            if let Some(f) = s.flow.as_mut() {
                f.unanswered = false;
            }
            finish(
                s,
                if unknown {
                    Outcome::Unknown
                } else {
                    Outcome::Failed
                },
                format!(
                    "not verified: {cause} while waiting for the effect (last seen: {progress})"
                ),
            )
        }
        Some(Stage::Checking | Stage::Confirm { .. })
            if s.flow.as_ref().is_some_and(|f| f.plan.is_some()) =>
        {
            let Some(f) = s.flow.take() else {
                return (Vec::new(), false);
            };
            let rec = record(
                s,
                &f,
                Phase::Outcome,
                Some(Outcome::Cancelled),
                Some(format!(
                    "cancelled: {cause} at the prompt; nothing was sent"
                )),
            );
            vec![audit_effect(f.id, f.ctx, rec)]
        }
        Some(Stage::Sending) => return (Vec::new(), true),
        Some(Stage::Shell) => finish(
            s,
            Outcome::Failed,
            format!("not verified: {cause} while the shell was open"),
        ),
        _ => Vec::new(),
    };
    (now(fx), false)
}

/// Quitting gave up waiting for the answer to a request in flight: its intent is on
/// record; the outcome is recorded as unknown.
pub fn abandon_send(s: &mut State, cause: &str) -> Vec<Effect> {
    now(finish(
        s,
        Outcome::Failed,
        format!(
            "not verified: {cause} before the server answered (the request may have been applied: check)"
        ),
    ))
}

/// Audit effects to be written at once (on the way out), not in a task.
fn now(mut fx: Vec<Effect>) -> Vec<Effect> {
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
