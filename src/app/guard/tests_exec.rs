//! The exec, shell and port-forward flows as data: keys and reports in, effects and
//! records out — what is checked, what is recorded, and what never is (output).

use super::*;
use crate::actions::run::Executed;
use crate::app::testkit::state;
use crate::app::{Console, Done, Event};
use crate::cluster::exec::Ran;
use crate::config::keymap::Key;

use super::tests::{audited as records, key, press, without_access as chores};

fn preflight_ok(s: &mut Console) {
    let flow = s.flow.as_ref().map(|f| f.id).unwrap_or_default();
    let _ = s.step(Event::Done(Done::Preflighted {
        flow,
        checks: vec![crate::actions::run::check(
            "access: create pods/exec",
            true,
            "allowed",
        )],
    }));
}

fn done(flow: u64, intent: Record, ran: Option<Ran>, interactive: bool) -> Event {
    let (outcome, detail) = match &ran {
        Some(r) if r.exit == Some(0) => (Outcome::Succeeded, r.summary()),
        Some(r) => (Outcome::Failed, r.summary()),
        None => (Outcome::Succeeded, String::new()),
    };
    Event::Done(Done::Executed {
        flow,
        executed: Executed {
            outcome,
            detail,
            results: Vec::new(),
            intent: Some(intent),
            sent: 1,
            revealed: None,
            ran,
            interactive,
        },
    })
}

/// `e` on the first overview row (deploy shop/api), up to the command line.
fn command_line(s: &mut Console) {
    let fx = chores(press(s, "e"));
    assert!(fx.is_empty(), "{fx:?}");
    match &s.flow.as_ref().map(|f| &f.stage) {
        Some(Stage::CommandLine { pod, container, .. }) => {
            // A workload's ready pod, its one running container.
            assert_eq!((pod.as_str(), container.as_str()), ("api-old-1", "app"));
        }
        other => panic!("{:?}", other.map(|_| "another stage")),
    }
}

#[test]
fn a_command_is_checked_confirmed_recorded_and_its_output_is_shown_not_kept() {
    let mut s = state();
    command_line(&mut s);
    press(&mut s, "curl -s localhost:3005/health");
    let fx = chores(key(&mut s, Code::Enter));
    match &fx[..] {
        [
            Effect::Preflight {
                request: Request::Exec { pod, command, .. },
                ..
            },
        ] => {
            assert_eq!(pod, "api-old-1");
            assert_eq!(command, &["curl", "-s", "localhost:3005/health"]);
        }
        other => panic!("{other:?}"),
    }
    preflight_ok(&mut s);
    let Some(Effect::Execute {
        flow,
        intent,
        request,
        ..
    }) = press(&mut s, "y").into_iter().next()
    else {
        panic!("y sends")
    };
    assert_eq!(request.access().describe(), "create pods/exec");
    assert_eq!(intent.action, "exec");
    let ran = Ran {
        stdout: b"{\"status\":\"healthy\",\"secret\":\"hunter2\"}\n".to_vec(),
        exit: Some(0),
        bytes_out: 40,
        took_ms: 300,
        ..Ran::default()
    };
    let fx = s.step(done(flow, intent, Some(ran), false));
    let recs = records(&fx);
    assert_eq!(recs.len(), 1, "{fx:?}");
    assert_eq!(recs[0].outcome, Some(Outcome::Succeeded));
    let text = serde_json::to_string(recs[0]).unwrap_or_default();
    assert!(text.contains("exit 0"), "{text}");
    assert!(text.contains("40 B out"), "{text}");
    assert!(
        !text.contains("hunter2"),
        "output must never be recorded: {text}"
    );
    match &s.flow.as_ref().map(|f| &f.stage) {
        Some(Stage::Output { lines, exit, .. }) => {
            assert_eq!(*exit, Some(0));
            assert!(lines[0].contains("healthy"), "{lines:?}");
        }
        _ => panic!("the output pane shows"),
    }
    // The command is remembered for this workload.
    key(&mut s, Code::Esc);
    command_line(&mut s);
    key(&mut s, Code::Up);
    match &s.flow.as_ref().map(|f| &f.stage) {
        Some(Stage::CommandLine { input, .. }) => {
            assert_eq!(input.text, "curl -s localhost:3005/health")
        }
        _ => panic!("still at the command line"),
    }
}

