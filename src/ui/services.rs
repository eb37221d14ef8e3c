//! The services view: type, ready endpoints out of all, ports and selector (a
//! selector with no ready endpoint is shown as down).

use ratatui::Frame;
use ratatui::layout::Rect;

use super::widgets::{
    Txt, empty, ident, mid, names, place_cells, place_cols, rest, severity_style, short, table, txt,
};
use crate::app::State;
use crate::app::lists::ListState;
use crate::config::theme::Theme;
use crate::util::severity::Severity;

pub fn render(f: &mut Frame, area: Rect, s: &State, ls: &ListState, t: &Theme) {
    if ls.visible.is_empty() {
        return empty(f, area, t, "no services");
    }
    let wide = area.width >= 120;
    let sh = super::scope::shared(s, ls);
    let mut cols = place_cols(s, &sh);
    cols.push(names("NAME"));
    cols.push(short("TYPE", 12));
    cols.push(short("READY", 7));
    if wide {
        cols.push(short("CLUSTER-IP", 15));
    }
    cols.push(super::widgets::text("PORTS", 8));
    // Cut in the middle: `app=dashboard,slot=green` keeps the live colour.
    cols.push(rest("SELECTOR", 16));
    table(
        f,
        area,
        s,
        t,
        &cols,
        ls,
        |i| s.fleet.services.get(i).map(|r| r.ctx),
        |i| {
            let r = &s.fleet.services[i];
            let st = severity_style(t, r.assessment.severity);
            let mut cells: Vec<Txt> = place_cells(s, &sh, Some(r.ctx), &r.namespace);
            cells.push(ident(&*r.name));
            cells.push(txt(&*r.type_));
            let ready = txt(format!("{}/{}", r.ready, r.total));
            cells.push(if r.assessment.severity >= Severity::Warning {
                ready.style(st)
            } else {
                ready
            });
            if wide {
                cells.push(txt(&*r.cluster_ip));
            }
            cells.push(txt(&*r.ports));
            cells.push(mid(&*r.selector));
            (cells, t.style("text"))
        },
    );
}
