//! `config.toml`: default contexts and namespaces, theme and keymap, safety settings
//! (read-only, protected globs) and per-context overrides. Parse errors name file,
//! line and column; unknown keys are warnings (with their line), never silence.
//!
//! ```toml
//! theme = "default"          # default, light, high-contrast, mono, or a file in themes/
//! keymap = "default"         # default or vim (keymap.toml merges over it)
//! contexts = ["prod-eks"]    # watched when no --context is given
//! namespaces = []            # watched when no -n/-A is given (empty: all)
//! readonly = false           # true: no action can run
//! protected = ["*prod*"]     # namespace/context globs that need the typed name to confirm
//!
//! [context.prod-eks]
//! readonly = true
//! protected = true
//! namespaces = ["payments"]
//! publish = false            # no KdeckAction events for this context's actions
//!
//! [probes]                   # zero-config health probing (see `crate::probe`)
//! sample = 2                 # ready pods probed per workload (`all` on demand)
//! budget = 20                # requests per second to each context's API server
//!
//! [[endpoint]]               # configured endpoints: by URL or through a Service
//! name = "flextime deep health"
//! service = "flextime-production/flextime-health-service:3006"
//! path = "/health"
//!
//! [backups]
//! tolerance = 1.5            # stale when the last success is older than interval × this
//!
//! [alerts]
//! url = "http://alertmanager.example:9093"   # default: Service `alertmanager`
//!
//! [actions]
//! traffic_key = "slot"       # the Service selector key a traffic switch changes
//! publish = true             # finished actions become Events every kdeck sees
//! [[actions.breaker]]        # where a workload's circuit breaker is reset
//! workload = "flextime-production/flextime-api"
//! port = 3005
//! path = "/health/circuit-breaker/reset"
//!
//! [recorder]                 # the flight recorder: enabled = true, max_mb = 200,
//! max_age = "24h"            # (the oldest recordings go first)
//! ```

use std::collections::BTreeMap;
use std::path::Path;

use serde::Deserialize;

use super::diag::{Diag, key_offset};
use crate::util::glob;

/// A duration written as text in the file (`15s`, `1h30m`), parsed once when the
/// file is read: a bad one is an error naming its line, never a silent default.
#[derive(Deserialize, Debug, Clone, Copy, PartialEq, Eq)]
#[serde(try_from = "String")]
pub struct Dur(pub std::time::Duration);

impl TryFrom<String> for Dur {
    type Error = String;
    fn try_from(s: String) -> Result<Dur, String> {
        crate::util::duration::parse(&s).map(Dur)
    }
}

impl Dur {
    pub const fn secs(s: u64) -> Dur {
        Dur(std::time::Duration::from_secs(s))
    }
}

/// Protected globs when the config names none.
pub const DEFAULT_PROTECTED: &[&str] = &["*prod*"];

#[derive(Deserialize, Debug, Clone, Default, PartialEq)]
pub struct ContextSettings {
    pub readonly: Option<bool>,
    pub protected: Option<bool>,
    pub namespaces: Option<Vec<String>>,
    /// Whether this context's finished actions are published as `KdeckAction`
    /// events (default: `[actions] publish`).
    pub publish: Option<bool>,
}

/// Zero-config probing of the HTTP probes pod templates declare.
#[derive(Deserialize, Debug, Clone, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct ProbeSettings {
    pub enabled: bool,
    /// Ready pods probed per workload (the rest on demand).
    pub sample: usize,
    pub interval: Dur,
    pub timeout: Dur,
    /// Requests per second across every context (the API server's proxy carries them).
    pub budget: u32,
    /// Requests in flight at once.
    pub concurrency: usize,
    pub latency_slo: Dur,
    /// Also probe `/health` when a probe path is `/health/ready`, `/health/live`….
    pub deep_health: bool,
}

impl Default for ProbeSettings {
    fn default() -> Self {
        ProbeSettings {
            enabled: true,
            sample: 2,
            interval: Dur::secs(15),
            timeout: Dur::secs(5),
            budget: 20,
            concurrency: 8,
            latency_slo: Dur::secs(2),
            deep_health: true,
        }
    }
}

