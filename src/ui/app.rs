//! The app loop: one `select!` over terminal input, source messages, a clock tick and
//! signals; everything queued is applied through `update`, effects are handed to the
//! runtime, and a frame is drawn only when something changed, at most ~30 per second.
//! Derived rows are rebuilt at most every 250 ms while data streams in.

use std::time::{Duration, Instant};

use crossterm::event::{Event as TermEvent, EventStream, KeyEventKind};
use futures::StreamExt;
use tokio::sync::mpsc::Receiver;

use super::render::{page_rows, render};
use super::runtime::Runtime;
use super::terminal::Term;
use crate::app::msg::Msg;
use crate::app::{Event, State, update};
use crate::config::keymap::Key;
use crate::config::theme::Theme;

const FRAME: Duration = Duration::from_millis(33);
const REBUILD: Duration = Duration::from_millis(250);
/// Most messages applied before a frame gets a chance to draw.
const BATCH: usize = 2048;

fn now() -> i64 {
    jiff::Timestamp::now().as_second()
}

pub async fn run(
    term: &mut Term,
    mut state: State,
    theme: &Theme,
    mut rx: Receiver<Msg>,
    mut rt: Runtime,
) -> std::io::Result<()> {
    let mut input = EventStream::new();
    let mut tick = tokio::time::interval(Duration::from_secs(1));
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
    let stop = crate::signals::terminated();
    tokio::pin!(stop);
    // Test hook: panic after this many milliseconds, to prove a panic restores the
    // terminal (used by the end-to-end tests; unset in normal use).
    let panic_at = std::env::var("KDECK_TEST_PANIC_AFTER_MS")
        .ok()
        .and_then(|v| v.parse::<u64>().ok())
        .map(|ms| tokio::time::Instant::now() + Duration::from_millis(ms));
    let mut dirty = true;
    let mut last_draw = Instant::now() - FRAME;
    let mut last_rebuild = Instant::now() - REBUILD;
    let mut size = term.size()?;
    let page = page_rows(size.into(), &state);
    update(&mut state, Event::Page(page));
    loop {
        if state.stale() && last_rebuild.elapsed() >= REBUILD {
            state.refresh();
            last_rebuild = Instant::now();
            dirty = true;
        }
        for fx in state.take_effects() {
            rt.run(fx);
        }
        if dirty && last_draw.elapsed() >= FRAME {
            term.draw(|f| render(f, &state, theme))?;
            last_draw = Instant::now();
            dirty = false;
        }
        let wake = if dirty {
            FRAME.saturating_sub(last_draw.elapsed())
        } else if state.stale() {
            REBUILD.saturating_sub(last_rebuild.elapsed())
        } else {
            Duration::from_secs(3600)
        };
        let mut effects = Vec::new();
        tokio::select! {
            ev = input.next() => match ev {
                Some(Ok(TermEvent::Key(k))) if k.kind != KeyEventKind::Release => {
                    if let Some(key) = Key::from_event(&k) {
                        effects.extend(update(&mut state, Event::Key(key)));
                        dirty = true;
                    }
                }
                Some(Ok(TermEvent::Resize(w, h))) => {
                    size = ratatui::layout::Size::new(w, h);
                    let _ = term.autoresize();
                    let page = page_rows(size.into(), &state);
                    update(&mut state, Event::Page(page));
                    dirty = true;
                }
                Some(Ok(_)) => {}
                // The terminal is gone (stdin closed): stop.
                Some(Err(_)) | None => break,
            },
            m = rx.recv() => {
                let Some(m) = m else { break };
                effects.extend(update(&mut state, Event::Msg(m)));
                let mut n = 1;
                while n < BATCH {
                    match rx.try_recv() {
                        Ok(m) => effects.extend(update(&mut state, Event::Msg(m))),
                        Err(_) => break,
                    }
                    n += 1;
                }
                dirty = true;
            }
            _ = tick.tick() => {
                update(&mut state, Event::Tick(now()));
                dirty = true;
            }
            _ = tokio::time::sleep(wake) => {}
            _ = &mut stop => {
                tracing::info!("signal received, quitting");
                break;
            }
            _ = async { tokio::time::sleep_until(panic_at.unwrap_or_else(tokio::time::Instant::now)).await }, if panic_at.is_some() => {
                panic!("test panic requested by KDECK_TEST_PANIC_AFTER_MS");
            }
        }
        let page = page_rows(size.into(), &state);
        if page != state.page {
            update(&mut state, Event::Page(page));
        }
        for fx in effects {
            rt.run(fx);
        }
        if state.should_quit {
            break;
        }
    }
    rt.run(crate::app::Effect::Quit);
    Ok(())
}
