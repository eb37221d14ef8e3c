//! `update`: applies one event to the state and returns the effects to run. Keys go
//! through the dialogs, inputs and keymap (`keys`); reports from sources are taken in
//! (`ingest`); the clock ages things and re-checks what waits on time; a signal or a
//! closed terminal quits the way `q` does (`quit`). Synchronous and pure. Reached
//! only through `Console::step`, which also rebuilds derived rows and reconciles.

use super::effect::Effect;
use super::event::Event;
use super::quit::{self, Cause};
use super::state::State;
use super::{ingest, keys, nav};
use crate::cluster::kinds::Ts;

#[must_use]
pub(super) fn update(s: &mut State, ev: Event) -> Vec<Effect> {
    let mut fx = match ev {
        Event::Key(k) => keys::key(s, k),
        Event::Command(c) => super::apply::apply(s, c),
        Event::Cluster(m) => ingest::cluster(s, m),
        Event::Probe(m) => ingest::probe(s, m),
        Event::Done(d) => ingest::done(s, d),
        Event::Tick(now) => {
            tick(s, now);
            let mut fx = super::guard::check_progress(s);
            // What the selected row's actions need is asked once the selection rests
            // (a tick a second), not for every row scrolled past.
            let t = nav::current_target(s);
            fx.extend(super::guard::want_access(s, t.as_ref()));
            fx.extend(super::browse::due(s));
            fx
        }
        Event::Page(h) => {
            s.page = h.max(1);
            if let Some(l) = s.list_mut() {
                l.scroll_into_view(h);
            }
            Vec::new()
        }
        Event::Size(w, h) => {
            s.size = Some((w, h));
            Vec::new()
        }
        Event::Refresh => Vec::new(),
        Event::Noted(n) => {
            s.transitions.push(n.at, n.what);
            Vec::new()
        }
        Event::Signal(sig) => quit::quit(s, Cause::Signal(sig)),
        Event::TerminalClosed => quit::quit(s, Cause::TerminalClosed),
    };
    if s.quitting.is_some() {
        fx.extend(quit::resume(s));
    }
    fx
}

fn tick(s: &mut State, now: Ts) {
    // Backup freshness and ages move with the clock: rebuild once a minute.
    if now / 60 != s.now / 60 {
        s.extras_rev += 1;
    }
    s.now = now;
    if s.notice.as_ref().is_some_and(|n| n.until <= now) {
        s.notice = None;
    }
    for c in s.contexts.iter_mut() {
        c.note_reach(now);
    }
}
