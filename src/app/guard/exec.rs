//! The exec and port-forward flows before their plan: which pod (a workload's
//! ready one), which container (a picker when there are several — the set image
//! flow's too), what command (a line with this workload's recent commands), which
//! port and which local address. After the plan they share the common steps
//! (checks, confirmation, audit).

use super::*;
use crate::cluster::kinds::CState;

/// What the container picker leads to.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum Then {
    Command,
    Shell,
    /// The image of the chosen container is asked for (`super::image`).
    SetImage,
}

/// Most recent commands kept per workload.
pub const RECENT: usize = 10;

/// The pod an exec on `t` goes to: the row's pod, or a workload's ready one.
fn pod_for(s: &State, t: &Target) -> Result<Arc<str>, String> {
    let c = s.contexts.get(t.ctx).ok_or("unknown context")?;
    let d = &c.data;
    match t.kind {
        ResKind::Pod => {
            let p = d
                .kinds
                .pods
                .get(&(t.namespace.clone(), t.name.clone()))
                .ok_or_else(|| format!("pod/{} is gone", t.name))?;
            if p.phase.as_ref() != "Running" {
                return Err(format!("pod/{} is {}: nothing runs in it", t.name, p.phase));
            }
            Ok(p.name.clone())
        }
        ResKind::Deployment | ResKind::StatefulSet => {
            let kind = if t.kind == ResKind::StatefulSet {
                WorkloadKind::StatefulSet
            } else {
                WorkloadKind::Deployment
            };
            let pods = crate::fleet::workloads::pods_of(d, kind, &t.namespace, &t.name);
            let mut running: Vec<_> = pods
                .into_iter()
                .filter(|p| p.phase.as_ref() == "Running" && !p.deleting)
                .collect();
            running.sort_by_key(|p| (!p.ready, p.name.clone()));
            running.first().map(|p| p.name.clone()).ok_or_else(|| {
                format!(
                    "{} {} has no running pod to exec in",
                    t.kind.plural(),
                    t.name
                )
            })
        }
        _ => Err(format!("not available on {}", t.kind.plural())),
    }
}

/// Names of the pod's containers that run (the ones an exec can reach).
fn containers(s: &State, ctx: CtxId, namespace: &Arc<str>, pod: &Arc<str>) -> Vec<String> {
    s.contexts
        .get(ctx)
        .and_then(|c| c.data.kinds.pods.get(&(namespace.clone(), pod.clone())))
        .map(|p| {
            p.containers
                .iter()
                .filter(|c| matches!(c.state, CState::Running { .. }))
                .map(|c| c.name.to_string())
                .collect()
        })
        .unwrap_or_default()
}

/// The key recent commands are kept under: the workload (or the pod).
fn recent_key(s: &State, t: &Target) -> String {
    format!(
        "{}/{}/{}/{}",
        s.context_name(t.ctx),
        t.namespace,
        t.kind.plural(),
        t.name
    )
}

/// Starts an exec (`then`: one command or a shell) on `t`.
pub(super) fn start(s: &mut State, then: Then, t: Target) -> Vec<Effect> {
    let pod = match pod_for(s, &t) {
        Ok(p) => p,
        Err(e) => {
            s.notify(e, true);
            return Vec::new();
        }
    };
    let names = containers(s, t.ctx, &t.namespace, &pod);
    if names.is_empty() {
        s.notify(format!("pod/{pod} has no running container"), true);
        return Vec::new();
    }
    pick_container(s, then, t, pod.to_string(), names, 0)
}

/// One container goes straight on; several are picked from (`selected` first).
pub(super) fn pick_container(
    s: &mut State,
    then: Then,
    t: Target,
    pod: String,
    names: Vec<String>,
    selected: usize,
) -> Vec<Effect> {
    if let [only] = names.as_slice() {
        let only = only.clone();
        return chosen(s, then, t, pod, only);
    }
    let f = new_flow(
        s,
        t.ctx,
        Stage::PickContainer {
            target: t,
            pod,
            containers: names,
            selected,
            then,
        },
    );
    s.flow = Some(f);
    Vec::new()
}

/// A container is chosen: a shell is planned; a command or an image is asked for.
fn chosen(s: &mut State, then: Then, t: Target, pod: String, container: String) -> Vec<Effect> {
    match then {
        Then::SetImage => super::image::ask(s, t, &container),
        Then::Shell => {
            let planned = s
                .contexts
                .get(t.ctx)
                .ok_or("unknown context".to_string())
                .and_then(|c| {
                    actions::exec::plan_shell(
                        &c.data,
                        t.ctx,
                        &t.namespace,
                        &pod,
                        &container,
                        &s.config.exec.shells,
                        &s.config.exec.deny,
                    )
                });
            begin(s, t.ctx, planned)
        }
        Then::Command => {
            let recent = s
                .recent_commands
                .get(&recent_key(s, &t))
                .cloned()
                .unwrap_or_default();
            let f = new_flow(
                s,
                t.ctx,
                Stage::CommandLine {
                    target: t,
                    pod,
                    container,
                    input: LineInput::default(),
                    recent,
                    pick: None,
                    error: None,
                },
            );
            s.flow = Some(f);
            Vec::new()
        }
    }
}

