//! Resource use (the runbooks' `kubectl top pods`): CPU and memory per workload and
//! per pod, as values and as a share of requests and limits, from metrics.k8s.io.

use ratatui::Frame;
use ratatui::layout::Rect;

use super::widgets::{
    Txt, cpu, empty, ident, mem, pct, place_cells, place_cols, rest, severity_style, short, table,
    txt,
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
    let sh = super::scope::shared(s, ls);
    let mut cols = place_cols(s, &sh);
    cols.push(rest("NAME", 16));
    cols.push(short("CPU", 6));
    cols.push(short("%REQ", 5));
    cols.push(short("%LIM", 5));
    cols.push(short("MEM", 7));
    cols.push(short("%REQ", 5));
    cols.push(short("%LIM", 5));
    table(
        f,
        area,
        s,
        t,
        &cols,
        ls,
        |i| s.fleet.usage.get(i).map(|r| r.ctx),
        |i| {
            let r = &s.fleet.usage[i];
            let st = severity_style(t, r.severity);
            let hot = |v: Option<f64>| {
                let c = txt(pct(v));
                if r.severity >= Severity::Warning {
                    c.style(st)
                } else {
                    c
                }
            };
            let name = if r.is_workload {
                format!("{} ({} pods)", r.name, r.pods)
            } else {
                format!("  {}", r.name)
            };
            let mut cells: Vec<Txt> = place_cells(s, &sh, Some(r.ctx), &r.namespace);
            cells.push(ident(name));
            cells.push(txt(cpu(r.cpu_m)));
            cells.push(txt(pct(share(r.cpu_m, r.requests.cpu_m()))));
            cells.push(hot(share(r.cpu_m, r.limits.cpu_m())));
            cells.push(txt(mem(r.mem)));
            cells.push(txt(pct(share(r.mem, r.requests.mem()))));
            cells.push(hot(share(r.mem, r.limits.mem())));
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
