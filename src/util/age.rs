//! Ages and durations as kubectl prints them (`5s`, `3m12s`, `4h`, `12d`).

use jiff::SignedDuration;

/// kubectl's human duration ("5s", "3m12s", "4h", "12d"): the AGE column format.
pub fn human_duration(d: SignedDuration) -> String {
    let secs = d.as_secs();
    if secs < 0 {
        return "<invalid>".into();
    }
    let s = secs;
    if s < 60 * 2 {
        return format!("{s}s");
    }
    let m = s / 60;
    if m < 10 {
        let rem = s % 60;
        return if rem == 0 {
            format!("{m}m")
        } else {
            format!("{m}m{rem}s")
        };
    }
    if m < 60 * 3 {
        return format!("{m}m");
    }
    let h = m / 60;
    if h < 8 {
        let rem = m % 60;
        return if rem == 0 {
            format!("{h}h")
        } else {
            format!("{h}h{rem}m")
        };
    }
    if h < 48 {
        return format!("{h}h");
    }
    if h < 24 * 8 {
        let d = h / 24;
        let rem = h % 24;
        return if rem == 0 {
            format!("{d}d")
        } else {
            format!("{d}d{rem}h")
        };
    }
    if h < 24 * 365 * 2 {
        return format!("{}d", h / 24);
    }
    if h < 24 * 365 * 8 {
        let y = h / (24 * 365);
        let dd = (h / 24) % 365;
        return if dd == 0 {
            format!("{y}y")
        } else {
            format!("{y}y{dd}d")
        };
    }
    format!("{}y", h / (24 * 365))
}

/// A span in seconds, as [`human_duration`] prints it.
pub fn short(secs: i64) -> String {
    human_duration(SignedDuration::from_secs(secs.max(0)))
}

/// The age of something that happened at Unix second `then`, seen at `now`. A time
/// slightly in the future (clock skew between estimates) reads as `0s`.
pub fn age(now: i64, then: i64) -> String {
    human_duration(SignedDuration::from_secs((now - then).max(0)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn human_durations_match_kubectl() {
        let d = |s: i64| human_duration(SignedDuration::from_secs(s));
        assert_eq!(d(5), "5s");
        assert_eq!(d(119), "119s");
        assert_eq!(d(192), "3m12s");
        assert_eq!(d(600), "10m");
        assert_eq!(d(3 * 3600 + 60), "3h1m");
        assert_eq!(d(10 * 3600), "10h");
        assert_eq!(d(3 * 86400 + 3600), "3d1h");
        assert_eq!(d(30 * 86400), "30d");
        assert_eq!(d(-1), "<invalid>");
    }

    #[test]
    fn ages_from_unix_seconds() {
        assert_eq!(age(1000, 940), "60s");
        assert_eq!(age(1000, 1001), "0s");
    }
}
