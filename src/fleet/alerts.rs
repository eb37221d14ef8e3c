//! Alert rows: every firing alert from every Alertmanager read, critical first, with
//! the workload its labels name (when that workload is watched).

use std::sync::Arc;

use crate::cluster::msg::CtxId;
use crate::probe::alerts::{Alert, AlertSource};
use crate::util::severity::Severity;

/// The last read of one Alertmanager.
#[derive(Clone, Debug, PartialEq)]
pub struct AlertFeed {
    pub source: AlertSource,
    pub result: Result<Vec<Alert>, String>,
    pub at: crate::cluster::kinds::Ts,
}

#[derive(Clone, Debug, PartialEq)]
pub struct AlertRow {
    pub ctx: Option<CtxId>,
    pub source: String,
    pub alert: Alert,
    pub namespace: Arc<str>,
    pub severity: Severity,
    /// Whether a watched workload matches its labels.
    pub linked: bool,
}

pub fn severity_of(a: &Alert) -> Severity {
    if a.is_critical() {
        Severity::Critical
    } else if matches!(a.severity.as_str(), "warning" | "warn") {
        Severity::Warning
    } else {
        Severity::Info
    }
}

pub fn build(feeds: &[AlertFeed]) -> Vec<AlertRow> {
    let mut out = Vec::new();
    for f in feeds {
        if let Ok(list) = &f.result {
            for a in list {
                out.push(AlertRow {
                    ctx: f.source.ctx,
                    source: f.source.label.clone(),
                    namespace: Arc::from(a.namespace.as_deref().unwrap_or("")),
                    severity: severity_of(a),
                    alert: a.clone(),
                    linked: false,
                });
            }
        }
    }
    out
}

/// Whether alert row `r` names a workload `kind/name` in `ns` of `ctx`. A pod label
/// links to the workload whose name prefixes the pod's.
pub fn names(r: &AlertRow, ctx: CtxId, ns: &str, workload: &str) -> bool {
    if r.ctx.is_some_and(|c| c != ctx) || r.namespace.as_ref() != ns {
        return false;
    }
    let Some(w) = r.alert.workload.as_deref() else {
        return false;
    };
    if w == workload {
        return true;
    }
    let name = workload.split_once('/').map_or(workload, |(_, n)| n);
    w.strip_prefix("pod/")
        .is_some_and(|p| p.starts_with(name) && p.as_bytes().get(name.len()) == Some(&b'-'))
}
