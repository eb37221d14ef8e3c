//! The console's behaviour through its one door: keys and reports in (`step`),
//! state and effects out.

use super::lists::{self, ListView};
use super::state::{Input, Screen, State};
use super::testkit::{self, pod, state};
use super::{Console, Done, Effect, Event};
use crate::cluster::kinds::{Listing, Object};
use crate::cluster::msg::Msg;
use crate::config::keymap::{Code, Key};

fn press(s: &mut Console, keys: &str) -> Vec<Effect> {
    let mut fx = Vec::new();
    for c in keys.chars() {
        let k = if c == ' ' {
            Key::plain(Code::Space)
        } else {
            Key::char(c)
        };
        fx.extend(s.step(Event::Key(k)));
    }
    fx
}

fn key(s: &mut Console, code: Code) -> Vec<Effect> {
    s.step(Event::Key(Key::plain(code)))
}

fn selected_name(s: &State) -> String {
    let l = s.list().expect("a list");
    lists::key(l.view, &s.fleet, l.current().expect("a selection")).2
}

#[test]
fn overview_puts_the_failing_rollout_first() {
    let s = state();
    let first = &s.fleet.workloads[0];
    assert_eq!(testkit::name(&first.name), "api");
    assert_eq!(
        first.assessment.severity,
        crate::util::severity::Severity::Critical
    );
    assert!(
        first.assessment.headline().contains("crashing"),
        "{:?}",
        first.assessment
    );
    // Then the warning (old event is not recent, so batch is ok), then ok rows by name.
    let names: Vec<&str> = s.fleet.workloads.iter().map(|w| w.name.as_ref()).collect();
    assert_eq!(names, vec!["api", "batch", "web"]);
}

#[test]
fn navigation_moves_and_clamps() {
    let mut s = state();
    assert_eq!(selected_name(&s), "deploy/api");
    press(&mut s, "j");
    assert_eq!(selected_name(&s), "deploy/batch");
    press(&mut s, "jjjj");
    assert_eq!(selected_name(&s), "deploy/web");
    press(&mut s, "g");
    assert_eq!(selected_name(&s), "deploy/api");
    press(&mut s, "G");
    assert_eq!(selected_name(&s), "deploy/web");
    key(&mut s, Code::Up);
    assert_eq!(selected_name(&s), "deploy/batch");
}

#[test]
fn selection_follows_the_object_when_rows_resort() {
    let mut s = state();
    press(&mut s, "G");
    assert_eq!(selected_name(&s), "deploy/web");
    // web breaks: it sorts to the top; the selection stays on it.
    let _ = s.step(Event::Cluster(Msg::Applied {
        ctx: 0,
        obj: Box::new(Object::Deployment(std::sync::Arc::new(
            testkit::deployment(
                "shop",
                "web",
                2,
                0,
                1,
                ("False", "ProgressDeadlineExceeded"),
            ),
        ))),
    }));
    let _ = s.step(Event::Refresh);
    assert_eq!(selected_name(&s), "deploy/web");
    // It moved up among the critical rows, and the selection moved with it.
    assert!(s.fleet.workloads[1].name.as_ref() == "web" && s.list().unwrap().selected == 1);
}

#[test]
fn an_untouched_selection_stays_on_the_worst_row() {
    let mut s = state();
    // Nothing selected by hand: web breaking worse than api puts web on top, and
    // the cursor with it.
    let mut bad = testkit::deployment(
        "shop",
        "web",
        2,
        0,
        1,
        ("False", "ProgressDeadlineExceeded"),
    );
    bad.desired = 9;
    let _ = s.step(Event::Cluster(Msg::Applied {
        ctx: 0,
        obj: Box::new(Object::Deployment(std::sync::Arc::new(bad))),
    }));
    let _ = s.step(Event::Refresh);
    assert_eq!(s.list().unwrap().selected, 0);
    assert_eq!(
        selected_name(&s),
        lists::key(
            ListView::Overview,
            &s.fleet,
            s.fleet.workloads.iter().position(|_| true).unwrap()
        )
        .2
    );
}

