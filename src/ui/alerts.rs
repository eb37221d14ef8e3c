//! The alerts view: firing alerts from Alertmanager, critical first — severity, age,
//! name, namespace, the workload they name (marked when it is watched here), the
//! summary and the other labels; an error line when an Alertmanager cannot be read.

use ratatui::Frame;
use ratatui::layout::{Constraint::*, Layout, Rect};
use ratatui::text::Span;
use ratatui::widgets::Paragraph;

use super::widgets::{
    Txt, ctx_col, empty, fit, fixed, ident, names, rest, severity_mark, severity_style, short,
    table, txt,
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
    let sh = super::scope::shared(s, ls);
    let mut cols: Vec<_> = ctx_col(s, &sh).into_iter().collect();
    let lead_ctx = !cols.is_empty();
    cols.push(fixed("SEV", 4));
    cols.push(short("AGE", 6));
    cols.push(names("ALERT"));
    if sh.namespace.is_none() {
        cols.push(names("NAMESPACE"));
    }
    if wide {
        cols.push(names("WORKLOAD"));
    }
    cols.push(rest("SUMMARY", 20));
    if wide {
        cols.push(super::widgets::text("LABELS", 10));
    }
    table(
        f,
        area,
        s,
        t,
        &cols,
        ls,
        |i| s.fleet.alerts.get(i).and_then(|r| r.ctx),
        |i| {
            let r = &s.fleet.alerts[i];
            let st = severity_style(t, r.severity);
            let mut cells: Vec<Txt> = Vec::new();
            if lead_ctx {
                cells.push(ident(r.ctx.map_or("-", |c| s.context_name(c))));
            }
            cells.push(txt(severity_mark(r.severity)).style(st));
            cells.push(txt(r
                .alert
                .starts
                .map(|x| age(s.now, x))
                .unwrap_or_else(|| "-".into())));
            cells.push(ident(&*r.alert.name).style(st));
            if sh.namespace.is_none() {
                cells.push(ident(&*r.namespace));
            }
            if wide {
                let wl = r.alert.workload.as_deref().unwrap_or("-");
                cells.push(ident(if r.linked {
                    wl.to_string()
                } else {
                    format!("{wl} (not watched)")
                }));
            }
            cells.push(txt(&*r.alert.summary));
            if wide {
                // The labels that say more than the columns already do.
                let labels: Vec<String> = r
                    .alert
                    .labels
                    .iter()
                    .filter(|(k, _)| !matches!(k.as_str(), "alertname" | "severity" | "namespace"))
                    .map(|(k, v)| format!("{k}={v}"))
                    .collect();
                cells.push(txt(labels.join(" ")));
            }
            (cells, t.style("text"))
        },
    );
}
