//! What can happen to the console, as one type: a key, a report from a source (the
//! cluster's watchers and pollers, the prober, the runtime's finished effects), the
//! clock, the screen's size, a due rebuild of the derived rows, a signal, or the
//! terminal going away. `Console::step` takes each one.

use crate::cluster::kinds::Ts;
use crate::cluster::msg::CtxId;
use crate::config::keymap::Key;
pub use crate::util::signals::Stop;

#[derive(Debug)]
#[allow(clippy::large_enum_variant)] // moved once per event; boxing would add an allocation each
pub enum Event {
    Key(Key),
    /// A command, as a key bound to it would give (scripts and tests name commands
    /// rather than keys, so they do not depend on the keymap).
    Command(super::command::Command),
    /// From the cluster's sources (watchers, pings, metrics, log streams).
    Cluster(crate::cluster::msg::Msg),
    /// From the prober and the alert reader.
    Probe(crate::probe::Msg),
    /// An effect the runtime ran has finished.
    Done(Done),
    /// The clock moved (Unix seconds).
    Tick(Ts),
    /// The list area now has room for this many rows.
    Page(usize),
    /// The terminal is now this many columns and rows.
    Size(u16, u16),
    /// Rebuild the derived rows if the data moved on (sent by the loop when the pause
    /// between rebuilds is over; other events rebuild on their own).
    Refresh,
    /// A signal asked kdeck to stop (TERM, HUP, INT): the same way out as `q`.
    Signal(Stop),
    /// The terminal went away (input closed, output failing: a dropped SSH link).
    TerminalClosed,
    /// A replayed recording: what an action's end noted then (its row mark).
    Noted(super::transitions::Stamped),
}

/// What a finished effect reports.
#[derive(Debug)]
#[allow(clippy::large_enum_variant)]
pub enum Done {
    /// An on-demand fetch (an object as YAML).
    Fetched {
        request: u64,
        result: Result<String, String>,
    },
    /// Access review answers: `Ok(None)` allowed, `Ok(Some(why))` denied.
    Access {
        ctx: CtxId,
        results: Vec<(crate::actions::run::Access, Result<Option<String>, String>)>,
    },
    /// A plan's server checks (access review and dry run).
    Preflighted {
        flow: u64,
        checks: Vec<crate::audit::Preflight>,
    },
    /// The intent was written (or not) and the request sent (or not).
    Executed {
        flow: u64,
        executed: crate::actions::run::Executed,
    },
    /// A log buffer was written (or not) to this file.
    LogsSaved {
        path: std::path::PathBuf,
        result: Result<(), String>,
    },
    /// A shell the front end ran has ended.
    ShellEnded {
        flow: u64,
        ran: crate::cluster::exec::Ran,
    },
    /// An audit append.
    Audited {
        flow: u64,
        result: Result<crate::audit::Record, String>,
    },
}

impl From<crate::cluster::msg::Msg> for Event {
    fn from(m: crate::cluster::msg::Msg) -> Event {
        Event::Cluster(m)
    }
}

impl From<crate::probe::Msg> for Event {
    fn from(m: crate::probe::Msg) -> Event {
        Event::Probe(m)
    }
}

impl From<Done> for Event {
    fn from(d: Done) -> Event {
        Event::Done(d)
    }
}
