//! Browsing what kdeck has no view of its own for: `:` with any resource name the
//! servers' discovery lists (CRDs included) opens a live list of the server's own
//! Table output, in every context that serves it, with describe and YAML fetched on
//! demand. One resource is browsed at a time; leaving its view stops its watches.
//! Discovery runs at start and every few minutes, and again when a name is not found.

use std::collections::BTreeMap;
use std::sync::Arc;

use super::effect::Effect;
use super::lists::{ListState, ListView};
use super::state::{Screen, State};
use crate::cluster::discovery::{ApiRes, resolve};
use crate::cluster::kinds::{Key, ResKind, Ts};
use crate::cluster::msg::CtxId;
use crate::cluster::table::{TableCol, TableMsg, TableRow};

/// How often what the servers serve is asked again.
pub const REDISCOVER: Ts = 300;

/// One context's part of a browsed list.
#[derive(Clone, Debug, PartialEq)]
pub struct BrowseCtx {
    pub res: Arc<ApiRes>,
    pub columns: Vec<TableCol>,
    pub rows: BTreeMap<Key, TableRow>,
    /// `None` until the first list is in; the last error, if listing failed.
    pub listed: bool,
    pub error: Option<String>,
    pub truncated: bool,
}

/// The resource being browsed.
#[derive(Clone, Debug, PartialEq)]
pub struct Browse {
    pub id: u64,
    /// `rollouts.argoproj.io`.
    pub title: String,
    /// By context: `None` where the context does not serve it.
    pub contexts: Vec<Option<BrowseCtx>>,
}

impl Browse {
    /// The columns to draw: the first context's that has listed.
    pub fn columns(&self) -> &[TableCol] {
        self.contexts
            .iter()
            .flatten()
            .find(|c| c.listed)
            .map_or(&[], |c| c.columns.as_slice())
    }

    pub fn row(&self, ctx: CtxId, key: &Key) -> Option<&TableRow> {
        self.contexts.get(ctx)?.as_ref()?.rows.get(key)
    }
}

/// Discovery is due for these contexts (never asked, or asked long ago).
pub fn due(s: &mut State) -> Vec<Effect> {
    let now = s.now;
    let mut fx = Vec::new();
    for (ctx, c) in s.contexts.iter_mut().enumerate() {
        let stale = c.discovery_asked.is_none_or(|t| now - t >= REDISCOVER);
        if stale && c.setup_error.is_none() {
            c.discovery_asked = Some(now);
            fx.push(Effect::Discover { ctx });
        }
    }
    fx
}

/// Takes a context's discovery; opens what was waiting for it.
pub fn discovered(
    s: &mut State,
    ctx: CtxId,
    result: Result<Vec<Arc<ApiRes>>, String>,
) -> Vec<Effect> {
    if let Some(c) = s.contexts.get_mut(ctx) {
        c.discovered = Some(result.map_err(|e| crate::util::sanitize::line(&e, 200)));
    }
    let waiting = s.pending_browse.take_if(|_| {
        s.contexts
            .iter()
            .all(|c| c.discovered.is_some() || c.setup_error.is_some())
    });
    match waiting {
        Some((name, ns)) => open(s, &name, ns, false),
        None => Vec::new(),
    }
}

/// What each context serves under `name` (none where it does not).
fn resolve_all(s: &State, name: &str) -> Vec<Option<Arc<ApiRes>>> {
    s.contexts
        .iter()
        .map(|c| match &c.discovered {
            Some(Ok(list)) => resolve(list, name).cloned(),
            _ => None,
        })
        .collect()
}