#[test]
fn filter_narrows_live_and_esc_clears() {
    let mut s = state();
    press(&mut s, "/");
    assert!(matches!(s.input, Input::Filter(_)));
    press(&mut s, "ops");
    assert_eq!(s.list().unwrap().visible.len(), 1);
    assert_eq!(selected_name(&s), "deploy/batch");
    key(&mut s, Code::Enter);
    assert_eq!(s.input, Input::None);
    assert_eq!(s.list().unwrap().filter, "ops");
    key(&mut s, Code::Esc);
    assert_eq!(s.list().unwrap().filter, "");
    assert_eq!(s.list().unwrap().visible.len(), 3);
}

#[test]
fn enter_drills_into_a_workloads_pods_and_esc_returns() {
    let mut s = state();
    key(&mut s, Code::Enter);
    let l = s.list().unwrap();
    assert_eq!(l.view, ListView::Pods);
    let pods: Vec<String> = l
        .visible
        .iter()
        .map(|&i| s.fleet.pods[i].name.to_string())
        .collect();
    assert_eq!(pods.len(), 3, "{pods:?}");
    assert_eq!(pods[0], "api-new-1", "the crash-looping pod first");
    key(&mut s, Code::Enter);
    assert!(matches!(s.screen(), Screen::Describe { .. }));
    key(&mut s, Code::Esc);
    key(&mut s, Code::Esc);
    assert_eq!(s.list().unwrap().view, ListView::Overview);
}

#[test]
fn views_switch_by_number_tab_and_command() {
    let mut s = state();
    press(&mut s, "2");
    assert_eq!(s.top_view(), ListView::Pods);
    key(&mut s, Code::Tab);
    assert_eq!(s.top_view(), ListView::Workloads);
    press(&mut s, ":ev");
    key(&mut s, Code::Enter);
    assert_eq!(s.top_view(), ListView::Events);
    // Warnings first, newest first.
    assert!(s.fleet.events[0].warning);
    press(&mut s, ":ns ops");
    key(&mut s, Code::Enter);
    assert_eq!(s.scope_namespace.as_deref(), Some("ops"));
    assert!(
        s.list()
            .unwrap()
            .visible
            .iter()
            .all(|&i| s.fleet.events[i].namespace.as_ref() == "ops")
    );
    // A name kdeck has no view for is looked up in the servers' discovery; when
    // no server serves it, the person is told so.
    press(&mut s, ":nope");
    key(&mut s, Code::Enter);
    assert!(
        s.notice
            .as_ref()
            .is_some_and(|n| !n.error && n.text.contains("looking up")),
        "{:?}",
        s.notice
    );
    for ctx in 0..s.contexts.len() {
        let _ = s.step(Event::Cluster(Msg::Discovered {
            ctx,
            result: Ok(Vec::new()),
        }));
    }
    assert!(
        s.notice
            .as_ref()
            .is_some_and(|n| n.error && n.text.contains("doesn't have a resource type \"nope\"")),
        "{:?}",
        s.notice
    );
    press(&mut s, ":fr*b");
    key(&mut s, Code::Enter);
    assert!(
        s.notice
            .as_ref()
            .is_some_and(|n| n.error && n.text.contains("unknown command")),
        "{:?}",
        s.notice
    );
}

#[test]
fn command_line_completes_namespaces() {
    let mut s = state();
    let _ = s.step(Event::Cluster(testkit::relist(
        0,
        Listing::Namespace(vec![
            std::sync::Arc::new(crate::cluster::kinds::NamespaceRec {
                name: "shop".into(),
                terminating: false,
                labels: Default::default(),
                created: 0,
            }),
            crate::cluster::kinds::NamespaceRec {
                name: "ops".into(),
                terminating: false,
                labels: Default::default(),
                created: 0,
            }
            .into(),
        ]),
    )));
    press(&mut s, ":ns s");
    key(&mut s, Code::Tab);
    match &s.input {
        Input::Command(i) => assert_eq!(i.text, "ns shop "),
        other => panic!("{other:?}"),
    }
}

