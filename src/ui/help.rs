//! The help overlay, generated from the active keymap: every mode's bindings with the
//! action's description, plus the command line's commands.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use super::widgets::{centred, popup};
use crate::app::State;
use crate::app::lists::ListView;
use crate::config::keymap::Mode;
use crate::config::theme::Theme;

/// What a command does in `mode`, as the footer of that mode calls it too (in the
/// logs view `/` searches: matches are marked and `n` moves between them).
fn description(mode: Mode, action: crate::app::command::Command) -> &'static str {
    match (mode, action) {
        (Mode::Logs, crate::app::command::Command::Filter) => "search the log (n: next match)",
        _ => action.description(),
    }
}

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
            out.push((keys.join(" "), description(mode, action).to_string(), false));
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
    // Keys as wide as the widest (a third of the box at most); a description that
    // does not fit goes on under itself, never cut.
    let keyw = all
        .iter()
        .filter(|(_, _, h)| !h)
        .map(|(k, _, _)| unicode_width::UnicodeWidthStr::width(k.as_str()))
        .max()
        .unwrap_or(10)
        .min(inner.width as usize / 3);
    let descw = (inner.width as usize).saturating_sub(keyw + 1);
    let mut drawn: Vec<Line> = Vec::new();
    for (k, d, heading) in &all {
        if *heading {
            drawn.push(Line::from(Span::styled(k.clone(), t.style("help.section"))));
            continue;
        }
        let keys = super::widgets::wrap(k, keyw);
        let desc = super::widgets::wrap(d, descw);
        for i in 0..keys.len().max(desc.len()) {
            drawn.push(Line::from(vec![
                Span::styled(
                    super::widgets::pad(keys.get(i).map_or("", String::as_str), keyw),
                    t.style("help.key"),
                ),
                Span::raw(" "),
                Span::styled(desc.get(i).cloned().unwrap_or_default(), t.style("text")),
            ]));
        }
    }
    let top = s.help_scroll.min(drawn.len().saturating_sub(1));
    let rows: Vec<Line> = drawn
        .into_iter()
        .skip(top)
        .take(inner.height as usize)
        .collect();
    f.render_widget(Paragraph::new(rows), inner);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::app::command::Command;

    #[test]
    fn the_logs_help_and_footer_agree_that_slash_searches() {
        let footer = crate::ui::footer::hints(Mode::Logs)
            .iter()
            .find(|(c, _)| *c == Command::Filter)
            .map(|(_, l)| *l);
        assert_eq!(footer, Some("search"));
        assert!(description(Mode::Logs, Command::Filter).starts_with("search"));
        assert_eq!(
            description(Mode::List, Command::Filter),
            Command::Filter.description()
        );
    }
}
