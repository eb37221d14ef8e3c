//! The HPA view: each autoscaler's target, replicas against min/max, every metric's
//! current value against its target, and conditions that matter (at max, unable to
//! scale).

use ratatui::Frame;
use ratatui::layout::{Constraint::*, Rect};

use super::widgets::{cell, col, empty, name_cell, severity_style, styled, table_ctx};
use crate::app::State;
use crate::app::lists::ListState;
use crate::config::theme::Theme;
use crate::util::age::age;
use crate::util::severity::Severity;

pub fn render(f: &mut Frame, area: Rect, s: &State, ls: &ListState, t: &Theme) {
    if ls.visible.is_empty() {
        return empty(f, area, t, "no horizontal pod autoscalers");
    }
    let wide = area.width >= 120;
    let mut cols = vec![
        col("NAMESPACE", Length(if wide { 22 } else { 13 })),
        col("NAME", Length(if wide { 26 } else { 15 })),
    ];
    if wide {
        cols.push(col("REFERENCE", Length(30)));
    }
    cols.push(col("REPLICAS", Length(9)));
    cols.push(col("TARGETS", Fill(2)));
    if wide {
        cols.push(col("CONDITIONS", Fill(1)));
        cols.push(col("LAST SCALE", Length(10)));
    }
    table_ctx(
        f,
        area,
        s,
        t,
        cols,
        ls,
        |i| Some(s.fleet.hpas[i].ctx),
        |i, w| {
            let h = &s.fleet.hpas[i];
            let st = severity_style(t, h.assessment.severity);
            let mut cells = vec![name_cell(&*h.namespace, w[0]), name_cell(&*h.name, w[1])];
            let mut c = 2;
            if wide {
                cells.push(cell(&h.reference, w[2]));
                c = 3;
            }
            let replicas = format!("{} {}-{}", h.current, h.min, h.max);
            cells.push(styled(
                replicas,
                w[c],
                if h.assessment.severity >= Severity::Warning {
                    st
                } else {
                    t.style("text")
                },
            ));
            cells.push(cell(&h.targets, w[c + 1]));
            if wide {
                cells.push(styled(
                    &h.conditions,
                    w[c + 2],
                    if h.assessment.severity >= Severity::Warning {
                        st
                    } else {
                        t.style("text.dim")
                    },
                ));
                cells.push(cell(
                    h.last_scale
                        .map(|l| age(s.ctx_now(h.ctx), l))
                        .unwrap_or_else(|| "-".into()),
                    w[c + 3],
                ));
            }
            (cells, t.style("text"))
        },
    );
}
