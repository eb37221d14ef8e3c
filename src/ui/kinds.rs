//! A first-class kind's own list (ConfigMaps, Secrets, PVCs, Nodes, Ingresses…): the
//! columns its declaration names, after SEV, CONTEXT (with several contexts),
//! NAMESPACE (for namespaced kinds) and NAME. Columns are sized to what the rows in
//! view hold; only those rows are built.

use ratatui::Frame;
use ratatui::layout::{Constraint, Rect};
use unicode_width::UnicodeWidthStr;

use super::widgets::{Col, cell, empty, name_cell, severity_mark, severity_style, styled, table};
use crate::app::State;
use crate::app::lists::ListState;
use crate::cluster::kinds::{Join, ResKind, Width};
use crate::config::theme::Theme;
use crate::fleet::kinds::{cells, columns};
use crate::util::severity::Severity;

/// The widest of a title and its values, within `lo..=hi`.
fn fit_width(title: &str, values: impl Iterator<Item = usize>, lo: usize, hi: usize) -> u16 {
    values
        .chain(std::iter::once(title.width()))
        .max()
        .unwrap_or(0)
        .clamp(lo, hi) as u16
}

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
    // The rows in view and their cells, once.
    let height = area.height.saturating_sub(1) as usize;
    let start = ls.offset.min(ls.visible.len());
    let end = (start + height).min(ls.visible.len());
    let shown: Vec<(usize, Vec<String>)> = ls.visible[start..end]
        .iter()
        .filter_map(|&i| {
            let r = rows.get(i)?;
            let c = s.contexts.get(r.ctx)?;
            let j = Join {
                tables: &c.data.kinds,
                now: s.ctx_now(r.ctx),
            };
            Some((i, cells(kind, &j, &r.key)?))
        })
        .collect();
    let multi = s.multi_context();
    let defs = columns(kind);
    let mut cols = vec![Col {
        title: "SEV".into(),
        width: Constraint::Length(4),
    }];
    if multi {
        cols.push(Col {
            title: "CONTEXT".into(),
            width: Constraint::Length(fit_width(
                "CONTEXT",
                shown
                    .iter()
                    .map(|(i, _)| s.context_name(rows[*i].ctx).width()),
                7,
                20,
            )),
        });
    }
    if info.namespaced {
        cols.push(Col {
            title: "NAMESPACE".into(),
            width: Constraint::Length(fit_width(
                "NAMESPACE",
                shown.iter().map(|(i, _)| rows[*i].key.0.width()),
                9,
                30,
            )),
        });
    }
    cols.push(Col {
        title: "NAME".into(),
        width: Constraint::Length(fit_width(
            "NAME",
            shown.iter().map(|(i, _)| rows[*i].key.1.width()),
            4,
            60,
        )),
    });
    for (n, (title, w)) in defs.iter().enumerate() {
        let content = shown.iter().map(|(_, c)| c.get(n).map_or(0, |v| v.width()));
        cols.push(Col {
            title: (*title).into(),
            width: match w {
                Width::Fixed(max) => {
                    Constraint::Length(fit_width(title, content, 1, *max as usize))
                }
                Width::Name => Constraint::Length(fit_width(title, content, 4, 60)),
                Width::Fill => Constraint::Fill(1),
            },
        });
    }
    let lead = 1 + multi as usize + info.namespaced as usize + 1;
    table(f, area, t, &cols, ls, |i, w| {
        let r = &rows[i];
        let st = severity_style(t, r.severity);
        let mut out = vec![styled(severity_mark(r.severity), w[0], st)];
        let mut c = 1;
        if multi {
            out.push(name_cell(s.context_name(r.ctx), w[c]));
            c += 1;
        }
        if info.namespaced {
            out.push(name_cell(&*r.key.0, w[c]));
            c += 1;
        }
        out.push(name_cell(&*r.key.1, w[c]));
        let values = shown
            .iter()
            .find(|(j, _)| *j == i)
            .map(|(_, v)| v.as_slice())
            .unwrap_or(&[]);
        for (n, v) in values.iter().enumerate() {
            let width = w.get(lead + n).copied().unwrap_or(0);
            out.push(if r.severity >= Severity::Warning && n == 0 {
                styled(v, width, st)
            } else {
                cell(v, width)
            });
        }
        (out, t.style("text"))
    });
}
