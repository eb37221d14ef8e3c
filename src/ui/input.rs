//! Terminal input, read on a thread of its own and handed to the loop over a
//! channel. The thread asks the kernel first whether the terminal has hung up (a
//! dropped SSH link, a closed tmux pane): then it reports `Closed` and ends, and
//! crossterm's reader — which spins on a hung-up terminal's endless end-of-file — is
//! never called on it. crossterm is asked to read only when bytes are waiting, so
//! the async loop never blocks on the terminal.

use std::io::IsTerminal;
use std::os::fd::{AsFd, BorrowedFd, OwnedFd};
use std::time::Duration;

use crossterm::event::Event as TermEvent;
use rustix::event::{PollFd, PollFlags, Timespec};

use tokio::sync::mpsc;

/// What the input thread reports.
#[derive(Debug)]
pub enum TermInput {
    Event(TermEvent),
    /// The terminal hung up or cannot be read: nothing more will come.
    Closed,
}

/// How long one wait for input lasts before the thread checks whether the loop
/// still listens.
const WAIT: Timespec = Timespec {
    tv_sec: 0,
    tv_nsec: 200_000_000,
};

/// The terminal crossterm reads: stdin when it is one, else `/dev/tty`.
enum Tty {
    Stdin,
    Dev(OwnedFd),
}

impl Tty {
    fn open() -> std::io::Result<Tty> {
        if std::io::stdin().is_terminal() {
            Ok(Tty::Stdin)
        } else {
            let f = std::fs::File::open("/dev/tty")?;
            Ok(Tty::Dev(f.into()))
        }
    }

    fn fd(&self) -> BorrowedFd<'_> {
        match self {
            // std keeps fd 0 open for the life of the process.
            Tty::Stdin => rustix::stdio::stdin(),
            Tty::Dev(fd) => fd.as_fd(),
        }
    }
}

/// What the terminal says now: bytes waiting, hung up, or nothing yet.
#[derive(Debug, PartialEq, Eq)]
enum Ready {
    Input,
    HungUp,
    Nothing,
}

fn wait_for(fd: BorrowedFd<'_>) -> Ready {
    let mut fds = [PollFd::new(&fd, PollFlags::IN)];
    match rustix::event::poll(&mut fds, Some(&WAIT)) {
        Ok(0) => Ready::Nothing,
        Ok(_) => classify(fds[0].revents()),
        Err(rustix::io::Errno::INTR) => Ready::Nothing,
        Err(_) => Ready::HungUp,
    }
}

fn classify(revents: PollFlags) -> Ready {
    if revents.intersects(PollFlags::HUP | PollFlags::ERR | PollFlags::NVAL) {
        Ready::HungUp
    } else if revents.contains(PollFlags::IN) {
        Ready::Input
    } else {
        Ready::Nothing
    }
}

/// While set, the input thread reads nothing (a shell has the terminal).
static PAUSED: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

/// Stops (or resumes) reading keys for the console.
pub fn pause(on: bool) {
    PAUSED.store(on, std::sync::atomic::Ordering::SeqCst);
}

fn paused() -> bool {
    PAUSED.load(std::sync::atomic::Ordering::SeqCst)
}

/// Starts the input thread; its reports arrive on the returned channel. The thread
/// ends when the terminal closes or the receiver is dropped.
pub fn spawn() -> mpsc::Receiver<TermInput> {
    let (tx, rx) = mpsc::channel(256);
    let started = std::thread::Builder::new()
        .name("kdeck-input".into())
        .spawn(move || read_loop(&tx));
    if let Err(e) = started {
        tracing::warn!("cannot start the input thread: {e}");
    }
    rx
}

fn read_loop(tx: &mpsc::Sender<TermInput>) {
    let tty = match Tty::open() {
        Ok(t) => t,
        Err(e) => {
            tracing::warn!("no terminal to read keys from: {e}");
            let _ = tx.blocking_send(TermInput::Closed);
            return;
        }
    };
    // crossterm learns of a resize from SIGWINCH only while its own reader waits,
    // which this thread never lets it do: the size is asked for on every wake.
    let mut size = crossterm::terminal::size().ok();
    loop {
        if tx.is_closed() {
            return;
        }
        if paused() {
            std::thread::sleep(Duration::from_millis(20));
            continue;
        }
        let ready = wait_for(tty.fd());
        if paused() {
            // Bytes that arrived meanwhile are the shell's.
            continue;
        }
        if let Ok(now) = crossterm::terminal::size()
            && size != Some(now)
        {
            size = Some(now);
            if tx
                .blocking_send(TermInput::Event(TermEvent::Resize(now.0, now.1)))
                .is_err()
            {
                return;
            }
        }
        match ready {
            Ready::Nothing => continue,
            Ready::HungUp => {
                tracing::info!("the terminal hung up");
                let _ = tx.blocking_send(TermInput::Closed);
                return;
            }
            Ready::Input => {}
        }
        // Bytes are waiting: crossterm reads them now (no wait), and hands over
        // every event they held (a paste is many).
        loop {
            match crossterm::event::poll(Duration::ZERO) {
                Ok(true) => match crossterm::event::read() {
                    Ok(ev) => {
                        if tx.blocking_send(TermInput::Event(ev)).is_err() {
                            return;
                        }
                    }
                    Err(e) => {
                        tracing::info!("the terminal cannot be read: {e}");
                        let _ = tx.blocking_send(TermInput::Closed);
                        return;
                    }
                },
                Ok(false) => break,
                Err(e) => {
                    tracing::info!("the terminal cannot be read: {e}");
                    let _ = tx.blocking_send(TermInput::Closed);
                    return;
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_hung_up_terminal_is_told_apart_from_waiting_bytes() {
        assert_eq!(classify(PollFlags::IN), Ready::Input);
        // A hung-up tty polls as readable too (and reads as end-of-file forever).
        assert_eq!(classify(PollFlags::IN | PollFlags::HUP), Ready::HungUp);
        assert_eq!(classify(PollFlags::ERR), Ready::HungUp);
        assert_eq!(classify(PollFlags::NVAL), Ready::HungUp);
        assert_eq!(classify(PollFlags::empty()), Ready::Nothing);
    }

    #[test]
    fn a_closed_pipe_reads_as_hung_up() {
        let (r, w) = rustix::pipe::pipe().expect("pipe");
        drop(w);
        assert_eq!(wait_for(r.as_fd()), Ready::HungUp);
    }

    #[test]
    fn waiting_bytes_read_as_input() {
        let (r, w) = rustix::pipe::pipe().expect("pipe");
        rustix::io::write(&w, b"q").expect("write");
        assert_eq!(wait_for(r.as_fd()), Ready::Input);
    }
}
