//! The flow as data: keys and messages in, effects and records out.

use super::*;
use crate::actions::run::Executed;
use crate::app::testkit::{deployment, state};
use crate::app::{Console, Done, Event};
use crate::cluster::kinds::Object;
use crate::cluster::msg::Msg;
use crate::config::keymap::Key;

pub(super) fn press(s: &mut Console, keys: &str) -> Vec<Effect> {
    keys.chars()
        .flat_map(|c| s.step(Event::Key(Key::char(c))))
        .collect()
}

pub(super) fn key(s: &mut Console, code: Code) -> Vec<Effect> {
    s.step(Event::Key(Key::plain(code)))
}

/// The effects that are not background upkeep (access reviews for the selected
/// row, the prober told what is on screen).
pub(super) fn without_access(fx: Vec<Effect>) -> Vec<Effect> {
    fx.into_iter()
        .filter(|e| !matches!(e, Effect::CheckAccess { .. } | Effect::ProbeFocus(_)))
        .collect()
}

pub(super) fn audited(fx: &[Effect]) -> Vec<&Record> {
    fx.iter()
        .filter_map(|e| match e {
            Effect::Audit { record, .. } => Some(record),
            _ => None,
        })
        .collect()
}

/// The runtime's answer to an Execute effect.
fn executed(
    s: &mut Console,
    flow: u64,
    outcome: Outcome,
    detail: impl Into<String>,
    intent: Option<Record>,
    sent: usize,
) -> Vec<Effect> {
    s.step(Event::Done(Done::Executed {
        flow,
        executed: Executed {
            outcome,
            detail: detail.into(),
            results: Vec::new(),
            intent,
            sent,
            revealed: None,
            ran: None,
            interactive: false,
        },
    }))
}

fn checks_pass(s: &mut Console) -> Vec<Effect> {
    let flow = s.flow.as_ref().map(|f| f.id).unwrap();
    s.step(Event::Done(Done::Preflighted {
        flow,
        checks: vec![crate::actions::run::check(
            "access: patch deployments/scale",
            true,
            "allowed",
        )],
    }))
}

/// Scale the first overview row (shop/api, 3 replicas) to `n`, up to the prompt.
fn scale_to(s: &mut Console, n: &str) -> Vec<Effect> {
    assert!(without_access(press(s, "S")).is_empty());
    assert!(matches!(
        s.flow.as_ref().unwrap().stage,
        Stage::Count { .. }
    ));
    key(s, Code::Backspace);
    press(s, n);
    let fx = without_access(key(s, Code::Enter));
    assert!(
        matches!(&fx[..], [Effect::Preflight { request: Request::Scale { replicas, from: 3, .. }, .. }] if replicas.to_string() == n),
        "{fx:?}"
    );
    checks_pass(s)
}

#[test]
fn nothing_is_sent_until_yes_and_no_is_the_default_and_audited() {
    let mut s = state();
    scale_to(&mut s, "2");
    assert!(matches!(
        s.flow.as_ref().unwrap().stage,
        Stage::Confirm { typed: None, .. }
    ));
    // Enter is No: cancelled, recorded, nothing sent.
    let fx = key(&mut s, Code::Enter);
    assert!(!fx.iter().any(|e| matches!(e, Effect::Execute { .. })));
    let recs = audited(&fx);
    assert_eq!(recs.len(), 1, "{fx:?}");
    assert_eq!(recs[0].outcome, Some(Outcome::Cancelled));
    assert_eq!(recs[0].action, "scale");
    assert!(s.flow.is_none());
}

#[test]
fn yes_writes_the_intent_with_the_send_then_verifies_and_records_the_outcome() {
    let mut s = state();
    scale_to(&mut s, "2");
    let fx = press(&mut s, "y");
    let (flow, intent) = match &fx[..] {
        [
            Effect::Execute {
                flow,
                intent,
                request: Request::Scale { replicas: 2, .. },
                ..
            },
        ] => (*flow, intent.clone()),
        other => panic!("{other:?}"),
    };
    assert_eq!(intent.phase, Phase::Intent);
    assert_eq!(intent.before, serde_json::json!("3 replicas"));
    assert_eq!(intent.preflight.len(), 1);
    assert_eq!(intent.actor.context, "test");
    let mut written = intent.clone();
    written.seq = 1;
    let fx = executed(
        &mut s,
        flow,
        Outcome::Succeeded,
        String::new(),
        Some(written),
        1,
    );
    assert!(audited(&fx).is_empty(), "not observed yet: {fx:?}");
    assert!(matches!(
        s.flow.as_ref().unwrap().stage,
        Stage::Verifying { .. }
    ));
    // The watch brings the scaled Deployment: observed, the outcome is audited.
    let fx = s.step(Event::Cluster(Msg::Applied {
        ctx: 0,
        obj: Box::new(Object::Deployment(std::sync::Arc::new(deployment(
            "shop",
            "api",
            2,
            2,
            2,
            ("True", "NewReplicaSetAvailable"),
        )))),
    }));
    let recs = audited(&fx);
    assert_eq!(recs.len(), 1, "{fx:?}");
    assert_eq!(
        (recs[0].phase, recs[0].outcome),
        (Phase::Outcome, Some(Outcome::Succeeded))
    );
    assert_eq!(recs[0].action_id, intent.action_id);
    // The action's end is noted (the rows may note their own changes after it).
    assert!(matches!(
        s.transitions
            .items
            .iter()
            .rev()
            .find(|t| matches!(t.what, Transition::Action { .. }))
            .map(|t| &t.what),
        Some(Transition::Action {
            outcome: Outcome::Succeeded,
            ..
        })
    ));
    assert_eq!(s.audit.len(), 1, "the intent is kept for the audit view");
}

