//! Severity: how much a row needs attention, and why. Rows sort by severity first, so
//! what is on fire is on the first screen.

use std::fmt;

#[derive(Copy, Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Default, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    #[default]
    Ok,
    Info,
    Warning,
    Critical,
}

impl Severity {
    pub fn label(self) -> &'static str {
        match self {
            Severity::Ok => "ok",
            Severity::Info => "info",
            Severity::Warning => "warn",
            Severity::Critical => "crit",
        }
    }

    /// Needs a person's attention (`kdeck status` exits 1).
    pub fn needs_attention(self) -> bool {
        self >= Severity::Warning
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}

/// A severity with the reasons behind it, most severe first.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Assessment {
    pub severity: Severity,
    pub reasons: Vec<(Severity, String)>,
}

impl Assessment {
    pub fn add(&mut self, s: Severity, why: impl Into<String>) {
        self.severity = self.severity.max(s);
        self.reasons.push((s, why.into()));
        self.reasons.sort_by_key(|r| std::cmp::Reverse(r.0));
    }

    /// No more than `max`: what a context that stopped answering last said is shown,
    /// but does not page (it is as old as the last answer).
    pub fn cap(&mut self, max: Severity) {
        self.severity = self.severity.min(max);
        for r in &mut self.reasons {
            r.0 = r.0.min(max);
        }
    }

    /// The most severe reason, for a one-line summary.
    pub fn headline(&self) -> &str {
        self.reasons.first().map(|(_, r)| r.as_str()).unwrap_or("")
    }

    /// All reasons joined, most severe first.
    pub fn summary(&self) -> String {
        self.reasons
            .iter()
            .map(|(_, r)| r.as_str())
            .collect::<Vec<_>>()
            .join("; ")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn assessment_keeps_the_worst_first() {
        let mut a = Assessment::default();
        a.add(Severity::Info, "rolling out");
        a.add(Severity::Critical, "rollout stalled");
        a.add(Severity::Warning, "3 warnings");
        assert_eq!(a.severity, Severity::Critical);
        assert_eq!(a.headline(), "rollout stalled");
        assert_eq!(a.summary(), "rollout stalled; 3 warnings; rolling out");
        assert!(Severity::Warning.needs_attention());
        assert!(!Severity::Info.needs_attention());
    }
}
