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

fn run_command(s: &mut State, line: &str) -> Vec<Effect> {
    match typed::parse(line) {
        Ok(Typed::View(v, ns)) => {
            let fx = switch_view(s, v);
            if let Some(ns) = ns {
                s.scope_namespace = ns;
                s.refresh_lists();
            }
            fx
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
                        s.notify(format!("unknown context {name:?}"), true);
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
        Ok(Typed::Forwards) => apply(s, Command::ViewForwards),
        Ok(Typed::Resource(name, ns)) => super::browse::open(s, &name, ns, true),
        Err(e) => {
            s.notify(e, true);
            Vec::new()
        }
    }
}
