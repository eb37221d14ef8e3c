//! Judging one answer: the transport result (or its failure), the expected status,
//! the body (deep health, configured JSON checks) and the latency objective become a
//! verdict — a state, the reason, and what the body said.

use serde_json::Value;

use super::body::{self, Deep};
use super::{ErrorClass, HealthState, classify};
use crate::util::sanitize;

/// An answer as the transport read it (the body capped).
#[derive(Clone, Debug, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Raw {
    pub status: u16,
    pub content_type: Option<String>,
    pub location: Option<String>,
    pub body: Vec<u8>,
    /// The body was longer than the cap and was cut.
    pub truncated: bool,
}

/// What a good answer looks like.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Expectation {
    /// Accepted statuses (empty: any 2xx).
    pub statuses: Vec<u16>,
    /// JSON field path → accepted values.
    pub checks: Vec<(String, Vec<Value>)>,
    pub slo_ms: u32,
    /// The request goes through the API server's proxy (its 5xx Status bodies are
    /// the proxy's, not the endpoint's).
    pub proxied: bool,
}

impl Default for Expectation {
    fn default() -> Self {
        Expectation {
            statuses: Vec::new(),
            checks: Vec::new(),
            slo_ms: 2000,
            proxied: false,
        }
    }
}

#[derive(Clone, Debug, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Verdict {
    pub state: HealthState,
    pub latency_ms: u32,
    pub status: Option<u16>,
    pub error: Option<(ErrorClass, String)>,
    /// Boxed: most verdicts have none, and the book keeps one per pod probed.
    pub deep: Option<Box<Deep>>,
}

impl Verdict {
    /// The reason in a line: the error, else the body's problems.
    pub fn reason(&self) -> String {
        match (&self.error, &self.deep) {
            (Some((c, m)), _) if m.is_empty() => c.label().to_string(),
            // "503: circuit breaker open" says it is an HTTP status.
            (Some((ErrorClass::HttpStatus, m)), _) => m.clone(),
            (Some((c, m)), _) => format!("{c}: {m}"),
            (None, Some(d)) => d.problems(),
            _ => String::new(),
        }
    }
}

fn status_ok(exp: &Expectation, s: u16) -> bool {
    if exp.statuses.is_empty() {
        (200..300).contains(&s)
    } else {
        exp.statuses.contains(&s)
    }
}

fn shown(v: &Value) -> String {
    sanitize::line(&v.to_string(), 60)
}

/// Judges one answer.
pub fn evaluate(
    exp: &Expectation,
    answer: Result<Raw, (ErrorClass, String)>,
    latency_ms: u32,
) -> Verdict {
    let raw = match answer {
        Ok(r) => r,
        Err((class, msg)) => {
            return Verdict {
                state: HealthState::Down,
                latency_ms,
                status: None,
                error: Some((class, sanitize::line(&msg, 200))),
                deep: None,
            };
        }
    };
    let mut v = Verdict {
        state: HealthState::Ok,
        latency_ms,
        status: Some(raw.status),
        error: None,
        deep: None,
    };
    if exp.proxied
        && let Some(e) = classify::proxy_failure(raw.status, &raw.body)
    {
        v.state = HealthState::Down;
        v.error = Some(e);
        return v;
    }
    if (300..400).contains(&raw.status) {
        v.state = HealthState::Down;
        v.error = Some((
            ErrorClass::Redirects,
            format!(
                "{} to {} not followed",
                raw.status,
                sanitize::line(raw.location.as_deref().unwrap_or("?"), 120)
            ),
        ));
        return v;
    }
    let parsed = if raw.truncated {
        Err(format!("body over {} bytes, cut", raw.body.len()))
    } else {
        body::parse(raw.content_type.as_deref(), &raw.body)
    };
    match &parsed {
        Ok(d) => v.deep = d.clone().map(Box::new),
        Err(e) => {
            v.state = HealthState::Degraded;
            v.error = Some((
                if raw.truncated {
                    ErrorClass::TooLarge
                } else {
                    ErrorClass::BadBody
                },
                e.clone(),
            ));
        }
    }
    if !status_ok(exp, raw.status) {
        v.state = HealthState::Down;
        let said = v.deep.as_ref().map(|d| d.problems()).unwrap_or_default();
        v.error = Some((
            ErrorClass::HttpStatus,
            if said.is_empty() {
                format!("{}", raw.status)
            } else {
                format!("{}: {said}", raw.status)
            },
        ));
        return v;
    }
    if let Some(d) = &v.deep {
        v.state = v.state.max(match d.state() {
            HealthState::Unknown => HealthState::Ok,
            s => s,
        });
    }
    if !exp.checks.is_empty() && v.error.is_none() {
        let doc: Option<Value> = serde_json::from_slice(&raw.body).ok();
        for (path, want) in &exp.checks {
            let got = doc.as_ref().and_then(|d| body::field(d, path));
            if !got.is_some_and(|g| want.contains(g)) {
                v.state = v.state.max(HealthState::Degraded);
                let want: Vec<String> = want.iter().map(shown).collect();
                v.error = Some((
                    ErrorClass::CheckFailed,
                    format!(
                        "{path} is {}, want {}",
                        got.map(shown).unwrap_or_else(|| "missing".into()),
                        want.join(" or ")
                    ),
                ));
                break;
            }
        }
    }
    if latency_ms > exp.slo_ms && v.error.is_none() {
        v.state = v.state.max(HealthState::Degraded);
        v.error = Some((
            ErrorClass::Slow,
            format!(
                "{:.1}s over the {:.1}s objective",
                latency_ms as f64 / 1000.0,
                exp.slo_ms as f64 / 1000.0
            ),
        ));
    }
    v
}

