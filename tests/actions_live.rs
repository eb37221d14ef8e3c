//! Guarded actions end to end through the console's own flow (keys → plan → access
//! review and server dry run → confirmation → audit intent → request → watch until
//! observed → audit outcome) against the simulated cluster over HTTP, each effect
//! checked with real kubectl afterwards; RBAC denial, a dry-run rejection, a
//! concurrent change and an unwritable audit log each send nothing (the simulated
//! cluster counts writes).

mod common;

use std::time::Duration;

use common::Cluster;
use common::driver::Driver;
use kdeck::app::guard::Stage;
use kdeck::audit::{Outcome, Phase};
use kdeck::config::keymap::Code;
use kdeck::sim::{Scenario, SimConfig};

const KUBECTL: &str = "1.33";
const LONG: Duration = Duration::from_secs(90);

async fn cluster(scenario: Scenario) -> Cluster {
    Cluster::start_with(SimConfig {
        scenario,
        speed: 20.0,
        ..SimConfig::default()
    })
    .await
}

/// Opens the scale dialog on the selected row, types `n` and plans it.
fn scale_to(d: &mut Driver, n: &str) {
    d.keys("S");
    assert_eq!(d.stage(), "count");
    d.code(Code::Backspace);
    d.keys(n);
    d.code(Code::Enter);
}

/// redis's desired replicas, as kubectl reads them.
async fn redis_replicas(k: &common::Kubectl) -> String {
    k.run(&[
        "get",
        "deploy/redis",
        "-n",
        "flextime-production",
        "-o",
        "jsonpath={.spec.replicas}",
    ])
    .await
    .out()
    .to_string()
}

/// Writes the sim's `racing_writes` fault has raced so far.
fn raced(c: &Cluster) -> Option<u64> {
    c.sim
        .faults()
        .injected()
        .get("writes raced by a status update")
        .copied()
}

fn audit_outcomes(dir: &std::path::Path) -> Vec<(String, Phase, Option<Outcome>)> {
    kdeck::audit::export::records(&dir.join("audit"))
        .expect("audit log readable")
        .into_iter()
        .map(|r| (format!("{} {}", r.action, r.target), r.phase, r.outcome))
        .collect()
}

