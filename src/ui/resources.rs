//! Resource use (the runbooks' `kubectl top pods`): CPU and memory per workload and
//! per pod, as values and as a share of requests and limits, from metrics.k8s.io.

use ratatui::Frame;
use ratatui::layout::{Constraint::*, Rect};

use super::widgets::{
    cell, col, cpu, empty, mem, name_cell, pct, severity_style, styled, table_ctx,
};
use crate::app::State;
use crate::app::lists::ListState;
use crate::config::theme::Theme;
use crate::fleet::resources::pct as share;
use crate::util::severity::Severity;

pub fn render(f: &mut Frame, area: Rect, s: &State, ls: &ListState, t: &Theme) {
    if ls.visible.is_empty() {
        let why = s
            .contexts
            .iter()
            .find_map(|c| c.data.metrics_error.clone())
            .unwrap_or_else(|| "no metrics yet (metrics.k8s.io is polled every 15 s)".into());
        return empty(f, area, t, &why);
    }
    let cols = vec![
        col("NAMESPACE", Length(13)),
        col("NAME", Fill(1)),
        col("CPU", Length(6)),
        col("%REQ", Length(5)),
        col("%LIM", Length(5)),
        col("MEM", Length(7)),
        col("%REQ", Length(5)),
        col("%LIM", Length(5)),
    ];
    table_ctx(
        f,
        area,
        s,
        t,
        cols,
        ls,
        |i| Some(s.fleet.usage[i].ctx),
        |i, w| {
            let r = &s.fleet.usage[i];
            let st = severity_style(t, r.severity);
            let hot = |v: Option<f64>| {
                if r.severity >= Severity::Warning {
                    styled(pct(v), 5, st)
                } else {
                    cell(pct(v), 5)
                }
            };
            let name = if r.is_workload {
                format!("{} ({} pods)", r.name, r.pods)
            } else {
                format!("  {}", r.name)
            };
            let cells = vec![
                name_cell(&*r.namespace, w[0]),
                cell(name, w[1]),
                cell(cpu(r.cpu_m), w[2]),
                cell(pct(share(r.cpu_m, r.requests.cpu_m())), w[3]),
                hot(share(r.cpu_m, r.limits.cpu_m())),
                cell(mem(r.mem), w[5]),
                cell(pct(share(r.mem, r.requests.mem())), w[6]),
                hot(share(r.mem, r.limits.mem())),
            ];
            (
                cells,
                if r.is_workload {
                    t.style("title")
                } else {
                    t.style("text")
                },
            )
        },
    );
}
