//! The set image flow as data: the container picker (with several containers), the
//! image line, the plan with its diff and warnings, and nothing sent until confirmed.

use super::*;
use crate::app::testkit::state;
use crate::app::{Console, Done, Event};
use crate::cluster::kinds::{Interner, Object, PdbRec};
use crate::cluster::msg::Msg;
use crate::config::keymap::Key;

use super::tests::{audited, key, press, without_access as chores};

fn sent(fx: &[Effect]) -> bool {
    fx.iter()
        .any(|e| matches!(e, Effect::Preflight { .. } | Effect::Execute { .. }))
}

fn image_stage(s: &Console) -> (String, String, Option<String>) {
    match s.flow.as_ref().map(|f| &f.stage) {
        Some(Stage::Image {
            container,
            input,
            error,
            ..
        }) => (container.clone(), input.text.clone(), error.clone()),
        _ => panic!("not at the image line"),
    }
}

/// deploy shop/api (the first overview row) with two containers.
fn two_containers(s: &mut Console) {
    let d: crate::cluster::kinds::Deployment = serde_json::from_value(serde_json::json!({
        "metadata": {"name": "api", "namespace": "shop", "generation": 2,
            "annotations": {"deployment.kubernetes.io/revision": "2"}},
        "spec": {"replicas": 3, "selector": {"matchLabels": {"app": "api"}},
            "template": {"metadata": {"labels": {"app": "api"}}, "spec": {"containers": [
                {"name": "app", "image": "img:2"}, {"name": "proxy", "image": "envoy:1.30"}]}}},
        "status": {"observedGeneration": 2, "replicas": 3, "updatedReplicas": 1, "readyReplicas": 2,
            "availableReplicas": 2, "conditions": [{"type": "Progressing", "status": "True", "reason": "ReplicaSetUpdated"}]}
    }))
    .expect("deployment");
    let _ = s.step(Event::Cluster(Msg::Applied {
        ctx: 0,
        obj: Box::new(Object::Deployment(std::sync::Arc::new(
            crate::cluster::kinds::DeploymentRec::from(&d, &mut Interner::default()),
        ))),
    }));
}

#[test]
fn the_image_is_typed_planned_with_its_diff_and_sent_only_once_confirmed() {
    let mut s = state();
    // One container: straight to the image line, prefilled with what it runs.
    assert!(chores(press(&mut s, "i")).is_empty());
    assert_eq!(image_stage(&s), ("app".into(), "img:2".into(), None));
    // Enter on the unchanged image, and a bad reference: said under the line.
    let fx = chores(key(&mut s, Code::Enter));
    assert!(fx.is_empty(), "{fx:?}");
    assert!(image_stage(&s).2.unwrap().contains("already runs img:2"));
    let _ = s.step(Event::Key(Key::ctrl('u')));
    assert_eq!(image_stage(&s).1, "");
    press(&mut s, "Img:3");
    let fx = chores(key(&mut s, Code::Enter));
    assert!(!sent(&fx), "{fx:?}");
    assert!(image_stage(&s).2.unwrap().contains("lowercase"));
    for _ in 0..5 {
        key(&mut s, Code::Backspace);
    }
    press(&mut s, "img:3");
    let fx = chores(key(&mut s, Code::Enter));
    match &fx[..] {
        [
            Effect::Preflight {
                request:
                    Request::SetImage {
                        container,
                        image,
                        from,
                        from_revision,
                        ..
                    },
                ..
            },
        ] => assert_eq!(
            (
                container.as_str(),
                image.as_str(),
                from.as_str(),
                *from_revision
            ),
            ("app", "img:3", "img:2", Some(2))
        ),
        other => panic!("{other:?}"),
    }
    let plan = s.flow.as_ref().and_then(|f| f.plan.clone()).expect("plan");
    assert_eq!(plan.diff, vec!["- app image img:2", "+ app image img:3"]);
    assert!(
        plan.warnings
            .iter()
            .any(|w| w.contains("still rolling out")),
        "{:?}",
        plan.warnings
    );
    // The server checks pass: the question, and still nothing sent.
    let flow = s.flow.as_ref().map(|f| f.id).unwrap_or_default();
    let fx = s.step(Event::Done(Done::Preflighted {
        flow,
        checks: vec![crate::actions::run::check(
            "access: patch deployments",
            true,
            "allowed",
        )],
    }));
    assert!(!sent(&fx), "{fx:?}");
    assert!(matches!(
        s.flow.as_ref().map(|f| &f.stage),
        Some(Stage::Confirm { typed: None, .. })
    ));
    // y: the intent carries the request; then it is sent.
    let fx = press(&mut s, "y");
    let intent = match &fx[..] {
        [
            Effect::Execute {
                intent,
                request: Request::SetImage { .. },
                ..
            },
        ] => intent.clone(),
        other => panic!("{other:?}"),
    };
    assert_eq!(intent.phase, Phase::Intent);
    assert_eq!(intent.action, "set-image");
    assert_eq!(intent.target, "deploy/api");
    assert_eq!(intent.params["request"]["do"], "set-image");
    assert_eq!(intent.params["request"]["container"], "app");
    assert_eq!(intent.params["request"]["image"], "img:3");
    assert_eq!(intent.params["request"]["from"], "img:2");
    assert_eq!(intent.params["request"]["from_revision"], 2);
    assert_eq!(intent.before, serde_json::json!("app=img:2 (revision 2)"));
}

