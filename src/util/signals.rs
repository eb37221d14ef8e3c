//! Process signals: the ones that mean "stop" (SIGINT, SIGTERM, and for an
//! interactive console SIGHUP, the SSH drop), as a stream that can be waited on
//! again and again (a second signal while quitting is noticed too).

/// Which signal arrived.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum Stop {
    Interrupt,
    Terminate,
    Hangup,
}

impl Stop {
    /// `SIGHUP`.
    pub fn name(self) -> &'static str {
        match self {
            Stop::Interrupt => "SIGINT",
            Stop::Terminate => "SIGTERM",
            Stop::Hangup => "SIGHUP",
        }
    }
}

/// The stop signals, installed once.
pub struct Signals {
    int: tokio::signal::unix::Signal,
    term: tokio::signal::unix::Signal,
    hup: tokio::signal::unix::Signal,
}

impl Signals {
    pub fn install() -> std::io::Result<Signals> {
        use tokio::signal::unix::{SignalKind, signal};
        Ok(Signals {
            int: signal(SignalKind::interrupt())?,
            term: signal(SignalKind::terminate())?,
            hup: signal(SignalKind::hangup())?,
        })
    }

    /// The next stop signal.
    pub async fn next(&mut self) -> Stop {
        tokio::select! {
            _ = self.int.recv() => Stop::Interrupt,
            _ = self.term.recv() => Stop::Terminate,
            _ = self.hup.recv() => Stop::Hangup,
        }
    }
}

/// Resolves when SIGINT, SIGTERM or SIGHUP arrives.
pub async fn terminated() -> std::io::Result<Stop> {
    Ok(Signals::install()?.next().await)
}
