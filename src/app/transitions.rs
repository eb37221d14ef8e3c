//! Transitions: typed, timestamped state changes the console noticed — an endpoint's
//! health changing, a backup's freshness changing, an alert firing or resolving, a
//! rollout moving to another revision or stalling, an autoscaler changing replicas,
//! pods starting or stopping crash-looping, a warning event, an action ending, a mark
//! set by the person — kept in a bounded log in state (the material of an incident
//! timeline). What notices them is `noticed`.

use std::collections::VecDeque;

use crate::cluster::kinds::{ResKind, Ts};
use crate::cluster::msg::CtxId;
use crate::fleet::backups::Freshness;
use crate::probe::HealthState;

/// Most transitions kept.
pub const KEEP: usize = 5000;

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
    /// A workload moved to another revision (its pod template changed).
    Revision {
        ctx: CtxId,
        namespace: String,
        kind: ResKind,
        workload: String,
        from: Option<i64>,
        to: Option<i64>,
        /// The images before and after (`api=flextime/api:v2.3.0`), the part of the
        /// template's diff a postmortem asks for first.
        images_from: String,
        images_to: String,
        /// The pod template's `-`/`+` lines between the two revisions (empty: not
        /// known), shown when the timeline entry is opened.
        #[serde(default)]
        diff: Vec<String>,
    },
    /// A rollout stalled (`stalled`), or stopped being stalled.
    Stall {
        ctx: CtxId,
        namespace: String,
        kind: ResKind,
        workload: String,
        stalled: bool,
        /// Why it stalled, or what it is now (`complete`).
        reason: String,
    },
    /// An autoscaler changed a workload's replicas.
    Replicas {
        ctx: CtxId,
        namespace: String,
        kind: ResKind,
        workload: String,
        hpa: String,
        from: i32,
        to: i32,
    },
    /// A workload's pods started (`from` 0) or stopped (`to` 0) crash-looping.
    CrashLoop {
        ctx: CtxId,
        namespace: String,
        kind: ResKind,
        workload: String,
        from: u32,
        to: u32,
    },
    /// A Warning event (the first of its kind about a group of objects for a while).
    Warning {
        ctx: CtxId,
        namespace: String,
        /// What it is about: the object, or the workload its pod belongs to.
        kind: ResKind,
        object: String,
        reason: String,
        message: String,
    },
    /// The person started or ended a marked span.
    Mark { on: bool },
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
            Transition::Revision {
                namespace,
                kind,
                workload,
                from,
                to,
                images_from,
                images_to,
                ..
            } => {
                let rev = |r: &Option<i64>| r.map_or("?".to_string(), |r| r.to_string());
                // Only the images that changed (a sidecar that stayed is noise).
                let list = |s: &str| s.split(',').map(str::to_string).collect::<Vec<_>>();
                let (was, now) = (list(images_from), list(images_to));
                let gone: Vec<&str> = was
                    .iter()
                    .filter(|i| !now.contains(i))
                    .map(String::as_str)
                    .collect();
                let came: Vec<&str> = now
                    .iter()
                    .filter(|i| !was.contains(i))
                    .map(String::as_str)
                    .collect();
                let images = if gone.is_empty() && came.is_empty() {
                    "images unchanged".to_string()
                } else {
                    format!("{} → {}", gone.join(","), came.join(","))
                };
                format!(
                    "rollout {namespace}/{}: revision {} → {} ({images})",
                    object(*kind, workload),
                    rev(from),
                    rev(to)
                )
            }
            Transition::Stall {
                namespace,
                kind,
                workload,
                stalled,
                reason,
                ..
            } => {
                let w = object(*kind, workload);
                if *stalled {
                    format!("rollout {namespace}/{w} stalled: {reason}")
                } else {
                    format!("rollout {namespace}/{w} no longer stalled: {reason}")
                }
            }
            Transition::Replicas {
                namespace,
                kind,
                workload,
                hpa,
                from,
                to,
                ..
            } => format!(
                "hpa {namespace}/{hpa} scaled {} from {from} to {to} replicas",
                object(*kind, workload)
            ),
            Transition::CrashLoop {
                namespace,
                kind,
                workload,
                from,
                to,
                ..
            } => {
                let w = object(*kind, workload);
                if *from == 0 {
                    format!(
                        "crash loop started: {to} pod{} of {namespace}/{w}",
                        if *to == 1 { "" } else { "s" }
                    )
                } else {
                    format!("crash loop ended: {namespace}/{w} (was {from})")
                }
            }
            Transition::Warning {
                namespace,
                kind,
                object: o,
                reason,
                message,
                ..
            } => format!(
                "warning {reason} on {namespace}/{}: {message}",
                object(*kind, o)
            ),
            Transition::Mark { on: true } => "mark: started a marked span".into(),
            Transition::Mark { on: false } => "mark: ended the marked span".into(),
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

