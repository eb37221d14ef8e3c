//! Whether an action may run: read-only (flag or context), access reviews for what the
//! selected row's actions need (asked when a row is selected, kept briefly), and
//! whether a namespace is protected (the typed name confirms).

use super::*;

pub(super) fn access(
    verb: &'static str,
    group: &'static str,
    resource: &'static str,
    sub: &'static str,
    t: &Target,
    name: &str,
) -> Access {
    Access::new(verb, group, resource, sub, &*t.namespace, name)
}

/// What `a` on `t` needs permission for (known before any plan), if it applies.
pub fn needs(s: &State, a: Command, t: &Target) -> Result<Vec<Access>, String> {
    let wl = |plural: &'static str| match a {
        Command::ActScale => Ok(vec![access("patch", "apps", plural, "scale", t, &t.name)]),
        Command::ActBreaker => Ok(vec![access("create", "", "pods", "proxy", t, "")]),
        _ => Ok(vec![access("patch", "apps", plural, "", t, &t.name)]),
    };
    match (t.kind, a) {
        (_, Command::ActUndo) => Ok(Vec::new()),
        (ResKind::Pod, Command::ActExec | Command::ActShell) => {
            Ok(vec![access("create", "", "pods", "exec", t, &t.name)])
        }
        (ResKind::Deployment | ResKind::StatefulSet, Command::ActExec | Command::ActShell) => {
            Ok(vec![access("create", "", "pods", "exec", t, "")])
        }
        (_, Command::ActExec | Command::ActShell) => {
            Err("exec works on a pod or a Deployment/StatefulSet".into())
        }
        (ResKind::Pod, Command::ActForward) => Ok(vec![access(
            "create",
            "",
            "pods",
            "portforward",
            t,
            &t.name,
        )]),
        (ResKind::Service | ResKind::Deployment | ResKind::StatefulSet, Command::ActForward) => {
            Ok(vec![access("create", "", "pods", "portforward", t, "")])
        }
        (_, Command::ActForward) => {
            Err("port-forward works on a pod, a workload or a Service".into())
        }
        (ResKind::Secret, Command::ActReveal) => {
            Ok(vec![access("get", "", "secrets", "", t, &t.name)])
        }
        (_, Command::ActReveal) => Err("only a Secret has values to reveal".into()),
        (ResKind::Deployment, Command::ActBackup) => Err("only a CronJob runs a backup".into()),
        (ResKind::Deployment, Command::ActTraffic) => match traffic_service(s, t) {
            Some(svc) => Ok(vec![access("patch", "", "services", "", t, &svc)]),
            None => Err(format!(
                "no Service selects deploy/{} by a {} key",
                t.name, s.config.actions.traffic_key
            )),
        },
        (ResKind::Deployment, _) => wl("deployments"),
        (ResKind::StatefulSet, Command::ActScale | Command::ActBreaker) => wl("statefulsets"),
        (ResKind::StatefulSet, _) => Err("this works on Deployments only".into()),
        (ResKind::CronJob, Command::ActBackup) => {
            Ok(vec![access("create", "batch", "jobs", "", t, "")])
        }
        (ResKind::Service, Command::ActTraffic) => {
            Ok(vec![access("patch", "", "services", "", t, &t.name)])
        }
        (ResKind::Hpa, Command::ActScale) => Ok(vec![access(
            "patch",
            "autoscaling",
            "horizontalpodautoscalers",
            "",
            t,
            &t.name,
        )]),
        _ => Err(format!("not available on {}", t.kind.plural())),
    }
}

pub(super) fn traffic_service(s: &State, t: &Target) -> Option<String> {
    let c = s.contexts.get(t.ctx)?;
    actions::traffic::service_for(
        &c.data,
        &t.namespace,
        &t.name,
        &s.config.actions.traffic_key,
    )
}

/// Why `a` cannot run on `t` now, if it cannot: read-only, not applicable, or denied
/// by RBAC (as far as the access reviews have answered).
pub fn disabled(s: &State, a: Command, t: &Target) -> Option<String> {
    if let Some(why) = readonly(s, t.ctx) {
        return Some(why);
    }
    let needed = match needs(s, a, t) {
        Ok(n) => n,
        Err(e) => return Some(e),
    };
    needed.iter().find_map(|acc| {
        s.access
            .get(&(t.ctx, acc.clone()))
            .and_then(|(why, _)| why.clone())
    })
}

pub fn readonly(s: &State, ctx: CtxId) -> Option<String> {
    if let Some(d) = &s.locked {
        return Some(format!(
            "read-only until config.toml is fixed ({d}); see `kdeck config check`"
        ));
    }
    if s.readonly {
        return Some(
            "read-only session (--readonly or readonly = true): actions are disabled".into(),
        );
    }
    if s.contexts.get(ctx).is_some_and(|c| c.readonly) {
        return Some(format!(
            "context {} is read-only in config: actions are disabled",
            s.context_name(ctx)
        ));
    }
    None
}

/// Access reviews to ask for the selected row (those not answered recently).
pub fn want_access(s: &mut State, t: Option<&Target>) -> Vec<Effect> {
    let Some(t) = t else { return Vec::new() };
    // Nothing is asked of a server that is not answering (the liveness probe says
    // when it is back).
    if readonly(s, t.ctx).is_some() || s.api_down.contains(&t.ctx) {
        return Vec::new();
    }
    let mut ask = Vec::new();
    for (a, _) in ACTIONS {
        if let Ok(list) = needs(s, *a, t) {
            for acc in list {
                let key = (t.ctx, acc.clone());
                let fresh = s
                    .access
                    .get(&key)
                    .is_some_and(|(_, at)| s.now - at < ACCESS_TTL);
                let resting = s.access_retry.get(&key).is_some_and(|at| s.now < *at);
                if !fresh && !resting && !s.access_pending.contains(&key) && !ask.contains(&acc) {
                    ask.push(acc);
                }
            }
        }
    }
    if ask.is_empty() {
        return Vec::new();
    }
    for a in &ask {
        s.access_pending.insert((t.ctx, a.clone()));
    }
    vec![Effect::CheckAccess {
        ctx: t.ctx,
        checks: ask,
    }]
}

/// Takes access review answers.
pub fn access_answered(
    s: &mut State,
    ctx: CtxId,
    results: Vec<(Access, Result<Option<String>, String>)>,
) {
    for (a, r) in results {
        s.access_pending.remove(&(ctx, a.clone()));
        match r {
            Ok(why) => {
                s.access_retry.remove(&(ctx, a.clone()));
                s.access.insert((ctx, a), (why, s.now));
            }
            Err(e) => {
                // Asked again later, not every second while the server struggles.
                tracing::debug!("access review failed: {e}");
                s.access_retry.insert((ctx, a), s.now + ACCESS_RETRY);
            }
        }
    }
}

/// Labels that mark a namespace as production (`environment: production`…).
const PRODUCTION_LABELS: &[&str] = &["environment", "env", "tier"];

/// Whether acting in `namespace` needs the typed name: a protected glob (config,
/// default `*prod*`) matches the namespace or context, or the namespace is labelled
/// as production.
pub fn protected(s: &State, ctx: CtxId, namespace: &str) -> bool {
    if s.config.is_protected(s.context_name(ctx), namespace) {
        return true;
    }
    s.contexts
        .get(ctx)
        .and_then(|c| {
            c.data
                .kinds
                .namespaces
                .get(&(Arc::from(""), Arc::from(namespace)))
        })
        .is_some_and(|n| {
            PRODUCTION_LABELS
                .iter()
                .any(|k| matches!(n.labels.get(k), Some("production" | "prod")))
        })
}
