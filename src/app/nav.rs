//! Moving around: the selection and scrolling, going back (clear the filter, close a
//! screen, widen the scope), opening a screen, switching the top-level view, what the
//! selection stands for, and Enter (drill into a row's pods or its details).

use super::apply::apply;
use super::command::Command;
use super::effect::Effect;
use super::lists::{self, ListState, ListView, Scope, Target};
use super::logs::stop_logs;
use super::state::{Screen, State};
use crate::cluster::kinds::selector_of_map;

pub fn movement(s: &mut State, delta: isize) -> Vec<Effect> {
    let page = s.page;
    let records = s.audit.len();
    // The timeline's entries as shown (narrowed by its filter).
    let seen = match s.screen() {
        Screen::Timeline { filter, .. } => s.timeline_shown(filter).len(),
        _ => 0,
    };
    let forwards = s.forwards.len();
    match s.screen_mut() {
        Screen::List(_) => {
            let fleet = std::mem::take(&mut s.fleet);
            if let Some(l) = s.list_mut() {
                l.move_by(delta, &fleet);
                l.scroll_into_view(page);
            }
            s.fleet = fleet;
        }
        Screen::Describe { scroll, .. }
        | Screen::Yaml { scroll, .. }
        | Screen::Entry { scroll, .. } => {
            *scroll = (*scroll as isize + delta).max(0) as usize;
        }
        Screen::Forwards { selected } => {
            let max = forwards.saturating_sub(1) as isize;
            *selected = (*selected as isize + delta).clamp(0, max.max(0)) as usize;
        }
        Screen::Audit { scroll } => {
            let max = records.saturating_sub(1) as isize;
            *scroll = (*scroll as isize + delta).clamp(0, max.max(0)) as usize;
        }
        Screen::Timeline { scroll, .. } => {
            let max = seen.saturating_sub(1) as isize;
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

pub fn back(s: &mut State) -> Vec<Effect> {
    if let Screen::List(l) = s.screen_mut()
        && !l.filter.is_empty()
    {
        l.filter.clear();
        s.refresh_lists();
        return Vec::new();
    }
    if let Screen::Timeline { filter, scroll } = s.screen_mut()
        && !filter.is_empty()
    {
        filter.clear();
        *scroll = 0;
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

pub fn open(s: &mut State, screen: Screen) {
    // Detail screens replace each other rather than piling up.
    if matches!(s.screen(), Screen::Describe { .. } | Screen::Yaml { .. })
        && matches!(screen, Screen::Describe { .. } | Screen::Yaml { .. })
    {
        s.screens.pop();
    }
    s.screens.push(screen);
}

pub fn switch_view(s: &mut State, v: ListView) -> Vec<Effect> {
    let mut fx = Vec::new();
    if s.screens.contains(&Screen::Logs) {
        fx = stop_logs(s);
    }
    s.yaml = None;
    if let Screen::List(cur) = &s.screens[0] {
        match cur.view {
            // A browsed list ends when its view is left (not when a new browse
            // has already taken its place).
            ListView::Table(id)
                if cur.view != v && s.browse.as_ref().is_some_and(|b| b.id == id) =>
            {
                fx.extend(super::browse::close(s))
            }
            ListView::Table(_) => {}
            _ => {
                s.saved.insert(cur.view, cur.clone());
            }
        }
    }
    let next = s
        .saved
        .remove(&v)
        .unwrap_or_else(|| ListState::new(v, None));
    s.screens = vec![Screen::List(next)];
    s.refresh_lists();
    fx
}

pub fn current_target(s: &State) -> Option<Target> {
    match s.screen() {
        Screen::List(l) => lists::target(l.view, &s.fleet, l.current()?),
        Screen::Describe { target, .. } => Some(target.clone()),
        Screen::Yaml { target, .. } => target.clone(),
        Screen::Entry { item, .. } => entry_target(item),
        Screen::Logs | Screen::Audit { .. } | Screen::Timeline { .. } | Screen::Forwards { .. } => {
            None
        }
    }
}

/// The object a timeline entry is about, as a target the detail keys act on.
pub fn entry_target(item: &crate::app::record::timeline::Item) -> Option<Target> {
    let (kind, name) = item.object.as_deref()?.split_once('/')?;
    Some(Target {
        ctx: item.ctx?,
        kind: super::transitions::short_kind(kind)?,
        namespace: item.namespace.as_str().into(),
        name: name.into(),
    })
}

pub fn select(s: &mut State) -> Vec<Effect> {
    if let Screen::Timeline { scroll, filter } = s.screen() {
        let items = s.timeline_shown(filter);
        let at = (*scroll).min(items.len().saturating_sub(1));
        if let Some(item) = items.into_iter().nth(at) {
            open(
                s,
                Screen::Entry {
                    item: Box::new(item),
                    scroll: 0,
                },
            );
        }
        return Vec::new();
    }
    let Some(l) = s.list() else { return Vec::new() };
    let Some(i) = l.current() else {
        return Vec::new();
    };
    let view = l.view;
    let scope = match view {
        ListView::Overview | ListView::Workloads
            if s.fleet.workloads[i].kind == crate::fleet::workloads::WorkloadKind::Ingress =>
        {
            None
        }
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
                .and_then(|c| {
                    c.data
                        .kinds
                        .services
                        .get(&(r.namespace.clone(), r.name.clone()))
                })
                .and_then(|svc| svc.selector.clone())
                .filter(|m| !m.is_empty());
            sel.map(|m| Scope::Selector {
                ctx: r.ctx,
                namespace: r.namespace.clone(),
                selector: selector_of_map(&m),
                title: format!("svc/{}", r.name),
            })
        }
        ListView::Kind(k) => return drill(s, k, i),
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
        None => apply(s, Command::Describe),
    }
}

/// Enter on a first-class kind's row: where its declaration leads (its pods, a
/// related object, a namespace), else its describe page.
fn drill(s: &mut State, k: crate::cluster::kinds::ResKind, i: usize) -> Vec<Effect> {
    use crate::cluster::kinds::Drill;
    let Some(row) = s.fleet.kinds.get(&k).and_then(|r| r.get(i)).cloned() else {
        return Vec::new();
    };
    let Some(c) = s.contexts.get(row.ctx) else {
        return Vec::new();
    };
    let scope = match crate::fleet::kinds::drill(k, &c.data.kinds, &row.key) {
        Some(Drill::Pods { selector, title }) => Scope::Selector {
            ctx: row.ctx,
            namespace: row.key.0.clone(),
            selector,
            title,
        },
        Some(Drill::NodePods { node }) => Scope::Node { ctx: row.ctx, node },
        Some(Drill::Object {
            kind,
            namespace,
            name,
        }) => {
            let target = Target {
                ctx: row.ctx,
                kind,
                namespace,
                name,
            };
            let fx = super::apply::pod_detail(s, &target);
            open(s, Screen::Describe { target, scroll: 0 });
            return fx;
        }
        Some(Drill::Namespace(ns)) => {
            s.scope_namespace = Some(ns.to_string());
            s.notify(format!("namespace {ns}"), false);
            return switch_view(s, ListView::Pods);
        }
        None => return apply(s, Command::Describe),
    };
    s.screens
        .push(Screen::List(ListState::new(ListView::Pods, Some(scope))));
    s.refresh_lists();
    Vec::new()
}
