//! Kubernetes resource quantities (`250m`, `1Gi`, `2`): parsing into base units
//! (cores, bytes) and the canonical form the API server stores.

/// Parses a Kubernetes quantity ("250m", "1Gi", "2", "1.5") into a float of base units
/// (cores for CPU, bytes for memory).
pub fn parse(q: &str) -> Option<f64> {
    let q = q.trim();
    let split = q
        .find(|c: char| !(c.is_ascii_digit() || c == '.' || c == '-' || c == '+'))
        .unwrap_or(q.len());
    let (num, suffix) = q.split_at(split);
    let n: f64 = num.parse().ok()?;
    let mult = match suffix {
        "" => 1.0,
        "m" => 1e-3,
        "u" => 1e-6,
        "n" => 1e-9,
        "k" => 1e3,
        "M" => 1e6,
        "G" => 1e9,
        "T" => 1e12,
        "Ki" => 1024.0,
        "Mi" => 1024.0 * 1024.0,
        "Gi" => 1024.0 * 1024.0 * 1024.0,
        "Ti" => 1024.0f64.powi(4),
        _ => return None,
    };
    Some(n * mult)
}

/// The canonical form Kubernetes stores a quantity in: the largest suffix of the same
/// family (binary `Ki…Ei` or decimal `n…E`) that keeps the mantissa an integer
/// (`2000m` → `2`, `0.5` → `500m`, `1024Mi` → `1Gi`). Unparseable input is returned
/// unchanged (validation reports it).
pub fn canonical(q: &str) -> String {
    let t = q.trim();
    let split = t
        .find(|c: char| !(c.is_ascii_digit() || c == '.' || c == '-' || c == '+'))
        .unwrap_or(t.len());
    let (num, suffix) = t.split_at(split);
    let Ok(n) = num.parse::<f64>() else {
        return q.to_string();
    };
    let binary: &[(&str, u32)] = &[
        ("Ki", 10),
        ("Mi", 20),
        ("Gi", 30),
        ("Ti", 40),
        ("Pi", 50),
        ("Ei", 60),
    ];
    if let Some((_, shift)) = binary.iter().find(|(s, _)| *s == suffix) {
        let bytes = n * 2f64.powi(*shift as i32);
        if bytes.fract() == 0.0 && bytes.abs() < 9.2e18 {
            let b = bytes as i64;
            if b == 0 {
                return "0".into();
            }
            for (sfx, sh) in binary.iter().rev() {
                if b % (1i64 << sh) == 0 {
                    return format!("{}{sfx}", b >> sh);
                }
            }
            return b.to_string();
        }
    }
    let exp10 = match suffix {
        "n" => -9,
        "u" => -6,
        "m" => -3,
        "" => 0,
        "k" => 3,
        "M" => 6,
        "G" => 9,
        "T" => 12,
        "P" => 15,
        "E" => 18,
        _ => {
            // Binary with a fraction of a byte, or an exponent form: leave as given.
            return q.to_string();
        }
    };
    let nano = (n * 10f64.powi(exp10 + 9)).round();
    if !nano.is_finite() || nano.abs() > 1e36 {
        return q.to_string();
    }
    let nano = nano as i128;
    if nano == 0 {
        return "0".into();
    }
    for (e, sfx) in [
        (18, "E"),
        (15, "P"),
        (12, "T"),
        (9, "G"),
        (6, "M"),
        (3, "k"),
        (0, ""),
        (-3, "m"),
        (-6, "u"),
        (-9, "n"),
    ] {
        let div = 10i128.pow((e + 9) as u32);
        if nano % div == 0 {
            return format!("{}{sfx}", nano / div);
        }
    }
    q.to_string()
}

/// Millicores as kubectl top shows them (`242m`, `12.5`).
pub fn cpu(m: f64) -> String {
    if m >= 10_000.0 {
        format!("{:.1}", m / 1000.0)
    } else {
        format!("{}m", m.round() as i64)
    }
}

/// Bytes as kubectl top shows them (`1421Mi`, `12.3Gi`).
pub fn mem(bytes: f64) -> String {
    let mi = bytes / 1048576.0;
    if mi >= 10_240.0 {
        format!("{:.1}Gi", mi / 1024.0)
    } else {
        format!("{}Mi", mi.round() as i64)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn canonical_quantities_match_kubernetes() {
        for (i, o) in [
            ("2000m", "2"),
            ("500m", "500m"),
            ("0.5", "500m"),
            ("1.5", "1500m"),
            ("1024Mi", "1Gi"),
            ("1536Mi", "1536Mi"),
            ("0.5Gi", "512Mi"),
            ("100Mi", "100Mi"),
            ("1000M", "1G"),
            ("2", "2"),
            ("0", "0"),
            ("garbage", "garbage"),
        ] {
            assert_eq!(canonical(i), o, "{i}");
        }
    }

    #[test]
    fn quantities() {
        assert_eq!(parse("250m"), Some(0.25));
        assert_eq!(parse("1Gi"), Some(1073741824.0));
        assert_eq!(parse("2"), Some(2.0));
        assert_eq!(parse("bogus"), None);
    }
}
