//! Applying a command (what a key means) to the state: navigation, opening views
//! and details, logs, filters, the action menu and guarded actions, toggles.

use std::sync::Arc;

use super::command::Command;
use super::effect::{Effect, FetchAs};
use super::input::LineInput;
use super::lists::ListView;
use super::lists::Target;
use super::logs::{open_logs, restart_logs};
use super::nav::{back, current_target, movement, open, select, switch_view};
use super::state::{Input, Screen, State, YamlDoc};
use crate::cluster::kinds::ResKind;
use crate::fleet::workloads::WorkloadKind;

/// Applies a command.
pub fn apply(s: &mut State, a: Command) -> Vec<Effect> {
    let page = s.page.max(1) as isize;
    match a {
        Command::Quit => {
            s.should_quit = true;
            super::quit::quit(s, super::quit::Cause::Person)
        }
        Command::Back => back(s),
        Command::Help => {
            s.help = !s.help;
            s.help_scroll = 0;
            Vec::new()
        }
        Command::Command => {
            s.input = Input::Command(LineInput::default());
            Vec::new()
        }
        Command::Filter => {
            match s.screen() {
                Screen::Logs => {
                    let cur = s
                        .logs
                        .as_ref()
                        .map(|l| l.search.clone())
                        .unwrap_or_default();
                    s.input = Input::Search(LineInput::with(&cur));
                }
                Screen::List(l) => s.input = Input::Filter(LineInput::with(&l.filter)),
                Screen::Timeline { filter, .. } => s.input = Input::Filter(LineInput::with(filter)),
                _ => {}
            }
            Vec::new()
        }
        Command::Up => movement(s, -1),
        Command::Down => movement(s, 1),
        Command::PageUp => movement(s, -page),
        Command::PageDown => movement(s, page),
        Command::Top => movement(s, isize::MIN / 2),
        Command::Bottom => movement(s, isize::MAX / 2),
        Command::Select => select(s),
        Command::Describe => match current_target(s) {
            Some(t) => {
                let fx = pod_detail(s, &t);
                open(
                    s,
                    Screen::Describe {
                        target: t,
                        scroll: 0,
                    },
                );
                fx
            }
            // A browsed resource's object: described from its fetched fields.
            None => fetch(s, FetchAs::Describe),
        },
        Command::Yaml => fetch(s, FetchAs::Yaml),
        Command::Logs => match current_target(s) {
            Some(t) => open_logs(s, &t, false),
            None => Vec::new(),
        },
        Command::NextView | Command::PrevView => {
            let cur = ListView::ALL
                .iter()
                .position(|v| *v == s.top_view())
                .unwrap_or(0);
            let n = ListView::ALL.len();
            let next = if a == Command::NextView {
                (cur + 1) % n
            } else {
                (cur + n - 1) % n
            };
            switch_view(s, ListView::ALL[next])
        }
        Command::ViewOverview => switch_view(s, ListView::Overview),
        Command::ViewPods => switch_view(s, ListView::Pods),
        Command::ViewWorkloads => switch_view(s, ListView::Workloads),
        Command::ViewHpas => switch_view(s, ListView::Hpas),
        Command::ViewEvents => switch_view(s, ListView::Events),
        Command::ViewServices => switch_view(s, ListView::Services),
        Command::ViewResources => switch_view(s, ListView::Resources),
        Command::ViewHealth => switch_view(s, ListView::Health),
        Command::ViewBackups => switch_view(s, ListView::Backups),
        Command::ViewAlerts => switch_view(s, ListView::Alerts),
        Command::ProbeAll => probe_all(s),
        Command::ViewAudit => {
            if !matches!(s.screen(), Screen::Audit { .. }) {
                s.screens.push(Screen::Audit { scroll: 0 });
            }
            Vec::new()
        }
        Command::ViewTimeline => {
            if !matches!(s.screen(), Screen::Timeline { .. }) {
                s.screens.push(Screen::Timeline {
                    scroll: 0,
                    filter: String::new(),
                });
            }
            Vec::new()
        }
        Command::Mark => {
            s.marking = !s.marking;
            s.transitions.push(
                s.now,
                super::transitions::Transition::Mark { on: s.marking },
            );
            s.notify(
                if s.marking {
                    "marked span started: M again ends it (kdeck timeline --marked exports it)"
                } else {
                    "marked span ended"
                },
                false,
            );
            Vec::new()
        }
        Command::ExportTimeline => export_timeline(s),
        Command::SortNext | Command::SortReverse => {
            let mut said = None;
            if let Some(l) = s.list_mut() {
                l.sort = if a == Command::SortNext {
                    super::sort::next(l.view, l.sort)
                } else {
                    l.sort.map(|x| super::sort::Sort {
                        reversed: !x.reversed,
                        ..x
                    })
                };
                said = Some(match l.sort {
                    Some(x) => format!("sorted by {}", super::sort::label(l.view, x)),
                    None if a == Command::SortNext => "the view's own order".to_string(),
                    None => "o sorts by a column first".to_string(),
                });
            }
            s.refresh_lists();
            if let Some(t) = said {
                s.notify(t, false);
            }
            Vec::new()
        }
        Command::ViewForwards => {
            if !matches!(s.screen(), Screen::Forwards { .. }) {
                s.screens.push(Screen::Forwards { selected: 0 });
            }
            Vec::new()
        }
        Command::ForwardStop => match s.screen() {
            Screen::Forwards { selected } => {
                let i = *selected;
                super::forwards::stop(s, i, "stopped by you", false)
            }
            _ => Vec::new(),
        },
        Command::ActionMenu => {
            let t = current_target(s);
            super::guard::open_menu(s, t)
        }
        Command::ActScale
        | Command::ActRollback
        | Command::ActRestart
        | Command::ActSetImage
        | Command::ActPause
        | Command::ActBreaker
        | Command::ActTraffic
        | Command::ActBackup
        | Command::ActReveal
        | Command::ActExec
        | Command::ActShell
        | Command::ActForward
        | Command::ActUndo => {
            let t = current_target(s);
            super::guard::start(s, a, t)
        }
        Command::ToggleCompleted => {
            s.show_completed = !s.show_completed;
            let t = if s.show_completed {
                "showing completed pods"
            } else {
                "hiding completed pods"
            };
            s.notify(t, false);
            s.refresh_lists();
            Vec::new()
        }
        Command::LogsPause => {
            if let Some(l) = s.logs.as_mut() {
                if l.paused {
                    l.follow();
                } else {
                    l.paused = true;
                }
            }
            Vec::new()
        }
        Command::LogsFollow => {
            if let Some(l) = s.logs.as_mut() {
                l.follow();
            }
            Vec::new()
        }
        Command::LogsWrap => {
            if let Some(l) = s.logs.as_mut() {
                l.wrap = !l.wrap;
            }
            Vec::new()
        }
        Command::LogsPrevious => restart_logs(s, true),
        Command::LogsContainer => super::logs::next_container(s),
        Command::LogsTimestamps => super::logs::toggle_timestamps(s),
        Command::LogsSince => super::logs::cycle_since(s),
        Command::LogsSave => match s.state_dir.clone() {
            Some(dir) => super::logs::save(s, &dir),
            None => {
                s.notify("no state directory to save logs in", true);
                Vec::new()
            }
        },
        Command::SearchNext | Command::SearchPrev => {
            let page = s.page;
            if let Some(l) = s.logs.as_mut() {
                l.find(a == Command::SearchNext, page);
            }
            Vec::new()
        }
    }
}

