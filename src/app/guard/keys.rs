//! Keys while an action's dialog is open: the menu, the count, revision and image
//! inputs, the confirmation (`y`/`N`, or the typed name in a text area), cancelling
//! (recorded) and hiding a running action.

use super::*;

pub(super) fn cancel(s: &mut State) -> Vec<Effect> {
    let Some(f) = s.flow.take() else {
        return Vec::new();
    };
    if f.plan.is_some() && matches!(f.stage, Stage::Checking | Stage::Confirm { .. }) {
        let rec = record(
            s,
            &f,
            Phase::Outcome,
            Some(Outcome::Cancelled),
            Some("cancelled at the prompt".into()),
        );
        s.notify(format!("cancelled: nothing was sent{}", ""), false);
        return vec![audit_effect(f.id, f.ctx, rec)];
    }
    Vec::new()
}

pub(super) fn confirmed(s: &mut State) -> Vec<Effect> {
    let Some(f) = s.flow.as_ref() else {
        return Vec::new();
    };
    let Some(request) = f.plan.as_ref().and_then(|p| p.request.clone()) else {
        return Vec::new();
    };
    let intent = record(s, f, Phase::Intent, None, None);
    let (id, ctx) = (f.id, f.ctx);
    if let Some(f) = s.flow.as_mut() {
        f.stage = Stage::Sending;
    }
    vec![Effect::Execute {
        flow: id,
        ctx,
        request,
        intent,
    }]
}

