//! The binary run with bad inputs and against the simulated cluster: configuration
//! errors name file and line, `kdeck status` exit codes follow the severity model,
//! kubeconfig and exec-plugin problems are reported instead of swallowed.

mod common;

use std::process::Command;

use common::Cluster;
use kdeck::sim::Scenario;

fn kdeck(dir: &std::path::Path) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_kdeck"));
    c.env("KDECK_CONFIG_DIR", dir.join("config"))
        .env("KDECK_DATA_DIR", dir.join("data"))
        .env("KDECK_STATE_DIR", dir.join("state"))
        .env_remove("KUBECONFIG");
    c
}

fn run(c: &mut Command) -> (i32, String, String) {
    let o = c.output().expect("kdeck runs");
    (
        o.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&o.stdout).into_owned(),
        String::from_utf8_lossy(&o.stderr).into_owned(),
    )
}

#[test]
fn config_check_names_file_line_and_problem() {
    let dir = tempfile::tempdir().expect("tempdir");
    let cfg = dir.path().join("config");
    std::fs::create_dir_all(cfg.join("themes")).expect("mkdir");
    std::fs::write(
        cfg.join("config.toml"),
        "theme = \"mine\"\nreadonly = \"yes\"\n",
    )
    .expect("write");
    std::fs::write(
        cfg.join("themes/mine.toml"),
        "inherits = \"light\"\n[styles]\n\"text\" = { fg = \"chartreuse\" }\n",
    )
    .expect("write");
    std::fs::write(
        cfg.join("keymap.toml"),
        "[list]\n\"x\" = \"logs\"\n\"hyper-q\" = \"quit\"\n",
    )
    .expect("write");
    let (code, out, _) = run(kdeck(dir.path()).args(["config", "check"]));
    assert_eq!(code, 1, "{out}");
    let config = cfg.join("config.toml").display().to_string();
    let theme = cfg.join("themes/mine.toml").display().to_string();
    let keymap = cfg.join("keymap.toml").display().to_string();
    assert!(
        out.contains(&format!(
            "{config}:2:12: error: readonly: invalid type: string \"yes\", expected a boolean"
        )),
        "{out}"
    );
    assert!(
        out.contains(&format!(
            "{theme}:3:17: error: unknown colour \"chartreuse\""
        )),
        "{out}"
    );
    assert!(
        out.contains(&format!("{keymap}:3:1: error: unknown key \"hyper-q\"")),
        "{out}"
    );
    // A good setup passes.
    std::fs::write(
        cfg.join("config.toml"),
        "theme = \"mine\"\nkeymap = \"vim\"\n",
    )
    .expect("write");
    std::fs::write(cfg.join("themes/mine.toml"), "inherits = \"light\"\n").expect("write");
    std::fs::write(cfg.join("keymap.toml"), "[list]\n\"x\" = \"logs\"\n").expect("write");
    let (code, out, _) = run(kdeck(dir.path()).args(["config", "check"]));
    assert_eq!(code, 0, "{out}");
    assert!(out.contains(&format!("ok      {config}")), "{out}");
}

