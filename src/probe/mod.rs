//! Health probing: what to probe (derived from pod templates' HTTP probes, or
//! configured), how a request is made safely (deadline, body cap, no redirects to
//! other hosts, concurrency and a global request budget), how an answer is judged
//! (status, deep-health JSON and Prometheus bodies, JSON checks, latency objective),
//! and the per-endpoint history the console shows. Firing alerts from Alertmanager
//! are fetched here too. Nothing here runs on the render path: the scheduler is a
//! task that reports verdicts as messages.

pub mod alerts;
pub mod body;
pub mod book;
pub mod classify;
pub mod evaluate;
pub mod http;
pub mod once;
pub mod scheduler;
pub mod targets;

pub use classify::ErrorClass;

/// What the prober and the alert reader report (sent on the app's channel, which
/// wraps it in its own event type).
#[derive(Debug)]
pub enum Msg {
    /// One health probe's verdict (`at`: Unix seconds, local clock).
    Probed {
        id: targets::TargetId,
        request: String,
        verdict: evaluate::Verdict,
        at: i64,
    },
    /// One read of an Alertmanager.
    Alerts {
        source: alerts::AlertSource,
        result: Result<Vec<alerts::Alert>, String>,
        at: i64,
    },
}

use crate::util::severity::Severity;

/// An endpoint's (or a pod's) health.
#[derive(
    Copy,
    Clone,
    Debug,
    Default,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    serde::Serialize,
    serde::Deserialize,
)]
#[serde(rename_all = "lowercase")]
pub enum HealthState {
    /// Not probed yet.
    #[default]
    Unknown,
    Ok,
    Degraded,
    Down,
}

impl HealthState {
    pub fn label(self) -> &'static str {
        match self {
            HealthState::Unknown => "unknown",
            HealthState::Ok => "ok",
            HealthState::Degraded => "degraded",
            HealthState::Down => "down",
        }
    }

    /// A short form for narrow columns.
    pub fn short(self) -> &'static str {
        match self {
            HealthState::Unknown => "?",
            HealthState::Ok => "ok",
            HealthState::Degraded => "degr",
            HealthState::Down => "down",
        }
    }

    pub fn severity(self) -> Severity {
        match self {
            HealthState::Unknown | HealthState::Ok => Severity::Ok,
            HealthState::Degraded => Severity::Warning,
            HealthState::Down => Severity::Critical,
        }
    }

    /// A status word from a health body (`healthy`, `UP`, `degraded`, `fail`…).
    pub fn from_word(w: &str) -> HealthState {
        match w.trim().to_ascii_lowercase().as_str() {
            "ok" | "healthy" | "up" | "pass" | "passing" | "ready" | "alive" | "green"
            | "operational" | "closed" | "true" | "serving" | "good" => HealthState::Ok,
            "degraded" | "warn" | "warning" | "yellow" | "half-open" | "half_open" | "slow"
            | "partial" => HealthState::Degraded,
            "unhealthy" | "down" | "fail" | "failed" | "failing" | "error" | "critical" | "red"
            | "outage" | "open" | "false" | "not_serving" | "unavailable" | "dead" => {
                HealthState::Down
            }
            _ => HealthState::Unknown,
        }
    }
}