/// Starts a port-forward on `t`: its ports first (a pod's declared ports, a
/// Service's ports).
pub(super) fn start_forward(s: &mut State, t: Target) -> Vec<Effect> {
    let ports: Vec<(u16, String)> = match t.kind {
        ResKind::Service => s
            .contexts
            .get(t.ctx)
            .and_then(|c| {
                c.data
                    .kinds
                    .services
                    .get(&(t.namespace.clone(), t.name.clone()))
            })
            .map(|svc| {
                svc.ports
                    .iter()
                    .filter_map(|p| {
                        let n = u16::try_from(p.port).ok()?;
                        Some((n, p.name.as_deref().unwrap_or("").to_string()))
                    })
                    .collect()
            })
            .unwrap_or_default(),
        _ => {
            let pod = match pod_for(s, &t) {
                Ok(p) => p,
                Err(e) => {
                    s.notify(e, true);
                    return Vec::new();
                }
            };
            s.contexts
                .get(t.ctx)
                .and_then(|c| c.data.kinds.pods.get(&(t.namespace.clone(), pod.clone())))
                .map(|p| {
                    p.containers
                        .iter()
                        .flat_map(|c| c.ports.iter().map(|n| (*n, c.name.to_string())))
                        .collect()
                })
                .unwrap_or_default()
        }
    };
    let via = match t.kind {
        ResKind::Service => format!("svc/{}", t.name),
        _ => match pod_for(s, &t) {
            Ok(p) => format!("pod/{p}"),
            Err(e) => {
                s.notify(e, true);
                return Vec::new();
            }
        },
    };
    if ports.is_empty() {
        // Nothing declared: the port is typed.
        let f = new_flow(
            s,
            t.ctx,
            Stage::LocalPort {
                namespace: t.namespace.to_string(),
                via,
                port: None,
                input: LineInput::default(),
                error: None,
            },
        );
        s.flow = Some(f);
        return Vec::new();
    }
    let f = new_flow(
        s,
        t.ctx,
        Stage::PickPort {
            namespace: t.namespace.to_string(),
            via,
            ports,
            selected: 0,
        },
    );
    s.flow = Some(f);
    Vec::new()
}

fn plan_forward(
    s: &State,
    ctx: CtxId,
    namespace: &str,
    via: &str,
    port: u16,
    typed: &str,
) -> Result<Plan, String> {
    let cfg = &s.config.forward;
    let typed = if typed.trim().is_empty() {
        port.to_string()
    } else {
        typed.to_string()
    };
    let local = actions::forward::local_addr(&typed, &cfg.address)?;
    let c = s.contexts.get(ctx).ok_or("unknown context")?;
    actions::forward::plan(
        &c.data,
        ctx,
        namespace,
        via,
        port,
        local,
        cfg.allow_non_loopback,
    )
}

