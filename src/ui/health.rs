//! The health view: one row per probed endpoint, worst first — state, last and p95
//! latency, how long ago it was last checked, a sparkline of recent results (× a failure), the last error classified,
//! failures in a row, time in state, and pods probed. Under it, the selected
//! endpoint's per-pod breakdown and what its deep health said.

use ratatui::Frame;
use ratatui::layout::{Constraint::*, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph};

use super::widgets::{empty, fit, lead_cells, lead_cols, rest, severity_style, short, table, txt};
use crate::app::State;
use crate::app::lists::ListState;
use crate::config::theme::Theme;
use crate::probe::HealthState;
use crate::probe::book::sparkline;
use crate::util::age::age;

fn ms(v: Option<u32>) -> String {
    match v {
        Some(m) if m >= 10_000 => format!("{}s", m / 1000),
        Some(m) if m >= 1000 => format!("{:.1}s", m as f64 / 1000.0),
        Some(m) => format!("{m}ms"),
        None => "-".into(),
    }
}

/// Rows the breakdown pane takes at this body height (none when short).
pub fn pane_height(body_h: u16) -> u16 {
    if body_h >= 16 {
        (body_h / 3).clamp(5, 12)
    } else {
        0
    }
}

pub fn render(f: &mut Frame, area: Rect, s: &State, ls: &ListState, t: &Theme) {
    if ls.visible.is_empty() {
        let what = if s.watching.probes.enabled || !s.watching.endpoints.is_empty() {
            "no endpoints probed yet (HTTP probes in pod templates and [[endpoint]] in config.toml)"
        } else {
            "health probing is off ([probes] enabled = false)"
        };
        return empty(f, area, t, what);
    }
    let pane = pane_height(area.height);
    let [top, bottom] = Layout::vertical([Fill(1), Length(pane)]).areas(area);
    let wide = top.width >= 120;
    let sh = super::scope::shared(s, ls);
    let mut cols = lead_cols(s, &sh);
    cols.push(super::widgets::names("ENDPOINT"));
    cols.push(short("STATE", 8));
    cols.push(short("LAST", 6));
    // How old the verdict is: a stale "ok" is not an ok.
    cols.push(short("CHECKED", 7));
    if wide {
        cols.push(short("P95", 6));
        cols.push(super::widgets::fixed("RECENT", 20));
        cols.push(short("FAILS", 5));
        cols.push(short("SINCE", 6));
        cols.push(short("PODS", 4));
    }
    cols.push(rest("ERROR", 12));
    table(
        f,
        top,
        s,
        t,
        &cols,
        ls,
        |i| s.fleet.health.get(i).and_then(|r| r.key.ctx),
        |i| {
            let r = &s.fleet.health[i];
            let e = s.health.endpoints.get(&r.key);
            let sev = r.state.severity();
            let st = severity_style(t, sev);
            let mut cells = lead_cells(s, t, &sh, sev, r.key.ctx, &r.key.namespace);
            let name = if r.key.workload.is_empty() {
                r.key.name.to_string()
            } else if wide {
                format!("{} {}", r.key.workload, r.key.name)
            } else {
                // Narrow: `flextime-api :3005/health` (the kind and container are in the
                // pane below and on wide screens).
                let wl = r
                    .key
                    .workload
                    .strip_prefix("deploy/")
                    .unwrap_or(&r.key.workload);
                let ep = r
                    .key
                    .name
                    .find(':')
                    .map_or(&*r.key.name, |i| &r.key.name[i..]);
                format!("{wl} {ep}")
            };
            cells.push(super::widgets::lead(name));
            cells.push(txt(r.state.label()).style(st));
            cells.push(txt(ms(e
                .and_then(|e| e.last.as_ref())
                .map(|v| v.latency_ms))));
            cells.push(txt(e
                .filter(|e| e.last.is_some())
                .map(|e| age(s.now, e.last_at))
                .unwrap_or_else(|| "never".into())));
            if wide {
                cells.push(txt(ms(e.and_then(|e| e.p95()))));
                cells.push(txt(e.map(|e| sparkline(&e.recent, 20)).unwrap_or_default()));
                cells.push(txt(r.failures.to_string()));
                cells.push(txt(age(s.now, r.since)));
                cells.push(txt(r.pods.to_string()));
            }
            cells.push(txt(crate::util::age::clocked(&r.reason, s.now)).style(
                if r.state > HealthState::Ok {
                    st
                } else {
                    t.style("text.dim")
                },
            ));
            (cells, t.style("text"))
        },
    );
    if pane == 0 {
        return;
    }
    let Some(row) = ls.current().and_then(|i| s.fleet.health.get(i)) else {
        return;
    };
    let block = Block::default()
        .borders(Borders::TOP)
        .border_style(t.style("border"))
        .title(Span::styled(
            format!(" {} — {} ", row.key.name, row.request),
            t.style("title"),
        ));
    let inner = block.inner(bottom);
    f.render_widget(block, bottom);
    let Some(e) = s.health.endpoints.get(&row.key) else {
        return;
    };
    let width = inner.width as usize;
    let mut lines: Vec<Line> = Vec::new();
    for (pod, r) in e.pods.iter() {
        let v = &r.verdict;
        let head = format!(
            "{:<8} {:>6}  {}",
            v.state.label(),
            ms(Some(v.latency_ms)),
            if pod.is_empty() { "-" } else { pod.as_ref() }
        );
        // The checks first (database, redis: what the runbooks ask), then the rest.
        let mut facts = Vec::new();
        if let Some(d) = &v.deep {
            if !d.checks.is_empty() {
                facts.push(
                    d.checks
                        .iter()
                        .map(|c| format!("{} {}", c.name, c.state.label()))
                        .collect::<Vec<_>>()
                        .join(", "),
                );
            }
            if let Some(x) = &d.breaker {
                facts.push(format!("breaker {x}"));
            }
            if let Some(x) = &d.version {
                facts.push(format!("version {x}"));
            }
            if let Some(x) = &d.leader {
                facts.push(format!("leader {x}"));
            }
        }
        if let Some((class, m)) = &v.error {
            facts.push(format!("[{class}] {m}"));
        }
        let style = severity_style(t, v.state.severity());
        let detail = facts.join("; ");
        let one = if detail.is_empty() {
            head.clone()
        } else {
            format!("{head}  {detail}")
        };
        if unicode_width::UnicodeWidthStr::width(one.as_str()) <= width || detail.is_empty() {
            lines.push(Line::from(Span::styled(fit(&one, width), style)));
        } else {
            // Narrow (80 columns): the pod on one line, what it said under it.
            lines.push(Line::from(Span::styled(fit(&head, width), style)));
            lines.push(Line::from(Span::styled(
                fit(&format!("  {detail}"), width),
                t.style("text"),
            )));
        }
    }
    f.render_widget(Paragraph::new(lines), inner);
}
