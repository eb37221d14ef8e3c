//! Drawing a frame from `&State`: header, the current screen, footer, and the help
//! overlay. No I/O, no blocking; only the rows in view are built.

use ratatui::Frame;
use ratatui::layout::{Constraint::*, Layout, Rect};

use super::{
    alerts, backups, describe, events, footer, header, health, help, hpas, logs, overview, pods,
    resources, services, widgets, workloads, yaml,
};
use crate::app::State;
use crate::app::lists::ListView;
use crate::app::state::Screen;
use crate::config::theme::Theme;

/// Smallest usable terminal.
/// (The width a confirmation needs: below it nothing would show what `y` confirms.)
pub const MIN_W: u16 = crate::app::guard::MIN_SIZE.0;
pub const MIN_H: u16 = 6;

/// The body area of a terminal of this size (where lists draw, header row included).
pub fn body_area(area: Rect) -> Rect {
    let [_, body, _] = Layout::vertical([Length(1), Fill(1), Length(1)]).areas(area);
    body
}

/// Rows a list has room for (the body minus its header row).
pub fn page_rows(area: Rect, s: &State) -> usize {
    let body = body_area(area);
    let h = match s.list().map(|l| l.view) {
        Some(ListView::Workloads) => body.height.saturating_sub((body.height / 3).clamp(5, 12)),
        Some(ListView::Health | ListView::Backups) => {
            body.height.saturating_sub(health::pane_height(body.height))
        }
        Some(ListView::Alerts) if s.alert_feeds.iter().any(|f| f.error.is_some()) => {
            body.height.saturating_sub(1)
        }
        _ => body.height,
    };
    // The table's header row, and its detail strip when there is room for one.
    let strip = (h >= 4) as u16;
    h.saturating_sub(1 + strip).max(1) as usize
}

pub fn render(f: &mut Frame, s: &State, t: &Theme) {
    let area = f.area();
    if area.width < MIN_W || area.height < MIN_H {
        widgets::empty(f, area, t, &format!("kdeck needs at least {MIN_W}×{MIN_H}"));
        return;
    }
    let [head, body, foot] = Layout::vertical([Length(1), Fill(1), Length(1)]).areas(area);
    header::render(f, head, s, t);
    match s.screen() {
        Screen::List(ls) => match ls.view {
            ListView::Overview => overview::render(f, body, s, ls, t),
            ListView::Pods => pods::render(f, body, s, ls, t),
            ListView::Workloads => workloads::render(f, body, s, ls, t),
            ListView::Hpas => hpas::render(f, body, s, ls, t),
            ListView::Events => events::render(f, body, s, ls, t),
            ListView::Services => services::render(f, body, s, ls, t),
            ListView::Resources => resources::render(f, body, s, ls, t),
            ListView::Health => health::render(f, body, s, ls, t),
            ListView::Backups => backups::render(f, body, s, ls, t),
            ListView::Alerts => alerts::render(f, body, s, ls, t),
            ListView::Kind(k) => super::kinds::render(f, body, s, ls, k, t),
            ListView::Table(_) => super::table::render(f, body, s, ls, t),
        },
        Screen::Describe { target, scroll } => describe::render(f, body, s, target, *scroll, t),
        Screen::Yaml {
            request, scroll, ..
        } => yaml::render(f, body, s, *request, *scroll, t),
        Screen::Logs => logs::render(f, body, s, t),
        Screen::Audit { scroll } => super::audit::render(f, body, s, *scroll, t),
        Screen::Timeline { scroll, filter } => {
            super::timeline::render(f, body, s, *scroll, filter, t)
        }
        Screen::Entry { item, scroll } => super::entry::render(f, body, s, item, *scroll, t),
        Screen::Forwards { selected } => super::forwards::render(f, body, s, *selected, t),
    }
    footer::render(f, foot, s, t);
    super::dialog::render(f, body, s, t);
    if s.help {
        help::render(f, area, s, t);
    }
}
