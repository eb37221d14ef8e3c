//! The exec and port-forward stages of the action dialog: the container and port
//! pickers, the command line with its recent commands, the local port, and a
//! command's output pane (inert text, its exit code and bytes).

use ratatui::text::{Line, Span};

use super::widgets::fit;
use crate::app::guard::Stage;
use crate::config::theme::Theme;

/// The dialog's title for an exec or forward stage.
pub fn title(stage: &Stage) -> Option<String> {
    Some(match stage {
        Stage::PickContainer { .. } => "which container?".into(),
        Stage::CommandLine { .. } => "run a command".into(),
        Stage::PickPort { .. } => "forward which port?".into(),
        Stage::LocalPort { .. } => "local port".into(),
        Stage::Output { exit, .. } => match exit {
            Some(0) => "output — exit 0".into(),
            Some(c) => format!("output — exit {c}"),
            None => "output — no exit code".into(),
        },
        Stage::Shell => "shell open".into(),
        Stage::PickUndo { .. } => "undo which action? (newest first)".into(),
        _ => return None,
    })
}

fn picker<'a>(items: &[String], selected: usize, iw: usize, t: &Theme) -> Vec<Line<'a>> {
    items
        .iter()
        .enumerate()
        .map(|(i, it)| {
            let (mark, style) = if i == selected {
                ("▶ ", t.style("table.selected"))
            } else {
                ("  ", t.style("dialog"))
            };
            Line::from(Span::styled(fit(&format!("{mark}{it}"), iw), style))
        })
        .collect()
}

fn hint<'a>(text: &str, iw: usize, t: &Theme) -> Line<'a> {
    Line::from(Span::styled(fit(text, iw), t.style("text.dim")))
}

/// The lines of an exec or forward stage, and the line to keep in sight (the
/// selected one), or `None` for other stages.
pub fn lines<'a>(stage: &Stage, iw: usize, t: &Theme) -> Option<(Vec<Line<'a>>, Option<usize>)> {
    let mut out = Vec::new();
    let mut keep = None;
    match stage {
        Stage::PickContainer {
            target,
            pod,
            containers,
            selected,
            then,
        } => {
            use crate::app::guard::Then;
            let of = match then {
                Then::SetImage => format!("deploy/{} pod template", target.name),
                Then::Shell | Then::Command => format!("pod/{pod}"),
            };
            out.push(Line::from(Span::styled(fit(&of, iw), t.style("title"))));
            keep = Some(out.len() + *selected);
            out.extend(picker(containers, *selected, iw, t));
            let what = match then {
                Then::Shell => "enter: a shell goes to this container",
                Then::Command => "enter: the command goes to this container",
                Then::SetImage => "enter: then this container's new image",
            };
            out.push(hint(&format!("{what} · esc cancels"), iw, t));
        }
        Stage::CommandLine {
            pod,
            container,
            input,
            recent,
            pick,
            error,
            ..
        } => {
            out.push(Line::from(Span::styled(
                fit(&format!("pod/{pod} · container {container}"), iw),
                t.style("title"),
            )));
            out.push(Line::from(vec![
                Span::styled("$ ", t.style("input.prompt")),
                Span::styled(fit(&input.text, iw.saturating_sub(3)), t.style("input")),
            ]));
            if let Some(e) = error {
                out.push(Line::from(Span::styled(
                    fit(e, iw),
                    t.style("dialog.danger"),
                )));
            }
            if !recent.is_empty() {
                out.push(hint("recent here (↑↓ to pick):", iw, t));
                for (i, r) in recent.iter().enumerate() {
                    let style = if Some(i) == *pick {
                        t.style("table.selected")
                    } else {
                        t.style("dialog")
                    };
                    out.push(Line::from(Span::styled(fit(&format!("  {r}"), iw), style)));
                }
            }
            out.push(hint(
                "enter plans it (checked and confirmed before it runs) · esc cancels",
                iw,
                t,
            ));
        }
        Stage::PickPort {
            via,
            ports,
            selected,
            ..
        } => {
            out.push(Line::from(Span::styled(fit(via, iw), t.style("title"))));
            let items: Vec<String> = ports
                .iter()
                .map(|(p, n)| {
                    if n.is_empty() {
                        p.to_string()
                    } else {
                        format!("{p}  ({n})")
                    }
                })
                .collect();
            keep = Some(out.len() + *selected);
            out.extend(picker(&items, *selected, iw, t));
            out.push(hint("enter: then the local port · esc cancels", iw, t));
        }
        Stage::LocalPort {
            via,
            port,
            input,
            error,
            ..
        } => {
            let target = match port {
                Some(p) => format!("{via}:{p}"),
                None => format!("{via} (no declared port: type LOCAL:REMOTE)"),
            };
            out.push(Line::from(Span::styled(fit(&target, iw), t.style("title"))));
            out.push(Line::from(vec![
                Span::styled("local: ", t.style("input.prompt")),
                Span::styled(fit(&input.text, iw.saturating_sub(8)), t.style("input")),
            ]));
            if let Some(e) = error {
                out.push(Line::from(Span::styled(
                    fit(e, iw),
                    t.style("dialog.danger"),
                )));
            }
            out.push(hint(
                "a port binds 127.0.0.1 (or address:port) · enter plans it · esc cancels",
                iw,
                t,
            ));
        }
        Stage::Output {
            lines,
            exit,
            summary,
            scroll,
        } => {
            let style = if *exit == Some(0) {
                t.style("severity.ok")
            } else {
                t.style("severity.crit")
            };
            out.push(Line::from(Span::styled(
                fit(
                    &format!("{summary} · recorded: the exit code and bytes, not the output"),
                    iw,
                ),
                style,
            )));
            if lines.is_empty() {
                out.push(hint("(no output)", iw, t));
            }
            for l in lines
                .iter()
                .skip((*scroll).min(lines.len().saturating_sub(1)))
            {
                let st = if l.starts_with("! ") {
                    t.style("severity.warn")
                } else {
                    t.style("dialog")
                };
                out.push(Line::from(Span::styled(fit(l, iw), st)));
            }
            keep = Some(0);
        }
        Stage::Shell => {
            out.push(hint(
                "the shell has the terminal; leave it (exit) to come back",
                iw,
                t,
            ));
        }
        Stage::PickUndo { items, selected } => {
            for (i, (_, what, undo)) in items.iter().enumerate() {
                let (mark, style) = if i == *selected {
                    keep = Some(out.len().max(1));
                    ("▶ ", t.style("table.selected"))
                } else {
                    ("  ", t.style("dialog"))
                };
                out.push(Line::from(Span::styled(
                    fit(&format!("{mark}{what}"), iw),
                    style,
                )));
                let (text, st) = match undo {
                    Ok(u) => (format!("    undo sends: {u}"), t.style("text.dim")),
                    Err(e) => (
                        format!("    cannot be undone now: {e}"),
                        t.style("severity.warn"),
                    ),
                };
                out.push(Line::from(Span::styled(fit(&text, iw), st)));
            }
            out.push(hint(
                "enter plans the undo (checked and confirmed) · esc cancels",
                iw,
                t,
            ));
        }
        _ => return None,
    }
    Some((out, keep))
}
