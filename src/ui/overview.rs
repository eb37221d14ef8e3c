//! The overview: one row per workload (and backup CronJob) across namespaces and
//! contexts, worst first — severity, ready/desired, health (a backup's freshness), the
//! reason it needs attention; wider terminals add the rollout state, HPA, firing
//! alerts, restarts, recent warnings and images.

use ratatui::Frame;
use ratatui::layout::Rect;

use super::widgets::{
    empty, ident, lead_cells, lead_cols, names, rest, severity_style, short, table, text, txt,
};
use crate::app::State;
use crate::app::lists::ListState;
use crate::config::theme::Theme;
use crate::fleet::backups::Freshness;
use crate::fleet::workloads::WorkloadKind;
use crate::util::severity::Severity;

pub fn render(f: &mut Frame, area: Rect, s: &State, ls: &ListState, t: &Theme) {
    if ls.visible.is_empty() {
        let what = if s.contexts.iter().all(|c| c.data.listed().is_empty()) {
            "connecting…"
        } else {
            "no workloads match"
        };
        return empty(f, area, t, what);
    }
    let medium = area.width >= 100;
    let wide = area.width >= 140;
    let sh = super::scope::shared(s, ls);
    let mut cols = lead_cols(s, &sh);
    cols.push(names("WORKLOAD"));
    cols.push(short("READY", 7));
    cols.push(short("HEALTH", 9));
    if medium {
        cols.push(text("ROLLOUT", 12));
        cols.push(text("HPA", 7));
        cols.push(short("ALERTS", 6));
    }
    if wide {
        cols.push(short("RESTARTS", 8));
        cols.push(short("WARN/15m", 8));
    }
    cols.push(rest("WHY", 24));
    table(
        f,
        area,
        s,
        t,
        &cols,
        ls,
        |i| s.fleet.workloads.get(i).map(|r| r.ctx),
        |i| {
            let r = &s.fleet.workloads[i];
            let now = s.ctx_now(r.ctx);
            let sev = r.assessment.severity;
            let st = severity_style(t, sev);
            let mut cells = lead_cells(s, t, &sh, sev, Some(r.ctx), &r.namespace);
            let name = match r.kind {
                WorkloadKind::Deployment => r.name.to_string(),
                other => format!("{}/{}", other.short(), r.name),
            };
            cells.push(ident(name));
            // Backups and Ingresses have no rollout: their row says what they are.
            let is_backup = matches!(r.kind, WorkloadKind::CronJob | WorkloadKind::Ingress);
            let ready = txt(if r.kind == WorkloadKind::CronJob {
                "-".to_string()
            } else {
                format!("{}/{}", r.ready, r.desired)
            });
            cells.push(if r.ready < r.desired {
                ready.style(st)
            } else {
                ready
            });
            let (health, hsev) = match (&r.backup, &r.health) {
                (Some(b), _) => (
                    b.label().to_string(),
                    if matches!(b, Freshness::Stale | Freshness::Failing) {
                        Severity::Warning
                    } else {
                        Severity::Ok
                    },
                ),
                (None, Some((h, _))) => (h.label().to_string(), h.severity()),
                (None, None) => ("-".to_string(), Severity::Ok),
            };
            let health = txt(health);
            cells.push(if hsev > Severity::Ok {
                health.style(severity_style(t, hsev))
            } else {
                health
            });
            if medium {
                cells.push(txt(if is_backup {
                    r.images.clone()
                } else {
                    r.rollout.text()
                }));
                cells.push(txt(r
                    .hpa
                    .as_ref()
                    .map(|h| h.text())
                    .unwrap_or_else(|| "-".into())));
                let worst = r.alerts.first().map(|a| a.1).unwrap_or_default();
                let alerts = txt(if r.alerts.is_empty() {
                    "-".to_string()
                } else {
                    r.alerts.len().to_string()
                });
                cells.push(if worst > Severity::Ok {
                    alerts.style(severity_style(t, worst))
                } else {
                    alerts
                });
            }
            if wide {
                cells.push(txt(r.restarts.to_string()));
                cells.push(txt(r.warnings.to_string()));
            }
            let why = if sev >= Severity::Info {
                crate::util::age::clocked(&r.assessment.summary(), now)
            } else if wide {
                r.images.clone()
            } else {
                r.rollout.text()
            };
            // "Did my fix work?": what was just done here leads the row for a while.
            let kind = r.kind.short();
            let targets = [
                format!("{kind}/{}", r.name),
                format!("cronjob/{}", r.name),
                format!("svc/{}", r.name),
            ];
            let targets: Vec<&str> = targets.iter().map(String::as_str).collect();
            // Mine first; someone else's (from the cluster's events) when none of
            // mine is as recent.
            let mine = s
                .transitions
                .recent_action(s.now, r.ctx, &r.namespace, &targets);
            let theirs = r
                .published
                .as_ref()
                .filter(|p| {
                    mine.is_none() || s.transitions.items.iter().rev().all(|t| t.at + 2 < p.at)
                })
                .and_then(|p| crate::app::transitions::published_text(now, p));
            let why = match theirs.or(mine) {
                Some(done) => format!("{done} · {why}"),
                None => why,
            };
            cells.push(txt(why).style(if sev >= Severity::Warning {
                st
            } else {
                t.style("text.dim")
            }));
            (cells, t.style("text"))
        },
    );
}
