//! Service rows: type, cluster IP, ports, selector, and how many endpoints are
//! ready out of all (a Service with a selector and no ready endpoint is down).

use std::sync::Arc;

use super::Ctx;
use crate::cluster::kinds::*;
use crate::cluster::msg::CtxId;
use crate::util::severity::{Assessment, Severity};

#[derive(Clone, Debug, PartialEq)]
pub struct ServiceRow {
    pub ctx: CtxId,
    pub namespace: Arc<str>,
    pub name: Arc<str>,
    pub type_: Box<str>,
    pub cluster_ip: String,
    pub ports: String,
    pub selector: String,
    pub ready: usize,
    pub total: usize,
    pub assessment: Assessment,
}

pub fn ports_text(s: &ServiceRec) -> String {
    s.ports
        .iter()
        .map(|p| match p.node_port {
            Some(np) => format!("{}:{}/{}", p.port, np, p.protocol),
            None => format!("{}/{}", p.port, p.protocol),
        })
        .collect::<Vec<_>>()
        .join(",")
}

pub fn build(c: &Ctx) -> Vec<ServiceRow> {
    c.data
        .kinds
        .services
        .values()
        .map(|s| {
            let ep = c
                .data
                .kinds
                .endpoints
                .get(&(s.meta.namespace.clone(), s.meta.name.clone()));
            let ready = ep.map_or(0, |e| e.ready.len());
            let total = ep.map_or(0, |e| e.ready.len() + e.not_ready.len());
            let mut a = Assessment::default();
            let has_selector = s.selector.as_ref().is_some_and(|m| !m.is_empty());
            if has_selector && ready == 0 {
                a.add(Severity::Critical, "no ready endpoints");
            } else if total > ready {
                a.add(
                    Severity::Warning,
                    format!("{} endpoints not ready", total - ready),
                );
            }
            ServiceRow {
                ctx: c.id,
                namespace: s.meta.namespace.clone(),
                name: s.meta.name.clone(),
                type_: s.type_.clone(),
                cluster_ip: s.cluster_ip.as_deref().unwrap_or("<none>").to_string(),
                ports: ports_text(s),
                selector: crate::util::sanitize::line(&s.selector_text(), 120),
                ready,
                total,
                assessment: a,
            }
        })
        .collect()
}