/// Runs `c`, failing the test if it has not finished within `secs` (a hang is a bug).
fn run_within(c: &mut Command, secs: u64) -> (i32, String, String) {
    let mut child = c
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("kdeck runs");
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(secs);
    loop {
        if child.try_wait().expect("wait").is_some() {
            break;
        }
        if std::time::Instant::now() > deadline {
            let _ = child.kill();
            panic!("kdeck did not finish within {secs} s");
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    let o = child.wait_with_output().expect("output");
    (
        o.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&o.stdout).into_owned(),
        String::from_utf8_lossy(&o.stderr).into_owned(),
    )
}

#[test]
fn config_check_fails_what_the_console_could_not_use_and_never_hangs() {
    let dir = tempfile::tempdir().expect("tempdir");
    let cfg = dir.path().join("config");
    std::fs::create_dir_all(&cfg).expect("mkdir");
    let file = cfg.join("config.toml");
    let config = file.display().to_string();
    let check = |what: &str| -> String {
        let (code, out, err) = run_within(kdeck(dir.path()).args(["config", "check"]), 10);
        assert_eq!(code, 1, "{what}: exit 1\n{out}{err}");
        out
    };
    // A theme that does not exist is an error where it is named.
    std::fs::write(&file, "# mine\ntheme = \"nosuchtheme\"\n").expect("write");
    let out = check("unknown theme");
    assert!(
        out.contains(&format!(
            "{config}:2:1: error: theme \"nosuchtheme\" not found"
        )),
        "{out}"
    );
    // Not a regular file, or too big: named, never read.
    std::fs::remove_file(&file).expect("rm");
    std::os::unix::fs::symlink(&file, &file).expect("symlink");
    let out = check("self-symlink");
    assert!(
        out.contains(&format!("{config}:0:0: error: cannot read: a symlink loop")),
        "{out}"
    );
    std::fs::remove_file(&file).expect("rm");
    std::os::unix::fs::symlink("/dev/zero", &file).expect("symlink");
    let out = check("/dev/zero");
    assert!(out.contains("a device, not a regular file"), "{out}");
    std::fs::remove_file(&file).expect("rm");
    let fifo = std::process::Command::new("mkfifo")
        .arg(&file)
        .status()
        .expect("mkfifo");
    assert!(fifo.success());
    let out = check("FIFO");
    assert!(
        out.contains("a FIFO (named pipe), not a regular file"),
        "{out}"
    );
    std::fs::remove_file(&file).expect("rm");
    let mut big = String::from("namespaces = [\n");
    while big.len() < (1 << 20) + 10 {
        big.push_str("  \"team-namespace-with-a-long-name\",\n");
    }
    big.push_str("]\n");
    std::fs::write(&file, &big).expect("write");
    let out = check("2 MiB");
    assert!(out.contains("more than the 1 MiB allowed"), "{out}");
    std::fs::remove_file(&file).expect("rm");
    // A keymap that takes away the way out.
    let km = cfg.join("keymap.toml");
    std::fs::write(
        &km,
        "[global]\n\"q\" = \"none\"\n\"ctrl-c\" = \"none\"\n\":\" = \"none\"\n",
    )
    .expect("write");
    let out = check("keymap");
    let keymap = km.display().to_string();
    for want in [
        format!("{keymap}:3:1: error: ctrl-c always quits"),
        format!("{keymap}:2:1: error: this leaves \"quit\" with no key"),
        format!("{keymap}:4:1: error: this leaves \"command\" with no key"),
    ] {
        assert!(out.contains(&want), "{want}\n{out}");
    }
}

#[test]
fn config_paths_lists_every_path() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (code, out, _) = run(kdeck(dir.path()).args(["config", "paths"]));
    assert_eq!(code, 0);
    for what in [
        "config file",
        "themes dir",
        "keymap file",
        "audit log dir",
        "log file",
        "sim kubeconfig",
    ] {
        assert!(out.contains(what), "{out}");
    }
    assert!(
        out.contains(&dir.path().join("config/config.toml").display().to_string()),
        "{out}"
    );
}

#[test]
fn a_missing_kubeconfig_is_an_error_not_a_panic() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (code, _, err) =
        run(kdeck(dir.path()).args(["status", "--kubeconfig", "/nonexistent/kubeconfig"]));
    assert_eq!(code, 2);
    assert!(err.contains("/nonexistent/kubeconfig"), "{err}");
    let (code, _, err) = run(kdeck(dir.path()).args(["--kubeconfig", "/nonexistent/kubeconfig"]));
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains("kubeconfig") && !err.contains("panicked"),
        "{err}"
    );
}

