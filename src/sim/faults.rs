//! Faults the simulated cluster can be told to inject, so clients are tried against
//! what real clusters do on a bad day: latency on every request, watch streams
//! dropped, 410 storms, error statuses (429/500/503) with `Retry-After`, connections
//! accepted and never answered, credentials rejected mid-session (401), an expired
//! serving certificate, writes that race a controller's status update (the object's
//! resourceVersion moves on between a client's read and its write). Set from tests
//! (`SimHandle::faults`), from `kdeck sim --fault NAME=VALUE`, or through the control
//! endpoint `POST /kdeck-sim/faults` (only with `kdeck sim --control`), which takes
//! the same names as JSON.

use std::sync::atomic::{AtomicBool, AtomicU16, AtomicU64, Ordering};

#[derive(Debug, Default)]
pub struct Faults {
    /// Added to every request's answer.
    pub latency_ms: AtomicU64,
    /// Non-zero: requests are answered with this status…
    pub status: AtomicU16,
    /// …this many more times (u64::MAX: until cleared)…
    pub status_count: AtomicU64,
    /// …with this `Retry-After` (seconds; 0: none).
    pub retry_after: AtomicU64,
    /// Requests are accepted and never answered.
    pub hang: AtomicBool,
    /// Every bearer token is rejected (401).
    pub unauthorized: AtomicBool,
    /// New TLS handshakes get the expired certificate.
    pub expired_cert: AtomicBool,
    /// The next this many writes (PUT or PATCH of one object, dry runs included)
    /// race a controller: the stored object's status is rewritten just before the
    /// write is applied, so a write that names the resourceVersion it read conflicts.
    pub racing_writes: AtomicU64,
    /// Bumped to end every open watch stream (cleanly, as a load balancer would).
    pub drops: tokio::sync::watch::Sender<u64>,
    /// Faults injected so far, by name (for reports).
    pub injected: std::sync::Mutex<std::collections::BTreeMap<String, u64>>,
}

impl Faults {
    fn count(&self, name: &str) {
        if let Ok(mut m) = self.injected.lock() {
            *m.entry(name.to_string()).or_default() += 1;
        }
    }

    /// What has been injected, by name.
    pub fn injected(&self) -> std::collections::BTreeMap<String, u64> {
        self.injected.lock().map(|m| m.clone()).unwrap_or_default()
    }

    /// Ends every open watch stream now.
    pub fn drop_watches(&self) {
        self.drops.send_modify(|n| *n += 1);
        self.count("dropped watches");
    }

    /// Answers the next `count` requests with `status` (and `Retry-After`).
    pub fn fail(&self, status: u16, count: u64, retry_after: u64) {
        self.retry_after.store(retry_after, Ordering::SeqCst);
        self.status_count.store(count, Ordering::SeqCst);
        self.status.store(status, Ordering::SeqCst);
    }