#[test]
fn completed_pods_are_hidden_until_toggled() {
    let mut s = state();
    let mut done = pod("ops", "job-1", "x", None, 0);
    done.phase = "Succeeded".into();
    let _ = s.step(Event::Cluster(Msg::Applied {
        ctx: 0,
        obj: Box::new(Object::Pod(std::sync::Arc::new(done))),
    }));
    let _ = s.step(Event::Refresh);
    press(&mut s, "2");
    let n = s.list().unwrap().visible.len();
    press(&mut s, "c");
    assert_eq!(s.list().unwrap().visible.len(), n + 1);
}

#[test]
fn logs_start_streams_and_back_stops_them() {
    let mut s = state();
    press(&mut s, "2");
    // The first pod is the crash-looping one.
    let fx = press(&mut s, "l");
    let stream = match &fx[..] {
        [
            Effect::StartLogs {
                stream,
                pod,
                container,
                ..
            },
        ] => {
            assert_eq!((pod.as_ref(), container.as_str()), ("api-new-1", "app"));
            *stream
        }
        other => panic!("{other:?}"),
    };
    assert_eq!(*s.screen(), Screen::Logs);
    let _ = s.step(Event::Cluster(Msg::Log {
        stream,
        pod: "api-new-1".into(),
        container: "app".into(),
        line: "boom".into(),
    }));
    let _ = s.step(Event::Cluster(Msg::Log {
        stream: 999,
        pod: "other".into(),
        container: "app".into(),
        line: "not ours".into(),
    }));
    assert_eq!(s.logs.as_ref().unwrap().lines.len(), 1);
    press(&mut s, " ");
    assert!(s.logs.as_ref().unwrap().paused);
    let fx = key(&mut s, Code::Esc);
    assert_eq!(fx, vec![Effect::StopLogs { stream }]);
    assert!(s.logs.is_none());
    assert_eq!(s.top_view(), ListView::Pods);
}

#[test]
fn workload_logs_merge_every_pod() {
    let mut s = state();
    let fx = press(&mut s, "l");
    assert_eq!(
        fx.iter()
            .filter(|f| matches!(f, Effect::StartLogs { .. }))
            .count(),
        3
    );
    assert!(s.logs.as_ref().unwrap().prefixed);
}

#[test]
fn yaml_fetches_and_shows_the_answer() {
    let mut s = state();
    let fx = press(&mut s, "y");
    let request = match &fx[..] {
        [
            Effect::Fetch {
                request,
                name,
                namespace,
                res,
                as_: crate::app::effect::FetchAs::Yaml,
                ..
            },
        ] => {
            assert_eq!((name.as_str(), namespace.as_str()), ("api", "shop"));
            assert_eq!(res.plural, "deployments");
            *request
        }
        other => panic!("{other:?}"),
    };
    let _ = s.step(Event::Done(Done::Fetched {
        request,
        result: Ok("kind: Deployment\n\u{1b}[2Jmetadata:".into()),
    }));
    let lines = s.yaml.as_ref().unwrap().lines.clone().unwrap().unwrap();
    assert_eq!(lines, vec!["kind: Deployment", "metadata:"]);
}

#[test]
fn help_toggles_and_quit_stops_everything() {
    let mut s = state();
    press(&mut s, "?");
    assert!(s.help);
    press(&mut s, "x");
    assert!(!s.help);
    let fx = press(&mut s, "q");
    assert!(s.should_quit);
    assert_eq!(fx, vec![Effect::Quit]);
}

