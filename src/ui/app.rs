//! The terminal front end of the engine's loop: terminal input becomes the engine's
//! inputs (keys, the page size after a resize, the terminal gone), and a frame is
//! drawn only when something changed, at most ~30 per second. A failing terminal
//! (a dropped SSH link) goes through the same quit path as `q`.

use std::time::{Duration, Instant};

use crossterm::event::{Event as TermEvent, KeyEventKind};

use super::input::TermInput;
use super::render::{page_rows, render};
use super::terminal::Term;
use crate::app::engine::{Engine, Input};
use crate::app::event::Event;
use crate::config::keymap::Key;
use crate::config::theme::Theme;

const FRAME: Duration = Duration::from_millis(33);

/// Runs the console in the terminal until it has quit.
pub async fn run(term: &mut Term, engine: &mut Engine, theme: &Theme) {
    let mut input = super::input::spawn();
    engine.set_terminal(true);
    // Test hook: panic after this many milliseconds, to prove a panic restores the
    // terminal (used by the end-to-end tests; unset in normal use).
    let panic_at = std::env::var("KDECK_TEST_PANIC_AFTER_MS")
        .ok()
        .and_then(|v| v.parse::<u64>().ok())
        .map(|ms| Instant::now() + Duration::from_millis(ms));
    let mut last_draw = Instant::now() - FRAME;
    let mut size = term.size().unwrap_or_default();
    let mut page = page_rows(size.into(), &engine.console);
    let mut terminal_ok = true;
    let mut told = size;
    engine.feed(Event::Size(size.width, size.height));
    engine.feed(Event::Page(page));
    while !engine.done() {
        if panic_at.is_some_and(|t| Instant::now() >= t) {
            panic!("test panic requested by KDECK_TEST_PANIC_AFTER_MS");
        }
        if terminal_ok && last_draw.elapsed() >= FRAME {
            if let Err(e) = term.draw(|f| render(f, &engine.console, theme)) {
                tracing::warn!("the terminal cannot be drawn on ({e}): quitting");
                terminal_ok = false;
                engine.feed(Event::TerminalClosed);
                continue;
            }
            last_draw = Instant::now();
        }
        let wait = FRAME.saturating_sub(last_draw.elapsed());
        let next = async {
            let ev = if terminal_ok {
                tokio::select! {
                    ev = input.recv() => ev,
                    // After a frame, nothing is drawn until something happens.
                    _ = tokio::time::sleep(Duration::from_secs(3600)) => return Input::Idle,
                }
            } else {
                std::future::pending().await
            };
            match ev {
                Some(TermInput::Event(TermEvent::Key(k))) if k.kind != KeyEventKind::Release => {
                    Key::from_event(&k).map_or(Input::Idle, Input::Key)
                }
                Some(TermInput::Event(TermEvent::Resize(w, h))) => {
                    size = ratatui::layout::Size::new(w, h);
                    Input::Idle
                }
                Some(TermInput::Event(_)) => Input::Idle,
                // The terminal is gone: said once; the quit path takes it from here.
                Some(TermInput::Closed) | None => {
                    terminal_ok = false;
                    Input::Closed
                }
            }
        };
        let drew_recently = last_draw.elapsed() < FRAME;
        if drew_recently {
            // Let events queue until the next frame is allowed.
            tokio::time::sleep(wait).await;
        }
        engine.turn(next).await;
        if let Some(fx) = engine.take_shell() {
            if terminal_ok {
                super::shell::run(term, engine, fx).await;
                last_draw = Instant::now() - FRAME;
            } else {
                engine.decline_shell(fx);
            }
        }
        if terminal_ok {
            let _ = term.autoresize();
            if let Ok(now) = term.size() {
                size = now;
            }
        }
        if size != told {
            told = size;
            engine.feed(Event::Size(size.width, size.height));
        }
        let rows = page_rows(size.into(), &engine.console);
        if rows != page {
            page = rows;
            engine.feed(Event::Page(page));
        }
    }
}
