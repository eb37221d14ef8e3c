//! `kdeck status [-o table|json]`: a one-shot, headless summary of the same severity
//! model as the console's overview, for scripts and for pasting into an incident
//! channel. Exit 0 healthy, 1 something needs attention, 2 errors.

use std::process::ExitCode;

use serde_json::json;

use super::console_cmd::{Launch, start_logging};
use super::{KubeArgs, OutputFormat, StatusArgs};
use crate::cluster::store::ClusterData;
use crate::cluster::{contexts, watch};
use crate::config::{self, Paths};
use crate::fleet::{Ctx, Fleet};
use crate::util::severity::Severity;

struct Scanned {
    name: String,
    server: String,
    data: ClusterData,
    errors: Vec<String>,
    skew: i64,
    client: Option<kube::Client>,
}

/// One round of health probes and alert reads, into a health book and alert feeds.
async fn probe_once(
    fleet: &Fleet,
    scanned: &[Scanned],
    w: &crate::fleet::Watching,
) -> (
    crate::probe::book::Book,
    Vec<crate::fleet::alerts::AlertFeed>,
) {
    let mut book = crate::probe::book::Book::default();
    let mut feeds = Vec::new();
    let Ok(direct) = crate::probe::http::direct_client() else {
        return (book, feeds);
    };
    let clients = crate::probe::http::Clients {
        kube: crate::cluster::link::Links::from_vec(
            scanned
                .iter()
                .map(|s| match &s.client {
                    Some(c) => crate::cluster::link::Link::ready(c.clone()),
                    None => crate::cluster::link::Link::new(),
                })
                .collect(),
        ),
        direct,
    };
    let msgs = crate::probe::once::round(
        &fleet.probe_targets,
        &fleet.alert_sources,
        &clients,
        &w.probes,
    )
    .await;
    for m in msgs {
        match m {
            crate::probe::Msg::Probed {
                id,
                request,
                verdict,
                at,
            } => {
                book.record(&id, &request, verdict, at);
            }
            crate::probe::Msg::Alerts { source, result, at } => {
                feeds.push(crate::fleet::alerts::AlertFeed::new(source, result, at))
            }
        }
    }
    (book, feeds)
}

async fn scan(client: &kube::Client, namespaces: &[String]) -> (ClusterData, Vec<String>) {
    let mut data = ClusterData::default();
    let mut errors = Vec::new();
    let scopes: Vec<Option<&str>> = if namespaces.is_empty() {
        vec![None]
    } else {
        namespaces.iter().map(|n| Some(n.as_str())).collect()
    };
    for ns in scopes {
        let (feeds, errs) = watch::list_all(client, ns).await;
        for feed in feeds {
            data.relist(ns, feed);
        }
        errors.extend(errs);
    }
    (data, errors)
}

fn workload_json(f: &Fleet, names: &[String]) -> Vec<serde_json::Value> {
    f.workloads
        .iter()
        .map(|w| {
            json!({
                "context": names.get(w.ctx),
                "namespace": &*w.namespace,
                "kind": w.kind.short(),
                "name": &*w.name,
                "ready": w.ready,
                "desired": w.desired,
                "rollout": w.rollout.text(),
                "hpa": w.hpa.as_ref().map(|h| json!({"current": h.current, "min": h.min, "max": h.max, "atMax": h.at_max})),
                "restarts": w.restarts,
                "warnings15m": w.warnings,
                "severity": w.assessment.severity,
                "reasons": w.assessment.reasons.iter().map(|(_, r)| crate::util::age::clocked(r, jiff::Timestamp::now().as_second())).collect::<Vec<_>>(),
            })
        })
        .collect()
}

