//! Opening a shell from the console, as k9s's `s` does: the console steps aside
//! (the alternate screen is left and keys stop going to it; the terminal stays raw
//! so every key, ctrl-c included, reaches the shell), the shell runs through the
//! API server's exec with a TTY that follows the window's size, and when the shell
//! ends the console comes back as it was. The end (exit code, bytes each way) goes
//! back to the console, which records it (the intent was recorded before).

use std::io::{IsTerminal, Write};
use std::os::fd::{AsFd, OwnedFd};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use crossterm::execute;
use crossterm::terminal::{EnterAlternateScreen, LeaveAlternateScreen};
use rustix::event::{PollFd, PollFlags, Timespec};
use tokio::sync::mpsc;

use super::terminal::Term;
use crate::app::effect::Effect;
use crate::app::engine::Engine;
use crate::app::event::{Done, Event};
use crate::cluster::exec::{Ran, Session};

/// A shell that ends this fast with "not found" (126/127) and says little was not
/// there: the next one configured is tried.
fn missing(r: &Ran) -> bool {
    let not_found = match (r.exit, &r.error) {
        (Some(126 | 127), _) => true,
        // containerd says so in a Failure Status, without an exit code.
        (None, Some(e)) => {
            e.contains("executable file not found") || e.contains("no such file or directory")
        }
        _ => false,
    };
    not_found && r.bytes_in == 0 && r.bytes_out < 400 && r.took_ms < 5000
}

/// Reads the terminal's bytes for the shell until `stop` (or the terminal closes:
/// then the sender is dropped and the session ends).
fn reader(tx: mpsc::Sender<Vec<u8>>, stop: Arc<AtomicBool>) {
    let dev: Option<OwnedFd> = if std::io::stdin().is_terminal() {
        None
    } else {
        std::fs::File::open("/dev/tty").ok().map(OwnedFd::from)
    };
    let stdin = rustix::stdio::stdin();
    let fd = dev.as_ref().map_or(stdin, |d| d.as_fd());
    let wait = Timespec {
        tv_sec: 0,
        tv_nsec: 100_000_000,
    };
    let mut buf = [0u8; 4096];
    while !stop.load(Ordering::SeqCst) {
        let mut fds = [PollFd::new(&fd, PollFlags::IN)];
        match rustix::event::poll(&mut fds, Some(&wait)) {
            Ok(0) | Err(rustix::io::Errno::INTR) => continue,
            Err(_) => return,
            Ok(_) => {}
        }
        let ev = fds[0].revents();
        if ev.intersects(PollFlags::HUP | PollFlags::ERR | PollFlags::NVAL) {
            return;
        }
        match rustix::io::read(fd, &mut buf) {
            Ok(0) | Err(_) => return,
            Ok(n) => {
                // Never blocks for good: a full channel (a key held down while the
                // server is slow) is retried until the session takes it or ends.
                let mut chunk = buf[..n].to_vec();
                loop {
                    match tx.try_send(chunk) {
                        Ok(()) => break,
                        Err(mpsc::error::TrySendError::Closed(_)) => return,
                        Err(mpsc::error::TrySendError::Full(c)) => {
                            if stop.load(Ordering::SeqCst) {
                                return;
                            }
                            chunk = c;
                            std::thread::sleep(Duration::from_millis(10));
                        }
                    }
                }
            }
        }
    }
}