#[test]
fn a_kubeconfig_that_is_not_a_file_is_refused_at_once() {
    let dir = tempfile::tempdir().expect("tempdir");
    let fifo = dir.path().join("fifo");
    assert!(
        std::process::Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .expect("mkfifo")
            .success()
    );
    let zero = dir.path().join("zero");
    std::os::unix::fs::symlink("/dev/zero", &zero).expect("symlink");
    for (p, what) in [(&fifo, "FIFO"), (&zero, "a device")] {
        let arg = p.display().to_string();
        let (code, _, err) =
            run_within(kdeck(dir.path()).args(["status", "--kubeconfig", &arg]), 10);
        assert_eq!(code, 2, "{err}");
        assert!(err.contains(&arg) && err.contains(what), "{err}");
        // Through $KUBECONFIG (a list) too.
        let (code, _, err) = run_within(
            kdeck(dir.path())
                .env("KUBECONFIG", format!("/nonexistent:{arg}"))
                .args(["status"]),
            10,
        );
        assert_eq!(code, 2, "{err}");
        assert!(err.contains(what), "{err}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn status_exit_codes_follow_severity() {
    let dir = tempfile::tempdir().expect("tempdir");
    let calm = Cluster::start(Scenario::Calm, 1.0).await;
    let kc = calm.kubeconfig.display().to_string();
    let d = dir.path().to_path_buf();
    let (code, out, err) =
        tokio::task::spawn_blocking(move || run(kdeck(&d).args(["status", "--kubeconfig", &kc])))
            .await
            .expect("join");
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("All 28 workloads healthy"), "{out}");
    assert!(
        out.contains("health: 0 down, 0 degraded, 24 ok of 24 endpoints; backups: 0 of 5 need attention; alerts: 0 firing"),
        "{out}"
    );
    // The incident, once the rollout fails: exit 1, the failing workload listed.
    let incident = Cluster::start(Scenario::Incident, 20.0).await;
    let k = incident.kubectl("1.32");
    k.until(
        &["get", "pods", "-n", "flextime-production"],
        std::time::Duration::from_secs(40),
        |o| o.contains("CrashLoopBackOff"),
    )
    .await;
    let kc = incident.kubeconfig.display().to_string();
    let d = dir.path().to_path_buf();
    let (code, out, err) = tokio::task::spawn_blocking(move || {
        run(kdeck(&d).args(["status", "--kubeconfig", &kc, "-o", "json"]))
    })
    .await
    .expect("join");
    assert_eq!(code, 1, "{out}{err}");
    let doc: serde_json::Value = serde_json::from_str(&out).expect("json");
    assert_eq!(doc["summary"]["worst"], "critical");
    assert_eq!(doc["workloads"][0]["name"], "flextime-api");
    // What kubectl cannot show is reported too: the stale weekly snapshot, the
    // probed health endpoints and Alertmanager's firing alerts.
    let stale: Vec<&str> = doc["backups"]
        .as_array()
        .expect("backups")
        .iter()
        .filter(|b| b["verdict"] == "stale")
        .filter_map(|b| b["name"].as_str())
        .collect();
    assert!(stale.contains(&"volume-snapshot"), "{stale:?}");
    assert!(
        doc["health"]
            .as_array()
            .expect("health")
            .iter()
            .any(|h| h["endpoint"] == "api:3005/health" && h["workload"] == "deploy/flextime-api"),
        "{}",
        doc["health"]
    );
    assert!(
        doc["alerts"]
            .as_array()
            .expect("alerts")
            .iter()
            .any(|a| a["name"] == "KubeJobFailed"),
        "{}",
        doc["alerts"]
    );
    // Unreachable: exit 2.
    let gone = incident.kubeconfig.display().to_string();
    incident.sim.shutdown().await;
    let d = dir.path().to_path_buf();
    let (code, _, err) =
        tokio::task::spawn_blocking(move || run(kdeck(&d).args(["status", "--kubeconfig", &gone])))
            .await
            .expect("join");
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("onnection refused"), "{err}");
}

#[test]
fn exec_plugin_failures_are_reported() {
    let dir = tempfile::tempdir().expect("tempdir");
    let kc = dir.path().join("kubeconfig");
    std::fs::write(
        &kc,
        "apiVersion: v1\nkind: Config\nclusters:\n- name: eks\n  cluster: {server: 'https://127.0.0.1:9'}\ncontexts:\n- name: eks\n  context: {cluster: eks, user: aws}\ncurrent-context: eks\nusers:\n- name: aws\n  user:\n    exec:\n      apiVersion: client.authentication.k8s.io/v1beta1\n      command: /nonexistent/aws-iam-authenticator\n      args: [token, -i, prod]\n",
    )
    .expect("write");
    let (code, _, err) =
        run(kdeck(dir.path()).args(["status", "--kubeconfig", kc.to_str().expect("path")]));
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains("credentials: cannot start plugin aws-iam-authenticator")
            && err.contains("No such file"),
        "{err}"
    );
}

/// A plugin that never answers (an SSO helper waiting for a browser) costs at most
/// its timeout, is named, and leaves no process behind; its arguments and
/// environment (secrets) appear neither in the output nor in the log.
#[test]
fn a_hanging_or_leaky_exec_plugin_is_cut_named_and_redacted() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::create_dir_all(dir.path().join("config")).expect("config dir");
    std::fs::write(
        dir.path().join("config/config.toml"),
        "exec_timeout = \"1s\"\n",
    )
    .expect("config");
    let kc = dir.path().join("kubeconfig");
    std::fs::write(
        &kc,
        "apiVersion: v1\nkind: Config\nclusters:\n- name: c\n  cluster: {server: 'https://127.0.0.1:9'}\ncontexts:\n- name: hang\n  context: {cluster: c, user: hang}\n- name: leak\n  context: {cluster: c, user: leak}\ncurrent-context: hang\nusers:\n- name: hang\n  user:\n    exec: {apiVersion: client.authentication.k8s.io/v1, command: /bin/sleep, args: ['1000']}\n- name: leak\n  user:\n    exec:\n      apiVersion: client.authentication.k8s.io/v1\n      command: /bin/sh\n      args: ['-c', 'echo \"bad --token=$PLUGIN_SECRET\" >&2; exit 1', '--token=sekrit-arg-Zq9']\n      env: [{name: PLUGIN_SECRET, value: sekrit-env-Wx4}]\n",
    )
    .expect("write");
    let start = std::time::Instant::now();
    let (code, out, err) = run(kdeck(dir.path()).args([
        "status",
        "--kubeconfig",
        kc.to_str().expect("path"),
        "--context",
        "hang",
        "--context",
        "leak",
        "--log-level",
        "trace",
    ]));
    let took = start.elapsed();
    assert_eq!(code, 2, "{out}{err}");
    assert!(took < std::time::Duration::from_secs(10), "{took:?}");
    assert!(
        err.contains("context hang: credentials: plugin sleep did not answer in 1 s"),
        "{err}"
    );
    assert!(
        err.contains("context leak: credentials: plugin sh failed"),
        "{err}"
    );
    let log = std::fs::read_to_string(dir.path().join("state/kdeck.log")).unwrap_or_default();
    for text in [&out, &err, &log] {
        assert!(!text.contains("sekrit"), "{text}");
    }
    let mode = std::fs::metadata(dir.path().join("state/kdeck.log"))
        .expect("a log file")
        .permissions()
        .mode();
    assert_eq!(mode & 0o777, 0o600, "{mode:o}");
    // The plugin was killed, not left running.
    let left = std::process::Command::new("pgrep")
        .args(["-f", "sleep 1000"])
        .output()
        .expect("pgrep");
    assert!(
        String::from_utf8_lossy(&left.stdout).trim().is_empty(),
        "sleep 1000 still running"
    );
}

