//! A browsed resource: the server's own Table columns (those it shows without
//! `-o wide`, and the wide ones when there is room), after CONTEXT (with several
//! contexts) and NAMESPACE (for namespaced resources). Ages are computed again as
//! time passes; a context still listing or failing says so on the last line.

use ratatui::Frame;
use ratatui::layout::{Constraint, Rect};
use ratatui::text::Span;
use ratatui::widgets::Paragraph;
use unicode_width::UnicodeWidthStr;

use super::widgets::{Col, cell, empty, fit, name_cell, table};
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
    let multi = s.multi_context();
    let namespaced = b.contexts.iter().flatten().any(|c| c.res.namespaced);
    let defs = b.columns();
    let wide = area.width >= 160;
    let shown: Vec<usize> = defs
        .iter()
        .enumerate()
        .filter(|(_, c)| c.priority == 0 || wide)
        .map(|(i, _)| i)
        .collect();
    let height = area.height.saturating_sub(1) as usize;
    let start = ls.offset.min(ls.visible.len());
    let end = (start + height).min(ls.visible.len());
    let rows: Vec<&(usize, crate::cluster::kinds::Key)> = ls.visible[start..end]
        .iter()
        .filter_map(|&i| s.fleet.table.get(i))
        .collect();
    let width_of =
        |title: &str, vals: &mut dyn Iterator<Item = usize>, lo: usize, hi: usize| -> u16 {
            vals.chain(std::iter::once(title.width()))
                .max()
                .unwrap_or(0)
                .clamp(lo, hi) as u16
        };
    let mut cols = Vec::new();
    if multi {
        cols.push(Col {
            title: "CONTEXT".into(),
            width: Constraint::Length(width_of(
                "CONTEXT",
                &mut rows.iter().map(|(c, _)| s.context_name(*c).width()),
                7,
                20,
            )),
        });
    }
    if namespaced {
        cols.push(Col {
            title: "NAMESPACE".into(),
            width: Constraint::Length(width_of(
                "NAMESPACE",
                &mut rows.iter().map(|(_, k)| k.0.width()),
                9,
                30,
            )),
        });
    }
    let titles: Vec<String> = shown.iter().map(|&i| defs[i].name.to_uppercase()).collect();
    for (n, &i) in shown.iter().enumerate() {
        let vals = &mut rows.iter().map(|(c, k)| {
            b.row(*c, k)
                .and_then(|r| r.cells.get(i))
                .map_or(0, |v| v.width())
        });
        let last = n + 1 == shown.len();
        cols.push(Col {
            title: titles[n].clone().into(),
            width: if last {
                Constraint::Fill(1)
            } else {
                Constraint::Length(width_of(&titles[n], vals, 3, 60))
            },
        });
    }
    let lead = multi as usize + namespaced as usize;
    table(f, area, t, &cols, ls, |i, w| {
        let Some((ctx, key)) = s.fleet.table.get(i) else {
            return (Vec::new(), t.style("text"));
        };
        let mut out = Vec::new();
        let mut c = 0;
        if multi {
            out.push(name_cell(s.context_name(*ctx), w[c]));
            c += 1;
        }
        if namespaced {
            out.push(name_cell(&*key.0, w[c]));
        }
        let row = b.row(*ctx, key);
        for (n, &ci) in shown.iter().enumerate() {
            let width = w.get(lead + n).copied().unwrap_or(0);
            let is_age = defs[ci].name.eq_ignore_ascii_case("age");
            let v = match (row, is_age) {
                (Some(r), true) if r.created.is_some() => {
                    age(s.ctx_now(*ctx), r.created.unwrap_or_default())
                }
                (Some(r), _) => r.cells.get(ci).cloned().unwrap_or_default(),
                (None, _) => String::new(),
            };
            out.push(if n == 0 {
                name_cell(&v, width)
            } else {
                cell(&v, width)
            });
        }
        (out, t.style("text"))
    });
}
