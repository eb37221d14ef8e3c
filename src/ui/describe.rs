//! The describe view: a kubectl-describe-like page for the selected object, built
//! from what the console already knows (no request): identity, spec and status that
//! matter, containers, conditions, related pods and recent events.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use super::widgets::{cpu, fit, mem};
use crate::app::State;
use crate::app::lists::Target;
use crate::cluster::kinds::ResKind;
use crate::cluster::kinds::*;
use crate::cluster::store::ClusterData;
use crate::config::theme::Theme;
use crate::fleet::history;
use crate::util::age::age;
use crate::util::sanitize;

fn kv(out: &mut Vec<(String, String)>, k: &str, v: impl Into<String>) {
    out.push((k.to_string(), v.into()));
}

fn conditions(out: &mut Vec<(String, String)>, cs: &[Cond], now: Ts) {
    if cs.is_empty() {
        return;
    }
    kv(out, "Conditions", "");
    for c in cs {
        let when = c
            .last_transition
            .map(|t| format!(" ({} ago)", age(now, t)))
            .unwrap_or_default();
        let msg = if c.message.is_empty() {
            String::new()
        } else {
            format!(": {}", c.message)
        };
        kv(
            out,
            &format!("  {}", c.type_),
            format!("{} {}{}{}", c.status, c.reason, when, msg),
        );
    }
}

fn events(
    out: &mut Vec<(String, String)>,
    d: &ClusterData,
    ns: &str,
    matches: impl Fn(&EventRec) -> bool,
    now: Ts,
) {
    let mut evs: Vec<&EventRec> = d
        .kinds
        .events
        .values()
        .map(|e| &**e)
        .filter(|e| e.namespace.as_ref() == ns && matches(e))
        .collect();
    evs.sort_by_key(|e| std::cmp::Reverse(e.last));
    kv(out, "Events", if evs.is_empty() { "<none>" } else { "" });
    for e in evs.iter().take(20) {
        let count = if e.count > 1 {
            format!(" (x{})", e.count)
        } else {
            String::new()
        };
        kv(
            out,
            &format!(
                "  {} {}",
                age(now, e.last),
                if e.warning { "Warning" } else { "Normal" }
            ),
            format!(
                "{}{} {}/{}: {}",
                e.reason, count, e.object_kind, e.object_name, e.message
            ),
        );
    }
}

/// The describe page as (key, value) lines. An object deleted lately is described
/// from its last record, under a line saying so.
pub fn page(s: &State, tg: &Target) -> Vec<(String, String)> {
    let Some(c) = s.contexts.get(tg.ctx) else {
        return Vec::new();
    };
    let key = crate::fleet::kinds::key_of(tg.kind, &tg.namespace, &tg.name);
    if !c.data.kinds.contains(tg.kind, &key)
        && let Some((at, o)) = c.data.last_record(tg.kind, &key)
    {
        let mut g = ClusterData::default();
        g.kinds.apply(o.clone());
        for (k, e) in &c.data.kinds.events {
            if e.namespace == key.0 && e.object_name.as_ref() == tg.name.as_ref() {
                g.kinds.events.insert(k.clone(), e.clone());
            }
        }
        let mut out = vec![(
            "Gone".to_string(),
            format!(
                "deleted {} ago; below is its last recorded state",
                age(s.now, at)
            ),
        )];
        out.extend(page_in(s, &g, tg));
        return out;
    }
    page_in(s, &c.data, tg)
}