/// An expected JSON value: any of a set (a TOML list), or one value.
#[derive(Deserialize, Debug, Clone, PartialEq)]
#[serde(untagged)]
pub enum Expect {
    // A list is a set of accepted values, so it is tried first.
    AnyOf(Vec<toml::Value>),
    One(toml::Value),
}

/// A header whose value comes from an environment variable (never from the file, and
/// never written to logs or the audit log).
#[derive(Deserialize, Debug, Clone, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct HeaderFromEnv {
    pub env: String,
    #[serde(default)]
    pub prefix: String,
}

/// Expected status codes: one or a list (default: any 2xx).
#[derive(Deserialize, Debug, Clone, PartialEq)]
#[serde(untagged)]
pub enum Statuses {
    One(u16),
    Many(Vec<u16>),
}

/// A configured health endpoint.
#[derive(Deserialize, Debug, Clone, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct EndpointConfig {
    pub name: String,
    /// A direct URL (http or https).
    pub url: Option<String>,
    /// `namespace/service:port`, reached through the API server's service proxy.
    pub service: Option<String>,
    /// The context for `service` (default: every watched context that has it).
    pub context: Option<String>,
    /// Appended to `service` (default `/health`).
    pub path: Option<String>,
    #[serde(default = "get")]
    pub method: String,
    pub expect_status: Option<Statuses>,
    /// JSON field path (`checks.database.status`) → expected value or set.
    #[serde(default)]
    pub checks: BTreeMap<String, Expect>,
    pub latency_slo: Option<Dur>,
    pub interval: Option<Dur>,
    pub timeout: Option<Dur>,
    #[serde(default)]
    pub headers: BTreeMap<String, HeaderFromEnv>,
    /// `namespace/workload`: the overview row this endpoint's health joins.
    pub workload: Option<String>,
}

fn get() -> String {
    "GET".into()
}

/// Which CronJobs are backups and when they are stale.
#[derive(Deserialize, Debug, Clone, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct BackupSettings {
    /// A CronJob whose name or namespace says backup/snapshot is a backup.
    pub heuristic: bool,
    /// Stale when the last success is older than the schedule's interval × this.
    pub tolerance: f64,
    /// `namespace/name` globs of CronJobs that are backups.
    pub include: Vec<String>,
    /// `namespace/name` → the oldest acceptable last success (`26h`).
    pub max_age: BTreeMap<String, Dur>,
    /// Jobs shown per backup.
    pub history: usize,
}

impl Default for BackupSettings {
    fn default() -> Self {
        BackupSettings {
            heuristic: true,
            tolerance: 1.5,
            include: Vec::new(),
            max_age: BTreeMap::new(),
            history: 5,
        }
    }
}

/// Where firing alerts come from.
#[derive(Deserialize, Debug, Clone, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct AlertSettings {
    pub enabled: bool,
    /// Alertmanager's base URL; default: a Service named `alertmanager`, through the
    /// service proxy of every context.
    pub url: Option<String>,
    pub interval: Dur,
}

impl Default for AlertSettings {
    fn default() -> Self {
        AlertSettings {
            enabled: true,
            url: None,
            interval: Dur::secs(30),
        }
    }
}

/// Guarded actions' settings.
#[derive(Deserialize, Debug, Clone, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct ActionSettings {
    /// The Service selector key whose value a traffic switch changes.
    pub traffic_key: String,
    #[serde(rename = "breaker")]
    pub breakers: Vec<BreakerConfig>,
    /// How long an action's effect is waited for before it is recorded as not
    /// observed (default: per action, 60 s to 5 min).
    pub verify_timeout: Option<Dur>,
    /// Publish each finished action as a Kubernetes Event on its target, so every
    /// kdeck watching the cluster (and `kubectl get events`) sees it. Per context:
    /// `[context.NAME] publish = false`.
    pub publish: bool,
}

