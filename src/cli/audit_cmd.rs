//! `kdeck audit show|verify|export`: reading the audit log from the data directory
//! (`--data-dir` / `KDECK_DATA_DIR`). `verify` exits 1 at the first bad record,
//! naming its file and line; a torn last line from a crash is reported as such.

use std::path::Path;
use std::process::ExitCode;

use super::{AuditCommand, ExportFormat};
use crate::audit::{export, verify};
use crate::config::Paths;

pub fn run(cmd: &AuditCommand, data_dir: Option<&Path>) -> ExitCode {
    let mut paths = Paths::resolve();
    if let Some(d) = data_dir {
        paths.data_dir = d.to_path_buf();
    }
    let dir = paths.audit_dir();
    match cmd {
        AuditCommand::Verify => match verify::verify(&dir) {
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
