//! `update`: applies a key (through the keymap), a message from a source, or a clock
//! tick to the state, and returns the effects to run. Synchronous and pure: tested
//! without a terminal or a cluster.

use std::sync::Arc;

use super::action::Action;
use super::command::{self, Command};
use super::effect::Effect;
use super::input::{Edit, LineInput};
use super::lists::{self, ListState, ListView, Scope, Target};
use super::logs::{self, LogsState, Stream};
use super::msg::{Msg, ResKind};
use super::state::{Input, Screen, State, YamlDoc};
use super::transitions::Transition;
use crate::cluster::model::{Ts, selector_of_map};
use crate::config::keymap::Key;
use crate::fleet::workloads::WorkloadKind;

/// Something happened.
#[derive(Debug)]
#[allow(clippy::large_enum_variant)] // moved once per message; boxing would add an allocation each
pub enum Event {
    Key(Key),
    Msg(Msg),
    /// The clock moved (Unix seconds).
    Tick(Ts),
    /// The list area now has room for this many rows.
    Page(usize),
}

pub fn update(s: &mut State, ev: Event) -> Vec<Effect> {
    match ev {
        Event::Key(k) => key(s, k),
        Event::Msg(m) => {
            let mut fx = msg(s, m);
            fx.extend(super::guard::check_progress(s));
            fx
        }
        Event::Tick(now) => {
            tick(s, now);
            let mut fx = super::guard::check_progress(s);
            // What the selected row's actions need is asked once the selection rests
            // (a tick a second), not for every row scrolled past.
            let t = current_target(s);
            fx.extend(super::guard::want_access(s, t.as_ref()));
            fx
        }
        Event::Page(h) => {
            s.page = h.max(1);
            if let Some(l) = s.list_mut() {
                l.scroll_into_view(h);
            }
            Vec::new()
        }
    }
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
        && let Ok(old) = &s.alert_feeds[i].result
    {
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
    } else if prev.is_none()
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
    let feed = crate::fleet::alerts::AlertFeed { source, result, at };
    match prev {
        Some(i) if s.alert_feeds[i].result == feed.result => s.alert_feeds[i].at = at,
        Some(i) => {
            s.alert_feeds[i] = feed;
            s.extras_rev += 1;
        }
        None => {
            s.alert_feeds.push(feed);
            s.extras_rev += 1;
        }
    }
}

fn tick(s: &mut State, now: Ts) {
    // Backup freshness and ages move with the clock: rebuild once a minute.
    if now / 60 != s.now / 60 {
        s.extras_rev += 1;
    }
    s.now = now;
    if s.notice.as_ref().is_some_and(|n| n.until <= now) {
        s.notice = None;
    }
    for c in s.contexts.iter_mut() {
        c.note_reach(now);
    }
}

