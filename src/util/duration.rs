//! Human durations in configuration files: `500ms`, `15s`, `2m`, `1h30m`, `1d`.

use std::time::Duration;

/// Parses a duration such as `2s`, `500ms`, `1h30m` or `7d`.
pub fn parse(s: &str) -> Result<Duration, String> {
    let t = s.trim();
    if t.is_empty() {
        return Err("empty duration".into());
    }
    let mut total = Duration::ZERO;
    let mut rest = t;
    while !rest.is_empty() {
        let digits = rest
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .unwrap_or(rest.len());
        if digits == 0 {
            return Err(format!(
                "{s:?} is not a duration (try \"2s\", \"500ms\", \"1h30m\")"
            ));
        }
        let n: f64 = rest[..digits]
            .parse()
            .map_err(|_| format!("{s:?}: bad number {:?}", &rest[..digits]))?;
        rest = &rest[digits..];
        let unit_len = rest
            .find(|c: char| c.is_ascii_digit() || c == '.')
            .unwrap_or(rest.len());
        let secs = match &rest[..unit_len] {
            "ms" => n / 1000.0,
            "s" => n,
            "m" => n * 60.0,
            "h" => n * 3600.0,
            "d" => n * 86400.0,
            "" => return Err(format!("{s:?}: a unit is needed (ms, s, m, h, d)")),
            u => return Err(format!("{s:?}: unknown unit {u:?} (use ms, s, m, h, d)")),
        };
        rest = &rest[unit_len..];
        total += Duration::from_secs_f64(secs);
    }
    Ok(total)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_units_and_compounds() {
        assert_eq!(parse("2s"), Ok(Duration::from_secs(2)));
        assert_eq!(parse("500ms"), Ok(Duration::from_millis(500)));
        assert_eq!(parse("1h30m"), Ok(Duration::from_secs(5400)));
        assert_eq!(parse("8d"), Ok(Duration::from_secs(8 * 86400)));
        assert_eq!(parse("1.5s"), Ok(Duration::from_millis(1500)));
        assert!(parse("2").unwrap_err().contains("unit"));
        assert!(parse("2 weeks").is_err());
        assert!(parse("").is_err());
        assert!(parse("s").is_err());
    }
}
