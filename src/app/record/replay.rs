//! Replay: a recording fed, entry by entry, through the same `step` as live sources
//! into a read-only console. Time is the recording's own (its clock entries); the
//! rows are rebuilt at each clock entry and nowhere else, so the state at a moment
//! depends only on the entries up to it — seeking is exact, however it was reached
//! (a seek back starts again from the first entry).

use super::read::Recording;
use super::{Entry, Timed};
use crate::app::console::Console;
use crate::app::event::Event;
use crate::app::state::{ContextState, State};
use crate::cluster::contexts::ContextSpec;
use crate::config::keymap::Keymap;

/// A time given as `HH:MM:SS` (UTC, on the recording's first day) or RFC 3339.
pub fn parse_at(at: &str, start_ms: i64) -> Result<i64, String> {
    if let Ok(t) = at.parse::<jiff::Timestamp>() {
        return Ok(t.as_millisecond());
    }
    let t = jiff::civil::Time::strptime("%H:%M:%S", at)
        .map_err(|_| format!("--at {at:?}: give HH:MM:SS or an RFC 3339 time"))?;
    let day = jiff::Timestamp::from_millisecond(start_ms)
        .map_err(|e| e.to_string())?
        .to_zoned(jiff::tz::TimeZone::UTC)
        .date();
    day.to_datetime(t)
        .to_zoned(jiff::tz::TimeZone::UTC)
        .map(|z| z.timestamp().as_millisecond())
        .map_err(|e| e.to_string())
}

pub struct Replay {
    entries: Vec<Timed>,
    keymap: Keymap<crate::app::command::Command>,
    specs: Vec<ContextSpec>,
    pub console: Console,
    /// Entries fed so far.
    pos: usize,
    /// The time cursor (Unix milliseconds).
    pub at: i64,
}

impl Replay {
    pub fn new(rec: &Recording, keymap: Keymap<crate::app::command::Command>) -> Replay {
        let specs: Vec<ContextSpec> = rec
            .header
            .as_ref()
            .map(|h| {
                h.contexts
                    .iter()
                    .map(|c| ContextSpec {
                        name: c.name.clone(),
                        cluster: c.name.clone(),
                        server: c.server.clone(),
                        user: String::new(),
                        namespace: None,
                    })
                    .collect()
            })
            .unwrap_or_default();
        let start = rec.entries.first().map_or(0, |t| t.t);
        let mut r = Replay {
            entries: rec.entries.clone(),
            keymap: keymap.clone(),
            console: fresh(&specs, keymap, start),
            specs,
            pos: 0,
            at: start,
        };
        r.seek(start);
        r
    }

    /// The first and last moments recorded (Unix milliseconds).
    pub fn span(&self) -> (i64, i64) {
        (
            self.entries.first().map_or(0, |t| t.t),
            self.entries.last().map_or(0, |t| t.t),
        )
    }

    /// Moves the cursor to `t`: the console shows what it showed then.
    pub fn seek(&mut self, t: i64) {
        if t < self.at {
            self.console = fresh(&self.specs, self.keymap.clone(), self.span().0);
            self.pos = 0;
        }
        while let Some(e) = self.entries.get(self.pos) {
            if e.t > t {
                break;
            }
            let entry = e.e.clone();
            self.pos += 1;
            let tick = matches!(entry, Entry::Tick { .. });
            if let Some(ev) = entry.event() {
                let _ = self.console.step(ev);
            }
            if tick {
                let _ = self.console.step(Event::Refresh);
            }
        }
        self.at = t;
    }

    /// The recorded entries up to the cursor (for the timeline of actions).
    pub fn seen(&self) -> &[Timed] {
        &self.entries[..self.pos]
    }
}

/// A read-only console over the recorded contexts, at `start`.
fn fresh(
    specs: &[ContextSpec],
    keymap: Keymap<crate::app::command::Command>,
    start: i64,
) -> Console {
    let contexts = specs
        .iter()
        .map(|s| ContextState::new(s.clone(), true))
        .collect();
    let mut st = State::new(contexts, keymap, start / 1000);
    st.readonly = true;
    let mut c = Console::new(st);
    c.set_replay();
    c
}
