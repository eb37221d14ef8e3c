//! The console: the state and the one door into it. `step` takes an event, applies
//! it (`update`), rebuilds the derived rows when the data has moved on (at most every
//! `REBUILD` while reports stream in — longer when a rebuild is costly, so a large
//! fleet under churn spends a bounded share of a core on it; at once for anything
//! else), and reconciles what
//! the background tasks were given with what the rows now need. Every effect leaves
//! through its return value. The binary, the headless driver, the benchmark and the
//! tests all drive the console through `step`.

use std::sync::Arc;
use std::time::{Duration, Instant};

use super::effect::Effect;
use super::event::Event;
use super::state::State;
use crate::probe::scheduler::Focus;

/// The shortest pause between two rebuilds of the derived rows while reports stream in.
pub const REBUILD: Duration = Duration::from_millis(250);
/// The longest: rows never lag the data by more while reports stream in.
pub const REBUILD_MAX: Duration = Duration::from_millis(2000);
/// While the first answers arrive: progress is shown this often.
pub const REBUILD_LOADING: Duration = Duration::from_millis(1000);
/// Rebuilds driven by reports take at most 1/`REBUILD_SHARE` of the time: the pause
/// after one is this many times what it cost (within the bounds above).
pub const REBUILD_SHARE: u32 = 25;

/// The pause after a rebuild that took `cost`.
pub fn rebuild_pause(cost: Duration) -> Duration {
    (cost * REBUILD_SHARE).clamp(REBUILD, REBUILD_MAX)
}

pub struct Console {
    pub state: State,
    last_rebuild: Option<Instant>,
    /// The pause the last rebuild's cost calls for.
    pause: Duration,
    /// What the on-screen workloads were last computed from, and the set sent.
    focus_of: Option<FocusOf>,
    sent_focus: Arc<Focus>,
    /// Replaying a recording: the rows are rebuilt on the clock and on `Refresh`
    /// only, so a moment's state depends on the entries before it, not on timing.
    replay: bool,
}

/// What the on-screen set depends on (recomputed only when one of these moves).
#[derive(PartialEq, Eq)]
struct FocusOf {
    fleet: u64,
    screens: usize,
    view: Option<super::lists::ListView>,
    offset: usize,
    page: usize,
    visible: usize,
    /// The rows in the window (a filter or scope change can keep the count).
    window: u64,
}

impl FocusOf {
    fn of(s: &State) -> FocusOf {
        let l = s.nearest_list();
        FocusOf {
            fleet: s.fleet_gen(),
            screens: s.screens.len(),
            view: l.map(|l| l.view),
            offset: l.map_or(0, |l| l.offset),
            page: s.page,
            visible: l.map_or(0, |l| l.visible.len()),
            window: l.map_or(0, |l| {
                use std::hash::{Hash, Hasher};
                let mut h = std::collections::hash_map::DefaultHasher::new();
                l.visible
                    .iter()
                    .skip(l.offset)
                    .take(s.page.max(1))
                    .for_each(|i| i.hash(&mut h));
                h.finish()
            }),
        }
    }
}

impl Console {
    pub fn new(state: State) -> Console {
        Console {
            state,
            last_rebuild: None,
            pause: REBUILD,
            focus_of: None,
            sent_focus: Arc::new(Focus::new()),
            replay: false,
        }
    }

    /// Rebuilds only on the clock and on `Refresh` (a replay's exact seeking).
    pub fn set_replay(&mut self) {
        self.replay = true;
    }

    /// Applies one event; returns the effects to run.
    #[must_use]
    pub fn step(&mut self, ev: Event) -> Vec<Effect> {
        // A kind's whole state arriving (or a feed changing state) while the first
        // answers come: shown at once if it completes them (the first complete
        // screen must not wait out a pause), else at the loading pace.
        let arrival = matches!(
            ev,
            Event::Cluster(
                crate::cluster::msg::Msg::Relisted { .. } | crate::cluster::msg::Msg::Feed { .. }
            )
        );
        let was_loading = self.state.loading();
        let clocked = matches!(ev, Event::Tick(_) | Event::Refresh);
        let report = !arrival
            && matches!(
                ev,
                Event::Cluster(_) | Event::Probe(_) | Event::Done(_) | Event::Tick(_)
            );
        let mut fx = super::update::update(&mut self.state, ev);
        // While the first answers arrive, the rows follow once a second (rebuilds
        // would otherwise compete with decoding them); the answer that completes
        // the picture is shown at once.
        let completes = was_loading && !self.state.loading();
        let pause = self.pause_while(was_loading);
        let paused = if self.replay {
            !clocked
        } else {
            (report || (arrival && !completes))
                && self.last_rebuild.is_some_and(|t| t.elapsed() < pause)
        };
        if self.state.stale() && !paused {
            let t = Instant::now();
            self.state.refresh();
            let cost = t.elapsed();
            if cost > Duration::from_millis(20) {
                tracing::debug!(ms = cost.as_millis() as u64, "rows rebuilt");
            }
            self.pause = rebuild_pause(cost);
            self.last_rebuild = Some(Instant::now());
        }
        fx.extend(self.state.reconcile());
        let of = FocusOf::of(&self.state);
        if self.focus_of.as_ref() != Some(&of) {
            self.focus_of = Some(of);
            let focus = super::focus::on_screen(&self.state);
            if *self.sent_focus != focus {
                self.sent_focus = Arc::new(focus);
                fx.push(Effect::ProbeFocus(self.sent_focus.clone()));
            }
        }
        // Records leaving in the same turn as the quit are written before it, not
        // on a task the stopping runtime could drop.
        if fx.iter().any(|e| matches!(e, Effect::Quit)) {
            for e in &mut fx {
                if let Effect::Audit { now, .. } = e {
                    *now = true;
                }
            }
        }
        fx
    }

    /// The pause between rebuilds driven by reports: the loading pace while the first
    /// answers arrive, else what the last rebuild's cost calls for.
    fn pause_while(&self, loading: bool) -> Duration {
        if loading { REBUILD_LOADING } else { self.pause }
    }

    /// When the rows are behind the data: how long until a `Refresh` rebuilds them.
    pub fn rebuild_due_in(&self) -> Option<Duration> {
        self.state.stale().then(|| {
            self.last_rebuild.map_or(Duration::ZERO, |t| {
                self.pause_while(self.state.loading())
                    .saturating_sub(t.elapsed())
            })
        })
    }

    /// Whether kdeck has finished quitting.
    pub fn done(&self) -> bool {
        self.state.should_quit
    }
}

impl std::ops::Deref for Console {
    type Target = State;
    fn deref(&self) -> &State {
        &self.state
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_costly_rebuild_waits_longer_within_bounds() {
        assert_eq!(rebuild_pause(Duration::from_millis(1)), REBUILD);
        assert_eq!(
            rebuild_pause(Duration::from_millis(40)),
            Duration::from_millis(1000)
        );
        assert_eq!(rebuild_pause(Duration::from_millis(500)), REBUILD_MAX);
    }
}
