//! Credentials for a context, obtained the way kubectl does but never on the UI's
//! path and never for longer than the configured timeout: an exec plugin (EKS, GKE, OIDC
//! helpers) is run here, asynchronously, without the terminal (kdeck owns it), its
//! output bounded; a plugin that does not answer is killed and named in the error.
//! Its arguments and environment are never logged or shown (they can hold
//! secrets): only the command's name. A token that expires is refreshed before it
//! does, in the background.
//!
//! Over plain `http://` no credential is sent at all, as kubectl does.

use std::sync::{Arc, RwLock};
use std::time::Duration;

use http::HeaderValue;
use kube::config::{ExecConfig, ExecInteractiveMode};
use secrecy::{ExposeSecret, SecretString};
use tokio::io::AsyncReadExt;
use tokio_util::sync::CancellationToken;

/// Most of a plugin's output read (a credential is a few KiB).
const STDOUT_MAX: usize = 1 << 20;
const STDERR_MAX: usize = 4096;

/// What an exec plugin gave.
pub struct ExecCredential {
    pub token: Option<SecretString>,
    /// PEM client certificate and key.
    pub cert: Option<(String, SecretString)>,
    /// When it expires (then it is asked again before).
    pub expires: Option<jiff::Timestamp>,
}

impl std::fmt::Debug for ExecCredential {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ExecCredential")
            .field("token", &self.token.as_ref().map(|_| "<redacted>"))
            .field("cert", &self.cert.as_ref().map(|_| "<redacted>"))
            .field("expires", &self.expires)
            .finish()
    }
}

/// The plugin's command as it may be shown: its file name only.
pub fn plugin_name(exec: &ExecConfig) -> String {
    let cmd = exec.command.as_deref().unwrap_or("?");
    let base = std::path::Path::new(cmd)
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or(cmd);
    crate::util::sanitize::line(base, 80)
}

/// Removes what looks like a secret from a plugin's error output: values of
/// `--flag=value` and `NAME=value`, long opaque words (tokens).
pub fn redact(text: &str) -> String {
    let mut out = Vec::new();
    for word in text.split_whitespace() {
        let w = match word.split_once('=') {
            Some((k, _)) => format!("{k}=…"),
            None => opaque_runs(word),
        };
        out.push(w);
    }
    out.join(" ")
}

/// Replaces each run of 20 or more token characters (what bearer tokens, keys and
/// JWTs are made of) with `…`.
fn opaque_runs(word: &str) -> String {
    let tokenish = |c: char| c.is_ascii_alphanumeric() || "-_.+/:~".contains(c);
    let mut out = String::new();
    let mut run = String::new();
    for c in word.chars() {
        if tokenish(c) {
            run.push(c);
        } else {
            out.push_str(if run.len() >= 20 { "…" } else { &run });
            run.clear();
            out.push(c);
        }
    }
    out.push_str(if run.len() >= 20 { "…" } else { &run });
    out
}

async fn read_bounded<R: tokio::io::AsyncRead + Unpin>(r: Option<R>, max: usize) -> Vec<u8> {
    let Some(r) = r else { return Vec::new() };
    let mut buf = Vec::new();
    let _ = r.take(max as u64).read_to_end(&mut buf).await;
    buf
}

/// The JSON client-go hands a plugin in `KUBERNETES_EXEC_INFO`.
fn exec_info(exec: &ExecConfig) -> String {
    let mut spec = serde_json::json!({ "interactive": false });
    if exec.provide_cluster_info
        && let Some(c) = &exec.cluster
        && let Ok(v) = serde_json::to_value(c)
    {
        spec["cluster"] = v;
    }
    serde_json::json!({
        "apiVersion": exec.api_version.clone().unwrap_or_else(|| "client.authentication.k8s.io/v1beta1".into()),
        "kind": "ExecCredential",
        "spec": spec,
    })
    .to_string()
}

