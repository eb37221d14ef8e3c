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

/// How a cell's text is cut when its column is narrower than the text.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Cut {
    /// Free text: the end goes (`stalled: 8 new pods cras…`).
    End,
    /// Text whose both ends matter (`app=dash…slot=green`).
    Mid,
    /// A name: its distinguishing end survives (a pod's hash suffix, a namespace's
    /// last words), the shared start is shortened (`fl…-production`).
    Name,
    /// Two words, the second whole: the first gives way (`flextime… :3005/health`).
    Lead,
}

/// One cell as a view makes it: the whole text, its style, and how to cut it. The
/// table sizes columns from these and cuts them; the selected row's cut cells show
/// whole in the detail strip.
pub struct Txt {
    pub text: String,
    pub style: Option<Style>,
    pub cut: Cut,
}

impl Txt {
    pub fn style(mut self, st: Style) -> Txt {
        self.style = Some(st);
        self
    }

    /// The text cut to `width` columns.
    pub fn fitted(&self, width: usize) -> String {
        match self.cut {
            Cut::End => fit(&self.text, width),
            Cut::Mid => fit_mid(&self.text, width),
            Cut::Name => fit_name(&self.text, width),
            Cut::Lead => match self.text.split_once(' ') {
                Some((a, b)) if b.width() + 5 <= width => {
                    format!("{} {b}", fit_name(a, width - 1 - b.width()))
                }
                _ => fit_mid(&self.text, width),
            },
        }
    }
}

/// Free text.
pub fn txt(s: impl Into<String>) -> Txt {
    Txt {
        text: s.into(),
        style: None,
        cut: Cut::End,
    }
}

/// A name (namespace, pod, workload, context).
pub fn ident(s: impl Into<String>) -> Txt {
    Txt {
        text: s.into(),
        style: None,
        cut: Cut::Name,
    }
}

/// Two words whose second is kept whole (`workload :port/path`).
pub fn lead(s: impl Into<String>) -> Txt {
    Txt {
        text: s.into(),
        style: None,
        cut: Cut::Lead,
    }
}

/// Text cut in the middle.
pub fn mid(s: impl Into<String>) -> Txt {
    Txt {
        text: s.into(),
        style: None,
        cut: Cut::Mid,
    }
}

/// Cuts a name to `width` columns keeping both what it is and which one it is: its
/// last part (after the last `-`, `.`, `_`, `/` or `:`) whole, with as much of its
/// start as fits, the shared middle shortened: `flextime-api…-2nwxj` (a pod keeps its
/// random suffix and its workload), `flext…-production`, `team-das…-staging`. A last
/// part too long for that is cut in the middle.
pub fn fit_name(s: &str, width: usize) -> String {
    if s.width() <= width {
        return s.to_string();
    }
    const HEAD: usize = 2;
    if width < HEAD + 3 {
        return fit(s, width);
    }
    let is_sep = |c: char| matches!(c, '-' | '.' | '_' | '/' | ':');
    let Some((at, _)) = s.char_indices().rev().find(|&(i, c)| i > 0 && is_sep(c)) else {
        return fit_mid(s, width);
    };
    let tail = &s[at..];
    if tail.width() + 1 + HEAD > width {
        return fit_mid(s, width);
    }
    let mut head = fit_plain(&s[..at], width - 1 - tail.width());
    while head.ends_with(is_sep) {
        head.pop();
    }
    format!("{head}…{tail}")
}

/// The first `width` columns of `s`, whole graphemes, no ellipsis.
fn fit_plain(s: &str, width: usize) -> String {
    let mut out = String::new();
    let mut w = 0;
    for g in s.graphemes(true) {
        if w + g.width() > width {
            break;
        }
        out.push_str(g);
        w += g.width();
    }
    out
}