fn verify_ok(dir: &std::path::Path) -> usize {
    let r = kdeck::audit::verify::verify(&dir.join("audit")).expect("verify runs");
    assert_eq!(r.bad, None, "{r:?}");
    assert!(r.torn.is_empty(), "{r:?}");
    r.records
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_incidents_way_out_is_seen_by_kubectl_and_audited() {
    let c = cluster(Scenario::Incident).await;
    let data = tempfile::tempdir().expect("tempdir");
    let mut d = Driver::start(&c, data.path()).await;
    let k = c.kubectl(KUBECTL);
    // The bad release has started rolling out.
    d.until("the bad rollout", LONG, |s| {
        s.contexts[0].data.kinds.deployments.values().any(|x| {
            x.meta.name.as_ref() == "flextime-api"
                && x.template.images().contains(&"flextime/api:v2.4.0")
        })
    })
    .await;

    // Roll back flextime-api: the picker offers the previous revision.
    d.pick("flextime-api").await;
    d.keys("R");
    assert_eq!(d.stage(), "pick");
    d.code(Code::Enter);
    let (o, detail) = d.confirm("flextime-api").await;
    assert_eq!(o, Outcome::Succeeded, "{detail}");
    let image = k
        .run(&[
            "get",
            "deploy",
            "flextime-api",
            "-n",
            "flextime-production",
            "-o",
            "jsonpath={.spec.template.spec.containers[0].image}",
        ])
        .await;
    assert_eq!(image.out(), "flextime/api:v2.3.0");
    let history = k
        .run(&[
            "rollout",
            "history",
            "deploy/flextime-api",
            "-n",
            "flextime-production",
        ])
        .await;
    assert!(history.out().contains("v2.3.0"), "{}", history.stdout);

    // Reset its breaker on every ready pod; each pod answers and is probed again.
    d.pick("flextime-api").await;
    d.keys("B");
    let (o, detail) = d.confirm("flextime-api").await;
    assert_eq!(o, Outcome::Succeeded, "{detail}");
    let pods = k
        .run(&[
            "get",
            "pods",
            "-n",
            "flextime-production",
            "-l",
            "app=flextime,component=api",
            "--field-selector=status.phase=Running",
            "-o",
            "jsonpath={.items[0].metadata.name}",
        ])
        .await;
    let pod = pods.out().to_string();
    let health = k
        .run(&[
            "get",
            "--raw",
            &format!("/api/v1/namespaces/flextime-production/pods/{pod}:3005/proxy/health"),
        ])
        .await;
    assert!(
        health.stdout.contains("\"circuit_breaker\":\"closed\""),
        "{health:?}"
    );

    // Switch dashboard from blue to green, from the blue Deployment's row.
    d.pick("dashboard-blue").await;
    d.keys("T");
    let (o, detail) = d.confirm("dashboard").await;
    assert_eq!(o, Outcome::Succeeded, "{detail}");
    let slot = k
        .run(&[
            "get",
            "svc",
            "dashboard",
            "-n",
            "team-dashboard-prod",
            "-o",
            "jsonpath={.spec.selector.slot}",
        ])
        .await;
    assert_eq!(slot.out(), "green");

    // Trigger a volume snapshot: a manual Job owned by the CronJob, run to completion.
    d.pick("volume-snapshot").await;
    d.keys("b");
    let (o, detail) = d.confirm("volume-snapshot").await;
    assert_eq!(o, Outcome::Succeeded, "{detail}");
    let jobs = k
        .run(&["get", "jobs", "-n", "flextime-backup", "-o", "jsonpath={range .items[*]}{.metadata.name} {.metadata.annotations.cronjob\\.kubernetes\\.io/instantiate} {.metadata.ownerReferences[0].kind} {.status.succeeded}{\"\\n\"}{end}"])
        .await;
    assert!(
        jobs.out()
            .lines()
            .any(|l| l.starts_with("volume-snapshot-manual-") && l.ends_with("manual CronJob 1")),
        "{}",
        jobs.stdout
    );

    // Every action has an intent followed by its outcome; the chain verifies.
    let recs = audit_outcomes(data.path());
    let done: Vec<_> = recs
        .iter()
        .filter(|(_, p, o)| *p == Phase::Outcome && *o == Some(Outcome::Succeeded))
        .map(|(w, _, _)| w.as_str())
        .collect();
    assert_eq!(
        done,
        [
            "rollback deploy/flextime-api",
            "reset-breaker deploy/flextime-api",
            "switch-traffic svc/dashboard",
            "trigger-backup cronjob/volume-snapshot"
        ]
    );
    assert_eq!(
        recs.iter().filter(|(_, p, _)| *p == Phase::Intent).count(),
        4
    );
    assert_eq!(verify_ok(data.path()), 8);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn scale_hpa_bounds_restart_pause_and_undo_are_seen_by_kubectl() {
    let c = cluster(Scenario::Calm).await;
    let data = tempfile::tempdir().expect("tempdir");
    let mut d = Driver::start(&c, data.path()).await;
    let k = c.kubectl(KUBECTL);
    let get = |what: &'static str, ns: &'static str, path: &'static str| {
        let k = &k;
        async move {
            k.run(&["get", what, "-n", ns, "-o", &format!("jsonpath={path}")])
                .await
                .out()
                .to_string()
        }
    };

    // Scale redis 1 → 2 (a typed count), then undo it from the audit log.
    d.pick("redis").await;
    scale_to(&mut d, "2");
    let (o, detail) = d.confirm("redis").await;
    assert_eq!(o, Outcome::Succeeded, "{detail}");
    assert_eq!(
        get("deploy/redis", "flextime-production", "{.spec.replicas}").await,
        "2"
    );
    // U lists what can be undone, newest first: the redis scale is on top.
    d.keys("U");
    d.until_stage(&["pick-undo"]).await;
    d.code(Code::Enter);
    let (o, detail) = d.confirm("redis").await;
    assert_eq!(o, Outcome::Succeeded, "{detail}");
    assert_eq!(
        get("deploy/redis", "flextime-production", "{.spec.replicas}").await,
        "1"
    );

    // Scaling the HPA-managed API offers the HPA's bounds instead (tab).
    d.pick("flextime-api").await;
    scale_to(&mut d, "2");
    d.until_stage(&["confirm"]).await;
    let warned = d
        .s()
        .flow
        .as_ref()
        .and_then(|f| f.plan.as_ref())
        .map(|p| p.warnings.join("; "));
    assert!(
        warned
            .as_deref()
            .unwrap_or("")
            .contains("HPA flextime-api manages"),
        "{warned:?}"
    );
    d.code(Code::Tab);
    let (o, detail) = d.confirm("flextime-api").await;
    assert_eq!(o, Outcome::Succeeded, "{detail}");
    assert_eq!(
        get(
            "hpa/flextime-api",
            "flextime-production",
            "{.spec.minReplicas}"
        )
        .await,
        "2"
    );

    // Restart grafana's rollout; pause it, resume it.
    d.pick("grafana").await;
    d.keys("r");
    let (o, detail) = d.confirm("grafana").await;
    assert_eq!(o, Outcome::Succeeded, "{detail}");
    let at = get(
        "deploy/grafana",
        "flextime-monitoring",
        "{.spec.template.metadata.annotations.kubectl\\.kubernetes\\.io/restartedAt}",
    )
    .await;
    assert!(at.starts_with("20"), "{at:?}");
    d.pick("grafana").await;
    d.keys("P");
    let (o, detail) = d.confirm("grafana").await;
    assert_eq!(o, Outcome::Succeeded, "{detail}");
    assert_eq!(
        get("deploy/grafana", "flextime-monitoring", "{.spec.paused}").await,
        "true"
    );
    d.pick("grafana").await;
    d.keys("P");
    let (o, detail) = d.confirm("grafana").await;
    assert_eq!(o, Outcome::Succeeded, "{detail}");
    assert_eq!(
        get("deploy/grafana", "flextime-monitoring", "{.spec.paused}").await,
        ""
    );

    let recs = audit_outcomes(data.path());
    let ok = recs
        .iter()
        .filter(|(_, p, o)| *p == Phase::Outcome && *o == Some(Outcome::Succeeded))
        .count();
    assert_eq!(ok, 6, "{recs:?}");
    // The scale the HPA was offered instead of was not confirmed: recorded as cancelled.
    assert!(
        recs.iter()
            .any(|(w, _, o)| w == "scale deploy/flextime-api" && *o == Some(Outcome::Cancelled))
    );
    verify_ok(data.path());
}

/// The runbook's `kubectl set image deployment/flagwise-api api=flagwise/api:v1.1.0`,
/// from the console: kubectl sees the new image and a completed rollout, the audit
/// has it; undo rolls back to the revision before, and kubectl sees the old image.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn set_image_rolls_out_is_audited_and_undone_by_a_rollback() {
    let c = cluster(Scenario::Calm).await;
    let data = tempfile::tempdir().expect("tempdir");
    let mut d = Driver::start(&c, data.path()).await;
    let k = c.kubectl(KUBECTL);
    let ns = ["-n", "flagwise"];
    let image = || async {
        k.run(&[
            "get",
            "deploy",
            "flagwise-api",
            ns[0],
            ns[1],
            "-o",
            "jsonpath={.spec.template.spec.containers[0].image}",
        ])
        .await
        .out()
        .to_string()
    };
    let rolled_out = || async {
        let status = k
            .run(&[
                "rollout",
                "status",
                "deployment/flagwise-api",
                ns[0],
                ns[1],
                "--timeout=60s",
            ])
            .await;
        assert!(
            status.out().contains("successfully rolled out"),
            "{}",
            status.stdout
        );
    };
    assert_eq!(image().await, "flagwise/api:v1.0.0");

    // One container: the image line opens prefilled with the one it runs.
    d.pick("flagwise-api").await;
    d.keys("i");
    assert_eq!(d.stage(), "image");
    d.key(kdeck::config::keymap::Key::ctrl('u'));
    d.keys("flagwise/api:v1.1.0");
    d.code(Code::Enter);
    d.until_stage(&["confirm", "refused"]).await;
    let plan = d
        .s()
        .flow
        .as_ref()
        .and_then(|f| f.plan.clone())
        .expect("a plan");
    assert_eq!(
        plan.diff,
        [
            "- api image flagwise/api:v1.0.0",
            "+ api image flagwise/api:v1.1.0"
        ]
    );
    assert!(
        plan.warnings.iter().any(|w| w.contains("HPA flagwise-api")),
        "{:?}",
        plan.warnings
    );
    let (o, detail) = d.confirm("flagwise-api").await;
    assert_eq!(o, Outcome::Succeeded, "{detail}");
    assert!(
        detail.contains("every pod runs flagwise/api:v1.1.0"),
        "{detail}"
    );
    assert_eq!(image().await, "flagwise/api:v1.1.0");
    rolled_out().await;
    let pods = k
        .run(&[
            "get",
            "pods",
            ns[0],
            ns[1],
            "-l",
            "app=flagwise-api",
            "-o",
            "jsonpath={.items[*].spec.containers[0].image}",
        ])
        .await;
    assert!(
        pods.out()
            .split_whitespace()
            .all(|i| i == "flagwise/api:v1.1.0"),
        "{}",
        pods.stdout
    );
    let recs = kdeck::audit::export::records(&data.path().join("audit")).expect("records");
    let set: Vec<_> = recs.iter().filter(|r| r.action == "set-image").collect();
    assert_eq!(
        set.iter().map(|r| (r.phase, r.outcome)).collect::<Vec<_>>(),
        [
            (Phase::Intent, None),
            (Phase::Outcome, Some(Outcome::Succeeded))
        ]
    );
    assert_eq!(set[0].target, "deploy/flagwise-api");
    assert_eq!(set[0].params["request"]["image"], "flagwise/api:v1.1.0");
    assert_eq!(set[0].params["request"]["from"], "flagwise/api:v1.0.0");
    // As kubectl without --record: no change-cause of its own.
    let cause = k
        .run(&[
            "get",
            "deploy",
            "flagwise-api",
            ns[0],
            ns[1],
            "-o",
            "jsonpath={.metadata.annotations.kubernetes\\.io/change-cause}",
        ])
        .await;
    assert!(!cause.out().contains("v1.1.0"), "{}", cause.stdout);

    // Undo: the list says it rolls back to the revision before; kubectl sees v1.0.0.
    d.keys("U");
    d.until_stage(&["pick-undo"]).await;
    let Some(Stage::PickUndo { items, .. }) = d.s().flow.as_ref().map(|f| &f.stage) else {
        panic!("no undo list")
    };
    let (_, what, undo) = &items[0];
    assert!(what.ends_with("set-image deploy/flagwise-api"), "{what}");
    let undo = undo.as_deref().expect("undoable");
    assert!(
        undo.starts_with(
            "rollback: revision 3 (flagwise/api:v1.1.0) → revision 2 (flagwise/api:v1.0.0)"
        ),
        "{undo}"
    );
    d.code(Code::Enter);
    let (o, detail) = d.confirm("flagwise-api").await;
    assert_eq!(o, Outcome::Succeeded, "{detail}");
    assert_eq!(image().await, "flagwise/api:v1.0.0");
    rolled_out().await;
    let recs = audit_outcomes(data.path());
    assert_eq!(
        recs.iter()
            .filter(|(_, p, o)| *p == Phase::Outcome && *o == Some(Outcome::Succeeded))
            .map(|(w, _, _)| w.as_str())
            .collect::<Vec<_>>(),
        [
            "set-image deploy/flagwise-api",
            "rollback deploy/flagwise-api"
        ]
    );
    verify_ok(data.path());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_rbac_denial_is_shown_before_trying_then_refused_audited_and_nothing_written() {
    let c = cluster(Scenario::Calm).await;
    c.sim.set_rules(vec![
        kdeck::sim::access::Rule::parse("patch:deployments/scale:flextime-production", false)
            .expect("rule"),
    ]);
    let data = tempfile::tempdir().expect("tempdir");
    let mut d = Driver::start(&c, data.path()).await;
    d.pick("redis").await;
    // Selecting the row asks the API server what the person may do.
    d.until("the access review", LONG, |s| {
        s.access
            .iter()
            .any(|((_, a), (why, _))| a.subresource == "scale" && why.is_some())
    })
    .await;
    d.keys("x");
    let Some(Stage::Menu { items, .. }) = d.s().flow.as_ref().map(|f| &f.stage) else {
        panic!("no menu")
    };
    let scale = items
        .iter()
        .find(|i| i.label == "scale")
        .expect("scale listed");
    assert!(
        scale
            .disabled
            .as_deref()
            .unwrap_or("")
            .contains("not allowed to patch deployments/scale"),
        "{scale:?}"
    );
    let restart = items
        .iter()
        .find(|i| i.label == "restart rollout")
        .expect("restart listed");
    assert_eq!(restart.disabled, None);
    d.code(Code::Esc);
    scale_to(&mut d, "3");
    let (o, why) = d.confirm("redis").await;
    assert_eq!(o, Outcome::Refused);
    assert!(why.contains("not allowed"), "{why}");
    d.until("the refusal recorded", LONG, |s| !s.audit.is_empty())
        .await;
    let recs = audit_outcomes(data.path());
    assert_eq!(
        recs,
        vec![(
            "scale deploy/redis".to_string(),
            Phase::Outcome,
            Some(Outcome::Refused)
        )]
    );
    assert_eq!(c.sim.writes(), 0, "{:?}", c.sim.stats().write_log());
    verify_ok(data.path());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_dry_run_rejection_refuses_with_the_servers_message() {
    let c = cluster(Scenario::Calm).await;
    c.sim.set_admission(vec![
        kdeck::sim::access::Admission::parse(
            "patch:deployments:flextime-monitoring:changes are frozen during the audit",
        )
        .expect("policy"),
    ]);
    let data = tempfile::tempdir().expect("tempdir");
    let mut d = Driver::start(&c, data.path()).await;
    d.pick("grafana").await;
    d.keys("r");
    let (o, why) = d.confirm("grafana").await;
    assert_eq!(o, Outcome::Refused);
    assert!(
        why.contains("422") && why.contains("changes are frozen during the audit"),
        "{why}"
    );
    d.until("the refusal recorded", LONG, |s| !s.audit.is_empty())
        .await;
    let rec = kdeck::audit::export::records(&data.path().join("audit")).expect("records");
    assert_eq!(rec[0].outcome, Some(Outcome::Refused));
    assert!(
        rec[0]
            .preflight
            .iter()
            .any(|p| !p.ok && p.detail.contains("frozen")),
        "{:?}",
        rec[0].preflight
    );
    assert_eq!(c.sim.writes(), 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_concurrent_change_is_a_conflict_and_is_not_overwritten() {
    let c = cluster(Scenario::Calm).await;
    let data = tempfile::tempdir().expect("tempdir");
    let mut d = Driver::start(&c, data.path()).await;
    let k = c.kubectl(KUBECTL);
    d.pick("redis").await;
    scale_to(&mut d, "3");
    d.until_stage(&["confirm"]).await;
    // Someone else scales redis while the person reads the plan.
    k.run(&[
        "scale",
        "deploy/redis",
        "-n",
        "flextime-production",
        "--replicas=2",
    ])
    .await
    .out();
    let writes = c.sim.changes();
    // Scaling up is medium risk: `y` even in production.
    d.keys("y");
    d.until_stage(&["finished"]).await;
    let (o, detail) = d.finished().expect("finished");
    assert_eq!(o, Outcome::Conflict);
    assert!(
        detail.contains("changed by someone else") && detail.contains("now has 2 replicas"),
        "{detail}"
    );
    assert_eq!(c.sim.changes(), writes, "nothing sent after the conflict");
    assert_eq!(redis_replicas(&k).await, "2");
    d.until("the outcome recorded", LONG, |s| s.audit.len() >= 2)
        .await;
    let recs = audit_outcomes(data.path());
    assert_eq!(recs.last().map(|r| r.2), Some(Some(Outcome::Conflict)));
}

/// A controller's status update between kdeck's read and its write (many a second
/// during a rollout) moves the resourceVersion on, not what the plan saw: the write
/// is built again from the live object and sent again — not refused as a conflict.
/// Bounded: an object that never holds still is refused after three dry runs, and
/// nothing is written; a write that meets it three times ends as a conflict.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_status_update_in_between_is_read_again_and_a_restless_object_refused() {
    let c = cluster(Scenario::Calm).await;
    let data = tempfile::tempdir().expect("tempdir");
    let mut d = Driver::start(&c, data.path()).await;
    let k = c.kubectl(KUBECTL);
    // The dry run and the write each meet one status update first.
    c.sim.faults().apply("racing_writes", "1").expect("fault");
    d.pick("redis").await;
    scale_to(&mut d, "2");
    d.until_stage(&["confirm"]).await;
    c.sim.faults().apply("racing_writes", "1").expect("fault");
    let (o, detail) = d.confirm("redis").await;
    assert_eq!(o, Outcome::Succeeded, "{detail}");
    assert_eq!(raced(&c), Some(2));
    assert_eq!(redis_replicas(&k).await, "2");
    let recs = kdeck::audit::export::records(&data.path().join("audit")).expect("records");
    let out = recs
        .iter()
        .rfind(|r| r.phase == Phase::Outcome)
        .expect("an outcome");
    assert!(
        out.preflight
            .iter()
            .any(|p| p.ok && p.detail.contains("read again 1 time")),
        "{:?}",
        out.preflight
    );
    assert!(
        out.params["results"]
            .to_string()
            .contains("read again and sent again"),
        "{}",
        out.params
    );

    // An object that changes before every write: three tries, then a refusal.
    c.sim.faults().apply("racing_writes", "100").expect("fault");
    let changes = c.sim.changes();
    d.pick("redis").await;
    scale_to(&mut d, "3");
    let (o, why) = d.confirm("redis").await;
    assert_eq!(o, Outcome::Refused, "{why}");
    assert!(why.contains("409"), "{why}");
    assert_eq!(raced(&c), Some(2 + 3), "three dry runs, each raced");
    c.sim.faults().apply("racing_writes", "0").expect("fault");
    assert_eq!(c.sim.changes(), changes, "nothing written");
    assert_eq!(redis_replicas(&k).await, "2");

    // The write itself meets a status update at each of its tries: three tries,
    // each refused (none applied), then a conflict.
    d.pick("redis").await;
    scale_to(&mut d, "3");
    d.until_stage(&["confirm"]).await;
    c.sim.faults().apply("racing_writes", "3").expect("fault");
    let changes = c.sim.changes();
    let (o, detail) = d.confirm("redis").await;
    assert_eq!(o, Outcome::Conflict, "{detail}");
    assert!(detail.contains("changed by someone else"), "{detail}");
    assert_eq!(c.sim.changes(), changes + 3, "three tries, no more");
    assert_eq!(redis_replicas(&k).await, "2");
    c.sim.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unwritable_audit_log_means_nothing_is_sent() {
    let c = cluster(Scenario::Calm).await;
    let tmp = tempfile::tempdir().expect("tempdir");
    // The data "directory" is a file: the audit directory cannot be made (this holds
    // for root too, unlike file modes).
    let data = tmp.path().join("not-a-dir");
    std::fs::write(&data, "x").expect("file");
    let mut d = Driver::start(&c, &data).await;
    d.pick("redis").await;
    scale_to(&mut d, "4");
    let (o, detail) = d.confirm("redis").await;
    assert_eq!(o, Outcome::Failed);
    assert!(
        detail.contains("not run") && detail.contains("audit"),
        "{detail}"
    );
    assert_eq!(c.sim.writes(), 0, "{:?}", c.sim.stats().write_log());
    assert_eq!(redis_replicas(&c.kubectl(KUBECTL)).await, "1");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn read_only_sends_no_writes_whatever_is_pressed() {
    let c = cluster(Scenario::Incident).await;
    let data = tempfile::tempdir().expect("tempdir");
    let mut d = Driver::start(&c, data.path()).await;
    for global in [true, false] {
        // `--readonly`, then a context marked read-only in config.
        d.setup(|s| {
            s.readonly = global;
            s.contexts[0].readonly = !global;
        });
        for row in ["flextime-api", "dashboard-blue", "volume-snapshot", "redis"] {
            d.pick(row).await;
            for k in ["S", "R", "r", "i", "P", "B", "T", "b", "U"] {
                d.keys(k);
                assert!(d.s().flow.is_none(), "{row} {k}: a flow started");
                // (Undo names its context only once the log has an action to undo.)
                assert!(
                    (!global && k == "U")
                        || d.s()
                            .notice
                            .as_ref()
                            .is_some_and(|n| n.text.contains("read-only")),
                    "{row} {k}: {:?}",
                    d.s().notice
                );
            }
            d.keys("x");
            let Some(Stage::Menu { items, .. }) = d.s().flow.as_ref().map(|f| &f.stage) else {
                panic!("no menu")
            };
            assert!(
                items.iter().all(|i| i
                    .disabled
                    .as_deref()
                    .is_some_and(|w| w.contains("read-only"))),
                "{items:?}"
            );
            d.code(Code::Esc);
        }
        d.run_for(Duration::from_secs(3)).await;
    }
    assert_eq!(c.sim.writes(), 0, "{:?}", c.sim.stats().write_log());
    assert!(kdeck::audit::log::files(&data.path().join("audit")).is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failing_backup_run_is_reported_failed_with_its_logs_at_hand() {
    let c = cluster(Scenario::Calm).await;
    let k = c.kubectl(KUBECTL);
    let cronjob = r#"{"apiVersion": "batch/v1", "kind": "CronJob",
        "metadata": {"name": "orders-backup", "namespace": "flextime-backup", "labels": {"app": "backup"}},
        "spec": {"schedule": "0 3 * * *", "jobTemplate": {"spec": {"backoffLimit": 0, "template": {"spec": {
            "restartPolicy": "Never", "containers": [{"name": "dump", "image": "flextime/pg-dump:fail"}]}}}}}}"#;
    k.run_stdin(
        &["create", "--validate=false", "-f", "-"],
        cronjob.as_bytes(),
    )
    .await
    .out();
    let writes_before = c.sim.changes();
    let data = tempfile::tempdir().expect("tempdir");
    let mut d = Driver::start(&c, data.path()).await;
    d.pick("orders-backup").await;
    d.keys("b");
    // A LOW-risk action: `y` confirms it even in a protected namespace.
    d.until_stage(&["confirm"]).await;
    assert!(matches!(
        d.s().flow.as_ref().map(|f| &f.stage),
        Some(Stage::Confirm { typed: None, .. })
    ));
    let (o, detail) = d.confirm("orders-backup").await;
    assert_eq!(o, Outcome::Failed, "{detail}");
    assert!(detail.contains("failed"), "{detail}");
    assert_eq!(c.sim.changes(), writes_before + 1, "one Job created");
    // `l` in the dialog follows the failed run's logs.
    d.keys("l");
    assert!(
        matches!(d.s().screen(), kdeck::app::state::Screen::Logs),
        "{:?}",
        d.s().notice
    );
    let title = d
        .s()
        .logs
        .as_ref()
        .map(|l| l.title.clone())
        .unwrap_or_default();
    assert!(title.contains("job/orders-backup-manual-"), "{title}");
}

/// Each finished action is an Event the whole team sees (`kubectl get events`),
/// carrying the audit chain's head; `kdeck audit verify --cluster` then finds the
/// newest records deleted (which the local chain alone cannot) and a rewritten chain.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn actions_are_published_as_events_and_the_head_catches_a_cut_log() {
    let c = cluster(Scenario::Calm).await;
    let data = tempfile::tempdir().expect("tempdir");
    let mut d = Driver::start(&c, data.path()).await;
    for n in ["2", "1"] {
        d.pick("redis").await;
        scale_to(&mut d, n);
        let (o, detail) = d.confirm("redis").await;
        assert_eq!(o, Outcome::Succeeded, "{detail}");
    }
    let k = c.kubectl(KUBECTL);
    let want = "kdeck scale deploy/redis: succeeded";
    let mut seen = String::new();
    for _ in 0..50 {
        seen = k
            .run(&["get", "events", "-n", "flextime-production", "--field-selector", "reason=KdeckAction", "-o", "jsonpath={range .items[*]}{.message}|{.metadata.annotations.kdeck\\.io/audit-head}{\"\\n\"}{end}"])
            .await
            .out()
            .to_string();
        if seen.matches(want).count() >= 2 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(seen.matches(want).count(), 2, "{seen}");
    let verify = |args: &[&str]| {
        let o = std::process::Command::new(env!("CARGO_BIN_EXE_kdeck"))
            .env("KDECK_DATA_DIR", data.path())
            .env_remove("KUBECONFIG")
            .arg("--kubeconfig")
            .arg(&c.kubeconfig)
            .args(["audit", "verify"])
            .args(args)
            .output()
            .expect("kdeck runs");
        (
            o.status.code().unwrap_or(-1),
            String::from_utf8_lossy(&o.stdout).into_owned(),
        )
    };
    let (code, out) = verify(&["--cluster"]);
    assert_eq!(code, 0, "{out}");
    assert!(
        out.contains("2 published head(s), newest record 4"),
        "{out}"
    );
    // Cut the newest action (intent and outcome): the local chain is still whole...
    let log = data.path().join("audit/audit.jsonl");
    let text = std::fs::read_to_string(&log).expect("log");
    let kept: Vec<&str> = text.lines().take(2).collect();
    std::fs::write(&log, kept.join("\n") + "\n").expect("cut");
    let (code, out) = verify(&[]);
    assert_eq!(code, 0, "alone, a cut chain looks whole: {out}");
    // ...but not against what the cluster was told.
    let (code, out) = verify(&["--cluster"]);
    assert_eq!(code, 1, "{out}");
    assert!(
        out.contains("record 4 was published in event flextime-production/")
            && out.contains("but the log ends at 2: the newest records were deleted"),
        "{out}"
    );
    // The heads gone from the cluster (expired, or deleted): not a pass.
    k.run(&["delete", "events", "--all", "-n", "flextime-production"])
        .await
        .out();
    let (code, out) = verify(&["--cluster"]);
    assert_eq!(code, 1, "{out}");
    assert!(
        out.contains("no published head found for 1 finished action(s)"),
        "{out}"
    );
}