/// `deploy/flextime-api`, as kubectl names an object.
pub fn object(kind: ResKind, name: &str) -> String {
    let short = match kind {
        ResKind::Deployment => "deploy",
        ResKind::StatefulSet => "sts",
        ResKind::CronJob => "cronjob",
        ResKind::Hpa => "hpa",
        ResKind::Pod => "pod",
        k => return format!("{}/{name}", k.info().singular),
    };
    format!("{short}/{name}")
}

impl Transition {
    /// The timeline's kind for it.
    pub fn kind(&self) -> &'static str {
        match self {
            Transition::Health { .. } => "health",
            Transition::Backup { .. } => "backup",
            Transition::AlertFired { .. } | Transition::AlertResolved { .. } => "alert",
            Transition::Revision { .. } | Transition::Stall { .. } => "rollout",
            Transition::Replicas { .. } => "hpa",
            Transition::CrashLoop { .. } => "crash",
            Transition::Warning { .. } => "warning",
            Transition::Mark { .. } => "mark",
            Transition::Action { .. } => "action",
        }
    }

    /// The context it happened in (`None`: not tied to one, or configured outside
    /// any).
    pub fn ctx(&self) -> Option<CtxId> {
        match self {
            Transition::Health { ctx, .. }
            | Transition::AlertFired { ctx, .. }
            | Transition::AlertResolved { ctx, .. } => *ctx,
            Transition::Backup { ctx, .. }
            | Transition::Revision { ctx, .. }
            | Transition::Stall { ctx, .. }
            | Transition::Replicas { ctx, .. }
            | Transition::CrashLoop { ctx, .. }
            | Transition::Warning { ctx, .. }
            | Transition::Action { ctx, .. } => Some(*ctx),
            Transition::Mark { .. } => None,
        }
    }

    /// The namespace it is about (empty: none).
    pub fn namespace(&self) -> &str {
        match self {
            Transition::Health { namespace, .. }
            | Transition::Backup { namespace, .. }
            | Transition::AlertFired { namespace, .. }
            | Transition::AlertResolved { namespace, .. }
            | Transition::Revision { namespace, .. }
            | Transition::Stall { namespace, .. }
            | Transition::Replicas { namespace, .. }
            | Transition::CrashLoop { namespace, .. }
            | Transition::Warning { namespace, .. }
            | Transition::Action { namespace, .. } => namespace,
            Transition::Mark { .. } => "",
        }
    }

    /// The object to open from it: its kind and name (in its namespace).
    pub fn object(&self) -> Option<(ResKind, String)> {
        match self {
            Transition::Health { workload, .. } if !workload.is_empty() => {
                let (k, n) = workload.split_once('/').unwrap_or(("deploy", workload));
                Some((short_kind(k)?, n.to_string()))
            }
            // A volume snapshot's freshness is named after its claim (`pvc/data`).
            Transition::Backup { name, .. } => match name.strip_prefix("pvc/") {
                Some(claim) => Some((ResKind::Pvc, claim.to_string())),
                None => Some((ResKind::CronJob, name.clone())),
            },
            Transition::Revision { kind, workload, .. }
            | Transition::Stall { kind, workload, .. }
            | Transition::Replicas { kind, workload, .. }
            | Transition::CrashLoop { kind, workload, .. } => Some((*kind, workload.clone())),
            // A kind the console does not open is named, not opened.
            Transition::Warning { kind, object, .. } if *kind != ResKind::Event => {
                Some((*kind, object.clone()))
            }
            Transition::Action { target, .. } => {
                let (k, n) = target.split_once('/')?;
                Some((short_kind(k)?, n.to_string()))
            }
            _ => None,
        }
    }
}

/// The kind a name as [`object`] writes it (`deploy`, `sts`, `cronjob`, or a kind's
/// singular) stands for.
pub fn short_kind(short: &str) -> Option<ResKind> {
    Some(match short {
        "deploy" => ResKind::Deployment,
        "sts" => ResKind::StatefulSet,
        "cj" => ResKind::CronJob,
        "hpa" => ResKind::Hpa,
        "svc" => ResKind::Service,
        "pvc" => ResKind::Pvc,
        s => {
            return ResKind::ALL
                .iter()
                .copied()
                .find(|k| k.info().singular == s);
        }
    })
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
