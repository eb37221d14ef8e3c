//! The log view: which streams feed it (a pod's container, every pod of a workload,
//! a backup's last run), a bounded buffer of lines (oldest dropped), pause, follow,
//! wrap, and search with match navigation; opening and closing it.

use std::collections::VecDeque;
use std::sync::Arc;

use super::effect::Effect;
use super::lists::Target;
use super::state::{Screen, State};
use crate::cluster::kinds::ResKind;
use crate::cluster::msg::CtxId;
use crate::fleet::workloads::WorkloadKind;

/// Lines kept in the buffer.
pub const BUFFER: usize = 5000;
/// Most pods followed at once for a workload's merged logs.
pub const MAX_PODS: usize = 12;

#[derive(Clone, Debug, PartialEq)]
pub struct Stream {
    pub id: u64,
    pub pod: Arc<str>,
    pub container: String,
    pub ended: Option<String>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Line {
    pub pod: Arc<str>,
    pub text: String,
}

#[derive(Clone, Debug, PartialEq)]
pub struct LogsState {
    pub ctx: CtxId,
    pub namespace: Arc<str>,
    pub title: String,
    pub streams: Vec<Stream>,
    pub lines: VecDeque<Line>,
    /// Lines dropped from the front since the view opened (for stable positions).
    pub dropped: u64,
    /// Lines from the bottom the view is scrolled up by (0: following the tail).
    pub scroll: usize,
    pub paused: bool,
    pub wrap: bool,
    pub previous: bool,
    /// Prefix lines with their pod (merged logs of several pods).
    pub prefixed: bool,
    pub search: String,
    /// The match the view is on (index into `lines`).
    pub current_match: Option<usize>,
    /// The server's timestamps before each line (`t`).
    pub timestamps: bool,
    /// Only the last this many seconds (`s` cycles 1m, 15m, 1h, all).
    pub since: Option<i64>,
    /// A single pod's containers (`C` moves to the next), and the one shown.
    pub containers: Vec<String>,
    /// What the view shows (to open it again with other options).
    pub target: Option<Target>,
}

impl LogsState {
    pub fn new(ctx: CtxId, namespace: Arc<str>, title: String, prefixed: bool) -> LogsState {
        LogsState {
            ctx,
            namespace,
            title,
            streams: Vec::new(),
            lines: VecDeque::new(),
            dropped: 0,
            scroll: 0,
            paused: false,
            wrap: false,
            previous: false,
            prefixed,
            search: String::new(),
            current_match: None,
            timestamps: false,
            since: None,
            containers: Vec::new(),
            target: None,
        }
    }

    pub fn push(&mut self, pod: Arc<str>, text: String) {
        self.lines.push_back(Line { pod, text });
        if self.paused || self.scroll > 0 {
            // Keep the paused view on the same lines as new ones arrive.
            self.scroll += 1;
        }
        while self.lines.len() > BUFFER {
            self.lines.pop_front();
            self.dropped += 1;
            self.scroll = self.scroll.min(self.lines.len());
            self.current_match = self.current_match.and_then(|m| m.checked_sub(1));
        }
    }

    pub fn owns(&self, stream: u64) -> bool {
        self.streams.iter().any(|s| s.id == stream)
    }

    pub fn matches(&self, i: usize) -> bool {
        !self.search.is_empty()
            && self
                .lines
                .get(i)
                .is_some_and(|l| l.text.to_lowercase().contains(&self.search.to_lowercase()))
    }

    /// Moves to the next (or previous) match and scrolls it into view.
    pub fn find(&mut self, forward: bool, view_height: usize) {
        if self.search.is_empty() || self.lines.is_empty() {
            return;
        }
        let n = self.lines.len();
        let start = self
            .current_match
            .unwrap_or(if forward { n.saturating_sub(1) } else { 0 });
        for step in 1..=n {
            let i = if forward {
                (start + step) % n
            } else {
                (start + n - step % n) % n
            };
            if self.matches(i) {
                self.current_match = Some(i);
                let bottom = n - 1;
                // Put the match inside the window [n - scroll - height, n - scroll).
                let from_bottom = bottom - i;
                if from_bottom < self.scroll || from_bottom >= self.scroll + view_height.max(1) {
                    self.scroll = from_bottom.saturating_sub(view_height.max(1) / 2);
                }
                self.paused = true;
                return;
            }
        }
    }

