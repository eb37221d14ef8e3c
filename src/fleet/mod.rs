//! The domain view derived from what the console knows: rows for every view (workloads,
//! pods, HPAs, events, services, resource use) across contexts, each assessed for
//! severity and sorted so the worst is first. Built from the stores when they change,
//! never while drawing.

pub mod alerts;
pub mod backups;
pub mod events;
pub mod health;
pub mod history;
pub mod hpas;
pub mod kinds;
pub mod pods;
pub mod probing;
pub mod published;
pub mod resources;
pub mod services;
pub mod workloads;

use std::collections::HashSet;
use std::sync::Arc;

use crate::cluster::kinds::ResKind;
use crate::cluster::kinds::Ts;
use crate::cluster::msg::CtxId;
use crate::cluster::store::ClusterData;
use crate::config::file::{AlertSettings, BackupSettings, Config, EndpointConfig};
use crate::probe::alerts::AlertSource;
use crate::probe::book::Book;
use crate::probe::targets::{ProbeTarget, Settings, Via};

use crate::util::severity::Severity;

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

/// Which of the large row sets to build. Pod rows (one per pod: 50,000 at fleet scale),
/// resource-use, HPA, event and service rows are built only while a screen shows them;
/// the others are always built (the overview, the header's counts and `kdeck status`
/// read them).
#[derive(Copy, Clone, Debug, Default, PartialEq, Eq)]
pub struct Needs {
    pub pods: bool,
    pub usage: bool,
    /// The HPA, event and service views' rows (one each per object: at 8,000
    /// Services, not worth rebuilding while no screen shows them).
    pub hpas: bool,
    pub events: bool,
    pub services: bool,
    /// First-class kinds whose own list is shown (one bit per `ResKind`).
    pub kinds: u64,
}

impl Needs {
    pub const ALL: Needs = Needs {
        pods: true,
        usage: true,
        hpas: true,
        events: true,
        services: true,
        kinds: u64::MAX,
    };

    /// Also the list of `kind`.
    pub fn with_kind(mut self, kind: ResKind) -> Needs {
        self.kinds |= 1 << (kind as u32);
        self
    }

    pub fn has_kind(self, kind: ResKind) -> bool {
        self.kinds & (1 << (kind as u32)) != 0
    }

    /// Whether rows built for `self` serve what `other` needs.
    pub fn covers(self, other: Needs) -> bool {
        (self.pods || !other.pods)
            && (self.usage || !other.usage)
            && (self.hpas || !other.hpas)
            && (self.events || !other.events)
            && (self.services || !other.services)
            && (self.kinds & other.kinds) == other.kinds
    }
}

/// What the person configured about health, backups and alerts.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Watching {
    pub probes: Settings,
    pub endpoints: Vec<EndpointConfig>,
    pub backups: BackupSettings,
    pub alerts: AlertSettings,
}

impl Watching {
    pub fn from(c: &Config) -> Watching {
        Watching {
            probes: Settings::from(&c.probes),
            endpoints: c.endpoints.clone(),
            backups: c.backups.clone(),
            alerts: c.alerts.clone(),
        }
    }
}

/// Inputs beyond the cluster stores: probe verdicts, alerts, settings.
#[derive(Clone, Copy)]
pub struct Extras<'a> {
    pub health: &'a Book,
    pub alerts: &'a [alerts::AlertFeed],
    pub watching: &'a Watching,
    /// Workloads whose every ready pod is probed: (context, namespace, `kind/name`).
    pub probe_all: &'a ProbeAll,
    /// Contexts whose API server does not answer now (health through it is unknown).
    pub api_down: &'a HashSet<CtxId>,
}

/// Workloads probed on every ready pod: (context, namespace, `kind/name`).
pub type ProbeAll = HashSet<(CtxId, Arc<str>, Arc<str>)>;