#[test]
fn quitting_while_watching_records_the_outcome_before_leaving() {
    let mut s = state();
    scale_to(&mut s, "2");
    let Some(Effect::Execute { flow, intent, .. }) = press(&mut s, "y").into_iter().next() else {
        panic!()
    };
    executed(
        &mut s,
        flow,
        Outcome::Succeeded,
        String::new(),
        Some(intent),
        1,
    );
    let fx = press(&mut s, "q");
    match &fx[..] {
        [
            Effect::Audit {
                record, now: true, ..
            },
            Effect::Quit,
        ] => {
            assert_eq!(record.outcome, Some(Outcome::Failed));
            assert!(
                record
                    .error
                    .as_deref()
                    .unwrap()
                    .contains("not verified: kdeck quit")
            );
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn a_hidden_running_action_keeps_its_flow_when_the_menu_is_asked_for() {
    let mut s = state();
    scale_to(&mut s, "2");
    let Some(Effect::Execute { flow, intent, .. }) = press(&mut s, "y").into_iter().next() else {
        panic!()
    };
    executed(
        &mut s,
        flow,
        Outcome::Succeeded,
        String::new(),
        Some(intent),
        1,
    );
    key(&mut s, Code::Esc);
    assert!(s.flow.as_ref().unwrap().hidden);
    // Another action's menu would replace the flow and lose the outcome: refused.
    let fx = without_access(press(&mut s, "x"));
    assert!(fx.is_empty(), "{fx:?}");
    let f = s.flow.as_ref().expect("the running flow is kept");
    assert_eq!(f.id, flow);
    assert!(matches!(f.stage, Stage::Verifying { .. }));
    let n = s.notice.as_ref().expect("says why");
    assert!(n.text.contains("still running"), "{}", n.text);
}

#[test]
fn an_outcome_arriving_while_quitting_is_written_before_kdeck_stops() {
    let mut s = state();
    scale_to(&mut s, "2");
    let Some(Effect::Execute { flow, intent, .. }) = press(&mut s, "y").into_iter().next() else {
        panic!()
    };
    // q while the request is in flight: kdeck waits for the answer.
    let fx = press(&mut s, "q");
    assert!(!fx.iter().any(|e| matches!(e, Effect::Quit)), "{fx:?}");
    let fx = executed(&mut s, flow, Outcome::Failed, "conflict", Some(intent), 1);
    let quit = fx.iter().position(|e| matches!(e, Effect::Quit));
    let audits: Vec<(usize, bool)> = fx
        .iter()
        .enumerate()
        .filter_map(|(i, e)| match e {
            Effect::Audit { now, .. } => Some((i, *now)),
            _ => None,
        })
        .collect();
    let quit = quit.unwrap_or_else(|| panic!("stops once answered: {fx:?}"));
    assert!(!audits.is_empty(), "the outcome is recorded: {fx:?}");
    for (i, now) in audits {
        assert!(
            now && i < quit,
            "written synchronously before the quit: {fx:?}"
        );
    }
}

#[test]
fn below_the_smallest_dialog_actions_are_refused_and_nothing_is_confirmed_unseen() {
    let mut s = state();
    let _ = s.step(Event::Size(24, 6));
    assert!(without_access(press(&mut s, "S")).is_empty());
    assert!(s.flow.is_none(), "no dialog that cannot be seen");
    let n = s.notice.as_ref().expect("says why");
    assert_eq!(n.text, "need 40×10");
    assert!(without_access(press(&mut s, "x")).is_empty());
    assert!(s.flow.is_none());
    // Big enough: the prompt opens; shrunk while it is open, y does nothing, esc
    // still cancels.
    let _ = s.step(Event::Size(40, 10));
    scale_to(&mut s, "2");
    let _ = s.step(Event::Size(40, 9));
    assert!(
        !press(&mut s, "y")
            .iter()
            .any(|e| matches!(e, Effect::Execute { .. }))
    );
    // 39 columns: the console draws nothing but "kdeck needs at least 40×6" there.
    let _ = s.step(Event::Size(39, 10));
    let fx = press(&mut s, "y");
    assert!(
        !fx.iter().any(|e| matches!(e, Effect::Execute { .. })),
        "{fx:?}"
    );
    assert!(matches!(
        s.flow.as_ref().unwrap().stage,
        Stage::Confirm { .. }
    ));
    assert_eq!(
        s.notice.as_ref().unwrap().text,
        "too small: actions need 40×10"
    );
    let fx = key(&mut s, Code::Esc);
    assert_eq!(audited(&fx)[0].outcome, Some(Outcome::Cancelled));
}

#[test]
fn an_unanswered_request_is_recorded_unknown_then_reconciled_from_the_watch() {
    let mut s = state();
    scale_to(&mut s, "2");
    let Some(Effect::Execute { flow, intent, .. }) = press(&mut s, "y").into_iter().next() else {
        panic!()
    };
    let fx = executed(
        &mut s,
        flow,
        Outcome::Unknown,
        "no answer from the API server within 20 s",
        Some(intent.clone()),
        1,
    );
    let recs = audited(&fx);
    assert_eq!(recs.len(), 1, "{fx:?}");
    assert_eq!(
        (recs[0].phase, recs[0].outcome),
        (Phase::Outcome, Some(Outcome::Unknown))
    );
    assert!(matches!(
        s.flow.as_ref().unwrap().stage,
        Stage::Verifying { .. }
    ));
    // The watch shows the scale took effect: the outcome is reconciled.
    let fx = s.step(Event::Cluster(Msg::Applied {
        ctx: 0,
        obj: Box::new(Object::Deployment(std::sync::Arc::new(deployment(
            "shop",
            "api",
            2,
            2,
            2,
            ("True", "NewReplicaSetAvailable"),
        )))),
    }));
    let recs = audited(&fx);
    assert_eq!(recs.len(), 1, "{fx:?}");
    assert_eq!(recs[0].outcome, Some(Outcome::Succeeded));
    assert_eq!(recs[0].action_id, intent.action_id);
    let observed = recs[0].after["observed"].as_str().unwrap_or_default();
    assert!(
        observed.starts_with("reconciled from the watch"),
        "{observed}"
    );
}

#[test]
fn a_conflict_is_shown_and_recorded_not_retried() {
    let mut s = state();
    scale_to(&mut s, "2");
    let fx = press(&mut s, "y");
    let Some(Effect::Execute { flow, intent, .. }) = fx.into_iter().next() else {
        panic!()
    };
    let fx = executed(
        &mut s,
        flow,
        Outcome::Conflict,
        "changed by someone else since the plan: deploy/api now has 5 replicas (the plan saw 3)",
        Some(intent),
        0,
    );
    let recs = audited(&fx);
    assert_eq!(recs[0].outcome, Some(Outcome::Conflict));
    assert!(!fx.iter().any(|e| matches!(e, Effect::Execute { .. })));
    match &s.flow.as_ref().unwrap().stage {
        Stage::Finished {
            outcome: Outcome::Conflict,
            detail,
        } => assert!(detail.contains("now has 5")),
        _ => panic!("not finished as a conflict"),
    }
    assert!(s.notice.as_ref().is_some_and(|n| n.error));
}

#[test]
fn a_failed_intent_means_nothing_was_sent_and_is_said_loudly() {
    let mut s = state();
    scale_to(&mut s, "2");
    let Some(Effect::Execute { flow, .. }) = press(&mut s, "y").into_iter().next() else {
        panic!()
    };
    let fx = executed(
        &mut s,
        flow,
        Outcome::Failed,
        "not run: the audit record could not be written (permission denied)",
        None,
        0,
    );
    assert!(fx.is_empty(), "{fx:?}");
    assert!(s.notice.as_ref().unwrap().text.contains("not run"));
}

#[test]
fn access_is_asked_when_the_selection_rests_not_per_row_scrolled_past() {
    let mut s = state();
    let asks = |fx: &[Effect]| {
        fx.iter()
            .filter(|e| matches!(e, Effect::CheckAccess { .. }))
            .count()
    };
    let fx = press(&mut s, "jjjk");
    assert_eq!(asks(&fx), 0, "{fx:?}");
    let now = s.now + 1;
    let fx = s.step(Event::Tick(now));
    assert_eq!(asks(&fx), 1, "{fx:?}");
    // Asked once: the next tick waits for the answer (and then keeps it a minute).
    let fx = s.step(Event::Tick(now + 1));
    assert_eq!(asks(&fx), 0, "{fx:?}");
}

#[test]
fn read_only_disables_every_action_and_sends_nothing() {
    let mut s = state();
    s.state.readonly = true;
    for k in ["S", "R", "r", "i", "P", "B", "T", "b", "U"] {
        let fx = press(&mut s, k);
        assert!(fx.is_empty(), "{k}: {fx:?}");
        assert!(s.flow.is_none());
    }
    assert!(s.notice.as_ref().unwrap().text.contains("read-only"));
    // The menu lists them, each disabled with the reason.
    press(&mut s, "x");
    let Some(Stage::Menu { items, .. }) = s.flow.as_ref().map(|f| &f.stage) else {
        panic!()
    };
    assert!(items.len() >= 5);
    assert!(items.iter().all(|i| {
        i.disabled
            .as_deref()
            .is_some_and(|d| d.contains("read-only"))
    }));
}

#[test]
fn an_rbac_denial_disables_the_action_and_refuses_it_audited() {
    let mut s = state();
    let t = crate::app::lists::target(crate::app::lists::ListView::Overview, &s.fleet, 0).unwrap();
    let fx = want_access(&mut s.state, Some(&t));
    let Some(Effect::CheckAccess { checks, .. }) = fx.into_iter().next() else {
        panic!()
    };
    let results = checks
        .into_iter()
        .map(|a| {
            let denied = a.subresource == "scale";
            (
                a,
                Ok(denied.then(|| "not allowed to patch deployments/scale in shop".to_string())),
            )
        })
        .collect();
    let _ = s.step(Event::Done(Done::Access { ctx: 0, results }));
    assert!(
        disabled(&s, Command::ActScale, &t)
            .unwrap()
            .contains("not allowed")
    );
    assert_eq!(disabled(&s, Command::ActRestart, &t), None);
    press(&mut s, "S");
    key(&mut s, Code::Backspace);
    press(&mut s, "2");
    let fx = key(&mut s, Code::Enter);
    assert!(
        !fx.iter()
            .any(|e| matches!(e, Effect::Preflight { .. } | Effect::Execute { .. }))
    );
    let recs = audited(&fx);
    assert_eq!(recs[0].outcome, Some(Outcome::Refused));
    assert!(recs[0].error.as_deref().unwrap().contains("not allowed"));
}

#[test]
fn a_protected_namespace_needs_the_typed_name() {
    let mut s = state();
    s.state.config.protected = Some(vec!["shop".into()]);
    scale_to(&mut s, "2");
    assert!(matches!(
        s.flow.as_ref().unwrap().stage,
        Stage::Confirm { typed: Some(_), .. }
    ));
    // `y` is just a letter here; a wrong name sends nothing.
    press(&mut s, "y");
    let fx = key(&mut s, Code::Enter);
    assert!(fx.is_empty(), "{fx:?}");
    assert!(matches!(
        s.flow.as_ref().unwrap().stage,
        Stage::Confirm { mismatch: true, .. }
    ));
    key(&mut s, Code::Backspace);
    press(&mut s, "api");
    let fx = key(&mut s, Code::Enter);
    assert!(matches!(&fx[..], [Effect::Execute { .. }]), "{fx:?}");
}

#[test]
fn a_failing_server_check_refuses_with_the_servers_message() {
    let mut s = state();
    press(&mut s, "S");
    key(&mut s, Code::Backspace);
    press(&mut s, "2");
    key(&mut s, Code::Enter);
    let flow = s.flow.as_ref().unwrap().id;
    let fx = s.step(Event::Done(Done::Preflighted {
        flow,
        checks: vec![
            crate::actions::run::check("access: patch deployments/scale", true, "allowed"),
            crate::actions::run::check(
                "dry run: PATCH deploy/api/scale",
                false,
                "422 Invalid: denied by policy",
            ),
        ],
    }));
    let recs = audited(&fx);
    assert_eq!(recs[0].outcome, Some(Outcome::Refused));
    assert_eq!(recs[0].preflight.len(), 2);
    assert!(
        recs[0]
            .error
            .as_deref()
            .unwrap()
            .contains("denied by policy")
    );
}

mod protection {
    use super::*;
    use crate::cluster::kinds::Listing;
    use crate::cluster::kinds::{Interner, NamespaceRec};

    #[test]
    fn production_namespaces_are_protected_by_name_or_label() {
        let mut s = crate::app::testkit::state();
        let n: crate::cluster::kinds::Namespace = serde_json::from_value(serde_json::json!({
            "metadata": {"name": "flextime-backup", "labels": {"environment": "production"}}
        }))
        .expect("namespace");
        s.state.contexts[0].data.relist(
            None,
            Listing::Namespace(vec![std::sync::Arc::new(NamespaceRec::from(
                &n,
                &mut Interner::default(),
            ))]),
        );
        assert!(protected(&s, 0, "flextime-backup"));
        assert!(protected(&s, 0, "team-dashboard-prod"));
        assert!(!protected(&s, 0, "shop"));
    }
}