impl Default for ActionSettings {
    fn default() -> Self {
        ActionSettings {
            traffic_key: "slot".into(),
            breakers: Vec::new(),
            verify_timeout: None,
            publish: true,
        }
    }
}

/// An action's risk, as the config names it (`"low"` … `"critical"`).
#[derive(Deserialize, Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
#[serde(rename_all = "lowercase")]
pub enum RiskLevel {
    Low,
    Medium,
    High,
    Critical,
}

/// What confirming costs in protected namespaces and contexts.
#[derive(Deserialize, Debug, Clone, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct ConfirmSettings {
    /// The lowest risk whose actions take the typed name (default `high`: a roll
    /// back, a traffic switch, scaling to zero; a low or medium one — a backup run, a
    /// breaker reset — takes `y`).
    pub typed_from: RiskLevel,
    /// The older spelling: `true` is `typed_from = "low"`.
    pub typed_low_risk: bool,
    /// A typed prefix of the name is accepted once it is this long and no other
    /// object in the namespace starts with it (0: the whole name only).
    pub prefix_min: usize,
}

impl ConfirmSettings {
    /// The lowest risk that takes the typed name, both spellings considered (the
    /// stricter wins).
    pub fn typed_from(&self) -> RiskLevel {
        if self.typed_low_risk {
            RiskLevel::Low
        } else {
            self.typed_from
        }
    }
}

impl Default for ConfirmSettings {
    fn default() -> Self {
        ConfirmSettings {
            typed_from: RiskLevel::High,
            typed_low_risk: false,
            prefix_min: 4,
        }
    }
}

/// Exec in containers (shells and one-shot commands).
#[derive(Deserialize, Debug, Clone, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct ExecSettings {
    /// Shells tried in order for `s` (the first that starts).
    pub shells: Vec<String>,
    /// Commands refused before they are sent (`*` matches anything): `["rm *"]`.
    pub deny: Vec<String>,
    /// In protected namespaces, the pod's name is typed to confirm (else `y`).
    pub typed_confirm: bool,
}

impl Default for ExecSettings {
    fn default() -> Self {
        ExecSettings {
            shells: vec!["bash".into(), "sh".into()],
            deny: Vec::new(),
            typed_confirm: true,
        }
    }
}

/// Port-forwards.
#[derive(Deserialize, Debug, Clone, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct ForwardSettings {
    /// The address a bare local port binds.
    pub address: String,
    /// Allow binding an address other than loopback (reachable from elsewhere).
    pub allow_non_loopback: bool,
}

impl Default for ForwardSettings {
    fn default() -> Self {
        ForwardSettings {
            address: "127.0.0.1".into(),
            allow_non_loopback: false,
        }
    }
}

/// The flight recorder (`app::record`).
#[derive(Deserialize, Debug, Clone, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct RecorderSettings {
    /// Record every session (off: only `--record FILE` records).
    pub enabled: bool,
    /// The most the recordings may take together, in megabytes.
    pub max_mb: u64,
    /// The oldest recording kept.
    pub max_age: Dur,
}

impl Default for RecorderSettings {
    fn default() -> Self {
        RecorderSettings {
            enabled: true,
            max_mb: 200,
            max_age: Dur(std::time::Duration::from_secs(24 * 3600)),
        }
    }
}

/// Where one workload's circuit breaker is reset.
#[derive(Deserialize, Debug, Clone, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct BreakerConfig {
    /// `namespace/name` of the Deployment or StatefulSet.
    pub workload: String,
    pub port: Option<u16>,
    pub path: Option<String>,
}