#[cfg(test)]
mod tests {
    use super::*;

    fn raw(status: u16, body: &str) -> Raw {
        Raw {
            status,
            content_type: Some("application/json".into()),
            body: body.as_bytes().to_vec(),
            ..Raw::default()
        }
    }

    #[test]
    fn statuses_bodies_checks_and_latency() {
        let exp = Expectation::default();
        let ok = evaluate(&exp, Ok(raw(200, r#"{"status":"healthy"}"#)), 40);
        assert_eq!((ok.state, ok.error), (HealthState::Ok, None));
        let down = evaluate(
            &exp,
            Ok(raw(
                503,
                r#"{"status":"unhealthy","circuit_breaker":"open"}"#,
            )),
            40,
        );
        assert_eq!(down.state, HealthState::Down);
        assert_eq!(down.reason(), "503: circuit breaker open");
        let degraded = evaluate(
            &exp,
            Ok(raw(
                200,
                r#"{"status":"degraded","checks":{"database":"degraded"}}"#,
            )),
            40,
        );
        assert_eq!(degraded.state, HealthState::Degraded);
        let slow = evaluate(&exp, Ok(raw(200, "{}")), 2400);
        assert_eq!(slow.state, HealthState::Degraded);
        assert_eq!(slow.error.unwrap().0, ErrorClass::Slow);
        let checked = Expectation {
            checks: vec![("checks.database.status".into(), vec![Value::from("ok")])],
            ..Expectation::default()
        };
        let bad = evaluate(
            &checked,
            Ok(raw(200, r#"{"checks":{"database":{"status":"degraded"}}}"#)),
            10,
        );
        assert_eq!(
            bad.error.unwrap().1,
            "checks.database.status is \"degraded\", want \"ok\""
        );
        let big = Raw {
            truncated: true,
            ..raw(200, "{\"x\":\"")
        };
        assert_eq!(
            evaluate(&exp, Ok(big), 5).error.unwrap().0,
            ErrorClass::TooLarge
        );
        let redirect = Raw {
            location: Some("http://elsewhere.example/".into()),
            ..raw(302, "")
        };
        let r = evaluate(&exp, Ok(redirect), 5);
        assert_eq!(
            (r.state, r.error.unwrap().0),
            (HealthState::Down, ErrorClass::Redirects)
        );
        let t = evaluate(
            &exp,
            Err((ErrorClass::Timeout, "no answer in 5s".into())),
            5000,
        );
        assert_eq!(t.state, HealthState::Down);
        let garbage = evaluate(&exp, Ok(raw(200, "{not json")), 5);
        assert_eq!(garbage.error.unwrap().0, ErrorClass::BadBody);
        let custom = Expectation {
            statuses: vec![204],
            ..Expectation::default()
        };
        assert_eq!(
            evaluate(&custom, Ok(raw(200, "")), 5).state,
            HealthState::Down
        );
    }
}
