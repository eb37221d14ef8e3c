//! Event rows: newest first (warnings first within a second), with identical events (same object,
//! reason and message) folded into one row whose count is the sum.

use std::collections::HashMap;
use std::sync::Arc;

use super::{Ctx, RECENT};
use crate::cluster::kinds::*;
use crate::cluster::msg::CtxId;
use crate::util::severity::Severity;

#[derive(Clone, Debug, PartialEq)]
pub struct EventRow {
    pub ctx: CtxId,
    pub namespace: Arc<str>,
    pub warning: bool,
    pub reason: Box<str>,
    pub object: String,
    pub message: Box<str>,
    pub count: u32,
    pub first: Ts,
    pub last: Ts,
    pub source: Box<str>,
    pub severity: Severity,
}

pub fn build(c: &Ctx, now: Ts) -> Vec<EventRow> {
    let mut folded: HashMap<(&str, &str, &str, &str, &str), EventRow> = HashMap::new();
    for e in c.data.kinds.events.values() {
        let key = (
            e.namespace.as_ref(),
            e.object_kind.as_ref(),
            e.object_name.as_ref(),
            e.reason.as_ref(),
            e.message.as_ref(),
        );
        let severity = match (e.warning, now - e.last <= RECENT) {
            (true, true) => Severity::Warning,
            (true, false) => Severity::Info,
            _ => Severity::Ok,
        };
        folded
            .entry(key)
            .and_modify(|r| {
                r.count += e.count;
                r.first = r.first.min(e.first);
                r.last = r.last.max(e.last);
                r.severity = r.severity.max(severity);
            })
            .or_insert_with(|| EventRow {
                ctx: c.id,
                namespace: e.namespace.clone(),
                warning: e.warning,
                reason: e.reason.clone(),
                object: format!("{}/{}", e.object_kind.to_lowercase(), e.object_name),
                message: e.message.clone(),
                count: e.count,
                first: e.first,
                last: e.last,
                source: e.source.clone(),
                severity,
            });
    }
    folded.into_values().collect()
}

/// Newest first (an 8-minute-old BackOff does not sit above a 2-minute-old
/// rollback); among events of the same second, warnings first.
pub fn sort(rows: &mut [EventRow]) {
    rows.sort_by(|a, b| {
        b.last
            .cmp(&a.last)
            .then(b.warning.cmp(&a.warning))
            .then(a.namespace.cmp(&b.namespace))
            .then(a.object.cmp(&b.object))
            .then(a.reason.cmp(&b.reason))
            .then(a.message.cmp(&b.message))
            .then(a.ctx.cmp(&b.ctx))
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(reason: &str, warning: bool, last: Ts) -> EventRow {
        EventRow {
            ctx: 0,
            namespace: Arc::from("shop"),
            warning,
            reason: reason.into(),
            object: "deploy/api".into(),
            message: "m".into(),
            count: 1,
            first: last,
            last,
            source: "".into(),
            severity: Severity::Info,
        }
    }

    #[test]
    fn newest_first_whatever_the_type() {
        let mut rows = vec![
            row("BackOff", true, 100),
            row("DeploymentRollback", false, 460),
            row("Unhealthy", true, 460),
            row("ScalingReplicaSet", false, 300),
        ];
        sort(&mut rows);
        let order: Vec<&str> = rows.iter().map(|r| r.reason.as_ref()).collect();
        assert_eq!(
            order,
            [
                "Unhealthy",
                "DeploymentRollback",
                "ScalingReplicaSet",
                "BackOff"
            ]
        );
    }
}
