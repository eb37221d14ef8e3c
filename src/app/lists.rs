//! List screens over the fleet's rows: which view, an optional scope (the pods of one
//! workload or service), the filter, the visible rows (recomputed when data or
//! filter change), and a selection that stays on the same object as rows re-sort.

use std::sync::Arc;

use super::state::ContextState;
use crate::cluster::kinds::ResKind;
use crate::cluster::kinds::selector_matches;
use crate::cluster::msg::CtxId;
use crate::fleet::Fleet;
use crate::fleet::workloads::WorkloadKind;
use crate::util::selector::LabelSelector;

#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ListView {
    Overview,
    Pods,
    Workloads,
    Hpas,
    Events,
    Services,
    Resources,
    Health,
    Backups,
    Alerts,
    /// A first-class kind's own list (ConfigMaps, Nodes, Ingresses…).
    Kind(ResKind),
    /// A resource browsed through the servers' Table output (by browse id).
    Table(u64),
}

impl ListView {
    /// The top-level views in tab order.
    pub const ALL: [ListView; 10] = [
        ListView::Overview,
        ListView::Pods,
        ListView::Workloads,
        ListView::Hpas,
        ListView::Events,
        ListView::Services,
        ListView::Resources,
        ListView::Health,
        ListView::Backups,
        ListView::Alerts,
    ];

    pub fn title(self) -> &'static str {
        match self {
            ListView::Overview => "Overview",
            ListView::Pods => "Pods",
            ListView::Workloads => "Workloads",
            ListView::Hpas => "HPAs",
            ListView::Events => "Events",
            ListView::Services => "Services",
            ListView::Resources => "Resources",
            ListView::Health => "Health",
            ListView::Backups => "Backups",
            ListView::Alerts => "Alerts",
            ListView::Kind(k) => k.info().title,
            ListView::Table(_) => "Resources",
        }
    }

    /// Command-line names (the first is canonical).
    pub fn commands(self) -> &'static [&'static str] {
        match self {
            ListView::Overview => &["overview", "ov", "home"],
            ListView::Pods => &["pods", "po", "pod"],
            ListView::Workloads => &[
                "workloads",
                "deploy",
                "deployments",
                "sts",
                "rollouts",
                "wl",
            ],
            ListView::Hpas => &["hpa", "hpas", "autoscalers"],
            ListView::Events => &["events", "ev", "event"],
            ListView::Services => &["services", "svc", "service"],
            ListView::Resources => &["top", "resources", "res"],
            ListView::Health => &["health", "probes", "hc"],
            ListView::Backups => &["backups", "backup", "bk", "snapshots"],
            ListView::Alerts => &["alerts", "alert", "al"],
            ListView::Kind(k) => std::slice::from_ref(&k.info().plural),
            ListView::Table(_) => &[],
        }
    }

    /// The view that lists objects of `kind`: the fleet's own view where it has one
    /// (pods, workloads, HPAs, events, services), else the kind's list.
    pub fn of_kind(kind: ResKind) -> ListView {
        match kind {
            ResKind::Pod => ListView::Pods,
            ResKind::Deployment | ResKind::StatefulSet => ListView::Workloads,
            ResKind::Hpa => ListView::Hpas,
            ResKind::Event => ListView::Events,
            ResKind::Service => ListView::Services,
            other => ListView::Kind(other),
        }
    }

    pub fn from_command(s: &str) -> Option<ListView> {
        ListView::ALL
            .into_iter()
            .find(|v| v.commands().contains(&s))
    }
}

/// What a pushed list is restricted to.
#[derive(Clone, Debug, PartialEq)]
pub enum Scope {
    /// Pods of one workload (`deploy/name`, `sts/name`).
    Workload {
        ctx: CtxId,
        namespace: Arc<str>,
        workload: String,
    },
    /// Pods a Service selects.
    Selector {
        ctx: CtxId,
        namespace: Arc<str>,
        selector: LabelSelector,
        title: String,
    },
    /// Pods on one node.
    Node { ctx: CtxId, node: Arc<str> },
}

impl Scope {
    pub fn title(&self) -> String {
        match self {
            Scope::Workload {
                namespace,
                workload,
                ..
            } => format!("{namespace}/{workload}"),
            Scope::Selector {
                namespace, title, ..
            } => format!("{namespace}/{title}"),
            Scope::Node { node, .. } => format!("node/{node}"),
        }
    }
}