#[derive(Deserialize, Debug, Clone, Default, PartialEq)]
pub struct Config {
    pub theme: Option<String>,
    pub keymap: Option<String>,
    #[serde(default)]
    pub contexts: Vec<String>,
    #[serde(default)]
    pub namespaces: Vec<String>,
    #[serde(default)]
    pub readonly: bool,
    pub protected: Option<Vec<String>>,
    #[serde(default)]
    pub context: BTreeMap<String, ContextSettings>,
    #[serde(default)]
    pub probes: ProbeSettings,
    #[serde(default, rename = "endpoint")]
    pub endpoints: Vec<EndpointConfig>,
    #[serde(default)]
    pub backups: BackupSettings,
    #[serde(default)]
    pub alerts: AlertSettings,
    #[serde(default)]
    pub actions: ActionSettings,
    #[serde(default)]
    pub confirm: ConfirmSettings,
    #[serde(default)]
    pub exec: ExecSettings,
    #[serde(default)]
    pub forward: ForwardSettings,
    #[serde(default)]
    pub recorder: RecorderSettings,
    /// How long a kubeconfig exec plugin (EKS, GKE, OIDC helpers) may take.
    pub exec_timeout: Option<Dur>,
    /// The line `theme =` is on (for an unknown theme's error).
    #[serde(skip)]
    pub theme_line: usize,
}

/// How long an exec plugin may take unless `exec_timeout` says otherwise.
pub const EXEC_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(15);

impl Config {
    /// How long a kubeconfig exec plugin may take.
    pub fn exec_timeout(&self) -> std::time::Duration {
        self.exec_timeout.map_or(EXEC_TIMEOUT, |d| d.0)
    }

    /// Parses `text` (from `file`): the config and warnings, or errors.
    pub fn parse(file: &str, text: &str) -> Result<(Config, Vec<Diag>), Vec<Diag>> {
        let de =
            toml::Deserializer::parse(text).map_err(|e| vec![Diag::from_toml(file, text, &e)])?;
        let mut unknown: Vec<String> = Vec::new();
        let mut cfg: Config = serde_ignored::deserialize(de, |path| unknown.push(path.to_string()))
            .map_err(|e| vec![Diag::from_toml(file, text, &e)])?;
        if cfg.theme.is_some() {
            cfg.theme_line = super::diag::line_col(text, key_offset(text, "", "theme")).0;
        }
        // An unknown setting is an error: `read_only = true` for `readonly` must not
        // start that context writable (the console locks until it is fixed).
        let unknown: Vec<Diag> = unknown
            .into_iter()
            .map(|path| {
                let (section, key) = match path.rsplit_once('.') {
                    Some((s, k)) => (s.to_string(), k.to_string()),
                    None => (String::new(), path.clone()),
                };
                Diag::error(
                    file,
                    text,
                    key_offset(text, &section, &key),
                    format!("unknown setting {path:?}"),
                )
            })
            .collect();
        if !unknown.is_empty() {
            return Err(unknown);
        }
        let mut warnings: Vec<Diag> = Vec::new();
        for (name, c) in &cfg.context {
            if c.namespaces.as_ref().is_some_and(|n| n.is_empty()) {
                warnings.push(Diag::warning(
                    file,
                    text,
                    key_offset(text, &format!("context.{name}"), "namespaces"),
                    "an empty namespaces list means all namespaces",
                ));
            }
        }
        let errors = cfg.validate(file, text);
        if !errors.is_empty() {
            return Err(errors);
        }
        if let Some(k) = &cfg.keymap
            && !["default", "vim"].contains(&k.as_str())
        {
            return Err(vec![Diag::error(
                file,
                text,
                key_offset(text, "", "keymap"),
                format!(
                    "unknown keymap {k:?}: use \"default\" or \"vim\" (and keymap.toml for your own bindings)"
                ),
            )]);
        }
        Ok((cfg, warnings))
    }

    /// Loads `path` if it exists (a missing file is the default configuration).
    pub fn load(path: &Path) -> Result<(Config, Vec<Diag>), Vec<Diag>> {
        match super::read_file(path) {
            Ok(Some(text)) => Config::parse(&path.display().to_string(), &text),
            Ok(None) => Ok((Config::default(), Vec::new())),
            Err(d) => Err(vec![d]),
        }
    }