fn page_in(s: &State, d: &ClusterData, tg: &Target) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let Some(c) = s.contexts.get(tg.ctx) else {
        return out;
    };
    let key = (tg.namespace.clone(), tg.name.clone());
    let now = s.ctx_now(tg.ctx);
    kv(&mut out, "Name", tg.name.to_string());
    kv(&mut out, "Namespace", tg.namespace.to_string());
    if s.multi_context() {
        kv(&mut out, "Context", c.spec.name.clone());
    }
    match tg.kind {
        ResKind::Pod => {
            let Some(p) = d.kinds.pods.get(&key) else {
                return vec![("Gone".into(), "this pod no longer exists".into())];
            };
            kv(&mut out, "Status", p.status());
            kv(&mut out, "Node", p.node.as_deref().unwrap_or("<none>"));
            kv(
                &mut out,
                "IP",
                p.ip.map_or_else(|| "<none>".into(), |ip| ip.to_string()),
            );
            kv(&mut out, "Created", format!("{} ago", age(now, p.created)));
            if let Some(o) = &p.owner {
                kv(
                    &mut out,
                    "Controlled by",
                    format!("{:?}/{}", o.kind, o.name),
                );
            }
            kv(&mut out, "Labels", sanitize::line(&p.labels.join(), 300));
            kv(&mut out, "Containers", "");
            let usage = d.usage.get(&key);
            for ct in p.containers.iter() {
                kv(&mut out, &format!("  {}", ct.name), ct.image.to_string());
                let state = match &ct.state {
                    CState::Running { since } => format!(
                        "Running{}",
                        since
                            .map(|t| format!(" for {}", age(now, t)))
                            .unwrap_or_default()
                    ),
                    CState::Waiting { reason, message } => format!(
                        "Waiting: {reason}{}",
                        if message.is_empty() {
                            String::new()
                        } else {
                            format!(" ({message})")
                        }
                    ),
                    CState::Terminated { reason, code } => {
                        format!("Terminated: {reason} (exit {code})")
                    }
                    CState::Unknown => "Unknown".into(),
                };
                kv(&mut out, "    State", state);
                kv(&mut out, "    Ready", ct.ready.to_string());
                kv(&mut out, "    Restarts", ct.restarts.to_string());
                if let Some((reason, code, at)) = ct.last_exit.as_deref() {
                    kv(
                        &mut out,
                        "    Last exit",
                        format!(
                            "{reason} (exit {code}){}",
                            at.map(|t| format!(" {} ago", age(now, t)))
                                .unwrap_or_default()
                        ),
                    );
                }
                if let Some(u) = usage.and_then(|u| u.iter().find(|c| *c.name == *ct.name)) {
                    kv(
                        &mut out,
                        "    Using",
                        format!("cpu {} mem {}", cpu(u.cpu_m as f64), mem(u.mem as f64)),
                    );
                }
            }
            events(
                &mut out,
                d,
                &tg.namespace,
                |e| e.object_kind.as_ref() == "Pod" && e.object_name.as_ref() == tg.name.as_ref(),
                now,
            );
        }
        ResKind::Deployment => {
            let Some(dep) = d.kinds.deployments.get(&key) else {
                return vec![("Gone".into(), "this deployment no longer exists".into())];
            };
            kv(
                &mut out,
                "Replicas",
                format!(
                    "{} desired | {} updated | {} total | {} available | {} ready",
                    dep.desired, dep.updated, dep.replicas, dep.available, dep.ready
                ),
            );
            kv(
                &mut out,
                "Strategy",
                format!(
                    "{} (surge {}, unavailable {})",
                    dep.rollout.strategy,
                    dep.rollout.max_surge.as_deref().unwrap_or("-"),
                    dep.rollout.max_unavailable.as_deref().unwrap_or("-")
                ),
            );
            if let Some(pd) = dep.rollout.progress_deadline {
                kv(&mut out, "Progress deadline", format!("{pd}s"));
            }
            kv(
                &mut out,
                "Revision",
                dep.revision()
                    .map(|r| r.to_string())
                    .unwrap_or_else(|| "-".into()),
            );
            if dep.paused {
                kv(&mut out, "Paused", "yes");
            }
            kv(&mut out, "Selector", dep.selector.to_query());
            template_fields(&dep.template, &mut out);
            conditions(&mut out, &dep.conditions, now);
            if let Some(h) = d.kinds.hpas.values().find(|h| {
                h.meta.namespace == tg.namespace
                    && h.target_kind.as_ref() == "Deployment"
                    && h.target_name.as_ref() == tg.name.as_ref()
            }) {
                kv(
                    &mut out,
                    "Autoscaler",
                    format!("{} ({} of {}-{})", h.meta.name, h.current, h.min, h.max),
                );
            }
            kv(&mut out, "Rollout history", "");
            for r in history::of(d, &tg.namespace, &tg.name).iter().take(10) {
                kv(
                    &mut out,
                    &format!(
                        "  {}{}",
                        r.revision,
                        if r.current { " (current)" } else { "" }
                    ),
                    format!(
                        "{} — {} — {} ago",
                        r.images,
                        r.change_cause,
                        age(now, r.created)
                    ),
                );
            }
            let rs_names: Vec<&str> = d
                .kinds
                .replicasets
                .values()
                .filter(|r| {
                    r.meta.namespace == tg.namespace
                        && r.meta
                            .owner
                            .as_ref()
                            .is_some_and(|o| o.name.as_ref() == tg.name.as_ref())
                })
                .map(|r| r.meta.name.as_ref())
                .collect();
            events(
                &mut out,
                d,
                &tg.namespace,
                |e| {
                    (e.object_kind.as_ref() == "Deployment"
                        && e.object_name.as_ref() == tg.name.as_ref())
                        || (e.object_kind.as_ref() == "ReplicaSet"
                            && rs_names.contains(&e.object_name.as_ref()))
                        || (e.object_kind.as_ref() == "Pod"
                            && e.object_name
                                .rsplit_once('-')
                                .is_some_and(|(rs, _)| rs_names.contains(&rs)))
                },
                now,
            );
        }
        ResKind::StatefulSet => {
            let Some(st) = d.kinds.statefulsets.get(&key) else {
                return out;
            };
            kv(
                &mut out,
                "Replicas",
                format!(
                    "{} desired | {} ready | {} updated",
                    st.desired, st.ready, st.updated
                ),
            );
            kv(
                &mut out,
                "Revision",
                format!(
                    "current {} update {}",
                    st.current_revision.as_deref().unwrap_or("-"),
                    st.update_revision.as_deref().unwrap_or("-")
                ),
            );
            template_fields(&st.template, &mut out);
            events(
                &mut out,
                d,
                &tg.namespace,
                |e| e.object_name.starts_with(tg.name.as_ref()),
                now,
            );
        }
        ResKind::Hpa => {
            let Some(h) = d.kinds.hpas.get(&key) else {
                return out;
            };
            kv(
                &mut out,
                "Reference",
                format!("{}/{}", h.target_kind, h.target_name),
            );
            kv(
                &mut out,
                "Replicas",
                format!(
                    "{} current, {} desired (min {}, max {})",
                    h.current, h.desired, h.min, h.max
                ),
            );
            kv(&mut out, "Metrics", "");
            for m in h.metrics.iter() {
                kv(
                    &mut out,
                    &format!("  {}", m.name),
                    format!(
                        "{} / {}",
                        m.current.as_deref().unwrap_or("<unknown>"),
                        m.target
                    ),
                );
            }
            if let Some(l) = h.last_scale {
                kv(&mut out, "Last scale", format!("{} ago", age(now, l)));
            }
            conditions(&mut out, &h.conditions, now);
            events(
                &mut out,
                d,
                &tg.namespace,
                |e| {
                    e.object_kind.as_ref() == "HorizontalPodAutoscaler"
                        && e.object_name.as_ref() == tg.name.as_ref()
                },
                now,
            );
        }
        ResKind::Service => {
            let Some(svc) = d.kinds.services.get(&key) else {
                return out;
            };
            kv(&mut out, "Type", svc.type_.to_string());
            kv(
                &mut out,
                "Cluster IP",
                svc.cluster_ip.as_deref().unwrap_or("<none>"),
            );
            kv(&mut out, "Ports", crate::fleet::services::ports_text(svc));
            kv(
                &mut out,
                "Selector",
                sanitize::line(&svc.selector_text(), 300),
            );
            if let Some(ep) = d.kinds.endpoints.get(&key) {
                kv(&mut out, "Ready endpoints", ep.ready.join(", "));
                kv(
                    &mut out,
                    "Not ready",
                    if ep.not_ready.is_empty() {
                        "<none>".to_string()
                    } else {
                        ep.not_ready.join(", ")
                    },
                );
            }
        }
        kind => {
            // Every other kind: identity, then what its declaration describes, then
            // the events about it.
            let key = crate::fleet::kinds::key_of(kind, &tg.namespace, &tg.name);
            let Some((created, labels)) = crate::fleet::kinds::identity(kind, &d.kinds, &key)
            else {
                return vec![(
                    "Gone".into(),
                    format!("this {} no longer exists", kind.info().singular),
                )];
            };
            if !kind.info().namespaced {
                out.retain(|(k, _)| k != "Namespace");
            }
            kv(&mut out, "Kind", kind.info().kind);
            kv(&mut out, "Created", format!("{} ago", age(now, created)));
            kv(
                &mut out,
                "Labels",
                if labels.is_empty() {
                    "<none>".to_string()
                } else {
                    sanitize::line(&labels, 300)
                },
            );
            let j = crate::cluster::kinds::Join {
                tables: &d.kinds,
                now,
            };
            out.extend(crate::fleet::kinds::describe(kind, &j, &key).unwrap_or_default());
            let kind_name = kind.info().kind;
            events(
                &mut out,
                d,
                &tg.namespace,
                |e| {
                    e.object_kind.as_ref() == kind_name
                        && e.object_name.as_ref() == tg.name.as_ref()
                },
                now,
            );
        }
    }
    out
}

