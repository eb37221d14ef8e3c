//! Understanding health bodies: deep-health JSON (overall `status`, per-check status
//! under `checks`/`components`/`dependencies`, `*_connected` booleans, version,
//! leader, circuit breaker) and Prometheus text (`*_health_check{check="…"} 0|1`).
//! Every string kept is sanitised and bounded; a body never becomes more than a
//! few dozen short fields.

use serde_json::Value;

use super::HealthState;
use crate::util::sanitize;

/// Most checks kept from one body.
const MAX_CHECKS: usize = 32;

#[derive(Clone, Debug, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Check {
    pub name: String,
    pub state: HealthState,
    pub detail: String,
}

/// What a health body says.
#[derive(Clone, Debug, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Deep {
    pub status: Option<String>,
    pub version: Option<String>,
    pub leader: Option<String>,
    pub breaker: Option<String>,
    pub checks: Vec<Check>,
}

impl Deep {
    /// The worst state the body reports (its own status, checks, breaker).
    pub fn state(&self) -> HealthState {
        let mut worst = self
            .status
            .as_deref()
            .map(HealthState::from_word)
            .unwrap_or(HealthState::Unknown);
        for c in &self.checks {
            // A failing dependency degrades the service; the service's own status
            // says whether it is down.
            let s = match c.state {
                HealthState::Down => HealthState::Degraded,
                s => s,
            };
            worst = worst.max(s);
        }
        if self.breaker.as_deref().map(HealthState::from_word) == Some(HealthState::Down) {
            worst = HealthState::Down;
        }
        worst
    }

    /// The problems, worst first, in a line (`database degraded: timeout…; breaker open`).
    pub fn problems(&self) -> String {
        let mut out: Vec<String> = Vec::new();
        if let Some(b) = &self.breaker
            && HealthState::from_word(b) != HealthState::Ok
        {
            out.push(format!("circuit breaker {b}"));
        }
        let mut bad: Vec<&Check> = self
            .checks
            .iter()
            .filter(|c| c.state > HealthState::Ok)
            .collect();
        bad.sort_by_key(|c| std::cmp::Reverse(c.state));
        for c in bad {
            if c.detail.is_empty() {
                out.push(format!("{} {}", c.name, c.state.label()));
            } else {
                out.push(format!("{} {}: {}", c.name, c.state.label(), c.detail));
            }
        }
        out.join("; ")
    }
}

fn short(s: &str, max: usize) -> String {
    sanitize::line(s, max)
}

