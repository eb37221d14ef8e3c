//! The audit view: the newest audit records first — time, sequence, intent or
//! outcome, action, target, namespace, who, and the error — under the log's
//! verification status at start-up.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Cell, Paragraph, Row, Table};

use super::widgets::fit;
use crate::app::State;
use crate::audit::{Outcome, Phase, Record};
use crate::config::theme::Theme;

fn result(r: &Record) -> (String, &'static str) {
    match (r.phase, r.outcome) {
        (Phase::Intent, _) => ("intent".into(), "text.dim"),
        (_, Some(Outcome::Succeeded)) => ("succeeded".into(), "severity.ok"),
        (_, Some(Outcome::Cancelled)) => ("cancelled".into(), "text.dim"),
        (_, Some(o)) => (o.label().into(), "severity.crit"),
        (_, None) => ("?".into(), "text.dim"),
    }
}

/// `2026-11-22T03:04:05.123456Z` → `11-22 03:04:05` (or the time alone when narrow).
fn when(t: &str, wide: bool) -> String {
    let date = t.get(5..10).unwrap_or("");
    let time = t.get(11..19).unwrap_or(t);
    if wide {
        format!("{date} {time}")
    } else {
        time.to_string()
    }
}

pub fn render(f: &mut Frame, area: Rect, s: &State, scroll: usize, t: &Theme) {
    let [top, body] = Layout::vertical([Constraint::Length(1), Constraint::Fill(1)]).areas(area);
    let mut status = s
        .audit_status
        .clone()
        .unwrap_or_else(|| "audit log not read".into());
    let session = format!("{}-", s.session);
    let written = s
        .audit
        .iter()
        .filter(|r| r.action_id.starts_with(&session))
        .count();
    if written > 0 {
        status.push_str(&format!(" · {written} written this session"));
    }
    f.render_widget(
        Paragraph::new(Line::from(Span::styled(
            fit(&format!(" {status}"), top.width as usize),
            t.style("text.dim"),
        ))),
        top,
    );
    if s.audit.is_empty() {
        super::widgets::empty(f, body, t, "no actions recorded yet");
        return;
    }
    let wide = body.width >= 120;
    let header = if wide {
        vec![
            "TIME",
            "SEQ",
            "RESULT",
            "ACTION",
            "TARGET",
            "NAMESPACE",
            "CONTEXT",
            "USER",
            "ERROR",
        ]
    } else {
        vec!["TIME", "SEQ", "RESULT", "ACTION", "TARGET", "NAMESPACE"]
    };
    let widths: Vec<Constraint> = if wide {
        vec![
            Constraint::Length(14),
            Constraint::Length(5),
            Constraint::Length(9),
            Constraint::Length(15),
            Constraint::Length(28),
            Constraint::Length(20),
            Constraint::Length(14),
            Constraint::Length(10),
            Constraint::Fill(1),
        ]
    } else {
        vec![
            Constraint::Length(8),
            Constraint::Length(4),
            Constraint::Length(9),
            Constraint::Length(14),
            Constraint::Fill(1),
            Constraint::Length(16),
        ]
    };
    let rows: Vec<Row> = s
        .audit
        .iter()
        .rev()
        .skip(scroll)
        .take(body.height.saturating_sub(1) as usize)
        .map(|r| {
            let (res, slot) = result(r);
            let mut cells = vec![
                Cell::from(when(&r.time, wide)),
                Cell::from(r.seq.to_string()),
                Cell::from(Span::styled(res, t.style(slot))),
                Cell::from(fit(&r.action, 15)),
                Cell::from(fit(&r.target, 40)),
                Cell::from(fit(&r.namespace, 20)),
            ];
            if wide {
                cells.push(Cell::from(fit(&r.actor.context, 14)));
                cells.push(Cell::from(fit(&r.actor.os_user, 10)));
                cells.push(Cell::from(r.error.clone().unwrap_or_default()));
            }
            Row::new(cells)
        })
        .collect();
    let table = Table::new(rows, widths)
        .header(Row::new(header).style(t.style("table.header")))
        .column_spacing(1)
        .style(t.style("text"));
    f.render_widget(table, body);
}
