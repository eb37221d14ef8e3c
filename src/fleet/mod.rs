//! The domain view derived from what the console knows: rows for every view (workloads,
//! pods, HPAs, events, services, resource use) across contexts, each assessed for
//! severity and sorted so the worst is first. Built from the stores when they change,
//! never while drawing.

pub mod events;
pub mod history;
pub mod hpas;
pub mod pods;
pub mod resources;
pub mod services;
pub mod severity;
pub mod workloads;

use crate::app::msg::CtxId;
use crate::app::store::ClusterData;
use crate::cluster::model::Ts;

pub use severity::{Assessment, Severity};

/// "Recent": the last 15 minutes.
pub const RECENT: Ts = 15 * 60;

/// One context's data, as the builders read it.
pub struct Ctx<'a> {
    pub id: CtxId,
    pub name: &'a str,
    pub data: &'a ClusterData,
    /// "Now" on this context's API server clock.
    pub now: Ts,
}

/// Which of the large row sets to build. Pod rows (one per pod: 50,000 at fleet scale)
/// and resource-use rows are built only while a screen shows them; the others are
/// always built (the overview, the header's counts and `kdeck status` read them).
#[derive(Copy, Clone, Debug, Default, PartialEq, Eq)]
pub struct Needs {
    pub pods: bool,
    pub usage: bool,
}

impl Needs {
    pub const ALL: Needs = Needs {
        pods: true,
        usage: true,
    };

    /// Whether rows built for `self` serve what `other` needs.
    pub fn covers(self, other: Needs) -> bool {
        (self.pods || !other.pods) && (self.usage || !other.usage)
    }
}

/// Every view's rows, sorted.
#[derive(Clone, Debug, Default)]
pub struct Fleet {
    pub workloads: Vec<workloads::WorkloadRow>,
    pub pods: Vec<pods::PodRow>,
    pub hpas: Vec<hpas::HpaRow>,
    pub events: Vec<events::EventRow>,
    pub services: Vec<services::ServiceRow>,
    pub usage: Vec<resources::UsageRow>,
    /// The optional row sets this fleet holds.
    pub built: Needs,
}

impl Fleet {
    pub fn build(contexts: &[Ctx], needs: Needs) -> Fleet {
        let mut f = Fleet {
            built: needs,
            ..Fleet::default()
        };
        for c in contexts {
            let now = c.now;
            let ix = workloads::Index::build(c.data, now);
            f.workloads.extend(workloads::build(c, &ix, now));
            if needs.pods || needs.usage {
                let pods = pods::build(c, &ix, now);
                if needs.usage {
                    f.usage.extend(resources::build(c, &pods));
                }
                if needs.pods {
                    f.pods.extend(pods);
                }
            }
            f.hpas.extend(hpas::build(c));
            f.events.extend(events::build(c, now));
            f.services.extend(services::build(c));
        }
        f.workloads.sort_by(|a, b| {
            b.assessment
                .severity
                .cmp(&a.assessment.severity)
                .then(b.assessment.reasons.len().cmp(&a.assessment.reasons.len()))
                .then(a.ctx.cmp(&b.ctx))
                .then(a.namespace.cmp(&b.namespace))
                .then(a.name.cmp(&b.name))
                .then(a.kind.cmp(&b.kind))
        });
        f.pods.sort_by(|a, b| {
            b.severity
                .cmp(&a.severity)
                .then(a.completed.cmp(&b.completed))
                .then(a.ctx.cmp(&b.ctx))
                .then(a.namespace.cmp(&b.namespace))
                .then(a.name.cmp(&b.name))
        });
        f.hpas.sort_by(|a, b| {
            b.assessment
                .severity
                .cmp(&a.assessment.severity)
                .then(a.ctx.cmp(&b.ctx))
                .then(a.namespace.cmp(&b.namespace))
                .then(a.name.cmp(&b.name))
        });
        events::sort(&mut f.events);
        f.services.sort_by(|a, b| {
            b.assessment
                .severity
                .cmp(&a.assessment.severity)
                .then(a.ctx.cmp(&b.ctx))
                .then(a.namespace.cmp(&b.namespace))
                .then(a.name.cmp(&b.name))
        });
        f.usage.sort_by(|a, b| {
            b.severity
                .cmp(&a.severity)
                .then(b.is_workload.cmp(&a.is_workload))
                .then(b.cpu_m.total_cmp(&a.cpu_m))
                .then(a.namespace.cmp(&b.namespace))
                .then(a.name.cmp(&b.name))
                .then(a.ctx.cmp(&b.ctx))
        });
        f
    }

    /// The worst severity anywhere (for `kdeck status`).
    pub fn worst(&self) -> Severity {
        self.workloads
            .iter()
            .map(|w| w.assessment.severity)
            .chain(self.services.iter().map(|s| s.assessment.severity))
            .max()
            .unwrap_or_default()
    }
}
