//! Kubeconfig and contexts as kubectl finds them: `--kubeconfig`, else `KUBECONFIG`
//! (a colon-separated list, merged), else `~/.kube/config`; contexts from
//! `--context` (repeatable), else the config file's defaults, else the current
//! context. Each context connects in the background (`connect`): credentials
//! (see `credentials`), its client, its watchers.

use std::path::Path;

use kube::config::{KubeConfigOptions, Kubeconfig};

/// A context the session watches.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ContextSpec {
    pub name: String,
    pub cluster: String,
    pub server: String,
    pub user: String,
    pub namespace: Option<String>,
}

pub fn load(explicit: Option<&Path>) -> Result<Kubeconfig, String> {
    // Every file kube-rs will read is first checked to be a regular file of a sane
    // size: a FIFO or `/dev/zero` as a kubeconfig must not hang or eat memory.
    let files: Vec<std::path::PathBuf> = match explicit {
        Some(p) => vec![p.to_path_buf()],
        None => match std::env::var_os("KUBECONFIG").filter(|v| !v.is_empty()) {
            Some(v) => std::env::split_paths(&v).collect(),
            None => std::env::home_dir()
                .map(|h| vec![h.join(".kube").join("config")])
                .unwrap_or_default(),
        },
    };
    for f in &files {
        if let Err(e) = crate::util::fs::read_bounded(f, crate::util::fs::KUBECONFIG_MAX) {
            return Err(format!("kubeconfig {}: {e}", f.display()));
        }
    }
    match explicit {
        Some(p) => Kubeconfig::read_from(p).map_err(|e| format!("kubeconfig {}: {}", p.display(), super::watch::short_error(&e))),
        None => Kubeconfig::read().map_err(|e| {
            format!(
                "no usable kubeconfig ($KUBECONFIG or ~/.kube/config): {}; pass --kubeconfig, or try `kdeck demo`",
                super::watch::short_error(&e)
            )
        }),
    }
}

/// The contexts to watch, in order.
pub fn select(
    kc: &Kubeconfig,
    wanted: &[String],
    defaults: &[String],
) -> Result<Vec<ContextSpec>, String> {
    let names: Vec<String> = if !wanted.is_empty() {
        wanted.to_vec()
    } else if !defaults.is_empty() {
        defaults.to_vec()
    } else {
        match &kc.current_context {
            Some(c) if !c.is_empty() => vec![c.clone()],
            _ => return Err("the kubeconfig has no current-context; pass --context NAME".into()),
        }
    };
    let mut out = Vec::new();
    for name in names {
        let Some(nc) = kc.contexts.iter().find(|c| c.name == name) else {
            let available: Vec<&str> = kc.contexts.iter().map(|c| c.name.as_str()).collect();
            return Err(format!(
                "context {name:?} not found in the kubeconfig (available: {})",
                available.join(", ")
            ));
        };
        let ctx = nc.context.clone().unwrap_or_default();
        let server = kc
            .clusters
            .iter()
            .find(|c| c.name == ctx.cluster)
            .and_then(|c| c.cluster.as_ref())
            .and_then(|c| c.server.clone())
            .unwrap_or_default();
        if out.iter().any(|c: &ContextSpec| c.name == name) {
            continue;
        }
        out.push(ContextSpec {
            name: name.clone(),
            cluster: ctx.cluster.clone(),
            server,
            user: ctx.user.clone().unwrap_or_default(),
            namespace: ctx.namespace.clone(),
        });
    }
    Ok(out)
}

/// A context's client, ready: how to reach the server for liveness, what to keep
/// fresh, what to tell the person.
pub struct Client {
    pub client: kube::Client,
    pub tcp: Option<(String, u16)>,
    pub refresh: Option<(
        super::credentials::Bearer,
        kube::config::ExecConfig,
        jiff::Timestamp,
    )>,
    /// Worth a warning on screen (credentials not sent over http, TLS unverified).
    pub notes: Vec<String>,
}

/// The user's exec plugin for `ctx`, if any, named for messages.
fn plugin_of(kc: &Kubeconfig, ctx: &str) -> String {
    kc.contexts
        .iter()
        .find(|c| c.name == ctx)
        .and_then(|c| c.context.as_ref()?.user.clone())
        .and_then(|u| kc.auth_infos.iter().find(|a| a.name == u))
        .and_then(|a| a.auth_info.as_ref()?.exec.as_ref())
        .map(|e| format!(" (exec plugin {})", super::credentials::plugin_name(e)))
        .unwrap_or_default()
}

