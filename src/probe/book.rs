//! The health book: per endpoint, the latest verdict of each pod probed, the state
//! aggregated over them and since when, recent results (for p95 latency and a
//! sparkline) and consecutive failures. Updated from verdict messages in `update`;
//! pure data.

use std::collections::{BTreeMap, HashSet, VecDeque};
use std::sync::Arc;

use super::HealthState;
use super::evaluate::Verdict;
use super::targets::{EndpointKey, ProbeTarget, TargetId};
use crate::cluster::kinds::Ts;

/// Results remembered per endpoint.
pub const RECENT: usize = 40;

#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct PodResult {
    pub verdict: Verdict,
    pub at: Ts,
}

#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct EndpointHealth {
    /// The request, for the person (`GET :3005/health`).
    pub request: String,
    pub state: HealthState,
    pub since: Ts,
    /// Latest result per pod probed ("" when not a pod).
    pub pods: PodResults,
    /// Recent results, oldest first: state and latency.
    pub recent: VecDeque<(HealthState, u32)>,
    pub consecutive_failures: u32,
    /// The newest verdict from any pod.
    pub last: Option<Verdict>,
    pub last_at: Ts,
}

impl EndpointHealth {
    fn new(request: String, now: Ts) -> EndpointHealth {
        EndpointHealth {
            request,
            state: HealthState::Unknown,
            since: now,
            pods: PodResults::default(),
            recent: VecDeque::new(),
            consecutive_failures: 0,
            last: None,
            last_at: now,
        }
    }

    /// The 95th percentile of recent latencies (ms).
    pub fn p95(&self) -> Option<u32> {
        let mut v: Vec<u32> = self.recent.iter().map(|r| r.1).collect();
        if v.is_empty() {
            return None;
        }
        v.sort_unstable();
        let i = ((v.len() as f64) * 0.95).ceil() as usize;
        v.get(i.saturating_sub(1).min(v.len() - 1)).copied()
    }

    /// The worst current pod verdict's reason (what the person reads first).
    pub fn reason(&self) -> String {
        self.pods
            .values()
            .filter(|p| p.verdict.state > HealthState::Ok)
            .max_by_key(|p| p.verdict.state)
            .map(|p| p.verdict.reason())
            .unwrap_or_default()
    }

    /// The newest error seen, if any pod currently fails.
    pub fn last_error(&self) -> Option<&(super::ErrorClass, String)> {
        self.pods
            .values()
            .filter(|p| p.verdict.error.is_some())
            .max_by_key(|p| (p.verdict.state, p.at))
            .and_then(|p| p.verdict.error.as_ref())
    }

    fn aggregate(&self) -> HealthState {
        let states: Vec<HealthState> = self
            .pods
            .values()
            .map(|p| p.verdict.state)
            .filter(|s| *s != HealthState::Unknown)
            .collect();
        if states.is_empty() {
            HealthState::Unknown
        } else if states.iter().all(|s| *s == HealthState::Ok) {
            HealthState::Ok
        } else if states.iter().all(|s| *s == HealthState::Down) {
            HealthState::Down
        } else {
            HealthState::Degraded
        }
    }
}

/// The latest result of each pod of one endpoint, by pod name: a handful (the
/// sample), so a sorted vector, not a tree whose every node holds room for eleven.
/// Written as a map, as it always was.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct PodResults(Vec<(Arc<str>, PodResult)>);

impl PodResults {
    pub fn insert(&mut self, pod: Arc<str>, r: PodResult) {
        match self.0.binary_search_by(|(p, _)| p.cmp(&pod)) {
            Ok(i) => self.0[i].1 = r,
            Err(i) => self.0.insert(i, (pod, r)),
        }
    }

    pub fn get(&self, pod: &str) -> Option<&PodResult> {
        self.0
            .binary_search_by(|(p, _)| p.as_ref().cmp(pod))
            .ok()
            .map(|i| &self.0[i].1)
    }

