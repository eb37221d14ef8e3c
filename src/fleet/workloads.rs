//! Workload rows for the overview: one per Deployment and StatefulSet, with
//! ready/desired, rollout state (progressing, complete, stalled with reason), HPA,
//! restarts, crash loops and recent warning events, assessed for severity.

/// The index's maps: keyed by names from the cluster, rebuilt with every row
/// rebuild, so a fast (still seeded) hasher.
type HashMap<K, V> = std::collections::HashMap<K, V, foldhash::quality::RandomState>;
use std::sync::Arc;

use super::{Ctx, RECENT};
use crate::cluster::kinds::in_namespace;
use crate::cluster::kinds::*;
use crate::cluster::msg::CtxId;
use crate::cluster::store::ClusterData;
use crate::util::severity::{Assessment, Severity};

#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum WorkloadKind {
    Deployment,
    StatefulSet,
    /// A backup CronJob (on the overview for its freshness).
    CronJob,
    /// An Ingress whose backends need attention (on the overview only then).
    Ingress,
}

impl WorkloadKind {
    pub fn short(self) -> &'static str {
        match self {
            WorkloadKind::Deployment => "deploy",
            WorkloadKind::StatefulSet => "sts",
            WorkloadKind::CronJob => "cj",
            WorkloadKind::Ingress => "ing",
        }
    }
}

/// The pods of one workload, read from the store (a Deployment's through its
/// ReplicaSets), without building any rows.
pub fn pods_of<'a>(
    d: &'a ClusterData,
    kind: WorkloadKind,
    namespace: &str,
    name: &str,
) -> Vec<&'a PodRec> {
    let owned_by = |o: &Owner, k: OwnerKind, n: &str| o.kind == k && o.name.as_ref() == n;
    let sets: Vec<&str> = match kind {
        WorkloadKind::Deployment => in_namespace(&d.kinds.replicasets, namespace)
            .filter(|r| {
                r.meta
                    .owner
                    .as_ref()
                    .is_some_and(|o| owned_by(o, OwnerKind::Deployment, name))
            })
            .map(|r| r.meta.name.as_ref())
            .collect(),
        WorkloadKind::StatefulSet | WorkloadKind::CronJob | WorkloadKind::Ingress => Vec::new(),
    };
    in_namespace(&d.kinds.pods, namespace)
        .filter(|p| {
            p.owner.as_ref().is_some_and(|o| match kind {
                WorkloadKind::Deployment => {
                    o.kind == OwnerKind::ReplicaSet && sets.contains(&o.name.as_ref())
                }
                WorkloadKind::StatefulSet => owned_by(o, OwnerKind::StatefulSet, name),
                WorkloadKind::CronJob | WorkloadKind::Ingress => false,
            })
        })
        .collect()
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RolloutState {
    Complete,
    /// Rolling: `updated` of `desired` on the new revision.
    Progressing {
        updated: i32,
        desired: i32,
    },
    /// Not progressing, with the reason (`ProgressDeadlineExceeded`, or new pods
    /// crash-looping).
    Stalled {
        reason: String,
    },
    Paused,
    /// The controller has not yet observed the latest spec.
    Pending,
}