/// A stable identity of a row: context, namespace, name.
pub type RowKey = (CtxId, Arc<str>, String);

/// An object a row stands for (to describe, show as YAML, or act on).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Target {
    pub ctx: CtxId,
    pub kind: ResKind,
    pub namespace: Arc<str>,
    pub name: Arc<str>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct ListState {
    pub view: ListView,
    pub scope: Option<Scope>,
    pub filter: String,
    pub selected: usize,
    /// First row drawn (kept so the selection stays in the window).
    pub offset: usize,
    /// Indices into the fleet's rows for this view, after scope and filters.
    pub visible: Vec<usize>,
    pub selected_key: Option<RowKey>,
    /// A column the person sorted by (`o`), or the view's own order.
    pub sort: Option<super::sort::Sort>,
}

impl ListState {
    pub fn new(view: ListView, scope: Option<Scope>) -> ListState {
        ListState {
            view,
            scope,
            filter: String::new(),
            selected: 0,
            offset: 0,
            visible: Vec::new(),
            selected_key: None,
            sort: None,
        }
    }

    /// The fleet row index under the selection.
    pub fn current(&self) -> Option<usize> {
        self.visible.get(self.selected).copied()
    }

    /// The selection follows its row from now on (as after a move).
    pub fn pin(&mut self, fleet: &Fleet) {
        self.selected_key = self.current().map(|i| key(self.view, fleet, i));
    }

    pub fn move_by(&mut self, delta: isize, fleet: &Fleet) {
        if self.visible.is_empty() {
            self.selected = 0;
            return;
        }
        let max = self.visible.len() as isize - 1;
        self.selected = (self.selected as isize + delta).clamp(0, max) as usize;
        self.selected_key = self.current().map(|i| key(self.view, fleet, i));
    }

    /// Keeps the selection inside a window of `height` rows.
    pub fn scroll_into_view(&mut self, height: usize) {
        let h = height.max(1);
        if self.selected < self.offset {
            self.offset = self.selected;
        } else if self.selected >= self.offset + h {
            self.offset = self.selected + 1 - h;
        }
        self.offset = self.offset.min(self.visible.len().saturating_sub(1));
    }
}

/// Filters that apply to every list.
pub struct Filters<'a> {
    pub namespace: Option<&'a str>,
    pub context: Option<CtxId>,
    pub show_completed: bool,
    /// The browsed resource (its rows' cells, for the filter).
    pub browse: Option<&'a crate::app::browse::Browse>,
}

pub fn len(view: ListView, f: &Fleet) -> usize {
    match view {
        ListView::Overview | ListView::Workloads => f.workloads.len(),
        ListView::Pods => f.pods.len(),
        ListView::Hpas => f.hpas.len(),
        ListView::Events => f.events.len(),
        ListView::Services => f.services.len(),
        ListView::Resources => f.usage.len(),
        ListView::Health => f.health.len(),
        ListView::Backups => f.backups.len(),
        ListView::Alerts => f.alerts.len(),
        ListView::Kind(k) => f.kinds.get(&k).map_or(0, Vec::len),
        ListView::Table(_) => f.table.len(),
    }
}

/// Row `i` of a kind's list.
fn kind_row(f: &Fleet, k: ResKind, i: usize) -> Option<&crate::fleet::kinds::KindRow> {
    f.kinds.get(&k)?.get(i)
}

pub fn key(view: ListView, f: &Fleet, i: usize) -> RowKey {
    match view {
        ListView::Overview | ListView::Workloads => {
            let r = &f.workloads[i];
            (
                r.ctx,
                r.namespace.clone(),
                format!("{}/{}", r.kind.short(), r.name),
            )
        }
        ListView::Pods => (
            f.pods[i].ctx,
            f.pods[i].namespace.clone(),
            f.pods[i].name.to_string(),
        ),
        ListView::Hpas => (
            f.hpas[i].ctx,
            f.hpas[i].namespace.clone(),
            f.hpas[i].name.to_string(),
        ),
        ListView::Events => {
            let r = &f.events[i];
            (
                r.ctx,
                r.namespace.clone(),
                format!("{}|{}|{}", r.object, r.reason, r.message),
            )
        }
        ListView::Services => (
            f.services[i].ctx,
            f.services[i].namespace.clone(),
            f.services[i].name.to_string(),
        ),
        ListView::Resources => (
            f.usage[i].ctx,
            f.usage[i].namespace.clone(),
            f.usage[i].name.to_string(),
        ),
        ListView::Health => {
            let k = &f.health[i].key;
            (
                k.ctx.unwrap_or(usize::MAX),
                k.namespace.clone(),
                format!("{}|{}", k.workload, k.name),
            )
        }
        ListView::Backups => (
            f.backups[i].ctx,
            f.backups[i].namespace.clone(),
            f.backups[i].name.to_string(),
        ),
        ListView::Alerts => {
            let r = &f.alerts[i];
            (
                r.ctx.unwrap_or(usize::MAX),
                r.namespace.clone(),
                format!("{}|{}", r.alert.name, r.alert.fingerprint),
            )
        }
        ListView::Kind(k) => match kind_row(f, k, i) {
            Some(r) => (r.ctx, r.key.0.clone(), r.key.1.to_string()),
            None => (usize::MAX, Arc::from(""), String::new()),
        },
        ListView::Table(_) => match f.table.get(i) {
            Some((ctx, k)) => (*ctx, k.0.clone(), k.1.to_string()),
            None => (usize::MAX, Arc::from(""), String::new()),
        },
    }
}

