//! Drawing helpers shared by the views: a virtual table that builds only the rows in
//! view, cell formatting (truncation with an ellipsis, ages, quantities), severity
//! styles, and centred popups.

use ratatui::Frame;
use ratatui::layout::{Constraint, Rect};
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Cell, Clear, Row, Table};
use unicode_segmentation::UnicodeSegmentation;
use unicode_width::UnicodeWidthStr;

use crate::app::lists::ListState;
use crate::config::theme::Theme;
use crate::util::severity::Severity;

/// Cuts `s` to `width` display columns, marking a cut with `…`.
pub fn fit(s: &str, width: usize) -> String {
    if s.width() <= width {
        return s.to_string();
    }
    if width == 0 {
        return String::new();
    }
    let mut out = String::new();
    let mut w = 0;
    for g in s.graphemes(true) {
        let gw = g.width();
        if w + gw > width - 1 {
            break;
        }
        out.push_str(g);
        w += gw;
    }
    out.push('…');
    out
}

/// `s` cut to `width` columns and padded with spaces to exactly `width` (by display
/// width: `format!("{:<w$}")` counts characters, which misaligns wide ones).
pub fn pad(s: &str, width: usize) -> String {
    let mut out = fit(s, width);
    let w = out.width();
    out.extend(std::iter::repeat_n(' ', width.saturating_sub(w)));
    out
}

/// Cuts `s` to `width` columns in the middle (`team-d…-staging`): for names, whose
/// start and end both tell them apart.
pub fn fit_mid(s: &str, width: usize) -> String {
    if s.width() <= width {
        return s.to_string();
    }
    if width < 5 {
        return fit(s, width);
    }
    let gs: Vec<&str> = s.graphemes(true).collect();
    let tail_w = (width - 1) / 2;
    let head_w = width - 1 - tail_w;
    let mut head = String::new();
    let mut w = 0;
    for g in &gs {
        if w + g.width() > head_w {
            break;
        }
        head.push_str(g);
        w += g.width();
    }
    let mut tail: Vec<&str> = Vec::new();
    let mut w = 0;
    for g in gs.iter().rev() {
        if w + g.width() > tail_w {
            break;
        }
        tail.push(g);
        w += g.width();
    }
    tail.reverse();
    format!("{head}…{}", tail.concat())
}

/// A name cell, cut in the middle.
pub fn name_cell(s: impl AsRef<str>, width: usize) -> Cell<'static> {
    Cell::from(fit_mid(s.as_ref(), width))
}

pub fn severity_style(t: &Theme, s: Severity) -> Style {
    t.style(match s {
        Severity::Critical => "severity.crit",
        Severity::Warning => "severity.warn",
        Severity::Info => "severity.info",
        Severity::Ok => "severity.ok",
    })
}

/// A severity marker that reads without colour too.
pub fn severity_mark(s: Severity) -> &'static str {
    match s {
        Severity::Critical => "CRIT",
        Severity::Warning => "WARN",
        Severity::Info => "info",
        Severity::Ok => "ok",
    }
}

pub use crate::util::quantity::{cpu, mem};

pub fn pct(v: Option<f64>) -> String {
    v.map(|p| format!("{}%", p.round() as i64))
        .unwrap_or_else(|| "-".into())
}

/// A column: header, width constraint, and the display width used to cut cells.
pub struct Col {
    pub title: std::borrow::Cow<'static, str>,
    pub width: Constraint,
}

pub fn col(title: &'static str, width: Constraint) -> Col {
    Col {
        title: title.into(),
        width,
    }
}

/// The widths the constraints resolve to in `area` (to cut text before drawing).
pub fn widths(area: Rect, cols: &[Col]) -> Vec<usize> {
    let rects = ratatui::layout::Layout::horizontal(cols.iter().map(|c| c.width))
        .spacing(1)
        .split(area);
    rects.iter().map(|r| r.width as usize).collect()
}

/// Draws a virtual table: only rows `ls.offset..ls.offset + height` are built.
/// `row(i, widths)` makes the cells for visible position `i`.
pub fn table(
    f: &mut Frame,
    area: Rect,
    theme: &Theme,
    cols: &[Col],
    ls: &ListState,
    mut row: impl FnMut(usize, &[usize]) -> (Vec<Cell<'static>>, Style),
) {
    let w = widths(area, cols);
    let height = area.height.saturating_sub(1) as usize;
    let header = Row::new(cols.iter().map(|c| Cell::from(c.title.clone())))
        .style(theme.style("table.header"));
    let start = ls.offset.min(ls.visible.len());
    let end = (start + height).min(ls.visible.len());
    let rows: Vec<Row> = (start..end)
        .map(|pos| {
            let (cells, style) = row(ls.visible[pos], &w);
            let style = if pos == ls.selected {
                style.patch(theme.style("table.selected"))
            } else {
                style
            };
            Row::new(cells).style(style)
        })
        .collect();
    let t = Table::new(rows, cols.iter().map(|c| c.width).collect::<Vec<_>>())
        .header(header)
        .column_spacing(1);
    f.render_widget(t, area);
}

/// [`table`] with a CONTEXT column first when several contexts are shown (every
/// view gets it, so two clusters' rows of the same name can be told apart):
/// `ctx_of` names a row's context; `row` builds the rest from the rest of the widths.
#[allow(clippy::too_many_arguments)]
pub fn table_ctx(
    f: &mut Frame,
    area: Rect,
    s: &crate::app::State,
    theme: &Theme,
    cols: Vec<Col>,
    ls: &ListState,
    ctx_of: impl Fn(usize) -> Option<crate::cluster::msg::CtxId>,
    mut row: impl FnMut(usize, &[usize]) -> (Vec<Cell<'static>>, Style),
) {
    if !s.multi_context() {
        return table(f, area, theme, &cols, ls, row);
    }
    let mut all = vec![col("CONTEXT", Constraint::Length(12))];
    all.extend(cols);
    table(f, area, theme, &all, ls, |i, w| {
        let (mut cells, style) = row(i, &w[1..]);
        let name = ctx_of(i).map_or("-", |c| s.context_name(c));
        cells.insert(0, name_cell(name, w[0]));
        (cells, style)
    })
}

/// A cell cut to its column.
pub fn cell(s: impl AsRef<str>, width: usize) -> Cell<'static> {
    Cell::from(fit(s.as_ref(), width))
}

pub fn styled(s: impl AsRef<str>, width: usize, st: Style) -> Cell<'static> {
    Cell::from(Span::styled(fit(s.as_ref(), width), st))
}

