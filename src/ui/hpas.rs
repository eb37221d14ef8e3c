//! The HPA view: each autoscaler's target, replicas against min/max, every metric's
//! current value against its target, and conditions that matter (at max, unable to
//! scale).

use ratatui::Frame;
use ratatui::layout::Rect;

use super::widgets::{
    Txt, empty, ident, names, place_cells, place_cols, rest, severity_style, short, table, txt,
};
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
    let sh = super::scope::shared(s, ls);
    let mut cols = place_cols(s, &sh);
    cols.push(names("NAME"));
    if wide {
        cols.push(names("REFERENCE"));
    }
    cols.push(short("REPLICAS", 11));
    cols.push(rest("TARGETS", 16));
    if wide {
        cols.push(super::widgets::text("CONDITIONS", 12));
        cols.push(short("LAST SCALE", 10));
    }
    table(
        f,
        area,
        s,
        t,
        &cols,
        ls,
        |i| s.fleet.hpas.get(i).map(|h| h.ctx),
        |i| {
            let h = &s.fleet.hpas[i];
            let st = severity_style(t, h.assessment.severity);
            let hot = h.assessment.severity >= Severity::Warning;
            let mut cells: Vec<Txt> = place_cells(s, &sh, Some(h.ctx), &h.namespace);
            cells.push(ident(&*h.name));
            if wide {
                cells.push(ident(&*h.reference));
            }
            let replicas = txt(format!("{} {}-{}", h.current, h.min, h.max));
            cells.push(if hot { replicas.style(st) } else { replicas });
            cells.push(txt(&*h.targets));
            if wide {
                cells.push(txt(&*h.conditions).style(if hot { st } else { t.style("text.dim") }));
                cells.push(txt(h
                    .last_scale
                    .map(|l| age(s.ctx_now(h.ctx), l))
                    .unwrap_or_else(|| "-".into())));
            }
            (cells, t.style("text"))
        },
    );
}