#[test]
fn several_containers_are_picked_from_and_esc_goes_back_one_step() {
    let mut s = state();
    two_containers(&mut s);
    assert!(chores(press(&mut s, "i")).is_empty());
    match s.flow.as_ref().map(|f| &f.stage) {
        Some(Stage::PickContainer {
            containers, then, ..
        }) => {
            assert_eq!(containers, &["app", "proxy"]);
            assert_eq!(*then, Then::SetImage);
        }
        _ => panic!("no container picker"),
    }
    key(&mut s, Code::Down);
    key(&mut s, Code::Enter);
    assert_eq!(image_stage(&s), ("proxy".into(), "envoy:1.30".into(), None));
    // esc: back to the picker, on the same container; esc again closes, unrecorded.
    let fx = key(&mut s, Code::Esc);
    assert!(audited(&fx).is_empty());
    assert!(matches!(
        s.flow.as_ref().map(|f| &f.stage),
        Some(Stage::PickContainer { selected: 1, .. })
    ));
    let fx = key(&mut s, Code::Esc);
    assert!(s.flow.is_none());
    assert!(audited(&fx).is_empty() && !sent(&fx), "{fx:?}");
    // Again, to the plan: only the chosen container changes.
    press(&mut s, "i");
    key(&mut s, Code::Down);
    key(&mut s, Code::Enter);
    press(&mut s, "1");
    let fx = chores(key(&mut s, Code::Enter));
    assert!(
        matches!(&fx[..], [Effect::Preflight { request: Request::SetImage { container, image, .. }, .. }]
            if container == "proxy" && image == "envoy:1.301"),
        "{fx:?}"
    );
    let plan = s.flow.as_ref().and_then(|f| f.plan.clone()).expect("plan");
    assert_eq!(
        plan.diff,
        vec!["- proxy image envoy:1.30", "+ proxy image envoy:1.301"]
    );
    // Cancelled at the prompt: recorded, nothing sent.
    let fx = key(&mut s, Code::Esc);
    assert_eq!(audited(&fx)[0].outcome, Some(Outcome::Cancelled));
    assert_eq!(audited(&fx)[0].action, "set-image");
}

