//! What the console notices beyond what its sources say outright, as transitions for
//! the timeline: after each rebuild of the rows, workloads that moved to another
//! revision (with the pod template's diff), rollouts that stalled or recovered,
//! autoscalers that changed replicas, pods that started or stopped crash-looping, and
//! backups whose freshness changed; on arrival, Warning events — the first about a
//! group of objects (a workload's pods count as one) for a while, so a crash loop's
//! hundred BackOffs read as one line.
//!
//! The first sight of a workload only seeds what is known, except that a rollout
//! already stalled or pods already crash-looping are noted: an incident in progress
//! when the console starts is part of its timeline.

use std::collections::HashMap;
use std::sync::Arc;

use super::transitions::{Transition, Transitions};
use crate::cluster::kinds::{EventRec, OwnerKind, ResKind, Ts};
use crate::cluster::msg::CtxId;
use crate::cluster::store::ClusterData;
use crate::fleet::Fleet;
use crate::fleet::backups::Freshness;
use crate::fleet::workloads::{RolloutState, WorkloadKind};

/// A Warning about the same group is noted again only after this long.
pub const WARNING_QUIET: Ts = 10 * 60;
/// Most diff lines kept with a revision change.
const DIFF_MAX: usize = 24;
/// Groups of warnings remembered before the oldest are forgotten.
const WARNED_MAX: usize = 4096;

type WKey = (CtxId, WorkloadKind, Arc<str>, Arc<str>);

#[derive(Clone, Debug, PartialEq)]
struct Workload {
    revision: Option<i64>,
    images: String,
    stalled: bool,
    replicas: Option<i32>,
    crashlooping: u32,
}

/// What was last seen, to tell what changed.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Seen {
    workloads: HashMap<WKey, Workload>,
    backups: HashMap<(CtxId, Arc<str>, Arc<str>), Freshness>,
    /// (context, namespace, reason, group) → when a warning about it was last noted
    /// (its event's time, on the cluster's clock).
    warned: HashMap<(CtxId, Arc<str>, Box<str>, String), Ts>,
}

fn res_kind(k: WorkloadKind) -> Option<ResKind> {
    match k {
        WorkloadKind::Deployment => Some(ResKind::Deployment),
        WorkloadKind::StatefulSet => Some(ResKind::StatefulSet),
        WorkloadKind::CronJob => Some(ResKind::CronJob),
        WorkloadKind::Ingress => None,
    }
}

fn stall_reason(r: &RolloutState) -> Option<&str> {
    match r {
        RolloutState::Stalled { reason } => Some(reason),
        _ => None,
    }
}

/// The `-`/`+` lines between a Deployment's ReplicaSet of revision `from` and its
/// template now (the new ReplicaSet may not have been seen yet; the Deployment's
/// own template is what it runs). Empty when the old one is not known.
fn revision_diff(d: &ClusterData, ns: &str, name: &str, from: i64) -> Vec<String> {
    let Some(dep) = d.kinds.deployments.get(&(Arc::from(ns), Arc::from(name))) else {
        return Vec::new();
    };
    let old = crate::cluster::kinds::in_namespace(&d.kinds.replicasets, ns).find(|r| {
        r.revision == from
            && r.meta
                .owner
                .as_ref()
                .is_some_and(|o| o.kind == OwnerKind::Deployment && o.name.as_ref() == name)
    });
    match old {
        Some(a) => {
            let mut diff = crate::actions::rollback::diff_templates(&a.template, &dep.template);
            diff.truncate(DIFF_MAX);
            diff
        }
        None => Vec::new(),
    }
}

