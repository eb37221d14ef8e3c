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

/// Marks a time inside text made once and drawn many times (a verdict's "last
/// success 3m ago"): the text holds the moment, and [`clocked`] writes its age at
/// drawing time, so the row and the column beside it read the same clock. The mark
/// is an invisible separator, which the sanitiser removes from anything a cluster
/// sends, so no outside text can carry one.
pub const CLOCK: char = '\u{2063}';

/// The age of Unix second `then`, to be written when the text is drawn.
pub fn ago(then: i64) -> String {
    format!("{CLOCK}{then}{CLOCK}")
}

/// `text` with each [`ago`] mark written as its age at `now`.
pub fn clocked(text: &str, now: i64) -> String {
    if !text.contains(CLOCK) {
        return text.to_string();
    }
    let mut out = String::with_capacity(text.len());
    let mut parts = text.split(CLOCK);
    if let Some(first) = parts.next() {
        out.push_str(first);
    }
    let mut in_mark = true;
    for p in parts {
        match (in_mark, p.parse::<i64>()) {
            (true, Ok(then)) => out.push_str(&age(now, then)),
            (true, Err(_)) => out.push_str(p),
            (false, _) => out.push_str(p),
        }
        in_mark = !in_mark;
    }
    out
}

/// `text` without its [`ago`] marks (for searching: a filter matches what is
/// drawn, not a hidden timestamp).
pub fn plain(text: &str) -> std::borrow::Cow<'_, str> {
    if !text.contains(CLOCK) {
        return std::borrow::Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len());
    for (i, p) in text.split(CLOCK).enumerate() {
        if i % 2 == 0 {
            out.push_str(p);
        }
    }
    std::borrow::Cow::Owned(out)
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
    fn marked_times_are_written_when_drawn() {
        let text = format!("last success {} ago, over {}", ago(1000), "1h");
        assert_eq!(clocked(&text, 1060), "last success 60s ago, over 1h");
        assert_eq!(clocked(&text, 1300), "last success 5m ago, over 1h");
        let two = format!("failed {} ago; ok {} ago", ago(900), ago(100));
        assert_eq!(clocked(&two, 1000), "failed 100s ago; ok 15m ago");
        assert_eq!(clocked("plain", 5), "plain");
        assert_eq!(plain(&text), "last success  ago, over 1h");
    }

    #[test]
    fn ages_from_unix_seconds() {
        assert_eq!(age(1000, 940), "60s");
        assert_eq!(age(1000, 1001), "0s");
    }
}