impl RolloutState {
    pub fn text(&self) -> String {
        match self {
            RolloutState::Complete => "complete".into(),
            RolloutState::Progressing { updated, desired } => {
                format!("rolling {updated}/{desired}")
            }
            RolloutState::Stalled { reason } => format!("stalled: {reason}"),
            RolloutState::Paused => "paused".into(),
            RolloutState::Pending => "pending".into(),
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HpaSummary {
    pub name: Arc<str>,
    pub current: i32,
    pub min: i32,
    pub max: i32,
    pub at_max: bool,
}

impl HpaSummary {
    pub fn text(&self) -> String {
        format!(
            "{}/{}-{}{}",
            self.current,
            self.min,
            self.max,
            if self.at_max { " MAX" } else { "" }
        )
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct WorkloadRow {
    pub ctx: CtxId,
    pub kind: WorkloadKind,
    pub namespace: Arc<str>,
    pub name: Arc<str>,
    pub ready: i32,
    pub desired: i32,
    pub available: i32,
    pub rollout: RolloutState,
    pub revision: Option<i64>,
    pub hpa: Option<HpaSummary>,
    pub restarts: u32,
    pub recent_restarts: u32,
    pub crashlooping: u32,
    pub warnings: u32,
    pub images: String,
    /// What the workload's health endpoints say (worst endpoint).
    pub health: Option<(crate::probe::HealthState, String)>,
    /// A backup CronJob's freshness.
    pub backup: Option<super::backups::Freshness>,
    /// Firing alerts naming this workload: (name, severity).
    pub alerts: Vec<(String, Severity)>,
    /// The newest action someone published on it (a `KdeckAction` event).
    pub published: Option<super::published::Published>,
    pub assessment: Assessment,
}

fn crash_looping(p: &PodRec) -> bool {
    p.containers.iter().any(|c| {
        matches!(&c.state, CState::Waiting { reason, .. }
            if matches!(reason.as_ref(), "CrashLoopBackOff" | "ImagePullBackOff" | "ErrImagePull" | "CreateContainerConfigError" | "RunContainerError"))
    })
}

fn recent_restarts(p: &PodRec, now: Ts) -> u32 {
    p.containers
        .iter()
        .filter(|c| {
            c.last_exit
                .as_deref()
                .and_then(|(_, _, t)| *t)
                .is_some_and(|t| now - t <= RECENT)
        })
        .map(|c| c.restarts.min(1))
        .sum()
}

/// Indices over one context's records that several rows need.
pub struct Index<'a> {
    /// (namespace, ReplicaSet) → owning Deployment.
    pub rs_owner: HashMap<(&'a str, &'a str), &'a str>,
    /// (namespace, Deployment) → its ReplicaSets.
    pub replicasets: HashMap<(&'a str, &'a str), Vec<&'a ReplicaSetRec>>,
    /// (namespace, kind, workload) → its pods.
    pub pods: HashMap<(&'a str, WorkloadKind, &'a str), Vec<&'a PodRec>>,
    /// (namespace, kind, name) → HPA.
    pub hpa: HashMap<(&'a str, &'a str, &'a str), &'a HpaRec>,
    /// (namespace, kind, name) → warning events in the last 15 minutes.
    pub warnings: HashMap<(&'a str, &'a str, &'a str), u32>,
}

impl<'a> Index<'a> {
    pub fn build(d: &'a ClusterData, now: Ts) -> Index<'a> {
        let mut rs_owner = HashMap::default();
        let mut replicasets: HashMap<_, Vec<&ReplicaSetRec>> = HashMap::default();
        for rs in d.kinds.replicasets.values() {
            if let Some(o) = &rs.meta.owner
                && o.kind == OwnerKind::Deployment
            {
                let ns = rs.meta.namespace.as_ref();
                rs_owner.insert((ns, rs.meta.name.as_ref()), o.name.as_ref());
                replicasets
                    .entry((ns, o.name.as_ref()))
                    .or_default()
                    .push(rs);
            }
        }
        let mut pods: HashMap<_, Vec<&PodRec>> = HashMap::default();
        for p in d.kinds.pods.values() {
            let Some(o) = &p.owner else { continue };
            let key = match o.kind {
                OwnerKind::ReplicaSet => rs_owner
                    .get(&(p.namespace.as_ref(), o.name.as_ref()))
                    .map(|dep| (p.namespace.as_ref(), WorkloadKind::Deployment, *dep)),
                OwnerKind::StatefulSet => Some((
                    p.namespace.as_ref(),
                    WorkloadKind::StatefulSet,
                    o.name.as_ref(),
                )),
                _ => None,
            };
            if let Some(k) = key {
                pods.entry(k).or_default().push(p);
            }
        }
        let mut hpa = HashMap::default();
        for h in d.kinds.hpas.values() {
            hpa.insert(
                (
                    h.meta.namespace.as_ref(),
                    h.target_kind.as_ref(),
                    h.target_name.as_ref(),
                ),
                &**h,
            );
        }
        let mut warnings = HashMap::default();
        for e in d.kinds.events.values() {
            if e.warning && now - e.last <= RECENT {
                *warnings
                    .entry((
                        e.namespace.as_ref(),
                        e.object_kind.as_ref(),
                        e.object_name.as_ref(),
                    ))
                    .or_insert(0) += 1;
            }
        }
        Index {
            rs_owner,
            replicasets,
            pods,
            hpa,
            warnings,
        }
    }

    /// Warning events about a workload, its ReplicaSets and its pods (also pods
    /// already gone: a pod name is its ReplicaSet's name plus a suffix).
    fn warnings_for(&self, ns: &str, kind: WorkloadKind, name: &str) -> u32 {
        let mut n = 0;
        for ((ens, ekind, ename), c) in &self.warnings {
            if *ens != ns {
                continue;
            }
            let hit = match (*ekind, kind) {
                ("Deployment", WorkloadKind::Deployment)
                | ("StatefulSet", WorkloadKind::StatefulSet) => *ename == name,
                ("ReplicaSet", WorkloadKind::Deployment) => {
                    self.rs_owner.get(&(ns, *ename)) == Some(&name)
                }
                ("Pod", WorkloadKind::Deployment) => ename
                    .rsplit_once('-')
                    .is_some_and(|(rs, _)| self.rs_owner.get(&(ns, rs)) == Some(&name)),
                ("Pod", WorkloadKind::StatefulSet) => {
                    ename.rsplit_once('-').is_some_and(|(sts, ord)| {
                        sts == name && ord.chars().all(|c| c.is_ascii_digit())
                    })
                }
                _ => false,
            };
            if hit {
                n += c;
            }
        }
        n
    }
}

fn rollout_of(d: &DeploymentRec, new_rs_crashing: u32) -> RolloutState {
    if d.paused {
        return RolloutState::Paused;
    }
    if d.observed_generation < d.meta.generation {
        return RolloutState::Pending;
    }
    if let Some(c) = cond(&d.conditions, "Progressing")
        && c.status.as_ref() == "False"
    {
        return RolloutState::Stalled {
            reason: if c.reason.is_empty() {
                "not progressing".into()
            } else {
                c.reason.to_string()
            },
        };
    }
    if d.updated >= d.desired && d.available >= d.desired && d.replicas <= d.desired {
        return RolloutState::Complete;
    }
    if new_rs_crashing > 0 {
        return RolloutState::Stalled {
            reason: format!(
                "{new_rs_crashing} new pod{} crashing",
                if new_rs_crashing == 1 { "" } else { "s" }
            ),
        };
    }
    RolloutState::Progressing {
        updated: d.updated,
        desired: d.desired,
    }
}

fn assess(row: &WorkloadRow) -> Assessment {
    let mut a = Assessment::default();
    if row.desired > 0 && row.available == 0 && row.ready == 0 {
        a.add(Severity::Critical, format!("down: 0/{} ready", row.desired));
    } else if row.ready < row.desired {
        a.add(
            Severity::Warning,
            format!("degraded: {}/{} ready", row.ready, row.desired),
        );
    }
    match &row.rollout {
        RolloutState::Stalled { reason } => a.add(Severity::Critical, format!("stalled: {reason}")),
        RolloutState::Progressing { .. } => a.add(Severity::Info, "rolling out"),
        RolloutState::Paused => a.add(Severity::Info, "rollout paused"),
        _ => {}
    }
    if row.crashlooping > 0 && !matches!(row.rollout, RolloutState::Stalled { .. }) {
        a.add(
            Severity::Warning,
            format!(
                "{} pod{} crash-looping",
                row.crashlooping,
                if row.crashlooping == 1 { "" } else { "s" }
            ),
        );
    }
    if let Some(h) = &row.hpa
        && h.at_max
    {
        a.add(
            Severity::Warning,
            format!("HPA at max ({}/{})", h.current, h.max),
        );
    }
    if row.recent_restarts > 0 {
        a.add(
            Severity::Warning,
            format!(
                "{} restart{} in 15m",
                row.recent_restarts,
                if row.recent_restarts == 1 { "" } else { "s" }
            ),
        );
    }
    if row.warnings > 0 {
        a.add(
            Severity::Warning,
            format!(
                "{} warning event{} in 15m",
                row.warnings,
                if row.warnings == 1 { "" } else { "s" }
            ),
        );
    }
    if row.desired == 0 {
        a.add(Severity::Info, "scaled to zero");
    }
    a
}

fn hpa_summary(h: Option<&&HpaRec>) -> Option<HpaSummary> {
    h.map(|h| HpaSummary {
        name: h.meta.name.clone(),
        current: h.current,
        min: h.min,
        max: h.max,
        at_max: h.at_max(),
    })
}

pub fn build(c: &Ctx, ix: &Index, now: Ts) -> Vec<WorkloadRow> {
    let d = c.data;
    let mut rows = Vec::new();
    for dep in d.kinds.deployments.values() {
        let ns = dep.meta.namespace.as_ref();
        let name = dep.meta.name.as_ref();
        let pods = ix
            .pods
            .get(&(ns, WorkloadKind::Deployment, name))
            .map(Vec::as_slice)
            .unwrap_or(&[]);
        let revision = dep.revision();
        let new_rs: Vec<&str> = ix
            .replicasets
            .get(&(ns, name))
            .into_iter()
            .flatten()
            .filter(|r| Some(r.revision) == revision)
            .map(|r| r.meta.name.as_ref())
            .collect();
        let active: Vec<&&PodRec> = pods
            .iter()
            .filter(|p| !p.deleting && !p.completed())
            .collect();
        let new_crashing = active
            .iter()
            .filter(|p| {
                crash_looping(p)
                    && p.owner
                        .as_ref()
                        .is_some_and(|o| new_rs.contains(&o.name.as_ref()))
            })
            .count() as u32;
        let mut row = WorkloadRow {
            ctx: c.id,
            kind: WorkloadKind::Deployment,
            namespace: dep.meta.namespace.clone(),
            name: dep.meta.name.clone(),
            ready: dep.ready,
            desired: dep.desired,
            available: dep.available,
            rollout: rollout_of(dep, new_crashing),
            revision,
            hpa: hpa_summary(ix.hpa.get(&(ns, "Deployment", name))),
            restarts: active.iter().map(|p| p.restarts()).sum(),
            recent_restarts: active.iter().map(|p| recent_restarts(p, now)).sum(),
            crashlooping: active.iter().filter(|p| crash_looping(p)).count() as u32,
            warnings: ix.warnings_for(ns, WorkloadKind::Deployment, name),
            images: crate::util::sanitize::line(&dep.template.images().join(","), 200),
            health: None,
            backup: None,
            alerts: Vec::new(),
            published: None,
            assessment: Assessment::default(),
        };
        row.assessment = assess(&row);
        rows.push(row);
    }
    for s in d.kinds.statefulsets.values() {
        let ns = s.meta.namespace.as_ref();
        let name = s.meta.name.as_ref();
        let pods = ix
            .pods
            .get(&(ns, WorkloadKind::StatefulSet, name))
            .map(Vec::as_slice)
            .unwrap_or(&[]);
        let active: Vec<&&PodRec> = pods.iter().filter(|p| !p.deleting).collect();
        let rollout = if s.observed_generation < s.meta.generation {
            RolloutState::Pending
        } else if s.updated < s.desired
            || (s.update_revision.is_some() && s.update_revision != s.current_revision)
        {
            RolloutState::Progressing {
                updated: s.updated,
                desired: s.desired,
            }
        } else {
            RolloutState::Complete
        };
        let mut row = WorkloadRow {
            ctx: c.id,
            kind: WorkloadKind::StatefulSet,
            namespace: s.meta.namespace.clone(),
            name: s.meta.name.clone(),
            ready: s.ready,
            desired: s.desired,
            available: s.ready,
            rollout,
            revision: None,
            hpa: hpa_summary(ix.hpa.get(&(ns, "StatefulSet", name))),
            restarts: active.iter().map(|p| p.restarts()).sum(),
            recent_restarts: active.iter().map(|p| recent_restarts(p, now)).sum(),
            crashlooping: active.iter().filter(|p| crash_looping(p)).count() as u32,
            warnings: ix.warnings_for(ns, WorkloadKind::StatefulSet, name),
            images: crate::util::sanitize::line(&s.template.images().join(","), 200),
            health: None,
            backup: None,
            alerts: Vec::new(),
            published: None,
            assessment: Assessment::default(),
        };
        row.assessment = assess(&row);
        rows.push(row);
    }
    rows
}

/// The overview row of a backup CronJob: its freshness is its health.
pub fn backup_row(b: &super::backups::BackupRow) -> WorkloadRow {
    let words = match &b.source {
        super::backups::BackupSource::CronJob { words, .. } => words.clone(),
        super::backups::BackupSource::Snapshots { pvc, .. } => format!("snapshots of {pvc}"),
    };
    WorkloadRow {
        ctx: b.ctx,
        kind: WorkloadKind::CronJob,
        namespace: b.namespace.clone(),
        name: b.name.clone(),
        ready: 0,
        desired: 0,
        available: 0,
        rollout: RolloutState::Complete,
        revision: None,
        hpa: None,
        restarts: 0,
        recent_restarts: 0,
        crashlooping: 0,
        warnings: 0,
        images: words,
        health: None,
        backup: Some(b.freshness),
        alerts: Vec::new(),
        published: None,
        assessment: b.assessment.clone(),
    }
}

/// Overview rows for the Ingresses of one context whose backends (or TLS secrets)
/// need attention; an Ingress that is fine is not a workload to watch.
pub fn ingress_rows(c: &super::Ctx) -> Vec<WorkloadRow> {
    let t = &c.data.kinds;
    t.ingresses
        .values()
        .filter_map(|ing| {
            let problems = ing.problems(t);
            if problems.is_empty() {
                return None;
            }
            let backends = ing.backends(t);
            let mut assessment = Assessment::default();
            for (sev, why) in problems {
                assessment.add(sev, why);
            }
            Some(WorkloadRow {
                ctx: c.id,
                kind: WorkloadKind::Ingress,
                namespace: ing.meta.namespace.clone(),
                name: ing.meta.name.clone(),
                ready: backends
                    .iter()
                    .filter(|(_, st)| st.is_some_and(|(ready, _)| ready > 0))
                    .count() as i32,
                desired: backends.len() as i32,
                available: 0,
                rollout: RolloutState::Complete,
                revision: None,
                hpa: None,
                restarts: 0,
                recent_restarts: 0,
                crashlooping: 0,
                warnings: 0,
                images: format!(
                    "{} → {}",
                    ing.hosts(),
                    backends
                        .iter()
                        .map(|(s, _)| format!("svc/{s}"))
                        .collect::<Vec<_>>()
                        .join(",")
                ),
                health: None,
                backup: None,
                alerts: Vec::new(),
                published: None,
                assessment,
            })
        })
        .collect()
}

/// Adds what probes and alerts say about a row to it (and marks the alerts linked).
/// Adds the row's health and the alerts that name it. `down`: the row's context is
/// not answering, so what reached us through it (its Alertmanager) does not page.
pub fn link(
    row: &mut WorkloadRow,
    health: &super::health::WorkloadHealth,
    alerts: &mut [super::alerts::AlertRow],
    down: bool,
) {
    let wl: Arc<str> = Arc::from(format!("{}/{}", row.kind.short(), row.name));
    let h = health
        .get(&(Some(row.ctx), row.namespace.clone(), wl.clone()))
        .or_else(|| health.get(&(None, row.namespace.clone(), wl.clone())));
    if let Some((state, why)) = h {
        row.health = Some((*state, why.clone()));
        if *state > crate::probe::HealthState::Ok {
            row.assessment
                .add(state.severity(), format!("health {}", why));
        }
    }
    // A backup whose newest run succeeded: a failed-Job alert is about an older
    // run (it fires while that Job is kept), so it no longer holds the row at WARN.
    let fresh = row.backup == Some(super::backups::Freshness::Fresh);
    for a in alerts.iter_mut() {
        if super::alerts::names(a, row.ctx, &row.namespace, &wl) {
            a.linked = true;
            let through_down = down && a.ctx == Some(row.ctx);
            let sev = if (fresh && a.alert.name == "KubeJobFailed") || through_down {
                a.severity.min(Severity::Info)
            } else {
                a.severity
            };
            row.alerts.push((a.alert.name.clone(), sev));
        }
    }
    row.alerts.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    row.alerts.dedup_by(|a, b| a.0 == b.0);
    if let Some((name, sev)) = row.alerts.first() {
        let more = row.alerts.len() - 1;
        let older = if fresh && name.as_str() == "KubeJobFailed" {
            " for an older run; the newest succeeded"
        } else {
            ""
        };
        row.assessment.add(
            *sev,
            if more > 0 {
                format!("alert {name} firing{older} (+{more})")
            } else {
                format!("alert {name} firing{older}")
            },
        );
    }
}

pub fn is_crash_looping(p: &PodRec) -> bool {
    crash_looping(p)
}

#[cfg(test)]
mod tests {
    use crate::app::testkit::*;
    use crate::cluster::kinds::*;
    use crate::cluster::kinds::{Listing, Object};
    use crate::cluster::store::ClusterData;
    use crate::fleet::{Ctx, Fleet};
    use crate::util::severity::Severity;

    fn fleet(d: &ClusterData) -> Fleet {
        Fleet::build(
            &[Ctx {
                id: 0,
                name: "t",
                data: d,
                now: NOW,
            }],
            crate::fleet::Needs::ALL,
            crate::fleet::Extras::none(),
        )
    }

    fn row<'a>(f: &'a Fleet, name: &str) -> &'a super::WorkloadRow {
        f.workloads
            .iter()
            .find(|w| w.name.as_ref() == name)
            .expect("row")
    }

    #[test]
    fn progress_deadline_is_critical_with_its_reason() {
        let mut d = ClusterData::default();
        d.apply(Object::Deployment(std::sync::Arc::new(deployment(
            "ns",
            "api",
            4,
            3,
            3,
            ("False", "ProgressDeadlineExceeded"),
        ))));
        let f = fleet(&d);
        let r = row(&f, "api");
        assert_eq!(r.assessment.severity, Severity::Critical);
        assert_eq!(
            r.rollout,
            super::RolloutState::Stalled {
                reason: "ProgressDeadlineExceeded".into()
            }
        );
        assert!(
            r.assessment
                .summary()
                .contains("stalled: ProgressDeadlineExceeded")
        );
        assert!(r.assessment.summary().contains("degraded: 3/4 ready"));
    }

    #[test]
    fn crashing_new_pods_stall_a_rollout_before_the_deadline() {
        let f = fleet(&fleet_data());
        let r = row(&f, "api");
        assert_eq!(
            r.rollout,
            super::RolloutState::Stalled {
                reason: "1 new pod crashing".into()
            }
        );
        assert_eq!(r.crashlooping, 1);
        assert_eq!(r.restarts, 4);
        assert_eq!(r.recent_restarts, 1);
        assert_eq!(
            r.warnings, 1,
            "the BackOff event 30 s ago counts; none older than 15 min"
        );
    }

    #[test]
    fn old_warnings_do_not_count_and_healthy_is_ok() {
        let f = fleet(&fleet_data());
        assert_eq!(row(&f, "batch").warnings, 0);
        assert_eq!(row(&f, "batch").assessment.severity, Severity::Ok);
        assert_eq!(row(&f, "web").assessment.severity, Severity::Ok);
        assert_eq!(row(&f, "web").rollout, super::RolloutState::Complete);
    }

    #[test]
    fn hpa_at_max_is_a_warning_and_zero_replicas_info() {
        let mut d = ClusterData::default();
        d.apply(Object::Deployment(std::sync::Arc::new(deployment(
            "ns",
            "web",
            10,
            10,
            1,
            ("True", "NewReplicaSetAvailable"),
        ))));
        d.apply(Object::Deployment(std::sync::Arc::new(deployment(
            "ns",
            "idle",
            0,
            0,
            1,
            ("True", "NewReplicaSetAvailable"),
        ))));
        let h: crate::cluster::kinds::Hpa = serde_json::from_value(serde_json::json!({
            "metadata": {"name": "web", "namespace": "ns"},
            "spec": {"scaleTargetRef": {"kind": "Deployment", "name": "web"}, "minReplicas": 2, "maxReplicas": 10,
                "metrics": [{"type": "Resource", "resource": {"name": "cpu", "target": {"type": "Utilization", "averageUtilization": 65}}}]},
            "status": {"currentReplicas": 10, "desiredReplicas": 10,
                "currentMetrics": [{"type": "Resource", "resource": {"name": "cpu", "current": {"averageUtilization": 90}}}]}
        }))
        .unwrap();
        d.relist(
            None,
            Listing::Hpa(vec![std::sync::Arc::new(HpaRec::from(
                &h,
                &mut Interner::default(),
            ))]),
        );
        let f = fleet(&d);
        let web = row(&f, "web");
        assert_eq!(web.assessment.severity, Severity::Warning);
        assert!(web.hpa.as_ref().unwrap().at_max);
        assert_eq!(web.hpa.as_ref().unwrap().text(), "10/2-10 MAX");
        assert_eq!(row(&f, "idle").assessment.severity, Severity::Info);
        assert_eq!(f.hpas[0].targets, "cpu 90%/65%");
        assert_eq!(f.hpas[0].assessment.severity, Severity::Warning);
    }

    #[test]
    fn a_workload_with_nothing_ready_is_down() {
        let mut d = ClusterData::default();
        d.apply(Object::Deployment(std::sync::Arc::new(deployment(
            "ns",
            "gone",
            3,
            0,
            1,
            ("True", "NewReplicaSetAvailable"),
        ))));
        let f = fleet(&d);
        assert_eq!(row(&f, "gone").assessment.headline(), "down: 0/3 ready");
        assert_eq!(f.worst(), Severity::Critical);
    }

    #[test]
    fn identical_events_fold_and_sort_newest_first() {
        let mut d = ClusterData::default();
        d.relist(
            None,
            Listing::Event(vec![
                std::sync::Arc::new(event(
                    "ns", "a", "Pod", "p", "BackOff", "Back-off", true, 10,
                )),
                event("ns", "b", "Pod", "p", "BackOff", "Back-off", true, 5).into(),
                event("ns", "c", "Pod", "q", "Pulled", "ok", false, 1).into(),
            ]),
        );
        let f = fleet(&d);
        assert_eq!(f.events.len(), 2);
        // The newest first, even though it is not a warning.
        assert!(!f.events[0].warning);
        assert!(f.events[1].warning);
        assert_eq!(f.events[1].count, 2);
        assert_eq!(f.events[1].last, NOW - 5);
    }
}