impl Seen {
    /// Notes what changed in the rebuilt `fleet`'s workloads and backups.
    /// `data`: each context's records (for the templates of revisions); `ctx_now`:
    /// now on a context's clock.
    pub fn rebuilt<'a>(
        &mut self,
        fleet: &Fleet,
        data: &dyn Fn(CtxId) -> Option<&'a ClusterData>,
        now: Ts,
        ctx_now: &dyn Fn(CtxId) -> Ts,
        out: &mut Transitions,
    ) {
        let mut next = HashMap::with_capacity(self.workloads.len().max(fleet.workloads.len()));
        for w in &fleet.workloads {
            let Some(kind) = res_kind(w.kind) else {
                continue;
            };
            let k: WKey = (w.ctx, w.kind, w.namespace.clone(), w.name.clone());
            let stalled = stall_reason(&w.rollout);
            // First sight is seen as a healthy past: only a stall or a crash loop
            // already under way is noted (an incident in progress when the console
            // starts).
            let prev = self.workloads.remove(&k).unwrap_or_else(|| Workload {
                revision: w.revision,
                images: w.images.clone(),
                stalled: false,
                replicas: w.hpa.as_ref().map(|h| h.current),
                crashlooping: 0,
            });
            let mut p = prev;
            if p.revision != w.revision && p.revision.is_some() && w.revision.is_some() {
                out.push(
                    now,
                    Transition::Revision {
                        ctx: w.ctx,
                        namespace: w.namespace.to_string(),
                        kind,
                        workload: w.name.to_string(),
                        from: p.revision,
                        to: w.revision,
                        images_from: p.images.clone(),
                        images_to: w.images.clone(),
                        diff: match (kind, p.revision, data(w.ctx)) {
                            (ResKind::Deployment, Some(a), Some(d)) => {
                                revision_diff(d, &w.namespace, &w.name, a)
                            }
                            _ => Vec::new(),
                        },
                    },
                );
                p.revision = w.revision;
            }
            if p.images != w.images {
                p.images.clone_from(&w.images);
            }
            if p.stalled != stalled.is_some() {
                out.push(
                    now,
                    Transition::Stall {
                        ctx: w.ctx,
                        namespace: w.namespace.to_string(),
                        kind,
                        workload: w.name.to_string(),
                        stalled: stalled.is_some(),
                        reason: stalled.map_or_else(|| w.rollout.text(), str::to_string),
                    },
                );
                p.stalled = stalled.is_some();
            }
            let replicas = w.hpa.as_ref().map(|h| h.current);
            if let (Some(a), Some(b), Some(h)) = (p.replicas, replicas, &w.hpa)
                && a != b
            {
                out.push(
                    now,
                    Transition::Replicas {
                        ctx: w.ctx,
                        namespace: w.namespace.to_string(),
                        kind,
                        workload: w.name.to_string(),
                        hpa: h.name.to_string(),
                        from: a,
                        to: b,
                    },
                );
            }
            p.replicas = replicas;
            if (p.crashlooping == 0) != (w.crashlooping == 0) {
                out.push(
                    now,
                    Transition::CrashLoop {
                        ctx: w.ctx,
                        namespace: w.namespace.to_string(),
                        kind,
                        workload: w.name.to_string(),
                        from: p.crashlooping,
                        to: w.crashlooping,
                    },
                );
            }
            p.crashlooping = w.crashlooping;
            next.insert(k, p);
        }
        self.workloads = next;

        let mut seen = HashMap::with_capacity(fleet.backups.len());
        for b in &fleet.backups {
            let k = (b.ctx, b.namespace.clone(), b.name.clone());
            if let Some(prev) = self.backups.get(&k)
                && *prev != b.freshness
            {
                out.push(
                    now,
                    Transition::Backup {
                        ctx: b.ctx,
                        namespace: b.namespace.to_string(),
                        name: b.name.to_string(),
                        from: *prev,
                        to: b.freshness,
                        why: crate::util::age::clocked(&b.why, ctx_now(b.ctx)),
                    },
                );
            }
            seen.insert(k, b.freshness);
        }
        self.backups = seen;
    }

    /// Notes a Warning event that arrived (`now`: the console's clock; `skew`: the
    /// cluster's clock ahead of it). Old warnings in a first list (more than
    /// [`WARNING_QUIET`] before now) are history, not news.
    pub fn event(
        &mut self,
        ctx: CtxId,
        e: &EventRec,
        d: &ClusterData,
        now: Ts,
        skew: Ts,
        out: &mut Transitions,
    ) {
        if !e.warning || e.last < now + skew - WARNING_QUIET {
            return;
        }
        let (kind, object) = group(d, e);
        let k = (ctx, e.namespace.clone(), e.reason.clone(), object.clone());
        if self
            .warned
            .get(&k)
            .is_some_and(|t| e.last < t + WARNING_QUIET)
        {
            return;
        }
        if self.warned.len() >= WARNED_MAX {
            let cutoff = now + skew - WARNING_QUIET;
            self.warned.retain(|_, t| *t >= cutoff);
            if self.warned.len() >= WARNED_MAX {
                // Still full of live groups: the older half is forgotten, never all
                // (forgetting all would note thousands again at the next relist).
                let mut times: Vec<Ts> = self.warned.values().copied().collect();
                times.sort_unstable();
                let median = times[times.len() / 2];
                self.warned.retain(|_, t| *t > median);
            }
        }
        self.warned.insert(k, e.last);
        let pod = (kind != ResKind::Pod && e.object_kind.as_ref() == "Pod")
            .then(|| format!(" (pod {})", e.object_name));
        out.push(
            // When it happened, on this console's clock (an event in a first list
            // may be minutes old).
            (e.last - skew).min(now),
            Transition::Warning {
                ctx,
                namespace: e.namespace.to_string(),
                kind,
                object,
                reason: crate::util::sanitize::line(&e.reason, 80),
                message: crate::util::sanitize::line(
                    &format!("{}{}", e.message, pod.unwrap_or_default()),
                    240,
                ),
            },
        );
    }
}

