//! Process signals: waiting for the ones that mean "stop" (SIGINT, SIGTERM, and for
//! an interactive console SIGHUP, the SSH drop).

/// Which signal arrived.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum Stop {
    Interrupt,
    Terminate,
    Hangup,
}

/// Resolves when SIGINT, SIGTERM or SIGHUP arrives.
pub async fn terminated() -> std::io::Result<Stop> {
    use tokio::signal::unix::{SignalKind, signal};
    let mut int = signal(SignalKind::interrupt())?;
    let mut term = signal(SignalKind::terminate())?;
    let mut hup = signal(SignalKind::hangup())?;
    Ok(tokio::select! {
        _ = int.recv() => Stop::Interrupt,
        _ = term.recv() => Stop::Terminate,
        _ = hup.recv() => Stop::Hangup,
    })
}
