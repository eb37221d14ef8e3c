//! Reports from sources applied to the state: the cluster's watchers and pollers
//! (records, watch health, reachability, metrics, log lines, snapshots), the prober's
//! verdicts and alert reads (state changes become transitions), and what finished
//! effects report (fetches, access reviews, an action's checks and execution, audit
//! appends).

use super::effect::Effect;
use super::event::Done;
use super::state::State;
use super::transitions::Transition;
use crate::cluster::kinds::Ts;
use crate::cluster::msg::Msg;

pub fn cluster(s: &mut State, m: Msg) -> Vec<Effect> {
    match m {
        Msg::Forward(f) => return super::forwards::report(s, f),
        Msg::Relisted {
            ctx,
            scope,
            listing,
        } => {
            let warnings: Vec<_> = match &listing {
                crate::cluster::kinds::Listing::Event(v) => {
                    v.iter().filter(|e| e.warning).cloned().collect()
                }
                _ => Vec::new(),
            };
            if let Some(c) = s.contexts.get_mut(ctx) {
                tracing::debug!(ctx, kind = ?listing.kind(), n = listing.len(), "listed");
                c.data.relist(scope.as_deref(), listing);
                c.note_reach(s.now);
            }
            for e in &warnings {
                s.notice_event(ctx, e);
            }
        }
        Msg::Applied { ctx, obj } => {
            let warning = match &*obj {
                crate::cluster::kinds::Object::Event(e) if e.warning => Some(e.clone()),
                _ => None,
            };
            if let Some(c) = s.contexts.get_mut(ctx) {
                c.data.apply(*obj);
            }
            if let Some(e) = warning {
                s.notice_event(ctx, &e);
            }
        }
        Msg::Deleted {
            ctx,
            kind,
            namespace,
            name,
        } => {
            if let Some(c) = s.contexts.get_mut(ctx) {
                c.data.delete(kind, &namespace, &name, s.now);
            }
        }
        Msg::Feed { ctx, kind, status } => {
            if let Some(c) = s.contexts.get_mut(ctx) {
                c.data.feeds.insert(kind, status);
                c.data.rev += 1;
                c.note_reach(s.now);
            }
        }
        Msg::Reachable { ctx, ok, skew } => {
            let changed = if ok.is_ok() {
                s.api_down.remove(&ctx)
            } else {
                s.api_down.insert(ctx)
            };
            if changed {
                s.extras_rev += 1;
            }
            if let Some(c) = s.contexts.get_mut(ctx) {
                c.ping = Some(ok);
                if let Some(k) = skew {
                    c.skew = k;
                }
                c.note_reach(s.now);
            }
        }
        Msg::Warned { ctx, text } => {
            if let Some(c) = s.contexts.get_mut(ctx) {
                let t = crate::util::sanitize::line(&text, 200);
                if !c.warnings.contains(&t) {
                    c.warnings.push(t.clone());
                    let name = c.spec.name.clone();
                    s.notify(format!("{name}: {t}"), true);
                }
            }
        }
        Msg::ContextFailed { ctx, error } => {
            if let Some(c) = s.contexts.get_mut(ctx) {
                // Shown beside the context's name: not said twice.
                let prefix = format!("context {}: ", c.spec.name);
                let error = error.strip_prefix(&prefix).unwrap_or(&error);
                c.setup_error = Some(crate::util::sanitize::line(error, 300));
            }
        }
        Msg::Metrics { ctx, pods } => {
            if let Some(c) = s.contexts.get_mut(ctx) {
                match pods {
                    Ok(p) => c.data.set_usage(p),
                    Err(e) => {
                        c.data.metrics_error = Some(crate::util::sanitize::line(&e, 200));
                        c.data.rev += 1;
                    }
                }
            }
        }
        Msg::Log {
            stream, pod, line, ..
        } => {
            if let Some(l) = s.logs.as_mut()
                && l.owns(stream)
            {
                l.push(pod, line);
            }
        }
        Msg::LogEnded { stream, error, .. } => {
            if let Some(l) = s.logs.as_mut()
                && let Some(st) = l.streams.iter_mut().find(|st| st.id == stream)
            {
                st.ended = Some(error.unwrap_or_else(|| "stream ended".into()));
            }
        }
        Msg::Snapshots { ctx, result } => {
            if let Some(c) = s.contexts.get_mut(ctx) {
                c.data.set_snapshots(result);
            }
        }
        Msg::Discovered { ctx, result } => return super::browse::discovered(s, ctx, result),
        Msg::Table { ctx, browse, msg } => super::browse::ingest(s, ctx, browse, msg),
    }
    super::guard::check_progress(s)
}

pub fn probe(s: &mut State, m: crate::probe::Msg) -> Vec<Effect> {
    match m {
        crate::probe::Msg::Probed {
            id,
            request,
            verdict,
            at: _,
        } => {
            if let Some(ch) = s.health.record(&id, &request, verdict, s.now) {
                s.extras_rev += 1;
                s.transitions.push(
                    s.now,
                    Transition::Health {
                        ctx: ch.key.ctx,
                        namespace: ch.key.namespace.to_string(),
                        workload: ch.key.workload.to_string(),
                        endpoint: ch.key.name.to_string(),
                        from: ch.from,
                        to: ch.to,
                        reason: ch.reason,
                    },
                );
            }
        }
        crate::probe::Msg::Alerts { source, result, at } => alerts_read(s, source, result, at),
    }
    super::guard::check_progress(s)
}