    pub fn retain(&mut self, mut keep: impl FnMut(&Arc<str>) -> bool) {
        self.0.retain(|(p, _)| keep(p));
        self.0.shrink_to_fit();
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn values(&self) -> impl Iterator<Item = &PodResult> {
        self.0.iter().map(|(_, r)| r)
    }

    pub fn iter(&self) -> impl Iterator<Item = (&Arc<str>, &PodResult)> {
        self.0.iter().map(|(p, r)| (p, r))
    }
}

impl serde::Serialize for PodResults {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_map(self.iter())
    }
}

impl<'de> serde::Deserialize<'de> for PodResults {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let m = BTreeMap::<Arc<str>, PodResult>::deserialize(d)?;
        Ok(PodResults(m.into_iter().collect()))
    }
}

/// A state change of one endpoint.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Change {
    pub key: EndpointKey,
    pub from: HealthState,
    pub to: HealthState,
    pub reason: String,
}

#[derive(Clone, Debug, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Book {
    pub endpoints: BTreeMap<EndpointKey, EndpointHealth>,
    /// Bumped on every change (derived rows are rebuilt when it moves).
    pub rev: u64,
}

impl Book {
    /// Records one verdict; returns the endpoint's state change, if any.
    pub fn record(
        &mut self,
        id: &TargetId,
        request: &str,
        verdict: Verdict,
        now: Ts,
    ) -> Option<Change> {
        // The path was down, not the target: what it said last stands.
        if matches!(&verdict.error, Some((super::ErrorClass::ApiUnreachable, _))) {
            return None;
        }
        self.rev += 1;
        let (key, pod) = id;
        let e = self
            .endpoints
            .entry(key.clone())
            .or_insert_with(|| EndpointHealth::new(request.to_string(), now));
        if verdict.state == HealthState::Ok {
            e.consecutive_failures = 0;
        } else {
            e.consecutive_failures += 1;
        }
        e.recent.push_back((verdict.state, verdict.latency_ms));
        while e.recent.len() > RECENT {
            e.recent.pop_front();
        }
        e.last = Some(verdict.clone());
        e.last_at = now;
        let pod: Arc<str> = pod.clone().unwrap_or_else(|| Arc::from(""));
        e.pods.insert(pod, PodResult { verdict, at: now });
        let to = e.aggregate();
        if to == e.state {
            return None;
        }
        let from = std::mem::replace(&mut e.state, to);
        e.since = now;
        Some(Change {
            key: key.clone(),
            from,
            to,
            reason: e.reason(),
        })
    }

    /// Forgets endpoints and pods no longer probed (a pod gone, a workload deleted).
    pub fn retain(&mut self, targets: &[ProbeTarget]) {
        let ids: HashSet<TargetId> = targets.iter().map(|t| t.id()).collect();
        let keys: HashSet<&EndpointKey> = ids.iter().map(|(k, _)| k).collect();
        let before = self.endpoints.len();
        self.endpoints.retain(|k, _| keys.contains(k));
        let mut changed = before != self.endpoints.len();
        for (k, e) in self.endpoints.iter_mut() {
            let n = e.pods.len();
            e.pods.retain(|p| {
                let pod = (!p.is_empty()).then(|| p.clone());
                ids.contains(&(k.clone(), pod))
            });
            if e.pods.len() != n {
                changed = true;
                e.state = e.aggregate();
            }
        }
        if changed {
            self.rev += 1;
        }
    }
}

