//! The timeline view: what this session saw and did, newest first, across contexts —
//! health, backups and alerts going one way or the other, rollouts changing revision
//! or stalling, autoscalers scaling, crash loops starting and ending, warnings, marks,
//! and every audited action with who did it, its outcome and the start of its audit
//! hash. `/` narrows it (`kind:rollout ns:… ctx:… obj:…`), Enter opens an entry,
//! `M` marks a span, `E` writes it as Markdown for a postmortem (`kdeck timeline`
//! does the same for a recording).

use ratatui::Frame;
use ratatui::layout::Rect;

use super::widgets::{fixed, ident, rest, short, table, txt};
use crate::app::State;
use crate::app::lists::ListState;
use crate::config::theme::Theme;

/// The entry's text without the kind it starts with (the KIND column says it).
fn what(it: &crate::app::record::timeline::Item) -> &str {
    match it.kind {
        "health" | "backup" | "alert" | "rollout" | "hpa" | "warning" | "mark" => it
            .what
            .strip_prefix(it.kind)
            .and_then(|w| w.strip_prefix([' ', ':']))
            .map_or(it.what.as_str(), str::trim_start),
        _ => &it.what,
    }
}

pub fn render(f: &mut Frame, area: Rect, s: &State, scroll: usize, filter: &str, t: &Theme) {
    let items = s.timeline_shown(filter);
    if items.is_empty() {
        let why = if filter.is_empty() {
            "nothing has happened yet this session".to_string()
        } else {
            format!("nothing matches /{filter} (esc clears it)")
        };
        return super::widgets::empty(f, area, t, &why);
    }
    // The table draws a list's window: here every item, the selection at `scroll`.
    let mut ls = ListState::new(crate::app::lists::ListView::Overview, None);
    ls.visible = (0..items.len()).collect();
    ls.selected = scroll.min(items.len() - 1);
    let height = area.height.saturating_sub(2).max(1) as usize;
    ls.offset = ls.selected.saturating_sub(height - 1);
    // UTC on screen, as the audit view and the export's first column (the export adds
    // local time).
    let mut cols = vec![short("UTC", 8)];
    if s.multi_context() {
        cols.push(super::widgets::names("CONTEXT"));
    }
    // Who and the audit hash need room: below 100 columns WHAT has it (Enter and the
    // detail strip show the whole entry).
    let wide = area.width >= 100;
    cols.push(fixed("KIND", 7));
    cols.push(rest("WHAT", 24));
    if wide {
        cols.push(super::widgets::text("BY", 10));
    }
    cols.push(short("OUTCOME", 10));
    if wide {
        cols.push(short("AUDIT", 8));
    }
    table(
        f,
        area,
        s,
        t,
        &cols,
        &ls,
        |_| None,
        |i| {
            let it = &items[i];
            let mut cells = vec![txt(it.utc.get(11..).unwrap_or(&it.utc))];
            if s.multi_context() {
                cells.push(ident(&it.context));
            }
            let style = match it.outcome.as_deref() {
                Some("succeeded") => t.style("severity.ok"),
                Some(_) => t.style("severity.crit"),
                None => t.style("text"),
            };
            let row = match it.kind {
                "warning" | "crash" => t.style("severity.warn"),
                "mark" => t.style("title"),
                _ => t.style("text"),
            };
            cells.push(txt(it.kind));
            cells.push(txt(what(it)));
            if wide {
                cells.push(txt(it.by.clone().unwrap_or_default()));
            }
            cells.push(txt(it.outcome.clone().unwrap_or_default()).style(style));
            if wide {
                cells.push(txt(it
                    .audit
                    .as_deref()
                    .map(|h| h.chars().take(8).collect::<String>())
                    .unwrap_or_default()));
            }
            (cells, row)
        },
    );
}