/// A column: its header, how narrow and how wide it may be, and when it gives room
/// back: `give` 0 never shrinks below its content, 1 (names) shrinks last, 3 (free
/// text) first. The `fill` column takes the room left over.
pub struct Col {
    pub title: std::borrow::Cow<'static, str>,
    pub min: u16,
    pub max: u16,
    pub give: u8,
    pub fill: bool,
}

/// A column exactly `w` wide.
pub fn fixed(title: &'static str, w: u16) -> Col {
    Col {
        title: title.into(),
        min: w,
        max: w,
        give: 0,
        fill: false,
    }
}

/// A short value (a count, an age, a state): as wide as its widest value, never cut.
pub fn short(title: &'static str, max: u16) -> Col {
    Col {
        title: title.into(),
        min: 1,
        max,
        give: 0,
        fill: false,
    }
}

/// A column of names: as wide as its widest name, the last to give room back.
pub fn names(title: &'static str) -> Col {
    Col {
        title: title.into(),
        min: 8,
        max: 63,
        give: 1,
        fill: false,
    }
}

/// Text that may be cut (after the free text, before the names), down to `min`.
pub fn text(title: &'static str, min: u16) -> Col {
    Col {
        title: title.into(),
        min,
        max: 80,
        give: 2,
        fill: false,
    }
}

/// Free text that takes the room left over and gives it back first, down to `min`.
pub fn rest(title: &'static str, min: u16) -> Col {
    Col {
        title: title.into(),
        min,
        max: u16::MAX,
        give: 3,
        fill: true,
    }
}

/// Column widths for `avail` columns of terminal (one space between columns): each
/// column as wide as its content (`content[i]`, or its title) within its bounds; the
/// fill column takes what is left; when there is too little, free text gives first,
/// then text, then names, the widest first; a column that still does not fit is
/// dropped (width 0) from the right.
pub fn layout(cols: &[Col], content: &[usize], avail: usize) -> Vec<usize> {
    let n = cols.len();
    if n == 0 {
        return Vec::new();
    }
    let mut w: Vec<usize> = cols
        .iter()
        .enumerate()
        .map(|(i, c)| {
            let cw = content.get(i).copied().unwrap_or(0);
            let tw = c.title.width().min(c.max as usize);
            cw.max(tw).clamp(c.min as usize, c.max.max(c.min) as usize)
        })
        .collect();
    let total = |w: &[usize]| {
        let shown = w.iter().filter(|&&x| x > 0).count();
        w.iter().sum::<usize>() + shown.saturating_sub(1)
    };
    if total(&w) <= avail {
        let spare = avail - total(&w);
        if let Some(i) = cols.iter().position(|c| c.fill) {
            w[i] += spare;
        }
        return w;
    }
    // Give room back, level by level, the widest column of a level first.
    for (level, floor) in [
        (3u8, false),
        (2, false),
        (1, false),
        (3, true),
        (2, true),
        (1, true),
    ] {
        loop {
            let over = total(&w).saturating_sub(avail);
            if over == 0 {
                return w;
            }
            let low = |i: usize| {
                if floor {
                    3.min(cols[i].min as usize)
                } else {
                    cols[i].min as usize
                }
            };
            let Some(widest) = (0..n)
                .filter(|&i| cols[i].give == level && w[i] > low(i))
                .max_by_key(|&i| (w[i], std::cmp::Reverse(i)))
            else {
                break;
            };
            w[widest] -= 1;
        }
    }
    // Still too wide: drop columns from the right (never the first).
    for i in (1..n).rev() {
        if total(&w) <= avail {
            break;
        }
        w[i] = 0;
    }
    if total(&w) > avail {
        w[0] = avail;
    }
    w
}