/// A sparkline of recent results: latency as bar height, `×` for a failure.
pub fn sparkline(recent: &VecDeque<(HealthState, u32)>, width: usize) -> String {
    const BARS: [char; 8] = ['▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'];
    let take = recent.len().min(width);
    let slice: Vec<&(HealthState, u32)> = recent.iter().skip(recent.len() - take).collect();
    let max = slice.iter().map(|r| r.1).max().unwrap_or(1).max(1) as f64;
    slice
        .iter()
        .map(|(s, ms)| match s {
            HealthState::Down => '×',
            _ => {
                let i = ((*ms as f64 / max) * 7.0).round() as usize;
                BARS[i.min(7)]
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key() -> EndpointKey {
        EndpointKey {
            ctx: Some(0),
            namespace: Arc::from("ns"),
            workload: Arc::from("deploy/api"),
            name: Arc::from("api:80/health"),
        }
    }

    fn v(state: HealthState, ms: u32) -> Verdict {
        Verdict {
            state,
            latency_ms: ms,
            ..Verdict::default()
        }
    }

    #[test]
    fn pod_results_stay_sorted_replace_by_name_and_are_written_as_a_map() {
        let mut r = PodResults::default();
        let at = |n| PodResult {
            verdict: v(HealthState::Ok, n),
            at: n as Ts,
        };
        for (pod, n) in [("web-c", 1), ("web-a", 2), ("web-b", 3), ("web-a", 4)] {
            r.insert(Arc::from(pod), at(n));
        }
        let names: Vec<&str> = r.iter().map(|(p, _)| p.as_ref()).collect();
        assert_eq!(names, ["web-a", "web-b", "web-c"]);
        assert_eq!(r.get("web-a").map(|x| x.at), Some(4), "replaced, not added");
        let json = serde_json::to_value(&r).expect("json");
        assert_eq!(json["web-c"]["at"], 1, "{json}");
        // A recording written when this was a BTreeMap reads the same.
        let old: BTreeMap<Arc<str>, PodResult> =
            r.iter().map(|(p, x)| (p.clone(), x.clone())).collect();
        let back: PodResults =
            serde_json::from_str(&serde_json::to_string(&old).expect("json")).expect("read");
        assert_eq!(back, r);
        r.retain(|p| p.as_ref() != "web-b");
        assert_eq!((r.len(), r.get("web-b").is_none()), (2, true));
    }

    #[test]
    fn aggregates_pods_counts_failures_and_reports_changes() {
        let mut b = Book::default();
        let a = (key(), Some(Arc::from("api-a")));
        let c = (key(), Some(Arc::from("api-b")));
        let ch = b
            .record(&a, "GET :80/health", v(HealthState::Ok, 10), 100)
            .unwrap();
        assert_eq!((ch.from, ch.to), (HealthState::Unknown, HealthState::Ok));
        assert!(b.record(&c, "", v(HealthState::Ok, 30), 101).is_none());
        let ch = b.record(&c, "", v(HealthState::Down, 5000), 115).unwrap();
        assert_eq!((ch.from, ch.to), (HealthState::Ok, HealthState::Degraded));
        let ch = b.record(&a, "", v(HealthState::Down, 5000), 116).unwrap();
        assert_eq!(ch.to, HealthState::Down);
        let e = &b.endpoints[&key()];
        assert_eq!((e.consecutive_failures, e.since), (2, 116));
        assert_eq!(e.p95(), Some(5000));
        assert_eq!(sparkline(&e.recent, 10), "▁▁××");
        // A pod that went away is forgotten and the state recomputed.
        let keep = ProbeTarget {
            key: key(),
            pod: Some(Arc::from("api-a")),
            via: super::super::targets::Via::Direct { url: String::new() },
            req: Arc::new(super::super::targets::Request::get(
                "",
                Default::default(),
                std::time::Duration::from_secs(1),
                std::time::Duration::from_secs(1),
            )),
        };
        b.record(&a, "", v(HealthState::Ok, 10), 120);
        b.retain(std::slice::from_ref(&keep));
        assert_eq!(b.endpoints[&key()].pods.len(), 1);
        assert_eq!(b.endpoints[&key()].state, HealthState::Ok);
        b.retain(&[]);
        assert!(b.endpoints.is_empty());
    }
}
