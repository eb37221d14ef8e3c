//! The controller manager of the simulated cluster: turns committed changes and due
//! timers into reconcile work, runs each controller (one file each) on the simulated
//! clock, records Events with the API server's dedup, and runs periodic syncs.

pub mod cronjob;
mod daemonset;
pub mod deployment;
pub mod endpoints;
pub mod events;
mod gc;
mod hpa;
pub mod job;
mod pdb;
pub mod pod;
mod replicaset;
mod statefulset;

use std::cmp::Reverse;
use std::collections::{BTreeSet, BinaryHeap};

use jiff::{SignedDuration, Timestamp};
use serde_json::Value;

use super::apps::World;
use super::kinds::Kind;
use super::obj;
use super::selectors::{FromValue, LabelSelector, MatchValue};
use super::store::{Change, ChangeType, Key, Store, key_of};

pub use events::EventRecorder;

/// One unit of reconcile work.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Work {
    Namespace(String),
    Gc(String),
    CronJob(Key),
    Job(Key),
    Deployment(Key),
    StatefulSet(Key),
    DaemonSet(Key),
    ReplicaSet(Key),
    /// A namespace just created: its default ServiceAccount and CA ConfigMap.
    NamespaceSetup(String),
    Pod(Key),
    Endpoints(Key),
    Hpa(Key),
}

/// Work scheduled for a simulated time.
#[derive(Default)]
pub struct Timers {
    heap: BinaryHeap<Reverse<(i128, u64, Work)>>,
    seq: u64,
}

impl Timers {
    pub fn at(&mut self, when: Timestamp, work: Work) {
        self.seq += 1;
        self.heap
            .push(Reverse((when.as_nanosecond(), self.seq, work)));
    }

    pub fn after(&mut self, now: Timestamp, secs: f64, work: Work) {
        self.at(now + SignedDuration::from_secs_f64(secs.max(0.0)), work);
    }

    fn due(&mut self, now: Timestamp) -> Vec<Work> {
        let mut out = Vec::new();
        let n = now.as_nanosecond();
        while let Some(Reverse((t, _, _))) = self.heap.peek() {
            if *t > n {
                break;
            }
            if let Some(Reverse((_, _, w))) = self.heap.pop() {
                out.push(w);
            }
        }
        out
    }
}

/// What a controller may touch while reconciling.
pub struct Cx<'a> {
    pub store: &'a mut Store,
    pub world: &'a mut World,
    pub events: &'a mut EventRecorder,
    pub timers: &'a mut Timers,
    pub now: Timestamp,
}

impl Cx<'_> {
    pub fn event(
        &mut self,
        involved: &Value,
        warning: bool,
        reason: &str,
        message: &str,
        component: &str,
    ) {
        self.events.record(
            self.store,
            involved,
            None,
            if warning { "Warning" } else { "Normal" },
            reason,
            message,
            component,
        );
    }
}

#[derive(Default)]
pub struct Manager {
    pub timers: Timers,
    pub events: EventRecorder,
    hpa: hpa::HpaMemory,
    last_hpa_sync: Option<Timestamp>,
    last_resync: Option<Timestamp>,
    last_event_gc: Option<Timestamp>,
}

fn owner_work(v: &Value) -> Option<Work> {
    let owner = obj::at(v, &["metadata", "ownerReferences"])
        .as_array()?
        .iter()
        .find(|o| o["controller"] == true)?;
    let key = (
        obj::namespace(v).to_string(),
        owner["name"].as_str()?.to_string(),
    );
    match owner["kind"].as_str()? {
        "ReplicaSet" => Some(Work::ReplicaSet(key)),
        "Deployment" => Some(Work::Deployment(key)),
        "StatefulSet" => Some(Work::StatefulSet(key)),
        "DaemonSet" => Some(Work::DaemonSet(key)),
        "Job" => Some(Work::Job(key)),
        "CronJob" => Some(Work::CronJob(key)),
        _ => None,
    }
}

impl Manager {
    fn enqueue(&self, store: &Store, c: &Change, queue: &mut BTreeSet<Work>) {
        let key = key_of(&c.obj);
        if c.ty == ChangeType::Deleted {
            queue.insert(Work::Gc(obj::uid(&c.obj).to_string()));
        }
        for v in [Some(&c.obj), c.old.as_ref()].into_iter().flatten() {
            if let Some(w) = owner_work(v) {
                queue.insert(w);
            }
        }
        match c.kind {
            Kind::Pod => {
                if c.ty != ChangeType::Deleted {
                    queue.insert(Work::Pod(key.clone()));
                }
                let labels_changed = c.old.as_ref().is_none_or(|o| {
                    o["metadata"]["labels"] != c.obj["metadata"]["labels"]
                        || o["status"] != c.obj["status"]
                        || o["metadata"]["deletionTimestamp"]
                            != c.obj["metadata"]["deletionTimestamp"]
                });
                if labels_changed {
                    for svc in store.list(Kind::Service, Some(&key.0)) {
                        let sel = obj::at(&svc, &["spec", "selector"]);
                        if sel.is_null() {
                            continue;
                        }
                        let s = LabelSelector::from_value(sel);
                        let hit = s.matches(&c.obj) || c.old.as_ref().is_some_and(|o| s.matches(o));
                        if hit {
                            queue.insert(Work::Endpoints(key_of(&svc)));
                        }
                    }
                }
            }
            Kind::Deployment => {
                queue.insert(Work::Deployment(key));
            }
            Kind::ReplicaSet => {
                queue.insert(Work::ReplicaSet(key));
            }
            Kind::StatefulSet => {
                queue.insert(Work::StatefulSet(key));
            }
            Kind::DaemonSet => {
                queue.insert(Work::DaemonSet(key));
            }
            Kind::Node => {
                for ds in store.list(Kind::DaemonSet, None) {
                    queue.insert(Work::DaemonSet(key_of(&ds)));
                }
            }
            Kind::Namespace if c.ty == ChangeType::Added => {
                queue.insert(Work::NamespaceSetup(key.1));
            }
            Kind::Service => {
                queue.insert(Work::Endpoints(key));
            }
            Kind::Job => {
                queue.insert(Work::Job(key));
            }
            Kind::CronJob => {
                queue.insert(Work::CronJob(key));
            }
            Kind::Hpa if c.ty != ChangeType::Deleted => {
                queue.insert(Work::Hpa(key));
            }
            Kind::Namespace if obj::is_terminating(&c.obj) => {
                queue.insert(Work::Namespace(key.1));
            }
            _ => {}
        }
    }

