//! HPA rows: target, each metric's current value against its target, replicas
//! within min/max, conditions (at max, unable to scale) and the last scale.

use std::sync::Arc;

use super::Ctx;
use crate::cluster::kinds::*;
use crate::cluster::msg::CtxId;
use crate::util::severity::{Assessment, Severity};

#[derive(Clone, Debug, PartialEq)]
pub struct HpaRow {
    pub ctx: CtxId,
    pub namespace: Arc<str>,
    pub name: Arc<str>,
    pub reference: String,
    pub targets: String,
    pub min: i32,
    pub max: i32,
    pub current: i32,
    pub desired: i32,
    pub conditions: String,
    pub last_scale: Option<Ts>,
    pub assessment: Assessment,
}

pub fn targets_text(h: &HpaRec) -> String {
    if h.metrics.is_empty() {
        return "<none>".into();
    }
    h.metrics
        .iter()
        .map(|m| {
            format!(
                "{} {}/{}",
                m.name,
                m.current.as_deref().unwrap_or("?"),
                m.target
            )
        })
        .collect::<Vec<_>>()
        .join(", ")
}

pub fn build(c: &Ctx) -> Vec<HpaRow> {
    c.data
        .kinds
        .hpas
        .values()
        .map(|h| {
            let mut a = Assessment::default();
            if h.at_max() {
                a.add(Severity::Warning, format!("at max {}/{}", h.desired, h.max));
            }
            for cd in h.conditions.iter() {
                let bad = match cd.type_.as_ref() {
                    "AbleToScale" | "ScalingActive" => cd.status.as_ref() == "False",
                    _ => false,
                };
                if bad {
                    a.add(Severity::Warning, format!("{}: {}", cd.type_, cd.reason));
                }
            }
            let conditions = h
                .conditions
                .iter()
                .filter(|cd| cd.status.as_ref() != "True" || cd.type_.as_ref() == "ScalingLimited")
                .filter(|cd| {
                    !(cd.type_.as_ref() == "ScalingLimited" && cd.status.as_ref() == "False")
                })
                .map(|cd| format!("{}={} {}", cd.type_, cd.status, cd.reason))
                .collect::<Vec<_>>()
                .join(", ");
            HpaRow {
                ctx: c.id,
                namespace: h.meta.namespace.clone(),
                name: h.meta.name.clone(),
                reference: format!("{}/{}", h.target_kind, h.target_name),
                targets: targets_text(h),
                min: h.min,
                max: h.max,
                current: h.current,
                desired: h.desired,
                conditions: if conditions.is_empty() {
                    "ok".into()
                } else {
                    conditions
                },
                last_scale: h.last_scale,
                assessment: a,
            }
        })
        .collect()
}
