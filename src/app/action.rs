//! Actions: what a key means. The keymap maps keys to these; `update` applies them;
//! help and footer hints are generated from their names and descriptions.

#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Action {
    Quit,
    Back,
    Help,
    Command,
    Filter,
    Up,
    Down,
    PageUp,
    PageDown,
    Top,
    Bottom,
    Select,
    Describe,
    Yaml,
    Logs,
    NextView,
    PrevView,
    ViewOverview,
    ViewPods,
    ViewWorkloads,
    ViewHpas,
    ViewEvents,
    ViewServices,
    ViewResources,
    ViewHealth,
    ViewBackups,
    ViewAlerts,
    ProbeAll,
    ToggleCompleted,
    LogsPause,
    LogsFollow,
    LogsWrap,
    LogsPrevious,
    SearchNext,
    SearchPrev,
    ViewAudit,
    ActionMenu,
    ActScale,
    ActRollback,
    ActRestart,
    ActPause,
    ActBreaker,
    ActTraffic,
    ActBackup,
    ActUndo,
}

/// (action, name in keymap files, description for help).
const TABLE: &[(Action, &str, &str)] = &[
    (Action::Quit, "quit", "quit kdeck"),
    (Action::Back, "back", "close, clear the filter, or go back"),
    (Action::Help, "help", "show or hide this help"),
    (
        Action::Command,
        "command",
        "command line: views, namespaces, contexts",
    ),
    (Action::Filter, "filter", "filter the current list"),
    (Action::Up, "up", "move up"),
    (Action::Down, "down", "move down"),
    (Action::PageUp, "page-up", "page up"),
    (Action::PageDown, "page-down", "page down"),
    (Action::Top, "top", "go to the first row"),
    (Action::Bottom, "bottom", "go to the last row"),
    (
        Action::Select,
        "select",
        "open: drill down into the selected row",
    ),
    (Action::Describe, "describe", "describe the selected object"),
    (Action::Yaml, "yaml", "the YAML of the selected object"),
    (Action::Logs, "logs", "logs of the selected pod or workload"),
    (Action::NextView, "next-view", "next view"),
    (Action::PrevView, "prev-view", "previous view"),
    (
        Action::ViewOverview,
        "view.overview",
        "overview: workloads by severity",
    ),
    (Action::ViewPods, "view.pods", "pods"),
    (
        Action::ViewWorkloads,
        "view.workloads",
        "workloads and rollout history",
    ),
    (Action::ViewHpas, "view.hpas", "horizontal pod autoscalers"),
    (Action::ViewEvents, "view.events", "events, warnings first"),
    (
        Action::ViewServices,
        "view.services",
        "services and endpoints",
    ),
    (
        Action::ViewResources,
        "view.resources",
        "CPU and memory use (top)",
    ),
    (
        Action::ViewHealth,
        "view.health",
        "health endpoints: state, latency, errors",
    ),
    (
        Action::ViewBackups,
        "view.backups",
        "backups: freshness, last runs, snapshots",
    ),
    (Action::ViewAlerts, "view.alerts", "firing alerts"),
    (
        Action::ProbeAll,
        "probe-all",
        "probe every ready pod of the selected workload (or a sample again)",
    ),
    (
        Action::ToggleCompleted,
        "toggle-completed",
        "show or hide completed pods",
    ),
    (
        Action::LogsPause,
        "logs.pause",
        "pause or resume the log view",
    ),
    (
        Action::LogsFollow,
        "logs.follow",
        "jump to the newest line and follow",
    ),
    (Action::LogsWrap, "logs.wrap", "wrap long lines"),
    (
        Action::LogsPrevious,
        "logs.previous",
        "logs of the previous (crashed) container",
    ),
    (Action::SearchNext, "search.next", "next search match"),
    (Action::SearchPrev, "search.prev", "previous search match"),
    (
        Action::ViewAudit,
        "view.audit",
        "audit log: every action, refusal and cancellation",
    ),
    (
        Action::ActionMenu,
        "actions",
        "actions on the selected row (disabled ones say why)",
    ),
    (
        Action::ActScale,
        "action.scale",
        "scale the selected Deployment/StatefulSet (or an HPA's bounds)",
    ),
    (
        Action::ActRollback,
        "action.rollback",
        "roll the selected Deployment back to a revision",
    ),
    (
        Action::ActRestart,
        "action.restart",
        "restart the selected Deployment's rollout",
    ),
    (
        Action::ActPause,
        "action.pause",
        "pause or resume the selected Deployment's rollout",
    ),
    (
        Action::ActBreaker,
        "action.reset-breaker",
        "reset the circuit breaker on every ready pod",
    ),
    (
        Action::ActTraffic,
        "action.switch-traffic",
        "switch blue/green traffic of the selected Service or Deployment",
    ),
    (
        Action::ActBackup,
        "action.backup",
        "trigger a backup run of the selected CronJob",
    ),
    (
        Action::ActUndo,
        "action.undo",
        "undo the last action (from the audit log)",
    ),
];

impl Action {
    pub fn name(self) -> &'static str {
        TABLE
            .iter()
            .find(|(a, _, _)| *a == self)
            .map(|(_, n, _)| *n)
            .unwrap_or("?")
    }

    pub fn description(self) -> &'static str {
        TABLE
            .iter()
            .find(|(a, _, _)| *a == self)
            .map(|(_, _, d)| *d)
            .unwrap_or("")
    }

    pub fn from_name(n: &str) -> Option<Action> {
        TABLE
            .iter()
            .find(|(_, name, _)| *name == n)
            .map(|(a, _, _)| *a)
    }

    pub fn all() -> impl Iterator<Item = Action> {
        TABLE.iter().map(|(a, _, _)| *a)
    }

    /// Names accepted in keymap files (for error messages).
    pub fn names() -> Vec<&'static str> {
        TABLE.iter().map(|(_, n, _)| *n).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_action_has_a_unique_name_and_description() {
        let mut names = std::collections::HashSet::new();
        for (a, n, d) in TABLE {
            assert!(names.insert(*n), "duplicate name {n}");
            assert!(!d.is_empty());
            assert_eq!(Action::from_name(n), Some(*a));
        }
    }
}