impl Extras<'_> {
    /// No probes, no alerts, default settings.
    pub fn none() -> Extras<'static> {
        static BOOK: std::sync::LazyLock<Book> = std::sync::LazyLock::new(Book::default);
        static WATCHING: std::sync::LazyLock<Watching> =
            std::sync::LazyLock::new(Watching::default);
        static ALL: std::sync::LazyLock<ProbeAll> = std::sync::LazyLock::new(HashSet::new);
        static DOWN: std::sync::LazyLock<HashSet<CtxId>> = std::sync::LazyLock::new(HashSet::new);
        Extras {
            health: &BOOK,
            alerts: &[],
            watching: &WATCHING,
            probe_all: &ALL,
            api_down: &DOWN,
        }
    }
}

/// The Alertmanagers to read: the configured URL, or each context's Service named
/// `alertmanager` (its `web`/`http` port, else its first).
fn alert_sources(contexts: &[Ctx], a: &AlertSettings) -> Vec<AlertSource> {
    if !a.enabled {
        return Vec::new();
    }
    if let Some(url) = &a.url {
        return vec![AlertSource {
            ctx: None,
            via: Via::Direct { url: url.clone() },
            label: url.clone(),
        }];
    }
    let mut out = Vec::new();
    for c in contexts {
        let svc = c
            .data
            .kinds
            .services
            .values()
            .find(|s| s.meta.name.as_ref() == "alertmanager");
        if let Some(s) = svc {
            let port = s
                .ports
                .iter()
                .find(|p| matches!(p.name.as_deref(), Some("web" | "http")))
                .or(s.ports.first());
            if let Some(p) = port.and_then(|p| u16::try_from(p.port).ok()) {
                out.push(AlertSource {
                    ctx: Some(c.id),
                    via: Via::ServiceProxy {
                        ctx: c.id,
                        namespace: s.meta.namespace.clone(),
                        service: s.meta.name.clone(),
                        port: p,
                    },
                    label: format!("{}: svc/{}/alertmanager", c.name, s.meta.namespace),
                });
            }
        }
    }
    out
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
    pub health: Vec<health::HealthRow>,
    pub backups: Vec<backups::BackupRow>,
    pub alerts: Vec<alerts::AlertRow>,
    /// The lists of first-class kinds on screen.
    pub kinds: std::collections::BTreeMap<ResKind, Vec<kinds::KindRow>>,
    /// The rows of the browsed resource (its cells are in the app's state).
    pub table: Vec<(CtxId, crate::cluster::kinds::Key)>,
    /// What the prober should be probing now.
    /// Shared with the prober as is (one copy of every target, not one per holder).
    pub probe_targets: Arc<Vec<ProbeTarget>>,
    pub alert_sources: Vec<AlertSource>,
    /// The optional row sets this fleet holds.
    pub built: Needs,
}

