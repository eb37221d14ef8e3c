//! Kubeconfig and contexts as kubectl finds them: `--kubeconfig`, else `KUBECONFIG`
//! (a colon-separated list, merged), else `~/.kube/config`; contexts from
//! `--context` (repeatable), else the config file's defaults, else the current
//! context. Clients are built per context by kube-rs (exec plugins included).

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

/// A client for one context (kube-rs resolves auth, including exec plugins).
pub async fn client(kc: &Kubeconfig, ctx: &str) -> Result<kube::Client, String> {
    let opts = KubeConfigOptions {
        context: Some(ctx.to_string()),
        ..KubeConfigOptions::default()
    };
    // Name the exec plugin when there is one: its failures are the usual cause.
    let exec = kc
        .contexts
        .iter()
        .find(|c| c.name == ctx)
        .and_then(|c| c.context.as_ref()?.user.clone())
        .and_then(|u| kc.auth_infos.iter().find(|a| a.name == u))
        .and_then(|a| a.auth_info.as_ref()?.exec.as_ref()?.command.clone())
        .map(|c| format!(" (exec plugin {c})"))
        .unwrap_or_default();
    let fail = |e: &(dyn std::error::Error + 'static)| {
        format!("context {ctx}: {}{exec}", super::watch::describe_error(e))
    };
    let mut cfg = kube::Config::from_custom_kubeconfig(kc.clone(), &opts)
        .await
        .map_err(|e| fail(&e))?;
    // No silent retries: a health probe's 503 is the answer (not something to retry
    // for seconds), watchers back off on their own, and an action must never be
    // re-sent without the person seeing why.
    cfg.default_retry = false;
    kube::Client::try_from(cfg).map_err(|e| fail(&e))
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