    /// Checks what serde cannot: endpoint targets, numbers in range (durations are
    /// parsed, with their line, by serde itself).
    fn validate(&self, file: &str, text: &str) -> Vec<Diag> {
        let mut out = Vec::new();
        let p = &self.probes;
        if p.interval.0 < std::time::Duration::from_secs(1) {
            out.push(Diag::error(
                file,
                text,
                key_offset(text, "probes", "interval"),
                "interval must be at least 1s",
            ));
        }
        if self.alerts.interval.0 < std::time::Duration::from_secs(5) {
            out.push(Diag::error(
                file,
                text,
                key_offset(text, "alerts", "interval"),
                "interval must be at least 5s",
            ));
        }
        if p.budget == 0 || p.concurrency == 0 {
            out.push(Diag::error(
                file,
                text,
                key_offset(
                    text,
                    "probes",
                    if p.budget == 0 {
                        "budget"
                    } else {
                        "concurrency"
                    },
                ),
                "budget and concurrency must be at least 1",
            ));
        }
        if let Some(u) = &self.alerts.url
            && !(u.starts_with("http://") || u.starts_with("https://"))
        {
            out.push(Diag::error(
                file,
                text,
                key_offset(text, "alerts", "url"),
                format!("url {u:?} must start with http:// or https://"),
            ));
        }
        let b = &self.backups;
        if !(b.tolerance >= 1.0 && b.tolerance <= 100.0) {
            out.push(Diag::error(
                file,
                text,
                key_offset(text, "backups", "tolerance"),
                format!("tolerance {} must be between 1 and 100", b.tolerance),
            ));
        }
        for b in &self.actions.breakers {
            let at = text
                .find(&format!("\"{}\"", b.workload))
                .and_then(|i| text[..i].rfind('\n').map(|n| n + 1))
                .unwrap_or_else(|| text.find("[[actions.breaker]]").unwrap_or(0));
            if b.workload.split('/').count() != 2 || b.workload.split('/').any(str::is_empty) {
                out.push(Diag::error(
                    file,
                    text,
                    at,
                    format!(
                        "breaker workload {:?} must look like namespace/name",
                        b.workload
                    ),
                ));
            }
            if let Some(p) = &b.path
                && !p.starts_with('/')
            {
                out.push(Diag::error(
                    file,
                    text,
                    at,
                    format!("breaker path {p:?} must start with /"),
                ));
            }
        }
        if self.actions.traffic_key.trim().is_empty() {
            out.push(Diag::error(
                file,
                text,
                key_offset(text, "actions", "traffic_key"),
                "traffic_key must not be empty",
            ));
        }
        let mut names = std::collections::BTreeSet::new();
        for e in &self.endpoints {
            let at = text
                .find(&format!("\"{}\"", e.name))
                .and_then(|i| text[..i].rfind('\n').map(|n| n + 1))
                .unwrap_or_else(|| text.find("[[endpoint]]").unwrap_or(0));
            let mut bad = |m: String| out.push(Diag::error(file, text, at, m));
            if !names.insert(e.name.clone()) {
                bad(format!("endpoint {:?} is defined twice", e.name));
            }
            match (&e.url, &e.service) {
                (Some(_), Some(_)) => bad(format!(
                    "endpoint {:?}: give either url or service, not both",
                    e.name
                )),
                (None, None) => bad(format!(
                    "endpoint {:?}: needs url = \"http(s)://…\" or service = \"namespace/service:port\"",
                    e.name
                )),
                (Some(u), None) => {
                    if !(u.starts_with("http://") || u.starts_with("https://")) {
                        bad(format!(
                            "endpoint {:?}: url {u:?} must start with http:// or https://",
                            e.name
                        ));
                    }
                }
                (None, Some(s)) => {
                    if parse_service(s).is_none() {
                        bad(format!(
                            "endpoint {:?}: service {s:?} must look like namespace/service:port",
                            e.name
                        ));
                    }
                }
            }
            if !["GET", "HEAD", "POST"].contains(&e.method.as_str()) {
                bad(format!(
                    "endpoint {:?}: method {:?} must be GET, HEAD or POST",
                    e.name, e.method
                ));
            }
            if let Some(w) = &e.workload
                && !w.contains('/')
            {
                bad(format!(
                    "endpoint {:?}: workload {w:?} must look like namespace/name",
                    e.name
                ));
            }
        }
        out
    }