/// Runs an exec plugin: its credential, or why not (naming the plugin, never its
/// arguments or environment).
pub async fn run_exec(exec: &ExecConfig, timeout: Duration) -> Result<ExecCredential, String> {
    let name = plugin_name(exec);
    let Some(cmd) = &exec.command else {
        return Err("credentials: the exec plugin names no command".into());
    };
    if exec.interactive_mode == Some(ExecInteractiveMode::Always) {
        return Err(format!(
            "credentials: plugin {name} needs a terminal to ask you something (interactiveMode: Always); log in once with kubectl, then start kdeck"
        ));
    }
    let mut c = tokio::process::Command::new(cmd);
    c.args(exec.args.iter().flatten());
    for e in exec.env.iter().flatten() {
        if let (Some(k), Some(v)) = (e.get("name"), e.get("value")) {
            c.env(k, v);
        }
    }
    for k in exec.drop_env.iter().flatten() {
        c.env_remove(k);
    }
    c.env("KUBERNETES_EXEC_INFO", exec_info(exec));
    c.stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .kill_on_drop(true);
    let mut child = c.spawn().map_err(|e| {
        let hint = exec
            .install_hint
            .as_deref()
            .map(|h| format!(" ({})", crate::util::sanitize::line(h, 200)))
            .unwrap_or_default();
        format!("credentials: cannot start plugin {name}: {e}{hint}")
    })?;
    let stdout = child.stdout.take();
    let stderr = child.stderr.take();
    let work = async {
        let (out, err, status) = tokio::join!(
            read_bounded(stdout, STDOUT_MAX),
            read_bounded(stderr, STDERR_MAX),
            child.wait()
        );
        (out, err, status)
    };
    let (out, err, status) = match tokio::time::timeout(timeout, work).await {
        Ok(r) => r,
        Err(_) => {
            let _ = child.start_kill();
            return Err(format!(
                "credentials: plugin {name} did not answer in {} s",
                timeout.as_secs_f32()
            ));
        }
    };
    let status = status.map_err(|e| format!("credentials: plugin {name}: {e}"))?;
    if !status.success() {
        let why = redact(&crate::util::sanitize::line(
            &String::from_utf8_lossy(&err),
            300,
        ));
        return Err(format!(
            "credentials: plugin {name} failed ({status}){}",
            if why.is_empty() {
                String::new()
            } else {
                format!(": {why}")
            }
        ));
    }
    parse(&out).map_err(|e| format!("credentials: plugin {name}: {e}"))
}

/// Parses an `ExecCredential` (JSON, or YAML as client-go tolerates).
pub fn parse(out: &[u8]) -> Result<ExecCredential, String> {
    let v: serde_json::Value = serde_json::from_slice(out)
        .or_else(|_| serde_saphyr::from_slice(out))
        .map_err(|_| "its output is not an ExecCredential".to_string())?;
    let st = &v["status"];
    if !st.is_object() {
        return Err("its ExecCredential has no status".into());
    }
    let token = st["token"]
        .as_str()
        .filter(|t| !t.is_empty())
        .map(|t| SecretString::from(t.to_string()));
    let cert = match (
        st["clientCertificateData"].as_str(),
        st["clientKeyData"].as_str(),
    ) {
        (Some(c), Some(k)) => Some((c.to_string(), SecretString::from(k.to_string()))),
        _ => None,
    };
    if token.is_none() && cert.is_none() {
        return Err("its ExecCredential has neither a token nor a client certificate".into());
    }
    let expires = match st["expirationTimestamp"].as_str() {
        Some(t) => Some(
            t.parse::<jiff::Timestamp>()
                .map_err(|_| "its expirationTimestamp is not a time".to_string())?,
        ),
        None => None,
    };
    Ok(ExecCredential {
        token,
        cert,
        expires,
    })
}

/// A bearer token shared by a client's requests and refreshed in the background.
#[derive(Clone)]
pub struct Bearer(Arc<RwLock<HeaderValue>>);

impl Bearer {
    fn new(token: &SecretString) -> Result<Bearer, String> {
        Ok(Bearer(Arc::new(RwLock::new(header(token)?))))
    }

    fn set(&self, token: &SecretString) -> Result<(), String> {
        let h = header(token)?;
        if let Ok(mut g) = self.0.write() {
            *g = h;
        }
        Ok(())
    }

    fn get(&self) -> Option<HeaderValue> {
        self.0.read().ok().map(|g| g.clone())
    }
}

fn header(token: &SecretString) -> Result<HeaderValue, String> {
    let mut h = HeaderValue::from_str(&format!("Bearer {}", token.expose_secret()))
        .map_err(|_| "the plugin's token is not a valid header value".to_string())?;
    h.set_sensitive(true);
    Ok(h)
}

/// How the client authenticates, once credentials are in hand.
pub struct Prepared {
    pub config: kube::Config,
    /// A plugin's token, added to each request (and refreshed).
    pub bearer: Option<Bearer>,
    /// The plugin to run again before the token expires, and when.
    pub refresh: Option<(ExecConfig, jiff::Timestamp)>,
    /// Said once, to the log and the person (e.g. credentials not sent over http).
    pub notes: Vec<String>,
}