/// A key while a flow's dialog is open (`None`: the dialog did not take it).
pub fn key(s: &mut State, k: &Key) -> Option<Vec<Effect>> {
    // Shrunk below what the dialog needs while it is open: nothing is chosen or
    // confirmed unseen (esc still cancels).
    if k.code != Code::Esc
        && s.flow.as_ref().is_some_and(|f| {
            !f.hidden
                && matches!(
                    f.stage,
                    Stage::Menu { .. }
                        | Stage::Confirm { .. }
                        | Stage::Count { .. }
                        | Stage::Pick { .. }
                        | Stage::PickKey { .. }
                        | Stage::PickContainer { .. }
                        | Stage::Image { .. }
                        | Stage::CommandLine { .. }
                        | Stage::PickPort { .. }
                        | Stage::LocalPort { .. }
                )
        })
        && let Some(why) = super::too_small(s)
    {
        s.notify(why, true);
        return Some(Vec::new());
    }
    if let Some(fx) = super::exec::key(s, k).or_else(|| super::image::key(s, k)) {
        return Some(fx);
    }
    let f = s.flow.as_mut().filter(|f| !f.hidden)?;
    let esc = k.code == Code::Esc;
    let want = f.confirm_name();
    match &mut f.stage {
        Stage::Menu {
            items,
            selected,
            target,
        } => {
            match k.code {
                Code::Esc => s.flow = None,
                Code::Up => *selected = selected.saturating_sub(1),
                Code::Down => *selected = (*selected + 1).min(items.len().saturating_sub(1)),
                Code::Enter => {
                    let a = items.get(*selected).map(|i| i.action);
                    let t = Some(target.clone());
                    s.flow = None;
                    if let Some(a) = a {
                        return Some(start(s, a, t));
                    }
                }
                _ => {
                    // An action's own key starts it from the menu.
                    let a = s
                        .keymap
                        .command(crate::config::keymap::Mode::List, k)
                        .filter(|a| ACTIONS.iter().any(|(x, _)| x == a));
                    let t = Some(target.clone());
                    if let Some(a) = a {
                        s.flow = None;
                        return Some(start(s, a, t));
                    }
                }
            }
            Some(Vec::new())
        }
        Stage::Count {
            target,
            input,
            error,
            hpa,
            ..
        } => {
            match input.key(k) {
                Edit::Cancel => s.flow = None,
                Edit::Submit => {
                    let (t, hpa) = (target.clone(), *hpa);
                    let text = input.text.clone();
                    match plan_count(s, &t, &text, hpa) {
                        Ok(p) => {
                            s.flow = None;
                            return Some(begin(s, t.ctx, Ok(p)));
                        }
                        Err(e) => {
                            if let Some(Stage::Count { error, .. }) =
                                s.flow.as_mut().map(|f| &mut f.stage)
                            {
                                *error = Some(e);
                            }
                        }
                    }
                }
                _ => *error = None,
            }
            Some(Vec::new())
        }
        Stage::Pick {
            target,
            revisions,
            selected,
        } => {
            match k.code {
                Code::Esc => s.flow = None,
                Code::Up => *selected = selected.saturating_sub(1),
                Code::Down => *selected = (*selected + 1).min(revisions.len().saturating_sub(1)),
                Code::Enter => {
                    let t = target.clone();
                    let rev = revisions.get(*selected).map(|r| r.revision);
                    let planned = s
                        .contexts
                        .get(t.ctx)
                        .ok_or("unknown context".to_string())
                        .and_then(|c| {
                            actions::rollback::plan(&c.data, t.ctx, &t.namespace, &t.name, rev)
                        });
                    s.flow = None;
                    return Some(begin(s, t.ctx, planned));
                }
                _ => {}
            }
            Some(Vec::new())
        }
        Stage::PickKey {
            target,
            keys,
            selected,
        } => {
            match k.code {
                Code::Esc => s.flow = None,
                Code::Up => *selected = selected.saturating_sub(1),
                Code::Down => *selected = (*selected + 1).min(keys.len().saturating_sub(1)),
                Code::Enter => {
                    let t = target.clone();
                    let key = keys
                        .get(*selected)
                        .map(|(k, _)| k.clone())
                        .unwrap_or_default();
                    let planned = s
                        .contexts
                        .get(t.ctx)
                        .ok_or("unknown context".to_string())
                        .and_then(|c| {
                            actions::reveal::plan(&c.data, t.ctx, &t.namespace, &t.name, &key)
                        });
                    s.flow = None;
                    return Some(begin(s, t.ctx, planned));
                }
                _ => {}
            }
            Some(Vec::new())
        }
        Stage::Revealed { scroll, .. } => {
            // The value stays until esc (any other key could be a typo at 3 a.m.);
            // dropping the flow wipes it.
            match k.code {
                Code::Esc | Code::Enter => s.flow = None,
                Code::Up => *scroll = scroll.saturating_sub(1),
                Code::Down => *scroll += 1,
                _ => {}
            }
            Some(Vec::new())
        }
        Stage::Checking => Some(if esc { cancel(s) } else { Vec::new() }),
        Stage::Confirm { typed, mismatch } => {
            if esc {
                return Some(cancel(s));
            }
            if k.code == Code::Tab {
                return Some(switch_to_hpa(s));
            }
            match typed {
                Some(area) => {
                    if k.code == Code::Enter {
                        let got = area.lines().join("");
                        let got = got.trim().to_string();
                        let (ctx, ns) = (f.ctx, f.plan.as_ref().map(|p| p.namespace.clone()));
                        if got == want
                            || ns.is_some_and(|ns| unique_prefix(s, ctx, &ns, &got, &want))
                        {
                            return Some(confirmed(s));
                        }
                        if let Some(Stage::Confirm { mismatch, .. }) =
                            s.flow.as_mut().map(|f| &mut f.stage)
                        {
                            *mismatch = true;
                        }
                        return Some(Vec::new());
                    } else {
                        area.input(textarea_input(k));
                        *mismatch = false;
                    }
                    Some(Vec::new())
                }
                None => Some(match k.code {
                    Code::Char('y') | Code::Char('Y') => confirmed(s),
                    // No is the default: n, enter, anything else.
                    _ => cancel(s),
                }),
            }
        }
        Stage::Refused(_) | Stage::Finished { .. } => {
            if k.code == Code::Char('l')
                && let Some(t) = f.logs_of.clone().filter(|t| t.kind == ResKind::Job)
            {
                s.flow = None;
                return Some(crate::app::logs::open_logs(s, &t, false));
            }
            s.flow = None;
            // Esc or enter only closes it; any other key closes it and does what it
            // does (the next step of a way out costs no extra key; every dangerous
            // key asks first anyway).
            if matches!(k.code, Code::Esc | Code::Enter) {
                Some(Vec::new())
            } else {
                None
            }
        }
        Stage::PickUndo { items, selected } => {
            match k.code {
                Code::Esc => s.flow = None,
                Code::Up => *selected = selected.saturating_sub(1),
                Code::Down => *selected = (*selected + 1).min(items.len().saturating_sub(1)),
                Code::Enter => {
                    let id = items.get(*selected).map(|i| i.0.clone());
                    s.flow = None;
                    if let Some(id) = id {
                        return Some(super::undo_picked(s, &id));
                    }
                }
                _ => {}
            }
            Some(Vec::new())
        }
        // Handled by the exec and image stages' keys.
        Stage::PickContainer { .. }
        | Stage::Image { .. }
        | Stage::CommandLine { .. }
        | Stage::PickPort { .. }
        | Stage::LocalPort { .. }
        | Stage::Output { .. }
        | Stage::Shell => Some(Vec::new()),
        Stage::Sending | Stage::Verifying { .. } => {
            if esc {
                f.hidden = true;
                s.notify("the action goes on; its result will show here", false);
            }
            // Quitting still quits (and records the outcome as not verified).
            if s.keymap.command(s.mode(), k) == Some(Command::Quit) {
                return None;
            }
            Some(Vec::new())
        }
    }
}

