//! Keys: an open dialog takes them first (a guarded action's), then an open text
//! input (the filter, the log search, the `:` line with completion), then help; what
//! is left is looked up in the keymap and applied as a command.

use super::apply::apply;
use super::command::Command;
use super::effect::Effect;
use super::input::{Edit, LineInput};
use super::nav::switch_view;
use super::state::{Input, State};
use super::typed::{self, Typed};
use crate::config::keymap::Key;

pub fn key(s: &mut State, k: Key) -> Vec<Effect> {
    // ctrl-c quits from anywhere: a dialog, a prompt, a filter (through the one quit
    // path, which records an open confirmation as cancelled).
    if k == Key::ctrl('c') {
        return super::quit::quit(s, super::quit::Cause::Person);
    }
    if let Some(fx) = super::guard::key(s, &k) {
        return fx;
    }
    key_inner(s, k)
}

fn key_inner(s: &mut State, k: Key) -> Vec<Effect> {
    match std::mem::replace(&mut s.input, Input::None) {
        Input::None => {}
        Input::Filter(mut i) => {
            let edit = i.key(&k);
            if let super::state::Screen::Timeline { scroll, filter } = s.screen_mut() {
                match edit {
                    Edit::Cancel => filter.clear(),
                    Edit::Submit => {}
                    _ => {
                        filter.clone_from(&i.text);
                        *scroll = 0;
                        s.input = Input::Filter(i);
                    }
                }
                return Vec::new();
            }
            match edit {
                Edit::Cancel => {
                    if let Some(l) = s.list_mut() {
                        l.filter.clear();
                    }
                    s.refresh_lists();
                }
                Edit::Submit => {}
                _ => {
                    if let Some(l) = s.list_mut() {
                        l.filter = i.text.clone();
                        l.selected = 0;
                        l.selected_key = None;
                    }
                    s.refresh_lists();
                    s.input = Input::Filter(i);
                }
            }
            return Vec::new();
        }
        Input::Search(mut i) => {
            match i.key(&k) {
                Edit::Cancel => {}
                Edit::Submit => {
                    let page = s.page;
                    if let Some(l) = s.logs.as_mut() {
                        l.search = i.text.clone();
                        l.current_match = None;
                        l.find(false, page);
                        if l.current_match.is_none() && !l.search.is_empty() {
                            let t = format!("no match for {:?}", l.search);
                            s.notify(t, false);
                        }
                    }
                }
                _ => s.input = Input::Search(i),
            }
            return Vec::new();
        }
        Input::Command(mut i) => {
            // ↑↓ walk the candidates of what was typed (a picker for `:ns `).
            if matches!(
                k.code,
                crate::config::keymap::Code::Up | crate::config::keymap::Code::Down
            ) && !k.ctrl
            {
                let base = s.pick.as_ref().map_or(i.text.clone(), |(b, _)| b.clone());
                let ctxs: Vec<String> = s.contexts.iter().map(|c| c.spec.name.clone()).collect();
                let cands =
                    typed::complete(&base, &s.namespaces(), &ctxs, &super::browse::names(s));
                if !cands.is_empty() {
                    let n = cands.len();
                    let at = match (s.pick.as_ref().map(|p| p.1), k.code) {
                        (None, crate::config::keymap::Code::Up) => n - 1,
                        (None, _) => 0,
                        (Some(a), crate::config::keymap::Code::Up) => (a + n - 1) % n,
                        (Some(a), _) => (a + 1) % n,
                    };
                    s.pick = Some((base, at));
                    i = LineInput::with(&cands[at]);
                }
                s.input = Input::Command(i);
                return Vec::new();
            }
            s.pick = None;
            return match i.key(&k) {
                Edit::Cancel => Vec::new(),
                Edit::Submit => run_command(s, &i.text),
                Edit::Complete => {
                    let ctxs: Vec<String> =
                        s.contexts.iter().map(|c| c.spec.name.clone()).collect();
                    let cands =
                        typed::complete(&i.text, &s.namespaces(), &ctxs, &super::browse::names(s));
                    if cands.len() == 1 {
                        i = LineInput::with(&format!("{} ", cands[0]));
                    } else if let Some(p) = typed::common_prefix(&cands)
                        && p.len() > i.text.len()
                    {
                        i = LineInput::with(&p);
                    }
                    s.input = Input::Command(i);
                    Vec::new()
                }
                _ => {
                    s.input = Input::Command(i);
                    Vec::new()
                }
            };
        }
    }
    if s.help {
        // Help takes navigation keys for scrolling; anything else closes it.
        return match s.keymap.command(s.mode(), &k) {
            Some(Command::Down) => {
                s.help_scroll += 1;
                Vec::new()
            }
            Some(Command::Up) => {
                s.help_scroll = s.help_scroll.saturating_sub(1);
                Vec::new()
            }
            Some(Command::Quit) => apply(s, Command::Quit),
            _ => {
                s.help = false;
                Vec::new()
            }
        };
    }
    match s.keymap.command(s.mode(), &k) {
        Some(a) => apply(s, a),
        None => Vec::new(),
    }
}