/// The page's lines as drawn at `width`: each value wrapped under its key, then
/// (for a pod) its fetched conditions, environment and mounts.
pub fn lines(s: &State, tg: &Target, width: usize) -> Vec<(String, String)> {
    let mut out = wrap_page(page(s, tg), width);
    if tg.kind == ResKind::Pod
        && let Some(y) = &s.yaml
    {
        match &y.lines {
            None => out.push((String::new(), "loading environment and mounts…".into())),
            Some(Err(e)) => out.push((String::new(), format!("environment and mounts: {e}"))),
            Some(Ok(detail)) => {
                for l in detail {
                    for piece in super::widgets::wrap(l, width) {
                        out.push((String::new(), piece));
                    }
                }
            }
        }
    }
    out
}

/// A page's (key, value) lines as drawn at `width`: each value wrapped under its
/// key; a line without a key wraps on its own.
pub fn wrap_page(page: Vec<(String, String)>, width: usize) -> Vec<(String, String)> {
    let keyw = page
        .iter()
        .map(|(k, _)| unicode_width::UnicodeWidthStr::width(k.as_str()))
        .max()
        .unwrap_or(10)
        .min(24);
    let valw = width.saturating_sub(keyw + 1).max(10);
    let mut out = Vec::new();
    for (k, v) in page {
        if k.is_empty() {
            for piece in super::widgets::wrap(&v, width) {
                out.push((String::new(), piece));
            }
            continue;
        }
        for (i, piece) in super::widgets::wrap(&v, valw).into_iter().enumerate() {
            let key = if i == 0 {
                super::widgets::pad(&k, keyw)
            } else {
                " ".repeat(keyw)
            };
            out.push((key, piece));
        }
    }
    out
}

pub fn render(f: &mut Frame, area: Rect, s: &State, tg: &Target, scroll: usize, t: &Theme) {
    draw(f, area, &lines(s, tg, area.width as usize), scroll, t);
}

/// Draws wrapped page lines from `scroll` on.
pub fn draw(f: &mut Frame, area: Rect, all: &[(String, String)], scroll: usize, t: &Theme) {
    let lines: Vec<Line> = all
        .iter()
        .skip(scroll.min(all.len().saturating_sub(1)))
        .take(area.height as usize)
        .map(|(k, v)| {
            if k.is_empty() {
                return Line::from(Span::styled(fit(v, area.width as usize), t.style("text")));
            }
            let key_style = if k.starts_with(' ') {
                t.style("text.dim")
            } else {
                t.style("title")
            };
            Line::from(vec![
                Span::styled(format!("{k} "), key_style),
                Span::styled(v.clone(), t.style("text")),
            ])
        })
        .collect();
    f.render_widget(Paragraph::new(lines), area);
}
