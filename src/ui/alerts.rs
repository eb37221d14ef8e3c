//! The alerts view: firing alerts from Alertmanager, critical first — severity, age,
//! name, namespace, the workload they name (marked when it is watched here), the
//! summary and the other labels; an error line when an Alertmanager cannot be read.

use ratatui::Frame;
use ratatui::layout::{Constraint::*, Layout, Rect};
use ratatui::text::Span;
use ratatui::widgets::Paragraph;

use super::widgets::{
    cell, col, empty, fit, name_cell, severity_mark, severity_style, styled, table_ctx,
};
use crate::app::State;
use crate::app::lists::ListState;
use crate::config::theme::Theme;
use crate::util::age::age;

pub fn render(f: &mut Frame, area: Rect, s: &State, ls: &ListState, t: &Theme) {
    let errors: Vec<String> = s
        .alert_feeds
        .iter()
        .filter_map(|fd| {
            fd.error.as_ref().map(|e| {
                let kept = match fd.read_at {
                    Some(t) => format!(" — showing what it said {} ago", age(s.now, t)),
                    None => String::new(),
                };
                format!("STALE {}: {e}{kept}", fd.source.label)
            })
        })
        .collect();
    let (area, err_area) = if errors.is_empty() {
        (area, None)
    } else {
        let [a, b] = Layout::vertical([Fill(1), Length(1)]).areas(area);
        (a, Some(b))
    };
    if let Some(b) = err_area {
        f.render_widget(
            Paragraph::new(Span::styled(
                fit(&errors.join("; "), b.width as usize),
                t.style("severity.warn"),
            )),
            b,
        );
    }
    if ls.visible.is_empty() {
        let what = if s.alert_feeds.is_empty() {
            if s.watching.alerts.enabled {
                "no Alertmanager found (a Service named alertmanager, or [alerts] url)"
            } else {
                "alerts are off ([alerts] enabled = false)"
            }
        } else {
            "no alerts firing"
        };
        return empty(f, area, t, what);
    }
    let wide = area.width >= 120;
    let mut cols = vec![col("SEV", Length(4)), col("AGE", Length(6))];
    cols.push(col("ALERT", Length(if wide { 28 } else { 22 })));
    cols.push(col("NAMESPACE", Length(if wide { 20 } else { 12 })));
    if wide {
        cols.push(col("WORKLOAD", Length(26)));
    }
    cols.push(col("SUMMARY", Fill(2)));
    if wide {
        cols.push(col("LABELS", Fill(1)));
    }
    table_ctx(
        f,
        area,
        s,
        t,
        cols,
        ls,
        |i| s.fleet.alerts[i].ctx,
        |i, w| {
            let r = &s.fleet.alerts[i];
            let st = severity_style(t, r.severity);
            let mut cells = vec![
                styled(severity_mark(r.severity), w[0], st),
                cell(
                    r.alert
                        .starts
                        .map(|x| age(s.now, x))
                        .unwrap_or_else(|| "-".into()),
                    w[1],
                ),
                styled(&r.alert.name, w[2], st),
                name_cell(&*r.namespace, w[3]),
            ];
            let mut c = 4;
            if wide {
                let wl = r.alert.workload.as_deref().unwrap_or("-");
                cells.push(name_cell(
                    if r.linked {
                        wl.to_string()
                    } else {
                        format!("{wl} (not watched)")
                    },
                    w[4],
                ));
                c = 5;
            }
            cells.push(cell(&r.alert.summary, w[c]));
            if wide {
                // The labels that say more than the columns already do.
                let labels: Vec<String> = r
                    .alert
                    .labels
                    .iter()
                    .filter(|(k, _)| !matches!(k.as_str(), "alertname" | "severity" | "namespace"))
                    .map(|(k, v)| format!("{k}={v}"))
                    .collect();
                cells.push(cell(labels.join(" "), w[c + 1]));
            }
            (cells, t.style("text"))
        },
    );
}
