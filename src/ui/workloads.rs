//! The workloads view: the workload table, and under it the rollout history of the
//! selected Deployment (revision, images, change-cause, age, pods), newest first.

use ratatui::Frame;
use ratatui::layout::{Constraint::*, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Cell, Paragraph, Row, Table};

use super::widgets::fit;
use crate::app::State;
use crate::app::lists::ListState;
use crate::config::theme::Theme;
use crate::fleet::history;
use crate::fleet::workloads::WorkloadKind;
use crate::util::age::age;

pub fn render(f: &mut Frame, area: Rect, s: &State, ls: &ListState, t: &Theme) {
    let hist_h = (area.height / 3).clamp(5, 12);
    let [top, bottom] = Layout::vertical([Fill(1), Length(hist_h)]).areas(area);
    super::overview::render(f, top, s, ls, t);
    let Some(row) = ls.current().and_then(|i| s.fleet.workloads.get(i)) else {
        return;
    };
    let block = Block::default()
        .borders(Borders::TOP)
        .border_style(t.style("border"))
        .title(Span::styled(
            format!(" rollout history of {}/{} ", row.namespace, row.name),
            t.style("title"),
        ));
    let inner = block.inner(bottom);
    f.render_widget(block, bottom);
    if row.kind != WorkloadKind::Deployment {
        f.render_widget(
            Paragraph::new(Span::styled(
                "revision history is kept for Deployments",
                t.style("text.dim"),
            )),
            inner,
        );
        return;
    }
    let Some(c) = s.contexts.get(row.ctx) else {
        return;
    };
    let revs = history::of(&c.data, &row.namespace, &row.name);
    if revs.is_empty() {
        f.render_widget(
            Paragraph::new(Line::from(Span::styled(
                "no ReplicaSets seen",
                t.style("text.dim"),
            ))),
            inner,
        );
        return;
    }
    let cause_w = (inner.width as usize).saturating_sub(4 + 30 + 6 + 6 + 4);
    let img_w = 30usize.min((inner.width as usize) / 3);
    let rows: Vec<Row> = revs
        .iter()
        .map(|r| {
            let st = if r.current {
                t.style("title")
            } else {
                t.style("text")
            };
            Row::new(vec![
                Cell::from(format!(
                    "{}{}",
                    r.revision,
                    if r.current { "*" } else { "" }
                )),
                Cell::from(fit(&r.images, img_w)),
                Cell::from(fit(&r.change_cause, cause_w.max(10))),
                Cell::from(age(s.ctx_now(row.ctx), r.created)),
                Cell::from(format!("{}/{}", r.ready, r.replicas)),
            ])
            .style(st)
        })
        .collect();
    let widths = [
        Length(4),
        Length(img_w as u16),
        Fill(1),
        Length(6),
        Length(6),
    ];
    let table = Table::new(rows, widths)
        .header(
            Row::new(["REV", "IMAGES", "CHANGE-CAUSE", "AGE", "PODS"])
                .style(t.style("table.header")),
        )
        .column_spacing(1);
    f.render_widget(table, inner);
}