    /// The status this request is to fail with, if any (counting it).
    pub fn take_status(&self) -> Option<(u16, u64)> {
        let s = self.status.load(Ordering::SeqCst);
        if s == 0 {
            return None;
        }
        let left = self
            .status_count
            .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| {
                (n > 0).then(|| if n == u64::MAX { n } else { n - 1 })
            });
        match left {
            Ok(_) => {
                self.count(&format!("status {s}"));
                Some((s, self.retry_after.load(Ordering::SeqCst)))
            }
            Err(_) => {
                self.status.store(0, Ordering::SeqCst);
                None
            }
        }
    }

    /// Whether this write is to race a status update (counting it).
    pub fn take_race(&self) -> bool {
        let raced = self
            .racing_writes
            .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1))
            .is_ok();
        if raced {
            self.count("writes raced by a status update");
        }
        raced
    }

    pub fn set_hang(&self, on: bool) {
        self.hang.store(on, Ordering::SeqCst);
    }

    pub fn hanging(&self) -> bool {
        let h = self.hang.load(Ordering::SeqCst);
        if h {
            self.count("requests never answered");
        }
        h
    }

    pub fn set_unauthorized(&self, on: bool) {
        self.unauthorized.store(on, Ordering::SeqCst);
    }

    pub fn unauthorized(&self) -> bool {
        let u = self.unauthorized.load(Ordering::SeqCst);
        if u {
            self.count("401 credentials rejected");
        }
        u
    }

    pub fn set_expired_cert(&self, on: bool) {
        self.expired_cert.store(on, Ordering::SeqCst);
    }

    pub fn set_latency(&self, ms: u64) {
        self.latency_ms.store(ms, Ordering::SeqCst);
    }

    pub fn latency(&self) -> Option<std::time::Duration> {
        let ms = self.latency_ms.load(Ordering::SeqCst);
        (ms > 0).then(|| std::time::Duration::from_millis(ms))
    }

    /// Applies `name=value` (the CLI's `--fault` and the control endpoint's keys):
    /// `latency_ms=200`, `status=503`, `count=10`, `retry_after=2`, `hang=true`,
    /// `unauthorized=true`, `expired_cert=true`, `drop_watches=true`, `racing_writes=2`.
    pub fn apply(&self, name: &str, value: &str) -> Result<(), String> {
        let flag = || -> Result<bool, String> {
            value
                .parse::<bool>()
                .map_err(|_| format!("{name}: expected true or false, not {value:?}"))
        };
        let num = || -> Result<u64, String> {
            value
                .parse::<u64>()
                .map_err(|_| format!("{name}: expected a number, not {value:?}"))
        };
        match name {
            "latency_ms" => self.set_latency(num()?),
            "status" => {
                let s = num()?;
                if s != 0 && !(400..=599).contains(&s) {
                    return Err(format!("status: {s} is not an error status"));
                }
                let count = match self.status_count.load(Ordering::SeqCst) {
                    0 => u64::MAX,
                    n => n,
                };
                self.fail(s as u16, count, self.retry_after.load(Ordering::SeqCst));
            }
            "count" => self.status_count.store(num()?, Ordering::SeqCst),
            "retry_after" => self.retry_after.store(num()?, Ordering::SeqCst),
            "racing_writes" => self.racing_writes.store(num()?, Ordering::SeqCst),
            "hang" => self.set_hang(flag()?),
            "unauthorized" => self.set_unauthorized(flag()?),
            "expired_cert" => self.set_expired_cert(flag()?),
            "drop_watches" => {
                if flag()? {
                    self.drop_watches();
                }
            }
            _ => {
                return Err(format!(
                    "unknown fault {name:?} (latency_ms, status, count, retry_after, hang, unauthorized, expired_cert, drop_watches, racing_writes)"
                ));
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_status_fault_fails_so_many_requests_then_clears() {
        let f = Faults::default();
        f.fail(503, 2, 3);
        assert_eq!(f.take_status(), Some((503, 3)));
        assert_eq!(f.take_status(), Some((503, 3)));
        assert_eq!(f.take_status(), None);
        assert_eq!(f.take_status(), None);
        assert_eq!(f.injected().get("status 503"), Some(&2));
        assert!(f.apply("status", "200").is_err());
        assert!(f.apply("bogus", "1").is_err());
        f.apply("latency_ms", "250").expect("latency");
        assert_eq!(f.latency(), Some(std::time::Duration::from_millis(250)));
    }

    #[test]
    fn so_many_writes_race_a_status_update_then_none() {
        let f = Faults::default();
        assert!(!f.take_race());
        f.apply("racing_writes", "2").expect("racing_writes");
        assert!(f.take_race());
        assert!(f.take_race());
        assert!(!f.take_race());
        assert_eq!(
            f.injected().get("writes raced by a status update"),
            Some(&2)
        );
        assert!(f.apply("racing_writes", "two").is_err());
    }
}