/// What the selection stands for, to fetch: (context, resource, namespace, name,
/// the first-class object if it is one).
fn fetchable(
    s: &State,
) -> Option<(
    usize,
    kube::discovery::ApiResource,
    String,
    String,
    Option<Target>,
)> {
    if let Some(t) = current_target(s) {
        let ar = crate::cluster::fetch::api_resource(t.kind.info());
        return Some((
            t.ctx,
            ar,
            t.namespace.to_string(),
            t.name.to_string(),
            Some(t),
        ));
    }
    let l = s.list()?;
    let ListView::Table(_) = l.view else {
        return None;
    };
    let (ctx, key) = s.fleet.table.get(l.current()?)?;
    let b = s.browse.as_ref()?;
    let res = &b.contexts.get(*ctx)?.as_ref()?.res;
    Some((
        *ctx,
        res.api_resource(),
        key.0.to_string(),
        key.1.to_string(),
        None,
    ))
}

/// This session's timeline as Markdown, under the state directory's `timelines/`.
fn export_timeline(s: &mut State) -> Vec<Effect> {
    let Some(dir) = s.state_dir.clone() else {
        s.notify("no state directory to write the timeline to", true);
        return Vec::new();
    };
    let items = s.timeline();
    let stamp = jiff::Timestamp::from_second(s.now)
        .map(|t| t.strftime("%Y%m%dT%H%M%SZ").to_string())
        .unwrap_or_default();
    let contexts: Vec<String> = s
        .contexts
        .iter()
        .map(|c| format!("{} ({})", c.spec.name, c.spec.server))
        .collect();
    let about = format!(
        "This session of kdeck {} on {}, until {stamp}.",
        env!("CARGO_PKG_VERSION"),
        contexts.join(", ")
    );
    let text = crate::app::record::timeline::markdown(&items, "Incident timeline", &about);
    let path = dir.join("timelines").join(format!("timeline-{stamp}.md"));
    vec![Effect::SaveLogs { path, text }]
}