/// Whether `typed` is a prefix of `want` long enough (config `prefix_min`) that no
/// other object in `namespace` starts with it.
pub(super) fn unique_prefix(
    s: &State,
    ctx: CtxId,
    namespace: &str,
    typed: &str,
    want: &str,
) -> bool {
    let min = s.config.confirm.prefix_min;
    if min == 0 || typed.chars().count() < min || !want.starts_with(typed) {
        return false;
    }
    let Some(c) = s.contexts.get(ctx) else {
        return false;
    };
    struct Others<'a> {
        tables: &'a crate::cluster::kinds::Tables,
        ns: &'a str,
        typed: &'a str,
        want: &'a str,
    }
    impl crate::cluster::kinds::Visit for Others<'_> {
        type Out = bool;
        fn visit<K: crate::cluster::kinds::Stored>(self) -> bool {
            K::INFO.namespaced
                && crate::cluster::kinds::in_namespace_keys(K::table(self.tables), self.ns)
                    .any(|n| n.starts_with(self.typed) && n != self.want)
        }
    }
    !ResKind::ALL.iter().any(|k| {
        k.visit(Others {
            tables: &c.data.kinds,
            ns: namespace,
            typed,
            want,
        })
    })
}

/// In the confirm dialog of an HPA-managed scale, tab plans the HPA change instead.
pub(super) fn switch_to_hpa(s: &mut State) -> Vec<Effect> {
    let Some(f) = s.flow.as_ref() else {
        return Vec::new();
    };
    let Some(p) = &f.plan else { return Vec::new() };
    let Some(h) = p.params.get("hpa") else {
        return Vec::new();
    };
    let (name, min, max) = (
        h["name"].as_str().unwrap_or("").to_string(),
        h["suggestMin"].as_i64().unwrap_or(1) as i32,
        h["suggestMax"].as_i64().unwrap_or(1) as i32,
    );
    let (ctx, ns) = (f.ctx, p.namespace.clone());
    // The scale plan is dropped unconfirmed: that is a cancellation, recorded.
    let mut fx = cancel(s);
    let planned = s
        .contexts
        .get(ctx)
        .ok_or("unknown context".to_string())
        .and_then(|c| actions::hpa::plan(&c.data, ctx, &ns, &name, min, max));
    fx.extend(begin(s, ctx, planned));
    fx
}

pub(super) fn plan_count(s: &State, t: &Target, text: &str, hpa: bool) -> Result<Plan, String> {
    let c = s.contexts.get(t.ctx).ok_or("unknown context")?;
    if hpa {
        let mut it = text.split_whitespace().map(actions::scale::parse_count);
        let (Some(min), Some(max), None) = (it.next(), it.next(), it.next()) else {
            return Err("type the HPA's min and max, e.g. \"4 20\"".into());
        };
        return actions::hpa::plan(&c.data, t.ctx, &t.namespace, &t.name, min?, max?);
    }
    let n = actions::scale::parse_count(text)?;
    let kind = if t.kind == ResKind::StatefulSet {
        WorkloadKind::StatefulSet
    } else {
        WorkloadKind::Deployment
    };
    actions::scale::plan(&c.data, t.ctx, kind, &t.namespace, &t.name, n)
}

pub(super) fn textarea_input(k: &Key) -> tui_textarea::Input {
    use tui_textarea::Key as T;
    let key = match k.code {
        Code::Char(c) => T::Char(c),
        Code::Space => T::Char(' '),
        Code::Backspace => T::Backspace,
        Code::Delete => T::Delete,
        Code::Left => T::Left,
        Code::Right => T::Right,
        Code::Home => T::Home,
        Code::End => T::End,
        _ => T::Null,
    };
    tui_textarea::Input {
        key,
        ctrl: k.ctrl,
        alt: k.alt,
        shift: k.shift,
    }
}
