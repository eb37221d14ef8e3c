//! Real kubectl (1.31, 1.32, 1.33; fresh discovery cache each) against the simulated
//! cluster: listing with server-side printing, watch, scale (and the HPA taking it
//! back), rollout history/undo/restart, set image, create job from a CronJob (protobuf body),
//! service selector patch, auth can-i, the pod and service proxy, and errors printed
//! exactly as for a real API server.

mod common;

use std::time::Duration;

use common::{Cluster, eventually};
use kdeck::sim::access::Rule;
use kdeck::sim::{Scenario, SimConfig};
use tokio::io::AsyncBufReadExt;

const WAIT: Duration = Duration::from_secs(40);

async fn calm() -> Cluster {
    Cluster::start(Scenario::Calm, 20.0).await
}

async fn get_lists_with_realistic_columns(v: &str) {
    let c = calm().await;
    let k = c.kubectl(v);
    let pods = k.run(&["get", "pods", "-A"]).await;
    let out = pods.out();
    let header = out.lines().next().unwrap_or("");
    for col in ["NAMESPACE", "NAME", "READY", "STATUS", "RESTARTS", "AGE"] {
        assert!(header.contains(col), "{header}");
    }
    assert!(
        out.lines().any(|l| l.starts_with("flextime-production")
            && l.contains("flextime-api-")
            && l.contains("2/2")
            && l.contains("Running")),
        "{out}"
    );
    assert!(
        out.lines()
            .any(|l| l.starts_with("flextime-backup") && l.contains("Completed")),
        "{out}"
    );
    let prod = k
        .run(&[
            "get",
            "deploy,rs,hpa,cronjobs,jobs,svc,pdb",
            "-n",
            "flextime-production",
        ])
        .await;
    let out = prod.out();
    for needle in [
        "deployment.apps/flextime-api",
        "UP-TO-DATE",
        "replicaset.apps/flextime-api-",
        "DESIRED",
        "horizontalpodautoscaler.autoscaling/flextime-api",
        "Deployment/flextime-api",
        "/65%",
        "/75%",
        "service/flextime-api-service",
        "LoadBalancer",
        "80:",
        "poddisruptionbudget.policy/flextime-api-pdb",
        "ALLOWED DISRUPTIONS",
    ] {
        assert!(out.contains(needle), "missing {needle:?} in:\n{out}");
    }
    // The incident's weekly snapshot has failed runs (calm has none).
    let incident = Cluster::start(Scenario::Incident, 1.0).await;
    let backups = incident
        .kubectl(v)
        .run(&["get", "cronjobs,jobs", "-n", "flextime-backup"])
        .await;
    let out = backups.out();
    for needle in [
        "cronjob.batch/database-backup",
        "0 2 * * *",
        "0 1 * * 0",
        "Complete",
        "Failed",
        "COMPLETIONS",
    ] {
        assert!(out.contains(needle), "missing {needle:?} in:\n{out}");
    }
    let wide = k.run(&["get", "pods", "-n", "fleet-q", "-o", "wide"]).await;
    assert!(wide.out().contains("sim-node-"), "{}", wide.stdout);
    let hpa = k.run(&["get", "hpa", "-n", "fleet-q"]).await;
    assert!(
        hpa.out().contains("fleet_q_pending_steps"),
        "{}",
        hpa.stdout
    );
}

