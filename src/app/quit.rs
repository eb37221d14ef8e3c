//! The one way out. `q`, `:q`, a signal (TERM, HUP, INT) and a closed terminal all
//! come here: log streams and port-forwards stop (each forward's stop audited), an action being verified is recorded as not
//! verified (with the cause), an open confirmation as cancelled, and only then does
//! kdeck stop. An action whose request is being sent is waited for (briefly), so its
//! outcome can be recorded too.

use super::effect::Effect;
use super::logs::stop_logs;
use super::state::State;
use crate::cluster::kinds::Ts;
use crate::util::signals::Stop;

/// Longest wait for the server's answer to a request in flight when quitting.
pub const SEND_WAIT: Ts = 5;

/// Why kdeck is stopping.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Cause {
    /// The person quit (`q`, `:q`).
    Person,
    Signal(Stop),
    /// The terminal went away (a dropped SSH link).
    TerminalClosed,
}

impl Cause {
    /// For audit records: `kdeck stopped by SIGHUP`.
    pub fn text(self) -> String {
        match self {
            Cause::Person => "kdeck quit".into(),
            Cause::Signal(s) => format!("kdeck stopped by {}", s.name()),
            Cause::TerminalClosed => "kdeck stopped: the terminal closed".into(),
        }
    }
}

/// Waiting for a request in flight before stopping.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Quitting {
    pub cause: Cause,
    pub until: Ts,
}

/// Starts quitting. A second request while waiting stops without waiting more.
pub fn quit(s: &mut State, cause: Cause) -> Vec<Effect> {
    if let Some(q) = s.quitting {
        s.quitting = Some(Quitting { until: s.now, ..q });
        return Vec::new();
    }
    let mut fx = stop_logs(s);
    let (records, sending) = super::guard::quitting(s, &cause.text());
    fx.extend(records);
    if sending {
        s.quitting = Some(Quitting {
            cause,
            until: s.now + SEND_WAIT,
        });
        s.notify(
            "stopping once the server answers the request in flight (q again: stop now)",
            true,
        );
        return fx;
    }
    fx.extend(stop(s, cause));
    fx
}

/// While waiting for a request in flight: once it has been answered (or the wait is
/// over), what became of it is recorded and kdeck stops.
pub fn resume(s: &mut State) -> Vec<Effect> {
    let Some(q) = s.quitting else {
        return Vec::new();
    };
    let sending = s
        .flow
        .as_ref()
        .is_some_and(|f| matches!(f.stage, super::guard::Stage::Sending));
    if sending && s.now < q.until {
        return Vec::new();
    }
    s.quitting = None;
    let mut fx = if sending {
        super::guard::abandon_send(s, &q.cause.text())
    } else {
        super::guard::quitting(s, &q.cause.text()).0
    };
    fx.extend(stop(s, q.cause));
    fx
}

/// The last step out: every port-forward stops (each stop recorded at once, also
/// one that started while the quit waited), then kdeck stops.
fn stop(s: &mut State, cause: Cause) -> Vec<Effect> {
    let mut fx = super::forwards::stop_all(s, &cause.text());
    s.should_quit = true;
    fx.push(Effect::Quit);
    fx
}