    pub fn follow(&mut self) {
        self.paused = false;
        self.scroll = 0;
    }
}

pub fn stop_logs(s: &mut State) -> Vec<Effect> {
    let fx = s
        .logs
        .as_ref()
        .map(|l| {
            l.streams
                .iter()
                .map(|st| Effect::StopLogs { stream: st.id })
                .collect()
        })
        .unwrap_or_default();
    s.logs = None;
    s.screens.retain(|sc| *sc != Screen::Logs);
    fx
}

/// A log view's title and the (pod, container) pairs it follows.
type LogSources = (String, Vec<(Arc<str>, String)>);

/// The pods and containers to follow for a target.
fn log_sources(s: &State, t: &Target, want: Option<&str>) -> Result<LogSources, String> {
    let c = s.contexts.get(t.ctx).ok_or("unknown context")?;
    match t.kind {
        ResKind::Pod => {
            let p = c
                .data
                .kinds
                .pods
                .get(&(t.namespace.clone(), t.name.clone()))
                .ok_or_else(|| format!("pod {} is gone", t.name))?;
            let container = want
                .filter(|w| p.containers.iter().any(|c| c.name.as_ref() == *w))
                .or(p
                    .default_container
                    .as_deref()
                    .filter(|d| p.containers.iter().any(|c| c.name.as_ref() == *d)))
                .or(p.containers.first().map(|c| c.name.as_ref()))
                .ok_or("the pod has no containers")?;
            Ok((
                format!("{}/{} [{}]", t.namespace, t.name, container),
                vec![(p.name.clone(), container.to_string())],
            ))
        }
        ResKind::Deployment | ResKind::StatefulSet => {
            let kind = if t.kind == ResKind::Deployment {
                WorkloadKind::Deployment
            } else {
                WorkloadKind::StatefulSet
            };
            let wl = format!("{}/{}", kind.short(), t.name);
            let mut pods: Vec<(Arc<str>, String)> =
                crate::fleet::workloads::pods_of(&c.data, kind, &t.namespace, &t.name)
                    .into_iter()
                    .filter(|p| !p.completed())
                    .filter_map(|rec| {
                        let container = rec
                            .default_container
                            .as_deref()
                            .or(rec.containers.first().map(|c| c.name.as_ref()))?
                            .to_string();
                        Some((rec.name.clone(), container))
                    })
                    .collect();
            if pods.is_empty() {
                return Err(format!("{wl} has no pods"));
            }
            pods.truncate(MAX_PODS);
            Ok((
                format!("{}/{} ({} pods)", t.namespace, wl, pods.len()),
                pods,
            ))
        }
        ResKind::CronJob | ResKind::Job => {
            let job = if t.kind == ResKind::CronJob {
                backup_job(c, &t.namespace, &t.name)
                    .ok_or_else(|| format!("cronjob/{} has no runs", t.name))?
            } else {
                t.name.clone()
            };
            let pods: Vec<(Arc<str>, String)> =
                crate::cluster::kinds::in_namespace(&c.data.kinds.pods, &t.namespace)
                    .filter(|p| {
                        p.owner.as_ref().is_some_and(|o| {
                            o.kind == crate::cluster::kinds::OwnerKind::Job && o.name == job
                        })
                    })
                    .filter_map(|p| {
                        let container = p
                            .default_container
                            .as_deref()
                            .or(p.containers.first().map(|c| c.name.as_ref()))?
                            .to_string();
                        Some((p.name.clone(), container))
                    })
                    .take(MAX_PODS)
                    .collect();
            if pods.is_empty() {
                return Err(format!("job/{job} has no pods left"));
            }
            Ok((format!("{}/job/{job}", t.namespace), pods))
        }
        _ => Err(format!("no logs for {}", t.kind.plural())),
    }
}

/// The Job to show logs of for a backup CronJob: its newest failed run, else its
/// newest run.
fn backup_job(c: &crate::app::state::ContextState, ns: &str, cronjob: &str) -> Option<Arc<str>> {
    use crate::cluster::kinds::{JobOutcome, OwnerKind};
    let mut jobs: Vec<_> = crate::cluster::kinds::in_namespace(&c.data.kinds.jobs, ns)
        .filter(|j| {
            j.meta
                .owner
                .as_ref()
                .is_some_and(|o| o.kind == OwnerKind::CronJob && o.name.as_ref() == cronjob)
        })
        .collect();
    jobs.sort_by_key(|j| std::cmp::Reverse(j.start.unwrap_or(j.meta.created)));
    jobs.iter()
        .find(|j| j.outcome == JobOutcome::Failed)
        .or(jobs.first())
        .map(|j| j.meta.name.clone())
}

/// How a log view is opened.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Opts {
    pub previous: bool,
    /// A pod's container other than its default.
    pub container: Option<String>,
    pub since: Option<i64>,
    pub timestamps: bool,
}

