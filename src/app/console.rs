//! The console: the state and the one door into it. `step` takes an event, applies
//! it (`update`), rebuilds the derived rows when the data has moved on (at most every
//! `REBUILD` while reports stream in; at once for anything else), and reconciles what
//! the background tasks were given with what the rows now need. Every effect leaves
//! through its return value. The binary, the headless driver, the benchmark and the
//! tests all drive the console through `step`.

use std::time::{Duration, Instant};

use super::effect::Effect;
use super::event::Event;
use super::state::State;

/// The shortest pause between two rebuilds of the derived rows while reports stream in.
pub const REBUILD: Duration = Duration::from_millis(250);

pub struct Console {
    pub state: State,
    last_rebuild: Option<Instant>,
}

impl Console {
    pub fn new(state: State) -> Console {
        Console {
            state,
            last_rebuild: None,
        }
    }

    /// Applies one event; returns the effects to run.
    #[must_use]
    pub fn step(&mut self, ev: Event) -> Vec<Effect> {
        let report = matches!(ev, Event::Cluster(_) | Event::Probe(_) | Event::Done(_));
        let mut fx = super::update::update(&mut self.state, ev);
        let paused = report && self.last_rebuild.is_some_and(|t| t.elapsed() < REBUILD);
        if self.state.stale() && !paused {
            self.state.refresh();
            self.last_rebuild = Some(Instant::now());
        }
        fx.extend(self.state.reconcile());
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

    /// When the rows are behind the data: how long until a `Refresh` rebuilds them.
    pub fn rebuild_due_in(&self) -> Option<Duration> {
        self.state.stale().then(|| {
            self.last_rebuild
                .map_or(Duration::ZERO, |t| REBUILD.saturating_sub(t.elapsed()))
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