#[test]
fn a_failed_command_records_its_exit_code_and_output_stays_inert() {
    let mut s = state();
    command_line(&mut s);
    press(&mut s, "false");
    key(&mut s, Code::Enter);
    preflight_ok(&mut s);
    let Some(Effect::Execute { flow, intent, .. }) = press(&mut s, "y").into_iter().next() else {
        panic!("y sends")
    };
    let ran = Ran {
        stderr: b"\x1b[31mboom\x1b]0;title\x07".to_vec(),
        exit: Some(3),
        ..Ran::default()
    };
    let fx = s.step(done(flow, intent, Some(ran), false));
    let recs = records(&fx);
    assert_eq!(recs[0].outcome, Some(Outcome::Failed));
    assert!(
        recs[0].error.as_deref().unwrap_or("").contains("exit 3"),
        "{:?}",
        recs[0].error
    );
    match &s.flow.as_ref().map(|f| &f.stage) {
        Some(Stage::Output { lines, .. }) => {
            assert!(
                lines
                    .iter()
                    .all(|l| !l.contains('\u{1b}') && !l.contains('\u{7}')),
                "{lines:?}"
            );
            assert!(lines.iter().any(|l| l.contains("boom")), "{lines:?}");
        }
        _ => panic!("the output pane shows"),
    }
}

#[test]
fn the_deny_list_refuses_and_records_and_read_only_disables() {
    let mut s = state();
    s.state.config.exec.deny = vec!["rm *".into()];
    command_line(&mut s);
    press(&mut s, "rm -rf /data");
    let fx = key(&mut s, Code::Enter);
    assert!(
        !fx.iter()
            .any(|e| matches!(e, Effect::Preflight { .. } | Effect::Execute { .. }))
    );
    let recs = records(&fx);
    assert_eq!(recs.len(), 1, "{fx:?}");
    assert_eq!(recs[0].outcome, Some(Outcome::Refused));
    assert!(recs[0].error.as_deref().unwrap_or("").contains("deny list"));
    key(&mut s, Code::Esc);

    let mut ro = state();
    ro.state.readonly = true;
    for k in ["e", "s", "F"] {
        let fx = press(&mut ro, k);
        assert!(ro.flow.is_none(), "{k}: no dialog in read-only");
        assert!(fx.is_empty(), "{k}: nothing asked or sent: {fx:?}");
        let notice = ro
            .notice
            .as_ref()
            .map(|n| n.text.clone())
            .unwrap_or_default();
        assert!(notice.contains("read-only"), "{k}: {notice}");
    }
}

#[test]
fn rbac_denied_exec_is_greyed_with_the_reason_and_refused_if_tried() {
    let mut s = state();
    let t = crate::app::nav::current_target(&s).expect("a selected row");
    let acc = crate::actions::run::Access::new("create", "", "pods", "exec", &*t.namespace, "");
    let why = "not allowed to create pods/exec in shop".to_string();
    let now = s.now;
    s.state.access.insert((0, acc), (Some(why.clone()), now));
    assert_eq!(disabled(&s, Command::ActExec, &t), Some(why.clone()));
    press(&mut s, "x");
    match &s.flow.as_ref().map(|f| &f.stage) {
        Some(Stage::Menu { items, .. }) => {
            let item = items
                .iter()
                .find(|i| i.action == Command::ActShell)
                .expect("shell in the menu");
            assert_eq!(item.disabled.as_deref(), Some(why.as_str()));
        }
        _ => panic!("the menu opens"),
    }
}