fn place(view: ListView, f: &Fleet, i: usize) -> (CtxId, &str) {
    match view {
        ListView::Overview | ListView::Workloads => (f.workloads[i].ctx, &f.workloads[i].namespace),
        ListView::Pods => (f.pods[i].ctx, &f.pods[i].namespace),
        ListView::Hpas => (f.hpas[i].ctx, &f.hpas[i].namespace),
        ListView::Events => (f.events[i].ctx, &f.events[i].namespace),
        ListView::Services => (f.services[i].ctx, &f.services[i].namespace),
        ListView::Resources => (f.usage[i].ctx, &f.usage[i].namespace),
        ListView::Health => (
            f.health[i].key.ctx.unwrap_or(usize::MAX),
            &f.health[i].key.namespace,
        ),
        ListView::Backups => (f.backups[i].ctx, &f.backups[i].namespace),
        ListView::Alerts => (
            f.alerts[i].ctx.unwrap_or(usize::MAX),
            &f.alerts[i].namespace,
        ),
        ListView::Kind(k) => match kind_row(f, k, i) {
            Some(r) => (r.ctx, &r.key.0),
            None => (usize::MAX, ""),
        },
        ListView::Table(_) => match f.table.get(i) {
            Some((ctx, k)) => (*ctx, &k.0),
            None => (usize::MAX, ""),
        },
    }
}

/// The text a filter searches in a row. `browse`: the browsed resource's cells.
pub fn text(
    view: ListView,
    f: &Fleet,
    i: usize,
    contexts: &[ContextState],
    browse: Option<&crate::app::browse::Browse>,
) -> String {
    match view {
        ListView::Overview | ListView::Workloads => {
            let r = &f.workloads[i];
            format!(
                "{} {} {} {} {} {}",
                r.namespace,
                r.name,
                r.kind.short(),
                r.rollout.text(),
                crate::util::age::plain(&r.assessment.summary()),
                r.images
            )
        }
        ListView::Pods => {
            let r = &f.pods[i];
            format!(
                "{} {} {} {} {}",
                r.namespace,
                r.name,
                r.status,
                r.workload.as_deref().unwrap_or(""),
                r.node.as_deref().unwrap_or("")
            )
        }
        ListView::Hpas => {
            let r = &f.hpas[i];
            format!(
                "{} {} {} {}",
                r.namespace, r.name, r.reference, r.conditions
            )
        }
        ListView::Events => {
            let r = &f.events[i];
            format!(
                "{} {} {} {} {}",
                r.namespace,
                if r.warning { "warning" } else { "normal" },
                r.reason,
                r.object,
                r.message
            )
        }
        ListView::Services => {
            let r = &f.services[i];
            format!("{} {} {} {}", r.namespace, r.name, r.type_, r.selector)
        }
        ListView::Resources => {
            let r = &f.usage[i];
            format!("{} {}", r.namespace, r.name)
        }
        ListView::Health => {
            let r = &f.health[i];
            format!(
                "{} {} {} {} {}",
                r.key.namespace,
                r.key.workload,
                r.key.name,
                r.state.label(),
                crate::util::age::plain(&r.reason)
            )
        }
        ListView::Backups => {
            let r = &f.backups[i];
            format!(
                "{} {} {} {}",
                r.namespace,
                r.name,
                r.freshness.label(),
                crate::util::age::plain(&r.why)
            )
        }
        ListView::Alerts => {
            let r = &f.alerts[i];
            format!(
                "{} {} {} {} {}",
                r.namespace,
                r.alert.name,
                r.alert.severity,
                r.alert.workload.as_deref().unwrap_or(""),
                r.alert.summary
            )
        }
        ListView::Kind(k) => {
            let Some(r) = kind_row(f, k, i) else {
                return String::new();
            };
            let cells = contexts.get(r.ctx).and_then(|c| {
                let j = crate::cluster::kinds::Join {
                    tables: &c.data.kinds,
                    now: 0,
                };
                crate::fleet::kinds::cells(k, &j, &r.key)
            });
            format!(
                "{} {} {} {}",
                r.key.0,
                r.key.1,
                r.problem.as_deref().unwrap_or(""),
                cells.unwrap_or_default().join(" ")
            )
        }
        ListView::Table(_) => match (f.table.get(i), browse) {
            (Some((ctx, k)), Some(b)) => format!(
                "{} {} {}",
                k.0,
                k.1,
                b.row(*ctx, k)
                    .map(|r| r.cells.join(" "))
                    .unwrap_or_default()
            ),
            _ => String::new(),
        },
    }
}