#[test]
fn context_goes_stale_and_recovers() {
    let mut s = state();
    let _ = s.step(Event::Cluster(Msg::Reachable {
        ctx: 0,
        ok: Err("connection refused".into()),
        skew: None,
    }));
    let _ = s.step(Event::Tick(testkit::NOW + 5));
    match s.contexts[0].reach() {
        crate::app::state::Reach::Stale { reason, .. } => {
            assert!(reason.contains("connection refused"))
        }
        other => panic!("{other:?}"),
    }
    let _ = s.step(Event::Cluster(Msg::Reachable {
        ctx: 0,
        ok: Ok(()),
        skew: Some(3),
    }));
    assert_eq!(s.contexts[0].reach(), crate::app::state::Reach::Live);
    assert_eq!(s.ctx_now(0), testkit::NOW + 5 + 3);
}

#[test]
fn the_prober_is_told_which_workloads_are_on_screen_as_the_window_moves() {
    let mut s = state();
    let focus = |fx: &[Effect]| {
        fx.iter().find_map(|e| match e {
            Effect::ProbeFocus(f) => {
                let mut v: Vec<String> =
                    f.iter().map(|(c, ns, w)| format!("{c}/{ns}/{w}")).collect();
                v.sort();
                Some(v)
            }
            _ => None,
        })
    };
    let row = |s: &Console, i: usize| {
        let w = &s.fleet.workloads[s.list().unwrap().visible[i]];
        format!("{}/{}/{}/{}", w.ctx, w.namespace, w.kind.short(), w.name)
    };
    // One row of room: the first row's workload only.
    let fx = s.step(Event::Page(1));
    assert_eq!(focus(&fx), Some(vec![row(&s, 0)]));
    // Moving down scrolls the window: the second row's workload now.
    let fx = press(&mut s, "j");
    assert_eq!(focus(&fx), Some(vec![row(&s, 1)]));
    // Nothing moved: nothing is sent again.
    let fx = s.step(Event::Refresh);
    assert_eq!(focus(&fx), None);
}

fn with_namespaces(s: &mut Console, names: &[&str]) {
    let recs = names
        .iter()
        .map(|n| crate::cluster::kinds::NamespaceRec {
            name: std::sync::Arc::from(*n),
            terminating: false,
            labels: crate::cluster::kinds::Labels::default(),
            created: 0,
        })
        .map(std::sync::Arc::new)
        .collect();
    let _ = s.step(Event::Cluster(testkit::relist(0, Listing::Namespace(recs))));
}

#[test]
fn the_command_line_never_fails_silently() {
    let mut s = state();
    with_namespaces(&mut s, &["shop", "ops"]);
    // A namespace that does not exist is an error naming the close ones.
    press(&mut s, ":pods sho");
    key(&mut s, Code::Enter);
    let n = s
        .notice
        .as_ref()
        .map(|n| (n.text.clone(), n.error))
        .unwrap_or_default();
    assert!(
        n.1 && n.0.contains("no namespace \"sho\"") && n.0.contains("shop"),
        "{n:?}"
    );
    assert_eq!(s.scope_namespace, None, "nothing was narrowed");
    press(&mut s, ":ns nope");
    key(&mut s, Code::Enter);
    assert!(
        s.notice
            .as_ref()
            .is_some_and(|n| n.error && n.text.contains("nope"))
    );
    assert_eq!(s.scope_namespace, None);
    // A context that is not open, too.
    press(&mut s, ":ctx tset");
    key(&mut s, Code::Enter);
    let n = s
        .notice
        .as_ref()
        .map(|n| n.text.clone())
        .unwrap_or_default();
    assert!(n.contains("did you mean test"), "{n}");
    // `:ns` alone is a picker: the line reopens with the candidates; ↓ walks them.
    press(&mut s, ":ns");
    key(&mut s, Code::Enter);
    assert!(
        matches!(&s.input, Input::Command(i) if i.text == "ns "),
        "{:?}",
        s.input
    );
    key(&mut s, Code::Down);
    assert!(
        matches!(&s.input, Input::Command(i) if i.text == "ns all"),
        "{:?}",
        s.input
    );
    key(&mut s, Code::Down);
    assert!(
        matches!(&s.input, Input::Command(i) if i.text == "ns ops"),
        "{:?}",
        s.input
    );
    key(&mut s, Code::Enter);
    assert_eq!(s.scope_namespace.as_deref(), Some("ops"));
}

