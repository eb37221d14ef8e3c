//! Backups: which CronJobs are backups (a `kdeck.io/backup=true` label, the config's
//! list, or — switchable — a name or namespace that says backup/snapshot), and for
//! each: the schedule in words, last success and failure, next run, recent Jobs, and
//! a freshness verdict (fresh / stale / failing / running / suspended / never-run).
//! VolumeSnapshots are judged per source PVC from the spacing of their snapshots.

use std::cell::RefCell;
use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use super::Ctx;
use crate::cluster::kinds::*;
use crate::cluster::msg::CtxId;
use crate::cluster::snapshots::SnapshotRec;
use crate::config::file::BackupSettings;
use crate::util::age;
use crate::util::cron::Schedule;
use crate::util::glob;
use crate::util::severity::{Assessment, Severity};

#[derive(
    Copy, Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "kebab-case")]
pub enum Freshness {
    Fresh,
    Running,
    Suspended,
    NeverRun,
    Failing,
    Stale,
}

impl Freshness {
    pub fn label(self) -> &'static str {
        match self {
            Freshness::Fresh => "fresh",
            Freshness::Running => "running",
            Freshness::Suspended => "suspended",
            Freshness::NeverRun => "never-run",
            Freshness::Failing => "failing",
            Freshness::Stale => "stale",
        }
    }
}

/// One Job of a backup.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Run {
    pub name: Arc<str>,
    pub start: Option<Ts>,
    pub end: Option<Ts>,
    pub outcome: JobOutcome,
    pub reason: String,
    pub manual: bool,
}

impl Run {
    pub fn duration(&self) -> Option<Ts> {
        Some(self.end? - self.start?)
    }
}

#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub enum BackupSource {
    CronJob {
        schedule: String,
        words: String,
        suspended: bool,
    },
    /// VolumeSnapshots of one PVC.
    Snapshots { pvc: Arc<str>, count: usize },
}

#[derive(Clone, Debug, PartialEq)]
pub struct BackupRow {
    pub ctx: CtxId,
    pub namespace: Arc<str>,
    pub name: Arc<str>,
    pub source: BackupSource,
    pub last_success: Option<Ts>,
    /// The newest failure after the last success: when and why.
    pub last_failure: Option<(Ts, String)>,
    pub next_run: Option<Ts>,
    /// The oldest acceptable last success (seconds), when known.
    pub allowed: Option<Ts>,
    pub runs: Vec<Run>,
    pub freshness: Freshness,
    pub why: String,
    pub assessment: Assessment,
}

impl BackupRow {
    pub fn is_cronjob(&self) -> bool {
        matches!(self.source, BackupSource::CronJob { .. })
    }
}

/// Whether a CronJob is a backup.
pub fn is_backup(cj: &CronJobRec, s: &BackupSettings) -> bool {
    match cj.meta.labels.get("kdeck.io/backup") {
        Some("true") => return true,
        Some("false") => return false,
        _ => {}
    }
    let id = format!("{}/{}", cj.meta.namespace, cj.meta.name);
    if s.include.iter().any(|g| glob::matches(g, &id)) {
        return true;
    }
    s.heuristic && {
        let hay = id.to_ascii_lowercase();
        hay.contains("backup") || hay.contains("snapshot")
    }
}

/// (schedule, time zone) → its longest interval.
type IntervalCache = HashMap<(String, Option<String>), Option<Ts>>;

thread_local! {
    /// Longest interval per schedule (computing it walks a year of runs).
    static INTERVALS: RefCell<IntervalCache> = RefCell::new(HashMap::new());
}

fn schedule(cj: &CronJobRec) -> Option<Schedule> {
    Schedule::parse_in(&cj.schedule, cj.time_zone.as_deref()).ok()
}

fn interval(cj: &CronJobRec, s: Option<&Schedule>) -> Option<Ts> {
    let key = (
        cj.schedule.to_string(),
        cj.time_zone.as_deref().map(String::from),
    );
    INTERVALS.with(|m| {
        if let Some(v) = m.borrow().get(&key) {
            return *v;
        }
        let v = s.and_then(|s| s.longest_interval()).map(|d| d.as_secs());
        let mut m = m.borrow_mut();
        if m.len() > 4096 {
            m.clear();
        }
        m.insert(key, v);
        v
    })
}

