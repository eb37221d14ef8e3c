//! A browsed resource: the server's own Table columns (those it shows without
//! `-o wide`, and the wide ones when there is room), after CONTEXT (with several
//! contexts) and NAMESPACE (for namespaced resources). Ages are computed again as
//! time passes; a context still listing or failing says so on the last line.

use ratatui::Frame;
use ratatui::layout::{Constraint, Rect};
use ratatui::text::Span;
use ratatui::widgets::Paragraph;

use super::widgets::{Col, Txt, empty, fit, ident, place_cells, place_cols, table, txt};
use crate::app::State;
use crate::app::lists::ListState;
use crate::config::theme::Theme;
use crate::util::age::age;

pub fn render(f: &mut Frame, area: Rect, s: &State, ls: &ListState, t: &Theme) {
    let Some(b) = s.browse.as_ref() else {
        return empty(f, area, t, "nothing browsed");
    };
    // What is not right yet, per context.
    let mut notes: Vec<String> = Vec::new();
    for (ctx, c) in b.contexts.iter().enumerate() {
        let name = s.context_name(ctx);
        match c {
            None if s.multi_context() => notes.push(format!("{name}: not served")),
            None => {}
            Some(c) if c.error.is_some() => notes.push(format!(
                "{name}: {}",
                c.error.as_deref().unwrap_or_default()
            )),
            Some(c) if !c.listed => notes.push(format!("{name}: listing…")),
            Some(c) if c.truncated => notes.push(format!(
                "{name}: only the first {} rows",
                crate::cluster::table::MAX_ROWS
            )),
            Some(_) => {}
        }
    }
    let (area, note) = if notes.is_empty() || area.height < 3 {
        (area, None)
    } else {
        let [a, n] =
            ratatui::layout::Layout::vertical([Constraint::Fill(1), Constraint::Length(1)])
                .areas(area);
        (a, Some(n))
    };
    if let Some(n) = note {
        f.render_widget(
            Paragraph::new(Span::styled(
                fit(&notes.join(" · "), n.width as usize),
                t.style("text.dim"),
            )),
            n,
        );
    }
    if ls.visible.is_empty() {
        let what = if !ls.filter.is_empty() {
            format!("no {} match the filter", b.title)
        } else if b.contexts.iter().flatten().any(|c| !c.listed) {
            format!("listing {}…", b.title)
        } else {
            format!("no {}", b.title)
        };
        return empty(f, area, t, &what);
    }
    let defs = b.columns();
    let wide = area.width >= 160;
    let shown: Vec<usize> = defs
        .iter()
        .enumerate()
        .filter(|(_, c)| c.priority == 0 || wide)
        .map(|(i, _)| i)
        .collect();
    let sh = super::scope::shared(s, ls);
    let mut cols: Vec<Col> = place_cols(s, &sh);
    let last = shown.len().saturating_sub(1);
    for (n, &i) in shown.iter().enumerate() {
        let title = defs[i].name.to_uppercase();
        cols.push(Col {
            title: title.into(),
            min: if n == 0 { 8 } else { 3 },
            max: if n == last { u16::MAX } else { 60 },
            give: if n == 0 {
                1
            } else if n == last {
                3
            } else {
                2
            },
            fill: n == last,
        });
    }
    table(
        f,
        area,
        s,
        t,
        &cols,
        ls,
        |i| s.fleet.table.get(i).map(|(c, _)| *c),
        |i| {
            let Some((ctx, key)) = s.fleet.table.get(i) else {
                return (Vec::new(), t.style("text"));
            };
            let mut out: Vec<Txt> = place_cells(s, &sh, Some(*ctx), &key.0);
            let row = b.row(*ctx, key);
            for (n, &ci) in shown.iter().enumerate() {
                let is_age = defs[ci].name.eq_ignore_ascii_case("age");
                let v = match (row, is_age) {
                    (Some(r), true) if r.created.is_some() => {
                        age(s.ctx_now(*ctx), r.created.unwrap_or_default())
                    }
                    (Some(r), _) => r.cells.get(ci).cloned().unwrap_or_default(),
                    (None, _) => String::new(),
                };
                out.push(if n == 0 { ident(v) } else { txt(v) });
            }
            (out, t.style("text"))
        },
    );
}
