//! The events view: newest first (warnings first within a second), repeated events folded with their
//! count; messages are sanitised and bounded at ingestion.

use ratatui::Frame;
use ratatui::layout::Rect;

use super::widgets::{Txt, ctx_col, empty, ident, names, rest, severity_style, short, table, txt};
use crate::app::State;
use crate::app::lists::ListState;
use crate::config::theme::Theme;
use crate::util::age::age;

pub fn render(f: &mut Frame, area: Rect, s: &State, ls: &ListState, t: &Theme) {
    if ls.visible.is_empty() {
        return empty(f, area, t, "no events");
    }
    let wide = area.width >= 120;
    let sh = super::scope::shared(s, ls);
    let mut cols: Vec<_> = ctx_col(s, &sh).into_iter().collect();
    let lead_ctx = !cols.is_empty();
    cols.push(short("LAST", 6));
    cols.push(short("TYPE", 4));
    let ns_col = wide && sh.namespace.is_none();
    if ns_col {
        cols.push(names("NAMESPACE"));
    }
    cols.push(super::widgets::text("REASON", 10));
    cols.push(names("OBJECT"));
    cols.push(rest("MESSAGE", 20));
    if wide {
        cols.push(short("COUNT", 6));
    }
    table(
        f,
        area,
        s,
        t,
        &cols,
        ls,
        |i| s.fleet.events.get(i).map(|e| e.ctx),
        |i| {
            let e = &s.fleet.events[i];
            let st = severity_style(t, e.severity);
            let mut cells: Vec<Txt> = Vec::new();
            if lead_ctx {
                cells.push(ident(s.context_name(e.ctx)));
            }
            cells.push(txt(age(s.ctx_now(e.ctx), e.last)));
            cells.push(
                txt(if e.warning { "Warn" } else { "Norm" }).style(if e.warning {
                    st
                } else {
                    t.style("text.dim")
                }),
            );
            if ns_col {
                cells.push(ident(&*e.namespace));
            }
            cells.push(txt(&*e.reason));
            cells.push(ident(&*e.object));
            let msg = if e.count > 1 && !wide {
                format!("(x{}) {}", e.count, e.message)
            } else {
                e.message.to_string()
            };
            cells.push(txt(msg));
            if wide {
                cells.push(txt(e.count.to_string()));
            }
            (cells, t.style("text"))
        },
    );
}