fn scalar(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(short(s, 80)),
        Value::Bool(b) => Some(b.to_string()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

fn check_of(name: &str, v: &Value) -> Option<Check> {
    let name = short(name, 40);
    match v {
        Value::String(s) => Some(Check {
            name,
            state: HealthState::from_word(s),
            detail: String::new(),
        }),
        Value::Bool(b) => Some(Check {
            name,
            state: if *b {
                HealthState::Ok
            } else {
                HealthState::Down
            },
            detail: String::new(),
        }),
        Value::Object(m) => {
            let status = m
                .get("status")
                .or_else(|| m.get("state"))
                .or_else(|| m.get("healthy"))
                .and_then(scalar)?;
            let detail = ["message", "error", "output", "reason"]
                .iter()
                .find_map(|k| m.get(*k).and_then(|v| v.as_str()))
                .map(|s| short(s, 120))
                .unwrap_or_default();
            Some(Check {
                name,
                state: HealthState::from_word(&status),
                detail,
            })
        }
        _ => None,
    }
}

fn from_json(v: &Value) -> Deep {
    let mut d = Deep::default();
    let Some(m) = v.as_object() else {
        return d;
    };
    d.status = m.get("status").and_then(scalar);
    d.version = m.get("version").and_then(scalar);
    d.leader = m
        .get("leader")
        .or_else(|| m.get("is_leader"))
        .or_else(|| m.get("leader_pod"))
        .and_then(scalar);
    d.breaker = m
        .get("circuit_breaker")
        .or_else(|| m.get("circuitBreaker"))
        .and_then(|b| match b {
            Value::Object(o) => o.get("state").and_then(scalar),
            other => scalar(other),
        });
    for key in ["checks", "components", "dependencies", "details"] {
        match m.get(key) {
            Some(Value::Object(checks)) => {
                for (name, v) in checks {
                    if let Some(c) = check_of(name, v) {
                        d.checks.push(c);
                    }
                }
            }
            Some(Value::Array(items)) => {
                for it in items {
                    let name = it
                        .get("name")
                        .or_else(|| it.get("check"))
                        .and_then(|n| n.as_str())
                        .unwrap_or("check");
                    if let Some(c) = check_of(name, it) {
                        d.checks.push(c);
                    }
                }
            }
            _ => {}
        }
    }
    // FlagWise style: `database_connected: true`, `kafka_connected: false`.
    for (k, v) in m {
        if let (Some(name), Value::Bool(b)) = (
            k.strip_suffix("_connected")
                .or_else(|| k.strip_suffix("_healthy"))
                .or_else(|| k.strip_suffix("_ok")),
            v,
        ) {
            d.checks.push(Check {
                name: short(name, 40),
                state: if *b {
                    HealthState::Ok
                } else {
                    HealthState::Down
                },
                detail: if *b {
                    String::new()
                } else {
                    "not connected".into()
                },
            });
        }
    }
    d.checks.truncate(MAX_CHECKS);
    d
}

/// `flextime_health_check{check="database"} 1` lines; other metrics are ignored.
fn from_prometheus(text: &str) -> Option<Deep> {
    let mut d = Deep::default();
    for line in text.lines() {
        let line = line.trim();
        if line.starts_with('#') || line.is_empty() {
            continue;
        }
        let Some((metric, rest)) = line.split_once('{') else {
            continue;
        };
        if !metric.ends_with("_health_check") && !metric.ends_with("_health_status") {
            continue;
        }
        let Some((labels, value)) = rest.split_once('}') else {
            continue;
        };
        let name = labels.split(',').find_map(|l| {
            let (k, v) = l.split_once('=')?;
            matches!(k.trim(), "check" | "name" | "component")
                .then(|| v.trim().trim_matches('"').to_string())
        });
        let value: f64 = value
            .split_whitespace()
            .next()
            .and_then(|v| v.parse().ok())
            .unwrap_or(f64::NAN);
        if let Some(name) = name {
            d.checks.push(Check {
                name: short(&name, 40),
                state: if value >= 1.0 {
                    HealthState::Ok
                } else if value == 0.0 {
                    HealthState::Down
                } else {
                    HealthState::Unknown
                },
                detail: String::new(),
            });
            if d.checks.len() >= MAX_CHECKS {
                break;
            }
        }
    }
    (!d.checks.is_empty()).then_some(d)
}

/// Parses a body: `Ok(Some)` when it says something structured, `Ok(None)` for plain
/// text (`OK`), `Err` when it claims to be JSON and is not.
pub fn parse(content_type: Option<&str>, body: &[u8]) -> Result<Option<Deep>, String> {
    let text = String::from_utf8_lossy(body);
    let trimmed = text.trim_start();
    let says_json = content_type.is_some_and(|c| c.contains("json"));
    if says_json || trimmed.starts_with('{') {
        return match serde_json::from_str::<Value>(trimmed) {
            Ok(v) => Ok(Some(from_json(&v))),
            Err(e) => Err(format!("not JSON: {e}")),
        };
    }
    Ok(from_prometheus(&text))
}

/// A JSON field by dotted path (`checks.database.status`, `items.0.name`).
pub fn field<'a>(v: &'a Value, path: &str) -> Option<&'a Value> {
    let mut cur = v;
    for part in path.split('.') {
        cur = match cur {
            Value::Object(m) => m.get(part)?,
            Value::Array(a) => a.get(part.parse::<usize>().ok()?)?,
            _ => return None,
        };
    }
    Some(cur)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flextime_deep_health_with_degraded_database_and_open_breaker() {
        let body = br#"{"status":"unhealthy","version":"v2.3.0","checks":{
            "database":{"status":"degraded","latency_ms":2340,"message":"timeout acquiring connection from pool (98/100 in use)"},
            "redis":{"status":"ok","latency_ms":2},
            "memory":{"status":"ok","used_mb":612,"limit_mb":4096}},
            "circuit_breaker":"open","circuit_breaker_failures":17}"#;
        let d = parse(Some("application/json"), body).unwrap().unwrap();
        assert_eq!(d.version.as_deref(), Some("v2.3.0"));
        assert_eq!(d.breaker.as_deref(), Some("open"));
        assert_eq!(d.checks.len(), 3);
        assert_eq!(d.state(), HealthState::Down);
        assert_eq!(
            d.problems(),
            "circuit breaker open; database degraded: timeout acquiring connection from pool (98/100 in use)"
        );
        let degraded = br#"{"status":"degraded","checks":{"database":{"status":"degraded"}},"circuit_breaker":"closed"}"#;
        let d = parse(None, degraded).unwrap().unwrap();
        assert_eq!(d.state(), HealthState::Degraded);
    }

    #[test]
    fn flagwise_connected_flags() {
        let body = br#"{"status":"healthy","timestamp":"2026-11-22T03:00:00","version":"1.0.0","database_connected":true,"kafka_connected":false}"#;
        let d = parse(Some("application/json"), body).unwrap().unwrap();
        assert_eq!(d.version.as_deref(), Some("1.0.0"));
        let kafka = d.checks.iter().find(|c| c.name == "kafka").unwrap();
        assert_eq!(kafka.state, HealthState::Down);
        assert_eq!(
            d.checks
                .iter()
                .find(|c| c.name == "database")
                .unwrap()
                .state,
            HealthState::Ok
        );
        // A lost dependency degrades the service; it still answers.
        assert_eq!(d.state(), HealthState::Degraded);
    }

    #[test]
    fn prometheus_health_lines() {
        let body = b"# HELP flextime_health_check 1 when the check passes\nflextime_health_check{check=\"database\"} 1\nflextime_health_check{check=\"redis\"} 0\nflextime_health_check_duration_seconds{check=\"database\"} 0.043\nhttp_requests_total{code=\"200\"} 5\n";
        let d = parse(Some("text/plain; version=0.0.4"), body)
            .unwrap()
            .unwrap();
        assert_eq!(
            d.checks
                .iter()
                .map(|c| (c.name.as_str(), c.state))
                .collect::<Vec<_>>(),
            vec![("database", HealthState::Ok), ("redis", HealthState::Down)]
        );
        assert_eq!(d.state(), HealthState::Degraded);
    }

    #[test]
    fn plain_text_garbage_and_hostile_strings() {
        assert_eq!(parse(None, b"OK"), Ok(None));
        assert!(parse(Some("application/json"), b"<html>").is_err());
        assert!(parse(None, b"{\"status\": ").is_err());
        let evil = b"{\"status\":\"ok\",\"version\":\"\\u001b]0;pwned\\u0007v1\\u001b[2J\",\"checks\":{\"db\\u001b[31m\":\"ok\"}}";
        let d = parse(None, evil).unwrap().unwrap();
        for s in [d.version.clone().unwrap(), d.checks[0].name.clone()] {
            assert!(!s.chars().any(|c| c.is_control()), "{s:?}");
        }
        let v: Value = serde_json::from_str(r#"{"a":{"b":[{"c":1}]}}"#).unwrap();
        assert_eq!(field(&v, "a.b.0.c"), Some(&Value::from(1)));
        assert_eq!(field(&v, "a.x"), None);
    }
}
