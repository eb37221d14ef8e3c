//! The guarded-action dialog, drawn from the flow in state: the action menu, the
//! replica count, revision picker and image line, then the plan (target, before →
//! after, blast radius, the pod template's diff, risk, warnings, undo), the server
//! checks, and the confirmation — `y`/`N` or the typed name — followed by progress
//! and the outcome.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use super::widgets::{centred, fit, popup};
use crate::actions::{Plan, Risk};
use crate::app::State;
use crate::app::guard::{Flow, Stage};
use crate::audit::Outcome;
use crate::config::theme::Theme;

fn risk_style(r: Risk, t: &Theme) -> Style {
    match r {
        Risk::Critical | Risk::High => t.style("dialog.danger"),
        Risk::Medium => t.style("severity.warn"),
        Risk::Low => t.style("severity.ok"),
    }
}

fn kv<'a>(k: &str, v: &str, w: usize, t: &Theme) -> Line<'a> {
    Line::from(vec![
        Span::styled(format!("{k:<8}"), t.style("text.dim")),
        Span::styled(fit(v, w.saturating_sub(8)), t.style("dialog")),
    ])
}

/// A pod template diff's `-`/`+` lines, indented (the rollback picker's and a plan's).
fn diff_lines<'a>(diff: &[String], w: usize, t: &Theme) -> Vec<Line<'a>> {
    diff.iter()
        .map(|d| {
            let style = if d.starts_with('+') {
                t.style("severity.ok")
            } else {
                t.style("severity.crit")
            };
            Line::from(Span::styled(fit(&format!("  {d}"), w), style))
        })
        .collect()
}

fn plan_lines<'a>(s: &State, f: &Flow, p: &Plan, w: usize, t: &Theme) -> Vec<Line<'a>> {
    let mut out = vec![
        Line::from(vec![
            Span::styled(
                fit(
                    &format!(
                        "{} {}  in {} · {}",
                        p.action,
                        p.target,
                        p.namespace,
                        s.context_name(f.ctx)
                    ),
                    w.saturating_sub(12),
                ),
                t.style("title"),
            ),
            Span::raw("  "),
            Span::styled(
                format!("[{}]", format!("{:?}", p.risk).to_uppercase()),
                risk_style(p.risk, t),
            ),
        ]),
        kv("before", &p.before, w, t),
        kv("after", &p.after, w, t),
        kv("effect", &p.blast, w, t),
    ];
    out.extend(diff_lines(&p.diff, w, t));
    for warn in &p.warnings {
        out.push(Line::from(Span::styled(
            fit(&format!("! {warn}"), w),
            t.style("severity.warn"),
        )));
    }
    if let Some(u) = &p.undo {
        out.push(kv("undo", u, w, t));
    }
    for (ok, line) in &p.gate {
        let (mark, style) = if *ok {
            ("✓", t.style("severity.ok"))
        } else {
            ("✗", t.style("dialog.danger"))
        };
        out.push(Line::from(vec![
            Span::styled(format!("{mark} "), style),
            Span::styled(fit(line, w.saturating_sub(2)), t.style("dialog")),
        ]));
    }
    if !f.checks.is_empty() {
        for c in &f.checks {
            let (mark, style) = if c.ok {
                ("✓", t.style("severity.ok"))
            } else {
                ("✗", t.style("dialog.danger"))
            };
            out.push(Line::from(vec![
                Span::styled(format!("{mark} "), style),
                Span::styled(
                    fit(&format!("{}: {}", c.check, c.detail), w.saturating_sub(2)),
                    t.style("dialog"),
                ),
            ]));
        }
    }
    out
}

