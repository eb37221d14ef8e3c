//! One audit record: who (OS user, host, kube user, context, cluster server), what
//! (action, target, parameters, before/after), the preflight results, the outcome and
//! its error, how long it took, and its place in the chain (`seq`, `prev`, `hash`).

use serde::{Deserialize, Serialize};
use serde_json::Value;

#[derive(Copy, Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Phase {
    /// Written before the action is sent.
    Intent,
    /// Written when the action ended (or was refused or cancelled).
    Outcome,
}

#[derive(Copy, Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Outcome {
    Succeeded,
    Failed,
    Refused,
    Cancelled,
    Conflict,
    /// The request got no answer: it may or may not have been applied. A later
    /// outcome record for the same action says what the watch saw.
    Unknown,
}

impl Outcome {
    pub fn label(self) -> &'static str {
        match self {
            Outcome::Succeeded => "succeeded",
            Outcome::Failed => "failed",
            Outcome::Refused => "refused",
            Outcome::Cancelled => "cancelled",
            Outcome::Conflict => "conflict",
            Outcome::Unknown => "unknown",
        }
    }
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Actor {
    pub os_user: String,
    pub host: String,
    pub kube_user: String,
    pub context: String,
    pub server: String,
}

impl Actor {
    /// The person at this terminal, acting in `context` on `server` as `kube_user`.
    pub fn here(kube_user: &str, context: &str, server: &str) -> Actor {
        let os_user = os_user();
        // The kernel's node name (what `hostname` prints), not $HOSTNAME, which a
        // shell need not export: the same machine must always name itself alike.
        let host = rustix::system::uname()
            .nodename()
            .to_string_lossy()
            .trim()
            .to_string();
        let host = if host.is_empty() {
            "unknown".to_string()
        } else {
            host
        };
        Actor {
            os_user,
            host,
            kube_user: kube_user.into(),
            context: context.into(),
            server: server.into(),
        }
    }
}

/// The account of the uid kdeck runs as (from the passwd database), not `$USER`
/// (which can be unset, or set to anything); `uid N` when the uid has no entry.
pub fn os_user() -> String {
    let uid = rustix::process::getuid().as_raw();
    let passwd = crate::util::fs::read_bounded(std::path::Path::new("/etc/passwd"), 16 << 20)
        .ok()
        .flatten()
        .unwrap_or_default();
    user_of(&passwd, uid).unwrap_or_else(|| format!("uid {uid}"))
}

/// The name for `uid` in passwd-format `text`.
fn user_of(text: &str, uid: u32) -> Option<String> {
    text.lines().find_map(|l| {
        let mut f = l.split(':');
        let name = f.next()?;
        let id: u32 = f.nth(1)?.parse().ok()?;
        (id == uid && !name.is_empty()).then(|| name.to_string())
    })
}

#[cfg(test)]
mod user_tests {
    #[test]
    fn the_account_comes_from_the_uid_not_the_environment() {
        let text =
            "root:x:0:0:root:/root:/bin/bash\n# comment\nalice:x:1000:1000::/home/alice:/bin/sh\n";
        assert_eq!(super::user_of(text, 1000).as_deref(), Some("alice"));
        assert_eq!(super::user_of(text, 0).as_deref(), Some("root"));
        assert_eq!(super::user_of(text, 4242), None);
        // Whatever $USER says, this process's own account is found.
        let me = super::os_user();
        assert!(!me.is_empty() && me != "unknown", "{me}");
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Preflight {
    pub check: String,
    pub ok: bool,
    pub detail: String,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Record {
    /// Record format version.
    pub v: u32,
    pub seq: u64,
    /// UTC, RFC 3339.
    pub time: String,
    /// Ties an action's intent and outcome together.
    pub action_id: String,
    pub phase: Phase,
    pub actor: Actor,
    pub namespace: String,
    pub action: String,
    pub target: String,
    #[serde(default)]
    pub params: Value,
    #[serde(default)]
    pub before: Value,
    #[serde(default)]
    pub after: Value,
    #[serde(default)]
    pub preflight: Vec<Preflight>,
    pub outcome: Option<Outcome>,
    pub error: Option<String>,
    pub duration_ms: Option<u64>,
    /// The previous record's hash (64 zeros for the first).
    pub prev: String,
    /// SHA-256 over this record's canonical JSON without `hash`.
    pub hash: String,
}

impl Record {
    /// A record to be appended (`seq`, `time`, `prev` and `hash` are set by the log).
    pub fn new(action_id: &str, phase: Phase, actor: Actor, action: &str, target: &str) -> Record {
        Record {
            v: 1,
            seq: 0,
            time: String::new(),
            action_id: action_id.into(),
            phase,
            actor,
            namespace: String::new(),
            action: action.into(),
            target: target.into(),
            params: Value::Null,
            before: Value::Null,
            after: Value::Null,
            preflight: Vec::new(),
            outcome: None,
            error: None,
            duration_ms: None,
            prev: String::new(),
            hash: String::new(),
        }
    }
}