fn in_scope(
    scope: &Option<Scope>,
    view: ListView,
    f: &Fleet,
    i: usize,
    contexts: &[ContextState],
) -> bool {
    let Some(s) = scope else { return true };
    if view != ListView::Pods {
        return true;
    }
    let p = &f.pods[i];
    match s {
        Scope::Workload {
            ctx,
            namespace,
            workload,
        } => {
            p.ctx == *ctx
                && p.namespace == *namespace
                && p.workload.as_deref() == Some(workload.as_str())
        }
        Scope::Selector {
            ctx,
            namespace,
            selector,
            ..
        } => {
            p.ctx == *ctx
                && p.namespace == *namespace
                && contexts
                    .get(*ctx)
                    .and_then(|c| {
                        c.data
                            .kinds
                            .pods
                            .get(&(p.namespace.clone(), p.name.clone()))
                    })
                    .is_some_and(|rec| selector_matches(selector, &rec.labels))
        }
        Scope::Node { ctx, node } => p.ctx == *ctx && p.node.as_deref() == Some(&**node),
    }
}

/// Recomputes `ls.visible` and re-finds the selected row by its key.
/// Whether row `i` carries labels `sel` picks: a pod's own, a workload's pod
/// template's (`-l` filters, as kubectl's).
fn labels_match(
    view: ListView,
    f: &Fleet,
    i: usize,
    contexts: &[ContextState],
    sel: &crate::util::selector::LabelSelector,
) -> bool {
    let key = |ns: &Arc<str>, name: &Arc<str>| (ns.clone(), name.clone());
    match view {
        ListView::Pods => f.pods.get(i).is_some_and(|p| {
            contexts
                .get(p.ctx)
                .and_then(|c| c.data.kinds.pods.get(&key(&p.namespace, &p.name)))
                .is_some_and(|rec| selector_matches(sel, &rec.labels))
        }),
        ListView::Overview | ListView::Workloads => f.workloads.get(i).is_some_and(|w| {
            let Some(c) = contexts.get(w.ctx) else {
                return false;
            };
            let k = key(&w.namespace, &w.name);
            c.data
                .kinds
                .deployments
                .get(&k)
                .map(|d| &d.template.labels)
                .or_else(|| {
                    c.data
                        .kinds
                        .statefulsets
                        .get(&k)
                        .map(|d| &d.template.labels)
                })
                .is_some_and(|l| selector_matches(sel, l))
        }),
        _ => false,
    }
}

