//! The footer line: the open input (filter, command with completions, search), or a
//! notice, or key hints generated from the active keymap for the current screen.

use ratatui::Frame;
use ratatui::layout::{Position, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;
use unicode_width::UnicodeWidthStr;

use super::widgets::fit;
use crate::app::State;
use crate::app::command::Command;
use crate::app::state::Input;
use crate::config::keymap::Mode;
use crate::config::theme::Theme;

/// The hints shown per mode: (action, label), most useful first.
pub fn hints(mode: Mode) -> &'static [(Command, &'static str)] {
    match mode {
        Mode::Logs => &[
            (Command::LogsPause, "pause"),
            (Command::LogsFollow, "follow"),
            (Command::Filter, "search"),
            (Command::SearchNext, "next"),
            (Command::LogsPrevious, "previous"),
            (Command::LogsWrap, "wrap"),
            (Command::Back, "back"),
            (Command::Help, "help"),
        ],
        Mode::Detail => &[
            (Command::Describe, "describe"),
            (Command::Yaml, "yaml"),
            (Command::Logs, "logs"),
            (Command::Back, "back"),
            (Command::Help, "help"),
            (Command::Quit, "quit"),
        ],
        _ => &[
            (Command::Select, "open"),
            (Command::ActionMenu, "actions"),
            (Command::Logs, "logs"),
            (Command::Describe, "describe"),
            (Command::Filter, "filter"),
            (Command::Command, "cmd"),
            (Command::Help, "help"),
            (Command::Quit, "quit"),
            (Command::NextView, "view"),
        ],
    }
}

/// The timeline's hints (its keys are the detail mode's).
const TIMELINE: &[(Command, &str)] = &[
    (Command::Select, "open"),
    (Command::Filter, "filter"),
    (Command::Mark, "mark"),
    (Command::ExportTimeline, "export"),
    (Command::Back, "back"),
    (Command::Help, "help"),
];

fn input_line(
    f: &mut Frame,
    area: Rect,
    prompt: &str,
    text: &str,
    cursor: usize,
    extra: &str,
    t: &Theme,
) {
    let shown_text = fit(
        text,
        (area.width as usize).saturating_sub(prompt.width() + 2),
    );
    let line = Line::from(vec![
        Span::styled(prompt.to_string(), t.style("input.prompt")),
        Span::styled(shown_text.clone(), t.style("input")),
        Span::styled(
            fit(
                extra,
                (area.width as usize).saturating_sub(prompt.width() + shown_text.width() + 2),
            ),
            t.style("input.completion"),
        ),
    ]);
    f.render_widget(Paragraph::new(line), area);
    let before: String = text.chars().take(cursor).collect();
    let x = area.x
        + (prompt.width() + before.width()).min(area.width.saturating_sub(1) as usize) as u16;
    f.set_cursor_position(Position { x, y: area.y });
}

pub fn render(f: &mut Frame, area: Rect, s: &State, t: &Theme) {
    match &s.input {
        Input::Filter(i) => return input_line(f, area, "/", &i.text, i.cursor, "", t),
        Input::Search(i) => return input_line(f, area, "search: ", &i.text, i.cursor, "", t),
        Input::Command(i) => {
            let ctxs: Vec<String> = s.contexts.iter().map(|c| c.spec.name.clone()).collect();
            // While ↑↓ walk the candidates, they are those of what was typed, the
            // one shown marked.
            let (base, at) = match &s.pick {
                Some((b, a)) => (b.as_str(), Some(*a)),
                None => (i.text.as_str(), None),
            };
            let cands = crate::app::typed::complete(
                base,
                &s.namespaces(),
                &ctxs,
                &crate::app::browse::names(s),
            );
            let start = at.map_or(0, |a| a.saturating_sub(3));
            let extra = if base.is_empty() || cands.is_empty() {
                String::new()
            } else {
                let shown: Vec<String> = cands
                    .iter()
                    .enumerate()
                    .skip(start)
                    .take(8)
                    .map(|(n, c)| {
                        let word = c.rsplit(' ').next().unwrap_or(c);
                        if Some(n) == at {
                            format!("[{word}]")
                        } else {
                            word.to_string()
                        }
                    })
                    .collect();
                let more = cands.len().saturating_sub(start + 8);
                format!(
                    "   {}{}",
                    shown.join(" "),
                    if more > 0 {
                        format!(" +{more}")
                    } else {
                        String::new()
                    }
                )
            };
            return input_line(f, area, ":", &i.text, i.cursor, &extra, t);
        }
        Input::None => {}
    }
    if let Some(n) = &s.notice {
        let st = if n.error {
            t.style("toast.error")
        } else {
            t.style("toast.ok")
        };
        f.render_widget(
            Paragraph::new(Span::styled(
                fit(&format!(" {} ", n.text), area.width as usize),
                st,
            )),
            area,
        );
        return;
    }
    let mode = s.mode();
    let mut spans: Vec<Span> = Vec::new();
    let mut used = 0usize;
    let shown = match s.screen() {
        crate::app::state::Screen::Timeline { .. } => TIMELINE,
        _ => hints(mode),
    };
    for (a, label) in shown {
        let Some(k) = s.keymap.keys_for(mode, *a).into_iter().next() else {
            continue;
        };
        let key = match k.to_string().as_str() {
            "enter" => "⏎".to_string(),
            other => other.to_string(),
        };
        let w = key.width() + 1 + label.width() + 2;
        if used + w > area.width as usize {
            break;
        }
        used += w;
        spans.push(Span::styled(key, t.style("footer.key")));
        spans.push(Span::styled(format!(" {label}  "), t.style("footer")));
    }
    f.render_widget(Paragraph::new(Line::from(spans)), area);
}