#[test]
fn a_label_selector_filters_pods_from_the_command_line_and_the_filter() {
    let mut s = state();
    press(&mut s, ":pods -l app=api");
    key(&mut s, Code::Enter);
    let l = s.list().expect("the pods list");
    assert_eq!(l.view, ListView::Pods);
    assert_eq!(l.filter, "-l app=api");
    let names: Vec<String> = l
        .visible
        .iter()
        .map(|&i| s.fleet.pods[i].name.to_string())
        .collect();
    assert_eq!(names.len(), 3, "{names:?}");
    assert!(names.iter().all(|n| n.starts_with("api-")), "{names:?}");
    // The same in `/`, and a bad selector is said.
    key(&mut s, Code::Esc);
    press(&mut s, "/-l app=web");
    key(&mut s, Code::Enter);
    let l = s.list().expect("the pods list");
    assert_eq!(l.visible.len(), 2);
    press(&mut s, ":pods -l");
    key(&mut s, Code::Enter);
    assert!(
        s.notice
            .as_ref()
            .is_some_and(|n| n.error && n.text.contains("-l"))
    );
}

#[test]
fn logs_reach_a_sidecar_with_timestamps_a_range_and_a_save() {
    use crate::cluster::kinds::{Interner, Pod, PodRec};
    let mut s = state();
    s.state.state_dir = Some(std::path::PathBuf::from("/state"));
    let p: Pod = serde_json::from_value(serde_json::json!({
        "metadata": {"name": "two-1", "namespace": "shop", "creationTimestamp": testkit::ts(60)},
        "spec": {"containers": [{"name": "api"}, {"name": "health-sidecar"}]},
        "status": {"phase": "Running", "containerStatuses": [
            {"name": "api", "ready": true, "state": {"running": {}}},
            {"name": "health-sidecar", "ready": true, "state": {"running": {}}}]},
    }))
    .expect("a pod");
    let rec = PodRec::from(&p, &mut Interner::default());
    let _ = s.step(Event::Cluster(Msg::Applied {
        ctx: 0,
        obj: Box::new(Object::Pod(std::sync::Arc::new(rec))),
    }));
    let t = lists::Target {
        ctx: 0,
        kind: crate::cluster::kinds::ResKind::Pod,
        namespace: std::sync::Arc::from("shop"),
        name: std::sync::Arc::from("two-1"),
    };
    let fx = super::logs::open_logs(&mut s.state, &t, false);
    let started = |fx: &[Effect]| {
        fx.iter()
            .find_map(|e| match e {
                Effect::StartLogs {
                    container,
                    since,
                    timestamps,
                    ..
                } => Some((container.clone(), *since, *timestamps)),
                _ => None,
            })
            .expect("a stream starts")
    };
    assert_eq!(started(&fx), ("api".to_string(), None, false));
    // C: the sidecar (the old stream stops).
    let fx = press(&mut s, "C");
    assert!(
        fx.iter().any(|e| matches!(e, Effect::StopLogs { .. })),
        "{fx:?}"
    );
    assert_eq!(started(&fx).0, "health-sidecar");
    // t: timestamps; s: the last minute; both kept on the sidecar.
    assert_eq!(
        started(&press(&mut s, "t")),
        ("health-sidecar".to_string(), None, true)
    );
    assert_eq!(
        started(&press(&mut s, "s")),
        ("health-sidecar".to_string(), Some(60), true)
    );
    // ctrl-s: the buffer to a file under the state dir.
    let fx = s.step(Event::Key(Key::ctrl('s')));
    match &fx[..] {
        [Effect::SaveLogs { path, .. }] => {
            assert!(path.starts_with("/state/logs"), "{}", path.display());
            assert!(path.to_string_lossy().ends_with(".log"));
        }
        other => panic!("{other:?}"),
    }
}