/// The columns a worst-first list starts with: SEV, CONTEXT (only with several
/// contexts), NAMESPACE.
pub fn lead_cols(s: &crate::app::State, namespace_width: u16) -> Vec<Col> {
    let mut cols = vec![col("SEV", Constraint::Length(4))];
    if s.multi_context() {
        cols.push(col("CONTEXT", Constraint::Length(12)));
    }
    cols.push(col("NAMESPACE", Constraint::Length(namespace_width)));
    cols
}

/// The cells for [`lead_cols`], and the index of the column after them. `ctx` is
/// `None` for a row that belongs to no context (a configured URL).
pub fn lead_cells(
    s: &crate::app::State,
    t: &Theme,
    sev: Severity,
    ctx: Option<crate::cluster::msg::CtxId>,
    namespace: &str,
    w: &[usize],
) -> (Vec<Cell<'static>>, usize) {
    let mut cells = vec![styled(severity_mark(sev), w[0], severity_style(t, sev))];
    let mut c = 1;
    if s.multi_context() {
        cells.push(name_cell(ctx.map_or("-", |id| s.context_name(id)), w[c]));
        c += 1;
    }
    cells.push(name_cell(namespace, w[c]));
    (cells, c + 1)
}

/// A rectangle of `w`×`h` centred in `area` (clamped to it).
pub fn centred(area: Rect, w: u16, h: u16) -> Rect {
    let w = w.min(area.width);
    let h = h.min(area.height);
    Rect {
        x: area.x + (area.width - w) / 2,
        y: area.y + (area.height - h) / 2,
        width: w,
        height: h,
    }
}

/// Clears `area` and draws a titled box; returns the inner area.
pub fn popup(f: &mut Frame, area: Rect, title: &str, theme: &Theme) -> Rect {
    f.render_widget(Clear, area);
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(theme.style("border"))
        .title(Span::styled(format!(" {title} "), theme.style("title")));
    let inner = block.inner(area);
    f.render_widget(block, area);
    inner
}

/// "No rows" text, centred, for empty tables.
pub fn empty(f: &mut Frame, area: Rect, theme: &Theme, text: &str) {
    let y = area.y + area.height / 2;
    let r = Rect {
        x: area.x,
        y,
        width: area.width,
        height: 1,
    };
    f.render_widget(
        ratatui::widgets::Paragraph::new(Line::from(Span::styled(
            fit(text, area.width as usize),
            theme.style("text.dim"),
        )))
        .alignment(ratatui::layout::Alignment::Center),
        r,
    );
}

pub fn bold() -> Style {
    Style::default().add_modifier(Modifier::BOLD)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fitting_and_units() {
        assert_eq!(fit("flextime-production", 10), "flextime-…");
        assert_eq!(fit("short", 10), "short");
        assert_eq!(fit("ab", 0), "");
        assert_eq!(fit_mid("team-dashboard-staging", 13), "team-d…taging");
        assert_eq!(fit_mid("team-dashboard-prod", 13), "team-d…d-prod");
        assert_eq!(
            fit_mid("flextime-api-d5f69d7fc-2nwxj", 24),
            "flextime-api…9d7fc-2nwxj"
        );
        assert_eq!(cpu(242.4), "242m");
        assert_eq!(cpu(12_500.0), "12.5");
        assert_eq!(mem(1_490_000_000.0), "1421Mi");
        assert_eq!(pct(Some(64.6)), "65%");
        assert_eq!(pct(None), "-");
        let c = centred(Rect::new(0, 0, 80, 24), 60, 30);
        assert_eq!((c.width, c.height, c.x), (60, 24, 10));
    }
}

#[cfg(test)]
mod width_tests {
    use super::*;

    #[test]
    fn cuts_are_measured_in_columns_and_keep_graphemes_whole() {
        let w = |s: &str| s.width();
        for width in 0..12 {
            for s in [
                "漢字漢字漢字漢字",
                "e\u{301}e\u{301}e\u{301}e\u{301}e\u{301}e\u{301}",
                "ascii-name-7d9c-xk2p",
                "a漢b字c漢d字",
            ] {
                assert!(w(&fit(s, width)) <= width, "fit({s:?}, {width})");
                assert_eq!(w(&pad(s, width)), width, "pad({s:?}, {width})");
                assert!(w(&fit_mid(s, width)) <= width, "fit_mid({s:?}, {width})");
                // No combining mark is left without its letter.
                assert!(!fit_mid(s, width).contains("…\u{301}"));
            }
        }
        assert_eq!(fit_mid("漢字漢字漢字漢字", 9), "漢字…漢字");
        assert_eq!(pad("漢", 4), "漢  ");
    }
}
