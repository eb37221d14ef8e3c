//! The command line as a person uses it at 80×24 (tmux): a label selector filters,
//! a namespace that does not exist is an error naming the close ones, `:ns` alone
//! is a picker, and `o` sorts with the sort in the header.

mod common;

use std::time::Duration;

use common::tmux::{Tmux, demo_kubectl, kdeck_cmd};

const WAIT: Duration = Duration::from_secs(30);

#[test]
fn labels_bad_namespaces_pickers_and_sorting_at_80x24() {
    let dir = tempfile::tempdir().expect("tempdir");
    let t = Tmux::start(&kdeck_cmd(dir.path(), "demo --speed 10", ""), 80, 24);
    t.wait("the overview", WAIT, |s| s.contains("SEV"));
    // `:pods -l app=dashboard`: only the dashboard's pods, the filter in the header.
    t.keys(&[":"]);
    t.text("pods -l app=dashboard");
    t.keys(&["Enter"]);
    let s = t.wait("the labelled pods", WAIT, |s| {
        s.contains("/-l app=dashboard")
    });
    let rows: Vec<&str> = s
        .lines()
        .skip_while(|l| !l.starts_with("NAMESPACE"))
        .skip(1)
        .take_while(|l| !l.trim().is_empty())
        .collect();
    assert!(!rows.is_empty(), "{s}");
    assert!(rows.iter().all(|r| r.contains("dashboard")), "{s}");
    // A namespace that does not exist: an error with the close one.
    t.keys(&["Escape", ":"]);
    t.text("ns flextime-p");
    t.keys(&["Enter"]);
    let s = t.wait("the error", WAIT, |s| s.contains("no namespace"));
    assert!(s.contains("flextime-production"), "{s}");
    assert!(s.contains("all ns"), "the scope stayed: {s}");
    // `:ns` alone: a picker; ↓ and enter pick.
    t.keys(&[":"]);
    t.text("ns");
    t.keys(&["Enter"]);
    t.wait("the picker", WAIT, |s| {
        s.lines().last().is_some_and(|l| l.contains(":ns")) || s.contains("pick with")
    });
    t.keys(&["Down", "Down", "Enter"]);
    t.wait("narrowed", WAIT, |s| s.contains("ns:"));
    // `o` sorts, the header says by what.
    t.keys(&["Escape", "2", "o", "o"]);
    t.wait("the sort in the header", WAIT, |s| s.contains("↑NAME"));
    t.keys(&["q"]);
    let s = t.wait("exit", WAIT, |s| s.contains("KDECK_EXIT="));
    assert!(s.contains("KDECK_EXIT=0"), "{s}");
}

#[test]
fn the_sidecars_logs_are_reached_at_80x24() {
    let dir = tempfile::tempdir().expect("tempdir");
    let t = Tmux::start(&kdeck_cmd(dir.path(), "demo --speed 10", ""), 80, 24);
    t.wait("the overview", WAIT, |s| s.contains("SEV"));
    t.keys(&["2", "/"]);
    t.text("flextime-api");
    t.keys(&["Enter"]);
    t.wait("flextime-api's pods", WAIT, |s| s.contains("/flextime-api"));
    t.keys(&["l"]);
    t.wait("the api container's logs", WAIT, |s| {
        s.contains("[api]") && s.contains("C:2 containers")
    });
    t.keys(&["C"]);
    t.wait("the sidecar's logs", WAIT, |s| {
        s.contains("[health-sidecar]")
    });
    t.keys(&["t"]);
    t.wait("timestamps", WAIT, |s| s.contains("timestamps"));
    t.keys(&["C-s"]);
    let s = t.wait("saved", WAIT, |s| s.contains("log saved to"));
    assert!(s.contains("logs"), "{s}");
    t.keys(&["q"]);
    t.wait("exit", WAIT, |s| s.contains("KDECK_EXIT="));
    let saved: Vec<_> = std::fs::read_dir(dir.path().join("state").join("logs"))
        .map(|d| d.flatten().map(|e| e.path()).collect())
        .unwrap_or_default();
    assert_eq!(saved.len(), 1, "{saved:?}");
}