    pub fn protected_globs(&self) -> Vec<String> {
        self.protected
            .clone()
            .unwrap_or_else(|| DEFAULT_PROTECTED.iter().map(|s| s.to_string()).collect())
    }

    /// Whether acting in `namespace` of `context` needs the typed confirmation.
    pub fn is_protected(&self, context: &str, namespace: &str) -> bool {
        if let Some(p) = self.context.get(context).and_then(|c| c.protected) {
            return p
                || self
                    .protected_globs()
                    .iter()
                    .any(|g| glob::matches(g, namespace));
        }
        self.protected_globs()
            .iter()
            .any(|g| glob::matches(g, namespace) || glob::matches(g, context))
    }

    /// Where `namespace/name`'s breaker is reset, if configured: (port, path).
    pub fn breaker_for(&self, namespace: &str, name: &str) -> (Option<u16>, Option<String>) {
        let w = format!("{namespace}/{name}");
        self.actions
            .breakers
            .iter()
            .find(|b| b.workload == w)
            .map(|b| (b.port, b.path.clone()))
            .unwrap_or_default()
    }

    pub fn is_readonly(&self, context: &str) -> bool {
        self.readonly
            || self
                .context
                .get(context)
                .and_then(|c| c.readonly)
                .unwrap_or(false)
    }

    /// Whether `context`'s finished actions are published as Events.
    pub fn publishes(&self, context: &str) -> bool {
        self.context
            .get(context)
            .and_then(|c| c.publish)
            .unwrap_or(self.actions.publish)
    }

    /// Namespaces to watch in `context` when the command line names none.
    pub fn namespaces_for(&self, context: &str) -> Vec<String> {
        self.context
            .get(context)
            .and_then(|c| c.namespaces.clone())
            .unwrap_or_else(|| self.namespaces.clone())
    }
}

