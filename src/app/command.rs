//! Commands: what a key means. The keymap maps keys to these (by name); `update`
//! applies them; help and footer hints are generated from their names and
//! descriptions. (Changes sent to a cluster are guarded actions: `crate::actions`.)

#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Command {
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
    ViewTimeline,
    ExportTimeline,
    Mark,
    ActionMenu,
    ActScale,
    ActRollback,
    ActRestart,
    ActSetImage,
    ActPause,
    ActBreaker,
    ActTraffic,
    ActBackup,
    ActReveal,
    ActUndo,
    ActExec,
    ActShell,
    ActForward,
    ViewForwards,
    ForwardStop,
    SortNext,
    SortReverse,
    LogsContainer,
    LogsTimestamps,
    LogsSince,
    LogsSave,
}

/// (command, name in keymap files, description for help).
const TABLE: &[(Command, &str, &str)] = &[
    (Command::Quit, "quit", "quit kdeck"),
    (Command::Back, "back", "close, clear the filter, or go back"),
    (Command::Help, "help", "show or hide this help"),
    (
        Command::Command,
        "command",
        "command line: views, namespaces, contexts",
    ),
    (Command::Filter, "filter", "filter the current list"),
    (Command::Up, "up", "move up"),
    (Command::Down, "down", "move down"),
    (Command::PageUp, "page-up", "page up"),
    (Command::PageDown, "page-down", "page down"),
    (Command::Top, "top", "go to the first row"),
    (Command::Bottom, "bottom", "go to the last row"),
    (
        Command::Select,
        "select",
        "open: drill down into the selected row",
    ),
    (
        Command::Describe,
        "describe",
        "describe the selected object",
    ),
    (Command::Yaml, "yaml", "the YAML of the selected object"),
    (
        Command::Logs,
        "logs",
        "logs of the selected pod or workload",
    ),
    (Command::NextView, "next-view", "next view"),
    (Command::PrevView, "prev-view", "previous view"),
    (
        Command::ViewOverview,
        "view.overview",
        "overview: workloads by severity",
    ),
    (Command::ViewPods, "view.pods", "pods"),
    (
        Command::ViewWorkloads,
        "view.workloads",
        "workloads and rollout history",
    ),
    (Command::ViewHpas, "view.hpas", "horizontal pod autoscalers"),
    (Command::ViewEvents, "view.events", "events, warnings first"),
    (
        Command::ViewServices,
        "view.services",
        "services and endpoints",
    ),
    (
        Command::ViewResources,
        "view.resources",
        "CPU and memory use (top)",
    ),
    (
        Command::ViewHealth,
        "view.health",
        "health endpoints: state, latency, errors",
    ),
    (
        Command::ViewBackups,
        "view.backups",
        "backups: freshness, last runs, snapshots",
    ),
    (Command::ViewAlerts, "view.alerts", "firing alerts"),
    (
        Command::ProbeAll,
        "probe-all",
        "probe every ready pod of the selected workload (or a sample again)",
    ),
    (
        Command::ToggleCompleted,
        "toggle-completed",
        "show or hide completed pods",
    ),
    (
        Command::LogsPause,
        "logs.pause",
        "pause or resume the log view",
    ),
    (
        Command::LogsFollow,
        "logs.follow",
        "jump to the newest line and follow",
    ),
    (Command::LogsWrap, "logs.wrap", "wrap long lines"),
    (
        Command::LogsPrevious,
        "logs.previous",
        "logs of the previous (crashed) container",
    ),
    (Command::SearchNext, "search.next", "next search match"),
    (Command::SearchPrev, "search.prev", "previous search match"),
    (
        Command::ViewAudit,
        "view.audit",
        "audit log: every action, refusal and cancellation",
    ),
    (
        Command::ViewTimeline,
        "view.timeline",
        "timeline: what was seen and done this session, newest first",
    ),
    (
        Command::ExportTimeline,
        "timeline.export",
        "write this session's timeline as Markdown for a postmortem",
    ),
    (
        Command::Mark,
        "timeline.mark",
        "start or end a marked span (the timeline and its export can keep to it)",
    ),
    (
        Command::ActionMenu,
        "actions",
        "actions on the selected row (disabled ones say why)",
    ),
    (
        Command::ActScale,
        "action.scale",
        "scale the selected Deployment/StatefulSet (or an HPA's bounds)",
    ),
    (
        Command::ActRollback,
        "action.rollback",
        "roll the selected Deployment back to a revision",
    ),
    (
        Command::ActRestart,
        "action.restart",
        "restart the selected Deployment's rollout",
    ),
    (
        Command::ActSetImage,
        "action.set-image",
        "set a container's image in the selected Deployment (kubectl set image)",
    ),
    (
        Command::ActPause,
        "action.pause",
        "pause or resume the selected Deployment's rollout",
    ),
    (
        Command::ActBreaker,
        "action.reset-breaker",
        "reset the circuit breaker on every ready pod",
    ),
    (
        Command::ActTraffic,
        "action.switch-traffic",
        "switch blue/green traffic of the selected Service or Deployment",
    ),
    (
        Command::ActBackup,
        "action.backup",
        "trigger a backup run of the selected CronJob",
    ),
    (
        Command::ActReveal,
        "action.reveal",
        "reveal one key's value of the selected Secret (checked, confirmed, audited)",
    ),
    (
        Command::ActUndo,
        "action.undo",
        "undo the last action (from the audit log)",
    ),
    (
        Command::ActExec,
        "action.exec",
        "run one command in a container (its output in a pane)",
    ),
    (
        Command::ActShell,
        "action.shell",
        "open a shell in a container of the selected pod or workload",
    ),
    (
        Command::ActForward,
        "action.port-forward",
        "forward a local port to the selected pod, workload or Service",
    ),
    (
        Command::ViewForwards,
        "view.forwards",
        "port-forwards: target, local address, connections, bytes",
    ),
    (
        Command::SortNext,
        "sort.next",
        "sort by the next column (after the last: the view's own order)",
    ),
    (Command::SortReverse, "sort.reverse", "reverse the sort"),
    (
        Command::LogsContainer,
        "logs.container",
        "the pod's next container (a sidecar's logs)",
    ),
    (
        Command::LogsTimestamps,
        "logs.timestamps",
        "timestamps on or off",
    ),
    (
        Command::LogsSince,
        "logs.since",
        "only the last 1m, 15m, 1h, or all",
    ),
    (
        Command::LogsSave,
        "logs.save",
        "save the buffer to a file (state dir, logs/)",
    ),
    (
        Command::ForwardStop,
        "forward.stop",
        "stop the selected port-forward (in the forwards view)",
    ),
];

