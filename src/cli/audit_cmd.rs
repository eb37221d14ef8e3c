//! `kdeck audit show|verify|export`: reading the audit log from the data directory
//! (`--data-dir` / `KDECK_DATA_DIR`). `verify` exits 1 at the first bad record,
//! naming its file and line; a torn last line from a crash is reported as such.

use std::path::Path;
use std::process::ExitCode;

use super::{AuditCommand, ExportFormat};
use crate::audit::{export, verify};
use crate::config::Paths;

pub fn run(cmd: &AuditCommand, kube: &super::KubeArgs) -> ExitCode {
    let mut paths = Paths::resolve();
    if let Some(d) = kube.data_dir.as_deref() {
        paths.data_dir = d.to_path_buf();
    }
    let dir = paths.audit_dir();
    match cmd {
        AuditCommand::Verify { cluster } => match verify::verify(&dir) {
            Ok(r) => {
                for (file, line) in &r.torn {
                    println!(
                        "torn: {}:{line}: a record cut short by a crash while it was written (an intent cut short was never sent)",
                        file.display()
                    );
                }
                match &r.bad {
                    Some(b) => {
                        println!(
                            "BAD: {}:{}{}: {}",
                            b.file.display(),
                            b.line,
                            b.seq.map(|s| format!(" (seq {s})")).unwrap_or_default(),
                            b.reason
                        );
                        println!("{} records verified before it", r.records);
                        ExitCode::from(1)
                    }
                    None => {
                        println!(
                            "ok: {} records, chain intact ({})",
                            r.records,
                            dir.display()
                        );
                        if *cluster {
                            return against_cluster(&dir, kube);
                        }
                        ExitCode::SUCCESS
                    }
                }
            }
            Err(e) => {
                eprintln!("kdeck audit verify: {e}");
                ExitCode::from(2)
            }
        },
        AuditCommand::Show { since, json } => {
            let t = match since
                .as_deref()
                .map(|s| export::since(s, jiff::Timestamp::now()))
                .transpose()
            {
                Ok(t) => t,
                Err(e) => {
                    eprintln!("kdeck audit show: {e}");
                    return ExitCode::from(2);
                }
            };
            match export::records(&dir) {
                Ok(rs) => {
                    let rs = export::after(rs, t);
                    if rs.is_empty() && !*json {
                        println!("no audit records in {}", dir.display());
                    }
                    for r in rs {
                        if *json {
                            println!("{}", serde_json::to_string(&r).unwrap_or_default());
                        } else {
                            println!("{}", export::line(&r));
                        }
                    }
                    ExitCode::SUCCESS
                }
                Err(e) => {
                    eprintln!("kdeck audit show: {e}");
                    ExitCode::from(2)
                }
            }
        }
        AuditCommand::Export { format } => match export::records(&dir) {
            Ok(rs) => {
                match format {
                    ExportFormat::Md => print!("{}", export::markdown(&rs)),
                    ExportFormat::Json => {
                        println!("{}", serde_json::to_string_pretty(&rs).unwrap_or_default())
                    }
                }
                ExitCode::SUCCESS
            }
            Err(e) => {
                eprintln!("kdeck audit export: {e}");
                ExitCode::from(2)
            }
        },
    }
}

/// The heads this log published on each context's cluster, checked against the log.
fn against_cluster(dir: &Path, kube: &super::KubeArgs) -> ExitCode {
    let rt = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("kdeck audit verify: {e}");
            return ExitCode::from(2);
        }
    };
    let log_id = crate::audit::log::log_id(dir);
    rt.block_on(async {
        let kc = match crate::cluster::contexts::load(kube.kubeconfig.as_deref()) {
            Ok(kc) => kc,
            Err(e) => {
                eprintln!("kdeck audit verify: {e}");
                return ExitCode::from(2);
            }
        };
        let specs = match crate::cluster::contexts::select(&kc, &kube.contexts, &[]) {
            Ok(s) => s,
            Err(e) => {
                eprintln!("kdeck audit verify: {e}");
                return ExitCode::from(2);
            }
        };
        let mut failed = false;
        for spec in specs {
            let heads = match crate::cluster::contexts::client(
                &kc,
                &spec.name,
                crate::config::file::EXEC_TIMEOUT,
            )
            .await
            {
                Ok(c) => crate::cluster::publish::heads(&c.client, &log_id, &kube.namespaces).await,
                Err(e) => Err(e),
            };
            let heads = match heads {
                Ok(h) => h,
                Err(e) => {
                    eprintln!("kdeck audit verify: context {}: {e}", spec.name);
                    return ExitCode::from(2);
                }
            };
            let list: Vec<(u64, String, String)> = heads
                .iter()
                .map(|h| (h.seq, h.hash.clone(), format!("event {}", h.event)))
                .collect();
            // Finished actions this log should have published on this context.
            let expected = crate::audit::export::records(dir)
                .map(|rs| {
                    rs.iter()
                        .filter(|r| {
                            r.phase == crate::audit::Phase::Outcome
                                && r.actor.context == spec.name
                                && !matches!(
                                    r.outcome,
                                    Some(crate::audit::Outcome::Cancelled | crate::audit::Outcome::Refused)
                                        | None
                                )
                        })
                        .count()
                })
                .unwrap_or(0);
            if heads.is_empty() && expected > 0 {
                failed = true;
                println!(
                    "BAD: context {}: no published head found for {expected} finished action(s) in the log: it cannot be checked against the cluster (Events expire, by default after an hour; or publishing was refused)",
                    spec.name
                );
                continue;
            }
            match verify::against(dir, &list) {
                Ok(problems) if problems.is_empty() => println!(
                    "ok: context {}: {} published head(s){}, all in the local chain (log {log_id})",
                    spec.name,
                    heads.len(),
                    heads
                        .last()
                        .map(|h| format!(", newest record {}", h.seq))
                        .unwrap_or_default()
                ),
                Ok(problems) => {
                    failed = true;
                    for p in problems {
                        println!("BAD: context {}: {p}", spec.name);
                    }
                }
                Err(e) => {
                    eprintln!("kdeck audit verify: {e}");
                    return ExitCode::from(2);
                }
            }
        }
        if failed {
            ExitCode::from(1)
        } else {
            ExitCode::SUCCESS
        }
    })
}