/// `namespace/service:port` → its parts.
pub fn parse_service(s: &str) -> Option<(String, String, u16)> {
    let (ns, rest) = s.split_once('/')?;
    let (svc, port) = rest.rsplit_once(':')?;
    let port: u16 = port.parse().ok()?;
    (!ns.is_empty() && !svc.is_empty() && port > 0).then(|| (ns.into(), svc.into(), port))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_flight_recorder_is_configured_and_a_bad_age_is_named() {
        let (c, _) = Config::parse(
            "config.toml",
            "[recorder]\nenabled = false\nmax_mb = 50\nmax_age = \"2h\"\n",
        )
        .expect("parses");
        assert!(!c.recorder.enabled);
        assert_eq!(c.recorder.max_mb, 50);
        assert_eq!(c.recorder.max_age.0.as_secs(), 7200);
        assert!(Config::default().recorder.enabled, "on unless turned off");
        let errs = Config::parse("config.toml", "[recorder]\nmax_age = \"soon\"\n")
            .expect_err("a bad duration is an error");
        let text = format!("{errs:?}");
        assert!(text.contains("config.toml") && text.contains('2'), "{text}");
    }

    #[test]
    fn publishing_is_turned_off_everywhere_or_per_context() {
        let (c, _) = Config::parse(
            "config.toml",
            "[actions]\npublish = false\n[context.dev]\npublish = true\n",
        )
        .expect("parses");
        assert!(!c.publishes("prod-eu"));
        assert!(c.publishes("dev"), "a context's own word wins");
        let (c, _) =
            Config::parse("config.toml", "[context.prod-eu]\npublish = false\n").expect("parses");
        assert!(!c.publishes("prod-eu"));
        assert!(c.publishes("dev"));
    }

    #[test]
    fn endpoints_backups_and_alerts_parse_and_bad_ones_name_their_line() {
        let text = r#"
[probes]
sample = 3

[[endpoint]]
name = "api"
url = "http://127.0.0.1:9/health"
expect_status = [200, 204]
checks = { "checks.database.status" = "ok", status = ["healthy", "ok"] }
headers = { Authorization = { env = "API_TOKEN", prefix = "Bearer " } }
latency_slo = "1s"

[[endpoint]]
name = "sidecar"
service = "flextime-production/flextime-health-service:3006"

[backups]
tolerance = 2.0
max_age = { "flextime-backup/database-backup" = "26h" }
"#;
        let (c, w) = Config::parse("c.toml", text).unwrap();
        assert!(w.is_empty(), "{w:?}");
        assert_eq!(c.probes.sample, 3);
        assert_eq!(c.endpoints.len(), 2);
        assert_eq!(
            c.endpoints[0].expect_status,
            Some(Statuses::Many(vec![200, 204]))
        );
        assert_eq!(c.endpoints[0].headers["Authorization"].env, "API_TOKEN");
        assert!(matches!(c.endpoints[0].checks["status"], Expect::AnyOf(ref v) if v.len() == 2));
        assert!(matches!(
            c.endpoints[0].checks["checks.database.status"],
            Expect::One(_)
        ));
        assert_eq!(c.backups.tolerance, 2.0);
        let bad = "\n[[endpoint]]\nname = \"x\"\nurl = \"ftp://a\"\n\n[[endpoint]]\nname = \"y\"\nservice = \"nope\"\n";
        let e = Config::parse("c.toml", bad).unwrap_err();
        assert_eq!(e.len(), 2, "{e:?}");
        assert_eq!((e[0].line, e[0].message.contains("ftp://a")), (3, true));
        assert_eq!(
            (e[1].line, e[1].message.contains("namespace/service:port")),
            (7, true)
        );
        let e = Config::parse("c.toml", "[probes]\ninterval = \"often\"\n").unwrap_err();
        assert_eq!((e[0].line, e[0].message.contains("interval")), (2, true));
        let e = Config::parse(
            "c.toml",
            "[[endpoint]]\nname = \"z\"\nurl = \"http://a\"\nfrobnicate = 1\n",
        )
        .unwrap_err();
        assert!(e[0].message.contains("frobnicate"), "{e:?}");
        assert_eq!(parse_service("a/b:80"), Some(("a".into(), "b".into(), 80)));
        assert_eq!(parse_service("a/b"), None);
    }

    #[test]
    fn parses_settings_and_per_context_overrides() {
        let text = "theme = \"light\"\nkeymap = \"vim\"\nnamespaces = [\"a\"]\n[context.prod-eks]\nreadonly = true\nnamespaces = [\"payments\"]\n";
        let (c, w) = Config::parse("config.toml", text).unwrap();
        assert!(w.is_empty(), "{w:?}");
        assert_eq!(c.theme.as_deref(), Some("light"));
        assert!(c.is_readonly("prod-eks"));
        assert!(!c.is_readonly("dev"));
        assert_eq!(c.namespaces_for("prod-eks"), vec!["payments"]);
        assert_eq!(c.namespaces_for("dev"), vec!["a"]);
        assert!(c.is_protected("dev", "flextime-production"));
        // The context's name matches the default `*prod*` glob.
        assert!(c.is_protected("prod-eks", "x"));
        let off = Config::parse("c", "[context.prod-eks]\nprotected = false\n")
            .unwrap()
            .0;
        assert!(!off.is_protected("prod-eks", "x"));
        assert!(
            off.is_protected("prod-eks", "production"),
            "namespace globs still apply"
        );
        assert!(!c.is_protected("dev", "staging"));
    }

    #[test]
    fn unknown_keys_and_bad_types_are_errors_with_lines() {
        let text = "theme = \"light\"\ncolour = \"red\"\n[context.x]\nreadonyl = true\n";
        let w = Config::parse("c.toml", text).unwrap_err();
        let w: Vec<String> = w.iter().map(|d| d.to_string()).collect();
        assert!(
            w.iter()
                .any(|d| d.starts_with("c.toml:2:1: error: unknown setting \"colour\"")),
            "{w:?}"
        );
        assert!(
            w.iter()
                .any(|d| d.starts_with("c.toml:4:1: error") && d.contains("readonyl")),
            "{w:?}"
        );
        let e = Config::parse("c.toml", "readonly = \"yes\"\n").unwrap_err();
        assert_eq!(e[0].line, 1);
        assert!(e[0].to_string().contains("error"));
        let e = Config::parse("c.toml", "theme = \n").unwrap_err();
        assert_eq!(e[0].line, 1);
        let e = Config::parse("c.toml", "# mine\nkeymap = \"emacs\"\n").unwrap_err();
        assert_eq!(
            (e[0].line, e[0].message.contains("unknown keymap")),
            (2, true)
        );
    }

    #[test]
    fn protection_defaults_to_prod_globs() {
        let c = Config::default();
        assert!(c.is_protected("kdeck-sim", "team-dashboard-prod"));
        assert!(c.is_protected("prod-cluster", "anything"));
        let custom = Config::parse("c", "protected = [\"payments\"]\n")
            .unwrap()
            .0;
        assert!(!custom.is_protected("kdeck-sim", "flextime-production"));
        assert!(custom.is_protected("kdeck-sim", "payments"));
    }
}

