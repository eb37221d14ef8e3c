//! What every row of a list shares — one context, one namespace — so a column that
//! would say the same thing on every row is dropped and said once in the header
//! (NAMESPACE inside one workload's pods, CONTEXT when a filter kept one cluster).

use super::widgets::{Common, common};
use crate::app::State;
use crate::app::lists::{ListState, ListView};

/// The shared context and namespace of list `ls` (stops at the first difference).
/// A list of objects that have no namespace reports an empty one: there is no
/// NAMESPACE column to show.
pub fn shared(s: &State, ls: &ListState) -> Common {
    let f = &s.fleet;
    let multi = s.multi_context();
    let mut c = match ls.view {
        ListView::Overview | ListView::Workloads => common(ls, multi, |i| {
            f.workloads
                .get(i)
                .map_or((None, ""), |r| (Some(r.ctx), &*r.namespace))
        }),
        ListView::Pods => common(ls, multi, |i| {
            f.pods
                .get(i)
                .map_or((None, ""), |r| (Some(r.ctx), &*r.namespace))
        }),
        ListView::Hpas => common(ls, multi, |i| {
            f.hpas
                .get(i)
                .map_or((None, ""), |r| (Some(r.ctx), &*r.namespace))
        }),
        ListView::Events => common(ls, multi, |i| {
            f.events
                .get(i)
                .map_or((None, ""), |r| (Some(r.ctx), &*r.namespace))
        }),
        ListView::Services => common(ls, multi, |i| {
            f.services
                .get(i)
                .map_or((None, ""), |r| (Some(r.ctx), &*r.namespace))
        }),
        ListView::Resources => common(ls, multi, |i| {
            f.usage
                .get(i)
                .map_or((None, ""), |r| (Some(r.ctx), &*r.namespace))
        }),
        ListView::Health => common(ls, multi, |i| {
            f.health
                .get(i)
                .map_or((None, ""), |r| (r.key.ctx, &*r.key.namespace))
        }),
        ListView::Backups => common(ls, multi, |i| {
            f.backups
                .get(i)
                .map_or((None, ""), |r| (Some(r.ctx), &*r.namespace))
        }),
        ListView::Alerts => common(ls, multi, |i| {
            f.alerts
                .get(i)
                .map_or((None, ""), |r| (r.ctx, &*r.namespace))
        }),
        ListView::Kind(k) => {
            let rows = f.kinds.get(&k);
            let mut c = common(ls, multi, |i| {
                rows.and_then(|r| r.get(i))
                    .map_or((None, ""), |r| (Some(r.ctx), &*r.key.0))
            });
            if !k.info().namespaced {
                c.namespace = Some(String::new());
            }
            c
        }
        ListView::Table(_) => {
            let mut c = common(ls, multi, |i| {
                f.table
                    .get(i)
                    .map_or((None, ""), |(ctx, k)| (Some(*ctx), &*k.0))
            });
            let namespaced = s
                .browse
                .as_ref()
                .is_some_and(|b| b.contexts.iter().flatten().any(|c| c.res.namespaced));
            if !namespaced {
                c.namespace = Some(String::new());
            }
            c
        }
    };
    if !s.multi_context() {
        c.ctx = None;
    }
    c
}

/// What the header says of it: ` in flextime-production`, ` on prod-eu` — only
/// what the namespace and context scope do not already say.
pub fn said(s: &State, c: &Common) -> String {
    let mut out = String::new();
    if let Some(ctx) = c.ctx
        && s.scope_context != Some(ctx)
    {
        out.push_str(&format!(" on {}", s.context_name(ctx)));
    }
    if let Some(ns) = c.namespace.as_deref().filter(|n| !n.is_empty())
        && s.scope_namespace.as_deref() != Some(ns)
    {
        out.push_str(&format!(" in {ns}"));
    }
    out
}
