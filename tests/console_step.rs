//! The binary's own loop (its engine and `Console::step`, headless) over scripted
//! sessions against the simulated cluster over HTTP: what used to happen only in
//! tests now happens because the one step does it — an access review once the
//! selection rests, a verification that times out writes its outcome — and a signal
//! or a closed terminal takes the quit path: a verification in flight is recorded as
//! not verified with its cause, an open confirmation as cancelled.

mod common;

use std::time::Duration;

use common::Cluster;
use common::driver::Driver;
use kdeck::app::Event;
use kdeck::app::event::Stop;
use kdeck::audit::{Outcome, Phase, Record};
use kdeck::config::keymap::Code;
use kdeck::sim::{Scenario, SimConfig};

const LONG: Duration = Duration::from_secs(60);
/// An unprotected namespace (labelled staging), so `y` confirms.
const ROW: &str = "team-dashboard-staging agent-manager";

async fn cluster() -> Cluster {
    Cluster::start_with(SimConfig {
        scenario: Scenario::Calm,
        speed: 5.0,
        ..SimConfig::default()
    })
    .await
}

fn records(dir: &std::path::Path) -> Vec<Record> {
    kdeck::audit::export::records(&dir.join("audit")).expect("audit log readable")
}

/// Selects the staging agent-manager and plans scaling it to 3; waits for the prompt.
async fn scale_to_three(d: &mut Driver) {
    d.pick("agent-manager").await;
    d.select(ROW);
    let row = d.s().list().and_then(|l| l.current()).expect("a row");
    assert_eq!(
        &*d.s().fleet.workloads[row].namespace,
        "team-dashboard-staging"
    );
    d.keys("S");
    assert_eq!(d.stage(), "count");
    d.code(Code::Backspace);
    d.keys("3");
    d.code(Code::Enter);
    d.until_stage(&["confirm"]).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_access_review_is_sent_once_the_selection_rests() {
    let c = cluster().await;
    let data = tempfile::tempdir().expect("tempdir");
    let mut d = Driver::start(&c, data.path()).await;
    d.pick("agent-manager").await;
    // What the first rows asked for is answered and cached.
    d.run_for(Duration::from_secs(2)).await;
    let before = c.sim.access_reviews();
    // Scrolling through rows asks nothing; resting on one does, on the clock.
    for _ in 0..5 {
        d.keys("j");
    }
    assert_eq!(
        c.sim.access_reviews(),
        before,
        "nothing asked while scrolling"
    );
    d.select(ROW);
    d.until("the access answers", LONG, |s| {
        s.access.keys().any(|(_, a)| {
            a.resource == "deployments"
                && a.name == "agent-manager"
                && a.namespace == "team-dashboard-staging"
        })
    })
    .await;
    let asked = c.sim.access_reviews() - before;
    assert!(asked >= 1, "the sim answered {asked} access reviews");
    assert!(asked <= 8, "{asked} reviews for one resting selection");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_verification_that_times_out_writes_its_outcome() {
    let c = cluster().await;
    let data = tempfile::tempdir().expect("tempdir");
    let mut d = Driver::start_with(&c, data.path(), |s| {
        s.config.actions.verify_timeout = Some(kdeck::config::file::Dur::secs(2));
    })
    .await;
    scale_to_three(&mut d).await;
    // The write is stored but nothing reacts: the effect is never observed.
    c.sim.pause_controllers(true);
    d.keys("y");
    d.until_stage(&["finished"]).await;
    d.until_outcome_recorded(LONG).await;
    let rs = records(data.path());
    let last = rs.last().expect("records");
    assert_eq!(last.phase, Phase::Outcome);
    assert_eq!(last.outcome, Some(Outcome::Failed));
    let why = last.error.clone().unwrap_or_default();
    assert!(why.contains("not observed within 2 s"), "{why}");
    assert!(
        rs.iter()
            .any(|r| r.phase == Phase::Intent && r.action_id == last.action_id),
        "the intent came first"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sighup_during_a_verification_writes_not_verified_then_quits() {
    let c = cluster().await;
    let data = tempfile::tempdir().expect("tempdir");
    let mut d = Driver::start(&c, data.path()).await;
    scale_to_three(&mut d).await;
    c.sim.pause_controllers(true);
    d.keys("y");
    d.until_stage(&["verifying"]).await;
    d.feed(Event::Signal(Stop::Hangup));
    assert!(d.engine.done(), "kdeck stops once the record is written");
    let rs = records(data.path());
    let last = rs.last().expect("records");
    assert_eq!(
        (last.phase, last.outcome),
        (Phase::Outcome, Some(Outcome::Failed))
    );
    let why = last.error.clone().unwrap_or_default();
    assert!(
        why.contains("not verified: kdeck stopped by SIGHUP"),
        "{why}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigterm_at_a_confirmation_writes_cancelled_then_quits() {
    let c = cluster().await;
    let data = tempfile::tempdir().expect("tempdir");
    let mut d = Driver::start(&c, data.path()).await;
    let writes = c.sim.writes();
    scale_to_three(&mut d).await;
    d.feed(Event::Signal(Stop::Terminate));
    assert!(d.engine.done());
    let rs = records(data.path());
    let last = rs.last().expect("records");
    assert_eq!(
        (last.phase, last.outcome),
        (Phase::Outcome, Some(Outcome::Cancelled))
    );
    let why = last.error.clone().unwrap_or_default();
    assert!(why.contains("kdeck stopped by SIGTERM"), "{why}");
    assert_eq!(c.sim.writes(), writes, "nothing was sent");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_closed_terminal_at_a_confirmation_is_a_cancellation_too() {
    let c = cluster().await;
    let data = tempfile::tempdir().expect("tempdir");
    let mut d = Driver::start(&c, data.path()).await;
    scale_to_three(&mut d).await;
    d.feed(Event::TerminalClosed);
    assert!(d.engine.done());
    let last = records(data.path()).pop().expect("records");
    assert_eq!(last.outcome, Some(Outcome::Cancelled));
    assert!(
        last.error
            .as_deref()
            .is_some_and(|e| e.contains("the terminal closed")),
        "{last:?}"
    );
}
