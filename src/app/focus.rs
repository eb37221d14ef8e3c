//! What the prober should look at first: the workloads whose rows are on screen (the
//! window of the list the person sees), recomputed when the window, the view or the
//! rows change, and handed to the prober when the set differs from the last one.

use std::sync::Arc;

use super::lists::ListView;
use super::state::State;
use crate::probe::scheduler::Focus;

/// The workloads on the visible rows of the list nearest the top of the stack.
pub fn on_screen(s: &State) -> Focus {
    let mut out = Focus::new();
    let Some(l) = s.nearest_list() else {
        return out;
    };
    let window = l.visible.iter().skip(l.offset).take(s.page.max(1)).copied();
    let f = &s.fleet;
    match l.view {
        ListView::Overview | ListView::Workloads => {
            for i in window {
                if let Some(w) = f.workloads.get(i) {
                    out.insert((
                        w.ctx,
                        w.namespace.clone(),
                        Arc::from(format!("{}/{}", w.kind.short(), w.name)),
                    ));
                }
            }
        }
        ListView::Pods => {
            for i in window {
                if let Some(p) = f.pods.get(i)
                    && let Some(w) = &p.workload
                {
                    out.insert((p.ctx, p.namespace.clone(), w.clone()));
                }
            }
        }
        ListView::Health => {
            for i in window {
                if let Some(h) = f.health.get(i)
                    && let Some(ctx) = h.key.ctx
                {
                    out.insert((ctx, h.key.namespace.clone(), h.key.workload.clone()));
                }
            }
        }
        _ => {}
    }
    out
}