/// What a backup's facts amount to (pure: the unit tests drive it directly).
pub struct Facts {
    pub suspended: bool,
    pub running: bool,
    pub created: Ts,
    pub last_success: Option<Ts>,
    pub last_failure: Option<(Ts, String)>,
    pub any_run: bool,
    /// The oldest acceptable last success (seconds).
    pub allowed: Option<Ts>,
}

pub fn judge(f: &Facts, now: Ts) -> (Freshness, String) {
    // Ages are written when drawn, so they agree with the LAST OK column.
    let age_of = age::ago;
    let stale = |last: Ts| f.allowed.is_some_and(|a| now - last > a);
    let allowed = f.allowed.map(age::short).unwrap_or_default();
    if f.suspended {
        return (
            Freshness::Suspended,
            match f.last_success {
                Some(t) => format!("suspended; last success {} ago", age_of(t)),
                None => "suspended; never succeeded".into(),
            },
        );
    }
    if f.running {
        return (
            Freshness::Running,
            match f.last_success {
                Some(t) if stale(t) => {
                    format!("running; last success {} ago (over {allowed})", age_of(t))
                }
                Some(t) => format!("running; last success {} ago", age_of(t)),
                None => "running its first success".into(),
            },
        );
    }
    match (f.last_success, &f.last_failure) {
        (None, None) if !f.any_run => {
            let overdue = f.allowed.is_some_and(|a| now - f.created > a);
            (
                Freshness::NeverRun,
                if overdue {
                    format!("never ran in {}", age_of(f.created))
                } else {
                    "not run yet".into()
                },
            )
        }
        (None, Some((t, why))) => (
            Freshness::Failing,
            format!("never succeeded; last failure {} ago: {why}", age_of(*t)),
        ),
        (None, None) => (Freshness::Failing, "never succeeded".into()),
        (Some(t), failure) if stale(t) => {
            let mut why = format!("last success {} ago, over {allowed}", age_of(t));
            if let Some((_, r)) = failure {
                why.push_str(&format!("; last run failed: {r}"));
            }
            (Freshness::Stale, why)
        }
        (Some(t), Some((ft, r))) => (
            Freshness::Failing,
            format!(
                "last run failed {} ago: {r}; last success {} ago",
                age_of(*ft),
                age_of(t)
            ),
        ),
        (Some(t), None) => (Freshness::Fresh, format!("last success {} ago", age_of(t))),
    }
}

fn assess(fresh: Freshness, why: &str, never_overdue: bool) -> Assessment {
    let mut a = Assessment::default();
    let sev = match fresh {
        Freshness::Stale | Freshness::Failing => Severity::Warning,
        Freshness::NeverRun if never_overdue => Severity::Warning,
        Freshness::Suspended | Freshness::NeverRun | Freshness::Running => Severity::Info,
        Freshness::Fresh => Severity::Ok,
    };
    if sev > Severity::Ok {
        a.add(sev, format!("backup {}: {why}", fresh.label()));
    }
    a
}