/// `:NAME`: a first-class kind opens its own view; anything else the servers serve
/// is browsed; a name no server knows is said so (after asking discovery again).
pub fn open(
    s: &mut State,
    name: &str,
    ns: Option<Option<String>>,
    may_rediscover: bool,
) -> Vec<Effect> {
    let found = resolve_all(s, name);
    let Some(first) = found.iter().flatten().next().cloned() else {
        if may_rediscover {
            // Perhaps defined since discovery last ran (a new CRD): ask again.
            s.pending_browse = Some((name.to_string(), ns));
            let mut fx = Vec::new();
            for (ctx, c) in s.contexts.iter_mut().enumerate() {
                if c.setup_error.is_none() {
                    c.discovered = None;
                    c.discovery_asked = Some(s.now);
                    fx.push(Effect::Discover { ctx });
                }
            }
            if !fx.is_empty() {
                s.notify(format!("looking up {name:?}…"), false);
                return fx;
            }
        }
        let known = s
            .contexts
            .iter()
            .any(|c| matches!(c.discovered, Some(Ok(_))));
        s.notify(
            if known {
                format!("the server doesn't have a resource type {name:?}")
            } else {
                format!("cannot look up {name:?}: the servers' API discovery has not answered")
            },
            true,
        );
        return Vec::new();
    };
    // A first-class kind reached by its group-qualified name still opens its view.
    if let Some(k) = ResKind::ALL
        .iter()
        .copied()
        .find(|k| k.info().group == first.group && k.info().plural == first.plural)
    {
        let mut fx = super::nav::switch_view(s, ListView::of_kind(k));
        fx.extend(scope(s, ns));
        return fx;
    }
    let mut fx = close(s);
    let id = s.next_id();
    let title = first.qualified();
    s.browse = Some(Browse {
        id,
        title: title.clone(),
        contexts: found
            .iter()
            .map(|r| {
                r.clone().map(|res| BrowseCtx {
                    res,
                    columns: Vec::new(),
                    rows: BTreeMap::new(),
                    listed: false,
                    error: None,
                    truncated: false,
                })
            })
            .collect(),
    });
    for (ctx, r) in found.into_iter().enumerate() {
        if let Some(res) = r {
            fx.push(Effect::Browse { id, ctx, res });
        }
    }
    fx.extend(super::nav::switch_view(s, ListView::Table(id)));
    fx.extend(scope(s, ns));
    s.extras_rev += 1;
    fx
}

fn scope(s: &mut State, ns: Option<Option<String>>) -> Vec<Effect> {
    if let Some(ns) = ns {
        s.scope_namespace = ns;
        s.refresh_lists();
    }
    Vec::new()
}

/// Stops browsing (the view was left).
pub fn close(s: &mut State) -> Vec<Effect> {
    match s.browse.take() {
        Some(b) => {
            s.extras_rev += 1;
            vec![Effect::StopBrowse { id: b.id }]
        }
        None => Vec::new(),
    }
}

/// Takes a change of the browsed list.
pub fn ingest(s: &mut State, ctx: CtxId, id: u64, m: TableMsg) {
    let Some(b) = s.browse.as_mut().filter(|b| b.id == id) else {
        return;
    };
    let Some(Some(c)) = b.contexts.get_mut(ctx) else {
        return;
    };
    match m {
        TableMsg::Listed {
            scope,
            columns,
            rows,
            truncated,
        } => {
            c.columns = columns;
            // Each namespace of a scoped session lists on its own: only its rows go.
            match &scope {
                Some(ns) => c.rows.retain(|k, _| k.0.as_ref() != ns),
                None => c.rows.clear(),
            }
            c.rows.extend(rows.into_iter().map(|r| (r.key.clone(), r)));
            c.listed = true;
            c.error = None;
            c.truncated = truncated;
        }
        TableMsg::Upsert(r) => {
            if c.rows.len() < crate::cluster::table::MAX_ROWS || c.rows.contains_key(&r.key) {
                c.rows.insert(r.key.clone(), r);
            }
        }
        TableMsg::Removed(k) => {
            c.rows.remove(&k);
        }
        TableMsg::Failed(e) => c.error = Some(crate::util::sanitize::line(&e, 200)),
    }
    s.extras_rev += 1;
}

/// Whether the top-level view is the browsed list `id`.
pub fn showing(s: &State, id: u64) -> bool {
    matches!(s.screens.first(), Some(Screen::List(ListState { view: ListView::Table(v), .. })) if *v == id)
}

/// The plural names the servers serve (for completing `:`).
pub fn names(s: &State) -> Vec<String> {
    let mut v: Vec<String> = s
        .contexts
        .iter()
        .filter_map(|c| c.discovered.as_ref()?.as_ref().ok())
        .flatten()
        .map(|r| r.plural.clone())
        .collect();
    v.sort();
    v.dedup();
    v
}