#[test]
fn a_budget_over_its_pods_is_a_warning_of_the_plan() {
    let mut s = state();
    let p: crate::cluster::kinds::Pdb = serde_json::from_value(serde_json::json!({
        "metadata": {"name": "api", "namespace": "shop"},
        "spec": {"minAvailable": 2, "selector": {"matchLabels": {"app": "api"}}},
        "status": {"currentHealthy": 2, "desiredHealthy": 2, "disruptionsAllowed": 0, "expectedPods": 3}
    }))
    .expect("pdb");
    let _ = s.step(Event::Cluster(Msg::Applied {
        ctx: 0,
        obj: Box::new(Object::Pdb(std::sync::Arc::new(PdbRec::from(
            &p,
            &mut Interner::default(),
        )))),
    }));
    press(&mut s, "i");
    let _ = s.step(Event::Key(Key::ctrl('u')));
    press(&mut s, "img:3");
    key(&mut s, Code::Enter);
    let plan = s.flow.as_ref().and_then(|f| f.plan.clone()).expect("plan");
    assert!(
        plan.warnings
            .iter()
            .any(|w| w.starts_with("pdb/api allows 0 disruptions now")
                && w.contains("node drains during this rollout will wait")),
        "{:?}",
        plan.warnings
    );
}

#[test]
fn rbac_and_read_only_grey_it_in_the_menu_with_the_reason() {
    let mut s = state();
    let t = crate::app::lists::target(crate::app::lists::ListView::Overview, &s.fleet, 0).unwrap();
    let fx = want_access(&mut s.state, Some(&t));
    let Some(Effect::CheckAccess { checks, .. }) = fx.into_iter().next() else {
        panic!()
    };
    assert!(checks.iter().any(|a| a.describe() == "patch deployments"));
    let results = checks
        .into_iter()
        .map(|a| {
            let denied = a.describe() == "patch deployments";
            (
                a,
                Ok(denied.then(|| "not allowed to patch deployments in shop".to_string())),
            )
        })
        .collect();
    let _ = s.step(Event::Done(Done::Access { ctx: 0, results }));
    press(&mut s, "x");
    let item = match s.flow.as_ref().map(|f| &f.stage) {
        Some(Stage::Menu { items, .. }) => items
            .iter()
            .find(|i| i.label == "set image")
            .cloned()
            .expect("listed"),
        _ => panic!("no menu"),
    };
    assert_eq!(item.key, "i");
    assert!(
        item.disabled
            .as_deref()
            .is_some_and(|d| d.contains("not allowed to patch deployments")),
        "{item:?}"
    );
    key(&mut s, Code::Esc);
    // Tried anyway: refused before the server is asked, and recorded.
    press(&mut s, "i");
    let _ = s.step(Event::Key(Key::ctrl('u')));
    press(&mut s, "img:3");
    let fx = key(&mut s, Code::Enter);
    assert!(!sent(&fx), "{fx:?}");
    assert_eq!(audited(&fx)[0].outcome, Some(Outcome::Refused));
    key(&mut s, Code::Esc);
    // Read-only: the key only says why; the menu lists it disabled.
    s.state.readonly = true;
    let fx = press(&mut s, "i");
    assert!(fx.is_empty() && s.flow.is_none(), "{fx:?}");
    assert!(s.notice.as_ref().unwrap().text.contains("read-only"));
    press(&mut s, "x");
    let Some(Stage::Menu { items, .. }) = s.flow.as_ref().map(|f| &f.stage) else {
        panic!()
    };
    let item = items
        .iter()
        .find(|i| i.label == "set image")
        .expect("listed");
    assert!(item.disabled.as_deref().unwrap_or("").contains("read-only"));
}

#[test]
fn it_is_not_offered_on_rows_it_cannot_change() {
    let s = state();
    // A pod row, as for restart and roll back: not offered.
    let pod = Target {
        ctx: 0,
        kind: ResKind::Pod,
        namespace: Arc::from("shop"),
        name: Arc::from("api-old-1"),
    };
    assert!(disabled(&s, Command::ActSetImage, &pod).is_some());
    let sts = Target {
        kind: ResKind::StatefulSet,
        ..pod
    };
    assert!(
        disabled(&s, Command::ActSetImage, &sts)
            .unwrap()
            .contains("Deployments only")
    );
}
