//! One timeline entry opened (Enter in the timeline): everything it says — both
//! clocks, context, who acted, the outcome and the whole audit hash — a new
//! revision's pod template diff, and then the page of the object it is about, from
//! its last recorded state when it no longer exists. The detail keys (`d`, `y`, `l`)
//! act on that object.

use ratatui::Frame;
use ratatui::layout::Rect;

use crate::app::State;
use crate::app::record::timeline::Item;
use crate::config::theme::Theme;

/// The entry's page as (key, value) lines, before wrapping.
pub fn page(s: &State, item: &Item) -> Vec<(String, String)> {
    let mut out = vec![
        (
            "When".to_string(),
            format!("{} UTC ({})", item.utc, item.local),
        ),
        ("Context".to_string(), item.context.clone()),
        ("Kind".to_string(), item.kind.to_string()),
        ("What".to_string(), item.what.clone()),
    ];
    let mut kv = |k: &str, v: &Option<String>| {
        if let Some(v) = v {
            out.push((k.to_string(), v.clone()));
        }
    };
    kv("By", &item.by);
    kv("Outcome", &item.outcome);
    kv("Audit hash", &item.audit);
    if !item.diff.is_empty() {
        out.push(("Template".into(), "what the new revision changed:".into()));
        out.extend(item.diff.iter().map(|l| (String::new(), format!("  {l}"))));
    }
    if let Some(tg) = crate::app::nav::entry_target(item) {
        out.push((String::new(), String::new()));
        use crate::app::command::Command;
        let keys: Vec<String> = [
            (Command::Describe, "describe"),
            (Command::Yaml, "yaml"),
            (Command::Logs, "logs"),
        ]
        .iter()
        .filter_map(|(c, what)| {
            let k = s.keymap.keys_for(crate::config::keymap::Mode::Detail, *c);
            k.first().map(|k| format!("{k} {what}"))
        })
        .collect();
        out.push((
            "Object".into(),
            format!(
                "{}/{} now{}",
                tg.kind.info().singular,
                tg.name,
                if keys.is_empty() {
                    String::new()
                } else {
                    format!(" ({})", keys.join(", "))
                }
            ),
        ));
        out.extend(super::describe::page(s, &tg));
    }
    out
}

pub fn render(f: &mut Frame, area: Rect, s: &State, item: &Item, scroll: usize, t: &Theme) {
    let lines = super::describe::wrap_page(page(s, item), area.width as usize);
    super::describe::draw(f, area, &lines, scroll, t);
}
