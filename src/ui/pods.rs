//! The pods view: kubectl's columns (ready, status, restarts with the last restart's
//! age, age), problem pods first; wider terminals add the workload, node, IP and
//! resource use.

use ratatui::Frame;
use ratatui::layout::{Constraint::*, Rect};

use super::widgets::{cell, col, cpu, empty, mem, name_cell, severity_style, styled, table};
use crate::app::State;
use crate::app::lists::ListState;
use crate::config::theme::Theme;
use crate::util::age::age;
use crate::util::severity::Severity;

pub fn render(f: &mut Frame, area: Rect, s: &State, ls: &ListState, t: &Theme) {
    if ls.visible.is_empty() {
        return empty(
            f,
            area,
            t,
            if ls.filter.is_empty() {
                "no pods"
            } else {
                "no pods match the filter"
            },
        );
    }
    let wide = area.width >= 130;
    let mut cols = Vec::new();
    if s.multi_context() {
        cols.push(col("CONTEXT", Length(12)));
    }
    cols.push(col("NAMESPACE", Length(if wide { 22 } else { 13 })));
    cols.push(col("NAME", Fill(1)));
    cols.push(col("READY", Length(5)));
    cols.push(col("STATUS", Length(16)));
    cols.push(col("RESTARTS", Length(12)));
    cols.push(col("AGE", Length(5)));
    if wide {
        cols.push(col("WORKLOAD", Length(26)));
        cols.push(col("NODE", Length(11)));
        cols.push(col("IP", Length(13)));
        cols.push(col("CPU", Length(6)));
        cols.push(col("MEM", Length(7)));
    }
    let multi = s.multi_context();
    table(f, area, t, &cols, ls, |i, w| {
        let p = &s.fleet.pods[i];
        let mut c = 0;
        let mut cells = Vec::new();
        if multi {
            cells.push(name_cell(s.context_name(p.ctx), w[0]));
            c = 1;
        }
        let st = severity_style(t, p.severity);
        cells.push(name_cell(&*p.namespace, w[c]));
        cells.push(name_cell(&*p.name, w[c + 1]));
        cells.push(cell(format!("{}/{}", p.ready.0, p.ready.1), w[c + 2]));
        cells.push(styled(
            &p.status,
            w[c + 3],
            if p.severity >= Severity::Warning {
                st
            } else {
                t.style("text")
            },
        ));
        let restarts = match p.last_restart {
            Some(at) if p.restarts > 0 => {
                format!("{} ({} ago)", p.restarts, age(s.ctx_now(p.ctx), at))
            }
            _ => p.restarts.to_string(),
        };
        cells.push(cell(restarts, w[c + 4]));
        cells.push(cell(age(s.ctx_now(p.ctx), p.created), w[c + 5]));
        if wide {
            cells.push(cell(p.workload.as_deref().unwrap_or("-"), w[c + 6]));
            cells.push(cell(p.node.as_deref().unwrap_or("-"), w[c + 7]));
            cells.push(cell(
                p.ip.map_or_else(|| "-".into(), |ip| ip.to_string()),
                w[c + 8],
            ));
            cells.push(cell(
                p.cpu_m.map(cpu).unwrap_or_else(|| "-".into()),
                w[c + 9],
            ));
            cells.push(cell(
                p.mem.map(mem).unwrap_or_else(|| "-".into()),
                w[c + 10],
            ));
        }
        let row_style = if p.completed {
            t.style("table.completed")
        } else {
            t.style("text")
        };
        (cells, row_style)
    });
}
