//! Five-field cron schedules as CronJobs use them: parsing (lists, ranges, steps,
//! month/day names, `@daily`-style macros, `TZ=`/`CRON_TZ=` prefixes), the next and
//! previous run times, the longest interval between runs, and a description in words.

use jiff::civil::{Date, DateTime, Time};
use jiff::tz::TimeZone;
use jiff::{SignedDuration, Timestamp, ToSpan};

#[derive(Debug, Clone, PartialEq)]
pub struct Schedule {
    minutes: Vec<bool>,
    hours: Vec<bool>,
    dom: Vec<bool>,
    months: Vec<bool>,
    dow: Vec<bool>,
    dom_star: bool,
    dow_star: bool,
    tz: Option<String>,
    source: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CronError(pub String);

impl std::fmt::Display for CronError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for CronError {}

const MONTHS: [&str; 12] = [
    "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec",
];
const DAYS: [&str; 7] = ["sun", "mon", "tue", "wed", "thu", "fri", "sat"];
const DAY_NAMES: [&str; 7] = [
    "Sunday",
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
];

fn parse_value(s: &str, min: u32, names: &[&str]) -> Result<u32, CronError> {
    let lower = s.to_ascii_lowercase();
    if let Some(i) = names.iter().position(|n| *n == lower) {
        return Ok(i as u32 + min);
    }
    s.parse::<u32>()
        .map_err(|_| CronError(format!("invalid value {s:?}")))
}

fn parse_field(
    field: &str,
    min: u32,
    max: u32,
    names: &[&str],
    what: &str,
) -> Result<(Vec<bool>, bool), CronError> {
    let mut set = vec![false; (max + 1) as usize];
    let star = field == "*" || field == "?";
    for part in field.split(',') {
        let (range, step) = match part.split_once('/') {
            Some((r, s)) => {
                let step: u32 = s
                    .parse()
                    .map_err(|_| CronError(format!("invalid step {s:?} in {what}")))?;
                if step == 0 {
                    return Err(CronError(format!("step of zero in {what}")));
                }
                (r, step)
            }
            None => (part, 1),
        };
        let (lo, hi) = if range == "*" || range == "?" {
            (min, max)
        } else if let Some((a, b)) = range.split_once('-') {
            (parse_value(a, min, names)?, parse_value(b, min, names)?)
        } else {
            let v = parse_value(range, min, names)?;
            if part.contains('/') { (v, max) } else { (v, v) }
        };
        if lo < min || hi > max || lo > hi {
            return Err(CronError(format!(
                "{what} value out of range ({min}-{max}): {part:?}"
            )));
        }
        let mut v = lo;
        while v <= hi {
            set[v as usize] = true;
            v += step;
        }
    }
    Ok((set, star))
}

impl Schedule {
    pub fn parse(input: &str) -> Result<Schedule, CronError> {
        let source = input.trim().to_string();
        let mut rest = source.as_str();
        let mut tz = None;
        if let Some(r) = rest
            .strip_prefix("TZ=")
            .or_else(|| rest.strip_prefix("CRON_TZ="))
        {
            let (zone, after) = r
                .split_once(' ')
                .ok_or_else(|| CronError("time zone without a schedule".into()))?;
            TimeZone::get(zone).map_err(|_| CronError(format!("unknown time zone {zone:?}")))?;
            tz = Some(zone.to_string());
            rest = after.trim();
        }
        let expanded = match rest {
            "@yearly" | "@annually" => "0 0 1 1 *",
            "@monthly" => "0 0 1 * *",
            "@weekly" => "0 0 * * 0",
            "@daily" | "@midnight" => "0 0 * * *",
            "@hourly" => "0 * * * *",
            other if other.starts_with('@') => {
                return Err(CronError(format!("unknown schedule macro {other:?}")));
            }
            other => other,
        };
        let fields: Vec<&str> = expanded.split_whitespace().collect();
        if fields.len() != 5 {
            return Err(CronError(format!(
                "expected exactly 5 fields, found {}: {:?}",
                fields.len(),
                expanded
            )));
        }
        let (minutes, _) = parse_field(fields[0], 0, 59, &[], "minute")?;
        let (hours, _) = parse_field(fields[1], 0, 23, &[], "hour")?;
        let (dom, dom_star) = parse_field(fields[2], 1, 31, &[], "day of month")?;
        let (months, _) = parse_field(fields[3], 1, 12, &MONTHS, "month")?;
        let (mut dow, dow_star) = parse_field(fields[4], 0, 7, &DAYS, "day of week")?;
        // Sunday may be written 7.
        if dow[7] {
            dow[0] = true;
        }
        dow.truncate(7);
        Ok(Schedule {
            minutes,
            hours,
            dom,
            months,
            dow,
            dom_star,
            dow_star,
            tz,
            source,
        })
    }