async fn watch_receives_a_change(v: &str) {
    let c = calm().await;
    let k = c.kubectl(v);
    let mut child = k
        .command(&["get", "deploy", "-n", "flagwise", "-w"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("kubectl get -w starts");
    let stdout = child.stdout.take().expect("stdout");
    let mut lines = tokio::io::BufReader::new(stdout).lines();
    let mut seen = Vec::new();
    // The initial listing: header and three Deployments.
    while seen.len() < 4 {
        let l = tokio::time::timeout(WAIT, lines.next_line())
            .await
            .expect("initial lines")
            .expect("read")
            .expect("line");
        seen.push(l);
    }
    assert!(seen.iter().any(|l| l.starts_with("consumer")), "{seen:?}");
    k.run(&[
        "scale",
        "deploy",
        "consumer",
        "-n",
        "flagwise",
        "--replicas=2",
    ])
    .await
    .out();
    let changed = tokio::time::timeout(WAIT, async {
        loop {
            let l = lines.next_line().await.expect("read").expect("stream open");
            if l.starts_with("consumer") {
                return l;
            }
        }
    })
    .await
    .expect("a watch event for consumer");
    assert!(changed.contains("/2"), "{changed}");
    let _ = child.kill().await;
}

async fn scale_and_current_replicas(v: &str) {
    let c = calm().await;
    let k = c.kubectl(v);
    let r = k
        .run(&[
            "scale",
            "deployment/flagwise-web",
            "--replicas=3",
            "-n",
            "flagwise",
        ])
        .await;
    assert!(
        r.out().contains("deployment.apps/flagwise-web scaled"),
        "{}",
        r.stdout
    );
    k.until(
        &["get", "deploy", "flagwise-web", "-n", "flagwise"],
        WAIT,
        |o| o.contains("3/3"),
    )
    .await;
    let wrong = k
        .run(&[
            "scale",
            "deployment/flagwise-web",
            "--current-replicas=2",
            "--replicas=4",
            "-n",
            "flagwise",
        ])
        .await;
    assert!(
        wrong.err().contains("Expected replicas to be 2, was 3"),
        "{}",
        wrong.stderr
    );
    k.run(&[
        "scale",
        "deployment/flagwise-web",
        "--current-replicas=3",
        "--replicas=4",
        "-n",
        "flagwise",
    ])
    .await
    .out();
    k.until(
        &["get", "deploy", "flagwise-web", "-n", "flagwise"],
        WAIT,
        |o| o.contains("4/4"),
    )
    .await;
}

async fn hpa_takes_manual_scale_back(v: &str) {
    let c = calm().await;
    let k = c.kubectl(v);
    k.run(&[
        "scale",
        "deployment/flextime-api",
        "--replicas=2",
        "-n",
        "flextime-production",
    ])
    .await
    .out();
    k.until(
        &[
            "get",
            "deploy",
            "flextime-api",
            "-n",
            "flextime-production",
            "-o",
            "jsonpath={.spec.replicas}",
        ],
        WAIT,
        |o| o.trim() == "4",
    )
    .await;
    let ev = k
        .run(&[
            "get",
            "events",
            "-n",
            "flextime-production",
            "--field-selector",
            "reason=SuccessfulRescale",
        ])
        .await;
    assert!(ev.out().contains("New size: 4"), "{}", ev.stdout);
}

async fn rollout_history_and_undo(v: &str) {
    let c = Cluster::start(Scenario::Incident, 20.0).await;
    let k = c.kubectl(v);
    let ns = ["-n", "flextime-production"];
    let hist_args = [
        "rollout",
        "history",
        "deployment/flextime-api",
        "-n",
        "flextime-production",
    ];
    k.until(&hist_args, WAIT, |o| {
        o.lines()
            .any(|l| l.starts_with("3 ") && l.contains("v2.4.0"))
    })
    .await;
    k.until(&["get", "pods", ns[0], ns[1]], WAIT, |o| {
        o.contains("CrashLoopBackOff")
    })
    .await;
    let undo = k
        .run(&["rollout", "undo", "deployment/flextime-api", ns[0], ns[1]])
        .await;
    assert!(undo.out().contains("rolled back"), "{}", undo.stdout);
    // The deployment controller reconciles asynchronously, as in a real cluster:
    // wait for the new top revision, then check exactly what history says.
    let out = k
        .until(&hist_args, WAIT, |o| o.lines().any(|l| l.starts_with("4 ")))
        .await;
    let revisions: Vec<&str> = out
        .lines()
        .filter(|l| l.chars().next().is_some_and(|c| c.is_ascii_digit()))
        .collect();
    let last = revisions.last().expect("revisions listed");
    assert!(
        last.starts_with("4 ") && last.contains("v2.3.0"),
        "old revision on top:\n{out}"
    );
    assert!(
        !revisions.iter().any(|l| l.starts_with("2 ")),
        "revision 2 was reused as 4:\n{out}"
    );
    k.until(
        &[
            "get",
            "pods",
            "-l",
            "app=flextime",
            ns[0],
            ns[1],
            "-o",
            "jsonpath={.items[*].spec.containers[0].image}",
        ],
        WAIT,
        |o| !o.trim().is_empty() && o.split_whitespace().all(|i| i == "flextime/api:v2.3.0"),
    )
    .await;
    let status = k
        .run(&[
            "rollout",
            "status",
            "deployment/flextime-api",
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
}

async fn rollout_restart(v: &str) {
    let c = calm().await;
    let k = c.kubectl(v);
    let r = k
        .run(&[
            "rollout",
            "restart",
            "deployment/flagwise-api",
            "-n",
            "flagwise",
        ])
        .await;
    assert!(r.out().contains("restarted"), "{}", r.stdout);
    let t = k
        .run(&[
            "get",
            "deploy",
            "flagwise-api",
            "-n",
            "flagwise",
            "-o",
            "jsonpath={.spec.template.metadata.annotations}",
        ])
        .await;
    assert!(
        t.out().contains("kubectl.kubernetes.io/restartedAt"),
        "{}",
        t.stdout
    );
    let hist = k
        .run(&[
            "rollout",
            "history",
            "deployment/flagwise-api",
            "-n",
            "flagwise",
        ])
        .await;
    assert!(
        hist.out().lines().any(|l| l.starts_with("3 ")),
        "{}",
        hist.stdout
    );
    let status = k
        .run(&[
            "rollout",
            "status",
            "deployment/flagwise-api",
            "-n",
            "flagwise",
            "--timeout=60s",
        ])
        .await;
    assert!(
        status.out().contains("successfully rolled out"),
        "{}",
        status.stdout
    );
}

/// The runbook's rolling update: `kubectl set image` (a strategic merge patch of the
/// container by name) makes a new revision that rolls out to every pod.
async fn set_image_rolls_out(v: &str) {
    let c = calm().await;
    let k = c.kubectl(v);
    let ns = ["-n", "flagwise"];
    let r = k
        .run(&[
            "set",
            "image",
            "deployment/flagwise-api",
            "api=flagwise/api:v1.1.0",
            ns[0],
            ns[1],
        ])
        .await;
    assert!(r.out().contains("image updated"), "{}", r.stdout);
    let image = k
        .run(&[
            "get",
            "deploy",
            "flagwise-api",
            ns[0],
            ns[1],
            "-o",
            "jsonpath={.spec.template.spec.containers[*].image}",
        ])
        .await;
    assert_eq!(image.out(), "flagwise/api:v1.1.0");
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
    k.until(
        &[
            "get",
            "pods",
            "-l",
            "app=flagwise-api",
            ns[0],
            ns[1],
            "-o",
            "jsonpath={.items[*].spec.containers[0].image}",
        ],
        WAIT,
        |o| !o.trim().is_empty() && o.split_whitespace().all(|i| i == "flagwise/api:v1.1.0"),
    )
    .await;
    let hist = k
        .run(&[
            "rollout",
            "history",
            "deployment/flagwise-api",
            ns[0],
            ns[1],
        ])
        .await;
    assert!(
        hist.out().lines().any(|l| l.starts_with("3 ")),
        "{}",
        hist.stdout
    );
}

async fn create_job_from_cronjob(v: &str) {
    let c = calm().await;
    let k = c.kubectl(v);
    let r = k
        .run(&[
            "create",
            "job",
            "--from=cronjob/database-backup",
            "manual-1",
            "-n",
            "flextime-backup",
        ])
        .await;
    assert!(
        r.out().contains("job.batch/manual-1 created"),
        "{}",
        r.stdout
    );
    let meta = k
        .run(&[
            "get",
            "job",
            "manual-1",
            "-n",
            "flextime-backup",
            "-o",
            "jsonpath={.metadata.annotations}{\"|\"}{.metadata.ownerReferences[0].kind}",
        ])
        .await;
    let out = meta.out();
    assert!(
        out.contains("cronjob.kubernetes.io/instantiate") && out.contains("manual"),
        "{out}"
    );
    assert!(out.ends_with("|CronJob"), "{out}");
    k.until(
        &[
            "get",
            "job",
            "manual-1",
            "-n",
            "flextime-backup",
            "-o",
            "jsonpath={.status.succeeded}",
        ],
        WAIT,
        |o| o.trim() == "1",
    )
    .await;
    let logs = k
        .run(&["logs", "job/manual-1", "-n", "flextime-backup"])
        .await;
    assert!(logs.out().contains("Backup completed"), "{}", logs.stdout);
    // kubectl wraps this error itself: "error: failed to create job: <server message>".
    let dup = k
        .run(&[
            "create",
            "job",
            "--from=cronjob/database-backup",
            "manual-1",
            "-n",
            "flextime-backup",
        ])
        .await;
    assert!(
        dup.err()
            .contains("failed to create job: jobs.batch \"manual-1\" already exists"),
        "{}",
        dup.stderr
    );
}

fn ips(s: &str) -> std::collections::BTreeSet<String> {
    s.split_whitespace().map(String::from).collect()
}

async fn patch_service_selector_moves_endpoints(v: &str) {
    let c = calm().await;
    let k = c.kubectl(v);
    let ns = ["-n", "team-dashboard-prod"];
    let green = k
        .run(&[
            "get",
            "endpoints",
            "dashboard-green",
            ns[0],
            ns[1],
            "-o",
            "jsonpath={.subsets[*].addresses[*].ip}",
        ])
        .await;
    let green = ips(green.out());
    assert_eq!(green.len(), 3, "{green:?}");
    let r = k
        .run(&[
            "patch",
            "service",
            "dashboard",
            ns[0],
            ns[1],
            "-p",
            r#"{"spec":{"selector":{"slot":"green"}}}"#,
        ])
        .await;
    assert!(
        r.out().contains("service/dashboard patched"),
        "{}",
        r.stdout
    );
    k.until(
        &[
            "get",
            "endpoints",
            "dashboard",
            ns[0],
            ns[1],
            "-o",
            "jsonpath={.subsets[*].addresses[*].ip}",
        ],
        WAIT,
        |o| ips(o) == green,
    )
    .await;
}

async fn auth_can_i_yes_and_no(v: &str) {
    let c = Cluster::start_with(SimConfig {
        scenario: Scenario::Calm,
        rules: vec![Rule::parse("patch:deployments/scale:flagwise", false).expect("rule")],
        ..SimConfig::default()
    })
    .await;
    let k = c.kubectl(v);
    let no = k
        .run(&[
            "auth",
            "can-i",
            "patch",
            "deployments",
            "--subresource=scale",
            "-n",
            "flagwise",
        ])
        .await;
    assert_eq!(no.stdout.trim(), "no", "{no:?}");
    let yes = k
        .run(&[
            "auth",
            "can-i",
            "patch",
            "deployments",
            "--subresource=scale",
            "-n",
            "fleet-q",
        ])
        .await;
    assert_eq!(yes.out().trim(), "yes");
    let denied = k
        .run(&[
            "scale",
            "deploy",
            "flagwise-web",
            "--replicas=3",
            "-n",
            "flagwise",
        ])
        .await;
    assert!(
        denied.err().contains(
            "Error from server (Forbidden): deployments.apps \"flagwise-web\" is forbidden: User \"sim-admin\" cannot patch resource \"deployments/scale\" in API group \"apps\" in the namespace \"flagwise\""
        ),
        "{}",
        denied.stderr
    );
}

async fn pod_and_service_proxy(v: &str) {
    let c = Cluster::start(Scenario::Incident, 10.0).await;
    let k = c.kubectl(v);
    let pods = k
        .run(&[
            "get",
            "pods",
            "-n",
            "flextime-production",
            "-l",
            "app=flextime",
            "-o",
            "jsonpath={.items[0].metadata.name}",
        ])
        .await;
    let pod = pods.out().trim().to_string();
    let health = format!("/api/v1/namespaces/flextime-production/pods/{pod}:3005/proxy/health");
    let first = k.run(&["get", "--raw", &health]).await;
    assert!(
        first.out().contains("\"circuit_breaker\""),
        "{}",
        first.stdout
    );
    let leader = k
        .run(&[
            "get",
            "--raw",
            "/api/v1/namespaces/fleet-q/services/fleet-q:metrics/proxy/admin/leader",
        ])
        .await;
    assert!(
        leader.out().contains("\"leader\":\"fleet-q-"),
        "{}",
        leader.stdout
    );
    // The incident opens the breakers (the deep health answers 503); the reset
    // endpoint closes one.
    let open_pod = std::sync::Mutex::new(None::<String>);
    eventually("a breaker opens", Duration::from_secs(90), || async {
        let list = k
            .run(&[
                "get",
                "pods",
                "-n",
                "flextime-production",
                "-l",
                "app=flextime",
                "-o",
                "jsonpath={.items[*].metadata.name}",
            ])
            .await;
        for p in list.stdout.split_whitespace() {
            let r = k
                .run(&[
                    "get",
                    "--raw",
                    &format!("/api/v1/namespaces/flextime-production/pods/{p}:3005/proxy/health"),
                ])
                .await;
            if r.stderr.contains(
                "(ServiceUnavailable): the server is currently unable to handle the request",
            ) {
                *open_pod.lock().expect("lock") = Some(p.to_string());
                return true;
            }
        }
        false
    })
    .await;
    let pod = open_pod
        .lock()
        .expect("lock")
        .clone()
        .expect("an open breaker");
    let reset = format!(
        "/api/v1/namespaces/flextime-production/pods/{pod}:3005/proxy/health/circuit-breaker/reset"
    );
    let r = k
        .run_stdin(&["create", "--raw", &reset, "-f", "-"], b"{}")
        .await;
    assert!(
        r.out().contains("\"circuit_breaker\":\"closed\"")
            && r.out().contains("\"previous\":\"open\""),
        "{}",
        r.stdout
    );
}

async fn errors_print_as_for_a_real_server(v: &str) {
    let c = calm().await;
    let k = c.kubectl(v);
    let nf = k.run(&["get", "deploy", "nope", "-n", "flagwise"]).await;
    assert!(
        nf.err()
            .contains("Error from server (NotFound): deployments.apps \"nope\" not found"),
        "{}",
        nf.stderr
    );
    let stale = k
        .run(&[
            "get",
            "deploy",
            "flagwise-web",
            "-n",
            "flagwise",
            "-o",
            "json",
        ])
        .await;
    let path = common::write(c.dir.path(), "stale.json", stale.out());
    k.run(&[
        "annotate",
        "deploy",
        "flagwise-web",
        "-n",
        "flagwise",
        "touched=yes",
    ])
    .await
    .out();
    let conflict = k
        .run(&[
            "replace",
            "--validate=false",
            "-f",
            path.to_str().expect("utf-8 path"),
        ])
        .await;
    let err = conflict.err();
    assert!(
        err.contains("Error from server (Conflict)")
            && err.contains("Operation cannot be fulfilled on deployments.apps \"flagwise-web\": the object has been modified"),
        "{err}"
    );
    let invalid = k
        .run(&[
            "patch",
            "deploy",
            "flagwise-web",
            "-n",
            "flagwise",
            "-p",
            r#"{"spec":{"replicas":-1}}"#,
        ])
        .await;
    assert!(
        invalid.err().contains("The Deployment \"flagwise-web\" is invalid: spec.replicas: Invalid value: -1: must be greater than or equal to 0"),
        "{}",
        invalid.stderr
    );
}

/// The core set every API server serves, and a CRD's custom resources: discovery lists
/// them, `get` prints them, and the usual writes work.
async fn every_kind_a_real_server_serves(v: &str) {
    let c = calm().await;
    let k = c.kubectl(v);
    let ar = k.run(&["api-resources", "--no-headers"]).await;
    let names: Vec<&str> = ar
        .out()
        .lines()
        .filter_map(|l| l.split_whitespace().next())
        .collect();
    for want in [
        "configmaps",
        "secrets",
        "serviceaccounts",
        "persistentvolumes",
        "persistentvolumeclaims",
        "daemonsets",
        "ingresses",
        "ingressclasses",
        "networkpolicies",
        "storageclasses",
        "leases",
        "roles",
        "rolebindings",
        "clusterroles",
        "clusterrolebindings",
        "customresourcedefinitions",
        "rollouts",
    ] {
        assert!(
            names.contains(&want),
            "api-resources lacks {want}: {names:?}"
        );
    }
    // `get` of each, with the columns kubectl prints for a real server.
    for (args, header, row) in [
        (
            vec!["get", "cm", "-n", "flextime-production"],
            "DATA",
            "flextime-config",
        ),
        (vec!["get", "secrets", "-A"], "TYPE", "flextime-secrets"),
        (
            vec!["get", "sa", "-n", "flextime-production"],
            "SECRETS",
            "default",
        ),
        (
            vec!["get", "pv"],
            "RECLAIM POLICY",
            "pvc-7f3c2a91-flextime-data",
        ),
        (vec!["get", "pvc", "-A"], "VOLUME", "flextime-data"),
        (
            vec!["get", "ds", "-n", "kube-system"],
            "NODE SELECTOR",
            "fluent-bit",
        ),
        (vec!["get", "ing", "-A"], "HOSTS", "dashboard-ingress"),
        (vec!["get", "ingressclass"], "CONTROLLER", "nginx"),
        (
            vec!["get", "netpol", "-A"],
            "POD-SELECTOR",
            "flextime-api-ingress",
        ),
        (vec!["get", "sc"], "PROVISIONER", "gp3 (default)"),
        (
            vec!["get", "leases", "-n", "kube-system"],
            "HOLDER",
            "kube-scheduler",
        ),
        (
            vec!["get", "roles", "-A"],
            "CREATED AT",
            "flextime-deployer",
        ),
        (
            vec!["get", "rolebindings", "-A"],
            "ROLE",
            "Role/flextime-deployer",
        ),
        (vec!["get", "clusterroles"], "CREATED AT", "cluster-admin"),
        (
            vec!["get", "clusterrolebindings"],
            "ROLE",
            "ClusterRole/cluster-admin",
        ),
        (vec!["get", "crd"], "CREATED AT", "rollouts.argoproj.io"),
        (
            vec!["get", "rollouts.argoproj.io", "-A"],
            "UP-TO-DATE",
            "flagwise-canary",
        ),
        (
            vec!["get", "ro", "-n", "flagwise"],
            "DESIRED",
            "flagwise-canary",
        ),
    ] {
        let r = k.run(&args).await;
        let out = r.out();
        let head = out.lines().next().unwrap_or("");
        assert!(head.contains(header), "{args:?}: header {head:?}");
        assert!(out.contains(row), "{args:?}:\n{out}");
    }
    // The DaemonSet runs on every node; the PVC is bound; a Rollout's age is an age.
    let ds = k
        .run(&[
            "get",
            "ds",
            "fluent-bit",
            "-n",
            "kube-system",
            "--no-headers",
        ])
        .await;
    let cols: Vec<&str> = ds.out().split_whitespace().collect();
    assert_eq!(&cols[1..4], ["3", "3", "3"], "{cols:?}");
    let pvc = k
        .run(&[
            "get",
            "pvc",
            "flextime-data",
            "-n",
            "flextime-backup",
            "-o",
            "jsonpath={.status.phase}",
        ])
        .await;
    assert_eq!(pvc.out(), "Bound");
    let ro = k
        .run(&[
            "get",
            "ro",
            "flagwise-canary",
            "-n",
            "flagwise",
            "--no-headers",
        ])
        .await;
    let age = ro.out().split_whitespace().last().unwrap_or("");
    assert!(age.ends_with('d'), "{age:?}");
    // Writes: create a ConfigMap and a Secret (kubectl ≥ 1.32 sends protobuf), read
    // them back, delete them.
    k.run(&[
        "create",
        "configmap",
        "kc-test",
        "-n",
        "flagwise",
        "--from-literal=mode=on",
    ])
    .await
    .out();
    k.run(&[
        "create",
        "secret",
        "generic",
        "kc-secret",
        "-n",
        "flagwise",
        "--from-literal=pw=s3cr3t-value",
    ])
    .await
    .out();
    let data = k
        .run(&[
            "get",
            "secret",
            "kc-secret",
            "-n",
            "flagwise",
            "-o",
            "jsonpath={.data.pw}",
        ])
        .await;
    assert_eq!(data.out(), "czNjcjN0LXZhbHVl", "base64 of the literal");
    let cm = k
        .run(&[
            "get",
            "cm",
            "kc-test",
            "-n",
            "flagwise",
            "-o",
            "jsonpath={.data.mode}",
        ])
        .await;
    assert_eq!(cm.out(), "on");
    let del = k
        .run(&[
            "delete",
            "configmap/kc-test",
            "secret/kc-secret",
            "-n",
            "flagwise",
        ])
        .await;
    assert!(del.out().contains("deleted"), "{}", del.stdout);
    let gone = k.run(&["get", "cm", "kc-test", "-n", "flagwise"]).await;
    assert!(gone.err().contains("NotFound"), "{}", gone.stderr);
    // A new namespace gets its default ServiceAccount, as on a real control plane.
    k.run(&["create", "namespace", "kc-ns"]).await.out();
    let mut sa = String::new();
    for _ in 0..50 {
        sa = k
            .run(&["get", "sa", "-n", "kc-ns", "--no-headers"])
            .await
            .stdout;
        if sa.contains("default") {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert!(sa.contains("default"), "{sa}");
}

macro_rules! per_version {
    ($($module:ident => $version:literal),* $(,)?) => {$(
        mod $module {
            macro_rules! t {
                ($name:ident) => {
                    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                    async fn $name() {
                        super::$name($version).await
                    }
                };
            }
            t!(get_lists_with_realistic_columns);
            t!(watch_receives_a_change);
            t!(scale_and_current_replicas);
            t!(hpa_takes_manual_scale_back);
            t!(rollout_history_and_undo);
            t!(rollout_restart);
            t!(set_image_rolls_out);
            t!(create_job_from_cronjob);
            t!(patch_service_selector_moves_endpoints);
            t!(auth_can_i_yes_and_no);
            t!(pod_and_service_proxy);
            t!(errors_print_as_for_a_real_server);
            t!(every_kind_a_real_server_serves);
        }
    )*};
}

// Every kubectl release beside the installed one: each skews differently (table
// negotiation, aggregated discovery from 1.30, `kubectl events`), and on-call
// machines carry whichever their cluster pinned.
per_version!(
    kubectl_1_27 => "1.27",
    kubectl_1_28 => "1.28",
    kubectl_1_29 => "1.29",
    kubectl_1_30 => "1.30",
    kubectl_1_31 => "1.31",
    kubectl_1_32 => "1.32",
    kubectl_1_33 => "1.33",
);