/// Runs the shell `fx` asks for, then gives the terminal back to the console.
pub async fn run(term: &mut Term, engine: &mut Engine, fx: Effect) {
    let Effect::Shell {
        flow,
        ctx,
        namespace,
        pod,
        container,
        shells,
    } = fx
    else {
        return;
    };
    let Some(client) = engine.client(ctx) else {
        let ran = Ran {
            error: Some("context not connected".into()),
            ..Ran::default()
        };
        engine.feed(Event::Done(Done::ShellEnded { flow, ran }));
        return;
    };
    super::input::pause(true);
    // The input thread may be in a wait: let it see the pause before the shell
    // reads the terminal.
    tokio::time::sleep(Duration::from_millis(250)).await;
    let mut out = std::io::stdout();
    let _ = execute!(out, LeaveAlternateScreen, crossterm::cursor::Show);
    let clean = |t: &str| crate::util::sanitize::line(t, 253);
    let _ = write!(
        out,
        "\r\n[kdeck] shell in pod/{} (container {}, namespace {}) — exit the shell to return to kdeck\r\n",
        clean(&pod),
        clean(&container),
        clean(&namespace)
    );
    let _ = out.flush();
    let (in_tx, in_rx) = mpsc::channel(64);
    let stop = Arc::new(AtomicBool::new(false));
    let reading = {
        let stop = stop.clone();
        std::thread::Builder::new()
            .name("kdeck-shell-input".into())
            .spawn(move || reader(in_tx, stop))
    };
    let (size_tx, size_rx) = mpsc::channel(8);
    let sizes = {
        let stop = stop.clone();
        tokio::spawn(async move {
            let mut last = None;
            while !stop.load(Ordering::SeqCst) {
                let now = crossterm::terminal::size().ok();
                if now != last
                    && let Some(sz) = now
                {
                    last = now;
                    if size_tx.send(sz).await.is_err() {
                        return;
                    }
                }
                tokio::time::sleep(Duration::from_millis(250)).await;
            }
        })
    };
    let mut session = Session {
        input: in_rx,
        sizes: size_rx,
        initial: None,
        output: Box::new(|b: &[u8]| {
            let mut o = std::io::stdout();
            let _ = o.write_all(b);
            let _ = o.flush();
        }),
    };
    let mut ran = Ran {
        error: Some("no shell configured".into()),
        ..Ran::default()
    };
    // A stop signal while the shell runs ends it (the session stops, with its
    // counts) and then takes the quit path: the loop is not turning meanwhile.
    let mut stopped = None;
    let cancel = tokio_util::sync::CancellationToken::new();
    for (i, sh) in shells.iter().enumerate() {
        session.initial = crossterm::terminal::size().ok();
        let fut = crate::cluster::exec::interactive(
            client.clone(),
            &namespace,
            &pod,
            &container,
            std::slice::from_ref(sh),
            &mut session,
            cancel.clone(),
        );
        tokio::pin!(fut);
        ran = tokio::select! {
            r = &mut fut => r,
            sig = engine.signal() => {
                stopped = Some(sig);
                cancel.cancel();
                let mut r = fut.await;
                r.error = Some(format!("ended by {}", sig.name()));
                r
            }
        };
        if stopped.is_some() || !(missing(&ran) && i + 1 < shells.len()) {
            break;
        }
    }
    // The receiver goes first, so a reader waiting to hand over a key gives up.
    drop(session);
    stop.store(true, Ordering::SeqCst);
    sizes.abort();
    if let Ok(h) = reading {
        let _ = tokio::task::spawn_blocking(move || h.join()).await;
    }
    let mut out = std::io::stdout();
    let _ = write!(
        out,
        "\r\n[kdeck] shell ended ({}); back to kdeck\r\n",
        ran.summary()
    );
    let _ = execute!(out, EnterAlternateScreen);
    let _ = out.flush();
    let _ = term.clear();
    super::input::pause(false);
    engine.feed(Event::Done(Done::ShellEnded { flow, ran }));
    if let Some(sig) = stopped {
        tracing::info!("{} received during a shell: quitting", sig.name());
        engine.feed(Event::Signal(sig));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_shell_that_is_not_there_is_told_from_one_that_ran() {
        let absent = Ran {
            exit: Some(127),
            bytes_out: 80,
            took_ms: 200,
            ..Ran::default()
        };
        assert!(missing(&absent));
        let used = Ran {
            exit: Some(127),
            bytes_out: 5000,
            took_ms: 60_000,
            ..Ran::default()
        };
        assert!(!missing(&used));
        let ok = Ran {
            exit: Some(0),
            ..Ran::default()
        };
        assert!(!missing(&ok));
    }
}