    /// Parses with an explicit zone (a CronJob's `spec.timeZone`).
    pub fn parse_in(input: &str, time_zone: Option<&str>) -> Result<Schedule, CronError> {
        let mut s = Schedule::parse(input)?;
        if s.tz.is_none()
            && let Some(z) = time_zone
        {
            TimeZone::get(z).map_err(|_| CronError(format!("unknown time zone {z:?}")))?;
            s.tz = Some(z.to_string());
        }
        Ok(s)
    }

    pub fn source(&self) -> &str {
        &self.source
    }

    fn zone(&self) -> TimeZone {
        self.tz
            .as_deref()
            .and_then(|z| TimeZone::get(z).ok())
            .unwrap_or(TimeZone::UTC)
    }

    fn day_matches(&self, d: Date) -> bool {
        let dom = self.dom[d.day() as usize];
        let dow = self.dow[d.weekday().to_sunday_zero_offset() as usize];
        match (self.dom_star, self.dow_star) {
            (true, true) => true,
            (true, false) => dow,
            (false, true) => dom,
            (false, false) => dom || dow,
        }
    }

    /// The first run strictly after `t`, within five years.
    pub fn next_after(&self, t: Timestamp) -> Option<Timestamp> {
        let tz = self.zone();
        let local = tz.to_datetime(t);
        let mut dt = local
            .with()
            .second(0)
            .subsec_nanosecond(0)
            .build()
            .ok()?
            .checked_add(1.minute())
            .ok()?;
        let limit = local.year() as i32 + 5;
        while (dt.year() as i32) <= limit {
            if !self.months[dt.month() as usize] {
                let first = Date::new(dt.year(), dt.month(), 1).ok()?;
                dt = first
                    .checked_add(1.month())
                    .ok()?
                    .to_datetime(Time::midnight());
                continue;
            }
            if !self.day_matches(dt.date()) {
                dt = dt
                    .date()
                    .checked_add(1.day())
                    .ok()?
                    .to_datetime(Time::midnight());
                continue;
            }
            if !self.hours[dt.hour() as usize] {
                dt = dt
                    .with()
                    .minute(0)
                    .build()
                    .ok()?
                    .checked_add(1.hour())
                    .ok()?;
                continue;
            }
            if !self.minutes[dt.minute() as usize] {
                dt = dt.checked_add(1.minute()).ok()?;
                continue;
            }
            return tz
                .to_ambiguous_zoned(dt)
                .compatible()
                .ok()
                .map(|z| z.timestamp());
        }
        None
    }

    /// The latest run at or before `t` (searching back at most 400 days).
    pub fn prev_at_or_before(&self, t: Timestamp) -> Option<Timestamp> {
        let mut probe = t.checked_sub(SignedDuration::from_hours(24 * 400)).ok()?;
        let mut last = None;
        // Step through runs forward from a year ago; coarse but bounded (runs at most
        // every minute for `* * * * *`, so jump near `t` first for dense schedules).
        let step = self
            .longest_interval()
            .unwrap_or(SignedDuration::from_hours(24));
        let near = t.checked_sub(step * 2).ok()?;
        if near > probe {
            probe = near.checked_sub(SignedDuration::from_secs(60)).ok()?;
        }
        while let Some(n) = self.next_after(probe) {
            if n > t {
                break;
            }
            last = Some(n);
            probe = n;
        }
        last
    }

    /// The longest gap between consecutive runs over the coming year: what "fresh"
    /// must tolerate (24 h for `0 2 * * *`, 7 days for `0 1 * * 0`).
    pub fn longest_interval(&self) -> Option<SignedDuration> {
        let start = DateTime::new(2025, 1, 1, 0, 0, 0, 0).ok()?;
        let tz = TimeZone::UTC;
        let mut t = tz.to_ambiguous_zoned(start).compatible().ok()?.timestamp();
        let end = t.checked_add(SignedDuration::from_hours(24 * 366)).ok()?;
        let mut longest = SignedDuration::ZERO;
        let mut prev: Option<Timestamp> = None;
        let mut count = 0;
        while let Some(n) = self.next_after(t) {
            if let Some(p) = prev {
                longest = longest.max(n.duration_since(p));
            }
            prev = Some(n);
            t = n;
            count += 1;
            if n > end || count > 2000 {
                break;
            }
        }
        (longest > SignedDuration::ZERO).then_some(longest)
    }

