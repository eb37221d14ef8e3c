//! Pod rows: kubectl's columns plus the owning workload, resource use when metrics
//! are served, and a severity (crash loops and pull errors first).

use std::collections::HashMap;
use std::sync::Arc;

use super::Ctx;
use super::workloads::{Index, WorkloadKind, is_crash_looping};
use crate::cluster::kinds::*;
use crate::cluster::msg::{CtxId, usage_total};
use crate::util::severity::Severity;

#[derive(Clone, Debug, PartialEq)]
pub struct PodRow {
    pub ctx: CtxId,
    pub namespace: Arc<str>,
    pub name: Arc<str>,
    pub ready: (usize, usize),
    pub status: Arc<str>,
    pub restarts: u32,
    pub last_restart: Option<Ts>,
    pub created: Ts,
    pub node: Option<Arc<str>>,
    pub ip: Option<std::net::IpAddr>,
    /// The owning workload, `deploy/name` or `sts/name` (or the direct owner), shared
    /// by its pods.
    pub workload: Option<Arc<str>>,
    pub cpu_m: Option<f64>,
    pub mem: Option<f64>,
    pub severity: Severity,
    pub completed: bool,
}

fn severity(p: &PodRec, status: &str, now: Ts) -> Severity {
    if p.deleting || p.completed() {
        return if p.phase.as_ref() == "Failed" {
            Severity::Warning
        } else {
            Severity::Ok
        };
    }
    if is_crash_looping(p)
        || matches!(
            status,
            "Error" | "OOMKilled" | "ContainerCannotRun" | "Evicted"
        )
    {
        return Severity::Critical;
    }
    if p.phase.as_ref() == "Pending" {
        return if now - p.created > 120 {
            Severity::Warning
        } else {
            Severity::Info
        };
    }
    if !p.ready {
        return Severity::Warning;
    }
    Severity::Ok
}

/// The workload a pod's owner stands for: `deploy/name` for a Deployment's
/// ReplicaSet, `sts/name`, `job/name`, `ds/name`, else the owner's name.
fn workload_of(ix: &Index, namespace: &str, o: &Owner) -> String {
    match o.kind {
        OwnerKind::ReplicaSet => match ix.rs_owner.get(&(namespace, o.name.as_ref())) {
            Some(d) => format!("{}/{}", WorkloadKind::Deployment.short(), d),
            None => format!("rs/{}", o.name),
        },
        OwnerKind::StatefulSet => format!("{}/{}", WorkloadKind::StatefulSet.short(), o.name),
        OwnerKind::Job => format!("job/{}", o.name),
        OwnerKind::DaemonSet => format!("ds/{}", o.name),
        _ => o.name.to_string(),
    }
}

pub fn build(c: &Ctx, ix: &Index, now: Ts) -> Vec<PodRow> {
    let mut workloads = Interner::default();
    let mut statuses = Interner::default();
    // Each owner's workload name, written once: a watcher shares one allocation per
    // distinct namespace and owner name, so their addresses (stable while the table
    // is borrowed) find the pods of one owner; a miss only writes it again.
    let mut by_owner: HashMap<(usize, usize, OwnerKind), Arc<str>> = HashMap::new();
    c.data
        .kinds
        .pods
        .values()
        .map(|p| {
            let status = p.status_text();
            let workload = p.owner.as_ref().map(|o| {
                let id = (
                    Arc::as_ptr(&p.namespace) as *const u8 as usize,
                    Arc::as_ptr(&o.name) as *const u8 as usize,
                    o.kind,
                );
                by_owner
                    .entry(id)
                    .or_insert_with(|| workloads.get(&workload_of(ix, &p.namespace, o)))
                    .clone()
            });
            let usage = c
                .data
                .usage
                .get(&(p.namespace.clone(), p.name.clone()))
                .map(|u| usage_total(u));
            PodRow {
                ctx: c.id,
                namespace: p.namespace.clone(),
                name: p.name.clone(),
                ready: (p.ready_count(), p.containers.len()),
                severity: severity(p, &status, now),
                status: statuses.get(&status),
                restarts: p.restarts(),
                last_restart: p
                    .containers
                    .iter()
                    .filter_map(|c| c.last_exit.as_deref().and_then(|(_, _, t)| *t))
                    .max(),
                created: p.created,
                node: p.node.clone(),
                ip: p.ip,
                workload,
                cpu_m: usage.map(|u| u.0),
                mem: usage.map(|u| u.1),
                completed: p.completed(),
            }
        })
        .collect()
}