#[cfg(test)]
mod readme {
    /// The README's complete example configuration parses without a warning.
    #[test]
    fn the_readme_example_config_is_valid() {
        let readme = include_str!("../../README.md");
        let start = readme
            .find("A complete `config.toml` for the FlexTime fleet:")
            .expect("the example is in the README");
        let block = &readme[start..];
        let open = block.find("```toml\n").expect("a toml block") + 8;
        let len = block[open..].find("```").expect("closed");
        let text = &block[open..open + len];
        let (c, warnings) = super::Config::parse("README.md", text).expect("parses");
        assert!(warnings.is_empty(), "{warnings:?}");
        assert_eq!(c.endpoints.len(), 3);
        assert_eq!(c.backups.max_age.len(), 1);
    }
}

#[cfg(test)]
mod actions_config {
    use super::Config;

    /// The README's `config.toml` example (with `[actions]`) parses without a warning.
    #[test]
    fn the_readme_config_example_is_valid() {
        let readme = include_str!("../../README.md");
        let start = readme.find("`config.toml`:\n").expect("the example");
        let block = &readme[start..];
        let open = block.find("```toml\n").expect("a toml block") + 8;
        let len = block[open..].find("```").expect("closed");
        let (c, warnings) = Config::parse("README.md", &block[open..open + len]).expect("parses");
        assert!(warnings.is_empty(), "{warnings:?}");
        assert_eq!(c.actions.traffic_key, "slot");
        assert!(c.publishes("anything"), "published unless turned off");
        assert_eq!(
            c.breaker_for("flextime-production", "flextime-api"),
            (Some(3005), Some("/health/circuit-breaker/reset".into()))
        );
        assert_eq!(c.breaker_for("x", "y"), (None, None));
    }

    #[test]
    fn bad_action_settings_name_the_line() {
        let text = "[actions]\ntraffic_key = \"slot\"\n[[actions.breaker]]\nworkload = \"just-a-name\"\npath = \"reset\"\n";
        let errs = Config::parse("c.toml", text).expect_err("invalid");
        assert!(
            errs.iter()
                .any(|e| e.line == 4 && e.message.contains("namespace/name")),
            "{errs:?}"
        );
        assert!(
            errs.iter().any(|e| e.message.contains("must start with /")),
            "{errs:?}"
        );
        let errs = Config::parse("c.toml", "[actions]\ncolour = 1\n").expect_err("unknown key");
        assert!(
            errs[0].line == 2 && errs[0].message.contains("unknown field `colour`"),
            "{errs:?}"
        );
    }
}
