//! The help overlay, generated from the active keymap: every mode's bindings with the
//! action's description, plus the command line's commands.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use super::widgets::{centred, fit, popup};
use crate::app::State;
use crate::app::lists::ListView;
use crate::config::keymap::Mode;
use crate::config::theme::Theme;

/// The help text as lines (keys, description), for drawing and for tests.
pub fn lines(s: &State) -> Vec<(String, String, bool)> {
    let mut out = Vec::new();
    for mode in Mode::ALL {
        let section = s.keymap.section(mode);
        if section.is_empty() {
            continue;
        }
        out.push((format!("{} keys", mode.name()), String::new(), true));
        for (action, keys) in section {
            let keys: Vec<String> = keys.iter().map(|k| k.to_string()).collect();
            out.push((keys.join(" "), action.description().to_string(), false));
        }
    }
    out.push(("commands".into(), String::new(), true));
    for v in ListView::ALL {
        out.push((
            format!(":{}", v.commands().join(" :")),
            format!("{} view", v.title()),
            false,
        ));
    }
    out.push((
        ":ns NAME / :ns all".into(),
        "narrow to a namespace / show all".into(),
        false,
    ));
    out.push((
        ":ctx NAME / :ctx all".into(),
        "narrow to a context / show all".into(),
        false,
    ));
    out.push((":audit".into(), "the audit log".into(), false));
    out.push((":q".into(), "quit".into(), false));
    out
}

pub fn render(f: &mut Frame, area: Rect, s: &State, t: &Theme) {
    let w = area.width.saturating_sub(4).min(90);
    let h = area.height.saturating_sub(2);
    let inner = popup(f, centred(area, w, h), "help — esc closes, j/k scroll", t);
    let all = lines(s);
    let keyw = 22usize.min(inner.width as usize / 3);
    let rows: Vec<Line> = all
        .iter()
        .skip(s.help_scroll.min(all.len().saturating_sub(1)))
        .take(inner.height as usize)
        .map(|(k, d, heading)| {
            if *heading {
                Line::from(Span::styled(k.clone(), t.style("help.section")))
            } else {
                Line::from(vec![
                    Span::styled(super::widgets::pad(k, keyw), t.style("help.key")),
                    Span::raw(" "),
                    Span::styled(
                        fit(d, (inner.width as usize).saturating_sub(keyw + 1)),
                        t.style("text"),
                    ),
                ])
            }
        })
        .collect();
    f.render_widget(Paragraph::new(rows), inner);
}