pub fn render(f: &mut Frame, area: Rect, s: &State, t: &Theme) {
    let Some(flow) = s.flow.as_ref().filter(|f| !f.hidden) else {
        return;
    };
    let w = area.width.saturating_sub(4).min(100);
    let h = area.height.saturating_sub(2).min(30);
    let title = match &flow.stage {
        st if super::dialog_exec::title(st).is_some() => {
            super::dialog_exec::title(st).unwrap_or_default()
        }
        Stage::Menu { .. } => "actions — enter or the key starts one, esc closes".to_string(),
        Stage::Count { hpa: true, .. } => "HPA bounds".into(),
        Stage::Count { .. } => "scale".into(),
        Stage::Image { .. } => "set image".into(),
        Stage::Pick { .. } => "roll back to which revision?".into(),
        Stage::PickKey { .. } => "reveal which key?".into(),
        Stage::Revealed { key, .. } => format!("{key} — esc closes and wipes it"),
        Stage::Checking => "checking with the API server…".into(),
        Stage::Confirm { .. } => "confirm".into(),
        Stage::Refused(_) => "refused — nothing was sent".into(),
        Stage::Sending => "sending…".into(),
        Stage::Verifying { .. } => "watching for the effect (esc hides)".into(),
        Stage::Finished { outcome, .. } => outcome.label().to_string(),
        // Titled by dialog_exec (the first arm).
        Stage::PickContainer { .. }
        | Stage::CommandLine { .. }
        | Stage::PickPort { .. }
        | Stage::LocalPort { .. }
        | Stage::Output { .. }
        | Stage::PickUndo { .. }
        | Stage::Shell => String::new(),
    };
    let iw = w.saturating_sub(2) as usize;
    let mut lines: Vec<Line> = Vec::new();
    // Which part stays in sight when the content is taller than the screen: the
    // bottom (the question, the verdict) unless a stage says otherwise.
    let mut anchor = Anchor::Bottom;
    if let Some((l, keep)) = super::dialog_exec::lines(&flow.stage, iw, t) {
        // The output pane is scrolled by the person; pickers keep the selection.
        anchor = match keep {
            Some(0) => Anchor::Top,
            Some(i) => Anchor::Line(i),
            None => Anchor::Bottom,
        };
        lines = l;
    }
    match &flow.stage {
        _ if super::dialog_exec::title(&flow.stage).is_some() => {}
        Stage::Menu {
            items, selected, ..
        } => {
            for (i, it) in items.iter().enumerate() {
                let base = if it.disabled.is_some() {
                    t.style("text.dim")
                } else {
                    t.style("dialog")
                };
                let style = if i == *selected {
                    t.style("table.selected")
                } else {
                    base
                };
                let mark = if i == *selected { "▶" } else { " " };
                if i == *selected {
                    anchor = Anchor::Line(lines.len());
                }
                let mut text = format!("{mark}{:>3}  {}", it.key, it.label);
                if let Some(why) = &it.disabled {
                    text.push_str(&format!("  — disabled: {why}"));
                }
                lines.push(Line::from(Span::styled(fit(&text, iw), style)));
            }
        }
        Stage::Count {
            target,
            input,
            now,
            error,
            hpa,
        } => {
            lines.push(Line::from(Span::styled(
                fit(
                    &format!(
                        "{} {}/{} in {}",
                        if *hpa { "bounds of" } else { "replicas of" },
                        target.kind.plural(),
                        target.name,
                        target.namespace
                    ),
                    iw,
                ),
                t.style("title"),
            )));
            let prompt = if *hpa { "min max: " } else { "replicas: " };
            lines.push(Line::from(vec![
                Span::styled(prompt, t.style("input.prompt")),
                Span::styled(fit(&input.text, iw.saturating_sub(24)), t.style("input")),
                Span::styled(
                    if now.is_empty() {
                        String::new()
                    } else {
                        format!("  (now {now})")
                    },
                    t.style("text.dim"),
                ),
            ]));
            if let Some(e) = error {
                lines.push(Line::from(Span::styled(
                    fit(e, iw),
                    t.style("dialog.danger"),
                )));
            }
            lines.push(Line::from(Span::styled(
                "enter plans it (nothing is sent yet) · esc cancels",
                t.style("text.dim"),
            )));
        }
        Stage::Pick {
            target,
            revisions,
            selected,
        } => {
            let now = s.ctx_now(target.ctx);
            for (i, r) in revisions.iter().enumerate() {
                let text = format!(
                    "{}{:>4} {} {}  {}  {}",
                    if i == *selected { "▶" } else { " " },
                    r.revision,
                    if r.current { "(current)" } else { "         " },
                    r.images,
                    r.change_cause,
                    crate::util::age::age(now, r.created)
                );
                let style = if i == *selected {
                    anchor = Anchor::Line(lines.len());
                    t.style("table.selected")
                } else {
                    t.style("dialog")
                };
                lines.push(Line::from(Span::styled(fit(&text, iw), style)));
            }
            if let (Some(r), Some(c)) = (revisions.get(*selected), s.contexts.get(target.ctx)) {
                lines.push(Line::from(Span::styled(
                    format!(
                        "template of revision {} against the current one:",
                        r.revision
                    ),
                    t.style("text.dim"),
                )));
                let diff = crate::actions::rollback::template_diff(
                    &c.data,
                    &target.namespace,
                    &target.name,
                    r.revision,
                );
                if diff.is_empty() {
                    lines.push(Line::from(Span::styled(
                        "  (no difference)",
                        t.style("text.dim"),
                    )));
                }
                lines.extend(diff_lines(&diff, iw, t));
            }
            lines.push(Line::from(Span::styled(
                "enter plans the rollback · esc cancels",
                t.style("text.dim"),
            )));
        }
        Stage::Image {
            target,
            container,
            input,
            now,
            error,
        } => {
            lines.push(Line::from(Span::styled(
                fit(
                    &format!(
                        "image of {container} in deploy/{} in {}",
                        target.name, target.namespace
                    ),
                    iw,
                ),
                t.style("title"),
            )));
            lines.push(Line::from(vec![
                Span::styled("image: ", t.style("input.prompt")),
                Span::styled(fit(&input.text, iw.saturating_sub(7)), t.style("input")),
            ]));
            lines.push(Line::from(Span::styled(
                fit(&format!("now:   {now}"), iw),
                t.style("text.dim"),
            )));
            if let Some(e) = error {
                lines.push(Line::from(Span::styled(
                    fit(e, iw),
                    t.style("dialog.danger"),
                )));
            }
            lines.push(Line::from(Span::styled(
                fit(
                    "enter plans it (nothing is sent yet) · ctrl-u clears · esc goes back",
                    iw,
                ),
                t.style("text.dim"),
            )));
        }
        Stage::PickKey {
            target,
            keys,
            selected,
        } => {
            lines.push(Line::from(Span::styled(
                fit(
                    &format!("secret/{} in {}", target.name, target.namespace),
                    iw,
                ),
                t.style("title"),
            )));
            for (i, (k, n)) in keys.iter().enumerate() {
                let text = format!(
                    "{}{k}  ({n} bytes)",
                    if i == *selected { "▶ " } else { "  " }
                );
                let style = if i == *selected {
                    anchor = Anchor::Line(lines.len());
                    t.style("table.selected")
                } else {
                    t.style("dialog")
                };
                lines.push(Line::from(Span::styled(fit(&text, iw), style)));
            }
            lines.push(Line::from(Span::styled(
                "enter plans it (access is checked; nothing is shown yet) · esc cancels",
                t.style("text.dim"),
            )));
        }
        Stage::Revealed { value, scroll, .. } => {
            // Scrolled by the person: the top is where they put it.
            anchor = Anchor::Top;
            let all = value.lines();
            lines.push(Line::from(Span::styled(
                fit(
                    &format!(
                        "{} bytes{} · recorded as revealed, the value is not · ↑↓ scroll",
                        value.size,
                        if value.is_text() {
                            ""
                        } else {
                            ", binary (hex)"
                        }
                    ),
                    iw,
                ),
                t.style("severity.warn"),
            )));
            for l in all.iter().skip((*scroll).min(all.len().saturating_sub(1))) {
                lines.push(Line::from(Span::styled(fit(l, iw), t.style("dialog"))));
            }
            if value.size > crate::actions::reveal::SHOWN_MAX {
                lines.push(Line::from(Span::styled(
                    format!("… cut at {} bytes", crate::actions::reveal::SHOWN_MAX),
                    t.style("text.dim"),
                )));
            }
        }
        _ => {
            if let Some(p) = &flow.plan {
                lines.extend(plan_lines(s, flow, p, iw, t));
            }
            lines.push(Line::from(""));
            // What each pod or request answered, above the verdict (which stays in
            // sight at the bottom however many there are).
            for r in &flow.results {
                lines.push(Line::from(Span::styled(
                    fit(&format!("  {r}"), iw),
                    t.style("dialog"),
                )));
            }
            match &flow.stage {
                Stage::Checking => lines.push(Line::from(Span::styled(
                    "checking access and a server dry run… (esc cancels)",
                    t.style("text.dim"),
                ))),
                Stage::Confirm {
                    typed: Some(_),
                    mismatch,
                } => {
                    lines.push(Line::from(Span::styled(
                        fit(
                            &format!(
                                "protected: type {} and press enter to run it · esc cancels{}",
                                flow.confirm_name(),
                                if flow
                                    .plan
                                    .as_ref()
                                    .is_some_and(|p| p.params.get("hpa").is_some())
                                {
                                    " · tab: change the HPA instead"
                                } else {
                                    ""
                                }
                            ),
                            iw,
                        ),
                        t.style("dialog.danger"),
                    )));
                    if s.config.confirm.prefix_min > 0 {
                        lines.push(Line::from(Span::styled(
                            fit(
                                &format!(
                                    "(a prefix of {}+ letters no other object here starts with is enough)",
                                    s.config.confirm.prefix_min
                                ),
                                iw,
                            ),
                            t.style("text.dim"),
                        )));
                    }
                    if *mismatch {
                        lines.push(Line::from(Span::styled(
                            "that is not the name (nor a unique prefix): nothing was sent",
                            t.style("dialog.danger"),
                        )));
                    }
                }
                Stage::Confirm { typed: None, .. } => {
                    let hpa = flow
                        .plan
                        .as_ref()
                        .is_some_and(|p| p.params.get("hpa").is_some());
                    lines.push(Line::from(vec![
                        Span::styled("run it? ", t.style("dialog.danger")),
                        Span::styled("y", t.style("footer.key")),
                        Span::raw(" yes · "),
                        Span::styled("N", t.style("footer.key")),
                        Span::raw(" no (default)"),
                        Span::raw(if hpa {
                            " · tab: change the HPA instead"
                        } else {
                            ""
                        }),
                    ]));
                }
                Stage::Refused(why) => {
                    lines.push(Line::from(Span::styled(
                        fit(&format!("refused: {why}"), iw),
                        t.style("dialog.danger"),
                    )));
                    lines.push(Line::from(Span::styled(
                        "recorded in the audit log · esc closes, or go on",
                        t.style("text.dim"),
                    )));
                }
                Stage::Sending => lines.push(Line::from(Span::styled(
                    "audit intent written; sending…",
                    t.style("text.dim"),
                ))),
                Stage::Verifying { progress, since } => {
                    lines.push(Line::from(Span::styled(
                        fit(
                            &format!("sent · {} s · {progress}", (s.now - since).max(0)),
                            iw,
                        ),
                        t.style("severity.warn"),
                    )));
                }
                Stage::Finished { outcome, detail } => {
                    let style = if *outcome == Outcome::Succeeded {
                        t.style("severity.ok")
                    } else {
                        t.style("dialog.danger")
                    };
                    lines.push(Line::from(Span::styled(
                        fit(&format!("{}: {detail}", outcome.label()), iw),
                        style,
                    )));
                    let logs = if flow
                        .logs_of
                        .as_ref()
                        .is_some_and(|t| t.kind == crate::cluster::kinds::ResKind::Job)
                    {
                        "l shows the Job's logs · "
                    } else {
                        ""
                    };
                    lines.push(Line::from(Span::styled(
                        format!("{logs}recorded in the audit log · esc closes, or go on"),
                        t.style("text.dim"),
                    )));
                }
                _ => {}
            }
        }
    }
    // As tall as its content; the bottom (the question) stays visible when it is long.
    let reserve = usize::from(matches!(flow.stage, Stage::Confirm { typed: Some(_), .. }));
    let want = (lines.len() + reserve + 2).min(u16::MAX as usize) as u16;
    let inner = popup(f, centred(area, w, want.min(h)), &title, t);
    let room = inner.height as usize;
    let skip = anchor.skip(lines.len() + reserve, room);
    let total = lines.len();
    // What is being confirmed (the plan's first line) stays in sight above the
    // question, however little room there is.
    let pinned = matches!(flow.stage, Stage::Confirm { .. }) && skip > 0 && room >= 3;
    let head = pinned.then(|| lines.first().cloned()).flatten();
    let mut shown: Vec<Line> = lines.into_iter().skip(skip).take(room).collect();
    // Say what is out of sight rather than cut silently.
    if let Some(h) = head {
        shown[0] = h;
        shown[1] = Line::from(Span::styled(
            format!("  ↑ {} more lines", skip + 1),
            t.style("text.dim"),
        ));
    } else if skip > 0
        && let Some(first) = shown.first_mut()
    {
        *first = Line::from(Span::styled(
            format!("  ↑ {} more lines", skip + 1),
            t.style("text.dim"),
        ));
    }
    let below = total.saturating_sub(skip + room);
    if below > 0
        && let Some(last) = shown.last_mut()
    {
        *last = Line::from(Span::styled(
            format!("  ↓ {} more lines", below + 1),
            t.style("text.dim"),
        ));
    }
    let used = shown.len() as u16;
    f.render_widget(Paragraph::new(shown), inner);
    if let Stage::Confirm {
        typed: Some(area), ..
    } = &flow.stage
    {
        let y = (inner.y + used).min(inner.y + inner.height.saturating_sub(1));
        let r = Rect {
            x: inner.x,
            y,
            width: inner.width.min(40),
            height: 1,
        };
        f.render_widget(&**area, r);
    }
}