#[test]
fn a_shell_is_handed_to_the_front_end_after_its_intent_and_its_end_is_recorded() {
    let mut s = state();
    let fx = chores(press(&mut s, "s"));
    let request = match &fx[..] {
        [Effect::Preflight { request, .. }] => request.clone(),
        other => panic!("{other:?}"),
    };
    assert!(matches!(&request, Request::Shell { shells, .. } if shells == &["bash", "sh"]));
    preflight_ok(&mut s);
    let Some(Effect::Execute { flow, intent, .. }) = press(&mut s, "y").into_iter().next() else {
        panic!("y sends")
    };
    let fx = s.step(done(flow, intent, None, true));
    assert!(
        matches!(&fx[..], [Effect::Shell { pod, container, .. }] if pod == "api-old-1" && container == "app"),
        "{fx:?}"
    );
    let ran = Ran {
        exit: Some(0),
        bytes_in: 12,
        bytes_out: 345,
        took_ms: 9000,
        ..Ran::default()
    };
    let fx = s.step(Event::Done(Done::ShellEnded { flow, ran }));
    let recs = records(&fx);
    assert_eq!(recs.len(), 1, "{fx:?}");
    assert_eq!(recs[0].outcome, Some(Outcome::Succeeded));
    let text = serde_json::to_string(recs[0]).unwrap_or_default();
    assert!(text.contains("12 B in, 345 B out"), "{text}");
}

#[test]
fn a_port_forward_is_listed_and_its_stop_is_recorded() {
    let mut s = state();
    // The fixture's pods declare no port: it is typed.
    let _ = press(&mut s, "F");
    assert!(matches!(
        s.flow.as_ref().map(|f| &f.stage),
        Some(Stage::LocalPort { port: None, .. })
    ));
    press(&mut s, "18080:8080");
    let fx = chores(key(&mut s, Code::Enter));
    let request = match &fx[..] {
        [Effect::Preflight { request, .. }] => request.clone(),
        other => panic!("{other:?}"),
    };
    assert_eq!(
        request,
        Request::PortForward {
            namespace: "shop".into(),
            via: "pod/api-old-1".into(),
            port: 8080,
            local: "127.0.0.1:18080".into(),
        }
    );
    assert_eq!(request.access().describe(), "create pods/portforward");
    preflight_ok(&mut s);
    let Some(Effect::Execute { flow, intent, .. }) = press(&mut s, "y").into_iter().next() else {
        panic!("y sends")
    };
    let fx = s.step(done(flow, intent, None, false));
    assert_eq!(records(&fx)[0].outcome, Some(Outcome::Succeeded));
    assert_eq!(s.forwards.len(), 1);
    key(&mut s, Code::Esc);
    press(&mut s, "W");
    assert!(matches!(
        s.screen(),
        crate::app::state::Screen::Forwards { .. }
    ));
    let fx = s.step(Event::Key(Key::ctrl('k')));
    assert!(
        fx.iter()
            .any(|e| matches!(e, Effect::StopForward { id } if *id == flow)),
        "{fx:?}"
    );
    let recs = records(&fx);
    assert_eq!(recs.len(), 1, "{fx:?}");
    assert_eq!(recs[0].action, "port-forward-stop");
    assert!(!s.forwards[0].active());
    // Stopping again does nothing more.
    assert!(s.step(Event::Key(Key::ctrl('k'))).is_empty());
}

#[test]
fn quitting_stops_every_forward_and_records_it_at_once() {
    let mut s = state();
    let now = s.now;
    crate::app::forwards::add(
        &mut s.state,
        9,
        "s-9",
        0,
        "shop",
        "svc/web",
        80,
        "127.0.0.1:18081",
    );
    s.state.now = now;
    let fx = press(&mut s, "q");
    assert!(
        fx.iter()
            .any(|e| matches!(e, Effect::StopForward { id: 9 })),
        "{fx:?}"
    );
    assert!(
        fx.iter().any(|e| matches!(e, Effect::Audit { record, now: true, .. } if record.action == "port-forward-stop")),
        "{fx:?}"
    );
}

