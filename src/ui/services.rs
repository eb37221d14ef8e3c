//! The services view: type, ready endpoints out of all, ports and selector (a
//! selector with no ready endpoint is shown as down).

use ratatui::Frame;
use ratatui::layout::{Constraint::*, Rect};

use super::widgets::{cell, col, empty, name_cell, severity_style, styled, table_ctx};
use crate::app::State;
use crate::app::lists::ListState;
use crate::config::theme::Theme;
use crate::util::severity::Severity;

pub fn render(f: &mut Frame, area: Rect, s: &State, ls: &ListState, t: &Theme) {
    if ls.visible.is_empty() {
        return empty(f, area, t, "no services");
    }
    let wide = area.width >= 120;
    let mut cols = vec![
        col("NAMESPACE", Length(if wide { 22 } else { 13 })),
        col("NAME", Length(if wide { 26 } else { 20 })),
        col("TYPE", Length(12)),
        col("READY", Length(6)),
    ];
    if wide {
        cols.push(col("CLUSTER-IP", Length(14)));
    }
    cols.push(col("PORTS", Length(if wide { 22 } else { 14 })));
    cols.push(col("SELECTOR", Fill(1)));
    table_ctx(
        f,
        area,
        s,
        t,
        cols,
        ls,
        |i| Some(s.fleet.services[i].ctx),
        |i, w| {
            let r = &s.fleet.services[i];
            let st = severity_style(t, r.assessment.severity);
            let mut cells = vec![
                name_cell(&*r.namespace, w[0]),
                name_cell(&*r.name, w[1]),
                cell(&*r.type_, w[2]),
                styled(
                    format!("{}/{}", r.ready, r.total),
                    w[3],
                    if r.assessment.severity >= Severity::Warning {
                        st
                    } else {
                        t.style("text")
                    },
                ),
            ];
            let mut c = 4;
            if wide {
                cells.push(cell(&r.cluster_ip, w[4]));
                c = 5;
            }
            cells.push(cell(&r.ports, w[c]));
            cells.push(cell(&r.selector, w[c + 1]));
            (cells, t.style("text"))
        },
    );
}
