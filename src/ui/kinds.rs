//! A first-class kind's own list (ConfigMaps, Secrets, PVCs, Nodes, Ingresses…): the
//! columns its declaration names, after SEV, CONTEXT (with several contexts),
//! NAMESPACE (for namespaced kinds) and NAME. Columns are sized to what the rows in
//! view hold; only those rows are built.

use ratatui::Frame;
use ratatui::layout::Rect;

use super::widgets::{
    Col, Txt, empty, ident, lead_cells, lead_cols, names, rest, severity_style, table, txt,
};
use crate::app::State;
use crate::app::lists::ListState;
use crate::cluster::kinds::{Join, ResKind, Width};
use crate::config::theme::Theme;
use crate::fleet::kinds::{cells, columns};
use crate::util::severity::Severity;

pub fn render(f: &mut Frame, area: Rect, s: &State, ls: &ListState, kind: ResKind, t: &Theme) {
    let info = kind.info();
    if ls.visible.is_empty() {
        let what = if ls.filter.is_empty() {
            format!("no {}", info.plural)
        } else {
            format!("no {} match the filter", info.plural)
        };
        return empty(f, area, t, &what);
    }
    let Some(rows) = s.fleet.kinds.get(&kind) else {
        return empty(f, area, t, "loading…");
    };
    let sh = super::scope::shared(s, ls);
    let defs = columns(kind);
    let mut cols: Vec<Col> = lead_cols(s, &sh);
    cols.push(names("NAME"));
    for (title, w) in defs.iter() {
        cols.push(match w {
            Width::Fixed(max) => Col {
                title: (*title).into(),
                min: 1,
                max: *max,
                give: 0,
                fill: false,
            },
            Width::Name => names(title),
            Width::Fill => rest(title, 12),
        });
    }
    table(
        f,
        area,
        s,
        t,
        &cols,
        ls,
        |i| rows.get(i).map(|r| r.ctx),
        |i| {
            let Some(r) = rows.get(i) else {
                return (Vec::new(), t.style("text"));
            };
            let st = severity_style(t, r.severity);
            let mut out: Vec<Txt> = lead_cells(s, t, &sh, r.severity, Some(r.ctx), &r.key.0);
            out.push(ident(&*r.key.1));
            let values = s
                .contexts
                .get(r.ctx)
                .and_then(|c| {
                    let j = Join {
                        tables: &c.data.kinds,
                        now: s.ctx_now(r.ctx),
                    };
                    cells(kind, &j, &r.key)
                })
                .unwrap_or_default();
            for (n, v) in values.into_iter().enumerate() {
                let c = txt(v);
                out.push(if r.severity >= Severity::Warning && n == 0 {
                    c.style(st)
                } else {
                    c
                });
            }
            (out, t.style("text"))
        },
    );
}
