//! The events view: newest first (warnings first within a second), repeated events folded with their
//! count; messages are sanitised and bounded at ingestion.

use ratatui::Frame;
use ratatui::layout::{Constraint::*, Rect};

use super::widgets::{cell, col, empty, name_cell, severity_style, styled, table_ctx};
use crate::app::State;
use crate::app::lists::ListState;
use crate::config::theme::Theme;
use crate::util::age::age;

pub fn render(f: &mut Frame, area: Rect, s: &State, ls: &ListState, t: &Theme) {
    if ls.visible.is_empty() {
        return empty(f, area, t, "no events");
    }
    let wide = area.width >= 120;
    let mut cols = vec![col("LAST", Length(5)), col("TYPE", Length(4))];
    if wide {
        cols.push(col("NAMESPACE", Length(22)));
    }
    cols.push(col("REASON", Length(if wide { 22 } else { 12 })));
    cols.push(col("OBJECT", Length(if wide { 42 } else { 22 })));
    cols.push(col("MESSAGE", Fill(1)));
    if wide {
        cols.push(col("COUNT", Length(5)));
    }
    table_ctx(
        f,
        area,
        s,
        t,
        cols,
        ls,
        |i| Some(s.fleet.events[i].ctx),
        |i, w| {
            let e = &s.fleet.events[i];
            let st = severity_style(t, e.severity);
            let mut cells = vec![
                cell(age(s.ctx_now(e.ctx), e.last), w[0]),
                styled(
                    if e.warning { "Warn" } else { "Norm" },
                    w[1],
                    if e.warning { st } else { t.style("text.dim") },
                ),
            ];
            let mut c = 2;
            if wide {
                cells.push(name_cell(&*e.namespace, w[2]));
                c = 3;
            }
            cells.push(cell(&*e.reason, w[c]));
            cells.push(name_cell(&e.object, w[c + 1]));
            let msg = if e.count > 1 && !wide {
                format!("(x{}) {}", e.count, e.message)
            } else {
                e.message.to_string()
            };
            cells.push(cell(msg, w[c + 2]));
            if wide {
                cells.push(cell(e.count.to_string(), w[c + 3]));
            }
            (cells, t.style("text"))
        },
    );
}
