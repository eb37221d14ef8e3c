//! `kdeck replay FILE`: the console on a recording, read-only. The recording is fed
//! through the same step as live sources (`app::record::replay`) and drawn by the
//! same views; the header shows the time cursor. Keys of its own: `space` plays and
//! pauses, `>`/`<` change the speed (1×–60×), `.`/`,` step a second, `]`/`[` jump to
//! the next/previous timeline entry, `@` seeks to a typed time (`23:47:00`, Enter),
//! `q` or ctrl-c quit (a signal too); every other key moves around the console as
//! live (views, filters, describe).

use std::time::{Duration, Instant};

use crossterm::event::{Event as TermEvent, KeyEventKind};

use super::input::TermInput;
use super::render::{page_rows, render};
use super::terminal::Term;
use crate::app::event::Event;
use crate::app::record::replay::Replay;
use crate::app::state::ReplayBar;
use crate::config::keymap::{Code, Key};
use crate::config::theme::Theme;

const FRAME: Duration = Duration::from_millis(50);
pub const SPEEDS: [u32; 6] = [1, 2, 5, 10, 30, 60];

/// The replay's own controls, apart from the console.
pub struct Player {
    pub replay: Replay,
    pub playing: bool,
    pub speed: u32,
    /// Timeline entries' moments (Unix ms), for `]` and `[`.
    pub marks: Vec<i64>,
    pub cut: bool,
    /// A time being typed after `@`; `error` says why the last one was not taken.
    pub prompt: Option<String>,
    pub error: Option<String>,
}

impl Player {
    /// What a key does to the player (`true`: it was the player's).
    pub fn key(&mut self, k: &Key) -> bool {
        let (start, end) = self.replay.span();
        let at = self.replay.at;
        if let Some(p) = self.prompt.as_mut() {
            match k.code {
                Code::Enter => {
                    let typed = self.prompt.take().unwrap_or_default();
                    match crate::app::record::replay::parse_at(typed.trim(), start) {
                        Ok(t) => {
                            self.playing = false;
                            self.error = None;
                            self.seek(t.clamp(start, end));
                        }
                        Err(e) => {
                            self.error = Some(e);
                            self.show();
                        }
                    }
                }
                Code::Esc => {
                    self.prompt = None;
                    self.show();
                }
                Code::Backspace => {
                    p.pop();
                    self.show();
                }
                Code::Char(c) if (c.is_ascii_digit() || ":-+.TZ".contains(c)) && p.len() < 40 => {
                    p.push(c);
                    self.show();
                }
                _ => {}
            }
            return true;
        }
        let to = match k.code {
            Code::Char('@') => {
                self.prompt = Some(String::new());
                self.error = None;
                self.show();
                return true;
            }
            Code::Char(' ') => {
                self.playing = !self.playing;
                None
            }
            Code::Char('>') => {
                self.speed = SPEEDS
                    .iter()
                    .copied()
                    .find(|s| *s > self.speed)
                    .unwrap_or(60);
                None
            }
            Code::Char('<') => {
                self.speed = SPEEDS
                    .iter()
                    .rev()
                    .copied()
                    .find(|s| *s < self.speed)
                    .unwrap_or(1);
                None
            }
            Code::Char('.') => Some(at + 1000),
            Code::Char(',') => Some(at - 1000),
            Code::Char(']') => Some(
                self.marks
                    .iter()
                    .copied()
                    .find(|m| *m > at + 999)
                    .unwrap_or(end),
            ),
            Code::Char('[') => Some(
                self.marks
                    .iter()
                    .rev()
                    .copied()
                    .find(|m| *m < at - 999)
                    .unwrap_or(start),
            ),
            _ => return false,
        };
        if let Some(t) = to {
            self.playing = false;
            self.seek(t.clamp(start, end));
        }
        true
    }

    pub fn seek(&mut self, t: i64) {
        self.replay.seek(t);
        self.show();
    }

    /// Puts the cursor where the header reads it (a seek back starts a new console).
    pub fn show(&mut self) {
        let (start, end) = self.replay.span();
        let _ = self.replay.console.step(Event::Refresh);
        self.replay.console.state.replay = Some(ReplayBar {
            at: self.replay.at,
            start,
            end,
            speed: self.speed,
            playing: self.playing,
            cut: self.cut,
            prompt: self.prompt.clone(),
        });
        if let Some(e) = self.error.take() {
            self.replay.console.state.notify(e, true);
        }
    }
}

/// Runs the replay in the terminal until `q`, ctrl-c or a signal.
pub async fn run(
    term: &mut Term,
    player: &mut Player,
    theme: &Theme,
    signals: &mut crate::util::signals::Signals,
) {
    let mut input = super::input::spawn();
    let mut told = (0u16, 0u16, 0usize);
    let mut last = Instant::now();
    player.show();
    loop {
        let size = term.size().unwrap_or_default();
        let page = page_rows(size.into(), &player.replay.console);
        if (size.width, size.height, page) != told {
            told = (size.width, size.height, page);
            let _ = player
                .replay
                .console
                .step(Event::Size(size.width, size.height));
            let _ = player.replay.console.step(Event::Page(page));
        }
        if term
            .draw(|f| render(f, &player.replay.console, theme))
            .is_err()
        {
            return;
        }
        tokio::select! {
            ev = input.recv() => match ev {
                Some(TermInput::Event(TermEvent::Key(k))) if k.kind != KeyEventKind::Release => {
                    let Some(key) = Key::from_event(&k) else { continue };
                    if key.code == Code::Char('q') || key == Key::ctrl('c') {
                        return;
                    }
                    if !player.key(&key) {
                        // The console's own keys: views, filters, describe (read-only).
                        let _ = player.replay.console.step(Event::Key(key));
                    }
                    player.show();
                }
                Some(TermInput::Event(_)) => {}
                Some(TermInput::Closed) | None => return,
            },
            _ = signals.next() => return,
            _ = tokio::time::sleep(FRAME) => {}
        }
        let dt = last.elapsed();
        last = Instant::now();
        if player.playing {
            let (_, end) = player.replay.span();
            let to = player.replay.at + (dt.as_millis() as i64) * player.speed as i64;
            if to >= end {
                player.playing = false;
            }
            player.seek(to.min(end));
        }
    }
}
