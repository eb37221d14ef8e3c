//! Transitions: typed, timestamped state changes the console noticed — an endpoint's
//! health changing, a backup's freshness changing, an alert firing or resolving, an
//! action ending —
//! kept in a bounded log in state (the material of an incident timeline).

use std::collections::VecDeque;

use crate::cluster::kinds::Ts;
use crate::cluster::msg::CtxId;
use crate::fleet::backups::Freshness;
use crate::probe::HealthState;

/// Most transitions kept.
pub const KEEP: usize = 2000;

#[derive(Clone, Debug, PartialEq)]
pub enum Transition {
    Health {
        ctx: Option<CtxId>,
        namespace: String,
        workload: String,
        endpoint: String,
        from: HealthState,
        to: HealthState,
        reason: String,
    },
    Backup {
        ctx: CtxId,
        namespace: String,
        name: String,
        from: Freshness,
        to: Freshness,
        why: String,
    },
    AlertFired {
        ctx: Option<CtxId>,
        name: String,
        namespace: String,
        severity: String,
        summary: String,
    },
    AlertResolved {
        ctx: Option<CtxId>,
        name: String,
        namespace: String,
    },
    /// A guarded action ended (succeeded, failed, refused, conflict).
    Action {
        ctx: CtxId,
        namespace: String,
        action: String,
        target: String,
        outcome: crate::audit::Outcome,
        detail: String,
    },
}

impl Transition {
    /// One line for the person.
    pub fn text(&self) -> String {
        match self {
            Transition::Health {
                namespace,
                workload,
                endpoint,
                from,
                to,
                reason,
                ..
            } => {
                let what = if workload.is_empty() {
                    endpoint.clone()
                } else {
                    format!("{namespace}/{workload} {endpoint}")
                };
                let mut s = format!("health {what}: {} → {}", from.label(), to.label());
                if !reason.is_empty() {
                    s.push_str(&format!(" ({reason})"));
                }
                s
            }
            Transition::Backup {
                namespace,
                name,
                from,
                to,
                why,
                ..
            } => format!(
                "backup {namespace}/{name}: {} → {} ({why})",
                from.label(),
                to.label()
            ),
            Transition::AlertFired {
                name,
                namespace,
                severity,
                summary,
                ..
            } => format!("alert {name} fired [{severity}] in {namespace}: {summary}"),
            Transition::AlertResolved {
                name, namespace, ..
            } => format!("alert {name} resolved in {namespace}"),
            Transition::Action {
                namespace,
                action,
                target,
                outcome,
                detail,
                ..
            } => format!(
                "{action} {namespace}/{target}: {}{}",
                outcome.label(),
                if detail.is_empty() {
                    String::new()
                } else {
                    format!(" — {detail}")
                }
            ),
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct Stamped {
    pub at: Ts,
    pub what: Transition,
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct Transitions {
    pub items: VecDeque<Stamped>,
}

impl Transitions {
    pub fn push(&mut self, at: Ts, what: Transition) {
        self.items.push_back(Stamped { at, what });
        while self.items.len() > KEEP {
            self.items.pop_front();
        }
    }
}
