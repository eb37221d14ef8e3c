//! Alert rows: every firing alert from every Alertmanager read, critical first, with
//! the workload its labels name (when that workload is watched).

use std::sync::Arc;

use crate::cluster::msg::CtxId;
use crate::probe::alerts::{Alert, AlertSource};
use crate::util::severity::Severity;

/// What one Alertmanager said: the alerts of its last good read, kept (and marked
/// stale, with their age) when a later read fails — an outage of the path to it is
/// not an all-clear.
#[derive(Clone, Debug, PartialEq)]
pub struct AlertFeed {
    pub source: AlertSource,
    pub alerts: Vec<Alert>,
    /// When `alerts` were read (`None`: never read).
    pub read_at: Option<crate::cluster::kinds::Ts>,
    /// Why the newest read failed, if it did.
    pub error: Option<String>,
    /// The newest read, good or not.
    pub at: crate::cluster::kinds::Ts,
}

impl AlertFeed {
    pub fn new(
        source: AlertSource,
        result: Result<Vec<Alert>, String>,
        at: crate::cluster::kinds::Ts,
    ) -> AlertFeed {
        let mut f = AlertFeed {
            source,
            alerts: Vec::new(),
            read_at: None,
            error: None,
            at,
        };
        f.update(result, at);
        f
    }

    /// Takes a newer read: good ones replace the alerts, failed ones keep them.
    pub fn update(&mut self, result: Result<Vec<Alert>, String>, at: crate::cluster::kinds::Ts) {
        self.at = at;
        match result {
            Ok(a) => {
                self.alerts = a;
                self.read_at = Some(at);
                self.error = None;
            }
            Err(e) => self.error = Some(e),
        }
    }

    /// Whether what it shows is older than its newest read.
    pub fn stale(&self) -> bool {
        self.error.is_some()
    }
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
        {
            for a in &f.alerts {
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
