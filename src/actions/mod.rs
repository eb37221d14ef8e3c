//! Guarded actions, planned from state: what will change (target, before → after),
//! how far it reaches (blast radius), how risky it is, what to watch out for, and
//! whether it may run at all. Plans are pure: the preflight (RBAC, server dry-run),
//! confirmation, audit and execution steps build on them. One file per action.
//!
//! Built so far: the plans for scale, roll back, restart, pause/resume, trigger a
//! backup and the traffic switch. Not built yet: the breaker reset and undo-last
//! plans, preflight, the confirm dialog, execution and verification.

pub mod backup;
pub mod pause;
pub mod restart;
pub mod rollback;
pub mod scale;
pub mod traffic;

use serde_json::Value;

use crate::app::msg::CtxId;

#[derive(Copy, Clone, Debug, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Risk {
    Low,
    Medium,
    High,
    Critical,
}

/// A plan for one action.
#[derive(Clone, Debug, PartialEq)]
pub struct Plan {
    pub action: &'static str,
    pub ctx: CtxId,
    pub namespace: String,
    /// `deploy/flextime-api`, `svc/dashboard`…
    pub target: String,
    pub before: String,
    pub after: String,
    /// "4 pods will terminate", "traffic of svc/dashboard moves to 3 green pods".
    pub blast: String,
    pub risk: Risk,
    pub warnings: Vec<String>,
    /// Why the action must not run as planned (the person sees it; nothing is sent).
    pub refused: Option<String>,
    /// What the action sends, for the audit record.
    pub params: Value,
    /// A plan that would undo this one, described.
    pub undo: Option<String>,
}

impl Plan {
    pub fn new(action: &'static str, ctx: CtxId, namespace: &str, target: String) -> Plan {
        Plan {
            action,
            ctx,
            namespace: namespace.to_string(),
            target,
            before: String::new(),
            after: String::new(),
            blast: String::new(),
            risk: Risk::Low,
            warnings: Vec::new(),
            refused: None,
            params: Value::Null,
            undo: None,
        }
    }
}
