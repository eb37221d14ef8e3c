//! End to end in tmux: the real binary, `kdeck demo`, driven by keys. The failing
//! rollout is on the first screen; navigate to its pods and their logs, filter, open
//! help, quit; the terminal is restored — also after SIGTERM, SIGHUP and a panic.

mod common;

use std::time::Duration;

use common::tmux::{Tmux, demo_kubectl, kdeck_cmd, kdeck_pid};

const WAIT: Duration = Duration::from_secs(45);

/// The calm fleet served over HTTP (at 5× speed) for the binary to connect to; the
/// runtime serving it lives as long as it is held.
fn calm_cluster() -> (tokio::runtime::Runtime, common::Cluster) {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    let c = rt.block_on(common::Cluster::start(kdeck::sim::Scenario::Calm, 5.0));
    (rt, c)
}

fn first_row(screen: &str) -> String {
    screen
        .lines()
        .skip_while(|l| !l.starts_with("SEV"))
        .nth(1)
        .unwrap_or("")
        .to_string()
}

fn walkthrough(w: u16, h: u16) {
    let dir = tempfile::tempdir().expect("tempdir");
    let t = Tmux::start(&kdeck_cmd(dir.path(), "demo --speed 10", ""), w, h);
    // The failing rollout on the first screen: crash-looping new pods, then stalled.
    let s = t.wait("the failing rollout on top", WAIT, |s| {
        let r = first_row(s);
        r.contains("CRIT")
            && r.contains("flextime-api")
            && (r.contains("crashing") || r.contains("stalled"))
    });
    assert!(
        t.alternate_screen(),
        "the console uses the alternate screen"
    );
    assert!(
        s.lines().next().unwrap_or("").contains("kdeck-sim ● live"),
        "{s}"
    );
    t.wait("stalled", WAIT, |s| first_row(s).contains("stalled"));
    // Drill into its pods.
    t.keys(&["Enter"]);
    let pods = t.wait("its pods", WAIT, |s| {
        s.contains("Pods of") && s.contains("CrashLoopBackOff")
    });
    assert!(
        !pods.contains("flagwise"),
        "only flextime-api's pods:\n{pods}"
    );
    // Logs of the first (crash-looping) pod.
    t.keys(&["l"]);
    t.wait("its logs", WAIT, |s| {
        s.contains("│ logs") && s.contains("migration")
    });
    t.keys(&["Escape"]);
    t.wait("back to the pods", WAIT, |s| s.contains("Pods of"));
    // Filter to the running ones.
    t.keys(&["/"]);
    t.text("Running");
    t.keys(&["Enter"]);
    let filtered = t.wait("the filter applied", WAIT, |s| {
        s.contains("Running") && !s.contains("CrashLoopBackOff")
    });
    assert!(filtered.contains("flextime-api"), "{filtered}");
    t.keys(&["Escape"]);
    t.wait("the filter cleared", WAIT, |s| {
        s.contains("CrashLoopBackOff")
    });
    t.keys(&["Escape"]);
    t.wait("the overview", WAIT, |s| s.contains("│ Overview"));
    // Help, generated from the keymap.
    t.keys(&["?"]);
    t.wait("help", WAIT, |s| {
        s.contains("global keys") && s.contains("quit kdeck")
    });
    t.keys(&["Escape"]);
    t.wait("help closed", WAIT, |s| !s.contains("global keys"));
    // Quit cleanly: the shell's screen is back.
    t.keys(&["q"]);
    let s = t.wait("exit", WAIT, |s| s.contains("KDECK_EXIT="));
    assert!(s.contains("KDECK_EXIT=0"), "{s}");
    assert!(!t.alternate_screen(), "the terminal is restored");
}

#[test]
fn demo_walkthrough_80x24() {
    walkthrough(80, 24);
}

#[test]
fn demo_walkthrough_120x40() {
    walkthrough(120, 40);
}