/// A pod's describe page also asks for what its slim record leaves out
/// (conditions, environment, mounts): fetched once as the page opens.
pub fn pod_detail(s: &mut State, t: &Target) -> Vec<Effect> {
    if t.kind != ResKind::Pod {
        return Vec::new();
    }
    let request = s.next_id();
    s.yaml = Some(YamlDoc {
        request,
        lines: None,
        events_of: None,
    });
    vec![Effect::Fetch {
        request,
        ctx: t.ctx,
        res: crate::cluster::fetch::api_resource(ResKind::Pod.info()),
        namespace: t.namespace.to_string(),
        name: t.name.to_string(),
        as_: FetchAs::PodDetail,
    }]
}

/// Fetches the selected object as YAML (or, for a browsed resource, as a describe
/// page) into a detail screen.
fn fetch(s: &mut State, as_: FetchAs) -> Vec<Effect> {
    let Some((ctx, res, namespace, name, target)) = fetchable(s) else {
        return Vec::new();
    };
    let request = s.next_id();
    s.yaml = Some(YamlDoc {
        request,
        lines: None,
        events_of: (as_ == FetchAs::Describe).then(|| {
            (
                res.kind.clone(),
                Arc::from(namespace.as_str()),
                Arc::from(name.as_str()),
            )
        }),
    });
    let what = match as_ {
        FetchAs::Yaml => "yaml",
        FetchAs::Describe | FetchAs::PodDetail => "describe",
    };
    let title = format!("{what} {}/{name}", res.plural);
    let fx = vec![Effect::Fetch {
        request,
        ctx,
        res,
        namespace,
        name,
        as_,
    }];
    open(
        s,
        Screen::Yaml {
            target,
            title,
            request,
            scroll: 0,
        },
    );
    fx
}

/// Toggles probing every ready pod (instead of a sample) of the selected workload.
fn probe_all(s: &mut State) -> Vec<Effect> {
    let Some(t) = current_target(s) else {
        return Vec::new();
    };
    let kind = match t.kind {
        ResKind::Deployment => WorkloadKind::Deployment,
        ResKind::StatefulSet => WorkloadKind::StatefulSet,
        _ => {
            s.notify("select a workload to probe all of its pods", true);
            return Vec::new();
        }
    };
    let wl: Arc<str> = Arc::from(format!("{}/{}", kind.short(), t.name));
    let k = (t.ctx, t.namespace.clone(), wl.clone());
    let msg = if s.probe_all.remove(&k) {
        format!("probing a sample of {wl}'s pods again")
    } else {
        s.probe_all.insert(k);
        format!("probing every ready pod of {wl}")
    };
    s.notify(msg, false);
    s.extras_rev += 1;
    s.refresh();
    Vec::new()
}
