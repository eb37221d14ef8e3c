//! Why a probe failed, in the words an on-call engineer uses: timeout, refused, TLS,
//! HTTP status, bad body, too large, redirects, a failed check, slow.

use std::fmt;

#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ErrorClass {
    Timeout,
    Refused,
    Tls,
    Dns,
    HttpStatus,
    BadBody,
    TooLarge,
    Redirects,
    CheckFailed,
    Slow,
    /// The API server whose proxy the request goes through does not answer: the
    /// target's health is unknown, not bad.
    ApiUnreachable,
    Other,
}

impl ErrorClass {
    pub fn label(self) -> &'static str {
        match self {
            ErrorClass::Timeout => "timeout",
            ErrorClass::Refused => "refused",
            ErrorClass::Tls => "TLS",
            ErrorClass::Dns => "DNS",
            ErrorClass::HttpStatus => "HTTP status",
            ErrorClass::BadBody => "bad body",
            ErrorClass::TooLarge => "too large",
            ErrorClass::Redirects => "redirects",
            ErrorClass::CheckFailed => "check failed",
            ErrorClass::Slow => "slow",
            ErrorClass::ApiUnreachable => "API unreachable",
            ErrorClass::Other => "error",
        }
    }
}

impl fmt::Display for ErrorClass {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}

/// Classifies a transport error from its message chain (hyper, rustls and the
/// operating system each word these differently).
pub fn from_message(msg: &str) -> ErrorClass {
    let m = msg.to_ascii_lowercase();
    if m.contains("timed out") || m.contains("timeout") || m.contains("deadline") {
        ErrorClass::Timeout
    } else if m.contains("refused") || m.contains("connection reset") || m.contains("no route") {
        ErrorClass::Refused
    } else if m.contains("certificate")
        || m.contains("tls")
        || m.contains("handshake")
        || m.contains("ssl")
    {
        ErrorClass::Tls
    } else if m.contains("dns") || m.contains("resolve") || m.contains("name or service") {
        ErrorClass::Dns
    } else if m.contains("redirect") {
        ErrorClass::Redirects
    } else {
        ErrorClass::Other
    }
}

/// The API server's proxy answers 502/503 with a Status when it cannot reach the pod:
/// that is the pod refusing or timing out, not the endpoint's own status.
pub fn proxy_failure(status: u16, body: &[u8]) -> Option<(ErrorClass, String)> {
    if !matches!(status, 500 | 502 | 503 | 504) {
        return None;
    }
    let v: serde_json::Value = serde_json::from_slice(body).ok()?;
    if v.get("kind").and_then(|k| k.as_str()) != Some("Status") {
        return None;
    }
    let msg = v.get("message").and_then(|m| m.as_str()).unwrap_or("");
    let class = from_message(msg);
    let class = if class == ErrorClass::Other {
        ErrorClass::HttpStatus
    } else {
        class
    };
    Some((class, crate::util::sanitize::line(msg, 200)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn transport_messages_are_classified() {
        assert_eq!(from_message("operation timed out"), ErrorClass::Timeout);
        assert_eq!(
            from_message("tcp connect error: Connection refused (os error 111)"),
            ErrorClass::Refused
        );
        assert_eq!(
            from_message("invalid peer certificate: UnknownIssuer"),
            ErrorClass::Tls
        );
        assert_eq!(
            from_message("dns error: failed to lookup address information"),
            ErrorClass::Dns
        );
        assert_eq!(from_message("too many redirects"), ErrorClass::Redirects);
        assert_eq!(from_message("something odd"), ErrorClass::Other);
    }

    #[test]
    fn proxy_statuses_name_the_pod_failure() {
        let body = br#"{"kind":"Status","message":"error trying to reach service: dial tcp 10.0.0.1:3005: connect: connection refused","code":503}"#;
        assert_eq!(
            proxy_failure(503, body).map(|c| c.0),
            Some(ErrorClass::Refused)
        );
        assert_eq!(proxy_failure(200, body), None);
        assert_eq!(proxy_failure(503, b"{\"status\":\"unhealthy\"}"), None);
    }
}