/// Resolves `cfg`'s credentials: strips them over plain http, runs an exec plugin.
pub async fn prepare(mut cfg: kube::Config, timeout: Duration) -> Result<Prepared, String> {
    let mut notes = Vec::new();
    let a = &mut cfg.auth_info;
    if cfg.cluster_url.scheme_str() == Some("http") {
        let had = a.token.is_some()
            || a.token_file.is_some()
            || a.username.is_some()
            || a.password.is_some()
            || a.exec.is_some()
            || a.auth_provider.is_some();
        a.token = None;
        a.token_file = None;
        a.username = None;
        a.password = None;
        a.exec = None;
        a.auth_provider = None;
        if had {
            notes.push(
                "the server is plain http: credentials are not sent (as kubectl)".to_string(),
            );
        }
        return Ok(Prepared {
            config: cfg,
            bearer: None,
            refresh: None,
            notes,
        });
    }
    let Some(exec) = a.exec.take() else {
        return Ok(Prepared {
            config: cfg,
            bearer: None,
            refresh: None,
            notes,
        });
    };
    let cred = run_exec(&exec, timeout).await?;
    if let Some((c, k)) = cred.cert {
        cfg.auth_info.client_certificate_data = Some(c);
        cfg.auth_info.client_key_data = Some(k);
    }
    let bearer = match &cred.token {
        Some(t) => Some(Bearer::new(t)?),
        None => None,
    };
    let refresh = match (&bearer, cred.expires) {
        (Some(_), Some(at)) => Some((exec, at)),
        _ => None,
    };
    Ok(Prepared {
        config: cfg,
        bearer,
        refresh,
        notes,
    })
}

/// Builds the client: kube-rs's stack (with a bounded read buffer, see
/// [`super::http_client`]), with the plugin's token (if any) added to every request.
pub fn build(p: &Prepared) -> Result<kube::Client, String> {
    let builder =
        super::http_client::builder(&p.config).map_err(|e| super::watch::describe_error(&e))?;
    Ok(match &p.bearer {
        Some(b) => {
            let b = b.clone();
            builder
                .with_layer(&tower::util::MapRequestLayer::new(
                    move |mut req: http::Request<kube::client::Body>| {
                        if let Some(h) = b.get() {
                            req.headers_mut().insert(http::header::AUTHORIZATION, h);
                        }
                        req
                    },
                ))
                .build()
        }
        None => builder.build(),
    })
}