/// Which part of a dialog taller than its room stays in sight.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Anchor {
    Top,
    Bottom,
    /// This line (the selected item of a picker).
    Line(usize),
}

impl Anchor {
    /// Lines to skip at the top, for `total` lines in `room`.
    fn skip(self, total: usize, room: usize) -> usize {
        let most = total.saturating_sub(room);
        match self {
            Anchor::Top => 0,
            Anchor::Bottom => most,
            // The line one from the bottom edge, so the marker does not cover it.
            Anchor::Line(i) => (i + 2).saturating_sub(room).min(most),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::Anchor;

    #[test]
    fn a_tall_dialog_keeps_the_part_that_matters_in_sight() {
        // 30 lines in 10 rows.
        assert_eq!(Anchor::Top.skip(30, 10), 0);
        assert_eq!(Anchor::Bottom.skip(30, 10), 20);
        // The selected line stays above the bottom edge…
        assert_eq!(Anchor::Line(3).skip(30, 10), 0);
        assert_eq!(Anchor::Line(15).skip(30, 10), 7);
        // …and the end of the list is not scrolled past.
        assert_eq!(Anchor::Line(29).skip(30, 10), 20);
        // Room for everything: nothing skipped.
        assert_eq!(Anchor::Bottom.skip(5, 10), 0);
        assert_eq!(Anchor::Line(4).skip(5, 10), 0);
    }
}
