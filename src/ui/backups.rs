//! The backups view: each backup CronJob (and VolumeSnapshots per source PVC) with its
//! verdict — fresh, stale, failing, running, suspended, never-run — last success and
//! its age, next run, the schedule in words and why; under it, the selected backup's
//! last runs with duration and result (`l` shows a failed run's logs).

use ratatui::Frame;
use ratatui::layout::{Constraint::*, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph};

use super::widgets::{
    Common, empty, fit, ident, lead_cells, lead_cols, names, rest, severity_style, table, txt,
};
use crate::app::State;
use crate::app::lists::ListState;
use crate::cluster::kinds::JobOutcome;
use crate::config::theme::Theme;
use crate::fleet::backups::BackupSource;
use crate::util::age::{age, short};
use crate::util::severity::Severity;

fn mark(o: JobOutcome) -> char {
    match o {
        JobOutcome::Complete => '✓',
        JobOutcome::Failed => '✗',
        JobOutcome::Running => '…',
    }
}

/// The cells of backup `i`.
fn row(
    s: &State,
    t: &Theme,
    sh: &Common,
    wide: bool,
    i: usize,
) -> (Vec<super::widgets::Txt>, ratatui::style::Style) {
    let r = &s.fleet.backups[i];
    let now = s.ctx_now(r.ctx);
    let sev = r.assessment.severity;
    let st = severity_style(t, sev);
    let mut cells = lead_cells(s, t, sh, sev, Some(r.ctx), &r.namespace);
    cells.push(ident(&*r.name));
    cells.push(txt(r.freshness.label()).style(st));
    cells.push(txt(r
        .last_success
        .map(|x| age(now, x))
        .unwrap_or_else(|| "never".into())));
    if wide {
        cells.push(txt(r
            .next_run
            .map(|n| format!("in {}", short(n - now)))
            .unwrap_or_else(|| "-".into())));
        let sched = match &r.source {
            BackupSource::CronJob { words, .. } => words.clone(),
            BackupSource::Snapshots { count, .. } => format!("{count} VolumeSnapshots"),
        };
        cells.push(txt(sched));
        let runs: String = r.runs.iter().rev().map(|j| mark(j.outcome)).collect();
        cells.push(txt(runs));
    }
    cells.push(
        txt(crate::util::age::clocked(&r.why, now)).style(if sev >= Severity::Warning {
            st
        } else {
            t.style("text.dim")
        }),
    );
    (cells, t.style("text"))
}

pub fn render(f: &mut Frame, area: Rect, s: &State, ls: &ListState, t: &Theme) {
    if ls.visible.is_empty() {
        return empty(
            f,
            area,
            t,
            "no backups: label a CronJob kdeck.io/backup=true or list it in [backups] include",
        );
    }
    let pane = super::health::pane_height(area.height);
    let [top, bottom] = Layout::vertical([Fill(1), Length(pane)]).areas(area);
    let wide = top.width >= 120;
    let sh = super::scope::shared(s, ls);
    let mut cols = lead_cols(s, &sh);
    cols.push(names("BACKUP"));
    cols.push(super::widgets::short("VERDICT", 9));
    cols.push(super::widgets::short("LAST OK", 7));
    if wide {
        cols.push(super::widgets::short("NEXT", 8));
        cols.push(super::widgets::text("SCHEDULE", 12));
        cols.push(super::widgets::short("RUNS", 10));
    }
    cols.push(rest("WHY", 20));
    table(
        f,
        top,
        s,
        t,
        &cols,
        ls,
        |i| s.fleet.backups.get(i).map(|r| r.ctx),
        |i| row(s, t, &sh, wide, i),
    );
    if pane == 0 {
        return;
    }
    let Some(row) = ls.current().and_then(|i| s.fleet.backups.get(i)) else {
        return;
    };
    let title = match &row.source {
        BackupSource::CronJob {
            schedule, words, ..
        } => {
            format!(
                " runs of {}/{} — {schedule} ({words}) ",
                row.namespace, row.name
            )
        }
        BackupSource::Snapshots { pvc, .. } => {
            format!(" snapshots of {}/{pvc} ", row.namespace)
        }
    };
    let block = Block::default()
        .borders(Borders::TOP)
        .border_style(t.style("border"))
        .title(Span::styled(title, t.style("title")));
    let inner = block.inner(bottom);
    f.render_widget(block, bottom);
    let now = s.ctx_now(row.ctx);
    let width = inner.width as usize;
    let mut lines: Vec<Line> = row
        .runs
        .iter()
        .map(|j| {
            let result = match j.outcome {
                JobOutcome::Complete => "succeeded",
                JobOutcome::Failed => "failed",
                JobOutcome::Running => "running",
            };
            let text = format!(
                "{} {:<9} {:>7} ago  took {:>6}  {}{}{}",
                mark(j.outcome),
                result,
                j.start.map(|x| age(now, x)).unwrap_or_else(|| "?".into()),
                j.duration().map(short).unwrap_or_else(|| "-".into()),
                j.name,
                if j.manual { " (manual)" } else { "" },
                if j.reason.is_empty() {
                    String::new()
                } else {
                    format!("  {}", j.reason)
                }
            );
            let style = match j.outcome {
                JobOutcome::Failed => severity_style(t, Severity::Warning),
                _ => t.style("text"),
            };
            Line::from(Span::styled(fit(&text, width), style))
        })
        .collect();
    if lines.is_empty() {
        lines.push(Line::from(Span::styled(
            "no runs seen",
            t.style("text.dim"),
        )));
    }
    f.render_widget(Paragraph::new(lines), inner);
}
