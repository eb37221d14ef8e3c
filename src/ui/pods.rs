//! The pods view: kubectl's columns (ready, status, restarts with the last restart's
//! age, age), problem pods first; wider terminals add the workload, node, IP and
//! resource use.

use ratatui::Frame;
use ratatui::layout::Rect;

use super::widgets::{
    Txt, empty, ident, names, place_cells, place_cols, severity_style, short, table, text, txt,
};
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
    let sh = super::scope::shared(s, ls);
    let mut cols = place_cols(s, &sh);
    cols.push(names("NAME"));
    cols.push(short("READY", 7));
    cols.push(short("STATUS", 20));
    cols.push(short("RESTARTS", 14));
    cols.push(short("AGE", 6));
    if wide {
        cols.push(names("WORKLOAD"));
        cols.push(text("NODE", 8));
        cols.push(short("IP", 15));
        cols.push(short("CPU", 6));
        cols.push(short("MEM", 7));
    }
    table(
        f,
        area,
        s,
        t,
        &cols,
        ls,
        |i| s.fleet.pods.get(i).map(|p| p.ctx),
        |i| {
            let p = &s.fleet.pods[i];
            let mut cells: Vec<Txt> = place_cells(s, &sh, Some(p.ctx), &p.namespace);
            cells.push(ident(&*p.name));
            cells.push(txt(format!("{}/{}", p.ready.0, p.ready.1)));
            let status = txt(&*p.status);
            cells.push(if p.severity >= Severity::Warning {
                status.style(severity_style(t, p.severity))
            } else {
                status
            });
            let restarts = match p.last_restart {
                Some(at) if p.restarts > 0 => {
                    format!("{} ({} ago)", p.restarts, age(s.ctx_now(p.ctx), at))
                }
                _ => p.restarts.to_string(),
            };
            cells.push(txt(restarts));
            cells.push(txt(age(s.ctx_now(p.ctx), p.created)));
            if wide {
                cells.push(ident(p.workload.as_deref().unwrap_or("-")));
                cells.push(ident(p.node.as_deref().unwrap_or("-")));
                cells.push(txt(p.ip.map_or_else(|| "-".into(), |ip| ip.to_string())));
                cells.push(txt(p
                    .cpu_m
                    .map(super::widgets::cpu)
                    .unwrap_or_else(|| "-".into())));
                cells.push(txt(p
                    .mem
                    .map(super::widgets::mem)
                    .unwrap_or_else(|| "-".into())));
            }
            let row_style = if p.completed {
                t.style("table.completed")
            } else {
                t.style("text")
            };
            (cells, row_style)
        },
    );
}