/// Draws a virtual table: only the rows in view are built (`row(i)` makes the cells
/// of row `i` in column order); columns are sized to those rows and the room there
/// is ([`layout`]); cells are cut by their [`Cut`]. The bottom line is a detail strip
/// with the selected row's cut cells whole. `ctx_of` names a row's context: rows
/// from a context that is not answering are dimmed and marked with how long ago it
/// last answered.
#[allow(clippy::too_many_arguments)]
pub fn table(
    f: &mut Frame,
    area: Rect,
    s: &crate::app::State,
    theme: &Theme,
    cols: &[Col],
    ls: &ListState,
    ctx_of: impl Fn(usize) -> Option<crate::cluster::msg::CtxId>,
    mut row: impl FnMut(usize) -> (Vec<Txt>, Style),
) {
    let strip = area.height >= 4;
    let body = Rect {
        height: area.height - strip as u16,
        ..area
    };
    let height = body.height.saturating_sub(1) as usize;
    let start = ls.offset.min(ls.visible.len());
    let end = (start + height).min(ls.visible.len());
    let mut built: Vec<(Vec<Txt>, Style, usize)> = Vec::with_capacity(end - start);
    for pos in start..end {
        let i = ls.visible[pos];
        let (mut cells, mut style) = row(i);
        if let Some(since) = ctx_of(i).and_then(|c| s.stale_since(c)) {
            // Not answering: what the row says is as old as the last answer. The
            // mark takes the severity's place (it is not known now), or leads the
            // row's first name.
            let mark = format!("◐{}", coarse(s.now - since));
            if cols.first().is_some_and(|c| c.title == "SEV") {
                if let Some(first) = cells.first_mut() {
                    first.text = mark;
                }
            } else if let Some(name) = cells.iter_mut().find(|c| c.cut == Cut::Name) {
                name.text = format!("{mark} {}", name.text);
            }
            for c in &mut cells {
                c.style = None;
            }
            style = theme.style("table.stale");
        }
        built.push((cells, style, pos));
    }
    let content: Vec<usize> = (0..cols.len())
        .map(|c| {
            built
                .iter()
                .filter_map(|(cells, _, _)| cells.get(c))
                .map(|t| t.text.width())
                .max()
                .unwrap_or(0)
        })
        .collect();
    let w = layout(cols, &content, area.width as usize);
    let shown: Vec<usize> = (0..cols.len()).filter(|&c| w[c] > 0).collect();
    let header = Row::new(shown.iter().map(|&c| Cell::from(fit(&cols[c].title, w[c]))))
        .style(theme.style("table.header"));
    let mut whole: Vec<String> = Vec::new();
    let rows: Vec<Row> = built
        .iter()
        .map(|(cells, style, pos)| {
            let selected = *pos == ls.selected;
            let out: Vec<Cell> = shown
                .iter()
                .map(|&c| {
                    let Some(t) = cells.get(c) else {
                        return Cell::from("");
                    };
                    if selected && t.text.width() > w[c] {
                        whole.push(format!("{} {}", cols[c].title, t.text));
                    }
                    let text = t.fitted(w[c]);
                    match t.style {
                        Some(st) => Cell::from(Span::styled(text, st)),
                        None => Cell::from(text),
                    }
                })
                .collect();
            let style = if selected {
                style.patch(theme.style("table.selected"))
            } else {
                *style
            };
            Row::new(out).style(style)
        })
        .collect();
    let t = Table::new(
        rows,
        shown
            .iter()
            .map(|&c| Constraint::Length(w[c] as u16))
            .collect::<Vec<_>>(),
    )
    .header(header)
    .column_spacing(1);
    f.render_widget(t, body);
    if strip {
        let line = Rect {
            y: area.y + area.height - 1,
            height: 1,
            ..area
        };
        if !whole.is_empty() {
            f.render_widget(
                ratatui::widgets::Paragraph::new(Span::styled(
                    fit(&format!("▸ {}", whole.join(" · ")), area.width as usize),
                    theme.style("text.dim"),
                )),
                line,
            );
        }
    }
}

/// An age in at most three characters (`9s`, `12m`, `3h`, `20d`): a mark that fits
/// the SEV column.
pub fn coarse(secs: i64) -> String {
    let s = secs.max(0);
    match s {
        0..60 => format!("{s}s"),
        60..3600 => format!("{}m", s / 60),
        3600..86_400 => format!("{}h", s / 3600),
        _ => format!("{}d", s / 86_400),
    }
}

