//! The logs view: one container, or all pods of a workload merged with a pod prefix;
//! a status line (following or paused, wrap, search and its match), the newest lines
//! at the bottom, search matches highlighted. Lines are sanitised on arrival.

use ratatui::Frame;
use ratatui::layout::{Constraint::*, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};

use super::widgets::{empty, fit};
use crate::app::State;
use crate::app::logs::LogsState;
use crate::config::theme::Theme;

fn short_pod(pod: &str) -> &str {
    // The pod's distinguishing suffix (`…-7d9f8-x2k4q` → `x2k4q`).
    pod.rsplit('-').next().unwrap_or(pod)
}

fn highlight<'a>(
    text: &'a str,
    needle: &str,
    base: ratatui::style::Style,
    hit: ratatui::style::Style,
) -> Vec<Span<'a>> {
    if needle.is_empty() {
        return vec![Span::styled(text, base)];
    }
    let lower = text.to_lowercase();
    let n = needle.to_lowercase();
    let mut out = Vec::new();
    let mut i = 0;
    while let Some(pos) = lower[i..].find(&n) {
        let start = i + pos;
        let end = start + n.len();
        if !text.is_char_boundary(start) || !text.is_char_boundary(end) {
            break;
        }
        out.push(Span::styled(&text[i..start], base));
        out.push(Span::styled(&text[start..end], hit));
        i = end;
    }
    out.push(Span::styled(&text[i..], base));
    out
}

fn status(l: &LogsState) -> String {
    let mut parts = vec![l.title.clone()];
    // Said early, so 80 columns still show it.
    if l.containers.len() > 1 {
        parts.push(format!("C:{} containers", l.containers.len()));
    }
    parts.push(if l.paused || l.scroll > 0 {
        format!("PAUSED (+{} below)", l.scroll)
    } else {
        "following".into()
    });
    if l.previous {
        parts.push("previous container".into());
    }
    if let Some(since) = l.since {
        parts.push(format!(
            "since {}",
            crate::app::logs::since_label(Some(since))
        ));
    }
    if l.timestamps {
        parts.push("timestamps".into());
    }
    if l.wrap {
        parts.push("wrap".into());
    }
    if !l.search.is_empty() {
        let count = (0..l.lines.len()).filter(|i| l.matches(*i)).count();
        parts.push(format!("search {:?}: {count} matches", l.search));
    }
    let ended: Vec<String> = l
        .streams
        .iter()
        .filter_map(|s| {
            s.ended
                .as_ref()
                .map(|e| format!("{}: {e}", short_pod(&s.pod)))
        })
        .collect();
    if !ended.is_empty() {
        parts.push(format!("ended — {}", ended.join("; ")));
    }
    parts.join(" │ ")
}

pub fn render(f: &mut Frame, area: Rect, s: &State, t: &Theme) {
    let Some(l) = s.logs.as_ref() else {
        return empty(f, area, t, "no log stream");
    };
    let [head, body] = Layout::vertical([Length(1), Fill(1)]).areas(area);
    let st = if l.paused || l.scroll > 0 {
        t.style("log.paused")
    } else {
        t.style("title")
    };
    f.render_widget(
        Paragraph::new(Span::styled(fit(&status(l), head.width as usize), st)),
        head,
    );
    if l.lines.is_empty() {
        return empty(f, body, t, "waiting for log lines…");
    }
    let h = body.height as usize;
    let end = l.lines.len().saturating_sub(l.scroll);
    let start = end.saturating_sub(h);
    let lines: Vec<Line> = (start..end)
        .map(|i| {
            let line = &l.lines[i];
            let mut spans = Vec::new();
            if l.prefixed {
                spans.push(Span::styled(
                    format!("{:<6}", short_pod(&line.pod)),
                    t.style("log.prefix"),
                ));
                spans.push(Span::raw(" "));
            }
            let base = if l.current_match == Some(i) {
                t.style("table.selected")
            } else {
                t.style("text")
            };
            spans.extend(highlight(&line.text, &l.search, base, t.style("log.match")));
            Line::from(spans)
        })
        .collect();
    let mut p = Paragraph::new(lines);
    if l.wrap {
        p = p.wrap(Wrap { trim: false });
    }
    f.render_widget(p, body);
}