fn pause(t: &Tmux, name: &str) {
    t.keys(&["Escape", "/"]);
    t.text(name);
    t.keys(&["Enter"]);
    t.wait(&format!("the {name} row"), WAIT, |s| {
        s.contains(&format!("/{name}"))
    });
    t.keys(&["P"]);
    t.wait("the pause's plan", WAIT, |s| s.contains("run it? y yes"));
    t.keys(&["y"]);
    let s = t.wait("paused", Duration::from_secs(60), |s| {
        s.contains("succeeded") || s.contains("failed") || s.contains("refused")
    });
    assert!(s.contains("succeeded"), "{s}");
    t.keys(&["Escape"]);
    // The row says what was just done to it.
    t.wait("the row's note", WAIT, |s| {
        s.lines().any(|l| l.contains(name) && l.contains("by you"))
    });
}

#[test]
fn undo_picks_an_older_action_from_the_list_at_80x24() {
    let dir = tempfile::tempdir().expect("tempdir");
    let t = Tmux::start(&kdeck_cmd(dir.path(), "demo --speed 10", ""), 80, 24);
    t.wait("the overview", WAIT, |s| s.contains("SEV"));
    pause(&t, "grafana");
    pause(&t, "flagwise-api");
    t.keys(&["U"]);
    let s = t.wait("the undo list", WAIT, |s| s.contains("undo which action?"));
    let first = s.find("flagwise-api").unwrap_or(usize::MAX);
    let second = s.find("grafana").unwrap_or(0);
    assert!(first < second, "newest first:\n{s}");
    assert!(s.contains("undo sends"), "{s}");
    t.keys(&["Down", "Enter"]);
    t.wait("the undo's plan", WAIT, |s| {
        s.contains("deploy/grafana") && s.contains("run it? y yes")
    });
    t.keys(&["y"]);
    let s = t.wait("undone", Duration::from_secs(60), |s| {
        s.contains("succeeded") || s.contains("failed")
    });
    assert!(s.contains("succeeded"), "{s}");
    // (Asked while the demo's cluster still runs: it stops with kdeck.)
    let paused = |ns: &str, name: &str| {
        demo_kubectl(
            dir.path(),
            &[
                "get",
                "deploy",
                name,
                "-n",
                ns,
                "-o",
                "jsonpath={.metadata.name} {.spec.paused}",
            ],
        )
    };
    assert_eq!(
        paused("flextime-monitoring", "grafana").trim(),
        "grafana",
        "the older one was undone"
    );
    assert_eq!(
        paused("flagwise", "flagwise-api"),
        "flagwise-api true",
        "the newer one was not"
    );
    t.keys(&["Escape", "q"]);
    t.wait("exit", WAIT, |s| s.contains("KDECK_EXIT="));
}

/// Keys sent to the console, counted: what a person would press.
struct Counted<'a> {
    t: &'a Tmux,
    n: std::cell::Cell<usize>,
}

impl Counted<'_> {
    fn keys(&self, keys: &[&str]) {
        self.n.set(self.n.get() + keys.len());
        self.t.keys(keys);
    }

    fn text(&self, s: &str) {
        self.n.set(self.n.get() + s.chars().count());
        self.t.text(s);
    }

    fn done(&self, what: &str) -> String {
        // The outcome line of the action's box (not a row's text that says "failed").
        let outcome = |s: &str| {
            s.lines()
                .filter_map(|l| l.split_once('│').map(|(_, rest)| rest))
                .find(|l| {
                    ["succeeded:", "failed:", "refused:", "conflict:"]
                        .iter()
                        .any(|o| l.starts_with(o))
                })
                .map(str::to_string)
        };
        // Finished, not still watching: the box says how it goes away.
        let s = self.t.wait(what, Duration::from_secs(90), |s| {
            outcome(s).is_some() && s.contains("esc closes, or go on")
        });
        let line = outcome(&s).unwrap_or_default();
        assert!(line.starts_with("succeeded:"), "{what}: {s}");
        s
    }
}

