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

#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
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

#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Stamped {
    pub at: Ts,
    pub what: Transition,
}

#[derive(Clone, Debug, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Transitions {
    pub items: VecDeque<Stamped>,
    /// How many were ever pushed (the recorder's place in them).
    pub pushed: u64,
}

/// How long a row says what was last done to it.
pub const ACTION_SHOWN: Ts = 15 * 60;

/// How a row says an action was done (`↺ rolled back`).
pub fn done_verb(action: &str) -> &str {
    match action {
        "rollback" => "↺ rolled back",
        "scale" | "scale-hpa" => "⇅ scaled",
        "restart" => "↻ restarted",
        "set-image" => "↑ image set",
        "pause" => "‖ paused",
        "resume" => "▷ resumed",
        "reset-breaker" => "⟲ breaker reset",
        "switch-traffic" => "⇄ traffic switched",
        "trigger-backup" => "▶ backup run",
        other => other,
    }
}

/// What someone else's published action says on the row, for [`ACTION_SHOWN`]
/// (`↺ rolled back 2m ago by bob@bastion-2`).
pub fn published_text(now: Ts, p: &crate::fleet::published::Published) -> Option<String> {
    if now - p.at > ACTION_SHOWN {
        return None;
    }
    let who = p.who.split_once(" as ").map_or(p.who.as_str(), |(w, _)| w);
    let ago = crate::util::age::age(now, p.at);
    Some(if p.outcome == "succeeded" {
        format!("{} {ago} ago by {who}", done_verb(&p.action))
    } else {
        format!("✗ {} {} {ago} ago by {who}", p.action, p.outcome)
    })
}

impl Transitions {
    /// What was last done here to `targets` (`deploy/x`, `cronjob/y`…) in `namespace`
    /// within [`ACTION_SHOWN`], for the row: `↺ rolled back 2m ago by you`.
    pub fn recent_action(
        &self,
        now: Ts,
        ctx: CtxId,
        namespace: &str,
        targets: &[&str],
    ) -> Option<String> {
        self.items.iter().rev().find_map(|st| match &st.what {
            Transition::Action {
                ctx: c,
                namespace: n,
                action,
                target,
                outcome,
                ..
            } if *c == ctx
                && n == namespace
                && targets.contains(&target.as_str())
                && now - st.at <= ACTION_SHOWN =>
            {
                let done = done_verb(action);
                let ago = crate::util::age::age(now, st.at);
                Some(match outcome {
                    crate::audit::Outcome::Succeeded => format!("{done} {ago} ago by you"),
                    o => format!("✗ {} {} {ago} ago", action, o.label()),
                })
            }
            _ => None,
        })
    }

    pub fn push(&mut self, at: Ts, what: Transition) {
        self.pushed += 1;
        self.items.push_back(Stamped { at, what });
        while self.items.len() > KEEP {
            self.items.pop_front();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_row_says_what_was_just_done_to_it_for_a_while() {
        let mut t = Transitions::default();
        let act = |action: &str, outcome| Transition::Action {
            ctx: 0,
            namespace: "ns".into(),
            action: action.into(),
            target: "deploy/web".into(),
            outcome,
            detail: String::new(),
        };
        t.push(1000, act("rollback", crate::audit::Outcome::Succeeded));
        assert_eq!(
            t.recent_action(1120, 0, "ns", &["deploy/web"]).as_deref(),
            Some("↺ rolled back 2m ago by you")
        );
        assert_eq!(
            t.recent_action(1120, 1, "ns", &["deploy/web"]),
            None,
            "another context"
        );
        assert_eq!(t.recent_action(1120, 0, "ns", &["deploy/api"]), None);
        assert_eq!(
            t.recent_action(1000 + ACTION_SHOWN + 1, 0, "ns", &["deploy/web"]),
            None
        );
        t.push(1200, act("scale", crate::audit::Outcome::Failed));
        assert!(
            t.recent_action(1210, 0, "ns", &["deploy/web"])
                .is_some_and(|s| s.starts_with("✗ scale failed"))
        );
    }
}