pub fn refresh(ls: &mut ListState, f: &Fleet, filters: &Filters, contexts: &[ContextState]) {
    let needle = ls.filter.to_lowercase();
    // `-l app=x` filters by labels (pods, workloads) rather than by text.
    let labels = ls
        .filter
        .strip_prefix("-l ")
        .and_then(|sel| crate::util::selector::LabelSelector::parse(sel.trim()).ok())
        .filter(|sel| !sel.is_empty());
    let n = len(ls.view, f);
    ls.visible = (0..n)
        .filter(|&i| {
            let (ctx, ns) = place(ls.view, f, i);
            if ctx != usize::MAX && filters.context.is_some_and(|c| c != ctx) {
                return false;
            }
            if filters.namespace.is_some_and(|want| want != ns) {
                return false;
            }
            if ls.view == ListView::Pods
                && !filters.show_completed
                && f.pods[i].completed
                && ls.scope.is_none()
            {
                return false;
            }
            in_scope(&ls.scope, ls.view, f, i, contexts)
                && match &labels {
                    Some(sel) => labels_match(ls.view, f, i, contexts, sel),
                    None => {
                        needle.is_empty()
                            || text(ls.view, f, i, contexts, filters.browse)
                                .to_lowercase()
                                .contains(&needle)
                    }
                }
        })
        .collect();
    super::sort::apply(&mut ls.visible, ls.view, f, ls.sort);
    // The selection sticks to an object only once the person has moved it; until
    // then it stays on the first (worst) row as rows re-sort.
    ls.selected = ls.selected.min(ls.visible.len().saturating_sub(1));
    if let Some(k) = &ls.selected_key {
        match ls.visible.iter().position(|&i| &key(ls.view, f, i) == k) {
            Some(pos) => ls.selected = pos,
            None => ls.selected_key = ls.current().map(|i| key(ls.view, f, i)),
        }
    }
}

/// The kind an event's object names (`deployment`, as events print it).
fn kind_of_object(s: &str) -> Option<ResKind> {
    ResKind::from_kind(s)
}

/// The object row `i` stands for.
pub fn target(view: ListView, f: &Fleet, i: usize) -> Option<Target> {
    let t = |ctx, kind, ns: &Arc<str>, name: &str| Target {
        ctx,
        kind,
        namespace: ns.clone(),
        name: Arc::from(name),
    };
    match view {
        ListView::Overview | ListView::Workloads => {
            let r = f.workloads.get(i)?;
            let kind = match r.kind {
                WorkloadKind::Deployment => ResKind::Deployment,
                WorkloadKind::StatefulSet => ResKind::StatefulSet,
                WorkloadKind::CronJob => ResKind::CronJob,
                WorkloadKind::Ingress => ResKind::Ingress,
            };
            Some(t(r.ctx, kind, &r.namespace, &r.name))
        }
        ListView::Pods => f
            .pods
            .get(i)
            .map(|r| t(r.ctx, ResKind::Pod, &r.namespace, &r.name)),
        ListView::Hpas => f
            .hpas
            .get(i)
            .map(|r| t(r.ctx, ResKind::Hpa, &r.namespace, &r.name)),
        ListView::Events => {
            let r = f.events.get(i)?;
            let (kind, name) = r.object.split_once('/')?;
            Some(t(r.ctx, kind_of_object(kind)?, &r.namespace, name))
        }
        ListView::Services => f
            .services
            .get(i)
            .map(|r| t(r.ctx, ResKind::Service, &r.namespace, &r.name)),
        ListView::Resources => {
            let r = f.usage.get(i)?;
            if r.is_workload {
                let (k, name) = r.name.split_once('/')?;
                let kind = if k == "sts" {
                    ResKind::StatefulSet
                } else {
                    ResKind::Deployment
                };
                Some(t(r.ctx, kind, &r.namespace, name))
            } else {
                Some(t(r.ctx, ResKind::Pod, &r.namespace, &r.name))
            }
        }
        ListView::Health => {
            let r = f.health.get(i)?;
            let ctx = r.key.ctx?;
            let (k, name) = r.key.workload.split_once('/')?;
            let kind = match k {
                "sts" => ResKind::StatefulSet,
                _ => ResKind::Deployment,
            };
            Some(t(ctx, kind, &r.key.namespace, name))
        }
        ListView::Backups => {
            let r = f.backups.get(i)?;
            r.is_cronjob()
                .then(|| t(r.ctx, ResKind::CronJob, &r.namespace, &r.name))
        }
        ListView::Table(_) => None,
        ListView::Kind(k) => {
            let r = kind_row(f, k, i)?;
            Some(Target {
                ctx: r.ctx,
                kind: k,
                namespace: r.key.0.clone(),
                name: r.key.1.clone(),
            })
        }
        ListView::Alerts => {
            let r = f.alerts.get(i)?;
            let ctx = r.ctx.unwrap_or(0);
            let (k, name) = r.alert.workload.as_deref()?.split_once('/')?;
            let kind = match k {
                "deploy" => ResKind::Deployment,
                "sts" => ResKind::StatefulSet,
                "cj" => ResKind::CronJob,
                "pod" => ResKind::Pod,
                _ => return None,
            };
            Some(t(ctx, kind, &r.namespace, name))
        }
    }
}