/// The incident's way out — roll flextime-api back, reset its breaker, trigger the
/// stale volume snapshot, switch dashboard to green — from the first screen at
/// 80×24 in at most 40 keystrokes, counted (issue 12): the rollback and the traffic
/// switch (high risk, production) take the typed name, the breaker reset and the
/// backup run take `y`, and a finished action's box goes away with the next key.
#[test]
fn the_incidents_way_out_is_at_most_40_keystrokes_at_80x24() {
    let dir = tempfile::tempdir().expect("tempdir");
    let t = Tmux::start(&kdeck_cmd(dir.path(), "demo --speed 10", ""), 80, 24);
    let first_row = |s: &str| {
        s.lines()
            .skip_while(|l| !l.starts_with("SEV"))
            .nth(1)
            .unwrap_or("")
            .to_string()
    };
    t.wait(
        "the bad rollout on top, the stale snapshot under it",
        WAIT,
        |s| {
            let rows: Vec<&str> = s.lines().skip_while(|l| !l.starts_with("SEV")).collect();
            first_row(s).contains("flextime-api")
                && rows.get(2).is_some_and(|r| r.contains("volume-snapshot"))
        },
    );
    let k = Counted {
        t: &t,
        n: std::cell::Cell::new(0),
    };
    // Roll back (the previous revision is preselected): R, enter, the name, enter.
    k.keys(&["R"]);
    t.wait("the revision picker", WAIT, |s| {
        s.contains("roll back to which revision?")
    });
    k.keys(&["Enter"]);
    t.wait("the rollback's typed prompt", WAIT, |s| {
        s.contains("type flextime-api")
    });
    k.text("flextime-api");
    k.keys(&["Enter"]);
    k.done("the rollback");
    // Reset the breaker of the same row (medium risk: y).
    k.keys(&["B"]);
    t.wait("the breaker's plan", WAIT, |s| {
        s.contains("flextime-api") && s.contains("run it? y yes")
    });
    k.keys(&["y"]);
    k.done("the breaker reset");
    // The stale snapshot is on top once the rolled-back row is no longer critical.
    // Close the result and look before pressing, as a person would (the selection
    // follows its row when the list re-sorts): esc, g, b, y (low risk).
    k.keys(&["Escape"]);
    t.wait("the stale snapshot on top", 2 * WAIT, |s| {
        first_row(s).contains("volume-snapshot")
    });
    k.keys(&["g", "b"]);
    t.wait("the backup's plan", WAIT, |s| {
        s.contains("volume-snapshot") && s.contains("run it? y yes")
    });
    k.keys(&["y"]);
    k.done("the backup run");
    // Filter to dashboard-blue and switch its traffic: the Service's name is typed.
    k.keys(&["/"]);
    k.text("blue");
    k.keys(&["Enter"]);
    t.wait("dashboard-blue on top", WAIT, |s| {
        first_row(s).contains("dashboard-blue")
    });
    k.keys(&["T"]);
    t.wait("the switch's typed prompt", WAIT, |s| {
        s.contains("type dashboard")
    });
    k.text("dashboard");
    k.keys(&["Enter"]);
    k.done("the traffic switch");
    let pressed = k.n.get();
    // "Did my fix work?": the snapshot's rows say fresh, the PVC's too.
    k.t.keys(&["9"]);
    let s = t.wait("the backups fresh", WAIT, |s| {
        s.lines()
            .any(|l| l.contains("volume-snapshot") && l.contains("fresh"))
            && s.lines()
                .any(|l| l.contains("flextime-data") && l.contains("fresh"))
    });
    assert!(
        !s.lines()
            .any(|l| l.starts_with("WARN") && l.contains("volume-snapshot")),
        "{s}"
    );
    eprintln!("the incident's way out: {pressed} keystrokes");
    assert!(pressed <= 40, "{pressed} keystrokes");
    // It all happened.
    let get = |args: &[&str]| demo_kubectl(dir.path(), args);
    assert_eq!(
        get(&[
            "get",
            "deploy",
            "flextime-api",
            "-n",
            "flextime-production",
            "-o",
            "jsonpath={.spec.template.spec.containers[0].image}",
        ]),
        "flextime/api:v2.3.0"
    );
    assert_eq!(
        get(&[
            "get",
            "svc",
            "dashboard",
            "-n",
            "team-dashboard-prod",
            "-o",
            "jsonpath={.spec.selector.slot}",
        ]),
        "green"
    );
    let jobs = get(&["get", "jobs", "-n", "flextime-backup", "-o", "name"]);
    assert!(jobs.contains("job.batch/volume-snapshot-manual-"), "{jobs}");
    t.keys(&["q"]);
    let s = t.wait("exit", WAIT, |s| s.contains("KDECK_EXIT="));
    assert!(s.contains("KDECK_EXIT=0"), "{s}");
}