async fn status(launch: Launch, paths: &Paths, format: OutputFormat) -> Result<bool, String> {
    let loaded = config::load::<crate::app::command::Command>(paths, true);
    let kc = contexts::load(launch.kubeconfig.as_deref())?;
    let specs = contexts::select(&kc, &launch.contexts, &loaded.config.contexts)?;
    let mut scanned = Vec::new();
    for spec in specs {
        let namespaces = if launch.all_namespaces {
            Vec::new()
        } else if !launch.namespaces.is_empty() {
            launch.namespaces.clone()
        } else {
            loaded.config.namespaces_for(&spec.name)
        };
        let mut s = Scanned {
            name: spec.name.clone(),
            server: spec.server.clone(),
            data: ClusterData::default(),
            errors: Vec::new(),
            skew: 0,
            client: None,
        };
        match contexts::client(&kc, &spec.name, loaded.config.exec_timeout()).await {
            Ok(c) => {
                for n in &c.notes {
                    eprintln!("warning: context {}: {n}", spec.name);
                }
                let client = c.client;
                s.client = Some(client.clone());
                match tokio::time::timeout(
                    std::time::Duration::from_secs(30),
                    scan(&client, &namespaces),
                )
                .await
                {
                    Ok((mut data, errors)) => {
                        match tokio::time::timeout(
                            std::time::Duration::from_secs(10),
                            crate::cluster::snapshots::list_once(&client),
                        )
                        .await
                        {
                            Ok(r) => data.set_snapshots(r),
                            Err(_) => tracing::warn!("VolumeSnapshots not listed within 10 s"),
                        }
                        s.data = data;
                        s.errors = errors;
                    }
                    Err(_) => s
                        .errors
                        .push("the API server did not answer within 30 s".into()),
                }
                if let Ok(Ok(v)) = tokio::time::timeout(
                    std::time::Duration::from_secs(5),
                    client.apiserver_version(),
                )
                .await
                {
                    tracing::debug!(version = %v.git_version, "server version");
                }
            }
            Err(e) => s.errors.push(e),
        }
        scanned.push(s);
    }
    let now = jiff::Timestamp::now().as_second();
    let ctxs: Vec<Ctx> = scanned
        .iter()
        .enumerate()
        .map(|(id, s)| Ctx {
            id,
            name: &s.name,
            data: &s.data,
            now: now + s.skew,
        })
        .collect();
    let watching = crate::fleet::Watching::from(&loaded.config);
    let probe_all = std::collections::HashSet::new();
    let first = Fleet::build(
        &ctxs,
        crate::fleet::Needs::default(),
        crate::fleet::Extras {
            watching: &watching,
            ..crate::fleet::Extras::none()
        },
    );
    let (book, feeds) = tokio::time::timeout(
        std::time::Duration::from_secs(20),
        probe_once(&first, &scanned, &watching),
    )
    .await
    .unwrap_or_default();
    let fleet = Fleet::build(
        &ctxs,
        crate::fleet::Needs::default(),
        crate::fleet::Extras {
            health: &book,
            alerts: &feeds,
            watching: &watching,
            probe_all: &probe_all,
            api_down: &std::collections::HashSet::new(),
        },
    );
    let names: Vec<String> = scanned.iter().map(|s| s.name.clone()).collect();
    let count = |sev: Severity| {
        fleet
            .workloads
            .iter()
            .filter(|w| w.assessment.severity == sev)
            .count()
    };
    let errors: Vec<String> = scanned
        .iter()
        .flat_map(|s| s.errors.iter().map(move |e| format!("{}: {e}", s.name)))
        .collect();
    match format {
        OutputFormat::Json => {
            let doc = json!({
                "contexts": scanned.iter().map(|s| json!({"name": s.name, "server": s.server, "errors": s.errors})).collect::<Vec<_>>(),
                "summary": {"critical": count(Severity::Critical), "warning": count(Severity::Warning), "info": count(Severity::Info), "ok": count(Severity::Ok), "worst": fleet.worst()},
                "workloads": workload_json(&fleet, &names),
                "health": fleet.health.iter().map(|h| json!({
                    "context": h.key.ctx.and_then(|c| names.get(c)),
                    "namespace": &*h.key.namespace,
                    "workload": &*h.key.workload,
                    "endpoint": &*h.key.name,
                    "request": h.request,
                    "state": h.state,
                    "reason": crate::util::age::clocked(&h.reason, now),
                })).collect::<Vec<_>>(),
                "backups": fleet.backups.iter().map(|b| json!({
                    "context": names.get(b.ctx),
                    "namespace": &*b.namespace,
                    "name": &*b.name,
                    "verdict": b.freshness,
                    "lastSuccess": b.last_success.and_then(|t| jiff::Timestamp::from_second(t).ok()).map(|t| t.to_string()),
                    "why": crate::util::age::clocked(&b.why, now),
                })).collect::<Vec<_>>(),
                "alerts": fleet.alerts.iter().map(|a| json!({
                    "name": a.alert.name,
                    "severity": a.alert.severity,
                    "namespace": &*a.namespace,
                    "workload": a.alert.workload,
                    "summary": a.alert.summary,
                    "since": a.alert.starts.and_then(|t| jiff::Timestamp::from_second(t).ok()).map(|t| t.to_string()),
                })).collect::<Vec<_>>(),
                "alertErrors": feeds.iter().filter_map(|f| f.error.as_ref().map(|e| format!("{}: {e}", f.source.label))).collect::<Vec<_>>(),
            });
            println!("{}", serde_json::to_string_pretty(&doc).unwrap_or_default());
        }
        OutputFormat::Table => {
            let rows: Vec<_> = fleet
                .workloads
                .iter()
                .filter(|w| w.assessment.severity >= Severity::Info)
                .collect();
            if rows.is_empty() && errors.is_empty() {
                println!("All {} workloads healthy.", fleet.workloads.len());
            } else if !rows.is_empty() {
                let multi = names.len() > 1;
                let nsw = rows
                    .iter()
                    .map(|w| w.namespace.len())
                    .max()
                    .unwrap_or(9)
                    .max(9);
                let nw = rows
                    .iter()
                    .map(|w| w.name.len() + if w.kind.short() == "deploy" { 0 } else { 4 })
                    .max()
                    .unwrap_or(8)
                    .max(8);
                if multi {
                    print!("{:<16} ", "CONTEXT");
                }
                println!(
                    "{:<4}  {:<nsw$}  {:<nw$}  {:<7}  WHY",
                    "SEV", "NAMESPACE", "WORKLOAD", "READY"
                );
                for w in rows {
                    if multi {
                        print!(
                            "{:<16} ",
                            names.get(w.ctx).map(String::as_str).unwrap_or("?")
                        );
                    }
                    let name = if w.kind.short() == "deploy" {
                        w.name.to_string()
                    } else {
                        format!("{}/{}", w.kind.short(), w.name)
                    };
                    println!(
                        "{:<4}  {:<nsw$}  {:<nw$}  {:<7}  {}",
                        crate::ui::widgets::severity_mark(w.assessment.severity),
                        crate::util::sanitize::line(&w.namespace, 253),
                        crate::util::sanitize::line(&name, 253),
                        if w.kind == crate::fleet::workloads::WorkloadKind::CronJob {
                            "-".to_string()
                        } else {
                            format!("{}/{}", w.ready, w.desired)
                        },
                        crate::util::age::clocked(&w.assessment.summary(), now)
                    );
                }
            }
            let by = |st: crate::probe::HealthState| {
                fleet.health.iter().filter(|h| h.state == st).count()
            };
            let bad_backups = fleet
                .backups
                .iter()
                .filter(|b| b.assessment.severity.needs_attention())
                .count();
            let crit_alerts = fleet
                .alerts
                .iter()
                .filter(|a| a.severity == Severity::Critical)
                .count();
            println!(
                "\nhealth: {} down, {} degraded, {} ok of {} endpoints; backups: {} of {} need attention; alerts: {} firing ({} critical)",
                by(crate::probe::HealthState::Down),
                by(crate::probe::HealthState::Degraded),
                by(crate::probe::HealthState::Ok),
                fleet.health.len(),
                bad_backups,
                fleet.backups.len(),
                fleet.alerts.len(),
                crit_alerts
            );
            for f in feeds.iter() {
                if let Some(e) = &f.error {
                    eprintln!("warning: alerts from {}: {e}", f.source.label);
                }
            }
            println!(
                "{} critical, {} warning, {} info, {} ok — {} workloads in {}",
                count(Severity::Critical),
                count(Severity::Warning),
                count(Severity::Info),
                count(Severity::Ok),
                fleet.workloads.len(),
                names.join(", ")
            );
            for e in &errors {
                eprintln!("error: {e}");
            }
        }
    }
    if !errors.is_empty() {
        // With -o json the errors are in the document; the summary still says what
        // went wrong (one cause usually fails every list: a certificate, a token).
        let mut distinct: Vec<&String> = Vec::new();
        for e in &errors {
            if !distinct.contains(&e) {
                distinct.push(e);
            }
        }
        let shown: Vec<&str> = distinct.iter().take(3).map(|e| e.as_str()).collect();
        return Err(format!(
            "{} error(s) reading the cluster: {}{}",
            errors.len(),
            shown.join("; "),
            if distinct.len() > 3 { "; …" } else { "" }
        ));
    }
    Ok(fleet.worst().needs_attention())
}

pub fn run(args: &StatusArgs, k: &KubeArgs, log_level: &str) -> ExitCode {
    let paths = Paths::resolve();
    start_logging(&paths, log_level);
    let rt = match super::runtime("kdeck status: ") {
        Ok(rt) => rt,
        Err(code) => return code,
    };
    let mut launch = Launch::from_args(k);
    if launch.namespaces.is_empty() && !launch.all_namespaces {
        launch.all_namespaces = false;
    }
    match rt.block_on(status(launch, &paths, args.output)) {
        Ok(false) => ExitCode::SUCCESS,
        Ok(true) => ExitCode::from(1),
        Err(e) => {
            eprintln!("kdeck status: {e}");
            ExitCode::from(2)
        }
    }
}