    /// "every 15 minutes", "daily at 02:00 UTC", "weekly on Sunday at 01:00 UTC".
    pub fn describe(&self) -> String {
        let only = |set: &[bool]| -> Option<usize> {
            let on: Vec<usize> = set
                .iter()
                .enumerate()
                .filter(|(_, b)| **b)
                .map(|(i, _)| i)
                .collect();
            (on.len() == 1).then(|| on[0])
        };
        let zone = self.tz.as_deref().unwrap_or("UTC");
        let all = |set: &[bool], lo: usize| set[lo..].iter().all(|b| *b);
        let months_all = all(&self.months, 1);
        let minute = only(&self.minutes);
        let hour = only(&self.hours);
        // Every N minutes.
        let on_minutes: Vec<usize> = self
            .minutes
            .iter()
            .enumerate()
            .filter(|(_, b)| **b)
            .map(|(i, _)| i)
            .collect();
        if all(&self.hours, 0) && self.dom_star && self.dow_star && months_all {
            if on_minutes.len() == 60 {
                return "every minute".into();
            }
            if on_minutes.len() > 1 && on_minutes[0] == 0 {
                let step = on_minutes[1];
                if on_minutes.iter().enumerate().all(|(i, m)| *m == i * step) && 60 % step == 0 {
                    return format!("every {step} minutes");
                }
            }
            if let Some(m) = minute {
                return format!("hourly at :{m:02}");
            }
        }
        if let (Some(m), Some(h)) = (minute, hour) {
            let at = format!("at {h:02}:{m:02} {zone}");
            if self.dom_star && self.dow_star && months_all {
                return format!("daily {at}");
            }
            if self.dom_star && months_all {
                let days: Vec<&str> = (0..7)
                    .filter(|d| self.dow[*d])
                    .map(|d| DAY_NAMES[d])
                    .collect();
                if days.len() == 1 {
                    return format!("weekly on {} {at}", days[0]);
                }
                if days == ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday"] {
                    return format!("weekdays {at}");
                }
                return format!("on {} {at}", days.join(", "));
            }
            if self.dow_star
                && months_all
                && let Some(d) = only(&self.dom)
            {
                return format!("monthly on day {d} {at}");
            }
        }
        format!("cron \"{}\"", self.source)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ts(s: &str) -> Timestamp {
        s.parse().unwrap()
    }

    #[test]
    fn daily_weekly_and_every_15() {
        let daily = Schedule::parse("0 2 * * *").unwrap();
        assert_eq!(
            daily.next_after(ts("2026-11-22T01:59:00Z")),
            Some(ts("2026-11-22T02:00:00Z"))
        );
        assert_eq!(
            daily.next_after(ts("2026-11-22T02:00:00Z")),
            Some(ts("2026-11-23T02:00:00Z"))
        );
        assert_eq!(
            daily.longest_interval(),
            Some(SignedDuration::from_hours(24))
        );
        assert_eq!(daily.describe(), "daily at 02:00 UTC");

        let weekly = Schedule::parse("0 1 * * 0").unwrap();
        // 2026-11-22 is a Sunday.
        assert_eq!(
            weekly.next_after(ts("2026-11-20T00:00:00Z")),
            Some(ts("2026-11-22T01:00:00Z"))
        );
        assert_eq!(
            weekly.longest_interval(),
            Some(SignedDuration::from_hours(24 * 7))
        );
        assert_eq!(weekly.describe(), "weekly on Sunday at 01:00 UTC");
        assert_eq!(
            weekly.prev_at_or_before(ts("2026-11-25T00:00:00Z")),
            Some(ts("2026-11-22T01:00:00Z"))
        );

        let q = Schedule::parse("*/15 * * * *").unwrap();
        assert_eq!(
            q.next_after(ts("2026-11-22T10:07:30Z")),
            Some(ts("2026-11-22T10:15:00Z"))
        );
        assert_eq!(q.longest_interval(), Some(SignedDuration::from_mins(15)));
        assert_eq!(q.describe(), "every 15 minutes");
    }

    #[test]
    fn names_macros_and_errors() {
        assert_eq!(
            Schedule::parse("@daily").unwrap().describe(),
            "daily at 00:00 UTC"
        );
        let s = Schedule::parse("30 6 * * mon-fri").unwrap();
        assert_eq!(s.describe(), "weekdays at 06:30 UTC");
        assert!(Schedule::parse("0 2 * *").is_err());
        assert!(Schedule::parse("61 * * * *").is_err());
        assert!(Schedule::parse("*/0 * * * *").is_err());
        assert!(Schedule::parse("@sometimes").is_err());
        assert!(Schedule::parse("TZ=Nowhere/Else 0 2 * * *").is_err());
        let tz = Schedule::parse("TZ=Europe/Berlin 0 2 * * *").unwrap();
        // 02:00 in Berlin in winter is 01:00 UTC.
        assert_eq!(
            tz.next_after(ts("2026-11-22T00:00:00Z")),
            Some(ts("2026-11-22T01:00:00Z"))
        );
        let sun7 = Schedule::parse("0 1 * * 7").unwrap();
        assert_eq!(
            sun7.next_after(ts("2026-11-20T00:00:00Z")),
            Some(ts("2026-11-22T01:00:00Z"))
        );
    }
}