/// Whether every row of the list shares one context, and one namespace: such a
/// column says the same thing on every row, so it is dropped and said once in the
/// header instead. Stops at the first difference.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Common {
    pub ctx: Option<crate::cluster::msg::CtxId>,
    pub namespace: Option<String>,
}

pub fn common<'a>(
    ls: &ListState,
    want_ctx: bool,
    place: impl Fn(usize) -> (Option<crate::cluster::msg::CtxId>, &'a str),
) -> Common {
    // One row is not "every row": its column costs little and says where it is.
    if ls.visible.len() < 2 {
        return Common::default();
    }
    let mut it = ls.visible.iter().map(|&i| place(i));
    let Some((ctx, ns)) = it.next() else {
        return Common::default();
    };
    // One context: there is no CONTEXT column to drop (and the scan can stop at
    // the first namespace that differs).
    let (mut same_ctx, mut same_ns) = (want_ctx && ctx.is_some(), !ns.is_empty());
    for (c, n) in it {
        same_ctx &= c == ctx;
        same_ns &= n == ns;
        if !same_ctx && !same_ns {
            break;
        }
    }
    Common {
        ctx: ctx.filter(|_| same_ctx),
        namespace: same_ns.then(|| ns.to_string()),
    }
}

/// The columns a worst-first list starts with: SEV, CONTEXT (with several contexts,
/// unless every row shares one), NAMESPACE (unless every row shares one).
pub fn lead_cols(s: &crate::app::State, c: &Common) -> Vec<Col> {
    let mut cols = vec![fixed("SEV", 4)];
    cols.extend(place_cols(s, c));
    cols
}

/// CONTEXT (with several contexts, unless every row shares one) and NAMESPACE
/// (unless every row shares one): where a row is.
pub fn place_cols(s: &crate::app::State, c: &Common) -> Vec<Col> {
    let mut cols = Vec::new();
    cols.extend(ctx_col(s, c));
    if c.namespace.is_none() {
        cols.push(names("NAMESPACE"));
    }
    cols
}

/// The cells for [`place_cols`].
pub fn place_cells(
    s: &crate::app::State,
    c: &Common,
    ctx: Option<crate::cluster::msg::CtxId>,
    namespace: &str,
) -> Vec<Txt> {
    let mut cells = Vec::new();
    if s.multi_context() && c.ctx.is_none() {
        cells.push(ident(ctx.map_or("-", |id| s.context_name(id))));
    }
    if c.namespace.is_none() {
        cells.push(ident(namespace));
    }
    cells
}

/// The cells for [`lead_cols`]. `ctx` is `None` for a row that belongs to no context
/// (a configured URL).
pub fn lead_cells(
    s: &crate::app::State,
    t: &Theme,
    c: &Common,
    sev: Severity,
    ctx: Option<crate::cluster::msg::CtxId>,
    namespace: &str,
) -> Vec<Txt> {
    let mut cells = vec![txt(severity_mark(sev)).style(severity_style(t, sev))];
    cells.extend(place_cells(s, c, ctx, namespace));
    cells
}

/// The CONTEXT cell for views that lead with it: `Some` when the column is shown.
pub fn ctx_col(s: &crate::app::State, c: &Common) -> Option<Col> {
    (s.multi_context() && c.ctx.is_none()).then(|| names("CONTEXT"))
}