impl Command {
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

    pub fn from_name(n: &str) -> Option<Command> {
        TABLE
            .iter()
            .find(|(_, name, _)| *name == n)
            .map(|(a, _, _)| *a)
    }

    pub fn all() -> impl Iterator<Item = Command> {
        TABLE.iter().map(|(a, _, _)| *a)
    }

    /// Names accepted in keymap files (for error messages).
    pub fn names() -> Vec<&'static str> {
        TABLE.iter().map(|(_, n, _)| *n).collect()
    }
}

impl crate::config::keymap::Bindable for Command {
    fn from_name(name: &str) -> Option<Command> {
        Command::from_name(name)
    }
    fn name(self) -> &'static str {
        Command::name(self)
    }
    fn names() -> Vec<&'static str> {
        Command::names()
    }
    fn quit() -> Command {
        Command::Quit
    }
    fn essentials() -> Vec<Command> {
        vec![Command::Quit, Command::Command, Command::Help]
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::keymap::{DEFAULT, Key, Keymap, Mode, VIM};

    #[test]
    fn every_command_has_a_unique_name_and_description() {
        let mut names = std::collections::HashSet::new();
        for (a, n, d) in TABLE {
            assert!(names.insert(*n), "duplicate name {n}");
            assert!(!d.is_empty());
            assert_eq!(Command::from_name(n), Some(*a));
        }
    }

    #[test]
    fn shipped_keymaps_parse_without_duplicates() {
        let mut k = Keymap::<Command>::default();
        assert_eq!(k.merge("keymaps/default.toml", DEFAULT), Ok(vec![]));
        assert!(k.len() > 20);
        let mut v = k.clone();
        assert_eq!(v.merge("keymaps/vim.toml", VIM), Ok(vec![]));
        // Every command is reachable from the default keymap.
        for a in Command::all() {
            let bound = Mode::ALL.iter().any(|m| !k.keys_for(*m, a).is_empty());
            assert!(
                bound,
                "command {} has no key in the default keymap",
                a.name()
            );
        }
        assert!(Keymap::<Command>::builtin("vim").is_some());
        assert!(Keymap::<Command>::builtin("emacs").is_none());
    }

    #[test]
    fn user_keymap_merges_and_errors_name_lines() {
        let mut k = Keymap::<Command>::builtin("default").unwrap();
        k.merge("user.toml", "[list]\n\"x\" = \"logs\"\n\"l\" = \"none\"\n")
            .unwrap();
        assert_eq!(k.command(Mode::List, &Key::char('x')), Some(Command::Logs));
        assert_eq!(k.command(Mode::List, &Key::char('l')), None);
        // Globals still apply in list mode.
        assert_eq!(k.command(Mode::List, &Key::char('q')), Some(Command::Quit));
        let errs = k
            .merge("user.toml", "[list]\n\"x\" = \"fly\"\n\"hyper-z\" = \"quit\"\n\"esc\" = \"back\"\n\"Esc\" = \"quit\"\n[nope]\n")
            .unwrap_err();
        let text: Vec<String> = errs.iter().map(|d| d.to_string()).collect();
        assert!(
            text.iter()
                .any(|t| t.starts_with("user.toml:2:") && t.contains("unknown command \"fly\"")),
            "{text:?}"
        );
        assert!(
            text.iter()
                .any(|t| t.starts_with("user.toml:3:") && t.contains("unknown key")),
            "{text:?}"
        );
        assert!(
            text.iter().any(|t| t.starts_with("user.toml:5:")
                && t.contains("duplicate binding")
                && t.contains("line 4")),
            "{text:?}"
        );
        assert!(
            text.iter().any(|t| t.contains("unknown section [nope]")),
            "{text:?}"
        );
        // A failed merge leaves the keymap as it was.
        assert_eq!(k.command(Mode::List, &Key::char('x')), Some(Command::Logs));
        let syntax = k.merge("user.toml", "[list\n").unwrap_err();
        assert_eq!(syntax[0].line, 1);
    }

    #[test]
    fn no_keymap_can_take_away_the_way_out() {
        let base = Keymap::<Command>::builtin("default").unwrap();
        let place = |errs: &[crate::config::diag::Diag]| -> Vec<String> {
            errs.iter().map(|d| d.to_string()).collect()
        };
        // Unbinding q (quit's only other key) is an error naming the line.
        let mut k = base.clone();
        let errs = k
            .merge("k.toml", "[global]\n\"q\" = \"none\"\n")
            .unwrap_err();
        assert!(
            place(&errs)
                .iter()
                .any(|t| t.starts_with("k.toml:2:") && t.contains("\"quit\" with no key")),
            "{errs:?}"
        );
        // So is shadowing it in one mode only, and unbinding ':' or '?'.
        for (text, what) in [
            (
                "[logs]\n\"q\" = \"back\"\n",
                "\"quit\" with no key (in logs)",
            ),
            ("[global]\n\":\" = \"none\"\n", "\"command\" with no key"),
            ("[global]\n\"?\" = \"none\"\n", "\"help\" with no key"),
        ] {
            let errs = base.clone().merge("k.toml", text).unwrap_err();
            assert!(
                place(&errs).iter().any(|t| t.contains(what)),
                "{text}: {errs:?}"
            );
        }
        // ctrl-c cannot be rebound or unbound, and always quits.
        for v in ["none", "help"] {
            let errs = base
                .clone()
                .merge("k.toml", &format!("[list]\n\"ctrl-c\" = \"{v}\"\n"))
                .unwrap_err();
            assert!(
                place(&errs)
                    .iter()
                    .any(|t| t.starts_with("k.toml:2:") && t.contains("ctrl-c always quits")),
                "{errs:?}"
            );
        }
        assert_eq!(
            base.command(Mode::Detail, &Key::ctrl('c')),
            Some(Command::Quit)
        );
        // Moving quit to another key is fine.
        let mut k = base.clone();
        k.merge("k.toml", "[global]\n\"q\" = \"none\"\n\"Q\" = \"quit\"\n")
            .expect("quit keeps a key");
        assert_eq!(k.command(Mode::List, &Key::char('Q')), Some(Command::Quit));
    }
}