impl Fleet {
    pub fn build(contexts: &[Ctx], needs: Needs, x: Extras) -> Fleet {
        let mut f = Fleet {
            built: needs,
            ..Fleet::default()
        };
        let now_of = |ctx: CtxId| contexts.iter().find(|c| c.id == ctx).map(|c| c.now);
        f.health = health::build(x.health, x.api_down, now_of);
        let by_workload = health::by_workload(&f.health);
        f.alerts = alerts::build(x.alerts);
        let mut targets = Vec::new();
        for c in contexts {
            let now = c.now;
            let ix = workloads::Index::build(c.data, now);
            targets.extend(probing::derive(c, &ix, &x.watching.probes, x.probe_all));
            let mut backups = backups::build(c, &x.watching.backups);
            let down = x.api_down.contains(&c.id);
            let mut rows = workloads::build(c, &ix, now);
            rows.extend(
                backups
                    .iter()
                    .filter(|b| b.is_cronjob())
                    .map(workloads::backup_row),
            );
            rows.extend(workloads::ingress_rows(c));
            if down {
                // What a context whose API server stopped answering last said does
                // not page (before linking: a configured URL's probe or alert source
                // that still answers keeps its say).
                for r in rows.iter_mut() {
                    r.assessment.cap(Severity::Info);
                }
                for b in backups.iter_mut() {
                    b.assessment.cap(Severity::Info);
                }
            }
            for r in rows.iter_mut() {
                workloads::link(r, &by_workload, &mut f.alerts, down);
            }
            // What others did here, as the cluster's KdeckAction events say.
            let others = published::newest(c.data.kinds.events.values().map(|e| &**e));
            if !others.is_empty() {
                for r in rows.iter_mut() {
                    let kind = match r.kind {
                        workloads::WorkloadKind::Deployment => "Deployment",
                        workloads::WorkloadKind::StatefulSet => "StatefulSet",
                        workloads::WorkloadKind::CronJob => "CronJob",
                        _ => "",
                    };
                    let at = |k: &str| {
                        others
                            .get(&(r.namespace.to_string(), k.to_string(), r.name.to_string()))
                            .cloned()
                    };
                    r.published = match (at(kind), at("Service")) {
                        (Some(a), Some(b)) => Some(if a.at >= b.at { a } else { b }),
                        (a, b) => a.or(b),
                    };
                }
            }
            f.workloads.extend(rows);
            f.backups.extend(backups);
            if needs.pods || needs.usage {
                let pods = pods::build(c, &ix, now);
                if needs.usage {
                    f.usage.extend(resources::build(c, &pods));
                }
                if needs.pods {
                    f.pods.extend(pods);
                }
            }
            if needs.hpas {
                f.hpas.extend(hpas::build(c));
            }
            if needs.events {
                f.events.extend(events::build(c, now));
            }
            if needs.services {
                f.services.extend(services::build(c));
            }
        }
        targets.extend(probing::configured(
            &x.watching.endpoints,
            &x.watching.probes,
            contexts,
        ));
        // Built by extending (capacity doubles): at scale tens of thousands of
        // targets and rows, kept until the next rebuild, so held at their size.
        targets.shrink_to_fit();
        f.probe_targets = Arc::new(targets);
        f.alert_sources = alert_sources(contexts, &x.watching.alerts);
        for &k in ResKind::ALL {
            if needs.has_kind(k) {
                f.kinds.insert(k, kinds::build(k, contexts));
            }
        }
        f.health.sort_by(|a, b| {
            b.state
                .cmp(&a.state)
                .then(a.key.ctx.cmp(&b.key.ctx))
                .then(a.key.namespace.cmp(&b.key.namespace))
                .then(a.key.workload.cmp(&b.key.workload))
                .then(a.key.name.cmp(&b.key.name))
        });
        f.backups.sort_by(|a, b| {
            b.assessment
                .severity
                .cmp(&a.assessment.severity)
                .then(b.freshness.cmp(&a.freshness))
                .then(a.ctx.cmp(&b.ctx))
                .then(a.namespace.cmp(&b.namespace))
                .then(a.name.cmp(&b.name))
        });
        f.alerts.sort_by(|a, b| {
            b.severity
                .cmp(&a.severity)
                .then(a.alert.starts.cmp(&b.alert.starts))
                .then(a.namespace.cmp(&b.namespace))
                .then(a.alert.name.cmp(&b.alert.name))
                .then(a.alert.fingerprint.cmp(&b.alert.fingerprint))
        });
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
        f.workloads.shrink_to_fit();
        f.pods.shrink_to_fit();
        f.usage.shrink_to_fit();
        f.events.shrink_to_fit();
        f.services.shrink_to_fit();
        f.health.shrink_to_fit();
        f
    }

    /// The worst severity anywhere (for `kdeck status`).
    pub fn worst(&self) -> Severity {
        self.workloads
            .iter()
            .map(|w| w.assessment.severity)
            .chain(self.services.iter().map(|s| s.assessment.severity))
            .chain(self.backups.iter().map(|b| b.assessment.severity))
            .chain(self.health.iter().map(|h| h.assessment.severity))
            .chain(self.alerts.iter().map(|a| a.severity))
            .max()
            .unwrap_or_default()
    }
}