pub fn open_logs(s: &mut State, t: &Target, previous: bool) -> Vec<Effect> {
    open_with(
        s,
        t,
        Opts {
            previous,
            ..Opts::default()
        },
    )
}

fn open_with(s: &mut State, t: &Target, o: Opts) -> Vec<Effect> {
    let (title, pods) = match log_sources(s, t, o.container.as_deref()) {
        Ok(x) => x,
        Err(e) => {
            s.notify(e, true);
            return Vec::new();
        }
    };
    let containers: Vec<String> = if t.kind == ResKind::Pod {
        s.contexts
            .get(t.ctx)
            .and_then(|c| {
                c.data
                    .kinds
                    .pods
                    .get(&(t.namespace.clone(), t.name.clone()))
            })
            .map(|p| p.containers.iter().map(|c| c.name.to_string()).collect())
            .unwrap_or_default()
    } else {
        Vec::new()
    };
    let mut fx = stop_logs(s);
    let mut l = LogsState::new(t.ctx, t.namespace.clone(), title, pods.len() > 1);
    l.previous = o.previous;
    l.timestamps = o.timestamps;
    l.since = o.since;
    l.containers = containers;
    l.target = Some(t.clone());
    for (pod, container) in pods {
        let id = s.next_id();
        l.streams.push(Stream {
            id,
            pod: pod.clone(),
            container: container.clone(),
            ended: None,
        });
        fx.push(Effect::StartLogs {
            stream: id,
            ctx: t.ctx,
            namespace: t.namespace.to_string(),
            pod,
            container,
            tail: 200,
            previous: o.previous,
            since: o.since,
            timestamps: o.timestamps,
        });
    }
    s.logs = Some(l);
    // Keep the target's screen under the logs so `back` returns to it.
    s.screens.push(Screen::Logs);
    fx
}

/// The view's options now (to open it again with one of them changed).
fn current(l: &LogsState) -> Opts {
    Opts {
        previous: l.previous,
        container: (!l.containers.is_empty())
            .then(|| l.streams.first().map(|s| s.container.clone()))
            .flatten(),
        since: l.since,
        timestamps: l.timestamps,
    }
}

fn reopen(s: &mut State, change: impl FnOnce(&LogsState, &mut Opts)) -> Vec<Effect> {
    let Some(l) = s.logs.as_ref() else {
        return Vec::new();
    };
    let Some(target) = l.target.clone() else {
        return Vec::new();
    };
    let mut o = current(l);
    change(l, &mut o);
    s.screens.pop();
    open_with(s, &target, o)
}

pub fn restart_logs(s: &mut State, previous: bool) -> Vec<Effect> {
    reopen(s, |l, o| o.previous = previous && !l.previous)
}