#[test]
fn audit_verify_show_and_export_read_the_log() {
    use kdeck::audit::{Actor, AuditLog, Phase, Record};
    let dir = tempfile::tempdir().expect("tempdir");
    let audit = dir.path().join("data").join("audit");
    let mut log = AuditLog::open(&audit).expect("open");
    for (i, action) in ["scale", "rollback", "reset-breaker"].iter().enumerate() {
        let mut r = Record::new(
            &format!("a{i}"),
            Phase::Intent,
            Actor::here("kdeck-sim", "kdeck-sim", "http://127.0.0.1:1"),
            action,
            "deploy/flextime-api",
        );
        r.namespace = "flextime-production".into();
        log.append(r).expect("append");
    }
    let (code, out, err) = run(kdeck(dir.path()).args(["audit", "verify"]));
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("ok: 3 records"), "{out}");
    let (code, out, _) = run(kdeck(dir.path()).args(["audit", "show", "--since", "1h"]));
    assert_eq!(code, 0);
    assert_eq!(out.lines().count(), 3, "{out}");
    assert!(
        out.contains("rollback flextime-production/deploy/flextime-api"),
        "{out}"
    );
    let (code, out, _) = run(kdeck(dir.path()).args(["audit", "export", "--format", "md"]));
    assert_eq!(code, 0);
    assert!(out.contains("| reset-breaker |"), "{out}");
    let (code, out, _) = run(kdeck(dir.path()).args(["audit", "export", "--format", "json"]));
    assert_eq!(code, 0);
    let doc: serde_json::Value = serde_json::from_str(&out).expect("json");
    assert_eq!(doc.as_array().map(Vec::len), Some(3));
    // An edited record: exit 1, its file and line named.
    let file = audit.join("audit.jsonl");
    let text = std::fs::read_to_string(&file).expect("read");
    std::fs::write(&file, text.replacen("rollback", "scale", 1)).expect("write");
    let (code, out, _) = run(kdeck(dir.path()).args(["audit", "verify"]));
    assert_eq!(code, 1, "{out}");
    assert!(
        out.contains("audit.jsonl:2 (seq 2)") && out.contains("edited"),
        "{out}"
    );
    let (code, _, err) = run(kdeck(dir.path()).args(["audit", "show", "--since", "soon"]));
    assert_eq!(code, 2, "{err}");
}

#[test]
fn completions_and_version_as_other_tools_have_them() {
    let dir = tempfile::tempdir().expect("tempdir");
    for shell in ["bash", "zsh", "fish"] {
        let (code, out, err) = run(kdeck(dir.path()).args(["completions", shell]));
        assert_eq!(code, 0, "{shell}: {err}");
        for sub in ["status", "audit", "sim", "demo", "config"] {
            assert!(out.contains(sub), "{shell} completes {sub}:\n{out}");
        }
    }
    let (code, out, _) = run(kdeck(dir.path()).arg("--version"));
    assert_eq!(code, 0);
    assert_eq!(out.trim(), format!("kdeck {}", env!("CARGO_PKG_VERSION")));
    // `kdeck completions bash | head -1`: the pipe closes early, nothing panics.
    let mut child = kdeck(dir.path())
        .args(["completions", "bash"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("kdeck runs");
    drop(child.stdout.take());
    let o = child.wait_with_output().expect("kdeck ends");
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(!err.contains("panicked"), "{err}");
    assert_eq!(o.status.code(), Some(0), "{err}");
}