/// Builds the client for one context. Credentials are obtained here (an exec plugin
/// run with a timeout); this can take seconds, so it runs off the UI's path.
pub async fn client(
    kc: &Kubeconfig,
    ctx: &str,
    exec_timeout: std::time::Duration,
) -> Result<Client, String> {
    let opts = KubeConfigOptions {
        context: Some(ctx.to_string()),
        ..KubeConfigOptions::default()
    };
    let plugin = plugin_of(kc, ctx);
    let fail = |e: &(dyn std::error::Error + 'static)| {
        format!("context {ctx}: {}{plugin}", super::watch::describe_error(e))
    };
    let mut cfg = kube::Config::from_custom_kubeconfig(kc.clone(), &opts)
        .await
        .map_err(|e| fail(&e))?;
    // No silent retries: a health probe's 503 is the answer (not something to retry
    // for seconds), watchers back off on their own, and an action must never be
    // re-sent without the person seeing why.
    cfg.default_retry = false;
    let tcp = super::ping::tcp_target(&cfg);
    let insecure = cfg.accept_invalid_certs;
    let mut p = super::credentials::prepare(cfg, exec_timeout)
        .await
        .map_err(|e| format!("context {ctx}: {e}"))?;
    if insecure {
        p.notes
            .push("insecure-skip-tls-verify: the server's certificate is not checked".into());
    }
    let client = super::credentials::build(&p).map_err(|e| format!("context {ctx}: {e}"))?;
    let refresh = match (&p.bearer, p.refresh) {
        (Some(b), Some((exec, at))) => Some((b.clone(), exec, at)),
        _ => None,
    };
    Ok(Client {
        client,
        tcp,
        refresh,
        notes: p.notes,
    })
}

/// What one context's session watches and where its reports go.
pub struct Session<E> {
    pub id: super::msg::CtxId,
    /// How long an exec plugin may take.
    pub exec_timeout: std::time::Duration,
    pub namespaces: Vec<String>,
    pub link: super::link::Link,
    pub tx: tokio::sync::mpsc::Sender<E>,
    pub cancel: tokio_util::sync::CancellationToken,
}

/// Connects one context in the background: credentials, then the client on its
/// link, then the liveness probe, the watchers, metrics and snapshots. A failure
/// (a plugin that does not answer, a bad kubeconfig entry) is reported for this
/// context alone; the others go on.
pub async fn connect<E: From<super::msg::Msg> + Send + 'static>(
    kc: Kubeconfig,
    name: String,
    s: Session<E>,
) {
    use super::msg::Msg;
    let built = tokio::select! {
        _ = s.cancel.cancelled() => return,
        c = client(&kc, &name, s.exec_timeout) => c,
    };
    let c = match built {
        Ok(c) => c,
        Err(e) => {
            tracing::error!("{e}");
            let _ =
                s.tx.send(
                    Msg::ContextFailed {
                        ctx: s.id,
                        error: e,
                    }
                    .into(),
                )
                .await;
            return;
        }
    };
    for n in &c.notes {
        tracing::warn!("context {name}: {n}");
        let _ =
            s.tx.send(
                Msg::Warned {
                    ctx: s.id,
                    text: n.clone(),
                }
                .into(),
            )
            .await;
    }
    s.link.set_client(c.client);
    if let Some((bearer, exec, at)) = c.refresh {
        tokio::spawn(super::credentials::keep_fresh(
            bearer,
            exec,
            at,
            s.exec_timeout,
            s.cancel.clone(),
        ));
    }
    tokio::spawn(super::ping::run(
        s.link.clone(),
        c.tcp,
        s.id,
        s.tx.clone(),
        s.cancel.clone(),
    ));
    super::watch::spawn_all(&s.link, s.id, &s.namespaces, &s.tx, &s.cancel);
    tokio::spawn(super::metrics::run(
        s.link.clone(),
        s.id,
        s.namespaces.clone(),
        s.tx.clone(),
        s.cancel.clone(),
    ));
    tokio::spawn(super::snapshots::run(
        s.link.clone(),
        s.id,
        s.namespaces.clone(),
        s.tx.clone(),
        s.cancel.clone(),
    ));
}

#[cfg(test)]
mod tests {
    use super::*;

    const KC: &str = "apiVersion: v1\nkind: Config\nclusters:\n- name: a\n  cluster: {server: 'http://127.0.0.1:1'}\n- name: b\n  cluster: {server: 'https://b.example'}\ncontexts:\n- name: one\n  context: {cluster: a, user: u}\n- name: two\n  context: {cluster: b, user: u, namespace: team}\ncurrent-context: one\nusers:\n- name: u\n  user: {token: t}\n";

    #[test]
    fn contexts_are_selected_like_kubectl() {
        let kc = Kubeconfig::from_yaml(KC).unwrap();
        let cur = select(&kc, &[], &[]).unwrap();
        assert_eq!(cur[0].name, "one");
        assert_eq!(cur[0].server, "http://127.0.0.1:1");
        let both = select(&kc, &["two".into(), "one".into()], &[]).unwrap();
        assert_eq!(
            both.iter().map(|c| c.name.as_str()).collect::<Vec<_>>(),
            vec!["two", "one"]
        );
        assert_eq!(both[0].namespace.as_deref(), Some("team"));
        let from_config = select(&kc, &[], &["two".into()]).unwrap();
        assert_eq!(from_config[0].name, "two");
        let err = select(&kc, &["nope".into()], &[]).unwrap_err();
        assert!(
            err.contains("\"nope\" not found") && err.contains("one, two"),
            "{err}"
        );
    }
}