/// `C`: the pod's next container (init containers are not listed).
pub fn next_container(s: &mut State) -> Vec<Effect> {
    let n = s.logs.as_ref().map_or(0, |l| l.containers.len());
    if n < 2 {
        s.notify(
            "this view has one container (workloads: open a pod's logs)",
            false,
        );
        return Vec::new();
    }
    let fx = reopen(s, |l, o| {
        let now = l
            .streams
            .first()
            .map(|s| s.container.as_str())
            .unwrap_or("");
        let at = l.containers.iter().position(|c| c == now).unwrap_or(0);
        o.container = Some(l.containers[(at + 1) % l.containers.len()].clone());
        o.previous = false;
    });
    if let Some(c) = s.logs.as_ref().and_then(|l| l.streams.first()) {
        let t = format!("container {}", c.container);
        s.notify(t, false);
    }
    fx
}

/// The ranges `s` cycles through: the last 1 minute, 15 minutes, 1 hour, then all
/// (the last 200 lines).
pub const SINCE: &[Option<i64>] = &[Some(60), Some(900), Some(3600), None];

pub fn since_label(since: Option<i64>) -> String {
    match since {
        Some(s) if s % 3600 == 0 => format!("{}h", s / 3600),
        Some(s) => format!("{}m", s / 60),
        None => "all".into(),
    }
}

pub fn cycle_since(s: &mut State) -> Vec<Effect> {
    let fx = reopen(s, |l, o| {
        let at = SINCE
            .iter()
            .position(|x| *x == l.since)
            .unwrap_or(SINCE.len() - 1);
        o.since = SINCE[(at + 1) % SINCE.len()];
    });
    let label = s
        .logs
        .as_ref()
        .map(|l| since_label(l.since))
        .unwrap_or_default();
    s.notify(format!("logs since: {label}"), false);
    fx
}

pub fn toggle_timestamps(s: &mut State) -> Vec<Effect> {
    let fx = reopen(s, |l, o| o.timestamps = !l.timestamps);
    let on = s.logs.as_ref().is_some_and(|l| l.timestamps);
    s.notify(
        if on {
            "timestamps on"
        } else {
            "timestamps off"
        },
        false,
    );
    fx
}

/// `ctrl-s`: the buffer as shown (inert text, pod prefixes kept) to a file in the
/// state dir's `logs/`.
pub fn save(s: &mut State, dir: &std::path::Path) -> Vec<Effect> {
    let Some(l) = s.logs.as_ref() else {
        return Vec::new();
    };
    let stamp = jiff::Timestamp::from_second(s.now)
        .map(|t| t.strftime("%Y%m%dT%H%M%SZ").to_string())
        .unwrap_or_default();
    let name: String = l
        .title
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' {
                c
            } else {
                '_'
            }
        })
        .take(80)
        .collect();
    let path = dir.join("logs").join(format!("{name}-{stamp}.log"));
    let mut text = String::new();
    for line in &l.lines {
        if l.prefixed {
            text.push_str(&format!("{} {}\n", line.pod, line.text));
        } else {
            text.push_str(&line.text);
            text.push('\n');
        }
    }
    vec![Effect::SaveLogs { path, text }]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn buffer_is_bounded_and_pause_holds_the_view() {
        let mut l = LogsState::new(0, Arc::from("ns"), "t".into(), false);
        for i in 0..BUFFER + 10 {
            l.push(Arc::from("p"), format!("line {i}"));
        }
        assert_eq!(l.lines.len(), BUFFER);
        assert_eq!(l.dropped, 10);
        assert_eq!(l.scroll, 0);
        l.paused = true;
        l.push(Arc::from("p"), "new".into());
        assert_eq!(l.scroll, 1, "paused view stays on the same lines");
        l.follow();
        assert_eq!((l.scroll, l.paused), (0, false));
    }

    #[test]
    fn search_moves_between_matches() {
        let mut l = LogsState::new(0, Arc::from("ns"), "t".into(), false);
        for t in ["ok", "ERROR one", "ok", "error two", "ok"] {
            l.push(Arc::from("p"), t.into());
        }
        l.search = "error".into();
        l.find(true, 2);
        assert_eq!(l.current_match, Some(1));
        l.find(true, 2);
        assert_eq!(l.current_match, Some(3));
        l.find(true, 2);
        assert_eq!(l.current_match, Some(1));
        l.find(false, 2);
        assert_eq!(l.current_match, Some(3));
        assert!(l.paused);
    }
}