/// Keeps a plugin's token fresh: runs the plugin again a minute before it expires
/// (and, after a failure, every 30 s), until `cancel`.
pub async fn keep_fresh(
    bearer: Bearer,
    exec: ExecConfig,
    mut expires: jiff::Timestamp,
    timeout: Duration,
    cancel: CancellationToken,
) {
    loop {
        let left = expires
            .duration_since(jiff::Timestamp::now())
            .as_secs()
            .saturating_sub(60)
            .max(10);
        let wait = Duration::from_secs(left as u64);
        tokio::select! {
            _ = cancel.cancelled() => return,
            _ = tokio::time::sleep(wait) => {}
        }
        match run_exec(&exec, timeout).await {
            Ok(c) => match (c.token, c.expires) {
                (Some(t), at) => {
                    if let Err(e) = bearer.set(&t) {
                        tracing::warn!("{e}");
                    }
                    match at {
                        Some(at) => expires = at,
                        None => return,
                    }
                }
                (None, _) => {
                    tracing::warn!(
                        "credentials: plugin {} no longer gives a token",
                        plugin_name(&exec)
                    );
                    return;
                }
            },
            Err(e) => {
                tracing::warn!("{e}; trying again in 30 s");
                expires = jiff::Timestamp::now() + jiff::SignedDuration::from_secs(90);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    const EXEC_TIMEOUT: Duration = Duration::from_secs(15);
    use super::*;

    fn exec(cmd: &str, args: &[&str], env: &[(&str, &str)]) -> ExecConfig {
        ExecConfig {
            api_version: Some("client.authentication.k8s.io/v1".into()),
            command: Some(cmd.into()),
            args: Some(args.iter().map(|s| s.to_string()).collect()),
            env: Some(
                env.iter()
                    .map(|(k, v)| {
                        [
                            ("name".to_string(), k.to_string()),
                            ("value".to_string(), v.to_string()),
                        ]
                        .into_iter()
                        .collect()
                    })
                    .collect(),
            ),
            drop_env: None,
            install_hint: None,
            interactive_mode: None,
            provide_cluster_info: false,
            cluster: None,
            other: Default::default(),
        }
    }

    #[tokio::test]
    async fn a_plugin_that_never_answers_is_cut_and_named() {
        let e = exec("/bin/sleep", &["1000"], &[]);
        let t = std::time::Instant::now();
        let err = run_exec(&e, Duration::from_millis(300))
            .await
            .expect_err("times out");
        assert!(t.elapsed() < Duration::from_secs(3), "{:?}", t.elapsed());
        assert_eq!(err, "credentials: plugin sleep did not answer in 0.3 s");
    }

    #[tokio::test]
    async fn a_failing_plugin_is_named_without_its_secrets() {
        let e = exec(
            "/bin/sh",
            &[
                "-c",
                "echo \"denied for --token=$PLUGIN_SECRET abcdefghijklmnopqrstuvwxyz0123\" >&2; exit 3",
                "--token=hunter2-arg",
            ],
            &[("PLUGIN_SECRET", "hunter2-env")],
        );
        let err = run_exec(&e, EXEC_TIMEOUT).await.expect_err("fails");
        assert!(err.starts_with("credentials: plugin sh failed"), "{err}");
        assert!(!err.contains("hunter2"), "{err}");
        assert!(!err.contains("abcdefghijklmnopqrstuvwxyz0123"), "{err}");
        assert!(!err.contains("KUBERNETES_EXEC"), "{err}");
        assert!(err.contains("denied"), "{err}");
    }

    #[tokio::test]
    async fn a_plugin_token_with_its_expiry() {
        let e = exec(
            "/bin/sh",
            &[
                "-c",
                r#"echo '{"apiVersion":"client.authentication.k8s.io/v1","kind":"ExecCredential","status":{"token":"tok-123","expirationTimestamp":"2030-01-01T00:00:00Z"}}'"#,
            ],
            &[],
        );
        let c = run_exec(&e, EXEC_TIMEOUT).await.expect("credential");
        assert_eq!(c.token.as_ref().map(|t| t.expose_secret()), Some("tok-123"));
        assert_eq!(
            c.expires.map(|t| t.to_string()).as_deref(),
            Some("2030-01-01T00:00:00Z")
        );
        assert!(!format!("{c:?}").contains("tok-123"));
        // The plugin sees the exec info and no terminal.
        let e = exec(
            "/bin/sh",
            &[
                "-c",
                r#"test ! -t 0 && case "$KUBERNETES_EXEC_INFO" in *'"interactive":false'*) echo '{"status":{"token":"ok"}}';; esac"#,
            ],
            &[],
        );
        assert!(run_exec(&e, EXEC_TIMEOUT).await.is_ok());
        assert!(parse(b"not json").is_err());
        assert!(parse(br#"{"status":{}}"#).is_err());
        assert!(parse(b"status:\n  token: from-yaml\n").is_ok());
    }

    #[tokio::test]
    async fn nothing_is_sent_over_plain_http() {
        let kc = kube::config::Kubeconfig::from_yaml(
            "apiVersion: v1\nkind: Config\nclusters:\n- name: a\n  cluster: {server: 'http://127.0.0.1:1'}\ncontexts:\n- name: a\n  context: {cluster: a, user: u}\ncurrent-context: a\nusers:\n- name: u\n  user:\n    token: t0ken\n    exec: {command: /bin/sleep, args: ['1000'], apiVersion: client.authentication.k8s.io/v1}\n",
        )
        .expect("kubeconfig");
        let cfg = kube::Config::from_custom_kubeconfig(kc, &Default::default())
            .await
            .expect("config");
        let p = prepare(cfg, Duration::from_millis(200))
            .await
            .expect("no plugin is run over http");
        assert!(p.config.auth_info.token.is_none());
        assert!(p.config.auth_info.exec.is_none());
        assert!(p.bearer.is_none());
        assert_eq!(p.notes.len(), 1);
    }

    #[test]
    fn redaction() {
        assert_eq!(
            redact("error: --token=abc PASS=x short"),
            "error: --token=… PASS=… short"
        );
        assert_eq!(redact("eyJhbGciOiJSUzI1NiIsImtpZCI6 denied"), "… denied");
    }
}