/// `--record FILE` on the demo, a roll back, quit; then `kdeck replay FILE` at 80×24:
/// the same console, read-only, with the time cursor in the header; `space` pauses,
/// `]` jumps to the next timeline entry (the roll back's row says it), `q` quits.
#[test]
fn a_recorded_session_replays_in_the_terminal_at_80x24() {
    let dir = tempfile::tempdir().expect("tempdir");
    let file = dir.path().join("session.kdrec");
    let t = Tmux::start(
        &kdeck_cmd(
            dir.path(),
            &format!("demo --speed 10 --record {}", file.display()),
            "",
        ),
        80,
        24,
    );
    t.wait("the bad rollout on top", WAIT, |s| {
        s.lines()
            .skip_while(|l| !l.starts_with("SEV"))
            .nth(1)
            .is_some_and(|r| r.contains("flextime-api"))
    });
    t.keys(&["R"]);
    t.wait("the picker", WAIT, |s| {
        s.contains("roll back to which revision?")
    });
    t.keys(&["Enter"]);
    t.wait("the typed prompt", WAIT, |s| {
        s.contains("type flextime-api")
    });
    t.text("flextime-api");
    t.keys(&["Enter"]);
    t.wait("rolled back", Duration::from_secs(90), |s| {
        s.contains("succeeded:")
    });
    t.keys(&["Escape", "q"]);
    let s = t.wait("exit", WAIT, |s| s.contains("KDECK_EXIT="));
    assert!(s.contains("KDECK_EXIT=0"), "{s}");
    assert!(file.exists(), "the recording was written");

    let r = Tmux::start(
        &kdeck_cmd(
            dir.path(),
            &format!("replay {} --speed 1", file.display()),
            "",
        ),
        80,
        24,
    );
    let s = r.wait("the replay's cursor", WAIT, |s| {
        s.contains("REPLAY") && s.contains("│ Overview")
    });
    assert!(s.contains("▶ REPLAY"), "playing: {s}");
    r.keys(&["Space"]);
    r.wait("paused", WAIT, |s| s.contains("⏸ REPLAY"));
    // The next timeline entries, up to the roll back's: its row says what was done.
    for _ in 0..30 {
        if r.screen().contains("rolled back") {
            break;
        }
        r.keys(&["]"]);
        std::thread::sleep(Duration::from_millis(150));
    }
    let s = r.wait("the roll back on its row", WAIT, |s| {
        s.contains("↺ rolled back")
    });
    assert!(!s.contains("● live"), "a replay is not live: {s}");
    // Actions cannot run in a replay.
    r.keys(&["R"]);
    std::thread::sleep(Duration::from_millis(700));
    let s = r.screen();
    assert!(!s.contains("roll back to which revision?"), "{s}");
    assert!(s.contains("read-only"), "it says why: {s}");
    // `@` seeks to a typed time: the recording's first moment, before the roll back.
    let first = s
        .lines()
        .next()
        .and_then(|l| l.split_once(" ("))
        .and_then(|(_, r)| r.split_once('–'))
        .map(|(a, _)| a.to_string())
        .expect("the header's span");
    r.keys(&["@"]);
    r.wait("the seek prompt", WAIT, |s| s.contains("seek to @_"));
    r.keys(&[first.as_str(), "Enter"]);
    let s = r.wait("the cursor at the first moment", WAIT, |s| {
        s.lines()
            .next()
            .is_some_and(|l| l.contains(&format!("⏸ REPLAY {first} ")))
    });
    assert!(!s.contains("↺ rolled back"), "before the roll back: {s}");
    // A time that is not one is said, and the cursor stays.
    r.keys(&["@", "99", "Enter"]);
    r.wait("the bad time named", WAIT, |s| s.contains("give HH:MM:SS"));
    r.keys(&["q"]);
    let s = r.wait("exit", WAIT, |s| s.contains("KDECK_EXIT="));
    assert!(s.contains("KDECK_EXIT=0"), "{s}");
}
