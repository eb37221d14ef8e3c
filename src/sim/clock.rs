//! The simulated clock: wall-clock time at start, advancing `speed` times faster than
//! real time. Every timestamp the simulated cluster writes comes from here.

use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};
use std::time::Instant;

use jiff::{SignedDuration, Timestamp};

#[derive(Debug)]
enum Mode {
    /// Runs `speed` times faster than real time.
    Real { started_real: Instant, speed: f64 },
    /// Stands still until advanced (deterministic tests): nanoseconds since start.
    Manual { elapsed_nanos: AtomicI64 },
}

/// A clock shared by the store and the handle (clones see the same time).
#[derive(Clone, Debug)]
pub struct SimClock {
    started_sim: Timestamp,
    mode: Arc<Mode>,
}

impl SimClock {
    pub fn new(speed: f64) -> Self {
        Self::starting_at(Timestamp::now(), speed)
    }

    pub fn starting_at(start: Timestamp, speed: f64) -> Self {
        let speed = if speed.is_finite() && speed > 0.0 {
            speed
        } else {
            1.0
        };
        SimClock {
            started_sim: start,
            mode: Arc::new(Mode::Real {
                started_real: Instant::now(),
                speed,
            }),
        }
    }

    /// A clock that only moves when [`SimClock::advance`] is called.
    pub fn manual(start: Timestamp) -> Self {
        SimClock {
            started_sim: start,
            mode: Arc::new(Mode::Manual {
                elapsed_nanos: AtomicI64::new(0),
            }),
        }
    }

    pub fn is_manual(&self) -> bool {
        matches!(*self.mode, Mode::Manual { .. })
    }

    /// Moves a manual clock forward (a real clock ignores this).
    pub fn advance(&self, d: SignedDuration) {
        if let Mode::Manual { elapsed_nanos } = &*self.mode {
            let n = i64::try_from(d.as_nanos()).unwrap_or(i64::MAX);
            elapsed_nanos.fetch_add(n.max(0), Ordering::SeqCst);
        }
    }

    pub fn now(&self) -> Timestamp {
        self.started_sim + self.elapsed()
    }

    /// Simulated time since the clock started.
    pub fn elapsed(&self) -> SignedDuration {
        match &*self.mode {
            Mode::Real {
                started_real,
                speed,
            } => SignedDuration::from_secs_f64(started_real.elapsed().as_secs_f64() * speed),
            Mode::Manual { elapsed_nanos } => {
                SignedDuration::from_nanos(elapsed_nanos.load(Ordering::SeqCst))
            }
        }
    }

    pub fn start(&self) -> Timestamp {
        self.started_sim
    }

    pub fn speed(&self) -> f64 {
        match &*self.mode {
            Mode::Real { speed, .. } => *speed,
            Mode::Manual { .. } => 0.0,
        }
    }
}

/// RFC 3339 with second precision and `Z`, as Kubernetes writes timestamps.
pub fn fmt_ts(t: Timestamp) -> String {
    t.strftime("%Y-%m-%dT%H:%M:%SZ").to_string()
}

/// RFC 3339 with microseconds, as Kubernetes writes `eventTime` (MicroTime).
pub fn fmt_micro(t: Timestamp) -> String {
    t.strftime("%Y-%m-%dT%H:%M:%S%.6fZ").to_string()
}

pub fn parse_ts(s: &str) -> Option<Timestamp> {
    s.parse().ok()
}

pub use crate::util::age::human_duration;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn manual_clock_only_moves_when_advanced() {
        let start: Timestamp = "2026-11-22T10:00:00Z".parse().unwrap();
        let c = SimClock::manual(start);
        let shared = c.clone();
        std::thread::sleep(std::time::Duration::from_millis(5));
        assert_eq!(c.now(), start);
        shared.advance(SignedDuration::from_secs(90));
        assert_eq!(fmt_ts(c.now()), "2026-11-22T10:01:30Z");
    }

    #[test]
    fn clock_runs_at_speed() {
        let c = SimClock::new(1000.0);
        std::thread::sleep(std::time::Duration::from_millis(20));
        assert!(c.elapsed().as_secs_f64() >= 19.0);
        assert!(fmt_ts(c.now()).ends_with('Z'));
    }
}
