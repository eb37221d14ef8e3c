//! The overview: one row per workload (and backup CronJob) across namespaces and
//! contexts, worst first — severity, ready/desired, health (a backup's freshness), the
//! reason it needs attention; wider terminals add the rollout state, HPA, firing
//! alerts, restarts, recent warnings and images.

use ratatui::Frame;
use ratatui::layout::{Constraint::*, Rect};

use super::widgets::{
    cell, col, empty, lead_cells, lead_cols, name_cell, severity_style, styled, table,
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
    let mut cols = lead_cols(s, if wide { 22 } else { 14 });
    cols.push(col("WORKLOAD", Length(if wide { 26 } else { 18 })));
    cols.push(col("READY", Length(5)));
    cols.push(col("HEALTH", Length(9)));
    if medium {
        cols.push(col("ROLLOUT", Length(if wide { 34 } else { 22 })));
        cols.push(col("HPA", Length(11)));
        cols.push(col("ALERTS", Length(6)));
    }
    if wide {
        cols.push(col("RESTARTS", Length(8)));
        cols.push(col("WARN/15m", Length(8)));
    }
    cols.push(col("WHY", Fill(1)));
    table(f, area, t, &cols, ls, |i, w| {
        let r = &s.fleet.workloads[i];
        let sev = r.assessment.severity;
        let st = severity_style(t, sev);
        let (mut cells, mut c) = lead_cells(s, t, sev, Some(r.ctx), &r.namespace, w);
        let name = match r.kind {
            WorkloadKind::Deployment => r.name.to_string(),
            other => format!("{}/{}", other.short(), r.name),
        };
        cells.push(name_cell(name, w[c]));
        // Backups and Ingresses have no rollout: their row says what they are.
        let is_backup = matches!(r.kind, WorkloadKind::CronJob | WorkloadKind::Ingress);
        cells.push(styled(
            if r.kind == WorkloadKind::CronJob {
                "-".to_string()
            } else {
                format!("{}/{}", r.ready, r.desired)
            },
            w[c + 1],
            if r.ready < r.desired {
                st
            } else {
                t.style("text")
            },
        ));
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
        cells.push(styled(
            health,
            w[c + 2],
            if hsev > Severity::Ok {
                severity_style(t, hsev)
            } else {
                t.style("text")
            },
        ));
        c += 3;
        if medium {
            cells.push(cell(
                if is_backup {
                    r.images.clone()
                } else {
                    r.rollout.text()
                },
                w[c],
            ));
            cells.push(cell(
                r.hpa
                    .as_ref()
                    .map(|h| h.text())
                    .unwrap_or_else(|| "-".into()),
                w[c + 1],
            ));
            let worst = r.alerts.first().map(|a| a.1).unwrap_or_default();
            cells.push(styled(
                if r.alerts.is_empty() {
                    "-".to_string()
                } else {
                    r.alerts.len().to_string()
                },
                w[c + 2],
                if worst > Severity::Ok {
                    severity_style(t, worst)
                } else {
                    t.style("text")
                },
            ));
            c += 3;
        }
        if wide {
            cells.push(cell(r.restarts.to_string(), w[c]));
            cells.push(cell(r.warnings.to_string(), w[c + 1]));
            c += 2;
        }
        let why = if sev >= Severity::Info {
            r.assessment.summary()
        } else if wide {
            r.images.clone()
        } else {
            r.rollout.text()
        };
        // "Did my fix work?": what was just done here leads the row for a while.
        let short = r.kind.short();
        let targets = [
            format!("{short}/{}", r.name),
            format!("cronjob/{}", r.name),
            format!("svc/{}", r.name),
        ];
        let targets: Vec<&str> = targets.iter().map(String::as_str).collect();
        let why = match s
            .transitions
            .recent_action(s.now, r.ctx, &r.namespace, &targets)
        {
            Some(done) => format!("{done} · {why}"),
            None => why,
        };
        cells.push(styled(
            why,
            w[c],
            if sev >= Severity::Warning {
                st
            } else {
                t.style("text.dim")
            },
        ));
        (cells, t.style("text"))
    });
}
