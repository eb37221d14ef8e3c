//! Terminal hygiene: raw mode and the alternate screen while the console runs, and
//! their restoration on every way out — normal exit, error, panic (a hook restores
//! before the message prints), and signals (the loop ends, the guard drops).

use std::io::{self, Write};

use crossterm::cursor::Show;
use crossterm::execute;
use crossterm::terminal::{
    EnterAlternateScreen, LeaveAlternateScreen, disable_raw_mode, enable_raw_mode,
};
use ratatui::Terminal;
use ratatui::backend::CrosstermBackend;

/// The console's terminal: only what changed is written (see `quiet`).
pub type Term = Terminal<super::quiet::Quiet<CrosstermBackend<super::ansi16::Out>>>;

/// Puts the terminal back as it was. Safe to call more than once, and after the
/// terminal is gone (SSH dropped): errors are ignored.
pub fn restore() {
    let _ = disable_raw_mode();
    let mut out = io::stdout();
    let _ = execute!(out, LeaveAlternateScreen, Show);
    let _ = out.flush();
}

/// Owns the terminal setup; dropping it restores the terminal.
pub struct Guard {
    pub terminal: Term,
}

impl Guard {
    /// `named_only`: the theme uses only the 16 named colours (see `ansi16`).
    pub fn enter(named_only: bool) -> io::Result<Guard> {
        install_panic_hook();
        enable_raw_mode()?;
        let mut out = io::stdout();
        if let Err(e) = execute!(out, EnterAlternateScreen) {
            restore();
            return Err(e);
        }
        let terminal = match Terminal::new(super::quiet::Quiet::new(CrosstermBackend::new(
            super::ansi16::Out::for_theme(named_only),
        ))) {
            Ok(t) => t,
            Err(e) => {
                restore();
                return Err(e);
            }
        };
        Ok(Guard { terminal })
    }
}

impl Drop for Guard {
    fn drop(&mut self) {
        restore();
    }
}

fn install_panic_hook() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            restore();
            previous(info);
        }));
    });
}