#[test]
fn sigterm_restores_the_terminal() {
    let dir = tempfile::tempdir().expect("tempdir");
    let t = Tmux::start(&kdeck_cmd(dir.path(), "demo --speed 10", ""), 80, 24);
    t.wait("the console", WAIT, |s| s.contains("│ Overview"));
    let pid = kdeck_pid(dir.path()).expect("kdeck is running");
    assert!(
        std::process::Command::new("kill")
            .arg("-TERM")
            .arg(pid.to_string())
            .status()
            .expect("kill")
            .success()
    );
    let s = t.wait("exit", WAIT, |s| s.contains("KDECK_EXIT="));
    assert!(s.contains("KDECK_EXIT=0"), "{s}");
    assert!(!t.alternate_screen());
}

#[test]
fn a_resized_terminal_is_redrawn_to_its_new_size() {
    let dir = tempfile::tempdir().expect("tempdir");
    let t = Tmux::start(&kdeck_cmd(dir.path(), "demo --speed 10", ""), 80, 24);
    t.wait("the console", WAIT, |s| s.contains("│ Overview"));
    let widest = |s: &str| s.lines().map(|l| l.trim_end().chars().count()).max();
    let rows = |s: &str| s.lines().filter(|l| !l.trim().is_empty()).count();
    t.resize(150, 40);
    let s = t.wait("a 150×40 frame", WAIT, |s| {
        widest(s) >= Some(140) && rows(s) > 30
    });
    assert!(s.contains("Overview"), "{s}");
    t.resize(80, 24);
    // tmux cuts the old 150×40 frame at once (its header survives the cut, its
    // footer on row 40 does not); only kdeck's own redraw puts the footer back
    // on row 24.
    let s = t.wait("redrawn at 80×24", WAIT, |s| {
        widest(s) <= Some(80) && s.contains("│ Overview") && s.contains("q quit")
    });
    let last = s.lines().rev().find(|l| !l.trim().is_empty()).unwrap_or("");
    assert!(last.contains("q quit"), "the footer is the last row: {s}");
}

#[test]
fn a_broken_config_starts_read_only_with_the_error_in_the_header() {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::create_dir_all(dir.path().join("config")).expect("mkdir");
    // The file asked for a lock, then broke (an unclosed array on line 3): the
    // console must not start less guarded than it asked.
    std::fs::write(
        dir.path().join("config/config.toml"),
        "readonly = true\n# prod\nnamespaces = [\"production\",\n",
    )
    .expect("config");
    let t = Tmux::start(&kdeck_cmd(dir.path(), "demo --speed 10", ""), 80, 24);
    t.wait("the lock in the header, and the view", WAIT, |s| {
        s.contains("[🔒 config.toml:3 error]") && s.contains("│ Overview")
    });
    t.wait("rows", WAIT, |s| {
        first_row(s).contains("ok") || first_row(s).contains("CRIT")
    });
    t.keys(&["S"]);
    let s = t.wait("the refusal", WAIT, |s| {
        s.contains("until config.toml is fixed")
    });
    assert!(!s.contains("replicas →"), "no scale prompt: {s}");
    t.keys(&["q"]);
    let s = t.wait("exit", WAIT, |s| s.contains("KDECK_EXIT="));
    assert!(s.contains("KDECK_EXIT=0"), "{s}");
    // A broken keymap: the defaults are used and the header says so.
    std::fs::write(dir.path().join("config/config.toml"), "").expect("config");
    std::fs::write(
        dir.path().join("config/keymap.toml"),
        "[list]\n\"x\" = \"fly\"\n",
    )
    .expect("keymap");
    let t = Tmux::start(&kdeck_cmd(dir.path(), "demo --speed 10", ""), 80, 24);
    let s = t.wait("the keymap error", WAIT, |s| {
        s.contains("keymap.toml:2 error")
    });
    assert!(!s.contains("READ-ONLY"), "{s}");
}

#[test]
fn a_panic_restores_the_terminal() {
    let dir = tempfile::tempdir().expect("tempdir");
    let t = Tmux::start(
        &kdeck_cmd(
            dir.path(),
            "demo",
            "RUST_BACKTRACE=0 KDECK_TEST_PANIC_AFTER_MS=2500",
        ),
        80,
        24,
    );
    t.wait("the console", WAIT, |s| s.contains("│ Overview"));
    let s = t.wait("exit", WAIT, |s| s.contains("KDECK_EXIT="));
    assert!(s.contains("KDECK_EXIT=101"), "{s}");
    assert!(
        s.contains("test panic requested"),
        "the panic message is readable on the restored screen:\n{s}"
    );
    assert!(!t.alternate_screen());
}