fn cronjob_rows(c: &Ctx, s: &BackupSettings, out: &mut Vec<BackupRow>) {
    let mut jobs: HashMap<(&str, &str), Vec<&JobRec>> = HashMap::new();
    for j in c.data.kinds.jobs.values() {
        if let Some(o) = &j.meta.owner
            && o.kind == OwnerKind::CronJob
        {
            jobs.entry((j.meta.namespace.as_ref(), o.name.as_ref()))
                .or_default()
                .push(j);
        }
    }
    for cj in c.data.kinds.cronjobs.values() {
        if !is_backup(cj, s) {
            continue;
        }
        let sched = schedule(cj);
        let id = format!("{}/{}", cj.meta.namespace, cj.meta.name);
        let configured = s.max_age.get(&id).map(|d| d.0.as_secs() as Ts);
        let allowed = configured.or_else(|| {
            interval(cj, sched.as_ref()).map(|i| (i as f64 * s.tolerance).round() as Ts)
        });
        let mut runs: Vec<&JobRec> = jobs
            .remove(&(cj.meta.namespace.as_ref(), cj.meta.name.as_ref()))
            .unwrap_or_default();
        runs.sort_by_key(|j| std::cmp::Reverse(j.start.unwrap_or(j.meta.created)));
        let job_success = runs
            .iter()
            .filter(|j| j.outcome == JobOutcome::Complete)
            .filter_map(|j| j.completion.or(j.finished_at))
            .max();
        let last_success = match (cj.last_success, job_success) {
            (Some(a), Some(b)) => Some(a.max(b)),
            (a, b) => a.or(b),
        };
        let last_failure = runs
            .iter()
            .filter(|j| j.outcome == JobOutcome::Failed)
            .filter_map(|j| {
                let at = j.finished_at.or(j.start)?;
                let why = j
                    .reason
                    .as_deref()
                    .map(|r| match j.message.as_deref() {
                        Some(m) if !m.is_empty() => format!("{r}: {m}"),
                        _ => r.to_string(),
                    })
                    .unwrap_or_else(|| "failed".into());
                Some((at, why))
            })
            .max_by_key(|(at, _)| *at)
            .filter(|(at, _)| last_success.is_none_or(|s| *at > s));
        let running = cj.active > 0 || runs.iter().any(|j| j.outcome == JobOutcome::Running);
        let facts = Facts {
            suspended: cj.suspend,
            running,
            created: cj.meta.created,
            last_success,
            last_failure: last_failure.clone(),
            any_run: !runs.is_empty() || cj.last_schedule.is_some(),
            allowed,
        };
        let (freshness, why) = judge(&facts, c.now);
        let overdue = allowed.is_some_and(|a| c.now - cj.meta.created > a);
        let next_run = if cj.suspend {
            None
        } else {
            sched.as_ref().and_then(|s| {
                s.next_after(jiff::Timestamp::from_second(c.now).ok()?)
                    .map(|t| t.as_second())
            })
        };
        out.push(BackupRow {
            ctx: c.id,
            namespace: cj.meta.namespace.clone(),
            name: cj.meta.name.clone(),
            source: BackupSource::CronJob {
                schedule: crate::util::sanitize::line(&cj.schedule, 60),
                words: sched
                    .as_ref()
                    .map(|s| s.describe())
                    .unwrap_or_else(|| "schedule not understood".into()),
                suspended: cj.suspend,
            },
            last_success,
            last_failure,
            next_run,
            allowed,
            runs: runs
                .iter()
                .take(s.history.max(1))
                .map(|j| Run {
                    name: j.meta.name.clone(),
                    start: j.start,
                    end: j.completion.or(j.finished_at),
                    outcome: j.outcome,
                    reason: j.reason.as_deref().unwrap_or("").to_string(),
                    manual: j.manual,
                })
                .collect(),
            assessment: assess(freshness, &why, overdue),
            freshness,
            why,
        });
    }
}

/// The median gap between consecutive snapshots (their cadence), if there are enough.
pub fn cadence(times: &[Ts]) -> Option<Ts> {
    let mut t = times.to_vec();
    t.sort_unstable();
    let mut gaps: Vec<Ts> = t
        .windows(2)
        .map(|w| w[1] - w[0])
        .filter(|g| *g > 0)
        .collect();
    if gaps.len() < 2 {
        return None;
    }
    gaps.sort_unstable();
    Some(gaps[gaps.len() / 2])
}

fn snapshot_rows(c: &Ctx, s: &BackupSettings, out: &mut Vec<BackupRow>) {
    let mut by_pvc: BTreeMap<(Arc<str>, Arc<str>), Vec<&SnapshotRec>> = BTreeMap::new();
    for v in &c.data.snapshots.list {
        by_pvc
            .entry((v.namespace.clone(), v.pvc.clone()))
            .or_default()
            .push(v);
    }
    for ((ns, pvc), mut snaps) in by_pvc {
        snaps.sort_by_key(|v| std::cmp::Reverse(v.created));
        let id = format!("{ns}/{pvc}");
        let times: Vec<Ts> = snaps.iter().map(|v| v.created).collect();
        let allowed = s
            .max_age
            .get(&id)
            .map(|d| d.0.as_secs() as Ts)
            .or_else(|| cadence(&times).map(|g| (g as f64 * s.tolerance).round() as Ts));
        let last_success = snaps.iter().find(|v| v.ready).map(|v| v.created);
        let last_failure = snaps
            .iter()
            .find(|v| !v.ready && v.error.is_some())
            .filter(|v| last_success.is_none_or(|t| v.created > t))
            .map(|v| (v.created, v.error.as_deref().unwrap_or("").to_string()));
        let running = snaps.first().is_some_and(|v| !v.ready && v.error.is_none());
        let facts = Facts {
            suspended: false,
            running,
            created: times.iter().copied().min().unwrap_or(c.now),
            last_success,
            last_failure: last_failure.clone(),
            any_run: true,
            allowed,
        };
        let (freshness, why) = judge(&facts, c.now);
        out.push(BackupRow {
            ctx: c.id,
            namespace: ns,
            name: Arc::from(format!("pvc/{pvc}")),
            source: BackupSource::Snapshots {
                pvc: pvc.clone(),
                count: snaps.len(),
            },
            last_success,
            last_failure,
            next_run: None,
            allowed,
            runs: snaps
                .iter()
                .take(s.history.max(1))
                .map(|v| Run {
                    name: v.name.clone(),
                    start: Some(v.created),
                    end: None,
                    outcome: if v.ready {
                        JobOutcome::Complete
                    } else if v.error.is_some() {
                        JobOutcome::Failed
                    } else {
                        JobOutcome::Running
                    },
                    reason: v.error.as_deref().unwrap_or("").to_string(),
                    manual: false,
                })
                .collect(),
            assessment: assess(freshness, &why, false),
            freshness,
            why,
        });
    }
}