/// What a warning is about, as the timeline groups it: a pod's workload (its
/// Deployment through its ReplicaSet, its StatefulSet), else the object itself.
fn group(d: &ClusterData, e: &EventRec) -> (ResKind, String) {
    let kind = match e.object_kind.as_ref() {
        "Pod" => ResKind::Pod,
        "Deployment" => ResKind::Deployment,
        "StatefulSet" => ResKind::StatefulSet,
        "ReplicaSet" => ResKind::ReplicaSet,
        "CronJob" => ResKind::CronJob,
        "Job" => ResKind::Job,
        "HorizontalPodAutoscaler" => ResKind::Hpa,
        "Service" => ResKind::Service,
        "PersistentVolumeClaim" => ResKind::Pvc,
        "Node" => ResKind::Node,
        _ => ResKind::Event,
    };
    if kind == ResKind::Pod {
        let key = (e.namespace.clone(), Arc::from(e.object_name.as_ref()));
        if let Some(o) = d.kinds.pods.get(&key).and_then(|p| p.owner.as_ref()) {
            match o.kind {
                OwnerKind::ReplicaSet => {
                    let rs = (e.namespace.clone(), o.name.clone());
                    if let Some(dep) = d
                        .kinds
                        .replicasets
                        .get(&rs)
                        .and_then(|r| r.meta.owner.as_ref())
                        .filter(|o| o.kind == OwnerKind::Deployment)
                    {
                        return (ResKind::Deployment, dep.name.to_string());
                    }
                }
                OwnerKind::StatefulSet => return (ResKind::StatefulSet, o.name.to_string()),
                _ => {}
            }
        }
    }
    if kind == ResKind::Event {
        // A kind the console does not open: named as the event names it.
        return (kind, format!("{}/{}", e.object_kind, e.object_name));
    }
    (kind, e.object_name.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn warning(name: &str, obj: &str, reason: &str, last: Ts) -> EventRec {
        EventRec {
            name: name.into(),
            namespace: "ns".into(),
            object_kind: "Pod".into(),
            object_name: obj.into(),
            field_path: None,
            reason: reason.into(),
            message: "Back-off restarting failed container\u{1b}[2J".into(),
            warning: true,
            count: 1,
            first: last,
            last,
            source: "kubelet".into(),
        }
    }

    fn row(
        name: &str,
        revision: Option<i64>,
        stalled: bool,
        crash: u32,
        hpa: Option<i32>,
    ) -> crate::fleet::workloads::WorkloadRow {
        crate::fleet::workloads::WorkloadRow {
            ctx: 0,
            kind: WorkloadKind::Deployment,
            namespace: "ns".into(),
            name: name.into(),
            ready: 1,
            desired: 1,
            available: 1,
            rollout: if stalled {
                RolloutState::Stalled {
                    reason: "ProgressDeadlineExceeded".into(),
                }
            } else {
                RolloutState::Complete
            },
            revision,
            hpa: hpa.map(|current| crate::fleet::workloads::HpaSummary {
                name: name.into(),
                current,
                min: 1,
                max: 10,
                at_max: false,
            }),
            restarts: 0,
            recent_restarts: 0,
            crashlooping: crash,
            warnings: 0,
            images: format!("img:{}", revision.unwrap_or(0)),
            health: None,
            backup: None,
            alerts: Vec::new(),
            published: None,
            assessment: Default::default(),
        }
    }

    fn kinds(t: &Transitions) -> Vec<String> {
        t.items.iter().map(|s| s.what.text()).collect()
    }

    #[test]
    fn a_workload_is_seeded_at_first_sight_and_noted_when_it_changes() {
        let d = ClusterData::default();
        let data = |_: CtxId| Some(&d);
        let now = |_: CtxId| 0;
        let mut seen = Seen::default();
        let mut t = Transitions::default();
        // First sight: a healthy one is only seeded; a stalled, crash-looping one is
        // an incident already under way.
        let mut f = Fleet {
            workloads: vec![
                row("web", Some(3), false, 0, Some(2)),
                row("api", Some(7), true, 2, None),
            ],
            ..Fleet::default()
        };
        seen.rebuilt(&f, &data, 100, &now, &mut t);
        assert_eq!(
            kinds(&t),
            vec![
                "rollout ns/deploy/api stalled: ProgressDeadlineExceeded",
                "crash loop started: 2 pods of ns/deploy/api"
            ]
        );
        // The same again: nothing new.
        seen.rebuilt(&f, &data, 101, &now, &mut t);
        assert_eq!(t.items.len(), 2);
        // web rolls to revision 4 and is scaled; api recovers.
        f.workloads = vec![
            row("web", Some(4), false, 0, Some(5)),
            row("api", Some(7), false, 0, None),
        ];
        seen.rebuilt(&f, &data, 102, &now, &mut t);
        let all = kinds(&t);
        assert_eq!(all.len(), 6, "{all:#?}");
        assert!(
            all.contains(&"rollout ns/deploy/web: revision 3 → 4 (img:3 → img:4)".to_string()),
            "{all:#?}"
        );
        assert!(
            all.contains(&"hpa ns/web scaled deploy/web from 2 to 5 replicas".to_string()),
            "{all:#?}"
        );
        assert!(
            all.contains(&"rollout ns/deploy/api no longer stalled: complete".to_string()),
            "{all:#?}"
        );
        assert!(
            all.contains(&"crash loop ended: ns/deploy/api (was 2)".to_string()),
            "{all:#?}"
        );
        // A revision not known for a while is no change; it coming back as it was is
        // none either.
        f.workloads = vec![row("web", None, false, 0, Some(5))];
        seen.rebuilt(&f, &data, 103, &now, &mut t);
        f.workloads = vec![row("web", Some(4), false, 0, Some(5))];
        seen.rebuilt(&f, &data, 104, &now, &mut t);
        assert_eq!(t.items.len(), 6, "{:#?}", kinds(&t));
        // Gone and back: seen afresh (a healthy one is only seeded).
        f.workloads = Vec::new();
        seen.rebuilt(&f, &data, 105, &now, &mut t);
        f.workloads = vec![row("web", Some(9), false, 0, Some(5))];
        seen.rebuilt(&f, &data, 106, &now, &mut t);
        assert_eq!(t.items.len(), 6);
    }

    /// `e` arrives at `now` (console clock), the cluster `skew` ahead.
    fn hear(seen: &mut Seen, t: &mut Transitions, e: &EventRec, now: Ts, skew: Ts) {
        seen.event(0, e, &ClusterData::default(), now, skew, t);
    }

    #[test]
    fn a_burst_of_warnings_about_one_group_is_one_line_until_it_goes_quiet() {
        let mut seen = Seen::default();
        let mut t = Transitions::default();
        hear(
            &mut seen,
            &mut t,
            &warning("e1", "web-1", "BackOff", 1000),
            1000,
            0,
        );
        hear(
            &mut seen,
            &mut t,
            &warning("e2", "web-1", "BackOff", 1010),
            1010,
            0,
        );
        assert_eq!(t.items.len(), 1, "the same group within the quiet time");
        hear(
            &mut seen,
            &mut t,
            &warning("e3", "web-1", "Failed", 1020),
            1020,
            0,
        );
        assert_eq!(t.items.len(), 2, "another reason is another line");
        hear(
            &mut seen,
            &mut t,
            &warning("e4", "web-1", "BackOff", 1000 + WARNING_QUIET),
            1000 + WARNING_QUIET,
            0,
        );
        assert_eq!(t.items.len(), 3, "after the quiet time it is news again");
        let text = t.items[0].what.text();
        assert!(
            text.starts_with("warning BackOff on ns/pod/web-1: Back-off"),
            "{text}"
        );
        assert!(!text.contains('\u{1b}'), "made inert: {text:?}");
        // A first list's old warning is history.
        hear(
            &mut seen,
            &mut t,
            &warning("e5", "db-0", "BackOff", 100),
            5000,
            0,
        );
        assert_eq!(t.items.len(), 3);
        // A normal event is not a warning.
        let mut normal = warning("e6", "db-0", "Pulled", 5000);
        normal.warning = false;
        hear(&mut seen, &mut t, &normal, 5000, 0);
        assert_eq!(t.items.len(), 3);
    }

    #[test]
    fn a_warning_is_stamped_on_the_consoles_clock() {
        let mut seen = Seen::default();
        let mut t = Transitions::default();
        // The cluster's clock is 30 s ahead; the event happened 60 s ago there.
        hear(
            &mut seen,
            &mut t,
            &warning("e1", "web-1", "BackOff", 1970),
            2000,
            30,
        );
        assert_eq!(t.items[0].at, 1940);
    }
}
