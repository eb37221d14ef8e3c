//! The loop that drives the console, with or without a terminal: it waits for the
//! next thing to happen — an input from the front end (a key, a new page size, the
//! terminal gone), reports on the event channel (drained in batches), the one-second
//! clock, a stop signal, a due rebuild of the derived rows — feeds it through
//! `Console::step` and hands every effect to the runtime. The terminal UI, the
//! headless test driver and the benchmark all run this loop.

use std::future::Future;
use std::time::Duration;

use tokio::sync::mpsc::Receiver;

use super::console::Console;
use super::event::Event;
use super::runtime::Runtime;
use crate::config::keymap::Key;
use crate::util::signals::{Signals, Stop};

/// Most reports applied in one turn (so a frame gets a chance to draw).
pub const BATCH: usize = 2048;

/// What the front end gave.
#[derive(Debug)]
pub enum Input {
    Key(Key),
    /// The list area now has room for this many rows.
    Page(usize),
    /// The terminal is gone.
    Closed,
    /// Nothing: the front end only wanted to wake the loop (to draw).
    Idle,
}

pub struct Engine {
    pub console: Console,
    rt: Runtime,
    rx: Receiver<Event>,
    tick: tokio::time::Interval,
    signals: Option<Signals>,
    /// Reports fed so far (the benchmark's changes per second).
    reports: u64,
    /// A shell to open: only the front end can (it owns the terminal).
    shell: Option<super::effect::Effect>,
    /// A front end with a terminal runs this loop (else a shell is declined at once).
    terminal: bool,
    /// The flight recorder (or `--record FILE`): what comes in, and the audited actions.
    recorder: Option<super::record::write::Recorder>,
}

fn now() -> i64 {
    jiff::Timestamp::now().as_second()
}

async fn next_signal(s: &mut Option<Signals>) -> Stop {
    match s {
        Some(s) => s.next().await,
        None => std::future::pending().await,
    }
}

impl Engine {
    /// `signals`: the process's stop signals (the binary), or none (a test feeds
    /// `Event::Signal` itself).
    pub fn new(
        console: Console,
        rt: Runtime,
        rx: Receiver<Event>,
        signals: Option<Signals>,
    ) -> Engine {
        let mut tick = tokio::time::interval(Duration::from_secs(1));
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
        Engine {
            console,
            rt,
            rx,
            tick,
            signals,
            reports: 0,
            shell: None,
            terminal: false,
            recorder: None,
        }
    }

    /// Writes what the recorder holds and closes its file (the quit path does it
    /// when the engine is dropped).
    pub fn stop_recording(&mut self) {
        if let Some(mut r) = self.recorder.take() {
            r.finish();
        }
    }

    /// Records everything that comes in from here on.
    pub fn record_to(&mut self, r: super::record::write::Recorder) {
        self.recorder = Some(r);
    }

    /// Reports from sources fed so far.
    pub fn reports(&self) -> u64 {
        self.reports
    }

    /// Applies one event through the console's step and runs every effect it asks for.
    pub fn feed(&mut self, ev: Event) {
        if matches!(ev, Event::Cluster(_) | Event::Probe(_)) {
            self.reports += 1;
        }
        if let Some(r) = self.recorder.as_mut() {
            if r.wants_checkpoint() {
                // A new segment: it starts with everything known, so it replays on
                // its own once the segments before it are dropped.
                for (ctx, c) in self.console.state.contexts.iter().enumerate() {
                    for listing in c.data.kinds.listings() {
                        r.record(super::record::Entry::Relisted {
                            ctx,
                            scope: None,
                            listing,
                        });
                    }
                }
            }
            if let Some(e) = super::record::Entry::of(&ev) {
                r.record(e);
            }
        }
        let noted = self.console.state.transitions.pushed;
        let fx = self.console.step(ev);
        // What an action's end noted (its row mark) and the person's marks go on
        // record as noted, so a replay shows the row and the timeline as they were.
        if let Some(r) = self.recorder.as_mut() {
            let t = &self.console.state.transitions;
            let new = (t.pushed - noted) as usize;
            for st in t.items.iter().rev().take(new).rev() {
                if matches!(
                    st.what,
                    super::transitions::Transition::Action { .. }
                        | super::transitions::Transition::Mark { .. }
                ) {
                    r.record(super::record::Entry::Noted { noted: st.clone() });
                }
            }
        }
        for fx in fx {
            match fx {
                super::effect::Effect::Shell { .. } if self.terminal => self.shell = Some(fx),
                // Without a terminal the runtime ends it at once (and says why).
                fx => self.rt.run(fx),
            }
        }
    }

    /// Says that a front end with a terminal drives this loop (it opens shells).
    pub fn set_terminal(&mut self, on: bool) {
        self.terminal = on;
    }

    /// The next stop signal (while a shell has the terminal and the loop is not
    /// turning, the front end waits for one itself).
    pub async fn signal(&mut self) -> Stop {
        next_signal(&mut self.signals).await
    }

    /// The shell the console asked for, for the front end to open (one that has no
    /// terminal gives it back with `decline_shell`).
    pub fn take_shell(&mut self) -> Option<super::effect::Effect> {
        self.shell.take()
    }

    /// Hands a shell to the runtime, which ends it at once (no terminal).
    pub fn decline_shell(&mut self, fx: super::effect::Effect) {
        self.rt.run(fx);
    }

    /// A context's client (the front end's shell uses it).
    pub fn client(&self, ctx: usize) -> Option<kube::Client> {
        self.rt.client(ctx)
    }

    /// Waits for the next thing to happen and applies it (reports: as many as are
    /// queued, up to `BATCH`).
    pub async fn turn(&mut self, input: impl Future<Output = Input>) {
        let rebuild = self.console.rebuild_due_in();
        tokio::select! {
            i = input => match i {
                Input::Key(k) => self.feed(Event::Key(k)),
                Input::Page(p) => self.feed(Event::Page(p)),
                Input::Closed => self.feed(Event::TerminalClosed),
                Input::Idle => {}
            },
            ev = self.rx.recv() => {
                // The runtime holds a sender for as long as the engine lives.
                let Some(ev) = ev else { return };
                self.feed(ev);
                for _ in 1..BATCH {
                    match self.rx.try_recv() {
                        Ok(ev) => self.feed(ev),
                        Err(_) => break,
                    }
                }
            }
            _ = self.tick.tick() => self.feed(Event::Tick(now())),
            sig = next_signal(&mut self.signals) => {
                tracing::info!("{} received: quitting", sig.name());
                self.feed(Event::Signal(sig));
            }
            _ = tokio::time::sleep(rebuild.unwrap_or(Duration::from_secs(3600))), if rebuild.is_some() => {
                self.feed(Event::Refresh);
            }
        }
    }

    /// Whether kdeck has finished quitting (everything on the way out is recorded).
    pub fn done(&self) -> bool {
        self.console.done()
    }
}
