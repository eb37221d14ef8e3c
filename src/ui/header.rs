//! The header line: product, each context with its connection state (live,
//! connecting, loading, stale since when and why, forbidden kinds), the namespace
//! scope, the view with how many rows it shows of how many, counts of what needs
//! attention, and the read-only lock.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use super::widgets::fit;
use crate::app::State;
use crate::app::state::{Reach, Screen};
use crate::config::theme::Theme;
use crate::util::severity::Severity;

fn clock(ts: i64) -> String {
    jiff::Timestamp::from_second(ts)
        .map(|t| t.strftime("%H:%M:%S").to_string())
        .unwrap_or_default()
}

/// `config.toml:3` (the file's name, not its directory).
fn short_place(d: &crate::config::diag::Diag) -> String {
    let name = std::path::Path::new(&d.file)
        .file_name()
        .map_or_else(|| d.file.clone(), |n| n.to_string_lossy().into_owned());
    let name = fit(&name, 24);
    if d.line > 0 {
        format!("{name}:{}", d.line)
    } else {
        name
    }
}

/// `50,000`.
pub fn thousands(n: usize) -> String {
    let d = n.to_string();
    let mut out = String::with_capacity(d.len() + d.len() / 3);
    for (i, ch) in d.chars().enumerate() {
        if i > 0 && (d.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(ch);
    }
    out
}

pub fn render(f: &mut Frame, area: Rect, s: &State, t: &Theme) {
    let mut spans: Vec<Span> = vec![Span::styled(" kdeck ", t.style("header"))];
    if let Some(d) = &s.locked {
        spans.push(Span::styled(
            format!("[🔒 {} error]", short_place(d)),
            t.style("header.readonly"),
        ));
        spans.push(Span::raw(" "));
    } else if s.readonly && s.replay.is_none() {
        // (A replay is read-only: its REPLAY cursor says so.)
        spans.push(Span::styled("[🔒 READ-ONLY]", t.style("header.readonly")));
        spans.push(Span::raw(" "));
    }
    // A keymap or theme error: the defaults are in use, said until it is fixed.
    if let Some(d) = s
        .diagnostics
        .iter()
        .find(|d| !d.warning && s.locked.as_ref() != Some(*d))
    {
        spans.push(Span::styled(
            format!("[⚠ {} error]", short_place(d)),
            t.style("severity.warn"),
        ));
        spans.push(Span::raw(" "));
    }
    if let Some(f) = s.flow.as_ref().filter(|f| f.hidden && f.running())
        && let Some(p) = &f.plan
    {
        spans.push(Span::styled(
            fit(&format!("[{} {}…]", p.action, p.target), 40),
            t.style("header.readonly"),
        ));
        spans.push(Span::raw(" "));
    }
    if let Some(r) = &s.replay {
        // A replay: the time cursor where the connections would be.
        let clock = |ms: i64| {
            jiff::Timestamp::from_millisecond(ms)
                .map(|t| t.strftime("%H:%M:%S").to_string())
                .unwrap_or_default()
        };
        spans.push(Span::styled(
            format!(
                "{} REPLAY {} ×{} ({}–{}){}",
                if r.playing { "▶" } else { "⏸" },
                clock(r.at),
                r.speed,
                clock(r.start),
                clock(r.end),
                if r.cut { " cut" } else { "" }
            ),
            t.style("header.readonly"),
        ));
        if let Some(p) = &r.prompt {
            spans.push(Span::styled(
                format!(" seek to @{p}_"),
                t.style("input.prompt"),
            ));
        }
        spans.push(Span::raw(" "));
    }
    let lead = spans;
    let ns = match (&s.scope_namespace, s.scope_context) {
        (Some(n), _) => format!(" │ ns:{n}"),
        (None, Some(c)) => format!(" │ ctx:{}", s.context_name(c)),
        _ => " │ all ns".to_string(),
    };
    let mut spans: Vec<Span> = Vec::new();
    spans.push(Span::styled(ns, t.style("text.dim")));
    let view = match s.screen() {
        Screen::List(l) => {
            let title = match (l.view, s.browse.as_ref()) {
                (crate::app::lists::ListView::Table(_), Some(b)) => b.title.clone(),
                _ => l.view.title().to_string(),
            };
            let base = match &l.scope {
                Some(sc) => format!("{title} of {}", sc.title()),
                None => title,
            };
            // How much there is: `Pods 50,000`, or `12 of 50,000` when filtered (a
            // scoped list, such as one workload's pods, says only its own count),
            // with `…` while the first answers are still coming.
            let total = crate::app::lists::len(l.view, &s.fleet);
            let shown = l.visible.len();
            let more = if s.loading() { "…" } else { "" };
            let mut text = if shown == total || l.scope.is_some() {
                format!(" │ {base} {}{more}", thousands(shown))
            } else {
                format!(
                    " │ {base} {} of {}{more}",
                    thousands(shown),
                    thousands(total)
                )
            };
            // A context or namespace every row shares (its column is dropped).
            text.push_str(&super::scope::said(s, &super::scope::shared(s, l)));
            // An active filter is said where the count it explains is.
            if !l.filter.is_empty() {
                text.push_str(&format!(" /{}", fit(&l.filter, 24)));
            }
            if let Some(sort) = l.sort {
                text.push_str(&format!(" {}", crate::app::sort::label(l.view, sort)));
            }
            text
        }
        Screen::Describe { target, .. } => {
            format!(" │ describe {}/{}", target.kind.plural(), target.name)
        }
        Screen::Yaml { title, .. } => format!(" │ {title}"),
        Screen::Logs => " │ logs".to_string(),
        Screen::Audit { .. } => " │ audit log".to_string(),
        Screen::Timeline { filter, .. } if filter.is_empty() => " │ timeline".to_string(),
        Screen::Timeline { filter, .. } => format!(" │ timeline /{}", fit(filter, 24)),
        Screen::Entry { item, .. } => format!(" │ timeline {} {}", item.kind, item.utc),
        Screen::Forwards { .. } => format!(
            " │ port-forwards {}",
            s.forwards.iter().filter(|f| f.active()).count()
        ),
    };
    spans.push(Span::styled(view, t.style("title")));
    let crit = s
        .fleet
        .workloads
        .iter()
        .filter(|w| w.assessment.severity == Severity::Critical)
        .count();
    let warn = s
        .fleet
        .workloads
        .iter()
        .filter(|w| w.assessment.severity == Severity::Warning)
        .count();
    if crit + warn > 0 {
        spans.push(Span::raw(" │ "));
        if crit > 0 {
            spans.push(Span::styled(
                format!("{crit} crit"),
                t.style("severity.crit"),
            ));
            spans.push(Span::raw(" "));
        }
        if warn > 0 {
            spans.push(Span::styled(
                format!("{warn} warn"),
                t.style("severity.warn"),
            ));
        }
    }
    // The view and its counts are what must stay readable: with many contexts, or
    // one that is stale with a long reason, the contexts are said shorter first.
    let tail = spans;
    let width = |v: &[Span]| v.iter().map(|s| s.width()).sum::<usize>();
    let room = area.width as usize;
    let fixed = width(&lead) + width(&tail);
    let mut line = lead;
    // A replay's contexts say no connection: the cursor is where they were.
    if s.replay.is_none() {
        let ctx = [Form::Long, Form::Short, Form::Count]
            .into_iter()
            .map(|form| contexts(s, t, form))
            .find(|c| fixed + width(c) <= room)
            .unwrap_or_else(|| contexts(s, t, Form::Count));
        line.extend(ctx);
    }
    line.extend(tail);
    f.render_widget(
        Paragraph::new(Line::from(line)).style(t.style("text")),
        area,
    );
}

/// How much the header says of each context.
#[derive(Clone, Copy, PartialEq)]
enum Form {
    /// `prod-eu ◐ stale since 10:02:11 (API server: connection refused)`.
    Long,
    /// `prod-eu ◐4m`.
    Short,
    /// `2 ctx ●1 ◐1`.
    Count,
}

fn contexts<'a>(s: &'a State, t: &Theme, form: Form) -> Vec<Span<'a>> {
    let mut spans: Vec<Span> = Vec::new();
    if form == Form::Count && s.contexts.len() == 1 {
        // One context: its name, shorter, and its mark.
        let mut one = contexts(s, t, Form::Short);
        if let Some(name) = one.first_mut() {
            *name = Span::styled(fit(&name.content, 8), name.style);
        }
        return one;
    }
    if form == Form::Count {
        let (mut live, mut stale, mut other) = (0, 0, 0);
        for c in &s.contexts {
            match c.reach() {
                Reach::Live => live += 1,
                Reach::Stale { .. } | Reach::Failed(_) => stale += 1,
                Reach::Connecting => other += 1,
            }
        }
        spans.push(Span::styled(
            format!("{} ctx", s.contexts.len()),
            t.style("text"),
        ));
        for (n, mark, slot) in [
            (live, "●", "header.context.live"),
            (stale, "◐", "header.context.stale"),
            (other, "○", "header.context.connecting"),
        ] {
            if n > 0 {
                spans.push(Span::styled(format!(" {mark}{n}"), t.style(slot)));
            }
        }
        return spans;
    }
    let long = form == Form::Long;
    for (i, c) in s.contexts.iter().enumerate() {
        if i > 0 {
            spans.push(Span::raw(" "));
        }
        spans.push(Span::styled(
            fit(&c.spec.name, if long { 24 } else { 12 }),
            t.style("text"),
        ));
        if c.readonly && !s.readonly {
            spans.push(Span::styled("🔒", t.style("header.readonly")));
        }
        spans.push(Span::raw(" "));
        let (text, slot) = match c.reach() {
            // Answering, but not every kind's state has arrived: not yet "live".
            Reach::Live if let Some((done, of)) = c.loading() => (
                if long {
                    format!("◌ loading {done}/{of}")
                } else {
                    format!("◌{done}/{of}")
                },
                "header.context.connecting",
            ),
            Reach::Live => (
                if long { "● live" } else { "●" }.to_string(),
                "header.context.live",
            ),
            Reach::Connecting => (
                if long { "○ connecting" } else { "○" }.to_string(),
                "header.context.connecting",
            ),
            Reach::Stale { since, reason } if long => (
                format!("◐ stale since {} ({})", clock(since), reason),
                "header.context.stale",
            ),
            Reach::Stale { since, .. } => (
                format!("◐{}", crate::util::age::age(s.now, since)),
                "header.context.stale",
            ),
            Reach::Failed(e) if long => (format!("✕ {e}"), "header.context.stale"),
            Reach::Failed(_) => ("✕".to_string(), "header.context.stale"),
        };
        if !long {
            spans.push(Span::styled(text, t.style(slot)));
            if !c.warnings.is_empty() || !c.forbidden().is_empty() {
                spans.push(Span::styled("⚠", t.style("severity.warn")));
            }
            continue;
        }
        spans.push(Span::styled(fit(&text, 60), t.style(slot)));
        // Said once as a notice when it came; marked here for as long as it holds.
        if let Some(w) = c.warnings.first() {
            let more = if c.warnings.len() > 1 {
                format!(" +{}", c.warnings.len() - 1)
            } else {
                String::new()
            };
            spans.push(Span::styled(
                fit(&format!(" ⚠ {w}{more}"), 36),
                t.style("severity.warn"),
            ));
        }
        let forbidden = c.forbidden();
        if !forbidden.is_empty() {
            spans.push(Span::styled(
                fit(&format!(" forbidden: {}", forbidden.join(",")), 40),
                t.style("header.context.forbidden"),
            ));
        }
    }
    spans
}

#[cfg(test)]
mod tests {
    #[test]
    fn counts_have_thousands_separators() {
        assert_eq!(super::thousands(0), "0");
        assert_eq!(super::thousands(999), "999");
        assert_eq!(super::thousands(1000), "1,000");
        assert_eq!(super::thousands(50_000), "50,000");
        assert_eq!(super::thousands(1_234_567), "1,234,567");
    }
}
