//! The YAML view: the object as the API server has it (fetched on demand, without
//! managedFields), sanitised, scrollable.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use super::widgets::{empty, fit};
use crate::app::State;
use crate::config::theme::Theme;

pub fn render(f: &mut Frame, area: Rect, s: &State, request: u64, scroll: usize, t: &Theme) {
    let Some(doc) = s.yaml.as_ref().filter(|y| y.request == request) else {
        return empty(f, area, t, "no document");
    };
    match &doc.lines {
        None => empty(f, area, t, "fetching…"),
        Some(Err(e)) => empty(f, area, t, &format!("could not fetch: {e}")),
        Some(Ok(lines)) => {
            let shown: Vec<Line> = lines
                .iter()
                .skip(scroll.min(lines.len().saturating_sub(1)))
                .take(area.height as usize)
                .map(|l| {
                    let st = if l.trim_start().starts_with('#') {
                        t.style("text.dim")
                    } else {
                        t.style("text")
                    };
                    Line::from(Span::styled(fit(l, area.width as usize), st))
                })
                .collect();
            f.render_widget(Paragraph::new(shown), area);
        }
    }
}