fn msg(s: &mut State, m: Msg) -> Vec<Effect> {
    match m {
        Msg::Access { ctx, results } => super::guard::access_answered(s, ctx, results),
        Msg::Preflighted { flow, checks } => return super::guard::preflighted(s, flow, checks),
        Msg::Executed { flow, executed } => return super::guard::executed(s, flow, executed),
        Msg::Audited { result, .. } => super::guard::audited(s, result),
        Msg::Relisted { ctx, scope, feed } => {
            if let Some(c) = s.contexts.get_mut(ctx) {
                c.data.relist(scope.as_deref(), feed);
                c.note_reach(s.now);
            }
        }
        Msg::Applied { ctx, obj } => {
            if let Some(c) = s.contexts.get_mut(ctx) {
                c.data.apply(obj);
            }
        }
        Msg::Deleted {
            ctx,
            kind,
            namespace,
            name,
        } => {
            if let Some(c) = s.contexts.get_mut(ctx) {
                c.data.delete(kind, &namespace, &name);
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
            if let Some(c) = s.contexts.get_mut(ctx) {
                c.ping = Some(ok);
                if let Some(k) = skew {
                    c.skew = k;
                }
                c.note_reach(s.now);
            }
        }
        Msg::ContextFailed { ctx, error } => {
            if let Some(c) = s.contexts.get_mut(ctx) {
                c.setup_error = Some(crate::util::sanitize::line(&error, 300));
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
        Msg::Probed {
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
        Msg::Snapshots { ctx, result } => {
            if let Some(c) = s.contexts.get_mut(ctx) {
                c.data.set_snapshots(result);
            }
        }
        Msg::Alerts { source, result, at } => alerts_read(s, source, result, at),
        Msg::Fetched { request, result } => {
            if let Some(y) = s.yaml.as_mut()
                && y.request == request
            {
                y.lines = Some(result.map(|t| crate::util::sanitize::lines(&t, 20_000, 1000)));
            }
        }
    }
    Vec::new()
}

fn key(s: &mut State, k: Key) -> Vec<Effect> {
    if let Some(fx) = super::guard::key(s, &k) {
        return fx;
    }
    key_inner(s, k)
}

fn key_inner(s: &mut State, k: Key) -> Vec<Effect> {
    match std::mem::replace(&mut s.input, Input::None) {
        Input::None => {}
        Input::Filter(mut i) => {
            let edit = i.key(&k);
            match edit {
                Edit::Cancel => {
                    if let Some(l) = s.list_mut() {
                        l.filter.clear();
                    }
                    s.refresh_lists();
                }
                Edit::Submit => {}
                _ => {
                    if let Some(l) = s.list_mut() {
                        l.filter = i.text.clone();
                        l.selected = 0;
                        l.selected_key = None;
                    }
                    s.refresh_lists();
                    s.input = Input::Filter(i);
                }
            }
            return Vec::new();
        }
        Input::Search(mut i) => {
            match i.key(&k) {
                Edit::Cancel => {}
                Edit::Submit => {
                    let page = s.page;
                    if let Some(l) = s.logs.as_mut() {
                        l.search = i.text.clone();
                        l.current_match = None;
                        l.find(false, page);
                        if l.current_match.is_none() && !l.search.is_empty() {
                            let t = format!("no match for {:?}", l.search);
                            s.notify(t, false);
                        }
                    }
                }
                _ => s.input = Input::Search(i),
            }
            return Vec::new();
        }
        Input::Command(mut i) => {
            return match i.key(&k) {
                Edit::Cancel => Vec::new(),
                Edit::Submit => run_command(s, &i.text),
                Edit::Complete => {
                    let ctxs: Vec<String> =
                        s.contexts.iter().map(|c| c.spec.name.clone()).collect();
                    let cands = command::complete(&i.text, &s.namespaces(), &ctxs);
                    if cands.len() == 1 {
                        i = LineInput::with(&format!("{} ", cands[0]));
                    } else if let Some(p) = command::common_prefix(&cands)
                        && p.len() > i.text.len()
                    {
                        i = LineInput::with(&p);
                    }
                    s.input = Input::Command(i);
                    Vec::new()
                }
                _ => {
                    s.input = Input::Command(i);
                    Vec::new()
                }
            };
        }
    }
    if s.help {
        // Help takes navigation keys for scrolling; anything else closes it.
        return match s.keymap.action(s.mode(), &k) {
            Some(Action::Down) => {
                s.help_scroll += 1;
                Vec::new()
            }
            Some(Action::Up) => {
                s.help_scroll = s.help_scroll.saturating_sub(1);
                Vec::new()
            }
            Some(Action::Quit) => action(s, Action::Quit),
            _ => {
                s.help = false;
                Vec::new()
            }
        };
    }
    match s.keymap.action(s.mode(), &k) {
        Some(a) => action(s, a),
        None => Vec::new(),
    }
}

/// Applies an action.
pub fn action(s: &mut State, a: Action) -> Vec<Effect> {
    let page = s.page.max(1) as isize;
    match a {
        Action::Quit => {
            s.should_quit = true;
            let mut fx = stop_logs(s);
            fx.extend(super::guard::quitting(s));
            fx.push(Effect::Quit);
            fx
        }
        Action::Back => back(s),
        Action::Help => {
            s.help = !s.help;
            s.help_scroll = 0;
            Vec::new()
        }
        Action::Command => {
            s.input = Input::Command(LineInput::default());
            Vec::new()
        }
        Action::Filter => {
            match s.screen() {
                Screen::Logs => {
                    let cur = s
                        .logs
                        .as_ref()
                        .map(|l| l.search.clone())
                        .unwrap_or_default();
                    s.input = Input::Search(LineInput::with(&cur));
                }
                Screen::List(l) => s.input = Input::Filter(LineInput::with(&l.filter)),
                _ => {}
            }
            Vec::new()
        }
        Action::Up => movement(s, -1),
        Action::Down => movement(s, 1),
        Action::PageUp => movement(s, -page),
        Action::PageDown => movement(s, page),
        Action::Top => movement(s, isize::MIN / 2),
        Action::Bottom => movement(s, isize::MAX / 2),
        Action::Select => select(s),
        Action::Describe => match current_target(s) {
            Some(t) => {
                open(
                    s,
                    Screen::Describe {
                        target: t,
                        scroll: 0,
                    },
                );
                Vec::new()
            }
            None => Vec::new(),
        },
        Action::Yaml => match current_target(s) {
            Some(t) => {
                let request = s.next_id();
                s.yaml = Some(YamlDoc {
                    request,
                    lines: None,
                });
                let fx = vec![Effect::FetchYaml {
                    request,
                    ctx: t.ctx,
                    kind: t.kind,
                    namespace: t.namespace.to_string(),
                    name: t.name.to_string(),
                }];
                open(
                    s,
                    Screen::Yaml {
                        target: t,
                        request,
                        scroll: 0,
                    },
                );
                fx
            }
            None => Vec::new(),
        },
        Action::Logs => match current_target(s) {
            Some(t) => open_logs(s, &t, false),
            None => Vec::new(),
        },
        Action::NextView | Action::PrevView => {
            let cur = ListView::ALL
                .iter()
                .position(|v| *v == s.top_view())
                .unwrap_or(0);
            let n = ListView::ALL.len();
            let next = if a == Action::NextView {
                (cur + 1) % n
            } else {
                (cur + n - 1) % n
            };
            switch_view(s, ListView::ALL[next])
        }
        Action::ViewOverview => switch_view(s, ListView::Overview),
        Action::ViewPods => switch_view(s, ListView::Pods),
        Action::ViewWorkloads => switch_view(s, ListView::Workloads),
        Action::ViewHpas => switch_view(s, ListView::Hpas),
        Action::ViewEvents => switch_view(s, ListView::Events),
        Action::ViewServices => switch_view(s, ListView::Services),
        Action::ViewResources => switch_view(s, ListView::Resources),
        Action::ViewHealth => switch_view(s, ListView::Health),
        Action::ViewBackups => switch_view(s, ListView::Backups),
        Action::ViewAlerts => switch_view(s, ListView::Alerts),
        Action::ProbeAll => probe_all(s),
        Action::ViewAudit => {
            if !matches!(s.screen(), Screen::Audit { .. }) {
                s.screens.push(Screen::Audit { scroll: 0 });
            }
            Vec::new()
        }
        Action::ActionMenu => {
            let t = current_target(s);
            super::guard::open_menu(s, t)
        }
        Action::ActScale
        | Action::ActRollback
        | Action::ActRestart
        | Action::ActPause
        | Action::ActBreaker
        | Action::ActTraffic
        | Action::ActBackup
        | Action::ActUndo => {
            let t = current_target(s);
            super::guard::start(s, a, t)
        }
        Action::ToggleCompleted => {
            s.show_completed = !s.show_completed;
            let t = if s.show_completed {
                "showing completed pods"
            } else {
                "hiding completed pods"
            };
            s.notify(t, false);
            s.refresh_lists();
            Vec::new()
        }
        Action::LogsPause => {
            if let Some(l) = s.logs.as_mut() {
                if l.paused {
                    l.follow();
                } else {
                    l.paused = true;
                }
            }
            Vec::new()
        }
        Action::LogsFollow => {
            if let Some(l) = s.logs.as_mut() {
                l.follow();
            }
            Vec::new()
        }
        Action::LogsWrap => {
            if let Some(l) = s.logs.as_mut() {
                l.wrap = !l.wrap;
            }
            Vec::new()
        }
        Action::LogsPrevious => restart_logs(s, true),
        Action::SearchNext | Action::SearchPrev => {
            let page = s.page;
            if let Some(l) = s.logs.as_mut() {
                l.find(a == Action::SearchNext, page);
            }
            Vec::new()
        }
    }
}

fn movement(s: &mut State, delta: isize) -> Vec<Effect> {
    let page = s.page;
    let records = s.audit.len();
    match s.screen_mut() {
        Screen::List(_) => {
            let fleet = std::mem::take(&mut s.fleet);
            if let Some(l) = s.list_mut() {
                l.move_by(delta, &fleet);
                l.scroll_into_view(page);
            }
            s.fleet = fleet;
        }
        Screen::Describe { scroll, .. } | Screen::Yaml { scroll, .. } => {
            *scroll = (*scroll as isize + delta).max(0) as usize;
        }
        Screen::Audit { scroll } => {
            let max = records.saturating_sub(1) as isize;
            *scroll = (*scroll as isize + delta).clamp(0, max.max(0)) as usize;
        }
        Screen::Logs => {
            if let Some(l) = s.logs.as_mut() {
                let max = l.lines.len().saturating_sub(1) as isize;
                // Up scrolls back (away from the tail).
                let next = (l.scroll as isize - delta).clamp(0, max.max(0));
                l.scroll = next as usize;
                l.paused = l.scroll > 0;
            }
        }
    }
    Vec::new()
}

fn back(s: &mut State) -> Vec<Effect> {
    if let Screen::List(l) = s.screen_mut()
        && !l.filter.is_empty()
    {
        l.filter.clear();
        s.refresh_lists();
        return Vec::new();
    }
    if s.screens.len() > 1 {
        let leaving = s.screens.pop();
        let mut fx = Vec::new();
        if leaving == Some(Screen::Logs) {
            fx = stop_logs(s);
        }
        if matches!(leaving, Some(Screen::Yaml { .. })) {
            s.yaml = None;
        }
        s.refresh_lists();
        return fx;
    }
    if s.scope_namespace.is_some() || s.scope_context.is_some() {
        s.scope_namespace = None;
        s.scope_context = None;
        s.notify("showing all namespaces and contexts", false);
        s.refresh_lists();
    }
    Vec::new()
}

fn open(s: &mut State, screen: Screen) {
    // Detail screens replace each other rather than piling up.
    if matches!(s.screen(), Screen::Describe { .. } | Screen::Yaml { .. })
        && matches!(screen, Screen::Describe { .. } | Screen::Yaml { .. })
    {
        s.screens.pop();
    }
    s.screens.push(screen);
}

fn switch_view(s: &mut State, v: ListView) -> Vec<Effect> {
    let mut fx = Vec::new();
    if s.screens.contains(&Screen::Logs) {
        fx = stop_logs(s);
    }
    s.yaml = None;
    if let Screen::List(cur) = &s.screens[0] {
        s.saved.insert(cur.view, cur.clone());
    }
    let next = s
        .saved
        .remove(&v)
        .unwrap_or_else(|| ListState::new(v, None));
    s.screens = vec![Screen::List(next)];
    s.refresh_lists();
    fx
}

fn current_target(s: &State) -> Option<Target> {
    match s.screen() {
        Screen::List(l) => lists::target(l.view, &s.fleet, l.current()?),
        Screen::Describe { target, .. } | Screen::Yaml { target, .. } => Some(target.clone()),
        Screen::Logs | Screen::Audit { .. } => None,
    }
}

fn select(s: &mut State) -> Vec<Effect> {
    let Some(l) = s.list() else { return Vec::new() };
    let Some(i) = l.current() else {
        return Vec::new();
    };
    let view = l.view;
    let scope = match view {
        ListView::Overview | ListView::Workloads => {
            let r = &s.fleet.workloads[i];
            Some(Scope::Workload {
                ctx: r.ctx,
                namespace: r.namespace.clone(),
                workload: format!("{}/{}", r.kind.short(), r.name),
            })
        }
        ListView::Services => {
            let r = &s.fleet.services[i];
            let sel = s
                .contexts
                .get(r.ctx)
                .and_then(|c| c.data.services.get(&(r.namespace.clone(), r.name.clone())))
                .and_then(|svc| svc.selector.clone())
                .filter(|m| !m.is_empty());
            sel.map(|m| Scope::Selector {
                ctx: r.ctx,
                namespace: r.namespace.clone(),
                selector: selector_of_map(&m),
                title: format!("svc/{}", r.name),
            })
        }
        ListView::Resources if s.fleet.usage[i].is_workload => {
            let r = &s.fleet.usage[i];
            Some(Scope::Workload {
                ctx: r.ctx,
                namespace: r.namespace.clone(),
                workload: r.name.to_string(),
            })
        }
        _ => None,
    };
    match scope {
        Some(sc) => {
            s.screens
                .push(Screen::List(ListState::new(ListView::Pods, Some(sc))));
            s.refresh_lists();
            Vec::new()
        }
        None => action(s, Action::Describe),
    }
}

fn stop_logs(s: &mut State) -> Vec<Effect> {
    let fx = s
        .logs
        .as_ref()
        .map(|l| {
            l.streams
                .iter()
                .map(|st| Effect::StopLogs { stream: st.id })
                .collect()
        })
        .unwrap_or_default();
    s.logs = None;
    s.screens.retain(|sc| *sc != Screen::Logs);
    fx
}

/// A log view's title and the (pod, container) pairs it follows.
type LogSources = (String, Vec<(Arc<str>, String)>);

/// The pods and containers to follow for a target.
fn log_sources(s: &State, t: &Target) -> Result<LogSources, String> {
    let c = s.contexts.get(t.ctx).ok_or("unknown context")?;
    match t.kind {
        ResKind::Pod => {
            let p = c
                .data
                .pods
                .get(&(t.namespace.clone(), t.name.clone()))
                .ok_or_else(|| format!("pod {} is gone", t.name))?;
            let container = p
                .default_container
                .as_deref()
                .filter(|d| p.containers.iter().any(|c| c.name.as_ref() == *d))
                .or(p.containers.first().map(|c| c.name.as_ref()))
                .ok_or("the pod has no containers")?;
            Ok((
                format!("{}/{} [{}]", t.namespace, t.name, container),
                vec![(p.name.clone(), container.to_string())],
            ))
        }
        ResKind::Deployment | ResKind::StatefulSet => {
            let kind = if t.kind == ResKind::Deployment {
                WorkloadKind::Deployment
            } else {
                WorkloadKind::StatefulSet
            };
            let wl = format!("{}/{}", kind.short(), t.name);
            let mut pods: Vec<(Arc<str>, String)> =
                crate::fleet::workloads::pods_of(&c.data, kind, &t.namespace, &t.name)
                    .into_iter()
                    .filter(|p| !p.completed())
                    .filter_map(|rec| {
                        let container = rec
                            .default_container
                            .as_deref()
                            .or(rec.containers.first().map(|c| c.name.as_ref()))?
                            .to_string();
                        Some((rec.name.clone(), container))
                    })
                    .collect();
            if pods.is_empty() {
                return Err(format!("{wl} has no pods"));
            }
            pods.truncate(logs::MAX_PODS);
            Ok((
                format!("{}/{} ({} pods)", t.namespace, wl, pods.len()),
                pods,
            ))
        }
        ResKind::CronJob | ResKind::Job => {
            let job = if t.kind == ResKind::CronJob {
                backup_job(c, &t.namespace, &t.name)
                    .ok_or_else(|| format!("cronjob/{} has no runs", t.name))?
            } else {
                t.name.clone()
            };
            let pods: Vec<(Arc<str>, String)> =
                crate::app::store::in_namespace(&c.data.pods, &t.namespace)
                    .filter(|p| {
                        p.owner.as_ref().is_some_and(|o| {
                            o.kind == crate::cluster::model::OwnerKind::Job && o.name == job
                        })
                    })
                    .filter_map(|p| {
                        let container = p
                            .default_container
                            .as_deref()
                            .or(p.containers.first().map(|c| c.name.as_ref()))?
                            .to_string();
                        Some((p.name.clone(), container))
                    })
                    .take(logs::MAX_PODS)
                    .collect();
            if pods.is_empty() {
                return Err(format!("job/{job} has no pods left"));
            }
            Ok((format!("{}/job/{job}", t.namespace), pods))
        }
        _ => Err(format!("no logs for {}", t.kind.plural())),
    }
}

/// Toggles probing every ready pod (instead of a sample) of the selected workload.
fn probe_all(s: &mut State) -> Vec<Effect> {
    let Some(t) = current_target(s) else {
        return Vec::new();
    };
    let kind = match t.kind {
        ResKind::Deployment => WorkloadKind::Deployment,
        ResKind::StatefulSet => WorkloadKind::StatefulSet,
        _ => {
            s.notify("select a workload to probe all of its pods", true);
            return Vec::new();
        }
    };
    let wl: Arc<str> = Arc::from(format!("{}/{}", kind.short(), t.name));
    let k = (t.ctx, t.namespace.clone(), wl.clone());
    let msg = if s.probe_all.remove(&k) {
        format!("probing a sample of {wl}'s pods again")
    } else {
        s.probe_all.insert(k);
        format!("probing every ready pod of {wl}")
    };
    s.notify(msg, false);
    s.extras_rev += 1;
    s.refresh();
    Vec::new()
}

/// The Job to show logs of for a backup CronJob: its newest failed run, else its
/// newest run.
fn backup_job(c: &crate::app::state::ContextState, ns: &str, cronjob: &str) -> Option<Arc<str>> {
    use crate::cluster::model::{JobOutcome, OwnerKind};
    let mut jobs: Vec<_> = crate::app::store::in_namespace(&c.data.jobs, ns)
        .filter(|j| {
            j.meta
                .owner
                .as_ref()
                .is_some_and(|o| o.kind == OwnerKind::CronJob && o.name.as_ref() == cronjob)
        })
        .collect();
    jobs.sort_by_key(|j| std::cmp::Reverse(j.start.unwrap_or(j.meta.created)));
    jobs.iter()
        .find(|j| j.outcome == JobOutcome::Failed)
        .or(jobs.first())
        .map(|j| j.meta.name.clone())
}

pub(crate) fn open_logs(s: &mut State, t: &Target, previous: bool) -> Vec<Effect> {
    let (title, pods) = match log_sources(s, t) {
        Ok(x) => x,
        Err(e) => {
            s.notify(e, true);
            return Vec::new();
        }
    };
    let mut fx = stop_logs(s);
    let mut l = LogsState::new(t.ctx, t.namespace.clone(), title, pods.len() > 1);
    l.previous = previous;
    for (pod, container) in pods {
        let id = s.next_id();
        l.streams.push(Stream {
            id,
            pod: pod.clone(),
            container: container.clone(),
            ended: None,
        });
        fx.push(Effect::StartLogs {
            stream: id,
            ctx: t.ctx,
            namespace: t.namespace.to_string(),
            pod,
            container,
            tail: 200,
            previous,
        });
    }
    s.logs = Some(l);
    // Keep the target's screen under the logs so `back` returns to it.
    s.screens.push(Screen::Logs);
    fx
}

fn restart_logs(s: &mut State, previous: bool) -> Vec<Effect> {
    let Some(l) = s.logs.as_ref() else {
        return Vec::new();
    };
    let Some(first) = l.streams.first() else {
        return Vec::new();
    };
    let target = Target {
        ctx: l.ctx,
        kind: ResKind::Pod,
        namespace: l.namespace.clone(),
        name: first.pod.clone(),
    };
    let previous = previous && !l.previous;
    s.screens.pop();
    open_logs(s, &target, previous)
}

fn run_command(s: &mut State, line: &str) -> Vec<Effect> {
    match command::parse(line) {
        Ok(Command::View(v, ns)) => {
            let fx = switch_view(s, v);
            if let Some(ns) = ns {
                s.scope_namespace = ns;
                s.refresh_lists();
            }
            fx
        }
        Ok(Command::Namespace(ns)) => {
            s.scope_namespace = ns.clone();
            let t = match ns {
                Some(n) => format!("namespace {n}"),
                None => "all namespaces".into(),
            };
            s.notify(t, false);
            s.refresh_lists();
            Vec::new()
        }
        Ok(Command::Context(c)) => {
            match c {
                None => s.scope_context = None,
                Some(name) => match s.contexts.iter().position(|c| c.spec.name == name) {
                    Some(i) => s.scope_context = Some(i),
                    None => {
                        s.notify(format!("unknown context {name:?}"), true);
                        return Vec::new();
                    }
                },
            }
            s.refresh_lists();
            Vec::new()
        }
        Ok(Command::Quit) => action(s, Action::Quit),
        Ok(Command::Help) => {
            s.help = true;
            Vec::new()
        }
        Ok(Command::Audit) => action(s, Action::ViewAudit),
        Err(e) => {
            s.notify(e, true);
            Vec::new()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::app::msg::{Applied, Feed};
    use crate::app::testkit::{self, pod, state};
    use crate::config::keymap::Code;

    fn press(s: &mut State, keys: &str) -> Vec<Effect> {
        let mut fx = Vec::new();
        for c in keys.chars() {
            let k = if c == ' ' {
                Key::plain(Code::Space)
            } else {
                Key::char(c)
            };
            fx.extend(update(s, Event::Key(k)));
        }
        fx
    }

    fn key(s: &mut State, code: Code) -> Vec<Effect> {
        update(s, Event::Key(Key::plain(code)))
    }

    fn selected_name(s: &State) -> String {
        let l = s.list().expect("a list");
        lists::key(l.view, &s.fleet, l.current().expect("a selection")).2
    }

    #[test]
    fn overview_puts_the_failing_rollout_first() {
        let s = state();
        let first = &s.fleet.workloads[0];
        assert_eq!(testkit::name(&first.name), "api");
        assert_eq!(first.assessment.severity, crate::fleet::Severity::Critical);
        assert!(
            first.assessment.headline().contains("crashing"),
            "{:?}",
            first.assessment
        );
        // Then the warning (old event is not recent, so batch is ok), then ok rows by name.
        let names: Vec<&str> = s.fleet.workloads.iter().map(|w| w.name.as_ref()).collect();
        assert_eq!(names, vec!["api", "batch", "web"]);
    }

    #[test]
    fn navigation_moves_and_clamps() {
        let mut s = state();
        assert_eq!(selected_name(&s), "deploy/api");
        press(&mut s, "j");
        assert_eq!(selected_name(&s), "deploy/batch");
        press(&mut s, "jjjj");
        assert_eq!(selected_name(&s), "deploy/web");
        press(&mut s, "g");
        assert_eq!(selected_name(&s), "deploy/api");
        press(&mut s, "G");
        assert_eq!(selected_name(&s), "deploy/web");
        key(&mut s, Code::Up);
        assert_eq!(selected_name(&s), "deploy/batch");
    }

    #[test]
    fn selection_follows_the_object_when_rows_resort() {
        let mut s = state();
        press(&mut s, "G");
        assert_eq!(selected_name(&s), "deploy/web");
        // web breaks: it sorts to the top; the selection stays on it.
        update(
            &mut s,
            Event::Msg(Msg::Applied {
                ctx: 0,
                obj: Applied::Deployment(testkit::deployment(
                    "shop",
                    "web",
                    2,
                    0,
                    1,
                    ("False", "ProgressDeadlineExceeded"),
                )),
            }),
        );
        s.refresh();
        assert_eq!(selected_name(&s), "deploy/web");
        // It moved up among the critical rows, and the selection moved with it.
        assert!(s.fleet.workloads[1].name.as_ref() == "web" && s.list().unwrap().selected == 1);
    }

    #[test]
    fn an_untouched_selection_stays_on_the_worst_row() {
        let mut s = state();
        // Nothing selected by hand: web breaking worse than api puts web on top, and
        // the cursor with it.
        let mut bad = testkit::deployment(
            "shop",
            "web",
            2,
            0,
            1,
            ("False", "ProgressDeadlineExceeded"),
        );
        bad.desired = 9;
        update(
            &mut s,
            Event::Msg(Msg::Applied {
                ctx: 0,
                obj: Applied::Deployment(bad),
            }),
        );
        s.refresh();
        assert_eq!(s.list().unwrap().selected, 0);
        assert_eq!(
            selected_name(&s),
            lists::key(
                ListView::Overview,
                &s.fleet,
                s.fleet.workloads.iter().position(|_| true).unwrap()
            )
            .2
        );
    }

    #[test]
    fn filter_narrows_live_and_esc_clears() {
        let mut s = state();
        press(&mut s, "/");
        assert!(matches!(s.input, Input::Filter(_)));
        press(&mut s, "ops");
        assert_eq!(s.list().unwrap().visible.len(), 1);
        assert_eq!(selected_name(&s), "deploy/batch");
        key(&mut s, Code::Enter);
        assert_eq!(s.input, Input::None);
        assert_eq!(s.list().unwrap().filter, "ops");
        key(&mut s, Code::Esc);
        assert_eq!(s.list().unwrap().filter, "");
        assert_eq!(s.list().unwrap().visible.len(), 3);
    }

    #[test]
    fn enter_drills_into_a_workloads_pods_and_esc_returns() {
        let mut s = state();
        key(&mut s, Code::Enter);
        let l = s.list().unwrap();
        assert_eq!(l.view, ListView::Pods);
        let pods: Vec<String> = l
            .visible
            .iter()
            .map(|&i| s.fleet.pods[i].name.to_string())
            .collect();
        assert_eq!(pods.len(), 3, "{pods:?}");
        assert_eq!(pods[0], "api-new-1", "the crash-looping pod first");
        key(&mut s, Code::Enter);
        assert!(matches!(s.screen(), Screen::Describe { .. }));
        key(&mut s, Code::Esc);
        key(&mut s, Code::Esc);
        assert_eq!(s.list().unwrap().view, ListView::Overview);
    }

    #[test]
    fn views_switch_by_number_tab_and_command() {
        let mut s = state();
        press(&mut s, "2");
        assert_eq!(s.top_view(), ListView::Pods);
        key(&mut s, Code::Tab);
        assert_eq!(s.top_view(), ListView::Workloads);
        press(&mut s, ":ev");
        key(&mut s, Code::Enter);
        assert_eq!(s.top_view(), ListView::Events);
        // Warnings first, newest first.
        assert!(s.fleet.events[0].warning);
        press(&mut s, ":ns ops");
        key(&mut s, Code::Enter);
        assert_eq!(s.scope_namespace.as_deref(), Some("ops"));
        assert!(
            s.list()
                .unwrap()
                .visible
                .iter()
                .all(|&i| s.fleet.events[i].namespace.as_ref() == "ops")
        );
        press(&mut s, ":nope");
        key(&mut s, Code::Enter);
        assert!(
            s.notice
                .as_ref()
                .is_some_and(|n| n.error && n.text.contains("unknown command"))
        );
    }

    #[test]
    fn command_line_completes_namespaces() {
        let mut s = state();
        update(
            &mut s,
            Event::Msg(testkit::relist(
                0,
                Feed::Namespaces(vec![
                    crate::cluster::model::NamespaceRec {
                        name: "shop".into(),
                        terminating: false,
                        labels: Default::default(),
                    },
                    crate::cluster::model::NamespaceRec {
                        name: "ops".into(),
                        terminating: false,
                        labels: Default::default(),
                    },
                ]),
            )),
        );
        press(&mut s, ":ns s");
        key(&mut s, Code::Tab);
        match &s.input {
            Input::Command(i) => assert_eq!(i.text, "ns shop "),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn completed_pods_are_hidden_until_toggled() {
        let mut s = state();
        let mut done = pod("ops", "job-1", "x", None, 0);
        done.phase = "Succeeded".into();
        update(
            &mut s,
            Event::Msg(Msg::Applied {
                ctx: 0,
                obj: Applied::Pod(done),
            }),
        );
        s.refresh();
        press(&mut s, "2");
        let n = s.list().unwrap().visible.len();
        press(&mut s, "c");
        assert_eq!(s.list().unwrap().visible.len(), n + 1);
    }

    #[test]
    fn logs_start_streams_and_back_stops_them() {
        let mut s = state();
        press(&mut s, "2");
        // The first pod is the crash-looping one.
        let fx = press(&mut s, "l");
        let stream = match &fx[..] {
            [
                Effect::StartLogs {
                    stream,
                    pod,
                    container,
                    ..
                },
            ] => {
                assert_eq!((pod.as_ref(), container.as_str()), ("api-new-1", "app"));
                *stream
            }
            other => panic!("{other:?}"),
        };
        assert_eq!(*s.screen(), Screen::Logs);
        update(
            &mut s,
            Event::Msg(Msg::Log {
                stream,
                pod: "api-new-1".into(),
                container: "app".into(),
                line: "boom".into(),
            }),
        );
        update(
            &mut s,
            Event::Msg(Msg::Log {
                stream: 999,
                pod: "other".into(),
                container: "app".into(),
                line: "not ours".into(),
            }),
        );
        assert_eq!(s.logs.as_ref().unwrap().lines.len(), 1);
        press(&mut s, " ");
        assert!(s.logs.as_ref().unwrap().paused);
        let fx = key(&mut s, Code::Esc);
        assert_eq!(fx, vec![Effect::StopLogs { stream }]);
        assert!(s.logs.is_none());
        assert_eq!(s.top_view(), ListView::Pods);
    }

    #[test]
    fn workload_logs_merge_every_pod() {
        let mut s = state();
        let fx = press(&mut s, "l");
        assert_eq!(
            fx.iter()
                .filter(|f| matches!(f, Effect::StartLogs { .. }))
                .count(),
            3
        );
        assert!(s.logs.as_ref().unwrap().prefixed);
    }

    #[test]
    fn yaml_fetches_and_shows_the_answer() {
        let mut s = state();
        let fx = press(&mut s, "y");
        let request = match &fx[..] {
            [
                Effect::FetchYaml {
                    request,
                    name,
                    namespace,
                    ..
                },
            ] => {
                assert_eq!((name.as_str(), namespace.as_str()), ("api", "shop"));
                *request
            }
            other => panic!("{other:?}"),
        };
        update(
            &mut s,
            Event::Msg(Msg::Fetched {
                request,
                result: Ok("kind: Deployment\n\u{1b}[2Jmetadata:".into()),
            }),
        );
        let lines = s.yaml.as_ref().unwrap().lines.clone().unwrap().unwrap();
        assert_eq!(lines, vec!["kind: Deployment", "metadata:"]);
    }

    #[test]
    fn help_toggles_and_quit_stops_everything() {
        let mut s = state();
        press(&mut s, "?");
        assert!(s.help);
        press(&mut s, "x");
        assert!(!s.help);
        let fx = press(&mut s, "q");
        assert!(s.should_quit);
        assert_eq!(fx, vec![Effect::Quit]);
    }

    #[test]
    fn context_goes_stale_and_recovers() {
        let mut s = state();
        update(
            &mut s,
            Event::Msg(Msg::Reachable {
                ctx: 0,
                ok: Err("connection refused".into()),
                skew: None,
            }),
        );
        update(&mut s, Event::Tick(testkit::NOW + 5));
        match s.contexts[0].reach() {
            crate::app::state::Reach::Stale { reason, .. } => {
                assert!(reason.contains("connection refused"))
            }
            other => panic!("{other:?}"),
        }
        update(
            &mut s,
            Event::Msg(Msg::Reachable {
                ctx: 0,
                ok: Ok(()),
                skew: Some(3),
            }),
        );
        assert_eq!(s.contexts[0].reach(), crate::app::state::Reach::Live);
        assert_eq!(s.ctx_now(0), testkit::NOW + 5 + 3);
    }
}
