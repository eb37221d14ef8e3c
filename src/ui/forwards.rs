//! The forwards view (`W`, `:pf`): this session's port-forwards — local address,
//! target and the pod it reaches now, connections, bytes each way, since when —
//! with the selected one's last note (a move, a failed connection) under the table.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Cell, Paragraph, Row, Table};

use super::widgets::fit;
use crate::app::State;
use crate::app::forwards::ForwardState;
use crate::config::theme::Theme;

fn bytes(n: u64) -> String {
    match n {
        n if n >= 10 << 20 => format!("{} MiB", n >> 20),
        n if n >= 10 << 10 => format!("{} KiB", n >> 10),
        n => format!("{n} B"),
    }
}

pub fn render(f: &mut Frame, area: Rect, s: &State, selected: usize, t: &Theme) {
    if s.forwards.is_empty() {
        super::widgets::empty(
            f,
            area,
            t,
            "no port-forwards: F on a pod, workload or Service starts one",
        );
        return;
    }
    let [table_area, note] =
        Layout::vertical([Constraint::Fill(1), Constraint::Length(1)]).areas(area);
    let header = [
        "LOCAL", "TARGET", "POD", "STATE", "CONN", "IN", "OUT", "SINCE",
    ];
    let widths = [
        Constraint::Length(21),
        Constraint::Fill(2),
        Constraint::Fill(2),
        Constraint::Length(8),
        Constraint::Length(5),
        Constraint::Length(8),
        Constraint::Length(8),
        Constraint::Length(6),
    ];
    let rows: Vec<Row> = s
        .forwards
        .iter()
        .enumerate()
        .map(|(i, fw)| {
            let (state, slot) = match &fw.state {
                ForwardState::Starting => ("starting", "text.dim"),
                ForwardState::Active => ("active", "severity.ok"),
                ForwardState::NoPod(_) => ("no pod", "severity.crit"),
                ForwardState::Ended(_) => ("stopped", "text.dim"),
            };
            let target = if s.multi_context() {
                format!(
                    "{}/{} {}:{}",
                    s.context_name(fw.ctx),
                    fw.namespace,
                    fw.via,
                    fw.port
                )
            } else {
                format!("{}/{}:{}", fw.namespace, fw.via, fw.port)
            };
            let pod = fw
                .pod
                .as_ref()
                .map_or("—".to_string(), |(p, port)| format!("{p}:{port}"));
            let row = Row::new(vec![
                Cell::from(fit(&fw.local, 21)),
                Cell::from(target),
                Cell::from(pod),
                Cell::from(Span::styled(state, t.style(slot))),
                Cell::from(fw.connections.to_string()),
                Cell::from(bytes(fw.bytes_in)),
                Cell::from(bytes(fw.bytes_out)),
                Cell::from(crate::util::age::age(s.now, fw.since)),
            ]);
            if i == selected {
                row.style(t.style("table.selected"))
            } else {
                row
            }
        })
        .collect();
    let table = Table::new(rows, widths)
        .header(Row::new(header).style(t.style("table.header")))
        .column_spacing(1)
        .style(t.style("text"));
    f.render_widget(table, table_area);
    let text = s
        .forwards
        .get(selected)
        .map(|fw| match (&fw.state, &fw.note) {
            (ForwardState::Ended(why), _) => format!("stopped: {why}"),
            (ForwardState::NoPod(why), _) => why.clone(),
            (_, Some(n)) => n.clone(),
            _ => "ctrl-k stops the selected forward (audited)".into(),
        })
        .unwrap_or_default();
    f.render_widget(
        Paragraph::new(Line::from(Span::styled(
            fit(&format!(" {text}"), note.width as usize),
            t.style("text.dim"),
        ))),
        note,
    );
}