#[test]
fn sighup_from_a_dropped_ssh_session_ends_kdeck() {
    // Several times: the terminal's hang-up and the SIGHUP race each other (a
    // reader once spun forever on the hung-up terminal's end-of-file instead).
    for round in 0..3 {
        let dir = tempfile::tempdir().expect("tempdir");
        let t = Tmux::start(&kdeck_cmd(dir.path(), "demo", ""), 80, 24);
        t.wait("the console", WAIT, |s| s.contains("│ Overview"));
        let pid = kdeck_pid(dir.path()).expect("kdeck is running");
        // The pane goes away as when an SSH session drops: kdeck gets SIGHUP.
        t.kill();
        let start = std::time::Instant::now();
        while std::path::Path::new(&format!("/proc/{pid}")).exists() {
            assert!(
                start.elapsed() < Duration::from_secs(10),
                "round {round}: kdeck still running after its terminal went away"
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }
}

/// What kubectl cannot show, reached by keys at 80×24: the deep health of the
/// failing API, the stale weekly snapshot with its failed run's logs, the alerts.
#[test]
fn health_backups_and_alerts_at_80x24() {
    let dir = tempfile::tempdir().expect("tempdir");
    let t = Tmux::start(&kdeck_cmd(dir.path(), "demo --speed 10", ""), 80, 24);
    t.wait("the stale backup on the first screen", WAIT, |s| {
        s.contains("cj/volume-snapshot") && s.contains("stale")
    });
    // Health: the deep endpoint goes down once the breaker opens.
    t.keys(&["8"]);
    let s = t.wait("flextime-api's deep health down", WAIT, |s| {
        s.contains("│ Health")
            && s.lines()
                .any(|l| l.contains("down") && l.contains(":3005/health"))
    });
    assert!(s.contains("breaker open"), "{s}");
    // Backups: the stale snapshot first; `l` shows its failed run's logs.
    t.keys(&["9"]);
    t.wait("backups", WAIT, |s| {
        s.contains("│ Backups") && s.contains("volume-snapshot")
    });
    t.keys(&["/"]);
    t.text("volume-snapshot");
    t.keys(&["Enter"]);
    t.wait("filtered", WAIT, |s| {
        s.contains("runs of flextime-backup/volume-snapshot")
    });
    t.keys(&["l"]);
    t.wait("the failed run's logs", WAIT, |s| {
        s.contains("│ logs") && s.contains("volume-snapshot-")
    });
    t.keys(&["Escape"]);
    // Alerts: the incident's page.
    t.keys(&["0"]);
    t.wait("alerts", WAIT, |s| {
        s.contains("│ Alerts") && s.contains("FlexTimeAPIDown")
    });
    t.keys(&["q"]);
    let s = t.wait("exit", WAIT, |s| s.contains("KDECK_EXIT="));
    assert!(s.contains("KDECK_EXIT=0"), "{s}");
}

/// Confirms the open prompt by typing `name` (production is protected by default) and
/// waits for the action to succeed, then closes the dialog.
fn type_to_confirm(t: &Tmux, name: &str) {
    t.wait("the typed-name prompt", WAIT, |s| {
        s.contains(&format!("type {name} and press enter"))
    });
    t.text(name);
    t.keys(&["Enter"]);
    // Finished (not still watching): the box says how it goes away.
    let s = t.wait("the action to succeed", Duration::from_secs(90), |s| {
        (s.contains("succeeded:")
            || s.contains("failed:")
            || s.contains("conflict:")
            || s.contains("refused:"))
            && s.contains("esc closes, or go on")
    });
    assert!(s.contains("succeeded:"), "{s}");
    t.keys(&["Escape"]);
}

fn filter(t: &Tmux, name: &str) {
    t.keys(&["Escape"]);
    t.keys(&["/"]);
    t.text(name);
    t.keys(&["Enter"]);
    t.wait("the filtered row", WAIT, |s| first_row(s).contains(name));
}

#[test]
fn the_incidents_way_out_confirmed_by_name_and_audited_at_80x24() {
    let dir = tempfile::tempdir().expect("tempdir");
    let t = Tmux::start(&kdeck_cmd(dir.path(), "demo --speed 10", ""), 80, 24);
    t.wait("the bad rollout on top", WAIT, |s| {
        let r = first_row(s);
        r.contains("flextime-api") && (r.contains("crashing") || r.contains("stalled"))
    });
    filter(&t, "flextime-api");
    // Cancelling at the prompt changes nothing and is recorded.
    t.keys(&["r"]);
    t.wait("the restart prompt", WAIT, |s| {
        s.contains("restart deploy/flextime-api") && s.contains("run it? y yes")
    });
    t.keys(&["Escape"]);
    t.wait("cancelled", WAIT, |s| {
        s.contains("cancelled: nothing was sent")
    });
    // Roll back: the picker, then the plan and its checks, then the typed name.
    t.keys(&["R"]);
    let s = t.wait("the revision picker", WAIT, |s| {
        s.contains("roll back to which revision?") && s.contains("(current)")
    });
    assert!(s.contains("v2.3.0"), "{s}");
    t.keys(&["Enter"]);
    let s = t.wait("the rollback plan", WAIT, |s| {
        s.contains("type flextime-api")
    });
    assert!(
        s.contains("rollback deploy/flextime-api") && s.contains("✓"),
        "{s}"
    );
    type_to_confirm(&t, "flextime-api");
    // Reset its breaker: a medium-risk action takes `y`, even in production.
    t.keys(&["B"]);
    t.wait("the breaker's plan", WAIT, |s| s.contains("run it? y yes"));
    t.keys(&["y"]);
    let s = t.wait("the breaker reset", Duration::from_secs(90), |s| {
        (s.contains("succeeded:") || s.contains("failed:")) && s.contains("esc closes, or go on")
    });
    assert!(s.contains("succeeded:"), "{s}");
    t.keys(&["Escape"]);
    // Switch dashboard to green.
    filter(&t, "dashboard-blue");
    t.keys(&["T"]);
    type_to_confirm(&t, "dashboard");
    // Trigger the volume snapshot: a LOW-risk action takes `y`, even in production.
    filter(&t, "volume-snapshot");
    t.keys(&["b"]);
    t.wait("the backup's plan", WAIT, |s| {
        s.contains("trigger-backup") && s.contains("run it? y yes")
    });
    t.keys(&["y"]);
    let s = t.wait("the backup run", Duration::from_secs(90), |s| {
        (s.contains("succeeded:") || s.contains("failed:")) && s.contains("esc closes, or go on")
    });
    assert!(s.contains("succeeded:"), "{s}");
    t.keys(&["Escape"]);
    // kubectl sees the new state.
    let image = demo_kubectl(
        dir.path(),
        &[
            "get",
            "deploy",
            "flextime-api",
            "-n",
            "flextime-production",
            "-o",
            "jsonpath={.spec.template.spec.containers[0].image}",
        ],
    );
    assert_eq!(image, "flextime/api:v2.3.0");
    let slot = demo_kubectl(
        dir.path(),
        &[
            "get",
            "svc",
            "dashboard",
            "-n",
            "team-dashboard-prod",
            "-o",
            "jsonpath={.spec.selector.slot}",
        ],
    );
    assert_eq!(slot, "green");
    let jobs = demo_kubectl(
        dir.path(),
        &["get", "jobs", "-n", "flextime-backup", "-o", "name"],
    );
    assert!(jobs.contains("job.batch/volume-snapshot-manual-"), "{jobs}");
    let restarted = demo_kubectl(
        dir.path(),
        &[
            "get",
            "deploy",
            "flextime-api",
            "-n",
            "flextime-production",
            "-o",
            "jsonpath={.spec.template.metadata.annotations}",
        ],
    );
    assert!(
        !restarted.contains("restartedAt"),
        "the cancelled restart was not sent: {restarted}"
    );
    // The audit view lists them, newest first.
    t.keys(&["A"]);
    let s = t.wait("the audit view", WAIT, |s| {
        s.contains("│ audit log") && s.contains("trigger-backup")
    });
    assert!(s.contains("cancelled") && s.contains("succeeded"), "{s}");
    t.keys(&["q"]);
    let s = t.wait("exit", WAIT, |s| s.contains("KDECK_EXIT="));
    assert!(s.contains("KDECK_EXIT=0"), "{s}");
    // The chain verifies: 1 cancellation + 4 × (intent, outcome).
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_kdeck"))
        .args(["audit", "verify"])
        .env("KDECK_DATA_DIR", dir.path().join("data"))
        .output()
        .expect("kdeck audit verify");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{text}");
    assert!(text.contains("ok: 9 records"), "{text}");
}

/// Scaling up (medium risk) takes the typed name here, as `[confirm] typed_from`
/// allows: these tests act at the typed-name prompt.
fn typed_from_medium(dir: &std::path::Path) {
    std::fs::create_dir_all(dir.join("config")).expect("mkdir");
    std::fs::write(
        dir.join("config/config.toml"),
        "[confirm]\ntyped_from = \"medium\"\n",
    )
    .expect("config");
}

/// SIGKILL in the middle of actions, again and again, against a simulated cluster that
/// logs every write it receives: the audit chain still verifies (a record cut short is
/// reported as torn, never as tampering), and every write that reached the API server
/// has an intent record written before it arrived.
#[test]
fn sigkill_mid_action_leaves_a_verifiable_log_with_every_write_preceded_by_its_intent() {
    let (rt, c) = calm_cluster();
    let dir = tempfile::tempdir().expect("tempdir");
    typed_from_medium(dir.path());
    let args = format!("--kubeconfig {}", c.kubeconfig.display());
    // Kill delays after the confirming Enter: before the intent, around it, around the
    // request, after it.
    let delays_ms = [0u64, 3, 8, 15, 30, 60, 150];
    for (i, delay) in delays_ms.iter().enumerate() {
        let t = Tmux::start(&kdeck_cmd(dir.path(), &args, ""), 100, 30);
        t.wait("the console", WAIT, |s| s.contains("redis"));
        t.keys(&["/"]);
        t.text("redis");
        t.keys(&["Enter"]);
        t.wait("redis selected", WAIT, |s| first_row(s).contains("redis"));
        t.keys(&["S", "BSpace", "BSpace"]);
        t.text(&format!("{}", 2 + i % 3));
        t.keys(&["Enter"]);
        t.wait("the typed-name prompt", WAIT, |s| {
            s.contains("type redis and press enter") || s.contains("refused")
        });
        t.text("redis");
        let pid = kdeck_pid(dir.path()).expect("kdeck is running");
        t.key_now("Enter");
        std::thread::sleep(Duration::from_millis(*delay));
        let killed = std::process::Command::new("kill")
            .args(["-KILL", &pid.to_string()])
            .status()
            .expect("kill");
        assert!(killed.success());
        t.wait("killed", WAIT, |s| s.contains("KDECK_EXIT=137"));
        t.kill();
    }
    // The log verifies: complete records chain, a torn tail is reported as such.
    let audit = dir.path().join("data").join("audit");
    let report = kdeck::audit::verify::verify(&audit).expect("verify");
    assert_eq!(report.bad, None, "{report:?}");
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_kdeck"))
        .args(["audit", "verify"])
        .env("KDECK_DATA_DIR", dir.path().join("data"))
        .output()
        .expect("kdeck audit verify");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    // Every write that reached the API server came after an intent for it.
    let intents: Vec<jiff::Timestamp> = kdeck::audit::export::records(&audit)
        .expect("records")
        .into_iter()
        .filter(|r| r.phase == kdeck::audit::Phase::Intent && r.target == "deploy/redis")
        .filter_map(|r| r.time.parse().ok())
        .collect();
    // (Finished actions are also published as Events, after their outcome record.)
    let writes: Vec<_> = c
        .sim
        .stats()
        .write_log()
        .into_iter()
        .filter(|w| !w.path.contains("/events"))
        .collect();
    assert!(
        writes
            .iter()
            .all(|w| w.path.contains("/deployments/redis/scale")),
        "only the scale was written: {writes:?}"
    );
    // Matched one to one: by the time the n-th write arrived, at least n intents had
    // been written.
    for (n, w) in writes.iter().enumerate() {
        let at: jiff::Timestamp = w.at.parse().expect("write time");
        let before = intents.iter().filter(|i| **i <= at).count();
        assert!(
            before > n,
            "write {} at {at} arrived with only {before} intents before it: {intents:?}",
            n + 1
        );
    }
    eprintln!(
        "sigkill: {} kills, {} intents, {} writes reached the API, {} torn",
        delays_ms.len(),
        intents.len(),
        writes.len(),
        report.torn.len()
    );
    drop(c);
    drop(rt);
}

/// The real binary, a real signal: at the typed-name prompt SIGTERM records the
/// action as cancelled before kdeck exits (and nothing is sent); while its effect is
/// watched, SIGHUP (the SSH drop) records it as not verified.
#[test]
fn signals_at_a_prompt_and_during_verification_are_recorded_before_exit() {
    let (_rt, c) = calm_cluster();
    let dir = tempfile::tempdir().expect("tempdir");
    typed_from_medium(dir.path());
    let args = format!("--kubeconfig {}", c.kubeconfig.display());
    let records =
        || kdeck::audit::export::records(&dir.path().join("data").join("audit")).expect("records");
    let start = |n: &str| {
        let t = Tmux::start(&kdeck_cmd(dir.path(), &args, ""), 100, 30);
        t.wait("the console", WAIT, |s| s.contains("redis"));
        t.keys(&["/"]);
        t.text("redis");
        t.keys(&["Enter"]);
        t.wait("redis selected", WAIT, |s| first_row(s).contains("redis"));
        t.keys(&["S", "BSpace", "BSpace"]);
        t.text(n);
        t.keys(&["Enter"]);
        t.wait("the typed-name prompt", WAIT, |s| {
            s.contains("type redis and press enter")
        });
        t
    };
    let signal = |sig: &str| {
        let pid = kdeck_pid(dir.path()).expect("kdeck is running");
        let ok = std::process::Command::new("kill")
            .args([sig, &pid.to_string()])
            .status()
            .expect("kill");
        assert!(ok.success());
    };

    // SIGTERM at the prompt.
    let writes = c.sim.writes();
    let t = start("3");
    signal("-TERM");
    let s = t.wait("exit", WAIT, |s| s.contains("KDECK_EXIT="));
    assert!(s.contains("KDECK_EXIT=0"), "{s}");
    let last = records().pop().expect("a record");
    assert_eq!(
        last.outcome,
        Some(kdeck::audit::Outcome::Cancelled),
        "{last:?}"
    );
    assert!(
        last.error
            .as_deref()
            .is_some_and(|e| e.contains("kdeck stopped by SIGTERM")),
        "{last:?}"
    );
    assert_eq!(c.sim.writes(), writes, "nothing was sent");
    t.kill();

    // SIGHUP while the effect is watched (nothing reacts: controllers paused).
    c.sim.pause_controllers(true);
    let t = start("3");
    t.text("redis");
    t.keys(&["Enter"]);
    t.wait("verifying", WAIT, |s| s.contains("watching for the effect"));
    signal("-HUP");
    t.wait("exit", WAIT, |s| s.contains("KDECK_EXIT="));
    let last = records().pop().expect("a record");
    assert_eq!(last.phase, kdeck::audit::Phase::Outcome, "{last:?}");
    assert!(
        last.error
            .as_deref()
            .is_some_and(|e| e.contains("not verified: kdeck stopped by SIGHUP")),
        "{last:?}"
    );
    c.sim.pause_controllers(false);
}

/// The demo fleet's fake secret values, plain and as the API server sends them.
fn secret_values() -> Vec<Vec<u8>> {
    let plain = [
        "postgres://flextime:fake-db-pass-9f3kQ@flextime-db.internal:5432/flextime",
        "fake-db-pass-9f3kQ",
        "fake-redis-pass-Q7x2Lm",
        "fake-jwt-key-8HhY3vRt2pW",
        "sk-fake-dashboard-0penai-K3y",
        "fake-session-secret-Zr4q",
        "fake-flextime-tls-key-Wq8",
        "fake-dashboard-tls-key-Pz1",
    ];
    let encoded = [
        "ZmFrZS1yZWRpcy1wYXNzLVE3eDJMbQ==",
        "ZmFrZS1qd3Qta2V5LThIaFkzdlJ0MnBX",
        "c2stZmFrZS1kYXNoYm9hcmQtMHBlbmFpLUszeQ==",
        "ZmFrZS1zZXNzaW9uLXNlY3JldC1acjRx",
    ];
    plain
        .iter()
        .chain(encoded.iter())
        .map(|s| s.as_bytes().to_vec())
        .collect()
}

fn files_under(dir: &std::path::Path, out: &mut Vec<std::path::PathBuf>) {
    for e in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let p = e.path();
        if p.is_dir() {
            files_under(&p, out);
        } else {
            out.push(p);
        }
    }
}

#[test]
fn a_secret_is_shown_only_when_revealed_and_is_written_nowhere() {
    let (_rt, c) = calm_cluster();
    let dir = tempfile::tempdir().expect("tempdir");
    // The most talkative log level: not even a trace line may hold a value.
    let t = Tmux::start(
        &kdeck_cmd(
            dir.path(),
            &format!("--kubeconfig {}", c.kubeconfig.display()),
            "KDECK_LOG_LEVEL=trace",
        ),
        100,
        30,
    );
    let values = secret_values();
    let shows_a_value = |s: &str| {
        values
            .iter()
            .any(|v| s.contains(std::str::from_utf8(v).expect("ascii")))
    };
    t.wait("the console", WAIT, |s| s.contains("redis"));
    t.keys(&[":"]);
    t.text("secrets");
    t.keys(&["Enter"]);
    t.wait("the secrets view", WAIT, |s| s.contains("flextime-secrets"));
    t.keys(&["/"]);
    t.text("flextime-secrets");
    t.keys(&["Enter"]);
    let s = t.wait("flextime-secrets selected", WAIT, |s| {
        first_row(s).contains("flextime-secrets")
    });
    assert!(!shows_a_value(&s), "{s}");

    // Describe and YAML name the keys and their sizes, never the values.
    t.keys(&["d"]);
    let s = t.wait("describe", WAIT, |s| s.contains("REDIS_PASSWORD"));
    assert!(!shows_a_value(&s), "{s}");
    t.keys(&["Escape", "y"]);
    let s = t.wait("yaml", WAIT, |s| {
        s.contains("REDIS_PASSWORD") && s.contains("apiVersion")
    });
    assert!(!shows_a_value(&s), "{s}");
    t.keys(&["Escape"]);
    t.wait("back on the list", WAIT, |s| {
        first_row(s).contains("flextime-secrets")
    });

    // Reveal one key: pick it, see the plan, confirm by name, read it, esc wipes it.
    t.keys(&["X"]);
    let s = t.wait("the key picker", WAIT, |s| s.contains("reveal which key?"));
    let below = s
        .lines()
        .skip_while(|l| !l.contains("reveal which key?"))
        .position(|l| l.contains("REDIS_PASSWORD"))
        .expect("REDIS_PASSWORD offered");
    let first = s
        .lines()
        .skip_while(|l| !l.contains("reveal which key?"))
        .position(|l| l.contains("DATABASE_URL") || l.contains("JWT_SIGNING_KEY"))
        .expect("keys listed");
    for _ in first..below {
        t.keys(&["Down"]);
    }
    t.keys(&["Enter"]);
    let s = t.wait("the typed-name prompt", WAIT, |s| {
        s.contains("type flextime-secrets and press enter")
    });
    assert!(s.contains("REDIS_PASSWORD"), "{s}");
    assert!(!shows_a_value(&s), "{s}");
    t.text("flextime-secrets");
    t.keys(&["Enter"]);
    let s = t.wait("the value", WAIT, |s| s.contains("fake-redis-pass-Q7x2Lm"));
    assert!(s.contains("recorded as revealed, the value is not"), "{s}");
    t.keys(&["Escape"]);
    let s = t.wait("the value gone", WAIT, |s| !s.contains("fake-redis-pass"));
    assert!(!shows_a_value(&s), "{s}");
    t.keys(&["q"]);
    let s = t.wait("exit", WAIT, |s| s.contains("KDECK_EXIT="));
    assert!(s.contains("KDECK_EXIT=0"), "{s}");
    assert!(!shows_a_value(&s), "the normal screen after exit:\n{s}");

    // The audit log says who revealed which key, and holds no value.
    let records =
        kdeck::audit::export::records(&dir.path().join("data").join("audit")).expect("records");
    let reveal: Vec<_> = records.iter().filter(|r| r.action == "reveal").collect();
    assert!(
        reveal
            .iter()
            .any(|r| r.params["plan"]["key"] == "REDIS_PASSWORD"
                && r.outcome == Some(kdeck::audit::Outcome::Succeeded)),
        "{reveal:?}"
    );
    // Nothing kdeck wrote — audit log, state, logs, recordings — holds a value.
    let mut files = Vec::new();
    files_under(dir.path(), &mut files);
    assert!(
        files.iter().any(|f| f.to_string_lossy().contains("state")),
        "kdeck wrote its state: {files:?}"
    );
    let mut bytes_read = 0;
    for f in &files {
        let body = std::fs::read(f).expect("readable");
        bytes_read += body.len();
        for v in &values {
            assert!(
                !body.windows(v.len()).any(|w| w == v.as_slice()),
                "{} holds {}",
                f.display(),
                String::from_utf8_lossy(v)
            );
        }
    }
    assert!(bytes_read > 0, "{files:?}");
}

/// An exec credential plugin that never answers holds up neither the screen nor
/// the other context: the console draws at once, keys work, the good context
/// loads, and the hanging one says why once its plugin's time is up.
#[test]
fn a_hanging_credential_plugin_holds_up_nothing() {
    let (_rt, c) = calm_cluster();
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::create_dir_all(dir.path().join("config")).expect("config dir");
    std::fs::write(
        dir.path().join("config/config.toml"),
        "exec_timeout = \"3s\"\n",
    )
    .expect("config");
    let kc = dir.path().join("two.yaml");
    std::fs::write(
        &kc,
        format!(
            "apiVersion: v1\nkind: Config\nclusters:\n- name: sim\n  cluster: {{server: '{}', certificate-authority-data: '{}'}}\n- name: far\n  cluster: {{server: 'https://127.0.0.1:9'}}\ncontexts:\n- name: good\n  context: {{cluster: sim, user: sim}}\n- name: hang\n  context: {{cluster: far, user: hang}}\ncurrent-context: good\nusers:\n- name: sim\n  user: {{token: kdeck-sim-token}}\n- name: hang\n  user:\n    exec: {{apiVersion: client.authentication.k8s.io/v1, command: /bin/sleep, args: ['1000']}}\n",
            c.sim.server_url(),
            c.sim.tls().map(|t| t.ca_data()).unwrap_or_default()
        ),
    )
    .expect("kubeconfig");
    let args = format!(
        "--kubeconfig {} --context good --context hang",
        kc.display()
    );
    let t = Tmux::start(&kdeck_cmd(dir.path(), &args, ""), 120, 30);
    let start = std::time::Instant::now();
    // The good context's rows while the plugin is still running.
    t.wait("the good context", WAIT, |s| s.contains("redis"));
    assert!(
        start.elapsed() < Duration::from_secs(3),
        "the screen waited for the plugin: {:?}",
        start.elapsed()
    );
    // Keys work meanwhile: help opens and closes.
    t.keys(&["?"]);
    t.wait("help", WAIT, |s| s.contains("quit"));
    t.keys(&["Escape"]);
    // Then the hanging context says why.
    let s = t.wait("the plugin's timeout", WAIT, |s| {
        s.contains("did not answer in 3 s")
    });
    assert!(s.contains("hang"), "{s}");
    t.keys(&["q"]);
    let s = t.wait("exit", WAIT, |s| s.contains("KDECK_EXIT="));
    assert!(s.contains("KDECK_EXIT=0"), "{s}");
}
