//! Resource use (the runbooks' `kubectl top pods`): CPU and memory per pod and per
//! workload from metrics.k8s.io, as values and as a share of requests and limits.

use std::collections::BTreeMap;
use std::sync::Arc;

use super::Ctx;
use super::pods::PodRow;
use crate::cluster::kinds::Res;
use crate::cluster::msg::CtxId;
use crate::util::severity::Severity;

#[derive(Clone, Debug, PartialEq)]
pub struct UsageRow {
    pub ctx: CtxId,
    pub namespace: Arc<str>,
    /// A pod name, or `deploy/name` for a workload total.
    pub name: Arc<str>,
    pub is_workload: bool,
    pub pods: usize,
    pub cpu_m: f64,
    pub mem: f64,
    pub requests: Res,
    pub limits: Res,
    pub severity: Severity,
}

pub fn pct(used: f64, of: Option<f64>) -> Option<f64> {
    of.filter(|v| *v > 0.0).map(|v| used / v * 100.0)
}

fn severity(r: &UsageRow) -> Severity {
    let mem_lim = pct(r.mem, r.limits.mem()).unwrap_or(0.0);
    let cpu_lim = pct(r.cpu_m, r.limits.cpu_m()).unwrap_or(0.0);
    if mem_lim >= 90.0 {
        Severity::Critical
    } else if mem_lim >= 80.0 || cpu_lim >= 90.0 {
        Severity::Warning
    } else {
        Severity::Ok
    }
}

pub fn build(c: &Ctx, pods: &[PodRow]) -> Vec<UsageRow> {
    let mut rows = Vec::new();
    let mut totals: BTreeMap<(Arc<str>, Arc<str>), UsageRow> = BTreeMap::new();
    for p in pods.iter().filter(|p| p.ctx == c.id) {
        let (Some(cpu), Some(mem)) = (p.cpu_m, p.mem) else {
            continue;
        };
        let Some(rec) = c
            .data
            .kinds
            .pods
            .get(&(p.namespace.clone(), p.name.clone()))
        else {
            continue;
        };
        let req = rec
            .containers
            .iter()
            .fold(Res::default(), |a, c| a.plus(c.requests));
        let lim = rec
            .containers
            .iter()
            .fold(Res::default(), |a, c| a.plus(c.limits));
        let mut row = UsageRow {
            ctx: c.id,
            namespace: p.namespace.clone(),
            name: p.name.clone(),
            is_workload: false,
            pods: 1,
            cpu_m: cpu,
            mem,
            requests: req,
            limits: lim,
            severity: Severity::Ok,
        };
        row.severity = severity(&row);
        if let Some(w) = &p.workload {
            let t = totals
                .entry((p.namespace.clone(), w.clone()))
                .or_insert_with(|| UsageRow {
                    ctx: c.id,
                    namespace: p.namespace.clone(),
                    name: w.clone(),
                    is_workload: true,
                    pods: 0,
                    cpu_m: 0.0,
                    mem: 0.0,
                    requests: Res::default(),
                    limits: Res::default(),
                    severity: Severity::Ok,
                });
            t.pods += 1;
            t.cpu_m += cpu;
            t.mem += mem;
            t.requests = t.requests.plus(req);
            t.limits = t.limits.plus(lim);
        }
        rows.push(row);
    }
    for (_, mut t) in totals {
        t.severity = severity(&t);
        rows.push(t);
    }
    rows
}