/// Keys in the exec and forward stages (`None`: not one of them).
pub(super) fn key(s: &mut State, k: &Key) -> Option<Vec<Effect>> {
    let f = s.flow.as_mut().filter(|f| !f.hidden)?;
    let ctx = f.ctx;
    match &mut f.stage {
        Stage::PickContainer {
            target,
            pod,
            containers,
            selected,
            then,
        } => {
            match k.code {
                Code::Esc => s.flow = None,
                Code::Up => *selected = selected.saturating_sub(1),
                Code::Down => *selected = (*selected + 1).min(containers.len().saturating_sub(1)),
                Code::Enter => {
                    let (t, pod, then) = (target.clone(), pod.clone(), *then);
                    let c = containers.get(*selected).cloned().unwrap_or_default();
                    s.flow = None;
                    return Some(chosen(s, then, t, pod, c));
                }
                _ => {}
            }
            Some(Vec::new())
        }
        Stage::CommandLine {
            target,
            pod,
            container,
            input,
            recent,
            pick,
            error,
        } => {
            // Up and down walk the recent commands into the line.
            match k.code {
                Code::Up if !recent.is_empty() => {
                    let i = pick.map_or(0, |i| (i + 1).min(recent.len() - 1));
                    *pick = Some(i);
                    *input = LineInput::with(&recent[i]);
                    return Some(Vec::new());
                }
                Code::Down if pick.is_some() => {
                    *pick = pick.and_then(|i| i.checked_sub(1));
                    *input = pick.map_or_else(LineInput::default, |i| LineInput::with(&recent[i]));
                    return Some(Vec::new());
                }
                _ => {}
            }
            match input.key(k) {
                Edit::Cancel => s.flow = None,
                Edit::Submit => {
                    let (t, pod, container, line) = (
                        target.clone(),
                        pod.clone(),
                        container.clone(),
                        input.text.clone(),
                    );
                    let planned = s
                        .contexts
                        .get(t.ctx)
                        .ok_or("unknown context".to_string())
                        .and_then(|c| {
                            actions::exec::plan_command(
                                &c.data,
                                t.ctx,
                                &t.namespace,
                                &pod,
                                &container,
                                &line,
                                &s.config.exec.deny,
                            )
                        });
                    match planned {
                        Err(e) if line.trim().is_empty() || e.starts_with("command:") => {
                            if let Some(Stage::CommandLine { error, .. }) =
                                s.flow.as_mut().map(|f| &mut f.stage)
                            {
                                *error = Some(e);
                            }
                        }
                        planned => {
                            remember(s, &t, &line);
                            s.flow = None;
                            return Some(begin(s, t.ctx, planned));
                        }
                    }
                }
                _ => *error = None,
            }
            Some(Vec::new())
        }
        Stage::PickPort {
            namespace,
            via,
            ports,
            selected,
        } => {
            match k.code {
                Code::Esc => s.flow = None,
                Code::Up => *selected = selected.saturating_sub(1),
                Code::Down => *selected = (*selected + 1).min(ports.len().saturating_sub(1)),
                Code::Enter => {
                    let port = ports.get(*selected).map(|p| p.0);
                    let (namespace, via) = (namespace.clone(), via.clone());
                    f.stage = Stage::LocalPort {
                        namespace,
                        via,
                        port,
                        input: LineInput::with(&port.map(|p| p.to_string()).unwrap_or_default()),
                        error: None,
                    };
                }
                _ => {}
            }
            Some(Vec::new())
        }
        Stage::LocalPort {
            namespace,
            via,
            port,
            input,
            error,
        } => {
            match input.key(k) {
                Edit::Cancel => s.flow = None,
                Edit::Submit => {
                    // Without a declared port the typed text is `LOCAL:REMOTE` or a
                    // port for both.
                    let text = input.text.clone();
                    let (remote, local) = match port {
                        Some(p) => (Some(*p), text.clone()),
                        None => match text.rsplit_once(':') {
                            Some((l, r)) => (r.trim().parse().ok(), l.to_string()),
                            None => (text.trim().parse().ok(), text.clone()),
                        },
                    };
                    let Some(remote) = remote.filter(|p| *p > 0) else {
                        *error = Some("type a port (LOCAL:REMOTE, or one port for both)".into());
                        return Some(Vec::new());
                    };
                    let (ns, via) = (namespace.clone(), via.clone());
                    match plan_forward(s, ctx, &ns, &via, remote, &local) {
                        Err(e) if e.contains("not a local port") => {
                            if let Some(Stage::LocalPort { error, .. }) =
                                s.flow.as_mut().map(|f| &mut f.stage)
                            {
                                *error = Some(e);
                            }
                        }
                        planned => {
                            s.flow = None;
                            return Some(begin(s, ctx, planned));
                        }
                    }
                }
                _ => *error = None,
            }
            Some(Vec::new())
        }
        Stage::Output { scroll, lines, .. } => {
            match k.code {
                Code::Up => *scroll = scroll.saturating_sub(1),
                Code::Down => *scroll = (*scroll + 1).min(lines.len().saturating_sub(1)),
                Code::PageUp => *scroll = scroll.saturating_sub(10),
                Code::PageDown => *scroll = (*scroll + 10).min(lines.len().saturating_sub(1)),
                _ => s.flow = None,
            }
            Some(Vec::new())
        }
        // The terminal belongs to the shell; nothing reaches here until it ends.
        Stage::Shell => Some(Vec::new()),
        _ => None,
    }
}

fn remember(s: &mut State, t: &Target, line: &str) {
    let line = line.trim();
    if line.is_empty() {
        return;
    }
    let key = recent_key(s, t);
    let list = s.recent_commands.entry(key).or_default();
    list.retain(|l| l != line);
    list.insert(0, line.to_string());
    list.truncate(RECENT);
}

/// A command finished: its output goes to the pane (never to any record).
pub(super) fn show_output(s: &mut State, ran: &crate::cluster::exec::Ran) {
    let mut lines: Vec<String> = Vec::new();
    for (bytes, err) in [(&ran.stdout, false), (&ran.stderr, true)] {
        let text = String::from_utf8_lossy(bytes);
        for l in text.lines() {
            let l = crate::util::sanitize::line(l, 2000);
            lines.push(if err { format!("! {l}") } else { l });
        }
    }
    if ran.cut {
        lines.push(format!(
            "… output cut at {} KiB (the rest was counted, not kept)",
            crate::cluster::exec::OUTPUT_MAX / 1024
        ));
    }
    if let Some(f) = s.flow.as_mut() {
        f.stage = Stage::Output {
            lines,
            exit: ran.exit,
            summary: ran.summary(),
            scroll: 0,
        };
        f.hidden = false;
    }
}