/// `Err(message)` when `ns` names no namespace any context knows (with the close
/// ones); a namespace list not known yet lets anything through.
fn known_namespace(s: &State, ns: &str) -> Result<(), String> {
    let all = s.namespaces();
    if all.is_empty() || all.iter().any(|n| n == ns) {
        return Ok(());
    }
    let close = typed::close_matches(ns, &all);
    Err(if close.is_empty() {
        format!("no namespace {ns:?} in any context (:ns lists them)")
    } else {
        format!("no namespace {ns:?}; did you mean {}?", close.join(", "))
    })
}

/// Opens the command line again as a picker: `start` typed, its candidates shown.
fn picker(s: &mut State, start: &str) -> Vec<Effect> {
    s.input = Input::Command(LineInput::with(start));
    s.notify("pick with ↑↓ or type a name, then enter", false);
    Vec::new()
}

fn run_command(s: &mut State, line: &str) -> Vec<Effect> {
    // `:ns` and `:ctx` alone list what there is to pick.
    match line.trim() {
        "ns" | "namespace" => return picker(s, "ns "),
        "ctx" | "context" => return picker(s, "ctx "),
        _ => {}
    }
    let (line, selector) = typed::label_selector(line);
    let line = line.as_str();
    if let Some(sel) = &selector
        && let Err(e) = crate::util::selector::LabelSelector::parse(sel).and_then(|p| {
            if p.is_empty() {
                Err("-l needs a selector, e.g. -l app=dashboard".to_string())
            } else {
                Ok(p)
            }
        })
    {
        s.notify(format!("-l {sel}: {e}"), true);
        return Vec::new();
    }
    match typed::parse(line) {
        Ok(Typed::View(v, ns)) => {
            if let Some(Some(n)) = &ns
                && let Err(e) = known_namespace(s, n)
            {
                s.notify(e, true);
                return Vec::new();
            }
            let fx = switch_view(s, v);
            if let Some(ns) = ns {
                s.scope_namespace = ns;
            }
            if let Some(sel) = selector {
                // A label filter: the list's filter, so the header shows it and esc
                // clears it.
                if let Some(l) = s.list_mut() {
                    l.filter = format!("-l {sel}");
                    l.selected = 0;
                    l.selected_key = None;
                }
            }
            s.refresh_lists();
            fx
        }
        Ok(_) if selector.is_some() => {
            s.notify("-l goes with a list: :pods -l app=dashboard", true);
            Vec::new()
        }
        Ok(Typed::Namespace(Some(n))) if known_namespace(s, &n).is_err() => {
            let e = known_namespace(s, &n).err().unwrap_or_default();
            s.notify(e, true);
            Vec::new()
        }
        Ok(Typed::Namespace(ns)) => {
            s.scope_namespace = ns.clone();
            let t = match ns {
                Some(n) => format!("namespace {n}"),
                None => "all namespaces".into(),
            };
            s.notify(t, false);
            s.refresh_lists();
            Vec::new()
        }
        Ok(Typed::Context(c)) => {
            match c {
                None => s.scope_context = None,
                Some(name) => match s.contexts.iter().position(|c| c.spec.name == name) {
                    Some(i) => s.scope_context = Some(i),
                    None => {
                        let names: Vec<String> =
                            s.contexts.iter().map(|c| c.spec.name.clone()).collect();
                        let close = typed::close_matches(&name, &names);
                        s.notify(
                            if close.is_empty() {
                                format!("unknown context {name:?} (open: {})", names.join(", "))
                            } else {
                                format!(
                                    "unknown context {name:?}; did you mean {}?",
                                    close.join(", ")
                                )
                            },
                            true,
                        );
                        return Vec::new();
                    }
                },
            }
            s.refresh_lists();
            Vec::new()
        }
        Ok(Typed::Quit) => apply(s, Command::Quit),
        Ok(Typed::Help) => {
            s.help = true;
            Vec::new()
        }
        Ok(Typed::Audit) => apply(s, Command::ViewAudit),
        Ok(Typed::Timeline) => apply(s, Command::ViewTimeline),
        Ok(Typed::Forwards) => apply(s, Command::ViewForwards),
        Ok(Typed::Resource(name, ns)) => super::browse::open(s, &name, ns, true),
        Err(e) => {
            s.notify(e, true);
            Vec::new()
        }
    }
}