/// `text` in pieces of at most `width` columns (whole graphemes): a long value
/// goes on under itself instead of being cut.
pub fn wrap(text: &str, width: usize) -> Vec<String> {
    use unicode_segmentation::UnicodeSegmentation;
    let width = width.max(1);
    let mut out = vec![String::new()];
    let mut w = 0;
    for g in text.graphemes(true) {
        let gw = unicode_width::UnicodeWidthStr::width(g);
        if w + gw > width && w > 0 {
            out.push(String::new());
            w = 0;
        }
        if let Some(last) = out.last_mut() {
            last.push_str(g);
        }
        w += gw;
    }
    out
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
mod layout_tests {
    use super::*;

    #[test]
    fn names_keep_what_they_are_and_which_one() {
        assert_eq!(
            fit_name("flextime-api-d5f69d7fc-2nwxj", 19),
            "flextime-api…-2nwxj"
        );
        assert_eq!(
            fit_name("consumer-65d57d97db-xfzg9", 19),
            "consumer-65d…-xfzg9"
        );
        assert_eq!(fit_name("flextime-production", 14), "fl…-production");
        assert_eq!(fit_name("flextime-production", 17), "flext…-production");
        assert_eq!(fit_name("team-dashboard-prod", 14), "team-das…-prod");
        assert_eq!(fit_name("team-dashboard-staging", 14), "team…-staging");
        assert_eq!(fit_name("short", 14), "short");
        // No separator, or a last part too long: cut in the middle.
        assert_eq!(fit_name("averyveryverylongname", 9), "aver…name");
        assert_eq!(fit_name("a-averyveryverylongname", 9), "a-av…name");
        for w in 0..30 {
            assert!(fit_name("flextime-api-d5f69d7fc-2nwxj", w).width() <= w);
        }
    }

    #[test]
    fn an_endpoint_keeps_its_port_and_path() {
        let t = lead("flextime-api :3005/health");
        assert_eq!(t.fitted(25), "flextime-api :3005/health");
        assert_eq!(t.fitted(20), "fl…-api :3005/health");
        assert_eq!(t.fitted(10), "flext…alth");
    }

    #[test]
    fn a_stale_mark_fits_the_sev_column() {
        for (secs, want) in [
            (9, "9s"),
            (119, "1m"),
            (3599, "59m"),
            (7200, "2h"),
            (90_000, "1d"),
        ] {
            assert_eq!(coarse(secs), want);
            assert!(format!("◐{}", coarse(secs)).width() <= 4);
        }
    }

    fn cols() -> Vec<Col> {
        vec![
            fixed("SEV", 4),
            names("NAMESPACE"),
            names("NAME"),
            short("READY", 7),
            text("ROLLOUT", 8),
            rest("WHY", 10),
        ]
    }

    #[test]
    fn columns_are_as_wide_as_their_content_and_the_rest_fills() {
        let w = layout(&cols(), &[4, 19, 12, 5, 8, 30], 120);
        assert_eq!(&w[..5], &[4, 19, 12, 5, 8]);
        assert_eq!(w.iter().sum::<usize>() + 5, 120, "{w:?}");
        // A title wider than its values keeps the column readable.
        let w = layout(&cols(), &[4, 5, 5, 1, 2, 3], 120);
        assert_eq!(&w[..5], &[4, 9, 8, 5, 8]);
    }

    #[test]
    fn free_text_gives_room_first_then_text_then_names() {
        // 4+19+28+5+20 + 5 spaces = 81 before WHY: WHY goes to its minimum, then
        // ROLLOUT, and only then the names, widest first.
        let w = layout(&cols(), &[4, 19, 28, 5, 20, 60], 70);
        assert_eq!(w.iter().sum::<usize>() + 5, 70, "{w:?}");
        assert_eq!(w[5], 10, "WHY at its minimum: {w:?}");
        assert_eq!(w[4], 8, "ROLLOUT at its minimum: {w:?}");
        assert_eq!((w[1], w[2]), (19, 19), "the widest name gave: {w:?}");
        assert_eq!((w[0], w[3]), (4, 5), "fixed and short never give: {w:?}");
        // Far too narrow: everything at its floor, then columns drop from the right.
        let w = layout(&cols(), &[4, 19, 28, 5, 20, 60], 30);
        assert!(w.iter().sum::<usize>() + w.iter().filter(|&&x| x > 0).count() - 1 <= 30);
        assert_eq!(w[0], 4);
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