    /// One pass: drain changes and due timers, reconcile until quiet (bounded), then
    /// the periodic syncs.
    pub fn step(&mut self, store: &mut Store, world: &mut World) {
        let now = store.now();
        let mut queue: BTreeSet<Work> = self.timers.due(now).into_iter().collect();
        let resync = self
            .last_resync
            .is_none_or(|t| now.duration_since(t).as_secs() >= 30);
        if resync {
            self.last_resync = Some(now);
            for d in store.list(Kind::Deployment, None) {
                queue.insert(Work::Deployment(key_of(&d)));
            }
            for c in store.list(Kind::CronJob, None) {
                queue.insert(Work::CronJob(key_of(&c)));
            }
        }
        for _round in 0..6 {
            for c in store.drain_pending() {
                self.enqueue(store, &c, &mut queue);
            }
            if queue.is_empty() {
                break;
            }
            let work: Vec<Work> = std::mem::take(&mut queue).into_iter().collect();
            let mut cx = Cx {
                store,
                world,
                events: &mut self.events,
                timers: &mut self.timers,
                now,
            };
            for w in &work {
                Self::run(&mut cx, w);
            }
        }
        // Every CronJob checks its schedule each step (cheap: a handful of objects).
        {
            let mut cx = Cx {
                store,
                world,
                events: &mut self.events,
                timers: &mut self.timers,
                now,
            };
            cronjob::schedule_all(&mut cx);
            pdb::sync_all(&mut cx);
            let hpa_due = self
                .last_hpa_sync
                .is_none_or(|t| now.duration_since(t).as_secs() >= hpa::SYNC_SECONDS);
            if hpa_due {
                self.last_hpa_sync = Some(now);
                hpa::sync_all(&mut cx, &mut self.hpa);
            }
            let gc_due = self
                .last_event_gc
                .is_none_or(|t| now.duration_since(t).as_secs() >= 60);
            if gc_due {
                self.last_event_gc = Some(now);
                events::expire(&mut cx, SignedDuration::from_hours(1));
            }
        }
    }

    fn run(cx: &mut Cx, w: &Work) {
        match w {
            Work::Namespace(n) => gc::namespace(cx, n),
            Work::Gc(uid) => gc::dependents(cx, uid),
            Work::CronJob(k) => cronjob::reconcile(cx, k),
            Work::Job(k) => job::reconcile(cx, k),
            Work::Deployment(k) => deployment::reconcile(cx, k),
            Work::StatefulSet(k) => statefulset::reconcile(cx, k),
            Work::DaemonSet(k) => daemonset::reconcile(cx, k),
            Work::NamespaceSetup(ns) => daemonset::namespace_setup(cx, ns),
            Work::ReplicaSet(k) => replicaset::reconcile(cx, k),
            Work::Pod(k) => pod::reconcile(cx, k),
            Work::Endpoints(k) => endpoints::reconcile(cx, k),
            Work::Hpa(k) => hpa::sync_status(cx, k),
        }
    }
}

pub fn int_or_percent(v: &Value, total: i64, round_up: bool) -> i64 {
    match v {
        Value::Number(n) => n.as_i64().unwrap_or(0),
        Value::String(s) => {
            if let Some(p) = s.strip_suffix('%') {
                let pct: f64 = p.parse().unwrap_or(0.0);
                let x = pct * total as f64 / 100.0;
                if round_up {
                    x.ceil() as i64
                } else {
                    x.floor() as i64
                }
            } else {
                s.parse().unwrap_or(0)
            }
        }
        _ => 0,
    }
}

pub fn set_condition(status_conditions: &mut Value, cond: Value, now: &str) {
    if !status_conditions.is_array() {
        *status_conditions = Value::Array(Vec::new());
    }
    let arr = status_conditions.as_array_mut().expect("array");
    let ty = cond["type"].clone();
    match arr.iter_mut().find(|c| c["type"] == ty) {
        Some(existing) => {
            let transition = if existing["status"] == cond["status"] {
                existing["lastTransitionTime"].clone()
            } else {
                Value::String(now.to_string())
            };
            *existing = cond;
            existing["lastTransitionTime"] = transition;
        }
        None => {
            let mut c = cond;
            c["lastTransitionTime"] = Value::String(now.to_string());
            arr.push(c);
        }
    }
}

pub fn pod_ready(p: &Value) -> bool {
    super::apps::world::is_ready(p)
}

pub fn pod_active(p: &Value) -> bool {
    !obj::is_terminating(p)
        && !matches!(
            obj::str_at(p, &["status", "phase"]),
            Some("Succeeded") | Some("Failed")
        )
}