pub fn build(c: &Ctx, s: &BackupSettings) -> Vec<BackupRow> {
    let mut out = Vec::new();
    cronjob_rows(c, s, &mut out);
    snapshot_rows(c, s, &mut out);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const H: Ts = 3600;
    const D: Ts = 24 * H;

    fn allowed(schedule: &str, tolerance: f64) -> Ts {
        let s = Schedule::parse(schedule).unwrap();
        (s.longest_interval().unwrap().as_secs() as f64 * tolerance) as Ts
    }

    fn facts(last_success: Option<Ts>, allowed: Ts) -> Facts {
        Facts {
            suspended: false,
            running: false,
            created: 0,
            last_success,
            last_failure: None,
            any_run: last_success.is_some(),
            allowed: Some(allowed),
        }
    }

    #[test]
    fn schedule_intervals_and_staleness() {
        let now = 100 * D;
        let daily = allowed("0 2 * * *", 1.5);
        assert_eq!(daily, 36 * H);
        assert_eq!(
            judge(&facts(Some(now - 30 * H), daily), now).0,
            Freshness::Fresh
        );
        let (f, why) = judge(&facts(Some(now - 40 * H), daily), now);
        assert_eq!(f, Freshness::Stale);
        assert!(why.contains("over 36h"), "{why}");
        let weekly = allowed("0 1 * * 0", 1.5);
        assert_eq!(weekly, (7 * D) * 3 / 2);
        assert_eq!(
            judge(&facts(Some(now - 8 * D), weekly), now).0,
            Freshness::Fresh
        );
        assert_eq!(
            judge(&facts(Some(now - 11 * D), weekly), now).0,
            Freshness::Stale
        );
        let quarter = allowed("*/15 * * * *", 1.5);
        assert_eq!(quarter, 22 * 60 + 30);
        assert_eq!(
            judge(&facts(Some(now - 20 * 60), quarter), now).0,
            Freshness::Fresh
        );
        assert_eq!(
            judge(&facts(Some(now - 30 * 60), quarter), now).0,
            Freshness::Stale
        );
    }

    #[test]
    fn suspended_never_run_failing_and_running() {
        let now = 100 * D;
        let mut f = facts(Some(now - 40 * D), 36 * H);
        f.suspended = true;
        assert_eq!(judge(&f, now).0, Freshness::Suspended);
        let mut f = facts(None, 36 * H);
        f.created = now - H;
        assert_eq!(judge(&f, now), (Freshness::NeverRun, "not run yet".into()));
        f.created = now - 3 * D;
        assert!(judge(&f, now).1.starts_with("never ran in"));
        let mut f = facts(Some(now - 20 * H), 36 * H);
        f.last_failure = Some((now - 2 * H, "BackoffLimitExceeded".into()));
        assert_eq!(judge(&f, now).0, Freshness::Failing);
        f.last_success = Some(now - 3 * D);
        let (v, why) = judge(&f, now);
        assert_eq!(v, Freshness::Stale, "stale wins over failing: {why}");
        assert!(why.contains("BackoffLimitExceeded"));
        f.running = true;
        assert_eq!(judge(&f, now).0, Freshness::Running);
    }

    #[test]
    fn snapshot_cadence_is_the_median_gap() {
        assert_eq!(cadence(&[0, 7 * D, 14 * D, 21 * D]), Some(7 * D));
        assert_eq!(cadence(&[0, D]), None);
        assert_eq!(cadence(&[5 * D, 0, D, 2 * D]), Some(D));
    }
}