#[test]
fn a_shell_whose_intent_lands_while_quitting_is_not_opened_and_is_recorded() {
    let mut s = state();
    let _ = press(&mut s, "s");
    preflight_ok(&mut s);
    let Some(Effect::Execute { flow, intent, .. }) = press(&mut s, "y").into_iter().next() else {
        panic!("y sends")
    };
    // q while the intent is being written: kdeck waits for the answer.
    let fx = press(&mut s, "q");
    assert!(!fx.iter().any(|e| matches!(e, Effect::Quit)), "{fx:?}");
    let fx = s.step(done(flow, intent, None, true));
    assert!(
        !fx.iter().any(|e| matches!(e, Effect::Shell { .. })),
        "not opened: {fx:?}"
    );
    assert!(
        fx.iter()
            .any(|e| matches!(e, Effect::Audit { record, now: true, .. }
            if record.outcome == Some(Outcome::Failed)
                && record.error.as_deref().unwrap_or("").contains("not opened"))),
        "{fx:?}"
    );
    assert!(
        fx.iter().any(|e| matches!(e, Effect::Quit)),
        "then kdeck stops: {fx:?}"
    );
}

#[test]
fn in_a_protected_scope_low_risk_takes_y_and_higher_risk_the_name() {
    let mut s = state();
    s.state.config.protected = Some(vec!["shop".into()]);
    // A forward is LOW risk: y.
    let _ = press(&mut s, "F");
    press(&mut s, "18080:8080");
    key(&mut s, Code::Enter);
    preflight_ok(&mut s);
    assert!(matches!(
        s.flow.as_ref().map(|f| &f.stage),
        Some(Stage::Confirm { typed: None, .. })
    ));
    key(&mut s, Code::Esc);
    // A shell is HIGH: the pod's name is typed.
    let _ = press(&mut s, "s");
    preflight_ok(&mut s);
    assert!(matches!(
        s.flow.as_ref().map(|f| &f.stage),
        Some(Stage::Confirm { typed: Some(_), .. })
    ));
    // "api-" is not unique in shop (api-new-1, api-old-2, …): not accepted.
    press(&mut s, "api-");
    let fx = key(&mut s, Code::Enter);
    assert!(
        !fx.iter().any(|e| matches!(e, Effect::Execute { .. })),
        "{fx:?}"
    );
    assert!(matches!(
        s.flow.as_ref().map(|f| &f.stage),
        Some(Stage::Confirm { mismatch: true, .. })
    ));
    // The whole name is.
    press(&mut s, "old-1");
    let fx = key(&mut s, Code::Enter);
    assert!(
        fx.iter().any(|e| matches!(e, Effect::Execute { .. })),
        "{fx:?}"
    );
    // And configured otherwise, a LOW-risk action takes the name too.
    let mut t = state();
    t.state.config.protected = Some(vec!["shop".into()]);
    t.state.config.confirm.typed_low_risk = true;
    let _ = press(&mut t, "F");
    press(&mut t, "18080:8080");
    key(&mut t, Code::Enter);
    preflight_ok(&mut t);
    assert!(matches!(
        t.flow.as_ref().map(|f| &f.stage),
        Some(Stage::Confirm { typed: Some(_), .. })
    ));
}

#[test]
fn a_typed_prefix_counts_once_it_is_long_enough_and_unique_in_the_namespace() {
    let s = state();
    // In shop: deployments web and api, replicasets web-aaa, api-old, api-new, and
    // their pods.
    let unique = |typed: &str, want: &str| super::keys::unique_prefix(&s, 0, "shop", typed, want);
    assert!(
        !unique("api-new", "api-new-1"),
        "the ReplicaSet api-new starts so too"
    );
    assert!(
        unique("api-new-", "api-new-1"),
        "nothing else starts with api-new-"
    );
    assert!(!unique("api-", "api-new-1"), "api-old-1 starts so too");
    assert!(!unique("web", "web-aaa-1"), "too short");
    assert!(!unique("web-aaa-", "web-aaa-1"), "web-aaa-2 starts so too");
    assert!(!unique("xyz-", "web-aaa-1"), "not a prefix of the name");
    let mut off = state();
    off.state.config.confirm.prefix_min = 0;
    assert!(!super::keys::unique_prefix(
        &off,
        0,
        "shop",
        "api-new-",
        "api-new-1"
    ));
}