/// The events about one object, newest first, as describe lists them.
fn events_of(s: &State, kind: &str, ns: &str, name: &str) -> Vec<String> {
    let mut evs: Vec<(&crate::cluster::kinds::EventRec, Ts)> = s
        .contexts
        .iter()
        .flat_map(|c| {
            crate::cluster::kinds::in_namespace(&c.data.kinds.events, ns).map(move |e| (e, c.skew))
        })
        .filter(|(e, _)| e.object_kind.eq_ignore_ascii_case(kind) && &*e.object_name == name)
        .collect();
    evs.sort_by_key(|(e, _)| std::cmp::Reverse(e.last));
    if evs.is_empty() {
        return vec!["Events:  <none>".into()];
    }
    let mut out = vec!["Events:".to_string()];
    for (e, skew) in evs.into_iter().take(20) {
        out.push(format!(
            "  {:>5} {:<8} {} {}",
            crate::util::age::age(s.now + skew, e.last),
            if e.warning { "Warning" } else { "Normal" },
            e.reason,
            e.message
        ));
    }
    out
}

pub fn done(s: &mut State, d: Done) -> Vec<Effect> {
    let mut fx = match d {
        Done::Access { ctx, results } => {
            super::guard::access_answered(s, ctx, results);
            Vec::new()
        }
        Done::Preflighted { flow, checks } => super::guard::preflighted(s, flow, checks),
        Done::Executed { flow, executed } => super::guard::executed(s, flow, executed),
        Done::ShellEnded { flow, ran } => super::guard::shell_ended(s, flow, ran),
        Done::LogsSaved { path, result } => {
            match result {
                Ok(()) => s.notify(format!("log saved to {}", path.display()), false),
                Err(e) => s.notify(format!("log not saved to {}: {e}", path.display()), true),
            }
            Vec::new()
        }
        Done::Audited { result, .. } => {
            super::guard::audited(s, result);
            Vec::new()
        }
        Done::Fetched { request, result } => {
            let events = s
                .yaml
                .as_ref()
                .filter(|y| y.request == request)
                .and_then(|y| y.events_of.clone())
                .map(|(kind, ns, name)| events_of(s, &kind, &ns, &name));
            if let Some(y) = s.yaml.as_mut()
                && y.request == request
            {
                y.lines = Some(result.map(|t| {
                    let mut lines = crate::util::sanitize::lines(&t, 20_000, 1000);
                    lines.extend(events.unwrap_or_default());
                    lines
                }));
            }
            Vec::new()
        }
    };
    fx.extend(super::guard::check_progress(s));
    fx
}

/// Takes one Alertmanager read: alerts that appeared or went away become transitions.
fn alerts_read(
    s: &mut State,
    source: crate::probe::alerts::AlertSource,
    result: Result<Vec<crate::probe::alerts::Alert>, String>,
    at: Ts,
) {
    let prev = s.alert_feeds.iter().position(|f| f.source == source);
    if let (Some(i), Ok(new)) = (prev, &result)
        && s.alert_feeds[i].read_at.is_some()
    {
        let old = &s.alert_feeds[i].alerts;
        let key = |a: &crate::probe::alerts::Alert| {
            if a.fingerprint.is_empty() {
                format!("{}|{:?}", a.name, a.labels)
            } else {
                a.fingerprint.clone()
            }
        };
        let old_keys: std::collections::HashSet<String> = old.iter().map(key).collect();
        let new_keys: std::collections::HashSet<String> = new.iter().map(key).collect();
        for a in new.iter().filter(|a| !old_keys.contains(&key(a))) {
            s.transitions.push(
                s.now,
                Transition::AlertFired {
                    ctx: source.ctx,
                    name: a.name.clone(),
                    namespace: a.namespace.clone().unwrap_or_default(),
                    severity: a.severity.clone(),
                    summary: a.summary.clone(),
                },
            );
        }
        for a in old.iter().filter(|a| !new_keys.contains(&key(a))) {
            s.transitions.push(
                s.now,
                Transition::AlertResolved {
                    ctx: source.ctx,
                    name: a.name.clone(),
                    namespace: a.namespace.clone().unwrap_or_default(),
                },
            );
        }
    } else if prev.is_none_or(|i| s.alert_feeds[i].read_at.is_none())
        && let Ok(new) = &result
    {
        // The first read: what is firing already is noted as such.
        for a in new {
            s.transitions.push(
                s.now,
                Transition::AlertFired {
                    ctx: source.ctx,
                    name: a.name.clone(),
                    namespace: a.namespace.clone().unwrap_or_default(),
                    severity: a.severity.clone(),
                    summary: a.summary.clone(),
                },
            );
        }
    }
    match prev {
        Some(i) => {
            let before = s.alert_feeds[i].clone();
            s.alert_feeds[i].update(result, at);
            let after = &s.alert_feeds[i];
            if before.alerts != after.alerts || before.error != after.error {
                s.extras_rev += 1;
            }
        }
        None => {
            s.alert_feeds
                .push(crate::fleet::alerts::AlertFeed::new(source, result, at));
            s.extras_rev += 1;
        }
    }
}
